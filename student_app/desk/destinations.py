"""Leavers' destinations, kept for three years after leaving (Gatsby Benchmark 3).

- From Year 11, a learner's intended destination: what they want and the plan agreed.
- After they leave, their actual destination at each check: by 1 November after leaving (the
  local authority's Activity Survey), then one, two and three years after the month they left.
  Without consent to follow them up after 16, only the destination at leaving is kept.
- Each destination has an NCCIS activity code (what the local authority reports to the DfE),
  shown in plain words.
- "Sustained": in education from October to the end of March, in employment (a job or a
  supported internship) for five months of six, in an apprenticeship for six months, as the
  record's start and check dates show.

Every query is bounded by a school and, for the checks due, by the leavers still kept
(retention erases a leaver three years after they left).
"""

import csv
import io
from datetime import date

from flask_babel import gettext as _

from ..db import get_db, now
from ..web import csv_safe

# The destinations a form offers, each with the kind of destination it is. A key is its NCCIS
# activity code, or the code and a plain-words variant the local authority's file reports by
# its code ("420-supported": supported employment is a job, recorded as one). The codes the
# Careers Leader's guidance names are in RECORDS.md; 410, 420 (jobs) and 540 (volunteering)
# are not: check every code against the DfE's NCCIS Management Information Requirement of
# the year before sending the file.
ACTIVITIES = {
    "210": "education", "220": "education", "230": "education", "280": "education",
    "310": "apprenticeship", "410": "employment", "420": "employment", "410-supported": "employment",
    "420-supported": "employment", "460": "internship", "540": "volunteering",
    "610": "not-ready", "619": "seeking", "810": "not-known",
}
GROUPS = ("education", "apprenticeship", "employment", "internship", "volunteering", "not-ready", "seeking",
          "not-known")


def nccis_code(activity):
    """The NCCIS code of a destination the form offers (its key without the variant)."""
    return activity.split("-", 1)[0]


def activity_label(code):
    """An NCCIS activity in plain words."""
    return {
        "210": _("School sixth form"), "220": _("Sixth form college"), "230": _("Further education college"),
        "280": _("Specialist college (special post-16 institution)"), "310": _("Apprenticeship"),
        "410": _("A job with training"), "420": _("A job without training"),
        "410-supported": _("Supported employment, with training"),
        "420-supported": _("Supported employment (a job with a job coach)"), "540": _("Volunteering"),
        "460": _("Supported internship"), "610": _("Not yet ready for work or learning"),
        "619": _("Looking for education, employment or training"), "810": _("Not known"),
    }.get(code, code)


def group_label(group):
    return {"education": _("Education"), "apprenticeship": _("Apprenticeship"), "employment": _("A job"),
            "internship": _("Supported internship"), "volunteering": _("Volunteering"),
            "not-ready": _("Not yet ready"),
            "seeking": _("Looking for a place"), "not-known": _("Not known")}[group]


CHECKPOINTS = ("intended", "leaving", "year-1", "year-2", "year-3")
HOW_FOUND = ("learner", "family", "provider", "local-authority", "school", "other")
CONSENT_BY = ("learner", "parent", "carer")
FROM_YEAR = 11  # intended destinations are kept from Year 11
TEXT_LIMIT = 1000


class Refused(ValueError):
    """A form to put right; the message says how."""


def checkpoint_label(checkpoint):
    return {"intended": _("Intended destination"), "leaving": _("At leaving (by 1 November)"),
            "year-1": _("One year after leaving"), "year-2": _("Two years after leaving"),
            "year-3": _("Three years after leaving")}[checkpoint]


def how_found_label(value):
    return {"learner": _("The young person told us"), "family": _("Their family told us"),
            "provider": _("The college or employer told us"), "local-authority": _("The local authority told us"),
            "school": _("The school knows (they stayed)"), "other": _("Another way")}[value]


def consent_by_label(value):
    """Who gave or refused consent, as the words of a sentence ("given by a parent")."""
    return {"learner": _("the young person"), "parent": _("a parent"), "carer": _("a carer")}[value]


