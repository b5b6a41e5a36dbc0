"""What staff read about a broadcast: live progress with an ETA, the resume notice, the final report."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from aiogram.utils.i18n import gettext as _

from app.db.broadcasts import BroadcastStatus, Counters

# Below this many deliveries in the current run the measured speed is noise; use the configured rate.
MIN_SAMPLE = 10


@dataclass(slots=True)
class Progress:
    broadcast_id: int
    counters: Counters
    rate: float  # recipients per second allowed by the configured message rate
    started: float = field(default_factory=time.monotonic)
    done_at_start: int = 0  # deliveries finished before this process took over (a resume)

    def eta_seconds(self) -> float:
        remaining = max(self.counters.total - self.counters.done, 0)
        done_here = self.counters.done - self.done_at_start
        elapsed = time.monotonic() - self.started
        speed = done_here / elapsed if done_here >= MIN_SAMPLE and elapsed > 0 else self.rate
        return remaining / min(speed, self.rate) if speed > 0 else 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.started


def duration(seconds: float) -> str:
    """m:ss or h:mm:ss: reads the same in every language, so it needs no translation."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _numbers(counters: Counters) -> list[str]:
    return [
        _("Sent: {sent} · Failed: {failed} · Blocked: {blocked}").format(
            sent=counters.sent, failed=counters.failed, blocked=counters.blocked
        ),
        _("Done: {done} of {total}").format(done=counters.done, total=counters.total),
    ]


def progress_text(progress: Progress) -> str:
    lines = [_("📨 <b>Broadcast #{id} in progress</b>").format(id=progress.broadcast_id)]
    lines += _numbers(progress.counters)
    lines.append(_("Time left: about {eta}").format(eta=duration(progress.eta_seconds())))
    return "\n".join(lines)


def busy_text(progress: Progress) -> str:
    return (
        _("Only one broadcast can run at a time; please wait for this one to finish.")
        + "\n\n"
        + progress_text(progress)
    )


def resumed_text(broadcast_id: int, counters: Counters, interrupted: int) -> str:
    text = _("🔁 Broadcast #{id} resumed after a restart: {sent} of {total} already delivered.").format(
        id=broadcast_id, sent=counters.sent, total=counters.total
    )
    if interrupted:
        text += "\n" + _(
            "{n} message(s) were being sent at the moment of the restart; they are counted as failed "
            "and not repeated, so nobody gets a duplicate."
        ).format(n=interrupted)
    return text


def final_text(broadcast_id: int, status: BroadcastStatus, counters: Counters, seconds: float) -> str:
    if status is BroadcastStatus.DONE:
        title = _("✅ <b>Broadcast #{id} finished</b> in {duration}")
    elif status is BroadcastStatus.CANCELLED:
        title = _("⏹ <b>Broadcast #{id} stopped</b> after {duration}")
    else:
        title = _("⚠️ <b>Broadcast #{id} stopped by an error</b> after {duration}")
    lines = [title.format(id=broadcast_id, duration=duration(seconds))]
    lines += _numbers(counters)
    not_sent = counters.total - counters.done
    if not_sent > 0:
        lines.append(_("Not sent: {n}").format(n=not_sent))
    return "\n".join(lines)
