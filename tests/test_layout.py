"""The package layout: subpackages by role, and no module that imports one that imports it back."""

import ast
import subprocess

from tests.conftest import REPO

PACKAGE = REPO / "pipeline"


def module_name(path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path) -> set[str]:
    """Every pipeline module the file imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pipeline"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("pipeline"))
    return found


def import_graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {m for m in imports_of(path) if m in modules and m != name and not name.startswith(m + ".")
                   and m != "pipeline"}
            for name, path in modules.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str]:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return []


def test_no_module_imports_itself_back_through_others():
    assert find_cycle(import_graph()) == []


def test_the_cycle_finder_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_at_most_six_modules_sit_at_the_top_and_the_roles_are_subpackages():
    top = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top) <= 6, top
    for role in ("stages", "batch", "learning", "report"):
        assert (PACKAGE / role / "__init__.py").exists()


def test_stages_never_import_the_batch_machinery_or_reports():
    graph = import_graph()
    for name, imported in graph.items():
        if name.startswith("pipeline.stages"):
            outside = {m for m in imported if m.startswith(("pipeline.batch", "pipeline.report", "pipeline.cli"))}
            assert not outside, name


def test_what_users_produce_is_ignored_by_git_and_the_shipped_gold_is_not():
    produced = ["data/gold/records.jsonl", "data/gold/texts.jsonl", "data/gold/.lock", "data/learned/gazetteer.yaml",
                "data/learned/decisions.json", "data/models/ner-0123/meta.json", "data/out/incidents.csv",
                "site/index.html"]
    shipped = ["data/gold/samples.gold.jsonl", "data/raw/s01_minato_ransomware.txt", "docs/index.md"]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", *produced, *shipped], cwd=REPO,
                             capture_output=True, text=True).stdout.split()
    assert ignored == produced
