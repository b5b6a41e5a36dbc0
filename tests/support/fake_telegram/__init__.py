"""A strict fake Telegram Bot API server for end-to-end tests of the real aiogram bot.

fake = FakeTelegram(token="123456:TEST")
base_url = await fake.start()
bot = Bot(fake.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
ivan = fake.user(1001)
await ivan.send_command("/start")
reply = await ivan.wait_message()
"""

from .group import ANONYMOUS_ADMIN_ID, FakeGroup
from .models import ApiCall, BotMessage, ChatEvent, StoredFile, TelegramAPIError
from .server import FakeTelegram
from .user import FakeUser

__all__ = [
    "ANONYMOUS_ADMIN_ID",
    "ApiCall",
    "BotMessage",
    "ChatEvent",
    "FakeGroup",
    "FakeTelegram",
    "FakeUser",
    "StoredFile",
    "TelegramAPIError",
]
