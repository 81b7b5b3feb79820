"""People who sign in, and the envoy profile some of them carry."""

import enum
import secrets
from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, Index, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, utcnow
from envoycrm.models.geo import University
from envoycrm.models.organisations import Employer


class Role(enum.Enum):
    """What a user is allowed to do (PRODUCT.md §4)."""

    ADMIN = "admin"
    COORDINATOR = "coordinator"
    ENVOY = "envoy"
    EMPLOYER = "employer"


class EnvoyStatus(enum.Enum):
    """Where an envoy stands; *returned* is the programme's headline figure."""

    ACTIVE = "active"
    PAUSED = "paused"
    GRADUATED = "graduated"
    RETURNED = "returned"


class DegreeLevel(enum.Enum):
    """Degree levels, in ascending order (compare with ``rank``)."""

    BACHELOR = "bachelor"
    MASTER = "master"
    PHD = "phd"
    POSTDOC = "postdoc"

    @property
    def rank(self) -> int:
        """Position in the ladder, for "at least this degree" comparisons."""
        return list(DegreeLevel).index(self)


def new_session_token() -> str:
    """A random token; changing it retires every emailed link (reset, invitation)."""
    return secrets.token_hex(16)


class User(UserMixin, Model):
    """Anyone who signs in: admin, coordinator, envoy or employer staff."""

    __tablename__ = "users"
    __table_args__ = (
        Index("ix_users_role_active", "role", "active"),
        # A removed account's id is never given to another person.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    # The name in Chinese characters, where known (envoys: "陈静" beside "Chen Jing").
    name_hanzi: Mapped[str | None] = mapped_column(String(60))
    # None until an invited user sets a password through the invitation link.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(Enum(Role, native_enum=False, length=20))
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    employer_id: Mapped[int | None] = mapped_column(
        ForeignKey("employers.id"), index=True
    )
    # Weekly digest by email (coordinators, employer staff; envoys opt in).
    digest_subscribed: Mapped[bool] = mapped_column(default=True, server_default=true())
    session_token: Mapped[str] = mapped_column(String(32), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    employer: Mapped[Employer | None] = relationship(back_populates="users")
    envoy_profile: Mapped["EnvoyProfile | None"] = relationship(
        back_populates="user", cascade="all, delete-orphan", uselist=False
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_active(self) -> bool:
        """Flask-Login refuses sign-in for deactivated users."""
        return self.active

    # The key of the server-side session (``UserSession``) this object was
    # signed in or loaded through. Not a column: one user has many sessions.
    @property
    def session_key(self) -> str | None:
        """The key the session and remember-me cookies carry, if any."""
        key: str | None = self.__dict__.get("_session_key")
        return key

    @session_key.setter
    def session_key(self, key: str | None) -> None:
        self.__dict__["_session_key"] = key

    def get_id(self) -> str:
        """Flask-Login's identity, kept in both cookies: the session's key."""
        if self.session_key is None:
            raise RuntimeError("sign in through envoycrm.auth.session.sign_in")
        return self.session_key

    @property
    def display_name(self) -> str:
        """The name in pinyin and, where known, in Hanzi: "Chen Jing 陈静"."""
        return person_name(self.full_name, self.name_hanzi)

    def has_role(self, *roles: Role) -> bool:
        """True when the user holds one of ``roles``; admins hold coordinator rights."""
        if self.role in roles:
            return True
        return self.role is Role.ADMIN and Role.COORDINATOR in roles

    @property
    def is_staff(self) -> bool:
        """Bureau staff: coordinators and admins."""
        return self.role in (Role.ADMIN, Role.COORDINATOR)


def person_name(full_name: str, name_hanzi: str | None) -> str:
    """``full_name`` followed by ``name_hanzi`` when it adds something."""
    if name_hanzi and name_hanzi not in full_name:
        return f"{full_name} {name_hanzi}"
    return full_name


class EnvoyProfile(Model):
    """An envoy's place in the network: university, studies and status."""

    __tablename__ = "envoy_profiles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    university_id: Mapped[int] = mapped_column(
        ForeignKey("universities.id"), index=True
    )
    programme: Mapped[str] = mapped_column(String(200))
    degree: Mapped[DegreeLevel] = mapped_column(
        Enum(DegreeLevel, native_enum=False, length=20)
    )
    expected_graduation: Mapped[date | None]
    recruited_on: Mapped[date]
    status: Mapped[EnvoyStatus] = mapped_column(
        Enum(EnvoyStatus, native_enum=False, length=20),
        default=EnvoyStatus.ACTIVE,
        index=True,
    )

    user: Mapped[User] = relationship(back_populates="envoy_profile")
    university: Mapped[University] = relationship()


class UserSession(Model):
    """One signed-in browser: the row the session and remember-me cookies name.

    The cookies carry a random key; only its SHA-256 is stored, so a copy of
    this table signs no one in. A revoked row, or one unused for longer than
    the idle limit, signs in nobody, whichever cookie names it.
    """

    __tablename__ = "user_sessions"
    __table_args__ = (
        Index("ix_user_sessions_user_id_revoked_at", "user_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # "Firefox, Windows": enough to recognise a device in the list, no more.
    user_agent: Mapped[str] = mapped_column(String(60), default="")
    remembered: Mapped[bool] = mapped_column(default=False)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class RateEvent(Model):
    """One counted event (a failed sign-in, a public form reply) for rate limits.

    ``key`` names the counter, e.g. ``account:<email>``, ``ip:<address>`` or
    ``reply-ip:<address>``; counting rows in a time window works the same in
    every worker process because it lives in the database.
    """

    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key_at", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
