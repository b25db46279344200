"""Your account, API tokens, administration and /api/v1/me."""

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from app.models import ApiToken, ExpertService, OrganisationKind, Person, PersonRole, Specialism
from app.models.base import id_of
from app.services.auth.secrets import digest, new_token
from tests.factories import make_organisation, make_person
from tests.matrix import Relationship, Route, only, statuses

ADULTS = frozenset(set(PersonRole) - {PersonRole.CHILD})
ADMIN = frozenset({PersonRole.ADMINISTRATOR})


def _token_params(db: Session, caller: Person | None, relationship: Relationship) -> Mapping[str, Any]:
    owner = (
        caller if relationship is Relationship.OWN and caller is not None else make_person(db, password=None)
    )
    token = ApiToken(
        person_id=id_of(owner), name="matrix", token_hash=digest(new_token()), prefix="op_matrix"
    )
    db.add(token)
    db.flush()
    return {"token_id": token.id}


def _someone(db: Session, _caller: Person | None, _relationship: Relationship) -> Mapping[str, Any]:
    return {"person_id": make_person(db, password=None).id}


def _staff_member(db: Session, _caller: Person | None, _relationship: Relationship) -> Mapping[str, Any]:
    return {"person_id": make_person(db, PersonRole.HEALTH, password=None, totp_secret="JBSWY3DPEHPK3PXP").id}


def _expert_service(db: Session, _caller: Person | None, _relationship: Relationship) -> Mapping[str, Any]:
    council = make_organisation(db, OrganisationKind.LOCAL_AUTHORITY)
    therapy = make_organisation(db, OrganisationKind.HEALTH, council)
    service = ExpertService(organisation_id=id_of(therapy), specialism=Specialism.SPEECH_AND_LANGUAGE_THERAPY)
    db.add(service)
    db.flush()
    return {"service_id": service.id}


def admin_only(allowed: int) -> dict[Relationship, dict[str, int]]:
    return {Relationship.NONE: only(ADMIN, allowed, refused=403, anonymous=303)}


def adults(allowed: int) -> dict[Relationship, dict[str, int]]:
    return {Relationship.NONE: only(ADULTS, allowed, refused=403, anonymous=303)}


ROUTES = [
    Route("GET", "/account", adults(200)),
    Route("GET", "/account/tokens", adults(200)),
    Route("POST", "/account/tokens", adults(200), form={"name": "matrix"}),
    Route(
        "POST",
        "/account/tokens/{token_id}/revoke",
        {
            Relationship.OWN: only(ADULTS, 303, refused=403, anonymous=303),
            Relationship.OTHER: only(ADULTS, 404, refused=403, anonymous=303),
        },
        params=_token_params,
    ),
    Route("GET", "/admin/organisations", admin_only(200)),
    Route("GET", "/admin/organisations/new", admin_only(200)),
    Route(
        "POST",
        "/admin/organisations/new",
        admin_only(303),
        form={"name": "Matrix Borough Council", "kind": "local_authority"},
    ),
    Route("GET", "/admin/deliverer-roles", admin_only(200)),
    Route("POST", "/admin/deliverer-roles", admin_only(200), form={"label": ""}),
    Route("GET", "/admin/expert-services", admin_only(200)),
    Route("GET", "/admin/expert-services/{service_id}", admin_only(200), params=_expert_service),
    # An address the form refuses: who may send it at all (a scenario writes).
    Route(
        "POST",
        "/admin/expert-services/{service_id}",
        admin_only(200),
        params=_expert_service,
        form={"contact_email": "not an address"},
    ),
    Route("GET", "/admin/people", admin_only(200)),
    Route("GET", "/admin/people/invite", admin_only(200)),
    Route("POST", "/admin/people/invite", admin_only(200), form={"display_name": ""}),
    Route("POST", "/admin/people/{person_id}/deactivate", admin_only(303), params=_someone),
    Route("POST", "/admin/people/{person_id}/reactivate", admin_only(303), params=_someone),
    Route("POST", "/admin/people/{person_id}/reset-second-factor", admin_only(303), params=_staff_member),
    Route("GET", "/api/v1/me", {Relationship.NONE: statuses(200, anonymous=401)}),
]
