"""Two PostgreSQL roles: the owner runs the migrations, the app connects as a role that owns nothing.

Only a table's owner (or a superuser) may drop its triggers, so an app role that does not own
`audit_event` cannot switch off the trigger that keeps the trail append-only, and it is not
granted UPDATE or DELETE on that table at all. `MIGRATION_DATABASE_URL` names the owner;
`DATABASE_URL` names the app's role. After each `flask db upgrade` the owner grants the app role
what the app needs on every table and sequence (migrations/env.py calls `grant_app_role`).
"""

import sqlalchemy as sa

APPEND_ONLY_TABLES = ("audit_event",)


def app_role_name(app_url: str | None, migration_url: str | None) -> str | None:
    """The app's role when the two URLs name different PostgreSQL roles, else None."""
    if not app_url or not migration_url:
        return None
    app, owner = sa.make_url(app_url), sa.make_url(migration_url)
    if not app.get_backend_name().startswith("postgresql") or not app.username or app.username == owner.username:
        return None
    return app.username


def grant_app_role(connection: sa.Connection, role: str) -> None:
    """Let `role` read and write every table and use every sequence, except UPDATE and DELETE on
    the append-only tables; it gets no ownership and no DDL."""
    quoted = connection.dialect.identifier_preparer.quote(role)
    connection.execute(sa.text(f"GRANT USAGE ON SCHEMA public TO {quoted}"))
    connection.execute(sa.text(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {quoted}"))
    connection.execute(sa.text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {quoted}"))
    for table in APPEND_ONLY_TABLES:
        connection.execute(sa.text(f"REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {quoted}"))
