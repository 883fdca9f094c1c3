"""References that PostgreSQL checks once per statement instead of once per row.

PostgreSQL checks a foreign key with a trigger per written row: each runs a query that finds the
parent row and locks it FOR KEY SHARE. For the call table and its two code lists, which an import
writes a million rows of, those checks were a quarter of the import's time (14 s of 59 s at
1,000,000 rows; bench/README.md "Import"). So on PostgreSQL the references below are kept by
statement-level triggers that see a statement's rows together (transition tables):

- writing rows (INSERT or UPDATE): the rows' distinct parent ids are locked FOR KEY SHARE, as a
  foreign key's check locks them, so a concurrent delete of a parent waits for the writer and
  then sees its rows; fewer parents found than ids wanted refuses the statement with the error a
  foreign key gives (SQLSTATE 23503, the same constraint name);
- deleting parents: refused while a row refers to one (NO ACTION), or the referring rows are
  deleted too (CASCADE: a call's code lists). PostgreSQL's own check sees rows committed after the
  deleting transaction's snapshot; a trigger cannot, so parents are deleted in READ COMMITTED
  transactions only (MHU deletes none of them: calls are voided, users deactivated);
- truncating a parent while a row refers to it, or changing a parent's id, is refused.

On SQLite they stay foreign keys (it checks them in-process, for little): the models declare them
with `ddl_if(dialect="sqlite")`, which the ORM also reads its joins from. The create statements
below serve both the migration that made the change (0025) and `db.create_all()`.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Reference:
    table: str
    column: str
    parent: str
    cascade: bool = False  # ON DELETE CASCADE
    key_type: str = "integer"  # the SQL type of the parent's id

    @property
    def name(self) -> str:
        """The foreign key's name under the naming convention (mhu.extensions): the SQLite key,
        and the constraint PostgreSQL's errors name."""
        return f"fk_{self.table}_{self.column}_{self.parent}"


STATEMENT_REFERENCES = (
    Reference("call", "agency_id", "agency"),
    Reference("call", "team_id", "team"),
    Reference("call", "person_id", "person", key_type="uuid"),
    Reference("call", "created_by_id", "user"),
    Reference("call", "updated_by_id", "user"),
    Reference("call", "voided_by_id", "user"),
    Reference("call_presenting_problem", "call_id", "call", cascade=True, key_type="uuid"),
    Reference("call_risk_flag", "call_id", "call", cascade=True, key_type="uuid"),
)


def foreign_keys(table: str) -> list[sa.ForeignKeyConstraint]:
    """The table's statement-checked references as foreign keys created on SQLite only."""
    return [sa.ForeignKeyConstraint([ref.column], [f"{ref.parent}.id"], ondelete="CASCADE" if ref.cascade else None,
                                    info={"statement_checked": True}).ddl_if(dialect="sqlite")
            for ref in STATEMENT_REFERENCES if ref.table == table]


def autogenerate_filter(dialect: str):
    """Alembic's include_object for `dialect`: on PostgreSQL these foreign keys are not in the
    database by design, so autogenerate must not add them."""
    def include_object(item, name, type_, reflected, compare_to) -> bool:
        return not (dialect == "postgresql" and type_ == "foreign_key_constraint"
                    and item.info.get("statement_checked"))
    return include_object


def _quoted(name: str) -> str:
    return f'"{name}"'


def _check_written(ref: Reference) -> str:
    column, parent = ref.column, _quoted(ref.parent)
    # One pass over the statement's rows for the distinct ids, then a probe of the parent's
    # primary key per id: `id IN (SELECT ... FROM written)` rescanned the rows for each parent.
    return f"""
    {column}_ids := ARRAY(SELECT {column} FROM written WHERE {column} IS NOT NULL GROUP BY {column});
    IF cardinality({column}_ids) > 0 THEN
        SELECT count(*) INTO found FROM (SELECT FROM {parent} p WHERE p.id = ANY({column}_ids) FOR KEY SHARE OF p) locked;
        IF found < cardinality({column}_ids) THEN
            SELECT w.{column}::text INTO missing FROM written w
                WHERE w.{column} IS NOT NULL AND NOT EXISTS (SELECT FROM {parent} p WHERE p.id = w.{column}) LIMIT 1;
            RAISE EXCEPTION 'insert or update on table "{ref.table}" violates foreign key constraint "{ref.name}"'
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{ref.name}', TABLE = '{ref.table}',
                      COLUMN = '{column}',
                      DETAIL = format('Key ({column})=(%s) is not present in table "{ref.parent}".', missing);
        END IF;
    END IF;"""


def _check_gone(ref: Reference) -> str:
    table, column = _quoted(ref.table), ref.column
    if ref.cascade:
        return f"\n    DELETE FROM {table} c WHERE c.{column} IN (SELECT id FROM gone);"
    return f"""
    IF EXISTS (SELECT FROM {table} c WHERE c.{column} IN (SELECT id FROM gone)) THEN
        RAISE EXCEPTION 'update or delete on table "{ref.parent}" violates foreign key constraint "{ref.name}" on table "{ref.table}"'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{ref.name}', TABLE = '{ref.table}';
    END IF;"""


