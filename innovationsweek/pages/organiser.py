"""The organisers' screens: their organisations and their activities, in every edition, with what
to do next. Over the same service functions and access rules as the API."""

from __future__ import annotations

from flask import Response
from flask_babel import lazy_gettext as _l

from innovationsweek.activities import service as activities
from innovationsweek.activities.models import ActivityStatus
from innovationsweek.api.context import current_actor, db
from innovationsweek.organisations import service as organisations
from innovationsweek.pages.sign_in import sign_out_form, signed_in
from innovationsweek.pages.views import bp, render_page

# Each status as an organiser reads it, and what it asks of them next.
STATUSES = {
    ActivityStatus.DRAFT: (_l("Draft"), _l("Finish it and submit it before the deadline.")),
    ActivityStatus.SUBMITTED: (_l("Submitted"), _l("The automatic checks are running.")),
    ActivityStatus.IN_REVIEW: (_l("In review"), _l("The coordinators are reviewing it.")),
    # Asked by the coordinators or by the automatic checks (a blocking finding): say neither.
    ActivityStatus.CHANGES_REQUESTED: (_l("Changes requested"), _l("Make the changes asked for, then submit it again.")),
    ActivityStatus.PUBLISHED: (_l("Published"), _l("It is in the public programme.")),
    ActivityStatus.REJECTED: (_l("Rejected"), _l("The coordinators did not take it into the programme.")),
    ActivityStatus.WITHDRAWN: (_l("Withdrawn"), _l("You withdrew it.")),
    ActivityStatus.CANCELLED: (_l("Cancelled"), _l("It is cancelled; its participants were told.")),
}


@bp.get("/organiser/")
@signed_in
def organiser_home() -> Response:
    actor = current_actor()
    user = actor.require_user()
    return render_page(
        "organiser/home.html",
        200,
        user=user,
        memberships=organisations.memberships_of(db(), user),  # without one, no activity can be drafted
        activities=activities.activities_of_my_organisations(db(), actor),
        co_organised=activities.activities_co_organised(db(), actor),
        statuses=STATUSES,
        sign_out=sign_out_form(),
    )
