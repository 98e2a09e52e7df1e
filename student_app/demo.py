"""Demo data: one school, two staff (one admin), a class of eight learners, a family account
linked to two of them, a few passport pages, a guidance meeting, and the school's careers
programme with its Careers Leader."""

import click
from flask.cli import with_appcontext
from flask import current_app

from .db import get_db, migrate, now, transaction
from .passwords import hashed

SCHOOL = "Oak Tree School (demo)"
# Demo sign-ins are published in the README; they exist only in a demo database.
STAFF = [
    ("Sam Patel", "admin@oaktree.example", "oak-tree-admin", "admin"),
    ("Jo Evans", "teacher@oaktree.example", "oak-tree-teacher", "teacher"),
]
# Two-step sign-in keys for the demo staff (published: demo only). Add one to an authenticator
# app, or print the current code with the `flask demo-code EMAIL` command.
DEMO_TOTP = {"admin@oaktree.example": "DEMOADMINOAKTREESECRETKEYFORTEST", "teacher@oaktree.example": "DEMOTEACHEROAKTREESECRETKEYTWOAB"}
FAMILY = ("Rosa Khan", "family@oaktree.example", "oak-tree-family", ("Amira", "Ben"))
# Months of birth (ages 13 to 19) and photo consent, in the order of LEARNERS.
BIRTHS = ["2009-03", "2010-11", "2012-06", "2008-01", "2011-09", "2007-12", "2010-04", "2009-07"]
PHOTO_CONSENT = [True, True, False, True, True, False, True, True]
PAGES = [  # learner, kind, what, place, place symbol, date, who with, did, feeling, learnt, again
    ("Amira", "workplace", "A morning at the garden centre", "Green Fingers Garden Centre",
     "place-garden", "2026-10-08", "Mr Evans and two classmates",
     "I watered the plants and put price labels on the pots.", "feeling-happy",
     "You have to be gentle with small plants.", "yes"),
    ("Amira", "employer", "A chef came to school", "Our school hall", "place-school",
     "2026-09-24", "Our class", "I asked what time the chef starts work.", "feeling-excited",
     "Chefs start very early.", "not-sure"),
    ("Ben", "provider", "College taster day", "Riverside College", "place-college",
     "2026-11-05", "Mum and Ms Patel", "I tried the computer course and made a small game.",
     "feeling-proud", "College has lots of different courses.", "yes"),
]
# A guidance meeting for Ben (Gatsby Benchmark 8) and the actions agreed: (text, who, who's
# name, topic, by when).
MEETING = {
    "learner": "Ben", "held_on": "2026-11-12", "adviser": "Priya Shah", "adviser_qualified": 1,
    "others": "Mum and Ms Patel",
    "talked_about": "The college taster day, and courses where Ben can make games.",
    "learner_wants": "I want to make computer games. I liked the college.",
    "agreed": "Ben will find out about the games course. School will book a second visit.",
    "look_again_on": "2027-03-01",
    "actions": [
        ("Ask Riverside College about the games course", "learner", None, "learning", "2026-12-18"),
        ("Book a second taster day at Riverside College", "school", "Ms Patel", "learning", "2027-01-29"),
        ("Practise the bus journey to college together", "family", "Mum", "travel", None),
    ],
}
# What staff wrote in Ben's one-page profile (review/records.PROFILE_PARTS).
PROFILE = {
    "admire": "Ben is patient and kind with younger pupils, and very good at fixing computers.",
    "important": "His family, his games club on Thursdays, and knowing what will happen next.",
    "support": "Tell him about changes the day before. Show him, then let him try. He likes a quiet place to work.",
}
# The school's careers programme (desk/programme.py): year, term, an activity id or an event
# (kind, title), the Gatsby Benchmarks and the CDI framework areas it serves.
PROGRAMME = [
    (7, "autumn", "all-about-me", None, "1,3", "grow-throughout-life"),
    (8, "spring", "guess-my-job", None, "2,4", "explore-possibilities"),
    (8, "summer", "provider-taster", "Riverside College open morning", "7", "explore-possibilities,create-opportunities"),
    (9, "autumn", "employer-talk", "A chef and a nurse visit our class", "5", "explore-possibilities,see-big-picture"),
    (9, "spring", "my-skills", None, "3,4", "grow-throughout-life,manage-career"),
    (10, "summer", "workplace-visit", "A morning at Green Fingers Garden Centre", "6", "create-opportunities,balance-life-and-work"),
    (11, "autumn", "guidance-meeting", "Talking about next steps with our careers adviser", "8", "manage-career"),
    (11, "spring", "future-routes", None, "2,7", "manage-career,see-big-picture"),
    (12, "spring", "provider-taster", "A supported internship taster at Riverside Hospital", "7", "create-opportunities"),
]
CAREERS_DETAILS = {
    "leader_name": "Jo Evans", "leader_email": "careers@oaktree.example", "leader_phone": "01234 567890",
    "learners_text": "Every young person has careers lessons, visits and a guidance meeting each year.\n"
                     "Ask your teacher if you want to try something new.",
    "families_text": "Come to our careers evening in March, and to your child's annual review. "
                     "You can see your child's passport at home.",
    "employers_text": "Give a talk, host a visit or offer a work taster. Please email our Careers Leader.",
    "impact_text": "We ask young people and families what helped, we look at where leavers go, and we check "
                   "our programme against the Gatsby Benchmarks every term.",
    "next_review_on": "2027-07-15", "public": 1,
}
LEARNERS = [
    ("Amira", "avatar-fox", ("code-cat", "code-sun", "code-tree"), 1, 2, True),
    ("Ben", "avatar-owl", ("code-dog", "code-apple", "code-car"), 2, 4, False),
    ("Chloe", "avatar-panda", ("code-star", "code-star", "code-fish"), 1, 2, True),
    ("Dylan", "avatar-frog", ("code-ball", "code-tree", "code-sun"), 2, 4, True),
    ("Ellie", "avatar-lion", ("code-fish", "code-cat", "code-ball"), 1, 2, False),
    ("Farhan", "avatar-penguin", ("code-car", "code-car", "code-apple"), 2, 4, True),
    ("Grace", "avatar-rabbit", ("code-sun", "code-dog", "code-star"), 1, 2, True),
    ("Harry", "avatar-turtle", ("code-apple", "code-fish", "code-dog"), 2, 4, False),
]


