"""Secret redaction: the one place that knows what a token looks like, and the disguises it may wear.

`redact()` cleans text for people and logs (errors, headers, history): known secrets, `hf_` tokens,
bearer credentials and `api_key=...` pairs. `scrub()` cleans an upstream's answer (a body, a stream
event) of known secrets and whole `hf_` tokens only, leaving the rest as sent. Both look through JSON
`\\u` escapes, invisible characters and base64 too: the forms an upstream's echo of a token can take.
"""
from __future__ import annotations

import base64
import binascii
import heapq
import logging
import re
from bisect import bisect_right
from typing import Any, Callable, Iterable, Iterator, NamedTuple, TypeVar

__all__ = ["redact", "scrub", "mask_token", "RedactingFilter", "install_log_redaction", "SENSITIVE_HEADERS"]

# hf_ tokens, bearer credentials of any kind, and `api_key=...`-style pairs.
_PATTERNS = (
    re.compile(r"hf_(?:oauth_)?[A-Za-z0-9]{6,}"),  # user access tokens, and OAuth ones ("hf_oauth_...")
    re.compile(r"(?i)(bearer\s+)[^\s\"',;]+"),
    re.compile(r"(?i)((?:api[_-]?key|token|authorization)[\"']?\s*[:=]\s*[\"']?)[^\s\"',;&]{6,}"),
)
# In an answer only a whole token counts (real ones carry 34 characters after `hf_`), not glued to a
# longer word (a JSON escape such as `\n` or `\ud83d` before it is no word): model output naming
# `hf_transfer`, or a urlsafe base64 image, must pass unchanged. `hf_` comes first, for speed.
_WHOLE_HF = re.compile(r"hf_(?:(?<![A-Za-z0-9_-]hf_)|(?<=\\[bfnrt]hf_)|(?<=\\u[0-9a-fA-F]{4}hf_))"
                       r"(?:oauth_)?[A-Za-z0-9]{20,}")
_WHOLE_HF_BYTES = re.compile(rb"hf_(?:oauth_)?[A-Za-z0-9]{20,}")  # inside decoded base64

SENSITIVE_HEADERS = frozenset({"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key"})

# What renders as nothing: Unicode's format characters (category Cf, Unicode 15.1) and the other
# default-ignorable code points (variation selectors, fillers, the grapheme joiner). A test checks the
# list against the running Python's own Cf table.
_IGNORABLE_RANGES = (
    (0xAD, 0xAD), (0x34F, 0x34F), (0x600, 0x605), (0x61C, 0x61C), (0x6DD, 0x6DD), (0x70F, 0x70F),
    (0x890, 0x891), (0x8E2, 0x8E2), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F),
    (0x202A, 0x202E), (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD), (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A), (0xE0000, 0xE0FFF),
)
_TOKENISH = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
_B64_CHARS = _TOKENISH - {"="}


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    return "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]"


def _hex_trie(codes: Iterable[str]) -> str:
    """A regex for exactly these 4-digit hex codes, in either case, as a trie: a miss fails at once."""
    heads: dict[str, set[str]] = {}
    for code in codes:
        heads.setdefault(code[0], set()).add(code[1:])
    branches = [(f"[{head}{head.upper()}]" if head.isalpha() else head) + (_hex_trie(rest) if rest != {""} else "")
                for head, rest in sorted(heads.items())]
    return branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})"


_GAP_CLASSES = (_char_class(r for r in _IGNORABLE_RANGES if r[1] < 0x10000),  # apart: a class of BMP
                _char_class(r for r in _IGNORABLE_RANGES if r[0] >= 0x10000))  # characters only is a bitmap
_GAP_BMP, _GAP_ASTRAL = (re.compile(chars) for chars in _GAP_CLASSES)
_GAP_RUNS = tuple(re.compile(f"{chars}+") for chars in _GAP_CLASSES)
# UTF-8 read as Latin-1, as http.client reads header bytes: an invisible character there is 2-4 of these.
_MOJIBAKE = re.compile("[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_ASTRAL_GAP_HIGHS = {f"{0xD800 + ((cp - 0x10000) >> 10):04x}" for lo, hi in _IGNORABLE_RANGES if lo >= 0x10000
                     for cp in range(lo, hi + 1)}
