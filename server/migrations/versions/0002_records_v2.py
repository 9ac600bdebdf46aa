"""records v2: claim vendors, workers basis, pay qualifier, responses, source checks, host rule
scopes, actions, moderators by language, vendor sites, pending changes, publications, session
tokens

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD_ACTIONS = "action IN ('create', 'update', 'status', 'revert', 'delete')"
NEW_ACTIONS = ("action IN ('create', 'update', 'status', 'revert', 'delete', 'check', "
               "'publish')")


def upgrade() -> None:
    op.create_table(
        "claim_vendors",
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("vendor_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["claim_id"], ["claims.id"],
                                name=op.f("fk_claim_vendors_claim_id_claims"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["vendor_id"], ["vendors.id"],
                                name=op.f("fk_claim_vendors_vendor_id_vendors"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("claim_id", "vendor_id", name=op.f("pk_claim_vendors")),
    )
    op.execute("INSERT INTO claim_vendors (claim_id, vendor_id, position) "
               "SELECT id, vendor_id, 0 FROM claims WHERE vendor_id IS NOT NULL")

    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("fk_claims_vendor_id_vendors"), type_="foreignkey")
        batch.drop_column("vendor_id")
        batch.add_column(sa.Column("workers_basis", sa.String(12), nullable=True))
        batch.add_column(sa.Column("pay_qualifier", sa.String(14), nullable=True))
        batch.add_column(sa.Column("responses", sa.JSON(), nullable=True))
        batch.create_check_constraint(
            "workers_basis",
            "workers_basis IS NULL OR workers_basis IN "
            "('employed', 'contracted', 'registered', 'active', 'estimated')")
        batch.create_check_constraint(
            "pay_qualifier",
            "pay_qualifier IS NULL OR pay_qualifier IN "
            "('exact', 'about', 'up_to', 'as_little_as', 'at_least')")
    op.execute("UPDATE claims SET responses = '[]' WHERE responses IS NULL")
    with op.batch_alter_table("claims") as batch:
        batch.alter_column("responses", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("archive_url", sa.String(2000), nullable=True))
        batch.add_column(sa.Column("quote_found", sa.Boolean(), nullable=True))
        batch.add_column(sa.Column("quote_excerpt", sa.Text(), nullable=True))
        batch.add_column(sa.Column("page_published", sa.String(10), nullable=True))
        batch.add_column(sa.Column("date_mismatch", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))

    with op.batch_alter_table("domains") as batch:
        batch.add_column(sa.Column("scope", sa.String(12), nullable=False,
                                   server_default="subdomains"))
        batch.add_column(sa.Column("path", sa.String(200), nullable=False, server_default=""))
        batch.drop_constraint(op.f("uq_domains_host"), type_="unique")
        batch.create_unique_constraint(op.f("uq_domains_host"), ["host", "path"])
        batch.create_check_constraint("scope", "scope IN ('subdomains', 'exact')")

    for table in ("platforms", "vendors"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("actions", sa.JSON(), nullable=True))
            if table == "platforms":
                batch.add_column(sa.Column("moderators", sa.JSON(), nullable=True))
            else:
                batch.add_column(sa.Column("sites", sa.JSON(), nullable=True))
                batch.add_column(sa.Column("wikidata", sa.String(20), nullable=True))
                batch.add_column(sa.Column("opencorporates", sa.String(80), nullable=True))
    op.execute("UPDATE platforms SET actions = '[]', moderators = '[]'")
    op.execute("UPDATE vendors SET actions = '[]', sites = '[]'")
    with op.batch_alter_table("platforms") as batch:
        batch.alter_column("actions", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("moderators", existing_type=sa.JSON(), nullable=False)
    with op.batch_alter_table("vendors") as batch:
        batch.alter_column("actions", existing_type=sa.JSON(), nullable=False)
        batch.alter_column("sites", existing_type=sa.JSON(), nullable=False)

    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("session_token", sa.String(64), nullable=True))

    with op.batch_alter_table("revisions") as batch:
        batch.drop_constraint(op.f("ck_revisions_action"), type_="check")
        batch.create_check_constraint("action", NEW_ACTIONS)

    op.create_table(
        "pending_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(20), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'changes_requested', 'published', 'rejected', 'withdrawn')",
            name=op.f("ck_pending_changes_status")),
        sa.ForeignKeyConstraint(["author_id"], ["users.id"],
                                name=op.f("fk_pending_changes_author_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"],
                                name=op.f("fk_pending_changes_reviewer_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_changes")),
    )
    with op.batch_alter_table("pending_changes") as batch:
        batch.create_index(batch.f("ix_pending_changes_status"), ["status"], unique=False)

    op.create_table(
        "publications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("entity_type", sa.String(20), nullable=False),
        sa.Column("entity_key", sa.String(120), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
    )


def downgrade() -> None:
    op.drop_table("publications")
    with op.batch_alter_table("pending_changes") as batch:
        batch.drop_index(batch.f("ix_pending_changes_status"))
    op.drop_table("pending_changes")
    op.execute("DELETE FROM revisions WHERE action IN ('check', 'publish')")
    with op.batch_alter_table("revisions") as batch:
        batch.drop_constraint(op.f("ck_revisions_action"), type_="check")
        batch.create_check_constraint("action", OLD_ACTIONS)
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_token")
    with op.batch_alter_table("vendors") as batch:
        for name in ("opencorporates", "wikidata", "sites", "actions"):
            batch.drop_column(name)
    with op.batch_alter_table("platforms") as batch:
        batch.drop_column("moderators")
        batch.drop_column("actions")
    # Only plain host rules existed before: keep one rule per host.
    op.execute("DELETE FROM domains WHERE path <> '' OR id NOT IN "
               "(SELECT MIN(id) FROM domains GROUP BY host)")
    with op.batch_alter_table("domains") as batch:
        batch.drop_constraint(op.f("ck_domains_scope"), type_="check")
        batch.drop_constraint(op.f("uq_domains_host"), type_="unique")
        batch.create_unique_constraint(op.f("uq_domains_host"), ["host"])
        batch.drop_column("path")
        batch.drop_column("scope")
    with op.batch_alter_table("sources") as batch:
        for name in ("date_mismatch", "page_published", "quote_excerpt", "quote_found",
                     "archive_url"):
            batch.drop_column(name)
    with op.batch_alter_table("claims") as batch:
        batch.drop_constraint(op.f("ck_claims_pay_qualifier"), type_="check")
        batch.drop_constraint(op.f("ck_claims_workers_basis"), type_="check")
        batch.drop_column("responses")
        batch.drop_column("pay_qualifier")
        batch.drop_column("workers_basis")
        batch.add_column(sa.Column("vendor_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_claims_vendor_id_vendors", "vendors", ["vendor_id"], ["id"],
                                 ondelete="SET NULL")
    op.execute("UPDATE claims SET vendor_id = (SELECT vendor_id FROM claim_vendors "
               "WHERE claim_vendors.claim_id = claims.id ORDER BY position LIMIT 1)")
    op.drop_table("claim_vendors")
