"""What makes provision specific: the vague phrases tribunals reject, and the particulars provision needs.

Pure functions of the words and particulars of one provision; no database. The Code of Practice
(9.69) asks for provision that is "detailed and specific and should normally be quantified, for
example, in terms of the type, hours and frequency of support and level of expertise". Each vague
phrase is listed (app/services/quality/phrases.py) with why it fails that test and what to write
instead; the list is the documented policy (README "Plan quality") and is tested phrase by phrase.
How much, how often, group sizes and roles are read from the words by app/services/quality/wording.py.

Vague phrases are judged in context. Most are vague whatever surrounds them ("would benefit from",
"as required", "to be determined by the setting"). A few only soften wording that may already be
specific ("access to", "regular", "available", "opportunities to", "ongoing", "frequent", "input"):
such a phrase is not flagged when its own sentence says how long and how often (in words, or the
provision's structured amount and frequency say it) and the provision says who delivers it.
"Access to the sensory room for 15 minutes at the start of each lesson transition, supervised by a
trained TA" is specific; "access to the sensory room" is not.

Flags never stop anyone saving: they are advice beside the words. Only issuing an EHC plan with
unquantified provision asks the coordinator to record why (see app/services/quality/issue.py).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.models import ItemContent, deliverer_label
from app.services.quality import wording
from app.services.quality.phrases import VAGUE_PHRASES, VaguePhrase

__all__ = ["VAGUE_PHRASES", "VaguePhrase"]


# Quantities and who, in words (app/services/quality/wording.py reads them) ---------------------------


def amount_in_words(text: str) -> bool:
    """How long each time, or the whole of a time ("full-time"); a count of times alone is not one."""
    return wording.amount_stated(text)


def frequency_in_words(text: str) -> bool:
    return wording.frequency_stated(text)


# Flags -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """One thing to put right in a provision: what it is, why it matters and what to write instead."""

    code: str
    message: str
    advice: str
    phrase: str | None = None
    found: str | None = None
    """The words as written that raised it (for a vague phrase)."""


NO_AMOUNT = "no_amount"
NO_FREQUENCY = "no_frequency"
NO_DELIVERER = "no_deliverer"
NO_EXPERTISE = "no_expertise"
VAGUE = "vague"
UNQUANTIFIED = frozenset({NO_AMOUNT, NO_FREQUENCY})
"""Provision with either of these is unquantified: an EHC plan with it is issued only with a reason."""


_ANY_VAGUE = re.compile("|".join(f"(?:{entry.pattern.pattern})" for entry in VAGUE_PHRASES))
"""Every phrase at once: most provision has none, and one scan of the folded words then says so."""


def vague_phrases(text: str) -> list[Flag]:
    """Every listed vague phrase in the words, in the order of the list, once each (judged in context)."""
    return list(_vague(text, quantified=False, has_deliverer=False))


def _vague(text: str, *, quantified: bool, has_deliverer: bool) -> tuple[Flag, ...]:
    """The vague phrases of the words, less the softening ones that the rest of the wording makes good.

    `quantified`: the structured amount and frequency are given; `has_deliverer`: so is who gives it.
    """
    folded = wording.fold(text)
    if _ANY_VAGUE.search(folded) is None:
        return ()
    matches = {
        entry: [match for match in entry.pattern.finditer(folded) if _kept(entry, text, match)]
        for entry in VAGUE_PHRASES
    }
    hard = [match.start() for entry, found in matches.items() if not entry.softening for match in found]
    who = has_deliverer or wording.names_someone(text)

    def made_good(match: re.Match[str]) -> bool:
        """Its sentence says how long and how often, and nothing in it is vague whatever surrounds it."""
        begin, end = wording.sentence_bounds(text, match.start(), match.end())
        if any(begin <= start < end for start in hard):
            return False
        sentence = text[begin:end]
        return quantified or (wording.amount_stated(sentence) and wording.frequency_stated(sentence))

    flags: list[Flag] = []
    for entry, found in matches.items():
        match = next((match for match in found if not (entry.softening and who and made_good(match))), None)
        if match is not None:
            words = text[match.start() : match.end()]
            flags.append(
                Flag(
                    VAGUE, f"Vague wording: “{words}”", f"{entry.reason} {entry.instead}", entry.phrase, words
                )
            )
    return tuple(flags)


def _kept(entry: VaguePhrase, text: str, match: re.Match[str]) -> bool:
    """Whether a match (in the folded words) really is the vague use, judged on the words as written."""
    return entry.keep is None or entry.keep(text, match)


def provision_flags(content: ItemContent) -> list[Flag]:
    """What is unspecific about one provision: vague wording, then each missing particular."""
    return flags_of_words(
        content.text,
        deliverer_words(content.delivered_by, content.deliverer_role, content.expertise),
        content.delivered_by_organisation_id,
        (content.amount, content.unit, content.frequency),
    )


def deliverer_words(delivered_by: str | None, role: object, expertise: str | None) -> str:
    """Who delivers it, as the checks read it: the role chosen from the list, the service or role
    typed, and the expertise or training needed (structured provision keeps each on its own)."""
    named = deliverer_label(str(role)) if role else ""
    return " ".join(part.strip() for part in (named, delivered_by or "", expertise or "") if part.strip())


def flags_of_words(
    text: str | None, delivered_by: str | None, organisation_id: int | None, quantity: Sequence[object]
) -> list[Flag]:
    """The same, from the columns of a revision (a plan's page reads only these of its provision)."""
    structured = all(part is not None for part in quantity)
    return list(_flags(text or "", (delivered_by or "").strip(), structured, organisation_id is not None))


@lru_cache(maxsize=8192)
def _flags(text: str, delivered_by: str, structured: bool, has_organisation: bool) -> tuple[Flag, ...]:
    """The flags of these words and particulars: a pure function, kept for the words seen lately.

    A plan's pages check every provision of the plan at each visit; the words rarely change.
    """
    flags = list(_vague(text, quantified=structured, has_deliverer=bool(delivered_by) or has_organisation))
    if not structured and not amount_in_words(text):
        flags.append(
            Flag(
                NO_AMOUNT,
                "It does not say how much",
                "Give how long each time (“15 minutes”, “2 hours”): “three times a week” is how often.",
            )
        )
    if not structured and not frequency_in_words(text):
        flags.append(
            Flag(
                NO_FREQUENCY,
                "It does not say how often",
                "Say how often: “twice a day”, “three times a week”, “each term”.",
            )
        )
    names_expertise = wording.names_expertise(delivered_by) or wording.names_expertise(text)
    if not delivered_by and not has_organisation and not names_expertise and not wording.names_someone(text):
        flags.append(
            Flag(
                NO_DELIVERER,
                "It does not say who delivers it",
                "Say who gives it: “a teaching assistant”, “the speech and language therapist”.",
            )
        )
    elif not names_expertise:
        flags.append(
            Flag(
                NO_EXPERTISE,
                "It does not say what expertise is needed",
                "Name the role or the training: “a teaching assistant trained in Lego therapy”.",
            )
        )
    return tuple(flags)


def is_unquantified(flags: list[Flag]) -> bool:
    return any(flag.code in UNQUANTIFIED for flag in flags)
