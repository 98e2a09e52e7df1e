"""The records behind a learner's annual review: guidance meetings and their actions, the
staff parts of the one-page profile, staff notes on what is working, the reviews held, and
the review pack made from all of them with the learner's own words.

Every query is bounded: by the pack's dates, by a page of meetings, or by what is still
open, so a record that spans years costs no more than the dates asked for.
"""

from datetime import date

from flask_babel import gettext as _

from .. import benchmarks, media, passport, responses
from ..db import get_db, now, transaction
from ..lookups import form_id

WHO = ("learner", "family", "school", "other")  # who does an action
PROFILE_PARTS = ("admire", "important", "support")  # the staff parts of a one-page profile
NOTE_HEADINGS = ("working", "not-working")
TEXT_LIMIT = 2000
MEETINGS_A_PAGE = 10
ACTIONS_A_MEETING = 6  # rows on the form
GOOD_FEELINGS = {"feeling-happy", "feeling-excited", "feeling-proud", "feeling-calm"}
HARD_FEELINGS = {"feeling-worried", "feeling-tired", "feeling-sad", "feeling-angry", "feeling-scared"}
VIEW_ACTIVITY = "my-review"  # the learner's own view, one question a screen
ASPIRATIONS = "my-aspirations"


class Refused(ValueError):
    """A form the member of staff must put right; the message says how."""


def who_label(who, name=None):
    label = {"learner": _("Me"), "family": _("My family"), "school": _("School"), "other": _("Someone else")}[who]
    return f"{label}: {name}" if name else label


def part_label(part):
    return {"admire": _("What people like and admire about me"),
            "important": _("What is important to me"),
            "support": _("How best to support me")}[part]


# --- guidance meetings -------------------------------------------------------------------

def _day(value, field_label, required=False):
    value = (value or "").strip()
    if not value:
        if required:
            raise Refused(_("Please give the date of %(what)s.", what=field_label))
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise Refused(_("Please give dates like 2026-09-01.")) from None


def _words(value, limit=TEXT_LIMIT):
    value = (value or "").strip()
    if len(value) > limit:
        raise Refused(_("That is a lot of words! Please keep it shorter."))
    return value or None


def read_meeting_form(form, topics):
    """A guidance meeting and its actions from the staff form, checked; Refused if not."""
    meeting = {
        "held_on": _day(form.get("held_on"), _("the meeting"), required=True),
        "adviser": _words(form.get("adviser"), 200),
        "adviser_qualified": 1 if form.get("adviser_qualified") == "1" else 0,
        "others": _words(form.get("others"), 500),
        "talked_about": _words(form.get("talked_about")),
        "learner_wants": _words(form.get("learner_wants")),
        "agreed": _words(form.get("agreed")),
        "look_again_on": _day(form.get("look_again_on"), _("looking again")),
    }
    if not meeting["adviser"]:
        raise Refused(_("Please give the adviser's name."))
    actions = []
    for n in range(1, ACTIONS_A_MEETING + 1):
        text = _words(form.get(f"action_{n}_text"), 500)
        if not text:
            continue  # an empty row; an action emptied on the change form is removed
        who, topic = form.get(f"action_{n}_who", ""), form.get(f"action_{n}_topic", "")
        if who not in WHO or topic not in topics:
            raise Refused(_("Please choose who does each action and what it is about from the lists."))
        actions.append({"id": form_id(form.get(f"action_{n}_id")), "text": text, "who": who, "topic": topic,
                        "who_name": _words(form.get(f"action_{n}_who_name"), 100),
                        "due_on": _day(form.get(f"action_{n}_due_on"), _("an action"))})
    if not (meeting["talked_about"] or meeting["agreed"] or actions):
        raise Refused(_("Please write what was talked about, what was agreed, or an action."))
    return meeting, actions


def form_of(found):
    """A recorded meeting as the staff form's fields, to put it right."""
    form = {key: found[key] or "" for key in ("held_on", "adviser", "others", "talked_about", "learner_wants",
                                               "agreed", "look_again_on")}
    form["adviser_qualified"] = "1" if found["adviser_qualified"] else ""
    for n, action in enumerate(found["actions"], start=1):
        form.update({f"action_{n}_id": str(action["id"]), f"action_{n}_text": action["text"],
                     f"action_{n}_who": action["who"], f"action_{n}_who_name": action["who_name"] or "",
                     f"action_{n}_topic": action["topic"], f"action_{n}_due_on": action["due_on"] or ""})
    return form


