"""imported audit trails are append-only on PostgreSQL, like the chain itself

Revision ID: 5d2a8e61c0f3
Revises: 0b7e5c1d9a42
Create Date: 2026-12-02 13:20:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d2a8e61c0f3"
down_revision: str | None = "0b7e5c1d9a42"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY = """
CREATE FUNCTION imported_audit_trail_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'imported_audit_trail is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER imported_audit_trail_no_update_or_delete BEFORE UPDATE OR DELETE ON imported_audit_trail
    FOR EACH ROW EXECUTE FUNCTION imported_audit_trail_append_only();
CREATE TRIGGER imported_audit_trail_no_truncate BEFORE TRUNCATE ON imported_audit_trail
    FOR EACH STATEMENT EXECUTE FUNCTION imported_audit_trail_append_only();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER imported_audit_trail_no_truncate ON imported_audit_trail")
        op.execute("DROP TRIGGER imported_audit_trail_no_update_or_delete ON imported_audit_trail")
        op.execute("DROP FUNCTION imported_audit_trail_append_only()")
