"""Shareable links: a form filled from `?model=&task=&text=...`, and frozen results in a URL.

A link is untrusted input. `form_from_query` checks every value, drops what fails with a warning
and never raises or sends anything; a link never names an endpoint (its `endpoint=` is dropped, and
said so), since the next run would carry a credential there. `freeze` packs a `HistoryEntry` into a compact URL-safe token (a version byte, then zlib'd
JSON, in base64url; never pickle) and `thaw` unpacks one strictly, so a colleague sees the answer
without calling the API. With the deployment's secret the token is signed (version 2: an HMAC of the
packed JSON after the version byte), made only for an entry the deployment vouches for
(`backend.provenance`); `thaw_checked` says whether this playground recorded it. Unsigned (version 1),
edited or foreign tokens still open, marked as not verified, with the reason (`thaw_verdict`).
"""
from __future__ import annotations

import base64
import binascii
import json
import re
import zlib
from dataclasses import dataclass, field, fields
from typing import Any, Callable, Mapping
from urllib.parse import urlencode, urlsplit

from .errors import InvalidEndpointUrl, InvalidInput, PlaygroundError, user_message
from .history import HistoryEntry
from .plain_json import loads_checked
from .provenance import Provenance
from .signing import SIGNATURE_BYTES, sign, verify
from .targets import validate_model_id, validate_provider
from .tasks import TASKS

__all__ = ["FormState", "form_from_query", "query_from_form", "freeze", "thaw", "thaw_checked", "thaw_verdict",
           "MAX_TEXT", "MAX_FROZEN_CHARS"]

MAX_TEXT = 5_000          # characters of a text, question or context field taken from a link
MAX_LABELS, MAX_LABEL = 20, 100
MAX_FROZEN_CHARS = 8_000  # a frozen token stays well inside what browsers and chat apps keep of a URL
MAX_FROZEN_JSON = 512 * 1024  # inflated size: a small token must not unpack into a zip bomb
FROZEN_VERSION, SIGNED_VERSION = 1, 2
UNSIGNED = ("it is not signed: it was made from a run this playground does not vouch for (imported from a demo "
            "script, a browser copy or a link), or by another playground")
MISMATCHED = "its signature does not match: it was edited, or signed by another playground"
_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class FormState:
    """What a link puts in the form; every field is checked. `warnings` are escaped text for the page."""

    model: str = ""
    task: str = ""
    text: str = ""
    question: str = ""
    context: str = ""
    labels: tuple[str, ...] = ()
    provider: str = ""
    frozen: HistoryEntry | None = None
    warnings: tuple[str, ...] = ()
    frozen_verified: bool = False  # signed by this playground's secret, and unchanged
    frozen_why: str = field(default="", compare=False)  # why a frozen result is not verified, in words


def _capped(value: str) -> str:
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"longer than {MAX_TEXT} characters.")
    return value


def _known_task(value: str) -> str:
    if value not in TASKS:
        raise InvalidInput(f"'{value[:64]}' is not a task this playground knows.")
    return value


def _labels(value: str) -> tuple[str, ...]:
    labels = tuple(label.strip() for label in value.split(",") if label.strip())
    if len(labels) > MAX_LABELS or any(len(label) > MAX_LABEL for label in labels):
        raise InvalidInput(f"at most {MAX_LABELS} labels of up to {MAX_LABEL} characters each.")
    return labels


def _no_endpoint(value: str) -> str:
    # Whatever the visitor runs next would carry their token (or the server's) to the host a link
    # names, so a link never fills the endpoint field; the note names the host it asked for.
    try:
        host = urlsplit(value).netloc[:100]
    except ValueError:  # e.g. an unclosed "[" IPv6 bracket
        host = ""
    named = f" (it named {host})" if host else ""
    raise InvalidEndpointUrl(f"a link never chooses where your credentials go{named}. Type the endpoint "
                             "in Custom endpoint yourself if you trust it.")


def freeze(entry: HistoryEntry, secret: bytes | None = None) -> str:
    """A URL-safe token holding `entry`, signed with `secret` only when the same deployment vouches for
    the entry (a run it finished, `backend.provenance`); raises InvalidInput when it would not fit in a link."""
    compressed = zlib.compress(json.dumps(entry.to_dict(), separators=(",", ":")).encode(), 9)
    signs = bool(secret) and Provenance.for_link_secret(secret).vouches_for(entry)  # type: ignore[arg-type]
    packed = bytes([SIGNED_VERSION]) + sign(secret, compressed) + compressed if signs and secret \
        else bytes([FROZEN_VERSION]) + compressed
    token = base64.urlsafe_b64encode(packed).rstrip(b"=").decode("ascii")
    if len(token) > MAX_FROZEN_CHARS:
        raise InvalidInput(f"This result is too large for a link ({len(token) // 1000} KB packed, the limit is "
                           f"{MAX_FROZEN_CHARS // 1000} KB). Export it as a demo script instead.")
    return token


