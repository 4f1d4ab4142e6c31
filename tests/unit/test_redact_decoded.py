"""Tokens are found after decoding (issue 19 item 4): JSON `\\u` escapes, invisible (Cf) characters and
base64 hide nothing from `scrub()` (answers) or `redact()` (errors, headers, history), while text
around a token, binary media and answers holding no token come through unchanged.
"""
from __future__ import annotations

import base64
import json
import random
import sys
import unicodedata

import pytest

from backend import redact as redaction
from backend.redact import redact, scrub
from tests.token_disguises import DISGUISES, ENDPOINT_KEY, HF_TOKEN, revealed

SECRETS = [pytest.param(HF_TOKEN, id="hf-token"), pytest.param(ENDPOINT_KEY, id="endpoint-key")]
CLEANERS = {
    "scrub text": lambda text, secret: scrub(text, secret),
    "scrub bytes": lambda text, secret: scrub(text.encode(), secret).decode(),
    "redact": lambda text, secret: redact(text, secret),
}


def _echo(disguised: str) -> str:
    return json.dumps({"echo": "before << PLACE >> after", "n": 1}).replace("PLACE", disguised)


@pytest.mark.parametrize("cleaner", CLEANERS)
@pytest.mark.parametrize("secret", SECRETS)
@pytest.mark.parametrize("name,disguise", DISGUISES, ids=[name for name, _ in DISGUISES])
def test_a_known_secret_is_found_in_every_disguise(name: str, disguise, secret: str, cleaner: str) -> None:
    text = _echo(disguise(secret))
    assert revealed(text, secret), "the disguise itself must show the secret to a reader"
    cleaned = CLEANERS[cleaner](text, secret)
    assert not revealed(cleaned, secret)
    assert cleaned.startswith('{"echo": "before << ') and cleaned.endswith(' >> after", "n": 1}')


@pytest.mark.parametrize("clean", [scrub, redact], ids=["scrub", "redact"])
@pytest.mark.parametrize("name,disguise", DISGUISES, ids=[name for name, _ in DISGUISES])
def test_an_hf_token_is_found_in_every_disguise_without_being_told(name: str, disguise, clean) -> None:
    # Errors and stream events are redacted without the token at hand: its shape has to be enough.
    cleaned = clean(_echo(disguise(HF_TOKEN)))
    assert not revealed(cleaned, HF_TOKEN)
    assert "before << " in cleaned and " >> after" in cleaned


def test_a_secret_with_an_astral_character_is_found_through_surrogate_escapes() -> None:
    secret = "key-\U0001f511-0123456789abcdef"
    escaped = "".join(f"\\u{unit:04x}" for unit in memoryview(secret.encode("utf-16-le")).cast("H"))
    assert "\\ud83d\\udd11" in escaped
    cleaned = scrub(_echo(escaped), secret)
    assert "0123456789abcdef" not in cleaned and "\\u0030\\u0031\\u0032" not in cleaned
    assert cleaned == _echo("***")


@pytest.mark.parametrize("text,expected", [
    ('{"a": "hf_\\u0041bCdEfGhIjKlMnOpQrStUvWxYz0123 ok"}', '{"a": "hf_*** ok"}'),
    ("id hf_Ab\u200bCdEfGh\u00adIjKlMnOpQrStUvWxYz0123.", "id hf_***."),
    ("Basic dXNlcjpoZl9acTNSdFk4dVZ3MXhLNW1OOXBMczJkRjZnSDBqQjRjWGU3 done", "Basic dXNlcj*** done"),
])
def test_the_mask_covers_the_disguised_span_only(text: str, expected: str) -> None:
    assert scrub(text, HF_TOKEN) in (expected, expected.replace("hf_***", "***"))
    assert scrub(text) == expected.replace("dXNlcj***", "dXNlcjhf_***")


def test_a_token_split_by_invisible_characters_read_as_latin1_is_found() -> None:
    # http.client reads header bytes as Latin-1: a zero-width space there is three odd characters.
    header = (HF_TOKEN[:6] + "\u200b" + HF_TOKEN[6:12] + "\u00ad" + HF_TOKEN[12:]).encode().decode("latin-1")
    assert redact(f"upstream said {header}!") == "upstream said hf_***!"
    assert redact(f"caf\u00c3\u00a9 {header}", HF_TOKEN) == "caf\u00c3\u00a9 ***"


