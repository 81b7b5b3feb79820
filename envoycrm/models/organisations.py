"""Employer organisations in the city."""

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Enum, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from envoycrm.models.users import User


class EmployerKind(enum.Enum):
    """The kinds of employer the bureau reports on."""

    PRIVATE = "private"
    INSTITUTE = "institute"
    SOE = "soe"
    OTHER = "other"


class Employer(Model):
    """An employer organisation: a company, institute or state-owned enterprise."""

    __tablename__ = "employers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name_en: Mapped[str] = mapped_column(String(200), unique=True)
    name_zh: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[EmployerKind] = mapped_column(
        Enum(EmployerKind, native_enum=False, length=20), index=True
    )
    industry: Mapped[str] = mapped_column(String(60), index=True)
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    digest_subscribed: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    users: Mapped[list["User"]] = relationship(back_populates="employer")

    __mapper_args__ = {"version_id_col": version}

    def name_for(self, locale: str) -> str:
        """The employer's name in ``locale``."""
        return self.name_zh if str(locale).startswith("zh") else self.name_en
