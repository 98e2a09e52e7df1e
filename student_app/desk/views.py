"""The Careers Leader's desk: leavers' destinations for the school and each learner's;
encounters recorded for a group; provider access per class; the termly benchmark review.

Teachers and admins record, and see the whole school; a teaching assistant reads the
destinations and provider encounters of the learners of their classes (lookups).
"""

from datetime import date

import click
from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _

from .. import access, audit, benchmarks
from ..auth import staff_required
from ..db import get_db
from ..lookups import class_of_school, classes_of_school, learner_of_school, teacher_required
from ..web import attachment, render
from . import destinations as dest
from . import encounters, termly

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


@bp.get("/encounters")
def encounter_list():
    teacher_required()
    rows, more = encounters.recent(g.user["school_id"], access.page_asked())
    return render("desk/encounters.html", rows=rows, more=more, page=access.page_asked())


def place_symbols():
    return sorted(s for s in current_app.extensions["symbols"] if s.startswith("place-"))


@bp.route("/encounters/new", methods=["GET", "POST"])
def new_encounter():
    """Choose the group (a class or a year group), then tick who was there: everyone is
    ticked to begin with."""
    teacher_required()
    school_id = g.user["school_id"]
    classes = classes_of_school()
    key = request.values.get("audience", "")
    group_name = encounters.group_key_label(key, classes) if key else None
    if key and group_name is None:
        abort(404)
    group = encounters.learners_of_group(school_id, key) if key else []
    message, status = None, 200
    if request.method == "POST":
        try:
            found = encounters.read_form(request.form, group, place_symbols())
        except encounters.Refused as refused:
            message, status = str(refused), 400
        else:
            encounter_id = encounters.record(school_id, g.user["id"], group_name, found)
            audit.log_action(school_id, f"recorded encounter {encounter_id} for {len(found['learners'])} learners")
            flash(_("The encounter is saved. Each learner who was there has a new passport page to add to."))
            return redirect(url_for(".encounter_list"))
    ticked = set(request.form.getlist("learner")) if request.method == "POST" else {str(r["id"]) for r in group}
    return render("desk/new_encounter.html", classes=classes, years=encounters.year_groups(school_id),
                  key=key, group_name=group_name, group=group, ticked=ticked, form=request.form,
                  kinds=encounters.KINDS_OF_ENCOUNTER, places=place_symbols(), message=message,
                  today=date.today().isoformat()), status


@bp.get("/classes/<int:class_id>/encounters")
def class_encounters(class_id):
    group = class_of_school(class_id)
    rows, missing = encounters.class_provider_access(class_id)
    return render("desk/class_encounters.html", group=group, rows=rows, missing=missing,
                  phases=encounters.PHASES, phase_label=encounters.phase_label)


def termly_term():
    end = termly.read_term(request.values.get("term", ""))
    if end is None:
        abort(404)
    return end


def termly_page(end, message=None, status=200, form=None):
    school_id = g.user["school_id"]
    termly.save_due_snapshots(school_id)
    rows, saved = termly.review(school_id, end)
    current = termly.term_end(date.today())
    terms = [current]
    for _n in range(5):
        terms.append(termly.previous_term_end(terms[-1]))
    return render("desk/termly.html", end=end, rows=rows, saved=saved, notes=termly.notes_of(school_id, end),
                  terms=terms, term_label=termly.term_label, benchmark_label=benchmarks.name,
                  message=message, form=form or {}, current=current), status


@bp.get("/termly-review")
def termly_review():
    teacher_required()
    return termly_page(termly_term())


@bp.get("/termly-review.csv")
def termly_review_csv():
    teacher_required()
    end = termly_term()
    audit.log_action(g.user["school_id"], f"downloaded the termly review CSV ({end.isoformat()})")
    return current_app.response_class(termly.csv_text(g.user["school_id"], end), mimetype="text/csv", headers={
        "Content-Disposition": attachment(f"termly-review-{end.isoformat()}.csv"), "Cache-Control": "no-store"})


@bp.post("/termly-review/notes")
def add_termly_note():
    teacher_required()
    end = termly_term()
    try:
        found = termly.read_note(request.form)
    except termly.Refused as refused:
        return termly_page(end, str(refused), 400, request.form)
    termly.add_note(g.user["school_id"], end, g.user["id"], found)
    audit.log_action(g.user["school_id"], f"added a note to the termly review ({end.isoformat()})")
    flash(_("The note is saved."))
    return redirect(url_for(".termly_review", term=end.isoformat()))


@bp.post("/termly-review/actions/<int:termly_action_id>")
def termly_note_done(termly_action_id):
    teacher_required()
    term = termly.action_term(g.user["school_id"], termly_action_id)
    if term is None:
        abort(404)
    done = request.form.get("done")
    if done not in ("0", "1"):
        return termly_page(date.fromisoformat(term), _("Please use the buttons to mark an action done."), 400)
    termly.set_done(termly_action_id, done == "1")
    flash(_("The action is marked done.") if done == "1" else _("The action is marked not done."))
    return redirect(url_for(".termly_review", term=term))


@click.command("save-termly-snapshots")
@with_appcontext
def save_termly_snapshots_command():
    """Save each school's termly review of the term just ended (run it nightly, with backups)."""
    for row in get_db().query("SELECT id FROM schools"):
        termly.save_due_snapshots(row["id"])
    click.echo("Termly review snapshots are saved.")


def init_app(app):
    app.register_blueprint(bp)
    app.cli.add_command(save_termly_snapshots_command)
    app.jinja_env.globals.update(destination_activity=dest.activity_label, nccis_code=dest.nccis_code)

