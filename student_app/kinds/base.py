"""The interface every activity kind has. A kind is one module in this package: its steps,
how its answers read in the portfolio and the passport, and whether (and how) a class plays
it live in a classroom session (a ClassRound). A new kind is one module here, named in
kinds.KINDS, and its template. A picture card a kind offers is a content.Choice."""


class Kind:
    name = ""
    # It has steps, served one a screen by the activity library's views (library.py).
    has_steps = False
    # A step answered again in one sitting shows only its newest answers in the record.
    latest_only = False
    # How a class plays it live (a ClassRound), or None if it is not played in sessions.
    classroom = None

    def home_endpoint(self):
        """The endpoint of the learner's first screen of an activity of this kind."""
        return "library.activity"

    def item(self, activity, item_id, catalogue):
        """The content of one item (a job of Who can...), None for an activity with a single
        item; KeyError if there is no such item."""
        raise KeyError(item_id)

    def listed(self, activity, catalogue):
        """The items a learner picks from on the activity's first screen, or None if the
        activity starts straight away."""
        return None

    def steps(self, activity, item):
        return activity.steps

    # The template of the activity's first screen, when it lists items (listed).
    list_template = ""

    def job(self, item, catalogue):
        """The job an item is about, shown above its steps; None if it is not about one."""
        return None

    def notes(self, item, step):
        """(text, symbol) said on a step beside its prompt and explanation."""
        return []

    def offered(self, step, count):
        """The cards one screen of `count` offers on a step, or None to offer all of the
        step's cards, `count` a screen with More."""
        return None

    def judge(self, step, picked):
        """Whether the picked cards are right (a matching game), or None where no answer is
        wrong."""
        return None

    def describe(self, found, step, answer, play, catalogue):
        """Fill in `found` (a response as a symbol, a kind and words) for the portfolio and
        the passport; it starts as the plain answer under a pencil."""


class ClassRound:
    """How a kind runs in a classroom session: the teacher picks up to five items; for each,
    the projector and tablets show its clues one at a time (if it has any), then a question
    with picture cards; everyone answers on their tablet; then the teacher reveals."""

    activity = ""
    step = ""  # the response step each answer is stored under
    many = False  # a learner taps every card that fits, then sends, rather than one card
    field = "card"  # the form field a card is sent in

    def items(self, catalogue):
        """What a teacher may choose to play: item id -> job, in name order."""
        raise NotImplementedError

    def job(self, catalogue, item):
        return catalogue.jobs[item]

    def clues(self, catalogue, item):
        """(text, symbol) shown one at a time before the question."""
        return ()

    def question(self, catalogue, item):
        raise NotImplementedError

    def cards(self, found, count, catalogue):
        """The round's cards: the same for the whole class, the first `count` for a learner."""
        raise NotImplementedError

    def right(self, found):
        """The cards that are right answers, or None for a class vote with no wrong answer."""
        return None

    def reveal(self, catalogue, item):
        """(heading, its symbol, [(text, symbol)...]) that the reveal shows."""
        raise NotImplementedError

    def answers(self, picked, found):
        """The rows to store for a learner's picked card ids: [(answer, correct)]."""
        raise NotImplementedError

    def card(self, catalogue, card_id):
        """The card (a content.Choice) an answer names, or None if the content no longer has it."""
        raise NotImplementedError

    def card_of(self, answer):
        """The card id an answer stored under `step` names."""
        return answer
