"""A page form: what a person posted, read into a typed model, and its problems as the GOV.UK error summary
and the messages beside the fields want them (app/forms/fields.py holds the kinds of answer and their
limits; templates/components/forms.html shows them).

`errors` maps a field's HTML id to its message, in the order of the fields on the page; a date's id is
its first box, `<name>-day` (or the box left empty). `values` maps each HTML name to what was typed, so
the page shows it again.
"""

from collections.abc import Mapping
from typing import Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic.fields import FieldInfo

from app.forms.fields import BOXES, FALLBACK_MESSAGE, PROBLEM, GovukDate, TypedDate


class PageForm(BaseModel):
    """A form on a page: fields in page order, each with its limits and the messages for breaking them."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

    problem_fields: ClassVar[Mapping[str, str]] = {}
    """A service's name for a field, where it is not the form's (its problems are shown there)."""
    problem_fallback: ClassVar[str | None] = None
    """Where a service's problem with a field the form does not have is shown (None: under its own name)."""

    @classmethod
    def read(
        cls, posted: Mapping[str, Any], *, suffix: str = "", context: Mapping[str, Any] | None = None
    ) -> tuple[Self | None, dict[str, str]]:
        """The form as posted, or None and what is wrong (HTML id -> message, in page order).

        `suffix` follows each field's name on a page that shows the form more than once (`returned_on_7`).
        A value is text, or a list of texts for a field that is a list (checkboxes).
        """
        data: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            html = _html_name(name, field) + suffix
            if _is_date(field):
                day, month, year = (posted.get(f"{html}-{box}", "") for box in BOXES)
                data[_html_name(name, field)] = TypedDate(day, month, year, whole=posted.get(html, ""))
            else:
                data[_html_name(name, field)] = posted.get(html, "")
        try:
            return cls.model_validate(data, context=dict(context or {})), {}
        except ValidationError as invalid:
            return None, cls._errors(invalid, suffix)

    @classmethod
    def shown(cls, posted: Mapping[str, str], *, suffix: str = "") -> dict[str, str]:
        """What was typed in each of the form's boxes, to show it again beside its problems."""
        return {name: posted.get(name, "") for name in cls.html_names(suffix)}

    @classmethod
    def html_names(cls, suffix: str = "") -> list[str]:
        """The names of the form's boxes on the page, in page order (a date's three boxes in turn)."""
        names: list[str] = []
        for name, field in cls.model_fields.items():
            html = _html_name(name, field) + suffix
            names += [f"{html}-{box}" for box in BOXES] if _is_date(field) else [html]
        return names

    @classmethod
    def html_id(cls, field: str, *, suffix: str = "", box: str = "") -> str:
        """Where the summary links for a field (a service's name for it, or the form's): a date's box."""
        name = cls.problem_fields.get(field, field)
        found = cls.model_fields.get(name) or next(
            (info for info in cls.model_fields.values() if info.alias == name), None
        )
        if found is None:
            fallback = cls.problem_fallback
            return field if fallback is None or fallback == field else cls.html_id(fallback, suffix=suffix)
        html = (found.alias or name) + suffix
        return f"{html}-{box or 'day'}" if _is_date(found) else html

    @classmethod
    def problem_errors(cls, problem: Exception, *, suffix: str = "") -> dict[str, str]:
        """A service's refusal shown beside the fields it names (`errors` by field, or one `field`)."""
        named: Mapping[str, str]
        if isinstance(problem, ValidationError):  # a service's own model refused what the form let by
            named = {
                str(error["loc"][0] if error["loc"] else ""): FALLBACK_MESSAGE for error in problem.errors()
            }
        else:
            named = getattr(problem, "errors", None) or {getattr(problem, "field", ""): str(problem)}
        errors: dict[str, str] = {}
        for field, message in named.items():
            errors.setdefault(cls.html_id(field, suffix=suffix), message)
        return cls.in_page_order(errors, suffix=suffix)

    @classmethod
    def in_page_order(cls, errors: Mapping[str, str], *, suffix: str = "") -> dict[str, str]:
        """The error summary lists problems in the order of the fields on the page."""
        order = {name: index for index, name in enumerate(cls.html_names(suffix))}
        return dict(sorted(errors.items(), key=lambda pair: order.get(pair[0], len(order))))

    @classmethod
    def _errors(cls, invalid: ValidationError, suffix: str) -> dict[str, str]:
        errors: dict[str, str] = {}
        for error in invalid.errors():
            context = error.get("ctx") or {}
            field = str(context.get("field") or (error["loc"][0] if error["loc"] else ""))
            message = str(context["message"]) if error["type"] == PROBLEM else FALLBACK_MESSAGE
            errors.setdefault(cls.html_id(field, suffix=suffix, box=str(context.get("box", ""))), message)
        return cls.in_page_order(errors, suffix=suffix)


def _html_name(name: str, field: FieldInfo) -> str:
    return field.alias or name


def _is_date(field: FieldInfo) -> bool:
    return any(isinstance(kind, GovukDate) for kind in field.metadata)
