"""Kind, plain-language error pages: never a stack trace."""

from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
# An unexpected exception reaches the HTTPException handler as an InternalServerError.
from werkzeug.exceptions import HTTPException

from .web import render, wants_fragment


def _messages():
    return {
        400: _("Something in that form did not make sense to us. Please go back and try again."),
        403: _("This page is not for you. Let's go back home."),
        404: _("We can't find that page. Let's go back home."),
        405: _("That did not work from here. Let's go back home."),
        409: _("That cannot be done just now. Please go back and try again."),
        413: _("That was too big to send. Please try something smaller."),
        429: _("Let's have a little rest, then try again."),
        503: _("That is not working just now. Please try again later."),
    }


def handle_http_error(error):
    status = error.code or 500
    message = _messages().get(status, _("Something went wrong on our side. Please try again."))
    # A view may give a more helpful message of its own with abort(400, "..."), and says why
    # something is refused (403) or cannot be done now (409, a left learner's record).
    if status in (400, 403, 409) and error.description and error.description != type(error).description:
        message = error.description
    return _error_page(status, message)


def handle_csrf_error(error):
    message = _("This page was open for a long time, so we could not save that. Please try again.")
    return _error_page(400, message)


def _error_page(status, message):
    headers = {}
    if wants_fragment():
        # The page asked for a part of itself; the error is a whole page, so it replaces the
        # whole page (as a boosted link would) rather than landing inside that part.
        headers = {"HX-Retarget": "body", "HX-Reswap": "innerHTML"}
    return render("error.html", status=status, message=message), status, headers


def init_app(app):
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
