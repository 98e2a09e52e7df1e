"""Importing learners from an MIS export: the admin's upload, preview and confirm, and `flask learners import`."""

from . import bp  # noqa: F401
