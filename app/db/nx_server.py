"""Entry point for the embedded/test database: nx-27017 with its SQL *update* tier switched off.

nx-27017 0.8.1 applies simple updates (`$set`, `$push`, ...) as SQLite JSON functions, and
that path stores a top-level datetime as a string and a pushed sub-document as a JSON
string. Its Python update path keeps BSON types as MongoDB does. neosqlite's own switch
(`set_force_fallback`) would send *every* query to that Python path too, turning each
filtered find or count into a scan of the whole collection; so we answer "fallback" only
in the three modules where updates choose their tier, and queries keep SQLite's indexes.
The bot's queries stay plain MongoDB; only how this stand-in server executes them changes.
(bench/results/latest.json: ticket by number 83 → 1 ms at 5,000 tickets with this split.)
"""

from __future__ import annotations

import sys


def _updates_use_python_path() -> bool:
    return True


def main() -> int:
    from neosqlite.collection.query_engine import find_operations
    from neosqlite.collection.query_helper import _sql_updates, update_operations
    from nx_27017.nx_27017 import main as nx_main

    # These modules bound `get_force_fallback` at import; rebinding it there affects
    # only the update-tier decisions they make (find_one_and_update lives in find_operations).
    for module in (_sql_updates, update_operations, find_operations):
        module.get_force_fallback = _updates_use_python_path
    sys.argv[0] = "nx-27017"
    return int(nx_main() or 0)


if __name__ == "__main__":
    sys.exit(main())
