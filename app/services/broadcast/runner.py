"""Mass mailing to every reachable user: paced, durable, resumable, one broadcast at a time.

Durability. A broadcast is a `broadcasts` document; its recipients are snapshotted
from a users cursor, in batches, into `broadcast_deliveries` (unique on broadcast and
user, so a snapshot cut short by a crash is simply run again). Pending deliveries are
then sent in user-id order, each one moved `pending → sending` before its request and
to `sent` / `blocked` / `failed` as soon as Telegram has answered. On start-up a
broadcast still `running` is resumed from its pending deliveries, so nobody who was
recorded as served gets it again.

The remaining window: the Bot API has no idempotency key, so if the process dies
*during* a request we cannot know whether Telegram accepted it. Sends are strictly one
at a time, so at most one delivery can be in that state; it is the one left `sending`.
A resume counts it as failed instead of repeating it: a possible miss of one person
rather than a possible duplicate. No protocol can do better without Telegram's help —
whatever we write before the request, the crash can fall between it and the answer.
A graceful stop (SIGTERM, `BotApp.stop`) never leaves that window open: the run stops
between two recipients (or abandons a rate-limit wait, which sent nothing).

One sender. Only the process holding the instance lease (services/instance_lease.py) runs
broadcasts: another one stores a broadcast started through it and leaves the sending to
the holder, which picks it up at its next lease renewal; a process that loses the lease
pauses its run as at shutdown. Each recipient is claimed with a conditional write
(`pending → sending` only if still pending), so even two runs of one broadcast would send
each message once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from datetime import UTC, datetime
from enum import Enum

from aiogram import Bot
from aiogram.utils.i18n import I18n
from pymongo.errors import PyMongoError

from app.db.repositories import Repositories
from app.keyboards.broadcast import stop_keyboard
from app.models.broadcasts import Broadcast, BroadcastContent, BroadcastStatus, DeliveryState, Progress
from app.services.broadcast import records
from app.services.broadcast.pacing import Pacer
from app.services.broadcast.send import send_to
from app.services.broadcast.status_chat import StatusChat
from app.services.instance_lease import InstanceLease
from app.texts.broadcast import announcement_header, final_text, progress_text, resumed_text
from config import Settings

logger = logging.getLogger(__name__)

PAGE_SIZE = 500
PROGRESS_EVERY_SECONDS = 3.0
CLOSE_GRACE_SECONDS = 10.0


class BroadcastBusy(Exception):
    """Another broadcast is running; `progress` is its state, for the refusal."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(f"broadcast {progress.broadcast_id} is running")
        self.progress = progress


class _Stop(Enum):
    SHUTDOWN = "shutdown"  # the process is stopping: stay `running`, resume on the next start
    CANCEL = "cancel"  # staff pressed Stop: finish as `cancelled`


