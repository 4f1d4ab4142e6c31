"""House rules that keep secrets safe, checked on the source tree (SECURITY.md T7, T14, T15)."""
from __future__ import annotations

import ast
import re
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON_FILES = [p for p in ROOT.rglob("*.py") if not {".ci-venv", "venv", ".venv"} & set(p.parts)]


def test_dotenv_is_never_exported() -> None:
    exporter = "load_" + "dotenv("  # spelled apart so this file does not match itself
    offenders = [p for p in PYTHON_FILES if exporter in p.read_text()]
    assert offenders == []


def test_backend_never_imports_gradio() -> None:
    for path in (ROOT / "backend").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n.split(".")[0] == "gradio" for n in names), path


def test_env_example_has_only_placeholders_and_env_is_ignored() -> None:
    example = (ROOT / ".env.example").read_text()
    assert not re.search(r"hf_[A-Za-z0-9]{6,}", example)
    assert re.search(r"^HF_TOKEN=\s*$", example, re.M)
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def test_no_token_shaped_strings_in_the_source() -> None:
    pattern = re.compile(r"hf_[A-Za-z0-9]{30,}")
    assert [p for p in PYTHON_FILES if pattern.search(p.read_text())] == []


def test_dependencies_exclude_known_vulnerable_releases() -> None:
    requirements = (ROOT / "requirements.txt").read_text()
    assert "gradio[oauth]>=6.22,<7" in requirements and "requests>=2.32.4" in requirements
    major, minor = (int(x) for x in version("gradio").split(".")[:2])
    assert (major, minor) >= (6, 22)
    assert tuple(int(x) for x in version("requests").split(".")[:3]) >= (2, 32, 4)


def test_every_setting_the_app_reads_is_in_env_example() -> None:
    source = (ROOT / "backend" / "settings.py").read_text()
    read = set(re.findall(r'get\("([A-Z_]+)"', source)) | {"HF_TOKEN"}
    example = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), re.M))
    # Spaces set SPACE_ID and OAUTH_CLIENT_ID; HF_TOKEN_PATH is huggingface_hub's own.
    assert read - {"SPACE_ID", "OAUTH_CLIENT_ID", "HF_TOKEN_PATH"} <= example
