"""The audit trail: who did what to which record, and when, append-only.

Every package writes to it with ``record()``, so it sits just above ``core.web`` and imports no domain:
the actor and clinic of an event are reached through the ORM relationships, not through imports of
``core.accounts`` or ``core.tenancy``. The Audit Trail screen (``/admin/audit``) is ``views``.
"""
from core.audit.labels import RecordLabel, label_records
from core.audit.trail import AuditEvent, record

__all__ = ["AuditEvent", "RecordLabel", "label_records", "record"]
