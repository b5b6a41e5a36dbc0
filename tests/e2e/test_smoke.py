from tests.support.harness import BotHarness


async def test_start_registers_and_shows_menu(bot: BotHarness) -> None:
    user = bot.fake.user(1001, first_name="Taras", username="taras", language_code="uk")
    await user.send_command("/start")
    reply = await user.wait_message()
    print(reply.text, user.reply_keyboard)
    doc = await bot.db.users.find_one({"_id": 1001})
    assert doc is not None
