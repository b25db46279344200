"""Every page the later parts added, opened as someone who uses it: axe finds nothing at desktop width
or at 320 px, and nothing is wider than a 320 px screen. The journeys click through most of them; this
sweep makes sure none is left without a check."""

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from app.models import (
    AdviceRequest,
    Child,
    InclusionBase,
    Item,
    ItemKind,
    MemberRole,
    Plan,
    PlanMember,
    ReducedTimetable,
    StatutoryStep,
)
from tests.browser.accessibility import assert_accessible

PAGES = [
    ("Alex Taylor", "/plans/{sam}"),
    ("Alex Taylor", "/plans/{sam}/sections/A"),
    ("Priya Shah", "/plans/{sam}/sections/F"),
    ("Priya Shah", "/plans/{sam}/quality"),
    ("Morgan Price", "/plans/{ella}/sections/B"),
    ("Sam Taylor", "/plans/{sam}/my-plan"),
    ("Sam Taylor", "/plans/{sam}/my-views/new"),
    ("Alex Taylor", "/plans/{sam}/my-views"),
    ("Alex Taylor", "/plans/{sam}/timeline"),
    ("Alex Taylor", "/plans/{sam}/assessment-request"),
    ("Alex Taylor", "/plans/{sam}/audit"),
    ("Alex Taylor", "/dashboard"),
    ("Priya Shah", "/plans/{sam}/timeline/steps/{step}"),
    ("Priya Shah", "/plans/{sam}/needs-map"),
    ("Priya Shah", "/plans/{sam}/differences/new"),
    ("Priya Shah", "/plans/{sam}/items/{outcome}/links"),
    ("Priya Shah", "/plans/{sam}/items/{provision}/end"),
    ("Priya Shah", "/plans/{sam}/move"),
    ("Priya Shah", "/plans/{sam}/timetables/new"),
    ("Priya Shah", "/plans/{sam}/delivery"),
    ("Morgan Price", "/plans/{sam}/advice-requests/new"),
    ("Dr Aisha Khan", "/plans/{sam}/advice-requests/{advice}"),
    ("Morgan Price", "/plans/{ella}/timetables/{timetable}"),
    ("Morgan Price", "/la/dashboard"),
    ("Rita Okafor", "/audit/checkpoints"),
    ("Rita Okafor", "/audit/contributions"),
    # Issue 16: every page as the persona who uses it, none wider than a 320 px window.
    ("Alex Taylor", "/plans"),
    ("Alex Taylor", "/plans/{sam}/quality"),
    ("Alex Taylor", "/plans/{sam}/changes"),
    ("Alex Taylor", "/plans/{sam}/versions"),
    ("Alex Taylor", "/plans/{sam}/members"),
    ("Alex Taylor", "/plans/{sam}/delivery/{provision}"),
    ("Priya Shah", "/plans/{sam}"),
    ("Priya Shah", "/dashboard"),
    ("Priya Shah", "/plans/new"),
    ("Priya Shah", "/plans/{sam}/stage"),
    ("Priya Shah", "/plans/{sam}/reviews/new"),
    ("Priya Shah", "/plans/{sam}/items/{provision}"),
    ("Priya Shah", "/plans/{sam}/items/{provision}/edit"),
    ("Priya Shah", "/plans/{sam}/sections/F/new"),
    ("Morgan Price", "/plans/{sam}"),
    ("Morgan Price", "/la/quality"),
    ("Morgan Price", "/la/delivery"),
    ("Rita Okafor", "/audit"),
    ("Rita Okafor", "/plans/{sam}"),
    ("Admin", "/admin/people"),
    ("Admin", "/admin/organisations"),
    # Issue 19: concerns and complaints.
    ("Alex Taylor", "/plans/{sam}/concerns"),
    ("Morgan Price", "/la/complaints"),
    ("Morgan Price", "/la/concern-time"),
    # Issue 19: Experts at Hand and inclusion bases.
    ("Priya Shah", "/plans/{sam}/experts"),
    ("Priya Shah", "/plans/{sam}/experts/new"),
    ("Priya Shah", "/plans/{sam}/inclusion-place"),
    ("Priya Shah", "/inclusion-bases"),
    ("Priya Shah", "/inclusion-bases/{nest}"),
    ("Morgan Price", "/la/experts"),
    ("Admin", "/admin/deliverer-roles"),
    # Issue 19: the school's list and evidence pack, the council's list.
    ("Priya Shah", "/settings/{school}/plans"),
    ("Priya Shah", "/settings/{school}/evidence?mark=child_voice"),
    ("Priya Shah", "/settings/{school}/sencos"),
    ("Morgan Price", "/la/plans"),
    # Issue 19: the ISP (its layer pages are in test_isp_journey), removing someone, a council's words.
    ("Priya Shah", "/plans/{sam}/support-plan"),
    ("Priya Shah", "/plans/{sam}/members/{parent_member}/remove"),
    ("Admin", "/admin/local-authorities/{council}/words"),
]


WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")]
  .filter((element) => element.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter((element) => !element.closest(".govuk-visually-hidden, [hidden]"))
  .slice(0, 5)
  .map((element) => `${element.tagName.toLowerCase()}.${[...element.classList].join(".")}`)"""
"""The first few elements that stick out of the window: what to fix, said when the check fails."""


def _addresses(db: Session) -> dict[str, int]:
    def plan_of(name: str) -> Plan:
        return db.exec(select(Plan).join(Child).where(Child.full_name == name)).one()

    sam, ella = plan_of("Sam Taylor"), plan_of("Ella Morris")

    def first(kind: ItemKind) -> int:
        found = db.exec(
            select(Item.id).where(Item.plan_id == sam.id, Item.kind == kind).order_by(col(Item.id))
        ).first()
        assert found is not None
        return found

    step = db.exec(select(StatutoryStep.id).where(StatutoryStep.plan_id == sam.id)).first()
    advice = db.exec(  # Dr Khan's, not yet returned: its page holds the form she writes it in
        select(AdviceRequest.id).where(
            AdviceRequest.plan_id == sam.id, col(AdviceRequest.returned_on).is_(None)
        )
    ).first()
    timetable = db.exec(select(ReducedTimetable.id).where(ReducedTimetable.plan_id == ella.id)).first()
    assert step is not None
    assert timetable is not None
    assert sam.id is not None
    assert ella.id is not None
    nest = db.exec(select(InclusionBase.id).where(InclusionBase.setting_id == sam.setting_id)).first()
    assert nest is not None
    parent_member = db.exec(
        select(PlanMember.id).where(PlanMember.plan_id == sam.id, PlanMember.role == MemberRole.PARENT_CARER)
    ).first()
    assert parent_member is not None
    return {
        "nest": nest,
        "parent_member": parent_member,
        "council": sam.local_authority_id,
        "sam": sam.id,
        "ella": ella.id,
        "outcome": first(ItemKind.OUTCOME),
        "provision": first(ItemKind.PROVISION),
        "step": step,
        "advice": advice or 0,
        "timetable": timetable,
        "school": sam.setting_id or 0,
    }


@pytest.mark.parametrize(("person", "address"), PAGES, ids=[f"{who}: {path}" for who, path in PAGES])
def test_the_page_passes_axe_and_fits_a_phone(
    page: Page,
    signed_in_as: Callable[[str], None],
    live_db: Callable[[], Session],
    browser_problems: list[str],
    person: str,
    address: str,
) -> None:
    with live_db() as db:
        path = address.format(**_addresses(db))
    signed_in_as(person)
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 320, "height": 640})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{path} is {width} px wide at 320 px: {page.evaluate(WIDER_THAN_THE_WINDOW)}"
    assert_accessible(page)
    assert browser_problems == []
