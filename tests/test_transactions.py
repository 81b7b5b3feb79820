"""The rule for transactions (envoycrm/database.py): routes commit, domain
functions never do, except those whose docstring says they must."""

import ast
from pathlib import Path

import envoycrm

PACKAGE = Path(envoycrm.__file__).resolve().parent

# Views besides the modules that declare routes: the CLI and the scheduler's
# jobs (the views of their own work), the error handler that ends a failed
# request, and the helpers views call to answer one.
VIEW_MODULES = {"cli.py", "scheduler.py", "errors.py", "editing.py", "idempotency.py"}


def _declares_routes(tree: ast.Module) -> bool:
    """True when a function in ``tree`` is decorated with ``<blueprint>.route``."""
    return any(
        isinstance(decorator, ast.Call)
        and isinstance(decorator.func, ast.Attribute)
        and decorator.func.attr == "route"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef)
        for decorator in node.decorator_list
    )


def _domain_modules():
    """Every module of the package that is neither a view nor wiring."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if path.name in VIEW_MODULES or _declares_routes(tree):
            continue
        yield path, tree


def _ends_transaction(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    )


def _undeclared_transaction_ends(path: Path, tree: ast.Module) -> list[str]:
    """``file:line function`` for each commit or rollback whose function's
    docstring does not say that it commits."""
    found = []
    functions = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    ]
    inside_functions = set()
    for function in functions:
        declared = "commit" in (ast.get_docstring(function) or "").lower()
        for node in ast.walk(function):
            if _ends_transaction(node):
                inside_functions.add(id(node))
                if not declared:
                    found.append(f"{path.name}:{node.lineno} {function.name}")
    for node in ast.walk(tree):  # module level: never
        if _ends_transaction(node) and id(node) not in inside_functions:
            found.append(f"{path.name}:{node.lineno} <module>")
    return found


def test_domain_functions_never_commit_or_roll_back_unless_they_say_so():
    offenders = [
        offence
        for path, tree in _domain_modules()
        for offence in _undeclared_transaction_ends(path, tree)
    ]
    assert offenders == []


def test_the_student_services_leave_the_transaction_to_the_view():
    """The quick log's race for an idempotency key is answered by the view."""
    path = PACKAGE / "students" / "services.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not any(_ends_transaction(node) for node in ast.walk(tree))


def test_the_rule_finds_a_domain_function_that_rolls_back():
    tree = ast.parse(
        'def log(student):\n    """Save a student."""\n    db.session.rollback()\n'
    )
    assert _undeclared_transaction_ends(Path("services.py"), tree) == [
        "services.py:3 log"
    ]
