"""Entry point: `python main.py` runs the bot; `backup`, `backups` and `restore PATH [--yes]` are operator commands."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from app import cli
from app.db.embedded import EmbeddedDatabaseError, EmbeddedMongo
from app.utils.clock import use_display_zone
from app.utils.logging_setup import setup_logging
from config import ConfigError, Settings, StartupError, load_settings

logger = logging.getLogger("main")


@asynccontextmanager
async def database(settings: Settings) -> AsyncIterator[tuple[str, EmbeddedMongo | None]]:
    """MONGODB_URI, or the embedded server started for as long as the command runs (and given
    along, so the bot can start it again should it die)."""
    if settings.mongodb_uri is not None:
        yield settings.mongodb_uri.get_secret_value(), None
        return
    embedded = EmbeddedMongo(settings.data_dir / "mongo")
    await embedded.astart()
    try:
        yield embedded.uri, embedded
    finally:
        await embedded.astop()


async def run_bot(settings: Settings) -> None:
    # Imported here: aiogram takes seconds to import, which the operator commands do not need.
    from app.runtime import BotApp

    async with database(settings) as (uri, embedded):
        await BotApp(settings, uri, embedded=embedded).run()


async def run_command(settings: Settings, args: argparse.Namespace) -> int:
    use_display_zone(settings.zone)
    if args.command == "run":
        await run_bot(settings)
        return 0
    if args.command == "backups":
        return await cli.list_backups(settings)
    async with database(settings) as (uri, _embedded):
        if args.command == "backup":
            return await cli.backup(settings, uri)
        return await cli.restore(settings, uri, Path(args.path), assume_yes=args.yes)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="TechSupport bot: an IT help desk in Telegram.")
    parser.add_argument(
        "command",
        nargs="?",
        default="run",
        choices=["run", "backup", "backups", "restore"],
        help="run the bot (default); backup: create a backup now; backups: list them; restore PATH: restore one",
    )
    parser.add_argument("path", nargs="?", help="restore: the backup .zip to restore from")
    parser.add_argument("--yes", action="store_true", help="restore: do not ask for confirmation")
    args = parser.parse_args(argv)
    if args.command == "restore" and not args.path:
        parser.error("restore needs the path of a backup .zip")
    if args.command != "restore" and (args.path or args.yes):
        parser.error(f"{args.command} takes no path or --yes")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
    except ConfigError as error:
        print(error, file=sys.stderr)
        return 2
    secrets = [settings.bot_token.get_secret_value()]
    if settings.mongodb_uri is not None:
        secrets.append(settings.mongodb_uri.get_secret_value())
    setup_logging(settings.log_dir, settings.log_level, settings.log_retention_days, secrets)
    try:
        return asyncio.run(run_command(settings, args))
    except (EmbeddedDatabaseError, StartupError) as error:
        # Like a configuration error: one line (also in the log file) and exit code 2.
        logger.error("Cannot start: %s", error)
        return 2
    except KeyboardInterrupt:
        return 130 if args.command != "run" else 0


if __name__ == "__main__":
    sys.exit(main())
