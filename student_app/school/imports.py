"""Importing learners from an MIS export: the admin's screens (upload, preview, confirm) and
the command `flask learners import FILE --school ID`. The reading and planning is importer.py.

Between the preview and the confirm, the file's bytes wait on the server, in the instance
folder under a random name (mode 0600), named by a token in the page and tied to the admin
who uploaded it; never in the session cookie, which is small and goes to the browser. The
confirm reads and plans the same bytes again, and writes only if the plan is the one the
admin saw."""

import json
import os
import re
import secrets
import time
from pathlib import Path

import click
from flask import current_app, flash, g, redirect, request, session, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..db import get_db, transaction
from ..lookups import admin_required
from ..web import render
from . import bp, importer, records

UPLOAD_LIMIT = 5 * 1024 * 1024  # bytes in one upload: a 5,000-row export is well under 1 MB
KEEP_SECONDS = 24 * 60 * 60  # an upload nobody confirmed is deleted after a day
TOKEN = re.compile(r"[A-Za-z0-9_-]{24}")
COMMAND_ACTOR = {"actor_role": "system", "actor_id": 0, "actor_name": "flask learners import"}
EXAMPLE_HEADER = "Name,Date of birth,Class,UPN,Admission number,Career SEND Group"


def accepts_import(view):
    """Mark the view that takes a CSV file: its requests may be UPLOAD_LIMIT bytes."""
    view.upload_limit = UPLOAD_LIMIT
    return view


def set_import_limit():
    """As media.set_upload_limit: raise the body limit before CSRFProtect reads the form (a
    limit set in the view comes too late), for a signed-in user only."""
    view = current_app.view_functions.get(request.endpoint)
    limit = getattr(view, "upload_limit", None)
    if limit and session.get("token"):
        request.max_content_length = limit


# The uploads kept between preview and confirm.

def uploads_folder():
    folder = Path(current_app.instance_path) / "imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def write_private(path, data):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def sweep_uploads(folder):
    """Delete uploads (and finished imports' records) older than a day; returns how many.
    Run at each upload and by `flask retention --delete`."""
    cutoff, removed = time.time() - KEEP_SECONDS, 0
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += path.suffix == ".csv"
        except FileNotFoundError:
            pass
    return removed


def keep_upload(data, school_id, staff_id, make_classes, filename):
    """Keep an uploaded file until its import is confirmed; returns its token."""
    folder = uploads_folder()
    sweep_uploads(folder)
    token = secrets.token_urlsafe(18)
    write_private(folder / f"{token}.csv", data)
    write_private(folder / f"{token}.json", json.dumps({
        "school_id": school_id, "staff_id": staff_id, "make_classes": make_classes,
        "filename": filename, "at": time.time(), "result": None}).encode())
    return token


def read_meta(token):
    try:
        return json.loads((uploads_folder() / f"{token}.json").read_text())
    except (FileNotFoundError, ValueError):
        return None


def find_upload(token):
    """(what we know of the upload, its bytes or None once imported), or None if there is
    no such upload of the signed-in admin's, or it is more than a day old."""
    if not TOKEN.fullmatch(token):
        return None
    folder = uploads_folder()
    meta = read_meta(token)
    if meta is None or (meta["school_id"], meta["staff_id"]) != (g.user["school_id"], g.user["id"]) or (
            time.time() - meta["at"] > KEEP_SECONDS):
        return None
    if meta["result"] is not None:
        return meta, None
    try:
        return meta, (folder / f"{token}.csv").read_bytes()
    except FileNotFoundError:
        return None


def finish_upload(token, meta, result):
    """The file is imported: delete its bytes, keep what the import did for its page."""
    folder = uploads_folder()
    write_private(folder / f"{token}.json", json.dumps(dict(meta, result=result)).encode())
    (folder / f"{token}.csv").unlink(missing_ok=True)


def upload_gone():
    flash(_("That upload is no longer here (an upload is kept for one day). Please upload the file again."))
    return redirect(url_for("school.import_form"), 303)


# The screens.

@bp.get("/import")
def import_form():
    admin_required()
    return render("school/import.html", make_classes=True, error=None, example=EXAMPLE_HEADER)


@bp.post("/import")
@accepts_import
def upload_import():
    admin_required()
    make_classes = request.form.get("make_classes") == "on"
    upload = request.files.get("file")
    error = None
    if upload is None or not upload.filename:
        error = _("Please choose the CSV file to import.")
    else:
        try:
            data = upload.read()
            importer.read_rows(data)
        except importer.FileRefused as refused:
            error = str(refused)
    if error:
        return render("school/import.html", make_classes=make_classes, error=error, example=EXAMPLE_HEADER), 400
    token = keep_upload(data, g.user["school_id"], g.user["id"], make_classes, records.clean_text(upload.filename)[-200:])
    return redirect(url_for("school.import_preview", import_token=token), 303)


def preview_page(token, meta, plan, status=200, changed=False, must_choose=False):
    return render("school/import_preview.html", token=token, filename=meta["filename"], plan=plan,
                  counts=plan.counts, changed=changed, must_choose=must_choose), status


