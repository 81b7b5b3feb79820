"""EnvoyCRM: the application factory."""

import os
import secrets
from pathlib import Path

from flask import Flask
from flask_babel import gettext
from sqlalchemy.engine import make_url
from werkzeug.middleware.proxy_fix import ProxyFix

from envoycrm.config import Config

PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Locate a top-level project folder (``templates``, ``translations``, ...).

    The repository keeps these folders beside the package, as the product
    owner asked; an installed wheel carries them inside the package. Look
    inside first, then beside.
    """
    inside = PACKAGE_DIR / name
    return inside if inside.is_dir() else PACKAGE_DIR.parent / name


def create_app(config_class: type = Config, **overrides) -> Flask:
    """Build and wire the Flask application; starts no threads or schedulers."""
    # Templates live in the top-level ``templates/`` folder, not the package.
    app = Flask(
        __name__,
        template_folder=str(resource_dir("templates")),
        instance_relative_config=True,
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    _fill_instance_defaults(app)

    _trust_proxies(app)
    _init_extensions(app)
    from envoycrm.params import IdConverter

    # Every id in a path is ``<id:...>``: out-of-range numbers answer 404.
    app.url_map.converters["id"] = IdConverter
    _register_blueprints(app)

    from envoycrm import cli, errors

    errors.init_app(app)
    cli.init_app(app)
    return app


def create_dev_app(config_class: type | None = None, **overrides) -> Flask:
    """The app as ``make run`` serves it: development settings, mail caught.

    Only this factory serves the caught mail at ``/dev/mail``: the production
    factory never does, whatever ``MAIL_BACKEND`` says, because that page
    shows password-reset links to whoever reaches it.
    """
    from envoycrm.config import DevConfig

    app = create_app(config_class or DevConfig, **overrides)
    if app.config["MAIL_BACKEND"] == "file":
        from envoycrm.devmail import bp as devmail_bp

        app.register_blueprint(devmail_bp, url_prefix="/dev/mail")
    return app


def _trust_proxies(app: Flask) -> None:
    """Believe ``X-Forwarded-*`` from exactly ``TRUSTED_PROXIES`` proxies.

    Behind a reverse proxy every request comes from the proxy's address; the
    proxy passes the client's in ``X-Forwarded-For``. Rate limits and the
    audit log need the client's, and URLs built from the request need the
    scheme and host the client used. Headers added beyond the trusted hops
    are the client's own claims and are ignored, so the default (no proxy)
    believes none of them.
    """
    hops = app.config["TRUSTED_PROXIES"]
    if hops:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )


def _fill_instance_defaults(app: Flask) -> None:
    """Give development an SQLite file, a secret and a mail folder in ``instance/``."""
    instance = Path(app.instance_path)
    config = app.config
    if not config.get("SQLALCHEMY_DATABASE_URI"):
        instance.mkdir(parents=True, exist_ok=True)
        config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{instance / 'envoycrm.sqlite3'}"
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _postgres_session_settings(config)
    if not config.get("SECRET_KEY"):
        if config["ENV_NAME"] == "production":
            raise RuntimeError("SECRET_KEY must be set in the environment")
        key_file = instance / "secret_key"
        instance.mkdir(parents=True, exist_ok=True)
        if not key_file.exists():
            key_file.write_text(secrets.token_hex(32))
            os.chmod(key_file, 0o600)
        config["SECRET_KEY"] = key_file.read_text().strip()
    if config["MAIL_BACKEND"] == "file" and not config.get("MAIL_CATCH_DIR"):
        config["MAIL_CATCH_DIR"] = str(instance / "mail")
    # Catalogs live in the top-level ``translations/`` folder, not the package.
    config["BABEL_TRANSLATION_DIRECTORIES"] = str(resource_dir("translations"))


# What every PostgreSQL session is opened with. The pages' queries take a few
# milliseconds: once an estimate crosses ``jit_above_cost`` PostgreSQL first
# compiles the query, and once it crosses the parallel thresholds it starts
# worker processes — either costs tens of milliseconds more than the query
# itself (a page's search: 24 ms alone, 70 ms with two workers). psycopg
# prepares a statement run five times, and PostgreSQL may then settle on one
# plan for any values; a search's values decide the plan (a prefix may match
# five students or fifty thousand, a graduation year a quarter of them), so
# each run is planned for its own values: a search by name and graduation
# year took 46 ms under the generic plan and 12 ms under its own.
POSTGRES_SESSION = {
    "jit": "off",
    "max_parallel_workers_per_gather": "0",
    "plan_cache_mode": "force_custom_plan",
}


def _postgres_session_settings(config: dict) -> None:
    """Open PostgreSQL sessions with ``POSTGRES_SESSION``.

    Set per connection (libpq's ``options``, added to any the address already
    carries, which win), so it needs no statement of its own.
    """
    url = make_url(config["SQLALCHEMY_DATABASE_URI"])
    options = url.query.get("options", "")
    if isinstance(options, tuple):
        options = " ".join(options)
    for name, value in POSTGRES_SESSION.items():
        if f"{name}=" not in options:
            options = f"{options} -c {name}={value}".strip()
    url = url.update_query_dict({"options": options})
    config["SQLALCHEMY_DATABASE_URI"] = url.render_as_string(hide_password=False)


def _init_extensions(app: Flask) -> None:
    """Attach the extensions created in ``envoycrm.extensions``."""
    # Importing ``database`` registers the SQLite connection settings.
    from envoycrm import (  # noqa: F401 - database registers SQLite settings
        access,
        compression,
        database,
        i18n,
        layout,
        security,
    )
    from envoycrm import htmx as htmx_answers
    from envoycrm.extensions import babel, csrf, db, htmx, login_manager, migrate

    db.init_app(app)
    # Migrations live in the top-level ``migrations/`` folder; batch mode lets
    # SQLite alter tables, and types are compared so drift is caught.
    migrate.init_app(
        app,
        db,
        directory=str(resource_dir("migrations")),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    htmx.init_app(app)
    babel.init_app(
        app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone
    )
    i18n.init_app(app)
    layout.init_app(app)
    # after_request hooks run in reverse order of registration: compression
    # is registered first so that it sees the finished response last.
    compression.init_app(app)
    security.init_app(app)
    htmx_answers.init_app(app)

    from envoycrm.auth import session as auth_session

    login_manager.init_app(app)
    login_manager.user_loader(auth_session.load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.login_message = access.LOGIN_MESSAGE
    login_manager.localize_callback = gettext
    login_manager.session_protection = "strong"
    # Idle sessions are ended before the access check, so the user is told why.
    auth_session.init_app(app)
    app.before_request(access.enforce_access)


def _register_blueprints(app: Flask) -> None:
    """One blueprint per area."""
    from envoycrm.admin import bp as admin_bp
    from envoycrm.auth import bp as auth_bp
    from envoycrm.dashboards import bp as dashboards_bp
    from envoycrm.digests import bp as digests_bp
    from envoycrm.digests import unsubscribe_bp
    from envoycrm.jobs import bp as jobs_bp
    from envoycrm.jobs import referral_bp
    from envoycrm.main import bp as main_bp
    from envoycrm.network import bp as network_bp
    from envoycrm.pipeline import bp as pipeline_bp
    from envoycrm.students import bp as students_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp, url_prefix="/auth")
    app.register_blueprint(network_bp, url_prefix="/network")
    app.register_blueprint(students_bp, url_prefix="/students")
    app.register_blueprint(pipeline_bp, url_prefix="/pipeline")
    app.register_blueprint(dashboards_bp, url_prefix="/dashboards")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(digests_bp, url_prefix="/digests")
    app.register_blueprint(unsubscribe_bp, url_prefix="/unsubscribe")
    app.register_blueprint(jobs_bp, url_prefix="/jobs")
    app.register_blueprint(referral_bp, url_prefix="/r")
    from envoycrm.privacy import bp as privacy_bp
    from envoycrm.privacy import public_bp as data_requests_bp
    from envoycrm.tasks import bp as tasks_bp

    app.register_blueprint(privacy_bp, url_prefix="/privacy-admin")
    app.register_blueprint(data_requests_bp, url_prefix="/my-data")
    app.register_blueprint(tasks_bp, url_prefix="/tasks")
    from envoycrm.policies import bp as policies_bp
    from envoycrm.policies import public_bp as policy_page_bp

    app.register_blueprint(policies_bp, url_prefix="/policies")
    app.register_blueprint(policy_page_bp, url_prefix="/p")

    from envoycrm.personnel_files import bp as files_bp
    from envoycrm.personnel_files import status_bp as file_status_bp

    app.register_blueprint(files_bp, url_prefix="/files")
    app.register_blueprint(file_status_bp, url_prefix="/file-status")

    from envoycrm.events import bp as events_bp
    from envoycrm.events import public_bp as event_public_bp

    app.register_blueprint(events_bp, url_prefix="/events")
    app.register_blueprint(event_public_bp, url_prefix="/e")
