"""Rules every field of every form follows, checked by walking the forms.

A new form cannot forget them: the test imports every module of the package
and inspects each form class's fields.
"""

import importlib
import pkgutil

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectFieldBase, StringField, TextAreaField
from wtforms.fields.core import UnboundField

import envoycrm
from envoycrm.forms import (
    BoundedIntegerField,
    coerce_id,
    coerce_optional_id,
    single_line,
)


def form_classes() -> list[type[FlaskForm]]:
    """Every form class the package defines (after importing all its modules)."""
    for module in pkgutil.walk_packages(envoycrm.__path__, "envoycrm."):
        importlib.import_module(module.name)
    found, stack = [], [FlaskForm]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub.__module__.startswith("envoycrm."):
                found.append(sub)
            stack.append(sub)
    return found


def form_fields() -> list[tuple[str, UnboundField]]:
    """(form.field, unbound field) for every field of every form."""
    fields = []
    for form in form_classes():
        for name in dir(form):
            value = getattr(form, name)
            if isinstance(value, UnboundField):
                fields.append((f"{form.__module__}.{form.__qualname__}.{name}", value))
    return fields


def test_the_walk_finds_the_forms():
    names = {name for name, _ in form_fields()}
    assert len(form_classes()) >= 30
    assert "envoycrm.pipeline.forms.BulkForm.ids" in names


def test_every_whole_number_field_is_bounded_to_the_database_integer():
    unbounded = [
        name
        for name, field in form_fields()
        if issubclass(field.field_class, IntegerField)
        and not issubclass(field.field_class, BoundedIntegerField)
    ]
    assert unbounded == []


def test_every_select_of_numbers_coerces_through_coerce_id():
    plain_int = [
        name
        for name, field in form_fields()
        if issubclass(field.field_class, SelectFieldBase)
        and field.kwargs.get("coerce") is int
    ]
    assert plain_int == []
    ids = [
        name
        for name, field in form_fields()
        if field.kwargs.get("coerce") in (coerce_id, coerce_optional_id)
    ]
    assert len(ids) >= 8


# Fields that may hold a line break or a control character, and why.
MAY_SPAN_LINES = {
    # Only compared with the stored hash, never stored or shown; refusing a
    # character here could lock out a password chosen before the rule.
    "envoycrm.auth.forms.LoginForm.password",
    # Where to go next: never stored or shown; safe_next() sends anything odd
    # home, so signing in or switching language never fails over it.
    "envoycrm.auth.forms.LoginForm.next",
    "envoycrm.main.forms.LanguageForm.next",
}


def _validators(field: UnboundField) -> list:
    if "validators" in field.kwargs:
        return list(field.kwargs["validators"] or [])
    return list(field.args[1]) if len(field.args) > 1 else []


def test_every_one_line_text_field_refuses_line_breaks():
    without = [
        name
        for name, field in form_fields()
        if issubclass(field.field_class, StringField)
        and not issubclass(field.field_class, TextAreaField)
        and single_line not in _validators(field)
        and name not in MAY_SPAN_LINES
    ]
    assert without == []
    assert len([n for n, f in form_fields() if single_line in _validators(f)]) >= 50


def test_quick_select_writes_what_wtforms_writes(app):
    """Every plain select of our forms is drawn by QuickSelect, to the byte."""
    from wtforms import SelectChoice, SelectField
    from wtforms.widgets import Select

    from envoycrm.forms import QUICK_SELECT, Form

    class Picker(Form):
        who = SelectField(
            choices=[
                SelectChoice("", "—"),
                SelectChoice(1, 'Wang "Wei" <b>'),
                SelectChoice(2, "李明 & Co"),
                SelectChoice(True, "yes"),
            ],
            coerce=str,
        )

    with app.test_request_context():
        form = Picker(formdata=None, who="2", meta={"csrf": False})
        assert form.who.widget is QUICK_SELECT
        assert str(form.who()) == str(Select()(form.who))
        assert 'selected value="2"' in str(form.who())
        assert "&lt;b&gt;" in str(form.who()) and "&amp; Co" in str(form.who())
