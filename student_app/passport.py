"""The passport: pages for each experience (Gatsby Benchmarks 5 to 8), staff and family notes,
and the printed passport (HTML for the browser's print, PDF made with WeasyPrint).

One set of views, registered under three names:
- `passport`: the signed-in learner, at /passport;
- `staff_passport`: staff of the learner's school, at /staff/learners/<id>/passport;
- `family_passport`: a family linked to the learner, read-only, at /family/children/<id>/passport.
"""

import functools
import json
from datetime import date
from pathlib import Path

from flask import Blueprint, abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _

from . import access, audit, media, responses
from .content import get_catalogue
from .lookups import learner_of_school, record_owner
from .db import get_db, now, transaction
from .web import attachment, fills_in, history_range, older_than, older_url, render, symbol_label

bp = Blueprint("passport", __name__)
LEARNER, STAFF, FAMILY = "passport", "staff_passport", "family_passport"

# kind -> (Gatsby Benchmark or None, symbol)
KINDS = {
    "employer": (5, "passport-employer"),
    "workplace": (6, "passport-workplace"),
    "provider": (7, "passport-provider"),
    "guidance": (8, "passport-guidance"),
    "tried": (None, "passport-tried"),
}
FEELINGS = ("feeling-happy", "feeling-excited", "feeling-proud", "feeling-calm",
            "feeling-worried", "feeling-tired", "feeling-sad")
AGAIN = {"yes": "answer-yes", "not-sure": "answer-not-sure", "no": "answer-no"}
TEXT_LIMIT = 1000
MAX_PHOTOS = 6


def kind_label(kind):
    return {
        "employer": _("Meeting an employer"),
        "workplace": _("At a workplace"),
        "provider": _("College, university or training"),
        "guidance": _("A guidance meeting"),
        "tried": _("Something I tried"),
    }[kind]


def again_label(value):
    return {"yes": _("Yes"), "not-sure": _("Not sure"), "no": _("No")}[value]


@bp.url_value_preprocessor
def pull_learner(endpoint, values):
    g.prefix_learner = values.pop("learner_id", None) if values else None


@bp.url_defaults
@fills_in(STAFF, FAMILY)
def push_learner(endpoint, values):
    owner = g.get("owner")
    if owner is not None and endpoint.rsplit(".", 1)[0] in (STAFF, FAMILY):
        values.setdefault("learner_id", owner["id"])


@bp.before_request
def whose_passport():
    wanted = {LEARNER: "learner", STAFF: "staff", FAMILY: "family"}[request.blueprint]
    # A new page, a note or hiding one changes the record: not once the learner has left.
    g.owner = record_owner(wanted, g.prefix_learner, changing=request.method == "POST")
    if g.owner is None:
        return redirect(url_for("auth.sign_in"))
    return None


def can_add_pages():
    return g.user["role"] in ("learner", "staff")


def photos_allowed():
    """Photos of the learner are taken, shown to family and printed only with consent."""
    return bool(g.owner["photo_consent"])


def date_range():
    """The ?from= and ?to= dates, checked; either may be empty."""
    found = []
    for key in ("from", "to"):
        value = request.args.get(key, "")
        if value:
            try:
                date.fromisoformat(value)
            except ValueError:
                abort(400, _("Please give dates like 2026-09-01."))
        found.append(value)
    return found


def pages_of(learner, start="", end="", page_id=None, printing=False, kinds=None):
    """The learner's passport pages (of `kinds`, if given), oldest first, with the photos the
    signed-in user may see (for a print or an export, only photos that may leave staff hands)
    and notes."""
    db = get_db()
    query, args = "SELECT * FROM passport_pages WHERE learner_id = ?", [learner["id"]]
    if kinds is not None:
        query, args = query + f" AND kind IN ({', '.join('?' * len(kinds))})", args + list(kinds)
    if start:
        query, args = query + " AND happened_on >= ?", args + [start]
    if end:
        query, args = query + " AND happened_on <= ?", args + [end]
    if page_id is not None:
        query, args = query + " AND id = ?", args + [page_id]
    pages = list(db.query(query + " ORDER BY happened_on, id", args))
    for page in pages:
        page["benchmark"], page["symbol"] = KINDS[page["kind"]]
        page["photos"], page["photo_people"], page["held_back"] = [], {}, {}
        for row in db.query("SELECT media_id FROM passport_photos WHERE page_id = ? ORDER BY id", [page["id"]]):
            found = media.media_row(row["media_id"])
            people = media.people_in(found["id"])
            held = media.held_back_by(found, people)
            if media.may_see(found) and not (printing and held):
                page["photos"].append(found["id"])
                page["photo_people"][found["id"]] = people
                page["held_back"][found["id"]] = held
        page["notes"] = list(db.query(
            """SELECT page_notes.*, staff.name AS staff_name, families.name AS family_name
               FROM page_notes LEFT JOIN staff ON staff.id = page_notes.staff_id
               LEFT JOIN families ON families.id = page_notes.family_id
               WHERE page_id = ? ORDER BY page_notes.id""", [page["id"]]))
    return pages


