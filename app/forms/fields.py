"""The kinds of answer a page form holds, each with its limits and the GOV.UK message for breaking them.

Each is used as `Annotated[type, Kind(...)]` on a `PageForm` field. A problem is raised as a pydantic
error carrying the message the page shows and, for a date, the box it belongs to.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import Enum
from math import isfinite
from typing import Any, NamedTuple, get_args

from pydantic import GetCoreSchemaHandler
from pydantic_core import PydanticCustomError, core_schema

PROBLEM = "page_form"
"""The pydantic error type of a problem a person can fix, with the message to show them."""


FALLBACK_MESSAGE = "Use ordinary text, without control characters"
"""What text that cannot be stored (or a value refused on pydantic's own grounds) is told."""


def problem(message: str, box: str = "", *, field: str = "") -> PydanticCustomError:
    """A problem with a field (`box`: which of a date's three boxes, empty for the first; `field`: the
    field a check of the whole form names)."""
    return PydanticCustomError(PROBLEM, "{message}", {"message": message, "box": box, "field": field})


def _after(check: Callable[[Any], Any], handler: GetCoreSchemaHandler, source: Any) -> core_schema.CoreSchema:
    return core_schema.no_info_after_validator_function(check, handler(source))


def _before(
    check: Callable[[Any], Any], handler: GetCoreSchemaHandler, source: Any
) -> core_schema.CoreSchema:
    return core_schema.no_info_before_validator_function(check, handler(source))


@dataclass(frozen=True)
class Text:
    """Words typed in a box: asked for with `missing` when required; at most `max_length` characters."""

    max_length: int
    too_long: str
    missing: str | None = None

    def check(self, value: str) -> str:
        if not value and self.missing is not None:
            raise problem(self.missing)
        if "\x00" in value:  # PostgreSQL cannot store it
            raise problem(FALLBACK_MESSAGE)
        if len(value) > self.max_length:
            raise problem(self.too_long)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _after(self.check, handler, source)


@dataclass(frozen=True)
class Choice:
    """One of the options of an enum (radios or a select); `optional`: nothing chosen is None.

    With no `missing` message the choice may be left out, and anything not offered counts as nothing.
    `among`: the options offered, where they are not all of the enum.
    """

    of: type[Enum]
    missing: str | None = None
    optional: bool = False
    among: tuple[Enum, ...] = ()

    def check(self, value: Any) -> Any:
        offered = self.among or tuple(self.of)
        if isinstance(value, self.of) and value in offered:
            return value
        found = next((option for option in offered if option.value == value), None)
        if found is None and self.missing is not None and not (value == "" and self.optional):
            raise problem(self.missing)
        return found

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _before(self.check, handler, source)


@dataclass(frozen=True)
class OneOf:
    """One of a few words offered (radios whose values are not an enum)."""

    options: tuple[str, ...]
    missing: str

    def check(self, value: str) -> str:
        if value not in self.options:
            raise problem(self.missing)
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _after(self.check, handler, source)


ROW_ID_DIGITS = 9


@dataclass(frozen=True)
class ChosenId:
    """A row chosen from a list (its id); `optional`: nothing chosen is None.

    With no `missing` message the choice may be left out, and anything that is not an id counts as nothing.
    """

    missing: str | None = None
    optional: bool = False

    def check(self, value: Any) -> int | None:
        if isinstance(value, int):
            return value
        text = str(value)
        if text.isdigit() and len(text) <= ROW_ID_DIGITS and int(text) >= 1:
            return int(text)
        if self.missing is not None and not (text == "" and self.optional):
            raise problem(self.missing)
        return None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _before(self.check, handler, source)


@dataclass(frozen=True)
class Number:
    """A number typed in a box, within its bounds (a whole number when the field is an int).

    `out_of_range`: the message for a number outside its bounds, where it differs from `invalid`;
    `optional`: a box left empty is None.
    """

    invalid: str
    more_than: float | None = None
    less_than: float | None = None
    at_least: float | None = None
    at_most: float | None = None
    out_of_range: str | None = None
    optional: bool = False

    def read(self, value: Any, *, whole: bool) -> float | int | None:
        text = str(value).strip()
        if not text and self.optional:
            return None
        try:
            number: float | int = int(text) if whole and text.isascii() and text.isdigit() else float(text)
        except ValueError:
            raise problem(self.invalid) from None
        if whole and not isinstance(number, int):
            raise problem(self.invalid)
        inside = (
            isfinite(number)
            and (self.more_than is None or number > self.more_than)
            and (self.less_than is None or number < self.less_than)
            and (self.at_least is None or number >= self.at_least)
            and (self.at_most is None or number <= self.at_most)
        )
        if not inside:
            raise problem(self.out_of_range or self.invalid)
        return number

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        whole = int in (get_args(source) or (source,))  # `int` or `int | None`
        return _before(lambda value: self.read(value, whole=whole), handler, source)


class TypedDate(NamedTuple):
    """What was typed in a date input's three boxes, or a whole date as YYYY-MM-DD (an address, an older
    form) under the field's own name."""

    day: str = ""
    month: str = ""
    year: str = ""
    whole: str = ""


BOXES = ("day", "month", "year")
EARLIEST_YEAR = 1900


@dataclass(frozen=True)
class GovukDate:
    """The GOV.UK date input: day, month and year in three boxes named `<name>-day`, `-month`, `-year`.

    `missing` asks for the date when nothing is typed (None: the date may be left out). Messages name
    the date by `label`. A date with a box left empty is linked from the summary by the first box left
    empty (the page marks that box), or by its first box where `marks_missing_box` is False.
    """

    label: str = "The date"
    missing: str | None = None
    marks_missing_box: bool = True

    def read(self, value: Any) -> date | None:
        if isinstance(value, date):
            return value
        typed = value if isinstance(value, TypedDate) else TypedDate()
        day, month, year = (part.strip() for part in typed[:3])
        if not (day or month or year):
            return self._whole(typed.whole.strip())
        absent = [box for box, part in zip(BOXES, (day, month, year), strict=True) if not part]
        if absent:
            box = absent[0] if self.marks_missing_box else "day"
            raise problem(f"{self.label} must include a {' and a '.join(absent)}", box)
        if not (day.isdigit() and month.isdigit() and year.isdigit()) or len(year) != 4:
            raise problem(self.not_real)
        try:
            found = date(int(year), int(month), int(day))
        except ValueError:
            raise problem(self.not_real) from None
        if found.year < EARLIEST_YEAR:
            raise problem(self.not_real)
        return found

    @property
    def not_real(self) -> str:
        return f"{self.label} must be a real date"

    def _whole(self, text: str) -> date | None:
        if not text:
            if self.missing is None:
                return None
            raise problem(self.missing)
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise problem(self.not_real) from None

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _before(self.read, handler, source)


def read_date_input(
    posted: Mapping[str, str], name: str, *, label: str, marks_missing_box: bool = True
) -> tuple[date | None, dict[str, str]]:
    """A date input read on its own (outside a `PageForm`): the date or None, and its problem by box id."""
    day, month, year = (posted.get(f"{name}-{box}", "") for box in BOXES)
    try:
        kind = GovukDate(label=label, marks_missing_box=marks_missing_box)
        return kind.read(TypedDate(day, month, year)), {}
    except PydanticCustomError as found:
        context = found.context or {}
        return None, {f"{name}-{context.get('box') or 'day'}": str(context.get("message", found))}


def date_boxes(name: str, value: date | None) -> dict[str, str]:
    """A date shown again in the three boxes of its date input (nothing for no date)."""
    if value is None:
        return {}
    return {f"{name}-day": str(value.day), f"{name}-month": str(value.month), f"{name}-year": str(value.year)}
