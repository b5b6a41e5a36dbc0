"""Entry point for the embedded/test database: nx-27017 with its SQL update tier switched off.

nx-27017 0.8.1 applies simple updates (`$set`, `$push`, ...) as SQLite JSON functions, and
that path stores a top-level datetime as a string and a pushed sub-document as a JSON
string. Its Python update path keeps BSON types as MongoDB does, so we force that path
(a switch nx-27017 offers for benchmarking). The bot's queries stay plain MongoDB; only
how this stand-in server executes them changes.
"""

from __future__ import annotations

import sys


def main() -> int:
    from neosqlite.collection.query_helper.utils import set_force_fallback
    from nx_27017.nx_27017 import main as nx_main

    set_force_fallback(True)
    sys.argv[0] = "nx-27017"
    result = nx_main()
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