def save_meeting(learner_id, staff_id, meeting, actions, voice=None, lang=None):
    """Store a meeting, its actions and the learner's recorded words in one commit."""
    db = get_db()
    with transaction(db):
        voice_id = media.store_upload(learner_id, voice) if voice else None
        meeting_id = db["guidance_meetings"].insert({
            **meeting, "learner_id": learner_id, "learner_wants_voice": voice_id, "staff_id": staff_id,
            "lang": lang, "created_at": now()}).last_pk
        for action in actions:
            action.pop("id", None)
            db["guidance_actions"].insert({**action, "meeting_id": meeting_id, "learner_id": learner_id})
    return meeting_id


def change_meeting(found, meeting, actions, voice=None):
    """Put right a recorded meeting in one commit: its words, its actions (an action keeps
    whether it is done; one emptied on the form is removed; new rows are added) and, if a new
    one is given, the learner's recording."""
    db = get_db()
    known = {action["id"] for action in found["actions"]}
    if any(action["id"] is not None and action["id"] not in known for action in actions):
        raise Refused(_("Please use the form on the page."))
    kept = {action["id"] for action in actions if action["id"] is not None}
    with transaction(db):
        changes = dict(meeting)
        if voice:
            changes["learner_wants_voice"] = media.store_upload(found["learner_id"], voice)
        db["guidance_meetings"].update(found["id"], changes)
        for action_id in known - kept:
            db.execute("DELETE FROM guidance_actions WHERE id = ?", [action_id])
        for action in actions:
            action_id = action.pop("id")
            if action_id is None:
                db["guidance_actions"].insert({**action, "meeting_id": found["id"], "learner_id": found["learner_id"]})
            else:
                db["guidance_actions"].update(action_id, action)


def meetings_of(learner_id, page=1, start=None, end=None):
    """One page of the learner's meetings, newest first (and whether there are more), or every
    meeting between two dates for a review pack."""
    query = """SELECT guidance_meetings.*, staff.name AS staff_name FROM guidance_meetings
               LEFT JOIN staff ON staff.id = guidance_meetings.staff_id WHERE learner_id = ?"""
    args = [learner_id]
    if start:
        query, args = query + " AND held_on >= ?", args + [start]
    if end:
        query, args = query + " AND held_on <= ?", args + [end]
    query += " ORDER BY held_on DESC, guidance_meetings.id DESC"
    if start is None and end is None:
        query += f" LIMIT {MEETINGS_A_PAGE + 1} OFFSET {(page - 1) * MEETINGS_A_PAGE}"
    rows = list(get_db().query(query, args))
    more = len(rows) > MEETINGS_A_PAGE and start is None and end is None
    rows = rows[:MEETINGS_A_PAGE] if start is None and end is None else rows
    _with_actions(rows)
    return rows, more


def _with_actions(meetings):
    by_id = {m["id"]: m for m in meetings}
    for m in meetings:
        m["actions"] = []
    if not by_id:
        return
    marks = ",".join("?" * len(by_id))
    for action in get_db().query(
            f"SELECT * FROM guidance_actions WHERE meeting_id IN ({marks}) ORDER BY id", list(by_id)):
        by_id[action["meeting_id"]]["actions"].append(action)


def meeting_of(learner_id, meeting_id):
    rows = list(get_db().query(
        """SELECT guidance_meetings.*, staff.name AS staff_name FROM guidance_meetings
           LEFT JOIN staff ON staff.id = guidance_meetings.staff_id
           WHERE guidance_meetings.id = ? AND learner_id = ?""", [meeting_id, learner_id]))
    _with_actions(rows)
    return rows[0] if rows else None


def has_meetings(learner_id):
    return get_db().execute("SELECT 1 FROM guidance_meetings WHERE learner_id = ? LIMIT 1",
                            [learner_id]).fetchone() is not None


def action_of(learner_id, meeting_id, action_id):
    rows = list(get_db().query("SELECT * FROM guidance_actions WHERE id = ? AND meeting_id = ? AND learner_id = ?",
                               [action_id, meeting_id, learner_id]))
    return rows[0] if rows else None


def set_done(action, done, by_role):
    """Tick an action done, or not done yet. Ticking twice changes nothing: the first time it
    was done is kept, whoever taps again and however many taps arrive at once."""
    db = get_db()
    if done:
        db.execute("UPDATE guidance_actions SET done_at = ?, done_by = ? WHERE id = ? AND done_at IS NULL",
                   [now(), by_role, action["id"]])
    else:
        db.execute("UPDATE guidance_actions SET done_at = NULL, done_by = NULL WHERE id = ?", [action["id"]])


