"""The Careers Leader's desk (issue 16): leavers' destinations for three years, encounters
recorded for a group, provider access, and the termly review against the Gatsby Benchmarks.

- destinations.py: the rules and queries (NCCIS activities, checks due, sustained, the
  local authority's CSV, the summary per year of leaving); it uses db, never a view.
- encounters.py: an encounter and each learner's passport page for it; provider access counts.
- termly.py: the termly review's measures, snapshots, notes and actions, and its CSV.
- views.py: the screens. Templates are in templates/desk/.
"""

from .views import init_app

__all__ = ["init_app"]
