"""Forms of the personnel-file service."""

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Email, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from envoycrm.forms import (
    BoundedIntegerField,
    Form,
    IdempotentForm,
    VersionedForm,
    coerce_id,
    enum_select,
    plausible_date,
    single_line,
    strip,
)
from envoycrm.i18n import language_choices
from envoycrm.labels import choices
from envoycrm.models import FileDocument, FileStep
from envoycrm.pipeline.forms import filter_field
from envoycrm.students.forms import (
    MultiCheckboxField,
    StudentFieldsMixin,
    optional_text,
)

# The checklist a new file starts with; the rest are added when they apply.
USUAL_DOCUMENTS = [
    FileDocument.APPLICATION_FORM.name,
    FileDocument.IDENTITY_CARD.name,
    FileDocument.PASSPORT.name,
    FileDocument.DEGREE_CERTIFICATES.name,
    FileDocument.TRANSCRIPTS.name,
    FileDocument.ENROLMENT_PROOF.name,
]


def documents_field(label, **kwargs) -> MultiCheckboxField:
    """Documents of the checklist, one checkbox each."""
    return MultiCheckboxField(label, choices=lambda: choices(FileDocument), **kwargs)


def steps_field(label) -> SelectField:
    """A step, chosen by name."""
    return enum_select(
        label, FileStep, prompt=_l("— choose —"), required=_l("Choose the step.")
    )


class ChecklistMixin:
    """The documents the file needs and those received."""

    required = documents_field(_l("Documents the file needs"), default=USUAL_DOCUMENTS)
    received = documents_field(_l("Documents received"))

    def documents(self) -> dict[str, bool]:
        """The checklist to store: every needed or received document."""
        needed = set(self.required.data or []) | set(self.received.data or [])
        received = set(self.received.data or [])
        return {
            doc.name: doc.name in received for doc in FileDocument if doc.name in needed
        }


class FileFieldsMixin(ChecklistMixin):
    """What opening a file records."""

    step_on = DateField(
        _l("Application received on"), validators=[InputRequired(), plausible_date]
    )
    locale = SelectField(
        _l("Language of the mails to the student"),
        choices=language_choices,
        default="zh_Hans",
    )
    storage_ref = optional_text(
        _l("Storage reference"), 60, description=_l("Cabinet and shelf, e.g. A-03-12")
    )
    notes = TextAreaField(
        _l("Notes for staff"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
        description=_l("Never shown to the student."),
    )


class OpenFileForm(FileFieldsMixin, IdempotentForm):
    """Open a file for a student already in EnvoyCRM."""

    submit = SubmitField(_l("Open the file"))


class ServiceStudentFileForm(StudentFieldsMixin, FileFieldsMixin, IdempotentForm):
    """Open a file for someone who comes to the bureau only for it."""

    submit = SubmitField(_l("Open the file"))

    def validate(self, extra_validators=None) -> bool:
        """The student's fields, then: an email, where their link is sent."""
        valid = super().validate(extra_validators)
        if not self.email.data and not self.email.errors:
            self.email.errors = [
                *self.email.errors,
                _l("Enter the student's email: their status link is sent there."),
            ]
            valid = False
        return valid


class StepForm(VersionedForm):
    """Move one file to its next step."""

    step = steps_field(_l("Next step"))
    step_on = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    transfer_to = optional_text(
        _l("Transferred to (employer or unit)"),
        200,
        description=_l("Needed when the file is transferred out."),
    )
    notes = TextAreaField(
        _l("Notes for staff"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    submit = SubmitField(_l("Record the step"))

    def validate(self, extra_validators=None) -> bool:
        """The fields, then: a destination for a transfer out."""
        valid = super().validate(extra_validators)
        if self.step.data is FileStep.TRANSFERRED_OUT and not self.transfer_to.data:
            self.transfer_to.errors = [
                *self.transfer_to.errors,
                _l("Name the employer or unit the file goes to."),
            ]
            valid = False
        return valid


class DetailsForm(ChecklistMixin, VersionedForm):
    """The storage reference, the checklist and the mail language."""

    storage_ref = optional_text(_l("Storage reference"), 60)
    locale = SelectField(
        _l("Language of the mails to the student"), choices=language_choices
    )
    submit = SubmitField(_l("Save"))


class BulkStepForm(Form):
    """One step for the selected files or for every file matching the filter."""

    target = RadioField(
        _l("Apply to"),
        choices=[
            SelectChoice("selected", _l("The selected files")),
            SelectChoice("filter", _l("Every file matching the filter")),
        ],
        default="selected",
    )
    step = steps_field(_l("Next step"))
    step_on = DateField(_l("Date"), validators=[InputRequired(), plausible_date])
    notes = TextAreaField(
        _l("Notes for staff"),
        filters=[strip],
        validators=[Optional(), Length(max=2000)],
    )
    ids = SelectMultipleField(
        coerce=coerce_id,
        validate_choice=False,
        invalid_value_message=_l(
            "The selection names a file that does not exist; reload the list."
        ),
    )
    filter = filter_field()
    expected = BoundedIntegerField(
        _l("Number of files shown"),
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(min=0)],
    )
    confirm = BooleanField(_l("Yes, change every file matching the filter"))

    def validate(self, extra_validators=None) -> bool:
        """A step that a bulk change may make, and a confirmed target."""
        valid = super().validate(extra_validators)
        if self.step.data is FileStep.TRANSFERRED_OUT:
            self.step.errors = [
                *self.step.errors,
                _l("Transfer files out one by one: each names where it goes."),
            ]
            valid = False
        if self.target.data == "filter" and not self.confirm.data:
            self.confirm.errors = [
                _l("Confirm that every file matching the filter changes.")
            ]
            valid = False
        if self.target.data == "selected" and not self.ids.data and not self.ids.errors:
            self.ids.errors = [_l("Select at least one file, or apply to the filter.")]
            valid = False
        return valid


class LinkRequestForm(Form):
    """A student asks for a new status link."""

    email = EmailField(
        _l("Your email address"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
        description=_l("The address you gave the bureau with your application."),
    )
    # Honeypot: hidden from people by CSS, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[single_line])
    submit = SubmitField(_l("Send me a new link"))
