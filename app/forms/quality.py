"""The form for a difference of opinion: what it is about, where in the plan, and the two views."""

from collections.abc import Collection, Mapping
from typing import Annotated, Any, ClassVar, NamedTuple

from pydantic import Field, ValidationInfo, field_validator

from app.forms.base import PageForm
from app.forms.fields import ChosenId, Text, problem
from app.models import Section


class PlanPart(NamedTuple):
    """A section of the plan, or one item in it (`section:F`, `item:12` in the form)."""

    section: Section | None
    item_id: int | None


HolderId = Annotated[int | None, ChosenId()]
HolderName = Annotated[str, Text(120, too_long="The name must be 120 characters or fewer")]
View = Annotated[str, Text(5000, too_long="A view must be 5,000 characters or fewer")]


class DifferenceForm(PageForm):
    """Read with the plan's sections as `sections` in the context."""

    about: Annotated[
        str,
        Text(
            500,
            missing="Enter what the difference of opinion is about",
            too_long="What it is about must be 500 characters or fewer",
        ),
    ]
    part: PlanPart
    review_id: Annotated[int | None, ChosenId()]
    views_1_holder_id: Annotated[HolderId, Field(alias="views-1-holder_id")]
    views_1_holder_name: Annotated[HolderName, Field(alias="views-1-holder_name")]
    views_1_view: Annotated[View, Field(alias="views-1-view")]
    views_2_holder_id: Annotated[HolderId, Field(alias="views-2-holder_id")]
    views_2_holder_name: Annotated[HolderName, Field(alias="views-2-holder_name")]
    views_2_view: Annotated[View, Field(alias="views-2-view")]

    problem_fields: ClassVar[Mapping[str, str]] = {"section": "part", "item_id": "part"}
    problem_fallback = "about"

    @field_validator("part", mode="before")
    @classmethod
    def _part(cls, value: Any, info: ValidationInfo) -> PlanPart:
        kind, _, key = str(value).partition(":")
        section = next((found for found in Section if kind == "section" and found.value == key), None)
        item_id = int(key) if kind == "item" and key.isdigit() else None
        if section is None and item_id is None:
            raise problem("Select the part of the plan the difference is about")
        sections: Collection[Section] = (info.context or {}).get("sections", ())
        if section is not None and section not in sections:
            raise problem("Select a section of this plan")
        return PlanPart(section, item_id)

    @field_validator("views_1_holder_name", "views_2_holder_name")
    @classmethod
    def _holder(cls, name: str, info: ValidationInfo) -> str:
        index = 1 if info.field_name == "views_1_holder_name" else 2
        if not name and info.data.get(f"views_{index}_holder_id") is None:
            raise problem(f"Select or name who holds view {index}", field=f"views-{index}-holder_id")
        return name

    @field_validator("views_1_view", "views_2_view")
    @classmethod
    def _view(cls, view: str, info: ValidationInfo) -> str:
        if not view:
            index = 1 if info.field_name == "views_1_view" else 2
            raise problem(f"Enter view {index} in the words its holder used")
        return view

    def views(self) -> list[tuple[int | None, str | None, str]]:
        """Each view: who holds it (a person on the plan, or a name) and their words."""
        return [
            (self.views_1_holder_id, self.views_1_holder_name or None, self.views_1_view),
            (self.views_2_holder_id, self.views_2_holder_name or None, self.views_2_view),
        ]
