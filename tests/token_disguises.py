"""The forms an upstream can echo a token in (escaped, interrupted, base64), and an independent check
of whether a reader could still recover the token from a text. Shared by the unit and HTTP tests.
"""
from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from typing import Callable

HF_TOKEN = "hf_" + "Zq3RtY8uVw1xK5mN9pLs2dF6gH0jB4cXe7"  # the real shape (apart: no token-shaped source)
ENDPOINT_KEY = "ek_live.Zx9/Qw-7Lm+Pa=Rt3:s0"  # a custom endpoint's key: other characters, `/` and `+` too
PREFIX_BYTES = b"\x00\x9f\xfe"  # before the token inside a longer base64 blob, for each of its 3 offsets
SUFFIX_BYTES = b"\xfb\xff\xbf\x10 and more bytes after it"


def _escape(text: str, every: int = 1, upper: bool = False, backslashes: int = 1) -> str:
    """JSON `\\u` escapes (surrogate pairs for astral characters) for every `every`-th character."""
    out = []
    for n, char in enumerate(text):
        if n % every:
            out.append(char)
            continue
        units = char.encode("utf-16-be", "surrogatepass")
        for i in range(0, len(units), 2):
            code = f"{int.from_bytes(units[i:i + 2], 'big'):04x}"
            out.append("\\" * backslashes + "u" + (code.upper() if upper else code))
    return "".join(out)


def _interrupt(text: str, gaps: str, escaped: bool = False) -> str:
    """Invisible characters between the token's characters, one after every third."""
    filler = _escape(gaps) if escaped else gaps
    return "".join(char + (filler if n % 3 == 2 else "") for n, char in enumerate(text))


def _b64(data: bytes, urlsafe: bool = False) -> str:
    return (base64.urlsafe_b64encode if urlsafe else base64.b64encode)(data).decode("ascii")


def _in_blob(secret: str, offset: int, urlsafe: bool) -> str:
    return _b64(PREFIX_BYTES[:offset] + b"\x41\x42\x43" + secret.encode() + SUFFIX_BYTES, urlsafe)


# Each: a name and how the echo writes the secret. All of them must leave nothing a reader could use.
DISGUISES: list[tuple[str, Callable[[str], str]]] = [
    ("plain", lambda s: s),
    ("every char \\u-escaped", _escape),
    ("every char \\u-escaped, upper-case hex", lambda s: _escape(s, upper=True)),
    ("every third char \\u-escaped", lambda s: _escape(s, every=3)),
    ("escaped inside JSON inside JSON", lambda s: _escape(s, backslashes=2)),
    ("zero-width space inside", lambda s: _interrupt(s, "\u200b")),
    ("zero-width joiner and non-joiner inside", lambda s: _interrupt(s, "\u200d\u200c")),
    ("byte order mark inside", lambda s: _interrupt(s, "\ufeff")),
    ("soft hyphen inside", lambda s: _interrupt(s, "\u00ad")),
    ("word joiner, marks, bidi controls inside", lambda s: _interrupt(s, "\u2060\u200e\u202e\u2066")),
    ("tag characters inside", lambda s: _interrupt(s, "\U000e0041\U000e007f")),
    ("escaped zero-width space inside", lambda s: _interrupt(s, "\u200b", escaped=True)),
    ("escaped tag character (surrogate pair) inside", lambda s: _interrupt(s, "\U000e0020", escaped=True)),
    ("escapes and invisibles mixed", lambda s: _escape(_interrupt(s, "\u200b\u00ad"), every=2)),
    ("escaped emoji around it", lambda s: _escape("\U0001f600") + s + _escape("\U0001f389")),
    ("base64", lambda s: _b64(s.encode())),
    ("urlsafe base64", lambda s: _b64(s.encode(), urlsafe=True)),
    ("base64 of `Bearer token`", lambda s: _b64(f"Bearer {s}".encode())),
    ("urlsafe base64 of `Bearer token`", lambda s: _b64(f"Bearer {s}".encode(), urlsafe=True)),
    ("base64 of `:token`", lambda s: _b64(f":{s}".encode())),
    ("base64 of `user:token` (Basic auth)", lambda s: _b64(f"user:{s}".encode())),
    ("base64 with JSON-escaped slashes", lambda s: _b64(b"\xff\xff" + s.encode() + b"??>").replace("/", "\\/")),
    *[(f"inside a base64 blob at byte offset {n}{' (urlsafe)' if u else ''}", lambda s, n=n, u=u: _in_blob(s, n, u))
      for n in range(3) for u in (False, True)],
]

_GAPS = re.compile("[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
                   "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]")
_RUN = re.compile(r"[A-Za-z0-9+/_-]{8,}")


def _unescaped(text: str) -> str:
    text = re.sub(r"\\+/", "/", text)
    text = re.sub(r"\\+u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), text)
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")  # pairs become one


def _utf8_again(text: str) -> str:
    """UTF-8 that was read as Latin-1 (as http.client reads headers), read as UTF-8."""
    def fixed(match: re.Match[str]) -> str:
        try:
            return match.group().encode("latin-1").decode("utf-8")
        except UnicodeError:
            return match.group()
    return re.sub("[\xc2-\xf4][\x80-\xbf]+", fixed, text)


def _visible(text: str) -> str:
    return "".join(c for c in _GAPS.sub("", text) if unicodedata.category(c) != "Cf")


def _base64_decodings(text: str) -> list[bytes]:
    """Every base64 run decoded from each of its 4 character offsets (so any alignment is covered)."""
    found = []
    for run in _RUN.findall(text):
        for shift in range(4):
            chunk = run[shift:].replace("-", "+").replace("_", "/")
            chunk = chunk[:len(chunk) - len(chunk) % 4]
            try:
                found.append(base64.b64decode(chunk))
            except (binascii.Error, ValueError):
                continue
    return found


def revealed(text: str | bytes, secret: str) -> bool:
    """Whether a reader could recover `secret`, or any 10 characters of it after its prefix, from `text`."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    core = secret[3:]  # without `hf_` (or `ek_`): the part that makes the secret; any 10 of it in a row
    pieces = {core[n:n + 10] for n in range(len(core) - 9)}
    for form in {text, _unescaped(text), _visible(text), _visible(_unescaped(_utf8_again(text)))}:
        found = [form, *(data.decode("latin-1") for data in _base64_decodings(form))]
        if any(piece in seen for piece in pieces for seen in found):
            return True
    return False
