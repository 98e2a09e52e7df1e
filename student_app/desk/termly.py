"""The termly review against the Gatsby Benchmarks (issue 16), as Compass asks for one each
term: how far each benchmark is met, worked out from the app's records as they stood on a
day, the change since last term, and the Careers Leader's notes and actions.

Terms end on 31 December, 31 March and 31 July (the national readings); August belongs to the
summer term. The measures of a term that has ended are saved once (a snapshot) the first time
the review is opened after its end, or by `flask save-termly-snapshots`, so that they stay as
they were even after learners leave and their records are erased.
"""

import csv
import io
import json
from datetime import date

from flask_babel import gettext as _

from ..benchmarks import age_on, school_year
from ..content import get_catalogue
from ..db import get_db, now, transaction
from ..web import csv_safe
from .destinations import school_year_group
from .encounters import YEAR_ON_THE_DAY

TEXT_LIMIT = 1000
NOTES_SHOWN = 50


class Refused(ValueError):
    """A kind message for the Careers Leader: the page is shown again with it."""


def term_end(day):
    """The last day of the term holding `day`."""
    if day.month >= 9:
        return date(day.year, 12, 31)
    if day.month <= 3:
        return date(day.year, 3, 31)
    return date(day.year, 7, 31)


def previous_term_end(end):
    return {12: date(end.year, 7, 31), 3: date(end.year - 1, 12, 31), 7: date(end.year, 3, 31)}[end.month]


def term_label(end):
    if end.month == 12:
        return _("Autumn term %(year)s", year=end.year)
    if end.month == 3:
        return _("Spring term %(year)s", year=end.year)
    return _("Summer term %(year)s", year=end.year)


def read_term(value, today=None):
    """The term an URL names (its last day, YYYY-MM-DD), or this term; None if it is not a
    term's end or is still to come."""
    current = term_end(today or date.today())
    if not value:
        return current
    try:
        end = date.fromisoformat(value)
    except ValueError:
        return None
    return end if term_end(end) == end and end <= current else None


# key -> benchmark; the words are in measure_label. The order is the page's and the CSV's.
MEASURES = {
    "b1-years": 1, "b2-year": 2, "b3-intended": 3, "b3-known": 3, "b4-year": 4, "b5-year": 5, "b6-by-16": 6,
    "b7-year": 7, "b7-access-8-9": 7, "b7-access-10-11": 7, "b8-by-16": 8, "b8-by-18": 8,
}


def measure_label(key):
    return {
        "b1-years": _("Year groups on roll with a careers programme planned"),
        "b2-year": _("Learners who did a careers information activity this school year"),
        "b3-intended": _("Learners in Year 11 or above with an intended destination recorded"),
        "b3-known": _("Leavers of the last three years whose latest destination is known"),
        "b4-year": _("Learners who did an activity linking their learning to careers this school year"),
        "b5-year": _("Learners with an employer encounter this school year"),
        "b6-by-16": _("Learners aged 16 or over who have had a workplace experience"),
        "b7-year": _("Learners with a college, university or training encounter this school year"),
        "b7-access-8-9": _("Learners in Year 10 or above who had two provider encounters in Years 8 and 9"),
        "b7-access-10-11": _("Learners in Year 12 or above who had two provider encounters in Years 10 and 11"),
        "b8-by-16": _("Learners aged 16 or over who have had a guidance meeting with a qualified adviser"),
        "b8-by-18": _("Learners aged 18 or over who have had two guidance meetings with a qualified adviser"),
    }[key]


ROLL = """SELECT id, date_of_birth FROM learners WHERE school_id = :school
          AND (left_on IS NULL OR left_on > :month) AND (created_at IS NULL OR substr(created_at, 1, 10) <= :on)"""


