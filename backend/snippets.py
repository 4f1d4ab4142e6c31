"""Copy-as-code: one `InferenceRequest` written out as curl, Python or JavaScript that sends it again.

Owns the six snippet writers and the task → client-method table they share. There is no token
parameter anywhere (SECURITY.md T2): a snippet reads `HF_TOKEN` from the environment, or `API_TOKEN`
for a host that is not Hugging Face's. curl, requests and fetch send the very bytes the playground sent.
"""
from __future__ import annotations

import functools
import inspect
import json
import shlex
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .redact import SENSITIVE_HEADERS
from .result import InferenceRequest
from .settings import DEFAULT_ROUTER_URL
from .snippet_literals import JS, PY, Code, Syntax, function_call, literal, quote, template_literal

__all__ = ["LANGUAGES", "LANGUAGE_LABELS", "TOKEN_VARIABLES", "build_snippet", "build_all"]

LANGUAGES = ("curl", "python", "huggingface_hub", "openai", "node", "javascript")
LANGUAGE_LABELS = {
    "curl": "curl", "python": "Python (requests)", "huggingface_hub": "Python (huggingface_hub)",
    "openai": "Python (openai client)", "node": "Node.js (fetch)", "javascript": "JavaScript (@huggingface/inference)",
}
# token_kind → the environment variable a snippet reads the credential from.
TOKEN_VARIABLES: Mapping[str, str | None] = {"hf": "HF_TOKEN", "endpoint": "API_TOKEN", "none": None}

_TIMEOUT_SECONDS = 120
# Binary answers are saved to a file: by task, else by the Accept header's type.
_ANSWER_FILES = {"text-to-image": "output.jpg", "image-to-image": "output.jpg", "text-to-speech": "output.flac",
                 "text-to-audio": "output.flac", "text-to-video": "output.mp4", "image-to-video": "output.mp4"}
# Provider routes answer JSON (a media link, a job), except these, which answer the file itself.
_PROVIDER_FILE_ANSWERS = {("together", "text-to-speech"), ("deepinfra", "text-to-speech")}
_EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "audio/flac": "flac",
               "audio/wav": "wav", "audio/mpeg": "mp3", "video/mp4": "mp4"}


# ---------------------------------------------------------------------------------------------
# The plan: what every writer needs, worked out once from the request.

@dataclass(frozen=True)
class _Plan:
    request: InferenceRequest
    headers: dict[str, str]  # as sent, minus credentials; Content-Type always stated
    body: str | None  # the JSON text exactly as `requests` put it on the wire
    upload: str  # the file holding the bytes of an upload
    sends_file: bool  # the body is that file's raw bytes
    token_variable: str | None
    answer_file: str | None  # where a binary answer (image, audio) is saved

    @property
    def is_chat(self) -> bool:
        return self.request.url.rstrip("/").endswith("/chat/completions")

    @property
    def offers_tools(self) -> bool:
        """The model may answer with tool calls, which the snippet then prints beside any text."""
        body = self.request.json_body
        return self.is_chat and isinstance(body, Mapping) and bool(body.get("tools"))

    @property
    def answer(self) -> str:
        """How the answer is read: 'chat_stream' (or 'chat_stream_tools'), 'stream', 'file' or 'json'."""
        if self.request.stream:
            return _with_tools(self, "chat_stream") if self.is_chat else "stream"
        return "file" if self.answer_file else "json"

    @property
    def route(self) -> str:
        """'hf-inference', 'provider' or 'router' (HF's own, which the clients know by heart) or 'url'."""
        if self.request.provider:
            return "provider"
        if self.request.url.startswith(f"{DEFAULT_ROUTER_URL}/hf-inference/models/"):
            return "hf-inference"
        return "router" if self.request.url == f"{DEFAULT_ROUTER_URL}/v1/chat/completions" else "url"


