"""Activity content: TOML files in the content folder, checked and loaded once."""

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
# A check a teacher can fail through the content form says why in their language (lazily:
# the words are made when shown, in the page's language; in a command, English).
from flask_babel import lazy_gettext as _

from .access import CHOICE_COUNTS
from .read_once import read_once

ROUTE_KINDS = (
    "college", "supported-internship", "apprenticeship", "supported-apprenticeship",
    "t-level", "job", "job-coach", "volunteering", "university", "own-business", "training",
)


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the field. `field` and
    `problem` are the two halves, for a form that shows the problem beside its field."""

    def __init__(self, message, field="", problem="", file=""):
        super().__init__(message)
        self.field, self.problem, self.file = field, problem or message, file


SKILLS = (
    "on-time", "instructions", "teamwork", "asking-for-help", "money", "travel", "computer",
    "talking", "tidy", "safety", "problem-solving", "careful", "creative", "caring", "strength",
    "hands",
)
SUBJECTS = (
    "english", "maths", "science", "computing", "art", "music", "design-technology", "food",
    "pe", "pshe", "geography", "history", "drama", "business", "languages",
)
KINDS = ("guess-my-job", "who-can", "survey", "explorer", "word-mat", "visit")
# Kinds whose items are places (a workplace, a place to visit), each a file of cards: a word
# mat's words, or a visit's pages, in this table of the file.
PLACE_CARDS = {"word-mat": "word", "visit": "page"}
PLACE_CARD_COUNTS = {"word-mat": (4, 12), "visit": (3, 10)}
CLUE_COUNTS = (2, 5)  # Guess my job's clues for one job, fewest and most
PFA_FILE = "preparing-for-adulthood.toml"
ANSWER_WAYS = ("tap", "words", "voice", "photo")


@dataclass(frozen=True)
class Job:
    id: str
    name: str
    symbol: str
    sector: str
    what: str
    where: str
    where_symbol: str
    route_kind: str
    route_text: str
    wear: str = ""
    wear_symbol: str = ""
    skills: tuple = ()
    subjects: tuple = ()
    what_simple: str = ""  # what the job is in Career SEND Group 1's words (GROUP_ONE_WORDS)

    def what_for(self, group):
        """What the job is, for a learner of this Career SEND Group."""
        return (self.what_simple if group == 1 else "") or self.what


@dataclass(frozen=True)
class Clue:
    text: str
    symbol: str


@dataclass(frozen=True)
class Choice:
    id: str
    text: str
    symbol: str


@dataclass(frozen=True)
class Step:
    """One screen of an activity: a prompt, and what the learner may answer with."""

    id: str
    prompt: str
    symbol: str
    explain: str = ""  # more words under the prompt
    explain_simple: str = ""  # the same in fewer, easier words, for Career SEND Group 1
    explain_symbol: str = ""
    pick: str = "one"  # "one", "many", or "none" for a screen that only tells
    ways: tuple = ("tap",)
    choices: tuple = ()


@dataclass(frozen=True)
class Level:
    """How an activity behaves for one Career SEND Group."""

    # Picture cards on one screen in a staff preview for the group (at most four); a learner
    # sees the number on their own profile (access.choice_count), then More.
    choices: int
    words: bool  # words under the pictures, or pictures only
    typing: bool  # offer typed words where a step allows them


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    symbol: str
    intro: str
    benchmarks: tuple
    subjects: tuple
    kind: str = "guess-my-job"
    outcomes: tuple = ()  # Preparing for Adulthood outcome ids (preparing-for-adulthood.toml)
    levels: dict = field(default_factory=dict)
    steps: tuple = ()

    def explain_for(self, step, group):
        """A step's explanation at the reading level of the learner's group."""
        return (step.explain_simple if group == 1 else "") or step.explain

    def level(self, group):
        return self.levels.get(group) or Level(choices=4 if group == 2 else 2, words=True, typing=group == 2)


@dataclass(frozen=True)
class WhoCan:
    """One job of the Who can do this job? activity."""

    job: str
    question: str
    example: str
    example_symbol: str
    help: str
    help_symbol: str
    # What the job asks of everyone who does it, where that is more than wanting to (an age,
    # fitness, eyesight, a licence): said beside the example, so no learner is told untruly
    # that anyone can.
    needs: str = ""
    needs_symbol: str = ""


@dataclass(frozen=True)
class Place:
    """One item of a word mat or a visit: a place, and its cards (a word mat's words and
    their symbols; a visit's pages, one sentence and picture a screen, in order)."""

    id: str
    name: str  # its title
    symbol: str
    cards: tuple = ()  # of Choice


@dataclass(frozen=True)
class Local:
    """What a school adds about a job near them."""

    job: str
    employers: tuple
    demand: str


@dataclass(frozen=True)
class Outcome:
    """One of the four Preparing for Adulthood outcomes an EHC plan review looks at."""

    id: str
    title: str
    symbol: str


@dataclass(frozen=True)
class Topic:
    """What a guidance action is about, and the outcomes it is evidence for."""

    id: str
    text: str
    symbol: str
    outcomes: tuple


@dataclass(frozen=True)
class Adulthood:
    """The Preparing for Adulthood mapping: the outcomes, the outcomes of each passport page
    kind, and the topics of guidance actions (an activity names its own, in activity.toml)."""

    outcomes: tuple = ()
    kinds: dict = field(default_factory=dict)  # passport kind -> outcome ids
    topics: dict = field(default_factory=dict)  # topic id -> Topic


@dataclass(frozen=True)
class Catalogue:
    jobs: dict
    activities: dict
    clues: dict  # job id -> tuple of Clue, for Guess my job
    who_can: dict = field(default_factory=dict)  # job id -> WhoCan
    local: dict = field(default_factory=dict)  # job id -> Local
    adulthood: Adulthood = Adulthood()
    # job id -> the Guess my job jobs too like it to be offered beside it (near_twins)
    twins: dict = field(default_factory=dict)
    places: dict = field(default_factory=dict)  # activity id -> place id -> Place
    own: frozenset = frozenset()  # ids of the jobs and places a school made (authoring), marked for staff

    def texts(self):
        """Every text a learner can see in the content, for narration."""
        for activity in self.activities.values():
            yield activity.title
            yield activity.intro
        for job in self.jobs.values():
            yield from (job.name, job.what, job.what_simple, job.where, job.route_text)
            if job.wear:
                yield job.wear
        for clues in self.clues.values():
            yield from (clue.text for clue in clues)
        for activity in self.activities.values():
            for step in activity.steps:
                yield from (t for t in (step.prompt, step.explain, step.explain_simple) if t)
                yield from (choice.text for choice in step.choices)
        for item in self.who_can.values():
            yield from (t for t in (item.question, item.example, item.help, item.needs) if t)
        for places in self.places.values():
            for place in places.values():
                yield place.name
                yield from (card.text for card in place.cards)
        for local in self.local.values():
            yield from local.employers
            if local.demand:
                yield local.demand
        yield from (outcome.title for outcome in self.adulthood.outcomes)
        yield from (topic.text for topic in self.adulthood.topics.values())


class Text(str):
    """A text of the content that knows its language: `lang` is the narration language it is
    read in, and `fallback` is true for English shown because a translation is missing."""

    def __new__(cls, value, lang="en", fallback=False):
        made = super().__new__(cls, value)
        made.lang, made.fallback = lang, fallback
        return made


class _Reader:
    """Reads one TOML file and reports problems naming it and the field."""

    def __init__(self, root, path, symbols, text=None):
        """The file at `path` under `root`; or, given its `text`, a file of that name (`path`
        as the content folder names it, like "activities/jobs/baker.toml") kept elsewhere."""
        self.name = path if text is not None else path.relative_to(root.parent).as_posix()
        self.symbols = symbols
        try:
            self.data = tomllib.loads(text if text is not None else path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ContentError(f"{self.name}: not valid TOML: {error}", file=self.name) from None

    def fail(self, field, problem):
        raise ContentError(f"{self.name}: field '{field}' {problem}", field, problem, self.name)

    def text(self, field, table=None):
        value = (self.data if table is None else table).get(field.rsplit(".", 1)[-1])
        if not isinstance(value, str) or not value.strip():
            self.fail(field, _("is missing or empty"))
        return value.strip()

    def symbol(self, field, table=None):
        value = self.text(field, table)
        if value not in self.symbols:
            self.fail(field, _("names symbol '%(symbol)s', which is not in the symbol manifest", symbol=value))
        return value

    def simple(self, field, text):
        """`text`, if it is in Group 1's words: no sentence longer than GROUP_ONE_WORDS."""
        for sentence in re.split(r"(?<=[.!?])\s+", text):
            if len(sentence.split()) > GROUP_ONE_WORDS:
                self.fail(field, _("has a sentence of %(count)s words (Group 1's texts keep to %(most)s): "
                                   "'%(sentence)s'", count=len(sentence.split()), most=GROUP_ONE_WORDS,
                                   sentence=sentence))
        return text

    def true_of_routes(self, field, text, kind=None):
        """`text`, if what it says of a route is still true: a supported internship (or its
        interns, or a route of that `kind`) is unpaid, and says so; traineeships closed in
        England in 2023-24."""
        said = text.lower()
        if "traineeship" in said:
            self.fail(field, _("offers a traineeship: traineeships closed in England in 2023-24"))
        internship = "supported intern" in said or kind == "supported-internship"
        if internship and "unpaid" not in said and "not paid" not in said:
            self.fail(field, _("names a supported internship without saying it is unpaid"))
        return text

    def optional_text(self, field, table=None):
        value = (self.data if table is None else table).get(field.rsplit(".", 1)[-1], "")
        if not isinstance(value, str):
            self.fail(field, "must be text")
        return value.strip()

    def id_list(self, field, allowed, low, high, table=None):
        value = (self.data if table is None else table).get(field.rsplit(".", 1)[-1])
        if not isinstance(value, list) or not low <= len(value) <= high:
            self.fail(field, _("must be a list of %(low)s to %(high)s items", low=low, high=high))
        wrong = [v for v in value if v not in allowed]
        if wrong:
            self.fail(field, f"has {wrong[0]!r}; each must be one of: {', '.join(allowed)}")
        return tuple(value)

    def choice(self, field, allowed, table=None):
        value = self.text(field, table)
        if value not in allowed:
            self.fail(field, f"is '{value}'; it must be one of: {', '.join(allowed)}")
        return value


def _job(r, job_id):
    route = r.data.get("route")
    if not isinstance(route, dict):
        r.fail("route", "is missing (a [route] table with kind and text)")
    return Job(
        id=job_id,
        name=r.text("name"),
        symbol=r.symbol("symbol"),
        sector=r.text("sector"),
        what=r.text("what"),
        what_simple=r.simple("what_simple", r.text("what_simple")),
        where=r.text("where"),
        where_symbol=r.symbol("where_symbol"),
        route_kind=r.choice("route.kind", ROUTE_KINDS, route),
        route_text=r.true_of_routes("route.text", r.text("route.text", route), route.get("kind")),
        wear=r.text("wear"),
        wear_symbol=r.symbol("wear_symbol"),
        skills=r.id_list("skills", SKILLS, 1, 5),
        subjects=r.id_list("subjects", SUBJECTS, 1, 4),
    )


def _choices(r, field_name, entries):
    if not isinstance(entries, list):
        r.fail(field_name, "must be a list of [[...]] tables with id, text and symbol")
    found, seen = [], set()
    for n, e in enumerate(entries, start=1):
        where = f"{field_name}.{n}"
        choice_id = r.text(f"{where}.id", e)
        if choice_id in seen:
            r.fail(f"{where}.id", f"'{choice_id}' is used twice")
        seen.add(choice_id)
        found.append(Choice(choice_id, r.text(f"{where}.text", e), r.symbol(f"{where}.symbol", e)))
    return tuple(found)


def _levels(r):
    levels = {}
    for group in (1, 2):
        table = r.data.get("levels", {}).get(str(group))
        if table is None:
            continue
        where = f"levels.{group}"
        number = table.get("choices")
        if not isinstance(number, int) or not 2 <= number <= 24:
            r.fail(f"{where}.choices", "must be a whole number from 2 to 24")
        for flag in ("words", "typing"):
            if not isinstance(table.get(flag), bool):
                r.fail(f"{where}.{flag}", "must be true or false")
        levels[group] = Level(number, table["words"], table["typing"])
    return levels


def _steps(r, defaults, filled=()):
    """The [[step]] tables; a step named in `filled` has its cards filled in by its kind."""
    entries = r.data.get("step", [])
    if not isinstance(entries, list):
        r.fail("step", "must be a list of [[step]] tables")
    steps, seen = [], set()
    for n, e in enumerate(entries, start=1):
        where = f"step.{n}"
        step_id = r.text(f"{where}.id", e)
        if step_id in seen:
            r.fail(f"{where}.id", f"'{step_id}' is used twice")
        seen.add(step_id)
        pick = e.get("pick", "one")
        if pick not in ("one", "many", "none"):
            r.fail(f"{where}.pick", "must be 'one', 'many' or 'none'")
        ways = r.id_list(f"{where}.ways", ANSWER_WAYS, 1, 4, e) if "ways" in e else ("tap",)
        choices = _choices(r, f"{where}.choice", e["choice"]) if "choice" in e else defaults
        if pick != "none" and "tap" in ways and not choices and step_id not in filled:
            r.fail(f"{where}.choice", "is missing: a step answered by tapping needs choices")
        explain = r.true_of_routes(f"{where}.explain", r.optional_text(f"{where}.explain", e))
        steps.append(Step(
            id=step_id, prompt=r.text(f"{where}.prompt", e), symbol=r.symbol(f"{where}.symbol", e),
            explain=explain,
            explain_simple=r.simple(f"{where}.explain_simple", r.true_of_routes(
                f"{where}.explain_simple", r.optional_text(f"{where}.explain_simple", e))),
            explain_symbol=r.symbol(f"{where}.explain_symbol", e) if e.get("explain_symbol") else "",
            pick=pick, ways=ways, choices=choices if pick != "none" else (),
        ))
    return tuple(steps)


PASSPORT_KINDS = ("employer", "workplace", "provider", "guidance", "tried")


def _adulthood(root, symbols):
    path = root / PFA_FILE
    if not path.exists():
        raise ContentError(f"{root / PFA_FILE}: missing (the Preparing for Adulthood outcomes)")
    r = _Reader(root, path, symbols)
    entries = r.data.get("outcome", [])
    if not isinstance(entries, list) or not entries:
        r.fail("outcome", "must be a list of [[outcome]] tables with id, title and symbol")
    outcomes = tuple(Outcome(r.text(f"outcome.{n}.id", e), r.text(f"outcome.{n}.title", e),
                             r.symbol(f"outcome.{n}.symbol", e)) for n, e in enumerate(entries, start=1))
    ids = [o.id for o in outcomes]
    if len(set(ids)) != len(ids):
        r.fail("outcome", "names an outcome id twice")
    kinds_table = r.data.get("passport")
    if not isinstance(kinds_table, dict):
        r.fail("passport", "is missing (a [passport] table: each passport page kind and its outcomes)")
    kinds = {kind: r.id_list(f"passport.{kind}", ids, 1, len(ids), kinds_table) for kind in PASSPORT_KINDS}
    topics = {}
    for n, e in enumerate(r.data.get("topic", []), start=1):
        topic_id = r.text(f"topic.{n}.id", e)
        if topic_id in topics:
            r.fail(f"topic.{n}.id", f"'{topic_id}' is used twice")
        topics[topic_id] = Topic(topic_id, r.text(f"topic.{n}.text", e), r.symbol(f"topic.{n}.symbol", e),
                                 r.id_list(f"topic.{n}.outcomes", ids, 1, len(ids), e))
    if not topics:
        r.fail("topic", "must list the topics of guidance actions as [[topic]] tables")
    return Adulthood(outcomes=outcomes, kinds=kinds, topics=topics)


def _activity(r, folder_name, outcome_ids):
    activity_id = r.text("id")
    if activity_id != folder_name:
        r.fail("id", f"is '{activity_id}' but the folder is named '{folder_name}'")
    benchmarks = r.data.get("benchmarks", [])
    if not benchmarks or not all(isinstance(b, int) and 1 <= b <= 8 for b in benchmarks):
        r.fail("benchmarks", "must be a list of Gatsby Benchmark numbers from 1 to 8")
    kind = r.choice("kind", KINDS) if "kind" in r.data else "guess-my-job"
    defaults = _choices(r, "choice", r.data["choice"]) if "choice" in r.data else ()
    steps = _steps(r, defaults, filled=("find",) if kind == "word-mat" else ())
    if kind in ("survey", "who-can", "visit") and not steps:
        r.fail("step", f"is missing: a {kind} activity needs at least one [[step]]")
    if kind == "who-can" and not ({"who"} <= {s.id for s in steps if s.pick == "many"}
                                  and any(s.pick == "none" for s in steps)):
        # A class plays it as a vote on "who", then shows the screen to look at (kinds.who_can).
        r.fail("step", "needs a 'who' step with pick = \"many\" and a step with pick = \"none\"")
    if kind == "word-mat" and [(s.id, s.pick) for s in steps] != [("mat", "none"), ("find", "one")]:
        # Each place fills them in: the whole mat, then a find step for each word (kinds.word_mat).
        r.fail("step", "must be a 'mat' step with pick = \"none\", then a 'find' step with pick = \"one\"")
    return Activity(
        id=activity_id,
        title=r.text("title"),
        symbol=r.symbol("symbol"),
        intro=r.text("intro"),
        benchmarks=tuple(benchmarks),
        subjects=r.id_list("subjects", SUBJECTS, 1, 6),
        kind=kind,
        levels=_levels(r),
        steps=steps,
        outcomes=r.id_list("outcomes", outcome_ids, 1, len(outcome_ids)),
    )


def _items(root, folder, symbols, jobs):
    """The per-job files of an activity folder, each with its reader, checked for a real job."""
    for path in sorted(folder.glob("*.toml")):
        if path.name == "activity.toml":
            continue
        r = _Reader(root, path, symbols)
        job_id = r.choice("job", sorted(jobs))
        if job_id != path.stem:
            r.fail("job", f"is '{job_id}' but the file is named '{path.name}'")
        yield job_id, r


def load(root, symbols):
    """Load and check every content file under `root`."""
    root = Path(root)
    jobs = {}
    for path in sorted((root / "jobs").glob("*.toml")):
        r = _Reader(root, path, symbols)
        job_id = r.text("id")
        if job_id != path.stem:
            r.fail("id", f"is '{job_id}' but the file is named '{path.name}'")
        jobs[job_id] = _job(r, job_id)
    if not jobs:
        raise ContentError(f"{root / 'jobs'}: no job files found")

    adulthood = _adulthood(root, symbols)
    outcome_ids = [o.id for o in adulthood.outcomes]
    activities, clues, who_can, local, clue_files, places = {}, {}, {}, {}, {}, {}
    for folder in sorted(p.parent for p in root.glob("*/activity.toml")):
        activity = _activity(_Reader(root, folder / "activity.toml", symbols), folder.name, outcome_ids)
        activities[activity.id] = activity
        if activity.kind in PLACE_CARDS:
            places[activity.id] = _places(root, folder, symbols, activity.kind)
            continue
        for job_id, r in _items(root, folder, symbols, jobs):
            if activity.kind == "guess-my-job":
                clues[job_id] = _clues(r)
                clue_files[job_id] = r
            elif activity.kind == "who-can":
                who_can[job_id] = _who_can(r, job_id)
    for job_id, r in _items(root, root / "local", symbols, jobs):
        local[job_id] = _local(r, job_id)
    if "guess-my-job" not in activities or len(clues) < 2:
        raise ContentError(f"{root / 'guess-my-job'}: Guess my job needs clues for at least two jobs")
    twins = near_twins(jobs, clues, symbols)
    for job_id, r in clue_files.items():
        _check_fair_clues(r, jobs[job_id], clues[job_id], twins[job_id], jobs, clues, symbols)
    return Catalogue(jobs=jobs, activities=activities, clues=clues, who_can=who_can, local=local,
                     adulthood=adulthood, twins=twins, places=places)


def school_folders(catalogue):
    """The folders a school's own content may add files to (as content_files names them):
    jobs, what is local about a job, and the activities whose items are jobs or places."""
    return ("jobs", "local") + tuple(sorted(
        a.id for a in catalogue.activities.values() if a.kind in ("guess-my-job", "who-can") + tuple(PLACE_CARDS)))


def extend(catalogue, files, symbols):
    """The catalogue with a school's own files added, each checked as the app's own files are:
    `files` maps a path under the content folder ("jobs/bakery-assistant.toml") to its TOML.
    A school adds items; it never changes one the app has. `symbols` holds the school's own
    pictures as well as the app's. Raises ContentError naming the first problem."""
    folders = school_folders(catalogue)
    readers = {folder: [] for folder in folders}
    for path, text in sorted(files.items()):
        folder, _slash, name = path.partition("/")
        if folder not in readers or "/" in name or not name.endswith(".toml") or name == "activity.toml":
            raise ContentError(f"activities/{path}: not a file a school can add (a .toml file in one of: "
                               f"{', '.join(folders)})")
        readers[folder].append((name.removesuffix(".toml"), _Reader(None, f"activities/{path}", symbols, text)))
    jobs, clues, who_can, local = dict(catalogue.jobs), dict(catalogue.clues), dict(catalogue.who_can), dict(catalogue.local)
    places = {activity_id: dict(found) for activity_id, found in catalogue.places.items()}
    for stem, r in readers.pop("jobs"):
        if r.text("id") != stem:
            r.fail("id", f"is '{r.text('id')}' but the file is named '{stem}.toml'")
        if stem in catalogue.jobs:
            r.fail("id", _("is '%(id)s', a job the app has already", id=stem))
        jobs[stem] = _job(r, stem)

    def each(folder, table):
        for stem, r in readers.pop(folder):
            if stem in table:
                r.fail("job" if table is not places.get(folder) else "title",
                       _("names '%(id)s', which has this already", id=stem))
            yield stem, r

    def job_of(stem, r):
        if r.choice("job", sorted(jobs)) != stem:
            r.fail("job", f"is '{r.text('job')}' but the file is named '{stem}.toml'")
        return stem

    for stem, r in each("local", catalogue.local):
        local[job_of(stem, r)] = _local(r, stem)
    clue_files = {}
    for folder in list(readers):
        activity = catalogue.activities[folder]
        if activity.kind in PLACE_CARDS:
            for stem, r in each(folder, places[folder]):
                places[folder][stem] = _place(r, activity.kind, stem)
        elif activity.kind == "guess-my-job":
            for stem, r in each(folder, catalogue.clues):
                clues[job_of(stem, r)] = _clues(r)
                clue_files[stem] = r
        else:
            for stem, r in each(folder, catalogue.who_can):
                who_can[job_of(stem, r)] = _who_can(r, stem)
    twins = near_twins(jobs, clues, symbols) if clue_files else catalogue.twins
    for job_id, r in clue_files.items():
        _check_fair_clues(r, jobs[job_id], clues[job_id], twins[job_id], jobs, clues, symbols)
        card = symbols[jobs[job_id].symbol].picture
        shown = next((other for other in clues if other != job_id
                      and any(symbols[clue.symbol].picture == card for clue in clues[other])), None)
        if shown is not None:
            r.fail("job", _("has a card with the same picture as a clue of %(job)s: a learner could match "
                            "the pictures without the clue", job=shown))
    return replace(catalogue, jobs=jobs, clues=clues, who_can=who_can, local=local, twins=twins, places=places)


def _places(root, folder, symbols, kind):
    """The places of a word mat or visit activity: each file but activity.toml, by its name.
    Every text is read by learners of both groups, so each keeps to Group 1's sentences."""
    found = {}
    for path in sorted(folder.glob("*.toml")):
        if path.name == "activity.toml":
            continue
        found[path.stem] = _place(_Reader(root, path, symbols), kind, path.stem)
    if not found:
        raise ContentError(f"{folder}: a {kind} activity needs at least one place file")
    return found


def _place(r, kind, place_id):
    """One place of a word mat or a visit (see _places)."""
    table, (low, high) = PLACE_CARDS[kind], PLACE_CARD_COUNTS[kind]
    entries = r.data.get(table, [])
    if not isinstance(entries, list) or not low <= len(entries) <= high:
        r.fail(table, f"must be between {low} and {high} [[{table}]] tables")
    if kind == "visit":  # pages in order, numbered
        cards = tuple(Choice(str(n), r.simple(f"{table}.{n}.text", r.text(f"{table}.{n}.text", e)),
                             r.symbol(f"{table}.{n}.symbol", e)) for n, e in enumerate(entries, start=1))
    else:
        cards = _choices(r, table, entries)
        pictures = {}
        for n, card in enumerate(cards, start=1):
            other = pictures.setdefault(r.symbols[card.symbol].picture, card.id)
            if other != card.id:  # matching needs a picture for each word
                r.fail(f"{table}.{n}.symbol",
                       _("shows the same picture as '%(other)s': a learner could not tell them apart", other=other))
    return Place(place_id, r.simple("title", r.text("title")), r.symbol("symbol"), cards)


def _clues(r):
    entries = r.data.get("clue", [])
    if not isinstance(entries, list) or not CLUE_COUNTS[0] <= len(entries) <= CLUE_COUNTS[1]:
        r.fail("clue", f"must be between {CLUE_COUNTS[0]} and {CLUE_COUNTS[1]} [[clue]] tables")
    return tuple(Clue(r.text(f"clue.{n}.text", e), r.symbol(f"clue.{n}.symbol", e))
                 for n, e in enumerate(entries, start=1))


def _who_can(r, job_id):
    needs = r.optional_text("needs")
    return WhoCan(job_id, r.text("question"), r.text("example"), r.symbol("example_symbol"),
                  r.text("help"), r.symbol("help_symbol"), needs, r.symbol("needs_symbol") if needs else "")


def _local(r, job_id):
    employers = r.data.get("employers", [])
    if not isinstance(employers, list) or not all(isinstance(e, str) and e.strip() for e in employers):
        r.fail("employers", "must be a list of short texts")
    return Local(job_id, tuple(e.strip() for e in employers), r.optional_text("demand"))


GROUP_ONE_WORDS = 12  # the most words in one sentence of a text for Career SEND Group 1

# Words of a job's name that many jobs share, or that say nothing: "I drive a van" does not give
# "delivery driver" away among jobs that are not driving ones (near_twins keeps those apart).
SHARED_NAME_WORDS = {"and", "worker", "assistant", "officer", "driver", "hand", "support"}
MOST_CHOICES = CHOICE_COUNTS[-1]  # the most picture cards one screen shows


def _pictures(job, clues, symbols):
    return {symbols[job.symbol].picture} | {symbols[clue.symbol].picture for clue in clues}


def near_twins(jobs, clues, symbols):
    """For each Guess my job job, the others too like it to be offered beside it as choices:
    the same sector (mechanic and plumber), or a picture in common, on a clue or the job's card
    (builder and firefighter both wear a helmet)."""
    pictures = {job_id: _pictures(jobs[job_id], clues[job_id], symbols) for job_id in clues}
    return {
        job_id: frozenset(other for other in clues if other != job_id and (
            jobs[other].sector == jobs[job_id].sector or pictures[other] & pictures[job_id]))
        for job_id in clues
    }


def _name_words(text):
    return re.findall(r"\w+", text.lower())


def _check_fair_clues(r, job, clues, twins, jobs, all_clues, symbols):
    """Guess my job is won by listening to the clues: no clue shows the picture of a job card
    (the answer's, or another job's that may be offered), or says a word of the job's name
    ("games" for a game tester, "dentist" for a dental nurse); and enough other jobs are
    different enough to be offered beside it."""
    cards = {symbols[jobs[other].symbol].picture: other for other in all_clues}
    own = [word for word in _name_words(job.name) if len(word) >= 3 and word not in SHARED_NAME_WORDS]
    for n, clue in enumerate(clues, start=1):
        shown = cards.get(symbols[clue.symbol].picture)
        if shown is not None:
            r.fail(f"clue.{n}.symbol", _("shows the same picture as the answer's: a learner could match the "
                                         "pictures without the clue") if shown == job.id else
                   _("shows the same picture as the card of another job (%(job)s): a learner could match the "
                     "pictures without the clue", job=shown))
        # "fire" and "firefighter", "dentist" and "dental"; a short word itself ("bus stops")
        said = [word for word in _name_words(clue.text) for name in own
                if (word[:4] == name[:4] if len(name) >= 4 else word in (name, name + "s", name + "es"))]
        if said:
            r.fail(f"clue.{n}.text", _("says '%(word)s', which gives away the job's name (%(job)s)",
                                       word=said[0], job=job.name))
    if len(all_clues) - 1 - len(twins) < MOST_CHOICES - 1:
        r.fail("job", _("has only %(count)s other jobs different enough to offer beside it (too like it: "
                        "%(twins)s); a screen may show %(most)s", count=len(all_clues) - 1 - len(twins),
                        twins=", ".join(sorted(twins)), most=MOST_CHOICES))


def content_ids(catalogue):
    """Every translatable text of the (English) content by its stable content id, which is
    what a language file in activities/languages/ names."""
    for a in catalogue.activities.values():
        yield f"activity.{a.id}.title", a.title
        yield f"activity.{a.id}.intro", a.intro
        shared = set()
        for step in a.steps:
            for name in ("prompt", "explain", "explain_simple"):
                if getattr(step, name):
                    yield f"step.{a.id}.{step.id}.{name}", getattr(step, name)
            for choice in step.choices:
                yield f"step.{a.id}.{step.id}.choice.{choice.id}", choice.text
                shared.add((choice.id, choice.text))
        # A choice offered on several steps may be translated once for the whole activity.
        for choice_id, text in sorted(shared):
            yield f"choice.{a.id}.{choice_id}", text
    for job in catalogue.jobs.values():
        for name, text in (("name", job.name), ("what", job.what), ("what_simple", job.what_simple),
                           ("where", job.where), ("wear", job.wear), ("route", job.route_text)):
            if text:
                yield f"job.{job.id}.{name}", text
    for job_id, clues in catalogue.clues.items():
        for number, clue in enumerate(clues, start=1):
            yield f"clue.{job_id}.{number}", clue.text
    for job_id, item in catalogue.who_can.items():
        for name in ("question", "example", "help", "needs"):
            if getattr(item, name):
                yield f"who-can.{job_id}.{name}", getattr(item, name)
    for job_id, local in catalogue.local.items():
        if local.demand:
            yield f"local.{job_id}.demand", local.demand
    for activity_id, places in catalogue.places.items():
        for place in places.values():
            yield f"place.{activity_id}.{place.id}.title", place.name
            for card in place.cards:
                yield f"place.{activity_id}.{place.id}.{card.id}", card.text
    for outcome in catalogue.adulthood.outcomes:
        yield f"outcome.{outcome.id}", outcome.title
    for topic in catalogue.adulthood.topics.values():
        yield f"topic.{topic.id}", topic.text


def _flatten(table, prefix=""):
    for key, value in table.items():
        name = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, dict):
            yield from _flatten(value, name)
        else:
            yield name, value


def load_language(root, code, catalogue):
    """The content ids and texts of one language file (activities/languages/<code>.toml),
    checked against the English content; {} when the language has no file."""
    path = Path(root) / "languages" / f"{code}.toml"
    if not path.exists():
        return {}
    name = path.relative_to(Path(root).parent).as_posix()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ContentError(f"{name}: not valid TOML: {error}") from None
    known = dict(content_ids(catalogue))
    found = {}
    for content_id, text in _flatten(data):
        if content_id not in known:
            raise ContentError(f"{name}: field '{content_id}' names no text in the content")
        if not isinstance(text, str) or not text.strip():
            raise ContentError(f"{name}: field '{content_id}' is missing or empty")
        found[content_id] = text.strip()
    return found


def translate(catalogue, lang, table):
    """The catalogue in one language: every text a Text in `lang` where `table` translates
    it, and otherwise the English, marked as a fallback."""

    def t(content_id, english, *also):
        if not english:
            return english
        for each in (content_id, *also):
            if each in table:
                return Text(table[each], lang)
        return Text(english, "en", fallback=True)

    def step(a, s):
        key = f"step.{a.id}.{s.id}"
        return replace(
            s, prompt=t(f"{key}.prompt", s.prompt), explain=t(f"{key}.explain", s.explain),
            explain_simple=t(f"{key}.explain_simple", s.explain_simple),
            choices=tuple(replace(c, text=t(f"{key}.choice.{c.id}", c.text, f"choice.{a.id}.{c.id}"))
                          for c in s.choices))

    return replace(
        catalogue,
        activities={a.id: replace(a, title=t(f"activity.{a.id}.title", a.title),
                                  intro=t(f"activity.{a.id}.intro", a.intro),
                                  steps=tuple(step(a, s) for s in a.steps))
                    for a in catalogue.activities.values()},
        jobs={j.id: replace(j, name=t(f"job.{j.id}.name", j.name), what=t(f"job.{j.id}.what", j.what),
                            what_simple=t(f"job.{j.id}.what_simple", j.what_simple),
                            where=t(f"job.{j.id}.where", j.where), wear=t(f"job.{j.id}.wear", j.wear),
                            route_text=t(f"job.{j.id}.route", j.route_text))
              for j in catalogue.jobs.values()},
        clues={job_id: tuple(replace(c, text=t(f"clue.{job_id}.{n}", c.text)) for n, c in enumerate(clues, start=1))
               for job_id, clues in catalogue.clues.items()},
        who_can={job_id: replace(w, question=t(f"who-can.{job_id}.question", w.question),
                                 example=t(f"who-can.{job_id}.example", w.example),
                                 help=t(f"who-can.{job_id}.help", w.help),
                                 needs=t(f"who-can.{job_id}.needs", w.needs))
                 for job_id, w in catalogue.who_can.items()},
        # A school's words about its own employers are typed in English and not translated:
        # they are shown and read as English.
        local={job_id: replace(item, demand=t(f"local.{job_id}.demand", item.demand),
                               employers=tuple(Text(e, "en", fallback=True) for e in item.employers))
               for job_id, item in catalogue.local.items()},
        places={a: {p.id: replace(p, name=t(f"place.{a}.{p.id}.title", p.name),
                                  cards=tuple(replace(c, text=t(f"place.{a}.{p.id}.{c.id}", c.text)) for c in p.cards))
                    for p in places.values()}
                for a, places in catalogue.places.items()},
        adulthood=replace(
            catalogue.adulthood,
            outcomes=tuple(replace(o, title=t(f"outcome.{o.id}", o.title)) for o in catalogue.adulthood.outcomes),
            topics={k: replace(v, text=t(f"topic.{k}", v.text)) for k, v in catalogue.adulthood.topics.items()}),
    )


def load_all(root, symbols):
    """The English catalogue, and the catalogue of each language (its translations over it)."""
    english, catalogues, _words = load_with_words(root, symbols)
    return english, catalogues


def load_with_words(root, symbols):
    """load_all's catalogues, and each language's translations by content id."""
    from .i18n import DEFAULT, LANGUAGES

    english = load(root, symbols)
    catalogues, words = {DEFAULT: english}, {}
    for code, language in LANGUAGES.items():
        if code != DEFAULT:
            words[code] = load_language(root, code, english)
            catalogues[code] = translate(english, language.speech, words[code])
    return english, catalogues, words


def in_language(english, code, words=None):
    """The catalogue `english` (the app's content, perhaps with a school's added) in the
    language `code`: the app's translations, and `words` (content id -> text) over them."""
    from .i18n import DEFAULT, LANGUAGES

    if code == DEFAULT:
        return english
    table = current_app.extensions["content_words"][code]
    return translate(english, LANGUAGES[code].speech, {**table, **words} if words else table)


def get_catalogue():
    """The content in the language of the page: the app's, and the viewer's school's own
    (which `school_catalogue`, if the app has one, gives: see authoring.store)."""
    from .i18n import page_language

    code = page_language().code
    own = current_app.extensions.get("school_catalogue")
    found = own(code) if own is not None else None
    return found if found is not None else current_app.extensions["catalogues"][code]


content_cli = AppGroup("content", help="Activity content commands.")


@content_cli.command("check")
@click.option("--export", type=click.Path(exists=True, dir_okay=False),
              help="Check this zip of a school's own content (exported in the app) instead.")
def check_command(export):
    """Check every activity content file and report what was loaded."""
    if export:
        return current_app.extensions["content_export_check"](export)
    catalogue, catalogues = load_all(current_app.config["CONTENT_DIR"], current_app.extensions["symbols"])
    click.echo(
        f"{len(catalogue.jobs)} jobs, {len(catalogue.clues)} with Guess my job clues, "
        f"{len(catalogue.who_can)} with Who can do this job?, "
        f"{len(catalogue.activities)} activities: all valid."
    )
    for code, translated in catalogues.items():
        if translated is not catalogue:
            # Employers' names are not translated; every other text is a Text.
            texts = [text for text in translated.texts() if isinstance(text, Text)]
            done = sum(1 for text in texts if not text.fallback)
            click.echo(f"{code}: {done} of {len(texts)} texts translated.")


def init_app(app):
    root, symbols = app.config["CONTENT_DIR"], app.extensions["symbols"]
    english, catalogues, words = read_once(("content", str(root), tuple(sorted(symbols))), [root],
                                           lambda: load_with_words(root, symbols))
    app.extensions["catalogue"], app.extensions["catalogues"] = english, dict(catalogues)
    app.extensions["content_words"] = words
    # Staff pages mark what the viewer's school made itself beside the app's own content.
    app.jinja_env.globals["our_own"] = lambda item_id: item_id in get_catalogue().own
    app.cli.add_command(content_cli)
