"""How the app launches: safe defaults, refusing to share the operator's token by accident, and a
backend that never imports gradio.
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import launch_kwargs
from backend import load_settings
from backend.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


def settings(**environ: str):  # type: ignore[no-untyped-def]
    return load_settings(environ, env_file=None, read_token_file=False)


def test_defaults_listen_locally_share_nothing_and_keep_nothing_in_the_browser() -> None:
    kwargs = launch_kwargs(settings())

    assert kwargs["server_name"] == "127.0.0.1" and kwargs["share"] is False
    assert kwargs["run_history"] is False, "Gradio would keep password fields in localStorage"
    assert "runs" not in kwargs["footer_links"]
    assert kwargs["auth"] is None and "strict_cors" not in kwargs


@pytest.mark.parametrize("environ", [
    {"GRADIO_SERVER_NAME": "0.0.0.0", "HF_TOKEN": "hf_operator0000000000"},
    {"GRADIO_SERVER_NAME": "192.168.1.20", "HF_TOKEN": "hf_operator0000000000", "PLAYGROUND_SHARE_SERVER_TOKEN": "0"},
], ids=["all-interfaces", "lan-address"])
def test_a_public_app_with_the_operators_token_and_no_auth_refuses_to_start(environ: dict[str, str]) -> None:
    with pytest.raises(ConfigError) as raised:
        launch_kwargs(settings(**environ))

    assert "GRADIO_AUTH" in str(raised.value) and "PLAYGROUND_SHARE_SERVER_TOKEN" in str(raised.value)


@pytest.mark.parametrize("environ", [
    {"GRADIO_SERVER_NAME": "0.0.0.0", "HF_TOKEN": "hf_operator0000000000", "GRADIO_AUTH": "alice:long-password"},
    {"GRADIO_SERVER_NAME": "0.0.0.0", "HF_TOKEN": "hf_operator0000000000", "PLAYGROUND_SHARE_SERVER_TOKEN": "1"},
    {"GRADIO_SERVER_NAME": "0.0.0.0"},
    {"HF_TOKEN": "hf_operator0000000000"},
], ids=["with-auth", "shared-on-purpose", "no-token", "local-only"])
def test_safe_configurations_start(environ: dict[str, str]) -> None:
    kwargs = launch_kwargs(settings(**environ))

    assert kwargs["server_name"] == environ.get("GRADIO_SERVER_NAME", "127.0.0.1")


def test_auth_comes_from_gradio_auth() -> None:
    kwargs = launch_kwargs(settings(GRADIO_AUTH="alice:long-password"))

    assert kwargs["auth"] == ("alice", "long-password")


def test_launch_kwargs_is_pure() -> None:
    config = settings(GRADIO_SERVER_PORT="7999")

    assert launch_kwargs(config) == launch_kwargs(config)
    assert launch_kwargs(config)["server_port"] == 7999


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "backend").glob("*.py")), ids=lambda p: p.name)
def test_the_backend_never_imports_gradio(path: Path) -> None:
    assert not {"gradio", "gradio_client"} & _imported_modules(path)


@pytest.mark.parametrize("path", sorted((ROOT / "components" / "handlers").glob("*.py")), ids=lambda p: p.name)
def test_handlers_are_plain_functions_that_never_import_gradio(path: Path) -> None:
    assert "gradio" not in _imported_modules(path)


def test_importing_the_app_turns_gradio_analytics_off_first() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GRADIO_ANALYTICS_ENABLED"}
    code = "import os, app, gradio.analytics as a; print(os.environ['GRADIO_ANALYTICS_ENABLED'], a.analytics_enabled())"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)

    assert result.stdout.split() == ["False", "False"], result.stderr
