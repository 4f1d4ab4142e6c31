"""Redaction (T3) and settings: environment, then .env, then defaults; the token never in a repr (T7)."""
from __future__ import annotations

import logging

import pytest

from backend.errors import ConfigError
from backend.redact import RedactingFilter, mask_token, redact
from backend.settings import load_settings, resolve_token
from tests.conftest import SENTINEL


@pytest.mark.parametrize("text", [
    f"Bearer {SENTINEL}", f'{{"authorization": "Bearer {SENTINEL}"}}', f"token={SENTINEL}",
    f"Settings(hf_token='{SENTINEL}')", f"api_key: sk-abcdef123456", "Authorization: Bearer sk-live-123456789",
])
def test_redact_removes_tokens(text: str) -> None:
    cleaned = redact(text)
    assert SENTINEL not in cleaned and "123456789" not in cleaned and "abcdef123456" not in cleaned


def test_redact_removes_an_oauth_token() -> None:
    assert redact("signed in as hf_oauth_AbCdEf0123456789xyz today") == "signed in as hf_*** today"


def test_redact_removes_a_given_secret_of_any_shape() -> None:
    assert redact("key is s3cr3t-value", "s3cr3t-value") == "key is ***"


def test_mask_token() -> None:
    assert mask_token(SENTINEL) == "hf_****cdef" and mask_token(None) == "" and mask_token("hf_short") == "hf_****"


def test_logging_filter(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.redact")
    logger.addFilter(RedactingFilter())
    with caplog.at_level(logging.DEBUG):
        logger.warning("sending %s", f"Bearer {SENTINEL}")
    assert SENTINEL not in caplog.text and "Bearer ***" in caplog.text


def test_environment_wins_over_dotenv_and_defaults(tmp_path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(f"HF_TOKEN={SENTINEL}\nHF_ROUTER_URL=http://from-file:1\nPLAYGROUND_POLL_DEADLINE=60\n")
    settings = load_settings({"HF_ROUTER_URL": "http://from-env:2/"}, env_file)
    assert settings.router_url == "http://from-env:2"
    assert settings.hf_token == SENTINEL and settings.token_source == ".env (HF_TOKEN)"
    assert settings.poll_deadline == 60 and settings.hub_url == "https://huggingface.co"
    assert SENTINEL not in repr(settings)


def test_dotenv_is_not_exported(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os
    env_file = tmp_path / ".env"
    env_file.write_text(f"HF_TOKEN={SENTINEL}\n")
    load_settings(None, env_file)
    assert "HF_TOKEN" not in os.environ


def test_token_order(tmp_path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text("hf_fromfile1234567\n")
    env = {"HF_TOKEN_PATH": str(token_file)}
    assert load_settings(env, None).hf_token == "hf_fromfile1234567"
    assert load_settings({**env, "HUGGING_FACE_HUB_TOKEN": "hf_legacy123456"}, None).hf_token == "hf_legacy123456"
    both = load_settings({**env, "HF_TOKEN": "hf_new1234567", "HUGGING_FACE_HUB_TOKEN": "hf_legacy123456"}, None)
    assert both.hf_token == "hf_new1234567"
    assert resolve_token("hf_visitor12345", both) == "hf_visitor12345"
    assert resolve_token("  ", both) == "hf_new1234567"
    assert load_settings({}, None, read_token_file=False).hf_token is None


@pytest.mark.parametrize("env", [
    {"HF_ROUTER_URL": "router.huggingface.co"}, {"GRADIO_SERVER_PORT": "abc"},
    {"PLAYGROUND_POLL_DEADLINE": "-5"}, {"GRADIO_AUTH": "nopassword"},
])
def test_bad_settings_say_what_is_wrong(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        load_settings(env, None)


@pytest.mark.parametrize("typed", ["hf_abc\u2019def", "hf_abc\r\nX-Evil: 1", "hf_abc\x00", "hf_ａｂｃ", "hf abc"])
def test_typed_tokens_no_server_accepts_are_refused_before_sending(typed: str) -> None:
    from backend.errors import InvalidInput
    with pytest.raises(InvalidInput, match="paste it again"):
        resolve_token(typed, load_settings({}, None, read_token_file=False))


def test_every_loggers_records_are_redacted_once_installed(caplog: pytest.LogCaptureFixture) -> None:
    from backend.redact import install_log_redaction

    previous = install_log_redaction()
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("some.server").warning("upstream said %s", "Bearer hf_abcdefghijklmnopqrstuvwx")
            logging.getLogger("some.library").warning("token=hf_abcdefghijklmnopqrstuvwx in a URL")
    finally:
        logging.setLogRecordFactory(previous)
    assert "hf_abcdefghijklmnopqrstuvwx" not in caplog.text and caplog.text.count("***") >= 2
