"""Routers in the order they must be tried: super-admin → admin → user."""

from __future__ import annotations

from aiogram import Router

from app.handlers import admin, superadmin, user


def get_routers() -> list[Router]:
    return [superadmin.create_router(), admin.create_router(), user.create_router()]
