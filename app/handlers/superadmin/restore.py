"""Restore: from a listed backup or an uploaded ZIP, always validated and confirmed first."""

from __future__ import annotations

import asyncio
import logging
from html import escape
from pathlib import Path

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Document, Message
from aiogram.utils.i18n import gettext as _
from pymongo.errors import PyMongoError

from app.fsm.states import BackupUpload
from app.fsm.transitions import reset
from app.keyboards import backups as keyboards
from app.keyboards import reply
from app.keyboards.callback_data import BackupAction, BackupCallback
from app.models.backups import BackupBusy, RestoreFailed
from app.models.users import Role
from app.services.backups.service import BackupInvalid, BackupService
from app.texts import backups as rt
from app.texts import labels
from app.utils.messages import remove_buttons

logger = logging.getLogger(__name__)

# What the cloud Bot API lets a bot download (getFile).
DOWNLOAD_LIMIT_BYTES = 20 * 1024 * 1024


def too_big_text() -> str:
    return _(
        "❌ This file is larger than 20 MB, and Telegram does not let bots download larger files.\n"
        "Copy it into the backup directory on the server and pick it in /backup_list, "
        "or run <code>python main.py restore PATH</code> there."
    )


async def ask_restore(query: CallbackQuery, callback_data: BackupCallback, backups: BackupService) -> None:
    try:
        path = backups.path_for(callback_data.backup_id)
        metadata = await backups.validate(path)
    except BackupInvalid as error:
        if query.message is not None:
            await query.message.answer(rt.refused(error))
        return
    if query.message is not None:
        await query.message.answer(
            rt.restore_question(path.name, metadata),
            reply_markup=keyboards.restore_confirmation_keyboard(callback_data.backup_id),
        )


async def restore_confirmed(
    query: CallbackQuery, bot: Bot, callback_data: BackupCallback, backups: BackupService
) -> None:
    await remove_buttons(query)
    chat_id = query.from_user.id
    try:
        path = backups.path_for(callback_data.backup_id)
    except BackupInvalid as error:
        await bot.send_message(chat_id, rt.refused(error))
        return
    name = backups.display_name(callback_data.backup_id, path)
    progress = await bot.send_message(chat_id, _("⏳ Restoring from {name}…").format(name=escape(name)))
    try:
        report = await backups.restore(path, by=query.from_user.id, name=name)
    except BackupBusy:
        text = rt.busy()
    except BackupInvalid as error:
        text = rt.refused(error)
    except RestoreFailed as error:
        text = rt.restore_failed(error)
    except (PyMongoError, OSError) as error:  # before anything changed: validation or the safety backup
        logger.exception("Restore from %s could not start", path.name)
        text = _("❌ The restore could not start: {error}\nThe database was not changed.").format(
            error=escape(str(error)[:300])
        )
    else:
        text = rt.restore_report(report)
    finally:
        backups.discard_upload(callback_data.backup_id)  # its buttons are gone: an upload is used once
    await progress.edit_text(text)


async def cancel_restore(query: CallbackQuery, bot: Bot, callback_data: BackupCallback, backups: BackupService) -> None:
    await remove_buttons(query)
    backups.discard_upload(callback_data.backup_id)
    await bot.send_message(query.from_user.id, _("Restore cancelled. Nothing was changed."))


async def ask_for_file(query: CallbackQuery, bot: Bot, state: FSMContext) -> None:
    await state.set_state(BackupUpload.file)
    await bot.send_message(
        query.from_user.id,
        _(
            "📤 Send me the backup .zip file as a document (up to 20 MB). I will check it before anything changes.\n"
            "Tap «{cancel}» to stop."
        ).format(cancel=labels.CANCEL),
        reply_markup=reply.cancel_only(),
    )


async def receive_file(message: Message, bot: Bot, state: FSMContext, role: Role, backups: BackupService) -> None:
    document = message.document
    assert document is not None
    await reset(state)
    await message.answer(
        _("📥 Checking {name}…").format(name=escape(document.file_name or "file")), reply_markup=reply.main_menu(role)
    )
    if (document.file_size or 0) > DOWNLOAD_LIMIT_BYTES:
        await message.answer(too_big_text())
        return
    upload_id, path = backups.new_upload(document.file_name)
    try:
        await download(bot, document, path)
        metadata = await backups.validate(path)
    except TelegramBadRequest as error:
        backups.discard_upload(upload_id)
        if "too big" in error.message:
            await message.answer(too_big_text())
        else:
            await message.answer(_("❌ Could not download the file: {error}").format(error=escape(error.message)))
        return
    except BackupInvalid as error:
        backups.discard_upload(upload_id)
        await message.answer(rt.refused(error))
        return
    except BaseException:
        backups.discard_upload(upload_id)  # whatever went wrong, a file nobody can confirm is not kept
        raise
    question = rt.restore_question(backups.display_name(upload_id, path), metadata)
    await message.answer(question, reply_markup=keyboards.restore_confirmation_keyboard(upload_id))


async def download(bot: Bot, document: Document, path: Path) -> None:
    await bot.download(document, destination=path)
    await asyncio.to_thread(path.chmod, 0o600)


async def wrong_input(message: Message) -> None:
    await message.answer(
        _("Please send the backup as a .zip file (a document), or tap «{cancel}».").format(cancel=labels.CANCEL)
    )


def create_router() -> Router:
    router = Router(name="superadmin_restore")
    # Checking or restoring a large file can take longer than Telegram waits for the answer: answer first.
    router.callback_query.register(
        ask_restore, BackupCallback.filter(F.action == BackupAction.RESTORE), flags={"callback_answer": {"pre": True}}
    )
    router.callback_query.register(
        restore_confirmed,
        BackupCallback.filter(F.action == BackupAction.CONFIRM),
        flags={"callback_answer": {"pre": True}},
    )
    router.callback_query.register(cancel_restore, BackupCallback.filter(F.action == BackupAction.CANCEL))
    router.callback_query.register(ask_for_file, BackupCallback.filter(F.action == BackupAction.UPLOAD))
    router.message.register(receive_file, BackupUpload.file, F.document)
    # Without the upload screen: any .zip document the super-admin sends outside a form.
    router.message.register(receive_file, StateFilter(None), F.document.file_name.lower().endswith(".zip"))
    # Cancel (button or /cancel) is left to the global handler, which clears the state.
    router.message.register(wrong_input, BackupUpload.file, ~(F.text == labels.CANCEL), ~Command("cancel"))
    return router
