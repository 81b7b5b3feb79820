"""Forms of the events area: an event, invitations, the public registration."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    SubmitField,
    URLField,
)
from wtforms.validators import (
    URL,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from envoycrm.forms import (
    BoundedIntegerField,
    Form,
    IdempotentForm,
    TimezoneField,
    VersionedForm,
    coerce_id,
    enum_select,
    plausible_date,
    single_line,
    strip,
)
from envoycrm.jobs.forms import ReplyForm, text
from envoycrm.labels import choices
from envoycrm.models import DegreeLevel, EventKind, FieldOfStudy

CAPACITY_MAX = 100_000


def _enum_names(enum_cls):
    def coerce(value):
        if value not in enum_cls.__members__:
            raise ValueError(str(value))
        return value

    return coerce


class EventForm(VersionedForm):
    """An event's details; the kinds offered depend on who edits."""

    kind = enum_select(
        _l("Kind of event"),
        EventKind,
        prompt=_l("— choose —"),
        required=_l("Choose the kind of event."),
    )
    title_en = text(_l("Title in English"), 200, required=True)
    title_zh = text(_l("Title in Chinese"), 200, required=True)
    description_en = text(_l("Description in English"), 5000, area=True)
    description_zh = text(_l("Description in Chinese"), 5000, area=True)
    time_zone = TimezoneField(
        _l("The event's time zone"),
        validators=[InputRequired(), single_line],
        description=_l("Start and end are given in this zone."),
    )
    starts_at = DateTimeLocalField(
        _l("Starts"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format="%Y-%m-%dT%H:%M", validators=[InputRequired()]
    )
    place = text(_l("Place"), 300)
    online_url = URLField(
        _l("Online link"),
        filters=[strip],
        validators=[Optional(), Length(max=500), URL(require_tld=False), single_line],
    )
    capacity = BoundedIntegerField(
        _l("Capacity"),
        description=_l("Leave empty for no limit; beyond it people join a wait list."),
        validators=[Optional(), NumberRange(min=1, max=CAPACITY_MAX)],
    )
    registration_deadline = DateField(
        _l("Registration deadline"),
        description=_l("The last day to register, in the event's zone."),
        validators=[Optional(), plausible_date],
    )
    audience_degrees = SelectMultipleField(
        _l("Degrees"),
        choices=lambda: choices(DegreeLevel),
        coerce=_enum_names(DegreeLevel),
    )
    audience_fields = SelectMultipleField(
        _l("Fields of study"),
        choices=lambda: choices(FieldOfStudy),
        coerce=_enum_names(FieldOfStudy),
    )
    audience_countries = SelectMultipleField(_l("Countries"), coerce=str)
    audience_universities = SelectMultipleField(_l("Universities"), coerce=coerce_id)
    submit = SubmitField(_l("Save the event"))

    def validate(self, extra_validators=None) -> bool:
        """The fields' checks, then: it ends after it starts, somewhere to go,
        and registration closes no later than the start."""
        valid = super().validate(extra_validators)
        if not self.place.data and not self.online_url.data:
            self.place.errors = [
                *self.place.errors,
                _l("Give a place, an online link, or both."),
            ]
            valid = False
        starts, ends = self.starts_at.data, self.ends_at.data
        if starts and ends and ends <= starts:
            self.ends_at.errors = [*self.ends_at.errors, _l("End after the start.")]
            valid = False
        deadline = self.registration_deadline.data
        if starts and deadline and deadline > starts.date():
            self.registration_deadline.errors = [
                *self.registration_deadline.errors,
                _l("Close registration no later than the day of the event."),
            ]
            valid = False
        return valid

    def event_data(self) -> dict:
        """The values for ``services.create_event`` / ``update_event``.

        Start and end are read in the event's zone and stored as instants.
        """
        zone = ZoneInfo(str(self.time_zone.data))  # validated: a known zone
        data = {
            name: self[name].data
            for name in (
                "title_en",
                "title_zh",
                "time_zone",
                "registration_deadline",
                "capacity",
            )
        }
        if "kind" in self:
            data["kind"] = self.kind.data
        data["description_en"] = self.description_en.data or ""
        data["description_zh"] = self.description_zh.data or ""
        data["place"] = self.place.data or ""
        data["online_url"] = self.online_url.data or ""
        data["starts_at"] = _instant(self.starts_at.data, zone)
        data["ends_at"] = _instant(self.ends_at.data, zone)
        data["audience_degrees"] = sorted(set(self.audience_degrees.data or []))
        data["audience_fields"] = sorted(set(self.audience_fields.data or []))
        data["audience_countries"] = sorted(set(self.audience_countries.data or []))
        return data


def _instant(local: datetime, zone: ZoneInfo) -> datetime:
    return local.replace(tzinfo=zone)


class NewEventForm(IdempotentForm, EventForm):
    """A new event: sent twice, created once."""


class StatusForm(Form):
    """One step in an event's life."""

    status = SelectField(
        _l("New status"),
        choices=[SelectChoice(name, name) for name in ("PUBLISHED", "CLOSED", "HELD")],
        validators=[InputRequired()],
    )


class InviteForm(IdempotentForm):
    """An envoy inviting one of their students, recorded on the timeline."""

    student_id = SelectField(
        _l("Student"), coerce=coerce_id, validators=[InputRequired()]
    )
    note = text(_l("Note for the timeline"), 500, area=True)
    submit = SubmitField(_l("Record the invitation"))


class HeldRegistrationForm(Form):
    """The student's envoy says whether a matched registration is their student."""

    decision = RadioField(
        _l("Is this your student registering?"),
        choices=[
            SelectChoice("confirm", _l("Yes: the registration is theirs")),
            SelectChoice("dismiss", _l("No: keep it apart from the student")),
        ],
        validators=[InputRequired(message=_l("Choose confirm or dismiss."))],
    )
    submit = SubmitField(_l("Save the decision"))


class RegistrationForm(ReplyForm):
    """The public registration form: the referral reply's fields, registering."""

    email = EmailField(
        _l("Email"),
        description=_l("Your confirmation and reminder are sent here."),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
    )
    consent = BooleanField(
        _l("I agree"),
        validators=[InputRequired(message=_l("Tick this box to register."))],
    )
    submit = SubmitField(_l("Register"))


class CancelRegistrationForm(Form):
    """The registrant confirms they cancel (a link alone must not cancel:
    mail scanners open links)."""

    submit = SubmitField(_l("Cancel my registration"))
