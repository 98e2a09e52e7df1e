"""Every page of the app, who may see it, and the demo data that makes each page real.

The accessibility gate (test_gate.py) visits every entry for every role named; a GET route of
the app's URL map with neither an entry here nor a reason in NO_PAGE fails the gate, so a new
page cannot escape it.
"""

import secrets
from datetime import date

from student_app import classroom, family, responses
from student_app.auth import token_hash
from student_app.content import get_catalogue
from student_app.db import get_db, now
from student_app.school import imports

# Roles, one letter each: O signed out, L a learner (Ben), F his family, S a teacher, A an admin.
ROLES = {"O": "signed out", "L": "learner", "F": "family", "S": "staff", "A": "admin"}
LEARNER = "Ben"  # Group 2 (typing, four cards), narration not started by itself, has a family

# GET routes that send no page of their own: files, audio, downloads, or a redirect only.
NO_PAGE = {
    "auth.index": "redirects to the home page of whoever asks",
    "static": "CSS, scripts and fonts",
    "symbols.image": "symbol images",
    "narration.clip": "narration audio",
    "voices.play": "a recorded voice",
    "media.serve": "a photo or a recording",
    "media.thumb": "a photo's thumbnail",
    "passport.pdf": "a PDF (made from the print page, which is checked)",
    "family_passport.pdf": "a PDF (made from the print page, which is checked)",
    "staff_passport.pdf": "a PDF (made from the print page, which is checked)",
    "staff.export_learner": "a zip file",
    "staff.class_benchmarks_csv": "a CSV file",
    "desk.destinations_csv": "a CSV file",
    "desk.termly_review_csv": "a CSV file",
    "staff_review.pack_pdf": "a PDF (made from the pack's print page, which is checked)",
    "family_review.pack_pdf": "a PDF (made from the pack's print page, which is checked)",
    "review.pack_pdf": "nobody: a learner prepares their view, and staff print the pack",
    "authoring.export": "a zip file",
}

