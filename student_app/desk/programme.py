"""The school's careers programme (Gatsby Benchmark 1) and the details it publishes.

- Entries by year group (7 to 14) and term: an activity of the app (from the catalogue) or the
  school's own event (a kind and a short title), each with the Gatsby Benchmarks and the CDI
  Career Development Framework areas it serves.
- The school's details: its Careers Leader and how to reach them, how learners, families and
  employers take part, how impact is measured, the next review, and whether the public page
  is on (it is until the school switches it off: it holds no learner data).

Every query is bounded by a school. It uses db, never a view.
"""

from datetime import date

from flask_babel import gettext as _

from ..db import get_db, now

YEARS = tuple(range(7, 15))
TERMS = ("autumn", "spring", "summer")
BENCHMARKS = tuple(range(1, 9))
# The CDI Career Development Framework's six areas, by id (the labels below are ours).
CDI_AREAS = ("grow-throughout-life", "explore-possibilities", "manage-career", "create-opportunities",
             "balance-life-and-work", "see-big-picture")
# The school's own events, by kind, and the symbol each shows.
EVENT_KINDS = {"employer-talk": "passport-employer", "workplace-visit": "passport-workplace",
               "provider-taster": "passport-provider", "guidance-meeting": "passport-guidance", "other": "nav-star"}
TITLE_LIMIT = 120
TEXT_LIMIT = 1000
CONTACT_LIMIT = 200
DETAILS = ("leader_name", "leader_email", "leader_phone", "learners_text", "families_text", "employers_text",
           "impact_text", "next_review_on", "public")


class Refused(ValueError):
    """A form to put right; the message says how."""


def term_label(term):
    return {"autumn": _("Autumn term"), "spring": _("Spring term"), "summer": _("Summer term")}[term]


def cdi_label(area):
    """A CDI framework area in plain words."""
    return {"grow-throughout-life": _("Keep learning and growing"),
            "explore-possibilities": _("Find out what is possible"),
            "manage-career": _("Plan my next steps"),
            "create-opportunities": _("Make chances happen"),
            "balance-life-and-work": _("Balance life and work"),
            "see-big-picture": _("See the big picture")}[area]


def event_label(kind):
    return {"employer-talk": _("Employer talk"), "workplace-visit": _("Workplace visit"),
            "provider-taster": _("College or provider taster"), "guidance-meeting": _("Guidance meeting"),
            "other": _("Another event")}[kind]


def _ticked(form, name, allowed, convert=str):
    """The ticked boxes of `name` that are among `allowed`, in their order; Refused if any is
    not one of them."""
    values = form.getlist(name)
    try:
        chosen = {convert(value) for value in values}
    except ValueError:
        raise Refused(_("Please choose from the lists.")) from None
    if chosen - set(allowed):
        raise Refused(_("Please choose from the lists."))
    return [value for value in allowed if value in chosen]


def read_entry(form, catalogue):
    """An entry from the staff form, checked; Refused if not. `what` is "activity:<id>" or
    "event:<kind>"."""
    year = form.get("year_group", "")
    if not (year.isascii() and year.isdigit() and int(year) in YEARS):
        raise Refused(_("Please choose a year group from Year 7 to Year 14."))
    term = form.get("term", "")
    if term not in TERMS:
        raise Refused(_("Please choose the term: autumn, spring or summer."))
    what, _sep, value = form.get("what", "").partition(":")
    title = " ".join(form.get("title", "").split())
    if what == "activity" and value in catalogue.activities:
        found = {"kind": "activity", "activity_id": value, "title": None}
    elif what == "event" and value in EVENT_KINDS:
        if not title:
            raise Refused(_("Please give the event a short title, such as “Visit to Riverside College”."))
        if len(title) > TITLE_LIMIT:
            raise Refused(_("Please keep the title to %(n)s letters or fewer.", n=TITLE_LIMIT))
        found = {"kind": value, "activity_id": None, "title": title}
    else:
        raise Refused(_("Please choose what it is: an activity of the app or one of the school's own events."))
    benchmarks = _ticked(form, "benchmark", BENCHMARKS, int)
    if not benchmarks:
        raise Refused(_("Please tick at least one Gatsby Benchmark that it serves."))
    areas = _ticked(form, "cdi_area", CDI_AREAS)
    if not areas:
        raise Refused(_("Please tick at least one area of the Career Development Framework."))
    return {**found, "year_group": int(year), "term": term, "benchmarks": ",".join(map(str, benchmarks)),
            "cdi_areas": ",".join(areas)}


