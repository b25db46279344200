"""The documented list of vague wording in provision: each phrase, why it fails, and what to write instead.

The policy is explained in app/services/quality/rules.py (and README "Plan quality"); this is its list.
Most entries are vague whatever surrounds them; those marked `softening` are forgiven in a sentence that
says how long and how often, in provision that says who gives it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from app.services.quality import wording


@dataclass(frozen=True)
class VaguePhrase:
    """A phrase that makes provision unenforceable, why, and what to write instead."""

    phrase: str
    reason: str
    instead: str
    pattern: re.Pattern[str] = field(repr=False)
    keep: Callable[[str, re.Match[str]], bool] | None = field(default=None, repr=False, compare=False)
    """Whether a match really is the vague use (for example "may" the verb, not the month of May)."""
    softening: bool = False
    """Forgiven in a sentence that says how long and how often, in provision that says who gives it."""


def _words(*phrases: str, also: str = "") -> re.Pattern[str]:
    """Any of the phrases as whole words, whatever the spacing (or the pattern `also`), in folded words."""
    alternatives = "|".join(
        r"\s+".join(re.escape(word) for word in phrase.lower().split()) for phrase in phrases
    )
    return re.compile(rf"\b(?:{alternatives})\b" + (f"|{also}" if also else ""))


_DATE_WORDS = {"in", "from", "by", "until", "till", "since", "of", "end", "early", "late", "mid", "before"}


def _may_the_verb(text: str, match: re.Match[str]) -> bool:
    """'may' as in 'may have', not 'in May 2027' or '3 May'."""
    before = text[: match.start()].split()
    after = text[match.end() :].lstrip()
    word = text[match.start() : match.end()]
    previous = before[-1] if before else ""
    if after[:1].isdigit() or previous.lower() in _DATE_WORDS:
        return False
    if previous.isdigit() and word == "May":
        return False
    return not (word == "May" and before and not before[-1].endswith((".", "!", "?")))


def _caps_the_provision(text: str, match: re.Match[str]) -> bool:
    """'up to 10 hours', not 'a group of up to 6 pupils' (a ceiling on the group is a good thing)."""
    return not wording.limits_a_group(text, match.start(), match.end())


_IN_ADDITION = re.compile(
    r"(?:in\s+addition\s+to|as\s+well\s+as|on\s+top\s+of|over\s+and\s+above|beyond)\s+$", re.IGNORECASE
)


def _instead_of_more(text: str, match: re.Match[str]) -> bool:
    """'quality first teaching' as the provision, not 'in addition to quality first teaching'."""
    return _IN_ADDITION.search(text[max(0, match.start() - 24) : match.start()]) is None


VAGUE_PHRASES: tuple[VaguePhrase, ...] = (
    VaguePhrase(
        "access to",
        "“Access to” says the child may use something, not that they will get it: nobody can be held to it.",
        "Say what the child will get, how much and how often: “a quiet room for 15 minutes, twice a day”.",
        _words("access to", "have access", "has access", "accessing", "can access", "able to access"),
        softening=True,
    ),
    VaguePhrase(
        "regular",
        "“Regular” does not say how often: once a term is regular.",
        "Say how often: “three times a week”, “every morning before registration”.",
        _words("regular", "regularly"),
        softening=True,
    ),
    VaguePhrase(
        "frequent",
        "“Frequent” does not say how often: what is frequent to one adult is rare to another.",
        "Say how often: “every 20 minutes”, “at the start of each lesson”.",
        _words("frequent", "frequently"),
        softening=True,
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
        _words(
            "when appropriate",
            "as appropriate",
            "where appropriate",
            "if appropriate",
            "as deemed appropriate",
            "if deemed appropriate",
        ),
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
        _words(
            "as needed",
            "when needed",
            "if needed",
            "as necessary",
            "where necessary",
            "when necessary",
            "if necessary",
            "as and when",
            "deemed necessary",
        ),
    ),
    VaguePhrase(
        "opportunities to",
        "An opportunity is not provision: it does not say what will happen.",
        "Say what the child will do, with whom, how long and how often.",
        _words("opportunities to", "opportunity to", "opportunities for", "opportunity for", "the chance to"),
        softening=True,
    ),
    VaguePhrase(
        "may",
        "“May” says something might happen, not that it will.",
        "Say what will happen: “will”, with how much and how often.",
        re.compile(r"\bmay\b"),
        _may_the_verb,
    ),
    VaguePhrase(
        "might",
        "“Might” and “could” say what is possible, not what will happen.",
        "Say what will happen: “will”, with how much and how often.",
        _words("might", "could"),
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
        _caps_the_provision,
    ),
    VaguePhrase(
        "a maximum of",
        "“A maximum of” sets a ceiling, not an amount: none at all is within it.",
        "Give the amount the child will get (“6 sessions of 45 minutes”); “at least” is a floor and is fine.",
        _words("a maximum of", "maximum of", "no more than", "at most"),
        _caps_the_provision,
    ),
    VaguePhrase(
        "where possible",
        "“Where possible” makes the provision optional.",
        "Say what will be done; if something might stop it, say what happens then.",
        _words(
            "where possible",
            "if possible",
            "when possible",
            "wherever possible",
            "as far as possible",
            "as much as possible",
            "as often as possible",
            "where feasible",
            "where practicable",
        ),
    ),
    VaguePhrase(
        "ongoing",
        "“Ongoing” does not say how often or for how long.",
        "Say how often, and until when or until what is achieved.",
        _words("ongoing", "on-going", "continued support", "continuing support"),
        softening=True,
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
        softening=True,
    ),
    VaguePhrase(
        "to be determined by the setting",
        "Provision left for the school or service to decide is not in the plan: the plan must say it.",
        "Write down now what will be provided, how much, how often and by whom.",
        _words(
            "to be determined",
            "to be decided",
            "to be agreed",
            "as agreed",
            "as determined by",
            "discretion",
            "as the school sees fit",
            "as the setting sees fit",
            "in line with school policy",
            "in line with the school's policy",
            "in accordance with school policy",
            "as per school policy",
        ),
    ),
    VaguePhrase(
        "differentiated curriculum",
        "Every child's teaching is differentiated: “differentiated” does not say what will be different.",
        "Say what will be adapted and how: “worksheets in 14-point font with key words pre-taught”.",
        re.compile(r"\bdifferentiat(?:ed|ion)\b"),
    ),
    VaguePhrase(
        "strategies to support",
        "“Strategies” does not say which: the child cannot hold a school to strategies nobody named.",
        "Name each strategy or programme, who uses it, how long and how often.",
        _words(
            "strategies to support",
            "strategies to help",
            "strategies to develop",
            "strategies to manage",
            "strategies to improve",
            "a range of strategies",
            "a variety of strategies",
            "appropriate strategies",
            "support strategies",
            "a range of interventions",
            "a range of approaches",
        ),
    ),
    VaguePhrase(
        "appropriate support",
        "“Appropriate” or “suitable” support is whatever someone later decides it is.",
        "Say what the support is, how much, how often and who gives it.",
        _words(
            "appropriate support",
            "appropriate provision",
            "appropriate resources",
            "appropriate intervention",
            "appropriate interventions",
            "appropriate help",
            "appropriate adult support",
            "appropriate level of support",
            "appropriate equipment",
            "appropriate adjustments",
            "suitable support",
            "suitable provision",
            "adequate support",
            "sufficient support",
            "reasonable adjustments",
        ),
    ),
    VaguePhrase(
        "flexible",
        "Support to be used “flexibly” can be moved anywhere, or nowhere: the child cannot rely on it.",
        "Say when the support is given; if it moves, say within what limits and who decides.",
        _words("flexible", "flexibly", "flexibility"),
    ),
    VaguePhrase(
        "some support",
        "“Some” support has no amount: a minute is some.",
        "Give the amount: “20 minutes”, “2 hours a week”.",
        _words(
            "some support",
            "some help",
            "some time",
            "some adult",
            "some 1:1",
            "some one-to-one",
            "some small group",
            "some small-group",
            "some input",
            "some sessions",
            "some additional",
        ),
    ),
    VaguePhrase(
        "will try to",
        "Trying is not providing: nobody can show it was not tried.",
        "Say what will be done, how much and how often.",
        _words(
            "try to", "aim to", "endeavour to", "seek to", "attempt to", "best endeavours", "where we can"
        ),
    ),
    VaguePhrase(
        "subject to availability",
        "Provision “subject to” staff, funding or availability may not happen, and the plan says it may not.",
        "Say what will be provided; the council must secure it whatever is available.",
        _words(
            "subject to availability",
            "subject to funding",
            "subject to resources",
            "subject to capacity",
            "subject to staffing",
            also=r"\b(?:resources|staffing|funding|capacity|time)\s+permitting\b"
            r"|\b(?:if|where|when|as)\s+(?:resources|staffing|funding|the\s+budget|capacity|time)\s+"
            r"(?:allows?|permits?)\b",
        ),
    ),
    VaguePhrase(
        "usually",
        "“Usually” leaves room for the times it does not happen.",
        "Say what will happen every time, and what happens if it cannot.",
        _words("usually", "normally", "typically", "generally", "in most cases", "most days", "most weeks"),
    ),
    VaguePhrase(
        "quality first teaching",
        "Quality first teaching is what every child gets: it is not special educational provision.",
        "Say what will be provided in addition to it, how much, how often and by whom.",
        _words(
            "quality first teaching",
            "high quality teaching",
            "high-quality teaching",
            "wave 1",
            "universal provision",
            "ordinarily available",
        ),
        _instead_of_more,
    ),
    VaguePhrase(
        "input",
        "“Input” does not say what the person will do, nor how much of it.",
        "Say what they will do (“a 30-minute session”, “a programme for school”), how long and how often.",
        _words("input"),
        softening=True,
    ),
)
"""The documented list of vague wording: flagged wherever it appears (softening ones: out of context)."""
