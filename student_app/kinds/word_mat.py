"""Word mats: the words and pictures of a workplace (its tools, places and jobs) to learn
before a visit. First the whole mat, each word with its picture and a listen button; then a
matching game, one word a screen: the learner hears the word and taps its picture (Group 1
sees pictures only, as its level says), as many tries as they need, no timer."""

import random
from dataclasses import replace

from .places import PlaceKind

LOOK, FIND = "mat", "find"  # the activity's two steps, which each place fills in


class WordMat(PlaceKind):
    name = "word-mat"

    def steps(self, activity, place):
        look, find = self.template_step(activity, LOOK), self.template_step(activity, FIND)
        return (replace(look, id=LOOK),) + tuple(
            replace(find, id=f"{FIND}-{card.id}", prompt=card.text, choices=place.cards) for card in place.cards)

    def notes(self, place, step):
        return [(card.text, card.symbol) for card in place.cards] if step.id == LOOK else []

    def offered(self, step, count):
        """The word's own picture and `count - 1` others of the mat, the same each time."""
        if not step.id.startswith(f"{FIND}-"):
            return None
        right = next(card for card in step.choices if card.id == step.id.removeprefix(f"{FIND}-"))
        rng = random.Random(step.id)
        others = [card for card in step.choices if card is not right]
        rng.shuffle(others)
        cards = [right] + others[:count - 1]
        rng.shuffle(cards)
        return cards

    def judge(self, step, picked):
        if not step.id.startswith(f"{FIND}-"):
            return None
        return picked == [step.id.removeprefix(f"{FIND}-")]


KIND = WordMat()