# Only an escape of an invisible character or of a character a token or base64 is made of can hide a
# token made of those: other escapes (CJK text, emoji) stay as they are in the view, at no cost.
_SUSPECT_CODES = {f"{ord(c):04x}" for c in _TOKENISH} | {
    f"{cp:04x}" for lo, hi in _IGNORABLE_RANGES if hi < 0x10000 for cp in range(lo, hi + 1)}
# Each starts with one literal backslash, so a search skips to the next one at C speed.
_LOW = r"\\+u([dD][c-fC-F][0-9a-fA-F]{2})"
_ESCAPE_SUSPECT = {True: re.compile(rf"\\\\*(?:u{_hex_trie(_SUSPECT_CODES | _ASTRAL_GAP_HIGHS)}|/)"),
                   False: re.compile(r"\\\\*[u/]")}
_ESCAPE = {  # by whether all known secrets are tokenish; backslash runs: JSON inside JSON doubles them
    True: re.compile(rf"\\\\*(?:u({_hex_trie(_ASTRAL_GAP_HIGHS)}){_LOW}|u({_hex_trie(_SUSPECT_CODES)})|(/))"),
    False: re.compile(rf"\\\\*(?:u([dD][89abAB][0-9a-fA-F]{{2}}){_LOW}|u([0-9a-fA-F]{{4}})|(/))"),
}

_B64_RUN = re.compile(r"[A-Za-z0-9+/_-]*")
_NON_B64_AS_SPACE = bytes(byte if chr(byte) in _B64_CHARS else 32 for byte in range(256))
_B64_WINDOW = 1024  # characters decoded around a possible `hf_` in base64 (a token takes about 50)
_MIN_B64_SECRET = 8  # shorter secrets would give base64 fragments that occur by chance
_SHORT_TEXT = 65_536  # below this, look for a long enough base64 run before looking for forms
_HF_IN_BASE64 = 30  # the fewest base64 characters a whole hf_ token takes (23 bytes)

_Text = TypeVar("_Text", str, bytes)


class _Mask(NamedTuple):
    start: int
    end: int
    text: str  # what stands in: "***" or "hf_***"


def redact(text: str, *secrets: str | None) -> str:
    """Return `text` with known secrets and anything token-shaped replaced by `***`."""
    known = _known(secrets)
    text = _apply(text, _find(text, known, _PATTERNS[0], plain=False))
    for secret in known:
        text = text.replace(secret, "***")
    text = _PATTERNS[0].sub("hf_***", text)
    for pattern in _PATTERNS[1:]:
        text = pattern.sub(lambda m: m.group(1) + "***", text)
    return text


def scrub(body: _Text, *secrets: str | None) -> _Text:
    """`body` without known secrets or whole `hf_` tokens, plain or disguised; `body` itself when clean.

    Text, and bytes that are UTF-8 (or UTF-8 cut mid-character, as a size cap cuts), get `***` or
    `hf_***` over each match. Other bytes are binary (images, audio): there only a known secret's exact
    bytes or base64 are masked, by as many `*`, so the file keeps its length and layout.
    """
    known = _known(secrets)
    if isinstance(body, str):
        return _apply(body, _find(body, known, _WHOLE_HF, plain=True))
    text = _utf8(body)
    if text is None:
        return _masked_binary(body, known)
    masks = _find(text, known, _WHOLE_HF, plain=True)
    return _apply(text, masks).encode("utf-8", "surrogateescape") if masks else body


def mask_token(token: str | None) -> str:
    """`hf_****abcd` for display, as huggingface_hub lists tokens; '' for no token."""
    if not token:
        return ""
    prefix = "hf_" if token.startswith("hf_") else ""
    return f"{prefix}****{token[-4:]}" if len(token) > 12 else f"{prefix}****"