def page_or_404(page_id):
    pages = pages_of(g.owner, page_id=page_id)
    if not pages:
        abort(404)
    return pages[0]


def book_context(start="", end="", printing=False):
    """What the passport shows from `start` to `end`: a print, all of it (within the dates);
    the book, a page of responses.PLAYS_SHOWN activities going on from ?older=."""
    catalogue = get_catalogue()
    if printing:
        plays, older = responses.plays_between(g.owner["id"], catalogue, start, end), None
    else:
        plays, older = responses.plays_page(g.owner["id"], catalogue, start, end, older_than=older_than())
    profile_activity = catalogue.activities.get("all-about-me")
    profile = None
    if profile_activity is not None:
        versions = responses.versions(g.owner["id"], profile_activity, catalogue, limit=1)
        profile = versions[0] if versions else None
    routes = catalogue.activities.get("future-routes")
    route_versions = responses.versions(g.owner["id"], routes, catalogue, limit=1) if routes is not None else []
    wanted_routes = responses.wanted_routes(routes, route_versions[0] if route_versions else None)
    pages = pages_of(g.owner, start, end, printing=printing)
    return {
        "learner": g.owner, "pages": pages, "plays": plays, "profile": profile,
        "profile_activity": profile_activity, "wanted_routes": wanted_routes,
        "again_pages": [p for p in pages if p["again"] == "yes"],
        "photos_allowed": photos_allowed(), "print_size": access.profile(g.owner)["text_size"],
        "start": start, "end": end, "older_url": older_url(older), "going_on": bool(request.args.get("older")),
        "draft": draft_of(g.owner["id"]) if g.user["role"] == "learner" else None,
    }


def page_context():
    """What one passport page's screen needs besides the page: not the whole book."""
    return {"learner": g.owner, "photos_allowed": photos_allowed()}


def highlights(play):
    """A finished activity's answers for the printed passport, each under the question it
    answers (a list of (question, [answers])), in the order they were first given."""
    found = {}
    for answer in play["answers"]:
        if answer["kind"] == "step":
            question = answer["prompt"]
        elif answer["kind"] == "guess" and answer.get("correct"):
            question = _("The job I guessed")
        else:
            continue
        text = answer["text"] if answer["given_by"] == "learner" else f"{answer['text']} ({_('staff')})"
        found.setdefault(str(question), []).append(text)
    return list(found.items())


@bp.get("/passport")
def book():
    """One school year of the passport (this one, unless another is asked for), with a link
    to each school year the record holds: a record of fourteen years stays a small page."""
    start, end, years = history_range(*date_range(), responses.record_years(g.owner["id"]))
    audit.log(g.owner, "viewed passport")
    return render("passport/book.html", years=years, **book_context(start, end))


@bp.get("/passport/pages/<int:page_id>")
def page(page_id):
    found = page_or_404(page_id)
    audit.log(g.owner, f"viewed passport page {page_id}")
    school = media.taggable_learners(
        g.owner, [person for people in found["photo_people"].values() for person in people],
        request.args.get("who", "")) if g.user["role"] == "staff" and found["photos"] else []
    return render("passport/page.html", page=found, school_learners=school, **page_context())


@bp.route("/passport/new", methods=["GET", "POST"])
@media.accepts_uploads
def new_page():
    if not can_add_pages():
        abort(403)
    if request.method == "GET" and g.user["role"] == "learner":
        # A learner adds a page one question a screen: the screen they had reached, if any.
        draft = draft_of(g.owner["id"])
        steps = learner_steps(draft)
        return redirect(url_for(".new_step", step=draft["step"] if draft and draft["step"] in steps else steps[0]))
    message, status = None, 200
    if request.method == "POST":
        try:
            page_id = _save_page(request.form)
            return redirect(url_for(".page", page_id=page_id))
        except media.Refused as refused:
            message, status = str(refused), 400
    return render("passport/new.html", message=message, kinds=KINDS, feelings=FEELINGS, again=AGAIN,
                  places=sorted(s for s in current_app.extensions["symbols"] if s.startswith("place-")),
                  photos_allowed=photos_allowed(), today=date.today().isoformat(),
                  form=request.form), status


def _text(form, field, required=False):
    value = form.get(field, "").strip()
    if len(value) > TEXT_LIMIT:
        raise media.Refused(_("That is a lot of words! Please keep each answer shorter."))
    if required and not value:
        raise media.Refused(_("Please say what you did: write a few words under 'What was it?'."))
    return value or None


