"""Activity kinds, one module each behind one interface (base.Kind): see base.py."""

from . import explorer, guess_my_job, survey, visit, who_can, word_mat
from .base import ClassRound, Kind

KINDS = {kind.name: kind for kind in (guess_my_job.KIND, who_can.KIND, survey.KIND, explorer.KIND,
                                      word_mat.KIND, visit.KIND)}

# The kinds a class can play live, by activity id.
CLASS_ROUNDS = {kind.classroom.activity: kind.classroom for kind in KINDS.values() if kind.classroom}


def of(activity):
    """The kind of an activity (content.Activity)."""
    return KINDS[activity.kind]


__all__ = ["CLASS_ROUNDS", "ClassRound", "KINDS", "Kind", "of"]
