"""The MongoDB health check job: ping, update the up/down state, send the alert that is due."""

from __future__ import annotations

import logging

from app.models.health import Alert
from app.services.health import HealthMonitor
from app.services.superadmin_messages import SuperAdminMessenger
from app.texts import health as texts

logger = logging.getLogger(__name__)

HEALTH_JOB = "healthcheck"


async def check_health(health: HealthMonitor, messenger: SuperAdminMessenger) -> Alert | None:
    async with health.lock:
        ping = await health.ping()
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
