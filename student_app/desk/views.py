"""The Careers Leader's desk: leavers' destinations for the school, and each learner's.

Teachers and admins record, and see the whole school's leavers; a teaching assistant reads
the destinations of the learners of their classes (lookups).
"""

from datetime import date

from flask import Blueprint, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from .. import audit
from ..auth import staff_required
from ..lookups import learner_of_school, teacher_required
from ..web import attachment, render
from . import destinations as dest

bp = Blueprint("desk", __name__, url_prefix="/staff")


@bp.before_request
@staff_required
def require_staff():
    """Every screen here is for staff of the school whose records they are."""


@bp.get("/destinations")
def destinations():
    teacher_required()  # the whole school's leavers: a teaching assistant reaches their classes only
    school_id = g.user["school_id"]
    return render("desk/destinations.html", due=dest.checks_due(school_id), summary=dest.summary(school_id),
                  groups=dest.GROUPS, group_label=dest.group_label, checkpoint_label=dest.checkpoint_label,
                  month=date.today().isoformat()[:7])


@bp.get("/destinations.csv")
def destinations_csv():
    teacher_required()
    audit.log_action(g.user["school_id"], "downloaded the destinations CSV")
    return current_app.response_class(dest.csv_rows(g.user["school_id"]), mimetype="text/csv", headers={
        "Content-Disposition": attachment(f"destinations-{date.today().isoformat()}.csv"),
        "Cache-Control": "no-store"})


def learner_page(learner, message=None, status=200, form=None):
    consent = dest.consent_of(learner["id"])
    rows = dest.history(learner["id"])
    return render("desk/learner.html", learner=learner, consent=consent, rows=rows,
                  latest=dest.latest_by_checkpoint(rows),
                  allowed=dest.allowed_checkpoints(learner, consent and consent["consent"]),
                  due=dest.checks_for(learner["left_on"], consent and consent["consent"]) if learner["left_on"] else {},
                  year_group=dest.school_year_group(learner["date_of_birth"]),
                  activities=dest.ACTIVITIES, how_found=dest.HOW_FOUND, consent_by=dest.CONSENT_BY,
                  checkpoint_label=dest.checkpoint_label, how_found_label=dest.how_found_label,
                  consent_by_label=dest.consent_by_label, message=message, form=form or {},
                  today=date.today().isoformat()), status


@bp.get("/learners/<int:learner_id>/destinations")
def learner_destinations(learner_id):
    learner = learner_of_school(learner_id)
    audit.log(learner, "viewed destinations")
    return learner_page(learner)


@bp.post("/learners/<int:learner_id>/destinations")
def record_destination(learner_id):
    teacher_required()
    learner = learner_of_school(learner_id)  # a leaver's destinations are recorded after they leave
    consent = dest.consent_of(learner_id)
    try:
        found = dest.read_form(request.form, dest.allowed_checkpoints(learner, consent and consent["consent"]))
    except dest.Refused as refused:
        return learner_page(learner, str(refused), 400, request.form)
    dest.record(learner_id, g.user["id"], found)
    audit.log(learner, f"recorded a destination ({found['checkpoint']})")
    flash(_("The destination is saved."))
    return redirect(url_for(".learner_destinations", learner_id=learner_id))


@bp.post("/learners/<int:learner_id>/follow-up-consent")
def record_consent(learner_id):
    teacher_required()
    learner = learner_of_school(learner_id)
    try:
        dest.record_consent(learner_id, g.user["id"], request.form)
    except dest.Refused as refused:
        return learner_page(learner, str(refused), 400)
    audit.log(learner, "recorded consent to follow up after 16")
    flash(_("The consent is saved."))
    return redirect(url_for(".learner_destinations", learner_id=learner_id))


def init_app(app):
    app.register_blueprint(bp)
    app.jinja_env.globals.update(destination_activity=dest.activity_label)

