"""The import graph keeps the layers: no import cycle between areas, no import from a lower
layer to a higher one, no function-level import across areas, and grader/ knows neither Flask
nor docklab.

Every module under docklab/ and grader/ is read with `ast` (nothing is imported), and every
import in it counts, at the top of the file or inside a function. An area is a sub-package of
docklab (docklab/labs/...), a top-level module of docklab (docklab/settings.py), the app
factory itself (docklab/__init__.py, called "docklab") or grader/.

LAYERS is the one statement of the layering; docs/architecture.md quotes it. When a test here
fails, fix the import (move the function to the lower area, or pass a value in, or let the
higher area register itself with the lower one), not the list, unless the list is wrong.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("docklab", "grader")

# Bottom to top: (the areas on this layer, what lives there). An area may import areas of its
# own layer (no circles) and of any layer below it, never of a layer above.
LAYERS: list[tuple[tuple[str, ...], str]] = [
    (("grader",),
     "the grading engine: lab files, check kinds, host connections, results; no Flask"),
    (("content",),
     "quiz content as pure Python: notes, question files, question kinds, answer checking"),
    (("config", "settings", "extensions", "dbtypes", "models", "errors", "i18n", "crypto",
      "ratelimit", "security", "navigation", "dates", "forms", "access", "backup"),
     "the core every area shares: settings, the database, its UTC time column and the User, "
     "errors, languages and message catalogs, secrets, rate limits, security headers and safe "
     "redirects, the menu registry, times, the CSRF-only form, access decorators, backups"),
    (("library",),
     "the one content store: notes, question bank, annotations and labs, loaded and checked "
     "once at start (library.init), read through library.current()"),
    (("auth", "main"),
     "accounts (sign up, log in, tokens, hooks other areas add to logging in) and the site's "
     "shell (home page, language switch, health check)"),
    (("quiz",),
     "the notes page, quizzes, spaced repetition, the loaded question bank"),
    (("hosts",),
     "learners' Docker hosts and the SSRF guard (hosts/policy.py, the only copy of its rules)"),
    (("sandboxes",),
     "a Docker engine per learner, its terminal, the course registry"),
    (("labs",),
     "lab pages, Check (grading through hosts or sandboxes), attempts, the own-machine path"),
    (("classes",),
     "classes: models, join codes and invites, assignments, the class's host allow-list, class "
     "progress (board rows, students' to-do lists), the students' class pages"),
    (("instructor",),
     "staff pages: board view, lab funnels, question statistics, CSV exports, timelines, new "
     "passwords for learners, the admin's user roles"),
    (("api",),
     "the JSON API (/api/v1), one module per area it serves"),
    (("docklab", "cli"),
     "the app factory (docklab/__init__.py), which registers every area, and its commands"),
]

# The one allowed kind of function-level import across areas: the factory imports each area
# inside create_app (Flask's factory pattern: importing docklab.content must not load every area).
NESTED_IMPORTS_ALLOWED = {
    ("docklab/__init__.py", None),  # any area: the factory sits on top of them all
}


@dataclass(frozen=True)
class Import:
    source: str  # the importing file, relative to the repository
    line: int
    module: str  # the imported module, absolute ("docklab.hosts.services", "flask")
    nested: bool  # inside a function rather than at the top of the module


def area_of(module: str) -> str | None:
    """docklab.labs.services -> "labs", docklab.settings -> "settings", docklab -> "docklab",
    grader.* -> "grader"; None for anything else (the standard library, third parties)."""
    parts = module.split(".")
    if parts[0] == "grader":
        return "grader"
    if parts[0] != "docklab":
        return None
    return parts[1] if len(parts) > 1 else "docklab"


def _area_of_file(source: str) -> str | None:
    """docklab/labs/services.py -> "labs", docklab/__init__.py -> "docklab"."""
    return area_of(source.removesuffix(".py").removesuffix("/__init__").replace("/", "."))


def module_files(root: Path) -> dict[str, Path]:
    """Every module under the packages, by dotted name (a package by its __init__.py)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


