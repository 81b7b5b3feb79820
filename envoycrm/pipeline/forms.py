"""Forms of the pipeline: moving cards, bulk actions, saved views, imports."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)
from wtforms.widgets import HiddenInput

from envoycrm.forms import (
    BoundedIntegerField,
    Form,
    IdempotentForm,
    coerce_id,
    coerce_optional_id,
    enum_select,
    single_line,
    strip,
)
from envoycrm.i18n import language_choices
from envoycrm.models import ConsentMethod, ConsentScope, Stage
from envoycrm.students.forms import TAG


def filter_field() -> HiddenField:
    """The board's filter, as a query string, carried through a form."""
    return HiddenField(
        _l("Filter"),
        validators=[
            Optional(),
            Length(
                max=2000,
                message=_l(
                    "The filter is too long (at most %(max)d characters); "
                    "remove some of its conditions."
                ),
            ),
            single_line,
        ],
    )


def closing_reason() -> StringField:
    """Why students are closed (required for that stage by the form)."""
    return StringField(
        _l("Reason for closing"),
        filters=[strip],
        validators=[Optional(), Length(max=300), single_line],
    )


class MoveForm(Form):
    """Move one card to another stage (closing needs a reason)."""

    stage = enum_select(_l("Move to"), Stage)
    reason = closing_reason()
    filter = filter_field()

    def validate(self, extra_validators=None) -> bool:
        """The fields' checks, then: a reason when the stage is *closed*."""
        valid = super().validate(extra_validators)
        if valid and self.stage.data is Stage.CLOSED and not self.reason.data:
            self.reason.errors = [_l("Say why the student is closed.")]
            valid = False
        return valid


class BulkForm(Form):
    """One action on the selected students or on the whole filter."""

    target = RadioField(
        _l("Apply to"),
        choices=[
            SelectChoice("selected", _l("The selected students")),
            SelectChoice("filter", _l("Every student matching the filter")),
        ],
        default="selected",
    )
    action = RadioField(
        _l("Action"),
        default="move",
        choices=[
            SelectChoice("move", _l("Move to a stage")),
            SelectChoice("assign", _l("Assign to an envoy")),
            SelectChoice("add_tag", _l("Add a tag")),
            SelectChoice("remove_tag", _l("Remove a tag")),
            SelectChoice("export_csv", _l("Export to CSV")),
            SelectChoice("export_xlsx", _l("Export to Excel")),
        ],
    )
    stage = enum_select(_l("Stage"), Stage, validators=[Optional()])
    reason = closing_reason()
    envoy = SelectField(_l("Envoy"), coerce=coerce_optional_id, validators=[Optional()])
    tag = StringField(
        _l("Tag"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=40),
            single_line,
            Regexp(TAG, message=_l("A tag is one word: letters, digits, - or _.")),
        ],
    )
    ids = SelectMultipleField(
        coerce=coerce_id,
        validate_choice=False,
        invalid_value_message=_l(
            "The selection names a student that does not exist; reload the list."
        ),
    )
    filter = filter_field()
    # The count the coordinator saw, so a filter that changed is refused.
    expected = BoundedIntegerField(
        _l("Number of students shown"),
        widget=HiddenInput(),
        validators=[Optional(), NumberRange(min=0)],
    )
    confirm = BooleanField(_l("Yes, change every student matching the filter"))

    # The fields each action needs; the page shows only those (CSS, no script).
    FIELDS_OF = {
        "move": ("stage", "reason"),
        "assign": ("envoy",),
        "add_tag": ("tag",),
        "remove_tag": ("tag",),
    }

    def validate(self, extra_validators=None) -> bool:
        """Each action needs its own value; a selection needs students."""
        valid = super().validate(extra_validators)
        action = self.action.data
        # A field the chosen action does not use is ignored, whatever it holds.
        used = self.FIELDS_OF.get(action, ())
        for name in ("stage", "reason", "envoy", "tag"):
            if name not in used and self[name].errors:
                self[name].errors = []
        valid = valid or not any(f.errors for f in self)
        needs = {
            "move": (self.stage, _l("Choose the stage.")),
            "assign": (self.envoy, _l("Choose the envoy.")),
            "add_tag": (self.tag, _l("Enter the tag.")),
            "remove_tag": (self.tag, _l("Enter the tag.")),
        }
        if action in needs and not self.errors.get(needs[action][0].name):
            field, message = needs[action]
            if not field.data:
                field.errors = [*field.errors, message]
                valid = False
        if (
            action == "move"
            and self.stage.data is Stage.CLOSED
            and not self.reason.data
        ):
            self.reason.errors = [_l("Say why the students are closed.")]
            valid = False
        if (
            self.target.data == "filter"
            and action in self.FIELDS_OF
            and not self.confirm.data
        ):
            self.confirm.errors = [
                _l("Confirm that every student matching the filter changes.")
            ]
            valid = False
        if self.target.data == "selected" and not self.ids.data and not self.ids.errors:
            self.ids.errors = [
                _l("Select at least one student, or apply to the filter.")
            ]
            valid = False
        return valid


class SavedViewForm(IdempotentForm):
    """Save the current filter under a name."""

    name = StringField(
        _l("Name of the view"),
        filters=[strip],
        validators=[DataRequired(), Length(max=100), single_line],
    )
    filter = filter_field()


class FileUploadForm(IdempotentForm):
    """A spreadsheet to import, and nothing else."""

    file = FileField(
        _l("Spreadsheet (CSV or Excel .xlsx)"),
        validators=[FileRequired(_l("Choose a file to upload."))],
    )


class UploadForm(FileUploadForm):
    """Step 1 of an import: the file and what the import states."""

    owner_id = SelectField(
        _l("Envoy who will own the students"),
        coerce=coerce_id,
        validators=[InputRequired()],
    )
    scope = enum_select(_l("Consent the students gave"), ConsentScope)
    method = enum_select(_l("How consent was given"), ConsentMethod)
    notice_language = SelectField(
        _l("Language of the privacy notice shown"), choices=language_choices
    )
    on_duplicate = RadioField(
        _l("Students already known (same email or WeChat ID)"),
        choices=[
            SelectChoice("skip", _l("Skip them")),
            SelectChoice("update", _l("Update them with the file's values")),
        ],
        default="skip",
    )


class ConfirmForm(IdempotentForm):
    """Step 3: write the good rows."""


def mapping_form_class(labels: dict[str, str], headers: list[str]) -> type[Form]:
    """Step 2: a form with one column choice per importable field."""
    choices = [SelectChoice("", _l("— not imported —"))] + [
        SelectChoice(str(index), header or _l("Column %(n)s", n=index + 1))
        for index, header in enumerate(headers)
    ]

    class MappingForm(Form):
        """Which column holds which field."""

    for name, text in labels.items():
        setattr(
            MappingForm,
            f"map_{name}",
            # A field left out is "not imported"; a blank such as " " is no
            # choice at all (Optional would pass it unchecked once trimmed).
            SelectField(
                text, choices=choices, validators=[Optional(strip_whitespace=False)]
            ),
        )
    return MappingForm
