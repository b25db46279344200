"""The views screens' checks: a picture added to an answer, who may read the views, and at least one
answer (the screens carry the answers so far in hidden fields: app/routers/pages/voices.py)."""

from typing import Any, ClassVar

from pydantic import ValidationInfo, field_validator

from app.forms.base import PageForm
from app.forms.fields import problem
from app.models import ViewAudience
from app.services.voices.views import AnswerProblem


class PictureForm(PageForm):
    """A picture chosen for an answer: what is wrong with the file is shown beside the file input."""

    picture: str
    problem_fallback: ClassVar[str | None] = "picture"


class ReadersForm(PageForm):
    """Who may read the views: everyone on the plan, or at least one person chosen."""

    audience: str
    readers: list[str]

    @field_validator("readers")
    @classmethod
    def _someone(cls, readers: list[str], info: ValidationInfo) -> list[str]:
        if info.data.get("audience") == ViewAudience.CHOSEN.value and not readers:
            raise problem("Pick at least one person, or choose everyone on your plan")
        return readers


class AnswersForm(PageForm):
    """The answers so far; read with the first question's prompt as `first` in the context, beside whose
    answer a problem is shown."""

    answers: list[str]

    @field_validator("answers")
    @classmethod
    def _one_at_least(cls, answers: list[str], info: ValidationInfo) -> list[str]:
        if not any(answers):
            first: Any = (info.context or {}).get("first", "")
            raise problem("Write an answer to at least one question", field=f"answer_{first}")
        return answers

    @classmethod
    def answer_errors(cls, found: AnswerProblem) -> dict[str, str]:
        """A refused answer's words are shown beside that answer; anything else above them all."""
        field, message = next(iter(found.errors.items()))
        return {f"answer_{found.prompt.value}" if field == "text" else "answers": message}
