"""The built wheel carries templates, compiled catalogs and migrations, and runs.

The repository keeps ``templates/``, ``translations/`` and ``migrations/``
beside the package; the wheel must put them inside it (with the catalogs
compiled by the build hook), and an app imported from the unpacked wheel
alone must migrate a database and serve a page in Chinese.
"""

import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

from babel.support import Translations

REPO_ROOT = Path(__file__).resolve().parent.parent

REQUIRED = [
    "envoycrm/templates/base.html",
    "envoycrm/translations/zh_Hans/LC_MESSAGES/messages.mo",
    "envoycrm/migrations/env.py",
    "envoycrm/static/js/htmx-4.0.1.min.js",
]

# Runs in a fresh interpreter that sees only the unpacked wheel.
SCRIPT = textwrap.dedent(
    """
    import json
    import sys
    from pathlib import Path

    import envoycrm
    from flask_migrate import upgrade

    extracted = Path(sys.argv[1]).resolve()
    assert extracted in Path(envoycrm.__file__).resolve().parents, envoycrm.__file__
    app = envoycrm.create_app()
    with app.app_context():
        upgrade()
    response = app.test_client().get(
        "/auth/login", headers={"Accept-Language": "zh-CN"}
    )
    print(json.dumps({
        "file": envoycrm.__file__,
        "status": response.status_code,
        "body": response.get_data(as_text=True),
    }))
    """
)


def build_wheel(out_dir: Path) -> Path:
    """Build the project's wheel with the installed backend, offline."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "-w",
            str(out_dir),
            str(REPO_ROOT),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    wheels = list(out_dir.glob("envoycrm-*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def test_the_wheel_carries_its_resources_and_serves_chinese(tmp_path):
    wheel = build_wheel(tmp_path / "dist")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        missing = [name for name in REQUIRED if name not in names]
        assert not missing, f"missing from {wheel.name}: {missing}"
        versions = [
            name
            for name in names
            if name.startswith("envoycrm/migrations/versions/") and name.endswith(".py")
        ]
        assert versions, "no migration scripts in the wheel"
        extracted = tmp_path / "site"
        archive.extractall(extracted)

    catalog = Translations.load(
        str(extracted / "envoycrm" / "translations"), ["zh_Hans"]
    )
    sign_in = catalog.gettext("Sign in")
    assert sign_in != "Sign in", "the wheel's Chinese catalog lacks 'Sign in'"

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PYTHONPATH", "DATABASE_URL", "FLASK_APP"}
    }
    env.update(
        PYTHONPATH=str(extracted),
        SECRET_KEY="x",
        DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite3'}",
        SESSION_COOKIE_SECURE="0",
    )
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(extracted)],
        cwd=extracted,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    page = json.loads(result.stdout.strip().splitlines()[-1])
    assert page["status"] == 200, page["body"]
    assert 'lang="zh-Hans"' in page["body"]
    assert sign_in in page["body"]
