"""What every page template needs: navigation, language and asset URLs."""

import hashlib
from functools import cache

from flask import Flask, current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from envoycrm.i18n import locale_tag
from envoycrm.idempotency import new_idempotency_key
from envoycrm.models import Role

NAVIGATION = {
    Role.ENVOY: [
        ("main.home", _l("Home")),
        ("students.index", _l("My students")),
        ("jobs.index", _l("Openings")),
        ("jobs.pushes", _l("My pushes")),
        ("policies.index", _l("Policies")),
        ("events.index", _l("Events")),
        ("tasks.index", _l("Tasks")),
    ],
    Role.EMPLOYER: [
        ("main.home", _l("Home")),
        ("jobs.index", _l("Our openings")),
        ("events.fair_latest", _l("Talent fair")),
    ],
    Role.COORDINATOR: [
        ("main.home", _l("Home")),
        ("students.index", _l("Students")),
        ("network.envoys", _l("Envoys")),
        ("network.employers", _l("Employers")),
        ("jobs.index", _l("Openings")),
        ("policies.index", _l("Policies")),
        ("events.index", _l("Events")),
        ("network.employer_users", _l("Employer users")),
        ("pipeline.board", _l("Pipeline")),
        ("files.index", _l("Personnel files")),
        ("dashboards.index", _l("Dashboards")),
        ("digests.index", _l("Digests")),
        ("tasks.index", _l("Tasks")),
        ("privacy.retention", _l("Retention")),
        ("privacy.audit_log", _l("Audit log")),
    ],
}
NAVIGATION[Role.ADMIN] = [
    *NAVIGATION[Role.COORDINATOR],
    ("admin.users", _l("Users")),
    ("admin.scheduler", _l("Scheduler")),
]


def nav_items() -> list[tuple[str, str]]:
    """The navigation entries of the current user's role."""
    if not current_user.is_authenticated:
        return []
    return NAVIGATION[current_user.role]


def html_lang() -> str:
    """The BCP 47 tag for ``<html lang>``: ``zh-Hans`` or ``en``."""
    return locale_tag().replace("_", "-")


@cache
def _asset_version(path: str) -> str:
    """A short content hash, so browsers can cache assets for a long time."""
    if current_app.static_folder is None:
        raise RuntimeError("the app serves no static folder")
    full = current_app.static_folder + "/" + path
    with open(full, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:10]


def static_url(path: str) -> str:
    """The URL of a static asset with its content version."""
    return url_for("static", filename=path, v=_asset_version(path))


def init_app(app: Flask) -> None:
    """Expose the helpers to templates."""
    app.jinja_env.globals.update(
        nav_items=nav_items,
        # The UI locale of this request, e.g. ``zh_Hans``.
        current_locale=locale_tag,
        html_lang=html_lang,
        static_url=static_url,
        new_idempotency_key=new_idempotency_key,
    )
