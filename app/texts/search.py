"""Ticket search: the prompt, the results' heading and the «nothing found» answer."""

from __future__ import annotations

from html import escape

from aiogram.utils.i18n import gettext as _

from app.models.paging import Page
from app.models.tickets import Ticket
from app.texts.formatting import short
from app.texts.tickets import page_line

QUERY_SHOWN = 60  # the query as echoed in the heading (it may be 200 characters long)


def search_prompt(own: bool) -> str:
    if own:
        return _(
            "🔎 What should I look for among your tickets? Send a ticket number (#123), or words from the description."
        )
    return _(
        "🔎 What should I look for? Send a ticket number (#123 or 123), a phone number, "
        "@username, Telegram ID, or words from the name or description."
    )


def search_hint() -> str:
    """The query had nothing to look for (only punctuation, single letters)."""
    return _("Send a ticket number, a phone number, @username or at least one word of two letters or more.")


def wrong_search_input(cancel: str) -> str:
    return _("Send what to look for as text, or tap «{cancel}».").format(cancel=cancel)


def search_results(query: str, found: Page[Ticket], cut: bool, own: bool) -> str:
    title = _("🔎 <b>Search:</b> {query}").format(query=escape(short(query, QUERY_SHOWN)))
    if not found.items:
        empty = _("Nothing found among your tickets.") if own else _("Nothing found.")
        return f"{title}\n\n{empty}"
    lines = [title, page_line(found.number, found.pages, found.total)]
    if cut:
        lines.append(_("Only the newest matches are shown: add a word to narrow the search."))
    lines.append(_("Newest first. Tap a ticket to open it."))
    return "\n".join(lines)


def search_expired() -> str:
    return _("That search is no longer available. Search again.")
