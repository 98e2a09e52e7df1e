"""Step-by-step activities (All about me, My skills, My future routes...): one question a
screen, answered by tapping cards, typing, recording or a photo, served by library.py."""

from flask_babel import gettext

from .base import Kind

ITEM = "mine"  # a survey has one item: the learner's own answers


class Survey(Kind):
    name = "survey"
    has_steps = True
    latest_only = True

    def item(self, activity, item_id, catalogue):
        if item_id != ITEM:
            raise KeyError(item_id)
        return None

    def describe(self, found, step_id, answer, play, catalogue):
        activity = catalogue.activities[play["activity"]]
        try:
            steps = self.steps(activity, self.item(activity, play["item"], catalogue))
        except KeyError:  # an item since taken out of the content
            steps = activity.steps
        step = next((s for s in steps if s.id == step_id), None)
        # A question or card since taken out of the content (a school edits its own word mat)
        # is said so, in words, rather than by the id the answer was stored under.
        found.update(kind="step", prompt=step.prompt if step else gettext("A question since taken out of this activity"))
        way, _, value = answer.partition(":")
        if way == "choice":
            choice = next((c for c in step.choices if c.id == value), None) if step else None
            if choice:
                found.update(symbol=choice.symbol, text=choice.text, choice=value)
            else:
                found.update(text=gettext("A card since taken out of this activity"))
        elif way == "words":
            found.update(symbol="answer-words", text=value, typed_lang=found["lang"])
        elif way in ("photo", "voice"):
            found.update(kind=way, symbol=f"answer-{way}", media_id=int(value))
        elif answer == "seen" and step:
            found.update(kind="seen", symbol=step.symbol, text=step.prompt)


KIND = Survey()
