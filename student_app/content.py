"""Activity content: TOML files in the content folder, checked and loaded once."""

import tomllib
from dataclasses import dataclass
from pathlib import Path

import click
from flask.cli import AppGroup
from flask import current_app

ROUTE_KINDS = (
    "college", "supported-internship", "apprenticeship", "supported-apprenticeship",
    "t-level", "job", "job-coach", "volunteering", "university", "own-business", "training",
)


class ContentError(ValueError):
    """A content file is malformed; the message names the file and the field."""


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


@dataclass(frozen=True)
class Clue:
    text: str
    symbol: str


@dataclass(frozen=True)
class Activity:
    id: str
    title: str
    symbol: str
    intro: str
    benchmarks: tuple
    subjects: tuple


@dataclass(frozen=True)
class Catalogue:
    jobs: dict
    activities: dict
    clues: dict  # job id -> tuple of Clue, for Guess my job

    def texts(self):
        """Every text a learner can see in the content, for narration."""
        for activity in self.activities.values():
            yield activity.title
            yield activity.intro
        for job in self.jobs.values():
            yield from (job.name, job.what, job.where, job.route_text)
        for clues in self.clues.values():
            yield from (clue.text for clue in clues)


class _Reader:
    """Reads one TOML file and reports problems naming it and the field."""

    def __init__(self, root, path, symbols):
        self.name = path.relative_to(root.parent).as_posix()
        self.symbols = symbols
        try:
            self.data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise ContentError(f"{self.name}: not valid TOML: {error}") from None

    def fail(self, field, problem):
        raise ContentError(f"{self.name}: field '{field}' {problem}")

    def text(self, field, table=None):
        value = (self.data if table is None else table).get(field.rsplit(".", 1)[-1])
        if not isinstance(value, str) or not value.strip():
            self.fail(field, "is missing or empty")
        return value.strip()

    def symbol(self, field, table=None):
        value = self.text(field, table)
        if value not in self.symbols:
            self.fail(field, f"names symbol '{value}', which is not in the symbol manifest")
        return value

    def choice(self, field, allowed, table=None):
        value = self.text(field, table)
        if value not in allowed:
            self.fail(field, f"is '{value}'; it must be one of: {', '.join(allowed)}")
        return value


def load(root, symbols):
    """Load and check every content file under `root`."""
    root = Path(root)
    jobs = {}
    for path in sorted((root / "jobs").glob("*.toml")):
        r = _Reader(root, path, symbols)
        job_id = r.text("id")
        if job_id != path.stem:
            r.fail("id", f"is '{job_id}' but the file is named '{path.name}'")
        route = r.data.get("route")
        if not isinstance(route, dict):
            r.fail("route", "is missing (a [route] table with kind and text)")
        jobs[job_id] = Job(
            id=job_id,
            name=r.text("name"),
            symbol=r.symbol("symbol"),
            sector=r.text("sector"),
            what=r.text("what"),
            where=r.text("where"),
            where_symbol=r.symbol("where_symbol"),
            route_kind=r.choice("route.kind", ROUTE_KINDS, route),
            route_text=r.text("route.text", route),
        )
    if not jobs:
        raise ContentError(f"{root / 'jobs'}: no job files found")

    activities, clues = {}, {}
    folder = root / "guess-my-job"
    r = _Reader(root, folder / "activity.toml", symbols)
    benchmarks = r.data.get("benchmarks", [])
    if not all(isinstance(b, int) and 1 <= b <= 8 for b in benchmarks):
        r.fail("benchmarks", "must be a list of Gatsby Benchmark numbers from 1 to 8")
    activities["guess-my-job"] = Activity(
        id=r.choice("id", ["guess-my-job"]),
        title=r.text("title"),
        symbol=r.symbol("symbol"),
        intro=r.text("intro"),
        benchmarks=tuple(benchmarks),
        subjects=tuple(r.data.get("subjects", [])),
    )
    for path in sorted(folder.glob("*.toml")):
        if path.name == "activity.toml":
            continue
        r = _Reader(root, path, symbols)
        job_id = r.choice("job", sorted(jobs))
        if job_id != path.stem:
            r.fail("job", f"is '{job_id}' but the file is named '{path.name}'")
        entries = r.data.get("clue", [])
        if not isinstance(entries, list) or not 3 <= len(entries) <= 5:
            r.fail("clue", "must be between 3 and 5 [[clue]] tables")
        clues[job_id] = tuple(
            Clue(r.text(f"clue.{n}.text", e), r.symbol(f"clue.{n}.symbol", e))
            for n, e in enumerate(entries, start=1)
        )
    if len(clues) < 2:
        raise ContentError(f"{folder}: Guess my job needs clues for at least two jobs")
    return Catalogue(jobs=jobs, activities=activities, clues=clues)


def get_catalogue():
    return current_app.extensions["catalogue"]


content_cli = AppGroup("content", help="Activity content commands.")


@content_cli.command("check")
def check_command():
    """Check every activity content file and report what was loaded."""
    catalogue = load(current_app.config["CONTENT_DIR"], current_app.extensions["symbols"])
    click.echo(
        f"{len(catalogue.jobs)} jobs, {len(catalogue.clues)} with Guess my job clues, "
        f"{len(catalogue.activities)} activities: all valid."
    )


def init_app(app):
    app.extensions["catalogue"] = load(app.config["CONTENT_DIR"], app.extensions["symbols"])
    app.cli.add_command(content_cli)
