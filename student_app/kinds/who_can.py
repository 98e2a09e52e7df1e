"""Who can do this job? A job at a time: who do you think can do it, what is true of the
people who do, and what do you think now. On tablets it is a survey of each job's steps; in a
classroom session it is a class vote on the first step, with the true story as the reveal."""

from dataclasses import replace

from .base import ClassRound
from .survey import Survey

ACTIVITY = "who-can"
VOTE_STEP = "who"  # the step whose question the class votes on


def notes(item):
    """What is true of the people who do the job: an example, what it asks of everyone who
    does it (if more than wanting to), and the help there is."""
    found = [(item.example, item.example_symbol), (item.needs, item.needs_symbol), (item.help, item.help_symbol)]
    return [(text, symbol) for text, symbol in found if text]


class WhoCanRound(ClassRound):
    activity = ACTIVITY
    step = VOTE_STEP
    many = True
    field = "choice"

    def _vote(self, catalogue):
        activity = catalogue.activities[ACTIVITY]
        return next(step for step in activity.steps if step.id == VOTE_STEP)

    def _reveal_step(self, catalogue):
        activity = catalogue.activities[ACTIVITY]
        return next(step for step in activity.steps if step.pick == "none")

    def items(self, catalogue):
        return {job_id: catalogue.jobs[job_id]
                for job_id in sorted(catalogue.who_can, key=lambda j: catalogue.jobs[j].name)}

    def question(self, catalogue, item):
        return catalogue.who_can[item].question

    def cards(self, found, count, catalogue):
        # Every kind of person: a vote with some left out would tell the class the answer.
        return list(self._vote(catalogue).choices)

    def card(self, catalogue, card_id):
        return next((c for c in self._vote(catalogue).choices if c.id == card_id), None)

    def reveal(self, catalogue, item):
        step = self._reveal_step(catalogue)
        return step.prompt, step.symbol, notes(catalogue.who_can[item])

    def answers(self, picked, found):
        return [(f"choice:{card}", None) for card in picked]

    def card_of(self, answer):
        return answer.removeprefix("choice:")


class WhoCan(Survey):
    name = ACTIVITY
    classroom = WhoCanRound()

    def item(self, activity, item_id, catalogue):
        return catalogue.who_can[item_id]

    list_template = "library/item_list.html"

    def job(self, item, catalogue):
        return catalogue.jobs[item.job]

    def notes(self, item, step):
        return notes(item) if step.pick == "none" else []

    def listed(self, activity, catalogue):
        return [catalogue.jobs[job_id] for job_id in sorted(catalogue.who_can)]

    def steps(self, activity, item):
        """The activity's steps, with the job's own question on the first."""
        return tuple(replace(step, prompt=item.question) if step.id == VOTE_STEP else step
                     for step in activity.steps)


KIND = WhoCan()
