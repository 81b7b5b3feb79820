"""Every setting is declared once, in ``envoycrm/config.py``, and the README
names each environment variable it reads; no declared setting is dead."""

import re
from pathlib import Path

from envoycrm.config import Config

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "envoycrm"
CONFIG = PACKAGE / "config.py"
# ``app.config["KEY"]``, ``config.get("KEY"`` and ``config[\n  "KEY"`` alike.
USED = re.compile(r"config(?:\[\s*|\.get\(\s*)\"([A-Z][A-Z0-9_]*)\"")
READ_FROM_ENVIRONMENT = re.compile(
    r"(?:os\.environ\.get|_env_int_or_none|_env_int|_env_bool)\(\s*\"([A-Z0-9_]+)\""
)
# Written by the factory from where the package is installed, not by operators.
SET_BY_THE_FACTORY = {"BABEL_TRANSLATION_DIRECTORIES"}
# Read by Flask or an extension rather than by our code.
READ_BY_A_LIBRARY = re.compile(
    r"^(SESSION_|REMEMBER_|PERMANENT_|WTF_|BABEL_|SQLALCHEMY_|SEND_FILE_|"
    r"SECRET_KEY$|MAX_CONTENT_LENGTH$|TESTING$)"
)


def _code() -> dict[Path, str]:
    """The package's Python sources except config.py, by path."""
    return {
        path: path.read_text(encoding="utf-8")
        for path in PACKAGE.rglob("*.py")
        if path != CONFIG
    }


def _declared() -> set[str]:
    return {name for name in dir(Config) if name.isupper()}


def test_every_setting_the_code_reads_is_declared_in_config():
    """A setting read with a default at the call site would hide from operators."""
    undeclared = {
        key: str(path.relative_to(ROOT))
        for path, text in _code().items()
        for key in USED.findall(text)
        if key not in _declared() and key not in SET_BY_THE_FACTORY
    }
    assert undeclared == {}


def test_every_environment_variable_is_named_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    variables = set(READ_FROM_ENVIRONMENT.findall(CONFIG.read_text(encoding="utf-8")))
    assert "PAGE_SIZE" in variables  # the pattern finds what it should
    missing = sorted(name for name in variables if not re.search(rf"`{name}`", readme))
    assert missing == []


def test_every_declared_setting_is_read_somewhere():
    """Dead settings (a Redis URL nothing connects to) mislead operators."""
    code = "\n".join(_code().values())
    dead = sorted(
        name
        for name in _declared()
        if not READ_BY_A_LIBRARY.match(name) and f'"{name}"' not in code
    )
    assert dead == []


def test_a_default_is_written_once():
    """Call sites read ``config["KEY"]``; only config.py holds defaults."""
    with_default = sorted(
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path, text in _code().items()
        for match in re.finditer(r"config\.get\(\s*\"[A-Z0-9_]+\"\s*,[^)]*\)", text)
    )
    assert with_default == []
