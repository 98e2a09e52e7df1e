"""Guidance meetings, the learner's view of them, and the annual review pack.

One set of views, registered under three names as the passport's are:
- `review`: the signed-in learner (their meetings; ticking their own actions);
- `staff_review`: staff of the learner's school, at /staff/learners/<id>/...;
- `family_review`: a family who may see the learner (sharing on), read only.
And `guidance`: the open actions across a class, for staff.
"""

from datetime import date

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from .. import access, audit, media, passport, responses
from ..auth import staff_required
from ..content import get_catalogue
from ..lookups import class_of_school, record_owner
from ..web import fills_in, render
from . import records

bp = Blueprint("review", __name__)
LEARNER, STAFF, FAMILY = "review", "staff_review", "family_review"
classes_bp = Blueprint("guidance", __name__, url_prefix="/staff")


@bp.url_value_preprocessor
def pull_learner(endpoint, values):
    g.prefix_learner = values.pop("learner_id", None) if values else None


@bp.url_defaults
@fills_in(STAFF, FAMILY)
def push_learner(endpoint, values):
    owner = g.get("owner")
    if owner is not None and endpoint.rsplit(".", 1)[0] in (STAFF, FAMILY):
        values.setdefault("learner_id", owner["id"])


@bp.before_request
def whose_record():
    wanted = {LEARNER: "learner", STAFF: "staff", FAMILY: "family"}[request.blueprint]
    g.owner = record_owner(wanted, g.prefix_learner, changing=request.method == "POST")
    if g.owner is None:
        return redirect(url_for("auth.sign_in"))
    return None


def staff_only():
    if g.user["role"] != "staff":
        abort(403)


@bp.get("/guidance")
def meetings():
    page = access.page_asked(request.args.get("page"))
    found, more = records.meetings_of(g.owner["id"], page=page)
    if page > 1 and not found:
        abort(404)
    audit.log(g.owner, "viewed guidance meetings")
    return render("review/meetings.html", learner=g.owner, meetings=found, more=more, page=page,
                  who_label=records.who_label)


@bp.get("/guidance/<int:meeting_id>")
def meeting(meeting_id):
    found = records.meeting_of(g.owner["id"], meeting_id)
    if found is None:
        abort(404)
    audit.log(g.owner, f"viewed guidance meeting {meeting_id}")
    return render("review/meeting.html", learner=g.owner, meeting=found, who_label=records.who_label,
                  topics=get_catalogue().adulthood.topics)


def meeting_form(found=None):
    """The staff form of a guidance meeting: a new one, or `found` put right."""
    staff_only()
    topics = get_catalogue().adulthood.topics
    message, status = None, 200
    if request.method == "POST":
        try:
            meeting, actions = records.read_meeting_form(request.form, topics)
            voice = media.read_upload("learner_voice")
            if voice is not None and voice[0] != "voice":
                raise records.Refused(_("Please choose a voice recording for the learner's own words."))
            media.check_uploads_fit(g.owner["id"], [voice] if voice else [])
            if found is None:
                meeting_id = records.save_meeting(g.owner["id"], g.user["id"], meeting, actions, voice,
                                                  lang=responses.typed_language())
                audit.log(g.owner, f"recorded guidance meeting {meeting_id}")
                flash(_("The guidance meeting is saved."))
            else:
                meeting_id = found["id"]
                records.change_meeting(found, meeting, actions, voice)
                audit.log(g.owner, f"changed guidance meeting {meeting_id}")
                flash(_("The changes are saved."))
            return redirect(url_for(".meeting", meeting_id=meeting_id))
        except (records.Refused, media.Refused) as refused:
            message, status = str(refused), 400
    form = request.form if request.method == "POST" or found is None else records.form_of(found)
    return render("review/new_meeting.html", learner=g.owner, topics=topics, who=records.WHO,
                  who_label=records.who_label, rows=range(1, records.ACTIONS_A_MEETING + 1),
                  form=form, message=message, today=date.today().isoformat(), meeting=found), status


@bp.route("/guidance/new", methods=["GET", "POST"])
@media.accepts_uploads
def new_meeting():
    return meeting_form()


