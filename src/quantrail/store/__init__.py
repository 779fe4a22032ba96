"""The durable record: the run's audit database, later the live state store."""

from quantrail.store.audit import AuditRecorder, open_audit, to_json
from quantrail.store.schema import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "AuditRecorder", "open_audit", "to_json"]
