"""The permission matrix: every route in the app's URL map, for every role, gets the answer in
this one table. A new route without a row here fails the test.

Roles, in the order of each row's letters: A signed out, L the learner whose data the URLs
name (Amira), O another learner of the class (Chloe), F Amira's family, G another family
(Chloe's), S a teacher of their school, X staff of another school, D an admin of their school.
Letters: i = sent to sign in, n = 403 or 404, y = allowed (any answer below 500 other than
those two: a bad empty form gets 400, a wrong moment 409).
"""

import io

import pytest
from werkzeug.security import generate_password_hash

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, sign_in_staff
from tests.test_library import fake_webm, jpeg_with_gps

ROLES = "ALOFGSXD"
# Pages anyone may open (sign-in pages, public files, signed narration links).
OPEN = {"about", "auth.badge", "auth.badge_sign_in", "auth.check_code", "auth.choose_learner",
        "auth.enter_code", "auth.family_sign_in", "auth.index", "auth.sign_in", "auth.sign_out",
        "auth.staff_sign_in", "family.join", "narration.clip", "static", "symbols.image",
        "two_factor.code", "two_factor.enrol"}
MATRIX = {
    "auth.sign_ins": "innyyyyy", "auth.end_other_sign_ins": "innyyyyy", "auth.change_password": "innyyyyy",
    "behalf.activity": "innnnyny", "behalf.answer": "innnnyny", "behalf.done": "innnnyny",
    "behalf.job_card": "innnnyny", "behalf.start": "innnnyny", "behalf.step": "innnnyny",
    "classroom.answer": "iynnnnnn", "classroom.live": "iynnnnnn", "classroom.join": "iyynnnnn",
    "classroom.answer_for": "innnnyny", "classroom.control": "innnnyny",
    "classroom.new_session": "innnnyny", "classroom.projector": "innnnyny",
    "classroom.step": "innnnyny", "classroom.summary": "innnnyny",
    "family.home": "innyynnn",
    "family_passport.add_note": "innynnnn", "family_passport.book": "innynnnn",
    "family_passport.hide_note": "innnnnnn", "family_passport.new_page": "innnnnnn",
    "family_passport.page": "innynnnn", "family_passport.pdf": "innynnnn",
    "family_passport.print_page": "innynnnn",
    "learner.activity": "iyynnnnn", "learner.answer": "iyynnnnn", "learner.clue": "iyynnnnn",
    "learner.guess": "iyynnnnn", "learner.heard_clue": "iyynnnnn", "learner.home": "iyynnnnn",
    "learner.make_guess": "iyynnnnn", "learner.settings": "iyynnnnn", "learner.start": "iyynnnnn",
    "learner.sharing": "iyynnnnn", "learner.save_sharing": "iynnnnnn",
    "library.activity": "iyynnnnn", "library.answer": "iyynnnnn", "library.done": "iyynnnnn",
    "library.job_card": "iyynnnnn", "library.start": "iyynnnnn", "library.step": "iyynnnnn",
    "media.serve": "nynynyny", "media.thumb": "nynynyny",
    "passport.add_note": "innnnnnn", "passport.book": "iyynnnnn", "passport.hide_note": "innnnnnn",
    "passport.new_page": "iyynnnnn", "passport.page": "iynnnnnn", "passport.pdf": "iyynnnnn",
    "passport.print_page": "iyynnnnn",
    # Language and colours: anyone, signed in or not (an empty form gets 400).
    "preferences.save": "yyyyyyyy",
    "preview.activity": "innnnyyy", "preview.answer": "innnnyyy", "preview.done": "innnnyyy",
    "preview.job_card": "innnnyyy", "preview.start": "innnnyyy", "preview.step": "innnnyyy",
    "staff.audit_log": "innnnnny", "staff.class_benchmarks": "innnnyny",
    "staff.class_benchmarks_csv": "innnnyny", "staff.erase_learner": "innnnnny",
    "staff.export_learner": "innnnnny", "staff.home": "innnnyyy", "staff.invite_family": "innnnyny",
    "staff.issue_badge": "innnnyny", "staff.issue_class_badges": "innnnyny",
    "staff.portfolio": "innnnyny", "staff.record_observation": "innnnyny",
    "staff.revoke_invitation": "innnnyny", "staff.save_settings": "innnnyny",
    "staff.tag_photo": "innnnyny", "staff.save_transcript": "innnnyny", "staff.end_learner_sessions": "innnnyny",
    "staff.staff_access": "innnnnny", "staff.family_access": "innnnnny",
    "staff.save_send_details": "innnnyny", "staff.add_private_note": "innnnyny",
    "staff.void_badge": "innnnyny", "staff.void_class_badges": "innnnyny",
    "staff_passport.add_note": "innnnyny", "staff_passport.book": "innnnyny",
    "staff_passport.hide_note": "innnnyny", "staff_passport.new_page": "innnnyny",
    "staff_passport.page": "innnnyny", "staff_passport.pdf": "innnnyny",
    "staff_passport.print_page": "innnnyny",
    "two_factor.reset": "innnnnny",
    "voices.delete": "innnnyny", "voices.list_phrases": "innnnyyy", "voices.play": "nyyyyyny",
    "voices.save": "innnnyyy",
}


