"""Security headers on every GET route (as a role allowed to open it), no inline script in any
template, error pages without a stack trace, and debug off unless asked for."""

import os
import re
from pathlib import Path

import pytest

from student_app import create_app, web
from tests.conftest import sign_in_as
from tests.test_permissions import MATRIX, OPEN, ROLES
from tests.test_permissions import world  # noqa: F401  (the demo data of every kind, signed-in clients)

ROOT = Path(__file__).resolve().parent.parent


def csp_directives(header):
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def check_headers(response, where):
    headers = response.headers
    csp = csp_directives(headers["Content-Security-Policy"])
    # Scripts only from the app's own files: nothing inline, no eval, nothing from elsewhere.
    scripts = csp.get("script-src", csp["default-src"])
    assert scripts == ["'self'"], where
    assert not any("unsafe" in value for values in csp.values() for value in values), where
    assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"], where
    assert csp["frame-ancestors"] == ["'none'"] and csp["form-action"] == ["'self'"], where
    assert headers["X-Content-Type-Options"] == "nosniff", where
    assert headers["Referrer-Policy"] == "same-origin", where
    assert "Strict-Transport-Security" not in headers, where  # only over HTTPS
    if response.mimetype == "text/html":
        assert headers["Cache-Control"] == "no-store", where
    if response.mimetype.startswith(("image/", "audio/")) and "/media/" in where:
        assert headers["Cache-Control"] == "private, no-store", where
        assert headers["Content-Disposition"].startswith("inline; filename="), where


def test_every_get_route_sends_the_security_headers(app, world):  # noqa: F811
    clients, args = world
    checked = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        row = "y" * len(ROLES) if rule.endpoint in OPEN else MATRIX[rule.endpoint]
        # A role that may open it; for a page nobody opens by GET, the refusal's headers.
        role = ROLES[row.index("y")] if "y" in row else ROLES[row.index("n")]
        url = rule.build(args)[1]
        with clients[role].get(url) as response:
            assert response.status_code < 500, url
            check_headers(response, f"GET {url} as {role}")
        checked.add(rule.endpoint)
    assert len(checked) > 60
    # Error pages too.
    with clients["A"].get("/no/such/page") as response:
        assert response.status_code == 404
        check_headers(response, "a 404")


def test_strict_transport_security_over_https(client):
    response = client.get("/about", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_no_template_has_inline_script_or_event_handlers():
    """The CSP would block them: a page must work from the app's script files alone."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text()
        for pattern, what in ((r"<script(?![^>]*\bsrc=)[^>]*>", "inline <script>"),
                              (r"<[^>]*\son[a-z]+\s*=\s*[\"']", "an on* handler"),
                              (r"javascript:", "a javascript: URL"),
                              (r"\bstyle\s*=|<style", "inline style"),
                              (r"hx-on|hx-vals='js:|hx-vals=\"js:", "htmx evaluating script")):
            if re.search(pattern, text, re.IGNORECASE):
                found.append(f"{path.relative_to(ROOT)}: {what}")
    assert found == []
    base = (ROOT / "templates" / "base.html").read_text()
    assert '"allowEval": false' in base and '"allowScriptTags": false' in base


def test_the_apps_own_scripts_write_no_markup():
    """No innerHTML, eval or new Function in the app's scripts: text goes in as text."""
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|\beval\(|new Function|document\.write",
                             path.read_text()), path.name


@pytest.fixture
def real_app(tmp_path, monkeypatch, demo_database):
    """The app as started for real: no TESTING, so an exception becomes a 500 page."""
    import shutil

    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path / "instance"))
    shutil.copy(demo_database, tmp_path / "real.sqlite3")
    app = create_app({"DATABASE": str(tmp_path / "real.sqlite3"), "AUDIO_DIR": str(tmp_path / "audio")})

    def broken():
        raise RuntimeError("secret detail from /work/student_app/db.py line 42")

    app.add_url_rule("/broken", "broken", broken)
    return app


def test_an_error_page_never_shows_a_stack_trace_and_debug_is_off(real_app):
    assert real_app.debug is False and not real_app.testing
    assert real_app.config["PROPAGATE_EXCEPTIONS"] is None  # so Flask turns exceptions into a 500
    client = real_app.test_client()
    response = client.get("/broken")
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.text
    for leak in ("Traceback", "RuntimeError", "secret detail", ".py", "werkzeug", "Werkzeug"):
        assert leak not in response.text
    check_headers(response, "a 500")
    for status, url in ((404, "/no/such/page"), (405, "/account/devices/sign-out-others")):
        page = client.get(url)
        assert page.status_code == status and "Traceback" not in page.text and "werkzeug" not in page.text.lower()


def test_debug_is_on_only_when_asked_for(tmp_path, monkeypatch, demo_database):
    monkeypatch.setenv("STUDENT_APP_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    assert create_app({"DATABASE": str(demo_database)}).debug is False
    monkeypatch.setenv("STUDENT_APP_DEBUG", "true")
    assert create_app({"DATABASE": str(demo_database)}).debug is True


def test_session_cookie_is_httponly_samesite_and_secure_when_asked(client, app):
    response = sign_in_as(client, app, "learner", "Amira")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    app.config["SESSION_COOKIE_SECURE"] = True
    secure = sign_in_as(app.test_client(), app, "learner", "Ben").headers["Set-Cookie"]
    assert "Secure" in secure


def test_static_files_are_kept_until_they_change(client, app, tmp_path, monkeypatch):
    """The style sheet and scripts of a page are at versioned addresses that browsers keep for
    a year; a changed file gets a new address, and an unversioned one is checked each time."""
    page = client.get("/about").text
    addresses = re.findall(r'(?:href|src)="(/static/[^"]+)"', page)
    assert len(addresses) >= 7 and all("?v=" in address for address in addresses), addresses
    with client.get(addresses[0]) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get(addresses[0].split("?")[0]) as response:
        assert "immutable" not in response.headers.get("Cache-Control", "")
    # A new version of a file (here a copy of the static folder with one file touched): a new address.
    static = tmp_path / "static"
    static.mkdir()
    (static / "app.css").write_text("body {}")
    app.static_folder = str(static)
    with app.test_request_context():
        from flask import url_for

        before = url_for("static", filename="app.css")
        os.utime(static / "app.css", ns=(1, 1))
        assert url_for("static", filename="app.css") == before  # the time looked up is kept a while
        monkeypatch.setattr(web, "STAMP_SECONDS", 0)  # ...and then looked up again
        assert url_for("static", filename="app.css") != before
