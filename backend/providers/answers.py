"""A provider's finished answer, read the way the official client reads it: where the media is (a URL
to fetch, base64 in the JSON, or the body itself), or the answer turned into the task's usual shape
(embeddings as vectors, completions as `generated_text`, transcripts as `{"text"}`) for the renderers.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["Answer", "read_answer", "MEDIA_TASKS"]

# The tasks whose answer is a file; the value says which kind of file.
MEDIA_TASKS = {"text-to-image": "image", "image-to-image": "image", "text-to-video": "video",
               "image-to-video": "video", "text-to-speech": "audio", "image-segmentation": "image"}


@dataclass(frozen=True)
class Answer:
    """Either a media link (`url`, possibly a data: URL) or `json` in the task's usual shape."""

    url: str = ""
    json: Any = None


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _media_url(provider: str, task: str, body: Any) -> str:
    """The media link in a finished answer, wherever this provider puts it."""
    if not isinstance(body, Mapping):
        return ""
    if provider == "fal-ai":
        for key in ("video", "audio", "image"):
            if isinstance(body.get(key), Mapping):
                return str(body[key].get("url") or "")
        return str((_first(body.get("images")) or {}).get("url") or "")
    if provider == "replicate":
        return str(_first(body.get("output")) or "")
    if provider == "wavespeed":
        data = body.get("data") if isinstance(body.get("data"), Mapping) else body
        return str(_first(data.get("outputs")) or "")
    if provider == "zai-org":
        return str((_first(body.get("image_result")) or {}).get("url") or "")
    if provider == "novita":
        return str((body.get("video") or {}).get("video_url") or "")
    if provider == "together" and task.endswith("-video"):
        return str((body.get("outputs") or {}).get("video_url") or "")
    item = _first(body.get("data"))  # OpenAI-style images: together, nscale
    if isinstance(item, Mapping):
        if item.get("b64_json"):
            return f"data:image/png;base64,{item['b64_json']}"
        return str(item.get("url") or "")
    return ""


def _as_task_shape(task: str, body: Any) -> Any:
    """The answer in the shape hf-inference gives for `task`, so the task's renderer reads it."""
    if task == "feature-extraction" and isinstance(body, Mapping) and isinstance(body.get("data"), list):
        return [item["embedding"] for item in body["data"] if isinstance(item, Mapping) and "embedding" in item]
    if task == "text-generation" and isinstance(body, Mapping) and isinstance(body.get("choices"), list):
        choice = _first(body["choices"]) or {}
        return [{"generated_text": choice.get("text", ""),
                 "details": {"finish_reason": choice.get("finish_reason")}}]
    if task == "automatic-speech-recognition":
        output = _first(body.get("output")) if isinstance(body, Mapping) and "output" in body else body
        if isinstance(output, str):
            return {"text": output}
        if isinstance(output, Mapping):
            text = output.get("text") or output.get("transcription") or output.get("translation")
            if isinstance(text, str):
                shaped: dict[str, Any] = {"text": text}
                if isinstance(output.get("segments"), list):
                    shaped["chunks"] = [{"text": s.get("text"), "timestamp": [s.get("start"), s.get("end")]}
                                        for s in output["segments"] if isinstance(s, Mapping)]
                return shaped
    return body


def read_answer(provider: str, task: str, body: Any) -> Answer:
    """Where the finished answer is: a media link for media tasks, else the answer in the task's shape."""
    if task in MEDIA_TASKS:
        return Answer(url=_media_url(provider, task, body))
    return Answer(json=_as_task_shape(task, body))