def measures(school_id, on):
    """{key: (how many, of how many)} from the records as they stood on the day `on`: each
    query is grouped in SQL, one row per learner at most."""
    db = get_db()
    start = school_year(on)[0]
    args = {"school": school_id, "month": on.isoformat()[:7], "on": on.isoformat(), "start": start.isoformat()}
    roll = {row["id"]: row["date_of_birth"] for row in db.query(ROLL, args)}
    catalogue = get_catalogue()
    tagged = {}
    for row in db.query(
            f"""SELECT plays.learner_id, plays.activity FROM plays JOIN ({ROLL}) AS roll ON roll.id = plays.learner_id
                WHERE plays.finished_at IS NOT NULL AND substr(plays.finished_at, 1, 10) BETWEEN :start AND :on
                GROUP BY plays.learner_id, plays.activity""", args):
        activity = catalogue.activities.get(row["activity"])
        tagged.setdefault(row["learner_id"], set()).update(activity.benchmarks if activity else ())
    this_year, ever = {}, {}
    for row in db.query(
            f"""SELECT learner_id, kind, sum(happened_on >= :start) AS within FROM passport_pages
                JOIN ({ROLL}) AS roll ON roll.id = passport_pages.learner_id
                WHERE happened_on <= :on GROUP BY learner_id, kind""", args):
        ever.setdefault(row["kind"], set()).add(row["learner_id"])
        if row["within"]:
            this_year.setdefault(row["kind"], set()).add(row["learner_id"])
    meetings = {row["learner_id"]: row["n"] for row in db.query(
        f"""SELECT learner_id, count(*) AS n FROM guidance_meetings JOIN ({ROLL}) AS roll ON roll.id = learner_id
            WHERE adviser_qualified = 1 AND held_on <= :on GROUP BY learner_id""", args)}
    intended = {row[0] for row in db.execute(
        f"""SELECT DISTINCT learner_id FROM destinations JOIN ({ROLL}) AS roll ON roll.id = learner_id
            WHERE checkpoint = 'intended' AND checked_on <= :on""", args)}
    access = {}
    for row in db.query(
            f"""SELECT learners.id AS learner_id, {YEAR_ON_THE_DAY} AS year, count(*) AS n
                FROM passport_pages JOIN encounters ON encounters.id = passport_pages.encounter_id
                JOIN ({ROLL}) AS learners ON learners.id = passport_pages.learner_id
                WHERE encounters.provider_access = 1 AND passport_pages.happened_on <= :on
                AND learners.date_of_birth IS NOT NULL GROUP BY learners.id, year""", args):
        phase = "8-9" if row["year"] in (8, 9) else "10-11" if row["year"] in (10, 11) else None
        if phase:
            access[(row["learner_id"], phase)] = access.get((row["learner_id"], phase), 0) + row["n"]
    # Leavers of the last three years, and whether their latest check says where they are.
    leavers = db.execute(
        """SELECT count(*), sum(latest.activity IS NOT NULL AND latest.activity != '810') FROM learners
           LEFT JOIN (SELECT learner_id, activity, max(id) FROM destinations
                      WHERE checkpoint != 'intended' AND checked_on <= :on GROUP BY learner_id) AS latest
             ON latest.learner_id = learners.id
           WHERE learners.school_id = :school AND learners.left_on IS NOT NULL AND learners.left_on <= :month
           AND learners.left_on > :three_years""",
        dict(args, three_years=f"{on.year - 3:04d}-{on.month:02d}")).fetchone()

    ages = {learner: age_on(birth, on) for learner, birth in roll.items()}
    years = {learner: school_year_group(birth, on) for learner, birth in roll.items()}
    on_roll_years = {year for year in years.values() if year is not None and 7 <= year <= 14}
    planned = {row[0] for row in db.execute(
        """SELECT DISTINCT year_group FROM programme_entries WHERE school_id = :school
           AND substr(created_at, 1, 10) <= :on""", args)}

    def share(wanted, has):
        group = [learner for learner in roll if wanted(learner)]
        return sum(1 for learner in group if has(learner)), len(group)

    everyone = lambda learner: True  # noqa: E731
    return {
        "b1-years": (len(on_roll_years & planned), len(on_roll_years)),
        "b2-year": share(everyone, lambda lr: 2 in tagged.get(lr, ())),
        "b3-intended": share(lambda lr: (years[lr] or 0) >= 11, lambda lr: lr in intended),
        "b3-known": (leavers[1] or 0, leavers[0]),
        "b4-year": share(everyone, lambda lr: 4 in tagged.get(lr, ())),
        "b5-year": share(everyone, lambda lr: lr in this_year.get("employer", ())),
        "b6-by-16": share(lambda lr: (ages[lr] or 0) >= 16, lambda lr: lr in ever.get("workplace", ())),
        "b7-year": share(everyone, lambda lr: lr in this_year.get("provider", ())),
        "b7-access-8-9": share(lambda lr: (years[lr] or 0) >= 10, lambda lr: access.get((lr, "8-9"), 0) >= 2),
        "b7-access-10-11": share(lambda lr: (years[lr] or 0) >= 12, lambda lr: access.get((lr, "10-11"), 0) >= 2),
        "b8-by-16": share(lambda lr: (ages[lr] or 0) >= 16, lambda lr: meetings.get(lr, 0) >= 1),
        "b8-by-18": share(lambda lr: (ages[lr] or 0) >= 18, lambda lr: meetings.get(lr, 0) >= 2),
    }


def snapshot(school_id, end):
    row = get_db().execute("SELECT measures FROM termly_snapshots WHERE school_id = ? AND term_end = ?",
                           [school_id, end.isoformat()]).fetchone()
    return {key: tuple(value) for key, value in json.loads(row[0]).items()} if row else None


