"""Writing and reading policies: versions, publishing, pushes and questions.

Editing a policy adds a version (the old one stays readable with its dates);
publishing and expiring change the policy's status once, so a second click
changes nothing. Nothing here commits.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from envoycrm import audit, sharing
from envoycrm.extensions import db
from envoycrm.i18n import format_cny
from envoycrm.models import (
    AmountKind,
    Policy,
    PolicyCategory,
    PolicyPush,
    PolicyQuestion,
    PolicyStatus,
    PolicyVersion,
    User,
    utcnow,
)

# Every field of a version a form writes (the rest are set here).
VERSION_FIELDS = (
    "title_en",
    "title_zh",
    "summary_en",
    "summary_zh",
    "body_en",
    "body_zh",
    "issuing_body_en",
    "issuing_body_zh",
    "source_url",
    "amount_kind",
    "amount",
    "months",
    "amount_min",
    "amount_max",
    "valid_from",
    "valid_to",
    "min_degree",
    "fields",
    "max_age",
    "max_years_since_graduation",
    "returned_within_years",
    "city_tie",
)


def _version_of(data: dict, number: int, actor: User | None) -> PolicyVersion:
    values = {name: data.get(name) for name in VERSION_FIELDS}
    values["fields"] = sorted(values["fields"] or [])
    for text in ("summary_en", "summary_zh", "body_en", "body_zh", "source_url"):
        values[text] = values[text] or ""
    for text in ("issuing_body_en", "issuing_body_zh"):
        values[text] = values[text] or ""
    return PolicyVersion(
        number=number, created_by_id=actor.id if actor else None, **values
    )


def create_policy(actor: User | None, category: PolicyCategory, data: dict) -> Policy:
    """A new draft policy with its first version."""
    policy = Policy(
        category=category,
        status=PolicyStatus.DRAFT,
        created_by_id=actor.id if actor else None,
    )
    policy.versions.append(_version_of(data, 1, actor))
    db.session.add(policy)
    db.session.flush()
    audit.record("policy.create", "policy", policy.id)
    return policy


def add_version(
    policy: Policy, actor: User | None, category: PolicyCategory, data: dict
) -> PolicyVersion:
    """A new version of ``policy``; the earlier ones stay as they were.

    The policy's own version moves on too, so an edit made from the same
    older form is refused as stale.
    """
    version = _version_of(data, policy.latest.number + 1, actor)
    policy.versions.insert(0, version)
    policy.category = category
    policy.changed_at = utcnow()
    db.session.flush()
    audit.record("policy.new_version", "policy", policy.id, number=version.number)
    return version


def publish(policy: Policy, actor: User) -> bool:
    """Publish a draft (or republish an expired policy); False if already so."""
    if policy.status is PolicyStatus.PUBLISHED:
        return False
    now = utcnow()
    policy.status = PolicyStatus.PUBLISHED
    policy.published_at = now
    policy.expired_at = None
    policy.changed_at = now
    db.session.flush()
    audit.record("policy.publish", "policy", policy.id, actor_id=actor.id)
    return True


def expire(policy: Policy, actor: User) -> bool:
    """Expire a policy: never offered again; False if already expired."""
    if policy.status is PolicyStatus.EXPIRED:
        return False
    now = utcnow()
    policy.status = PolicyStatus.EXPIRED
    policy.expired_at = now
    policy.changed_at = now
    db.session.flush()
    audit.record("policy.expire", "policy", policy.id, actor_id=actor.id)
    return True


@dataclass
class PolicyFilter:
    """The list's filters: a category, and whether to show every status."""

    category: PolicyCategory | None = None
    everything: bool = False


def list_query(filters: PolicyFilter, today: date) -> Select:
    """Policies with their versions, by category then title.

    By default only policies offered today (published, a version in force);
    ``everything`` shows drafts, expired ones and those out of their dates.
    """
    query = select(Policy).options(selectinload(Policy.versions))
    if filters.category is not None:
        query = query.where(Policy.category == filters.category)
    if not filters.everything:
        in_force = select(PolicyVersion.id).where(
            PolicyVersion.policy_id == Policy.id, PolicyVersion.in_force(today)
        )
        query = query.where(Policy.status == PolicyStatus.PUBLISHED, in_force.exists())
    return query.order_by(Policy.category, Policy.id)


