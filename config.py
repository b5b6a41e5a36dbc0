"""Settings, read once in main.py from the environment and `.env`, then passed down."""

from __future__ import annotations

import warnings
from datetime import UTC
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, HttpUrl, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from pymongo.uri_parser_shared import _validate_uri

from app.models.sla import SlaError, SlaPolicy, parse_holidays, parse_target, parse_work_hours
from app.models.tickets import Priority

SUPPORTED_LANGUAGES = ("uk", "en")

# What each key expects, in the words a start-up error shows an operator.
EXPECTATIONS: dict[str, str] = {
    "BOT_TOKEN": "the bot token from @BotFather, like 123456:ABC-DEF",
    "SUPERADMIN_ID": "the super-admin's numeric Telegram user id (a positive integer)",
    "MONGODB_URI": "a MongoDB connection string (mongodb:// or mongodb+srv://), or unset for the embedded server",
    "MONGODB_DB": "a database name of letters, digits, '_' or '-'",
    "MONGODB_TIMEOUT_SECONDS": "a number of seconds between 0.5 and 60",
    "TELEGRAM_API_URL": "an http(s) base URL of a Bot API server, or unset for api.telegram.org",
    "DATA_DIR": "a directory path",
    "LOG_DIR": "a directory path",
    "LOG_LEVEL": "one of DEBUG, INFO, WARNING, ERROR",
    "LOG_RETENTION_DAYS": "a whole number of days from 1 to 3650",
    "DEFAULT_LANGUAGE": "one of: " + ", ".join(SUPPORTED_LANGUAGES),
    "SERVER_ROOM_COOLDOWN_SECONDS": "a whole number of seconds from 0 to 86400",
    "BROADCAST_RATE_PER_SECOND": "messages per second, a number above 0 and at most 1000",
    "INSTANCE_LEASE_SECONDS": "a whole number of seconds from 3 to 600",
    "HEALTHCHECK_INTERVAL_SECONDS": "a whole number of seconds from 5 to 86400",
    "HEALTHCHECK_REMIND_MINUTES": "a whole number of minutes from 0 (never) to 10080",
    "BACKUP_ENABLED": "true or false",
    "BACKUP_INTERVAL_DAYS": "a whole number of days from 1 to 365",
    "BACKUP_DIR": "a directory path",
    "BACKUP_KEEP_COUNT": "a whole number from 1 to 1000",
    "BACKUP_MAX_UPLOAD_MB": "a whole number of megabytes from 1 to 2000 (50 for api.telegram.org)",
    "EXPORT_DIR": "a directory path",
    "WAITING_REMIND_HOURS": "a whole number of hours from 1 to 720",
    "WAITING_AUTOCLOSE_DAYS": "a whole number of days from 1 to 90, longer than WAITING_REMIND_HOURS",
    "REOPEN_DAYS": "a whole number of days from 1 to 365",
    "WORK_HOURS": "hours like 'Mon-Fri 09:00-18:00' (more groups after ';', e.g. '; Sat 10:00-14:00'), or 'always'",
    "HOLIDAYS": "dates like 2026-12-25, separated by commas",
    "SLA_CRITICAL": "first response/resolution, like 15m/4h (m, h or d)",
    "SLA_HIGH": "first response/resolution, like 1h/8h (m, h or d)",
    "SLA_NORMAL": "first response/resolution, like 4h/3d (m, h or d)",
    "SLA_LOW": "first response/resolution, like 1d/7d (m, h or d)",
    "TIMEZONE": "an IANA time zone name, such as Europe/Kyiv or UTC",
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        case_sensitive=False,
        extra="ignore",
    )

    bot_token: SecretStr = Field(alias="BOT_TOKEN")
    superadmin_id: int = Field(alias="SUPERADMIN_ID", gt=0)
    mongodb_uri: SecretStr | None = Field(default=None, alias="MONGODB_URI")
    mongodb_db: str = Field(default="techsupport", alias="MONGODB_DB", pattern=r"^[A-Za-z0-9_-]{1,63}$")
    # Short on purpose: a handler waiting 30 s (PyMongo's default) for a dead server
    # looks like a frozen bot; the user should get "temporarily unavailable" quickly.
    mongodb_timeout_seconds: float = Field(default=5.0, alias="MONGODB_TIMEOUT_SECONDS", ge=0.5, le=60)
    telegram_api_url: HttpUrl | None = Field(default=None, alias="TELEGRAM_API_URL")
    data_dir: Path = Field(default=Path("data"), alias="DATA_DIR")
    log_dir: Path = Field(default=Path("logs"), alias="LOG_DIR")
    log_level: str = Field(default="INFO", alias="LOG_LEVEL")
    log_retention_days: int = Field(default=30, alias="LOG_RETENTION_DAYS", ge=1, le=3650)
    default_language: str = Field(default="uk", alias="DEFAULT_LANGUAGE")
    server_room_cooldown_seconds: int = Field(default=300, alias="SERVER_ROOM_COOLDOWN_SECONDS", ge=0, le=86400)
    # Telegram's bulk limit is about 30 messages per second per bot.
    broadcast_rate_per_second: float = Field(default=30.0, alias="BROADCAST_RATE_PER_SECOND", gt=0, le=1000)
    # How long the process running broadcasts, automatic backups and health alerts keeps
    # that role without renewing it (it renews every third of this); after a crash another
    # process (or the restarted one) takes over once it has run out.
    instance_lease_seconds: int = Field(default=30, alias="INSTANCE_LEASE_SECONDS", ge=3, le=600)
    healthcheck_interval_seconds: int = Field(default=60, alias="HEALTHCHECK_INTERVAL_SECONDS", ge=5, le=86400)
    healthcheck_remind_minutes: int = Field(default=60, alias="HEALTHCHECK_REMIND_MINUTES", ge=0, le=10080)
    backup_enabled: bool = Field(default=True, alias="BACKUP_ENABLED")
    backup_interval_days: int = Field(default=7, alias="BACKUP_INTERVAL_DAYS", ge=1, le=365)
    backup_dir: Path = Field(default=Path("backups"), alias="BACKUP_DIR")
    backup_keep_count: int = Field(default=10, alias="BACKUP_KEEP_COUNT", ge=1, le=1000)
    # The cloud Bot API accepts uploads up to 50 MB; a self-hosted server up to 2000 MB.
    backup_max_upload_mb: int = Field(default=50, alias="BACKUP_MAX_UPLOAD_MB", ge=1, le=2000)
    # Where /export writes its CSV files; one too large to send stays there (the newest five are kept).
    export_dir: Path = Field(default=Path("exports"), alias="EXPORT_DIR")
    waiting_remind_hours: int = Field(default=24, alias="WAITING_REMIND_HOURS", ge=1, le=720)
    waiting_autoclose_days: int = Field(default=5, alias="WAITING_AUTOCLOSE_DAYS", ge=1, le=90)
    # How long after a ticket is closed or rejected its employee may still reopen it.
    reopen_days: int = Field(default=14, alias="REOPEN_DAYS", ge=1, le=365)
    # Every date and time a person reads, and the local hour automatic backups keep; stored times stay UTC.
    timezone: str = Field(default="Europe/Kyiv", alias="TIMEZONE")
    # Service-level targets (app/models/sla.py says how they are read and counted).
    work_hours: str = Field(default="Mon-Fri 09:00-18:00", alias="WORK_HOURS")
    holidays: str = Field(default="", alias="HOLIDAYS")
    sla_critical: str = Field(default="15m/4h", alias="SLA_CRITICAL")
    sla_high: str = Field(default="1h/8h", alias="SLA_HIGH")
    sla_normal: str = Field(default="4h/3d", alias="SLA_NORMAL")
    sla_low: str = Field(default="1d/7d", alias="SLA_LOW")

    @cached_property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def sla(self) -> SlaPolicy:
        targets = {
            Priority.CRITICAL: parse_target(self.sla_critical),
            Priority.HIGH: parse_target(self.sla_high),
            Priority.NORMAL: parse_target(self.sla_normal),
            Priority.LOW: parse_target(self.sla_low),
        }
        return SlaPolicy(parse_work_hours(self.work_hours, self.holidays, self.zone), targets)

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        bot_id, sep, secret = value.get_secret_value().partition(":")
        if not (sep and bot_id.isdigit() and secret):
            raise ValueError("malformed token")
        return value

    @field_validator("mongodb_uri", "telegram_api_url", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("mongodb_uri")
    @classmethod
    def _uri_scheme(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return value
        uri = value.get_secret_value()
        if not uri.startswith(("mongodb://", "mongodb+srv://")):
            raise ValueError("must start with mongodb:// or mongodb+srv://")
        # PyMongo's own parse (no DNS look-up, unknown options only warn as in the client), so
        # a bad port or an unescaped password is this one line instead of a traceback later.
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                _validate_uri(uri, warn=True)
        except Exception:  # InvalidURI, ConfigurationError, ValueError: all mean "malformed"
            raise ValueError("not a valid MongoDB connection string") from None
        return value

    @field_validator("data_dir", "log_dir", "backup_dir", "export_dir")
    @classmethod
    def _folder(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError("exists and is not a folder")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _log_level(cls, value: Any) -> str:
        level = str(value).strip().upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("unknown log level")
        return level

    @field_validator("timezone", mode="before")
    @classmethod
    def _timezone(cls, value: Any) -> str:
        name = str(value).strip()
        try:
            ZoneInfo(name)  # the system's database, or PyPI's tzdata on slim images
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("unknown time zone") from None
        return name

    @field_validator("work_hours")
    @classmethod
    def _work_hours(cls, value: str) -> str:
        try:
            parse_work_hours(value, "", UTC)
        except SlaError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays(cls, value: str) -> str:
        try:
            parse_holidays(value)
        except SlaError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("sla_critical", "sla_high", "sla_normal", "sla_low")
    @classmethod
    def _sla_target(cls, value: str) -> str:
        try:
            parse_target(value)
        except SlaError as error:
            raise ValueError(str(error)) from None
        return value

    @field_validator("waiting_autoclose_days")
    @classmethod
    def _closes_after_the_reminder(cls, value: int, info: ValidationInfo) -> int:
        remind_hours = info.data.get("waiting_remind_hours")
        if isinstance(remind_hours, int) and value * 24 <= remind_hours:
            raise ValueError("the ticket would close before its reminder")
        return value

    @field_validator("default_language", mode="before")
    @classmethod
    def _language(cls, value: Any) -> str:
        language = str(value).strip().lower()
        if language not in SUPPORTED_LANGUAGES:
            raise ValueError("unsupported language")
        return language


class ConfigError(Exception):
    """A setting is missing or malformed; the message is one line for the operator."""


class StartupError(Exception):
    """The bot cannot start (Telegram or the database out of reach); one line for the operator."""


def describe_error(error: ValidationError) -> str:
    first = error.errors()[0]
    key = str(first["loc"][0]).upper() if first["loc"] else "settings"
    empty = first["type"] == "missing" or (isinstance(first.get("input"), str) and not first["input"].strip())
    problem = "is missing" if empty else "is malformed"
    expected = EXPECTATIONS.get(key, "a valid value")
    return f"Configuration error: {key} {problem}; expected {expected}."


def load_settings(**overrides: Any) -> Settings:
    """Build settings from the environment, `.env` and explicit overrides (tests, CLI)."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise ConfigError(describe_error(error)) from None
