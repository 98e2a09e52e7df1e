"""Encounters recorded once for a group (issue 16): an employer's visit to a class, a college
taster for a year group. Each learner who was there gets a passport page naming the
encounter, which they can add to (their photos, what they did and learnt, how they felt).

An encounter with a provider of technical education or apprenticeships counts towards the
provider access legislation: two in Years 8 or 9 and two in Years 10 or 11 for every learner,
and two offered in Years 12 or 13. The year group is the one the learner was in on the day.
"""

from datetime import date

from flask_babel import gettext as _

from ..db import get_db, now, transaction
from ..passport import KINDS, kind_label
from .destinations import school_year_group

# kind -> its symbol: the passport's kinds that serve a benchmark (employer ... guidance)
KINDS_OF_ENCOUNTER = {kind: symbol for kind, (number, symbol) in KINDS.items() if number is not None}
# (phase, its year groups, how many encounters, whether every learner must attend)
PHASES = (("8-9", (8, 9), 2, True), ("10-11", (10, 11), 2, True), ("12-13", (12, 13), 2, False))
TEXT_LIMIT = 200
PER_PAGE = 20


class Refused(ValueError):
    """A kind message for the member of staff: the form is shown again with it."""


def phase_label(phase):
    return {"8-9": _("Years 8 and 9"), "10-11": _("Years 10 and 11"), "12-13": _("Years 12 and 13")}[phase]


def group_key_label(key, classes):
    """The words for a group a form names: a class's name or a year group."""
    kind, _sep, value = key.partition("-")
    if kind == "class":
        return next((c["name"] for c in classes if str(c["id"]) == value), None)
    if kind == "year" and value.isdigit() and 7 <= int(value) <= 14:
        return _("Year %(n)s", n=value)
    return None


def year_groups(school_id, today=None):
    """The year groups (7 to 14) the school's learners on roll are in, smallest first."""
    found = set()
    for row in get_db().query("SELECT date_of_birth FROM learners WHERE school_id = ? AND left_on IS NULL",
                              [school_id]):
        year = school_year_group(row["date_of_birth"], today)
        if year is not None and 7 <= year <= 14:
            found.add(year)
    return sorted(found)


def learners_of_group(school_id, key, class_ids=None):
    """The learners on roll in a group ("class-<id>" or "year-<n>"), by name. `class_ids`
    narrows to the classes a teaching assistant reaches."""
    kind, _sep, value = key.partition("-")
    rows = get_db().query(
        """SELECT learners.id, learners.name, learners.class_id, learners.date_of_birth, classes.name AS class_name
           FROM learners JOIN classes ON classes.id = learners.class_id
           WHERE learners.school_id = ? AND learners.left_on IS NULL ORDER BY learners.name COLLATE NOCASE""",
        [school_id])
    chosen = []
    for row in rows:
        if class_ids is not None and row["class_id"] not in class_ids:
            continue
        if kind == "class" and str(row["class_id"]) == value:
            chosen.append(row)
        elif kind == "year" and str(school_year_group(row["date_of_birth"])) == value:
            chosen.append(row)
    return chosen


def _text(form, field, required_message=None):
    value = " ".join(form.get(field, "").split())
    if len(value) > TEXT_LIMIT:
        raise Refused(_("Please keep each answer under %(num)s letters.", num=TEXT_LIMIT))
    if required_message and not value:
        raise Refused(required_message)
    return value or None


def read_form(form, group_learners, place_symbols):
    """What the form says, checked: the kind, the title, the provider, the place, the day, the
    learners who were there (of the group shown) and whether it is a provider access one."""
    kind = form.get("kind", "")
    if kind not in KINDS_OF_ENCOUNTER:
        raise Refused(_("Please choose what kind of encounter it was."))
    provider = _text(form, "provider", _("Please write the name of the employer, college or provider."))
    what = _text(form, "what")
    place_symbol = form.get("place_symbol") or None
    if place_symbol is not None and place_symbol not in place_symbols:
        raise Refused(_("Please choose a place from the list."))
    try:
        day = date.fromisoformat(form.get("happened_on", ""))
    except ValueError:
        raise Refused(_("Please give the date of the encounter.")) from None
    if day > date.today():
        raise Refused(_("Please record an encounter on or after the day it happened."))
    offered = {str(row["id"]): row for row in group_learners}
    picked = form.getlist("learner")
    if any(value not in offered for value in picked):
        raise Refused(_("Please tick only learners of the group shown."))
    if not picked:
        raise Refused(_("Please tick at least one learner who was there."))
    return {"kind": kind, "provider": provider, "what": what, "place_symbol": place_symbol,
            "happened_on": day.isoformat(), "provider_access": int(kind == "provider" and "provider_access" in form),
            "learners": [offered[value] for value in dict.fromkeys(picked)]}