def thaw(token: str) -> HistoryEntry:
    """The entry a `freeze` token holds, signed or not; raises InvalidInput for anything that is not one."""
    return thaw_checked(token)[0]


def thaw_checked(token: str, secret: bytes | None = None) -> tuple[HistoryEntry, bool]:
    """The entry a token holds, and whether `secret` signed it as it is; raises InvalidInput."""
    entry, verified, _why = thaw_verdict(token, secret)
    return entry, verified


def thaw_verdict(token: str, secret: bytes | None = None) -> tuple[HistoryEntry, bool, str]:
    """`thaw_checked`, with why an unverified token is not ("" when it is verified)."""
    if not isinstance(token, str) or len(token) > MAX_FROZEN_CHARS or not _URL_SAFE.fullmatch(token):
        raise InvalidInput("The frozen result in this link is damaged or too long.")
    try:
        packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (binascii.Error, ValueError):
        raise InvalidInput("The frozen result in this link is damaged.") from None
    if packed[:1] not in (bytes([FROZEN_VERSION]), bytes([SIGNED_VERSION])):
        raise InvalidInput("The frozen result in this link is from another version of the playground.")
    signature, compressed = b"", packed[1:]
    if packed[:1] == bytes([SIGNED_VERSION]):
        signature, compressed = packed[1:1 + SIGNATURE_BYTES], packed[1 + SIGNATURE_BYTES:]
    verified = bool(secret and len(signature) == SIGNATURE_BYTES and verify(secret, compressed, signature))
    inflater = zlib.decompressobj()
    try:
        raw = inflater.decompress(compressed, MAX_FROZEN_JSON + 1)
    except zlib.error:
        raise InvalidInput("The frozen result in this link is damaged.") from None
    if not inflater.eof or inflater.unused_data or len(raw) > MAX_FROZEN_JSON:
        raise InvalidInput("The frozen result in this link is damaged or too large.")
    entry = HistoryEntry.from_dict(loads_checked(raw, MAX_FROZEN_JSON, "frozen result"), "frozen result")
    why = "" if verified else UNSIGNED if packed[:1] == bytes([FROZEN_VERSION]) else MISMATCHED
    return entry, verified, why


# Query key (= FormState field) -> its check, which returns the value to keep or raises InvalidInput.
_FIELDS: dict[str, Callable[[str], Any]] = {
    "model": validate_model_id, "task": _known_task, "text": _capped, "question": _capped, "context": _capped,
    "labels": _labels, "provider": validate_provider, "endpoint": _no_endpoint, "frozen": thaw,
}


def form_from_query(params: Mapping[str, Any], secret: bytes | None = None) -> FormState:
    """The form a link describes; invalid values are dropped with a warning, unknown keys ignored.
    A frozen result is verified against `secret`, the deployment's link secret."""
    values: dict[str, Any] = {}
    warnings: list[str] = []
    for key, check in _FIELDS.items():
        raw = params.get(key)
        if raw is None or raw == "":
            continue
        try:
            if not isinstance(raw, str):
                raise InvalidInput("not text.")
            if key == "frozen":
                values["frozen"], values["frozen_verified"], values["frozen_why"] = thaw_verdict(raw, secret)
            else:
                values[key] = check(raw)
        except PlaygroundError as err:
            warnings.append(f"Ignored '{key}' from the link: {user_message(err)}")
    return FormState(**values, warnings=tuple(warnings))


def query_from_form(form: FormState, secret: bytes | None = None) -> str:
    """The query string (no '?') for "copy link"; empty fields are left out, `frozen` is packed (and
    signed with `secret`, the deployment's link secret)."""
    pairs = []
    for spec in fields(FormState):
        value = getattr(form, spec.name)
        if spec.name in ("warnings", "frozen_verified", "frozen_why") or value in ("", (), None):
            continue
        if spec.name == "labels":
            value = ", ".join(value)
        elif spec.name == "frozen":
            value = freeze(value, secret)
        pairs.append((spec.name, value))
    return urlencode(pairs)
