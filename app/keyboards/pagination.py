"""◀️ ▶️ under a paged list: which arrows to show and the page each one opens."""

from __future__ import annotations


def page_arrows(page: int, pages: int) -> list[tuple[str, int]]:
    arrows = []
    if page > 0:
        arrows.append(("◀️", page - 1))
    if page + 1 < pages:
        arrows.append(("▶️", page + 1))
    return arrows
