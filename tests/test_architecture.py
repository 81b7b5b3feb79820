"""The package's structure: each blueprint's routes belong to it alone."""

import ast
from pathlib import Path

import envoycrm

PACKAGE = Path(envoycrm.__file__).resolve().parent


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported_modules(tree: ast.Module, importer: str) -> set[str]:
    """Every module an ``import`` or ``from … import`` in ``tree`` names."""
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = importer.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            modules.add(base)
            # ``from envoycrm.students import routes`` imports a module too.
            modules.update(f"{base}.{alias.name}" for alias in node.names)
    return modules


def _is_routes(module: str) -> bool:
    last = module.rsplit(".", 1)[-1]
    return module.startswith("envoycrm.") and (
        last == "routes" or last.endswith("_routes")
    )


def _area(module: str) -> str:
    return ".".join(module.split(".")[:2])


def test_no_module_imports_another_blueprints_routes():
    crossings = []
    for path in sorted(PACKAGE.rglob("*.py")):
        importer = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for module in _imported_modules(tree, importer):
            if _is_routes(module) and _area(module) != _area(importer):
                crossings.append(f"{importer} imports {module}")
    assert crossings == []


def test_the_import_walk_sees_a_crossing():
    tree = ast.parse(
        "from envoycrm.students.routes import quick_log_form\n"
        "from envoycrm.pipeline import routes\n"
    )
    found = {
        m for m in _imported_modules(tree, "envoycrm.main.routes") if _is_routes(m)
    }
    assert found == {"envoycrm.students.routes", "envoycrm.pipeline.routes"}
