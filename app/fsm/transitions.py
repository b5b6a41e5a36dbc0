"""Form transitions in one database write each.

aiogram's `FSMContext` writes state and data in separate calls (`set_state`, then
`update_data`; `clear()` is both), a round trip each; these write them together through
`SharedClientStorage.save` (app/db/fsm_storage.py).
"""

from __future__ import annotations

from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.storage.base import StateType

from app.db.fsm_storage import SharedClientStorage


async def advance(state: FSMContext, step: StateType, *, fresh: bool = False, **changes: Any) -> dict[str, Any]:
    """Enter `step` with the data changed by `changes` (or only `changes` when `fresh`);
    returns the data now stored."""
    data = dict(changes) if fresh else {**await state.get_data(), **changes}
    await _save(state, step, data)
    return data


async def reset(state: FSMContext, step: StateType = None) -> None:
    """Forget the data; leave every step (or enter `step` with nothing collected yet)."""
    await _save(state, step, {})


async def _save(state: FSMContext, step: StateType, data: dict[str, Any]) -> None:
    storage = state.storage
    if not isinstance(storage, SharedClientStorage):  # the dispatcher is always built with it
        raise TypeError(f"form transitions need SharedClientStorage, not {type(storage).__name__}")
    await storage.save(state.key, step, data)
