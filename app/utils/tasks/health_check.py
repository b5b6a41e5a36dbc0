"""The MongoDB health check job: ping, update the up/down state, send the alert that is due."""

from __future__ import annotations

import logging

from app.db.embedded import EmbeddedDatabaseError, EmbeddedMongo
from app.models.health import Alert, PingResult
from app.services.health import HealthMonitor
from app.services.superadmin_messages import SuperAdminMessenger
from app.texts import health as texts

logger = logging.getLogger(__name__)

HEALTH_JOB = "healthcheck"


async def check_health(
    health: HealthMonitor, messenger: SuperAdminMessenger, embedded: EmbeddedMongo | None = None
) -> Alert | None:
    async with health.lock:
        ping = await health.ping()
        if not ping.ok and embedded is not None:
            ping = await _revive(health, messenger, embedded) or ping
        alert = health.observe(ping.ok, ping.error)
        if ping.ok:
            await messenger.refresh_language()
        if alert is None:
            return None
        logger.warning("MongoDB health: %s since %s (%s)", alert.kind.value, alert.since, alert.error)
        with messenger.locale():
            text = texts.alert_text(alert)
        if await messenger.send_text(text):
            health.delivered(alert)
        return alert


async def _revive(health: HealthMonitor, messenger: SuperAdminMessenger, embedded: EmbeddedMongo) -> PingResult | None:
    """The bot started the embedded server, so it is the one to start it again when it died;
    the super-admin is told either way. Returns the ping after a restart."""
    try:
        if not await embedded.revive():
            return None
    except EmbeddedDatabaseError as error:
        with messenger.locale():
            await messenger.send_text(texts.embedded_restart_failed(str(error)))
        return None
    ping = await health.ping()
    with messenger.locale():
        await messenger.send_text(texts.embedded_restarted(ping.ok))
    return ping
