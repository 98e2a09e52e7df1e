import re
import shutil
from dataclasses import replace

import pytest

from student_app import ROOT
from student_app.symbols import ManifestError, load, problems, sheet


@pytest.fixture
def folder(tmp_path):
    copy = tmp_path / "symbols"
    shutil.copytree(ROOT / "symbols", copy)
    return copy


def test_shipped_manifest_is_complete():
    symbols = load(ROOT / "symbols")
    assert len(symbols) >= 150
    assert sum(1 for s in symbols if s.startswith("job-") and not s.endswith(("-woman", "-man"))) >= 40
    assert any(s.endswith("-woman") for s in symbols) and any(s.endswith("-man") for s in symbols)
    for prefix in ("place-", "feeling-", "answer-", "nav-", "code-", "avatar-", "route-"):
        assert any(s.startswith(prefix) for s in symbols), prefix
    assert all(s.licence and s.source for s in symbols.values())


def test_every_symbol_the_code_uses_exists():
    from student_app.auth import CODE_SYMBOLS
    from student_app.content import ROUTE_KINDS
    from student_app.demo import LEARNERS
    from student_app.responses import REACTIONS

    symbols = load(ROOT / "symbols")
    used = set(CODE_SYMBOLS) | {f"route-{k}" for k in ROUTE_KINDS} | set(REACTIONS.values())
    used |= {avatar for _, avatar, *_ in LEARNERS}
    for template in (ROOT / "templates").rglob("*.html"):
        used |= set(re.findall(r"symbol_url\('([a-z0-9-]+)'\)", template.read_text()))
        used |= set(re.findall(r'say\([^)]*?, "([a-z0-9-]+)"(?!\s*~)', template.read_text()))
    assert used - set(symbols) == set()


def test_check_names_a_missing_file(folder):
    (folder / load(folder)["nav-home"].file).unlink()
    found = problems(folder)
    assert any("nav-home" in p and "does not exist" in p for p in found)
    with pytest.raises(ManifestError):
        load(folder)


def test_check_names_a_duplicate_id_and_a_missing_label(folder):
    manifest = folder / "manifest.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[[symbol]]\nid = "nav-home"\nfile = "x.svg"\nlabel = { en = "" }\n'
          'source = "test"\nlicence = "CC0"\n'
    )
    found = "\n".join(problems(folder))
    assert "id 'nav-home' is used twice" in found
    assert "field 'label.en' is missing" in found
    assert "file 'x.svg' does not exist" in found


def test_check_command(runner):
    result = runner.invoke(args=["symbols", "check"])
    assert result.exit_code == 0 and "symbols, all present and labelled" in result.output


def test_symbol_route_serves_images_and_404s_unknown(client):
    with client.get("/symbols/nav-home") as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert client.get("/symbols/no-such-thing").status_code == 404


def test_check_refuses_a_copy_of_a_picture_under_a_second_id(folder):
    """One picture, one meaning: a copy of the home picture under another id, and the
    home picture's own file named by a second id, are both refused."""
    home = load(folder)["nav-home"].file
    shutil.copy(folder / home, folder / "openmoji" / "home-again.svg")
    manifest = folder / "manifest.toml"
    manifest.write_text(
        manifest.read_text()
        + '\n[[symbol]]\nid = "home-again"\nfile = "openmoji/home-again.svg"\nlabel = { en = "house" }\n'
          'source = "test"\nlicence = "CC0"\n'
        + f'\n[[symbol]]\nid = "home-twice"\nfile = "{home}"\n'
          'label = { en = "a house" }\nsource = "test"\nlicence = "CC0"\n'
    )
    found = "\n".join(problems(folder))
    assert "symbol home-again shows the same picture as nav-home: one picture, one meaning" in found
    assert "symbol home-twice shows the same picture as nav-home: one picture, one meaning" in found
    with pytest.raises(ManifestError, match="one picture, one meaning"):
        load(folder)


def test_shipped_manifest_shows_each_picture_once():
    symbols = load(ROOT / "symbols")
    pictures = {}
    for symbol in symbols.values():
        pictures.setdefault(symbol.picture, []).append(symbol.id)
    assert [ids for ids in pictures.values() if len(ids) > 1] == []


def test_the_contact_sheet_shows_every_symbol_and_no_shared_picture(runner, app, tmp_path):
    """`flask symbols sheet`: every symbol's picture (inside the page), id and label, and a
    count of pictures standing for more than one id, which the check keeps at 0."""
    output = tmp_path / "sheet.html"
    result = runner.invoke(args=["symbols", "sheet", "--output", str(output)])
    symbols = app.extensions["symbols"]
    assert result.exit_code == 0 and f"{len(symbols)} symbols" in result.output
    assert "; 0 pictures stand for more than one id" in result.output
    page = output.read_text(encoding="utf-8")
    assert all(f"<code>{symbol_id}</code>" in page for symbol_id in symbols)
    assert page.count('src="data:image/') == len(symbols) and "http" not in page.replace("http-equiv", "")
    assert '<li class="shared">' not in page


def test_the_contact_sheet_marks_a_shared_picture(app):
    """The sheet still marks a picture standing for two ids, should a set of symbols have one."""
    symbols = dict(app.extensions["symbols"])
    symbols["tool-plunger-copy"] = replace(symbols["tool-plunger"], id="tool-plunger-copy")
    page, shared = sheet(app.config["SYMBOLS_DIR"], symbols)
    card = page[page.index("<code>tool-plunger</code>"):]
    assert shared == 1 and "Same picture as: tool-plunger-copy" in card[:card.index("</li>")]
    assert page.count('<li class="shared">') == 2
