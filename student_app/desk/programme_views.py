"""The careers programme's screens: staff plan it (teachers and admins change it, a teaching
assistant reads it), and anyone reads the school's public page."""

from flask import Blueprint, abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import audit, benchmarks
from ..auth import staff_required
from ..content import get_catalogue
from ..db import get_db, transaction
from ..lookups import teacher_required
from ..web import render
from . import programme as prog

bp = Blueprint("programme", __name__, url_prefix="/staff/programme")
public = Blueprint("careers", __name__)

LABELS = {"term_label": prog.term_label, "cdi_label": prog.cdi_label, "event_label": prog.event_label,
          "benchmark_label": benchmarks.plain_name}


@bp.before_request
@staff_required
def require_staff():
    """Every screen here is for staff, about their own school's programme."""


def programme_page(message=None, status=200, form=None, details_form=None):
    school_id = g.user["school_id"]
    catalogue = get_catalogue()
    return render("desk/programme.html", years=prog.entries_by_year(school_id, catalogue),
                  details=details_form or prog.details_of(school_id), form=form or MultiDict(),
                  activities=sorted(catalogue.activities.values(), key=lambda a: a.title.casefold()),
                  event_kinds=prog.EVENT_KINDS, terms=prog.TERMS, year_groups=prog.YEARS,
                  benchmarks=prog.BENCHMARKS, cdi_areas=prog.CDI_AREAS, title_limit=prog.TITLE_LIMIT,
                  text_limit=prog.TEXT_LIMIT, contact_limit=prog.CONTACT_LIMIT, message=message,
                  **LABELS), status


@bp.get("")
def programme():
    return programme_page()


@bp.post("/entries")
def add_entry():
    teacher_required()
    try:
        found = prog.read_entry(request.form, get_catalogue())
    except prog.Refused as refused:
        return programme_page(str(refused), 400, request.form)
    school_id = g.user["school_id"]
    with transaction(get_db()):
        prog.add_entry(school_id, g.user["id"], found)
        audit.log_action(school_id, f"added to the careers programme (Year {found['year_group']}, {found['term']})")
    flash(_("Added to the programme."))
    return redirect(url_for(".programme") + f"#year-{found['year_group']}")


@bp.post("/entries/<int:entry_id>/remove")
def remove_entry(entry_id):
    teacher_required()
    school_id = g.user["school_id"]
    entry = prog.entry_of_school(school_id, entry_id)
    if entry is None:
        abort(404)
    with transaction(get_db()):
        prog.remove_entry(school_id, entry_id)
        audit.log_action(school_id, f"removed from the careers programme (Year {entry['year_group']}, {entry['term']})")
    flash(_("Removed from the programme."))
    return redirect(url_for(".programme") + f"#year-{entry['year_group']}")


@bp.post("/details")
def save_details():
    teacher_required()
    try:
        found = prog.read_details(request.form)
    except prog.Refused as refused:
        return programme_page(str(refused), 400, details_form=request.form)
    school_id = g.user["school_id"]
    with transaction(get_db()):
        prog.save_details(school_id, g.user["id"], found)
        audit.log_action(school_id, "changed the careers programme's details"
                         + ("" if found["public"] else " (public page off)"))
    flash(_("The programme's details are saved."))
    return redirect(url_for(".programme") + "#details-heading")


@public.get("/schools/<int:school_id>/careers")
def public_page(school_id):
    """The school's careers programme for anyone: no learner data at all."""
    found = prog.public_school(school_id)
    if found is None:
        abort(404)
    school, details = found
    return render("desk/careers_public.html", school=school, details=details,
                  years=[(year, rows) for year, rows in prog.entries_by_year(school_id, get_catalogue()) if rows],
                  **LABELS)


def init_app(app):
    app.register_blueprint(bp)
    app.register_blueprint(public)
