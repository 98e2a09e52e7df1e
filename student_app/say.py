"""The two smallest shapes of a learner prompt, made in Python because every screen has a dozen
of each (a Jinja macro call costs several times as much): a text's words, marked when shown in
English for want of a translation, and its listen button. templates/_partials/_say.html builds
the rest (say, action, refusal) on them."""

from markupsafe import Markup, escape

from .i18n import _translations
from .narration import narration_url
from .web import symbol_url


def _(message):
    return _translations().ugettext(message)


def in_words(text):
    """The text, and if it is English shown because it has no translation in the page's
    language, marked as English for screen readers and said so (content.Text)."""
    if getattr(text, "fallback", False):
        said = escape(_("(in English)"))
        return Markup(f'<span lang="en-GB" dir="ltr">{escape(text)}</span> <small class="in-english">{said}</small>')
    return escape(text)


def listen(text, autoplay=False, lang=None, voice=None):
    """The button that reads `text` aloud (nothing when narration cannot be made); `voice`, a
    narration voice to try (a settings choice is heard in that voice)."""
    url = narration_url(text, lang, voice)
    if not url:
        return Markup("")
    word, picture = escape(_("Listen")), escape(symbol_url("nav-listen"))
    return Markup(f'<a class="listen" href="{escape(url)}" data-narration{" data-autoplay" if autoplay else ""}'
                  f' data-hx-boost="false"><img src="{picture}" alt="" width="40" height="40">'
                  f'<span class="visually-hidden">{word}</span></a>')


def init_app(app):
    app.jinja_env.globals.update(in_words=in_words, listen=listen)
