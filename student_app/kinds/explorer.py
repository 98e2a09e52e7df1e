"""The Job explorer: every job's card (what you do, where, what you wear, the way in), a
screenful at a time. Nothing is answered, so nothing is recorded."""

from .base import Kind


class Explorer(Kind):
    name = "explorer"
    list_template = "library/explorer.html"

    def listed(self, activity, catalogue):
        return sorted(catalogue.jobs.values(), key=lambda job: job.name)


KIND = Explorer()
