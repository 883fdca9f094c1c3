"""Business rules and metrics. The only layer that commits; views only parse and respond."""


class ServiceError(Exception):
    """A rule was broken by otherwise well-formed input; views answer 422 with `errors`."""

    def __init__(self, message: str, errors: dict | None = None, status: int = 422):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        self.status = status


class VersionConflict(ServiceError):
    """The record changed since the client read it (stale If-Match)."""

    def __init__(self, current_version: int):
        super().__init__("The record was changed by someone else; reload it and try again.", status=412)
        self.current_version = current_version


def commit_keeping_loaded() -> None:
    """Commit without expiring the session's objects. The view serialises the record it just
    wrote or read; expiring it would reload the row and each of its lists for nothing (a call:
    four statements). Use only where the transaction itself produced the values in memory."""
    from mhu.extensions import db

    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def in_agency(model, record_id, *, actor):
    """The record if it exists in the actor's agency, else None: another agency's is "missing"."""
    from mhu.extensions import db

    record = db.session.get(model, record_id)
    if record is None or record.agency_id != actor.agency_id:
        return None
    return record


def check_version(record, expected_version: int | None) -> None:
    """Raise VersionConflict (412) unless the client's If-Match names the record's version."""
    if expected_version is not None and expected_version != record.version:
        raise VersionConflict(record.version)
