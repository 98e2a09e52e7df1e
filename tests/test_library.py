"""The activity library: surveys, Who can do this job?, the Job explorer, and ways to answer."""

import io
import re
import struct
import zlib

import pytest
from PIL import Image

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as, text_of

ABOUT = "/a/all-about-me/mine"


@pytest.fixture
def amira(client, app):  # Career SEND Group 1
    sign_in_as(client, app, "learner", "Amira")
    return client


@pytest.fixture
def ben(client, app):  # Career SEND Group 2
    sign_in_as(client, app, "learner", "Ben")
    return client


def answers_of(app, name, activity=None):
    with app.app_context():
        query = """SELECT responses.*, plays.activity, plays.item, plays.finished_at FROM responses
                   JOIN plays ON plays.id = responses.play_id WHERE responses.learner_id = ?"""
        args = [learner_id(app, name)]
        if activity:
            query += " AND plays.activity = ?"
            args.append(activity)
        return list(get_db().query(query + " ORDER BY responses.id", args))


def play_survey(client, base, steps, picks=None):
    """Start a survey and answer each step: the given picks, or Skip."""
    picks = picks or {}
    assert client.post(f"{base}/start").status_code == 302
    for number in range(1, steps + 1):
        data = {"choice": picks[number]} if number in picks else {"go": "skip"}
        response = client.post(f"{base}/{number}", data=data)
        assert response.status_code == 302, response.text
    return response


def test_all_about_me_builds_a_profile_and_keeps_earlier_versions(amira, app):
    steps = len(app.extensions["catalogue"].activities["all-about-me"].steps)
    done = play_survey(amira, ABOUT, steps, {1: ["animals", "outdoors"], 3: ["quiet-room"]})
    assert done.headers["Location"].endswith(f"{ABOUT}/done")
    page = text_of(amira.get("/a/all-about-me"))
    assert "Animals" in page and "Being outside" in page and "A quiet room" in page
    assert "Change my answers" in page

    # Come back and change: the new version starts from the old answers, the old one is kept.
    amira.post(f"{ABOUT}/start")
    first_step = amira.get(f"{ABOUT}/1").text
    assert 'value="animals" checked' in first_step
    play_survey_rest = [amira.post(f"{ABOUT}/1", data={"choice": ["music"]})]
    for number in range(2, steps + 1):
        play_survey_rest.append(amira.post(f"{ABOUT}/{number}", data={"go": "skip"}))
    page = text_of(amira.get("/a/all-about-me"))
    assert "Before" in page
    latest = page.split("Before")[0]
    assert "Music" in latest and "Animals" not in latest
    with app.app_context():
        plays = list(get_db().query(
            "SELECT * FROM plays WHERE activity = 'all-about-me' AND finished_at IS NOT NULL"))
    assert len(plays) == 2
    assert {"choice:animals", "choice:music"} <= {a["answer"] for a in answers_of(app, "Amira")}


def test_answering_a_step_again_keeps_the_first_answer_too(amira, app):
    amira.post(f"{ABOUT}/start")
    amira.post(f"{ABOUT}/1", data={"choice": ["animals"]})
    amira.post(f"{ABOUT}/1", data={"choice": ["animals"]})  # a double tap stores nothing new
    amira.post(f"{ABOUT}/1", data={"choice": ["music"]})
    rows = [(a["step"], a["answer"]) for a in answers_of(app, "Amira")]
    assert rows == [("likes", "choice:animals"), ("likes#2", "choice:music")]
    # Music is on Amira's third screen of two cards; the first carries it along, hidden.
    assert 'value="music" checked' in amira.get(f"{ABOUT}/1?page=3").text
    assert 'type="hidden" name="choice" value="music"' in amira.get(f"{ABOUT}/1").text
    assert 'value="animals" checked' not in amira.get(f"{ABOUT}/1").text


def test_own_number_sets_the_cards_and_the_level_sets_typing(client, app):
    sign_in_as(client, app, "learner", "Amira")  # two cards a screen, Group 1
    client.post(f"{ABOUT}/start")
    group_1 = client.get(f"{ABOUT}/1").text
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Ben")  # four cards a screen, Group 2
    client.post(f"{ABOUT}/start")
    group_2 = client.get(f"{ABOUT}/1").text
    assert group_1.count('name="choice"') == 2 and group_2.count('name="choice"') == 4
    assert 'name="words"' not in group_1 and 'name="words"' in group_2


