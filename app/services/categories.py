"""The super-admin's changes to the service catalogue, each checked, applied and audited.

Categories are never deleted: a hidden one leaves the form but its tickets keep naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.db.repositories import Repositories
from app.models.categories import MAX_CATEGORIES, Category, CategoryOutcome, Language
from app.models.tickets import Priority


@dataclass(frozen=True, slots=True)
class CategoryChange:
    outcome: CategoryOutcome
    category: Category | None = None

    @property
    def done(self) -> bool:
        return self.outcome is CategoryOutcome.DONE


class CategoryService:
    def __init__(self, repos: Repositories) -> None:
        self.repos = repos
        self.store = repos.categories

    async def _changed(self, category_id: int, action: str, by: int, **details: Any) -> CategoryChange:
        category = (await self.store.fresh()).get(category_id)
        await self.repos.audit.record(f"category.{action}", by, category=category_id, **details)
        return CategoryChange(CategoryOutcome.DONE, category)

    async def name_problem(self, name: str, language: Language, category_id: int = 0) -> CategoryOutcome | None:
        """Asked before each name is taken, so adding asks again for the one that clashes."""
        if (await self.store.fresh()).taken(name, language.value, except_id=category_id):
            return CategoryOutcome.NAME_TAKEN
        return None

    async def add(self, names: dict[str, str], by: int) -> CategoryChange:
        catalogue = await self.store.fresh()
        if len(catalogue.categories) >= MAX_CATEGORIES:
            return CategoryChange(CategoryOutcome.TOO_MANY)
        if any(catalogue.taken(name, language) for language, name in names.items()):
            return CategoryChange(CategoryOutcome.NAME_TAKEN)
        category = await self.store.add(names)
        return await self._changed(category.id, "added", by, names=names)

    async def rename(self, category_id: int, language: Language, name: str, by: int) -> CategoryChange:
        if await self.name_problem(name, language, category_id) is not None:
            return CategoryChange(CategoryOutcome.NAME_TAKEN)
        if not await self.store.rename(category_id, language.value, name):
            return CategoryChange(CategoryOutcome.NOT_FOUND)
        return await self._changed(category_id, "renamed", by, language=language.value, name=name)

    async def set_hint(self, category_id: int, language: Language, hint: str | None, by: int) -> CategoryChange:
        if not await self.store.set_hint(category_id, language.value, hint):
            return CategoryChange(CategoryOutcome.NOT_FOUND)
        return await self._changed(category_id, "hint", by, language=language.value, hint=hint)

    async def set_priority(self, category_id: int, priority: Priority | None, by: int) -> CategoryChange:
        if not await self.store.set_priority(category_id, priority):
            return CategoryChange(CategoryOutcome.NOT_FOUND)
        return await self._changed(category_id, "priority", by, priority=int(priority) if priority else None)

    async def set_hidden(self, category_id: int, hidden: bool, by: int) -> CategoryChange:
        catalogue = await self.store.fresh()
        category = catalogue.get(category_id)
        if category is None:
            return CategoryChange(CategoryOutcome.NOT_FOUND)
        if hidden and not category.hidden and len(catalogue.visible) <= 1:
            return CategoryChange(CategoryOutcome.LAST_VISIBLE, category)
        await self.store.set_hidden(category_id, hidden)
        return await self._changed(category_id, "hidden" if hidden else "shown", by)

    async def move(self, category_id: int, step: int, by: int) -> CategoryChange:
        if (await self.store.fresh()).get(category_id) is None:
            return CategoryChange(CategoryOutcome.NOT_FOUND)
        if not await self.store.move(category_id, step):
            return CategoryChange(CategoryOutcome.AT_EDGE, (await self.store.fresh()).get(category_id))
        return await self._changed(category_id, "moved", by, step=step)