def _check_truncated(ref: Reference) -> str:
    return f"""
        IF EXISTS (SELECT FROM {_quoted(ref.table)} c WHERE c.{ref.column} IS NOT NULL) THEN
            RAISE EXCEPTION 'cannot truncate table "{ref.parent}": table "{ref.table}" refers to it'
                USING ERRCODE = 'feature_not_supported', HINT = 'Truncate table "{ref.table}" at the same time.';
        END IF;"""


# Transition tables carry row counts but no statistics: the planner could hash a statement's
# 10,000 ids against a scan of the whole parent table. A foreign key probes the parent's primary
# key for each row; these checks probe it once per distinct id.
_PROBE_KEYS = "SET enable_seqscan = off SET enable_hashjoin = off SET enable_mergejoin = off"


def postgresql_create(references=STATEMENT_REFERENCES) -> list[str]:
    """The functions and triggers that keep `references` on PostgreSQL."""
    statements = ["""
    CREATE OR REPLACE FUNCTION mhu_refuse_id_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the id of a row of table "%" cannot change: other rows refer to it', TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation';
    END
    $$"""]
    for table in dict.fromkeys(ref.table for ref in references):
        own = [ref for ref in references if ref.table == table]
        checks = "".join(map(_check_written, own))
        ids = "".join(f"\n        {ref.column}_ids {ref.key_type}[];" for ref in own)
        statements.append(f"""
    CREATE OR REPLACE FUNCTION {table}_references_exist() RETURNS trigger LANGUAGE plpgsql {_PROBE_KEYS} AS $$
    DECLARE{ids}
        found bigint;
        missing text;
    BEGIN{checks}
        RETURN NULL;
    END
    $$""")
        for event in ("insert", "update"):
            statements.append(
                f"CREATE TRIGGER {table}_references_on_{event} AFTER {event.upper()} ON {_quoted(table)} "
                f"REFERENCING NEW TABLE AS written FOR EACH STATEMENT EXECUTE FUNCTION {table}_references_exist()")
    for parent in dict.fromkeys(ref.parent for ref in references):
        referring = [ref for ref in references if ref.parent == parent]
        gone = "".join(_check_gone(ref) for ref in referring)
        truncated = "".join(_check_truncated(ref) for ref in referring)
        statements += [f"""
    CREATE OR REPLACE FUNCTION {parent}_unreferenced() RETURNS trigger LANGUAGE plpgsql {_PROBE_KEYS} AS $$
    BEGIN
        IF TG_OP = 'TRUNCATE' THEN{truncated}
            RETURN NULL;
        END IF;
        IF NOT EXISTS (SELECT FROM gone) THEN
            RETURN NULL;
        END IF;
        IF current_setting('transaction_isolation') <> 'read committed' THEN
            RAISE EXCEPTION 'rows of table "{parent}" are deleted in READ COMMITTED transactions only'
                USING ERRCODE = 'feature_not_supported',
                      DETAIL = 'Rows of other tables refer to them, and only a new snapshot sees those committed meanwhile.';
        END IF;{gone}
        RETURN NULL;
    END
    $$""",
            f"CREATE TRIGGER {parent}_references_on_delete AFTER DELETE ON {_quoted(parent)} "
            f"REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION {parent}_unreferenced()",
            f"CREATE TRIGGER {parent}_references_on_truncate AFTER TRUNCATE ON {_quoted(parent)} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {parent}_unreferenced()",
            f"CREATE TRIGGER {parent}_id_unchanged BEFORE UPDATE OF id ON {_quoted(parent)} "
            "FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION mhu_refuse_id_change()"]
    return statements


def postgresql_drop(references=STATEMENT_REFERENCES) -> list[str]:
    """What undoes postgresql_create."""
    statements = []
    for table in dict.fromkeys(ref.table for ref in references):
        statements += [f"DROP TRIGGER IF EXISTS {table}_references_on_{event} ON {_quoted(table)}"
                       for event in ("insert", "update")]
        statements.append(f"DROP FUNCTION IF EXISTS {table}_references_exist()")
    for parent in dict.fromkeys(ref.parent for ref in references):
        statements += [f"DROP TRIGGER IF EXISTS {parent}_{name} ON {_quoted(parent)}"
                       for name in ("references_on_delete", "references_on_truncate", "id_unchanged")]
        statements.append(f"DROP FUNCTION IF EXISTS {parent}_unreferenced()")
    return [*statements, "DROP FUNCTION IF EXISTS mhu_refuse_id_change()"]


def create_on_postgresql(metadata: sa.MetaData, connection: sa.Connection, **_) -> None:
    """The metadata's after_create: a schema create_all builds on PostgreSQL gets the triggers too."""
    if connection.dialect.name == "postgresql":
        for statement in postgresql_create():
            connection.execute(sa.text(statement))


def drop_on_postgresql(metadata: sa.MetaData, connection: sa.Connection, **_) -> None:
    """The metadata's after_drop: the functions (the triggers went with their tables, and
    DROP TRIGGER IF EXISTS on a dropped table only notes it)."""
    if connection.dialect.name == "postgresql":
        for statement in postgresql_drop():
            connection.execute(sa.text(statement))
