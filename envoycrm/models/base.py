"""Column types and helpers shared by the models."""

import enum
from datetime import UTC, date, datetime
from functools import cache
from typing import TYPE_CHECKING, cast
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime, Dialect, Enum, ForeignKey, String, Table, TypeDecorator
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    declared_attr,
    mapped_column,
    relationship,
)

if TYPE_CHECKING:
    from envoycrm.models.users import User


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(UTC)


def local_date(moment: datetime, zone: str) -> date:
    """The calendar day ``moment`` fell on in ``zone`` (an IANA name).

    A real instant becomes a day in the zone of whoever it belongs to (the
    author of an entry), so it sits beside date-only values such as "met on".
    """
    return moment.astimezone(zone_info(zone)).date()


@cache
def zone_info(zone: str) -> ZoneInfo:
    """The zone named ``zone``, read once per process.

    ``ZoneInfo`` keeps only the last few zones it was asked for; a page of
    envoys in fifty zones would read the zone files again on every row.
    """
    return ZoneInfo(zone)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zones and hands back naive values; this type makes both
    databases return aware UTC datetimes so comparisons never mix the two.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        """Normalise to UTC before storing; refuse naive datetimes."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(
        self, value: datetime | None, dialect: Dialect
    ) -> datetime | None:
        """Attach UTC to values read from databases without time zones."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def enum_column(enum_cls: type[enum.Enum]) -> Enum:
    """Enums are stored by member name as short strings, on every database."""
    return Enum(enum_cls, native_enum=False, length=30)


def table_of(model: type[DeclarativeBase]) -> Table:
    """The Core table of a model, for bulk statements.

    Declarative typing gives ``__table__`` as any ``FromClause``; every model
    here is mapped to one ``Table``.
    """
    return cast(Table, model.__table__)


def in_language(locale: str, english: str, chinese: str) -> str:
    """The Chinese text for a Chinese ``locale``, else the English; either
    falls back to the other when empty."""
    first, second = (
        (chinese, english) if str(locale).startswith("zh") else (english, chinese)
    )
    return first or second


class SharedLink:
    """What every envoy's personal link (an opening's push, a policy's) holds.

    The row's random, unguessable token goes into the link, signed on top
    (``envoycrm/sharing.py``); views through the link are counted on it.
    """

    id: Mapped[int] = mapped_column(primary_key=True)
    envoy_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    views: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )

    @declared_attr
    def envoy(cls) -> Mapped["User"]:
        """The envoy whose link it is."""
        return relationship("User")
