"""A school's own content in the database, and the catalogue it makes with the app's.

Each item is one file as the app ships them (content.py reads both the same way): its path
under the content folder ("jobs/bakery-assistant.toml"), the TOML of its draft, and the TOML
learners see once an admin has published it, each with its translations (language code ->
content id -> text). A school's catalogue is the app's with the school's files added
(content.extend), made once for each revision of the school's content and kept."""

import hashlib
import json
from collections import ChainMap, OrderedDict
from dataclasses import replace

from flask import current_app, g, has_request_context, request

from .. import content
from ..db import get_db, now
from ..lookups import school_of_viewer
from ..symbols import Symbol

KEPT = 48  # school catalogues kept in memory (a school, a revision, drafts or not, a language)
OWN = "own-"  # the id of a school's own picture is "own-" and its number


def revision(school_id):
    row = get_db().execute("SELECT content_revision FROM schools WHERE id = ?", [school_id]).fetchone()
    return row[0] if row else 0


def changed(db, school_id):
    """Count a change to the school's content (in the change's transaction): its catalogues
    are made again."""
    db.execute("UPDATE schools SET content_revision = content_revision + 1 WHERE id = ?", [school_id])


def items(school_id):
    return list(get_db().query("SELECT * FROM school_content WHERE school_id = ? ORDER BY path", [school_id]))


def item(school_id, path):
    found = list(get_db().query("SELECT * FROM school_content WHERE school_id = ? AND path = ?", [school_id, path]))
    return found[0] if found else None


def files_and_words(rows, drafts):
    """The files (path -> TOML) and translations of `rows`: their drafts, or what is published."""
    files, words = {}, {}
    for row in rows:
        text, said = (row["draft"], row["draft_words"]) if drafts else (row["published"], row["published_words"])
        if text is None:
            continue
        files[row["path"]] = text
        for code, table in json.loads(said or "{}").items():
            words.setdefault(code, {}).update(table)
    return files, words


def pictures(school_id):
    return list(get_db().query("SELECT * FROM school_pictures WHERE school_id = ? ORDER BY label COLLATE NOCASE, id",
                               [school_id]))


def picture_symbol(row):
    """A school's picture as a symbol: its file is in the media folder (an absolute path)."""
    from ..media import media_folder

    return Symbol(f"{OWN}{row['id']}", str(media_folder() / row["file"]), {"en": row["label"]}, "school",
                  "the school's own", row["digest"])


def symbols_of(school_id):
    """The app's symbols and the school's own pictures."""
    own = {f"{OWN}{row['id']}": picture_symbol(row) for row in pictures(school_id)}
    shipped = current_app.extensions["symbols"]
    return ChainMap(own, shipped) if own else shipped


def digest(data):
    return hashlib.sha256(data).hexdigest()


def build(school_id, rows, drafts, symbols=None):
    """The school's English catalogue and translations from `rows`. A stored file that no
    longer passes the checks (the app's content changed under it) is left out, with a warning
    in the log, rather than taking the school's other content with it."""
    files, words = files_and_words(rows, drafts)
    symbols = symbols if symbols is not None else symbols_of(school_id)
    english = current_app.extensions["catalogue"]
    while files:
        try:
            return content.extend(english, files, symbols), words
        except content.ContentError as problem:
            current_app.logger.warning("School %s: content left out: %s", school_id, problem)
            files.pop(problem.file.removeprefix("activities/"), None) if problem.file else files.clear()
    return english, words


def _kept(school_id, code, drafts):
    """(the school's catalogue in language `code`, drafts or what is published; the texts it
    has that the app's has not), or None when the school has no content of its own."""
    rev = revision(school_id)
    if rev == 0:
        return None
    kept = current_app.extensions.setdefault("school_catalogues", OrderedDict())
    key = (school_id, rev, drafts, code)
    if key not in kept:
        english, words = build(school_id, items(school_id), drafts)
        if english is current_app.extensions["catalogue"] and not words:
            return None  # nothing of its own (yet, or any more)
        found = content.in_language(english, code, words.get(code))
        made = {path.split("/", 1)[1].removesuffix(".toml") for path in files_and_words(items(school_id), drafts)[0]}
        found = replace(found, own=frozenset(made & (set(found.jobs) | {p for ps in found.places.values() for p in ps})))
        shipped = current_app.extensions["catalogues"][code]
        kept[key] = (found, frozenset(set(found.texts()) - set(shipped.texts())))
        while len(kept) > KEPT:
            kept.popitem(last=False)
    kept.move_to_end(key)
    return kept[key]


