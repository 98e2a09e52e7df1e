"""Backups are consistent and checksummed, restore into a clean folder, and an older backup
still restores when a newer one is damaged."""

import io

import pytest

from student_app.db import get_db
from tests.conftest import sign_in_as
from tests.test_library import jpeg_with_gps


def add_photo_page(client, app, what):
    sign_in_as(client, app, "learner", "Amira")
    client.post("/passport/new", data={"kind": "tried", "what": what, "happened_on": "2026-11-01",
                                       "photos": [(io.BytesIO(jpeg_with_gps()), "p.jpg")]},
                content_type="multipart/form-data")
    client.post("/sign-out")


def test_backup_then_restore_into_a_clean_folder(client, app, runner, tmp_path):
    add_photo_page(client, app, "Taster day at the bakery")
    result = runner.invoke(args=["backup", "--to", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    backup = next((tmp_path / "backups").iterdir())
    assert (backup / "manifest.json").is_file() and list((backup / "media").iterdir())
    restored = tmp_path / "restored"
    result = runner.invoke(args=["restore", str(backup), str(restored)])
    assert result.exit_code == 0 and "every checksum" in result.output, result.output
    import sqlite3
    db = sqlite3.connect(restored / "student_app.sqlite3")
    assert db.execute("SELECT count(*) FROM passport_pages WHERE what = 'Taster day at the bakery'").fetchone()[0] == 1
    files = db.execute("SELECT file, thumb_file FROM media").fetchall()
    assert files and all((restored / "media" / name).is_file() for row in files for name in row)
    # Restoring over something is refused.
    again = runner.invoke(args=["restore", str(backup), str(restored)])
    assert again.exit_code != 0 and "not empty" in again.output


def test_a_damaged_newer_backup_is_refused_and_an_older_one_still_restores(client, app, runner, tmp_path):
    backups = tmp_path / "backups"
    add_photo_page(client, app, "First visit")
    runner.invoke(args=["backup", "--to", str(backups)])
    add_photo_page(client, app, "Second visit")
    runner.invoke(args=["backup", "--to", str(backups)])
    older, newer = sorted(backups.iterdir())
    damaged = next((newer / "media").iterdir())
    damaged.write_bytes(b"broken" + damaged.read_bytes()[6:])
    result = runner.invoke(args=["restore", str(newer), str(tmp_path / "a")])
    assert result.exit_code != 0 and damaged.name in result.output and "damaged" in result.output
    assert not (tmp_path / "a").exists()  # nothing copied from a damaged backup
    result = runner.invoke(args=["restore", str(older), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM passport_pages").fetchone()[0] >= 4


@pytest.mark.parametrize("damage", ["database cut short", "manifest gone", "media file gone"])
def test_an_older_backup_restores_whatever_happened_to_the_newer_one(client, app, runner, tmp_path, damage):
    backups = tmp_path / "backups"
    add_photo_page(client, app, "First visit")
    assert runner.invoke(args=["backup", "--to", str(backups)]).exit_code == 0
    add_photo_page(client, app, "Second visit")
    assert runner.invoke(args=["backup", "--to", str(backups)]).exit_code == 0
    older, newer = sorted(backups.iterdir())
    if damage == "database cut short":
        database = newer / "student_app.sqlite3"
        database.write_bytes(database.read_bytes()[: database.stat().st_size // 2])
    elif damage == "manifest gone":
        (newer / "manifest.json").unlink()
    else:
        next((newer / "media").iterdir()).unlink()
    assert runner.invoke(args=["restore", str(newer), str(tmp_path / "a")]).exit_code != 0
    assert not (tmp_path / "a").exists()
    result = runner.invoke(args=["restore", str(older), str(tmp_path / "b")])
    assert result.exit_code == 0, result.output
    import sqlite3
    db = sqlite3.connect(tmp_path / "b" / "student_app.sqlite3")
    whats = {row[0] for row in db.execute("SELECT what FROM passport_pages")}
    assert "First visit" in whats and "Second visit" not in whats
