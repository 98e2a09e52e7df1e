"""Staff screens: the school's learners, each learner's portfolio and settings, and badges."""

import csv
import io
import json
import zipfile
from datetime import date

from flask import Blueprint, abort, current_app, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from . import access, audit, badges, benchmarks, library, media, passport, responses
from .auth import end_sessions_of, name_before_sign_in, staff_required
from .content import SUBJECTS, get_catalogue
from .family import family_accounts
from .db import get_db, now, transaction
from .lookups import (LEARNERS_FOUND, admin_required, class_of_school, class_sizes, classes_of_school, find_learners,
                      form_id, has_left, learner_for_change, learner_of_school, learners_of_class, own_class_ids,
                      teacher_required)
from .school import cards
from .school.records import remember_identifiers
from .school.setup import checklist
from .web import attachment, csv_safe, history_range, older_than, older_url, render

bp = Blueprint("staff", __name__, url_prefix="/staff")

@bp.before_request
@staff_required
def require_staff():
    """Every screen here is for signed-in staff, and only about their own school."""


@bp.get("/")
def home():
    """The classes the member of staff may reach, each a link to its learners; the learners
    of their own classes (those they are assigned to) listed here; and a search by name.
    The page stays small however big the school."""
    words = request.args.get("q", "").strip()
    if len(words) > 100:
        abort(400, _("Please type fewer letters of the name: 100 at most."))
    classes = classes_of_school()  # current classes only: an archived class is last year's
    counts = class_sizes()
    own = own_class_ids()
    for group in classes:
        group["count"] = counts.get(group["id"], 0)
        group["learners"] = learners_of_class(group["id"]) if group["id"] in own else None
    activities = [a for a in library.home_activities(get_catalogue()) if a.kind != "guess-my-job"]
    # An admin sees the school's first steps until every one is done.
    steps = checklist(g.user["school_id"]) if g.user["is_admin"] else []
    return render("staff/home.html", classes=classes, activities=activities, words=words,
                  found=find_learners(words) if words else None, most_found=LEARNERS_FOUND,
                  steps=steps if not all(step["done"] for step in steps) else [])


@bp.get("/classes/<int:class_id>")
def class_page(class_id):
    """One class: its learners (who have not left), each a link to their portfolio, and
    what staff do with the class."""
    group = class_of_school(class_id)
    return render("staff/class.html", group=group, learners=learners_of_class(class_id))


def portfolio_filters(catalogue):
    """The portfolio's filters from the query string, checked."""
    args = request.args
    found = {key: args.get(key, "") for key in ("benchmark", "subject", "activity", "kind", "from", "to")}
    if (found["benchmark"] not in {"", *map(str, range(1, 9))} or found["subject"] not in {"", *SUBJECTS}
            or found["activity"] not in {"", *catalogue.activities}
            or found["kind"] not in {"", *passport.KINDS}):
        abort(400, _("Please choose the filters from the lists."))
    for key in ("from", "to"):
        if found[key]:
            try:
                date.fromisoformat(found[key])
            except ValueError:
                abort(400, _("Please give dates like 2026-09-01."))
    return found


def _filtered(learner, catalogue, f):
    """The plays and passport pages the filters pick, within their dates, in SQL: a page of
    responses.PLAYS_SHOWN plays going on from ?older= (oldest first on the page), the id of the
    play the earlier ones go on from (or None), and the passport pages (none when going on)."""
    benchmark = int(f["benchmark"]) if f["benchmark"] else None
    activities = None
    if f["benchmark"] or f["subject"] or f["activity"]:
        activities = [a.id for a in catalogue.activities.values()
                      if (benchmark is None or benchmark in a.benchmarks)
                      and (not f["subject"] or f["subject"] in a.subjects)
                      and (not f["activity"] or a.id == f["activity"])]
    going_on = older_than()
    plays, older = [], None
    if not f["kind"]:
        plays, older = responses.plays_page(learner["id"], catalogue, f["from"], f["to"], activities, going_on)
    kinds = None
    if f["kind"] or benchmark is not None:
        kinds = [kind for kind, (number, _symbol) in passport.KINDS.items()
                 if (not f["kind"] or kind == f["kind"]) and (benchmark is None or number == benchmark)]
    pages = []
    if not (f["subject"] or f["activity"] or going_on):
        pages = passport.pages_of(learner, f["from"], f["to"], kinds=kinds)
    return plays[::-1], older, pages