def made_title(kind, place):
    """A page's title when none was typed: its kind, and where, if known."""
    if place:
        return _("%(kind)s: %(place)s", kind=kind_label(kind), place=place)
    return kind_label(kind)


def _save_page(form):
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise media.Refused(_("Please choose what kind of experience this was."))
    happened_on = form.get("happened_on", "")
    try:
        date.fromisoformat(happened_on)
    except ValueError:
        raise media.Refused(_("Please choose the date it happened.")) from None
    place_symbol = form.get("place_symbol") or None
    if place_symbol and not (place_symbol.startswith("place-")
                             and place_symbol in current_app.extensions["symbols"]):
        raise media.Refused(_("Please choose a place from the list."))
    feeling = form.get("feeling") or None
    again = form.get("again") or None
    if (feeling and feeling not in FEELINGS) or (again and again not in AGAIN):
        raise media.Refused(_("Please choose one of the pictures."))
    row = {
        "learner_id": g.owner["id"], "kind": kind,
        "what": _text(form, "what") or made_title(kind, _text(form, "place")),
        "place": _text(form, "place"), "place_symbol": place_symbol, "happened_on": happened_on,
        "who_with": _text(form, "who_with"), "did": _text(form, "did"), "feeling": feeling,
        "learnt": _text(form, "learnt"), "again": again,
        "given_by": "learner" if g.user["role"] == "learner" else "staff",
        "lang": responses.typed_language(),
        "staff_id": g.user["id"] if g.user["role"] == "staff" else None, "created_at": now(),
    }
    uploads = [f for f in request.files.getlist("photos") if f.filename] if photos_allowed() else []
    if len(uploads) > MAX_PHOTOS:
        raise media.Refused(_("Please choose up to 6 photos."))
    # Check and clean every file before anything is stored, so a bad one stores nothing.
    photos = [media.clean_photo(f.read()) for f in uploads]
    photos = [(photo, media.clean_photo(photo, media.THUMB_LONG_SIDE)) for photo in photos]
    voice = request.files.get("did_voice")
    voice_data = voice.read() if voice is not None and voice.filename else None
    voice_kind = media.check_recording(voice_data) if voice_data is not None else None
    # All or nothing: the whole page must fit in the learner's space before a file is written.
    media.check_quota(g.owner["id"], sum(len(full) + len(thumb) for full, thumb in photos) + len(voice_data or b""))
    db = get_db()
    with transaction(db):
        if voice_data is not None:
            row["did_voice"] = media.store(g.owner["id"], "voice", voice_data, voice_kind,
                                           media.AUDIO_TYPES[voice_kind])
        page_id = db["passport_pages"].insert(row).last_pk
        for photo, thumb in photos:
            media_id = media.store(g.owner["id"], "photo", photo, "jpg", "image/jpeg", thumb=thumb)
            db["passport_photos"].insert({"page_id": page_id, "media_id": media_id})
    return page_id


# A learner adds a page one question a screen, as in the activities. Each screen is a plain
# form; what it gives is kept in the learner's draft (passport_drafts) at once, photos and a
# recording as their media straight away, so Back, a reload or another tablet loses nothing.
# The last screen's Save makes the page and deletes the draft. Staff keep the one-page form.
STEPS = ("kind", "place", "when", "who", "photos", "did", "learnt", "feeling", "again", "save")
# A page staff made for an encounter the learner was at (desk/encounters.py): the learner adds
# their photos, what they did and learnt, and how they felt; the rest is the encounter's.
ADD_STEPS = ("photos", "did", "learnt", "feeling", "again", "save")
STEP_SYMBOLS = {"kind": "nav-question", "place": "place-town", "when": "nav-calendar", "who": "nav-people",
                "photos": "nav-photo", "did": "nav-pencil", "learnt": "nav-learnt", "feeling": "feeling-happy",
                "again": "nav-again", "save": "nav-done"}
WHO = {"class": "nav-class", "teacher": "nav-staff", "family": "nav-family", "friend": "person-young",
       "alone": "person-me"}
# The places most pages are about come first (after the learner's own), then the rest by name.
COMMON_PLACES = ("place-school", "place-college", "place-office", "place-shop", "place-cafe", "place-supermarket",
                 "place-hospital", "place-care-home", "place-factory", "place-warehouse", "place-farm",
                 "place-garden", "place-library", "place-nursery", "place-town")
CHOICE_STEPS = {"kind": "kind", "place": "place_symbol", "feeling": "feeling", "again": "again"}
WORDS_STEPS = {"place": "place", "who": "who_words", "did": "did", "learnt": "learnt", "save": "what"}