STAFF_ROLES = "SA"
# endpoint -> (roles that may see it, its URLs). An URL names the demo data by {key} (see
# `make_world`). An "@" names a page that a form brings (see ACTIONS in test_gate.py): the two
# halves of a staff sign-in, and the pages a POST shows (badges, an invitation, recovery codes).
PAGES = {
    "about": ("OLFSA", ["/about"]),
    "auth.sign_in": ("O", ["/sign-in"]),
    "auth.choose_learner": ("O", ["/sign-in/class/{class_id}"]),
    "auth.choose_school": ("O", ["/sign-in/school/1"]),
    "auth.enter_code": ("O", ["/sign-in/learner/{learner}"]),
    "auth.badge": ("O", ["/badge/{badge}", "/badge/not-a-real-badge"]),
    "auth.staff_sign_in": ("O", ["/staff/sign-in"]),
    "auth.family_sign_in": ("O", ["/family/sign-in"]),
    "two_factor.code": ("O", ["@two-step"]),
    "two_factor.enrol": ("O", ["@set-up", "@recovery-codes"]),
    "family.join": ("O", ["/family/join", "/family/join/{invitation}", "/family/join/not-a-real-link"]),
    "auth.sign_ins": ("FSA", ["/account/devices"]),
    "auth.change_password": ("FSA", ["/account/password"]),
    # The learner's own pages.
    "learner.home": ("L", ["/home"]),
    "auth.confirm_sign_out": ("LFSA", ["/sign-out"]),
    "learner.settings": ("L", ["/settings"]),
    "learner.sharing": ("L", ["/sharing"]),
    "learner.activity": ("L", ["/activities/guess-my-job"]),
    "learner.clue": ("L", ["/activities/guess-my-job/chef/clue/1", "/activities/guess-my-job/chef/clue/{last_clue}"]),
    "learner.guess": ("L", ["/activities/guess-my-job/chef/guess"]),
    "learner.answer": ("L", ["/activities/guess-my-job/nurse/answer"]),
    "library.activity": ("L", ["/a/all-about-me", "/a/who-can", "/a/job-explorer", "/a/word-mats", "/a/visits"]),
    "library.step": ("L", ["/a/all-about-me/mine/1", "/a/who-can/firefighter/1", "/a/who-can/firefighter/2",
                           "/a/who-can/firefighter/3", "/a/future-routes/mine/1", "/a/word-mats/cafe/1",
                           "/a/word-mats/cafe/2", "/a/visits/college/1", "/a/visits/college/7",
                           "/a/visits/college/8", "/a/money/mine/1", "/a/travel/mine/5", "/a/work-rights/mine/3"]),
    "library.done": ("L", ["/a/who-can/firefighter/done"]),
    "library.job_card": ("L", ["/a/job-explorer/chef"]),
    "passport.book": ("L", ["/passport"]),
    "passport.new_page": ("", []),  # a learner is led to the first question (passport.new_step, below)
    "passport.page": ("L", ["/passport/pages/{page}", "/passport/pages/{encounter_page}"]),
    "passport.print_page": ("L", ["/passport/print"]),
    "classroom.join": ("L", ["/join/{code}", "/join/ZZZZZZ"]),
    "classroom.live": ("L", ["/sessions/{session}", "/sessions/{vote_session}"]),
    # The family's pages.
    "family.home": ("F", ["/family/"]),
    "family_passport.book": ("F", ["/family/children/{learner}/passport"]),
    "family_passport.page": ("F", ["/family/children/{learner}/passport/pages/{page}"]),
    "family_passport.print_page": ("F", ["/family/children/{learner}/passport/print"]),
    "family_passport.new_page": ("", []),  # nobody may: the passport is the learner's and staff's
    # Staff pages; an admin sees them too.
    "staff.home": (STAFF_ROLES, ["/staff/", "/staff/?q=a"]),
    "staff.class_page": (STAFF_ROLES, ["/staff/classes/{class_id}"]),
    "staff.portfolio": (STAFF_ROLES, ["/staff/learners/{learner}"]),
    "staff.class_benchmarks": (STAFF_ROLES, ["/staff/classes/{class_id}/benchmarks"]),
    "staff.audit_log": ("A", ["/staff/audit"]),
    "staff.erase_learner": ("A", ["/staff/learners/{learner}/erase"]),
    "staff_passport.book": (STAFF_ROLES, ["/staff/learners/{learner}/passport"]),
    "staff_passport.page": (STAFF_ROLES, ["/staff/learners/{learner}/passport/pages/{page}"]),
    "staff_passport.new_page": (STAFF_ROLES, ["/staff/learners/{learner}/passport/new"]),
    "staff_passport.print_page": (STAFF_ROLES, ["/staff/learners/{learner}/passport/print"]),
    "voices.list_phrases": (STAFF_ROLES, ["/staff/voices"]),
    "behalf.activity": (STAFF_ROLES, ["/staff/learners/{learner}/a/my-skills"]),
    "behalf.step": (STAFF_ROLES, ["/staff/learners/{learner}/a/my-skills/mine/1"]),
    "behalf.done": (STAFF_ROLES, ["/staff/learners/{learner}/a/my-skills/mine/done"]),
    "behalf.job_card": (STAFF_ROLES, ["/staff/learners/{learner}/a/job-explorer/chef"]),
    "preview.activity": (STAFF_ROLES, ["/staff/preview/1/a/who-can"]),
    "preview.step": (STAFF_ROLES, ["/staff/preview/1/a/who-can/nurse/1", "/staff/preview/2/a/all-about-me/mine/1",
                                   "/staff/preview/1/a/word-mats/warehouse/3", "/staff/preview/2/a/visits/cafe/5"]),
    "preview.done": (STAFF_ROLES, ["/staff/preview/1/a/who-can/nurse/done"]),
    "preview.job_card": (STAFF_ROLES, ["/staff/preview/2/a/job-explorer/chef"]),
    "classroom.new_session": (STAFF_ROLES, ["/staff/classes/{class_id}/sessions/new",
                                            "/staff/classes/{class_id}/sessions/new?activity=who-can"]),
    "classroom.control": (STAFF_ROLES, ["/staff/sessions/{session}", "/staff/sessions/{vote_session}"]),
    "classroom.projector": (STAFF_ROLES, ["/staff/sessions/{session}/projector",
                                          "/staff/sessions/{vote_session}/projector"]),
    "classroom.summary": (STAFF_ROLES, ["/staff/sessions/{session}/summary", "/staff/sessions/{vote_session}/summary"]),
    # Pages a form's answer shows.
    "staff.issue_badge": (STAFF_ROLES, ["@badge"]),
    "staff.invite_family": (STAFF_ROLES, ["@invitation"]),
    # school: first run and staff accounts
    "school_join.join": ("O", ["/staff/join/{staff_invitation}", "/staff/join/not-a-real-link"]),
    "school.overview": ("A", ["/staff/school/"]),
    "school.staff_list": ("A", ["/staff/school/staff"]),
    "school.invite_staff": ("A", ["@staff-invitation"]),
    # school: cards (the letters a class's form makes are the page "@invitation" shows)
    "school.class_cards": (STAFF_ROLES, ["/staff/school/classes/{class_id}/cards"]),
    "school.learner_cards": (STAFF_ROLES, ["/staff/school/learners/{learner}/cards"]),
    "school.class_letters": (STAFF_ROLES, ["/staff/school/classes/{class_id}/letters"]),
    # school: import
    "school.import_form": ("A", ["/staff/school/import"]),
    "school.import_preview": ("A", ["/staff/school/import/{import_preview}", "/staff/school/import/{import_done}"]),
    # school: classes and learners, and the end of the year
    "school.classes": ("A", ["/staff/school/classes"]),
    "school.class_page": ("A", ["/staff/school/classes/{class_id}"]),
    "school.new_learner": ("A", ["/staff/school/learners/new", "/staff/school/learners/new?class_id={class_id}"]),
    "school.learner_details": (STAFF_ROLES, ["/staff/school/learners/{learner}"]),
    "school.learner_code": (STAFF_ROLES, ["/staff/school/learners/{learner}/code"]),
    "school.left_learners": (STAFF_ROLES, ["/staff/school/learners/left"]),
    "school.move_up": ("A", ["/staff/school/year-end"]),
    # The gate has a second class ({second_class}, empty): a move up says what happens to each.
    "school.move_up_preview": ("A", ["/staff/school/year-end/preview?do_{class_id}=move&name_{class_id}=Class+5+(Maple)"
                                     "&do_{second_class}=keep",
                                     "/staff/school/year-end/preview?do_{class_id}=leave&name_{class_id}=&left_on={school_month}"
                                     "&do_{second_class}=keep"]),
    "school.leavers": ("A", ["/staff/school/leavers"]),
    "school.leavers_preview": ("A", ["/staff/school/leavers/preview?learner={learner}&left_on={school_month}"]),
    # issue 14: the passport, one question a screen (the learner's own; /passport/new leads there)
    "passport.new_step": ("L", ["/passport/new/kind", "/passport/new/kind?page=2", "/passport/new/place",
                                "/passport/new/when", "/passport/new/who", "/passport/new/photos", "/passport/new/did",
                                "/passport/new/learnt", "/passport/new/feeling", "/passport/new/again", "/passport/new/save"]),
    "staff_passport.new_step": ("", []),  # staff keep the one-page form
    "family_passport.new_step": ("", []),
    # issue 15: guidance meetings and the annual review pack (Ben has the demo's meeting)
    "review.meetings": ("L", ["/guidance"]),
    "review.meeting": ("L", ["/guidance/{meeting}"]),
    "review.new_meeting": ("", []), "review.pack": ("", []), "review.prepare": ("", []),  # staff's
    "family_review.meetings": ("F", ["/family/children/{learner}/guidance"]),
    "family_review.meeting": ("F", ["/family/children/{learner}/guidance/{meeting}"]),
    "family_review.pack": ("F", ["/family/children/{learner}/review"]),
    "family_review.new_meeting": ("", []), "family_review.prepare": ("", []),  # staff's
    "staff_review.meetings": (STAFF_ROLES, ["/staff/learners/{learner}/guidance"]),
    "staff_review.meeting": (STAFF_ROLES, ["/staff/learners/{learner}/guidance/{meeting}"]),
    "staff_review.new_meeting": (STAFF_ROLES, ["/staff/learners/{learner}/guidance/new"]),
    "staff_review.pack": (STAFF_ROLES, ["/staff/learners/{learner}/review"]),
    "staff_review.prepare": (STAFF_ROLES, ["/staff/learners/{learner}/review/prepare"]),
    "guidance.class_actions": (STAFF_ROLES, ["/staff/classes/{class_id}/actions"]),
    "staff_review.change_meeting": (STAFF_ROLES, ["/staff/learners/{learner}/guidance/{meeting}/change"]),
    "review.change_meeting": ("", []), "family_review.change_meeting": ("", []),  # staff put a record right
    # issue 16: leavers' destinations (Amira left in the demo world: see make_world)
    "desk.destinations": (STAFF_ROLES, ["/staff/destinations"]),
    "desk.learner_destinations": (STAFF_ROLES, ["/staff/learners/{learner}/destinations",
                                                "/staff/learners/{leaver}/destinations"]),
    # issue 16: encounters (the demo class's college taster), provider access, the termly review
    "desk.encounter_list": (STAFF_ROLES, ["/staff/encounters"]),
    "desk.new_encounter": (STAFF_ROLES, ["/staff/encounters/new", "/staff/encounters/new?audience=class-{class_id}"]),
    "desk.class_encounters": (STAFF_ROLES, ["/staff/classes/{class_id}/encounters"]),
    "desk.termly_review": (STAFF_ROLES, ["/staff/termly-review", "/staff/termly-review?term={last_term}"]),
    # issue 16: the careers programme (the demo school's, from demo.py) and its public page
    "programme.programme": (STAFF_ROLES, ["/staff/programme"]),
    "careers.public_page": ("OLFSA", ["/schools/1/careers"]),
    # issue 19: the school's own content (a published job with clues, a draft word mat: make_world)
    "authoring.index": (STAFF_ROLES, ["/staff/content/"]),
    "authoring.new_item": (STAFF_ROLES, ["/staff/content/jobs/new", "/staff/content/word-mats/new",
                                         "/staff/content/visits/new"]),
    "authoring.item_page": (STAFF_ROLES, ["/staff/content/jobs/{own_job}", "/staff/content/guess-my-job/{own_job}",
                                          "/staff/content/word-mats/{own_mat}"]),
    "authoring.edit_item": (STAFF_ROLES, ["/staff/content/jobs/{own_job}/edit", "/staff/content/guess-my-job/{own_job}/edit",
                                          "/staff/content/who-can/{own_job}/edit", "/staff/content/word-mats/{own_mat}/edit"]),
    "authoring.translate": (STAFF_ROLES, ["/staff/content/jobs/{own_job}/words/ar"]),
    "authoring.preview_clues": (STAFF_ROLES, ["/staff/content/guess-my-job/{own_job}/preview/1"]),
    "authoring.pictures": (STAFF_ROLES, ["/staff/content/pictures"]),
    "authoring.import_content": ("A", ["/staff/content/import"]),
}
# issue 19: learners meet the school's published job; staff preview its draft word mat
PAGES["learner.clue"][1].append("/activities/guess-my-job/{own_job}/clue/1")
PAGES["library.job_card"][1].append("/a/job-explorer/{own_job}")
PAGES["preview.step"][1].append("/staff/preview/1/a/word-mats/{own_mat}/2")
# issue 15: the learner's own view for their review, and their aspirations (surveys)
PAGES["library.activity"][1].append("/a/my-review")
PAGES["library.step"][1].extend(["/a/my-review/mine/1", "/a/my-aspirations/mine/2"])
# issue 14: choices (the screens More brings: a list's or a step's next cards, and the last)
PAGES["library.activity"][1].extend(["/a/who-can?page=2", "/a/job-explorer?page=11"])
PAGES["library.step"][1].extend(["/a/all-about-me/mine/1?page=2", "/a/all-about-me/mine/1?page=3"])
PAGES["preview.activity"][1].append("/staff/preview/1/a/who-can?page=2")
PAGES["preview.step"][1].append("/staff/preview/2/a/all-about-me/mine/1?page=3")
# Pages no route names: what any unknown address shows, for each role.
ERROR_PAGES = ("OLFSA", ["/no-such-page"])