def test_every_route_has_a_row(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - OPEN - set(MATRIX) == set(), "add these routes to the permission matrix"
    assert set(MATRIX) - endpoints == set(), "these rows name routes that no longer exist"
    assert all(len(row) == len(ROLES) and set(row) <= set("iny") for row in MATRIX.values())


@pytest.fixture
def world(app):
    """Amira's data of every kind, and a client for each role."""
    clients = {role: app.test_client() for role in ROLES}
    amira, chloe = learner_id(app, "Amira"), learner_id(app, "Chloe")
    with app.app_context():
        db = get_db()
        other_school = db["schools"].insert({"name": "Elm School"}).last_pk
        db["staff"].insert({"school_id": other_school, "email": "elm@example.org", "name": "Elm",
                            "password_hash": generate_password_hash("elm-password-1"), "is_admin": 0})
        third = db["staff"].insert({"school_id": 1, "email": "third@oaktree.example", "name": "Third",
                                    "password_hash": "x", "is_admin": 0}).last_pk
        family = db["families"].insert({"email": "chloe.family@example.org", "name": "Chloe's family",
                                        "password_hash": generate_password_hash("chloe-family-1"),
                                        "created_at": "2026-01-01T00:00:00+00:00"}).last_pk
        db["family_links"].insert({"family_id": family, "learner_id": chloe})
        db.execute("UPDATE learners SET family_visible = 1 WHERE id = ?", [chloe])
    sign_in_as(clients["L"], app, "learner", "Amira")
    sign_in_as(clients["O"], app, "learner", "Chloe")
    clients["F"].post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    clients["G"].post("/family/sign-in", data={"email": "chloe.family@example.org", "password": "chloe-family-1"})
    sign_in_as(clients["S"], app, "staff")
    sign_in_staff(clients["X"], app, "elm@example.org", "elm-password-1")
    sign_in_as(clients["D"], app, "admin")
    # Amira's data: a page with a photo and a staff note, an invitation, a class session she
    # joined, and a recorded voice for the school.
    clients["L"].post("/passport/new", data={"kind": "tried", "what": "Photo page", "happened_on": "2026-11-01",
                                             "photos": [(io.BytesIO(jpeg_with_gps()), "p.jpg")],
                                             "did_voice": (io.BytesIO(fake_webm()), "did.webm")},
                      content_type="multipart/form-data")
    with app.app_context():
        db = get_db()
        page = db.execute("SELECT id FROM passport_pages WHERE learner_id = ? ORDER BY id DESC", [amira]).fetchone()[0]
        photo = db.execute("SELECT media_id FROM passport_photos WHERE page_id = ?", [page]).fetchone()[0]
        voice = db.execute("SELECT did_voice FROM passport_pages WHERE id = ?", [page]).fetchone()[0]
    clients["S"].post(f"/staff/learners/{amira}/passport/pages/{page}/notes", data={"text": "A note"})
    clients["S"].post(f"/staff/learners/{amira}/invitations")
    session = clients["S"].post("/staff/classes/1/sessions/new", data={"job": ["nurse"]})
    session_id = int(session.headers["Location"].rsplit("/", 1)[1])
    clients["S"].post("/staff/voices", data={"text": "Home", "voice": (io.BytesIO(fake_webm()), "v.webm")},
                      content_type="multipart/form-data")
    with app.app_context():
        db = get_db()
        code = db.execute("SELECT code FROM class_sessions WHERE id = ?", [session_id]).fetchone()[0]
        ids = {
            "note_id": db.execute("SELECT id FROM page_notes").fetchone()[0],
            "invitation_id": db.execute("SELECT id FROM invitations").fetchone()[0],
            "recording_id": db.execute("SELECT id FROM voice_recordings").fetchone()[0],
            "family_id": db.execute("SELECT id FROM families WHERE email = 'family@oaktree.example'").fetchone()[0],
        }
    clients["L"].post(f"/join/{code}")
    args = {"learner_id": amira, "class_id": 1, "job_id": "nurse", "number": 1, "activity_id": "all-about-me",
            "item": "mine", "group": 1, "page_id": page, "media_id": photo, "voice_id": voice, "session_id": session_id,
            "code": code, "staff_id": third, "secret": "x", "symbol_id": "nav-home", "token": "x",
            "filename": "css/app.css", **ids}
    return clients, args


def restore_recording(app, recording_id):
    with app.app_context():
        get_db().execute(
            """INSERT OR IGNORE INTO voice_recordings (id, school_id, lang, text, file, mimetype, created_at)
               VALUES (?, 1, 'en', 'Home', 'gone.webm', 'audio/webm', '2026-01-01T00:00:00+00:00')""",
            [recording_id])


def outcome(response):
    if response.status_code >= 500:
        return "!"
    if response.status_code in (403, 404):
        return "n"
    if response.status_code == 302 and "sign-in" in response.headers["Location"]:
        return "i"
    return "y"


def test_the_permission_matrix(app, world):
    clients, args = world
    requests = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            requests.append((method != "GET", rule.endpoint, method, rule.build(args)[1]))
    wrong = []
    # Every GET first: a POST (a void, a hide, a delete) must not change what a GET finds.
    for _is_post, endpoint, method, url in sorted(requests):
        expected = MATRIX.get(endpoint)
        for number, role in enumerate(ROLES):
            if endpoint == "auth.sign_out":
                continue
            if endpoint == "voices.delete":  # the recording each role tries to delete is there
                restore_recording(app, args["recording_id"])
            with clients[role].open(url, method=method) as response:
                found = outcome(response)
            if found == "!" or (expected is not None and found != expected[number]):
                wrong.append(f"{method} {url} as {role}: expected {expected[number] if expected else 'no 5xx'}, got {found}")
        if endpoint == "staff.end_learner_sessions":  # staff signed Amira out: she signs in again
            sign_in_as(clients["L"], app, "learner", "Amira")
    assert not wrong, "\n".join(wrong)
