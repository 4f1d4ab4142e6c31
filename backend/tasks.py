"""The table of tasks: one `TaskSpec` per pipeline tag with its payload builder, renderer, example
and tunable parameters, plus the lookups the rest of the app calls. Unknown tags get a generic
spec that sends `{"inputs": text, "parameters": {...}}` and shows the raw JSON.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .errors import InvalidParameters
from .render import (Box, Entity, Rendered, Renderer, render_answer, render_boxes, render_embedding,
                     render_entities, render_fill_mask, render_generic, render_image, render_labels,
                     render_similarity, render_text_field, render_transcript, render_zero_shot)
from .result import InferenceResult
from .tasks_generation import render_chat, render_generated
from .render_media import (render_answers, render_audio, render_caption, render_masks, render_table_answer,
                           render_tabular, render_video)
from .tasks_payload import (InputReader, Param, Payload, PayloadBuilder, read_audio, read_document_question,
                            read_image, read_image_labels, read_image_prompt, read_image_question, read_messages,
                            read_qa, read_similarity, read_table, read_table_question, read_text, read_text_to_image,
                            read_translation, read_zero_shot)

__all__ = [
    "Param", "Payload", "Rendered", "Entity", "Box", "TaskSpec", "TASKS", "get_task", "build_payload",
    "render", "parse_extra_parameters",
]


@dataclass(frozen=True)
class TaskSpec:
    """Everything the app knows about one pipeline tag."""

    name: str
    label: str
    # "text" | "qa" | "zero-shot" | "similarity" | "image" | "audio" | "text-to-image" | "chat" | "image-prompt"
    # | "image-labels" | "image-question" | "table-question" | "table"
    input_kind: str
    route: str  # "models": /hf-inference/models/{id}; "pipeline": .../pipeline/{task}; "chat": chat completions
    build_payload: Callable[[Mapping[str, Any], Mapping[str, Any]], Payload]
    render: Renderer
    example: Mapping[str, Any]
    default_model: str
    parameters: tuple[Param, ...] = ()
    expected_input: str = ""


def _task(name: str, label: str, input_kind: str, read: InputReader, renderer: Renderer,
          example: Mapping[str, Any], default_model: str, parameters: tuple[Param, ...] = (),
          expected_input: str = "", route: str = "models", **builder: Any) -> TaskSpec:
    """One table row; the builder shares the row's parameters, so validation and the UI agree."""
    return TaskSpec(name, label, input_kind, route, PayloadBuilder(read, parameters, **builder), renderer,
                    example, default_model, parameters, expected_input)


_TOP_K = Param("top_k", "int", minimum=1, maximum=100, step=1, help="How many results to return.")
_FUNCTION = Param("function_to_apply", "choice", choices=("sigmoid", "softmax", "none"),
                  help="Turns the model's logits into scores.")
_SEED = Param("seed", "int", minimum=0, step=1, help="Fixes the random sampling, for repeatable answers.")
_STOP = Param("stop", "list", help="Stop generating at any of these strings (one per line).")
_STREAM = Param("stream", "bool", default=False, at_root=True, help="Show the answer as it is generated.")
_CLEANUP = Param("clean_up_tokenization_spaces", "bool", help="Remove spaces the tokenizer added.")
_TRUNCATION = Param("truncation", "choice", choices=("do_not_truncate", "longest_first", "only_first",
                                                     "only_second"), help="How to cut inputs that are too long.")
_TOP_P = Param("top_p", "float", minimum=0, maximum=1, step=0.05, help="Sample only from the most likely tokens "
                                                                        "whose probabilities add up to this.")

