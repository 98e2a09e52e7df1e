"""Plays and answers: what a learner did in an activity, stored as it is given."""

from . import kinds
from .db import get_db, now, transaction

# A staff observation of a learner's reaction, and the symbol that shows it.
REACTIONS = {"liked": "feeling-happy", "unsure": "answer-not-sure", "disliked": "feeling-sad"}


def open_play(learner_id, activity, item, create=False):
    """The learner's unfinished play of this item, started if `create` and there is none."""
    db = get_db()
    query = """SELECT * FROM plays WHERE learner_id = ? AND activity = ? AND item = ?
               AND finished_at IS NULL ORDER BY id DESC LIMIT 1"""
    found = list(db.query(query, [learner_id, activity, item]))
    if found or not create:
        return found[0] if found else None
    # Look again under the write lock, so two taps at once start only one play.
    with transaction(db):
        found = list(db.query(query, [learner_id, activity, item]))
        if not found:
            db["plays"].insert(
                {"learner_id": learner_id, "activity": activity, "item": item, "started_at": now()}
            )
            found = list(db.query(query, [learner_id, activity, item]))
    return found[0]


def record_answer(play, step, answer, correct=None, given_by="learner", staff_id=None, note=None):
    """Store one answer at once; the same answer to the same step is stored only once. Typed
    words keep the language of the page they were typed on (typed_language)."""
    get_db().execute(
        """INSERT OR IGNORE INTO responses
           (play_id, learner_id, step, answer, correct, given_by, staff_id, note, created_at, lang)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [play["id"], play["learner_id"], step, answer, correct, given_by, staff_id, note, now(),
         typed_language()],
    )


def record_answers_once(play_id, learner_id, step, answers, given_by="learner", staff_id=None):
    """Store `answers` ((answer, correct) pairs: a vote has several) to a step unless it has an
    answer already, in one statement (SQLite reads the whole SELECT before it inserts, so the
    second pair does not see the first). Returns whether they were stored."""
    values = ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(answers))
    stamp, lang = now(), typed_language()
    return get_db().execute(
        f"""INSERT OR IGNORE INTO responses
            (play_id, learner_id, step, answer, correct, given_by, staff_id, created_at, lang)
            SELECT * FROM (VALUES {values})
            WHERE NOT EXISTS (SELECT 1 FROM responses WHERE play_id = ? AND step = ?)""",
        [value for answer, correct in answers
         for value in (play_id, learner_id, step, answer, correct, given_by, staff_id, stamp, lang)]
        + [play_id, step]).rowcount > 0


def typed_language():
    """The language tag of the page the person is typing on, or None outside a request."""
    from flask import has_request_context

    from .i18n import page_language

    return page_language().tag if has_request_context() else None


def _latest_revisions(rows):
    """Answers by step, keeping only each step's latest revision ("likes", "likes#2"...)."""
    best = {}
    for row in rows:
        base, _, revision = row["step"].partition("#")
        number = int(revision or 1)
        kept = best.get(base)
        if kept is None or number > kept[0]:
            best[base] = (number, [row])
        elif number == kept[0]:
            kept[1].append(row)
    return {base: rows for base, (_, rows) in best.items()}


def record_step(play, step, answers, given_by="learner", staff_id=None):
    """Store a step's answers. Answering the step again stores a new revision beside the old
    one (nothing is lost); the same answers sent twice are stored once."""
    db = get_db()
    with transaction(db):
        rows = list(db.query(
            "SELECT step, answer FROM responses WHERE play_id = ? AND (step = ? OR step LIKE ?)",
            [play["id"], step, f"{step}#%"],
        ))
        latest = _latest_revisions(rows).get(step, [])
        if {row["answer"] for row in latest} == set(answers):
            return
        revision = 1 + max((int(r["step"].partition("#")[2] or 1) for r in rows), default=0)
        key = step if revision == 1 else f"{step}#{revision}"
        for answer in answers:
            record_answer(play, key, answer, given_by=given_by, staff_id=staff_id)


def step_answers(play, step):
    """The answers now standing for one step of a play."""
    rows = get_db().query(
        "SELECT step, answer FROM responses WHERE play_id = ? AND (step = ? OR step LIKE ?)",
        [play["id"], step, f"{step}#%"],
    )
    return {row["answer"] for row in _latest_revisions(list(rows)).get(step, [])}


def last_finished_answers(learner_id, activity, item, step):
    """A step's answers in the learner's last finished play, to start a new version from."""
    rows = list(get_db().query(
        """SELECT * FROM plays WHERE learner_id = ? AND activity = ? AND item = ?
           AND finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT 1""",
        [learner_id, activity, item],
    ))
    return step_answers(rows[0], step) if rows else set()


def finish_play(play):
    get_db().execute(
        "UPDATE plays SET finished_at = ? WHERE id = ? AND finished_at IS NULL", [now(), play["id"]]
    )


def describe(response, play, catalogue):
    """A response as a symbol, a kind and words, for passport and portfolio: each activity
    kind reads its own answers (kinds.Kind.describe); a staff observation is a reaction."""
    step, answer = response["step"].partition("#")[0], response["answer"]
    found = dict(response, kind=step, symbol="nav-pencil", text=answer, number=None, prompt=None,
                 media_id=None, typed_lang=None)
    activity = catalogue.activities.get(play["activity"])
    if activity is not None:
        kinds.of(activity).describe(found, step, answer, play, catalogue)
    elif step == "reaction" and answer in REACTIONS:
        found.update(kind="reaction", symbol=REACTIONS[answer])
    return found


# A history page shows a bounded part of a record that may span fourteen years: the plays of
# a date range (a school year, by default), PLAYS_SHOWN at a time, newest first, with a link
# to the ones before (keyset paging on (started_at, id), so an old page costs what a new one does).
PLAYS_SHOWN = 20
VERSIONS_SHOWN = 6


def plays_between(learner_id, catalogue, start="", end="", activities=None, limit=-1, older_than=None):
    """The learner's plays started from `start` to `end` (dates; either may be empty), of the
    given activities if any, older than the play `older_than` (an id) if given, newest first,
    at most `limit` (-1: all, for a print), each with its answers. Two queries, however long
    the record."""
    return answers_of(_play_rows(learner_id, start, end, activities, limit, older_than), catalogue)


def plays_page(learner_id, catalogue, start="", end="", activities=None, older_than=None):
    """One page of a history: (at most PLAYS_SHOWN plays newest first, with their answers; the
    id to ask for the ones before them as `older_than`, or None when there are none)."""
    rows = _play_rows(learner_id, start, end, activities, PLAYS_SHOWN + 1, older_than)
    older = rows[PLAYS_SHOWN - 1]["id"] if len(rows) > PLAYS_SHOWN else None
    return answers_of(rows[:PLAYS_SHOWN], catalogue), older


def _play_rows(learner_id, start, end, activities, limit, older_than):
    query, args = "SELECT * FROM plays WHERE learner_id = ?", [learner_id]
    if start:
        query, args = query + " AND started_at >= ?", args + [start]
    if end:
        query, args = query + " AND started_at < ?", args + [_day_after(end)]
    if activities is not None:
        query += f" AND activity IN ({', '.join('?' * len(activities))})"
        args += list(activities)
    if older_than is not None:
        query += " AND (started_at, id) < (SELECT started_at, id FROM plays WHERE id = ? AND learner_id = ?)"
        args += [older_than, learner_id]
    return list(get_db().query(query + " ORDER BY started_at DESC, id DESC LIMIT ?", args + [limit]))


def _day_after(day):
    from datetime import date, timedelta

    return (date.fromisoformat(day) + timedelta(days=1)).isoformat()


def answers_of(plays, catalogue):
    """Each play with its answers in time order: one query for all the plays."""
    by_play = {play["id"]: [] for play in plays}
    ids = list(by_play)
    for first in range(0, len(ids), 500):  # SQLite's limit on the number of ? in one query
        chunk = ids[first:first + 500]
        for row in get_db().query(
                f"""SELECT responses.*, staff.name AS staff_name FROM responses
                    LEFT JOIN staff ON staff.id = responses.staff_id
                    WHERE play_id IN ({', '.join('?' * len(chunk))}) ORDER BY created_at, responses.id""", chunk):
            by_play[row["play_id"]].append(row)
    for play in plays:
        _attach_answers(play, by_play[play["id"]], catalogue)
    return plays


def with_answers(play, catalogue):
    return answers_of([play], catalogue)[0]


def _attach_answers(play, rows, catalogue):
    play["job"] = catalogue.jobs.get(play["item"])
    play["info"] = catalogue.activities.get(play["activity"])
    if play["info"] is not None and kinds.of(play["info"]).latest_only:
        # A step answered again in the same sitting shows only its newest answers.
        standing = {id(row) for rows in _latest_revisions(rows).values() for row in rows}
        rows = [row for row in rows if id(row) in standing]
    play["answers"] = [describe(row, play, catalogue) for row in rows]
    return play


def last_play(learner_id, activity, item, catalogue):
    rows = list(get_db().query(
        """SELECT * FROM plays WHERE learner_id = ? AND activity = ? AND item = ?
           ORDER BY started_at DESC, id DESC LIMIT 1""", [learner_id, activity, item]))
    return with_answers(rows[0], catalogue) if rows else None


def versions(learner_id, activity, catalogue, limit=VERSIONS_SHOWN):
    """The latest finished plays of a survey (at most `limit`), newest first, with answers
    grouped by step."""
    plays = list(get_db().query(
        """SELECT * FROM plays WHERE learner_id = ? AND activity = ? AND finished_at IS NOT NULL
           ORDER BY finished_at DESC, id DESC LIMIT ?""", [learner_id, activity.id, limit]))
    found = []
    for play in answers_of(plays, catalogue):
        play["by_step"] = {
            step.id: [a for a in play["answers"] if a["step"].partition("#")[0] == step.id]
            for step in activity.steps
        }
        found.append(play)
    return found


def record_years(learner_id):
    """The school years (the calendar year each began, newest first) in which the learner
    played an activity or had a passport page: one query on indexed columns."""
    return [row[0] for row in get_db().execute(
        """SELECT CAST(substr(started_at, 1, 4) AS INTEGER) - (substr(started_at, 6, 2) < '09') AS year
           FROM plays WHERE learner_id = :learner
           UNION SELECT CAST(substr(happened_on, 1, 4) AS INTEGER) - (substr(happened_on, 6, 2) < '09')
           FROM passport_pages WHERE learner_id = :learner ORDER BY year DESC""", {"learner": learner_id})]


def year_range(year):
    """The first and last day of the school year that began in September of `year`."""
    return f"{year:04d}-09-01", f"{year + 1:04d}-08-31"


def version_count(learner_id, activity_id):
    return get_db().execute("SELECT count(*) FROM plays WHERE learner_id = ? AND activity = ? AND finished_at IS NOT NULL",
                            [learner_id, activity_id]).fetchone()[0]


def wanted_routes(activity, version):
    """The routes of a My future routes version the learner wants to find out more about:
    (step, answers) for each."""
    if activity is None or version is None:
        return []
    return [(step, answers) for step in activity.steps for answers in [version["by_step"][step.id]]
            if any(a.get("choice") == "find-out" for a in answers)]
