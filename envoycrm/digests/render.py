"""Rendering a digest in its recipient's language and time zone, as a mail.

``mails`` words the digest once; the text and HTML bodies both render
that one ``Mail`` from ``templates/digests/_mail.txt|.html``. The HTML
has its CSS in a ``<style>`` block that ``css_inline`` moves into ``style``
attributes (mail clients drop ``<style>``), leaving none behind.
Links are absolute, built from ``BASE_URL``: a digest is rendered by the
scheduler, outside any request, and must point at the public address.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from urllib.parse import quote
from zoneinfo import ZoneInfo

import css_inline
from flask import current_app, render_template
from flask_babel import _get_current_context, force_locale
from werkzeug.routing import BuildError

from envoycrm import mail
from envoycrm.i18n import normalise_locale
from envoycrm.models import DigestKind, User
from envoycrm.urls import absolute_url

from . import content, subscriptions
from .mails import Mail
from .mails.bureau import bureau_mail
from .mails.employer import employer_mail
from .mails.envoy import envoy_mail
from .periods import Window

Digest = content.BureauDigest | content.EmployerDigest | content.EnvoyDigest
BUILDERS: dict[DigestKind, Callable[[User, Window], Digest]] = {
    DigestKind.BUREAU: content.build_bureau_digest,
    DigestKind.EMPLOYER: content.build_employer_digest,
    DigestKind.ENVOY: content.build_envoy_digest,
}
MAILS: dict[DigestKind, Callable[..., Mail]] = {
    DigestKind.BUREAU: bureau_mail,
    DigestKind.EMPLOYER: employer_mail,
    DigestKind.ENVOY: envoy_mail,
}
_INLINER = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


@dataclass
class Composed:
    """A rendered digest: subject, both bodies, and the students it names."""

    subject: str
    text: str
    html: str
    preheader: str
    locale: str
    timezone: str
    empty: bool = False
    mentions: list[int] = field(default_factory=list)


def recipient_locale(user: User) -> str:
    """The language the user reads: their own, else their employer's, else default."""
    chosen = normalise_locale(user.locale)
    if not chosen and user.employer is not None:
        chosen = normalise_locale(user.employer.locale)
    return chosen or current_app.config["BABEL_DEFAULT_LOCALE"]


def recipient_timezone(user: User) -> str:
    """The user's IANA zone, or the default when it is unset or unknown."""
    zone = user.timezone or current_app.config["BABEL_DEFAULT_TIMEZONE"]
    try:
        ZoneInfo(zone)
    except (ValueError, KeyError):
        zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return zone


@contextmanager
def force_timezone(zone: str) -> Iterator[None]:
    """Format times in ``zone`` for the duration, like ``force_locale`` for zones.

    Flask-Babel caches the zone of the current context; swapping the cached
    value is the only way to render for someone other than the signed-in user.
    """
    ctx = _get_current_context()
    if ctx is None:
        yield
        return
    saved = getattr(ctx, "babel_tzinfo", None)
    ctx.babel_tzinfo = ZoneInfo(zone)
    try:
        yield
    finally:
        ctx.babel_tzinfo = saved


def app_link(endpoint: str, **values) -> str:
    """``absolute_url`` for links inside a digest; the home page if it is gone.

    Digests link into other areas (openings, candidates); a renamed route
    there must not stop every digest from being sent.
    """
    try:
        return absolute_url(endpoint, **values)
    except BuildError:
        current_app.logger.warning("digest link to missing endpoint %s", endpoint)
        return absolute_url("main.home")


def unsubscribe_links(user: User) -> tuple[str, str | None]:
    """The one-click https link, and a mailto one when an address reads them.

    The mailto is offered only with ``DIGEST_UNSUBSCRIBE_ADDRESS`` set, a
    mailbox someone processes; the no-reply sender reads nothing.
    """
    token = subscriptions.unsubscribe_token(user)
    https = absolute_url("unsubscribe.confirm", token=token)
    address = current_app.config["DIGEST_UNSUBSCRIBE_ADDRESS"]
    if not address:
        return https, None
    return https, f"mailto:{address}?subject={quote('unsubscribe ' + token)}"


def compose(
    kind: DigestKind,
    user: User,
    period: str,
    pool: content.CandidatePool | None = None,
) -> Composed:
    """Build and render ``kind`` for ``user`` and ``period``, as they will read it.

    ``pool`` shares the employer digests' candidate lists within one pass.
    """
    locale = recipient_locale(user)
    zone = recipient_timezone(user)
    window = Window.for_period(period, zone)
    with force_locale(locale), force_timezone(zone):
        digest: Digest
        if kind is DigestKind.EMPLOYER:
            digest = content.build_employer_digest(user, window, pool)
        else:
            digest = BUILDERS[kind](user, window)
        unsubscribe_url, _mailto = unsubscribe_links(user)
        view = MAILS[kind](digest, app_link)
        context = {
            "mail": view,
            "recipient": user,
            "locale": locale,
            "home_url": absolute_url("main.home"),
            "settings_url": absolute_url("main.settings"),
            "unsubscribe_url": unsubscribe_url,
        }
        text = render_template("digests/_mail.txt", **context)
        html = render_template("digests/_mail.html", **context)
    return Composed(
        subject=view.subject,
        text=text,
        html=_INLINER.inline(html),
        preheader=view.preheader,
        locale=locale,
        timezone=zone,
        empty=digest.is_empty,
        mentions=sorted(set(digest.mentioned_students())),
    )


def build_message(
    composed: Composed, user: User, to: str, message_id: str
) -> EmailMessage:
    """The multipart/alternative mail (text, then HTML) with unsubscribe headers."""
    https, mailto = unsubscribe_links(user)
    message = EmailMessage()
    message["Subject"] = composed.subject
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = to
    message["Date"] = mail.date_header()
    message["Message-ID"] = message_id
    message["List-Unsubscribe"] = f"<{https}>" + (f", <{mailto}>" if mailto else "")
    # RFC 8058: the https link above unsubscribes on a bare POST.
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(composed.text)
    message.add_alternative(composed.html, subtype="html")
    return message