_GENERATION = (
    Param("max_new_tokens", "int", default=100, minimum=1, maximum=4096, step=1, help="How many tokens to generate."),
    # TGI rejects a temperature of 0 ("must be strictly positive"); greedy decoding is do_sample=false.
    Param("temperature", "float", minimum=0.01, maximum=2, step=0.05, help="Higher is more random."),
    _TOP_P,
    Param("top_k", "int", minimum=1, step=1, help="Sample only from this many most likely tokens."),
    Param("repetition_penalty", "float", minimum=0.01, maximum=10, step=0.05, help="Above 1 discourages repeats."),
    Param("do_sample", "bool", help="Sample instead of always taking the most likely token."),
    Param("return_full_text", "bool", help="Include the prompt in the answer."),
    Param("details", "bool", help="Return token-level details and the finish reason."),
    _SEED, _STOP, _STREAM,
)
_CHAT = (
    Param("max_tokens", "int", default=512, minimum=1, maximum=32768, step=1, help="The longest answer, in tokens."),
    Param("temperature", "float", minimum=0, maximum=2, step=0.05, help="Higher is more random."),
    _TOP_P, _SEED, _STOP,
    # Chat streams unless told not to, as HF's own playground does: the answer shows as it is written.
    dataclasses.replace(_STREAM, default=True),
)
_IMAGE_GENERATION = (
    Param("guidance_scale", "float", minimum=0, maximum=30, step=0.5, help="How closely to follow the prompt."),
    Param("num_inference_steps", "int", minimum=1, maximum=100, step=1, help="More steps: slower, finer."),
    Param("width", "int", minimum=64, maximum=2048, step=64, help="Image width in pixels."),
    Param("height", "int", minimum=64, maximum=2048, step=64, help="Image height in pixels."),
    _SEED,
    Param("scheduler", "str", help="Override the diffusion scheduler (e.g. EulerDiscreteScheduler)."),
)

# Each task's parameters are listed in the order its InferenceClient method writes them (see PayloadBuilder).
_VIDEO = (
    Param("num_frames", "int", minimum=1, step=1, help="How many frames to generate."),
    Param("num_inference_steps", "int", minimum=1, maximum=100, step=1, help="More steps: slower, finer."),
    Param("guidance_scale", "float", minimum=0, maximum=30, step=0.5, help="How closely to follow the prompt."),
    _SEED,
)
_TEXT_TO_VIDEO_ORDER = ("guidance_scale", "negative_prompt", "num_frames", "num_inference_steps", "seed")
# Sent as the client's `target_size` {width, height} when both are set.
_TARGET_SIZE = (
    Param("width", "int", minimum=64, maximum=2048, step=64, help="Target width in pixels (set height too)."),
    Param("height", "int", minimum=64, maximum=2048, step=64, help="Target height in pixels (set width too)."),
)
_IMAGE_EDIT = (
    *_TARGET_SIZE,
    Param("num_inference_steps", "int", minimum=1, maximum=100, step=1, help="More steps: slower, finer."),
    Param("guidance_scale", "float", minimum=0, maximum=30, step=0.5, help="How closely to follow the prompt."),
    _SEED,
)
_SEGMENTATION = (
    Param("mask_threshold", "float", minimum=0, maximum=1, step=0.05, help="Turns mask probabilities into pixels."),
    Param("overlap_mask_area_threshold", "float", minimum=0, maximum=1, step=0.05,
          help="Merge or drop small disconnected parts of a mask."),
    Param("subtask", "choice", choices=("semantic", "instance", "panoptic"), help="Which kind of segmentation."),
    Param("threshold", "float", minimum=0, maximum=1, step=0.05, help="Drop segments scoring below this."),
)
_DOCUMENT_QA = (
    Param("doc_stride", "int", minimum=0, step=1, help="Overlap between chunks of a long document, in tokens."),
    Param("handle_impossible_answer", "bool", help="Allow 'no answer'."),
    Param("lang", "str", help="The document's language code for OCR, e.g. en."),
    Param("max_answer_len", "int", minimum=1, step=1, help="Longest answer, in tokens."),
    Param("max_question_len", "int", minimum=1, step=1, help="Longest question, in tokens."),
    Param("max_seq_len", "int", minimum=1, step=1, help="Longest chunk (question and context), in tokens."),
    _TOP_K,
)
_TABLE = {"Repository": ["Transformers", "Datasets", "Tokenizers"], "Stars": ["36542", "4512", "3934"],
          "Contributors": ["651", "77", "34"], "Programming language": ["Python", "Python", "Rust, Python"]}
_SPOKEN = "The answer to the universe is forty-two."
_SPEECH = (
    Param("do_sample", "bool", help="Sample instead of always taking the likeliest."),
    Param("max_new_tokens", "int", minimum=1, step=1, help="The longest audio, in tokens."),
    Param("temperature", "float", minimum=0.01, maximum=2, step=0.05, help="Higher is more varied."),
    Param("top_k", "int", minimum=1, step=1, help="Sample only from this many likeliest tokens."),
    _TOP_P,
)

_CHAT_EXAMPLE = [{"role": "system", "content": "You are a helpful assistant."},
                 {"role": "user", "content": "What is deep learning?"}]
