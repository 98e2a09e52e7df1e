"""The translation catalogues: complete, current, compiled, with every placeholder kept."""

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from student_app.i18n import DEFAULT, LANGUAGES

ROOT = Path(__file__).resolve().parent.parent
CATALOGUES = ROOT / "student_app" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)s")
TRANSLATED = [code for code in LANGUAGES if code != DEFAULT]


def messages_in_code():
    """What `pybabel extract -F babel.cfg --ignore-dirs=".*"` finds now (msgids, plurals as
    tuples). Babel skips folders starting with _ unless told: templates/_partials counts."""
    with open(ROOT / "babel.cfg") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2)}
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT, method_map, options_map, keywords=keywords,
            directory_filter=lambda path: not Path(path).name.startswith(".")):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalogue(code, kind="po"):
    path = CATALOGUES / "messages.pot" if code is None else CATALOGUES / code / "LC_MESSAGES" / f"messages.{kind}"
    with open(path, "rb") as handle:
        return read_po(handle) if kind == "po" else read_mo(handle)


def ids(found):
    return {message.id for message in found if message.id}


def test_the_template_holds_every_message_in_the_code():
    template = ids(catalogue(None))
    in_code = messages_in_code()
    assert in_code - template == set(), "run pybabel extract and update (see the README)"
    assert template - in_code == set(), "these messages are no longer used: run pybabel extract and update"


@pytest.mark.parametrize("code", TRANSLATED)
def test_every_message_is_translated_with_its_placeholders(code):
    found = catalogue(code)
    assert ids(found) == ids(catalogue(None))
    for message in found:
        if not message.id:
            continue
        source = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"{code}: {message.id!r} is not translated"
        wanted = set(PLACEHOLDER.findall(source[-1]))
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) == wanted, f"{code}: {message.id!r} -> {string!r}"


@pytest.mark.parametrize("code", TRANSLATED)
def test_the_compiled_catalogue_matches_its_source(code):
    """The .mo files are committed (small, and no build step at install): they must be current."""
    source, compiled = catalogue(code), catalogue(code, "mo")
    def strings(found):
        def same(value):  # a plural is a tuple in one reader and a list in the other
            return tuple(value) if isinstance(value, (list, tuple)) else value

        return {same(m.id): same(m.string) for m in found if m.id}

    assert strings(source) == strings(compiled), (
        "run pybabel compile -d student_app/translations")
