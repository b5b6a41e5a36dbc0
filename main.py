"""Entry point: `python main.py` runs the bot."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from app.db.embedded import EmbeddedDatabaseError, EmbeddedMongo
from app.logging_setup import setup_logging
from app.runtime import BotApp
from config import ConfigError, Settings, load_settings

logger = logging.getLogger("main")


async def run_bot(settings: Settings) -> None:
    embedded: EmbeddedMongo | None = None
    if settings.mongodb_uri is not None:
        uri = settings.mongodb_uri.get_secret_value()
    else:
        embedded = EmbeddedMongo(settings.data_dir / "mongo")
        await embedded.astart()
        uri = embedded.uri
    try:
        await BotApp(settings, uri).run()
    finally:
        if embedded is not None:
            await embedded.astop()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="TechSupport bot: an IT help desk in Telegram.")
    parser.add_argument("command", nargs="?", default="run", choices=["run"], help="run the bot (default)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    parse_args(argv)
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
        asyncio.run(run_bot(settings))
    except EmbeddedDatabaseError as error:
        logger.error("Cannot start: %s", error)
        return 1
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
