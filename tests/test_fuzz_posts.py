"""Random form data, and random files where a route takes files, posted to every POST route of
the app's URL map as every role (signed out, learner, family, staff, admin), with CSRF off:
never a 500. Property-based with hypothesis; URL parameters are mostly valid ids of the demo
data (so the handlers are reached, not only the 404 of a missing learner), sometimes not."""

import io
import random
import re
from pathlib import Path

import pytest

from hypothesis import HealthCheck, given, settings, strategies as st
from werkzeug.datastructures import MultiDict
from werkzeug.routing import IntegerConverter

from student_app import access, auth, classroom, passport, responses
from student_app.db import get_db
from student_app.demo import STAFF
from tests.conftest import learner_id
from tests.test_library import fake_webm, jpeg_with_gps, png_header
from tests.test_permissions import MATRIX, ROLES as MATRIX_ROLES
from tests.test_permissions import world  # noqa: F401  (the demo data of every kind, signed-in clients)

ROOT = Path(__file__).resolve().parent.parent
ROLES = {"A": "signed out", "L": "learner", "F": "family", "S": "staff", "D": "admin"}
COOKIE = "student_app_session"
# Tries where the role may use the route, and where it is turned away at the door.
ALLOWED_EXAMPLES, REFUSED_EXAMPLES = 20, 3


def field_names():
    """Every form and file field the app reads or its templates send, found in the source."""
    names = set()
    for path in (ROOT / "student_app").glob("*.py"):
        names |= set(re.findall(r'(?:form|files)\.(?:get|getlist)\("(\w+)"', path.read_text()))
        names |= set(re.findall(r'_text\(form, "(\w+)"', path.read_text()))
    for path in (ROOT / "templates").rglob("*.html"):
        names |= set(re.findall(r'name="(\w+)"', path.read_text()))
    return sorted(names - {"csrf_token"})


FIELDS = field_names()
FILE_FIELDS = ["photo", "photos", "voice", "did_voice"]


def field_values(app):
    """For each field, values the app accepts there (so a random form often gets past the
    first check and reaches the next), and a few near misses."""
    catalogue = app.extensions["catalogue"]
    months, dates = ["2026-07", "2010-05", "1890-01", "2026-13"], ["2026-11-01", "2026-02-30", "1999-01-01"]
    # The first step's choices of each activity: the URLs name step 1.
    choices = sorted({choice.id for activity in catalogue.activities.values()
                      for step in getattr(activity, "steps", ())[:1] for choice in step.choices})
    known = {
        "kind": list(passport.KINDS), "feeling": list(passport.FEELINGS), "again": list(passport.AGAIN),
        "place_symbol": [s for s in app.extensions["symbols"] if s.startswith("place-")][:5] + ["nav-home"],
        "happened_on": dates, "date_of_birth": months, "left_on": months, "from": dates, "to": dates,
        "job": sorted(catalogue.jobs)[:6], "learner": ["1", "2", "999"], "reaction": list(responses.REACTIONS),
        "action": list(classroom.ACTIONS), "career_group": ["1", "2", "3"], "choices": ["2", "3", "4", "5"],
        "pick": list(auth.CODE_SYMBOLS), "picks": ["code-cat", "code-cat,code-sun", "code-cat,code-sun,code-tree"],
        "choice": choices, "go": ["next", "skip", "back"], "text": ["Home", "Next", "Listen"],
        "version": ["1", "2", "0"], "confirm_name": ["Chloe", "amira"], "back": ["/staff/voices?page=2", "//evil.example"],
        "email": ["family@oaktree.example", "teacher@oaktree.example", "@"], "code": ["ABCD-EFGH", "1234"],
        **{name: list(allowed) for name, (allowed, _default) in access.OPTIONS.items()},
    }
    return {name: known.get(name) or ["on", "1", ""] for name in FIELDS}


def file_contents():
    """Random bytes, sometimes behind the first bytes of a photo or a recording."""
    starts = st.sampled_from([b"", b"\xff\xd8\xff\xe0", b"\x89PNG\r\n\x1a\n", b"\x1a\x45\xdf\xa3",
                              b"OggS", b"RIFF\0\0\0\0WAVE", b"ID3", b"<svg ", b"<?php "])
    huge = st.tuples(st.integers(1, 60000), st.integers(1, 60000)).map(lambda size: png_header(*size))
    real = st.sampled_from([jpeg_with_gps(), fake_webm()])
    return st.one_of(st.tuples(starts, st.binary(max_size=2048)).map(b"".join), huge, real)


def url_strategy(rule, args, avoid):
    """The route's URL with the demo data's ids, or now and then another value (never one in
    `avoid`, such as the signed-in staff's own ids: resetting their two-step sign-in ends
    their session, as it should)."""
    parts = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            other = st.integers(0, 2**40).filter(lambda n, name=name: n not in avoid.get(name, ()))
        else:
            other = st.text("abcxyz-_.%0123456789", min_size=1, max_size=30)
        parts[name] = st.integers(0, 9).flatmap(lambda n, name=name, other=other: st.just(args[name]) if n else other)
    return st.fixed_dictionaries(parts).map(lambda values: rule.build(values)[1])