def step_prompt(step):
    return {
        "kind": _("What kind of experience was it?"),
        "place": _("Where was it?"),
        "when": _("When was it?"),
        "who": _("Who was I with?"),
        "photos": _("Take or choose photos"),
        "did": _("What did I do?"),
        "learnt": _("What did I learn?"),
        "feeling": _("How did I feel?"),
        "again": _("Would I like to do this again?"),
        "save": _("Check my page, then save it"),
    }[step]


def who_label(value):
    return {"class": _("My class"), "teacher": _("My teacher"), "family": _("My family"),
            "friend": _("A friend"), "alone": _("On my own")}[value]


def adding_to(draft):
    """The page a draft adds to (an encounter's page), or None for a new page."""
    return draft["answers"].get("adding_to") if draft else None


def learner_steps(draft=None):
    """The screens of a new page, or of adding to an encounter's page: the photo screen only
    with photo consent; the screen of typed words about what was learnt only for typing."""
    return [step for step in (ADD_STEPS if adding_to(draft) else STEPS)
            if (step != "photos" or photos_allowed()) and (step != "learnt" or may_type())]


def may_type():
    """Typed words are offered as in the activities: to Group 2 (Group 1 taps and speaks)."""
    return g.owner["career_group"] == 2


def draft_of(learner_id):
    """The learner's page in progress, or None."""
    db = get_db()
    row = db.execute("SELECT answers, did_voice, step FROM passport_drafts WHERE learner_id = ?",
                     [learner_id]).fetchone()
    if row is None:
        return None
    photos = [found[0] for found in db.execute(
        "SELECT media_id FROM passport_draft_photos WHERE learner_id = ? ORDER BY id", [learner_id])]
    return {"answers": json.loads(row[0]), "did_voice": row[1], "step": row[2], "photos": photos}


def place_order():
    """Every place picture: the learner's recent places, the common ones, then the rest."""
    places = sorted((s for s in current_app.extensions["symbols"] if s.startswith("place-")),
                    key=lambda s: str(symbol_label(s)))
    used = [row[0] for row in get_db().execute(
        """SELECT place_symbol FROM passport_pages WHERE learner_id = ? AND place_symbol IS NOT NULL
           GROUP BY place_symbol ORDER BY max(id) DESC LIMIT 8""", [g.owner["id"]])]
    return list(dict.fromkeys([p for p in used + list(COMMON_PLACES) if p in places] + places))


def step_options(step):
    """(value, words, symbol) of each picture a screen offers, in order."""
    if step == "kind":
        return [(kind, kind_label(kind), symbol) for kind, (_n, symbol) in KINDS.items()]
    if step == "place":
        return [(place, symbol_label(place, capital=True), place) for place in place_order()]
    if step == "who":
        return [(value, who_label(value), symbol) for value, symbol in WHO.items()]
    if step == "feeling":
        return [(feeling, symbol_label(feeling, capital=True), feeling) for feeling in FEELINGS]
    if step == "again":
        return [(value, again_label(value), symbol) for value, symbol in AGAIN.items()]
    return []


def answered(step, answers, photos, did_voice):
    return {
        "kind": answers.get("kind"), "place": answers.get("place_symbol") or answers.get("place"),
        "when": answers.get("happened_on"), "who": answers.get("who") or answers.get("who_words"),
        "photos": photos, "did": answers.get("did") or did_voice, "learnt": answers.get("learnt"),
        "feeling": answers.get("feeling"),
        "again": answers.get("again"), "save": True,
    }[step]


def read_screen(step, form, answers):
    """The draft's answers with what this screen's form gives. Raises media.Refused."""
    changed = dict(answers)
    offered = [value for value, _words, _symbol in step_options(step)]
    picked = form.getlist("choice")
    if any(p not in offered for p in picked) or (step != "who" and len(picked) > 1):
        raise media.Refused(_("Tap one of the pictures to choose."))
    if step in CHOICE_STEPS and picked:
        changed[CHOICE_STEPS[step]] = picked[0]
    if step == "who" and "shown" in form:
        # The ticks of this screenful replace its own; ticks on another screenful stay.
        on_screen = set(form.getlist("shown")) & set(offered)
        kept = set(answers.get("who", [])) - on_screen
        changed["who"] = [value for value in offered if value in kept or value in picked]
    if step in WORDS_STEPS and may_type() and "words" in form:
        changed[WORDS_STEPS[step]] = _text(form, "words")
    if step == "when":
        if form.get("go") == "today":
            changed["happened_on"] = date.today().isoformat()
        elif form.get("happened_on"):
            try:
                day = date.fromisoformat(form["happened_on"])
            except ValueError:
                raise media.Refused(_("Please choose the date it happened.")) from None
            if day > date.today():
                raise media.Refused(_("Please choose a day that has already happened."))
            changed["happened_on"] = day.isoformat()
    return changed