def test_typed_words_voice_and_photo_are_all_kept(ben, app):
    ben.post(f"{ABOUT}/start")
    response = ben.post(f"{ABOUT}/1", data={
        "choice": ["animals"], "words": "I like horses",
        "voice": (io.BytesIO(fake_webm()), "answer.webm"),
        "photo": (io.BytesIO(jpeg_with_gps()), "horse.jpg"),
    }, content_type="multipart/form-data")
    assert response.status_code == 302
    answers = {a["answer"].split(":")[0]: a["answer"] for a in answers_of(app, "Ben")}
    assert set(answers) == {"choice", "words", "voice", "photo"}
    assert answers["words"] == "words:I like horses"
    with ben.get(f"/media/{answers['photo'].split(':')[1]}") as photo:
        assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
        assert photo.headers["Cache-Control"] == "private, no-store"
        assert photo.headers["Content-Disposition"].startswith("inline; filename=")
        assert photo.headers["X-Content-Type-Options"] == "nosniff"
    with ben.get(f"/media/{answers['voice'].split(':')[1]}") as voice:
        assert voice.status_code == 200 and voice.mimetype == "audio/webm"
        assert voice.data == fake_webm()


def test_a_photo_loses_its_metadata_and_is_turned_the_right_way(ben, app):
    ben.post(f"{ABOUT}/start")
    ben.post(f"{ABOUT}/1", data={"photo": (io.BytesIO(jpeg_with_gps()), "p.jpg")},
             content_type="multipart/form-data")
    media_id = next(a["answer"] for a in answers_of(app, "Ben")).split(":")[1]
    with ben.get(f"/media/{media_id}") as response:
        data = response.data
    with Image.open(io.BytesIO(data)) as image:
        assert not image.getexif() and "exif" not in image.info
        # The original was 300 wide and 200 high with "rotate 90" in its EXIF.
        assert image.size == (200, 300)
    assert b"GPS" not in data and b"Exif" not in data