def school_year_group(birth, today=None):
    """The National Curriculum year a learner born in month `birth` (YYYY-MM) is in today."""
    if not birth:
        return None
    today = today or date.today()
    year, month = int(birth[:4]), int(birth[5:7])
    cohort = year if month >= 9 else year - 1  # born September to August: one year group
    start = today.year if today.month >= 9 else today.year - 1
    return start - cohort - 5


def add_months(month, count):
    """A YYYY-MM month `count` months on."""
    year, number = int(month[:4]), int(month[5:7]) - 1 + count
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def checks_for(left_on, consent):
    """The checks a leaver is due, as {checkpoint: YYYY-MM month}: the one at leaving (the
    November after the month they left), and with consent to follow them up, one, two and
    three years after they left."""
    year, month = int(left_on[:4]), int(left_on[5:7])
    due = {"leaving": f"{year if month <= 10 else year + 1:04d}-11"}
    if consent:
        due.update({f"year-{n}": add_months(left_on, 12 * n) for n in (1, 2, 3)})
    return due


def months_between(first, last):
    a, b = date.fromisoformat(first), date.fromisoformat(last)
    return (b.year - a.year) * 12 + b.month - a.month - (b.day < a.day)


def sustained(row):
    """Whether a destination's record shows it sustained: education for the first two terms
    (October to March), employment or an internship for five months of six, an apprenticeship
    for six months. None when it cannot be told (no start date, or not a place to sustain)."""
    if not row.get("started_on") or row["checkpoint"] == "intended":
        return None
    group = ACTIVITIES.get(row["activity"], "not-known")
    started, checked = row["started_on"], row["checked_on"]
    if group == "education":
        first_october = int(started[:4]) if started[5:7] >= "09" else int(started[:4]) - 1
        return started <= f"{first_october:04d}-10-31" and checked >= f"{first_october + 1:04d}-03-31"
    if group == "apprenticeship":
        return months_between(started, checked) >= 6
    if group in ("employment", "internship"):
        return months_between(started, checked) >= 5
    return None


def read_form(form, checkpoints):
    """A destination from the staff form, checked; Refused if not."""
    checkpoint = form.get("checkpoint", "")
    activity = form.get("activity", "")
    how_found = form.get("how_found", "")
    if checkpoint not in checkpoints or activity not in ACTIVITIES or how_found not in HOW_FOUND:
        raise Refused(_("Please choose from the lists."))
    found = {"checkpoint": checkpoint, "activity": activity, "how_found": how_found}
    for key in ("checked_on", "started_on"):
        value = form.get(key, "").strip()
        if not value:
            if key == "checked_on":
                raise Refused(_("Please give the day it was checked."))
            found[key] = None
            continue
        try:
            found[key] = date.fromisoformat(value).isoformat()
        except ValueError:
            raise Refused(_("Please give dates like 2026-09-01.")) from None
    if found["checked_on"] > date.today().isoformat():
        raise Refused(_("A check is recorded once it is made: please give a day up to today."))
    for key in ("provider", "plan"):
        value = form.get(key, "").strip()
        if len(value) > TEXT_LIMIT:
            raise Refused(_("That is a lot of words! Please keep it shorter."))
        found[key] = value or None
    return found


def allowed_checkpoints(learner, consent):
    """What may be recorded for a learner now: the intended destination while they are here,
    then the checks their consent allows once they have left."""
    left = learner["left_on"] and learner["left_on"] <= date.today().isoformat()[:7]
    if not left:
        return ("intended",)
    return ("intended", *checks_for(learner["left_on"], consent))


def consent_of(learner_id):
    rows = list(get_db().query("SELECT * FROM follow_up_consent WHERE learner_id = ?", [learner_id]))
    return rows[0] if rows else None


def record_consent(learner_id, staff_id, form):
    consent, given_by = form.get("consent", ""), form.get("given_by", "")
    if consent not in ("1", "0") or given_by not in CONSENT_BY:
        raise Refused(_("Please choose from the lists."))
    get_db()["follow_up_consent"].upsert(
        {"learner_id": learner_id, "consent": int(consent), "given_by": given_by,
         "recorded_on": date.today().isoformat(), "staff_id": staff_id}, pk="learner_id")


def record(learner_id, staff_id, found):
    get_db()["destinations"].insert({**found, "learner_id": learner_id, "staff_id": staff_id, "created_at": now()})


