"""One submission, one result: every form that creates something may be sent
twice.

A creating form holds a hidden, random ``idempotency_key``, new each time the
form is shown (``forms.IdempotentForm``; the ``idempotency_key`` macro renders
it). Its view is decorated with ``@idempotent`` and, after the domain has
written and before it commits, calls ``remember`` with where its answer leads.
Then:

* the same key sent again by the same user (a double click, a resend after a
  lost answer, the back button) writes nothing and leads where the first
  answer did, with a note that it was already saved;
* two sends racing each other meet the key's primary key when ``remember``
  flushes, or the record's own unique constraint (an account's email) when
  the domain flushes: the loser's transaction is rolled back and, once the
  winner's key is there, it answers like a repeat;
* a key that another user sent is refused like a malformed one, so the answer
  tells nothing about that user or what their submission made.
"""

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import flash, make_response, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from envoycrm.errors import render_error
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.models import IdempotencyKey

FIELD = "idempotency_key"
KEY_PATTERN = r"^[0-9a-f]{32}$"


def new_idempotency_key() -> str:
    """A fresh key for a form being shown."""
    return uuid.uuid4().hex


class Repeated(Exception):
    """This submission's key was stored by another request first."""


def _sent_key() -> str | None:
    key = request.form.get(FIELD, "")
    return key if re.fullmatch(KEY_PATTERN, key) else None


def _answer_again(key: str) -> ResponseReturnValue | None:
    """The answer to a key already used, or None when it is new.

    Its own user is led where the first answer led; anyone else gets the
    answer a malformed key gets, so nothing about the first send is revealed.
    """
    done = db.session.get(IdempotencyKey, key)
    if done is None:
        return None
    if done.user_id != current_user.id:
        return render_error(422, _("Reload the page and try again."))
    flash(_("This form was already sent; what it saved is saved once."), "info")
    location = done.location or url_for("main.home")
    if is_fragment_request():
        # A whole page must not land inside an htmx target: navigate instead.
        response = make_response("", 200)
        response.headers["HX-Redirect"] = location
        return response
    return redirect(location)


def idempotent(view: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a creating view: a repeated key gets the first answer again."""

    @wraps(view)
    def answer(*args: Any, **kwargs: Any) -> Any:
        key = _sent_key() if request.method == "POST" else None
        if key is not None and (again := _answer_again(key)) is not None:
            return again
        try:
            return view(*args, **kwargs)
        except Repeated:
            return _answer_again(key or "") or render_error(409)
        except IntegrityError:
            # The record's own constraint met a concurrent send of this key.
            db.session.rollback()
            again = _answer_again(key) if key is not None else None
            if again is None:
                raise
            return again

    answer.idempotent = True  # type: ignore[attr-defined]
    return answer


def relocate(old: str, new: str) -> None:
    """Lead repeats that led to ``old`` to ``new`` (a merged record's page)."""
    db.session.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.location == old)
        .values(location=new)
    )


def remember(form: Any, location: str, record_type: str, record_id: int) -> None:
    """Store the form's key with what it made and where its answer leads.

    Call it after the domain has written and before the view commits, so the
    key is saved in the same transaction as the record. It flushes: a
    concurrent send of the same key that committed first makes it roll back
    and raise ``Repeated``, which ``@idempotent`` answers. ``record_type`` and
    ``record_id`` name the row the key belongs to (a student's page's forms
    name the student), so erasing or merging the row takes its keys along.
    """
    db.session.flush()  # the submission's own writes: their errors are theirs
    db.session.add(
        IdempotencyKey(
            key=form.idempotency_key.data,
            user_id=current_user.id,
            record_type=record_type,
            record_id=record_id,
            location=location,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Repeated from None
