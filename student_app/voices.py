"""A human voice for the narration: staff record (or upload) their own reading of any phrase
in the catalogue, in any of the app's languages, and their school hears it instead of the
synthetic voice. Learners' own recorded answers are separate and never replaced."""

from flask import Blueprint, abort, current_app, g, redirect, request, send_file, url_for
from flask_babel import gettext as _

from . import media
from .auth import staff_required
from .lookups import school_of_viewer, teacher_required
from .db import get_db, now, transaction
from .i18n import BY_SPEECH, page_language
from .narration import school_phrases
from .web import render

bp = Blueprint("voices", __name__)
PAGE = 40


def back_to_list():
    """Back to the list page the form was on; never to another site."""
    back = request.form.get("back", "")
    return back if back.startswith(("/staff/voices", "/staff/content/")) else url_for("voices.list_phrases")


def recorded(lang="en"):
    """text -> recording id for the viewer's school in one language, read once per request."""
    cache = g._get_current_object().setdefault("recorded_voices", {})  # asked at every narration link
    if lang not in cache:
        school = school_of_viewer()
        cache[lang] = {} if school is None else {
            row["text"]: row["id"] for row in get_db().query(
                "SELECT id, text FROM voice_recordings WHERE school_id = ? AND lang = ?", [school, lang])}
    return cache[lang]


def all_phrases(speech):
    """Every phrase the app says in one narration language (its interface and content), as
    `flask narration build` renders them, in order."""
    from .narration import known_phrases

    app = current_app._get_current_object()
    cache = app.extensions.setdefault("voice_phrases", {})
    if speech not in cache:
        cache[speech] = sorted(known_phrases(app, speech))
    return cache[speech]


def chosen_language(value):
    """The narration language a form or link names; by default the staff member's own."""
    if not value:
        return page_language().speech
    if value not in BY_SPEECH:
        abort(400, _("Please choose one of the languages offered."))
    return value


@bp.get("/voice/<int:recording_id>")
def play(recording_id):
    rows = list(get_db().query("SELECT * FROM voice_recordings WHERE id = ?", [recording_id]))
    if not rows or rows[0]["school_id"] != school_of_viewer():
        abort(404)
    path = media.media_folder() / rows[0]["file"]
    response = send_file(path, mimetype=rows[0]["mimetype"], max_age=3600)
    # A colleague's reading of an interface phrase, played on every screen: kept an hour by
    # this browser only (not by shared caches), never run or shown as a page.
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["Content-Disposition"] = f'inline; filename="voice-{recording_id}{path.suffix}"'
    return response


@bp.get("/staff/voices")
@staff_required
def list_phrases():
    speech = chosen_language(request.args.get("lang"))
    query = request.args.get("q", "").strip().lower()
    only = request.args.get("only", "")
    mine = recorded(speech)
    phrases = [p for p in all_phrases(speech) + sorted(school_phrases(speech)) if (not query or query in p.lower())
               and (only != "recorded" or p in mine) and (only != "missing" or p not in mine)]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        abort(400)
    shown = phrases[(page - 1) * PAGE: page * PAGE]
    return render("staff/voices.html", phrases=shown, recorded=mine, query=query, only=only,
                  phrase_language=BY_SPEECH[speech],
                  page=page, pages=max(1, -(-len(phrases) // PAGE)), total=len(phrases),
                  recorded_count=len(mine))


@bp.post("/staff/voices")
@staff_required
@media.accepts_uploads
def save():
    teacher_required()
    speech = chosen_language(request.form.get("lang"))
    text = request.form.get("text", "")
    if text not in set(all_phrases(speech)) and text not in school_phrases(speech):
        abort(400, _("That phrase is not in the app."))
    upload = request.files.get("voice")
    data = upload.read() if upload is not None else b""
    try:
        kind = media.check_recording(data)
    except media.Refused as refused:
        abort(400, str(refused))
    name = media.write_file(data, kind)
    db = get_db()
    with transaction(db):
        old = db.execute("SELECT file FROM voice_recordings WHERE school_id = ? AND lang = ? AND text = ?",
                         [g.user["school_id"], speech, text]).fetchone()
        db.execute("DELETE FROM voice_recordings WHERE school_id = ? AND lang = ? AND text = ?",
                   [g.user["school_id"], speech, text])
        db["voice_recordings"].insert({
            "school_id": g.user["school_id"], "lang": speech, "text": text, "file": name,
            "mimetype": media.AUDIO_TYPES[kind], "staff_id": g.user["id"], "created_at": now()})
    if old:
        (media.media_folder() / old[0]).unlink(missing_ok=True)
    return redirect(back_to_list())


@bp.post("/staff/voices/<int:recording_id>/delete")
@staff_required
def delete(recording_id):
    teacher_required()
    db = get_db()
    row = db.execute("SELECT file FROM voice_recordings WHERE id = ? AND school_id = ?",
                     [recording_id, g.user["school_id"]]).fetchone()
    if row is None:
        abort(404)
    db.execute("DELETE FROM voice_recordings WHERE id = ?", [recording_id])
    (media.media_folder() / row[0]).unlink(missing_ok=True)
    return redirect(back_to_list())