def read_screen_uploads(step):
    """The photos or the recording this screen sends, checked and cleaned (media.py), not yet
    stored, as media.read_upload gives them. Raises media.Refused."""
    if step == "photos" and photos_allowed():
        uploads = []
        for upload in request.files.getlist("photo"):
            if upload.filename or upload.content_length:
                photo = media.clean_photo(upload.read())  # upright, EXIF gone
                uploads.append(("photo", photo, "jpg", media.clean_photo(photo, media.THUMB_LONG_SIDE)))
        return uploads
    if step == "did":
        voice = media.read_upload("voice")
        return [voice] if voice else []
    return []


def screens(step, draft):
    """The learner's screens, once `step` is known to be one of them (403 for others)."""
    if g.user["role"] != "learner":
        abort(403)  # staff keep the one-page form; a family adds no pages
    steps = learner_steps(draft)
    if step not in steps:
        if step in STEPS and adding_to(draft):  # a screen of a new page while adding to one
            abort(redirect(url_for(".new_step", step=draft["step"])))
        abort(404)
    return steps


def empty_draft(steps):
    return {"answers": {}, "did_voice": None, "step": steps[0], "photos": []}


def summary(draft):
    """What the page will say, screen by screen, for the last screen."""
    answers = draft["answers"]
    found = []
    if answers.get("kind"):
        found.append(("kind", kind_label(answers["kind"]), KINDS[answers["kind"]][1]))
    place = answers.get("place") or (symbol_label(answers["place_symbol"], capital=True)
                                     if answers.get("place_symbol") else None)
    if place:
        found.append(("place", place, answers.get("place_symbol") or "place-town"))
    found.append(("when", day_words(answers.get("happened_on")), "nav-calendar"))
    if who_with_words(answers):
        found.append(("who", who_with_words(answers), "nav-people"))
    if answers.get("did"):
        found.append(("did", answers["did"], "nav-pencil"))
    if answers.get("learnt"):
        found.append(("learnt", answers["learnt"], "nav-learnt"))
    if answers.get("feeling"):
        found.append(("feeling", symbol_label(answers["feeling"], capital=True), answers["feeling"]))
    if answers.get("again"):
        found.append(("again", again_label(answers["again"]), AGAIN[answers["again"]]))
    return [(screen, step_prompt(screen), words, symbol) for screen, words, symbol in found]


def day_words(happened_on):
    if not happened_on or happened_on == date.today().isoformat():
        return _("Today")
    from .web import day

    return day(happened_on)


def who_with_words(answers):
    names = [str(who_label(value)) for value in WHO if value in answers.get("who", [])]
    return ", ".join(names + ([answers["who_words"]] if answers.get("who_words") else [])) or None


def step_page(step, draft, message=None, status=200, typed=None, notice=None, page=1):
    steps = learner_steps(draft)
    answers = draft["answers"]
    screen = access.screenful(step_options(step), access.choice_count(g.owner), page)
    chosen = set(answers.get("who", [])) if step == "who" else {answers.get(CHOICE_STEPS.get(step))}
    words_key = WORDS_STEPS.get(step)
    words = typed.get("words", "") if typed is not None and "words" in typed else (answers.get(words_key) or "")
    return render(
        "passport/step.html", block="step",
        step=step, steps=steps, number=steps.index(step) + 1, total=len(steps),
        prompt=step_prompt(step), symbol=STEP_SYMBOLS[step], options=screen.items, screen=screen,
        chosen=chosen, words=words, answers=answers, adding=adding_to(draft),
        typing=may_type() and words_key is not None and not (step == "save" and adding_to(draft)),
        photos=draft["photos"], did_voice=draft["did_voice"], today=date.today().isoformat(),
        max_photos=MAX_PHOTOS, summary=summary(draft) if step == "save" else [],
        # A screen of pictures to tap moves on at a tap; Next keeps a picture chosen before.
        show_next=step not in CHOICE_STEPS or may_type() and words_key is not None
        or bool(answers.get(CHOICE_STEPS[step])),
        message=message, notice=notice,
    ), status


@bp.get("/passport/new/<step>")
def new_step(step):
    found = draft_of(g.owner["id"])
    steps = screens(step, found)
    draft = found or empty_draft(steps)
    notice = None
    if step == "photos" and request.args.get("kept"):
        notice = _("Your photos are kept. Take another one, or tap Next.")
    return step_page(step, draft, notice=notice, page=access.page_asked())


