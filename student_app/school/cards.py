"""Sign-in cards and family invitation letters: what a school prints to get learners and their
families in.

- Cards: an A4 sheet of cards to cut out, one a learner: their picture, the name printed for
  them (a protected learner's picture's name), their picture code in order with its words, and
  a new QR badge. The sheet is what the "Print new badges" buttons (staff.issue_badge and
  staff.issue_class_badges) answer, on screen to print or as a PDF; the pages here say what
  printing does and offer both.
- Letters: an A4 letter a family invitation, in the language the school picks for the family,
  in plain words with symbols, with the invitation's QR code and typed code. The learner's
  portfolio makes them for one family (staff.invite_family, one letter an adult); the page
  here makes them for a whole class.

A badge's secret and an invitation's token are kept only as hashes, so both are shown only on
the sheet or letters that made them.
"""

from collections import Counter
from datetime import date, timedelta

import segno
from flask import abort, g, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup

from . import bp
from .. import family
from ..auth import name_before_sign_in
from ..db import get_db, now, transaction
from ..i18n import DEFAULT, LANGUAGES, page_language
from ..lookups import class_of_school, has_left, learner_of_school, teacher_required
from ..passport import pdf_of, pdf_response
from ..web import render
from .records import code_pictures

MAX_ADULTS = 4  # each adult of a family gets their own invitation, letter and account


def card_sheet(cards, title, filename, as_pdf=False):
    """The card sheet of just-issued badges (badges.issue), as a page to print or a PDF."""
    if as_pdf:
        html = render_template("school/cards.html", cards=cards, title=title, printing=True)
        return pdf_response(pdf_of(html), filename)
    return render_template("school/cards.html", cards=cards, title=title, printing=False)


def _start_page(learners, heading, issue_url, back_url):
    """What printing cards will do, for whom, with a button to print and one for a PDF."""
    teacher_required()
    current = [learner for learner in learners if not has_left(learner)]
    return render("school/cards_start.html", heading=heading, learners=current, issue_url=issue_url,
                  back_url=back_url, without_code=[l for l in current if code_pictures(l["code"]) is None],
                  left=len(learners) - len(current))


@bp.get("/classes/<int:class_id>/cards")
def class_cards(class_id):
    group = class_of_school(class_id)
    learners = list(get_db().query("SELECT * FROM learners WHERE class_id = ? ORDER BY name", [class_id]))
    return _start_page(learners, _("Sign-in cards for %(class)s", **{"class": group["name"]}),
                       url_for("staff.issue_class_badges", class_id=class_id), url_for("staff.home"))


@bp.get("/learners/<int:learner_id>/cards")
def learner_cards(learner_id):
    learner = learner_of_school(learner_id)
    return _start_page([learner], _("Sign-in card for %(name)s", name=learner["name"]),
                       url_for("staff.issue_badge", learner_id=learner_id),
                       url_for("staff.portfolio", learner_id=learner_id))


def letter_choices(form):
    """The language and number of adults a letter form asks for. A form without them (an
    older page) gets English and one adult; a value the form never offers gets 400."""
    code = form.get("language", DEFAULT)
    adults = form.get("adults", "1")
    if code not in LANGUAGES:
        abort(400, _("Please choose the language of the letter from the list."))
    if adults not in [str(n) for n in range(1, MAX_ADULTS + 1)]:
        abort(400, _("Please choose how many adults, from 1 to %(most)s.", most=MAX_ADULTS))
    return LANGUAGES[code], int(adults)


def letters(learners, language, as_pdf, title, filename, back, replace=False):
    """Make one invitation for each entry of `learners` (a learner comes once for each adult
    of their family) and show its letter, one A4 page each, in `language`. With `replace`,
    their invitations still waiting are cancelled in the same step (letters lost, or never
    printed)."""
    db = get_db()
    made = []
    with transaction(db):
        if replace:
            db.execute(
                """UPDATE invitations SET revoked_at = ? WHERE used_at IS NULL AND revoked_at IS NULL
                   AND learner_id IN (SELECT value FROM json_each(?))""",
                [now(), "[" + ",".join(str(int(learner["id"])) for learner in learners) + "]"])
        for learner in learners:
            made.append((learner, *family.new_invitation(learner["id"], g.user["id"])))
    adults = Counter(learner["id"] for learner in learners)
    sheets, seen = [], Counter()
    for learner, token, code in made:
        link = url_for("family.join", token=token, _external=True)
        seen[learner["id"]] += 1
        sheets.append({
            "learner": learner, "name": name_before_sign_in(learner), "code": code, "link": link,
            "qr": Markup(segno.make(link, error="m").svg_inline(scale=6, omitsize=True)),
            # Which of a family's letters this is, when several adults each get one.
            "adult": seen[learner["id"]], "adults": adults[learner["id"]],
        })
    context = {
        "letters": sheets, "school": db["schools"].get(g.user["school_id"])["name"], "staff_name": g.user["name"],
        "address": url_for("family.join", _external=True),
        "expires": date.today() + timedelta(days=family.INVITATION_DAYS),
    }
    if as_pdf:
        with force_locale(language.code):
            html = render_template("school/letters.html", printing=True, bar=None, **context)
        return pdf_response(pdf_of(html), filename)
    # The words for staff around the letters are in staff's own language, marked as such.
    bar = Markup(render_template("school/letters_bar.html", letters=sheets, title=title, back=back,
                                 staff_language=page_language(), days=family.INVITATION_DAYS))
    with force_locale(language.code):
        return render_template("school/letters.html", printing=False, bar=bar, **context)


def waiting_for_letters(class_id):
    """The current learners of a class with no invitation waiting to be used."""
    rows = get_db().query(
        """SELECT learners.*, classes.name AS class_name FROM learners JOIN classes ON classes.id = learners.class_id
           WHERE learners.class_id = ? AND NOT EXISTS (
               SELECT 1 FROM invitations WHERE invitations.learner_id = learners.id AND used_at IS NULL
               AND revoked_at IS NULL AND expires_at > ?)
           ORDER BY learners.name""", [class_id, now()])
    return [row for row in rows if not has_left(row)]


@bp.route("/classes/<int:class_id>/letters", methods=["GET", "POST"])
def class_letters(class_id):
    """Letters for a whole class at once: one invitation each for the learners who have none
    waiting, in one language chosen for the batch."""
    teacher_required()
    group = class_of_school(class_id)
    learners = waiting_for_letters(class_id)
    replace = request.form.get("replace") == "on"
    if replace:  # every current learner, their waiting invitations cancelled
        learners = [row for row in get_db().query(
            "SELECT * FROM learners WHERE class_id = ? ORDER BY name", [class_id]) if not has_left(row)]
    problem, status = None, 200
    if request.method == "POST":
        code = request.form.get("language", "")
        if code not in LANGUAGES:
            problem, status = _("Please choose the language of the letters."), 400
        elif learners:
            return letters(learners, LANGUAGES[code], as_pdf=request.form.get("format") == "pdf",
                           title=_("Family invitation letters for %(class)s", **{"class": group["name"]}),
                           filename=_("family-letters-%(class)s.pdf", **{"class": group["name"]}),
                           back=url_for("school.class_letters", class_id=class_id), replace=replace)
        else:  # the last invitation was made in another tab meanwhile: this page now says so
            status = 409
    return render("school/letters_form.html", group=group, learners=learners, problem=problem,
                  chosen=request.form.get("language", ""), days=family.INVITATION_DAYS), status