class Broadcaster:
    """Owns the one background task that sends a broadcast; `close()` ends it cleanly.

    Without a `lease` (a single process, as in the benchmarks) it always may send."""

    def __init__(
        self, bot: Bot, repos: Repositories, i18n: I18n, settings: Settings, lease: InstanceLease | None = None
    ) -> None:
        self.bot = bot
        self.lease = lease
        self.repos = repos
        self.i18n = i18n
        self.rate = settings.broadcast_rate_per_second
        self.default_language = settings.default_language
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._broadcast_id: int | None = None
        self._progress: Progress | None = None
        self._chat: StatusChat | None = None  # kept across an in-process retry: same status message
        self._stop: _Stop | None = None
        self._wake = asyncio.Event()
        self._closed = False

    @property
    def is_running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def may_send(self) -> bool:
        return self.lease is None or self.lease.held

    def _progress_of(self, broadcast: Broadcast) -> Progress:
        return Progress(broadcast.id, broadcast.counters, self.rate / broadcast.content.message_count)

    async def current(self) -> Progress | None:
        """The running broadcast's progress, or None when none is running."""
        if self.is_running and self._progress is not None:
            return self._progress
        broadcast = await self.repos.broadcasts.running()
        return self._progress_of(broadcast) if broadcast else None

    async def count_recipients(self, initiator_id: int) -> int:
        """Everyone reachable but the initiator: they have the preview, not a copy of their own."""
        return await self.repos.users.count_reachable(excluding=initiator_id)

    def header(self, language: str) -> str:
        with self.i18n.context(), self.i18n.use_locale(language):
            return announcement_header()

    async def start(self, content: BroadcastContent, initiator_id: int) -> Broadcast:
        """Create and launch a broadcast; BroadcastBusy if one is already running.

        This lock plus the `running` document keep broadcasts one at a time (a second
        process polling the same token could let two start together: the deliveries' claims
        still send each message once).
        """
        async with self._lock:
            progress = await self.current()
            if progress is not None:
                raise BroadcastBusy(progress)
            estimated = await self.count_recipients(initiator_id)
            broadcast = await self.repos.broadcasts.create(content, initiator_id, estimated)
            logger.info("Broadcast %s started by %s (%s recipients)", broadcast.id, initiator_id, estimated)
            if self._closed:
                pass  # a tap during shutdown: stored as running, the next start sends it
            elif self.may_send:
                self._launch(broadcast, resumed=False)
            else:
                logger.info("Broadcast %s stored; the instance holding the lease sends it", broadcast.id)
            return broadcast

    async def resume(self) -> bool:
        """On start-up (and at each lease renewal): continue a broadcast left running by the
        previous process, or stored by another one that may not send."""
        async with self._lock:
            idle = not (self.is_running or self._closed) and self.may_send
            broadcast = await self.repos.broadcasts.running() if idle else None
            if broadcast is None:
                return False
            logger.info("Resuming broadcast %s", broadcast.id)
            # Not yet snapshotted: nobody has been sent anything, so nothing to announce.
            self._launch(broadcast, resumed=broadcast.snapshot_done)
            return True

    async def follow_lease(self, held: bool) -> None:
        """After each lease renewal: pick up a broadcast waiting for a sender, or pause when
        another process has taken over (it resumes from the recorded deliveries)."""
        if held:
            await self.resume()
        elif self.is_running:
            logger.warning("Broadcast %s paused: another instance runs broadcasts now", self._broadcast_id)
            self._stop = self._stop or _Stop.SHUTDOWN
            self._wake.set()

    def stop(self, broadcast_id: int) -> bool:
        """Staff asked to stop; the run finishes as `cancelled` after the current recipient."""
        if not self.is_running or self._broadcast_id != broadcast_id:
            return False
        self._stop = _Stop.CANCEL
        self._wake.set()
        return True

    async def close(self) -> None:
        """Shutdown: stop between two recipients, waiting a little; cancel only as a last resort.

        Handlers still finishing after polling stopped cannot launch anything any more.
        """
        self._closed = True
        task = self._task
        if task is None or task.done():
            return
        self._stop = self._stop or _Stop.SHUTDOWN
        self._wake.set()
        done, _pending = await asyncio.wait({task}, timeout=CLOSE_GRACE_SECONDS)
        if not done:
            logger.warning("Broadcast %s did not stop in %s s; cancelling it", self._broadcast_id, CLOSE_GRACE_SECONDS)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def _launch(self, broadcast: Broadcast, *, resumed: bool) -> None:
        self._stop = None
        self._wake = asyncio.Event()
        self._broadcast_id = broadcast.id
        self._progress = None
        self._chat = None
        self._task = asyncio.create_task(self._supervise(broadcast, resumed), name=f"broadcast-{broadcast.id}")

    async def _supervise(self, broadcast: Broadcast, resumed: bool) -> None:
        delays = iter(records.DB_RETRY_DELAYS)
        announce = resumed
        while True:
            try:
                await self._run(broadcast, recover=resumed, announce=announce)
                return
            except records.TRANSIENT_DB_ERRORS as error:
                delay = next(delays, records.DB_RETRY_DELAYS[-1])
                logger.warning("Broadcast %s: database down (%s); retrying in %.0f s", broadcast.id, error, delay)
                if self._stop is _Stop.CANCEL:
                    await asyncio.sleep(delay)  # the stop must still be recorded once the database is back
                elif not await self._sleep(delay):
                    return  # shutting down: the next start resumes it
                resumed, announce = True, False
            except Exception as error:  # the task's top level: a bug must not leave it silently stuck
                logger.exception("Broadcast %s failed", broadcast.id)
                await self._fail(broadcast, repr(error))
                return

    async def _run(self, broadcast: Broadcast, *, recover: bool, announce: bool) -> None:
        bid = broadcast.id
        deliveries = self.repos.deliveries
        interrupted = await deliveries.interrupted(bid) if recover else []
        for user_id in interrupted:
            logger.warning("Broadcast %s: delivery to %s was in flight at a restart; not repeated", bid, user_id)
            await deliveries.set_state(bid, user_id, DeliveryState.FAILED, "interrupted by a restart")
        if not broadcast.snapshot_done:
            await records.snapshot(self.repos, bid, broadcast.initiator_id)
            broadcast.snapshot_done = True
        counters = await deliveries.counters(bid)
        progress = self._progress = self._progress_of(broadcast)
        progress.counters, progress.done_at_start = counters, counters.done
        chat = await self._chat_of(broadcast)
        if announce:
            await chat.tell(lambda: (resumed_text(bid, counters, len(interrupted)), None))
        if chat.status_message_id is None:
            await chat.show_status(lambda: (progress_text(progress), stop_keyboard(bid)))
        pacer, reported, after = Pacer(self.rate), time.monotonic(), 0
        while self._stop is None and (page := await deliveries.pending_after(bid, after, PAGE_SIZE)):
            languages = await self.repos.users.languages(page)
            for user_id in page:
                if self._stop is not None:
                    break
                header = self.header(languages.get(user_id, self.default_language))
                await self._deliver(broadcast, user_id, header, pacer, progress)
                after = user_id
                if time.monotonic() - reported >= PROGRESS_EVERY_SECONDS:
                    reported = time.monotonic()
                    await self.repos.broadcasts.save_counters(bid, progress.counters)
                    await chat.show_status(lambda: (progress_text(progress), stop_keyboard(bid)))
        await self._finish(broadcast, progress, chat)

    async def _deliver(self, broadcast: Broadcast, user_id: int, header: str, pacer: Pacer, progress: Progress) -> None:
        bid = broadcast.id
        if not await self.repos.deliveries.claim(bid, user_id):
            return  # no longer pending: another run of this broadcast has it
        state, error = await send_to(self.bot, user_id, broadcast.content, header, pacer, self._sleep)
        await records.persist(lambda: self.repos.deliveries.set_state(bid, user_id, state, error))
        if state is DeliveryState.SENT:
            progress.counters.sent += 1
        elif state is DeliveryState.BLOCKED:
            progress.counters.blocked += 1
            await self.repos.users.mark_unreachable(user_id)
        elif state is DeliveryState.FAILED:
            progress.counters.failed += 1

    async def _finish(self, broadcast: Broadcast, progress: Progress, chat: StatusChat) -> None:
        bid = broadcast.id
        if self._stop is _Stop.SHUTDOWN:
            await self.repos.broadcasts.save_counters(bid, progress.counters)
            logger.info("Broadcast %s paused by shutdown: %s", bid, progress.counters)
            return
        status = BroadcastStatus.CANCELLED if self._stop is _Stop.CANCEL else BroadcastStatus.DONE
        counters = progress.counters = await self.repos.deliveries.counters(bid)
        await self.repos.broadcasts.finish(bid, status, counters)
        logger.info("Broadcast %s %s: %s", bid, status.value, counters)
        seconds = (datetime.now(UTC) - broadcast.created_at).total_seconds()
        if chat.status_message_id is not None:
            await chat.show_status(lambda: (final_text(bid, status, counters, seconds), None))  # drops Stop
        await chat.tell(lambda: (final_text(bid, status, counters, seconds), None))  # a new message notifies

    async def _fail(self, broadcast: Broadcast, error: str) -> None:
        try:
            counters = await self.repos.deliveries.counters(broadcast.id)
            await self.repos.broadcasts.finish(broadcast.id, BroadcastStatus.FAILED, counters, error=error)
            chat = await self._chat_of(broadcast)
        except PyMongoError:
            logger.exception("Broadcast %s: could not record the failure", broadcast.id)
            return
        seconds = (datetime.now(UTC) - broadcast.created_at).total_seconds()
        await chat.tell(lambda: (final_text(broadcast.id, BroadcastStatus.FAILED, counters, seconds), None))

    async def _sleep(self, seconds: float) -> bool:
        """Sleep, waking early when asked to stop; False if woken (or already asked)."""
        if self._wake.is_set():
            return False
        if seconds <= 0:
            return True
        try:
            await asyncio.wait_for(self._wake.wait(), seconds)
        except TimeoutError:
            return True
        return False

    async def _chat_of(self, broadcast: Broadcast) -> StatusChat:
        if self._chat is None or self._chat.chat_id != broadcast.initiator_id:
            user = await self.repos.users.get(broadcast.initiator_id)
            language = user.language if user else self.default_language
            self._chat = StatusChat(self.bot, self.i18n, broadcast.initiator_id, language)
        return self._chat
