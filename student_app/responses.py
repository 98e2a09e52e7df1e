"""Plays and answers: what a learner did in an activity, stored as it is given."""

from .db import get_db, now, transaction

# A staff observation of a learner's reaction, and the symbol that shows it.
REACTIONS = {"liked": "feeling-happy", "unsure": "answer-not-sure", "disliked": "feeling-sad"}


def open_play(learner_id, activity, item, create=False):
    """The learner's unfinished play of this item, started if `create` and there is none."""
    db = get_db()
    query = """SELECT * FROM plays WHERE learner_id = ? AND activity = ? AND item = ?
               AND finished_at IS NULL ORDER BY id DESC LIMIT 1"""
    found = list(db.query(query, [learner_id, activity, item]))
    if found or not create:
        return found[0] if found else None
    # Look again under the write lock, so two taps at once start only one play.
    with transaction(db):
        found = list(db.query(query, [learner_id, activity, item]))
        if not found:
            db["plays"].insert(
                {"learner_id": learner_id, "activity": activity, "item": item, "started_at": now()}
            )
            found = list(db.query(query, [learner_id, activity, item]))
    return found[0]


def record_answer(play, step, answer, correct=None, given_by="learner", staff_id=None, note=None):
    """Store one answer at once; the same answer to the same step is stored only once."""
    get_db().execute(
        """INSERT OR IGNORE INTO responses
           (play_id, learner_id, step, answer, correct, given_by, staff_id, note, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)""",
        [play["id"], play["learner_id"], step, answer, correct, given_by, staff_id, note, now()],
    )


def finish_play(play):
    get_db().execute(
        "UPDATE plays SET finished_at = ? WHERE id = ? AND finished_at IS NULL", [now(), play["id"]]
    )


def describe(response, job_id, catalogue):
    """A response as a symbol, a kind (clue, guess) and words, for passport and portfolio."""
    step, answer = response["step"], response["answer"]
    item = dict(response, kind=step, symbol="nav-pencil", text=answer, number=None)
    if step.startswith("clue-") and job_id in catalogue.clues:
        number = int(step.removeprefix("clue-"))
        clues = catalogue.clues[job_id]
        if 1 <= number <= len(clues):
            item.update(kind="clue", number=number, symbol=clues[number - 1].symbol,
                        text=clues[number - 1].text)
    elif step == "guess" and answer in catalogue.jobs:
        item.update(symbol=catalogue.jobs[answer].symbol, text=catalogue.jobs[answer].name)
    elif step == "reaction" and answer in REACTIONS:
        item.update(kind="reaction", symbol=REACTIONS[answer])
    return item


def plays_with_answers(learner_id, catalogue):
    """The learner's plays, newest first, each with its answers in time order."""
    db = get_db()
    plays = list(
        db.query("SELECT * FROM plays WHERE learner_id = ? ORDER BY started_at DESC, id DESC",
                 [learner_id])
    )
    for play in plays:
        play["job"] = catalogue.jobs.get(play["item"])
        play["answers"] = [
            describe(row, play["item"], catalogue)
            for row in db.query(
                """SELECT responses.*, staff.name AS staff_name FROM responses
                   LEFT JOIN staff ON staff.id = responses.staff_id
                   WHERE play_id = ? ORDER BY created_at, responses.id""",
                [play["id"]],
            )
        ]
    return plays
