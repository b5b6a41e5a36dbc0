"""Texts about backups and restores, for the super-admin's chat (HTML) and the operator's terminal.

In the bot, call inside an i18n context (handlers have one; jobs open one); the CLI gets English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from html import escape

from app.models.backups import (
    BackupInvalid,
    BackupProblem,
    BackupResult,
    BackupState,
    Metadata,
    Recovery,
    RestoreFailed,
    RestoreReport,
)
from app.models.telegram_text import CAPTION_LIMIT, fit_html
from app.texts.formatting import human_size, short, when
from app.utils.i18n_text import gettext as _

# A backup's metadata comes from a file anyone could have planted: its collection names are
# cut (before escaping, so no HTML entity is split) and only so many are named, which keeps
# every list and confirmation that shows them within Telegram's 4096. Enough for every collection
# the app backs up (14 with `categories`), so a real backup's counts are never cut.
COUNTS_SHOWN = 16
NAME_SHOWN = 32


def counts_line(counts: Mapping[str, int]) -> str:
    if not counts:
        return _("no records")
    items = sorted(counts.items())
    line = ", ".join(f"{escape(short(name, NAME_SHOWN))} {count}" for name, count in items[:COUNTS_SHOWN])
    if len(items) > COUNTS_SHOWN:
        line += " " + _("… and {n} more").format(n=len(items) - COUNTS_SHOWN)
    return line


def backup_summary(result: BackupResult) -> str:
    return "\n".join(
        [
            _("File: <code>{name}</code>").format(name=escape(result.name)),
            _("Size: {size}").format(size=human_size(result.size)),
            _("Records ({total}): {counts}").format(
                total=result.metadata.total, counts=counts_line(result.metadata.records_count)
            ),
        ]
    )


def caption(title: str, result: BackupResult) -> str:
    return fit_html(f"{title}\n{backup_summary(result)}", CAPTION_LIMIT)


def kept_on_server(result: BackupResult, limit_mb: int) -> str:
    return _(
        "The file is larger than the upload limit ({limit} MB), so it is not sent here.\n"
        "It is kept on the server: <code>{path}</code>"
    ).format(limit=limit_mb, path=escape(str(result.path.resolve())))


def problem_text(error: BackupInvalid) -> str:
    detail = escape(error.detail)
    texts = {
        BackupProblem.NOT_FOUND: _("The backup file {detail} was not found."),
        BackupProblem.INVALID_ID: _("This is not a valid backup name."),
        BackupProblem.NOT_ZIP: _("The file is not a ZIP archive or it is damaged ({detail})."),
        BackupProblem.MISSING_FILE: _("The archive has no {detail}; it is not a backup of this bot."),
        BackupProblem.BAD_METADATA: _("metadata.json is damaged: {detail}."),
        BackupProblem.UNSUPPORTED_VERSION: _("Backup version {detail} is not supported (this bot reads version 1.0)."),
        BackupProblem.BAD_JSON: _("data.json is not valid JSON: {detail}."),
        BackupProblem.BAD_COLLECTION: _("data.json has an invalid collection name: {detail}."),
        BackupProblem.UNKNOWN_COLLECTION: _("data.json has a collection this bot does not use: {detail}."),
        BackupProblem.BAD_DOCUMENT: _("data.json has a record this bot could not read ({detail})."),
        BackupProblem.TOO_LARGE: _("data.json has a record larger than 16 MB ({detail})."),
        BackupProblem.TOO_DEEP: _("data.json has a record nested deeper than 100 levels ({detail})."),
        BackupProblem.CHECKSUM: _(
            "data.json does not match the checksum in metadata.json ({detail}): the file was changed or damaged."
        ),
        BackupProblem.COUNTS: _("The record counts do not match metadata.json: {detail}."),
    }
    return texts[error.problem].format(detail=detail)


def refused(error: BackupInvalid) -> str:
    return _("❌ This backup cannot be restored. {problem}\nThe database was not changed.").format(
        problem=problem_text(error)
    )


def restore_question(name: str, metadata: Metadata) -> str:
    return _(
        "♻️ <b>Restore from {name}?</b>\n"
        "Created: {created}\n"
        "Records ({total}): {counts}\n\n"
        "⚠️ The current data will be replaced by the backup's; collections it does not have are emptied "
        "(the audit log, the backup schedule and conversations in progress stay as they are). "
        "A safety backup of the current data is made first."
    ).format(
        name=escape(name),
        created=when(metadata.created_at, seconds=True),
        total=metadata.total,
        counts=counts_line(metadata.records_count),
    )


def restore_report(report: RestoreReport) -> str:
    lines = [
        _("✅ <b>Restored from {name}</b>").format(name=escape(report.source)),
        _("Restored records ({total}): {counts}").format(
            total=sum(report.restored.values()), counts=counts_line(report.restored)
        ),
        _("Safety backup of the previous data: <code>{name}</code>").format(name=escape(report.safety.name)),
    ]
    if report.kept:
        lines.append(_("Kept as they were: {names}").format(names=escape(", ".join(report.kept))))
    if report.emptied:
        lines.append(_("Emptied (not in the backup): {names}").format(names=escape(", ".join(report.emptied))))
    return "\n".join(lines)


def restore_failed(error: RestoreFailed) -> str:
    reason = problem_text(error.reason) if isinstance(error.reason, BackupInvalid) else escape(error.detail[:300])
    if error.rolled_back:
        return _(
            "❌ The restore failed: {reason}\nThe previous data was loaded back from the safety backup {name}."
        ).format(reason=reason, name=escape(error.safety_name))
    return _(
        "❌ The restore failed: {reason}\nThe previous data could not be loaded back yet. Users get a "
        "maintenance notice until it is: I will load the safety backup {name} back as soon as the database "
        "is available, and tell you."
    ).format(reason=reason, name=escape(error.safety_name))


def maintenance_notice() -> str:
    """For users while a restore runs; also a button's alert, so at most 200 characters."""
    return _(
        "🛠 Maintenance: the bot's data is being restored. "
        "Please try again in a minute; what you just sent was not saved."
    )


