"""The permission matrix: every route in the app's URL map, for every role, gets the answer in
this one table. A new route without a row here fails the test.

Roles, in the order of each row's letters: A signed out, L the learner whose data the URLs
name (Amira), O another learner of the class (Chloe), F Amira's family, G another family
(Chloe's), S a teacher of their school, X staff of another school, D an admin of their school,
T a teaching assistant assigned to Amira's class, U a teaching assistant of her school assigned
only to another class.
Letters: i = sent to sign in, n = 403 or 404, y = allowed (any answer below 500 other than
those two: a bad empty form gets 400, a wrong moment 409).
"""

import io

import pytest
from student_app.passwords import hashed

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, sign_in_staff
from tests.test_authoring import BAKERY, CLUES, post
from tests.test_library import fake_webm, jpeg_with_gps

ROLES = "ALOFGSXDTU"
# Pages anyone may open (sign-in pages, public files, signed narration links).
OPEN = {"about", "auth.badge", "auth.badge_sign_in", "auth.check_code", "auth.choose_learner", "auth.choose_school",
        "auth.enter_code", "auth.family_sign_in", "auth.index", "auth.sign_in", "auth.sign_out",
        "auth.staff_sign_in", "family.join", "narration.clip", "static", "symbols.image",
        "two_factor.code", "two_factor.enrol", "school_join.join"}
