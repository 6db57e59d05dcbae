"""The package's layering, checked on the source (stdlib ``ast``, nothing imported or run).

Direction of imports, lowest first::

    config, extensions → models → domain → {push, edge} → {jobs, exports} → {web, realtime}
        → ops → create_app (facilitation/__init__.py)

A module may import its own layer's package and anything lower, never higher; sibling
packages of one layer ({push, edge}, {jobs, exports}, {web, realtime}) never import each
other. On top of the direction:

* ``domain`` and ``push`` never read the request: no ``flask.request``/``session``/``g``
  (push runs after the commit, also from the timer loop, where there is no request);
* ``domain`` never sends nor commits: no ``flask_socketio``/``socketio``, no
  ``extensions.socketio``, no ``.commit()`` call. It may use ``flask_babel`` (``gettext``,
  ``lazy_gettext``): its errors carry the user-facing message, translated where raised;
* no import cycle between modules of the package, function-local imports included
  (``if TYPE_CHECKING:`` blocks excluded: they never run).

Every failure names the module, the line and the import. Violations that another branch is
fixing are listed in ``KNOWN_*`` below, each with why; an entry that no longer matches
anything fails too, so the lists only shrink.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "facilitation"
ROOT = Path(__file__).resolve().parent.parent / PACKAGE

#: Top-level part of the package → rank; a module may import equal or lower ranks only.
LAYERS: dict[str, int] = {
    "config": 0,
    "extensions": 0,
    "translations": 0,
    "models": 1,
    "domain": 2,
    "push": 3,
    "edge": 3,
    "jobs": 4,
    "exports": 4,
    "web": 5,
    "realtime": 5,
    "ops": 6,
    "": 7,  # facilitation/__init__.py: create_app wires everything
}

#: What never to import from these parts (a module name, or ``module.name``).
FORBIDDEN: dict[str, tuple[str, ...]] = {
    "domain": (
        "flask.request",
        "flask.session",
        "flask.g",
        "flask_socketio",
        "socketio",
        "facilitation.extensions.socketio",
    ),
    "push": ("flask.request", "flask.session", "flask.g"),
    "models": ("flask", "flask_socketio", "flask_babel"),
}

#: Cycles known on main and being removed elsewhere; each frozenset is one cycle's modules.
KNOWN_CYCLES: set[frozenset[str]] = set()
#: ``(importer, imported)`` pairs known to break the direction; none today.
KNOWN_UPWARD: set[tuple[str, str]] = set()


@dataclass(frozen=True)
class Import:
    importer: str
    target: str  # a module of the package, or an external module
    names: tuple[str, ...]  # for ``from x import a, b``: a, b (else empty)
    line: int

    def where(self) -> str:
        path = self.importer.replace(".", "/")
        return f"{path}.py:{self.line}"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(p): p
        for p in sorted(ROOT.rglob("*.py"))
        if "migrations" not in p.relative_to(ROOT).parts
    }


def _type_checking_lines(tree: ast.AST) -> set[int]:
    """Lines under ``if TYPE_CHECKING:`` (never executed)."""
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    for sub in ast.walk(child):
                        if hasattr(sub, "lineno"):
                            lines.add(sub.lineno)
    return lines


def _imports(modules: dict[str, Path]) -> list[Import]:
    found: list[Import] = []
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        skip = _type_checking_lines(tree)
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in skip:
                continue
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found.append(Import(name, alias.name, (), node.lineno))
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    package = name if is_package else name.rpartition(".")[0]
                    for _ in range(node.level - 1):
                        package = package.rpartition(".")[0]
                    base = f"{package}.{base}" if base else package
                for alias in node.names:
                    # ``from facilitation.push import cards`` imports the module ``cards``.
                    sub = f"{base}.{alias.name}"
                    if sub in modules:
                        found.append(Import(name, sub, (), node.lineno))
                    else:
                        found.append(Import(name, base, (alias.name,), node.lineno))
    return found


MODULES = _modules()
IMPORTS = _imports(MODULES)


def _part(module: str) -> str:
    """``facilitation.push.cards`` → ``push``; the package itself → ``""``."""
    rest = module.removeprefix(PACKAGE).lstrip(".")
    return rest.partition(".")[0]


def _internal(target: str) -> bool:
    return target == PACKAGE or target.startswith(PACKAGE + ".")


def test_the_scan_sees_the_package() -> None:
    # A wrong root would make every contract below pass vacuously.
    assert "facilitation.domain" in MODULES and "facilitation.web" in MODULES
    assert len(IMPORTS) > 200
    unknown = sorted({_part(m) for m in MODULES} - set(LAYERS))
    assert not unknown, f"new top-level part(s) {unknown}: give each a layer in LAYERS"


def _upward() -> list[tuple[Import, str]]:
    out: list[tuple[Import, str]] = []
    for imp in IMPORTS:
        if not _internal(imp.target):
            continue
        src, dst = _part(imp.importer), _part(imp.target)
        if src == dst:
            continue
        if LAYERS[dst] > LAYERS[src]:
            why = f"{dst}/ is above {src or 'create_app'}/"
        elif LAYERS[dst] == LAYERS[src]:
            why = f"{src}/ and {dst}/ are siblings: neither imports the other"
        else:
            continue
        out.append((imp, why))
    return out


def test_imports_go_down_the_layers() -> None:
    bad = [
        f"{imp.where()}: {imp.importer} imports {imp.target} ({why})"
        for imp, why in _upward()
        if (imp.importer, imp.target) not in KNOWN_UPWARD
    ]
    assert not bad, "imports against the layering:\n" + "\n".join(bad)


def test_forbidden_imports() -> None:
    bad: list[str] = []
    for imp in IMPORTS:
        banned = FORBIDDEN.get(_part(imp.importer), ())
        wanted = [imp.target] + [f"{imp.target}.{n}" for n in imp.names]
        for item in wanted:
            hit = next((b for b in banned if item == b or item.startswith(b + ".")), None)
            if hit is not None:
                bad.append(f"{imp.where()}: {imp.importer} imports {item} (no {hit} here)")
    assert not bad, "forbidden imports:\n" + "\n".join(bad)


def test_domain_never_commits() -> None:
    bad: list[str] = []
    for name, path in MODULES.items():
        if _part(name) != "domain":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
            ):
                bad.append(f"{name.replace('.', '/')}.py:{node.lineno}: .commit()")
    assert not bad, "the domain flushes; its caller commits:\n" + "\n".join(bad)


def _graph() -> dict[str, dict[str, Import]]:
    graph: dict[str, dict[str, Import]] = defaultdict(dict)
    for imp in IMPORTS:
        if imp.target in MODULES and imp.target != imp.importer:
            graph[imp.importer].setdefault(imp.target, imp)
    return graph


def _cycles(graph: dict[str, dict[str, Import]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, {})))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    out.append(sorted(component))
    return out


def _path(graph: dict[str, dict[str, Import]], component: list[str]) -> list[Import]:
    """One shortest cycle through the component's first module, as its imports."""
    members = set(component)
    start = component[0]
    previous: dict[str, Import] = {}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for child, imp in sorted(graph.get(node, {}).items()):
            if child not in members:
                continue
            if child == start:
                chain = [imp]
                while chain[0].importer != start:
                    chain.insert(0, previous[chain[0].importer])
                return chain
            if child not in previous:
                previous[child] = imp
                queue.append(child)
    return []


def test_no_import_cycle() -> None:
    graph = _graph()
    bad: list[str] = []
    for component in _cycles(graph):
        if frozenset(component) in KNOWN_CYCLES:
            continue
        steps = "\n".join(
            f"    {imp.where()}: {imp.importer} imports {imp.target}"
            for imp in _path(graph, component)
        )
        bad.append(f"cycle among {', '.join(component)}:\n{steps}")
    assert not bad, "import cycles (count function-local imports too):\n" + "\n".join(bad)


def test_known_exceptions_are_still_needed() -> None:
    cycles = {frozenset(c) for c in _cycles(_graph())}
    upward = {(imp.importer, imp.target) for imp, _ in _upward()}
    stale = [f"cycle {sorted(c)}" for c in KNOWN_CYCLES - cycles] + [
        f"upward {pair}" for pair in KNOWN_UPWARD - upward
    ]
    assert not stale, "fixed, remove from tests/test_layering.py KNOWN_*:\n" + "\n".join(stale)