def _plan(request: InferenceRequest, upload_name: str) -> _Plan:
    if request.token_kind not in TOKEN_VARIABLES:
        raise ValueError(f"unknown token_kind {request.token_kind!r}")
    sends_file = request.data is not None
    headers = {name: value for name, value in request.headers.items() if name.lower() not in SENSITIVE_HEADERS}
    if not any(name.lower() == "content-type" for name in headers) and (sends_file or request.json_body is not None):
        # curl would label raw bytes as a form and fetch a string as text; say what the body is.
        headers["Content-Type"] = "application/octet-stream" if sends_file else "application/json"
    # requests sends `json=` as json.dumps(body, allow_nan=False) with its default separators.
    body = None if sends_file or request.json_body is None else json.dumps(request.json_body, allow_nan=False)
    return _Plan(request, headers, body, upload_name, sends_file, TOKEN_VARIABLES[request.token_kind],
                 _answer_file(request))


def _with_tools(plan: _Plan, kind: str) -> str:
    """A chat answer template's twin that also prints tool calls, when the request offers tools."""
    return f"{kind}_tools" if plan.offers_tools else kind


def _answer_file(request: InferenceRequest) -> str | None:
    if request.provider and (request.provider, request.task) not in _PROVIDER_FILE_ANSWERS:
        return None
    if request.task in _ANSWER_FILES:
        return _ANSWER_FILES[request.task]
    accept = next((v for k, v in request.headers.items() if k.lower() == "accept"), "")
    extension = _EXTENSIONS.get(accept.split(";")[0].strip().lower())
    return f"output.{extension}" if extension else None


def _file_names(plan: _Plan, syntax: Syntax) -> dict[str, str]:
    """Template values for an answer saved to a file: the name, and the line that reports it."""
    name = plan.answer_file or _ANSWER_FILES.get(plan.request.task) or "output.bin"
    return {"file": quote(name, syntax), "saved": quote(f"saved {name}", syntax)}


# ---------------------------------------------------------------------------------------------
# curl

def _curl(plan: _Plan) -> str:
    parts = [f"curl {shlex.quote(plan.request.url)}"]
    if plan.request.method != "POST" or (plan.body is None and not plan.sends_file):
        parts.append(f"-X {plan.request.method}")
    if plan.token_variable:
        parts.append(f'-H "Authorization: Bearer ${plan.token_variable}"')
    parts += [f"-H {shlex.quote(f'{name}: {value}')}" for name, value in plan.headers.items()]
    if plan.body is not None:
        parts.append(f"--data-raw {shlex.quote(plan.body)}")  # single-quoted: no $, ` or \ expansion
    if plan.sends_file:
        parts.append(f"--data-binary {shlex.quote('@' + plan.upload)}")
    if plan.request.stream:
        parts.append("--no-buffer")
    if plan.answer_file:
        parts.append(f"-o {shlex.quote(plan.answer_file)}")
    note = f"# {plan.upload}: the file you uploaded ({_upload_kind(plan)}); put its path here.\n" \
        if plan.sends_file else ""
    return note + " \\\n  ".join(parts) + "\n"


def _upload_kind(plan: _Plan) -> str:
    kind = next((v for k, v in plan.headers.items() if k.lower() == "content-type"), "")
    return {"image": "an image", "audio": "a sound file", "video": "a video"}.get(kind.split("/")[0], "the upload")


# ---------------------------------------------------------------------------------------------
# Python (requests) and Node.js (fetch): the request spelled out, then one way to read the answer.

