"""Evidence for the Gatsby Benchmarks, per learner and per class, for one school year.

Activities count for the benchmarks they are tagged with; passport pages for the benchmark of
their kind (5 employers, 6 workplaces, 7 providers, 8 guidance); a recorded guidance meeting
with a qualified (level 6) adviser for 8. The gaps the guidance asks
schools to watch: no employer encounter this year; by 16, no workplace experience, no
provider encounter, no guidance meeting.
"""

from datetime import date

from .db import get_db
from .passport import KINDS

GAPS = (
    ("no-employer", 5, False),  # (name, benchmark, only from age 16)
    ("no-workplace", 6, True),
    ("no-provider", 7, True),
    ("no-guidance", 8, True),
)


def school_year(today=None):
    """The first and last day of the school year (September to August) holding `today`."""
    today = today or date.today()
    first = date(today.year if today.month >= 9 else today.year - 1, 9, 1)
    return first, date(first.year + 1, 8, 31)


def age_on(birth, day):
    if not birth:
        return None
    year, month = int(birth[:4]), int(birth[5:7])  # month and year only; the 1st is assumed
    return day.year - year - ((day.month, day.day) < (month, 1))


def evidence_between(learner, catalogue, first, last):
    """Pieces of evidence for each benchmark from `first` to `last` (dates), and the
    benchmarks with evidence at any time (for the gaps "by 16")."""
    db = get_db()
    start, end = first.isoformat(), last.isoformat()
    evidence = {number: 0 for number in range(1, 9)}
    for play in db.query(
        """SELECT activity, count(*) AS n FROM plays WHERE learner_id = ? AND finished_at IS NOT NULL
           AND substr(finished_at, 1, 10) BETWEEN ? AND ? GROUP BY activity""",
        [learner["id"], start, end],
    ):
        activity = catalogue.activities.get(play["activity"])
        for number in activity.benchmarks if activity else ():
            evidence[number] += play["n"]
    ever = set()
    for page in db.query(
            """SELECT kind, count(*) AS n, sum(happened_on BETWEEN ? AND ?) AS within FROM passport_pages
               WHERE learner_id = ? GROUP BY kind""", [start, end, learner["id"]]):
        number = KINDS[page["kind"]][0]
        if number is None:
            continue
        ever.add(number)
        evidence[number] += page["within"] or 0
    # A guidance meeting with an adviser qualified to level 6 is personal guidance (8).
    meetings = db.execute(
        """SELECT count(*), sum(held_on BETWEEN ? AND ?) FROM guidance_meetings
           WHERE learner_id = ? AND adviser_qualified = 1""", [start, end, learner["id"]]).fetchone()
    if meetings[0]:
        ever.add(8)
        evidence[8] += meetings[1] or 0
    return evidence, ever


def summary(learner, catalogue, today=None):
    """Which benchmarks have evidence this school year, and which gaps apply."""
    first, last = school_year(today)
    evidence, ever = evidence_between(learner, catalogue, first, last)
    age = age_on(learner["date_of_birth"], last)
    gaps = []
    for name, number, from_16 in GAPS:
        if from_16:
            if age is not None and age >= 16 and number not in ever:
                gaps.append(name)
        elif not evidence[number]:
            gaps.append(name)
    return {"evidence": evidence, "gaps": gaps, "age": age, "year": (first, last)}


def gap_label(name):
    from flask_babel import gettext as _

    return {
        "no-employer": _("No employer encounter this year (5)"),
        "no-workplace": _("No workplace experience by 16 (6)"),
        "no-provider": _("No college, university or training encounter by 16 (7)"),
        "no-guidance": _("No guidance meeting by 16 (8)"),
    }[name]


def name(number):
    """A Gatsby Benchmark's name, for staff."""
    from flask_babel import gettext as _

    return {
        1: _("A stable careers programme"), 2: _("Learning from career and labour market information"),
        3: _("Addressing the needs of each young person"), 4: _("Linking curriculum learning to careers"),
        5: _("Encounters with employers and employees"), 6: _("Experiences of workplaces"),
        7: _("Encounters with further and higher education"), 8: _("Personal guidance"),
    }[number]


def plain_name(number):
    """A Gatsby Benchmark in plain words a family can read."""
    from flask_babel import gettext as _

    return {1: _("A careers plan for every year"), 2: _("Finding out about jobs"),
            3: _("Help that fits each young person"), 4: _("Careers in lessons"),
            5: _("Meeting employers"), 6: _("Trying out workplaces"),
            7: _("Meeting colleges and training providers"), 8: _("Talking with a careers adviser")}[number]