# The addresses above that show a refusal on purpose (a 4xx: an unknown badge, link or class
# code, a page that is not there); every other page must answer 200 (test_gate.py).
REFUSED = {"/badge/not-a-real-badge", "/family/join/not-a-real-link", "/staff/join/not-a-real-link", "/join/ZZZZZZ",
           *ERROR_PAGES[1]}


def named_pages(role, world):
    """(name, URL) of each page `role` may see, with the demo data's ids filled in, in table
    order: the name is its entry in PAGES (an endpoint), or "error"."""
    pages = [(name, url) for name, (roles, found) in PAGES.items() if role in roles for url in found]
    pages += [("error", url) for url in ERROR_PAGES[1]] if role in ERROR_PAGES[0] else []
    return [(name, url.format(**world)) for name, url in pages]


def pages_for(role, world):
    """The URLs `role` may see, with the demo data's ids filled in, in table order."""
    return [url for _name, url in named_pages(role, world)]


NEW_STAFF = ("new.teacher@oaktree.example", "new-teacher-password")


def make_world(app):
    """Plays, a class session, an invitation, a badge and a new member of staff, so that every
    page in PAGES shows real content. Returns the ids the URLs name."""
    from student_app.passwords import hashed

    with app.test_request_context():  # the catalogue is the page's language's
        db = get_db()
        learner = db.execute("SELECT id, class_id FROM learners WHERE name = ?", [LEARNER]).fetchone()
        learner_id, class_id = learner[0], learner[1]
        staff_id = db.execute("SELECT id FROM staff WHERE staff_role = 'teacher'").fetchone()[0]
        # Guess my job: chef under way, nurse solved.
        responses.open_play(learner_id, "guess-my-job", "chef", create=True)
        solved = responses.open_play(learner_id, "guess-my-job", "nurse", create=True)
        responses.record_answer(solved, "guess", "nurse", correct=1)
        responses.finish_play(solved)
        for activity, item in (("all-about-me", "mine"), ("who-can", "firefighter"),
                               ("future-routes", "mine"), ("my-skills", "mine"), ("my-review", "mine"),
                               ("my-aspirations", "mine"), ("word-mats", "cafe"), ("visits", "college"),
                               ("money", "mine"), ("travel", "mine"), ("work-rights", "mine")):
            responses.open_play(learner_id, activity, item, create=True)
        page = db.execute("SELECT id FROM passport_pages WHERE learner_id = ? AND encounter_id IS NULL",
                          [learner_id]).fetchone()[0]
        # issue 17: an activity three school years ago, so the history pages link to that year
        old_play = db["plays"].insert({"learner_id": learner_id, "activity": "all-about-me", "item": "mine",
                                       "started_at": f"{date.today().year - 3}-10-01T10:00:00+00:00",
                                       "finished_at": f"{date.today().year - 3}-10-01T10:05:00+00:00"}).last_pk
        # issue 16: a college's taster morning for the class (provider access)
        from student_app.desk import encounters

        class_learners = list(db.query("SELECT id FROM learners WHERE class_id = ? AND left_on IS NULL", [class_id]))
        encounter = encounters.record(1, staff_id, "Class 4 (Maple)", {
            "kind": "provider", "what": "A taster morning at Riverside College", "provider": "Riverside College",
            "place_symbol": "place-college", "happened_on": date.today().isoformat(), "provider_access": 1,
            "learners": class_learners})
        encounter_page = db.execute("SELECT id FROM passport_pages WHERE learner_id = ? AND encounter_id = ?",
                                    [learner_id, encounter]).fetchone()[0]
        meeting = db.execute("SELECT id FROM guidance_meetings WHERE learner_id = ?", [learner_id]).fetchone()[0]
        # issue 16: a leaver of two years ago, followed up with consent, one check still due
        left_on = f"{date.today().year - 2}-07"
        leaver = db["learners"].insert({"school_id": 1, "class_id": class_id, "name": "Isla Nowak", "avatar": "avatar-fox",
                                        "code": "", "code_hash": "", "created_at": now(), "date_of_birth": "2008-02",
                                        "left_on": left_on}).last_pk
        db["follow_up_consent"].insert({"learner_id": leaver, "consent": 1, "given_by": "parent",
                                        "recorded_on": f"{date.today().year - 2}-06-20"})
        for checkpoint, activity, provider, started, checked in (
                ("intended", "460", "Riverside Hospital", None, f"{date.today().year - 2}-03-01"),
                ("leaving", "460", "Riverside Hospital", f"{date.today().year - 2}-09-05", f"{date.today().year - 2}-10-20")):
            db["destinations"].insert({"learner_id": leaver, "checkpoint": checkpoint, "activity": activity,
                                       "provider": provider, "started_on": started, "checked_on": checked,
                                       "how_found": "provider", "created_at": now()})
        invitation, _code = family.new_invitation(learner_id, staff_id)
        badge = secrets.token_urlsafe(18)
        db["badges"].insert({"learner_id": learner_id, "secret_hash": token_hash(badge), "issued_at": now(),
                             "issued_by": staff_id})
        code = classroom.new_code(db)
        session = db["class_sessions"].insert({
            "school_id": 1, "class_id": class_id, "staff_id": staff_id, "activity": "guess-my-job",
            "items": '["firefighter", "nurse"]', "code": code, "phase": "choices",
            "created_at": now(), "updated_at": now()}).last_pk
        db["session_members"].insert({"session_id": session, "learner_id": learner_id, "joined_at": now()})
        # Who can do this job? as a class vote, showing the true story after the count.
        vote_session = db["class_sessions"].insert({
            "school_id": 1, "class_id": class_id, "staff_id": staff_id, "activity": "who-can",
            "items": '["firefighter", "nurse"]', "code": classroom.new_code(db), "phase": "reveal",
            "created_at": now(), "updated_at": now()}).last_pk
        db["session_members"].insert({"session_id": vote_session, "learner_id": learner_id, "joined_at": now()})
        db["staff"].insert({"school_id": 1, "email": NEW_STAFF[0], "name": "New Teacher",
                            "password_hash": hashed(NEW_STAFF[1]), "staff_role": "teacher"})
        last_clue = len(get_catalogue().clues["chef"])
        from student_app.school.setup import new_staff_invitation
        staff_invitation = new_staff_invitation(db, 1, "joining@oaktree.example", "Joining Teacher", "teacher")
        # school: import (an upload waiting for its confirm, with a row of each kind, and one done)
        admin_id = db.execute("SELECT id FROM staff WHERE staff_role = 'admin' ORDER BY id").fetchone()[0]
        import_preview = imports.keep_upload(
            "Name;Date of birth;Class;UPN\r\nŁucja Nowak;03/09/2012;7B;\r\nBen;2010-11-01;;\r\n"
            "Amira;2009-03-01;Class 9;\r\nAmy Future;2999-01-01;7B;\r\n".encode(), 1, admin_id, True, "mis.csv")
        import_done = imports.keep_upload(b"Name\r\nBen\r\n", 1, admin_id, True, "done.csv")
        imports.finish_upload(import_done, imports.read_meta(import_done), {
            "added": 1, "updated": 1, "unchanged": 2, "skipped": 1, "classes": [{"id": class_id, "name": "Class"}]})
        own_job, own_mat = school_content(db, staff_id, admin_id)
    from student_app.desk import termly

    return {"own_job": own_job, "own_mat": own_mat, "learner": learner_id, "class_id": class_id, "page": page, "meeting": meeting, "leaver": leaver,
            "encounter_page": encounter_page, "encounter": encounter, "old_play": old_play,
            "last_term": termly.previous_term_end(termly.term_end(date.today())).isoformat(),
            "invitation": invitation,
            "badge": badge, "code": code, "session": session, "vote_session": vote_session, "last_clue": last_clue,
            "import_preview": import_preview, "import_done": import_done, "staff_invitation": staff_invitation,
            "school_month": date.today().isoformat()[:7]}  # school: the end of the year


