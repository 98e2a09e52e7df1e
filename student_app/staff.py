"""Staff screens: the school's learners, each learner's portfolio and settings, and badges."""

import secrets

import segno
from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from . import library, responses
from .auth import staff_required, token_hash
from .content import SUBJECTS, get_catalogue
from .db import get_db, now, transaction
from .web import render

bp = Blueprint("staff", __name__, url_prefix="/staff")

BADGE_SECRET_BYTES = 18  # 144 random bits; at least 112 are asked for


def new_badge_secret():
    return secrets.token_urlsafe(BADGE_SECRET_BYTES)


@bp.before_request
@staff_required
def require_staff():
    """Every screen here is for signed-in staff, and only about their own school."""


def learner_of_school(learner_id):
    rows = list(
        get_db().query(
            """SELECT learners.*, classes.name AS class_name FROM learners
               JOIN classes ON classes.id = learners.class_id
               WHERE learners.id = ? AND learners.school_id = ?""",
            [learner_id, g.user["school_id"]],
        )
    )
    if not rows:
        abort(404)
    return rows[0]


def class_of_school(class_id):
    rows = list(
        get_db().query(
            "SELECT * FROM classes WHERE id = ? AND school_id = ?", [class_id, g.user["school_id"]]
        )
    )
    if not rows:
        abort(404)
    return rows[0]


@bp.get("/")
def home():
    db = get_db()
    classes = list(
        db.query("SELECT * FROM classes WHERE school_id = ? ORDER BY name", [g.user["school_id"]])
    )
    for group in classes:
        group["learners"] = list(
            db.query("SELECT * FROM learners WHERE class_id = ? ORDER BY name", [group["id"]])
        )
    activities = [a for a in library.home_activities(get_catalogue()) if a.kind != "guess-my-job"]
    return render("staff/home.html", classes=classes, activities=activities)


@bp.get("/learners/<int:learner_id>")
def portfolio(learner_id):
    learner = learner_of_school(learner_id)
    catalogue = get_catalogue()
    benchmark, subject = request.args.get("benchmark", ""), request.args.get("subject", "")
    if benchmark not in {"", *map(str, range(1, 9))} or subject not in {"", *SUBJECTS}:
        abort(400, _("Please choose a benchmark from 1 to 8 and a subject from the list."))
    plays = responses.plays_with_answers(learner_id, catalogue)[::-1]
    if benchmark or subject:
        plays = [
            play for play in plays
            if play["info"] is not None
            and (not benchmark or int(benchmark) in play["info"].benchmarks)
            and (not subject or subject in play["info"].subjects)
        ]
    surveys = [a for a in library.home_activities(catalogue) if a.kind == "survey"]
    return render(
        "staff/portfolio.html",
        learner=learner,
        plays=plays,
        benchmark=benchmark,
        subject=subject,
        subjects=SUBJECTS,
        profiles=[(a, responses.versions(learner_id, a, catalogue)) for a in surveys],
        activities=[a for a in library.home_activities(catalogue) if a.kind != "guess-my-job"],
        jobs=sorted(catalogue.jobs.values(), key=lambda job: job.name),
        reactions=responses.REACTIONS,
    )


@bp.post("/learners/<int:learner_id>/settings")
def save_settings(learner_id):
    learner_of_school(learner_id)
    form = request.form
    group, choices = form.get("career_group"), form.get("choices")
    if group not in ("1", "2") or choices not in ("2", "4"):
        abort(400, _("Please choose a Career SEND Group and a number of choices."))
    get_db().execute(
        "UPDATE learners SET career_group = ?, choices = ?, autoplay = ? WHERE id = ?",
        [int(group), int(choices), int(form.get("autoplay") == "on"), learner_id],
    )
    flash(_("Settings saved."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


@bp.post("/learners/<int:learner_id>/observations")
def record_observation(learner_id):
    learner_of_school(learner_id)
    job_id, reaction = request.form.get("job"), request.form.get("reaction")
    note = request.form.get("note", "").strip()
    if job_id not in get_catalogue().jobs or reaction not in responses.REACTIONS or len(note) > 500:
        abort(400, _("Please choose a job and a reaction; a note can be up to 500 characters."))
    db = get_db()
    with transaction(db):
        play_id = db["plays"].insert(
            {"learner_id": learner_id, "activity": "observation", "item": job_id,
             "started_at": now(), "finished_at": now()}
        ).last_pk
        responses.record_answer(
            db["plays"].get(play_id), "reaction", reaction,
            given_by="observed", staff_id=g.user["id"], note=note or None,
        )
    flash(_("Observation recorded."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


def _issue_badges(learners):
    """Void each learner's badges and issue a new one; the secret is shown only now."""
    db = get_db()
    cards = []
    with transaction(db):
        for learner in learners:
            secret = new_badge_secret()
            db.execute(
                "UPDATE badges SET voided_at = ? WHERE learner_id = ? AND voided_at IS NULL",
                [now(), learner["id"]],
            )
            db["badges"].insert(
                {"learner_id": learner["id"], "secret_hash": token_hash(secret),
                 "issued_at": now(), "issued_by": g.user["id"]}
            )
            url = url_for("auth.badge", secret=secret, _external=True)
            qr = segno.make(url, error="m").svg_inline(scale=4, title=f"Badge for {learner['name']}")
            cards.append({"learner": learner, "qr": qr})
    return render("staff/badges.html", cards=cards)


def _void_badges(learner_ids):
    db = get_db()
    with transaction(db):
        for learner_id in learner_ids:
            db.execute(
                "UPDATE badges SET voided_at = ? WHERE learner_id = ? AND voided_at IS NULL",
                [now(), learner_id],
            )


@bp.post("/learners/<int:learner_id>/badges")
def issue_badge(learner_id):
    return _issue_badges([learner_of_school(learner_id)])


@bp.post("/learners/<int:learner_id>/badges/void")
def void_badge(learner_id):
    _void_badges([learner_of_school(learner_id)["id"]])
    flash(_("Badge voided: it no longer signs anyone in."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


def _class_learners(class_id):
    class_of_school(class_id)
    return list(get_db().query("SELECT * FROM learners WHERE class_id = ? ORDER BY name", [class_id]))


@bp.post("/classes/<int:class_id>/badges")
def issue_class_badges(class_id):
    return _issue_badges(_class_learners(class_id))


@bp.post("/classes/<int:class_id>/badges/void")
def void_class_badges(class_id):
    _void_badges([learner["id"] for learner in _class_learners(class_id)])
    flash(_("All badges for this class are voided."))
    return redirect(url_for("staff.home"))
