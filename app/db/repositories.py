"""All repositories over one database, created once and injected into handlers as `repos`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.database import AsyncDatabase

from app.db.admins import AdminRepository
from app.db.audit import AuditRepository
from app.db.broadcast_deliveries import DeliveryRepository
from app.db.broadcasts import BroadcastRepository
from app.db.categories import CategoryRepository
from app.db.conversations import FSM_COLLECTION, ConversationRepository
from app.db.counters import CounterRepository
from app.db.leases import LeaseRepository
from app.db.reports import ReportRepository, ReportStateRepository
from app.db.server_calls import ServerCallRepository
from app.db.ticket_messages import TicketMessageRepository
from app.db.tickets import TicketRepository
from app.db.users import UserRepository

__all__ = ["FSM_COLLECTION", "Repositories"]


@dataclass(frozen=True, slots=True)
class Repositories:
    db: AsyncDatabase[dict[str, Any]]
    users: UserRepository
    tickets: TicketRepository
    counters: CounterRepository
    server_calls: ServerCallRepository
    admins: AdminRepository
    audit: AuditRepository
    broadcasts: BroadcastRepository
    deliveries: DeliveryRepository
    leases: LeaseRepository
    conversations: ConversationRepository
    ticket_messages: TicketMessageRepository
    categories: CategoryRepository
    reports: ReportRepository
    report_state: ReportStateRepository

    @classmethod
    def create(cls, db: AsyncDatabase[dict[str, Any]]) -> Repositories:
        counters = CounterRepository(db)
        return cls(
            db=db,
            users=UserRepository(db),
            tickets=TicketRepository(db),
            counters=counters,
            server_calls=ServerCallRepository(db),
            admins=AdminRepository(db),
            audit=AuditRepository(db),
            broadcasts=BroadcastRepository(db, counters),
            deliveries=DeliveryRepository(db),
            leases=LeaseRepository(db),
            conversations=ConversationRepository(db),
            ticket_messages=TicketMessageRepository(db),
            categories=CategoryRepository(db),
            reports=ReportRepository(db),
            report_state=ReportStateRepository(db),
        )

    async def prepare(self, *, replaced: bool = False) -> None:
        """Bring data written by an older version (or restored from a backup) in line with what
        the queries expect: role marks from the staff list, ticket fields, status counts, the
        search index, and the default categories in a database that has none (a new one, or a
        backup from before them). `replaced`: a restore just replaced the tickets, so their search
        terms are those of other tickets (the index is not in backups) and are built again."""
        await self.admins.sync_role_marks()
        if replaced:
            await self.tickets.search_index.reset()
        await self.tickets.prepare()
        await self.categories.seed_defaults()
        self.users.forget_languages()

    async def ensure_indexes(self) -> None:
        """Idempotent: safe on every start-up."""
        await self.users.ensure_indexes()
        await self.tickets.ensure_indexes()
        await self.audit.ensure_indexes()
        await self.broadcasts.ensure_indexes()
        await self.deliveries.ensure_indexes()
        await self.ticket_messages.ensure_indexes()
