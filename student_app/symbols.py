"""Symbols: image files plus one manifest (id, file, label per language, source, licence)."""

import base64
import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import AppGroup
from flask import Blueprint, abort, current_app, send_file, send_from_directory
from markupsafe import Markup

from .read_once import read_once

bp = Blueprint("symbols", __name__)

IMAGE_SUFFIXES = {".svg", ".png", ".jpg", ".jpeg", ".webp"}


@dataclass(frozen=True)
class Symbol:
    id: str
    file: str
    labels: dict
    source: str
    licence: str
    picture: str = ""  # what it shows: a digest of the image, the same for a copy under another id

    def label(self, lang="en"):
        return self.labels.get(lang) or self.labels["en"]


class ManifestError(ValueError):
    """The manifest cannot be used; the message names every problem."""


def problems(folder):
    """Every problem with the manifest in `folder`, as plain sentences; empty if none."""
    folder = Path(folder)
    path = folder / "manifest.toml"
    try:
        entries = tomllib.loads(path.read_text(encoding="utf-8")).get("symbol", [])
    except (OSError, tomllib.TOMLDecodeError) as error:
        return [f"{path}: cannot be read: {error}"]
    found, seen, pictures = [], set(), {}
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}: symbol {number} ({entry.get('id', 'no id')})"
        for field in ("id", "file", "source", "licence"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                found.append(f"{where}: field '{field}' is missing")
        label = entry.get("label")
        if not isinstance(label, dict) or not str(label.get("en", "")).strip():
            found.append(f"{where}: field 'label.en' is missing")
        symbol_id = entry.get("id")
        if symbol_id in seen:
            found.append(f"{where}: id '{symbol_id}' is used twice")
        seen.add(symbol_id)
        file = entry.get("file")
        if isinstance(file, str) and file.strip():
            image = (folder / file).resolve()
            if not image.is_relative_to(folder.resolve()):
                found.append(f"{where}: file '{file}' is outside the symbols folder")
            elif not image.is_file():
                found.append(f"{where}: file '{file}' does not exist")
            elif image.suffix.lower() not in IMAGE_SUFFIXES:
                found.append(f"{where}: file '{file}' is not an SVG, PNG, JPEG or WebP image")
            else:
                # A learner knows a symbol by its picture: two ids showing one picture would
                # say two things with it (the same file twice, or a copy of it).
                first = pictures.setdefault(hashlib.sha256(image.read_bytes()).hexdigest(), symbol_id)
                if first != symbol_id:
                    found.append(f"{where}: symbol {symbol_id} shows the same picture as {first}: "
                                 "one picture, one meaning")
    return found


def load(folder):
    """Read and check the manifest, returning symbols by id."""
    found = problems(folder)
    if found:
        raise ManifestError("\n".join(found))
    entries = tomllib.loads((Path(folder) / "manifest.toml").read_text(encoding="utf-8"))["symbol"]
    return {
        e["id"]: Symbol(e["id"], e["file"], dict(e["label"]), e["source"], e["licence"],
                        hashlib.sha256((Path(folder) / e["file"]).read_bytes()).hexdigest())
        for e in entries
    }


def get_symbols():
    """The app's symbols, and in a request the pictures of the viewer's school (which
    `school_symbols`, if the app has one, gives: see authoring.store)."""
    own = current_app.extensions.get("school_symbols")
    found = own() if own is not None else None
    return found if found is not None else current_app.extensions["symbols"]


@bp.get("/symbols/<symbol_id>")
def image(symbol_id):
    symbol = get_symbols().get(symbol_id)
    if symbol is None:
        abort(404)
    if symbol.source == "school":  # a school's own picture, for its own people only
        response = send_file(symbol.file, mimetype="image/jpeg", max_age=3600)
        response.headers["Cache-Control"] = "private, max-age=3600"
        return response
    return send_from_directory(current_app.config["SYMBOLS_DIR"], symbol.file, max_age=86400)


symbols_cli = AppGroup("symbols", help="Symbol manifest commands.")


@symbols_cli.command("check")
def check_command():
    """Check the manifest: every file present, ids unique, every label given, no picture shared."""
    folder = current_app.config["SYMBOLS_DIR"]
    found = problems(folder)
    for problem in found:
        click.echo(problem, err=True)
    if found:
        raise SystemExit(1)
    click.echo(f"{len(load(folder))} symbols, all present and labelled.")


IMAGE_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
               ".webp": "image/webp"}


