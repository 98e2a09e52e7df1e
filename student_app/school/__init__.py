"""School administration: a school sets itself up and runs its year. First run and staff
invitations (setup.py, people.py), classes and learners (classes.py), importing learners from
an MIS export (importer.py for the file, imports.py for the screens and the command), sign-in
cards and family letters (cards.py), and the end of the year (year_end.py). The rules a
learner's details follow, shared by the forms and the importer, are in records.py.

Every screen here is for signed-in staff of the school; most are for admins."""

from flask import Blueprint

from ..auth import staff_required

bp = Blueprint("school", __name__, url_prefix="/staff/school")


@bp.before_request
@staff_required
def require_staff():
    """Only signed-in staff; each view says which staff role it needs."""


def init_app(app):
    # Each module adds its routes to bp, and its commands to the app.
    from . import cards, classes, imports, people, records, setup, year_end

    for module in (cards, classes, imports, people, setup, year_end):
        if hasattr(module, "init_app"):
            module.init_app(app)
    app.register_error_handler(records.ClassFull, class_full)
    app.register_blueprint(bp)


def class_full(error):
    """A class with no picture code left for one more learner (adding, moving, a move up, a
    code reset): nothing was written, as the transaction was rolled back."""
    from ..web import render

    return render("error.html", status=400, message=str(error)), 400
