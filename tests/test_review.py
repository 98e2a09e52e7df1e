"""Guidance meetings, action plans, the one-page profile and the annual review pack (issue 15)."""

import io
import subprocess
from datetime import date, timedelta

import pytest

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, text_of
from tests.test_library import fake_webm

TODAY = date.today()


def day(offset):
    return (TODAY + timedelta(days=offset)).isoformat()


def meeting_form(**changes):
    form = {
        "held_on": day(-10), "adviser": "Priya Shah", "adviser_qualified": "1", "others": "Mum, Mr Evans",
        "talked_about": "Working with animals after school.", "learner_wants": "I want to work with dogs.",
        "agreed": "Visit the college's animal care course.",
        "action_1_text": "Ask about the animal care taster day", "action_1_who": "learner", "action_1_topic": "learning",
        "action_1_due_on": day(-3),
        "action_2_text": "Book the college visit", "action_2_who": "school", "action_2_who_name": "Mr Evans",
        "action_2_topic": "learning", "action_2_due_on": day(20),
        "action_3_text": "Practise the bus route to college", "action_3_who": "family", "action_3_topic": "travel",
        "look_again_on": day(60),
    }
    form.update(changes)
    return {key: value for key, value in form.items() if value is not None}


@pytest.fixture
def staff(client, app):
    sign_in_as(client, app, "staff")
    return client


def answered(app, learner, activity, answers, finished):
    """A finished survey play (as the survey screens store one), on the day `finished`."""
    with app.app_context():
        db = get_db()
        play = db["plays"].insert({"learner_id": learner, "activity": activity, "item": "mine",
                                   "started_at": f"{finished}T09:00:00+00:00",
                                   "finished_at": f"{finished}T09:05:00+00:00"}).last_pk
        for step, choice in answers:
            db["responses"].insert({"play_id": play, "learner_id": learner, "step": step, "answer": f"choice:{choice}",
                                    "given_by": "learner", "created_at": f"{finished}T09:01:00+00:00"})


def record(client, learner, **changes):
    response = client.post(f"/staff/learners/{learner}/guidance/new", data=meeting_form(**changes))
    assert response.status_code == 302, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_staff_record_a_meeting_and_everyone_sees_it_in_their_words(staff, app):
    amira = learner_id(app, "Amira")
    form = staff.get(f"/staff/learners/{amira}/guidance/new")
    # Who will see it is said before saving: Amira's family can, as sharing is on.
    assert "Who will see this record" in form.text and "Rosa Khan" in text_of(form)
    meeting = record(staff, amira)
    page = text_of(staff.get(f"/staff/learners/{amira}/guidance/{meeting}"))
    for words in ("What we talked about", "What I want", "I want to work with dogs.", "What we agreed",
                  "What I will do", "Ask about the animal care taster day", "What others will do",
                  "School: Mr Evans", "My family", "In my own words"):
        assert words in page
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Amira")
    home = learner.get("/home")
    assert "My guidance meetings" in home.text
    mine = learner.get(f"/guidance/{meeting}")
    assert mine.status_code == 200 and "I did it" in mine.text
    assert 'data-narration' in mine.text  # every line has its listen button
    family = app.test_client()
    family.post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    assert "Book the college visit" in family.get(f"/family/children/{amira}/guidance/{meeting}").text
    assert "I did it" not in family.get(f"/family/children/{amira}/guidance/{meeting}").text


def test_the_form_says_when_the_family_will_not_see_it(staff, app):
    chloe = learner_id(app, "Chloe")
    assert "sharing with home is off" in staff.get(f"/staff/learners/{chloe}/guidance/new").text


@pytest.mark.parametrize("changes, message", [
    ({"held_on": ""}, "Please give the date of the meeting."),
    ({"held_on": "01/02/2026"}, "Please give dates like 2026-09-01."),
    ({"adviser": " "}, "Please give the adviser's name."),
    ({"action_1_who": "nobody"}, "from the lists"),
    ({"action_2_topic": "space-travel"}, "from the lists"),
    ({"talked_about": "x" * 2001}, "That is a lot of words!"),
    ({"talked_about": "", "agreed": "", "action_1_text": "", "action_2_text": "", "action_3_text": ""},
     "what was talked about, what was agreed, or an action"),
])
def test_a_wrong_meeting_form_gets_a_kind_400_and_keeps_what_was_typed(staff, app, changes, message):
    amira = learner_id(app, "Amira")
    response = staff.post(f"/staff/learners/{amira}/guidance/new", data=meeting_form(**changes))
    assert response.status_code == 400 and message in text_of(response)
    assert "Priya Shah" in response.text or changes.get("adviser")
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM guidance_meetings WHERE learner_id = ?", [amira]).fetchone()[0] == 0


