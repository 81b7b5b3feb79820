"""Searchable pickers for choice lists too long for a select.

A select of 600 time zones or 300 digest recipients is a long scroll. Here a
choice is a text input with a ``<datalist>``: the browser offers the entries
that match what is typed, with or without JavaScript, and any browser that
ignores the list still has a text box. Whatever arrives is mapped back to
one entry on the server — by its text, its value, or a field's own rule —
and anything else is refused at the field (422), keeping what was typed.
"""

import re
from collections.abc import Sequence
from typing import Any, NamedTuple

from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from wtforms import StringField
from wtforms.validators import ValidationError
from wtforms.widgets import TextInput

from envoycrm.i18n import canonical_timezones, timezone_choices


class Entry(NamedTuple):
    """One choice: what it stands for, the text put in the box, a hint beside it."""

    data: Any
    text: str
    hint: str = ""


class DatalistInput(TextInput):
    """A text input and its datalist, rendered together."""

    def __call__(self, field, **kwargs):
        list_id = f"{field.id}-options"
        kwargs.setdefault("list", list_id)
        kwargs.setdefault("autocomplete", "off")
        options = Markup("").join(
            Markup('<option value="{}">{}</option>').format(entry.text, entry.hint)
            for entry in field.entries()
        )
        return Markup('{}<datalist id="{}">{}</datalist>').format(
            super().__call__(field, **kwargs), list_id, options
        )


class SearchableChoiceField(StringField):
    """A choice typed or picked from a datalist; ``data`` is the entry's data.

    Entries come from ``entries()``: a subclass computes them, or a view sets
    them with ``set_entries`` (a list loaded from the database). What was
    sent is mapped to an entry when the form is validated.
    """

    widget = DatalistInput()

    def __init__(self, label=None, validators=None, message=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.message = message or _l("Choose one from the list.")
        self._entries: Sequence[Entry] = ()

    def set_entries(self, entries: Sequence[Entry]) -> None:
        """The choices, for a list that only the view can load."""
        self._entries = entries

    def entries(self) -> Sequence[Entry]:
        """The choices offered and accepted."""
        return self._entries

    @staticmethod
    def key(text: str) -> str:
        """What two texts must share to name the same entry."""
        return " ".join(str(text).casefold().split())

    def resolve(self, text: str) -> Any:
        """The data of the entry ``text`` names, or None."""
        wanted = self.key(text)
        for entry in self.entries():
            if wanted in (self.key(entry.text), self.key(str(entry.data))):
                return entry.data
        return None

    def display(self, data: Any) -> str:
        """The text shown in the box for ``data``."""
        for entry in self.entries():
            if entry.data == data:
                return entry.text
        return "" if data is None else str(data)

    def process_formdata(self, valuelist):
        # Resolved when validated: a view may set the entries after this.
        self.data = valuelist[0].strip() if valuelist else None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]  # what was typed, kept on an error
        return self.display(self.data)

    def pre_validate(self, form):
        text = self.raw_data[0].strip() if self.raw_data else ""
        if not text:
            self.data = None
            # Left empty: a required or optional field's validator says so;
            # any other must name an entry.
            if self.flags.required or self.flags.optional:
                return
            raise ValidationError(self.message)
        self.data = self.resolve(text)
        if self.data is None:
            raise ValidationError(self.message)


_OFFSET = re.compile(r"\(UTC[^)]*\)")


class TimezoneField(SearchableChoiceField):
    """A time zone: "London (UTC+00:00) · United Kingdom", in the reader's
    language (``i18n.timezone_choices``); the zone's name ("Europe/London")
    is accepted too. A legacy zone an account already has stays possible;
    any other value is refused at the field."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(
            label, validators, message=_l("Choose a time zone from the list."), **kwargs
        )

    def entries(self) -> Sequence[Entry]:
        return [
            Entry(
                choice.value,
                f"{choice.label} · {choice.optgroup}"
                if choice.optgroup
                else choice.label,
            )
            for choice in timezone_choices(self.object_data)
        ]

    @staticmethod
    def key(text: str) -> str:
        # The offset changes with summer time; the city and country do not.
        return " ".join(_OFFSET.sub("", str(text)).casefold().split())

    def resolve(self, text: str) -> Any:
        if text == self.object_data or text in canonical_timezones():
            return text
        return super().resolve(text)