def plan_upload(db, meta, data):
    return importer.plan(db, g.user["school_id"], importer.read_rows(data), make_classes=meta["make_classes"])


@bp.get("/import/<import_token>")
def import_preview(import_token):
    """What the upload would do, row by row; or, once imported, what it did."""
    admin_required()
    found = find_upload(import_token)
    if found is None:
        return upload_gone()
    meta, data = found
    if data is None:
        return render("school/import_done.html", result=meta["result"], filename=meta["filename"])
    return preview_page(import_token, meta, plan_upload(get_db(), meta, data))


@bp.post("/import/<import_token>")
def confirm_import(import_token):
    admin_required()
    found = find_upload(import_token)
    if found is None:
        return upload_gone()
    meta, data = found
    if data is None:  # imported already (the confirm sent twice)
        return redirect(url_for("school.import_preview", import_token=import_token), 303)
    skip = request.form.get("skip_errors") == "on"
    db = get_db()
    # The plan and the writes in one transaction: nobody changes the learners in between.
    with transaction(db):
        plan = plan_upload(db, meta, data)
        if plan.fingerprint() != request.form.get("plan"):
            return preview_page(import_token, meta, plan, status=409, changed=True)
        if plan.counts["error"] and not skip:
            return preview_page(import_token, meta, plan, status=400, must_choose=True)
        result = importer.apply(db, g.user["school_id"], plan, None, skip_errors=skip, filename=meta["filename"])
    names = {importer.fold(row.class_name) for row in plan.rows if row.action in ("add", "update")}
    result["classes"] = [{"id": row["id"], "name": row["name"]} for row in db.query(
        "SELECT id, name FROM classes WHERE school_id = ? AND archived_at IS NULL ORDER BY name COLLATE NOCASE",
        [g.user["school_id"]]) if importer.fold(row["name"]) in names]
    finish_upload(import_token, meta, result)
    return redirect(url_for("school.import_preview", import_token=import_token), 303)


# The command.

learners_cli = AppGroup("learners", help="Learners of a school: import them from an MIS export.")


def describe(row):
    """One row's outcome, in a line of plain words."""
    where = f" ({row.class_name})" if row.class_name else ""
    text = f"line {row.line}: {row.action} {row.name}{where}"
    if row.changes:
        text += ": " + "; ".join(f"{detail} {old or '(none)'} -> {new}" for detail, old, new in row.changes)
    if row.errors:
        text += ": " + "; ".join(f"{column}: {reason}" for column, reason in row.errors)
    if row.notes:
        text += " [" + "; ".join(row.notes) + "]"
    return text


@learners_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--school", "school_id", type=int, required=True, help="the id of the school to import into")
@click.option("--dry-run", is_flag=True, help="show what would happen, and write nothing")
@click.option("--skip-errors", is_flag=True, help="import the rows without errors, and skip the rest")
@click.option("--strict", is_flag=True, help="refuse classes that are not in the app (by default they are made)")
def import_command(file, school_id, dry_run, skip_errors, strict):
    """Import learners from FILE, a CSV exported from the MIS (SIMS, Arbor, Bromcom...).

    Learners are matched by UPN, admission number, or name and month of birth; new ones are
    added and changed ones updated. A learner missing from the file is never changed."""
    db = get_db()
    if not db.execute("SELECT 1 FROM schools WHERE id = ?", [school_id]).fetchone():
        schools = ", ".join(f"{row[0]} ({row[1]})" for row in db.execute("SELECT id, name FROM schools ORDER BY id"))
        raise click.ClickException(f"There is no school with id {school_id}. The schools are: {schools or 'none yet'}.")
    try:
        rows = importer.read_rows(Path(file).read_bytes())
    except importer.FileRefused as refused:
        raise click.ClickException(f"{file}: {refused}") from None
    plan = importer.plan(db, school_id, rows, make_classes=not strict)
    for row in plan.rows:
        click.echo(describe(row))
    counts = plan.counts
    click.echo(f"{counts['add']} to add, {counts['update']} to update, {counts['unchanged']} unchanged, "
               f"{counts['error']} with errors.")
    if rows.ignored:
        click.echo(f"Columns not read: {', '.join(rows.ignored)}.")
    if counts["error"] and not skip_errors:
        raise click.ClickException(
            f"{counts['error']} rows have errors, so nothing was written. Correct them in the file, or "
            "run again with --skip-errors to import the other rows.")
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    result = importer.apply(db, school_id, plan, COMMAND_ACTOR, skip_errors=skip_errors, filename=Path(file).name)
    click.echo(f"Imported: {result['added']} added, {result['updated']} updated, {result['unchanged']} "
               f"unchanged, {result['skipped']} skipped. This import is in the audit log.")


def init_app(app):
    # First of all: CSRFProtect reads the form in its own before_request.
    app.before_request_funcs.setdefault(None, []).insert(0, set_import_limit)
    app.cli.add_command(learners_cli)
