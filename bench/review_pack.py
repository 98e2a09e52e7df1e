"""Time and peak memory to make the annual review pack PDF of a learner with 100 passport pages,
20 photos and 10 guidance meetings (issue 15).

Run from the project folder (no server needed; it uses a throwaway database and folder):

    .venv/bin/python bench/review_pack.py

Target on the 2-core development machine: under 3 seconds and under 300 MB. The pack covers
the learner's whole record (the widest dates a review could ask for), made three times in one
process; the report gives each time and the process's peak memory (maximum resident set size).
"""

import os
import sys
from datetime import date, timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.passport_pdf import PAGES, PHOTOS, fill_passport, report, time_pdf  # noqa: E402

MEETINGS = 10


def fill_meetings(db, learner, meetings=MEETINGS):
    """Guidance meetings a term apart, each with three actions (some done)."""
    from student_app.db import now

    first = date(2025, 10, 1)
    for number in range(meetings):
        held = first + timedelta(days=91 * number)
        meeting_id = db["guidance_meetings"].insert({
            "learner_id": learner["id"], "held_on": held.isoformat(), "adviser": "Priya Shah",
            "adviser_qualified": number % 2, "others": "Mum and Ms Patel",
            "talked_about": "Work experience, college courses and travelling there.",
            "learner_wants": "I want to work with animals.", "agreed": "Visit the college again.",
            "look_again_on": (held + timedelta(days=90)).isoformat(), "created_at": now()}).last_pk
        for text, who, topic, done in (("Ask about the course", "learner", "learning", number < 8),
                                       ("Book a visit", "school", "work-experience", number < 9),
                                       ("Practise the bus route", "family", "travel", False)):
            db["guidance_actions"].insert({
                "meeting_id": meeting_id, "learner_id": learner["id"], "text": text, "who": who,
                "topic": topic, "due_on": (held + timedelta(days=30)).isoformat(),
                "done_at": now() if done else None})


def pack_pdf(learner):
    """The pack over the learner's whole record, as /staff/learners/<id>/review.pdf makes it."""
    from student_app import passport
    from student_app.content import get_catalogue
    from student_app.review import records
    from student_app.web import render

    catalogue = get_catalogue()
    html = render("review/pack.html", learner=learner, photos_allowed=True, print_size="normal",
                  who_label=records.who_label, part_label=records.part_label, topics=catalogue.adulthood.topics,
                  printing=True, **records.pack(learner, "2025-09-01", date.today().isoformat(), catalogue))
    return passport.pdf_of(html, owner=learner)


def main():
    def fill(db, learner):
        fill_passport(db, learner)
        fill_meetings(db, learner)

    times, pdf, path = time_pdf("review-bench-", fill, pack_pdf, "review.pdf")
    report(f"review pack PDF, {PAGES} passport pages, {PHOTOS} photos and {MEETINGS} guidance meetings",
           times, pdf, path, label="review pack PDF")


if __name__ == "__main__":
    main()