def save_snapshot(school_id, end):
    """Save the measures of a term that has ended, once: a second call keeps the first."""
    found = measures(school_id, end)
    db = get_db()
    with transaction(db):
        db.execute("""INSERT INTO termly_snapshots (school_id, term_end, measures, saved_at) VALUES (?, ?, ?, ?)
                      ON CONFLICT(school_id, term_end) DO NOTHING""",
                   [school_id, end.isoformat(), json.dumps(found), now()])
    return snapshot(school_id, end)


def measures_of_term(school_id, end, today=None):
    """The term's measures and whether they are a saved snapshot: a term that has ended is
    saved the first time it is asked for; this term is worked out from today's records."""
    today = today or date.today()
    if end >= today:
        return measures(school_id, today), False
    return snapshot(school_id, end) or save_snapshot(school_id, end), True


def review(school_id, end, today=None):
    """The rows of the review: each measure this term and last, and the change in points."""
    current, saved = measures_of_term(school_id, end, today)
    before, _saved = measures_of_term(school_id, previous_term_end(end), today)
    rows = []
    for key, number in MEASURES.items():
        count, of = current.get(key, (0, 0))
        was = before.get(key)
        percent = round(100 * count / of) if of else None
        was_percent = round(100 * was[0] / was[1]) if was and was[1] else None
        rows.append({"key": key, "benchmark": number, "label": measure_label(key), "count": count, "of": of,
                     "percent": percent, "was_percent": was_percent,
                     "change": percent - was_percent if percent is not None and was_percent is not None else None})
    return rows, saved


def save_due_snapshots(school_id, today=None):
    """Save the last ended term's snapshot if it is not saved yet (the CLI runs this nightly)."""
    ended = previous_term_end(term_end(today or date.today()))
    if snapshot(school_id, ended) is None:
        save_snapshot(school_id, ended)


def read_note(form, today=None):
    """A note or an action for the term, checked: the words, the benchmark if any, a date if an
    action. Raises Refused."""
    text = form.get("text", "").strip()
    if not text:
        raise Refused(_("Please write the note or the action."))
    if len(text) > TEXT_LIMIT:
        raise Refused(_("Please keep the note under %(num)s letters.", num=TEXT_LIMIT))
    benchmark = form.get("benchmark", "")
    if benchmark and benchmark not in {str(n) for n in range(1, 9)}:
        raise Refused(_("Please choose a benchmark from the list."))
    due_on = form.get("due_on", "")
    if due_on:
        try:
            date.fromisoformat(due_on)
        except ValueError:
            raise Refused(_("Please give dates like 2026-09-01.")) from None
    return {"text": text, "benchmark": int(benchmark) if benchmark else None, "due_on": due_on or None}


def add_note(school_id, end, staff_id, found):
    get_db()["termly_notes"].insert(dict(found, school_id=school_id, term_end=end.isoformat(), staff_id=staff_id,
                                         created_at=now()))


def notes_of(school_id, end):
    """The term's notes and actions, the newest first (the latest 50)."""
    return list(get_db().query(
        """SELECT termly_notes.*, staff.name AS staff_name FROM termly_notes
           LEFT JOIN staff ON staff.id = termly_notes.staff_id
           WHERE termly_notes.school_id = ? AND term_end = ? ORDER BY termly_notes.id DESC LIMIT ?""",
        [school_id, end.isoformat(), NOTES_SHOWN]))


def action_term(school_id, action_id):
    """The end of the term an action of the school's belongs to, or None."""
    row = get_db().execute("SELECT term_end FROM termly_notes WHERE id = ? AND school_id = ? AND due_on IS NOT NULL",
                           [action_id, school_id]).fetchone()
    return row[0] if row else None


def set_done(action_id, done):
    """Mark an action done (today; done twice keeps the first day) or not done."""
    db = get_db()
    with transaction(db):
        db.execute("UPDATE termly_notes SET done_on = CASE WHEN ? THEN coalesce(done_on, ?) END WHERE id = ?",
                   [int(done), date.today().isoformat(), action_id])


def csv_text(school_id, end, today=None):
    """The review as a CSV: one row per measure."""
    rows, _saved = review(school_id, end, today)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["term_end", "benchmark", "measure", "learners_met", "learners_counted", "percent",
                     "percent_last_term", "change_in_points"])
    for row in rows:
        writer.writerow([end.isoformat(), row["benchmark"], csv_safe(str(row["label"])), row["count"], row["of"],
                         "" if row["percent"] is None else row["percent"],
                         "" if row["was_percent"] is None else row["was_percent"],
                         "" if row["change"] is None else row["change"]])
    return out.getvalue()
