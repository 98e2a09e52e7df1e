"""Retention: each kind of record is kept for the period set in configuration (RETAIN_* in
SETTINGS), then deleted by `flask retention --delete`.

`flask retention` alone lists what is past its period and changes nothing. With `--delete` it
deletes it, each kind in one transaction (rows first, then the files those rows named, so a
crash leaves at most a file no row names, which the media sweep removes), and writes what it
did to the audit log of each school concerned and to stdout.

A learner's careers records (answers, passport pages, photos, recordings, notes) are one kind:
they are kept while the learner is here and for RETAIN_CAREERS_MONTHS after the month staff
record that they left (at least 36: careers guidance asks for three years after leaving), then
the learner is erased as an admin would erase them. A learner with no leaving month is kept.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import click
from flask import current_app
from flask.cli import with_appcontext

from .db import get_db, now, transaction
from .media import WrongDatabase, sweep_orphans

CAREERS_MINIMUM_MONTHS = 36
ACTOR = {"actor_role": "system", "actor_id": 0, "actor_name": "flask retention"}


def month_start(months_ago, today=None):
    """The first day of the month `months_ago` months before this one."""
    today = today or date.today()
    index = today.year * 12 + today.month - 1 - months_ago
    return date(index // 12, index % 12 + 1, 1)


def days_ago(days):
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


@dataclass
class Kind:
    name: str
    setting: str
    find: Callable  # (db, period) -> rows, each with "id", "school_id" (or None) and "what"
    # (db, rows) -> None, run inside one transaction; None for learners, who are erased one by
    # one as an admin erases them (staff.erase_learner_data).
    delete: Callable | None


def _ids(rows):
    return [row["id"] for row in rows]


def _marks(rows):
    return ",".join("?" * len(rows))


def _left_learners(db, months):
    # Left in July 2023, kept 36 months: kept to the end of July 2026, due from August.
    last_due = month_start(months + 1).isoformat()[:7]
    return [dict(row, what=f"{row['name']} (left {row['left_on']})") for row in db.query(
        "SELECT id, school_id, name, left_on FROM learners WHERE left_on IS NOT NULL AND left_on <= ? "
        "ORDER BY left_on, id", [last_due])]


def _audit(db, months):
    cutoff = month_start(months).isoformat()
    return [dict(row, what=f"{row['at'][:10]} {row['action']}") for row in db.query(
        "SELECT id, school_id, at, action FROM audit_log WHERE at < ? ORDER BY at", [cutoff])]


def _delete_audit(db, rows):
    db.execute(f"DELETE FROM audit_log WHERE id IN ({_marks(rows)})", _ids(rows))


def _invitations(db, days):
    # An invitation ends when it is used, cancelled or runs out.
    return [dict(row, what=f"invitation {row['id']} (ended {row['ended'][:10]})") for row in db.query(
        """SELECT invitations.id, learners.school_id, coalesce(used_at, revoked_at, expires_at) AS ended
           FROM invitations JOIN learners ON learners.id = invitations.learner_id
           WHERE coalesce(used_at, revoked_at, expires_at) < ?""", [days_ago(days)])]


def _delete_invitations(db, rows):
    db.execute(f"DELETE FROM invitations WHERE id IN ({_marks(rows)})", _ids(rows))


SIGN_IN_TABLES = (("sign_ins", "rowid", "seen_at"), ("failed_sign_ins", "rowid", "at"),
                  ("join_attempts", "rowid", "at"))


def _sign_ins(db, days):
    cutoff = days_ago(days)
    found = []
    for table, key, column in SIGN_IN_TABLES:
        found += [{"id": (table, row[0]), "school_id": None, "what": f"{table} from {row[1][:10]}"}
                  for row in db.execute(f"SELECT {key}, {column} FROM {table} WHERE {column} < ?", [cutoff])]
    return found


def _delete_sign_ins(db, rows):
    for table, key, _column in SIGN_IN_TABLES:
        ids = [row["id"][1] for row in rows if row["id"][0] == table]
        if ids:
            db.execute(f"DELETE FROM {table} WHERE {key} IN ({','.join('?' * len(ids))})", ids)


def _class_sessions(db, days):
    return [dict(row, what=f"classroom session {row['id']} ({row['ended'][:10]})") for row in db.query(
        """SELECT id, school_id, coalesce(ended_at, updated_at) AS ended FROM class_sessions
           WHERE coalesce(ended_at, updated_at) < ?""", [days_ago(days)])]


def _delete_class_sessions(db, rows):
    ids, marks = _ids(rows), _marks(rows)
    # The answers given in a session are the learners' own records: they stay, unlinked.
    db.execute(f"UPDATE plays SET session_id = NULL WHERE session_id IN ({marks})", ids)
    db.execute(f"DELETE FROM session_members WHERE session_id IN ({marks})", ids)
    db.execute(f"DELETE FROM class_sessions WHERE id IN ({marks})", ids)


def _voided_badges(db, days):
    return [dict(row, what=f"badge {row['id']} (voided {row['voided_at'][:10]})") for row in db.query(
        """SELECT badges.id, learners.school_id, voided_at FROM badges
           JOIN learners ON learners.id = badges.learner_id WHERE voided_at < ?""", [days_ago(days)])]


def _delete_badges(db, rows):
    db.execute(f"DELETE FROM badges WHERE id IN ({_marks(rows)})", _ids(rows))


def _unlinked_families(db, days):
    # A family's notes belong to the learner's record, so a family that wrote one stays
    # until that record goes.
    return [dict(row, school_id=None, what=f"family account {row['id']}") for row in db.query(
        """SELECT id FROM families WHERE created_at < ?
           AND id NOT IN (SELECT family_id FROM family_links)
           AND id NOT IN (SELECT family_id FROM page_notes WHERE family_id IS NOT NULL)""",
        [days_ago(days)])]


def _delete_families(db, rows):
    ids, marks = _ids(rows), _marks(rows)
    db.execute(f"DELETE FROM invitations WHERE used_by IN ({marks})", ids)
    db.execute(f"DELETE FROM sign_ins WHERE role = 'family' AND user_id IN ({marks})", ids)
    db.execute(f"DELETE FROM families WHERE id IN ({marks})", ids)


KINDS = [
    Kind("learners who left, with their whole careers record", "RETAIN_CAREERS_MONTHS",
         _left_learners, None),
    Kind("audit log entries", "RETAIN_AUDIT_MONTHS", _audit, _delete_audit),
    Kind("family invitations", "RETAIN_INVITATION_DAYS", _invitations, _delete_invitations),
    Kind("sign-in records", "RETAIN_SIGN_IN_DAYS", _sign_ins, _delete_sign_ins),
    Kind("classroom sessions", "RETAIN_CLASS_SESSION_DAYS", _class_sessions, _delete_class_sessions),
    Kind("voided badges", "RETAIN_VOIDED_BADGE_DAYS", _voided_badges, _delete_badges),
    Kind("family accounts linked to no learner", "RETAIN_UNLINKED_FAMILY_DAYS",
         _unlinked_families, _delete_families),
]


def past_period(db, config):
    """(kind, period, rows) for every kind, in the order of KINDS."""
    if int(config["RETAIN_CAREERS_MONTHS"]) < CAREERS_MINIMUM_MONTHS:
        raise click.ClickException(
            f"RETAIN_CAREERS_MONTHS is {config['RETAIN_CAREERS_MONTHS']}: careers records are kept "
            f"at least {CAREERS_MINIMUM_MONTHS} months after a learner leaves.")
    return [(kind, int(config[kind.setting]), kind.find(db, int(config[kind.setting]))) for kind in KINDS]


def _log(db, school_id, action, learner_id=None, learner_name=None):
    db["audit_log"].insert(dict(ACTOR, at=now(), school_id=school_id, action=action,
                                learner_id=learner_id, learner_name=learner_name))


def delete(db, kind, period, rows):
    """Delete `rows` of `kind` and log it; returns the lines written to stdout."""
    from .staff import erase_learner_data

    unit = "months" if kind.setting.endswith("MONTHS") else "days"
    if kind.delete is None:
        lines = []
        for row in rows:
            erase_learner_data(row["id"])  # rows in one transaction, then files
            _log(db, row["school_id"], f"retention: erased a learner who left {row['left_on']} "
                 f"({period} {unit} after leaving have passed)", row["id"], "(erased learner)")
            lines.append(f"deleted learner {row['id']} who left {row['left_on']}, with every answer, "
                         "page, photo and recording")
        return lines
    action = f"retention: deleted {len(rows)} {kind.name} older than {period} {unit}"
    with transaction(db):
        kind.delete(db, rows)
        schools = {row["school_id"] for row in rows}
        if None in schools:  # not tied to one school: every school's log says so
            schools = {row[0] for row in db.execute("SELECT id FROM schools")}
        for school_id in sorted(schools):
            _log(db, school_id, action)
    return [action.removeprefix("retention: ")]


@click.command("retention")
@click.option("--delete", "do_delete", is_flag=True, help="delete what is listed (default: only list it)")
@with_appcontext
def retention_command(do_delete):
    """List every record kept longer than its retention period; with --delete, delete them."""
    db = get_db()
    found = past_period(db, current_app.config)
    for kind, period, rows in found:
        unit = "months" if kind.setting.endswith("MONTHS") else "days"
        click.echo(f"{kind.name} ({kind.setting} = {period} {unit}): {len(rows)} past their period")
        if kind.delete is None:  # name each learner, so staff can check before deleting
            for row in rows:
                click.echo(f"  {row['what']}")
    if not do_delete:
        click.echo("Nothing was deleted. Run `flask retention --delete` to delete these.")
        return
    for kind, period, rows in found:
        if rows:
            for line in delete(db, kind, period, rows):
                click.echo(line)
    # Files a crash left behind (written, but their row never committed, or deleted rows').
    try:
        swept = sweep_orphans(db, grace_minutes=60)
        click.echo(f"Removed {len(swept)} media files that no record names.")
    except WrongDatabase as problem:
        click.echo(f"Warning: {problem}", err=True)
    # Learners' files uploaded for an import that was never confirmed (names, dates of birth,
    # UPNs): kept a day at most.
    from .school.imports import sweep_uploads, uploads_folder

    click.echo(f"Removed {sweep_uploads(uploads_folder())} import uploads older than a day that were never confirmed.")
    click.echo("Done: what was deleted is written in the audit log.")


def init_app(app):
    app.cli.add_command(retention_command)
