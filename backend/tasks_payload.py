"""Request bodies for the task table: tunable parameters, their validation, and payload builders.

Everything here runs before a request exists, so bad input raises `InvalidParameters` with a
sentence a person can act on and nothing is sent. The task table itself lives in `tasks.py`.
"""
from __future__ import annotations

import base64
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from .errors import InvalidParameters

__all__ = [
    "Param", "Payload", "PayloadBuilder", "InputReader", "check_params", "drop_empty",
    "read_text", "read_qa", "read_zero_shot", "read_similarity", "read_translation",
    "read_text_to_image", "read_image", "read_audio", "read_messages", "read_image_prompt", "read_image_labels",
    "read_image_question", "read_document_question", "read_table_question", "read_table",
]

# A reader turns the form's fields into (fields of the JSON body, parameters the form supplied).
InputReader = Callable[[Mapping[str, Any]], tuple[dict[str, Any], dict[str, Any]]]

CHAT_ROLES = frozenset({"system", "user", "assistant", "tool", "developer"})


@dataclass(frozen=True)
class Param:
    """One tunable parameter, shown in the UI's accordion; `None` default means 'server default'."""

    name: str
    kind: str  # "int" | "float" | "bool" | "str" | "choice" | "list"
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    help: str = ""
    at_root: bool = False  # feature-extraction and chat put parameters at the body's root


@dataclass(frozen=True)
class Payload:
    """What a builder returns: a JSON body or raw bytes, extra headers, and whether to stream."""

    json_body: Any = None
    data: bytes | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict)
    stream: bool = False


def _is_blank(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, (list, tuple, dict, bytes, bytearray)) and not value)


def drop_empty(values: Mapping[str, Any]) -> dict[str, Any]:
    """Drop None, blank strings and empty collections: an untouched form field means 'server default'."""
    return {key: value for key, value in values.items() if not _is_blank(value)}


def _as_list(value: Any, separator: str) -> list[str]:
    """A list from code as it is (a stop sequence may be "\\n"); a textbox string split and trimmed."""
    if isinstance(value, str):
        return [item.strip() for item in value.split(separator) if item.strip()]
    return [str(item) for item in value or () if item != ""]


def _is_number(value: Any) -> bool:
    # bool is an int subclass, but `"top_k": true` is a mistake, not a number.
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _invalid(param: Param, expected: str, value: Any) -> InvalidParameters:
    return InvalidParameters(f"Parameter '{param.name}' must be {expected} (got {value!r}).", parameter=param.name)


def _to_number(param: Param, value: Any) -> int | float:
    if not _is_number(value):
        raise _invalid(param, "a number", value)
    if param.kind == "int":
        if value != int(value):
            raise _invalid(param, "a whole number", value)
        value = int(value)  # sliders hand over 50.0, and TGI rejects a float where it wants an int
    if param.minimum is not None and value < param.minimum:
        raise _invalid(param, f"at least {param.minimum:g}", value)
    if param.maximum is not None and value > param.maximum:
        raise _invalid(param, f"at most {param.maximum:g}", value)
    return value


