"""The organisers' organisations: create one, change or delete it, its members and their roles,
leaving it, and the invitations to co-organise an activity. Over the API's service functions,
schemas and access rules."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as BaseResponse
from wtforms import BooleanField, EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired

from innovationsweek.activities import service as activities
from innovationsweek.activities.models import CoOrganiserStatus
from innovationsweek.api.context import current_actor, db
from innovationsweek.api.organisations import MemberSchema, OrganisationSchema
from innovationsweek.errors import Conflict, Forbidden, Invalid, NotFound
from innovationsweek.organisations import service as organisations
from innovationsweek.organisations.models import MemberRole
from innovationsweek.pages.coordinator import ORGANISATION_KINDS
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page

ROLES = {MemberRole.OWNER: _l("Owner"), MemberRole.MEMBER: _l("Member")}
LAST_OWNER = _l("An organisation must keep at least one owner; add another owner first.")


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(_l("Enter the organisation's name."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(kind.value, label) for kind, label in ORGANISATION_KINDS.items()])
    country = StringField(_l("Country code"), validators=[InputRequired(_l("Enter a country code such as SE or DK."))])
    region = StringField(_l("Region"))
    website = StringField(_l("Website"))


class MemberForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(_l("Enter your email address."))])
    role = SelectField(_l("Role"), choices=[SelectChoice(role.value, label) for role, label in ROLES.items()], default=MemberRole.MEMBER.value)


class EmptyForm(FlaskForm):
    """A button's form: only its CSRF token."""


class DeletionForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that its activities in the works are withdrawn and its members leave it"),
        validators=[DataRequired(_l("Tick the box to confirm that the organisation is to be deleted."))],
    )


@bp.route("/organiser/organisations/", methods=["GET", "POST"])
@signed_in
def my_organisations() -> Response | BaseResponse:
    form = OrganisationForm()
    if form.is_submitted():
        fields = _checked(form, OrganisationSchema())
        if fields is not None:
            try:
                organisation = organisations.create_organisation(db(), current_actor(), fields)
            except Conflict:
                form.name.errors = [_("An organisation with this name already exists in this country.")]
            else:
                return redirect(url_for("pages.organisation", organisation_id=organisation.id), 303)
    return _my_organisations_page(form, status=400 if form.errors else 200)


@bp.get("/organiser/organisations/<int:organisation_id>")
@signed_in
def organisation(organisation_id: int) -> Response:
    return _organisation_page(organisation_id, MemberForm(formdata=None), status=200)


@bp.post("/organiser/organisations/<int:organisation_id>")
@signed_in
def change_organisation(organisation_id: int) -> Response | BaseResponse:
    form = OrganisationForm()
    if form.is_submitted():
        fields = _checked(form, OrganisationSchema(), blanks_clear=True)
        if fields is not None:
            try:
                organisations.update_organisation(db(), current_actor(), organisation_id, fields)
            except Conflict:
                db().rollback()
                form.name.errors = [_("An organisation with this name already exists in this country.")]
            else:
                flash(_("The organisation's details are saved."))
                return _back_to(organisation_id)
    return _organisation_page(organisation_id, MemberForm(formdata=None), status=400, details=form)


@bp.post("/organiser/organisations/<int:organisation_id>/delete")
@signed_in
def delete_organisation(organisation_id: int) -> Response | BaseResponse:
    form = DeletionForm()
    if not form.validate_on_submit():
        return _organisation_page(organisation_id, MemberForm(formdata=None), status=400, deletion=form)
    name = organisations.get_organisation(db(), current_actor(), organisation_id).name
    organisations.delete_organisation(db(), current_actor(), organisation_id)
    flash(_("%(name)s is deleted.", name=name))
    return redirect(url_for("pages.my_organisations"), 303)


@bp.post("/organiser/organisations/<int:organisation_id>/leave")
@signed_in
def leave_organisation(organisation_id: int) -> Response | BaseResponse:
    actor = current_actor()
    if not EmptyForm().validate_on_submit():
        return _back_to(organisation_id)
    name = organisations.get_organisation(db(), actor, organisation_id).name
    try:
        organisations.remove_member(db(), actor, organisation_id, actor.require_user().id)
    except Conflict:
        problem = _("You are its only owner: make another member owner before you leave, or delete the organisation.")
        return _organisation_page(organisation_id, MemberForm(formdata=None), status=409, problem=problem)
    flash(_("You have left %(name)s.", name=name))
    return redirect(url_for("pages.my_organisations"), 303)


