"""First run: `flask school create`, the set-up link, accepting an invitation, and the checklist of an empty school."""

from . import bp  # noqa: F401
