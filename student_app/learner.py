"""The learner's screens: activity tiles, Guess my job, and My passport."""

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from .kinds import guess_my_job as gmj
from . import access, audit, classroom, family, library
from . import responses
from .auth import learner_required
from .content import get_catalogue
from .review import records as review_records
from .db import get_db, transaction
from .web import render

bp = Blueprint("learner", __name__)


@bp.before_request
@learner_required
def require_learner():
    """Every screen here is the signed-in learner's own."""


def job_or_404(job_id):
    catalogue = get_catalogue()
    if job_id not in catalogue.clues:
        abort(404)
    return catalogue.jobs[job_id], catalogue.clues[job_id]


@bp.get("/home")
def home():
    return render("learner/home.html", activities=library.home_activities(get_catalogue()),
                  activity_url=library.activity_url,
                  class_session=classroom.open_session_for_class(g.user["class_id"]),
                  has_meetings=review_records.has_meetings(g.user["id"]))


@bp.get("/sharing")
def sharing():
    """Who in the family can see my work. A learner of 16 or over chooses, account by account
    (family.decides_own_sharing); anyone else sees who can, and that the school decides."""
    return render("learner/sharing.html", accounts=family.family_accounts(g.user["id"]),
                  may_choose=family.decides_own_sharing(g.user))


@bp.post("/sharing")
def save_sharing():
    learner = g.user
    accounts = family.family_accounts(learner["id"])
    if not family.decides_own_sharing(learner):
        abort(403)
    chosen = {account["id"]: request.form.get(f"family-{account['id']}") for account in accounts}
    if any(value not in ("share", "keep") for value in chosen.values()):
        abort(400, _("Please choose Share or Do not share for each person."))
    db = get_db()
    with transaction(db):
        for family_id, value in chosen.items():
            db.execute("UPDATE family_links SET visible = ? WHERE family_id = ? AND learner_id = ?",
                       [int(value == "share"), family_id, learner["id"]])
        if "share" in chosen.values():
            # Their own choice at 16 or over: it needs no staff switch as well.
            db.execute("UPDATE learners SET family_visible = 1 WHERE id = ?", [learner["id"]])
        for account in accounts:
            if bool(account["chosen"]) != (chosen[account["id"]] == "share"):
                audit.log(learner, f"family sharing: {account['name']} "
                          f"{'may now see' if chosen[account['id']] == 'share' else 'may no longer see'} "
                          "their work (the learner's choice)", change=True)
    flash(_("Saved. This is who can see your work now."))
    return redirect(url_for("learner.sharing"))


@bp.get("/activities/<activity_id>")
def activity(activity_id):
    catalogue = get_catalogue()
    if activity_id not in catalogue.activities:
        abort(404)
    if catalogue.activities[activity_id].kind != gmj.ACTIVITY:
        return redirect(url_for("library.activity", activity_id=activity_id))
    # One Play button for the next job not guessed yet, not a wall of question marks; the
    # jobs already guessed can be played again, the learner's own number on a screen.
    solved = gmj.solved_jobs(g.user["id"]) & set(catalogue.clues)
    upcoming = gmj.next_job(solved, catalogue)
    played = access.screenful([catalogue.jobs[job_id] for job_id in sorted(solved)],
                              access.choice_count(g.user), access.page_asked())
    return render(
        "learner/guess_list.html",
        activity=catalogue.activities[activity_id],
        upcoming=catalogue.jobs[upcoming] if upcoming else None,
        all_solved=bool(solved) and len(solved) == len(catalogue.clues),
        played=played,
        solved_count=len(solved),
        job_count=len(catalogue.clues),
    )


@bp.post("/activities/guess-my-job/<job_id>/start")
def start(job_id):
    job_or_404(job_id)
    responses.open_play(g.user["id"], gmj.ACTIVITY, job_id, create=True)
    return redirect(url_for("learner.clue", job_id=job_id, number=1))


