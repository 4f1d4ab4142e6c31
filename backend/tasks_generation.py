"""Renderers for generated text: text-generation (TGI, transformers, OpenAI completions) and chat.

Both accept a finished JSON answer or a streamed one, whose parsed SSE chunks arrive in
`InferenceResult.events`. Usage and finish reasons go to `Rendered.summary`, never into the text.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from .chat import ChatStream
from .render import Rendered, tolerant
from .result import InferenceResult

__all__ = ["render_generated", "render_chat"]

_DETAIL_KEYS = ("finish_reason", "generated_tokens", "seed")


def _is_streamed(result: InferenceResult) -> bool:
    return result.media_type == "sse" or bool(result.events)


def _chunks(result: InferenceResult) -> list[Mapping[str, Any]]:
    # The `[DONE]` sentinel and keep-alive lines are not dicts; nothing else to learn from them.
    return [event for event in result.events if isinstance(event, Mapping)]


def _details(details: Any) -> dict[str, Any]:
    if not isinstance(details, Mapping):
        return {}
    return {key: details[key] for key in _DETAIL_KEYS if details.get(key) is not None}


def _last(values: Iterable[Any]) -> Any:
    """The last value that is not None: the final chunk carries finish_reason, usage, details."""
    found = None
    for value in values:
        if value is not None:
            found = value
    return found


def _generated_stream(result: InferenceResult) -> Rendered:
    """TGI token events; the last one repeats the whole text in `generated_text`."""
    chunks = _chunks(result)
    tokens = [chunk["token"] for chunk in chunks if isinstance(chunk.get("token"), Mapping)]
    streamed = "".join(str(token.get("text", "")) for token in tokens if not token.get("special"))
    final = _last(chunk.get("generated_text") for chunk in chunks)
    # The server's own decode wins: it honours return_full_text exactly as a non-streamed answer does.
    text = streamed if final is None else str(final)
    summary = {**_details(_last(chunk.get("details") for chunk in chunks)), "streamed_tokens": len(tokens)}
    return Rendered(kind="text", text=text, summary=summary)


@tolerant
def render_generated(result: InferenceResult) -> Rendered:
    """`[{generated_text, details?}]`, a bare dict, OpenAI `{choices: [{text}]}`, or a TGI stream."""
    if _is_streamed(result):
        return _generated_stream(result)
    body = result.json
    item = body[0] if isinstance(body, list) else body
    if "choices" in item:
        choice = item["choices"][0]
        summary = {"finish_reason": choice.get("finish_reason"), "usage": item.get("usage")}
        return Rendered(kind="text", text=str(choice["text"]),
                        summary={k: v for k, v in summary.items() if v is not None})
    return Rendered(kind="text", text=str(item["generated_text"]), summary=_details(item.get("details")))


def _chat_summary(chat: ChatStream, **extra: Any) -> dict[str, Any]:
    summary = {"model": chat.to_openai()["model"] or None, "finish_reason": chat.finish_reason,
               "usage": chat.server_usage, **extra}
    return {key: value for key, value in summary.items() if value not in (None, "", [])}


@tolerant
def render_chat(result: InferenceResult) -> Rendered:
    """The assistant's text from a `chat.completion`, or from its streamed chunks.

    ChatStream is the one place that reads chat answers; this only picks what the panel summarises.
    """
    chat = ChatStream.from_result(result)
    # The answer only: its thinking (inline <think> or reasoning_content) is in the summary, apart.
    if _is_streamed(result):
        return Rendered(kind="text", text=chat.answer,
                        summary=_chat_summary(chat, chunks=len(chat.chunks), reasoning=chat.reasoning))
    message = result.json["choices"][0]["message"]  # a body of another shape falls back to raw JSON
    return Rendered(kind="text", text=chat.answer,
                    summary=_chat_summary(chat, tool_calls=message.get("tool_calls"), reasoning=chat.reasoning))