def record(school_id, staff_id, group_name, found):
    """The encounter and a passport page for each learner there: one commit."""
    db = get_db()
    title = found["what"] or _("%(kind)s: %(provider)s", kind=kind_label(found["kind"]), provider=found["provider"])
    stamp = now()
    with transaction(db):
        encounter_id = db["encounters"].insert({
            "school_id": school_id, "kind": found["kind"], "what": title, "provider": found["provider"],
            "place_symbol": found["place_symbol"], "happened_on": found["happened_on"], "group_name": group_name,
            "provider_access": found["provider_access"], "staff_id": staff_id, "created_at": stamp}).last_pk
        db["passport_pages"].insert_all({
            "learner_id": row["id"], "kind": found["kind"], "what": title, "place": found["provider"],
            "place_symbol": found["place_symbol"], "happened_on": found["happened_on"], "who_with": group_name,
            "given_by": "staff", "staff_id": staff_id, "created_at": stamp, "encounter_id": encounter_id}
            for row in found["learners"])
    return encounter_id


def recent(school_id, page=1):
    """The school's encounters, the latest first, a page at a time, with how many were there
    and how many have added to their page."""
    rows = list(get_db().query(
        """SELECT encounters.*, count(passport_pages.id) AS there,
                  count(coalesce(passport_pages.feeling, passport_pages.did, passport_pages.did_voice,
                                 passport_pages.learnt)) AS added
           FROM encounters LEFT JOIN passport_pages ON passport_pages.encounter_id = encounters.id
           WHERE encounters.school_id = ? GROUP BY encounters.id
           ORDER BY encounters.happened_on DESC, encounters.id DESC LIMIT ? OFFSET ?""",
        [school_id, PER_PAGE + 1, (page - 1) * PER_PAGE]))
    return rows[:PER_PAGE], len(rows) > PER_PAGE


# The year group a learner was in on the day of a page, in SQL: the school year of the day
# (from September) less the learner's cohort (born September to August) less five.
YEAR_ON_THE_DAY = """(CAST(substr(passport_pages.happened_on, 1, 4) AS INTEGER)
    - (substr(passport_pages.happened_on, 6, 2) < '09')
    - CAST(substr(learners.date_of_birth, 1, 4) AS INTEGER)
    + (substr(learners.date_of_birth, 6, 2) < '09') - 5)"""


def provider_access_counts(where, params):
    """{learner id: {phase: encounters}} for the learners `where` picks (SQL on learners)."""
    counts = {}
    for row in get_db().query(
            f"""SELECT learners.id AS learner_id, {YEAR_ON_THE_DAY} AS year, count(*) AS n
                FROM passport_pages JOIN encounters ON encounters.id = passport_pages.encounter_id
                JOIN learners ON learners.id = passport_pages.learner_id
                WHERE encounters.provider_access = 1 AND learners.date_of_birth IS NOT NULL AND {where}
                GROUP BY learners.id, year""", params):
        for phase, years, _wanted, _every in PHASES:
            if row["year"] in years:
                found = counts.setdefault(row["learner_id"], {})
                found[phase] = found.get(phase, 0) + row["n"]
    return counts


def phase_status(year_now, phase, count):
    """"done"; "missing" (in or past a phase every learner attends, fewer than two) or
    "to-offer" (in or past the phase that is offered); None (not yet)."""
    _phase, years, wanted, every = next(p for p in PHASES if p[0] == phase)
    if count >= wanted:
        return "done"
    if year_now is not None and year_now >= years[0]:
        return "missing" if every else "to-offer"
    return None


def class_provider_access(class_id):
    """Each learner on roll in the class, with their year group and, per phase, the count and
    whether it is done, missing or not yet due; and how many miss each phase."""
    learners = list(get_db().query(
        """SELECT id, name, date_of_birth FROM learners WHERE class_id = ? AND left_on IS NULL
           ORDER BY name COLLATE NOCASE""", [class_id]))
    counts = provider_access_counts("learners.class_id = ? AND learners.left_on IS NULL", [class_id])
    rows, missing = [], {phase: 0 for phase, *_rest in PHASES}
    for learner in learners:
        year = school_year_group(learner["date_of_birth"])
        phases = []
        for phase, *_rest in PHASES:
            count = counts.get(learner["id"], {}).get(phase, 0)
            status = phase_status(year, phase, count)
            missing[phase] += status in ("missing", "to-offer")
            phases.append((phase, count, status))
        rows.append({"learner": learner, "year": year, "phases": phases})
    return rows, missing