_PYTHON_STREAM = """\
with %(call)s as response:
    response.raise_for_status()
    for line in response.iter_lines():
        if line.startswith(b"data:") and line[5:].strip() != b"[DONE]":
            event = json.loads(line[5:])
            <<print>>
print()
"""
_PYTHON_ANSWERS = {
    "json": "response = %(call)s\nresponse.raise_for_status()\nprint(response.json())\n",
    "file": ("response = %(call)s\nresponse.raise_for_status()\n"
             "Path(%(file)s).write_bytes(response.content)\nprint(%(saved)s)\n"),
    "chat_stream": _PYTHON_STREAM.replace(
        "<<print>>", 'for choice in event["choices"]:\n'
                     '                print(choice["delta"].get("content") or "", end="", flush=True)'),
    "stream": _PYTHON_STREAM.replace(
        "<<print>>", 'if not event["token"]["special"]:\n'
                     '                print(event["token"]["text"], end="", flush=True)'),
    # A streamed tool call comes in pieces (OpenAI's shape: name first, then arguments by index); TGI
    # sends its arguments as an object, whole.
    "chat_stream_tools": "calls = {}  # tool calls by index: name, and arguments so far\n" + _PYTHON_STREAM.replace(
        "<<print>>", """for choice in event["choices"]:
                print(choice["delta"].get("content") or "", end="", flush=True)
                for piece in choice["delta"].get("tool_calls") or []:
                    call = calls.setdefault(piece.get("index", 0), {"name": "", "arguments": ""})
                    function = piece.get("function") or {}
                    call["name"] = function.get("name") or call["name"]
                    arguments = function.get("arguments") or ""
                    call["arguments"] += arguments if isinstance(arguments, str) else json.dumps(arguments)""")
    + "for call in calls.values():\n    print(f\"{call['name']}({call['arguments']})\")\n",
}


def _python(plan: _Plan) -> str:
    imports = ["import json"] if plan.request.stream else []
    if plan.token_variable:
        imports.append("import os")
    if plan.sends_file or plan.answer_file:
        imports.append("from pathlib import Path")
    headers: dict[str, Any] = dict(plan.headers)
    if plan.token_variable:
        headers = {"Authorization": Code(f'"Bearer " + os.environ["{plan.token_variable}"]'), **headers}
    lines = [*imports, "", "import requests", "", f"API_URL = {quote(plan.request.url)}",
             f"headers = {literal(headers, PY)}"]
    send = "requests.post(API_URL" if plan.request.method == "POST" else \
        f"requests.request({quote(plan.request.method)}, API_URL"
    send += ", headers=headers"
    if plan.body is not None:
        lines.append(f"payload = {literal(plan.request.json_body, PY)}")
        send += ", json=payload"
    if plan.sends_file:
        lines.append(f"data = Path({quote(plan.upload)}).read_bytes()")
        send += ", data=data"
    send += f", timeout={_TIMEOUT_SECONDS}" + (", stream=True)" if plan.request.stream else ")")
    answer = _PYTHON_ANSWERS[plan.answer] % {"call": send, **_file_names(plan, PY)}
    return "\n".join(lines).lstrip("\n") + "\n\n" + answer


_NODE_STREAM = """\
  const decoder = new TextDecoder();
  let pending = "";
  for await (const chunk of response.body) {
    pending += decoder.decode(chunk, { stream: true });
    const lines = pending.split("\\n");
    pending = lines.pop();
    for (const line of lines) {
      const data = line.startsWith("data:") ? line.slice(5).trim() : "";
      if (!data || data === "[DONE]") continue;
      <<print>>
    }
  }
  process.stdout.write("\\n");
"""
_NODE_ANSWERS = {
    "json": "  console.log(JSON.stringify(await response.json(), null, 2));\n",
    "file": ("  fs.writeFileSync(%(file)s, Buffer.from(await response.arrayBuffer()));\n"
             "  console.log(%(saved)s);\n"),
    "chat_stream": _NODE_STREAM.replace("<<print>>", "for (const choice of JSON.parse(data).choices) "
                                                    "process.stdout.write(choice.delta.content ?? \"\");"),
    "stream": _NODE_STREAM.replace("<<print>>", "const { token } = JSON.parse(data);\n"
                                               "      if (!token.special) process.stdout.write(token.text);"),
    "chat_stream_tools": ("  const calls = {}; // tool calls by index: name, and arguments so far\n" + _NODE_STREAM.replace(
        "<<print>>", """for (const { delta } of JSON.parse(data).choices) {
        process.stdout.write(delta.content ?? "");
        for (const piece of delta.tool_calls ?? []) {
          const call = (calls[piece.index ?? 0] ??= { name: "", arguments: "" });
          call.name = piece.function?.name || call.name;
          const text = piece.function?.arguments ?? "";
          call.arguments += typeof text === "string" ? text : JSON.stringify(text);
        }
      }""") + "  for (const call of Object.values(calls)) console.log(`${call.name}(${call.arguments})`);\n"),
}