@bp.post("/passport/new/<step>")
@media.accepts_uploads
def answer_step(step):
    learner_id = g.owner["id"]
    found = draft_of(learner_id)
    steps = screens(step, found)
    draft = found or empty_draft(steps)
    form = request.form
    go = form.get("go", "next")
    if step == "kind" and go == "skip":
        go = "next"  # the one answer a page needs: a tap on a picture gives it
    page = access.page_asked(form.get("page", "1"))
    if go not in ("next", "skip", "back", "today", "save"):
        return step_page(step, draft, _("Please tap one of the buttons."), 400, form, page=page)
    try:
        answers = read_screen(step, form, draft["answers"])
        uploads = read_screen_uploads(step)
        if step == "photos" and len(draft["photos"]) + len(uploads) > MAX_PHOTOS:
            raise media.Refused(_("Please choose up to 6 photos."))
        media.check_uploads_fit(learner_id, uploads)
    except media.Refused as refused:
        return step_page(step, draft, str(refused), 400, form, page=page)
    remove = form.get("remove", type=int)
    if remove is not None and remove not in draft["photos"]:
        return step_page(step, draft, _("That photo is not on this page."), 400, form, page=page)
    wants_more = "more" in form
    more_page = access.page_asked(form["more"]) if wants_more else None  # a bad number: 404
    if (go in ("next", "today") and not wants_more and remove is None and not uploads
            and not answered(step, answers, draft["photos"], draft["did_voice"])):
        nothing = (_("Tap one of the pictures to choose.") if step == "kind"
                   else _("Tap a picture, or tap Skip if you do not want to answer."))
        return step_page(step, draft, nothing, 400, form, page=page)
    if go == "save" and step == "save":
        try:
            page_id = _page_from_draft(answers, draft)
        except media.Refused as refused:
            return step_page(step, dict(draft, answers=answers), str(refused), 400, form)
        return redirect(url_for(".page", page_id=page_id))
    at = steps.index(step)
    if wants_more or remove is not None or (step == "photos" and uploads and go == "next"):
        going = step
    elif go == "back":
        going = steps[max(at - 1, 0)]
    else:
        going = steps[min(at + 1, len(steps) - 1)]
    if found is not None or answers or uploads:  # Back before any answer keeps no draft
        _keep_draft(draft, answers, going, uploads, remove)
    if go == "back" and at == 0:
        return redirect(url_for(".page", page_id=adding_to(draft)) if adding_to(draft) else url_for(".book"))
    if wants_more:
        return redirect(url_for(".new_step", step=step, page=more_page))
    if step == "photos" and uploads and go == "next":
        return redirect(url_for(".new_step", step=step, kept=len(uploads)))
    return redirect(url_for(".new_step", step=going))


def _keep_draft(draft, answers, going, uploads, remove):
    """Keep the answers, store the uploads (photos join the draft; a recording replaces the
    last one) and drop a removed photo: one commit, then the files no row names go."""
    db = get_db()
    learner_id = g.owner["id"]
    gone = []
    with transaction(db):
        did_voice = draft["did_voice"]
        db.execute(
            """INSERT INTO passport_drafts (learner_id, answers, did_voice, step, updated_at)
               VALUES (?, ?, ?, ?, ?) ON CONFLICT(learner_id) DO UPDATE SET answers = excluded.answers,
               step = excluded.step, updated_at = excluded.updated_at""",
            [learner_id, json.dumps(answers, ensure_ascii=False), did_voice, going, now()])
        for upload in uploads:
            media_id = media.store_upload(learner_id, upload)
            if upload[0] == "photo":
                db["passport_draft_photos"].insert({"learner_id": learner_id, "media_id": media_id})
            else:
                db.execute("UPDATE passport_drafts SET did_voice = ? WHERE learner_id = ?", [media_id, learner_id])
                if did_voice is not None:
                    gone.append(did_voice)
                did_voice = media_id
        if remove is not None:
            db.execute("DELETE FROM passport_draft_photos WHERE learner_id = ? AND media_id = ?", [learner_id, remove])
            gone.append(remove)
        files = []
        for media_id in gone:
            row = media.media_row(media_id)
            files += [name for name in (row["file"], row["thumb_file"]) if name]
            db.execute("DELETE FROM media WHERE id = ? AND learner_id = ?", [media_id, learner_id])
    for name in files:
        (media.media_folder() / name).unlink(missing_ok=True)


