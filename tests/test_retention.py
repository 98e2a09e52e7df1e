"""Retention: `flask retention` lists records past their period, and with --delete deletes them,
rows and files together, and says so in the audit log and on stdout. Dates are moved into the
past to make records old."""

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from student_app.db import get_db
from student_app.retention import month_start
from tests.conftest import learner_id, sign_in_as
from tests.test_backup import add_photo_page


def ago(days):
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat(timespec="seconds")


def media_files(app):
    folder = Path(app.instance_path) / "media"
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def test_staff_record_the_month_a_learner_left(client, app):
    # The month they left is on the learner's details page (an admin's), the one place for it.
    sign_in_as(client, app, "admin")
    amira = learner_id(app, "Amira")
    url = f"/staff/school/learners/{amira}"
    assert client.post(f"{url}/left", data={"left_on": "2026-07"}).status_code == 302
    with app.app_context():
        assert get_db()["learners"].get(amira)["left_on"] == "2026-07"
    page = client.get(url)
    assert 'name="left_on"' in page.text and 'value="2026-07"' in page.text
    assert 'name="left_on"' not in client.get(f"/staff/learners/{amira}").text
    for bad in ("July", "2026-13", "1890-01", f"{date.today().year + 5}-01", "2026-07-01"):
        response = client.post(f"{url}/left", data={"left_on": bad})
        assert response.status_code == 400 and "the month they left" in response.text
    assert client.post(f"{url}/back").status_code == 302
    with app.app_context():
        assert get_db()["learners"].get(amira)["left_on"] is None  # back at school


def test_a_learner_is_kept_36_months_after_leaving_then_erased_with_their_files(client, app, runner):
    add_photo_page(client, app, "Work experience at the vet")
    amira, ben, chloe = (learner_id(app, name) for name in ("Amira", "Ben", "Chloe"))
    with app.app_context():
        db = get_db()
        files = {name for row in db.query("SELECT file, thumb_file FROM media WHERE learner_id = ?", [amira])
                 for name in row.values()}
        assert files and files <= media_files(app)
        # Amira left 37 months ago: past the period. Ben left 36 months ago: still kept.
        db.execute("UPDATE learners SET left_on = ? WHERE id = ?", [month_start(37).isoformat()[:7], amira])
        db.execute("UPDATE learners SET left_on = ? WHERE id = ?", [month_start(36).isoformat()[:7], ben])
        # Amira took part in a classroom session and has a badge and a sign-in.
        session = db["class_sessions"].insert({
            "school_id": 1, "class_id": 1, "staff_id": 1, "activity": "guess-my-job", "items": '["nurse"]',
            "code": "ABCDEF", "created_at": ago(1), "updated_at": ago(1)}).last_pk
        db["session_members"].insert({"session_id": session, "learner_id": amira, "joined_at": ago(1)})
        db["session_members"].insert({"session_id": session, "learner_id": chloe, "joined_at": ago(1)})
        db["badges"].insert({"learner_id": amira, "secret_hash": "h", "issued_at": ago(1)})

    listed = runner.invoke(args=["retention"])
    assert listed.exit_code == 0, listed.output
    assert "learners who left" in listed.output and "Amira (left" in listed.output
    assert "Ben (left" not in listed.output and "Nothing was deleted" in listed.output
    with app.app_context():
        assert get_db()["learners"].get(amira)  # listing changes nothing

    deleted = runner.invoke(args=["retention", "--delete"])
    assert deleted.exit_code == 0, deleted.output
    assert f"deleted learner {amira}" in deleted.output
    with app.app_context():
        db = get_db()
        assert not db.execute("SELECT 1 FROM learners WHERE id = ?", [amira]).fetchone()
        for table in ("plays", "responses", "passport_pages", "media", "badges", "session_members", "family_links"):
            assert not db.execute(f"SELECT 1 FROM {table} WHERE learner_id = ?", [amira]).fetchone(), table
        assert db.execute("SELECT 1 FROM learners WHERE id = ?", [ben]).fetchone()
        assert db.execute("SELECT 1 FROM session_members WHERE learner_id = ?", [chloe]).fetchone()
        logged = db.execute("SELECT actor_role, learner_name, action FROM audit_log WHERE learner_id = ? "
                            "ORDER BY id DESC", [amira]).fetchone()
        assert logged[0] == "system" and logged[1] == "(erased learner)" and "retention" in logged[2]
        # No entry in the log still names her.
        assert not db.execute("SELECT 1 FROM audit_log WHERE learner_name = 'Amira'").fetchone()
    assert not files & media_files(app)


