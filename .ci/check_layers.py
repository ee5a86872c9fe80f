"""Fail when a module of xsignals_dagster imports from a higher layer, when a module of defs/
imports another, when a domain package imports Dagster, or on any private `dagster._` import.

    python .ci/check_layers.py

The layers, lowest first (README, Development). A module may import its own layer and the ones
below it, never one above: so no two layers can import each other (no cycles between packages).
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

PACKAGE = "xsignals_dagster"
# Lowest first. The domain layers hold plain functions over DataFrames; the rest wire them to
# Dagster and run them.
DOMAIN_LAYERS = ("contract", "warehouse", "ingest", "identity", "privacy", "signals", "intent", "demo")
DAGSTER_LAYERS = ("settings", "partitions", "resources", "automation", "recovery", "defs", "definitions")
ENTRY_POINTS = ("headless", "cli")
LAYERS = DOMAIN_LAYERS + DAGSTER_LAYERS + ENTRY_POINTS


def module_name(path: Path, root: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(root: Path, module: str) -> bool:
    path = root.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def imported_modules(root: Path, path: Path, module: str) -> list[tuple[int, str]]:
    """Every module this file imports, relative imports resolved, with the line that imports it."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # `from package import module` imports that module too.
            submodules = (f"{target}.{alias.name}" for alias in node.names)
            found += [(node.lineno, name) for name in submodules if is_module(root, name)]
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != PACKAGE or len(parts) < 2:
        return None
    return parts[1]


def violations(root: Path) -> list[str]:
    problems = []
    package_root = root / PACKAGE
    for path in sorted(package_root.rglob("*.py")):
        module = module_name(path, root)
        layer = layer_of(module)
        where = path.relative_to(root)
        if layer is not None and layer not in LAYERS:
            problems.append(
                f"{where}: `{layer}` is in no layer; add it to .ci/check_layers.py and the README"
            )
            continue
        for line, target in imported_modules(root, path, module):
            if target == "dagster._" or target.startswith("dagster._"):
                problems.append(f"{where}:{line}: private Dagster import `{target}`")
            if layer in DOMAIN_LAYERS and target.split(".")[0] == "dagster":
                problems.append(f"{where}:{line}: the domain layer `{layer}` imports Dagster")
            target_layer = layer_of(target)
            if layer is None or target_layer is None or target_layer not in LAYERS:
                continue
            if LAYERS.index(target_layer) > LAYERS.index(layer):
                problems.append(
                    f"{where}:{line}: `{layer}` imports `{target}` from the higher layer `{target_layer}`"
                )
            if (
                layer == "defs" == target_layer
                and target != f"{PACKAGE}.defs"
                and not target.startswith(module)
            ):
                problems.append(f"{where}:{line}: a defs/ module imports another ({target})")
    return sorted(set(problems))


def main() -> int:
    problems = violations(Path(__file__).resolve().parents[1])
    for problem in problems:
        print(problem)
    print(f"layers: {len(problems)} problem(s)" if problems else "layers: imports run downward only")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