_EIFFEL = ("The tower is 324 metres (1,063 ft) tall, about the same height as an 81-storey building, and the tallest "
           "structure in Paris. Its base is square, measuring 125 metres (410 ft) on each side. During its "
           "construction, the Eiffel Tower surpassed the Washington Monument to become the tallest man-made "
           "structure in the world, a title it held for 41 years until the Chrysler Building in New York City was "
           "finished in 1930.")
_TEXT = '{"inputs": "some text"}'
_UPLOAD = "the raw bytes of the {} file as the request body"

# Default models: what hf-inference's 2026 docs list per task; the recordings' model where none is listed.
TASKS: dict[str, TaskSpec] = {spec.name: spec for spec in (
    _task("text-classification", "Text classification", "text", read_text, render_labels,
          {"text": "I like you. I love you."}, "BAAI/bge-reranker-v2-m3", (_FUNCTION, _TOP_K), _TEXT),
    _task("token-classification", "Token classification (NER)", "text", read_text, render_entities,
          {"text": "My name is Sarah Jessica Parker but you can call me Jessica"}, "rizzoaiacademy/rizzo-pii-0.3B",
          (Param("aggregation_strategy", "choice", choices=("none", "simple", "first", "average", "max"),
                 help="How to merge sub-word tokens into entities."),
           Param("ignore_labels", "list", help="Labels to leave out (one per line), e.g. O."),
           Param("stride", "int", minimum=0, step=1, help="Overlap between chunks of a long text, in tokens.")),
          _TEXT),
    _task("zero-shot-classification", "Zero-shot classification", "zero-shot", read_zero_shot, render_zero_shot,
          {"text": "Hi, I recently bought a device from your company but it is not working as advertised and I "
                   "would like to get reimbursed!", "labels": ["refund", "legal", "faq"], "multi_label": False},
          "facebook/bart-large-mnli",
          (Param("hypothesis_template", "str", help="Sentence with {} where each label goes, e.g. "
                                                     "'This example is {}.'"),),
          '{"inputs": "text", "parameters": {"candidate_labels": ["label 1", "label 2"]}}'),
    _task("fill-mask", "Fill mask", "text", read_text, render_fill_mask,
          {"text": "The goal of life is [MASK]."}, "google-bert/bert-base-uncased",
          (_TOP_K, Param("targets", "list", help="Only score these words (one per line).")),
          '{"inputs": "text with the model\'s mask token, e.g. [MASK] or <mask>"}'),
    _task("question-answering", "Question answering", "qa", read_qa, render_answer,
          {"question": "What is the capital of France?", "context": "The capital of France is Paris."},
          "deepset/roberta-base-squad2",
          (_TOP_K, Param("max_answer_len", "int", minimum=1, maximum=512, step=1, help="Longest answer, in tokens."),
           Param("handle_impossible_answer", "bool", help="Allow 'no answer' when the context has none."),
           Param("align_to_words", "bool", help="Snap answers to whole words.")),
          '{"inputs": {"question": "...", "context": "..."}}'),
    _task("summarization", "Summarization", "text", read_text, render_text_field("summary_text"),
          {"text": _EIFFEL}, "facebook/bart-large-cnn",
          # max_length is not in the task spec, but the transformers pipeline honours it (recording 07).
          (Param("max_length", "int", minimum=1, maximum=1024, step=1, help="Longest summary, in tokens."),
           _CLEANUP, _TRUNCATION), _TEXT),
    _task("translation", "Translation", "text", read_translation, render_text_field("translation_text"),
          {"text": "Hello world", "src_lang": "", "tgt_lang": ""}, "google-t5/t5-small", (_CLEANUP, _TRUNCATION),
          '{"inputs": "text", "parameters": {"src_lang": "en_XX", "tgt_lang": "fr_XX"}} (codes only for '
          'many-to-many models)'),
    _task("text-generation", "Text generation", "text", read_text, render_generated,
          {"text": "Please answer the following question: complete one two and ____."}, "meta-llama/Llama-3.2-3B",
          _GENERATION, '{"inputs": "prompt", "parameters": {"max_new_tokens": 50}}', streamable=True),
    _task("sentence-similarity", "Sentence similarity", "similarity", read_similarity, render_similarity,
          {"source_sentence": "That is a happy person",
           "sentences": ["That is a happy dog", "That is a very happy person", "Today is a sunny day"]},
          "sentence-transformers/paraphrase-xlm-r-multilingual-v1", (),
          '{"inputs": {"source_sentence": "...", "sentences": ["...", "..."]}}', route="pipeline"),
    _task("feature-extraction", "Feature extraction (embeddings)", "text", read_text, render_embedding,
          {"text": "That is a happy person"}, "microsoft/harrier-oss-v1-0.6b",
          (Param("normalize", "bool", at_root=True, help="Scale vectors to length 1."),
           Param("truncate", "bool", at_root=True, help="Cut inputs longer than the model accepts."),
           Param("truncation_direction", "choice", choices=("left", "right"), at_root=True,
                 help="Which end to cut."),
           Param("prompt_name", "str", at_root=True, help="A prompt defined by the model, e.g. query.")),
          '{"inputs": "text" or ["text", ...]}', route="pipeline", params_at_root=True),
    _task("image-classification", "Image classification", "image", read_image, render_labels, {},
          "Falconsai/nsfw_image_detection", (_FUNCTION, _TOP_K), _UPLOAD.format("image"), upload="image"),
    _task("object-detection", "Object detection", "image", read_image, render_boxes, {}, "facebook/detr-resnet-50",
          (Param("threshold", "float", minimum=0, maximum=1, step=0.05, help="Drop boxes scoring below this."),),
          _UPLOAD.format("image"), upload="image"),
    _task("automatic-speech-recognition", "Speech recognition", "audio", read_audio, render_transcript, {},
          "openai/whisper-large-v3", (Param("return_timestamps", "bool", help="Also return timed chunks."),),
          _UPLOAD.format("audio (flac, wav, mp3)"), upload="audio"),
    _task("text-to-image", "Text to image", "text-to-image", read_text_to_image, render_image,
          {"text": "An astronaut riding a horse on the moon.", "negative_prompt": ""},
          "stabilityai/stable-diffusion-3-medium-diffusers", _IMAGE_GENERATION, '{"inputs": "prompt"}',
          headers={"Accept": "image/png"}),
    _task("text-to-speech", "Text to speech", "text", read_text, render_audio, {"text": _SPOKEN},
          "hexgrad/Kokoro-82M", _SPEECH,
          '{"inputs": "text"}'),
    _task("text-to-video", "Text to video", "text-to-image", read_text_to_image, render_video,
          {"text": "A red fox running through fresh snow at golden hour, cinematic.", "negative_prompt": ""},
          "Wan-AI/Wan2.2-T2V-A14B", _VIDEO, '{"inputs": "prompt"}', order=_TEXT_TO_VIDEO_ORDER),
    _task("image-to-video", "Image to video", "image-prompt", read_image_prompt, render_video,
          {"text": "The camera slowly zooms in."}, "Wan-AI/Wan2.2-I2V-A14B", (*_VIDEO, *_TARGET_SIZE),
          _UPLOAD.format("image") + ' (with parameters: {"inputs": base64, "parameters": {"prompt": "..."}})',
          upload="image", sized=True),
    _task("image-to-image", "Image to image", "image-prompt", read_image_prompt, render_image,
          {"text": "Turn it into a watercolour painting."}, "Qwen/Qwen-Image-Edit", _IMAGE_EDIT,
          '{"inputs": base64 image, "parameters": {"prompt": "..."}}', upload="image", sized=True,
          headers={"Accept": "image/png"}),
    _task("image-segmentation", "Image segmentation", "image", read_image, render_masks, {},
          "nvidia/segformer-b0-finetuned-ade-512-512", _SEGMENTATION, _UPLOAD.format("image"), upload="image"),
    _task("image-to-text", "Image to text (captioning)", "image", read_image, render_caption, {},
          "Salesforce/blip-image-captioning-base", (), _UPLOAD.format("image"), upload="image"),
    _task("zero-shot-image-classification", "Zero-shot image classification", "image-labels", read_image_labels,
          render_labels, {"labels": ["a chart", "a photo of an animal", "a landscape"]},
          "openai/clip-vit-base-patch32",
          (Param("hypothesis_template", "str", help="Sentence with {} where each label goes."),),
          '{"inputs": base64 image, "parameters": {"candidate_labels": [...]}}', upload="image"),
    _task("visual-question-answering", "Visual question answering", "image-question", read_image_question,
          render_answers, {"question": "What colours are in the picture?"}, "dandelin/vilt-b32-finetuned-vqa",
          (_TOP_K,), '{"inputs": base64 image, "parameters": {}, "question": "...", "image": base64 image}'),
    _task("document-question-answering", "Document question answering", "image-question", read_document_question,
          render_answers, {"question": "What is the title?"}, "impira/layoutlm-document-qa",
          _DOCUMENT_QA, '{"inputs": {"question": "...", "image": base64 image}}'),
    _task("table-question-answering", "Table question answering", "table-question", read_table_question,
          render_table_answer, {"question": "How many stars does the Transformers repository have?",
                                "table": _TABLE}, "google/tapas-base-finetuned-wtq",
          (Param("padding", "choice", choices=("do_not_pad", "longest", "max_length"), help="How to pad the table."),
           Param("sequential", "bool", help="Answer several questions in sequence."),
           Param("truncation", "bool", help="Cut a table too long for the model.")),
          '{"inputs": {"query": "...", "table": {"column": ["cell", ...]}}}'),
    _task("tabular-classification", "Tabular classification", "table", read_table, render_tabular,
          {"table": {"fixed_acidity": ["7.4", "7.8"], "volatile_acidity": ["0.7", "0.88"],
                     "alcohol": ["9.4", "9.8"]}}, "scikit-learn/tabular-playground", (),
          '{"parameters": {}, "table": {"column": ["cell", ...]}}'),
    _task("audio-classification", "Audio classification", "audio", read_audio, render_labels, {},
          "superb/hubert-large-superb-er", (_FUNCTION, _TOP_K), _UPLOAD.format("audio"), upload="audio"),
    _task("audio-to-audio", "Audio to audio", "audio", read_audio, render_audio, {}, "speechbrain/sepformer-wham",
          (), _UPLOAD.format("audio"), upload="audio"),
    _task("chat-completion", "Chat", "chat", read_messages, render_chat, {"messages": _CHAT_EXAMPLE},
          "meta-llama/Llama-3.1-8B-Instruct", _CHAT,
          '{"messages": [{"role": "user", "content": "..."}]}', route="chat", params_at_root=True, streamable=True,
          states_stream=True),
)}

