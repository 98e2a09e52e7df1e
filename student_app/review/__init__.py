"""The annual review: guidance meetings and action plans (Gatsby Benchmarks 3 and 8), the
one-page profile, and the review pack of an EHC plan review (issue 15).

- records.py: the queries and rules (services); it uses db, never a view.
- views.py: the screens, for the learner, staff and family, and a class's open actions.
Templates are in templates/review/.
"""

from . import views


def init_app(app):
    app.register_blueprint(views.bp, name=views.LEARNER)
    app.register_blueprint(views.bp, name=views.STAFF, url_prefix="/staff/learners/<int:learner_id>")
    app.register_blueprint(views.bp, name=views.FAMILY, url_prefix="/family/children/<int:learner_id>")
    app.register_blueprint(views.classes_bp)
