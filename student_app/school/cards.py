"""Sign-in cards for a class or a learner, and family invitation letters, to print."""

from . import bp  # noqa: F401
