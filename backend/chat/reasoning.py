"""A model's thinking kept apart from its answer: inline `<think>`/`<thinking>` blocks in the content and
`reasoning_content`/`reasoning` deltas, read incrementally, with when the thinking started and ended.

`ThinkingSplitter` is fed deltas as they arrive; `split_thinking()` splits a finished text the same way.
Tags are matched case-insensitively, may be split across chunks at any character (only a possible tag
prefix is held back), and a stream may begin inside a block and only close it (`…</think>answer`), as
chat templates that open the block in the prompt make models do. Conventions follow HF's
inference-playground (`src/lib/utils/thinking.ts`): any of the two closing tags ends a block, several
blocks join with a blank line, the answer and each block are trimmed. Pure: no I/O, no clock of its own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ThinkingSplitter", "SplitText", "split_thinking", "thinking_note"]

_OPEN_TAGS = ("<think>", "<thinking>")
_CLOSE_TAGS = ("</think>", "</thinking>")
_ANY_TAG = re.compile(r"<(/?)think(?:ing)?>", re.IGNORECASE)
_OPEN = re.compile(r"<think(?:ing)?>", re.IGNORECASE)
_CLOSE = re.compile(r"</think(?:ing)?>", re.IGNORECASE)

# Where the content stands: before any tag (text that a later `</think>` would make thinking),
# inside a block, or in the answer after a block.
_PRELUDE, _THINKING, _ANSWER = "prelude", "thinking", "answer"
_SEARCH = {_PRELUDE: (_ANY_TAG, _OPEN_TAGS + _CLOSE_TAGS), _THINKING: (_CLOSE, _CLOSE_TAGS),
           _ANSWER: (_OPEN, _OPEN_TAGS)}


@dataclass(frozen=True)
class SplitText:
    """A text split into its answer and its thinking; `unclosed` when a block never ended."""

    answer: str
    thinking: str
    unclosed: bool = False


class ThinkingSplitter:
    """The answer and the thinking of one assistant turn, fed delta by delta.

        splitter = ThinkingSplitter()
        splitter.feed_content("<thi", now=0.0); splitter.feed_content("nk>hm", now=0.5)
        splitter.feed_content("m</think>Hi", now=2.0); splitter.close(now=2.1)
        (splitter.answer, splitter.thinking, splitter.thinking_seconds) == ("Hi", "hmm", 1.5)

    Timing (seconds on the caller's clock, passed as `now`): thinking starts at its first non-blank text
    and ends when the answer takes over (a closing tag, or the first non-blank content after
    `reasoning_content`); a turn that ends still thinking thought until its last thinking text.
    """

    def __init__(self) -> None:
        self._state = _PRELUDE
        self._held = ""  # the end of the last delta that may be the start of a tag
        self._prelude: list[str] = []
        self._segments: list[list[str]] = [[]]  # answer text around the blocks
        self._blocks: list[list[str]] = []
        self._field: list[str] = []  # reasoning_content / reasoning deltas, byte-exact
        self._prelude_first: float | None = None
        self._prelude_last: float | None = None
        self._field_open = False  # reasoning deltas came and no answer since
        self.thinking_started: float | None = None
        self.thinking_ended: float | None = None
        self._last_thought: float | None = None
        self.answer_started: float | None = None  # first non-blank answer text after the last thinking
        self.answer_last: float | None = None
        self.answer_chunks = 0  # deltas that brought answer text after the last thinking
        self._serial, self._counted = 0, -1  # which delta is being read; which one was last counted
        self.closed = False
        self.unclosed = False  # the content ended inside a block

    # -- feeding -----------------------------------------------------------------------------------
    def feed_content(self, text: str, now: float = 0.0) -> bool:
        """Take a `content` delta; True when the answer or the thinking shown changed."""
        if not text or self.closed:
            return False
        self._serial += 1
        buffer, position, changed = self._held + text, 0, False
        self._held = ""
        while True:
            pattern, tags = _SEARCH[self._state]
            match = pattern.search(buffer, position)
            if match is None:
                rest = buffer[position:]
                self._held = _tag_prefix(rest, tags)
                changed |= self._write(rest[:len(rest) - len(self._held)], now)
                return changed
            changed |= self._write(buffer[position:match.start()], now)
            changed |= self._take_tag(closing=match.group(0)[1] == "/", now=now)
            position = match.end()

    def feed_reasoning(self, text: str, now: float = 0.0) -> bool:
        """Take a `reasoning_content` (or `reasoning`) delta; True when it carried text."""
        if not text or self.closed:
            return False
        self._field.append(text)
        if text.strip():
            self._field_open = True
            self._thought(now, now)
        return True

    def close(self, now: float = 0.0) -> None:
        """The turn ended: a held-back tag prefix is text after all; a prelude with no tag is the answer."""
        if self.closed:
            return
        self._serial += 1
        self._write(self._held, now)
        self._held = ""
        self.unclosed = self._state == _THINKING
        self.closed = True

    def _write(self, text: str, now: float) -> bool:
        """Add text where the content stands and note its time; True when there was any."""
        if not text:
            return False
        if self._state == _THINKING:
            self._blocks[-1].append(text)
            if text.strip():
                self._thought(now, now)
            return True
        (self._prelude if self._state == _PRELUDE else self._segments[-1]).append(text)
        if text.strip():
            if self._state == _PRELUDE:
                self._prelude_first = now if self._prelude_first is None else self._prelude_first
                self._prelude_last = now
            self._answered(now)
        return True

    def _take_tag(self, closing: bool, now: float) -> bool:
        """Move past an opening or closing tag; True when text already shown changed sides."""
        moved = False
        if self._state == _PRELUDE and closing:  # the stream began inside a block: the prelude was thinking
            moved = bool(self._prelude)
            self._blocks.append(self._prelude)
            self._prelude = []
            if self._prelude_first is not None:
                self._thought(self._prelude_first, self._prelude_last or now)
        if closing:
            self._end_thinking(now)
            self._segments.append([])
            self._state = _ANSWER
            return moved
        if self._state == _PRELUDE:
            self._segments[-1].extend(self._prelude)  # text before the first block is answer
            self._prelude = []
        self._blocks.append([])
        self._state = _THINKING
        return False

    def _answered(self, now: float) -> None:
        """Non-blank answer text arrived (one chunk per delta, for the rate)."""
        if self._field_open:
            self._field_open = False
            self.thinking_ended = now
        if self.answer_started is None:
            self.answer_started = now
        self.answer_last = now
        if self._counted != self._serial:
            self._counted = self._serial
            self.answer_chunks += 1

    def _thought(self, first: float, last: float) -> None:
        """Thinking text arrived between `first` and `last`: the answer's rate restarts after it."""
        if self.thinking_started is None or first < self.thinking_started:
            self.thinking_started = first
        self._last_thought = last if self._last_thought is None else max(self._last_thought, last)
        self.thinking_ended = None
        self.answer_started, self.answer_last, self.answer_chunks, self._counted = None, None, 0, -1

    def _end_thinking(self, now: float) -> None:
        if self.thinking_started is not None:
            self.thinking_ended = now

    # -- what to show --------------------------------------------------------------------------------
    @property
    def answer(self) -> str:
        """The content without its thinking, trimmed (so far, while streaming)."""
        segments = [*self._segments[:-1], [*self._segments[-1], *self._prelude]]
        return _joined("".join(segment) for segment in segments)

    @property
    def thinking(self) -> str:
        """Both kinds of thinking: the reasoning deltas as received, then the inline blocks, trimmed."""
        field = "".join(self._field)
        inline = _joined("".join(block) for block in self._blocks)
        return "\n\n".join(part for part in (field if field.strip() else "", inline) if part)

    @property
    def reasoning_field(self) -> str:
        """The `reasoning_content` / `reasoning` deltas alone, byte-exact."""
        return "".join(self._field)

    @property
    def has_thinking(self) -> bool:
        return self.thinking_started is not None

    @property
    def is_thinking(self) -> bool:
        """Inside a block or past reasoning deltas with no answer yet (a prelude is not known to be thinking)."""
        return not self.closed and (self._state == _THINKING or self._field_open)

    @property
    def ended_while_thinking(self) -> bool:
        """The turn ended with its thinking unfinished: an unclosed block, or reasoning with no answer after."""
        return self.closed and (self.unclosed or self._field_open)

    @property
    def thinking_seconds(self) -> float | None:
        """How long the thinking lasted, from its first text to the answer (or its last text); None if none."""
        if self.thinking_started is None:
            return None
        end = self.thinking_ended if self.thinking_ended is not None else self._last_thought
        return max((end if end is not None else self.thinking_started) - self.thinking_started, 0.0)

    def split(self) -> SplitText:
        return SplitText(self.answer, self.thinking, self.unclosed)


def split_thinking(text: str) -> SplitText:
    """Split a finished text (a non-streamed answer, a stored message) into answer and thinking."""
    splitter = ThinkingSplitter()
    splitter.feed_content(text)
    splitter.close()
    return splitter.split()


def thinking_note(seconds: float | None, broke: bool, finish_reason: str | None) -> str:
    """Plain text (not escaped) for a turn that ended while still thinking: where, and what to do."""
    after = f" after {seconds:.1f} s of thinking" if seconds is not None else ""
    if broke:
        return f"The stream broke while the model was still thinking{after}; what came is kept."
    if finish_reason == "length":
        return f"The token limit was reached while the model was still thinking{after}: raise max_tokens for an answer."
    return f"The model stopped while still thinking{after}, without an answer."


def _tag_prefix(text: str, tags: tuple[str, ...]) -> str:
    """The end of `text` that could begin one of `tags` (to hold back until the next delta), else ""."""
    start = text.rfind("<")
    if start < 0 or len(text) - start >= max(map(len, tags)):
        return ""
    tail = text[start:].lower()
    return text[start:] if any(tag.startswith(tail) for tag in tags) else ""


def _joined(parts: object) -> str:
    """Non-blank parts, each trimmed, a blank line apart."""
    return "\n\n".join(stripped for part in parts if (stripped := str(part).strip()))
