"""Query shapes every repository uses, so both MongoDB and the embedded nx-27017 (0.8.1, SQLite
underneath) serve them from an index. Plain MongoDB either way:
- equality as an explicit `{"$eq": v}` (`eq`): nx adds "or an array containing v" to a bare
  `{field: v}`, which makes SQLite scan the table; MongoDB treats both forms alike;
- counts as `$match` + `$group` on `_id: None` (`count`): PyMongo's `count_documents` groups on a
  constant, which nx runs in Python over every document (seconds at 50,000 tickets);
- no dates inside filters: nx gives up on a datetime comparison (finds fall back to Python, and an
  aggregate `$match` on a date matched every document) — filter an epoch-milliseconds number.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.collection import AsyncCollection


def eq(value: Any) -> dict[str, Any]:
    return {"$eq": value}


async def count(collection: AsyncCollection[dict[str, Any]], query: dict[str, Any]) -> int:
    pipeline: list[dict[str, Any]] = [{"$match": query}, {"$group": {"_id": None, "n": {"$sum": 1}}}]
    async for row in await collection.aggregate(pipeline):
        return int(row["n"])
    return 0