@pytest.mark.parametrize(
    "field, data, message",
    [
        ("photo", b"this is a text file, not a photo", "not a photo we can open"),
        ("photo", None, "too big"),  # 20000 x 20000
        ("voice", b"", "recording was empty"),
        ("voice", b"just words" * 100, "not a recording we can play"),
    ],
)
def test_bad_uploads_get_a_kind_message_and_a_400(ben, app, field, data, message):
    if data is None:
        data = png_header(20000, 20000)
    ben.post(f"{ABOUT}/start")
    name = "photo.jpg" if field == "photo" else "answer.webm"
    response = ben.post(f"{ABOUT}/1", data={field: (io.BytesIO(data), name)},
                        content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in text_of(response)
    assert "Traceback" not in response.text
    assert answers_of(app, "Ben") == []


def test_an_oversized_upload_is_refused_with_413(ben):
    ben.post(f"{ABOUT}/start")
    response = ben.post(f"{ABOUT}/1", data=b"0" * (17 * 1024 * 1024),
                        content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413 and "too big" in text_of(response)


def test_a_learner_cannot_fetch_another_learners_photo_or_recording(client, app):
    sign_in_as(client, app, "learner", "Ben")
    client.post(f"{ABOUT}/start")
    client.post(f"{ABOUT}/1", data={"voice": (io.BytesIO(fake_webm()), "a.webm"),
                                    "photo": (io.BytesIO(jpeg_with_gps()), "p.jpg")},
                content_type="multipart/form-data")
    ids = [a["answer"].split(":")[1] for a in answers_of(app, "Ben")]
    client.post("/sign-out")
    for media_id in ids:  # signed out
        assert client.get(f"/media/{media_id}").status_code == 404
    sign_in_as(client, app, "learner", "Amira")
    for media_id in ids + ["999"]:
        assert client.get(f"/media/{media_id}").status_code == 404
    client.post("/sign-out")
    sign_in_as(client, app, "staff")  # staff of Ben's school may listen and look
    for media_id in ids:
        with client.get(f"/media/{media_id}") as response:
            assert response.status_code == 200


def test_unoffered_choice_and_too_many_words_are_refused_kindly(amira, ben, app):
    ben.post(f"{ABOUT}/start")
    response = ben.post(f"{ABOUT}/1", data={"choice": ["dragons"]})
    assert response.status_code == 400 and "Tap one of the pictures" in text_of(response)
    response = ben.post(f"{ABOUT}/1", data={"words": "x" * 501})
    assert response.status_code == 400 and "keep it shorter" in text_of(response)
    response = ben.post(f"{ABOUT}/1", data={})
    assert response.status_code == 400 and "tap Skip" in text_of(response)
    assert ben.get("/a/all-about-me/mine/99").status_code == 404
    assert ben.get("/a/no-such-activity").status_code == 404
    assert ben.post("/a/who-can/no-such-job/start").status_code == 404


def test_who_can_do_this_job_flow(amira, app):
    item = app.extensions["catalogue"].who_can["firefighter"]
    base = "/a/who-can/firefighter"
    assert amira.post(f"{base}/start").headers["Location"].endswith(f"{base}/1")
    first = text_of(amira.get(f"{base}/1"))
    assert item.question in first and "Firefighter" in first
    assert first.count("A woman") == 1 and "A deaf person" not in first  # Group 1: 3 cards
    amira.post(f"{base}/1", data={"choice": ["man"]})
    reveal = text_of(amira.get(f"{base}/2"))
    assert "Many kinds of people do this job." in reveal and "Anyone can" not in reveal
    assert item.example in reveal and item.help in reveal
    # What every firefighter needs is said too: not everyone can.
    assert item.needs and item.needs in reveal and "18 or over" in reveal
    amira.post(f"{base}/2", data={"go": "next"})
    think = amira.get(f"{base}/3").text
    assert "What do you think now?" in think
    done = amira.post(f"{base}/3", data={"choice": "me-too"})
    assert done.headers["Location"].endswith(f"{base}/done")
    assert "I could do it too" in text_of(amira.get(f"{base}/done"))
    steps = [(a["step"], a["answer"]) for a in answers_of(app, "Amira", "who-can")]
    assert steps == [("who", "choice:man"), ("anyone", "seen"), ("think", "choice:me-too")]
    # Firefighter is on the screen of two that holds it, marked done.
    at = sorted(app.extensions["catalogue"].who_can).index("firefighter") // 2 + 1
    assert "Done" in text_of(amira.get(f"/a/who-can?page={at}"))
    assert "Done" not in text_of(amira.get("/a/who-can"))


def test_who_can_covers_enough_jobs_both_ways(app):
    catalogue = app.extensions["catalogue"]
    assert len(catalogue.who_can) >= 12
    symbols = {item.example_symbol for item in catalogue.who_can.values()}
    assert any(s.endswith("-woman") for s in symbols) and any(s.endswith("-man") or s == "person-man" for s in symbols)
    assert any(s.startswith("person-") and s not in ("person-man", "person-woman") for s in symbols)


def test_my_skills_shows_progress_over_time_to_staff(client, app):
    sign_in_as(client, app, "learner", "Amira")
    steps = len(app.extensions["catalogue"].activities["my-skills"].steps)
    base = "/a/my-skills/mine"
    play_survey(client, base, steps, {1: "not-yet", 2: "with-help"})
    play_survey(client, base, steps, {1: "with-help", 2: "can"})
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    page = client.get(f"/staff/learners/{learner_id(app, 'Amira')}")
    table = text_of(page).split("Ratings over time")[1].split("My future routes")[0]
    assert "Being on time" in table
    on_time = table.split("Being on time")[1].split("Following instructions")[0]
    assert on_time.index("I can do it with help") < on_time.index("Not yet")  # newest first


def test_future_routes_marks_show_in_the_portfolio(client, app):
    sign_in_as(client, app, "learner", "Ben")
    activity = app.extensions["catalogue"].activities["future-routes"]
    play_survey(client, "/a/future-routes/mine", len(activity.steps),
                {2: "find-out", 3: "maybe", 8: "not-for-me"})
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    page = text_of(client.get(f"/staff/learners/{learner_id(app, 'Ben')}"))
    routes = page.split("On this page")[1].split("My future routes")[2]  # past the list of sections
    assert "Supported internship" in routes and "I want to find out more" in routes
    assert "Not for me" in routes


def test_job_explorer_card_has_everything_and_local_information(amira, app):
    catalogue = app.extensions["catalogue"]
    listing, page = "", 1
    while True:  # every job is reached by More, two at a time
        screen = amira.get(f"/a/job-explorer?page={page}").text
        assert screen.count('class="tile"') == 2 or 'href="/a/job-explorer?page=' not in screen
        listing += screen
        if f'href="/a/job-explorer?page={page + 1}"' not in screen:
            break
        page += 1
    assert page == -(-len(catalogue.jobs) // 2)
    assert all(f"/a/job-explorer/{job_id}" in listing for job_id in catalogue.jobs)
    chef = catalogue.jobs["chef"]
    page = text_of(amira.get("/a/job-explorer/chef"))
    # Amira is in Career SEND Group 1: what the job is, in Group 1's words
    for part in (chef.what_simple, chef.where, chef.wear, chef.route_text, "Food technology", "Maths"):
        assert part in page
    assert chef.what not in page
    for employer in catalogue.local["chef"].employers:
        assert employer in page
    assert amira.get("/a/job-explorer/astronaut").status_code == 404


def test_group_two_reads_the_whole_text_of_a_job(ben, app):
    chef = app.extensions["catalogue"].jobs["chef"]
    page = text_of(ben.get("/a/job-explorer/chef"))
    assert chef.what in page and chef.what_simple not in page


def test_the_catalogue_is_broad(app):
    catalogue = app.extensions["catalogue"]
    assert len(catalogue.jobs) >= 40
    assert {"guess-my-job", "who-can", "all-about-me", "future-routes", "job-explorer",
            "my-skills"} <= set(catalogue.activities)
    covered = {b for a in catalogue.activities.values() for b in a.benchmarks}
    assert {2, 3, 4} <= covered
    assert all(job.wear and job.skills and job.subjects for job in catalogue.jobs.values())


def test_staff_answer_on_behalf_and_it_is_marked_as_staff(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    base = f"/staff/learners/{amira}/a/who-can/chef"
    assert client.post(f"{base}/start").headers["Location"].endswith(f"{base}/1")
    assert "You are answering for Amira" in text_of(client.get(f"{base}/1"))
    client.post(f"{base}/1", data={"choice": ["woman", "man"]})
    client.post(f"{base}/2", data={"go": "next"})
    client.post(f"{base}/3", data={"words": "She smiled at the picture of the chef"})
    rows = answers_of(app, "Amira", "who-can")
    assert {r["given_by"] for r in rows} == {"staff"} and len(rows) == 4
    page = text_of(client.get(f"/staff/learners/{amira}"))
    assert "Recorded by Jo Evans (staff)" in page or "Recorded by" in page
    assert "She smiled at the picture of the chef" in page


def test_preview_saves_nothing(client, app):
    sign_in_as(client, app, "staff")
    assert "Preview an activity" in client.get("/staff/").text
    page = text_of(client.get("/staff/preview/1/a/all-about-me"))
    assert "Nothing is saved" in page
    client.post("/staff/preview/2/a/all-about-me/mine/start")
    group_2 = client.get("/staff/preview/2/a/all-about-me/mine/1").text
    # The activity's twelve for Group 2, but never more a screen than a learner may have.
    assert group_2.count('name="choice"') == 4 and 'name="more" value="2"' in group_2
    response = client.post("/staff/preview/2/a/all-about-me/mine/1", data={"choice": ["animals"]})
    assert response.headers["Location"].endswith("/staff/preview/2/a/all-about-me/mine/2")
    with app.app_context():
        assert get_db().execute("SELECT count(*) FROM responses").fetchone()[0] == 0
        assert get_db().execute("SELECT count(*) FROM plays").fetchone()[0] == 0
    assert client.get("/staff/preview/3/a/all-about-me").status_code == 404


def test_learners_cannot_use_staff_routes_and_staff_only_reach_their_school(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "learner", "Ben")
    assert client.get(f"/staff/learners/{amira}/a/all-about-me").status_code == 403
    assert client.post(f"/staff/learners/{amira}/a/who-can/chef/start").status_code == 403
    assert client.get("/staff/preview/1/a/all-about-me").status_code == 403
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    assert client.get("/a/all-about-me").status_code == 403  # staff use the behalf routes
    assert client.get("/staff/learners/9999/a/all-about-me").status_code == 404


def test_portfolio_filters_by_benchmark_and_subject(client, app):
    sign_in_as(client, app, "learner", "Amira")
    play_survey(client, "/a/who-can/nurse", 3, {1: ["woman"], 3: "anyone"})
    play_survey(client, ABOUT, len(app.extensions["catalogue"].activities["all-about-me"].steps),
                {1: ["animals"]})
    client.post("/sign-out")
    sign_in_as(client, app, "staff")
    url = f"/staff/learners/{learner_id(app, 'Amira')}"
    section = lambda page: text_of(page).split("Activities and answers")[2]  # noqa: E731 (past the list of sections)
    only_8 = section(client.get(f"{url}?benchmark=8"))
    assert "All about me" in only_8 and "Who can do this job? – Nurse" not in only_8
    both = section(client.get(f"{url}?subject=pshe"))
    assert "All about me" in both and "Who can do this job? – Nurse" in both
    assert client.get(f"{url}?benchmark=9").status_code == 400


def test_every_prompt_and_choice_has_a_symbol_and_is_narrated(app):
    catalogue = app.extensions["catalogue"]
    symbols = app.extensions["symbols"]
    texts = set(catalogue.texts())
    for activity in catalogue.activities.values():
        for step in activity.steps:
            assert step.symbol in symbols and step.prompt in texts
            for choice in step.choices:
                assert choice.symbol in symbols and choice.text in texts
    for item in catalogue.who_can.values():
        assert {item.question, item.example, item.help} <= texts
        assert item.example_symbol in symbols and item.help_symbol in symbols


# Test files, made here so that nothing binary is kept in the repository.

def fake_webm(extra=b""):
    """A small WebM as browsers record it: the EBML header (doctype "webm"), a Segment and a
    Cluster of unknown size, an Opus sound track, and one block of bytes (`extra` among them),
    ending exactly where the file does."""
    body = bytes(range(256)) * 8 + extra
    block = b"\xa3" + (0x10000000 | len(body)).to_bytes(4, "big") + body
    tracks = b"\x16\x54\xae\x6b\x8a\xae\x88\x86\x86A_OPUS"
    cluster = b"\x1f\x43\xb6\x75\x01" + b"\xff" * 7 + b"\xe7\x81\x00" + block
    return b"\x1a\x45\xdf\xa3\x87\x42\x82\x84webm" + b"\x18\x53\x80\x67\x01" + b"\xff" * 7 + tracks + cluster


def jpeg_with_gps():
    """A 300 x 200 JPEG whose EXIF says "rotate 90 degrees" and carries a GPS position."""
    image = Image.new("RGB", (300, 200), "orange")
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90 clockwise to show
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0), 3: "W", 4: (0.0, 7.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    data = out.getvalue()
    assert b"Exif" in data
    return data


def png_header(width, height):
    """A PNG that claims to be `width` x `height`: enough for a decompression-bomb check."""
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def test_group_1_reads_the_simpler_explanation(client, app):
    step = app.extensions["catalogue"].activities["future-routes"].steps[1]
    assert step.explain_simple and step.explain_simple != step.explain
    pages = {}
    for name in ("Amira", "Ben"):
        sign_in_as(client, app, "learner", name)
        client.post("/a/future-routes/mine/start")
        client.post("/a/future-routes/mine/1", data={"go": "skip"})
        pages[name] = text_of(client.get("/a/future-routes/mine/2"))
        client.post("/sign-out")
    assert step.explain_simple in pages["Amira"] and step.explain not in pages["Amira"]
    assert step.explain in pages["Ben"] and step.explain_simple not in pages["Ben"]


# issue 14: the learner's own number of choices on every list and step
def cards(page):
    """The cards a step shows (not the ticks from its other screens, carried hidden)."""
    return re.findall(r'(?<!type="hidden" )name="choice" value="([a-z-]+)"', page)


def test_two_choices_a_screen_on_every_list_and_step_then_more(amira, app):
    catalogue = app.extensions["catalogue"]
    who_can = sorted(catalogue.who_can)
    listing = amira.get("/a/who-can").text
    assert listing.count('<button class="tile') == 2 and 'href="/a/who-can?page=2"' in listing
    assert all(f"/a/who-can/{job}/start" in listing for job in who_can[:2])
    more = amira.get("/a/who-can?page=2").text
    assert all(f"/a/who-can/{job}/start" in more for job in who_can[2:4])
    assert f"/a/who-can/{who_can[0]}/start" not in more
    assert amira.get("/a/job-explorer").text.count('class="tile"') == 2
    assert amira.get("/a/who-can?page=999").status_code == 404
    assert amira.get("/a/who-can?page=0").status_code == 404
    # Every step that asks for a tap, in every activity, shows two cards and More if it has more
    # (a matching game: two cards, the word's own among them, and no More).
    from student_app import kinds

    for activity in catalogue.activities.values():
        kind = kinds.of(activity)
        if not kind.has_steps:
            continue
        item = {"who-can": "firefighter", "word-mat": "cafe", "visit": "college"}.get(activity.kind, "mine")
        for number, step in enumerate(kind.steps(activity, kind.item(activity, item, catalogue)), start=1):
            if step.pick == "none" or not step.choices:
                continue
            amira.post(f"/a/{activity.id}/{item}/start")
            page = amira.get(f"/a/{activity.id}/{item}/{number}").text
            offered = kind.offered(step, 2)
            assert cards(page) == [c.id for c in offered or step.choices[:2]], (activity.id, step.id)
            assert ('name="more" value="2"' in page) == (offered is None and len(step.choices) > 2), (activity.id, step.id)


def test_more_keeps_the_ticks_and_shows_the_next_cards(amira, app):
    amira.post(f"{ABOUT}/start")
    response = amira.post(f"{ABOUT}/1", data={"choice": ["animals"], "more": "2"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{ABOUT}/1?page=2")
    second = amira.get(f"{ABOUT}/1?page=2").text
    assert cards(second) == ["people", "computers"]
    assert 'type="hidden" name="choice" value="animals"' in second  # ticked on screen 1
    assert "You chose these too" in text_of(amira.get(f"{ABOUT}/1?page=2"))
    # Next from screen 2 sends both screens' ticks: nothing chosen is lost.
    response = amira.post(f"{ABOUT}/1", data={"choice": ["animals", "computers"], "page": "2"})
    assert response.headers["Location"].endswith(f"{ABOUT}/2")
    standing = {a["answer"] for a in answers_of(app, "Amira") if a["step"].startswith("likes")}
    assert {"choice:animals", "choice:computers"} <= standing
    last = amira.get(f"{ABOUT}/1?page=6").text  # twelve cards, two a screen
    assert 'name="more" value="1"' in last and "See the first ones again" in last
    assert amira.get(f"{ABOUT}/1?page=7").status_code == 404
    assert amira.post(f"{ABOUT}/1", data={"more": "x"}).status_code == 404
    assert amira.post(f"{ABOUT}/1", data={"more": "99"}).status_code == 404


def test_more_on_a_pick_one_step_keeps_typed_words(ben, app):
    base = "/a/who-can/firefighter"
    ben.post(f"{base}/start")
    with app.app_context():  # Ben's profile: three cards a screen now
        get_db().execute("UPDATE learners SET choices = 3 WHERE name = 'Ben'")
    assert len(cards(ben.get(f"{base}/1").text)) == 3
    with app.app_context():
        get_db().execute("UPDATE learners SET choices = 2 WHERE name = 'Ben'")
    response = ben.post(f"{base}/3", data={"words": "Me!", "more": "2"})
    assert response.headers["Location"].endswith(f"{base}/3?page=2")
    page = ben.get(f"{base}/3?page=2").text
    assert cards(page) == ["not-sure"] and ">Me!</textarea>" in page
    assert 'type="hidden" name="choice"' not in page  # one answer only: nothing carried


def test_an_either_or_step_takes_one_answer_only(amira, app):
    steps = app.extensions["catalogue"].activities["all-about-me"].steps
    for step_id, both in (("inside-outside", ["inside", "outside"]), ("quiet-busy", ["quiet", "busy"])):
        number = next(n for n, s in enumerate(steps, start=1) if s.id == step_id)
        assert steps[number - 1].pick == "one"
        amira.post(f"{ABOUT}/start")
        page = amira.get(f"{ABOUT}/{number}").text
        assert 'type="checkbox"' not in page and '<button name="choice"' in page
        response = amira.post(f"{ABOUT}/{number}", data={"choice": both})
        assert response.status_code == 400 and "Tap one of the pictures" in text_of(response)
        assert amira.post(f"{ABOUT}/{number}", data={"choice": both[:1]}).status_code == 302


def test_staff_on_behalf_see_the_learners_own_number(client, app):
    amira = learner_id(app, "Amira")
    sign_in_as(client, app, "staff")
    base = f"/staff/learners/{amira}/a/who-can/chef"
    client.post(f"{base}/start")
    page = client.get(f"{base}/1").text
    assert len(cards(page)) == 2 and 'name="more" value="2"' in page
    response = client.post(f"{base}/1", data={"choice": ["woman"], "more": "2"})
    assert response.headers["Location"].endswith(f"{base}/1?page=2")
    listing = client.get(f"/staff/learners/{amira}/a/who-can").text
    assert f'href="/staff/learners/{amira}/a/who-can?page=2"' in listing
    assert 'href="/staff/preview/1/a/who-can?page=2"' in client.get("/staff/preview/1/a/who-can").text


def test_a_word_mat_shows_the_words_then_a_matching_game(amira, app):
    mat = app.extensions["catalogue"].places["word-mats"]["cafe"]
    listed = text_of(amira.get("/a/word-mats"))  # her two a screen, then More
    assert "At a café" in listed and "In a warehouse" in text_of(amira.get("/a/word-mats?page=2"))
    base = "/a/word-mats/cafe"
    amira.post(f"{base}/start")
    look = text_of(amira.get(f"{base}/1"))
    assert all(card.text in look for card in mat.cards)  # the whole mat, each word with its listen button
    amira.post(f"{base}/1", data={"go": "next"})
    # One word a screen: Amira's own two pictures, hers without words (Group 1), the word's among them.
    page = amira.get(f"{base}/2").text
    right = mat.cards[0]
    offered = re.findall(r'name="choice" value="([^"]+)"', page)
    assert len(offered) == 2 and right.id in offered
    assert f'aria-label="{right.text}"' in page and f"<span>{right.text}</span>" not in page
    # The same pictures each time she looks (the page's form token may tick on a second).
    assert re.findall(r'name="choice" value="([^"]+)"', amira.get(f"{base}/2").text) == offered
    wrong = next(card for card in offered if card != right.id)
    again = amira.post(f"{base}/2", data={"choice": wrong})
    assert again.status_code == 200 and "Not this one" in text_of(again)  # shown, and read aloud
    assert amira.post(f"{base}/2", data={"choice": "astronaut"}).status_code == 400
    assert amira.post(f"{base}/2", data={"choice": right.id}).headers["Location"].endswith(f"{base}/3")
    steps = [(a["step"], a["answer"]) for a in answers_of(app, "Amira", "word-mats")]
    assert steps == [("mat", "seen"), (f"find-{right.id}", f"choice:{right.id}")]
    # Ben (Group 2, four cards) sees the words under the pictures.
    ben = app.test_client()
    sign_in_as(ben, app, "learner", "Ben")
    ben.post(f"{base}/start")
    ben_page = ben.get(f"{base}/2").text
    assert len(re.findall(r'name="choice" value=', ben_page)) == 4 and f"<span>{right.text}</span>" in ben_page


def test_a_word_since_taken_out_of_a_mat_is_said_so_in_words_not_by_its_id(amira, app):
    """A school edits its own word mat: an answer to a word no longer on it stays in the record,
    shown as a question and a card since taken out, never as "find-teapot" or "choice:teapot"."""
    base = "/a/word-mats/cafe"
    amira.post(f"{base}/start")
    with app.app_context():
        play = next(get_db().query("SELECT * FROM plays WHERE activity = 'word-mats'"))
        get_db().execute("INSERT INTO responses (play_id, learner_id, step, answer, given_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [play["id"], play["learner_id"], "find-teapot", "choice:teapot", "learner", "2026-12-01T10:00:00"])
    sign_in_as(amira, app, "staff")
    portfolio = text_of(amira.get(f"/staff/learners/{learner_id(app, 'Amira')}"))
    assert "A question since taken out of this activity" in portfolio
    assert "A card since taken out of this activity" in portfolio
    assert "teapot" not in portfolio


def test_a_look_before_a_visit_shows_each_page_then_asks_how_i_feel(ben, app, client):
    visit = app.extensions["catalogue"].places["visits"]["college"]
    base = "/a/visits/college"
    ben.post(f"{base}/start")
    for number, page in enumerate(visit.cards, start=1):
        screen = text_of(ben.get(f"{base}/{number}"))
        assert page.text in screen and "A visit to a college" in screen
        ben.post(f"{base}/{number}", data={"go": "next"})
    feel = len(visit.cards) + 1
    assert "How do I feel about the visit?" in text_of(ben.get(f"{base}/{feel}"))
    ben.post(f"{base}/{feel}", data={"choice": "worried"})
    asked = ben.post(f"{base}/{feel + 1}", data={"words": "Where do I hang my coat?"})
    assert asked.headers["Location"].endswith(f"{base}/done")
    sign_in_as(client, app, "staff")  # the same test client as Ben's
    portfolio = text_of(client.get(f"/staff/learners/{learner_id(app, 'Ben')}"))
    assert "A bit worried" in portfolio and "Where do I hang my coat?" in portfolio


def test_place_kinds_refuse_bad_content(tmp_path):
    import shutil

    from student_app import ROOT
    from student_app.content import ContentError, load
    from student_app.symbols import load as load_symbols

    symbols = load_symbols(ROOT / "symbols")
    folder = tmp_path / "activities"
    shutil.copytree(ROOT / "activities", folder)
    mat = folder / "word-mats" / "cafe.toml"
    mat.write_text(mat.read_text().replace('symbol = "tool-coffee"', 'symbol = "tool-cup"'))
    with pytest.raises(ContentError, match="cafe.toml: field 'word.2.symbol' shows the same picture as 'cup'"):
        load(folder, symbols)
    shutil.copy(ROOT / "activities" / "word-mats" / "cafe.toml", mat)
    page = folder / "visits" / "cafe.toml"
    page.write_text(page.read_text().replace("I help to wipe the tables.",
                                             "I help to wipe the tables and the chairs and the counter and the windows too."))
    with pytest.raises(ContentError, match="visits/cafe.toml: field 'page.4.text' has a sentence of 16 words"):
        load(folder, symbols)


# issue 18: Money and work, Getting there, Work skills and my rights
@pytest.mark.parametrize("activity_id", ["money", "travel", "work-rights"])
@pytest.mark.parametrize("name, group", [("Amira", 1), ("Ben", 2)])
def test_each_new_guide_walks_step_by_step_at_the_learners_level(client, app, activity_id, name, group):
    activity = app.extensions["catalogue"].activities[activity_id]
    assert 6 <= len(activity.steps) <= 9
    sign_in_as(client, app, "learner", name)
    base = f"/a/{activity_id}/mine"
    assert activity.title in text_of(client.get(f"/a/{activity_id}"))
    client.post(f"{base}/start")
    picked = {}
    for number, step in enumerate(activity.steps, start=1):
        page = text_of(client.get(f"{base}/{number}"))
        assert step.prompt in page
        shown, hidden = (step.explain_simple, step.explain) if group == 1 else (step.explain, step.explain_simple)
        assert shown in page and (not hidden or hidden not in page), step.id
        if step.pick == "none":
            data = {"go": "next"}
        else:
            picked[step.id] = step.choices[0].id
            data = {"choice": [step.choices[0].id]}
        response = client.post(f"{base}/{number}", data=data)
        assert response.status_code == 302, (step.id, response.text)
    assert response.headers["Location"].endswith(f"{base}/done")
    answers = {(a["step"], a["answer"]) for a in answers_of(app, name, activity_id)}
    assert {(step, f"choice:{choice}") for step, choice in picked.items()} <= answers
    assert {(s.id, "seen") for s in activity.steps if s.pick == "none"} <= answers
