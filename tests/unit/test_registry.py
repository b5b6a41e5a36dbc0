"""Every handler parameter is something the dispatcher provides, with the registry's type."""

from __future__ import annotations

import inspect
import typing
from collections.abc import Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import HandlerObject

from app.handlers import errors, get_routers
from app.registry import FROM_AIOGRAM, FromFilters, Injected, PerUpdate


def handlers_of(router: Router) -> Iterator[HandlerObject]:
    for observer in router.observers.values():
        yield from observer.handlers
    for child in router.sub_routers:
        yield from handlers_of(child)


def all_handlers() -> list[HandlerObject]:
    return [handler for router in [errors.create_router(), *get_routers()] for handler in handlers_of(router)]


def test_every_handler_parameter_is_provided() -> None:
    registered: dict[str, Any] = {
        **typing.get_type_hints(Injected),
        **typing.get_type_hints(PerUpdate),
        **typing.get_type_hints(FromFilters),
    }
    handlers = all_handlers()
    assert len(handlers) > 50  # the walk found the real routers
    problems = []
    for handler in handlers:
        callback = handler.callback
        parameters = list(inspect.signature(callback).parameters.values())[1:]  # the first is the event
        hints = typing.get_type_hints(callback)
        for parameter in parameters:
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:  # `**data`: takes whatever there is
                continue
            name = parameter.name
            where = f"{callback.__module__}.{callback.__qualname__}({name})"
            if name in registered:
                if hints.get(name) != registered[name]:
                    problems.append(f"{where}: typed {hints.get(name)}, the registry says {registered[name]}")
            elif name not in FROM_AIOGRAM and parameter.default is inspect.Parameter.empty:
                problems.append(f"{where}: nothing provides it")
    assert problems == []


def test_registry_names_do_not_shadow_aiogram() -> None:
    ours = {name for hints in (Injected, PerUpdate, FromFilters) for name in typing.get_type_hints(hints)}
    assert ours.isdisjoint(FROM_AIOGRAM)
