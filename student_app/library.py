"""The activity library: step-by-step activities (All about me, My skills, My future routes,
Who can do this job?) and the Job explorer.

One set of views serves three people, registered under three names:
- `library`: the signed-in learner, saving their own answers;
- `behalf`: staff answering on a learner's behalf (marked as from staff everywhere);
- `preview`: staff seeing an activity as a learner of Group 1 or 2 would, saving nothing.
"""

from dataclasses import dataclass

from flask import Blueprint, abort, g, redirect, request, url_for
from flask_babel import gettext as _

from . import access, kinds, media, responses
from .content import get_catalogue
from .lookups import learner_for_change, learner_of_school
from .db import get_db, transaction
from .web import fills_in, render

bp = Blueprint("library", __name__)

LEARNER, BEHALF, PREVIEW = "library", "behalf", "preview"
# The order of the tiles on a learner's home screen; activities not named here come last.
HOME_ORDER = ("guess-my-job", "who-can", "job-explorer", "word-mats", "visits", "all-about-me", "my-skills",
              "future-routes", "work-rights", "money", "travel", "my-aspirations", "my-review")
SURVEY_ITEM = kinds.survey.ITEM
WORDS_LIMIT = 500


@dataclass(frozen=True)
class Actor:
    """Whose answers these are, who gives them, and whether they are kept."""

    learner_id: int | None
    name: str
    group: int
    autoplay: bool
    given_by: str
    staff_id: int | None
    saving: bool
    photos: bool = False  # photo consent: a camera is offered only with it
    choices: int | None = None  # picture cards on one screen, from the learner's profile


def per_screen(activity):
    """How many cards or tiles one screen shows: the learner's own number; in a preview, the
    activity's number for the group (see access.choice_count)."""
    return g.actor.choices or access.choice_count(None, activity.level(g.actor.group).choices)


def home_activities(catalogue):
    rank = {activity_id: n for n, activity_id in enumerate(HOME_ORDER)}
    return sorted(catalogue.activities.values(), key=lambda a: (rank.get(a.id, 99), a.title))


def activity_url(activity):
    return url_for(kinds.of(activity).home_endpoint(), activity_id=activity.id)


@bp.url_value_preprocessor
def pull_prefix(endpoint, values):
    g.prefix = {key: values.pop(key) for key in ("learner_id", "group") if values and key in values}


@bp.url_defaults
@fills_in(BEHALF, PREVIEW)
def push_prefix(endpoint, values):
    actor = g.get("actor")
    if actor is None:
        return
    name = endpoint.rsplit(".", 1)[0]
    if name == BEHALF:
        values.setdefault("learner_id", actor.learner_id)
    elif name == PREVIEW:
        values.setdefault("group", actor.group)


@bp.before_request
def who_is_playing():
    user = g.user
    if user is None:
        return redirect(url_for("auth.sign_in"))
    if request.blueprint == LEARNER:
        if user["role"] != "learner":
            abort(403)
        g.actor = Actor(user["id"], user["name"], user["career_group"], bool(user["autoplay"]),
                        "learner", None, True, bool(user["photo_consent"]), access.choice_count(user))
        return None
    if user["role"] != "staff":
        abort(403)
    if request.blueprint == BEHALF:
        # Answers on a learner's behalf change their record: not once they have left.
        find = learner_for_change if request.method == "POST" else learner_of_school
        learner = find(g.prefix["learner_id"])
        g.actor = Actor(learner["id"], learner["name"], learner["career_group"], False,
                        "staff", user["id"], True, bool(learner["photo_consent"]),
                        access.choice_count(learner))
    else:
        if g.prefix.get("group") not in (1, 2):
            abort(404)
        g.actor = Actor(None, _("Preview"), g.prefix["group"], False, "staff", user["id"], False)
    return None


def activity_or_404(activity_id, with_steps=False):
    """An activity these views serve (with steps, if asked): not Guess my job's, in learner.py."""
    activity = get_catalogue().activities.get(activity_id)
    if activity is None or kinds.of(activity).home_endpoint() != "library.activity" or (
            with_steps and not kinds.of(activity).has_steps):
        abort(404)
    return activity


def item_or_404(activity, item):
    try:
        return kinds.of(activity).item(activity, item, get_catalogue())
    except KeyError:
        abort(404)


def step_or_404(activity, item, number):
    steps = kinds.of(activity).steps(activity, item_or_404(activity, item))
    if not 1 <= number <= len(steps):
        abort(404)
    return steps, steps[number - 1]


def current_play(activity, item, create=False):
    if not g.actor.saving:
        return None
    return responses.open_play(g.actor.learner_id, activity.id, item, create=create)


def done_items(activity):
    if not g.actor.saving:
        return set()
    return {
        row["item"]
        for row in get_db().query(
            """SELECT DISTINCT item FROM plays WHERE learner_id = ? AND activity = ?
               AND finished_at IS NOT NULL""",
            [g.actor.learner_id, activity.id],
        )
    }


@bp.get("/a/<activity_id>")
def activity(activity_id):
    activity = activity_or_404(activity_id)
    catalogue = get_catalogue()
    kind = kinds.of(activity)
    jobs = kind.listed(activity, catalogue)
    if jobs is not None:
        # A short set of jobs, then More for the next: the learner's own number a screen.
        screen = access.screenful(jobs, per_screen(activity), access.page_asked())
        return render(kind.list_template, activity=activity, jobs=screen.items, screen=screen,
                      done=done_items(activity) if kind.has_steps else set())
    versions = []
    if g.actor.saving:
        versions = responses.versions(g.actor.learner_id, activity, catalogue)
    return render("library/survey_start.html", activity=activity, versions=versions,
                  unfinished=current_play(activity, SURVEY_ITEM) is not None)