@bp.post("/organiser/organisations/<int:organisation_id>/members")
@signed_in
def add_member(organisation_id: int) -> Response | BaseResponse:
    form = MemberForm()
    if form.validate_on_submit():
        fields = _loaded(form, MemberSchema())
        if fields is not None:
            try:
                organisations.add_member(db(), current_actor(), organisation_id, **fields)
            except Invalid as refusal:
                if refusal.extra.get("field") != "email":
                    raise
                form.email.errors = [_("No account has this email address.")]
            except Conflict:
                form.role.errors = [str(LAST_OWNER)]
            else:
                return _back_to(organisation_id)
    return _organisation_page(organisation_id, form, status=400)


@bp.post("/organiser/organisations/<int:organisation_id>/members/<int:user_id>/remove")
@signed_in
def remove_member(organisation_id: int, user_id: int) -> Response | BaseResponse:
    if EmptyForm().validate_on_submit():
        try:
            organisations.remove_member(db(), current_actor(), organisation_id, user_id)
        except Conflict:
            return _organisation_page(organisation_id, MemberForm(formdata=None), status=409, problem=str(LAST_OWNER))
    return _back_to(organisation_id)


@bp.post("/organiser/organisations/<int:organisation_id>/invitations/<int:activity_id>/<any(accept,decline):answer>")
@signed_in
def answer_invitation(organisation_id: int, activity_id: int, answer: str) -> Response | BaseResponse:
    if EmptyForm().validate_on_submit():
        try:
            link = activities.answer_co_organiser_invitation(db(), current_actor(), activity_id, organisation_id, accept=answer == "accept")
        except Conflict:
            pass  # answered already (by another owner, or twice): the list shows the answer
        else:  # the invitation leaves the list: say what became of it
            words = {"title": link.activity.title, "organisation": link.organisation.name}
            flash(_("%(organisation)s co-organises “%(title)s”.", **words) if answer == "accept" else _("%(organisation)s declined to co-organise “%(title)s”.", **words))
    return redirect(url_for("pages.my_organisations"), 303)


def _checked(form: FlaskForm, schema: ma.Schema, *, blanks_clear: bool = False) -> dict[str, Any] | None:
    """The form's values if both the form and the API's schema take them; else None, with every
    refused field's message at once (a missing name must not hide a wrong country code)."""
    valid = form.validate()
    fields = _loaded(form, schema, blanks_clear=blanks_clear)
    return fields if valid else None


def _loaded(form: FlaskForm, schema: ma.Schema, *, blanks_clear: bool = False) -> dict[str, Any] | None:
    """The form's values through the API's schema (the same checks), blanks as absent (or, for a
    change, as emptied); a refusal goes next to its field."""
    fields = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
    data = {name: None if value in ("", None) else value for name, value in fields.items() if blanks_clear or value not in ("", None)}
    try:
        return schema.load(data)
    except ma.ValidationError as refusal:
        for name, messages in refusal.normalized_messages().items():
            if not form[name].errors:  # the form's own message says it better
                form[name].errors = [_("Check this value: %(reason)s", reason=" ".join(messages))]
        return None


def _pending_invitations() -> list[Any]:
    """Invitations still to answer, for every organisation the user owns (only owners answer)."""
    actor = current_actor()
    pending = []
    for membership in organisations.memberships_of(db(), actor.require_user()):
        if membership.role == MemberRole.OWNER:
            invitations = activities.co_organiser_invitations(db(), actor, membership.organisation_id)
            pending += [invitation for invitation in invitations if invitation.status == CoOrganiserStatus.PENDING]
    return pending


def _my_organisations_page(form: OrganisationForm, *, status: int) -> Response:
    return render_page(
        "organiser/organisations.html",
        status,
        form=form,
        memberships=organisations.memberships_of(db(), current_actor().require_user()),
        invitations=_pending_invitations(),
        answer_form=EmptyForm(),
        roles=ROLES,
        sign_out=sign_out_form(),
    )


def _organisation_page(
    organisation_id: int, form: MemberForm, *, status: int, problem: str | None = None,
    details: OrganisationForm | None = None, deletion: DeletionForm | None = None,
) -> Response:
    actor = current_actor()
    try:
        members = organisations.list_members(db(), actor, organisation_id)
    except Forbidden as refusal:  # as the API: a non-member does not learn who the members are
        raise NotFound(refusal.detail) from refusal
    found = organisations.get_organisation(db(), actor, organisation_id)
    manages = actor.is_admin or organisations.role_of(actor, found) == MemberRole.OWNER
    return render_page(
        "organiser/organisation.html",
        status,
        organisation=found,
        members=members,
        manages=manages,
        is_member=organisations.role_of(actor, found) is not None,
        form=form,
        details=details or OrganisationForm(formdata=None, obj=found),
        deletion=deletion or DeletionForm(formdata=None),
        button_form=EmptyForm(),
        roles=ROLES,
        kinds=ORGANISATION_KINDS,
        problem=problem,
        sign_out=sign_out_form(),
    )


def _back_to(organisation_id: int) -> BaseResponse:
    return redirect(url_for("pages.organisation", organisation_id=organisation_id), 303)