def open_actions_of_class(class_id, school_id, today=None, limit=200):
    """The open actions of a class's current learners: past their date first, then by date,
    then those with no date. At most `limit` rows (a class has tens, not thousands)."""
    today = (today or date.today()).isoformat()
    return list(get_db().query(
        """SELECT guidance_actions.*, learners.name AS learner_name, learners.avatar,
                  guidance_meetings.held_on, (guidance_actions.due_on < ?) AS overdue
           FROM guidance_actions
           JOIN learners ON learners.id = guidance_actions.learner_id
           JOIN guidance_meetings ON guidance_meetings.id = guidance_actions.meeting_id
           WHERE learners.class_id = ? AND learners.school_id = ? AND guidance_actions.done_at IS NULL
             AND (learners.left_on IS NULL OR learners.left_on > ?)
           ORDER BY overdue DESC, guidance_actions.due_on IS NULL, guidance_actions.due_on,
                    learners.name COLLATE NOCASE
           LIMIT ?""", [today, class_id, school_id, today[:7], limit]))


def open_actions_of(learner_id, limit=50):
    return list(get_db().query(
        """SELECT * FROM guidance_actions WHERE learner_id = ? AND done_at IS NULL
           ORDER BY due_on IS NULL, due_on, id LIMIT ?""", [learner_id, limit]))


# --- the one-page profile, notes and reviews ----------------------------------------------

def profile_parts(learner_id):
    found = {row["part"]: row for row in get_db().query(
        """SELECT profile_parts.*, staff.name AS staff_name FROM profile_parts
           LEFT JOIN staff ON staff.id = profile_parts.staff_id WHERE learner_id = ?""", [learner_id])}
    return {part: found.get(part) for part in PROFILE_PARTS}


def save_profile_parts(learner_id, staff_id, form, lang=None):
    texts = {part: _words(form.get(part)) for part in PROFILE_PARTS}
    db = get_db()
    with transaction(db):
        for part, text in texts.items():
            if text:
                db["profile_parts"].upsert({"learner_id": learner_id, "part": part, "text": text,
                                            "staff_id": staff_id, "updated_at": now()},
                                           pk=("learner_id", "part"))
            else:
                db.execute("DELETE FROM profile_parts WHERE learner_id = ? AND part = ?", [learner_id, part])


def add_review_note(learner_id, staff_id, heading, text):
    if heading not in NOTE_HEADINGS:
        raise Refused(_("Please choose the filters from the lists."))
    text = _words(text)
    if not text:
        raise Refused(_("Please write a few words."))
    get_db()["review_notes"].insert({"learner_id": learner_id, "heading": heading, "text": text,
                                     "staff_id": staff_id, "created_at": now()})


def record_review(learner_id, staff_id, form):
    held_on = _day(form.get("held_on"), _("the review"), required=True)
    if held_on > date.today().isoformat():
        raise Refused(_("A review is recorded once it has been held: please give a day up to today."))
    get_db()["reviews"].insert({"learner_id": learner_id, "held_on": held_on,
                                "next_steps": _words(form.get("next_steps")), "staff_id": staff_id,
                                "created_at": now()})


def last_review(learner_id, before=None):
    """The latest review held (before a day, if given), or None."""
    query, args = "SELECT * FROM reviews WHERE learner_id = ?", [learner_id]
    if before:
        query, args = query + " AND held_on < ?", args + [before]
    rows = list(get_db().query(query + " ORDER BY held_on DESC, id DESC LIMIT 1", args))
    return rows[0] if rows else None


def default_range(learner_id):
    """Since the day after the last review (or a year ago, for a first review) up to today."""
    today = date.today()
    last = last_review(learner_id)
    if last:
        start = date.fromordinal(date.fromisoformat(last["held_on"]).toordinal() + 1)
    else:
        start = today.replace(year=today.year - 1) if not (today.month == 2 and today.day == 29) \
            else today.replace(year=today.year - 1, day=28)
    return start.isoformat(), today.isoformat()


# --- the learner's own words --------------------------------------------------------------

