"""The forms of a review's progress: the team's rating and words per outcome, the family's own words.

Each outcome's boxes carry its id (`rating_12`, `words_12`): one `PageForm` read once per outcome.
"""

from collections.abc import Mapping
from typing import Annotated

from app.forms.base import PageForm
from app.forms.fields import Choice, Text
from app.models import ProgressRating
from app.services.plans.own_words import WORDS_LENGTH, OwnWords
from app.services.plans.progress import Outcome, Rating

TOO_LONG = "Your words about this outcome must be 2,000 characters or fewer"


class RatingForm(PageForm):
    rating: Annotated[ProgressRating | None, Choice(ProgressRating, optional=True)]
    words: Annotated[str, Text(WORDS_LENGTH, too_long=TOO_LONG)]


class OwnWordsForm(PageForm):
    own_words: Annotated[str, Text(WORDS_LENGTH, too_long=TOO_LONG)]


def suffix(outcome: Outcome) -> str:
    return f"_{outcome.item.id}"


def read_ratings(
    posted: Mapping[str, str], outcomes: list[Outcome]
) -> tuple[list[Rating], dict[str, str], dict[str, str]]:
    """The ratings given (an outcome left unrated is not written), problems by box, what was typed."""
    ratings: list[Rating] = []
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for outcome in outcomes:
        typed, problems = RatingForm.read(posted, suffix=suffix(outcome))
        errors |= problems
        values |= RatingForm.shown(posted, suffix=suffix(outcome))
        if typed is not None and typed.rating is not None:
            ratings.append(
                Rating(item_id=outcome.item.id or 0, rating=typed.rating, words=typed.words or None)
            )
    return ratings, errors, values


def read_own_words(
    posted: Mapping[str, str], outcomes: list[Outcome]
) -> tuple[list[OwnWords], dict[str, str], dict[str, str]]:
    """Own words about each outcome, as typed (an empty box says nothing)."""
    said: list[OwnWords] = []
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for outcome in outcomes:
        raw = posted.get(f"own_words{suffix(outcome)}", "")
        typed, problems = OwnWordsForm.read(posted, suffix=suffix(outcome))
        errors |= problems
        values[f"own_words{suffix(outcome)}"] = raw
        if typed is not None and typed.own_words:
            said.append(OwnWords(item_id=outcome.item.id or 0, words=raw))
    return said, errors, values


def missing_errors(missing: list[Outcome]) -> dict[str, str]:
    """Each outcome still without a rating, linked from the summary to its first option."""
    return {
        f"rating{suffix(outcome)}": f"Rate the progress towards “{_short(outcome.revision.text)}”"
        for outcome in missing
    }


def _short(text: str, length: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"
