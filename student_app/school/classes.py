"""Classes (add, rename, assign staff, archive) and learners (add, edit, move, mark as left, take back, picture codes)."""

from . import bp  # noqa: F401
