"""The Guess my job activity kind: clues one at a time, then a choice of jobs."""

import random

from .db import get_db

ACTIVITY = "guess-my-job"


def choices_for(play, count, catalogue):
    """The job and `count - 1` others, in an order that stays the same for this play. The
    others are fair: none is a near twin of the job (content.near_twins: the same sector, or a
    picture in common), and as far as there are enough, none of each other either, so that
    the clues tell the cards apart."""
    answer = play["item"]
    rng = random.Random(f"{play['id']}:{answer}")
    others = sorted(job_id for job_id in catalogue.clues if job_id != answer)
    rng.shuffle(others)
    twins = catalogue.twins
    fair = [job_id for job_id in others if job_id not in twins.get(answer, ())]
    picked = [answer]
    for job_id in fair:  # first those unlike every card picked so far
        if len(picked) < count and not any(job_id in twins.get(each, ()) for each in picked):
            picked.append(job_id)
    for job_id in fair + others:  # then, in a catalogue too small for that, the next best
        if len(picked) < count and job_id not in picked:
            picked.append(job_id)
    rng.shuffle(picked)
    return [catalogue.jobs[job_id] for job_id in picked]


def solved_jobs(learner_id):
    """The jobs the learner has guessed (a finished play of each)."""
    return {
        row["item"]
        for row in get_db().query(
            """SELECT DISTINCT item FROM plays WHERE learner_id = ? AND activity = ?
               AND finished_at IS NOT NULL""",
            [learner_id, ACTIVITY],
        )
    }


def next_job(solved, catalogue):
    """The job that Play starts: the first the learner has not guessed yet, in the catalogue's
    order; once every job is guessed, the first again (None with no jobs at all)."""
    order = sorted(catalogue.clues)
    return next((job_id for job_id in order if job_id not in solved), order[0] if order else None)


def wrong_guesses(play):
    return {
        row["answer"]
        for row in get_db().query(
            "SELECT answer FROM responses WHERE play_id = ? AND step = 'guess' AND correct = 0",
            [play["id"]],
        )
    }