def test_every_other_kind_goes_after_its_own_period(app, runner):
    amira = learner_id(app, "Amira")
    with app.app_context():
        db = get_db()
        old, recent = month_start(37).isoformat() + "T09:00:00+00:00", ago(20)
        for at in (old, recent):
            db["audit_log"].insert({"at": at, "school_id": 1, "actor_role": "staff", "actor_id": 1,
                                    "actor_name": "Sam", "learner_id": amira, "learner_name": "Amira",
                                    "action": "viewed portfolio"})
        for ended in (ago(91), ago(10)):
            db["invitations"].insert({"learner_id": amira, "token_hash": ended, "code_hash": ended,
                                      "created_by": 1, "created_at": ended, "expires_at": ended})
        for seen in (ago(31), ago(1)):
            db["sign_ins"].insert({"token_hash": seen, "role": "learner", "user_id": amira,
                                   "created_at": seen, "seen_at": seen})
            db["failed_sign_ins"].insert({"key": "address:10.0.0.1", "at": seen})
            db["join_attempts"].insert({"learner_id": amira, "at": seen})
        sessions = []
        for ended in (ago(366), ago(5)):
            sessions.append(db["class_sessions"].insert({
                "school_id": 1, "class_id": 1, "staff_id": 1, "activity": "guess-my-job", "items": '["nurse"]',
                "code": ended, "created_at": ended, "updated_at": ended, "ended_at": ended, "phase": "ended"}).last_pk)
            db["session_members"].insert({"session_id": sessions[-1], "learner_id": amira, "joined_at": ended})
        play = db["plays"].insert({"learner_id": amira, "activity": "guess-my-job", "item": "nurse",
                                   "started_at": ago(366), "session_id": sessions[0]}).last_pk
        for voided in (ago(366), ago(5)):
            db["badges"].insert({"learner_id": amira, "secret_hash": voided, "issued_at": voided,
                                 "voided_at": voided})
        gone, kept = (db["families"].insert({"email": f"{n}@example.org", "name": n, "password_hash": "x",
                                             "created_at": at}).last_pk for n, at in (("gone", ago(31)), ("kept", ago(2))))
        linked = 1  # the demo family, linked to Amira and Ben, made today
        db.execute("UPDATE families SET created_at = ? WHERE id = ?", [ago(400), linked])

    listed = runner.invoke(args=["retention"])
    assert "audit log entries (RETAIN_AUDIT_MONTHS = 36 months): 1 past" in listed.output, listed.output
    assert "family invitations (RETAIN_INVITATION_DAYS = 90 days): 1 past" in listed.output
    assert "sign-in records (RETAIN_SIGN_IN_DAYS = 30 days): 3 past" in listed.output
    assert "classroom sessions (RETAIN_CLASS_SESSION_DAYS = 365 days): 1 past" in listed.output
    assert "voided badges (RETAIN_VOIDED_BADGE_DAYS = 365 days): 1 past" in listed.output
    assert "family accounts linked to no learner (RETAIN_UNLINKED_FAMILY_DAYS = 30 days): 1 past" in listed.output

    result = runner.invoke(args=["retention", "--delete"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        db = get_db()
        count = lambda sql, *args: db.execute(sql, args).fetchone()[0]  # noqa: E731
        assert count("SELECT count(*) FROM audit_log WHERE action = 'viewed portfolio'") == 1
        assert count("SELECT count(*) FROM invitations") == 1
        assert count("SELECT count(*) FROM sign_ins") == 1
        assert count("SELECT count(*) FROM failed_sign_ins") == 1
        assert count("SELECT count(*) FROM join_attempts") == 1
        assert [row[0] for row in db.execute("SELECT id FROM class_sessions")] == [sessions[1]]
        # Her answer from the old session is her own record: it stays, no longer linked.
        assert db["plays"].get(play)["session_id"] is None
        assert count("SELECT count(*) FROM badges") == 1
        assert {row[0] for row in db.execute("SELECT id FROM families")} == {kept, linked}
        assert gone not in {kept, linked}
        actions = [row[0] for row in db.execute("SELECT action FROM audit_log WHERE actor_role = 'system'")]
    for what in ("1 audit log entries", "1 family invitations", "3 sign-in records", "1 classroom sessions",
                 "1 voided badges", "1 family accounts"):
        assert any(what in action for action in actions), what
        assert what in result.output
    again = runner.invoke(args=["retention"])
    assert "1 past" not in again.output and "3 past" not in again.output


def test_careers_records_cannot_be_kept_less_than_three_years(app, runner):
    app.config["RETAIN_CAREERS_MONTHS"] = 24
    result = runner.invoke(args=["retention", "--delete"])
    assert result.exit_code != 0 and "at least 36 months" in result.output
