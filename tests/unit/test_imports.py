"""No import cycles among the project's own modules, deferred imports inside functions included.

import-linter (`make lint`) keeps the layers; it cannot tell a cycle in general, so this reads every
import with `ast` and looks for strongly connected modules.
"""

import ast
import functools
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app.py", "services", "web", "seeding", "journeys", "bench")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_modules() -> dict[str, Path]:
    files = []
    for entry in PACKAGES:
        place = ROOT / entry
        files += [place] if place.is_file() else sorted(place.rglob("*.py"))
    return {module_name(path): path for path in files}


def imported(module: str, path: Path, known: set[str]) -> set[str]:
    """The project's modules that `module` imports anywhere in its text; `from a import b` means a.b when b is one."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{anchor}.{base}" if base else anchor
            found |= {f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names}
    return {name for name in found if name in known and name != module}


@functools.cache  # the tree does not change during a run; two tests read it
def import_graph() -> dict[str, set[str]]:
    modules = project_modules()
    known = set(modules)
    return {module: imported(module, path, known) for module, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, groups = {}, {}, [], set(), []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def describe(group: list[str], graph: dict[str, set[str]]) -> str:
    members = set(group)
    return "; ".join(f"{source} -> {target}" for source in group for target in sorted(graph[source] & members))


def test_the_project_has_no_import_cycle():
    graph = import_graph()
    found = [describe(group, graph) for group in cycles(graph)]
    assert not found, "import cycles:\n" + "\n".join(found)


def test_the_cycle_finder_names_every_import_of_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]
    assert describe(["a", "b", "c"], graph) == "a -> b; b -> c; c -> a"


def test_imports_inside_functions_and_from_packages_are_read(tmp_path):
    source = tmp_path / "pkg" / "mod.py"
    source.parent.mkdir()
    source.write_text("from pkg import other\n\ndef later():\n    from pkg.deep import thing\n    import os\n")
    known = {"pkg", "pkg.mod", "pkg.other", "pkg.deep"}
    assert imported("pkg.mod", source, known) == {"pkg.other", "pkg.deep"}


def test_the_graph_covers_every_package():
    graph = import_graph()
    assert {"app", "services.workflow.rules", "web.cli", "seeding.cli", "journeys.cli", "bench.load"} <= set(graph)
    assert "services.workflow.shared" in graph["services.workflow.task_rules"]