# Characters random text is made of: ASCII, accents, other scripts (Polish, Welsh, Arabic,
# Chinese), marks, controls, emoji, quotes and markup.
ALPHABET = ("abcXYZ019 -_.,;:!?'\"<>&/\\%{}[]()=+#@\t\n\r\x00\x07\x1b\x7f\u00a0"
            "éñøßłąęŵŷ\u0301\u200b\u200f\u202e\ufeffعربيةمحمد中文字\U0001F600\U0001F469\u200d\U0001F692")


def random_text(rng, longest):
    return "".join(rng.choices(ALPHABET, k=rng.randint(0, longest)))


def form_strategy(app, with_files):
    """Every field the app knows: half the time each with a value the app accepts somewhere
    (so a handler gets past its checks and saves), otherwise each left out, accepted, random
    text or several values. The fields are made from a seed that hypothesis draws (drawing each
    of the hundred fields through hypothesis took half the test's time); the files are drawn
    by hypothesis."""
    values = field_values(app)

    def noise(rng):
        kind = rng.randrange(4)
        if kind < 2:
            return random_text(rng, (40, 3000)[kind])
        return "\0" if kind == 2 else "x" * 1001

    def to_form(seed):
        rng = random.Random(seed)
        form, tidy = MultiDict(), rng.random() < 0.5
        for name in FIELDS:
            kind = 1 if tidy else rng.randrange(4)
            if kind == 1:
                form.add(name, rng.choice(values[name]))
            elif kind == 2:
                form.add(name, noise(rng))
            elif kind == 3:
                for _ in range(rng.randint(2, 4)):
                    form.add(name, rng.choice(values[name]))
        return form

    fields = st.integers(0, 2**64).map(to_form)
    if not with_files:
        return fields
    files = st.lists(st.tuples(st.sampled_from(FILE_FIELDS), st.text(max_size=20), file_contents()), max_size=3)

    def combine(parts):
        form = parts[0]
        for name, filename, content in parts[1]:
            form.add(name, (io.BytesIO(content), filename or "f"))
        return form

    return st.tuples(fields, files).map(combine)


def tries(client, cookie, role, rule, args, avoid, forms, files):
    """A hypothesis test of one route as one role."""
    row = MATRIX.get(rule.endpoint)
    allowed = row is None or row[MATRIX_ROLES.index(role)] == "y"

    @settings(max_examples=ALLOWED_EXAMPLES if allowed else REFUSED_EXAMPLES, deadline=None, database=None,
              derandomize=True, suppress_health_check=list(HealthCheck))
    @given(url=url_strategy(rule, args, avoid), data=forms)
    def post(url, data):
        # Each try starts from the role's own session (a try may change what the session
        # holds, such as a half-finished sign-in).
        if cookie is None:
            client.delete_cookie(COOKIE)
        else:
            client.set_cookie(COOKIE, cookie.value)
        # As a browser sends them: a form with a file field as multipart, any other urlencoded.
        response = client.post(url, data=data, content_type="multipart/form-data" if files else None)
        response.close()
        assert response.status_code < 500, f"POST {url} as {ROLES[role]}: {response.status_code}"

    return post


# Routes that, done by these roles, end a session of the tries' own clients: signing out,
# staff signing Amira out on every tablet, an admin switching a family account off or marking
# leavers. Their own
# tests (test_auth, test_privacy) cover them.
ENDS_A_SESSION = {"auth.sign_out": "LFSD", "staff.end_learner_sessions": "SD", "staff.family_access": "D",
                  # marking leavers (the form names learners) may sign Amira out: test_school_year_end covers it
                  "school.mark_leavers": "D"}


# One test a role, so that pytest-xdist can share them out (scripts/test.sh).
@pytest.mark.parametrize("role", ROLES)
def test_random_posts_to_every_route_as_every_role_never_get_a_500(app, world, role):  # noqa: F811
    clients, args = world
    cookies = {role: clients[role].get_cookie(COOKIE) for role in ROLES}
    with app.app_context():
        db = get_db()
        # The ids of the signed-in clients: a random id in a URL is never one of them...
        avoid = {"staff_id": {row[0] for row in db.execute(
                     "SELECT id FROM staff WHERE email IN (?, ?)", [STAFF[0][1], STAFF[1][1]])},
                 "learner_id": {args["learner_id"]}, "pupil_id": {args["learner_id"]}, "family_id": {args["family_id"]}}
        # ...and routes that end someone's sessions (rightly) aim at someone else.
        aimed = {"staff.end_learner_sessions": {"learner_id": learner_id(app, "Ben")},
                 "staff.family_access": {"family_id": db.execute(
                     "SELECT id FROM families WHERE email = 'chloe.family@example.org'").fetchone()[0]}}
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(rules) > 40
    tried = 0
    for rule in sorted(rules, key=lambda r: r.endpoint):
        view = app.view_functions[rule.endpoint]
        files = getattr(view, "accepts_uploads", False)
        if role in ENDS_A_SESSION.get(rule.endpoint, ""):
            continue
        rule_args = dict(args, **aimed.get(rule.endpoint, {}))
        tries(clients[role], cookies[role], role, rule, rule_args, avoid, form_strategy(app, files), files)()
        tried += 1
    assert tried >= len(rules) - sum(role in ends for ends in ENDS_A_SESSION.values())
    # The role was still signed in at the end, so the tries reached what it reaches.
    home = {"L": "/home", "F": "/family/", "S": "/staff/", "D": "/staff/"}.get(role)
    if home:
        clients[role].set_cookie(COOKIE, cookies[role].value)
        assert clients[role].get(home).status_code == 200, ROLES[role]