def _node(plan: _Plan) -> str:
    headers: dict[str, Any] = dict(plan.headers)
    if plan.token_variable:
        headers = {"Authorization": Code(f"`Bearer ${{process.env.{plan.token_variable}}}`"), **headers}
    lines = ['const fs = require("node:fs");', ""] if plan.sends_file or plan.answer_file else []
    lines.append(f"const API_URL = {quote(plan.request.url, JS)};")
    options: dict[str, Any] = {"method": plan.request.method, "headers": headers}
    if plan.body is not None:
        lines += ["// Exactly the JSON the playground sent (JSON.stringify would lay it out differently).",
                  f"const body = {template_literal(plan.body)};"]
        options["body"] = Code("body")
    if plan.sends_file:
        options["body"] = Code(f"fs.readFileSync({quote(plan.upload, JS)})")
    fetch = f"  const response = await fetch(API_URL, {literal(options, JS, 1)});\n"
    check = "  if (!response.ok) throw new Error(`HTTP ${response.status}: ${await response.text()}`);\n"
    answer = _NODE_ANSWERS[plan.answer] % _file_names(plan, JS)
    main = "async function main() {\n" + fetch + check + answer + "}\n"
    ending = "main().catch((error) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n"
    return "\n".join(lines) + "\n\n" + main + "\n" + ending


# ---------------------------------------------------------------------------------------------
# The clients: huggingface_hub's InferenceClient and @huggingface/inference, one method per task.

@dataclass(frozen=True)
class _ClientCall:
    python: str  # InferenceClient method
    js: str  # @huggingface/inference method ("": none that takes this body; JavaScript uses fetch)
    layout: str = "text"  # how the body's inputs become arguments (a key of _HUB_LAYOUTS)
    returns: str = "value"  # "value", "image" (PIL in Python, Blob in JS) or "bytes"
    js_stream: str = ""  # the streaming twin of `js`
    python_alias: str = ""  # the method `python` stands for, when it is an OpenAI-style path

    @property
    def signature(self) -> str:
        return self.python_alias or self.python


_CHAT = _ClientCall("chat.completions.create", "chatCompletion", "chat", js_stream="chatCompletionStream",
                    python_alias="chat_completion")
_CLIENT_CALLS: Mapping[str, _ClientCall] = {
    "text-classification": _ClientCall("text_classification", "textClassification"),
    "token-classification": _ClientCall("token_classification", "tokenClassification"),
    "zero-shot-classification": _ClientCall("zero_shot_classification", "zeroShotClassification"),
    "summarization": _ClientCall("summarization", "summarization"),
    "translation": _ClientCall("translation", "translation"),
    "fill-mask": _ClientCall("fill_mask", "fillMask"),
    "question-answering": _ClientCall("question_answering", "questionAnswering", "qa"),
    "sentence-similarity": _ClientCall("sentence_similarity", "sentenceSimilarity", "similarity"),
    "feature-extraction": _ClientCall("feature_extraction", "featureExtraction"),
    "image-classification": _ClientCall("image_classification", "imageClassification", "file"),
    "object-detection": _ClientCall("object_detection", "objectDetection", "file"),
    "image-segmentation": _ClientCall("image_segmentation", "imageSegmentation", "file"),
    "image-to-text": _ClientCall("image_to_text", "imageToText", "file"),
    # No @huggingface/inference twin for these four: its methods take other shapes; JavaScript uses fetch.
    "zero-shot-image-classification": _ClientCall("zero_shot_image_classification", "", "file"),
    "visual-question-answering": _ClientCall("visual_question_answering", "", "image-question"),
    "document-question-answering": _ClientCall("document_question_answering", "", "document-question"),
    "table-question-answering": _ClientCall("table_question_answering", "", "qa"),
    "automatic-speech-recognition": _ClientCall("automatic_speech_recognition", "automaticSpeechRecognition", "file"),
    "audio-classification": _ClientCall("audio_classification", "audioClassification", "file"),
    "text-to-image": _ClientCall("text_to_image", "textToImage", returns="image"),
    "image-to-image": _ClientCall("image_to_image", "imageToImage", "file", returns="image"),
    "text-to-video": _ClientCall("text_to_video", "textToVideo", returns="bytes"),
    "image-to-video": _ClientCall("image_to_video", "imageToVideo", "file", returns="bytes"),
    "text-to-speech": _ClientCall("text_to_speech", "textToSpeech", returns="bytes"),
    "text-generation": _ClientCall("text_generation", "textGeneration", js_stream="textGenerationStream"),
    "chat-completion": _CHAT,
    "conversational": _CHAT,
}


