import re

from student_app import ROOT, SETTINGS, create_app
from student_app.db import connect, get_db, migrate, MIGRATIONS


def test_secret_key_is_made_once_and_kept_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path))
    first = create_app({"DATABASE": str(tmp_path / "a.sqlite3")})
    second = create_app({"DATABASE": str(tmp_path / "a.sqlite3")})
    assert len(first.secret_key) >= 64 and first.secret_key == second.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_settings_come_from_environment_variables(tmp_path, monkeypatch):
    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path))
    monkeypatch.setenv("STUDENT_APP_LEARNER_IDLE_MINUTES", "5")
    monkeypatch.setenv("STUDENT_APP_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["LEARNER_IDLE_MINUTES"] == 5
    assert app.secret_key == "from-the-environment"
    assert app.config["DATABASE"] == str(tmp_path / "student_app.sqlite3")


def test_every_setting_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    for name in SETTINGS:
        assert f"STUDENT_APP_{name}" in readme, name


def test_database_uses_wal_foreign_keys_and_a_busy_timeout(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000


def test_migrations_run_once_and_are_recorded(tmp_path):
    db = connect(tmp_path / "x.sqlite3")
    assert migrate(db) == list(range(1, len(MIGRATIONS) + 1))
    assert migrate(db) == []
    assert {"learners", "responses", "badges"} <= set(db.table_names())


def test_foreign_keys_are_enforced(app):
    import sqlite3
    import pytest

    with app.app_context():
        with pytest.raises(sqlite3.IntegrityError):
            get_db().execute(
                "INSERT INTO plays (learner_id, activity, item, started_at) VALUES (999, 'x', 'y', 'z')"
            )


def test_every_command_has_help(runner):
    for command in (["init-db"], ["demo"], ["symbols", "check"], ["content", "check"],
                    ["narration", "build"]):
        result = runner.invoke(args=command + ["--help"])
        assert result.exit_code == 0 and len(result.output) > 40, command


def test_demo_command_prints_the_sign_ins(runner):
    result = runner.invoke(args=["demo"])
    assert "teacher@oaktree.example / oak-tree-teacher" in result.output
    assert "Amira" in result.output


def test_pages_load_nothing_from_another_site(client, app):
    from tests.conftest import sign_in_as

    sign_in_as(client, app, "learner")
    for url in ("/home", "/activities/guess-my-job", "/passport", "/about"):
        page = client.get(url)
        assert not re.search(r'(src|href)="(https?:)?//', page.text), url
        assert "default-src 'self'" in page.headers["Content-Security-Policy"]


def test_htmx_2_is_vendored_with_its_licence():
    htmx = (ROOT / "static" / "vendor" / "htmx.min.js").read_text()
    assert 'version:"2.' in htmx.replace(" ", "")
    assert (ROOT / "static" / "vendor" / "LICENSE-htmx.txt").exists()


def test_security_headers_and_hsts_only_over_https(client):
    page = client.get("/about")
    policy = page.headers["Content-Security-Policy"]
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in policy
    assert "unsafe-inline" not in policy and "Strict-Transport-Security" not in page.headers
    secure = client.get("/about", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_kept_page_addresses_are_the_ones_flask_builds(app):
    """web.App keeps each address it builds: the same as Flask's, for the path the app is served
    under, and never for an endpoint whose blueprint fills in its arguments from the request."""
    from flask import Flask, url_for
    from werkzeug.routing import IntegerConverter

    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint != "static"]
    for root in ("", "/school"):
        with app.test_request_context("/", base_url=f"http://localhost{root}"):
            for rule in rules:
                args = {name: 7 if isinstance(rule._converters[name], IntegerConverter) else "abc"
                        for name in rule.arguments}
                args.update(rule.defaults or {})
                built = Flask.url_for(app, rule.endpoint, **args)
                assert url_for(rule.endpoint, **args) == url_for(rule.endpoint, **args) == built
                assert built.startswith(root + "/")
            assert url_for("about", page=2) == root + "/about?page=2"
    # A staff member's pages of one learner take whose record it is from the request; the
    # learner's own library, passport and review pages do not (fills_in).
    assert not app._keeps("behalf.activity") and not app._keeps("staff_review.pack")
    assert not app._keeps("preview.activity") and not app._keeps("family_passport.book")
    assert app._keeps("library.activity") and app._keeps("passport.book") and app._keeps("review.meetings")
    assert app._keeps("staff.portfolio") and app._keeps("about")
