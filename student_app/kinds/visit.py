"""A look before a visit: a place shown a page at a time (the way in, who I will meet, where
I will work, the toilets, where to eat), each a sentence and a picture read aloud, then the
activity's own steps (how I feel about going), so the visit holds no surprises."""

from ..content import Step
from .places import PlaceKind


class Visit(PlaceKind):
    name = "visit"

    def steps(self, activity, place):
        pages = tuple(Step(id=f"page-{card.id}", prompt=card.text, symbol=card.symbol, pick="none")
                      for card in place.cards)
        return pages + activity.steps


KIND = Visit()