@bp.get("/a/job-explorer/<job_id>")
def job_card(job_id):
    catalogue = get_catalogue()
    job = catalogue.jobs.get(job_id)
    if job is None:
        abort(404)
    return render("library/job_card.html", activity=activity_or_404("job-explorer"), job=job,
                  local=catalogue.local.get(job_id))


@bp.post("/a/<activity_id>/<item>/start")
def start(activity_id, item):
    activity = activity_or_404(activity_id, with_steps=True)
    item_or_404(activity, item)
    current_play(activity, item, create=True)
    return redirect(url_for(".step", activity_id=activity_id, item=item, number=1))


def _step_page(activity, item, number, message=None, status=200, page=1):
    steps, step = step_or_404(activity, item, number)
    content = item_or_404(activity, item)
    level = activity.level(g.actor.group)
    play = current_play(activity, item)
    if g.actor.saving and play is None:
        # Not started, or already finished: begin (again) from the first step.
        return redirect(url_for(".activity", activity_id=activity.id))
    kind = kinds.of(activity)
    chosen = set()
    if play is not None:
        chosen = responses.step_answers(play, step.id)
        if not chosen and kind.judge(step, []) is None:  # a game starts afresh; a survey from last time
            chosen = responses.last_finished_answers(g.actor.learner_id, activity.id, item, step.id)
    notes = kind.notes(content, step)
    job = kind.job(content, get_catalogue())
    # The learner's own number of cards, then More for the next ones on the same step.
    offered = kind.offered(step, per_screen(activity))
    screen = access.screenful(step.choices if offered is None else offered, per_screen(activity), page)
    chosen_ids = {a.removeprefix("choice:") for a in chosen if a.startswith("choice:")}
    shown = {choice.id for choice in screen.items}
    return render(
        "library/step.html",
        block="step",
        activity=activity, item=item, step=step, number=number, total=len(steps), job=job,
        notes=notes, choices=screen.items, screen=screen, level=level, message=message,
        chosen=chosen_ids,
        # Ticks on the step's other screens go along with this one, so none is lost.
        carried=[c for c in step.choices if c.id in chosen_ids and c.id not in shown]
        if step.pick == "many" else [],
        words=next((a.removeprefix("words:") for a in chosen if a.startswith("words:")), ""),
        typing="words" in step.ways and (level.typing or g.actor.given_by == "staff"),
    ), status


@bp.get("/a/<activity_id>/<item>/<int:number>")
def step(activity_id, item, number):
    return _step_page(activity_or_404(activity_id, with_steps=True), item, number,
                      page=access.page_asked())


@bp.post("/a/<activity_id>/<item>/<int:number>")
@media.accepts_uploads
def answer(activity_id, item, number):
    activity = activity_or_404(activity_id, with_steps=True)
    steps, step = step_or_404(activity, item, number)
    form = request.form
    # Every card of the step is offered (More brings the ones after the first screen), or
    # those its kind offers on one screen.
    kind = kinds.of(activity)
    offered = {choice.id for choice in kind.offered(step, per_screen(activity)) or step.choices}
    picked = list(dict.fromkeys(form.getlist("choice")))
    more = form.get("more")  # the next screen of this step's cards, after saving these
    page = access.page_asked(more if more is not None else form.get("page", "1"))
    access.screenful(step.choices, per_screen(activity), page)  # a screen that is there
    if any(choice not in offered for choice in picked) or (step.pick == "one" and len(picked) > 1):
        return _step_page(activity, item, number, "choose", 400, page)
    if picked and kind.judge(step, picked) is False:
        return _step_page(activity, item, number, "try-again", 200, page)  # no timer, no limit
    words = form.get("words", "").strip()
    if len(words) > WORDS_LIMIT or (words and "words" not in step.ways):
        return _step_page(activity, item, number, "too-long", 400, page)
    answers = [f"choice:{choice}" for choice in picked] + ([f"words:{words}"] if words else [])
    if step.pick == "none":
        answers = ["seen"]
    play = current_play(activity, item, create=True)
    if g.actor.saving:
        try:
            uploads = [upload for field in ("photo", "voice")
                       if field in step.ways and (field != "photo" or g.actor.photos)
                       for upload in [media.read_upload(field)] if upload]
            media.check_uploads_fit(g.actor.learner_id, uploads)
        except media.Refused as refused:
            return _step_page(activity, item, number, str(refused), 400, page)
        if not answers and not uploads and form.get("go") != "skip" and more is None:
            return _step_page(activity, item, number, "nothing", 400, page)
        if answers or uploads or more is None:
            db = get_db()
            with transaction(db):  # the files' rows and the answer naming them: one commit
                answers += [f"{upload[0]}:{media.store_upload(g.actor.learner_id, upload)}" for upload in uploads]
                responses.record_step(play, step.id, answers, g.actor.given_by, g.actor.staff_id)
    if more is not None:
        return redirect(url_for(".step", activity_id=activity.id, item=item, number=number, page=page))
    if number < len(steps):
        return redirect(url_for(".step", activity_id=activity.id, item=item, number=number + 1))
    if play is not None:
        responses.finish_play(play)
    return redirect(url_for(".done", activity_id=activity.id, item=item))


@bp.get("/a/<activity_id>/<item>/done")
def done(activity_id, item):
    activity = activity_or_404(activity_id, with_steps=True)
    content = item_or_404(activity, item)
    play = None
    if g.actor.saving:
        play = responses.last_play(g.actor.learner_id, activity.id, item, get_catalogue())
    job = kinds.of(activity).job(content, get_catalogue())
    return render("library/done.html", activity=activity, play=play, job=job)
