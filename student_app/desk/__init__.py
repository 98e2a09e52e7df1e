"""The Careers Leader's desk (issue 16): leavers' destinations for three years, the school's
careers programme with its public page, encounters recorded for a group, provider access,
and the termly review against the Gatsby Benchmarks.

- destinations.py: the rules and queries (NCCIS activities, checks due, sustained, the
  local authority's CSV, the summary per year of leaving); it uses db, never a view.
- encounters.py: an encounter and each learner's passport page for it; provider access counts.
- termly.py: the termly review's measures, snapshots, notes and actions, and its CSV.
- views.py: the screens of destinations, encounters and the termly review.
- programme.py: the careers programme's rules and queries (entries by year group and term,
  the Gatsby Benchmarks and CDI framework areas each serves, the school's published details).
- programme_views.py: its staff screen and the public page /schools/<id>/careers.
Templates are in templates/desk/.
"""

from . import programme_views, views


def init_app(app):
    views.init_app(app)
    programme_views.init_app(app)


__all__ = ["init_app"]