class RedactingFilter(logging.Filter):
    """A logging filter that redacts every record's rendered message."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


def install_log_redaction() -> Callable[..., logging.LogRecord]:
    """Redact every log record of every logger as it is made (libraries' and uvicorn's too); returns the
    record factory it replaced, to restore it."""
    previous = logging.getLogRecordFactory()

    def redacted_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        RedactingFilter().filter(record)
        return record

    logging.setLogRecordFactory(redacted_record)
    return previous


class _View:
    """`text` with JSON escapes decoded and invisible characters dropped, and the way back to `text`.

    Built only when `text` holds an escape or invisible character that could hide a token; otherwise
    the view is `text` itself. Each piece of the view maps back either one to one (plain text) or, for
    a decoded escape, as one character standing for the escape's whole span.
    """

    def __init__(self, original: str, known: tuple[str, ...]) -> None:
        self.text, self.decoded = original, False
        if original.isascii() and "\\" not in original:
            return  # the common case, at once
        tokenish = all(set(secret) <= _TOKENISH for secret in known)
        self.decoded = _may_hide(original, tokenish)
        if not self.decoded:
            return
        parts: list[str] = []
        self._at: list[int] = []      # where each piece starts in the view
        self._origin: list[int] = []  # ... and in the original
        self._end: list[int] = []     # a decoded escape's end in the original; -1 for plain text
        size = done = 0
        for start, end, char in _disguises(original, tokenish):
            if end <= done:
                continue  # inside the previous one (an invisible character's own Latin-1 misreading)
            if start > done:
                self._piece(parts, original[done:start], size, done, -1)
                size += start - done
            if char:
                self._piece(parts, char, size, start, end)
                size += 1
            done = end
        if done < len(original):
            self._piece(parts, original[done:], size, done, -1)
        self.text = "".join(parts)

    def _piece(self, parts: list[str], text: str, at: int, origin: int, end: int) -> None:
        parts.append(text)
        self._at.append(at)
        self._origin.append(origin)
        self._end.append(end)

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that the view's [start, end) came from (invisibles inside kept)."""
        if not self.decoded:
            return start, end
        first = bisect_right(self._at, start) - 1
        last = bisect_right(self._at, end - 1) - 1
        head = self._origin[first] + (start - self._at[first] if self._end[first] < 0 else 0)
        tail = self._origin[last] + end - self._at[last] if self._end[last] < 0 else self._end[last]
        return head, tail


def _may_hide(text: str, tokenish: bool) -> bool:
    """Whether `text` holds an escape or invisible character that could be part of a disguised token."""
    if not text.isascii() and (_GAP_BMP.search(text) or _GAP_ASTRAL.search(text) or _MOJIBAKE.search(text)):
        return True
    return "\\" in text and _ESCAPE_SUSPECT[tokenish].search(text) is not None


def _disguises(text: str, tokenish: bool) -> Iterator[tuple[int, int, str]]:
    """Each escape and run of invisible characters in `text`, in order, with what it stands for ('' if nothing).

    Separate searches merged, not one regex with many branches: each of them scans at C speed.
    """
    escapes = ((*match.span(), _decoded(match)) for match in _ESCAPE[tokenish].finditer(text))
    if text.isascii():
        return escapes
    gaps = [(*match.span(), "") for pattern in _GAP_RUNS for match in pattern.finditer(text)]
    gaps += [(*match.span(), "") for match in _MOJIBAKE.finditer(text) if _is_gap(_latin1_utf8(match.group()))]
    return heapq.merge(escapes, sorted(gaps))


def _latin1_utf8(text: str) -> str:
    try:
        return text.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return ""


def _is_gap(char: str) -> bool:
    return bool(char) and bool(_GAP_BMP.match(char) or _GAP_ASTRAL.match(char))


def _decoded(match: re.Match[str]) -> str:
    high, low, code, slash = match.groups()
    if high:
        char = chr(0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00)
    elif code:
        char = chr(int(code, 16))
    else:
        char = slash or ""
    return "" if _is_gap(char) else char


def _known(secrets: tuple[str | None, ...]) -> tuple[str, ...]:
    return tuple(secret for secret in dict.fromkeys(secrets) if secret)


