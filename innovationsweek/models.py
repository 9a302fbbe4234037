"""Imports every domain's models, so that ``Base.metadata`` knows all tables (Alembic, tests)."""

from innovationsweek.accounts.models import AccessToken, SignUp, User
from innovationsweek.activities.models import Activity, Finding, Revision
from innovationsweek.audit import AuditEntry
from innovationsweek.db import Base
from innovationsweek.editions.models import Edition, EditionCoordinator
from innovationsweek.moderation.models import BulkDecision, ModerationSettings
from innovationsweek.notifications.models import Email
from innovationsweek.organisations.models import Membership, Organisation
from innovationsweek.outbox import OutboxMessage
from innovationsweek.partners.models import Partner
from innovationsweek.programme.models import ProgrammeCounter, ProgrammeEntry, ProgrammeTag
from innovationsweek.registrations.models import PersonalDataAccess, Registration
from innovationsweek.reminders.models import Reminder, ReminderPlan
from innovationsweek.reports.models import ActivityReport, ReportRevision
from innovationsweek.solutions.models import ReuseLink
from innovationsweek.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

__all__ = [
    "AccessToken",
    "Activity",
    "ActivityReport",
    "AuditEntry",
    "Base",
    "BulkDecision",
    "Edition",
    "EditionCoordinator",
    "Email",
    "Finding",
    "Membership",
    "ModerationSettings",
    "Organisation",
    "OutboxMessage",
    "Partner",
    "PersonalDataAccess",
    "ProgrammeCounter",
    "ProgrammeEntry",
    "ProgrammeTag",
    "Registration",
    "Reminder",
    "ReminderPlan",
    "ReportRevision",
    "Revision",
    "ReuseLink",
    "SignUp",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