@bp.post("/passport/pages/<int:page_id>/add")
def add_to_page(page_id):
    """A learner begins adding to the page of an encounter they were at: a draft with the
    page's answers, on its first screen. A page already begun is carried on; another page
    in progress is finished first, so nothing the learner answered is lost."""
    if g.user["role"] != "learner":
        abort(403)
    found = page_or_404(page_id)
    if found["encounter_id"] is None:
        abort(404)
    draft = draft_of(g.owner["id"])
    if draft is not None and adding_to(draft) != page_id:
        school = []
        message = _("You have a page you have not finished. Finish it first, then add to this one.")
        return render("passport/page.html", page=found, school_learners=school, message=message,
                      unfinished=draft["step"], **page_context()), 409
    if draft is None:
        answers = {key: found[key] for key in ("kind", "what", "place", "place_symbol", "happened_on", "did",
                                              "learnt", "feeling", "again") if found[key]}
        answers["who_words"], answers["adding_to"] = found["who_with"], page_id
        draft = {"answers": answers, "did_voice": found["did_voice"], "step": None, "photos": []}
        steps = learner_steps(draft)
        db = get_db()
        with transaction(db):
            db.execute("""INSERT INTO passport_drafts (learner_id, answers, did_voice, step, updated_at)
                          VALUES (?, ?, ?, ?, ?)""",
                       [g.owner["id"], json.dumps(answers, ensure_ascii=False), found["did_voice"], steps[0], now()])
        draft["step"] = steps[0]
    return redirect(url_for(".new_step", step=draft["step"]))


def _page_from_draft(answers, draft):
    """Make the page from the draft, move its photos to it and delete the draft: one commit.
    A title not typed is made from the kind and the place. A draft adding to an encounter's
    page changes that page instead: the learner's words, feeling and photos join it."""
    if adding_to(draft):
        return _add_to_page_from_draft(answers, draft)
    kind = answers.get("kind")
    if kind not in KINDS:
        raise media.Refused(_("Please choose what kind of experience this was."))
    place_symbol = answers.get("place_symbol")
    if place_symbol not in current_app.extensions["symbols"]:
        place_symbol = None
    place = answers.get("place") or (str(symbol_label(place_symbol, capital=True)) if place_symbol else None)
    learner_id = g.owner["id"]
    row = {
        "learner_id": learner_id, "kind": kind, "what": answers.get("what") or made_title(kind, place),
        "place": place, "place_symbol": place_symbol,
        "happened_on": answers.get("happened_on") or date.today().isoformat(),
        "who_with": who_with_words(answers), "did": answers.get("did"), "did_voice": draft["did_voice"],
        "learnt": answers.get("learnt"), "feeling": answers.get("feeling"), "again": answers.get("again"), "given_by": "learner",
        "lang": responses.typed_language(), "staff_id": None, "created_at": now(),
    }
    db = get_db()
    with transaction(db):
        page_id = db["passport_pages"].insert(row).last_pk
        for media_id in draft["photos"]:
            db["passport_photos"].insert({"page_id": page_id, "media_id": media_id})
        db.execute("DELETE FROM passport_draft_photos WHERE learner_id = ?", [learner_id])
        db.execute("DELETE FROM passport_drafts WHERE learner_id = ?", [learner_id])
    return page_id


def _add_to_page_from_draft(answers, draft):
    learner_id, page_id = g.owner["id"], adding_to(draft)
    db = get_db()
    with transaction(db):
        changed = db.execute(
            """UPDATE passport_pages SET did = ?, did_voice = ?, learnt = ?, feeling = ?, again = ?, lang = ?
               WHERE id = ? AND learner_id = ? AND encounter_id IS NOT NULL""",
            [answers.get("did"), draft["did_voice"], answers.get("learnt"), answers.get("feeling"),
             answers.get("again"), responses.typed_language(), page_id, learner_id]).rowcount
        if not changed:
            raise media.Refused(_("That page is not in your passport any more."))
        for media_id in draft["photos"]:
            db["passport_photos"].insert({"page_id": page_id, "media_id": media_id})
        db.execute("DELETE FROM passport_draft_photos WHERE learner_id = ?", [learner_id])
        db.execute("DELETE FROM passport_drafts WHERE learner_id = ?", [learner_id])
    return page_id


@bp.post("/passport/pages/<int:page_id>/notes")
@media.accepts_uploads
def add_note(page_id):
    page_or_404(page_id)
    role = g.user["role"]
    if role not in ("staff", "family"):
        abort(403)
    text = request.form.get("text", "").strip()
    if len(text) > TEXT_LIMIT:
        abort(400, _("That is a lot of words! Please keep it shorter."))
    try:
        photo = media.read_upload("photo")
        media.check_uploads_fit(g.owner["id"], [photo] if photo else [])
    except media.Refused as refused:
        abort(400, str(refused))
    if not text and photo is None:
        abort(400, _("Please write a few words or choose a photo."))
    db = get_db()
    with transaction(db):  # the photo's row and the note naming it: one commit
        media_id = media.store_upload(g.owner["id"], photo) if photo else None
        db["page_notes"].insert({
            "page_id": page_id, "author": role, "text": text or None, "media_id": media_id,
            "staff_id": g.user["id"] if role == "staff" else None,
            "family_id": g.user["id"] if role == "family" else None, "created_at": now(),
            "lang": responses.typed_language(),
        })
    return redirect(url_for(".page", page_id=page_id))


