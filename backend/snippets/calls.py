"""The task → client-method table that huggingface_hub and @huggingface/inference snippets share.

Owns which method says a request (`client_call`), which answer template reads it (`client_answer`), and
how a body's inputs become the method's arguments (`HUB_LAYOUTS`, `provider_arguments`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from .plan import Plan, with_tools


@dataclass(frozen=True)
class ClientCall:
    """One task's method in each client library."""

    python: str  # InferenceClient method
    js: str  # @huggingface/inference method ("": none that takes this body; JavaScript uses fetch)
    layout: str = "text"  # how the body's inputs become arguments (a key of HUB_LAYOUTS)
    returns: str = "value"  # "value", "image" (PIL in Python, Blob in JS) or "bytes"
    js_stream: str = ""  # the streaming twin of `js`
    python_alias: str = ""  # the method `python` stands for, when it is an OpenAI-style path

    @property
    def signature(self) -> str:
        return self.python_alias or self.python


_CHAT = ClientCall("chat.completions.create", "chatCompletion", "chat", js_stream="chatCompletionStream",
                   python_alias="chat_completion")
_CLIENT_CALLS: Mapping[str, ClientCall] = {
    "text-classification": ClientCall("text_classification", "textClassification"),
    "token-classification": ClientCall("token_classification", "tokenClassification"),
    "zero-shot-classification": ClientCall("zero_shot_classification", "zeroShotClassification"),
    "summarization": ClientCall("summarization", "summarization"),
    "translation": ClientCall("translation", "translation"),
    "fill-mask": ClientCall("fill_mask", "fillMask"),
    "question-answering": ClientCall("question_answering", "questionAnswering", "qa"),
    "sentence-similarity": ClientCall("sentence_similarity", "sentenceSimilarity", "similarity"),
    "feature-extraction": ClientCall("feature_extraction", "featureExtraction"),
    "image-classification": ClientCall("image_classification", "imageClassification", "file"),
    "object-detection": ClientCall("object_detection", "objectDetection", "file"),
    "image-segmentation": ClientCall("image_segmentation", "imageSegmentation", "file"),
    "image-to-text": ClientCall("image_to_text", "imageToText", "file"),
    # No @huggingface/inference twin for these four: its methods take other shapes; JavaScript uses fetch.
    "zero-shot-image-classification": ClientCall("zero_shot_image_classification", "", "file"),
    "visual-question-answering": ClientCall("visual_question_answering", "", "image-question"),
    "document-question-answering": ClientCall("document_question_answering", "", "document-question"),
    "table-question-answering": ClientCall("table_question_answering", "", "qa"),
    "automatic-speech-recognition": ClientCall("automatic_speech_recognition", "automaticSpeechRecognition", "file"),
    "audio-classification": ClientCall("audio_classification", "audioClassification", "file"),
    "text-to-image": ClientCall("text_to_image", "textToImage", returns="image"),
    "image-to-image": ClientCall("image_to_image", "imageToImage", "file", returns="image"),
    "text-to-video": ClientCall("text_to_video", "textToVideo", returns="bytes"),
    "image-to-video": ClientCall("image_to_video", "imageToVideo", "file", returns="bytes"),
    "text-to-speech": ClientCall("text_to_speech", "textToSpeech", returns="bytes"),
    "text-generation": ClientCall("text_generation", "textGeneration", js_stream="textGenerationStream"),
    "chat-completion": _CHAT,
    "conversational": _CHAT,
}


def client_call(plan: Plan) -> ClientCall | None:
    """The client method for this request, or None when only plain HTTP can say it."""
    call = _CHAT if plan.is_chat else _CLIENT_CALLS.get(plan.request.task)
    if plan.route == "provider":
        return call if call and plan.request.client_args is not None else None
    has_arguments = plan.sends_file or isinstance(plan.request.json_body, Mapping)
    return call if call and has_arguments else None


def client_answer(plan: Plan, call: ClientCall) -> str:
    """Which answer template: a stream, a chat completion, or what the method returns."""
    if plan.request.stream:
        return plan.answer
    return with_tools(plan, "chat") if plan.is_chat else call.returns


def _parameters(body: Mapping[str, Any], *inputs: str) -> dict[str, Any]:
    """Everything but the inputs, flattened: root options (stream, normalize) and `parameters`."""
    root = {key: value for key, value in body.items() if key not in (*inputs, "parameters")}
    return {**root, **(body.get("parameters") or {})}


Arguments = tuple[list[Any], dict[str, Any]]
HUB_LAYOUTS: Mapping[str, Callable[[Plan, Mapping[str, Any]], Arguments]] = {
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


def provider_arguments(plan: Plan) -> Arguments:
    """A provider call is written from the client's own arguments: the body is the provider's shape."""
    client_args = plan.request.client_args or {}
    first = plan.upload if client_args.get("inputs") is None else client_args["inputs"]
    parameters = {k: v for k, v in (client_args.get("parameters") or {}).items() if k != "stream" or v}
    return [first], {"model": plan.request.model_id, **parameters}
