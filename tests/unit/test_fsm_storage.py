"""The FSM storage: one read of a chat's state per update, one write per transition, and
never a stale read outside the update that read it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.fsm.storage.base import StorageKey
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from app.db.fsm_storage import ChatIsolation, SharedClientStorage
from app.fsm.transitions import advance, reset

KEY = StorageKey(bot_id=1, chat_id=42, user_id=42)
OTHER = StorageKey(bot_id=1, chat_id=43, user_id=43)


class Form(StatesGroup):
    name = State()
    phone = State()


class Commands(CommandListener):
    def __init__(self) -> None:
        self.seen: list[str] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name in {"find", "update", "delete", "findAndModify", "insert"}:
            self.seen.append(event.command_name)

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass

    def take(self) -> list[str]:
        seen, self.seen = self.seen, []
        return seen


World = tuple[SharedClientStorage, ChatIsolation, Commands]


@pytest.fixture
async def world(mongo_uri: str, db_name: str) -> AsyncIterator[World]:
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(mongo_uri, event_listeners=[commands])
    storage = SharedClientStorage(client, db_name=db_name, collection_name="fsm_states")
    yield storage, ChatIsolation(), commands
    await client.drop_database(db_name)
    await client.close()


async def stored(storage: SharedClientStorage, key: StorageKey = KEY) -> dict[str, Any] | None:
    return await storage._collection.find_one({"_id": storage._key_builder.build(key)}, {"_id": 0})


async def test_a_form_step_reads_once_and_writes_once(world: World) -> None:
    storage, isolation, commands = world
    await storage.save(KEY, Form.name, {"lang": "uk"})
    commands.take()
    state = FSMContext(storage, KEY)
    async with isolation.lock(KEY):
        assert await state.get_state() == Form.name.state  # what the FSM middleware does
        assert await state.get_data() == {"lang": "uk"}
        assert await state.get_data() == {"lang": "uk"}
        data = await advance(state, Form.phone, name="Ivan Petrenko")
    assert commands.take() == ["find", "update"]
    assert data == {"lang": "uk", "name": "Ivan Petrenko"}
    assert await stored(storage) == {"state": Form.phone.state, "data": {"lang": "uk", "name": "Ivan Petrenko"}}


async def test_aiogram_calls_inside_an_update_cost_a_write_each_and_no_reads(world: World) -> None:
    storage, isolation, commands = world
    state = FSMContext(storage, KEY)
    async with isolation.lock(KEY):
        assert await state.get_state() is None
        await state.set_state(Form.name)
        assert await state.update_data(name="Ivan") == {"name": "Ivan"}
        assert await state.get_state() == Form.name.state
        assert await state.get_data() == {"name": "Ivan"}
    assert commands.take() == ["find", "update", "update"]
    assert await stored(storage) == {"state": Form.name.state, "data": {"name": "Ivan"}}


async def test_reset_deletes_in_one_round_trip_and_costs_nothing_when_nothing_is_stored(world: World) -> None:
    storage, isolation, commands = world
    state = FSMContext(storage, KEY)
    async with isolation.lock(KEY):
        await state.get_state()
        await reset(state)  # an idle user pressing /start or Cancel
    assert commands.take() == ["find"]

    await storage.save(KEY, Form.phone, {"name": "Ivan", "media": [1, 2]})
    commands.take()
    async with isolation.lock(KEY):
        await state.get_state()
        await reset(state)
    assert commands.take() == ["find", "delete"]
    assert await stored(storage) is None


async def test_clear_through_aiogram_still_empties_the_record(world: World) -> None:
    storage, isolation, _ = world
    await storage.save(KEY, Form.phone, {"name": "Ivan"})
    state = FSMContext(storage, KEY)
    async with isolation.lock(KEY):
        await state.get_state()
        await state.clear()
        assert await state.get_state() is None and await state.get_data() == {}
    assert await stored(storage) is None


async def test_entering_the_same_step_again_writes_nothing(world: World) -> None:
    storage, isolation, commands = world
    await storage.save(KEY, Form.phone, {"name": "Ivan"})
    commands.take()
    state = FSMContext(storage, KEY)
    async with isolation.lock(KEY):
        await state.get_state()
        await advance(state, Form.phone)  # a wrong answer: the same prompt with a hint
    assert commands.take() == ["find"]


async def test_changing_what_get_data_returned_changes_nothing_stored(world: World) -> None:
    storage, isolation, _ = world
    await storage.save(KEY, Form.name, {"media": ["a"]})
    state = FSMContext(storage, KEY)
    async with isolation.lock(KEY):
        data = await state.get_data()
        data["media"].append("b")
        assert await state.get_data() == {"media": ["a"]}
        await state.set_state(Form.phone)
    assert await stored(storage) == {"state": Form.phone.state, "data": {"media": ["a"]}}


async def test_outside_an_update_every_read_goes_to_the_database(world: World) -> None:
    storage, _, commands = world
    state = FSMContext(storage, KEY)
    await storage.save(KEY, Form.name, {"n": 1})
    assert await state.get_data() == {"n": 1}
    await storage._collection.update_one({"_id": storage._key_builder.build(KEY)}, {"$set": {"data.n": 2}})
    assert await state.get_data() == {"n": 2}
    assert await state.update_data(m=3) == {"n": 2, "m": 3}
    assert commands.take() == ["update", "find", "update", "find", "findAndModify"]


async def test_a_task_started_by_an_update_reads_afresh_once_the_update_ended(world: World) -> None:
    """An album's delayed reply runs after its update released the chat: by then another
    update of the chat may have changed the state, and it must see that."""
    storage, isolation, _ = world
    state = FSMContext(storage, KEY)
    later: asyncio.Task[dict[str, Any]] | None = None
    go = asyncio.Event()

    async def delayed_reply() -> dict[str, Any]:
        await go.wait()
        return await state.get_data()

    async with isolation.lock(KEY):
        await state.get_state()
        await state.update_data(items=1)
        later = asyncio.create_task(delayed_reply())
    async with isolation.lock(KEY):  # the album's next item
        await state.get_state()
        await state.update_data(items=2)
    go.set()
    assert await later == {"items": 2}


async def test_one_chat_waits_for_its_previous_update_other_chats_do_not(world: World) -> None:
    _, isolation, _ = world
    order: list[str] = []
    release = asyncio.Event()

    async def first() -> None:
        async with isolation.lock(KEY):
            order.append("first in")
            await release.wait()
            order.append("first out")

    async def second() -> None:
        async with isolation.lock(KEY):
            order.append("second in")

    async def other_chat() -> None:
        async with isolation.lock(OTHER):
            order.append("other chat")

    tasks = [asyncio.create_task(first())]
    await asyncio.sleep(0)
    tasks += [asyncio.create_task(second()), asyncio.create_task(other_chat())]
    # The lock alone, no bot: a few loop turns let both tasks get as far as they can.
    await asyncio.sleep(0.01)
    assert order == ["first in", "other chat"]
    release.set()
    await asyncio.gather(*tasks)
    assert order == ["first in", "other chat", "first out", "second in"]
    assert isolation._locks == {}  # no lock kept for chats with nothing pending


async def test_closing_while_an_update_holds_its_chat_lets_it_finish(world: Any) -> None:
    """aiogram closes the isolation on shutdown; an update still in flight must release normally."""
    _, isolation, _ = world
    inside, release = asyncio.Event(), asyncio.Event()

    async def in_flight() -> str:
        async with isolation.lock(KEY):
            inside.set()
            await release.wait()
        return "released"

    task = asyncio.create_task(in_flight())
    await inside.wait()
    await isolation.close()
    release.set()
    assert await task == "released"
    async with isolation.lock(KEY):  # and the chat can be locked again
        pass
    assert isolation._locks == {}