MATRIX = {
    "auth.confirm_sign_out": "iyyyyyyyyy", "auth.sign_ins": "innyyyyyyy", "auth.end_other_sign_ins": "innyyyyyyy", "auth.change_password": "innyyyyyyy",
    "behalf.activity": "innnnynyyn", "behalf.answer": "innnnynyyn", "behalf.done": "innnnynyyn",
    "behalf.job_card": "innnnynyyn", "behalf.start": "innnnynyyn", "behalf.step": "innnnynyyn",
    "classroom.answer": "iynnnnnnnn", "classroom.live": "iynnnnnnnn", "classroom.join": "iyynnnnnnn",
    "classroom.answer_for": "innnnynyyn", "classroom.control": "innnnynyyn",
    "classroom.new_session": "innnnynyyn", "classroom.projector": "innnnynyyn",
    "classroom.step": "innnnynyyn", "classroom.summary": "innnnynyyn",
    "family.home": "innyynnnnn",
    "family_passport.add_note": "innynnnnnn", "family_passport.book": "innynnnnnn",
    "family_passport.hide_note": "innnnnnnnn", "family_passport.new_page": "innnnnnnnn",
    "family_passport.page": "innynnnnnn", "family_passport.pdf": "innynnnnnn",
    "family_passport.print_page": "innynnnnnn",
    "learner.activity": "iyynnnnnnn", "learner.answer": "iyynnnnnnn", "learner.clue": "iyynnnnnnn",
    "learner.guess": "iyynnnnnnn", "learner.heard_clue": "iyynnnnnnn", "learner.home": "iyynnnnnnn",
    "learner.make_guess": "iyynnnnnnn", "learner.settings": "iyynnnnnnn", "learner.start": "iyynnnnnnn",
    "learner.sharing": "iyynnnnnnn", "learner.save_sharing": "iynnnnnnnn",
    "library.activity": "iyynnnnnnn", "library.answer": "iyynnnnnnn", "library.done": "iyynnnnnnn",
    "library.job_card": "iyynnnnnnn", "library.start": "iyynnnnnnn", "library.step": "iyynnnnnnn",
    "media.serve": "nynynynyyn", "media.thumb": "nynynynyyn",
    "passport.add_note": "innnnnnnnn", "passport.book": "iyynnnnnnn", "passport.hide_note": "innnnnnnnn",
    "passport.new_page": "iyynnnnnnn", "passport.page": "iynnnnnnnn", "passport.pdf": "iyynnnnnnn",
    "passport.print_page": "iyynnnnnnn",
    # Language and colours: anyone, signed in or not (an empty form gets 400).
    "preferences.save": "yyyyyyyyyy",
    "preview.activity": "innnnyyyyy", "preview.answer": "innnnyyyyy", "preview.done": "innnnyyyyy",
    "preview.job_card": "innnnyyyyy", "preview.start": "innnnyyyyy", "preview.step": "innnnyyyyy",
    "staff.audit_log": "innnnnnynn", "staff.class_benchmarks": "innnnynyyn", "staff.class_page": "innnnynyyn",
    "staff.class_benchmarks_csv": "innnnynynn", "staff.erase_learner": "innnnnnynn",
    "staff.export_learner": "innnnnnynn", "staff.home": "innnnyyyyy", "staff.invite_family": "innnnynynn",
    "staff.issue_badge": "innnnynynn", "staff.issue_class_badges": "innnnynynn",
    "staff.portfolio": "innnnynyyn", "staff.record_observation": "innnnynyyn",
    "staff.revoke_invitation": "innnnynynn", "staff.save_settings": "innnnynynn",
    "staff.tag_photo": "innnnynynn", "staff.save_transcript": "innnnynyyn", "staff.end_learner_sessions": "innnnynyyn",
    "staff.staff_access": "innnnnnynn", "staff.family_access": "innnnnnynn",
    "staff.save_send_details": "innnnynynn", "staff.add_private_note": "innnnynyyn",
    "staff.void_badge": "innnnynynn", "staff.void_class_badges": "innnnynynn",
    "staff_passport.add_note": "innnnynyyn", "staff_passport.book": "innnnynyyn",
    "staff_passport.hide_note": "innnnynyyn", "staff_passport.new_page": "innnnynyyn",
    "staff_passport.page": "innnnynyyn", "staff_passport.pdf": "innnnynyyn",
    "staff_passport.print_page": "innnnynyyn",
    "two_factor.reset": "innnnnnynn",
    "voices.delete": "innnnynynn", "voices.list_phrases": "innnnyyyyy", "voices.play": "nyyyyynyyy",
    "voices.save": "innnnyyynn",
    # school: first run and staff accounts (admins only)
    "school.overview": "innnnnnynn", "school.staff_list": "innnnnnynn", "school.invite_staff": "innnnnnynn",
    "school.cancel_staff_invitation": "innnnnnynn", "school.change_staff": "innnnnnynn",
    # school: cards
    "school.class_cards": "innnnynynn", "school.learner_cards": "innnnynynn", "school.class_letters": "innnnynynn",
    # school: import
    "school.import_form": "innnnnnynn", "school.upload_import": "innnnnnynn",
    "school.import_preview": "innnnnnynn", "school.confirm_import": "innnnnnynn",
    # school: classes and learners, and the end of the year (a class and a learner of their own:
    # group_id, pupil_id)
    "school.classes": "innnnnnynn", "school.add_class": "innnnnnynn", "school.class_page": "innnnnnynn",
    "school.rename_class": "innnnnnynn", "school.assign_staff": "innnnnnynn", "school.archive_class": "innnnnnynn",
    "school.restore_class": "innnnnnynn", "school.new_learner": "innnnnnynn",
    "school.learner_details": "innnnynynn", "school.save_learner": "innnnnnynn", "school.move_learner": "innnnnnynn",
    "school.mark_left": "innnnnnynn", "school.take_back": "innnnnnynn",
    "school.learner_code": "innnnynynn", "school.reset_code": "innnnynynn", "school.left_learners": "innnnyyyyy",
    "school.move_up": "innnnnnynn", "school.move_up_preview": "innnnnnynn", "school.move_up_commit": "innnnnnynn",
    "school.leavers": "innnnnnynn", "school.leavers_preview": "innnnnnynn", "school.mark_leavers": "innnnnnynn",
    # issue 14: the passport, one question a screen (the learner's own draft; staff keep the one-page form)
    "passport.new_step": "iyynnnnnnn", "passport.answer_step": "iyynnnnnnn",
    "staff_passport.new_step": "innnnnnnnn", "staff_passport.answer_step": "innnnnnnnn",
    "family_passport.new_step": "innnnnnnnn", "family_passport.answer_step": "innnnnnnnn",
    # issue 15: guidance meetings and the annual review pack (the learner sees and ticks their
    # own; staff record; a family reads while sharing is on)
    "review.meetings": "iyynnnnnnn", "review.meeting": "iynnnnnnnn", "review.tick_action": "iynnnnnnnn",
    "review.new_meeting": "innnnnnnnn", "review.pack": "innnnnnnnn", "review.pack_pdf": "innnnnnnnn",
    "review.prepare": "innnnnnnnn", "review.save_profile": "innnnnnnnn", "review.add_note": "innnnnnnnn",
    "review.record_review": "innnnnnnnn",
    "staff_review.meetings": "innnnynyyn", "staff_review.meeting": "innnnynyyn",
    "staff_review.tick_action": "innnnynyyn", "staff_review.new_meeting": "innnnynyyn",
    "staff_review.pack": "innnnynyyn", "staff_review.pack_pdf": "innnnynyyn", "staff_review.prepare": "innnnynyyn",
    "staff_review.save_profile": "innnnynyyn", "staff_review.add_note": "innnnynyyn",
    "staff_review.record_review": "innnnynyyn",
    "family_review.meetings": "innynnnnnn", "family_review.meeting": "innynnnnnn",
    "family_review.pack": "innynnnnnn", "family_review.pack_pdf": "innynnnnnn",
    "family_review.tick_action": "innnnnnnnn", "family_review.new_meeting": "innnnnnnnn",
    "family_review.prepare": "innnnnnnnn", "family_review.save_profile": "innnnnnnnn",
    "family_review.add_note": "innnnnnnnn", "family_review.record_review": "innnnnnnnn",
    "guidance.class_actions": "innnnynyyn",
    "review.change_meeting": "innnnnnnnn", "staff_review.change_meeting": "innnnynyyn",
    "family_review.change_meeting": "innnnnnnnn",
    # issue 16: leavers' destinations (the whole school's for teachers and admins)
    "desk.destinations": "innnnyyynn", "desk.destinations_csv": "innnnyyynn",  # each school its own leavers
    "desk.learner_destinations": "innnnynyyn", "desk.record_destination": "innnnynynn",
    "desk.record_consent": "innnnynynn",
    # issue 16: encounters for a group, provider access per class, the termly review
    "desk.encounter_list": "innnnyyynn", "desk.new_encounter": "innnnyyynn",  # each school its own
    "desk.class_encounters": "innnnynyyn", "desk.termly_review": "innnnyyynn",
    "desk.termly_review_csv": "innnnyyynn", "desk.add_termly_note": "innnnyyynn",
    "desk.termly_note_done": "innnnynynn",
    "passport.add_to_page": "iynnnnnnnn", "staff_passport.add_to_page": "innnnnnnnn",
    "family_passport.add_to_page": "innnnnnnnn",
    # issue 16: the careers programme (a teaching assistant reads it; each school its own) and
    # its public page (anyone: it holds no learner data)
    "programme.programme": "innnnyyyyy", "programme.add_entry": "innnnyyynn",
    "programme.remove_entry": "innnnynynn", "programme.save_details": "innnnyyynn",
    "careers.public_page": "yyyyyyyyyy",
    # issue 19: a school's own content (teachers and admins of the school make it; admins
    # publish, export and import; each school its own)
    "authoring.index": "innnnyyynn", "authoring.new_item": "innnnyyynn", "authoring.save_new": "innnnyyynn",
    "authoring.pictures": "innnnyyynn", "authoring.item_page": "innnnynynn", "authoring.edit_item": "innnnynynn",
    "authoring.save_item": "innnnynynn", "authoring.translate": "innnnynynn",
    "authoring.preview_clues": "innnnynynn", "authoring.publish": "innnnnnynn",
    "authoring.export": "innnnnnynn", "authoring.import_content": "innnnnnynn",
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
                            "password_hash": hashed("elm-password-1"), "staff_role": "teacher"})
        other_class = db["classes"].insert({"school_id": 1, "name": "Class 5 (Birch)"}).last_pk
        for email, classes in (("ta@oaktree.example", [1]), ("ta.other@oaktree.example", [other_class])):
            assistant = db["staff"].insert({"school_id": 1, "email": email, "name": email[:8], "staff_role": "assistant",
                                            "password_hash": hashed("assistant-password-1")}).last_pk
            for class_id in classes:
                db["staff_classes"].insert({"staff_id": assistant, "class_id": class_id})
        school_class = db["classes"].insert({"school_id": 1, "name": "Class 9 (Ash)"}).last_pk  # school: classes
        third = db["staff"].insert({"school_id": 1, "email": "third@oaktree.example", "name": "Third",
                                    "password_hash": "x", "staff_role": "teacher"}).last_pk
        family = db["families"].insert({"email": "chloe.family@example.org", "name": "Chloe's family",
                                        "password_hash": hashed("chloe-family-1"),
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
    for letter, email in (("T", "ta@oaktree.example"), ("U", "ta.other@oaktree.example")):
        sign_in_staff(clients[letter], app, email, "assistant-password-1")
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
        from student_app.school.setup import new_staff_invitation
        new_staff_invitation(db, 1, "invited@oaktree.example", "Invited", "teacher")
        ids["staff_invitation_id"] = db.execute("SELECT max(id) FROM staff_invitations").fetchone()[0]
    clients["L"].post(f"/join/{code}")
    # issue 15: a guidance meeting for Amira, with an action of her own
    meeting = clients["S"].post(f"/staff/learners/{amira}/guidance/new", data={
        "held_on": "2026-11-20", "adviser": "Priya", "talked_about": "College",
        "action_1_text": "Visit", "action_1_who": "learner", "action_1_topic": "learning"})
    ids["meeting_id"] = int(meeting.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        db = get_db()
        ids["action_id"] = db.execute("SELECT id FROM guidance_actions WHERE meeting_id = ?",
                                      [ids["meeting_id"]]).fetchone()[0]
        # issue 16: Amira's page is an encounter's, which she may add to; a termly action
        encounter = db["encounters"].insert({"school_id": 1, "kind": "tried", "what": "Visit", "happened_on": "2026-11-01",
                                             "group_name": "Class 4", "created_at": "2026-11-01"}).last_pk
        db.execute("UPDATE passport_pages SET encounter_id = ? WHERE id = ?", [encounter, page])
        ids["termly_action_id"] = db["termly_notes"].insert({
            "school_id": 1, "term_end": "2026-12-31", "text": "Book talks", "due_on": "2027-01-10",
            "created_at": "2026-11-01"}).last_pk
    # issue 19: a job of the school's own, with its clues
    post(clients["S"], "/staff/content/jobs/new", BAKERY, **{"photo:symbol": jpeg_with_gps()})
    post(clients["S"], "/staff/content/guess-my-job/bakery-assistant/edit", CLUES)
    args = {"learner_id": amira, "class_id": 1, "job_id": "nurse", "number": 1, "activity_id": "all-about-me",
            "item": "mine", "group": 1, "page_id": page, "media_id": photo, "voice_id": voice, "session_id": session_id,
            "code": code, "staff_id": third, "secret": "x", "symbol_id": "nav-home", "token": "x",
            "filename": "css/app.css", "import_token": "x", "school_id": 1, **ids,
            # school: classes and learners
            "group_id": school_class, "pupil_id": learner_id(app, "Ben"),
            # issue 14: the passport, one question a screen
            "step": "place",
            # issue 16: an entry of the demo school's careers programme
            "entry_id": programme_entry(app),
            # issue 19: the school's own job
            "folder": "jobs", "slug": "bakery-assistant", "language": "cy"}
    return clients, args


def restore_recording(app, recording_id):
    with app.app_context():
        get_db().execute(
            """INSERT OR IGNORE INTO voice_recordings (id, school_id, lang, text, file, mimetype, created_at)
               VALUES (?, 1, 'en', 'Home', 'gone.webm', 'audio/webm', '2026-01-01T00:00:00+00:00')""",
            [recording_id])


def programme_entry(app, restore=None):
    """The first entry of the demo school's careers programme; with `restore`, put it back
    (each role tries to remove the same one)."""
    with app.app_context():
        db = get_db()
        if restore is not None:
            db.execute("""INSERT OR IGNORE INTO programme_entries (id, school_id, year_group, term, kind, activity_id,
                          benchmarks, cdi_areas, created_at) VALUES (?, 1, 7, 'autumn', 'activity', 'all-about-me',
                          '1', 'grow-throughout-life', '2026-01-01T00:00:00+00:00')""", [restore])
            return restore
        return db.execute("SELECT min(id) FROM programme_entries WHERE school_id = 1").fetchone()[0]


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
            if endpoint == "programme.remove_entry":
                programme_entry(app, restore=args["entry_id"])
            with clients[role].open(url, method=method) as response:
                found = outcome(response)
            if found == "!" or (expected is not None and found != expected[number]):
                wrong.append(f"{method} {url} as {role}: expected {expected[number] if expected else 'no 5xx'}, got {found}")
        if endpoint == "staff.end_learner_sessions":  # staff signed Amira out: she signs in again
            sign_in_as(clients["L"], app, "learner", "Amira")
    assert not wrong, "\n".join(wrong)