def expiring(today: date, within_days: int = 30) -> list[PolicyVersion]:
    """Current versions of published policies whose validity ends soon."""
    rows = db.session.scalars(
        select(PolicyVersion)
        .join(Policy)
        .where(
            Policy.status == PolicyStatus.PUBLISHED,
            PolicyVersion.in_force(today),
            PolicyVersion.valid_to <= today + timedelta(days=within_days),
        )
        .order_by(PolicyVersion.valid_to, PolicyVersion.policy_id)
    )
    return list(rows)


def changed_between(start, end, today: date) -> list[Policy]:
    """Published policies offered today that were new or changed in [start, end)."""
    return list(
        db.session.scalars(
            list_query(PolicyFilter(), today)
            .where(Policy.changed_at >= start, Policy.changed_at < end)
            .limit(50)
        )
    )


# --- pushes ---------------------------------------------------------------------------


def push_policy(envoy: User, policy: Policy) -> PolicyPush:
    """The envoy's push of ``policy``: found if it exists, else created."""
    push, made = sharing.personal_link(PolicyPush, envoy.id, policy_id=policy.id)
    if made:
        audit.record("policy_push.create", "policy_push", push.id, actor_id=envoy.id)
    return push


@dataclass
class PushRow:
    """A policy push with the questions asked through it."""

    push: PolicyPush
    questions: int


def pushes_of(envoy: User) -> list[PushRow]:
    """The envoy's policy pushes, newest first, with question counts."""
    pushes = db.session.scalars(
        select(PolicyPush)
        .where(PolicyPush.envoy_id == envoy.id)
        .options(selectinload(PolicyPush.policy).selectinload(Policy.versions))
        .order_by(PolicyPush.created_at.desc(), PolicyPush.id.desc())
        .limit(500)
    ).all()
    counts = dict(
        db.session.execute(
            select(PolicyQuestion.push_id, func.count(PolicyQuestion.id))
            .where(PolicyQuestion.push_id.in_([p.id for p in pushes]))
            .group_by(PolicyQuestion.push_id)
        ).all()
    )
    return [PushRow(push, counts.get(push.id, 0)) for push in pushes]


def questions_of(push: PolicyPush, limit: int = 100) -> list[PolicyQuestion]:
    """The questions asked through ``push``, newest first."""
    return list(
        db.session.scalars(
            select(PolicyQuestion)
            .where(PolicyQuestion.push_id == push.id)
            .options(selectinload(PolicyQuestion.student))
            .order_by(PolicyQuestion.created_at.desc(), PolicyQuestion.id.desc())
            .limit(limit)
        )
    )


# --- wording -------------------------------------------------------------------------


def describe_amount(version: PolicyVersion) -> str:
    """What the version pays, in words of the current locale ("¥3,000 a month…")."""
    kind = version.amount_kind
    if kind is AmountKind.ONE_OFF and version.amount is not None:
        return _("%(sum)s once", sum=format_cny(version.amount))
    if kind is AmountKind.MONTHLY and version.amount is not None:
        return ngettext(
            "%(sum)s a month for %(num)s month",
            "%(sum)s a month for %(num)s months",
            version.months or 0,
            sum=format_cny(version.amount),
        )
    if kind is AmountKind.RANGE and version.amount_min is not None:
        return _(
            "%(low)s to %(high)s",
            low=format_cny(version.amount_min),
            high=format_cny(version.amount_max),
        )
    return ""


def share_message(version: PolicyVersion, link: str) -> str:
    """A ready-to-paste bilingual message for WeChat or email."""
    parts = []
    for locale in ("zh_Hans", "en"):
        with force_locale(locale):
            amount = describe_amount(version)
            values = {
                "title": version.title_for(locale),
                "summary": version.summary_for(locale),
                "link": link,
            }
            if amount:
                text = _(
                    "Qingdao offers %(title)s: %(amount)s. %(summary)s "
                    "Read more and ask me a question here: %(link)s",
                    amount=amount,
                    **values,
                )
            else:
                text = _(
                    "Qingdao offers %(title)s. %(summary)s "
                    "Read more and ask me a question here: %(link)s",
                    **values,
                )
            parts.append(" ".join(text.split()))
    return "\n\n".join(parts)
