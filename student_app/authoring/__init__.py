"""A school's own content, made in the app (issue 19): local jobs, Guess my job clues, Who can
do this job? items, word mats and looks before a visit, with the school's own photos and
voice. Staff make drafts and admins publish them; learners then meet them beside the app's
content, in the same activities.

- store.py: the items in the database, and the catalogue they make with the app's content;
- forms.py: a form for each kind of item, read into the same TOML the app's files are;
- views.py: the screens; narrate.py: narration made in the background as an item is saved;
- transfer.py: export and import of a school's content, as files like the app's own."""

from flask import Blueprint

from ..auth import staff_required

bp = Blueprint("authoring", __name__, url_prefix="/staff/content")


@bp.before_request
@staff_required
def require_staff():
    """Only signed-in staff; views.only_authors keeps teaching assistants out."""


def init_app(app):
    from . import store, views, transfer  # noqa: F401  (views and transfer add their routes to bp)

    store.init_app(app)
    transfer.init_app(app)
    app.register_blueprint(bp)
