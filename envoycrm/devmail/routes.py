"""List and read caught messages."""

import re
from email import policy
from email.parser import BytesParser
from pathlib import Path

from flask import abort, current_app, render_template, request

from envoycrm.access import public
from envoycrm.devmail import bp

NAME = re.compile(r"^[0-9T]+-[0-9a-f]{8}\.eml$")


@bp.before_request
def local_only():
    """The mailbox is a development aid: nobody else may read it."""
    if request.remote_addr not in ("127.0.0.1", "::1"):
        abort(404)


def _folder() -> Path:
    return Path(current_app.config["MAIL_CATCH_DIR"])


def _read(path: Path):
    return BytesParser(policy=policy.default).parse(path.open("rb"))


@bp.route("/")
@public
def inbox():
    """Caught messages, newest first."""
    folder = _folder()
    files = sorted(folder.glob("*.eml"), reverse=True)[:200] if folder.is_dir() else []
    messages = [(path.name, _read(path)) for path in files]
    return render_template("devmail/inbox.html", messages=messages)


@bp.route("/<name>")
@public
def message(name: str):
    """One caught message, its text part and its links."""
    if not NAME.match(name):
        abort(404)
    path = _folder() / name
    if not path.is_file():
        abort(404)
    parsed = _read(path)
    text = parsed.get_body(preferencelist=("plain",))
    return render_template(
        "devmail/message.html",
        message=parsed,
        text=text.get_content() if text else "",
    )