def load_demo(db):
    """Add the demo school, unless it is there already. Returns False if it was."""
    if db["schools"].exists() and list(db.query("SELECT id FROM schools WHERE name = ?", [SCHOOL])):
        return False
    with transaction(db):
        school = db["schools"].insert({"name": SCHOOL, "created_at": now()}).last_pk
        group = db["classes"].insert({"school_id": school, "name": "Class 4 (Maple)", "created_at": now()}).last_pk
        for name, email, password, staff_role in STAFF:
            db["staff"].insert(
                {"school_id": school, "email": email, "name": name,
                 "password_hash": hashed(password), "staff_role": staff_role,
                 "totp_secret": DEMO_TOTP[email], "totp_confirmed_at": now()}
            )
        ids = {}
        for (name, avatar, code, career_group, choices, autoplay), birth, consent in zip(
                LEARNERS, BIRTHS, PHOTO_CONSENT):
            ids[name] = db["learners"].insert(
                {"school_id": school, "class_id": group, "name": name, "avatar": avatar,
                 "code": "-".join(code), "code_hash": "", "created_at": now(),
                 "career_group": career_group, "choices": choices, "autoplay": int(autoplay),
                 "date_of_birth": birth, "photo_consent": int(consent)}
            ).last_pk
        family_name, email, password, children = FAMILY
        family = db["families"].insert(
            {"email": email, "name": family_name, "password_hash": hashed(password),
             "created_at": now()}).last_pk
        for child in children:
            db["family_links"].insert({"family_id": family, "learner_id": ids[child]})
            db.execute("UPDATE learners SET family_visible = 1 WHERE id = ?", [ids[child]])
        for learner, kind, what, place, symbol, day, who, did, feeling, learnt, again in PAGES:
            db["passport_pages"].insert(
                {"learner_id": ids[learner], "kind": kind, "what": what, "place": place,
                 "place_symbol": symbol, "happened_on": day, "who_with": who, "did": did,
                 "feeling": feeling, "learnt": learnt, "again": again, "given_by": "learner",
                 "created_at": now(), "lang": "en-GB"})
        meeting = {key: value for key, value in MEETING.items() if key not in ("learner", "actions")}
        meeting_id = db["guidance_meetings"].insert({**meeting, "learner_id": ids[MEETING["learner"]],
                                                     "lang": "en-GB", "created_at": now()}).last_pk
        for text, who, who_name, topic, due_on in MEETING["actions"]:
            db["guidance_actions"].insert({"meeting_id": meeting_id, "learner_id": ids[MEETING["learner"]],
                                           "text": text, "who": who, "who_name": who_name, "topic": topic,
                                           "due_on": due_on})
        teacher = db.execute("SELECT id FROM staff WHERE school_id = ? AND staff_role = 'teacher'", [school]).fetchone()[0]
        db["staff_classes"].insert({"staff_id": teacher, "class_id": group})  # Jo Evans teaches Class 4 (Maple)
        for part, text in PROFILE.items():
            db["profile_parts"].insert({"learner_id": ids[MEETING["learner"]], "part": part, "text": text,
                                        "staff_id": teacher, "updated_at": now()})
        for year, term, what, title, benchmarks, areas in PROGRAMME:
            db["programme_entries"].insert({
                "school_id": school, "year_group": year, "term": term, "kind": "activity" if title is None else what,
                "activity_id": what if title is None else None, "title": title, "benchmarks": benchmarks,
                "cdi_areas": areas, "staff_id": teacher, "created_at": now()})
        db["careers_programme"].insert({**CAREERS_DETAILS, "school_id": school, "staff_id": teacher, "updated_at": now()})
    return True


def sign_ins_text():
    symbols = current_app.extensions["symbols"]
    lines = ["Demo sign-ins (Oak Tree School):"]
    for name, email, password, staff_role in STAFF:
        lines.append(f"  staff ({staff_role}): {email} / {password}, then the code from "
                     f"`flask --app student_app demo-code {email}` (key {DEMO_TOTP[email]})")
    family_name, email, password, children = FAMILY
    lines.append(f"  family ({' and '.join(children)}): {email} / {password}  (at /family/sign-in)")
    for name, avatar, code, *_ in LEARNERS:
        pictures = ", ".join(symbols[c].label() for c in code)
        lines.append(f"  learner: {name} ({symbols[avatar].label()}), picture code: {pictures}")
    return "\n".join(lines)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create the database if needed and add the demo school, then print its sign-ins."""
    db = get_db()
    migrate(db)
    added = load_demo(db)
    click.echo("Demo school added." if added else "Demo school already there.")
    click.echo(sign_ins_text())


@click.command("demo-code")
@click.argument("email")
@with_appcontext
def demo_code_command(email):
    """Print the current two-step sign-in code of a demo staff account."""
    import pyotp

    if email not in DEMO_TOTP:
        raise click.ClickException("Only the demo staff accounts have a published key.")
    click.echo(pyotp.TOTP(DEMO_TOTP[email]).now())


def init_app(app):
    app.cli.add_command(demo_command)
    app.cli.add_command(demo_code_command)