@bp.route("/guidance/<int:meeting_id>/change", methods=["GET", "POST"])
@media.accepts_uploads
def change_meeting(meeting_id):
    staff_only()
    found = records.meeting_of(g.owner["id"], meeting_id)
    if found is None:
        abort(404)
    return meeting_form(found)


@bp.post("/guidance/<int:meeting_id>/actions/<int:action_id>")
def tick_action(meeting_id, action_id):
    """The learner ticks their own actions; staff tick any. Families read only."""
    role = g.user["role"]
    if role == "family":
        abort(403)
    action = records.action_of(g.owner["id"], meeting_id, action_id)
    if action is None:
        abort(404)
    if role == "learner" and action["who"] != "learner":
        abort(403, _("Only the person who does this can tick it."))
    done = request.form.get("done")
    if done not in ("1", "0"):
        abort(400, _("Please use the buttons on the page."))
    records.set_done(action, done == "1", role)
    return redirect(url_for(".meeting", meeting_id=meeting_id) + f"#action-{action_id}")


def pack_dates():
    start, end = passport.date_range()
    default_start, default_end = records.default_range(g.owner["id"])
    start, end = start or default_start, end or default_end
    if start > end:
        abort(400, _("The first date must come before the last."))
    return start, end


def pack_context(printing):
    start, end = pack_dates()
    catalogue = get_catalogue()
    return {"learner": g.owner, "photos_allowed": passport.photos_allowed(),
            "print_size": access.profile(g.owner)["text_size"], "who_label": records.who_label,
            "part_label": records.part_label, "topics": catalogue.adulthood.topics,
            "printing": printing, **records.pack(g.owner, start, end, catalogue)}


@bp.get("/review")
def pack():
    if g.user["role"] == "learner":
        abort(403)
    audit.log(g.owner, "opened the annual review pack")
    return render("review/pack.html", **pack_context(printing=False))


@bp.get("/review.pdf")
def pack_pdf():
    if g.user["role"] == "learner":
        abort(403)
    audit.log(g.owner, "downloaded the annual review pack")
    html = render("review/pack.html", **pack_context(printing=True))
    return passport.pdf_response(passport.pdf_of(html, owner=g.owner), f"review-{g.owner['name']}.pdf")


def prepare_page(message=None, status=200):
    start, end = records.default_range(g.owner["id"])
    return render("review/prepare.html", learner=g.owner, parts=records.profile_parts(g.owner["id"]),
                  part_label=records.part_label, start=start, end=end,
                  last=records.last_review(g.owner["id"]), today=date.today().isoformat(),
                  view_activity=get_catalogue().activities.get(records.VIEW_ACTIVITY),
                  message=message), status


@bp.get("/review/prepare")
def prepare():
    staff_only()
    return prepare_page()


@bp.post("/review/profile")
def save_profile():
    staff_only()
    try:
        records.save_profile_parts(g.owner["id"], g.user["id"], request.form)
    except records.Refused as refused:
        return prepare_page(str(refused), 400)
    flash(_("The one-page profile is saved."))
    return redirect(url_for(".prepare"))


@bp.post("/review/notes")
def add_note():
    staff_only()
    try:
        records.add_review_note(g.owner["id"], g.user["id"], request.form.get("heading", ""), request.form.get("text"))
    except records.Refused as refused:
        return prepare_page(str(refused), 400)
    flash(_("The note is saved. It shows in the pack, marked as from staff."))
    return redirect(url_for(".prepare"))


@bp.post("/review/held")
def record_review():
    staff_only()
    try:
        records.record_review(g.owner["id"], g.user["id"], request.form)
    except records.Refused as refused:
        return prepare_page(str(refused), 400)
    audit.log(g.owner, "recorded an annual review")
    flash(_("The review is recorded. The next pack starts from the day after it."))
    return redirect(url_for(".prepare"))


@classes_bp.before_request
@staff_required
def require_staff():
    """The open actions of a class are for staff of its school."""


@classes_bp.get("/classes/<int:class_id>/actions")
def class_actions(class_id):
    group = class_of_school(class_id)
    actions = records.open_actions_of_class(class_id, g.user["school_id"])
    return render("review/class_actions.html", group=group, actions=actions, who_label=records.who_label,
                  topics=get_catalogue().adulthood.topics, today=date.today().isoformat())
