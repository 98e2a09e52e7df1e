"""The Careers Leader's desk (issue 16): leavers' destinations for three years.

- destinations.py: the rules and queries (NCCIS activities, checks due, sustained, the
  local authority's CSV, the summary per year of leaving); it uses db, never a view.
- views.py: the screens. Templates are in templates/desk/.
"""

from .views import init_app

__all__ = ["init_app"]
