"""What makes provision specific: the vague phrases tribunals reject, and the particulars provision needs.

Pure functions of the words and particulars of one provision; no database. The Code of Practice
(9.69) asks for provision that is "detailed and specific and should normally be quantified, for
example, in terms of the type, hours and frequency of support and level of expertise". Each vague
phrase below is listed with why it fails that test and what to write instead; the list is the
documented policy (README "Plan quality") and is tested phrase by phrase.

Flags never stop anyone saving: they are advice beside the words. Only issuing an EHC plan with
unquantified provision asks the coordinator to record why (see app/services/quality/issue.py).
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from app.models import ItemContent


@dataclass(frozen=True)
class VaguePhrase:
    """A phrase that makes provision unenforceable, why, and what to write instead."""

    phrase: str
    reason: str
    instead: str
    pattern: re.Pattern[str] = field(repr=False)
    keep: Callable[[str, re.Match[str]], bool] | None = field(default=None, repr=False, compare=False)
    """Whether a match really is the vague use (for example "may" the verb, not the month of May)."""


def _words(*phrases: str) -> re.Pattern[str]:
    """Any of the phrases as whole words, whatever the case and spacing."""
    alternatives = "|".join(r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases)
    return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)


_DATE_WORDS = {"in", "from", "by", "until", "till", "since", "of", "end", "early", "late", "mid", "before"}


def _may_the_verb(text: str, match: re.Match[str]) -> bool:
    """'may' as in 'may have', not 'in May 2027' or '3 May'."""
    before = text[: match.start()].split()
    after = text[match.end() :].lstrip()
    previous = before[-1] if before else ""
    if after[:1].isdigit() or previous.lower() in _DATE_WORDS:
        return False
    if previous.isdigit() and match.group(0) == "May":
        return False
    return not (match.group(0) == "May" and before and not before[-1].endswith((".", "!", "?")))


VAGUE_PHRASES: tuple[VaguePhrase, ...] = (
    VaguePhrase(
        "access to",
        "“Access to” says the child may use something, not that they will get it: nobody can be held to it.",
        "Say what the child will get, how much and how often: “a quiet room for 15 minutes, twice a day”.",
        _words("access to", "have access", "has access", "accessing"),
    ),
    VaguePhrase(
        "regular",
        "“Regular” does not say how often: once a term is regular.",
        "Say how often: “three times a week”, “every morning before registration”.",
        _words("regular", "regularly"),
    ),
    VaguePhrase(
        "would benefit from",
        "“Would benefit from” is a recommendation, not provision: it does not say the child will get it.",
        "Say what will be provided: “Sam will have ...”.",
        _words("would benefit from", "will benefit from", "could benefit from", "may benefit from"),
    ),
    VaguePhrase(
        "when appropriate",
        "“When appropriate” leaves it to someone's judgement on the day, so it may never happen.",
        "Say when: “at the start of every lesson”, “before every change to the routine”.",
        _words("when appropriate", "as appropriate", "where appropriate", "if appropriate"),
    ),
    VaguePhrase(
        "as required",
        "“As required” does not say how much, or who decides that it is required.",
        "Say how much and how often, and who decides if more is needed.",
        _words("as required", "when required", "if required", "where required"),
    ),
    VaguePhrase(
        "support as needed",
        "“As needed” does not say how much, or who decides that it is needed.",
        "Say how much and how often, and who decides if more is needed.",
        _words("as needed", "when needed", "if needed", "as necessary", "where necessary", "as and when"),
    ),
    VaguePhrase(
        "opportunities to",
        "An opportunity is not provision: it does not say what will happen.",
        "Say what the child will do, with whom, how long and how often.",
        _words("opportunities to", "opportunity to", "opportunities for", "opportunity for"),
    ),
    VaguePhrase(
        "may",
        "“May” says something might happen, not that it will.",
        "Say what will happen: “will”, with how much and how often.",
        re.compile(r"\bmay\b", re.IGNORECASE),
        _may_the_verb,
    ),
    VaguePhrase(
        "should have",
        "“Should” is a wish: provision says what will happen.",
        "Write “will have”, with how much and how often.",
        _words("should have", "should be", "should receive", "should get"),
    ),
    VaguePhrase(
        "up to",
        "“Up to” sets a ceiling, not an amount: none at all is “up to”.",
        "Give the amount the child will get: “10 hours a week”.",
        _words("up to"),
    ),
    VaguePhrase(
        "where possible",
        "“Where possible” makes the provision optional.",
        "Say what will be done; if something might stop it, say what happens then.",
        _words("where possible", "if possible", "when possible", "wherever possible", "as far as possible"),
    ),
    VaguePhrase(
        "ongoing",
        "“Ongoing” does not say how often or for how long.",
        "Say how often, and until when or until what is achieved.",
        _words("ongoing", "on-going", "continued support", "continuing support"),
    ),
    VaguePhrase(
        "from time to time",
        "“From time to time” does not say how often.",
        "Say how often: “once a fortnight”.",
        _words("from time to time", "occasionally", "occasional", "periodic", "periodically"),
    ),
    VaguePhrase(
        "encouraged to",
        "Encouragement is not provision: it does not say what adults will do.",
        "Say what adults will do, how much and how often.",
        _words("encouraged to", "encourage him to", "encourage her to", "encourage them to"),
    ),
    VaguePhrase(
        "will be considered",
        "Considering something is not providing it.",
        "Decide now, or say who decides by when.",
        _words("will be considered", "to be considered", "consider"),
    ),
    VaguePhrase(
        "available",
        "Something being available does not mean the child gets it.",
        "Say what the child will get, how much and how often.",
        _words("available", "made available"),
    ),
)
"""The documented list of vague wording: each entry is flagged wherever it appears in provision."""


# Quantities written in words ----------------------------------------------------------------------

_NUMBER = (
    r"(?:\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|"
    r"forty|forty-five|sixty|half\s+an?|several)"
)
_AMOUNT = re.compile(
    rf"\b{_NUMBER}\s*(?:-\s*)?(?:minutes?|mins?|hours?|hrs?|sessions?|lessons?|periods?|visits?|days?)\b"
    r"|\b\d+(?:\.\d+)?\s*(?:m|h)\b"
    r"|\b(?:once|twice|thrice|(?:\d+|two|three|four|five|six|seven|eight|nine|ten)\s+times)\b",
    re.IGNORECASE,
)
"""How much: a number with a unit ("15 minutes", "one hour", "2 sessions") or how many times ("twice")."""
_FREQUENCY = re.compile(
    r"\b(?:daily|weekly|fortnightly|monthly|termly|half-termly|yearly|annually|"
    r"(?:a|an|per|each|every|every\s+other)\s+(?:school\s+)?(?:day|morning|afternoon|lunchtime|week|"
    r"fortnight|month|term|half-term|half\s+term|year|lesson|session)|"
    r"(?:every|each|on)\s+(?:monday|tuesday|wednesday|thursday|friday)s?|"
    r"(?:on\s+)?(?:mondays|tuesdays|wednesdays|thursdays|fridays)|"
    r"(?:a|per)\s+(?:school\s+)?week)\b",
    re.IGNORECASE,
)
"""How often: "twice weekly", "a day", "every morning", "each term", "on Mondays"."""


def amount_in_words(text: str) -> bool:
    return _AMOUNT.search(text) is not None


def frequency_in_words(text: str) -> bool:
    return _FREQUENCY.search(text) is not None


# Who delivers it, and with what expertise -----------------------------------------------------------

_EXPERTISE = re.compile(
    r"\b(?:teaching\s+assistants?|learning\s+support\s+assistants?|support\s+assistants?|teachers?|"
    r"sencos?|therapists?|speech\s+and\s+language|physiotherapists?|psychologists?|nurses?|"
    r"doctors?|paediatricians?|consultants?|mentors?|key\s*workers?|social\s+workers?|"
    r"support\s+workers?|practitioners?|counsellors?|coach(?:es)?|specialists?|specialist|tutors?|"
    r"supervisors?|elsas?|instructors?|trained|qualified|accredited|experienced|certified|"
    r"occupational\s+therapy|educational\s+psychology|camhs|audiologists?|orthoptists?|"
    r"dietitians?|keyworkers?|one-to-one\s+assistants?|1:1\s+assistants?)\b"
    r"|\b(?:TAs?|LSAs?|OTs?|SALTs?|EPs?)\b",
    re.IGNORECASE,
)
"""A role or training that says what expertise the provision needs."""
_ABBREVIATIONS = re.compile(r"\b(?:TAs?|LSAs?|OTs?|SALTs?|EPs?)\b")


def _names_expertise(text: str) -> bool:
    for match in _EXPERTISE.finditer(text):
        word = match.group(0)
        if word.upper().rstrip("S") in {"TA", "LSA", "OT", "SALT", "EP"} and not _ABBREVIATIONS.fullmatch(
            word
        ):
            continue  # "ta", "ot" in lower case are not the abbreviations
        return True
    return False


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


_ANY_VAGUE = re.compile("|".join(f"(?:{entry.pattern.pattern})" for entry in VAGUE_PHRASES), re.IGNORECASE)
"""Every phrase at once: most provision has none, and one scan of the words then says so."""


def vague_phrases(text: str) -> list[Flag]:
    """Every listed vague phrase in the words, in the order of the list, once each."""
    found: list[Flag] = []
    if _ANY_VAGUE.search(text) is None:
        return found
    for entry in VAGUE_PHRASES:
        match = next(
            (
                match
                for match in entry.pattern.finditer(text)
                if entry.keep is None or entry.keep(text, match)
            ),
            None,
        )
        if match is not None:
            found.append(
                Flag(
                    VAGUE,
                    f"Vague wording: “{match.group(0)}”",
                    f"{entry.reason} {entry.instead}",
                    entry.phrase,
                    match.group(0),
                )
            )
    return found


def provision_flags(content: ItemContent) -> list[Flag]:
    """What is unspecific about one provision: vague wording, then each missing particular."""
    return flags_of_words(
        content.text,
        content.delivered_by,
        content.delivered_by_organisation_id,
        (content.amount, content.unit, content.frequency),
    )


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
    flags = vague_phrases(text)
    if not structured and not amount_in_words(text):
        flags.append(
            Flag(
                NO_AMOUNT,
                "It does not say how much",
                "Give the amount: minutes, hours or sessions (“15 minutes”, “3 sessions”).",
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
    names_expertise = _names_expertise(delivered_by) or _names_expertise(text)
    if not delivered_by and not has_organisation and not names_expertise:
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
