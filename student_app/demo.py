"""Demo data: one school, two staff (one admin) and a class of eight learners."""

import click
from flask.cli import with_appcontext
from flask import current_app
from werkzeug.security import generate_password_hash

from .db import get_db, migrate, transaction

SCHOOL = "Oak Tree School (demo)"
# Demo sign-ins are published in the README; they exist only in a demo database.
STAFF = [
    ("Sam Patel", "admin@oaktree.example", "oak-tree-admin", True),
    ("Jo Evans", "teacher@oaktree.example", "oak-tree-teacher", False),
]
# name, picture, picture code, Career SEND Group, choices, narration autoplay
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
        school = db["schools"].insert({"name": SCHOOL}).last_pk
        group = db["classes"].insert({"school_id": school, "name": "Class 4 (Maple)"}).last_pk
        for name, email, password, is_admin in STAFF:
            db["staff"].insert(
                {"school_id": school, "email": email, "name": name,
                 "password_hash": generate_password_hash(password), "is_admin": int(is_admin)}
            )
        for name, avatar, code, career_group, choices, autoplay in LEARNERS:
            db["learners"].insert(
                {"school_id": school, "class_id": group, "name": name, "avatar": avatar,
                 "code_hash": generate_password_hash("-".join(code)),
                 "career_group": career_group, "choices": choices, "autoplay": int(autoplay)}
            )
    return True


def sign_ins_text():
    symbols = current_app.extensions["symbols"]
    lines = ["Demo sign-ins (Oak Tree School):"]
    for name, email, password, is_admin in STAFF:
        role = "admin" if is_admin else "teacher"
        lines.append(f"  staff ({role}): {email} / {password}")
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


def init_app(app):
    app.cli.add_command(demo_command)
