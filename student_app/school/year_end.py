"""The end of the year: move every class up at once (next year's names, a preview of who goes
where, then one step), and mark a whole list of learners as left with the month. Admins only.
Previews are GET pages that write nothing; the one POST re-checks the same choices and does
everything in one transaction."""

import json
import re

from flask import abort, flash, g, redirect, request, url_for
from flask_babel import gettext as _

from . import bp, records
from .classes import month_year, still_here_sql, this_month
from .. import audit
from ..db import get_db, now, transaction
from ..lookups import admin_required, classes_of_school, form_id
from ..web import render

CHOICES = ("move", "keep", "leave")


def next_name(name):
    """A guess at next year's name: the first number in it, plus one ("Class 4 (Maple)" ->
    "Class 5 (Maple)", "Year 11" -> "Year 12"); None when there is no number to go by."""
    found = re.search(r"\d+", name)
    if not found:
        return None
    return name[:found.start()] + str(int(found.group()) + 1) + name[found.end():]


def learners_by_class(db, class_ids):
    """The learners still at school in these classes, by class, in one query."""
    found = {class_id: [] for class_id in class_ids}
    for row in db.query(f"""SELECT id, school_id, name, class_id, code FROM learners
                            WHERE class_id IN (SELECT value FROM json_each(?)) AND {still_here_sql()}
                            ORDER BY name""", [json.dumps(list(class_ids)), this_month()]):
        found[row["class_id"]].append(row)
    return found


def default_choices(classes):
    choices = {}
    for group in classes:
        guess = next_name(group["name"])
        choices[group["id"]] = {"do": "move" if guess else "keep", "name": guess or group["name"]}
    return choices


def read_choices(classes, args):
    return {group["id"]: {"do": args.get(f"do_{group['id']}", ""),
                          "name": records.clean_text(args.get(f"name_{group['id']}", ""))} for group in classes}


def make_plan(db, classes, choices, leave_month):
    """What the move up would do, and the problems by field. Nothing is written."""
    errors = {}
    month, problem = records.left_month(leave_month)
    leaving = [group for group in classes if choices[group["id"]]["do"] == "leave"]
    if leaving and (problem or month > this_month()):
        errors["left_on"] = problem or _("Learners who leave at the end of the year leave this month or "
                                         "before. For a later month, use the leavers page.")
    learners = learners_by_class(db, [group["id"] for group in classes])
    ending = {group["id"] for group in classes if choices[group["id"]]["do"] in ("move", "leave")}
    current = {row["name"].casefold(): row for row in classes}
    targets = {}  # casefolded name -> {"name", "existing" class or None, "from": [classes]}
    for group in classes:
        choice = choices[group["id"]]
        if choice["do"] not in CHOICES:
            errors[f"do_{group['id']}"] = _("Please choose what happens to %(name)s.", name=group["name"])
            continue
        if choice["do"] != "move":
            continue
        name = choice["name"]
        problem = records.class_name_problem(name)
        if problem is None and name.casefold() == group["name"].casefold():
            problem = _("That is this year's name. To keep the class as it is, choose 'Leave it as it is'.")
        if problem:
            errors[f"name_{group['id']}"] = problem
            continue
        # A class that stays (or one not on this page) is reused; one that is moving on is
        # archived, and its name is given to a new class.
        existing = current.get(name.casefold())
        if existing is not None and existing["id"] in ending:
            existing = None
        target = targets.setdefault(name.casefold(), {"name": name, "existing": existing, "from": []})
        target["from"].append(group)
    # Learners whose picture code a new classmate already has get a new one.
    for target in targets.values():
        taken = set()
        if target["existing"] is not None:
            taken = {row[0] for row in db.execute("SELECT code FROM learners WHERE class_id = ? AND code IS NOT NULL",
                                                  [target["existing"]["id"]])}
        target["new_codes"] = []
        for group in target["from"]:
            for learner in learners[group["id"]]:
                if learner["code"] in taken:
                    target["new_codes"].append(learner["name"])
                taken.add(learner["code"])
    plan = {"targets": list(targets.values()), "leaving": leaving, "learners": learners, "month": month,
            "kept": [group for group in classes if choices[group["id"]]["do"] == "keep"],
            "archived": [group for group in classes if group["id"] in ending]}
    return plan, errors


@bp.get("/year-end")
def move_up():
    """The choices: each class's default, or, back from the preview, the choices it showed
    (its address carries them)."""
    admin_required()
    classes = classes_of_school()
    learners = learners_by_class(get_db(), [group["id"] for group in classes])
    choices = default_choices(classes)
    if any(f"do_{group['id']}" in request.args for group in classes):
        choices = read_choices(classes, request.args)
    return render("school/year_end.html", classes=classes, learners=learners, choices=choices,
                  month=request.args.get("left_on") or this_month(), errors={})


def checked_plan(args):
    db = get_db()
    classes = classes_of_school()
    choices = read_choices(classes, args)
    plan, errors = make_plan(db, classes, choices, args.get("left_on", ""))
    return db, classes, choices, plan, errors


@bp.get("/year-end/preview")
def move_up_preview():
    admin_required()
    db, classes, choices, plan, errors = checked_plan(request.args)
    if errors:
        return render("school/year_end.html", classes=classes, learners=plan["learners"], choices=choices,
                      month=request.args.get("left_on", ""), errors=errors), 400
    return render("school/year_end_preview.html", plan=plan, choices=choices, classes=classes,
                  month=request.args.get("left_on", ""))


