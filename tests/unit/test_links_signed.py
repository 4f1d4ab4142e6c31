"""Frozen links signed with the deployment's secret (issue 13): a link this playground made verifies;
one byte of its answer changed, another secret, or a link from before signing does not (and still opens).
Only a run the deployment vouches for is signed (issue 19): an imported or crafted one never is.
"""
from __future__ import annotations

import base64
import os
import stat
import zlib

import pytest

from backend import Settings
from backend.history import HistoryEntry
from backend.links import MISMATCHED, UNSIGNED, form_from_query, freeze, thaw, thaw_checked
from backend.provenance import Provenance
from backend.signing import SIGNATURE_BYTES, link_secret

SECRET, OTHER = b"s" * 64, b"o" * 64
IMPORTED = HistoryEntry(when=1_700_000_000.0, model="google-bert/bert-base-uncased", task="fill-mask",
                        inputs={"text": "Paris is the [MASK] of France."}, status=200, latency=0.2,
                        response=[{"token_str": "capital", "score": 0.99}], content_type="application/json")
ENTRY = Provenance.for_link_secret(SECRET).vouch(IMPORTED)  # a run this deployment finished


def _edited(token: str, old: bytes, new: bytes) -> str:
    """The same signed token with part of its packed answer changed, the signature left as it was."""
    packed = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    head, compressed = packed[:1 + SIGNATURE_BYTES], packed[1 + SIGNATURE_BYTES:]
    raw = zlib.decompress(compressed)
    assert old in raw
    changed = head + zlib.compress(raw.replace(old, new, 1), 9)
    return base64.urlsafe_b64encode(changed).rstrip(b"=").decode()


def test_a_link_signed_here_verifies() -> None:
    entry, verified = thaw_checked(freeze(ENTRY, SECRET), SECRET)
    assert verified and entry.to_dict() == ENTRY.to_dict()
    assert form_from_query({"frozen": freeze(ENTRY, SECRET)}, SECRET).frozen_verified


@pytest.mark.parametrize("token", [
    pytest.param(_edited(freeze(ENTRY, SECRET), b"capital", b"kapital"), id="one-byte-of-the-answer-changed"),
    pytest.param(freeze(Provenance.for_link_secret(OTHER).vouch(IMPORTED), OTHER), id="another-secret"),
    pytest.param(freeze(ENTRY), id="from-before-signing"),
])
def test_edited_foreign_and_old_links_open_but_are_not_verified(token: str) -> None:
    form = form_from_query({"frozen": token}, SECRET)
    assert form.frozen is not None and not form.frozen_verified and not form.warnings
    assert form.frozen_why in (UNSIGNED, MISMATCHED)
    assert thaw(token).model == ENTRY.model


@pytest.mark.parametrize("entry", [
    pytest.param(IMPORTED, id="imported-unmarked"),
    pytest.param(Provenance.for_link_secret(OTHER).vouch(IMPORTED), id="marked-by-another-deployment"),
    pytest.param(ENTRY.__class__(**{**ENTRY.to_dict(), "response": [{"token_str": "made up", "score": 1.0}]},
                                 mark=ENTRY.mark), id="a-vouched-mark-on-a-made-up-answer"),
])
def test_a_run_this_deployment_does_not_vouch_for_is_never_signed(entry: HistoryEntry) -> None:
    form = form_from_query({"frozen": freeze(entry, SECRET)}, SECRET)
    assert form.frozen is not None and not form.frozen_verified
    assert form.frozen_why == UNSIGNED and "imported" in form.frozen_why


def test_the_mark_is_never_part_of_a_links_or_an_exports_content() -> None:
    assert "mark" not in ENTRY.to_dict() and ENTRY.mark
    assert thaw(freeze(ENTRY, SECRET)).mark == "", "a link brings an entry in unmarked"


def test_without_the_setting_a_secret_is_made_once_and_kept_private(tmp_path) -> None:
    path = tmp_path / "secret"
    settings = Settings(link_secret_file=str(path))
    first = link_secret(settings)
    assert len(first) >= 32 and path.read_bytes().strip() == first
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert link_secret(Settings(link_secret_file=str(path))) == first
    assert link_secret(Settings(link_secret="set-by-the-operator", link_secret_file=str(path))) \
        == b"set-by-the-operator"
    assert "set-by-the-operator" not in repr(Settings(link_secret="set-by-the-operator"))
