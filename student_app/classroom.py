"""Classroom sessions: a teacher runs Guess my job or Who can do this job? live, with a
projector and the class's tablets following each step. What a kind shows and stores in a
round is its kinds.ClassRound; the session's steps, joining and answering once are here.

Tablets, the projector and the teacher's page poll a small state URL every second with htmx;
it answers 204 (nothing to do) until the state changes. Polling rather than server-sent
events: waitress serves each open connection with one of a fixed pool of threads, so thirty
tablets holding event streams open would take every thread, while a poll takes a thread for
a millisecond. Every page also works without JavaScript, with a button to look again.
"""

import json
import random
import secrets
from datetime import datetime, timedelta, timezone

import segno
from flask import Blueprint, abort, current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _

from . import access
from .auth import learner_required, staff_required
from .lookups import class_of_school, form_id, learner_for_change
from .content import get_catalogue
from .kinds import CLASS_ROUNDS, guess_my_job
from .db import get_db, now, transaction
from .responses import record_answers_once
from .web import render, wants_fragment

bp = Blueprint("classroom", __name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6  # about 30 bits; only open sessions' codes work, and wrong tries are limited
JOIN_TRIES = 10  # wrong or closed codes a learner may try in JOIN_WINDOW
JOIN_WINDOW = timedelta(minutes=10)
MAX_ROUNDS = 5
CHOICES = guess_my_job.GuessRound.CARDS  # the class's cards on the projector and the teacher's page
ACTIONS = ("start", "next", "choices", "reveal", "next-job", "pause", "resume", "end")


def _stamp(moment):
    return moment.isoformat(timespec="seconds")


def new_code(db):
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not db.execute("SELECT 1 FROM class_sessions WHERE code = ? AND ended_at IS NULL",
                          [code]).fetchone():
            return code


def get_session(session_id, learner_id=None):
    """The session, ended first if it was left open longer than the configured time; with
    `learner_id`, its "member" says whether that learner has joined it (in the same query: a
    tablet asks every second)."""
    db = get_db()
    rows = list(db.query(
        """SELECT *, EXISTS (SELECT 1 FROM session_members WHERE session_id = class_sessions.id
                             AND learner_id = ?) AS member
           FROM class_sessions WHERE id = ?""", [learner_id, session_id]))
    if not rows:
        abort(404)
    found = rows[0]
    limit = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if found["ended_at"] is None and datetime.now(timezone.utc) - datetime.fromisoformat(found["updated_at"]) > limit:
        _end(db, found)
        return get_session(session_id, learner_id)
    found["items"] = json.loads(found["items"])
    found["job"] = found["items"][found["round"]]
    found["kind"] = CLASS_ROUNDS[found["activity"]]
    return found


def _end(db, found):
    with transaction(db):
        db.execute(
            """UPDATE class_sessions SET phase = 'ended', ended_at = ?, updated_at = ?,
               version = version + 1, paused = 0 WHERE id = ? AND ended_at IS NULL""",
            [now(), now(), found["id"]])
        db.execute("UPDATE plays SET finished_at = ? WHERE session_id = ? AND finished_at IS NULL",
                   [now(), found["id"]])


def choices_for(found, count):
    """The round's cards: the same for the class, the first `count` for a learner."""
    return found["kind"].cards(found, count, get_catalogue())


def members(found):
    return list(get_db().query(
        """SELECT learners.id, learners.name, learners.avatar, learners.choices, learners.protected
           FROM session_members
           JOIN learners ON learners.id = session_members.learner_id
           WHERE session_id = ? AND (learners.left_on IS NULL OR learners.left_on > ?)
           ORDER BY learners.name""", [found["id"], datetime.now().date().isoformat()[:7]]))


def round_answers(found):
    """This round's answers: (learner id -> their first answer row, card id -> how many chose
    it). A learner's answer is one row in Guess my job, a row for each card in a vote."""
    kind = found["kind"]
    rows = list(get_db().query(
        """SELECT responses.*, plays.learner_id AS learner FROM responses
           JOIN plays ON plays.id = responses.play_id
           WHERE plays.session_id = ? AND plays.item = ? AND responses.step = ?
           ORDER BY responses.id""",
        [found["id"], found["job"], kind.step]))
    first, tally = {}, {}
    for row in rows:
        first.setdefault(row["learner_id"], row)
        card = kind.card_of(row["answer"])
        tally[card] = tally.get(card, 0) + 1
    return first, tally


def state_token(found, with_answers):
    """What a poller has seen: the session's version, and for staff the answer count."""
    token = str(found["version"])
    if with_answers:
        counts = get_db().execute(
            """SELECT (SELECT count(*) FROM session_members WHERE session_id = ?),
                      (SELECT count(DISTINCT responses.play_id) FROM responses
                       JOIN plays ON plays.id = responses.play_id
                       WHERE plays.session_id = ? AND responses.step = ?)""",
            [found["id"], found["id"], found["kind"].step]).fetchone()
        token += f"-{counts[0]}-{counts[1]}"
    return token


def unchanged(found, with_answers):
    """True when the poller already shows this state: htmx then leaves the page alone."""
    return request.args.get("seen") == state_token(found, with_answers)


def picked_cards(found, form, count):
    """The card ids a tablet (or the teacher) sent, if they are a whole answer to this round:
    one card, or for a vote one or more; each among the `count` cards offered. Else None."""
    kind = found["kind"]
    picked = list(dict.fromkeys(form.getlist(kind.field)))
    offered = {card.id for card in choices_for(found, count)}
    if not picked or (not kind.many and len(picked) > 1) or any(p not in offered for p in picked):
        return None
    return picked


def answer_once(found, learner_id, picked, given_by="learner", staff_id=None):
    """Store a learner's answer to the round once; later taps, retries and doubles add nothing.
    Returns False if the learner had already answered.

    Two statements in one transaction, as sixty tablets answer within the same second: one
    finds or makes the learner's play of the round (the upsert's empty change lets RETURNING
    give its id either way), and one stores every card of the answer unless the round has an
    answer already."""
    kind = found["kind"]
    db = get_db()
    with transaction(db):
        play_id = db.execute(
            """INSERT INTO plays (learner_id, activity, item, started_at, session_id) VALUES (?, ?, ?, ?, ?)
               ON CONFLICT (session_id, learner_id, item) WHERE session_id IS NOT NULL
               DO UPDATE SET item = excluded.item RETURNING id""",
            [learner_id, kind.activity, found["job"], now(), found["id"]]).fetchone()[0]
        return record_answers_once(play_id, learner_id, kind.step, list(kind.answers(picked, found)),
                                   given_by, staff_id)


# The teacher's pages.

def staff_session(session_id):
    found = get_session(session_id)
    if found["school_id"] != g.user["school_id"]:
        abort(404)
    class_of_school(found["class_id"])  # a teaching assistant: only their classes' sessions
    return found


@bp.route("/staff/classes/<int:class_id>/sessions/new", methods=["GET", "POST"])
@staff_required
def new_session(class_id):
    group = class_of_school(class_id)
    catalogue = get_catalogue()
    activity = (request.form if request.method == "POST" else request.args).get("activity", guess_my_job.ACTIVITY)
    if activity not in CLASS_ROUNDS:
        abort(404)
    kind = CLASS_ROUNDS[activity]
    jobs = kind.items(catalogue)
    if request.method == "GET":
        return render("classroom/new.html", group=group, jobs=list(jobs.values()),
                      picked=random.sample(sorted(jobs), min(3, len(jobs))), max_rounds=MAX_ROUNDS,
                      activity=catalogue.activities[activity],
                      others=[catalogue.activities[a] for a in CLASS_ROUNDS if a != activity])
    items = request.form.getlist("job")
    if not 1 <= len(items) <= MAX_ROUNDS or any(j not in jobs for j in items):
        abort(400, _("Please choose between 1 and 5 jobs for the session."))
    db = get_db()
    with transaction(db):
        session_id = db["class_sessions"].insert({
            "school_id": g.user["school_id"], "class_id": class_id, "staff_id": g.user["id"],
            "activity": activity, "items": json.dumps(items), "code": new_code(db),
            "created_at": now(), "updated_at": now()}).last_pk
    return redirect(url_for("classroom.control", session_id=session_id))


def _round_context(found, count):
    """What the teacher's page, the projector and a tablet show of this round."""
    catalogue = get_catalogue()
    kind = found["kind"]
    heading, heading_symbol, notes = kind.reveal(catalogue, found["job"])
    return {
        "found": found, "kind": kind, "job": kind.job(catalogue, found["job"]),
        "activity": catalogue.activities[kind.activity],
        "clues": kind.clues(catalogue, found["job"]), "question": kind.question(catalogue, found["job"]),
        "choices": choices_for(found, count), "right": kind.right(found),
        "reveal_heading": heading, "reveal_symbol": heading_symbol, "reveal_notes": notes,
    }


def _staff_context(found):
    answers, tally = round_answers(found)
    return dict(
        _round_context(found, CHOICES), members=members(found), answers=answers, tally=tally,
        token=state_token(found, True),
        join_url=url_for("classroom.join", code=found["code"], _external=True))


@bp.get("/staff/sessions/<int:session_id>")
@staff_required
def control(session_id):
    found = staff_session(session_id)
    if request.args.get("seen") and unchanged(found, True):
        return "", 204
    return render("classroom/control.html", block="live", **_staff_context(found))


@bp.get("/staff/sessions/<int:session_id>/projector")
@staff_required
def projector(session_id):
    found = staff_session(session_id)
    if request.args.get("seen") and unchanged(found, True):
        return "", 204
    context = _staff_context(found)
    # Sized by the stylesheet to fill the screen; dark on white, with its quiet border, so it
    # scans in the dark theme too.
    context["qr"] = segno.make(context["join_url"], error="m").svg_inline(
        scale=8, omitsize=True, dark="#000", light="#fff",
        title=_("Join code %(code)s", code=found["code"]))
    return render("classroom/projector.html", block="live", **context)


def next_state(found, action):
    """The changes an action makes, or None if it does not fit the session's state."""
    clues = len(found["kind"].clues(get_catalogue(), found["job"]))
    first = {"phase": "clue", "clue": 1} if clues else {"phase": "choices"}  # a vote has no clues
    phase, ended = found["phase"], found["phase"] == "ended"
    if ended:
        return None
    if action == "end":
        return {"phase": "ended"}
    if action in ("pause", "resume"):
        return {"paused": int(action == "pause")}
    if found["paused"]:
        return None  # resume first
    if action == "start" and phase == "lobby":
        return first
    if action == "next" and phase == "clue":
        return {"clue": found["clue"] + 1} if found["clue"] < clues else {"phase": "choices"}
    if action == "choices" and phase in ("lobby", "clue"):
        return {"phase": "choices"}
    if action == "reveal" and phase == "choices":
        return {"phase": "reveal"}
    if action == "next-job" and phase == "reveal" and found["round"] + 1 < len(found["items"]):
        return {"round": found["round"] + 1, **first}
    return None


@bp.post("/staff/sessions/<int:session_id>/step")
@staff_required
def step(session_id):
    found = staff_session(session_id)
    action = request.form.get("action", "")
    version = request.form.get("version", str(found["version"]))
    if action not in ACTIONS or not version.isdecimal():
        abort(400, _("Please use one of the session buttons."))
    changes = next_state(found, action)
    if changes is None:
        abort(409)
    db = get_db()
    if changes.get("phase") == "ended":
        _end(db, found)
        return redirect(url_for("classroom.summary", session_id=session_id))
    sets = ", ".join(f"{key} = ?" for key in changes)
    # Only from the state the teacher saw: a double click moves the class on once.
    db.execute(
        f"""UPDATE class_sessions SET {sets}, version = version + 1, updated_at = ?
            WHERE id = ? AND version = ?""",
        [*changes.values(), now(), session_id, int(version)])
    return redirect(url_for("classroom.control", session_id=session_id))


@bp.post("/staff/sessions/<int:session_id>/answer")
@staff_required
def answer_for(session_id):
    found = staff_session(session_id)
    learner = request.form.get("learner", "")
    if form_id(learner) is not None:
        learner_for_change(form_id(learner))  # a learner who has left: 409, their record is read only
    picked = picked_cards(found, request.form, CHOICES)
    everyone = {str(m["id"]) for m in members(found)}
    if found["phase"] != "choices" or learner not in everyone or picked is None:
        abort(400, _("Choose a learner in the session and their answer, while choices show."))
    answer_once(found, int(learner), picked, given_by="staff", staff_id=g.user["id"])
    return redirect(url_for("classroom.control", session_id=session_id))


@bp.get("/staff/sessions/<int:session_id>/summary")
@staff_required
def summary(session_id):
    found = staff_session(session_id)
    kind = found["kind"]
    catalogue = get_catalogue()
    db = get_db()
    # Every answer of the session: at most one play a learner and job (plays_one_per_session_item)
    # and a row for each card of it, so at most the members times five jobs times the cards.
    rows = db.query(
        """SELECT plays.learner_id, plays.item, responses.answer, responses.correct, responses.given_by
           FROM plays JOIN responses ON responses.play_id = plays.id
           WHERE plays.session_id = ? AND responses.step = ? ORDER BY responses.id""",
        [session_id, kind.step])
    by_learner = {}
    for row in rows:
        cell = by_learner.setdefault(row["learner_id"], {}).setdefault(
            row["item"], {"cards": [], "correct": row["correct"], "given_by": row["given_by"], "answer": row["answer"]})
        cell["cards"].append(kind.card(catalogue, kind.card_of(row["answer"])))
    # Everyone who joined, left the school since or not: the summary is the session's record.
    learners = list(db.query(
        """SELECT learners.id, learners.name, learners.avatar FROM session_members
           JOIN learners ON learners.id = session_members.learner_id
           WHERE session_members.session_id = ?""", [session_id]))
    for learner in learners:
        learner["answers"] = by_learner.get(learner["id"], {})
        learner["answered"] = len(learner["answers"])
        learner["right"] = sum(bool(cell["correct"]) for cell in learner["answers"].values())
    learners.sort(key=lambda learner: (learner["name"].casefold(), learner["id"]))  # any alphabet
    rounds = [{"job": kind.job(catalogue, item),
               "answered": sum(item in learner["answers"] for learner in learners),
               "right": sum(bool(learner["answers"].get(item, {}).get("correct")) for learner in learners)}
              for item in found["items"]]
    return render("classroom/summary.html", found=found, rounds=rounds, learners=learners,
                  jobs=[kind.job(catalogue, item) for item in found["items"]], scored=kind.right(found) is not None,
                  activity=catalogue.activities[kind.activity])


# The learner's pages.

def _tries_left(learner_id):
    since = _stamp(datetime.now(timezone.utc) - JOIN_WINDOW)
    used = get_db().execute("SELECT count(*) FROM join_attempts WHERE learner_id = ? AND at > ?",
                            [learner_id, since]).fetchone()[0]
    return JOIN_TRIES - used


def open_session_for_class(class_id):
    rows = list(get_db().query(
        "SELECT id FROM class_sessions WHERE class_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1",
        [class_id]))
    if not rows:
        return None
    found = get_session(rows[0]["id"])
    return found if found["ended_at"] is None else None


@bp.route("/join/<code>", methods=["GET", "POST"])
def join(code):
    """A scanned or tapped join link. Signed out, it leads to the class's picture sign-in."""
    code = code.upper().replace("-", "")[:CODE_LENGTH * 2]
    user = g.user
    if user is None or user["role"] != "learner":
        rows = list(get_db().query(
            "SELECT class_id FROM class_sessions WHERE code = ? AND ended_at IS NULL", [code]))
        session["after_sign_in"] = url_for("classroom.join", code=code)
        if rows and user is None:
            return redirect(url_for("auth.choose_learner", class_id=rows[0]["class_id"]))
        return redirect(url_for("auth.sign_in")) if user is None else abort(403)
    db = get_db()
    with transaction(db):  # the count, the check and a wrong try's record as one step
        if _tries_left(user["id"]) <= 0:
            abort(429)
        rows = list(db.query(
            "SELECT id, class_id FROM class_sessions WHERE code = ? AND ended_at IS NULL", [code]))
        wrong = not rows or rows[0]["class_id"] != user["class_id"]
        if wrong:
            db["join_attempts"].insert({"learner_id": user["id"], "at": now()})
    if wrong:
        return render("classroom/no_session.html"), 404
    if request.method == "GET":
        return render("classroom/join.html", code=code, found=get_session(rows[0]["id"]))
    get_db().execute(
        "INSERT OR IGNORE INTO session_members (session_id, learner_id, joined_at) VALUES (?, ?, ?)",
        [rows[0]["id"], user["id"], now()])
    return redirect(url_for("classroom.live", session_id=rows[0]["id"]))


def member_session(session_id):
    found = get_session(session_id, g.user["id"])
    if not found["member"]:
        abort(404)
    return found


def my_answer(found):
    """The learner's answer to this round: its rows, one a card (none yet: empty)."""
    return list(get_db().query(
        """SELECT responses.* FROM responses JOIN plays ON plays.id = responses.play_id
           WHERE plays.session_id = ? AND plays.learner_id = ? AND plays.item = ?
           AND responses.step = ? ORDER BY responses.id""",
        [found["id"], g.user["id"], found["job"], found["kind"].step]))


def _learner_context(found, message=None, answered=False):
    """What a tablet shows. Once the learner has answered the round, and until the teacher
    moves the class on, that is only its thank-you: nothing of the round is looked up (60
    tablets answer, and then poll, within the same second)."""
    token = state_token(found, False)
    waiting = found["phase"] == "choices" and not found["paused"] and message is None
    mine = True if answered and waiting else next(iter(my_answer(found)), None)
    if mine and waiting:
        return dict(found=found, message=None, mine=mine, token=token)
    return dict(_round_context(found, access.choice_count(g.user)), message=message, mine=mine, token=token)


@bp.get("/sessions/<int:session_id>")
@learner_required
def live(session_id):
    found = member_session(session_id)
    if request.args.get("seen") and unchanged(found, False):
        return "", 204
    return render("classroom/live.html", block="live", **_learner_context(found))


@bp.post("/sessions/<int:session_id>/answer")
@learner_required
def answer(session_id):
    found = member_session(session_id)
    if found["phase"] != "choices" or found["paused"]:
        return render("classroom/live.html", block="live",
                      **_learner_context(found, "not-now")), 409
    picked = picked_cards(found, request.form, access.choice_count(g.user))
    if picked is None:
        return render("classroom/live.html", block="live", **_learner_context(found, "choose")), 400
    answer_once(found, g.user["id"], picked)
    if wants_fragment():  # htmx: swap in the "thank you" step, no page load
        return render("classroom/live.html", block="live", **_learner_context(found, answered=True))
    return redirect(url_for("classroom.live", session_id=session_id))
