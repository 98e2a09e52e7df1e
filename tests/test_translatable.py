"""Every word a person reads in a template goes through the translation catalogue."""

import re
from html.parser import HTMLParser
from pathlib import Path

from jinja2 import Environment, nodes

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
JINJA = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
# A tag whose name is a Jinja expression (<{{ tag }} ...>) stays a tag.
DYNAMIC_TAG = re.compile(r"<(/?)\{\{.*?\}\}")
LETTER = re.compile(r"[^\W\d_]")
READ_ATTRIBUTES = ("alt", "aria-label", "title", "placeholder")
TRANSLATORS = {"_", "gettext", "ngettext"}


class _Reader(HTMLParser):
    """Collects the text nodes and read-aloud attributes of HTML with the Jinja taken out."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self.in_code = [], 0

    def handle_starttag(self, tag, attrs):
        self.in_code += tag in ("script", "style")
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and LETTER.search(value):
                self.found.append(f'<{tag} {name}="{value}">')

    def handle_endtag(self, tag):
        self.in_code -= tag in ("script", "style")

    def handle_data(self, data):
        if not self.in_code and LETTER.search(data):
            self.found.append(data.strip())


def html_text_outside_jinja(source):
    reader = _Reader()
    reader.feed(JINJA.sub(" ", DYNAMIC_TAG.sub(r"<\1span", source)))
    reader.close()
    return reader.found


def words_in_jinja_code(source):
    """String constants in Jinja code that read as words (a capital, then a space somewhere)
    and are not handed to a translation function: {{ "Hello there" }} or {% set x = "Your work" %}."""
    tree = Environment(extensions=["jinja2.ext.i18n"]).parse(source)
    marked = set()
    for call in tree.find_all(nodes.Call):
        if isinstance(call.node, nodes.Name) and call.node.name in TRANSLATORS:
            marked.update(id(arg) for arg in call.args)
    return [const.value for const in tree.find_all(nodes.Const)
            if isinstance(const.value, str) and id(const) not in marked
            and " " in const.value.strip() and const.value.strip()[:1].isupper()]


def test_the_checks_find_unmarked_words():
    assert html_text_outside_jinja('<p>Hello</p><img alt="A cat" src="x"><p>{{ _("Fine") }}</p>') == [
        "Hello", '<img alt="A cat">']
    assert html_text_outside_jinja('<{{ tag }} class="x">{{ _("Fine") }}</{{ tag }}><script>go()</script>') == []
    assert words_in_jinja_code('{% set x = {"a": "Not marked", "b": _("Marked here")} %}{{ "Also not" }}') == [
        "Not marked", "Also not"]


def test_every_template_marks_its_words_for_translation():
    unmarked = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        name = path.relative_to(TEMPLATES)
        unmarked += [f"{name}: {text}" for text in html_text_outside_jinja(source)]
        unmarked += [f"{name}: {{{{ {text!r} }}}}" for text in words_in_jinja_code(source)]
    assert not unmarked, "wrap these in _() or ngettext():\n" + "\n".join(unmarked)
