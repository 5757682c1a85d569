"""Import graph of ``native_align/``: import circles and library modules that import the CLI.

Every import counts, at module level or inside a function (a lazy import still ties two modules together). Importing
``native_align.a.b`` also imports the package ``native_align.a``. Prints the circles (strongly connected components
of more than one module, or a module importing itself) and exits 1 when there is any, or when a library module
imports ``native_align.cli``.

    python scripts/import_graph.py            # summary
    python scripts/import_graph.py --edges    # every edge too
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = "native_align"
CLI = f"{PACKAGE}.cli"


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted((ROOT / PACKAGE).rglob("*.py"))}


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The longest known module that ``name`` starts with (``a.b.func`` -> ``a.b``)."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        cand = ".".join(parts[:i])
        if cand in known:
            return cand
    return None


def imports_of(mod: str, path: Path, known: dict[str, Path]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_pkg = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = mod.split(".") if is_pkg else mod.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [f"{prefix}.{a.name}" for a in node.names] + [prefix]
        for name in names:
            if not name.startswith(PACKAGE):
                continue
            target = _resolve(name, known)
            if target and target != mod:
                out.add(target)
                # importing a.b.c runs the __init__ of a and a.b
                parts = target.split(".")
                for i in range(1, len(parts)):
                    parent = ".".join(parts[:i])
                    if parent in known and parent != mod and not mod.startswith(parent + "."):
                        out.add(parent)
    return out


def graph() -> dict[str, set[str]]:
    known = modules()
    return {m: imports_of(m, p, known) for m, p in known.items()}


def circles(g: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    out: list[list[str]] = []
    counter = 0
    for root in g:
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, it = work[-1]
            nxt = next(it, None)
            if nxt is not None:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(sorted(g.get(nxt, ())))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                comp = []
                while True:
                    v = stack.pop()
                    on_stack.discard(v)
                    comp.append(v)
                    if v == node:
                        break
                if len(comp) > 1:
                    out.append(sorted(comp))
    return out


def cli_importers(g: dict[str, set[str]]) -> list[str]:
    return sorted(m for m, deps in g.items() if CLI in deps and m != CLI)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--edges", action="store_true")
    ns = p.parse_args(argv)
    g = graph()
    found = circles(g)
    back = cli_importers(g)
    if ns.edges:
        for m in sorted(g):
            for d in sorted(g[m]):
                print(f"{m} -> {d}")
    print(f"modules: {len(g)}, imports: {sum(len(v) for v in g.values())}")
    print(f"import circles: {len(found)}" + "".join(f"\n  {len(c)} modules: {', '.join(c)}" for c in found))
    print(f"library modules importing {CLI}: {len(back)}" + "".join(f"\n  {m}" for m in back))
    return 1 if found or back else 0


if __name__ == "__main__":
    sys.exit(main())