def test_the_learners_recorded_words_are_kept_as_theirs(staff, app):
    amira = learner_id(app, "Amira")
    data = meeting_form(learner_wants="")
    data["learner_voice"] = (io.BytesIO(fake_webm()), "wants.webm")
    response = staff.post(f"/staff/learners/{amira}/guidance/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 302
    with app.app_context():
        voice = get_db().execute("SELECT learner_wants_voice FROM guidance_meetings WHERE learner_id = ?",
                                 [amira]).fetchone()[0]
        assert get_db().execute("SELECT learner_id, kind FROM media WHERE id = ?", [voice]).fetchone() == (amira, "voice")
    page = staff.get(response.headers["Location"])
    assert f"/media/{voice}" in page.text and "In my own words" in page.text


def test_a_learner_ticks_their_own_actions_only(staff, app):
    amira = learner_id(app, "Amira")
    meeting = record(staff, amira)
    with app.app_context():
        actions = dict(get_db().execute("SELECT who, id FROM guidance_actions WHERE meeting_id = ?", [meeting]).fetchall())
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Amira")
    url = f"/guidance/{meeting}/actions/{{}}"
    assert learner.post(url.format(actions["learner"]), data={"done": "1"}).status_code == 302
    refused = learner.post(url.format(actions["school"]), data={"done": "1"})
    assert refused.status_code == 403 and "Only the person who does this can tick it." in refused.text
    assert learner.post(url.format(actions["learner"]), data={"done": "maybe"}).status_code == 400
    with app.app_context():
        done = dict(get_db().execute("SELECT who, done_by FROM guidance_actions WHERE meeting_id = ?",
                                     [meeting]).fetchall())
    assert done == {"learner": "learner", "school": None, "family": None}
    # Another learner's meeting, by changing the URL: not found.
    chloe = app.test_client()
    sign_in_as(chloe, app, "learner", "Chloe")
    assert chloe.get(f"/guidance/{meeting}").status_code == 404
    assert chloe.post(url.format(actions["learner"]), data={"done": "0"}).status_code == 404
    # Staff tick any action; ticking twice keeps the first tick.
    staff_url = f"/staff/learners/{amira}/guidance/{meeting}/actions/{actions['school']}"
    assert staff.post(staff_url, data={"done": "1"}).status_code == 302
    with app.app_context():
        first = get_db().execute("SELECT done_at FROM guidance_actions WHERE id = ?", [actions["school"]]).fetchone()
    staff.post(staff_url, data={"done": "1"})
    with app.app_context():
        assert get_db().execute("SELECT done_at FROM guidance_actions WHERE id = ?", [actions["school"]]).fetchone() == first


def test_open_actions_of_a_class_put_those_past_their_date_first(staff, app):
    amira, ben = learner_id(app, "Amira"), learner_id(app, "Ben")
    record(staff, amira)
    record(staff, ben, action_1_text="Write a CV", action_1_due_on=day(-30), action_2_text="", action_3_text="")
    page = staff.get("/staff/classes/1/actions")
    words = text_of(page)
    assert words.index("Write a CV") < words.index("Ask about the animal care taster day") < words.index("Book the college visit")
    assert "(past its date)" in words[words.index("Write a CV"):words.index("Ask about the animal care taster day")]
    assert "(past its date)" not in words[words.index("Book the college visit"):]
    assert words.index("Book the college visit") < words.index("Practise the bus route to college")  # no date: last


def test_a_qualified_adviser_counts_for_benchmark_8(staff, app):
    from student_app import benchmarks
    from student_app.content import get_catalogue

    amira = learner_id(app, "Amira")
    record(staff, amira, adviser_qualified=None)
    with app.test_request_context():
        learner = get_db()["learners"].get(amira)
        assert benchmarks.summary(learner, get_catalogue())["evidence"][8] == 0
    record(staff, amira)
    with app.test_request_context():
        assert benchmarks.summary(learner, get_catalogue())["evidence"][8] == 1


def test_the_pack_holds_every_part_in_order_and_the_pdf_says_it(staff, app, tmp_path):
    amira = learner_id(app, "Amira")
    record(staff, amira)
    staff.post(f"/staff/learners/{amira}/review/profile",
               data={"admire": "Amira is kind and funny.", "important": "Her dog, Biscuit.", "support": "Show her first."})
    staff.post(f"/staff/learners/{amira}/review/notes", data={"heading": "not-working", "text": "Loud rooms upset her."})
    # Her own view and aspirations, answered on her behalf by staff with her (the survey flow).
    answered(app, amira, "my-review", [("going-well", "friends"), ("hard", "travel")], day(-1))
    answered(app, amira, "my-aspirations", [("be", "gardener")], day(-1))
    page = staff.get(f"/staff/learners/{amira}/review?from=2026-09-01&to={day(0)}")
    assert page.status_code == 200
    words = text_of(page)
    order = ["My one-page profile", "My aspirations", "What I have tried and how it went", "Preparing for adulthood",
             "Employment", "Independent living", "Friends, relationships and community", "Good health",
             "What is working and what is not working", "Guidance meetings and what we agreed",
             "Gatsby Benchmark evidence", "Next steps agreed"]
    assert [words.index(h) for h in order] == sorted(words.index(h) for h in order)
    for said in ("Amira is kind and funny.", "Loud rooms upset her.", "From staff", "In my own words", "Friends",
                 "Getting about", "Gardener", "I want to work with dogs.", "A morning at the garden centre"):
        assert said in words
    pdf = staff.get(f"/staff/learners/{amira}/review.pdf?from=2026-09-01&to={day(0)}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert "private" in pdf.headers["Cache-Control"]
    (tmp_path / "pack.pdf").write_bytes(pdf.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "pack.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    for words in ("Employment", "Independent living", "Friends, relationships and community", "Good health",
                  "I want to work with dogs.", "In my own words", "A morning at the garden centre"):
        assert words in " ".join(text.split())


def test_the_pack_runs_since_the_last_review_and_shows_what_was_wanted_then(staff, app):
    amira = learner_id(app, "Amira")
    answered(app, amira, "my-aspirations", [("be", "chef")], day(-200))
    answered(app, amira, "my-aspirations", [("be", "gardener")], day(-5))
    assert staff.post(f"/staff/learners/{amira}/review/held",
                      data={"held_on": day(-40), "next_steps": "Try a week at the garden centre."}).status_code == 302
    assert staff.post(f"/staff/learners/{amira}/review/held", data={"held_on": day(5)}).status_code == 400
    words = text_of(staff.get(f"/staff/learners/{amira}/review"))
    be = words[words.index("What I want to be"):]
    assert be.index("Now") < be.index("Gardener") < be.index("At my last review") < be.index("Chef")
    assert "Try a week at the garden centre." in words
    # The pack starts the day after the last review: the demo's passport pages came before it.
    assert "No experiences in these dates." in words and "A morning at the garden centre" not in words
    assert "A morning at the garden centre" in text_of(staff.get(f"/staff/learners/{amira}/review?from=2026-09-01"))


def test_bad_pack_dates_get_a_kind_400(staff, app):
    amira = learner_id(app, "Amira")
    assert staff.get(f"/staff/learners/{amira}/review?from=yesterday").status_code == 400
    response = staff.get(f"/staff/learners/{amira}/review?from=2026-10-01&to=2026-09-01")
    assert response.status_code == 400 and "The first date must come before the last." in response.text


def test_the_family_sees_the_pack_only_while_sharing_is_on(app):
    amira = learner_id(app, "Amira")
    family = app.test_client()
    family.post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    assert "Annual review pack of Amira" in family.get("/family/").text
    assert family.get(f"/family/children/{amira}/review").status_code == 200
    assert family.get(f"/family/children/{amira}/review.pdf").status_code == 200
    with app.app_context():
        get_db().execute("UPDATE learners SET family_visible = 0 WHERE id = ?", [amira])
    assert family.get(f"/family/children/{amira}/review").status_code == 404
    assert family.get(f"/family/children/{amira}/guidance").status_code == 404


def test_the_one_page_profile_keeps_staff_words_apart(staff, app):
    amira = learner_id(app, "Amira")
    url = f"/staff/learners/{amira}/review/profile"
    assert staff.post(url, data={"admire": "Kind", "important": "", "support": "Pictures"}).status_code == 302
    with app.app_context():
        parts = dict(get_db().execute("SELECT part, text FROM profile_parts WHERE learner_id = ?", [amira]).fetchall())
    assert parts == {"admire": "Kind", "support": "Pictures"}
    assert staff.post(url, data={"admire": "x" * 2001}).status_code == 400
    assert staff.post(f"/staff/learners/{amira}/review/notes", data={"heading": "odd", "text": "x"}).status_code == 400
    assert staff.post(f"/staff/learners/{amira}/review/notes", data={"heading": "working", "text": " "}).status_code == 400


def test_erasing_a_learner_erases_their_review_records(staff, app):
    from student_app.staff import erase_learner_data

    amira = learner_id(app, "Amira")
    record(staff, amira)
    staff.post(f"/staff/learners/{amira}/review/profile", data={"admire": "Kind"})
    staff.post(f"/staff/learners/{amira}/review/held", data={"held_on": day(-1)})
    with app.test_request_context():
        erase_learner_data(amira)
        db = get_db()
        for table in ("guidance_meetings", "guidance_actions", "profile_parts", "reviews"):
            assert db.execute(f"SELECT count(*) FROM {table} WHERE learner_id = ?", [amira]).fetchone()[0] == 0


def test_the_family_reads_the_pack_in_their_own_language(app):
    ben = learner_id(app, "Ben")
    family = app.test_client()
    family.post("/family/sign-in", data={"email": "family@oaktree.example", "password": "oak-tree-family"})
    family.post("/preferences", data={"language": "ar", "next": "/family/"})
    page = family.get(f"/family/children/{ben}/review")
    assert 'dir="rtl"' in page.text and "التوظيف" in page.text  # Employment, in Arabic
    assert "Practise the bus journey to college together" in page.text  # staff's words as typed
    pdf = family.get(f"/family/children/{ben}/review.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_staff_put_a_meeting_right_and_done_actions_stay_done(staff, app):
    amira = learner_id(app, "Amira")
    meeting = record(staff, amira)
    url = f"/staff/learners/{amira}/guidance/{meeting}/change"
    with app.app_context():
        ids = [row[0] for row in get_db().execute("SELECT id FROM guidance_actions WHERE meeting_id = ? ORDER BY id",
                                                   [meeting])]
    staff.post(f"/staff/learners/{amira}/guidance/{meeting}/actions/{ids[0]}", data={"done": "1"})
    form = staff.get(url)
    assert "Priya Shah" in form.text and "Ask about the animal care taster day" in form.text
    changed = meeting_form(adviser="Priya Shah-Jones", action_1_id=str(ids[0]), action_1_text="Ask about the taster day",
                           action_2_id=str(ids[1]), action_3_id=str(ids[2]), action_3_text="",
                           action_4_text="Try the bus with Mum", action_4_who="family", action_4_topic="travel")
    assert staff.post(url, data=changed).status_code == 302
    with app.app_context():
        db = get_db()
        assert db.execute("SELECT adviser FROM guidance_meetings WHERE id = ?", [meeting]).fetchone()[0] == "Priya Shah-Jones"
        rows = db.execute("SELECT id, text, done_at IS NOT NULL FROM guidance_actions WHERE meeting_id = ? ORDER BY id",
                          [meeting]).fetchall()
    assert [(r[1], r[2]) for r in rows] == [("Ask about the taster day", 1), ("Book the college visit", 0),
                                            ("Try the bus with Mum", 0)]
    assert [r[0] for r in rows[:2]] == ids[:2]  # the same actions, changed in place
    # An action of another meeting cannot be smuggled in by its id.
    other = record(staff, learner_id(app, "Ben"))
    with app.app_context():
        stranger = get_db().execute("SELECT id FROM guidance_actions WHERE meeting_id = ?", [other]).fetchone()[0]
    response = staff.post(url, data=meeting_form(action_1_id=str(stranger)))
    assert response.status_code == 400
    learner = app.test_client()
    sign_in_as(learner, app, "learner", "Amira")
    assert learner.get(f"/guidance/{meeting}/change").status_code == 403