def catalogue_for(school_id, code, drafts):
    found = _kept(school_id, code, drafts)
    return found[0] if found else None


def sees_drafts():
    """Staff see drafts in their previews and on the content pages; everyone else, and every
    other page, sees what is published."""
    user = g.get("user")
    return bool(user is not None and user["role"] == "staff" and request.blueprint in ("preview", "authoring", "voices", "narration"))


def _request_kept(code):
    if not has_request_context():
        return None
    kept = g.setdefault("school_catalogue", {})
    if code not in kept:
        school = school_of_viewer()
        kept[code] = None if school is None else _kept(school, code, sees_drafts())
    return kept[code]


def request_catalogue(code):
    """content.get_catalogue's school part: the viewer's school's catalogue, once a request."""
    found = _request_kept(code)
    return found[0] if found else None


def request_symbols():
    """symbols.get_symbols's school part: the app's symbols and the viewer's school's pictures."""
    if not has_request_context():
        return None
    if "school_symbols" not in g:
        school = school_of_viewer()
        g.school_symbols = None if school is None else symbols_of(school)
    return g.school_symbols


def school_texts(lang):
    """Every text of the viewer's school's own content (drafts too, for staff) in narration
    language `lang`: the school's phrases, narrated and recorded like the app's."""
    from ..i18n import BY_SPEECH

    found = _request_kept(BY_SPEECH[lang].code) if lang in BY_SPEECH else None
    return found[1] if found else frozenset()


def save(db, school_id, path, draft, words, staff_id):
    """Store an item's draft (and its translations) for the school: a new item or a change."""
    stamp = now()
    said = json.dumps(words, ensure_ascii=False, sort_keys=True)
    if item(school_id, path) is None:
        db["school_content"].insert({"school_id": school_id, "path": path, "draft": draft, "draft_words": said,
                                     "created_by": staff_id, "updated_by": staff_id, "created_at": stamp,
                                     "updated_at": stamp})
    else:
        db.execute("""UPDATE school_content SET draft = ?, draft_words = ?, updated_by = ?, updated_at = ?
                      WHERE school_id = ? AND path = ?""", [draft, said, staff_id, stamp, school_id, path])
    changed(db, school_id)


def words_of(row):
    """An item's draft translations: language code -> content id -> text."""
    return json.loads(row["draft_words"] or "{}") if row is not None else {}


def save_local(db, school_id, path, draft, staff_id):
    """A job's local file (employers near the school): saved, or taken out when the form
    left it empty (it holds no answers)."""
    if draft is not None:
        save(db, school_id, path, draft, words_of(item(school_id, path)), staff_id)
    elif item(school_id, path) is not None:
        db.execute("DELETE FROM school_content WHERE school_id = ? AND path = ?", [school_id, path])
        changed(db, school_id)


def add_picture(db, school_id, photo, label, staff_id):
    """Keep a cleaned photo (media.clean_photo) as one of the school's pictures; its id."""
    from ..media import write_file

    return db["school_pictures"].insert({
        "school_id": school_id, "label": label, "file": write_file(photo, "jpg"), "digest": digest(photo),
        "created_by": staff_id, "created_at": now()}).last_pk


def publish(db, school_id, path, staff_id):
    db.execute("""UPDATE school_content SET published = draft, published_words = draft_words, published_by = ?,
                  published_at = ? WHERE school_id = ? AND path = ?""", [staff_id, now(), school_id, path])
    changed(db, school_id)


def init_app(app):
    app.extensions["school_catalogue"] = request_catalogue
    app.extensions["school_symbols"] = request_symbols
    app.extensions["school_texts"] = school_texts
