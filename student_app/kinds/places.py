"""What word mats and visits share: their items are places (content.Place), each with its
own cards, listed on the activity's first screen."""

from .survey import Survey


class PlaceKind(Survey):
    list_template = "library/item_list.html"

    def item(self, activity, item_id, catalogue):
        return catalogue.places[activity.id][item_id]

    def listed(self, activity, catalogue):
        return sorted(catalogue.places[activity.id].values(), key=lambda place: place.name.casefold())

    def job(self, item, catalogue):
        return item  # the place's name and picture stand above its steps

    def template_step(self, activity, step_id):
        return next(step for step in activity.steps if step.id == step_id)
