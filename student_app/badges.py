"""Sign-in badges: issuing a learner's QR badge (which voids the one before) and voiding them.

A badge's secret is shown only once, on the card sheet that issuing it prints; only its hash is
kept. The views (staff.py) check who is asking; this module only writes the rows.
"""

import secrets

import segno
from flask import g, url_for

from .auth import name_before_sign_in, token_hash
from .db import get_db, now, transaction
from .lookups import has_left
from .school.records import code_pictures

BADGE_SECRET_BYTES = 18  # 144 random bits; at least 112 are asked for


def new_badge_secret():
    return secrets.token_urlsafe(BADGE_SECRET_BYTES)


def _void(db, learner_ids):
    """Void the learners' badges, and end the sessions those badges started (a lost badge may
    have been used already)."""
    ids = "[" + ",".join(str(int(i)) for i in learner_ids) + "]"
    db.execute(
        """DELETE FROM sign_ins WHERE role = 'learner' AND badge_id IN (SELECT id FROM badges
           WHERE voided_at IS NULL AND learner_id IN (SELECT value FROM json_each(?)))""", [ids])
    db.execute(
        """UPDATE badges SET voided_at = ? WHERE voided_at IS NULL
           AND learner_id IN (SELECT value FROM json_each(?))""", [now(), ids])


def void(learner_ids):
    """Stop every badge of these learners signing anyone in, at once."""
    db = get_db()
    with transaction(db):
        _void(db, learner_ids)


def issue(learners):
    """Void each current learner's badges and issue a new one; learners who have left get
    none. Returns one card a learner: the learner, the name to print on it, their code's
    pictures (or None) and the QR code of their new badge as SVG."""
    learners = [learner for learner in learners if not has_left(learner)]
    db = get_db()
    cards, rows = [], []
    for learner in learners:
        secret = new_badge_secret()
        rows.append({"learner_id": learner["id"], "secret_hash": token_hash(secret),
                     "issued_at": now(), "issued_by": g.user["id"]})
        name = name_before_sign_in(learner)
        url = url_for("auth.badge", secret=secret, _external=True)
        # The SVG's title is read out and may be printed: the printed name, never a protected one.
        qr = segno.make(url, error="m").svg_inline(scale=4, title=name, omitsize=True)
        cards.append({"learner": learner, "name": name, "pictures": code_pictures(learner["code"]), "qr": qr})
    with transaction(db):
        _void(db, [learner["id"] for learner in learners])
        db["badges"].insert_all(rows)
    return cards