@bp.get("/activities/guess-my-job/<job_id>/clue/<int:number>")
def clue(job_id, number):
    job, clues = job_or_404(job_id)
    if not 1 <= number <= len(clues):
        abort(404)
    return render(
        "learner/clue.html",
        block="clue",
        activity=get_catalogue().activities[gmj.ACTIVITY],
        job=job,
        clue=clues[number - 1],
        number=number,
        total=len(clues),
    )


@bp.post("/activities/guess-my-job/<job_id>/clue/<int:number>")
def heard_clue(job_id, number):
    job, clues = job_or_404(job_id)
    if not 1 <= number <= len(clues):
        abort(404)
    play = responses.open_play(g.user["id"], gmj.ACTIVITY, job_id, create=True)
    responses.record_answer(play, f"clue-{number}", "heard")
    if number < len(clues) and request.form.get("go") != "guess":
        return redirect(url_for("learner.clue", job_id=job_id, number=number + 1))
    return redirect(url_for("learner.guess", job_id=job_id))


def _guess_page(job_id, message=None, status=200):
    job, _ = job_or_404(job_id)
    play = responses.open_play(g.user["id"], gmj.ACTIVITY, job_id)
    if play is None:
        return redirect(url_for("learner.clue", job_id=job_id, number=1))
    return render(
        "learner/guess.html",
        block="guess",
        job=job,
        choices=gmj.choices_for(play, access.choice_count(g.user), get_catalogue()),
        tried=gmj.wrong_guesses(play),
        message=message,
    ), status


@bp.get("/activities/guess-my-job/<job_id>/guess")
def guess(job_id):
    return _guess_page(job_id)


@bp.post("/activities/guess-my-job/<job_id>/guess")
def make_guess(job_id):
    job, _ = job_or_404(job_id)
    choice = request.form.get("job", "")
    play = responses.open_play(g.user["id"], gmj.ACTIVITY, job_id)
    if play is None:
        return redirect(url_for("learner.clue", job_id=job_id, number=1))
    offered = {j.id for j in gmj.choices_for(play, access.choice_count(g.user), get_catalogue())}
    if choice not in offered:
        return _guess_page(job_id, "choose", 400)
    responses.record_answer(play, "guess", choice, correct=int(choice == job_id))
    if choice != job_id:
        return _guess_page(job_id, "try-again")
    responses.finish_play(play)
    return redirect(url_for("learner.answer", job_id=job_id))


@bp.get("/activities/guess-my-job/<job_id>/answer")
def answer(job_id):
    job, _ = job_or_404(job_id)
    solved = list(
        get_db().query(
            """SELECT id FROM plays WHERE learner_id = ? AND activity = ? AND item = ?
               AND finished_at IS NOT NULL LIMIT 1""",
            [g.user["id"], gmj.ACTIVITY, job_id],
        )
    )
    if not solved:
        return redirect(url_for("learner.guess", job_id=job_id))
    return render("learner/answer.html", job=job)


# What a learner may change on their own settings screen, and its pictures.
LEARNER_SETTINGS = {
    "theme": ("setting-theme-default", "setting-theme-contrast", "setting-theme-dark"),
    "text_size": ("setting-text-normal", "setting-text-large", "setting-text-larger"),
    "display": ("setting-show-both", "setting-show-symbols", "setting-show-words"),
    "rate": ("setting-rate-slow", "setting-rate-normal", "setting-rate-fast"),
    "voice": ("setting-voice-lower", "setting-voice-higher"),
    "language": ("lang-en", "lang-cy", "lang-pl", "lang-ar"),
}


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    learner = g.user
    if request.method == "POST":
        new_profile = access.from_form(request.form, access.profile(learner))
        autoplay = request.form.get("autoplay")
        if autoplay not in ("on", "off"):
            abort(400)
        access.save(learner["id"], new_profile)
        get_db().execute("UPDATE learners SET autoplay = ? WHERE id = ?", [int(autoplay == "on"), learner["id"]])
        return redirect(url_for("learner.settings"))
    return render("learner/settings.html", profile=access.profile(learner),
                  choices={name: list(zip(access.OPTIONS[name][0], symbols))
                           for name, symbols in LEARNER_SETTINGS.items()})
