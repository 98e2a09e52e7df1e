import html
import time
import re
import shutil

import pyotp
import pytest

from student_app import create_app, passwords
from student_app.db import connect, get_db, migrate
from student_app.demo import LEARNERS, STAFF, load_demo

# The tests sign in thousands of times; a check of werkzeug's scrypt takes a tenth of a second
# (student_app/passwords.py), and what a password check costs is not what they test. Made
# with this method, the demo school's hashes are quick to check; test_auth checks what ships.
SHIPPED_PASSWORD_METHOD = passwords.METHOD
passwords.METHOD = "pbkdf2:sha256:1000"


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory):
    """The demo school, made once: hashing its codes and passwords is the slow part."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    db = connect(path)
    migrate(db)
    load_demo(db)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.conn.close()
    return path


@pytest.fixture
def app(tmp_path, monkeypatch, demo_database):
    """The app with a fresh copy of the demo database for each test."""
    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path / "instance"))
    shutil.copy(demo_database, tmp_path / "test.sqlite3")
    return create_app(
        {
            "TESTING": True,
            "DATABASE": str(tmp_path / "test.sqlite3"),
            "AUDIO_DIR": str(tmp_path / "audio"),
            "WTF_CSRF_ENABLED": False,
        }
    )


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def learner_id(app, name):
    with app.app_context():
        return get_db().execute("SELECT id FROM learners WHERE name = ?", [name]).fetchone()[0]


def demo_code(name):
    return next(code for learner, _, code, *_ in LEARNERS if learner == name)


def enter_code(client, learner, code):
    """Tap the three pictures of a code, as the sign-in form sends them."""
    picks, response = [], None
    for pick in code:
        response = client.post(
            f"/sign-in/learner/{learner}", data={"picks": ",".join(picks), "pick": pick}
        )
        picks.append(pick)
    return response


def sign_in_as(client, app, role, name="Amira"):
    """Sign in as a demo learner (by name) or as demo staff ("staff" or "admin")."""
    if role == "learner":
        response = enter_code(client, learner_id(app, name), demo_code(name))
        assert response.status_code == 302, response.text
        return response
    name, email, password, _ = STAFF[0] if role == "admin" else STAFF[1]
    return sign_in_staff(client, app, email, password)


def sign_in_staff(client, app, email, password):
    """Password, then the two-step code (setting two-step sign-in up first if needed)."""
    response = client.post("/staff/sign-in", data={"email": email, "password": password})
    assert response.status_code == 302, response.text
    if response.headers["Location"].endswith("/set-up"):
        client.get("/staff/sign-in/set-up")  # makes the key
    # A code works only once; tests sign in many times a minute, so forget the last one used
    # (as if the next 30 seconds had come).
    with app.app_context():
        get_db().execute("UPDATE staff SET totp_last_step = 0 WHERE email = ?", [email])
    response = client.post(response.headers["Location"], data={"code": current_code(app, email)})
    assert response.status_code in (200, 302), response.text
    return response


def current_code(app, email, offset=0):
    with app.app_context():
        secret = get_db().execute("SELECT totp_secret FROM staff WHERE email = ?", [email]).fetchone()[0]
    return pyotp.TOTP(secret).at(int(time.time()) + offset)


def is_full_page(response):
    return "<html lang=" in response.text


def text_of(response):
    """The visible words of a page, with tags and spacing collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))
