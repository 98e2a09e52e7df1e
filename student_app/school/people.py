"""Staff accounts: invitations by single-use link, roles and class assignments."""

from . import bp  # noqa: F401