class _ImportReader(ast.NodeVisitor):
    def __init__(self, name: str, is_package: bool, known: set[str], source: str) -> None:
        self.package = name if is_package else name.rpartition(".")[0]
        self.known = known
        self.source = source
        self.depth = 0  # how many functions the visitor is inside
        self.found: list[Import] = []

    def _function(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = visit_Lambda = _function

    def _add(self, node: ast.stmt, module: str) -> None:
        self.found.append(Import(self.source, node.lineno, module, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(node, alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[:len(base) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        else:
            target = node.module or ""
        for alias in node.names:
            # `from . import services` imports a module; `from .models import LAB` a name
            submodule = f"{target}.{alias.name}"
            self._add(node, submodule if submodule in self.known else target)


def read_imports(root: Path) -> list[Import]:
    files = module_files(root)
    known = set(files)
    found: list[Import] = []
    for name, path in files.items():
        reader = _ImportReader(name, path.name == "__init__.py", known,
                               str(path.relative_to(root)))
        reader.visit(ast.parse(path.read_text(encoding="utf-8"), filename=str(path)))
        found.extend(dict.fromkeys(reader.found))  # `from .x import a, b` is one import of x
    return found


def area_edges(imports: list[Import]) -> dict[tuple[str, str], list[Import]]:
    """(importing area, imported area) -> where, for imports between two different areas."""
    edges: dict[tuple[str, str], list[Import]] = defaultdict(list)
    for item in imports:
        source = _area_of_file(item.source)
        target = area_of(item.module)
        if source is not None and target is not None and source != target:
            edges[(source, target)].append(item)
    return dict(edges)


def _where(item: Import) -> str:
    return f"{item.source}:{item.line}"


def layer_problems(layers: list[tuple[tuple[str, ...], str]], areas: set[str]) -> list[str]:
    listed = [area for names, _what in layers for area in names]
    problems = [f"{area} is on more than one layer" for area in sorted(set(listed))
                if listed.count(area) > 1]
    problems += [f"{area} is in no layer: add it to LAYERS" for area in sorted(areas - set(listed))]
    problems += [f"{area} is in LAYERS but no such area exists" for area in
                 sorted(set(listed) - areas)]
    return problems


def upward_imports(edges: dict[tuple[str, str], list[Import]],
                   layers: list[tuple[tuple[str, ...], str]]) -> list[str]:
    level = {area: index for index, (names, _what) in enumerate(layers) for area in names}
    problems = []
    for (source, target), where in sorted(edges.items()):
        if source in level and target in level and level[target] > level[source]:
            problems.append(f"{_where(where[0])}: {source} (layer {level[source]}) imports "
                            f"{where[0].module} from {target} (layer {level[target]}), a "
                            f"higher layer")
    return problems


def cycles(edges: dict[tuple[str, str], list[Import]]) -> list[list[str]]:
    """Each group of areas that import each other round a circle (Tarjan's strongly connected
    components of more than one area), sorted."""
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in edges:
        graph[source].add(target)
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(area: str) -> None:
        index[area] = lowest[area] = len(index)
        stack.append(area)
        on_stack.add(area)
        for target in sorted(graph[area]):
            if target not in index:
                visit(target)
                lowest[area] = min(lowest[area], lowest[target])
            elif target in on_stack:
                lowest[area] = min(lowest[area], index[target])
        if lowest[area] == index[area]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == area:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for area in sorted(graph):
        if area not in index:
            visit(area)
    return sorted(found)


def nested_cross_area_imports(imports: list[Import], allowed=frozenset()) -> list[str]:
    problems = []
    for item in imports:
        source = _area_of_file(item.source)
        target = area_of(item.module)
        if not item.nested or target is None or source == target:
            continue
        if (item.source, None) in allowed or (item.source, target) in allowed:
            continue
        problems.append(f"{_where(item)}: {item.module} imported inside a function (import it "
                        f"at the top; if that makes a circle, fix the layering)")
    return problems


def _web(module: str) -> bool:
    top = module.split(".")[0]
    return top in ("flask", "docklab") or top.startswith("flask_")


def grader_problems(imports: list[Import]) -> list[str]:
    return [f"{_where(item)}: grader imports {item.module}" for item in imports
            if item.source.startswith("grader/") and _web(item.module)]


def _is_registry(node: ast.AST) -> bool:
    """current_app.blueprints or current_app.view_functions"""
    return (isinstance(node, ast.Attribute) and node.attr in ("blueprints", "view_functions")
            and isinstance(node.value, ast.Name) and node.value.id == "current_app")


def _asks_whether_loaded(node: ast.AST) -> bool:
    # Membership tests and .get() on the app's registries ask whether something is there;
    # reading the current request's own view (view_functions[request.endpoint]) does not.
    if isinstance(node, ast.Attribute) and node.attr == "find_spec":
        return True
    if isinstance(node, ast.Compare) and any(isinstance(op, (ast.In, ast.NotIn))
                                             for op in node.ops):
        return any(_is_registry(side) for side in node.comparators)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        # .get("quiz.index") names another area's endpoint; .get(request.endpoint) does not
        return (node.func.attr == "get" and _is_registry(node.func.value) and bool(node.args)
                and isinstance(node.args[0], ast.Constant))
    if isinstance(node, ast.ExceptHandler) and node.type is not None:
        return "ImportError" in ast.unparse(node.type)
    return False


def area_guards(root: Path, allowed=frozenset()) -> list[str]:
    """Code that asks whether an area is loaded (`"quiz" in current_app.blueprints`, an
    endpoint looked up in `current_app.view_functions`, `except ImportError`, `find_spec`):
    every area always is, so such a branch is dead and hides a real dependency."""
    problems = []
    for path in sorted((root / "docklab").rglob("*.py")):
        source = str(path.relative_to(root))
        if source in allowed:
            continue
        nodes = sorted((node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                        if hasattr(node, "lineno")), key=lambda node: node.lineno)
        for node in nodes:
            if _asks_whether_loaded(node):
                problems.append(f"{source}:{node.lineno}: asks whether an area is loaded")
    return problems


# No file may ask whether another area is loaded: every area always is.
AREA_GUARDS_ALLOWED: set[str] = set()


# --- the real code -------------------------------------------------------------------------------
IMPORTS = read_imports(ROOT)
EDGES = area_edges(IMPORTS)
AREAS = {area for edge in EDGES for area in edge} | {
    area_of(name) for name in module_files(ROOT) if area_of(name) is not None}


def test_every_area_is_on_exactly_one_layer():
    assert layer_problems(LAYERS, AREAS) == []


def test_no_import_cycle_between_areas():
    assert cycles(EDGES) == []


def test_no_import_from_a_lower_layer_to_a_higher_one():
    assert upward_imports(EDGES, LAYERS) == []


def test_no_function_level_import_across_areas():
    assert nested_cross_area_imports(IMPORTS, NESTED_IMPORTS_ALLOWED) == []


def test_no_area_asks_whether_another_is_loaded():
    assert area_guards(ROOT, AREA_GUARDS_ALLOWED) == []


def test_grader_imports_neither_flask_nor_docklab():
    assert grader_problems(IMPORTS) == []


def test_the_reader_sees_the_real_graph():
    """The checks above are only as good as the reading: known arrows of the code are there,
    relative and absolute imports alike, and every package is read."""
    assert ("labs", "hosts") in EDGES  # from ..hosts import services as hosts
    assert ("labs", "grader") in EDGES  # import grader
    assert ("classes", "labs") in EDGES  # the catalog lists the labs
    assert ("hosts", "classes") not in EDGES  # classes register their entries instead
    assert len(IMPORTS) > 500
    assert {"grader", "content", "labs", "classes", "instructor", "api", "docklab"} <= AREAS


# --- the checker itself, on a planted graph ------------------------------------------------------
def _plant(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


PLANTED_LAYERS = [(("grader",), ""), (("settings",), ""), (("quiz",), ""), (("labs",), ""),
                  (("docklab",), "")]


def test_a_planted_upward_import_fails(tmp_path):
    """quiz (low) reaching up into labs inside a function, and labs importing quiz at the top:
    an upward arrow, a circle and a function-level import, each named with file and line."""
    _plant(tmp_path, {
        "grader/__init__.py": "",
        "docklab/__init__.py": "def create_app():\n    from .labs import routes\n",
        "docklab/settings.py": "import grader\n",
        "docklab/quiz/__init__.py": "",
        "docklab/quiz/services.py": ("from .. import settings\n\n\n"
                                     "def mark_due():\n    from ..labs import services\n"),
        "docklab/labs/__init__.py": "",
        "docklab/labs/routes.py": "from . import services\n",
        "docklab/labs/services.py": "from docklab.quiz.services import mark_due\n",
    })
    imports = read_imports(tmp_path)
    edges = area_edges(imports)
    assert set(edges) == {("docklab", "labs"), ("settings", "grader"), ("quiz", "settings"),
                          ("quiz", "labs"), ("labs", "quiz")}
    assert upward_imports(edges, PLANTED_LAYERS) == [
        "docklab/quiz/services.py:5: quiz (layer 2) imports docklab.labs.services from labs "
        "(layer 3), a higher layer"]
    assert cycles(edges) == [["labs", "quiz"]]
    assert nested_cross_area_imports(imports, {("docklab/__init__.py", None)}) == [
        "docklab/quiz/services.py:5: docklab.labs.services imported inside a function (import "
        "it at the top; if that makes a circle, fix the layering)"]
    # Without the planted arrow the same graph is clean.
    del edges[("quiz", "labs")]
    assert upward_imports(edges, PLANTED_LAYERS) == [] and cycles(edges) == []


def test_a_fake_upward_edge_fails_against_the_real_layers():
    """The real LAYERS refuse an arrow from hosts up to classes (the one the classes area's
    registration replaced) and a circle through it."""
    planted = Import("docklab/hosts/services.py", 1, "docklab.classes.services", False)
    edges = {**EDGES, ("hosts", "classes"): [planted]}
    assert upward_imports(edges, LAYERS) == [
        "docklab/hosts/services.py:1: hosts (layer 6) imports docklab.classes.services from "
        "classes (layer 9), a higher layer"]
    assert any({"hosts", "classes"} <= set(group) for group in cycles(edges))


def test_an_area_missing_from_the_layers_fails():
    assert layer_problems(LAYERS[:-1], AREAS) == [
        f"{area} is in no layer: add it to LAYERS" for area in sorted(LAYERS[-1][0])]
    assert layer_problems([*LAYERS, (("ghost",), "")], AREAS) == [
        "ghost is in LAYERS but no such area exists"]


def test_a_planted_area_guard_fails(tmp_path):
    _plant(tmp_path, {"docklab/api/labs.py": (
        "from flask import current_app\n\n\ndef progress():\n"
        "    if 'quiz' in current_app.blueprints:\n        return 1\n"
        "    try:\n        import docklab.quiz\n    except ImportError:\n        return 2\n")})
    assert area_guards(tmp_path) == [
        "docklab/api/labs.py:5: asks whether an area is loaded",
        "docklab/api/labs.py:9: asks whether an area is loaded"]


def test_looking_up_an_endpoint_is_a_guard_but_reading_the_current_view_is_not(tmp_path):
    _plant(tmp_path, {"docklab/api/labs.py": (
        "from flask import current_app, request\n\n\ndef link():\n"
        "    if current_app.view_functions.get('quiz.index'):\n        return 1\n"
        "    view = current_app.view_functions.get(request.endpoint or '')\n"
        "    return view or current_app.view_functions[request.endpoint]\n")})
    assert area_guards(tmp_path) == ["docklab/api/labs.py:5: asks whether an area is loaded"]


def test_grader_importing_flask_fails(tmp_path):
    _plant(tmp_path, {"grader/__init__.py": "", "docklab/__init__.py": "",
                      "grader/web.py": "import flask\nfrom flask_login import current_user\n\n\n"
                                       "def f():\n    from docklab import settings\n"})
    assert grader_problems(read_imports(tmp_path)) == [
        "grader/web.py:1: grader imports flask", "grader/web.py:2: grader imports flask_login",
        "grader/web.py:6: grader imports docklab"]


def test_the_architecture_doc_names_every_area_on_its_layer():
    """docs/architecture.md's layer table says the same as LAYERS: row N names layer N's areas."""
    doc = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    rows = {int(number): set(re.findall(r"`([a-z0-9_]+)`", areas))
            for number, areas in re.findall(r"^\| (\d+) \| ([^|]+) \|", doc, flags=re.M)}
    assert rows == {number: set(areas) for number, (areas, _what) in enumerate(LAYERS)}
