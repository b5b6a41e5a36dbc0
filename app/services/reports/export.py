"""/export: the period's tickets as a CSV file, one row per ticket.

UTF-8 with a BOM (`utf-8-sig`): Excel then reads Cyrillic names as letters, not mojibake.
Streamed: the repository's cursor hands over batches of documents (only the exported fields),
each batch is written by a worker thread and dropped, so memory holds one batch whatever the
period. Written to EXPORT_DIR as `.part`, renamed when complete; the handler sends it and
removes it, or leaves it there when it is over the upload limit. The folder keeps at most
KEEP_FILES exports.
"""

from __future__ import annotations

import asyncio
import csv
import logging
import os
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, TextIO

from app.db.reports import EXPORT_BATCH, ReportRepository, sla_met_of
from app.models.categories import Catalogue
from app.models.reports import ExportColumn, ExportResult, Period, valid_rating
from app.models.tickets import Priority, TicketStatus
from app.texts import reports as texts
from app.texts.tickets import category_button
from app.utils.clock import Clock, utc_now

logger = logging.getLogger(__name__)

STATUSES = frozenset(status.value for status in TicketStatus)
PRIORITIES = frozenset(int(priority) for priority in Priority)
KEEP_FILES = 5
PATTERN = "tickets-*.csv"


class ExportBusy(Exception):
    """Another export is being written (one at a time: each reads the whole period)."""


def _moment(value: Any, zone: tzinfo) -> str:
    if not isinstance(value, int | float) or isinstance(value, bool) or value <= 0:
        return ""
    return datetime.fromtimestamp(value / 1000, UTC).astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _minutes(start: Any, end: Any) -> str:
    numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (start, end))
    return str(round((end - start) / 60_000)) if numbers and end >= start else ""


def export_row(doc: dict[str, Any], zone: tzinfo, catalogue: Catalogue | None = None) -> dict[ExportColumn, str]:
    """One ticket's row (call inside the reader's i18n context: statuses and priorities are words)."""
    created, response, finished = doc.get("created_ts"), doc.get("response_ts"), doc.get("finished_ts")
    status = doc.get("status")
    priority = doc.get("priority")
    assignee = doc.get("assignee") if isinstance(doc.get("assignee"), dict) else {}
    feedback = doc.get("feedback") if isinstance(doc.get("feedback"), dict) else {}
    rating = feedback.get("rating") if feedback else None
    sla = sla_met_of(doc)
    closed = status == TicketStatus.CLOSED.value
    return {
        ExportColumn.NUMBER: str(doc.get("number", "")),
        ExportColumn.CREATED: _moment(created, zone),
        ExportColumn.FIRST_RESPONSE: _moment(response, zone),
        ExportColumn.FINISHED: _moment(finished, zone),
        ExportColumn.STATUS: texts.plain_status(TicketStatus(status))
        if isinstance(status, str) and status in STATUSES
        else "",
        ExportColumn.CATEGORY: _category(doc.get("category"), catalogue),
        ExportColumn.PRIORITY: texts.plain_priority(Priority(priority)) if priority in PRIORITIES else "",
        ExportColumn.EMPLOYEE: str(doc.get("full_name") or ""),
        ExportColumn.EMPLOYEE_ID: str(doc.get("user_id", "")),
        ExportColumn.ASSIGNEE: str(assignee.get("name") or "") if assignee else "",
        ExportColumn.RESPONSE_MINUTES: _minutes(created, response),
        ExportColumn.RESOLUTION_MINUTES: _minutes(created, finished) if closed else "",
        ExportColumn.SLA_MET: texts.yes_no(sla),
        ExportColumn.RATING: str(rating) if valid_rating(rating) else "",
    }


def _category(value: Any, catalogue: Catalogue | None) -> str:
    """The category's name in the reader's language ("" without one, its id if it is gone)."""
    if not isinstance(value, int) or isinstance(value, bool):
        return ""
    category = catalogue.get(value) if catalogue is not None else None
    return category_button(category) if category is not None else str(value)


class ExportService:
    def __init__(self, reports: ReportRepository, folder: Path, zone: tzinfo, clock: Clock = utc_now) -> None:
        self.reports = reports
        self.folder = folder
        self.zone = zone
        self.clock = clock
        self._lock = asyncio.Lock()

    async def write(self, period: Period, catalogue: Catalogue | None = None) -> ExportResult:
        """The CSV of the tickets opened in `period` (call inside the reader's i18n context)."""
        if self._lock.locked():
            raise ExportBusy
        async with self._lock:
            await asyncio.to_thread(self.folder.mkdir, mode=0o700, parents=True, exist_ok=True)
            stamp = self.clock().astimezone(self.zone).strftime("%Y%m%d-%H%M%S")
            name = f"tickets-{period.first:%Y%m%d}-{period.last:%Y%m%d}-{stamp}.csv"
            path = self.folder / name
            part = path.with_suffix(".csv.part")
            rows = 0
            stream: TextIO = await asyncio.to_thread(open, part, "w", encoding="utf-8-sig", newline="")
            await asyncio.to_thread(
                os.chmod, part, 0o600
            )  # names of employees: readable by the bot's user only, like backups
            try:
                writer = csv.writer(stream)
                headers = texts.export_headers()
                await asyncio.to_thread(writer.writerow, [headers[c] for c in ExportColumn])
                batch: list[list[str]] = []
                async for doc in self.reports.export_rows(period):
                    row = export_row(doc, self.zone, catalogue)
                    batch.append([row[c] for c in ExportColumn])
                    if len(batch) >= EXPORT_BATCH:
                        await asyncio.to_thread(writer.writerows, batch)
                        rows += len(batch)
                        batch = []
                await asyncio.to_thread(writer.writerows, batch)
                rows += len(batch)
            except BaseException:
                stream.close()
                part.unlink(missing_ok=True)
                raise
            await asyncio.to_thread(stream.close)
            await asyncio.to_thread(os.replace, part, path)
            await asyncio.to_thread(self._prune)
            size = (await asyncio.to_thread(path.stat)).st_size
            return ExportResult(str(path.resolve()), rows, size)

    def _prune(self) -> None:
        """Exports left on the server (too big to send) beyond the newest KEEP_FILES go."""
        files = sorted(self.folder.glob(PATTERN), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in files[KEEP_FILES:]:
            try:
                old.unlink()
            except OSError as error:
                logger.warning("Could not remove the old export %s: %s", old, error)
