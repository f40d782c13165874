"""The house's rules that `lint-imports` does not state: no two modules import each other, even
through others, and no module grows past what one reader holds in mind (about 500 lines).

The layers themselves (bot > handlers > services > render | storage > plans > config), the pure
domain and "only handlers and bot speak Telegram" are import-linter contracts in pyproject.toml,
checked by `.ci/run`.
"""

from __future__ import annotations

from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("bot", "handlers", "services", "render", "storage", "plans", "config", "sandbox")
MAX_LINES = 500


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work = [(start, iter(sorted(imports.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(imports.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_through_others() -> None:
    # Imports under `if TYPE_CHECKING:` are left out: they never run, they only name types.
    graph = grimp.build_graph(*PACKAGES, exclude_type_checking_imports=True)
    imports = {
        module: {
            m
            for m in graph.find_modules_directly_imported_by(module)
            if m.split(".")[0] in PACKAGES
        }
        for module in graph.modules
        if module.split(".")[0] in PACKAGES
    }
    # a package's __init__ importing its own modules is how packages are built, not a cycle
    for module, imported in imports.items():
        if not module.count("."):
            imports[module] = {m for m in imported if not m.startswith(module + ".")}
    assert _cycles(imports) == []


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): n
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}
