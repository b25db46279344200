"""All tables, imported here so that Alembic and relationships see every one of them."""

from app.models.organisation import Organisation, OrganisationKind

__all__ = ["Organisation", "OrganisationKind"]