# Hub pipeline tags that the table serves under another name, as huggingface_hub maps them.
_ALIASES = {"conversational": "chat-completion", "text2text-generation": "text-generation"}

_JSON_KINDS = {list: "an array", str: "a string", int: "a number", float: "a number", bool: "true or false",
               type(None): "null"}

_GENERIC = _task("", "Other task", "text", read_text, render_generic, {"text": ""}, "", (),
                 '{"inputs": "...", "parameters": {...}}')


def get_task(tag: str | None) -> TaskSpec:
    """The spec for a pipeline tag; unknown or missing tags get the generic raw-JSON spec."""
    tag = (tag or "").strip()
    spec = TASKS.get(_ALIASES.get(tag, tag))
    return spec if spec is not None else dataclasses.replace(_GENERIC, name=tag)


def build_payload(task: str, inputs: Mapping[str, Any], params: Mapping[str, Any] | None = None) -> Payload:
    """Validate the form and parameters for `task` and build the body; raises `InvalidParameters`."""
    return get_task(task).build_payload(inputs, params or {})


def render(task: str, result: InferenceResult) -> Rendered:
    """Render an answer for `task`; never raises (odd shapes and errors give the JSON fallback)."""
    return get_task(task).render(result)


def _reject_constant(name: str) -> None:
    # Python's json accepts NaN and Infinity, but they are not JSON and servers reject the body.
    raise InvalidParameters(f"Extra parameters are not valid JSON: {name} is not a JSON number.")


def parse_extra_parameters(text: str) -> dict[str, Any]:
    """The "extra parameters (JSON)" box: blank means none; anything else must be a JSON object."""
    if not (text or "").strip():
        return {}
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise InvalidParameters(f"Extra parameters are not valid JSON: {err.msg} at line {err.lineno}, "
                                f"column {err.colno}.", position=err.pos) from None
    except RecursionError:
        raise InvalidParameters("Extra parameters are nested too deeply to be real parameters.") from None
    if not isinstance(value, dict):
        raise InvalidParameters(f'Extra parameters must be a JSON object such as {{"top_k": 3}}, '
                                f"not {_JSON_KINDS.get(type(value), 'that')}.")
    return value