def _find(text: str, known: tuple[str, ...], shape: re.Pattern[str], plain: bool) -> list[_Mask]:
    """Masks over `text` for each known secret and `shape` match, escaped, interrupted or in base64.

    `plain`: also the matches that need no decoding (`redact` finds those itself, as it always has).
    """
    view = _View(text, known)
    seen, masks = view.text, []
    if plain or view.decoded:
        for secret in known:
            masks += [_Mask(at, at + len(secret), "***") for at in _occurrences(seen, secret)]
        masks += [_Mask(*match.span(), "hf_***") for match in shape.finditer(seen)]
    shortest = min([_HF_IN_BASE64] + [4 * len(secret) // 3 - 2 for secret in known])  # a form's least length
    if len(seen) >= _SHORT_TEXT or _has_b64_run(seen, shortest):
        for secret in known:
            for core, before, after in _base64_forms(secret):
                masks += [_widened(seen, at, at + len(core), before, after) for at in _occurrences(seen, core)]
        for core, group_offset, skip in _HF_BASE64:
            masks += filter(None, (_hf_in_base64(seen, at - group_offset, skip) for at in _occurrences(seen, core)))
    return [_Mask(*view.original(mask.start, mask.end), mask.text) for mask in masks]


def _occurrences(text: str, needle: str) -> list[int]:
    found, at = [], text.find(needle)
    while at >= 0:
        found.append(at)
        at = text.find(needle, at + 1)
    return found


def _has_b64_run(text: str, length: int) -> bool:
    """Whether `text` has `length` base64 characters in a row (a translation and a split: a regex
    scanning for a run is slower on short text, and this runs on every stream event)."""
    runs = text.encode("utf-8", "surrogatepass").translate(_NON_B64_AS_SPACE).split()
    return max(map(len, runs), default=0) >= length


def _urlsafe(encoded: str) -> str:
    return encoded.replace("+", "-").replace("/", "_")


def _base64_forms(secret: str) -> list[tuple[str, int, int]]:
    """What `secret` looks like inside any base64 (standard or urlsafe, at each of the 3 byte offsets).

    Each form is the run of characters made of the secret's bits alone, with how many characters
    before and after it carry some of them too.
    """
    raw = secret.encode("utf-8", "surrogatepass")
    if len(raw) < _MIN_B64_SECRET:
        return []
    forms = []
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw).decode("ascii")
        first, last = 8 * offset, 8 * (offset + len(raw))  # the secret's bits
        core_start, core_end = -(-first // 6), last // 6
        core = encoded[core_start:core_end]
        spread = (core_start - first // 6, -(-last // 6) - core_end)
        forms += [(form, *spread) for form in dict.fromkeys((core, _urlsafe(core)))]
    return forms


def _widened(text: str, start: int, end: int, before: int, after: int) -> _Mask:
    if before and start > 0 and text[start - 1] in _B64_CHARS:
        start -= 1
    if after and end < len(text) and text[end] in _B64_CHARS:
        end += 1
    return _Mask(start, end, "***")


def _hf_base64_needles() -> tuple[tuple[str, int, int], ...]:
    """`hf_` in base64 at each byte offset: the characters made of its bits alone, where they start in
    their 4-character group, and the offset."""
    needles = []
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + b"hf_").decode("ascii")
        start, end = -(-8 * offset // 6), 8 * (offset + 3) // 6
        needles += [(core, start, offset) for core in dict.fromkeys((encoded[start:end], _urlsafe(encoded[start:end])))]
    return tuple(needles)


_HF_BASE64 = _hf_base64_needles()


def _hf_in_base64(text: str, group: int, skip: int) -> _Mask | None:
    """A whole hf_ token in the base64 decoded from `group` on, `skip` bytes in; its characters masked."""
    if group < 0:
        return None
    run = _B64_RUN.match(text, group, group + _B64_WINDOW).group().replace("-", "+").replace("_", "/")
    run = run[:len(run) - (len(run) % 4 == 1)]
    try:
        data = base64.b64decode(run + "=" * (-len(run) % 4))
    except (binascii.Error, ValueError):
        return None
    token = _WHOLE_HF_BYTES.match(data, skip)
    if token is None:
        return None
    return _Mask(group + 8 * skip // 6, min(group + len(run), group - (-8 * token.end() // 6)), "hf_***")


def _apply(text: str, masks: list[_Mask]) -> str:
    """`text` with each masked span replaced; overlapping masks merge (into `***` if they differ)."""
    if not masks:
        return text
    merged: list[_Mask] = []
    for mask in sorted(masks):
        if merged and mask.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = _Mask(last.start, max(last.end, mask.end), last.text if last.text == mask.text else "***")
        else:
            merged.append(mask)
    parts, done = [], 0
    for mask in merged:
        parts += [text[done:mask.start], mask.text]
        done = mask.end
    parts.append(text[done:])
    return "".join(parts)


def _utf8(body: bytes) -> str | None:
    """`body` as text if it is UTF-8, or UTF-8 cut inside its last character; None for binary."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        if err.reason != "unexpected end of data" or err.start < len(body) - 3:
            return None
        return body.decode("utf-8", "surrogateescape")


def _masked_binary(body: bytes, known: tuple[str, ...]) -> bytes:
    for secret in known:
        raw = secret.encode("utf-8", "surrogatepass")
        for needle in (raw, *(core.encode("ascii") for core, _, _ in _base64_forms(secret))):
            if needle in body:
                body = body.replace(needle, b"*" * len(needle))
    return body
