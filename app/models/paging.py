"""Paged lists: how many pages, and which page to show when the list changed under the buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


def page_count(total: int, size: int) -> int:
    """At least one page, so an empty list still has a page to say "nothing here" on."""
    return max(1, -(-total // size))


def clamp_page(page: int, total: int, size: int) -> int:
    """A page that exists: a button drawn before the list shrank opens its last page."""
    return min(max(page, 0), page_count(total, size) - 1)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: list[T]
    number: int  # from 0
    total: int
    size: int

    @property
    def pages(self) -> int:
        return page_count(self.total, self.size)
