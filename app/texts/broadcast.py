"""What staff read about a broadcast: live progress with an ETA, the resume notice, the final report."""

from __future__ import annotations

from aiogram.utils.i18n import gettext as _

from app.models.broadcasts import BroadcastStatus, Counters, Progress
from app.texts.formatting import stopwatch


def announcement_header() -> str:
    """Heads every broadcast copy (and the preview); at most HEADER_ROOM units in any language."""
    return _("📢 <b>Announcement from IT support</b>")


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
    lines.append(_("Time left: about {eta}").format(eta=stopwatch(progress.eta_seconds())))
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
    lines = [title.format(id=broadcast_id, duration=stopwatch(seconds))]
    lines += _numbers(counters)
    not_sent = counters.total - counters.done
    if not_sent > 0:
        lines.append(_("Not sent: {n}").format(n=not_sent))
    return "\n".join(lines)
