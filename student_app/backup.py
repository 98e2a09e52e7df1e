"""Backups that restore: `flask backup` and `flask restore`.

A backup is a dated folder holding a consistent copy of the database (SQLite's online backup,
safe while the app runs), every media file, and `manifest.json` with a SHA-256 checksum of
each file and the row count of each table. Each backup is complete on its own, so a damaged
newer one never stops an older one from restoring. `flask restore` checks every checksum
before it copies anything, restores into an empty instance folder, and checks the row counts.
"""

import hashlib
import json
import shutil
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

DATABASE_NAME = "student_app.sqlite3"


def sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            digest.update(block)
    return digest.hexdigest()


def row_counts(path):
    db = sqlite3.connect(path)
    try:
        tables = [r[0] for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        return {table: db.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}
    finally:
        db.close()


def make_backup(database, media_dir, backups_dir):
    """Write a new dated backup folder and return its path."""
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H%M%S%fZ")
    folder = Path(backups_dir) / stamp
    (folder / "media").mkdir(parents=True)
    source, target = sqlite3.connect(database), sqlite3.connect(folder / DATABASE_NAME)
    try:
        source.backup(target)  # a consistent copy even while the app is writing
    finally:
        target.close()
        source.close()
    files = {DATABASE_NAME: sha256(folder / DATABASE_NAME)}
    media_dir = Path(media_dir)
    if media_dir.is_dir():
        for path in sorted(media_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):  # not a half-written upload
                shutil.copy2(path, folder / "media" / path.name)
                files[f"media/{path.name}"] = sha256(folder / "media" / path.name)
    manifest = {"created_at": stamp, "files": files, "rows": row_counts(folder / DATABASE_NAME)}
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return folder


class RestoreError(click.ClickException):
    """A backup that cannot be restored; the message says which file or table is wrong."""


def restore_backup(folder, instance):
    """Check the backup, then copy it into an empty instance folder and check the rows."""
    folder, instance = Path(folder), Path(instance)
    try:
        manifest = json.loads((folder / "manifest.json").read_text())
    except (OSError, ValueError) as error:
        raise RestoreError(f"{folder}: manifest.json cannot be read ({error})") from None
    for name, expected in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise RestoreError(f"{folder}: {name} is missing")
        if sha256(path) != expected:
            raise RestoreError(f"{folder}: {name} is damaged (its checksum does not match)")
    if instance.exists() and any(instance.iterdir()):
        raise RestoreError(f"{instance} is not empty; restore into a new, empty folder")
    (instance / "media").mkdir(parents=True, exist_ok=True)
    shutil.copy2(folder / DATABASE_NAME, instance / DATABASE_NAME)
    for name in manifest["files"]:
        if name.startswith("media/"):
            shutil.copy2(folder / name, instance / name)
    counts = row_counts(instance / DATABASE_NAME)
    if counts != manifest["rows"]:
        raise RestoreError(f"{instance}: row counts differ from the backup's manifest")
    return counts


@click.command("backup")
@click.option("--to", "backups_dir", type=click.Path(file_okay=False),
              help="folder for backups (default: backups/ in the instance folder)")
@with_appcontext
def backup_command(backups_dir):
    """Write a consistent, checksummed backup of the database and media."""
    app = current_app
    folder = make_backup(app.config["DATABASE"], Path(app.instance_path) / "media",
                         backups_dir or Path(app.instance_path) / "backups")
    manifest = json.loads((folder / "manifest.json").read_text())
    click.echo(f"Backup written to {folder}: {len(manifest['files'])} files, "
               f"{sum(manifest['rows'].values())} rows.")


@click.command("restore")
@click.argument("backup", type=click.Path(exists=True, file_okay=False))
@click.argument("instance", type=click.Path(file_okay=False))
def restore_command(backup, instance):
    """Check BACKUP and restore it into the empty folder INSTANCE."""
    counts = restore_backup(backup, instance)
    click.echo(f"Restored {backup} into {instance}: every checksum and "
               f"{sum(counts.values())} rows in {len(counts)} tables match.")
    click.echo(f"Start the app on it with STUDENT_APP_INSTANCE={instance}.")


def init_app(app):
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