def _to_bool(param: Param, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _invalid(param, "true or false", value)
    return value


def _to_choice(param: Param, value: Any) -> str:
    if value not in param.choices:
        raise _invalid(param, "one of " + ", ".join(param.choices), value)
    return value


def _to_list(param: Param, value: Any) -> list[str]:
    if not isinstance(value, (str, list, tuple)):
        raise _invalid(param, "a list of strings", value)
    return _as_list(value, "\n")  # one per line: stop sequences may well contain commas


def _to_str(param: Param, value: Any) -> str:
    if not isinstance(value, str):
        raise _invalid(param, "a string", value)
    return value


# Param.kind -> the check that returns the value as it goes on the wire, or raises naming the parameter.
_CONVERTERS: dict[str, Callable[[Param, Any], Any]] = {
    "int": _to_number, "float": _to_number, "bool": _to_bool, "choice": _to_choice, "list": _to_list,
    "str": _to_str,
}


def check_params(params: Mapping[str, Any], parameters: tuple[Param, ...]) -> dict[str, Any]:
    """Validate the known parameters and drop empty ones; unknown names (extra JSON) pass through."""
    known = {p.name: p for p in parameters}
    checked = {name: _CONVERTERS[known[name].kind](known[name], value) if name in known else value
               for name, value in drop_empty(params).items()}
    return drop_empty(checked)


def _required(inputs: Mapping[str, Any], key: str, what: str) -> Any:
    value = inputs.get(key)
    if _is_blank(value):
        raise InvalidParameters(f"Fill in {what}.", field=key)
    return value


def read_text(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """One text, or a list of texts (batched calls and list-input embeddings)."""
    text = _required(inputs, "text", "the text input")
    if isinstance(text, (list, tuple)):
        text = [str(item) for item in text]
    elif not isinstance(text, str):
        raise InvalidParameters("The text input must be a string or a list of strings.", field="text")
    return {"inputs": text}, {}


def read_qa(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    question = _required(inputs, "question", "the question (question answering needs a question and a context)")
    context = _required(inputs, "context", "the context (question answering needs a question and a context)")
    return {"inputs": {"question": question, "context": context}}, {}


def read_zero_shot(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    body, _ = read_text(inputs)
    labels = _as_list(inputs.get("labels"), ",")
    if not labels:
        raise InvalidParameters("Fill in the candidate labels, separated by commas (e.g. refund, legal, faq).",
                                field="labels")
    multi_label = inputs.get("multi_label")
    return body, {"candidate_labels": labels,
                  "multi_label": None if multi_label is None else bool(multi_label)}


def read_similarity(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    source = _required(inputs, "source_sentence", "the source sentence")
    sentences = _as_list(inputs.get("sentences"), "\n")
    if not sentences:
        raise InvalidParameters("Fill in the sentences to compare, one per line.", field="sentences")
    return {"inputs": {"source_sentence": source, "sentences": sentences}}, {}


def read_translation(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    # Only many-to-many models (mBART, NLLB) need the language codes; blanks are dropped.
    body, _ = read_text(inputs)
    return body, {"src_lang": inputs.get("src_lang"), "tgt_lang": inputs.get("tgt_lang")}


def read_text_to_image(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    body, _ = read_text(inputs)
    return body, {"negative_prompt": inputs.get("negative_prompt")}


# File signatures: an upload must look like what its field is for, whatever its name or declared type.
_SIGNATURES: dict[str, tuple[tuple[int, bytes], ...]] = {
    "image": ((0, b"\x89PNG"), (0, b"\xff\xd8\xff"), (0, b"GIF8"), (8, b"WEBP"), (0, b"BM"), (4, b"ftypavif")),
    "audio": ((8, b"WAVE"), (0, b"fLaC"), (0, b"ID3"), (0, b"\xff\xfb"), (0, b"\xff\xf3"), (0, b"\xff\xf2"),
              (0, b"\xff\xf1"), (0, b"\xff\xf9"), (0, b"OggS"), (0, b"\x1aE\xdf\xa3"), (4, b"ftyp")),
}
_UPLOAD_HINTS = {"image": "an image: upload a PNG, JPEG, GIF or WebP file",
                 "audio": "audio: upload a WAV, FLAC, MP3, OGG or WebM recording"}


def _read_upload(kind: str) -> InputReader:
    def read(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
        data = _required(inputs, kind, f"the {kind} (upload or record one)")
        if not isinstance(data, (bytes, bytearray)):
            raise InvalidParameters(f"The {kind} must be raw bytes.", field=kind)
        if not any(data[at:at + len(magic)] == magic for at, magic in _SIGNATURES[kind]):
            raise InvalidParameters(f"That file is not {_UPLOAD_HINTS[kind]}.", field=kind)
        return {"inputs": bytes(data)}, {}
    read.__name__ = read.__qualname__ = f"read_{kind}"
    return read


read_image = _read_upload("image")
read_audio = _read_upload("audio")


def read_image_prompt(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An image and what to do with it (image-to-image, image-to-video): the prompt is a parameter."""
    body, _ = read_image(inputs)
    return body, {"prompt": inputs.get("text"), "negative_prompt": inputs.get("negative_prompt")}


def read_image_labels(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    body, _ = read_image(inputs)
    labels = _as_list(inputs.get("labels"), ",")
    if len(labels) < 2:  # huggingface_hub refuses fewer, as there is nothing to compare
        raise InvalidParameters("Fill in at least two candidate labels, separated by commas (e.g. cat, dog).",
                                field="labels")
    return body, {"candidate_labels": labels}


def _image_base64(inputs: Mapping[str, Any]) -> str:
    body, _ = read_image(inputs)
    return base64.b64encode(body["inputs"]).decode("ascii")


def read_image_question(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Visual question answering as huggingface_hub sends it: the image as `inputs`, the parameters, then
    the question and the image again (the builder fills `parameters` where it stands)."""
    image = _image_base64(inputs)
    question = _required(inputs, "question", "the question about the image")
    return {"inputs": image, "parameters": {}, "question": question, "image": image}, {}


def read_document_question(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    image = _image_base64(inputs)
    question = _required(inputs, "question", "the question about the document")
    return {"inputs": {"question": question, "image": image}}, {}


def _table(inputs: Mapping[str, Any]) -> dict[str, list[str]]:
    """The table as `{column: [cell, ...]}`: every column named, every row as long as the others."""
    table = inputs.get("table")
    if not isinstance(table, Mapping) or not table:
        raise InvalidParameters("Fill in the table: a header row, then one row per record.", field="table")
    if not all(isinstance(cells, (list, tuple)) for cells in table.values()):
        raise InvalidParameters("Each column of the table must be a list of cells.", field="table")
    columns = {str(name).strip(): [str(cell) for cell in cells] for name, cells in table.items()}
    if "" in columns or len({len(cells) for cells in columns.values()}) != 1:
        raise InvalidParameters("Every column of the table needs a name and as many cells as the others.",
                                field="table")
    if not next(iter(columns.values())):
        raise InvalidParameters("Fill in at least one row of the table.", field="table")
    return columns


def read_table_question(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    question = _required(inputs, "question", "the question about the table")
    return {"inputs": {"query": question, "table": _table(inputs)}}, {}


def read_table(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Tabular classification as huggingface_hub sends it: empty parameters, then the table, at the root."""
    return {"parameters": {}, "table": _table(inputs)}, {}


def read_messages(inputs: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The conversation; a non-blank `system` field (the system prompt box) replaces or adds its first turn."""
    messages = _required(inputs, "messages", "a message")
    if not isinstance(messages, (list, tuple)) or not all(
            isinstance(m, Mapping) and m.get("role") in CHAT_ROLES for m in messages):
        raise InvalidParameters("Messages must be a list of {\"role\": ..., \"content\": ...} objects "
                                "with role system, user, assistant or tool.", field="messages")
    turns = [dict(m) for m in messages]
    system = inputs.get("system")
    if system is not None and not isinstance(system, str):
        raise InvalidParameters("The system prompt must be text.", field="system")
    if system and system.strip():
        rest = turns[1:] if turns[0]["role"] == "system" else turns
        turns = [{"role": "system", "content": system}, *rest]
    return {"messages": turns}, {}


@dataclass(frozen=True)
class PayloadBuilder:
    """`(inputs, params) -> Payload` for one task: read the form, check parameters, lay out the body.

    As huggingface_hub sends them: a JSON body with `inputs` always carries `parameters` (`{}` when none
    is set); `streamable` tasks state `"stream": true` when streaming, and chat (`states_stream`) states
    `false` too; `upload` names the form field ("image", "audio") whose `<field>_type` is the bytes' MIME type.
    Parameters go in `order` (the form's, then the table's, by default), as the client writes them: an
    upload with parameters is JSON the client dumps itself, so the order is part of the bytes. With
    `sized`, width and height set together travel as `target_size`, where width stands in the order.
    """

    read: InputReader
    parameters: tuple[Param, ...] = ()
    params_at_root: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)
    streamable: bool = False
    states_stream: bool = False
    upload: str = ""
    order: tuple[str, ...] = ()
    sized: bool = False

    def _laid_out(self, form_params: Mapping[str, Any], params: Mapping[str, Any]) -> dict[str, Any]:
        checked = {**check_params(form_params, self.parameters), **check_params(params, self.parameters)}
        rank = {name: n for n, name in enumerate(self.order or (*form_params, *(p.name for p in self.parameters)))}
        ordered = dict(sorted(checked.items(), key=lambda item: rank.get(item[0], len(rank))))  # extras last
        if not (self.sized and "width" in ordered and "height" in ordered):
            return ordered
        size = {"width": ordered["width"], "height": ordered["height"]}
        return {("target_size" if key == "width" else key): (size if key == "width" else value)
                for key, value in ordered.items() if key != "height"}

    def __call__(self, inputs: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> Payload:
        body, form_params = self.read(inputs)
        checked = self._laid_out(form_params, params or {})
        stream = bool(checked.pop("stream", False)) if self.streamable else False
        if self.upload:
            return _upload(body["inputs"], inputs.get(f"{self.upload}_type") or "", checked, self.headers)
        root_names = {p.name for p in self.parameters if p.at_root}
        nested = {k: v for k, v in checked.items() if not (self.params_at_root or k in root_names)}
        body.update({k: v for k, v in checked.items() if k not in nested})
        if nested or (not self.params_at_root and "inputs" in body):
            body["parameters"] = nested
        if self.streamable and (stream or self.states_stream):
            body["stream"] = stream
        return Payload(json_body=body, headers=dict(self.headers), stream=stream)


def _upload(data: bytes, content_type: str, params: dict[str, Any], headers: Mapping[str, str]) -> Payload:
    # Raw bytes cannot carry parameters; the documented alternative is base64 in a JSON body.
    if params:
        return Payload(json_body={"inputs": base64.b64encode(data).decode("ascii"), "parameters": params},
                       headers=dict(headers))
    return Payload(data=data, headers={**headers, **({"Content-Type": content_type} if content_type else {})})