def add_entry(school_id, staff_id, found):
    return get_db()["programme_entries"].insert(
        {**found, "school_id": school_id, "staff_id": staff_id, "created_at": now()}).last_pk


def entry_of_school(school_id, entry_id):
    rows = list(get_db().query("SELECT * FROM programme_entries WHERE id = ? AND school_id = ?",
                               [entry_id, school_id]))
    return rows[0] if rows else None


def remove_entry(school_id, entry_id):
    get_db().execute("DELETE FROM programme_entries WHERE id = ? AND school_id = ?", [entry_id, school_id])


def entries_by_year(school_id, catalogue):
    """The programme as [(year, [entry...])] for every year from 7 to 14, each year's entries
    by term, with what each is in words (an activity's title in the page's language) and its
    symbol, and its benchmarks and areas as lists."""
    order = {term: number for number, term in enumerate(TERMS)}
    years = {year: [] for year in YEARS}
    for row in get_db().query("SELECT * FROM programme_entries WHERE school_id = ? ORDER BY id", [school_id]):
        if row["kind"] == "activity":
            activity = catalogue.activities.get(row["activity_id"])
            row["what"] = activity.title if activity else _("An activity no longer in the app")
            row["symbol"] = activity.symbol if activity else "nav-star"
            row["kind_label"] = _("Activity in My Career Steps")
        else:
            row["what"], row["symbol"], row["kind_label"] = row["title"], EVENT_KINDS[row["kind"]], event_label(row["kind"])
        row["benchmarks"] = [int(n) for n in row["benchmarks"].split(",")]
        row["cdi_areas"] = row["cdi_areas"].split(",")
        years[row["year_group"]].append(row)
    return [(year, sorted(rows, key=lambda r: (order[r["term"]], r["id"]))) for year, rows in years.items()]


def details_of(school_id):
    """The school's published details; before the school has saved any, empty ones with the
    public page on."""
    rows = list(get_db().query("SELECT * FROM careers_programme WHERE school_id = ?", [school_id]))
    return rows[0] if rows else {"school_id": school_id, "public": 1, **{k: None for k in DETAILS[:-1]}}


def read_details(form):
    """The school's details from the staff form, checked; Refused if not."""
    found = {key: " ".join(form.get(key, "").split()) or None
             for key in ("leader_name", "leader_email", "leader_phone")}
    if not found["leader_name"]:
        raise Refused(_("Please give the Careers Leader's name."))
    if not (found["leader_email"] or found["leader_phone"]):
        raise Refused(_("Please give an email address or a phone number for the Careers Leader."))
    if any(len(found[key] or "") > CONTACT_LIMIT for key in found):
        raise Refused(_("Please keep the name, email and phone to %(n)s letters each.", n=CONTACT_LIMIT))
    email = found["leader_email"]
    if email and (email.count("@") != 1 or " " in email or not all(email.split("@"))):
        raise Refused(_("Please check the email address: it looks like name@school.example."))
    phone = found["leader_phone"]
    if phone and not all(c.isdigit() or c in " +()-" for c in phone):
        raise Refused(_("Please give the phone number in digits, such as 01234 567890."))
    for key in ("learners_text", "families_text", "employers_text", "impact_text"):
        value = form.get(key, "").strip()
        if len(value) > TEXT_LIMIT:
            raise Refused(_("That is a lot of words! Please keep each text to %(n)s letters.", n=TEXT_LIMIT))
        found[key] = value or None
    review = form.get("next_review_on", "").strip()
    try:
        found["next_review_on"] = date.fromisoformat(review).isoformat() if review else None
    except ValueError:
        raise Refused(_("Please give dates like 2026-09-01.")) from None
    found["public"] = int(form.get("public") == "1")
    return found


def save_details(school_id, staff_id, found):
    get_db()["careers_programme"].upsert(
        {**found, "school_id": school_id, "staff_id": staff_id, "updated_at": now()}, pk="school_id")


def public_school(school_id):
    """The school and its details if its public page is on, or None."""
    rows = list(get_db().query("SELECT id, name FROM schools WHERE id = ?", [school_id]))
    if not rows:
        return None
    details = details_of(school_id)
    return (rows[0], details) if details["public"] else None