def _client_call(plan: _Plan) -> _ClientCall | None:
    """The client method for this request, or None when only plain HTTP can say it."""
    call = _CHAT if plan.is_chat else _CLIENT_CALLS.get(plan.request.task)
    if plan.route == "provider":
        return call if call and plan.request.client_args is not None else None
    has_arguments = plan.sends_file or isinstance(plan.request.json_body, Mapping)
    return call if call and has_arguments else None


def _client_answer(plan: _Plan, call: _ClientCall) -> str:
    """Which answer template: a stream, a chat completion, or what the method returns."""
    if plan.request.stream:
        return plan.answer
    return _with_tools(plan, "chat") if plan.is_chat else call.returns


def _parameters(body: Mapping[str, Any], *inputs: str) -> dict[str, Any]:
    """Everything but the inputs, flattened: root options (stream, normalize) and `parameters`."""
    root = {key: value for key, value in body.items() if key not in (*inputs, "parameters")}
    return {**root, **(body.get("parameters") or {})}


_Arguments = tuple[list[Any], dict[str, Any]]
_HUB_LAYOUTS: Mapping[str, Callable[[_Plan, Mapping[str, Any]], _Arguments]] = {
    "text": lambda plan, body: ([body.get("inputs")], _parameters(body, "inputs")),
    "file": lambda plan, body: ([plan.upload], _parameters(body, "inputs")),
    "qa": lambda plan, body: ([], {**body["inputs"], **_parameters(body, "inputs")}),
    # VQA's body carries the question beside the inputs, a document question's inside them.
    "image-question": lambda plan, body: ([plan.upload], {"question": body.get("question"),
                                                          **_parameters(body, "inputs", "question", "image")}),
    "document-question": lambda plan, body: ([plan.upload], {"question": (body.get("inputs") or {}).get("question"),
                                                             **_parameters(body, "inputs")}),
    "similarity": lambda plan, body: ([body["inputs"]["source_sentence"]],
                                      {"other_sentences": body["inputs"]["sentences"], **_parameters(body, "inputs")}),
    "chat": lambda plan, body: ([], {"model": body.get("model"), "messages": body.get("messages"),
                                     **_parameters(body, "model", "messages")}),
}

_HUB_ANSWERS = {
    "value": "output = %(call)s\nprint(output)\n",
    "image": "image = %(call)s\nimage.save(%(file)s)\nprint(%(saved)s)\n",
    "bytes": "data = %(call)s\nPath(%(file)s).write_bytes(data)\nprint(%(saved)s)\n",
    "chat": "completion = %(call)s\nprint(completion.choices[0].message.content)\n",
    "chat_stream": ("stream = %(call)s\nfor chunk in stream:\n    if chunk.choices:\n"
                    "        print(chunk.choices[0].delta.content or \"\", end=\"\", flush=True)\nprint()\n"),
    "stream": "for token in %(call)s:\n    print(token, end=\"\", flush=True)\nprint()\n",
    # With tools the message may be tool calls and no text (content None): print each call too.
    "chat_tools": ("completion = %(call)s\nmessage = completion.choices[0].message\nif message.content:\n"
                   "    print(message.content)\nfor call in message.tool_calls or []:\n"
                   "    print(f\"{call.function.name}({call.function.arguments})\")\n"),
    "chat_stream_tools": ("calls = {}  # tool calls by index: [name, arguments so far]\nstream = %(call)s\n"
                          "for chunk in stream:\n    if chunk.choices:\n        delta = chunk.choices[0].delta\n"
                          "        print(delta.content or \"\", end=\"\", flush=True)\n"
                          "        for piece in delta.tool_calls or []:\n"
                          "            call = calls.setdefault(piece.index, [\"\", \"\"])\n"
                          "            call[0] = piece.function.name or call[0]\n"
                          "            call[1] += piece.function.arguments or \"\"\nprint()\n"
                          "for name, arguments in calls.values():\n    print(f\"{name}({arguments})\")\n"),
}