@bp.post("/passport/pages/<int:page_id>/notes/<int:note_id>/hide")
def hide_note(page_id, note_id):
    if g.user["role"] != "staff":
        abort(403)
    found = page_or_404(page_id)
    if note_id not in {n["id"] for n in found["notes"]}:
        abort(404)
    get_db().execute("UPDATE page_notes SET hidden_at = ? WHERE id = ? AND hidden_at IS NULL",
                     [now(), note_id])
    return redirect(url_for(".page", page_id=page_id))


@bp.get("/passport/print")
def print_page():
    start, end = date_range()
    audit.log(g.owner, "opened printable passport")
    return render("passport/print.html", printing=False, **book_context(start, end, printing=True))


@bp.get("/passport.pdf")
def pdf():
    start, end = date_range()
    audit.log(g.owner, "downloaded passport PDF")
    data = make_pdf(start, end)
    return pdf_response(data, f"passport-{g.owner['name']}.pdf")


def pdf_response(data, filename):
    """A PDF download, named in any alphabet (web.attachment), kept by no shared cache."""
    return current_app.response_class(data, mimetype="application/pdf", headers={
        "Content-Disposition": attachment(filename),
        "Cache-Control": "private, no-store",
    })


def make_pdf(start="", end=""):
    """The passport as PDF bytes, from the same template as the print page."""
    html = render("passport/print.html", printing=True, **book_context(start, end, printing=True))
    return pdf_of(html, owner=g.owner)


def pdf_of(html, owner=None):
    """A print page as PDF bytes. It may show the symbols and static files, and the media of
    `owner` (a learner) only; nothing else is loaded (cards and letters have no media)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=request.url_root, url_fetcher=_local_fetcher(owner)).write_pdf(
        presentational_hints=True)


PRINT_SYMBOL_PIXELS = 160  # about 13 mm at 300 dpi, the largest a symbol is printed


@functools.lru_cache(maxsize=1024)
def print_symbol(path):
    """A symbol as a PNG for the PDF. WeasyPrint draws an SVG afresh at every use (800 times
    in a long passport) but embeds a PNG once, which makes the PDF several times faster."""
    import cairosvg

    if path.suffix.lower() != ".svg":
        return path.read_bytes()
    return cairosvg.svg2png(url=str(path), output_width=PRINT_SYMBOL_PIXELS,
                            output_height=PRINT_SYMBOL_PIXELS)


def _local_fetcher(owner):
    """Give WeasyPrint files from this app only: symbols, static files, the media of `owner`
    (a learner, or None for none). Nothing is fetched from another site."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    from .symbols import get_symbols

    symbols = get_symbols()  # the school's own pictures too (their file is a full path)
    symbols_dir = Path(current_app.config["SYMBOLS_DIR"])
    static_dir = Path(current_app.static_folder).resolve()
    root = request.url_root.rstrip("/")

    def resolve(url):
        if not url.startswith(root + "/"):
            raise ValueError(f"not loaded: {url}")
        parts = url[len(root):].split("?")[0].strip("/").split("/")
        if parts[0] == "symbols" and len(parts) == 2 and parts[1] in symbols:
            return print_symbol(symbols_dir / symbols[parts[1]].file), "image/png"
        if parts[0] == "static":
            file = (static_dir / "/".join(parts[1:])).resolve()
            if file.is_relative_to(static_dir) and file.is_file():
                kind = "text/css" if file.suffix == ".css" else "application/octet-stream"
                return file.read_bytes(), kind
        if owner is not None and parts[0] == "media" and len(parts) in (2, 3) and parts[1].isdigit():
            row = media.media_row(int(parts[1]))
            if (row is not None and row["learner_id"] == owner["id"] and media.may_see(row)
                    and not media.held_back_by(row)):
                name = row["thumb_file"] if len(parts) == 3 and row["thumb_file"] else row["file"]
                return (media.media_folder() / name).read_bytes(), row["mimetype"]
        raise ValueError(f"not loaded: {url}")

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            body, kind = resolve(url)
            return URLFetcherResponse(url, body, headers={"Content-Type": kind})

    return LocalFetcher()


def init_app(app):
    app.jinja_env.globals.update(
        passport_kind_label=kind_label, passport_again_label=again_label,
        passport_again_symbols=AGAIN, passport_highlights=highlights,
    )
    app.register_blueprint(bp, name=LEARNER)
    app.register_blueprint(bp, name=STAFF, url_prefix="/staff/learners/<int:learner_id>")
    app.register_blueprint(bp, name=FAMILY, url_prefix="/family/children/<int:learner_id>")
