"""Who looked at which learner's portfolio or passport, and who changed who may see it, and when;
an admin can read it."""

from flask import g

from .db import get_db, now


def log(learner, action, change=False):
    """Record that the signed-in staff member or family looked at (or took) `learner`'s data,
    or, with `change`, that anyone (the learner too) changed who may see it."""
    user = g.user
    if user is None or user["role"] == "learner" and not change:
        return  # a learner looking at their own work is not logged
    get_db()["audit_log"].insert({
        "at": now(), "school_id": learner["school_id"], "actor_role": user["role"],
        "actor_id": user["id"], "actor_name": user["name"], "learner_id": learner["id"],
        "learner_name": learner["name"], "action": action,
    })


def entries(school_id, limit=500):
    return list(get_db().query(
        "SELECT * FROM audit_log WHERE school_id = ? ORDER BY at DESC, id DESC LIMIT ?",
        [school_id, limit]))


def log_action(school_id, action, actor=None, db=None):
    """Record a change with no single learner (an import of many): by the signed-in member of
    staff, or by `actor` (a dict of actor_role, actor_id and actor_name: a command, say)."""
    if actor is None:
        actor = {"actor_role": g.user["role"], "actor_id": g.user["id"], "actor_name": g.user["name"]}
    (db or get_db())["audit_log"].insert(dict(actor, at=now(), school_id=school_id, action=action))


def log_each(learners, action):
    """`log` of one change for many learners at once (a class moved up, a list of leavers),
    in one batch: each learner's line in the log is theirs, as if changed one by one."""
    user, stamp = g.user, now()
    rows = [{"at": stamp, "school_id": learner["school_id"], "actor_role": user["role"], "actor_id": user["id"],
             "actor_name": user["name"], "learner_id": learner["id"], "learner_name": learner["name"],
             "action": action} for learner in learners]
    if rows:
        get_db()["audit_log"].insert_all(rows)