@pytest.mark.parametrize("text,for_people", [
    (json.dumps({"generated_text": "中文输出 with emoji 😀🎉 and a family 👨‍👩‍👧 and ‌ joiners"}), True),  # escaped
    (json.dumps({"generated_text": "中文输出 with emoji 😀🎉 and a family 👨‍👩‍👧"}, ensure_ascii=False), True),
    ('{"text": "soft\u00adhyphen\u200bspace \\u200b \\\\u0041 \\/path"}', True),
    # redact() takes any `hf_` and six letters for a token, as it always has; answers are left alone
    ('{"text": "pip install hf_transfer; export HF_HUB_ENABLE_HF_TRANSFER=1 \\u003cb\\u003e"}', False),
    ("data:image/png;base64," + base64.b64encode(random.Random(7).randbytes(30_000)).decode(), False),
    (base64.urlsafe_b64encode(random.Random(8).randbytes(300_000)).decode(), False),
])
def test_answers_without_a_secret_come_back_as_the_same_object(text: str, for_people: bool) -> None:
    assert scrub(text, HF_TOKEN, ENDPOINT_KEY) is text
    body = text.encode()
    assert scrub(body, HF_TOKEN, ENDPOINT_KEY) is body
    if for_people:
        assert redact(text, HF_TOKEN, ENDPOINT_KEY) == text


def test_binary_media_without_the_token_is_byte_identical() -> None:
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
    noise = random.Random(3).randbytes(1 << 20)
    for body in (png, noise, png + noise, b"\xff\xd8\xff\xe0" + noise):
        assert scrub(body, HF_TOKEN, ENDPOINT_KEY) is body


def test_a_token_inside_binary_media_is_masked_in_place() -> None:
    # A PNG text chunk carrying the token: masked byte for byte, so the file keeps its length and layout.
    png = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x30tEXtComment\x00" + HF_TOKEN.encode() + b"\xde\xad\xbe\xef"
    blob = png + base64.b64encode(b"\x00" + HF_TOKEN.encode() + b"\x00")
    cleaned = scrub(blob, HF_TOKEN)
    head = len(png) - len(HF_TOKEN) - 4
    assert len(cleaned) == len(blob) and cleaned[:head] == png[:head]
    assert cleaned[head:len(png)] == b"*" * len(HF_TOKEN) + b"\xde\xad\xbe\xef"
    assert not revealed(cleaned, HF_TOKEN)


def test_text_cut_inside_its_last_character_is_still_text() -> None:
    # The body cap cuts bytes, not characters: the cut tail stays as it was, the token goes.
    body = f'{{"echo": "{HF_TOKEN[:5]}\u200b{HF_TOKEN[5:]}", "more": "中'.encode()[:-2]
    cleaned = scrub(body, HF_TOKEN)
    assert cleaned == b'{"echo": "***", "more": "' + "中".encode()[:1]


@pytest.mark.parametrize("text,secrets,before", [
    ("Authorization: Bearer hf_abcdef123", (), "Authorization: *** ***"),
    ("token=abcdefgh & api_key: sk-1234567 x", (), "token=*** & api_key: *** x"),
    ("key s3cr3t-value and hf_s3cr3t-value", ("s3cr3t-value",), "key *** and hf_***"),
    ("short hf_abc stays, bearer  xyz goes", (), "short hf_abc stays, bearer  *** goes"),
    ('{"authorization": "Bearer hf_SENTINELtoken0123456789abcdef"}', (), '{"authorization": "*** ***"}'),
    ("x-api-key=abc; hf_abcdef ok", (), "x-api-key=abc; hf_*** ok"),
])
def test_plain_text_is_redacted_exactly_as_before(text: str, secrets: tuple[str, ...], before: str) -> None:
    # `before`: what redact() gave before it decoded anything (text with nothing to decode is unchanged).
    assert redact(text, *secrets) == before


def test_overlapping_matches_merge_into_one_mask() -> None:
    secret = HF_TOKEN[5:30]
    assert scrub(f"<{HF_TOKEN}>", secret) == "<***>"
    assert scrub(f"<{HF_TOKEN}>") == "<hf_***>"


def test_the_invisible_characters_include_every_format_character_of_this_python() -> None:
    ranges = redaction._IGNORABLE_RANGES
    missing = [f"U+{cp:04X}" for cp in range(sys.maxunicode + 1)
               if unicodedata.category(chr(cp)) == "Cf" and not any(lo <= cp <= hi for lo, hi in ranges)]
    assert not missing, f"add these format characters to _IGNORABLE_RANGES: {missing}"


def test_an_escape_of_anything_a_token_is_made_of_is_suspect_and_others_are_not() -> None:
    for char in "azAZ09+/=_-\u200b\u00ad\ufeff":
        assert redaction._may_hide(f"x \\u{ord(char):04x} y", tokenish=True), char
    for char in "中é😀<>&\n\"":
        assert not redaction._may_hide(json.dumps(char), tokenish=True), char