@functools.cache
def _hub_keywords(method: str) -> frozenset[str] | None:
    """The keyword arguments `InferenceClient.<method>` takes, read off the installed client (None: unknown,
    or any: image_to_image and image_to_video pass `**kwargs` on as parameters, a seed among them)."""
    try:
        from huggingface_hub import InferenceClient  # lazily: only this writer needs it
    except ImportError:  # pragma: no cover - huggingface_hub is a backend dependency
        return None
    function = getattr(InferenceClient, method, None)
    if function is None:
        return None
    parameters = inspect.signature(function).parameters.values()
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return None
    return frozenset(parameter.name for parameter in parameters)


def _provider_arguments(plan: _Plan) -> _Arguments:
    """A provider call is written from the client's own arguments: the body is the provider's shape."""
    client_args = plan.request.client_args or {}
    first = plan.upload if client_args.get("inputs") is None else client_args["inputs"]
    parameters = {k: v for k, v in (client_args.get("parameters") or {}).items() if k != "stream" or v}
    return [first], {"model": plan.request.model_id, **parameters}


def _hub_arguments(plan: _Plan, call: _ClientCall) -> _Arguments | str:
    """The method's arguments, or why InferenceClient cannot say this request."""
    if plan.route == "provider":
        args, kwargs = _provider_arguments(plan)
    else:
        args, kwargs = _HUB_LAYOUTS[call.layout](plan, plan.request.json_body or {})
    if plan.route == "hf-inference":
        kwargs = {"model": plan.request.model_id, **kwargs}
    if call.layout == "chat" and plan.route in ("url", "hf-inference") and _asks_json_schema(kwargs):
        # huggingface_hub (2.4) rewrites it for TGI, {"type": "json_object", "value": <schema>}, its name and
        # `strict` dropped; on the router it sends it as it is. @huggingface/inference sends it as it is everywhere.
        return "InferenceClient sends a json_schema response_format to this URL as TGI's json_object grammar"
    accepted = _hub_keywords(call.signature)
    unknown = {name: value for name, value in kwargs.items() if accepted is not None and name not in accepted}
    if not unknown:
        return args, kwargs
    if (call.layout == "chat" or plan.route == "provider") and "extra_body" in (accepted or ()):
        # Only chat's extra_body lands where the playground put them, at the body's root.
        known = {name: value for name, value in kwargs.items() if name not in unknown}
        return args, {**known, "extra_body": unknown}
    return f"InferenceClient.{call.signature}() takes no {', '.join(unknown)}"


def _asks_json_schema(kwargs: Mapping[str, Any]) -> bool:
    response_format = kwargs.get("response_format")
    return isinstance(response_format, Mapping) and response_format.get("type") == "json_schema"


def _hub(plan: _Plan) -> str:
    call = _client_call(plan)
    arguments = _hub_arguments(plan, call) if call else "InferenceClient has no method for this request"
    if call is None or isinstance(arguments, str):
        return f"# {arguments}; here it is with requests.\n{_python(plan)}"
    client: dict[str, Any] = {"hf-inference": {"provider": "hf-inference"}, "router": {},
                              "provider": {"provider": plan.request.provider},
                              "url": {"base_url": plan.request.url}}[plan.route]
    stdlib = []
    if plan.token_variable:
        client["api_key"] = Code(f'os.environ["{plan.token_variable}"]')
        stdlib.append("import os")
    if call.returns == "bytes":
        stdlib.append("from pathlib import Path")
    answer = _HUB_ANSWERS[_client_answer(plan, call)] % {
        "call": function_call(f"client.{call.python}", *arguments), **_file_names(plan, PY)}
    head = "\n".join(stdlib) + "\n\n" if stdlib else ""
    return f"{head}from huggingface_hub import InferenceClient\n\n" \
           f"client = {function_call('InferenceClient', (), client)}\n\n{answer}"