@bp.get("/learners/<int:learner_id>")
def portfolio(learner_id):
    learner = learner_of_school(learner_id)
    catalogue = get_catalogue()
    filters = portfolio_filters(catalogue)
    filters["from"], filters["to"], years = history_range(filters["from"], filters["to"],
                                                          responses.record_years(learner_id))
    audit.log(learner, "viewed portfolio")
    plays, older, pages = _filtered(learner, catalogue, filters)
    surveys = [a for a in library.home_activities(catalogue) if a.kind == "survey"]
    other_photos = media.photos_outside_passport(learner_id, filters["from"], filters["to"])
    db = get_db()
    return render(
        "staff/portfolio.html",
        learner=learner,
        plays=plays,
        pages=pages,
        filters=filters,
        kinds=passport.KINDS,
        all_activities=library.home_activities(catalogue),
        subjects=SUBJECTS,
        summary=benchmarks.summary(learner, catalogue),
        gap_label=benchmarks.gap_label,
        invitations=list(db.query(
            """SELECT invitations.*, families.name AS family_name FROM invitations
               LEFT JOIN families ON families.id = invitations.used_by
               WHERE learner_id = ? ORDER BY invitations.id DESC""", [learner_id])),
        families=family_accounts(learner_id),
        now=now(),
        profiles=[(a, responses.versions(learner_id, a, catalogue), responses.version_count(learner_id, a.id))
                  for a in surveys],
        years=years, earlier_url=older_url(older), going_on=bool(request.args.get("older")),
        activities=[a for a in library.home_activities(catalogue) if a.kind != "guess-my-job"],
        jobs=sorted(catalogue.jobs.values(), key=lambda job: job.name),
        reactions=responses.REACTIONS,
        profile=access.profile(learner),
        options=access.OPTIONS,
        other_photos=other_photos,
        recordings=media.recordings_of(learner_id, filters["from"], filters["to"]),
        # Only asked for when there is a photo to say who is in.
        school_learners=media.taggable_learners(
            learner, [person for photo in other_photos for person in photo["people"]],
            request.args.get("who", "")) if other_photos else [],
        private_notes=list(db.query(
            """SELECT staff_notes.*, staff.name AS staff_name FROM staff_notes
               LEFT JOIN staff ON staff.id = staff_notes.staff_id
               WHERE learner_id = ? ORDER BY staff_notes.id DESC LIMIT 50""", [learner_id])),
    )


TRANSCRIPT_LIMIT = 2000  # characters of a recording's transcript

# The switches that change who may see a learner's work: each change is in the audit log.
PRIVACY_SWITCHES = {"family_visible": "family can see their work", "photo_consent": "photo consent",
                    "protected": "protected", "lacks_sharing_capacity": "recorded as lacking capacity to choose sharing"}