@bp.post("/year-end")
def move_up_commit():
    """Everything in one transaction: leavers marked, old classes archived, new classes made
    (or a current class of that name reused), learners moved with their assistants'
    assignments, and each learner's change in the audit log."""
    admin_required()
    db = get_db()
    moved = 0
    with transaction(db):  # the plan is made again inside it, so nothing changes under it
        db, classes, choices, plan, errors = checked_plan(request.form)
        if errors:
            abort(400, _("Something changed since the preview. Please start the move up again."))
        learners, stamp, school = plan["learners"], now(), g.user["school_id"]
        for group in plan["leaving"]:
            ids = json.dumps([learner["id"] for learner in learners[group["id"]]])
            db.execute("UPDATE learners SET left_on = ? WHERE id IN (SELECT value FROM json_each(?))",
                       [plan["month"], ids])
            db.execute("DELETE FROM sign_ins WHERE role = 'learner' AND user_id IN (SELECT value FROM json_each(?))",
                       [ids])
            audit.log_each(learners[group["id"]], f"marked as left ({plan['month']}) at the end of the year")
        db.execute("UPDATE classes SET archived_at = ? WHERE id IN (SELECT value FROM json_each(?))",
                   [stamp, json.dumps([group["id"] for group in plan["archived"]])])
        for target in plan["targets"]:
            if target["existing"] is not None:
                class_id = target["existing"]["id"]
            else:
                class_id = db["classes"].insert({"school_id": school, "name": target["name"], "created_at": stamp}).last_pk
            for group in target["from"]:
                moving = learners[group["id"]]
                ids = json.dumps([learner["id"] for learner in moving])
                clashes = [row[0] for row in db.execute(
                    """SELECT id FROM learners WHERE id IN (SELECT value FROM json_each(?))
                       AND code IN (SELECT code FROM learners WHERE class_id = ?)""", [ids, class_id])]
                db.execute("UPDATE learners SET class_id = ? WHERE id IN (SELECT value FROM json_each(?))",
                           [class_id, ids])
                for learner_id in clashes:  # rare: a class joining another one
                    db.execute("UPDATE learners SET code = ? WHERE id = ?",
                               [records.new_picture_code(db, class_id), learner_id])
                # Teaching assistants (and teachers) go on working with the same learners.
                db.execute("""INSERT OR IGNORE INTO staff_classes (staff_id, class_id)
                              SELECT staff_id, ? FROM staff_classes WHERE class_id = ?""", [class_id, group["id"]])
                audit.log_each(moving, f"moved up from {group['name']} to {target['name']}")
                moved += len(moving)
    flash(_("The move up is done: %(moved)s learners moved, %(left)s marked as left, %(archived)s classes archived.",
            moved=moved, left=sum(len(learners[group["id"]]) for group in plan["leaving"]),
            archived=len(plan["archived"])))
    return redirect(url_for("school.classes"))


# Leavers.

def leavers_form(errors=None, chosen=(), month=None, status=200):
    classes = classes_of_school()
    return render("school/leavers.html", classes=classes,
                  learners=learners_by_class(get_db(), [group["id"] for group in classes]),
                  chosen=set(chosen), month=month if month is not None else this_month(), errors=errors or {}), status


def chosen_leavers(args):
    """The ticked learners (still at school, in a current class the admin reaches) and the
    month, checked."""
    errors = {}
    month, problem = records.left_month(args.get("left_on", ""))
    if problem:
        errors["left_on"] = problem
    ids = [form_id(value) for value in args.getlist("learner")]
    classes = classes_of_school()
    here = {learner["id"]: learner for found in learners_by_class(get_db(), [c["id"] for c in classes]).values()
            for learner in found}
    if not ids:
        errors["learner"] = _("Please tick the learners who are leaving.")
    elif not all(learner_id in here for learner_id in ids):
        errors["learner"] = _("Please choose learners from the list.")
    names = {group["id"]: group["name"] for group in classes}
    chosen = [dict(here[learner_id], class_name=names[here[learner_id]["class_id"]])
              for learner_id in dict.fromkeys(ids) if learner_id in here]
    return chosen, month, errors


@bp.get("/leavers")
def leavers():
    admin_required()
    return leavers_form()


@bp.get("/leavers/preview")
def leavers_preview():
    admin_required()
    chosen, month, errors = chosen_leavers(request.args)
    if errors:
        return leavers_form(errors, [learner["id"] for learner in chosen], request.args.get("left_on", ""), 400)
    return render("school/leavers_preview.html", chosen=chosen, month=month, now_left=month <= this_month())


@bp.post("/leavers")
def mark_leavers():
    """The whole list marked as left in one step; those whose month has come are signed out."""
    admin_required()
    db = get_db()
    with transaction(db):
        chosen, month, errors = chosen_leavers(request.form)
        if errors:
            abort(400, _("Something changed since the preview. Please choose the leavers again."))
        ids = json.dumps([learner["id"] for learner in chosen])
        db.execute("UPDATE learners SET left_on = ? WHERE id IN (SELECT value FROM json_each(?))", [month, ids])
        if month <= this_month():
            db.execute("DELETE FROM sign_ins WHERE role = 'learner' AND user_id IN (SELECT value FROM json_each(?))",
                       [ids])
        audit.log_each(chosen, f"marked as left ({month})")
    flash(_("%(count)s learners are marked as leaving in %(month)s.", count=len(chosen), month=month_year(month)))
    return redirect(url_for("school.left_learners"))