OWN_JOB = """id = "bakery-assistant"
name = "Bakery assistant"
symbol = "{picture}"
sector = "hospitality"
what = "A bakery assistant helps to make and sell bread and cakes in a shop."
what_simple = "I help in a bakery shop. I sell bread."
where = "In the bakery on Mill Street."
where_symbol = "place-bakery"
wear = "An apron and a hat."
wear_symbol = "clothes-uniform"
skills = ["careful", "on-time"]
subjects = ["food", "maths"]

[route]
kind = "job-coach"
text = "A job coach can help you start here."
"""
OWN_CLUES = """job = "bakery-assistant"
[[clue]]
text = "I put loaves on the shelves."
symbol = "tool-bread"
[[clue]]
text = "I help people choose a cake."
symbol = "tool-cake"
"""
OWN_MAT = """title = "Mill Bakery"
symbol = "place-bakery"
""" + "".join(f'[[word]]\nid = "{word}"\ntext = "{word}"\nsymbol = "{symbol}"\n' for word, symbol in (
    ("bread", "tool-bread"), ("cake", "tool-cake"), ("cup", "tool-cup"), ("coffee", "tool-coffee")))


def school_content(db, staff_id, admin_id):
    """The demo school's own job (with a photo of its own, and clues), published, and a word
    mat still a draft, as a teacher and an admin make them on the Our own content pages."""
    import io

    from PIL import Image

    from student_app import media
    from student_app.authoring import store

    out = io.BytesIO()
    Image.new("RGB", (320, 240), "peru").save(out, "JPEG")
    picture = store.add_picture(db, 1, media.clean_photo(out.getvalue()), "Our bakery counter", staff_id)
    for path, text in (("jobs/bakery-assistant.toml", OWN_JOB.format(picture=f"own-{picture}")),
                       ("guess-my-job/bakery-assistant.toml", OWN_CLUES), ("word-mats/mill-bakery.toml", OWN_MAT)):
        store.save(db, 1, path, text, {"ar": {"job.bakery-assistant.name": "مساعد في المخبز"}} if path.startswith("jobs")
                   else {}, staff_id)
        if not path.startswith("word-mats"):
            store.publish(db, 1, path, admin_id)
    return "bakery-assistant", "mill-bakery"


