"""Symbol, word and sound together: in each language, every prompt and choice a learner meets
in an activity has words, a symbol from the manifest (with its image file), and narration of
the same words in the language they are written in."""

from pathlib import Path

import pytest
from flask_babel import force_locale

from student_app.i18n import DEFAULT, LANGUAGES
from student_app.narration import _serializer, narration_url, phrases_by_language


def learner_facing(catalogue):
    """(where, text, symbol) for every prompt and choice of every activity."""
    for activity in catalogue.activities.values():
        yield f"{activity.id}: title (its tile)", activity.title, activity.symbol
        for step in activity.steps:
            yield f"{activity.id}/{step.id}: prompt", step.prompt, step.symbol
            for choice in step.choices:
                yield f"{activity.id}/{step.id}/{choice.id}: choice", choice.text, choice.symbol
    for job_id, clues in catalogue.clues.items():
        for number, clue in enumerate(clues, start=1):
            yield f"guess-my-job/{job_id}: clue {number}", clue.text, clue.symbol
    # Jobs are the choices of Guess my job and the tiles of the Job explorer and Who can.
    for job in catalogue.jobs.values():
        yield f"jobs/{job.id}: name", job.name, job.symbol
    who_step = next(step for activity in catalogue.activities.values() if activity.kind == "who-can"
                    for step in activity.steps if step.id == "who")
    for job_id, item in catalogue.who_can.items():
        yield f"who-can/{job_id}: question", item.question, who_step.symbol
        yield f"who-can/{job_id}: example", item.example, item.example_symbol
        yield f"who-can/{job_id}: help", item.help, item.help_symbol


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_prompt_and_choice_has_words_a_symbol_and_narration(app, code, capsys):
    """In each language: a text in the language is narrated in it (by its espeak-ng voice),
    and a text shown in English for want of a translation is marked so and narrated in English."""
    speech = LANGUAGES[code].speech
    catalogue = app.extensions["catalogues"][code]
    symbols = app.extensions["symbols"]
    built = phrases_by_language(app, [code, DEFAULT])  # what `flask narration build` renders
    found = list(learner_facing(catalogue))
    assert len(found) > 300  # the whole content, not a corner of it
    problems, translated = [], 0
    with app.test_request_context(), force_locale(code):
        for where, text, symbol in found:
            if not text or not text.strip():
                problems.append(f"{where}: no words")
                continue
            lang = getattr(text, "lang", "en")
            if code == DEFAULT and lang != "en" or code != DEFAULT and lang not in (speech, "en"):
                problems.append(f"{where}: in {lang!r}, not {speech!r} or marked English")
            if lang == "en" and code != DEFAULT and not text.fallback:
                problems.append(f"{where}: English on a {code} page without the (in English) mark")
            translated += lang == speech
            if symbol not in symbols:
                problems.append(f"{where}: symbol {symbol!r} is not in the manifest")
            elif not (Path(app.config["SYMBOLS_DIR"]) / symbols[symbol].file).is_file():
                problems.append(f"{where}: the image of symbol {symbol!r} is missing")
            if text not in built[lang]:
                problems.append(f"{where}: {text!r} is not in the {lang} narration catalogue")
            url = narration_url(text)
            token = url.rsplit("/", 1)[-1].removesuffix(".mp3") if url else ""
            if not url or _serializer().loads(token)[:2] != [lang, text]:
                problems.append(f"{where}: no narration link speaks {text!r} in {lang!r}")
    with capsys.disabled():
        print(f"\nContent check, {code}: {len(found)} prompts and choices, {translated} in {speech}, "
              f"{len(found) - translated if code != DEFAULT else 0} shown in English and marked so")
    assert not problems, "\n".join(problems)