SHEET_STYLE = """
body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #111; background: #fff; }
h2 { margin-top: 2rem; border-bottom: 2px solid #333; }
ul { list-style: none; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(11rem, 1fr));
     gap: 0.75rem; }
li { border: 1px solid #666; border-radius: 0.5rem; padding: 0.5rem; break-inside: avoid; }
li.shared { border: 3px solid #8a1c1c; }
img { display: block; width: 96px; height: 96px; margin: 0 auto 0.25rem; }
.label { font-weight: bold; font-size: 1.1rem; }
.id, .others { font-size: 0.85rem; }
.shared-note { color: #8a1c1c; font-size: 0.85rem; font-weight: bold; }
"""


def sheet(folder, symbols):
    """A contact sheet of every symbol, grouped by kind (the id's first word), with its id and
    labels, and each picture that stands for more than one id marked: one HTML file with the
    pictures inside it, for the people who write content to check by eye (in English, as the
    manifest is). Returns the page and how many pictures stand for more than one id."""
    same_picture = {}
    for symbol in symbols.values():
        same_picture.setdefault(symbol.picture, []).append(symbol.id)
    groups = {}
    for symbol in sorted(symbols.values(), key=lambda s: s.id):
        groups.setdefault(symbol.id.split("-", 1)[0], []).append(symbol)
    shared = sum(1 for ids in same_picture.values() if len(ids) > 1)
    parts = [Markup('<!doctype html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n<title>{} symbols - '
                    'My Career Steps</title>\n<style>{}</style>\n</head>\n<body>\n<main>\n<h1>{} symbols</h1>\n'
                    '<p>Check that each picture shows what its label says. A picture with a red border stands '
                    'for more than one id: {} pictures do.</p>\n').format(
        len(symbols), Markup(SHEET_STYLE), len(symbols), shared)]
    for group, members in sorted(groups.items()):
        parts.append(Markup("<h2>{} ({})</h2>\n<ul>\n").format(group, len(members)))
        for symbol in members:
            also = [other for other in same_picture[symbol.picture] if other != symbol.id]
            image = (f"data:{IMAGE_TYPES[Path(symbol.file).suffix.lower()]};base64,"
                     + base64.b64encode((Path(folder) / symbol.file).read_bytes()).decode())
            others = "; ".join(f"{code}: {words}" for code, words in sorted(symbol.labels.items()) if code != "en")
            parts.append(Markup('<li{}><img src="{}" alt=""><div class="label">{}</div><div class="id"><code>{}</code>'
                                '</div>{}{}</li>\n').format(
                Markup(' class="shared"') if also else "", image, symbol.label("en"), symbol.id,
                Markup('<div class="others">{}</div>').format(others) if others else "",
                Markup('<div class="shared-note">Same picture as: {}</div>').format(", ".join(also)) if also else ""))
        parts.append(Markup("</ul>\n"))
    parts.append(Markup("</main>\n</body>\n</html>\n"))
    return "".join(parts), shared


@symbols_cli.command("sheet")
@click.option("--output", default="symbols-sheet.html", show_default=True, type=click.Path(dir_okay=False),
              help="The HTML file to write.")
def sheet_command(output):
    """Write a contact sheet: every symbol with its labels, to check each picture by eye."""
    folder = current_app.config["SYMBOLS_DIR"]
    symbols = get_symbols()
    page, shared = sheet(folder, symbols)
    Path(output).write_text(page, encoding="utf-8")
    click.echo(f"Wrote {output}: {len(symbols)} symbols; {shared} pictures stand for more than one id.")


def init_app(app):
    folder = app.config["SYMBOLS_DIR"]
    app.extensions["symbols"] = dict(read_once(("symbols", str(folder)), [folder], lambda: load(folder)))
    app.register_blueprint(bp)
    app.cli.add_command(symbols_cli)