# `client.chat.completions.create`'s own keywords (openai 1.x to 3.x); the rest of a body goes in
# `extra_body`, which the client puts at the body's root, where the playground put it.
_OPENAI_KEYWORDS = frozenset({
    "frequency_penalty", "logit_bias", "logprobs", "max_completion_tokens", "max_tokens", "n", "parallel_tool_calls",
    "presence_penalty", "reasoning_effort", "response_format", "seed", "stop", "stream", "stream_options",
    "temperature", "tool_choice", "tools", "top_logprobs", "top_p", "user"})


def _openai(plan: _Plan) -> str:
    """The OpenAI client on any OpenAI-compatible chat URL (the router, a provider's, an endpoint's `/v1`)."""
    body = plan.request.json_body
    if not plan.is_chat or not isinstance(body, Mapping) or "model" not in body:
        return f"# The OpenAI client only sends chat completions; here it is with requests.\n{_python(plan)}"
    kwargs = {"model": body["model"], "messages": body.get("messages")}
    kwargs |= {key: value for key, value in body.items() if key in _OPENAI_KEYWORDS}
    extra = {key: value for key, value in body.items() if key not in kwargs}
    if extra:
        kwargs["extra_body"] = extra
    base_url = plan.request.url.rstrip("/").removesuffix("/chat/completions")
    client: dict[str, Any] = {"base_url": base_url}
    head = ""
    if plan.token_variable:
        client["api_key"] = Code(f'os.environ["{plan.token_variable}"]')
        head = "import os\n\n"
    else:  # the client will not start without a key; this server asks for none
        client["api_key"] = "unused"
    answer = _HUB_ANSWERS[_with_tools(plan, "chat_stream" if plan.request.stream else "chat")] % {
        "call": function_call("client.chat.completions.create", (), kwargs)}
    return f"{head}from openai import OpenAI\n\nclient = {function_call('OpenAI', (), client)}\n\n{answer}"


_JS_ANSWERS = {
    "value": "const output = await client.%(method)s(%(args)s);\nconsole.log(output);\n",
    "image": ("const output = await client.%(method)s(%(args)s);\n"
              "fs.writeFileSync(%(file)s, Buffer.from(await output.arrayBuffer()));\nconsole.log(%(saved)s);\n"),
    "chat": ("const completion = await client.%(method)s(%(args)s);\n"
             "console.log(completion.choices[0].message.content);\n"),
    "chat_stream": ("for await (const chunk of client.%(method)s(%(args)s)) {\n"
                    "  if (chunk.choices?.length) process.stdout.write(chunk.choices[0].delta.content ?? \"\");\n}\n"
                    "process.stdout.write(\"\\n\");\n"),
    "stream": ("for await (const output of client.%(method)s(%(args)s)) {\n"
               "  if (!output.token.special) process.stdout.write(output.token.text);\n}\nprocess.stdout.write(\"\\n\");\n"),
    "chat_tools": ("const completion = await client.%(method)s(%(args)s);\nconst { message } = completion.choices[0];\n"
                   "if (message.content) console.log(message.content);\nfor (const call of message.tool_calls ?? []) "
                   "console.log(`${call.function.name}(${call.function.arguments})`);\n"),
    "chat_stream_tools": ("const calls = {}; // tool calls by index: name, and arguments so far\n"
                          "for await (const chunk of client.%(method)s(%(args)s)) {\n"
                          "  const delta = chunk.choices?.[0]?.delta;\n  if (!delta) continue;\n"
                          "  process.stdout.write(delta.content ?? \"\");\n"
                          "  for (const piece of delta.tool_calls ?? []) {\n"
                          "    const call = (calls[piece.index ?? 0] ??= { name: \"\", arguments: \"\" });\n"
                          "    call.name = piece.function?.name || call.name;\n"
                          "    call.arguments += piece.function?.arguments ?? \"\";\n  }\n}\n"
                          "process.stdout.write(\"\\n\");\n"
                          "for (const call of Object.values(calls)) console.log(`${call.name}(${call.arguments})`);\n"),
}