def recovered(recovery: Recovery) -> str:
    marker = recovery.marker
    if marker.safety is None:
        return _(
            "ℹ️ The restore from {name} was interrupted before it changed anything. The data is as it was; "
            "users are served again."
        ).format(name=escape(marker.source))
    return _(
        "✅ The restore from {name} did not finish, so the data from before it was loaded back from the "
        "safety backup {safety}. Users are served again."
    ).format(name=escape(marker.source), safety=escape(marker.safety))


def not_recovered(recovery: Recovery) -> str:
    error = recovery.error
    reason = problem_text(error) if isinstance(error, BackupInvalid) else escape(recovery.detail[:300])
    return _(
        "⚠️ The restore from {name} did not finish, and the data from before it could not be loaded back yet "
        "({reason}). Users get a maintenance notice until it is. I will keep trying; restoring a backup from "
        "/backup_list also ends it."
    ).format(name=escape(recovery.marker.source), reason=reason)


def busy() -> str:
    return _("⏳ Another backup or restore is running. Please try again when it has finished.")


def entry_details(size: int, created_at: datetime, metadata: Metadata | None) -> list[str]:
    """The lines under one backup in a list (the bot's and the CLI's)."""
    lines = [
        _("Size: {size}").format(size=human_size(size)),
        _("Created: {at}").format(at=when(created_at, seconds=True)),
    ]
    if metadata is None:
        lines.append(_("⚠️ metadata.json cannot be read"))
    else:
        lines.append(
            _("Records ({total}): {counts}").format(total=metadata.total, counts=counts_line(metadata.records_count))
        )
    return lines


def schedule_lines(last: BackupState | None, next_run_at: datetime | None) -> list[str]:
    """ "Last backup" and "Next backup", as /health and the backup settings show them."""
    if last is None:
        last_text = _("none yet")
    else:
        last_text = f"{when(last.last_success_at, seconds=True)} (<code>{escape(last.last_file)}</code>)"
    upcoming = when(next_run_at, seconds=True) if next_run_at else _("automatic backups are off")
    return [
        _("Last backup: {value}").format(value=last_text),
        _("Next backup: {value}").format(value=upcoming),
    ]
