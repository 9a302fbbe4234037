"""The account's own screen, and resetting a forgotten password by a mailed link: changing one's
password, and choosing the language of the mails one gets (the rules and the link are the
accounts service's: innovationsweek/accounts/passwords.py and service.py)."""

from __future__ import annotations

from flask import Response, redirect, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import EmailField, PasswordField, RadioField
from wtforms.validators import EqualTo, InputRequired

from innovationsweek.accounts import passwords
from innovationsweek.accounts.service import MIN_PASSWORD_LENGTH, issue_token, set_language
from innovationsweek.api.context import current_actor, db, runtime
from innovationsweek.api.headers import SECRET_LINK_PAGE
from innovationsweek.api.limits import rate_limited
from innovationsweek.api.urls import public_url_for
from innovationsweek.errors import Invalid, NotFound
from innovationsweek.pages.labels import language_name
from innovationsweek.pages.i18n import page_language
from innovationsweek.pages.sign_in import SESSION_LIFETIME, sign_out_form, signed_in, start_session
from innovationsweek.pages.views import bp, render_page
from innovationsweek.translations import LANGUAGES


# Made before NewPassword's fields: WTForms orders a form's fields by when they were made, and the
# error summary lists them in that order, which must be the page's (current password first).
_CURRENT_PASSWORD = PasswordField(_l("Current password"), validators=[InputRequired(_l("Enter your current password."))])


class NewPassword(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[InputRequired(_l("Enter a new password."))])
    repeat = PasswordField(
        _l("New password again"),
        validators=[InputRequired(_l("Enter the new password again.")), EqualTo("new_password", _l("The two new passwords differ."))],
    )


class PasswordChangeForm(NewPassword):
    current_password = _CURRENT_PASSWORD


class MailLanguageForm(FlaskForm):
    language = RadioField(_l("Language of the mails you get"), validators=[InputRequired(_l("Choose a language."))])

    def __init__(self, chosen: str | None) -> None:
        super().__init__(data={"language": chosen} if chosen else None)
        # Each language in its own name, so that a person who cannot read this page's finds theirs.
        self.language.choices = [(code, language_name(code, code).capitalize()) for code in LANGUAGES]


class ResetRequestForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(_l("Enter your email address."))])


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password() -> Response:
    form = PasswordChangeForm()
    if not form.validate_on_submit():
        return _password_page(form, status=400 if form.is_submitted() else 200)
    actor = current_actor()
    try:
        passwords.change_password(db(), actor, current=form.current_password.data, new=form.new_password.data)
    except Invalid as refusal:
        _show_at_field(form, refusal)
        return _password_page(form, status=400)
    # Every token went with the old password, this session's too: carry on in a new session.
    start_session(issue_token(db(), email=actor.require_user().email, password=form.new_password.data, lifetime=SESSION_LIFETIME))
    return render_page("account/password_changed.html", 200, sign_out=sign_out_form())


@bp.post("/account/language")
@signed_in
def change_mail_language() -> Response:
    user = current_actor().require_user()
    form = MailLanguageForm(user.language)
    if not form.validate_on_submit():
        return _password_page(PasswordChangeForm(formdata=None), language_form=form, status=400)
    set_language(db(), current_actor(), form.language.data)
    return _password_page(PasswordChangeForm(formdata=None), language_form=form, status=200, language_saved=True)


@bp.get("/login/reset")
def reset_request() -> Response:
    return _reset_request_page(ResetRequestForm(), sent=False, status=200)


@bp.post("/login/reset")
@rate_limited("password_reset", "password_reset_account")
def reset_requested() -> Response:
    form = ResetRequestForm()
    if not form.validate():
        return _reset_request_page(form, sent=False, status=400)
    settings = runtime().settings
    passwords.request_password_reset(
        db(),
        form.email.data,
        secret_key=settings.secret_key,
        language=page_language().language,
        link_for=lambda token: public_url_for("pages.reset_password", token=token),
    )
    return _reset_request_page(form, sent=True, status=200)  # the same for every address


@bp.route("/login/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> BaseResponse:
    secret_key = runtime().settings.secret_key
    form = NewPassword()
    try:
        passwords.account_of_reset_link(db(), token, secret_key=secret_key)
    except passwords.ResetLinkExpired:
        return _secret_link(_dead_reset_link(410, _("This link has expired")))
    except NotFound:  # used, or the password changed since: not the generic "no such page"
        return _secret_link(_dead_reset_link(404, _("This link no longer works")))
    if not form.validate_on_submit():
        return _secret_link(_reset_page(form, token, status=400 if form.is_submitted() else 200))
    try:
        passwords.reset_password(db(), token, form.new_password.data, secret_key=secret_key)
    except Invalid as refusal:
        _show_at_field(form, refusal)
        return _secret_link(_reset_page(form, token, status=400))
    session.clear()
    return _secret_link(redirect(url_for("pages.login", reset=1), 303))


def _show_at_field(form: NewPassword, refusal: Invalid) -> None:
    messages = {
        "current_password": _("The current password is wrong."),
        "new_password": _("The password needs at least %(count)s characters.", count=MIN_PASSWORD_LENGTH),
    }
    form[refusal.field].errors = [messages.get(refusal.field, refusal.detail)]


def _dead_reset_link(status: int, heading: str) -> Response:
    """A reset link that cannot be used, with the way to a new one."""
    return render_page(
        "error.html", status, heading=heading, message=_("A reset link works once, for an hour. Ask for a new one."),
        way_on=(url_for("pages.reset_request"), _("Ask for a new link")),
    )


def _reset_page(form: NewPassword, token: str, *, status: int) -> Response:
    return render_page("account/reset.html", status, form=form, token=token, password_hint=_password_hint())


def _password_hint() -> str:
    return _("At least %(count)s characters. A few words you remember are better than a short password.", count=MIN_PASSWORD_LENGTH)


def _password_page(
    form: PasswordChangeForm, *, status: int, language_form: MailLanguageForm | None = None, language_saved: bool = False
) -> Response:
    user = current_actor().require_user()
    return render_page(
        "account/password.html",
        status,
        form=form,
        language_form=language_form or MailLanguageForm(user.language),
        language_chosen=user.language,
        language_saved=language_saved,
        language_name=language_name,
        sign_out=sign_out_form(),
        password_hint=_password_hint(),
    )


def _reset_request_page(form: ResetRequestForm, *, sent: bool, status: int) -> Response:
    response = render_page("account/reset_request.html", status, form=form, sent=sent)
    response.headers["Cache-Control"] = "no-store"
    return response


def _secret_link(response: BaseResponse) -> BaseResponse:
    """The reset link's page: kept out of caches, other sites' Referer and search engines."""
    response.headers.update(SECRET_LINK_PAGE)
    return response
