"""Each learner's access profile, set by staff or the learner, applied on the server."""

import re

import soundfile

from student_app.db import get_db
from tests.conftest import learner_id, sign_in_as


def body_of(response):
    return re.search(r"<body[^>]*>", response.text)[0]


def set_profile(client, app, name, **options):
    learner = learner_id(app, name)
    data = {"career_group": "1", "choices": "2", "autoplay": "on", **options}
    return client.post(f"/staff/learners/{learner}/settings", data=data)


def test_staff_set_a_profile_and_every_learner_page_is_made_with_it(client, app):
    sign_in_as(client, app, "staff")
    assert set_profile(client, app, "Chloe", theme="contrast", display="symbols", text_size="larger",
                       method="switch1", scan_seconds="3", font="dyslexia", motion="reduced").status_code == 302
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Chloe")
    for url in ("/home", "/activities/guess-my-job", "/a/all-about-me", "/passport", "/settings"):
        body = body_of(client.get(url))
        for part in ("theme-contrast", "display-symbols", "text-size-larger", "method-switch1",
                     "font-dyslexia", "motion-reduced", 'data-access-method="switch1"', 'data-scan-seconds="3"'):
            assert part in body, (url, part)


def test_other_learners_and_staff_pages_are_not_affected(client, app):
    sign_in_as(client, app, "staff")
    set_profile(client, app, "Chloe", theme="dark")
    assert "theme-dark" not in body_of(client.get("/staff/"))
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Amira")
    assert "theme-default" in body_of(client.get("/home"))


def test_a_setting_not_offered_is_refused(client, app):
    sign_in_as(client, app, "staff")
    response = set_profile(client, app, "Chloe", theme="neon")
    assert response.status_code == 400 and "settings offered" in response.text
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Chloe")
    assert client.post("/settings", data={"theme": "dark", "autoplay": "maybe"}).status_code == 400


def test_the_learner_changes_their_own_settings_with_symbols(client, app):
    sign_in_as(client, app, "learner", "Amira")
    page = client.get("/settings").text
    assert page.count('type="radio"') == 20 and "/symbols/setting-theme-dark" in page
    assert client.post("/settings", data={"theme": "dark", "text_size": "large", "display": "both",
                                          "rate": "slow", "autoplay": "off"}).status_code == 302
    body = body_of(client.get("/home"))
    assert "theme-dark" in body and "text-size-large" in body
    with app.app_context():
        assert get_db().execute("SELECT autoplay FROM learners WHERE name = 'Amira'").fetchone()[0] == 0


def test_narration_follows_the_learners_speed(client, app, tmp_path):
    sign_in_as(client, app, "learner", "Amira")
    normal = re.findall(r'href="(/narration/[^"]+)"', client.get("/home").text)
    client.post("/settings", data={"rate": "fast", "autoplay": "on"})
    fast = re.findall(r'href="(/narration/[^"]+)"', client.get("/home").text)
    assert normal and fast and set(normal).isdisjoint(fast)
    slow_clip, fast_clip = client.get(normal[0]), client.get(fast[0])
    assert slow_clip.status_code == fast_clip.status_code == 200
    durations = []
    for name, clip in (("normal.mp3", slow_clip), ("fast.mp3", fast_clip)):
        (tmp_path / name).write_bytes(clip.data)
        durations.append(soundfile.info(tmp_path / name).duration)
    assert durations[1] < durations[0] * 0.95  # the same words, said faster


def test_narration_speaks_in_the_learners_chosen_voice(client, app, tmp_path):
    """The higher voice is the same words in espeak-ng's higher variant: a different clip
    whose sound sits higher (its spectral centroid, the mean frequency weighted by energy)."""
    import numpy

    sign_in_as(client, app, "learner", "Amira")
    lower = re.findall(r'href="(/narration/[^"]+)"', client.get("/home").text)
    client.post("/settings", data={"voice": "higher", "autoplay": "on"})
    assert 'value="higher" checked' in client.get("/settings").text
    higher = re.findall(r'href="(/narration/[^"]+)"', client.get("/home").text)
    assert lower and higher and set(lower).isdisjoint(higher)
    centroids = []
    for name, url in (("lower.mp3", lower[0]), ("higher.mp3", higher[0])):
        clip = client.get(url)
        assert clip.status_code == 200
        (tmp_path / name).write_bytes(clip.data)
        data, rate = soundfile.read(tmp_path / name)
        energy = numpy.abs(numpy.fft.rfft(data))
        centroids.append((numpy.fft.rfftfreq(len(data), 1 / rate) * energy).sum() / energy.sum())
    assert centroids[1] > centroids[0] * 1.08
    with app.test_request_context():
        from student_app.narration import _serializer

        forged = _serializer().dumps(["en", "What would you like to do?", 150, "+../../x"])
    assert client.get(f"/narration/{forged}.mp3").status_code == 404


def test_each_voice_on_the_settings_screen_is_heard_in_that_voice(client, app):
    sign_in_as(client, app, "learner", "Amira")
    page = client.get("/settings").text
    with app.test_request_context():
        from student_app.narration import _serializer

        def spoken_in(label):
            url = re.search(r">" + label + r"</span></label>\s*<a class=\"listen\" href=\"([^\"]+)\"", page)[1]
            return _serializer().loads(url.rsplit("/", 1)[-1].removesuffix(".mp3"))

        assert spoken_in("A higher voice")[3] == "+f3"
        assert spoken_in("A lower voice")[3:] in ([], [""])


def test_the_printed_passport_uses_the_learners_text_size(client, app):
    sign_in_as(client, app, "staff")
    set_profile(client, app, "Amira", text_size="larger")
    page = client.get(f"/staff/learners/{learner_id(app, 'Amira')}/passport/print")
    assert "print-size-larger" in body_of(page)


def test_three_cards_is_a_choice_too(client, app):
    sign_in_as(client, app, "staff")
    assert set_profile(client, app, "Chloe", choices="3").status_code == 302
    assert set_profile(client, app, "Chloe", choices="5").status_code == 400
    client.post("/sign-out")
    sign_in_as(client, app, "learner", "Chloe")
    client.post("/activities/guess-my-job/nurse/start")
    assert client.get("/activities/guess-my-job/nurse/guess").text.count('name="job"') == 3


def test_only_the_month_and_year_of_birth_are_kept(client, app):
    # The month of birth is on the learner's details page (an admin's), the one place for it.
    sign_in_as(client, app, "admin")
    chloe = learner_id(app, "Chloe")
    details = {"name": "Chloe", "avatar": "avatar-panda"}
    url = f"/staff/school/learners/{chloe}"
    assert client.post(url, data=dict(details, date_of_birth="2011-04")).status_code == 302
    assert client.post(url, data=dict(details, date_of_birth="2011-04-17")).status_code == 302  # the day is dropped
    assert client.post(url, data=dict(details, date_of_birth="2099-01")).status_code == 400
    with app.app_context():
        stored = {r[0] for r in get_db().execute("SELECT date_of_birth FROM learners")}
    assert all(value is None or len(value) == 7 for value in stored)