def history(learner_id):
    """Every destination recorded for the learner, latest first (a learner has a handful)."""
    rows = list(get_db().query(
        """SELECT destinations.*, staff.name AS staff_name FROM destinations
           LEFT JOIN staff ON staff.id = destinations.staff_id
           WHERE learner_id = ? ORDER BY checked_on DESC, destinations.id DESC""", [learner_id]))
    for row in rows:
        row["sustained"] = sustained(row)
    return rows


def latest_by_checkpoint(rows):
    found = {}
    for row in sorted(rows, key=lambda r: r["id"]):
        found[row["checkpoint"]] = row
    return found


def _leavers(school_id):
    """The school's leavers (still kept), with their consent, and their destinations by
    checkpoint: one query each, for the whole school."""
    db = get_db()
    this_month = date.today().isoformat()[:7]
    leavers = {row["id"]: dict(row, latest={}) for row in db.query(
        """SELECT learners.id, learners.name, learners.left_on, learners.date_of_birth, learners.upn,
                  follow_up_consent.consent
           FROM learners LEFT JOIN follow_up_consent ON follow_up_consent.learner_id = learners.id
           WHERE learners.school_id = ? AND learners.left_on IS NOT NULL AND learners.left_on <= ?
           ORDER BY learners.left_on DESC, learners.name COLLATE NOCASE""", [school_id, this_month])}
    for row in db.query(
            """SELECT destinations.* FROM destinations JOIN learners ON learners.id = destinations.learner_id
               WHERE learners.school_id = ? AND learners.left_on IS NOT NULL ORDER BY destinations.id""",
            [school_id]):
        if row["learner_id"] in leavers:
            leavers[row["learner_id"]]["latest"][row["checkpoint"]] = row
    return list(leavers.values())


def checks_due(school_id, month=None):
    """Leavers with a check due this month or overdue and not yet recorded, soonest first."""
    month = month or date.today().isoformat()[:7]
    due = []
    for leaver in _leavers(school_id):
        for checkpoint, when in checks_for(leaver["left_on"], leaver["consent"]).items():
            if when <= month and checkpoint not in leaver["latest"]:
                due.append({"learner": leaver, "checkpoint": checkpoint, "month": when, "overdue": when < month})
    return sorted(due, key=lambda d: (d["month"], d["learner"]["name"].casefold()))


def leaving_year(left_on):
    """The school year (its first calendar year) in which a learner left."""
    year, month = int(left_on[:4]), int(left_on[5:7])
    return year if month >= 9 else year - 1


def summary(school_id):
    """Per school year of leaving: how many leavers, and how many in each kind of destination
    at their latest check (or with none recorded yet)."""
    years = {}
    for leaver in _leavers(school_id):
        row = years.setdefault(leaving_year(leaver["left_on"]), {"leavers": 0, "none": 0, **{g: 0 for g in GROUPS}})
        row["leavers"] += 1
        checks = [leaver["latest"][c] for c in CHECKPOINTS[1:] if c in leaver["latest"]]
        if checks:
            row[ACTIVITIES.get(checks[-1]["activity"], "not-known")] += 1
        else:
            row["none"] += 1
    return sorted(years.items(), reverse=True)


def csv_rows(school_id):
    """The local authority's file: one row a leaver and check, with the NCCIS code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name", "UPN", "Month of birth", "Left", "Check", "NCCIS code", "Activity", "Provider",
                     "Started", "Checked", "How found out", "Sustained"])
    labels = {code: activity_label(code) for code in ACTIVITIES}  # once, not once a row
    for leaver in _leavers(school_id):
        for checkpoint in CHECKPOINTS[1:]:
            row = leaver["latest"].get(checkpoint)
            if row is None:
                continue
            kept = sustained(row)
            writer.writerow([csv_safe(leaver["name"]), leaver["upn"] or "", leaver["date_of_birth"] or "", leaver["left_on"],
                             checkpoint, nccis_code(row["activity"]), labels.get(row["activity"], row["activity"]),
                             csv_safe(row["provider"] or ""), row["started_on"] or "", row["checked_on"],
                             row["how_found"], "" if kept is None else ("yes" if kept else "no")])
    return out.getvalue()