def _javascript(plan: _Plan) -> str:
    call = _client_call(plan)
    if call is None or not call.js:
        return "// @huggingface/inference has no method for this request; here it is with fetch.\n" + _node(plan)
    if plan.route == "provider":
        return _javascript_provider(plan, call)
    # The *Stream methods add `stream: true` themselves; a `stream: false` stays, as the playground sent it.
    args = {key: value for key, value in (plan.request.json_body or {}).items() if key != "stream" or not value}
    reads_file = plan.sends_file or call.layout == "file"
    if reads_file:  # the client uploads raw bytes; it base64-encodes nothing itself
        args.pop("inputs", None)
        args["data"] = Code(f"fs.readFileSync({quote(plan.upload, JS)})")
    if plan.route == "hf-inference":
        args = {"provider": "hf-inference", "model": plan.request.model_id, **args}
    token = f"process.env.{plan.token_variable}" if plan.token_variable else ""
    options = f", {{ endpointUrl: {quote(plan.request.url, JS)} }}" if plan.route == "url" else ""
    kind = _client_answer(plan, call)
    kind = "image" if kind == "bytes" else kind  # textToSpeech answers a Blob, like textToImage
    method = call.js_stream if plan.request.stream and call.js_stream else call.js
    answer = _JS_ANSWERS[kind] % {"method": method, "args": literal(args, JS), **_file_names(plan, JS)}
    imports = ['import fs from "node:fs";'] if reads_file or kind == "image" else []
    imports.append('import { InferenceClient } from "@huggingface/inference";')
    return "\n".join(imports) + f"\n\nconst client = new InferenceClient({token}{options});\n\n{answer}"


def _javascript_provider(plan: _Plan, call: _ClientCall) -> str:
    """`client.textToImage({ provider, model, inputs, parameters })`, the upload read into a Blob."""
    (first,), kwargs = _provider_arguments(plan)
    kwargs.pop("model")
    reads_file = call.layout == "file"
    inputs = Code(f"new Blob([fs.readFileSync({quote(plan.upload, JS)})])") if reads_file else first
    args: dict[str, Any] = {"provider": plan.request.provider, "model": plan.request.model_id, "inputs": inputs}
    if kwargs:
        args["parameters"] = kwargs
    kind = {"bytes": "image"}.get(call.returns, call.returns)  # video and audio answer a Blob, like images
    answer = _JS_ANSWERS[kind] % {"method": call.js, "args": literal(args, JS), **_file_names(plan, JS)}
    imports = ['import fs from "node:fs";'] if reads_file or kind == "image" else []
    imports.append('import { InferenceClient } from "@huggingface/inference";')
    token = f"process.env.{plan.token_variable}" if plan.token_variable else ""
    return "\n".join(imports) + f"\n\nconst client = new InferenceClient({token});\n\n{answer}"


# ---------------------------------------------------------------------------------------------
# The entry points: one writer per language.

_WRITERS: Mapping[str, Callable[[_Plan], str]] = {
    "curl": _curl, "python": _python, "huggingface_hub": _hub, "openai": _openai, "node": _node,
    "javascript": _javascript,
}


def build_snippet(request: InferenceRequest, language: str, *, upload_name: str = "input.bin") -> str:
    """Code in `language` (one of LANGUAGES) that sends `request` again, token read from the environment.

    `upload_name` is the file a snippet reads the bytes of an upload from (image, audio).
    """
    writer = _WRITERS.get(language)
    if writer is None:
        raise ValueError(f"unknown snippet language {language!r}; choose one of {', '.join(LANGUAGES)}")
    return writer(_plan(request, upload_name or "input.bin"))


def build_all(request: InferenceRequest, *, upload_name: str = "input.bin") -> dict[str, str]:
    """Every language's snippet, keyed as in LANGUAGES."""
    return {language: build_snippet(request, language, upload_name=upload_name) for language in LANGUAGES}
