"""A school's content as files like the app's own, to share across a trust: an admin exports
what the school has published as a zip (activities/ with its TOML files and translations,
symbols/ with the school's pictures and a manifest), and another school's admin imports it
as drafts to read and publish. `flask content check --export FILE` checks such a zip."""

import io
import tomllib
import zipfile
from collections import ChainMap

import click
import tomli_w
from flask import abort, current_app, g, request, url_for
from flask_babel import gettext as _

from .. import audit, content, media
from ..db import get_db, transaction
from ..lookups import admin_required
from ..symbols import Symbol
from ..web import attachment, render
from . import bp, store

MOST_FILES = 500
MOST_BYTES = 64 * 1024 * 1024  # unpacked, for the whole zip


class BadExport(ValueError):
    """The zip is not an export this app can read; the message says why in plain words."""


def _nested(words):
    """Content ids ("job.baker.name") as the nested tables a language file is written in."""
    tree = {}
    for content_id, text in sorted(words.items()):
        *tables, key = content_id.split(".")
        at = tree
        for table in tables:
            at = at.setdefault(table, {})
        at[key] = text
    return tree


def _flat(table, prefix=""):
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from _flat(value, name)
        else:
            yield name, value


def export_zip(school_id):
    """The zip of what the school has published, and how many items and pictures it holds."""
    files, words = store.files_and_words(store.items(school_id), drafts=False)
    named = {f"{store.OWN}{row['id']}": row for row in store.pictures(school_id)}
    used = {value for text in files.values() for _key, value in _flat(tomllib.loads(text))
            if isinstance(value, str) and value in named}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as packed:
        for path, text in sorted(files.items()):
            packed.writestr(f"activities/{path}", text)
        for code, table in sorted(words.items()):
            packed.writestr(f"activities/languages/{code}.toml", tomli_w.dumps(_nested(table)))
        manifest = []
        for picture_id in sorted(used):
            row = named[picture_id]
            packed.write(media.media_folder() / row["file"], f"symbols/{picture_id}.jpg")
            manifest.append({"id": picture_id, "file": f"{picture_id}.jpg", "label": {"en": row["label"]},
                             "source": "school", "licence": "the school's own"})
        packed.writestr("symbols/manifest.toml", tomli_w.dumps({"symbol": manifest}))
    return out.getvalue(), len(files), len(used)


def read_export(data):
    """(files, words, pictures) of an export: path -> TOML, language -> content id -> text,
    picture id -> (label, JPEG bytes). Raises BadExport."""
    try:
        packed = zipfile.ZipFile(io.BytesIO(data))
        entries = packed.infolist()
    except (zipfile.BadZipFile, ValueError):
        raise BadExport(_("That file is not a zip of content exported from this app.")) from None
    if len(entries) > MOST_FILES or sum(e.file_size for e in entries) > MOST_BYTES:
        raise BadExport(_("That zip is too big to be an export of one school's content."))
    names = {e.filename for e in entries if not e.is_dir()}

    def text(name):
        try:
            return packed.read(name).decode("utf-8")
        except UnicodeDecodeError:
            raise BadExport(_("%(name)s is not UTF-8 text.", name=name)) from None

    files, words, pictures = {}, {}, {}
    for name in sorted(names):
        if name.startswith("activities/languages/") and name.endswith(".toml"):
            code = name.rsplit("/", 1)[1].removesuffix(".toml")
            try:
                words[code] = {key: value for key, value in _flat(tomllib.loads(text(name))) if isinstance(value, str)}
            except tomllib.TOMLDecodeError as error:
                raise BadExport(f"{name}: not valid TOML: {error}") from None
        elif name.startswith("activities/"):
            files[name.removeprefix("activities/")] = text(name)
        elif name != "symbols/manifest.toml" and not name.startswith("symbols/"):
            raise BadExport(_("%(name)s is not part of a content export.", name=name))
    if "symbols/manifest.toml" in names:
        try:
            manifest = tomllib.loads(text("symbols/manifest.toml")).get("symbol", [])
        except tomllib.TOMLDecodeError as error:
            raise BadExport(f"symbols/manifest.toml: not valid TOML: {error}") from None
        for entry in manifest:
            picture_id, file = str(entry.get("id", "")), str(entry.get("file", ""))
            label = str((entry.get("label") or {}).get("en", "")).strip()
            if not picture_id.startswith(store.OWN) or f"symbols/{file}" not in names or not label:
                raise BadExport(_("symbols/manifest.toml names a picture %(id)s without its file or label.",
                                  id=picture_id))
            pictures[picture_id] = (label, packed.read(f"symbols/{file}"))
    if not files:
        raise BadExport(_("That zip has no content files in it."))
    return files, words, pictures


