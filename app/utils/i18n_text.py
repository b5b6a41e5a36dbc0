"""gettext for texts shared by the bot and the operator's CLI.

In the bot, aiogram's I18n context is active and this is exactly aiogram's `gettext`. The
CLI runs without aiogram (importing it costs seconds, which a cron job should not pay) and
gets the English source text.
"""

from __future__ import annotations

import sys


def gettext(message: str) -> str:
    core = sys.modules.get("aiogram.utils.i18n.core")  # present only where aiogram is in use
    i18n = core.I18n.get_current(no_error=True) if core is not None else None
    return message if i18n is None else str(i18n.gettext(message))