def end_world(app, world):
    """Close what make_world opened, so later tests find the demo school as it was."""
    with app.app_context():
        db = get_db()
        db.execute("UPDATE class_sessions SET ended_at = ?, phase = 'ended' WHERE id IN (?, ?)",
                   [now(), world["session"], world["vote_session"]])
        new = db.execute("SELECT id FROM staff WHERE email = ?", [NEW_STAFF[0]]).fetchone()[0]
        db.execute("DELETE FROM recovery_codes WHERE staff_id = ?", [new])
        db.execute("DELETE FROM staff WHERE id = ?", [new])
        for table in ("destinations", "follow_up_consent", "audit_log"):
            db.execute(f"DELETE FROM {table} WHERE learner_id = ?", [world["leaver"]])
        db.execute("DELETE FROM learners WHERE id = ?", [world["leaver"]])
        db.execute("DELETE FROM school_content WHERE school_id = 1")
        db.execute("DELETE FROM school_pictures WHERE school_id = 1")
        db.execute("UPDATE schools SET content_revision = content_revision + 1 WHERE id = 1")
        db.execute("DELETE FROM passport_pages WHERE encounter_id = ?", [world["encounter"]])
        db.execute("DELETE FROM encounters WHERE id = ?", [world["encounter"]])
        db.execute("DELETE FROM plays WHERE id = ?", [world["old_play"]])
