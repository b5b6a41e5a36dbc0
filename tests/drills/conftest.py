"""Drill-only collection tweak: the whole-run log scan goes last, after every other test wrote its logs."""

from __future__ import annotations

import pytest

RUN_LAST = "test_no_token_or_phone_in_any_log_of_this_run"


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    last = [item for item in items if item.name == RUN_LAST]
    if last:
        items[:] = [item for item in items if item.name != RUN_LAST] + last
