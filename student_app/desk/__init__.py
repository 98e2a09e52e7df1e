"""The Careers Leader's desk (issue 16): leavers' destinations for three years, and the
school's careers programme with its public page.

- destinations.py: the rules and queries (NCCIS activities, checks due, sustained, the
  local authority's CSV, the summary per year of leaving); it uses db, never a view.
- views.py: the destinations' screens.
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
