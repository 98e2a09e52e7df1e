"""The end of the year: moving classes up, and marking leavers as left."""

from . import bp  # noqa: F401
