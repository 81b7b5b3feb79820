"""Forms for signing in and choosing passwords."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, StringField, SubmitField
from wtforms.validators import Email, EqualTo, InputRequired, Length

from envoycrm.forms import Form, single_line, strip

MIN_PASSWORD = 10


class LoginForm(Form):
    """Email and password, with an optional remember-me."""

    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
    )
    password = PasswordField(
        _l("Password"), validators=[InputRequired(), Length(max=200)]
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = StringField(validators=[Length(max=2000)])
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(Form):
    """Ask for a password-reset link."""

    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[InputRequired(), Email(), Length(max=254), single_line],
    )
    submit = SubmitField(_l("Send me a reset link"))


class SetPasswordForm(Form):
    """Choose a password (after an invitation or a reset request)."""

    password = PasswordField(
        _l("New password"),
        validators=[
            InputRequired(),
            Length(
                min=MIN_PASSWORD,
                max=200,
                message=_l("Use between %(min)d and %(max)d characters."),
            ),
            single_line,
        ],
    )
    confirm = PasswordField(
        _l("Repeat the password"),
        validators=[
            InputRequired(),
            EqualTo("password", message=_l("The two passwords differ.")),
            single_line,
        ],
    )
    submit = SubmitField(_l("Save password"))
