"""Guess my job: clues one at a time, then a choice of jobs. Its learner screens are in
learner.py; in a classroom session the projector shows the clues and tablets choose."""

import random

from ..content import Choice
from ..db import get_db
from .base import ClassRound, Kind

ACTIVITY = "guess-my-job"


def fair_choices(answer, seed, count, catalogue):
    """The job `answer` and `count - 1` others, in an order that stays the same for `seed`.
    The others are fair: none is a near twin of the job (content.near_twins: the same sector,
    or a picture in common), and as far as there are enough, none of each other either, so
    that the clues tell the cards apart."""
    rng = random.Random(seed)
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


def choices_for(play, count, catalogue):
    """A learner's choice of jobs for their play: the same each time they look."""
    return fair_choices(play["item"], f"{play['id']}:{play['item']}", count, catalogue)


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


class GuessRound(ClassRound):
    activity = ACTIVITY
    step = "guess"
    field = "job"
    CARDS = 4  # the class's cards; a learner sees the first of them, their own number

    def items(self, catalogue):
        return {job_id: catalogue.jobs[job_id]
                for job_id in sorted(catalogue.clues, key=lambda j: catalogue.jobs[j].name)}

    def clues(self, catalogue, item):
        return [(clue.text, clue.symbol) for clue in catalogue.clues[item]]

    def question(self, catalogue, item):
        from flask_babel import gettext as _

        return _("What is my job?")

    def cards(self, found, count, catalogue):
        jobs = fair_choices(found["job"], f"session:{found['id']}:{found['round']}", self.CARDS, catalogue)
        # A learner's own number of cards, always with the answer among them, in the class's order.
        others = [job.id for job in jobs if job.id != found["job"]][: max(count, 1) - 1]
        keep = {found["job"], *others}
        return [Choice(job.id, job.name, job.symbol) for job in jobs if job.id in keep]

    def card(self, catalogue, card_id):
        job = catalogue.jobs.get(card_id)
        return Choice(job.id, job.name, job.symbol) if job else None

    def right(self, found):
        return {found["job"]}

    def reveal(self, catalogue, item):
        from flask_babel import gettext as _

        job = catalogue.jobs[item]
        return _("I am a %(job)s!", job=job.name.lower()), job.symbol, []

    def answers(self, picked, found):
        return [(picked[0], int(picked[0] == found["job"]))]


class GuessMyJob(Kind):
    name = ACTIVITY
    classroom = GuessRound()

    def home_endpoint(self):
        return "learner.activity"

    def describe(self, found, step, answer, play, catalogue):
        job_id = play["item"]
        if step.startswith("clue-") and job_id in catalogue.clues:
            number = int(step.removeprefix("clue-"))
            clues = catalogue.clues[job_id]
            if 1 <= number <= len(clues):
                found.update(kind="clue", number=number, symbol=clues[number - 1].symbol,
                             text=clues[number - 1].text)
        elif step == "guess" and answer in catalogue.jobs:
            found.update(symbol=catalogue.jobs[answer].symbol, text=catalogue.jobs[answer].name)


KIND = GuessMyJob()