@bp.post("/learners/<int:learner_id>/settings")
def save_settings(learner_id):
    """The access profile and the privacy switches. The month of birth and the month a
    learner left are on their details page (school.learner_details), the one place for them."""
    teacher_required()
    learner = learner_for_change(learner_id)
    form = request.form
    group, choices = form.get("career_group"), form.get("choices")
    if group not in ("1", "2") or choices not in ("2", "3", "4"):
        abort(400, _("Please choose a Career SEND Group and a number of choices."))
    new_profile = access.from_form(form, access.profile(learner))
    for column, words in PRIVACY_SWITCHES.items():
        if bool(learner[column]) != (form.get(column) == "on"):
            audit.log(learner, f"{words}: {'on' if form.get(column) == 'on' else 'off'}", change=True)
    get_db().execute(
        """UPDATE learners SET career_group = ?, choices = ?, autoplay = ?, photo_consent = ?,
           family_visible = ?, protected = ?, lacks_sharing_capacity = ? WHERE id = ?""",
        [int(group), int(choices), int(form.get("autoplay") == "on"),
         int(form.get("photo_consent") == "on"),
         int(form.get("family_visible") == "on"), int(form.get("protected") == "on"),
         int(form.get("lacks_sharing_capacity") == "on"), learner_id],
    )
    access.save(learner_id, new_profile)
    flash(_("Settings saved."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


@bp.post("/learners/<int:learner_id>/photos/<int:media_id>/people")
def tag_photo(learner_id, media_id):
    """Say which learners a photo of this learner's shows (in the passport, an answer or a
    note); the photo's visibility follows (media.may_see)."""
    teacher_required()
    learner_for_change(learner_id)
    db = get_db()
    if db.execute("SELECT 1 FROM media WHERE id = ? AND learner_id = ? AND kind = 'photo'",
                  [media_id, learner_id]).fetchone() is None:
        abort(404)
    chosen = {form_id(value) for value in request.form.getlist("learner")}
    # Each ticked learner must be of this school (one count, however big the school); a photo
    # shows a class or two at most, so hundreds of ticks are not a real form.
    if None in chosen or len(chosen) > 500 or db.execute(
            f"SELECT count(*) FROM learners WHERE school_id = ? AND id IN ({', '.join('?' * len(chosen)) or 'NULL'})",
            [g.user["school_id"], *chosen]).fetchone()[0] != len(chosen):
        abort(400, _("Please choose learners from the list."))
    with transaction(db):
        db.execute("DELETE FROM photo_people WHERE media_id = ?", [media_id])
        for person in chosen:
            db["photo_people"].insert({"media_id": media_id, "learner_id": person})
    flash(_("Saved who is in the photo."))
    return redirect(back_to_learner_page(learner_id))


def back_to_learner_page(learner_id):
    """Back to this learner's page a form was on (the passport page or the portfolio) only."""
    back = request.form.get("back", "")
    home = url_for("staff.portfolio", learner_id=learner_id)
    if not (back == home or back.startswith((home + "/", home + "?"))) or "//" in back or "\\" in back:
        back = home
    return back


@bp.post("/learners/<int:learner_id>/recordings/<int:voice_id>/transcript")
def save_transcript(learner_id, voice_id):
    """Staff write down what a learner said in a recording, so that those who cannot hear it,
    and the printed passport, have the words (WCAG 1.2.1). Empty words remove it."""
    learner_for_change(learner_id)
    db = get_db()
    if db.execute("SELECT 1 FROM media WHERE id = ? AND learner_id = ? AND kind = 'voice'",
                  [voice_id, learner_id]).fetchone() is None:
        abort(404)
    words = request.form.get("transcript", "").strip()
    if len(words) > TRANSCRIPT_LIMIT:
        abort(400, _("Please write what was said in up to 2000 characters."))
    db.execute("UPDATE media SET transcript = ?, transcript_lang = ? WHERE id = ?",
               [words or None, responses.typed_language() if words else None, voice_id])
    flash(_("Saved what was said in the recording."))
    return redirect(back_to_learner_page(learner_id))


@bp.post("/learners/<int:learner_id>/sign-out")
def end_learner_sessions(learner_id):
    """Sign a learner out on every tablet, for a lost tablet or a code someone saw."""
    learner = learner_of_school(learner_id)
    end_sessions_of("learner", learner_id)
    flash(_("%(name)s is signed out everywhere.", name=learner["name"]))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


def _switch(table, role, account_id):
    """Switch an account off (signing it out everywhere at once) or on again, from the form."""
    action = request.form.get("action")
    if action not in ("off", "on"):
        abort(400, _("Please choose to switch the account off or on."))
    db = get_db()
    with transaction(db):
        db.execute(f"UPDATE {table} SET disabled_at = ? WHERE id = ?",
                   [now() if action == "off" else None, account_id])
        if action == "off":
            end_sessions_of(role, account_id)
    return action


@bp.post("/members/<int:staff_id>/access")
def staff_access(staff_id):
    """An admin switches a colleague's account off or on (never their own)."""
    admin_required()
    rows = list(get_db().query("SELECT * FROM staff WHERE id = ? AND school_id = ?", [staff_id, g.user["school_id"]]))
    if not rows or staff_id == g.user["id"]:
        abort(404)
    action = _switch("staff", "staff", staff_id)
    flash(_("%(name)s is switched off and signed out.", name=rows[0]["name"]) if action == "off"
          else _("%(name)s can sign in again.", name=rows[0]["name"]))
    return redirect(url_for("school.staff_list"))


@bp.post("/families/<int:family_id>/access")
def family_access(family_id):
    """An admin switches off (or on) a family account linked to a learner of their school."""
    admin_required()
    rows = list(get_db().query(
        """SELECT DISTINCT families.name, family_links.learner_id FROM families
           JOIN family_links ON family_links.family_id = families.id
           JOIN learners ON learners.id = family_links.learner_id
           WHERE families.id = ? AND learners.school_id = ? ORDER BY family_links.learner_id""",
        [family_id, g.user["school_id"]]))
    if not rows:
        abort(404)
    db = get_db()
    elsewhere = db.execute(
        """SELECT 1 FROM family_links JOIN learners ON learners.id = family_links.learner_id
           WHERE family_links.family_id = ? AND learners.school_id != ?""", [family_id, g.user["school_id"]]).fetchone()
    if elsewhere:
        # Also another school's family: switch off (or on) only the links to this school's
        # learners; the other school's part of the account is theirs to decide.
        action = request.form.get("action")
        if action not in ("off", "on"):
            abort(400, _("Please choose to switch the account off or on."))
        db.execute("""UPDATE family_links SET switched_off_at = ? WHERE family_id = ?
                      AND learner_id IN (SELECT id FROM learners WHERE school_id = ?)""",
                   [now() if action == "off" else None, family_id, g.user["school_id"]])
    else:
        action = _switch("families", "family", family_id)
        if action == "on":
            db.execute("UPDATE family_links SET switched_off_at = NULL WHERE family_id = ?", [family_id])
    flash(_("%(name)s is switched off and signed out.", name=rows[0]["name"]) if action == "off"
          else _("%(name)s can sign in again.", name=rows[0]["name"]))
    back = form_id(request.form.get("learner", ""))
    learner = back if back in {r["learner_id"] for r in rows} else rows[0]["learner_id"]
    return redirect(url_for("staff.portfolio", learner_id=learner))


SEND_DETAILS_LIMIT, STAFF_NOTE_LIMIT = 4000, 2000


@bp.post("/learners/<int:learner_id>/send-details")
def save_send_details(learner_id):
    """SEND details: staff-only text, never shown to the learner or their family."""
    teacher_required()
    learner_for_change(learner_id)
    text = request.form.get("send_details", "").strip()
    if len(text) > SEND_DETAILS_LIMIT:
        abort(400, _("Please keep the SEND details under 4000 characters."))
    get_db().execute("UPDATE learners SET send_details = ? WHERE id = ?", [text or None, learner_id])
    flash(_("SEND details saved."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id, _anchor="staff-only-heading"))


@bp.post("/learners/<int:learner_id>/private-notes")
def add_private_note(learner_id):
    """A private note for colleagues: shown only on staff pages."""
    learner_for_change(learner_id)
    text = request.form.get("text", "").strip()
    if not text or len(text) > STAFF_NOTE_LIMIT:
        abort(400, _("Please write a note of up to 2000 characters."))
    get_db()["staff_notes"].insert({"learner_id": learner_id, "staff_id": g.user["id"], "text": text,
                                    "created_at": now()})
    flash(_("Private note added."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id, _anchor="staff-only-heading"))


@bp.post("/learners/<int:learner_id>/observations")
def record_observation(learner_id):
    learner_for_change(learner_id)
    job_id, reaction = request.form.get("job"), request.form.get("reaction")
    note = request.form.get("note", "").strip()
    if job_id not in get_catalogue().jobs or reaction not in responses.REACTIONS or len(note) > 500:
        abort(400, _("Please choose a job and a reaction; a note can be up to 500 characters."))
    db = get_db()
    with transaction(db):
        play_id = db["plays"].insert(
            {"learner_id": learner_id, "activity": "observation", "item": job_id,
             "started_at": now(), "finished_at": now()}
        ).last_pk
        responses.record_answer(
            db["plays"].get(play_id), "reaction", reaction,
            given_by="observed", staff_id=g.user["id"], note=note or None,
        )
    flash(_("Observation recorded."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


def _issue_badges(learners, title, filename):
    """Print new sign-in cards: each learner's old badges stop working and a new one is
    issued, whose secret only this card sheet (or its PDF) shows."""
    teacher_required()
    return cards.card_sheet(badges.issue(learners), title, filename, as_pdf=request.form.get("format") == "pdf")


def _void_badges(learner_ids):
    teacher_required()
    badges.void(learner_ids)


@bp.post("/learners/<int:learner_id>/badges")
def issue_badge(learner_id):
    learner = learner_of_school(learner_id)
    if has_left(learner):
        abort(400, _("%(name)s has left the school, so they get no sign-in card.", name=learner["name"]))
    name = name_before_sign_in(learner)  # the sheet and its file leave the staff screen
    return _issue_badges([learner], _("Sign-in card for %(name)s", name=name), _("sign-in-card-%(name)s.pdf", name=name))


@bp.post("/learners/<int:learner_id>/badges/void")
def void_badge(learner_id):
    _void_badges([learner_of_school(learner_id)["id"]])
    flash(_("Badge voided: it no longer signs anyone in."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


def _class_learners(class_id):
    class_of_school(class_id)
    return list(get_db().query("SELECT * FROM learners WHERE class_id = ? ORDER BY name", [class_id]))


@bp.post("/classes/<int:class_id>/badges")
def issue_class_badges(class_id):
    group = class_of_school(class_id)
    return _issue_badges(_class_learners(class_id), _("Sign-in cards for %(class)s", **{"class": group["name"]}),
                         _("sign-in-cards-%(class)s.pdf", **{"class": group["name"]}))


@bp.post("/classes/<int:class_id>/badges/void")
def void_class_badges(class_id):
    _void_badges([learner["id"] for learner in _class_learners(class_id)])
    flash(_("All badges for this class are voided."))
    return redirect(url_for("staff.class_page", class_id=class_id))


@bp.post("/learners/<int:learner_id>/invitations")
def invite_family(learner_id):
    """Invitation letters for a learner's family: one invitation (and one letter page) for
    each adult, since separated parents each have their own account."""
    teacher_required()
    learner = learner_for_change(learner_id)  # nobody new is invited to follow a learner who has left
    language, adults = cards.letter_choices(request.form)
    name = name_before_sign_in(learner)  # the letters and their file leave the staff screen
    return cards.letters(
        [learner] * adults, language, as_pdf=request.form.get("format") == "pdf",
        title=_("Family invitation for %(name)s", name=name), filename=_("family-letter-%(name)s.pdf", name=name),
        back=url_for("staff.portfolio", learner_id=learner_id))


@bp.post("/learners/<int:learner_id>/invitations/<int:invitation_id>/revoke")
def revoke_invitation(learner_id, invitation_id):
    teacher_required()
    learner_of_school(learner_id)
    get_db().execute(
        """UPDATE invitations SET revoked_at = ? WHERE id = ? AND learner_id = ?
           AND revoked_at IS NULL AND used_at IS NULL""", [now(), invitation_id, learner_id])
    flash(_("Invitation cancelled: it can no longer be used."))
    return redirect(url_for("staff.portfolio", learner_id=learner_id))


GAP_NAMES = [name for name, *_ in benchmarks.GAPS]


def _class_summary(class_id):
    group = class_of_school(class_id)
    catalogue = get_catalogue()
    rows = [(learner, benchmarks.summary(learner, catalogue)) for learner in _class_learners(class_id)]
    return group, rows


@bp.get("/classes/<int:class_id>/benchmarks")
def class_benchmarks(class_id):
    group, rows = _class_summary(class_id)
    first, last = benchmarks.school_year()
    return render("staff/benchmarks.html", group=group, rows=rows, first=first, last=last,
                  gap_names=GAP_NAMES, gap_label=benchmarks.gap_label)


@bp.get("/classes/<int:class_id>/benchmarks.csv")
def class_benchmarks_csv(class_id):
    teacher_required()
    group, rows = _class_summary(class_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["learner", "age at end of year"] + [f"benchmark {n}" for n in range(1, 9)] + GAP_NAMES)
    for learner, found in rows:
        if learner["protected"]:
            continue  # a file that leaves the app never names a protected learner
        writer.writerow([csv_safe(learner["name"]), found["age"] if found["age"] is not None else ""]
                        + [found["evidence"][n] for n in range(1, 9)]
                        + ["yes" if name in found["gaps"] else "" for name in GAP_NAMES])
    return current_app.response_class(out.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": attachment(f"benchmarks-{group['name']}.csv"), "Cache-Control": "no-store"})


@bp.get("/audit")
def audit_log():
    admin_required()
    return render("staff/audit.html", entries=audit.entries(g.user["school_id"]))


LEARNER_TABLES = ("plays", "responses", "media", "passport_pages", "badges", "family_links", "invitations",
                  "staff_notes", "passport_drafts", "passport_draft_photos", "guidance_meetings",
                  "guidance_actions", "profile_parts", "review_notes", "reviews", "destinations",
                  "follow_up_consent")


def learner_rows(learner_id):
    """Every row that belongs to the learner, by table."""
    db = get_db()
    found = {"learner": list(db.query("SELECT * FROM learners WHERE id = ?", [learner_id]))}
    for table in LEARNER_TABLES:
        found[table] = list(db.query(f"SELECT * FROM {table} WHERE learner_id = ?", [learner_id]))
    pages = [p["id"] for p in found["passport_pages"]] or [0]
    marks = ",".join("?" * len(pages))
    found["passport_photos"] = list(db.query(f"SELECT * FROM passport_photos WHERE page_id IN ({marks})", pages))
    found["page_notes"] = list(db.query(f"SELECT * FROM page_notes WHERE page_id IN ({marks})", pages))
    for row in found["learner"]:
        row.pop("code_hash", None)
        row.pop("code", None)
    for row in found["badges"]:
        row.pop("secret_hash", None)
    for row in found["invitations"]:
        row.pop("token_hash", None)
        row.pop("code_hash", None)
    return found


@bp.get("/learners/<int:learner_id>/export.zip")
def export_learner(learner_id):
    """Everything about one learner: data as JSON, photos, recordings and the passport PDF."""
    admin_required()
    learner = learner_of_school(learner_id)
    audit.log(learner, "exported all data")
    rows = learner_rows(learner_id)
    held = {item["id"] for item in rows["media"] if media.held_back_by(item)}
    rows["media"] = [item for item in rows["media"] if item["id"] not in held]
    rows["passport_photos"] = [item for item in rows["passport_photos"] if item["media_id"] not in held]
    folder = media.media_folder()
    g.owner = learner  # the passport PDF is made for this learner
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.json", json.dumps(rows, indent=2, ensure_ascii=False))
        for item in rows["media"]:
            path = folder / item["file"]
            if path.is_file():
                archive.write(path, f"media/{item['id']}-{item['kind']}{path.suffix}")
        archive.writestr("passport.pdf", passport.make_pdf())
    name = f"learner-{learner_id}-export.zip"
    return current_app.response_class(out.getvalue(), mimetype="application/zip", headers={
        "Content-Disposition": attachment(name), "Cache-Control": "no-store"})


def erase_learner_data(learner_id):
    """Delete every row about the learner in one transaction, then their files (also used by
    `flask retention`). Rows first: a crash between the two leaves only files no row names,
    never a row without its file, and media.sweep_orphans deletes those."""
    rows = learner_rows(learner_id)
    db = get_db()
    files = [m["file"] for m in rows["media"]] + [m["thumb_file"] for m in rows["media"] if m["thumb_file"]]
    pages = [p["id"] for p in rows["passport_pages"]] or [0]
    marks = ",".join("?" * len(pages))
    # Photos in other learners' passports that staff said show this learner are theirs too:
    # erasing the learner erases those photos.
    shown_in = list(db.query(
        """SELECT media.id, media.file, media.thumb_file FROM photo_people
           JOIN media ON media.id = photo_people.media_id
           WHERE photo_people.learner_id = ? AND media.learner_id != ?""", [learner_id, learner_id]))
    files += [m["file"] for m in shown_in] + [m["thumb_file"] for m in shown_in if m["thumb_file"]]
    with transaction(db):
        for photo in shown_in:
            for table, column in (("photo_people", "media_id"), ("passport_photos", "media_id"), ("media", "id")):
                db.execute(f"DELETE FROM {table} WHERE {column} = ?", [photo["id"]])
        db.execute("DELETE FROM photo_people WHERE learner_id = ? OR media_id IN (SELECT id FROM media WHERE learner_id = ?)",
                   [learner_id, learner_id])
        db.execute(f"DELETE FROM page_notes WHERE page_id IN ({marks})", pages)
        db.execute(f"DELETE FROM passport_photos WHERE page_id IN ({marks})", pages)
        # Classroom sessions they joined stay (for the class); their place in them goes.
        for table in ("destinations", "follow_up_consent",
                      "guidance_actions", "guidance_meetings", "profile_parts", "review_notes", "reviews",
                      "passport_draft_photos", "passport_drafts", "responses", "plays", "passport_pages", "media",
                      "badges", "family_links",
                      "invitations", "session_members", "join_attempts", "staff_notes"):
            db.execute(f"DELETE FROM {table} WHERE learner_id = ?", [learner_id])
        db.execute("DELETE FROM sign_ins WHERE role = 'learner' AND user_id = ?", [learner_id])
        db.execute("UPDATE audit_log SET learner_name = ? WHERE learner_id = ?",
                   [_("(erased learner)"), learner_id])
        remember_identifiers(db, db["learners"].get(learner_id))  # a UPN is never given to another
        db.execute("DELETE FROM learners WHERE id = ?", [learner_id])
    folder = media.media_folder()
    for name in files:
        (folder / name).unlink(missing_ok=True)


@bp.route("/learners/<int:learner_id>/erase", methods=["GET", "POST"])
def erase_learner(learner_id):
    """Remove a learner completely, rows and files, once their name is typed to confirm."""
    admin_required()
    learner = learner_of_school(learner_id)
    if request.method == "GET":
        return render("staff/erase.html", learner=learner, message=None)
    if request.form.get("confirm_name", "").strip() != learner["name"]:
        return render("staff/erase.html", learner=learner,
                      message=_("The name did not match, so nothing was erased.")), 400
    erase_learner_data(learner_id)
    get_db()["audit_log"].insert({
        "at": now(), "school_id": g.user["school_id"], "actor_role": "staff", "actor_id": g.user["id"],
        "actor_name": g.user["name"], "learner_id": learner_id, "learner_name": _("(erased learner)"),
        "action": "erased the learner"})
    flash(_("%(name)s has been erased: every answer, page, photo and recording.", name=learner["name"]))
    return redirect(url_for("staff.home"))