def latest_version(learner_id, activity, catalogue, start=None, end=None):
    """The learner's last finished play of a survey between two days (either may be None),
    with its answers by step, or None. One play is read, however many there are."""
    if activity is None:
        return None
    query = "SELECT * FROM plays WHERE learner_id = ? AND activity = ? AND finished_at IS NOT NULL"
    args = [learner_id, activity.id]
    if start:
        query, args = query + " AND substr(finished_at, 1, 10) >= ?", args + [start]
    if end:
        query, args = query + " AND substr(finished_at, 1, 10) <= ?", args + [end]
    rows = list(get_db().query(query + " ORDER BY finished_at DESC, id DESC LIMIT 1", args))
    if not rows:
        return None
    play = responses.with_answers(rows[0], catalogue)
    play["by_step"] = {step.id: [a for a in play["answers"] if a["step"].partition("#")[0] == step.id]
                       for step in activity.steps}
    return play


# --- the pack ------------------------------------------------------------------------------

def _plays_between(learner_id, start, end, catalogue):
    """Finished activities between two days: what, when and which outcomes (no answers)."""
    found = []
    for play in get_db().query(
            """SELECT id, activity, item, finished_at FROM plays WHERE learner_id = ? AND finished_at IS NOT NULL
               AND substr(finished_at, 1, 10) BETWEEN ? AND ? ORDER BY finished_at""",
            [learner_id, start, end]):
        info = catalogue.activities.get(play["activity"])
        if info is None:
            continue
        job = catalogue.jobs.get(play["item"])
        play["title"] = f"{info.title}: {job.name}" if job else info.title
        play["symbol"], play["outcomes"] = (job.symbol if job else info.symbol), info.outcomes
        found.append(play)
    return found


def pack(learner, start, end, catalogue, printing=True):
    """Everything the annual review pack shows, between two days (ISO dates)."""
    adulthood = catalogue.adulthood
    learner_id = learner["id"]
    pages = passport.pages_of(learner, start, end, printing=printing)
    plays = _plays_between(learner_id, start, end, catalogue)
    meetings, _more = meetings_of(learner_id, start=start, end=end)
    previous = last_review(learner_id, before=start) or last_review(learner_id, before=end)
    aspirations = catalogue.activities.get(ASPIRATIONS)
    view_activity = catalogue.activities.get(VIEW_ACTIVITY)
    aspirations_now = latest_version(learner_id, aspirations, catalogue, end=end)
    aspirations_then = (latest_version(learner_id, aspirations, catalogue, end=previous["held_on"])
                        if previous else None)
    evidence = {outcome.id: {"plays": [], "pages": [], "actions": []} for outcome in adulthood.outcomes}
    for play in plays:
        for outcome in play["outcomes"]:
            evidence[outcome]["plays"].append(play)
    for page in pages:
        for outcome in adulthood.kinds.get(page["kind"], ()):
            evidence[outcome]["pages"].append(page)
    for meeting in meetings:
        for action in meeting["actions"]:
            topic = adulthood.topics.get(action["topic"])
            action["topic_info"] = topic
            for outcome in topic.outcomes if topic else ():
                evidence[outcome]["actions"].append(action)
    notes = list(get_db().query(
        """SELECT review_notes.*, staff.name AS staff_name FROM review_notes
           LEFT JOIN staff ON staff.id = review_notes.staff_id
           WHERE learner_id = ? AND substr(created_at, 1, 10) BETWEEN ? AND ? ORDER BY created_at""",
        [learner_id, start, end]))
    profile_activity = catalogue.activities.get("all-about-me")
    skills = catalogue.activities.get("my-skills")
    routes = catalogue.activities.get("future-routes")
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    bench, _ever = benchmarks.evidence_between(learner, catalogue, first, last)
    return {
        "start": start, "end": end, "previous": previous,
        "profile_activity": profile_activity,
        "about_me": latest_version(learner_id, profile_activity, catalogue, end=end),
        "skills_activity": skills, "skills": latest_version(learner_id, skills, catalogue, end=end),
        "wanted_routes": responses.wanted_routes(routes, latest_version(learner_id, routes, catalogue, end=end)),
        "profile_parts": profile_parts(learner_id),
        "aspirations_activity": aspirations, "aspirations_now": aspirations_now,
        "aspirations_then": aspirations_then,
        "view_activity": view_activity,
        "my_view": latest_version(learner_id, view_activity, catalogue, start=start, end=end),
        "pages": pages, "outcomes": adulthood.outcomes, "evidence": evidence,
        "working": [p for p in pages if p["again"] == "yes" or p["feeling"] in GOOD_FEELINGS],
        "not_working": [p for p in pages if p["again"] == "no" or p["feeling"] in HARD_FEELINGS],
        "notes": {heading: [n for n in notes if n["heading"] == heading] for heading in NOTE_HEADINGS},
        "meetings": meetings, "open_actions": open_actions_of(learner_id),
        "benchmarks": bench,
    }