def check_export(files, words, pictures, english, symbols, words_known=True):
    """content.extend over the export, with its pictures as symbols; the catalogue. Raises
    content.ContentError for a file, BadExport for a translation of no text of it."""
    own = {picture_id: Symbol(picture_id, "", {"en": label}, "school", "the school's own", store.digest(data))
           for picture_id, (label, data) in pictures.items()}
    catalogue = content.extend(english, files, ChainMap(own, symbols) if own else symbols)
    if words_known:
        known = dict(content.content_ids(catalogue))
        for code, table in words.items():
            wrong = sorted(set(table) - set(known))
            if wrong:
                raise BadExport(f"activities/languages/{code}.toml: field '{wrong[0]}' names no text in the content")
    return catalogue


def _renamed(text, names):
    """A file with each picture id it names changed (an imported picture gets a new id)."""
    def walk(value):
        if isinstance(value, dict):
            return {key: walk(each) for key, each in value.items()}
        if isinstance(value, list):
            return [walk(each) for each in value]
        return names.get(value, value) if isinstance(value, str) else value

    return tomli_w.dumps(walk(tomllib.loads(text)))


@bp.get("/export")
def export():
    admin_required()
    data, items, pictures = export_zip(g.user["school_id"])
    audit.log_action(g.user["school_id"], f"Content: exported {items} items and {pictures} pictures")
    response = current_app.response_class(data, mimetype="application/zip")
    response.headers["Content-Disposition"] = attachment("our-content.zip")
    return response


@bp.route("/import", methods=["GET", "POST"])
@media.accepts_uploads
def import_content():
    admin_required()
    if request.method == "GET":
        return render("authoring/import.html")
    school_id = g.user["school_id"]
    upload = request.files.get("export")
    try:
        if upload is None or not upload.filename:
            raise BadExport(_("Please choose the zip file another school exported."))
        files, words, pictures = read_export(upload.read())
        have = {row["path"] for row in store.items(school_id)}
        skipped = sorted(path for path in files if path in have)
        files = {path: text for path, text in files.items() if path not in have}
        if not files:
            raise BadExport(_("Your school has every item of that export already."))
        drafts, _words = store.files_and_words(store.items(school_id), drafts=True)
        check_export({**drafts, **files}, words, pictures, current_app.extensions["catalogue"],
                     store.symbols_of(school_id), words_known=False)
        photos = {picture_id: (label, media.clean_photo(data)) for picture_id, (label, data) in pictures.items()}
    except (BadExport, content.ContentError, media.Refused) as problem:
        return render("authoring/import.html", problem=str(problem)), 400
    db = get_db()
    with transaction(db):
        names = {old: f"{store.OWN}{store.add_picture(db, school_id, photo, label, g.user['id'])}"
                 for old, (label, photo) in photos.items()}
        for path, text in sorted(files.items()):
            stem = path.split("/", 1)[1].removesuffix(".toml")
            folder = path.split("/", 1)[0]
            prefixes = {"jobs": (f"job.{stem}.",), "local": (f"local.{stem}.",), "guess-my-job": (f"clue.{stem}.",),
                        "who-can": (f"who-can.{stem}.",)}.get(folder, (f"place.{folder}.{stem}.",))
            said = {code: {cid: t for cid, t in table.items() if cid.startswith(prefixes)} for code, table in words.items()}
            store.save(db, school_id, path, _renamed(text, names), {c: t for c, t in said.items() if t}, g.user["id"])
        audit.log_action(school_id, f"Content: imported {len(files)} items and {len(names)} pictures as drafts")
    return render("authoring/import.html", imported=sorted(files), skipped=skipped,
                  index=url_for("authoring.index"))


def check_export_file(export):
    """`flask content check --export FILE`: check a zip of a school's content (Our own
    content, Export) against the app's own content, as an import would."""
    with open(export, "rb") as handle:
        data = handle.read()
    try:
        files, words, pictures = read_export(data)
        check_export(files, words, pictures, current_app.extensions["catalogue"], current_app.extensions["symbols"])
    except (BadExport, content.ContentError) as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(f"{export}: {len(files)} files, {len(pictures)} pictures and "
               f"{sum(len(t) for t in words.values())} translations: all valid.")


def init_app(app):
    app.extensions["content_export_check"] = check_export_file
