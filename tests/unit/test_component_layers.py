"""The UI package's imports run one way: panels (`components/<panel>.py`: handles and how they are
built) below `events.py` (the `Page`), below the listeners (`*_events.py`, the tabs) and `page.py`
on top. No module reaches back up, not even for a type (`if TYPE_CHECKING:` imports count too), so
each module can be read, imported and tested without the ones above it.
"""
from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
COMPONENTS = ROOT / "components"


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    """The modules of this repository that `path` imports anywhere in its text, type-only imports included."""
    package = _module(path).rsplit(".", 1)[0] if path.name != "__init__.py" else _module(path)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            names = [f"{target}.{alias.name}" for alias in node.names]
            found.update(name for name in [target, *names] if _is_local(name))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if _is_local(alias.name))
    return found


def _is_local(name: str) -> bool:
    return (ROOT / Path(*name.split("."))).with_suffix(".py").is_file() or (ROOT / Path(*name.split("."))).is_dir()


def _graph() -> dict[str, set[str]]:
    modules = {_module(path): path for path in COMPONENTS.rglob("*.py")}
    return {name: {target for target in _imports(path) if target in modules and target != name}
            for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, as the modules along it, or [] when there is none."""
    state: dict[str, int] = {}
    trail: list[str] = []

    def visit(name: str) -> list[str]:
        state[name] = 1
        trail.append(name)
        for target in sorted(graph[name]):
            if state.get(target) == 1:
                return [*trail[trail.index(target):], target]
            if target not in state and (found := visit(target)):
                return found
        state[name] = 2
        trail.pop()
        return []

    for name in sorted(graph):
        if name not in state and (found := visit(name)):
            return found
    return []


def test_the_ui_modules_import_one_way() -> None:
    assert _cycle(_graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) == []


def test_panels_do_not_know_the_page() -> None:
    """Only listeners and the page's own layout import `events` (the Page)."""
    importers = {name for name, targets in _graph().items() if "components.events" in targets}
    allowed = {"components.page", "components.compare", "components.warmup", "components.refill",
               "components.side_by_side"}
    assert {name for name in importers if not name.endswith("_events")} <= allowed

