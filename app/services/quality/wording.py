"""Reading provision as it is written in England: how much, how often, for how many, and who.

Pure functions over patterns compiled once; the plan page reads every provision of a plan, so each
call is a handful of regular-expression scans. What counts, and why (Code of Practice 9.69: "type,
hours and frequency of support and level of expertise"):

- How much is a length of time each time: "15 minutes", "1.5 hrs", "a 30-minute session", "half a
  day", "two lessons" (a lesson is a timetabled length). A count of times or sessions alone is not an
  amount: "three times weekly" says how often, not how long.
- How often is a period: "daily", "twice a week", "each term", "every 20 minutes", "on Mondays".
- Coverage says both at once: "full-time", "throughout the school day", "in all lessons", "at all
  times", "at every break and lunchtime"; and a number of hours only a school week holds (15 to 40,
  as in "30hrs of dedicated 1:1") is read as hours a week.
- Who is a role or service used in England (TA, HLTA, LSA, SENCo, SaLT/SLT, OT, EP, specialist
  teacher, scribe, "a member of the learning support team", ...) or training ("trained in ...").
  "An adult" or "staff" names someone but not the expertise.
- Group size ("1:1", "small group of 4", "whole class") is read for what it is, and a ceiling on a
  group ("groups of up to 6") is not a ceiling on the provision.
"""

import re
from dataclasses import dataclass


def fold(text: str) -> str:
    """The words in lower case, letter for letter, so that positions in it are positions in the words.

    The patterns here are written in lower case and matched without IGNORECASE, which makes Python's
    engine try every alternative at every letter: matching folded text is several times faster.
    """
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(letter.lower() if len(letter.lower()) == 1 else letter for letter in text)


_N = r"(?<![\d.,])"
"""Not inside a longer number ("3x20 minutes" still reads 20)."""
_NUMBER_WORDS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|twenty-five|thirty|"
    "forty|forty-five|fifty|sixty|ninety"
)
_NUMBER = rf"(?:{_N}\d+(?:\.\d+)?|\b(?:{_NUMBER_WORDS}))"
_SMALL_NUMBER = r"(?:\d+|two|three|four|five|six|seven|eight|nine|ten|twelve)"

_AMOUNT = re.compile(
    rf"{_NUMBER}\s*(?:-\s*|\s+and\s+a\s+half\s+)?(?:minutes?|mins?|min|hours?|hrs?|hr)\b"
    rf"|{_N}\d+(?:\.\d+)?(?:h|m)\b"
    r"|\b(?:an|half\s+an|a\s+half|(?:a\s+)?quarter\s+of\s+an|three\s+quarters\s+of\s+an)[\s-]+hour\b"
    rf"|{_NUMBER}(?:\s+|-)(?:full\s+|whole\s+|half[\s-])?(?:school\s+)?"
    r"(?:days?|mornings?|afternoons?|evenings?|lessons?|periods?|nights?|overnight\s+stays?|weekends?)\b"
    r"|\b(?:half\s+a|a\s+half|a\s+full|a\s+whole)[\s-](?:school\s+)?day\b"
    r"|\b\d+\s*%\s+extra\s+time\b"
    r"|\b\d{1,2}[:.]\d{2}\s*(?:am|pm)?\s*(?:-|–|to|until|till)\s*\d{1,2}[:.]\d{2}\b",
)
"""How long each time: a length of time, whole days, lessons or nights, or a span of clock times."""

_DAYS = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_PERIOD = (
    r"(?:school\s+)?(?:day|week|fortnight|month|term|half[\s-]term|year|academic\s+year|lesson|session|"
    r"transition|registration|morning|afternoon|evening|lunch\s*time|break\s*time|break|playtime|"
    r"weekend|night|visit|meeting|review|journey|topic|unit|meal|mealtime|trip)"
)
_FREQUENCY = re.compile(
    r"\b(?:daily|weekly|fortnightly|monthly|termly|half[\s-]termly|yearly|annual|annually|bi-?weekly|bi-?monthly)\b"
    r"|\b(?:a|an|once\s+a|twice\s+a)\s+(?:school\s+)?(?:day|week|fortnight|month|term|half[\s-]term|year)\b"
    rf"|\b(?:per|each|every|every\s+other)\s+(?:new\s+)?{_PERIOD}s?\b"
    rf"|\bevery\s+{_SMALL_NUMBER}\s+(?:minutes|mins|hours|days|weeks|months)\b"
    rf"|\b(?:every|each|on)\s+{_DAYS}s?\b|\b{_DAYS}s\b"
    rf"|\b{_DAYS}\s+(?:mornings|afternoons|evenings|lunchtimes)\b"
    r"|\b(?:over|during|across|in|for|each|every|per)\s+the\s+(?:autumn|spring|summer)\s+(?:\d\s+)?"
    r"(?:term|half[\s-]term)\b"
    r"|/\s*(?:day|wk|week|term|month)\b|\bp/?w\b"
    r"|\b(?:one-off|a\s+single)\b",
)
"""How often: a period ("a week", "each term", "on Mondays") or a word for one ("daily", "termly")."""

_COVERAGE = re.compile(
    r"\bfull[\s-]time\b"
    r"|\ball\s+day\b"
    r"|\bthroughout\s+(?:the|each|every)\s+(?:whole\s+)?(?:school\s+)?(?:day|week)\b"
    r"|\b(?:the\s+)?whole\s+(?:of\s+the\s+)?school\s+(?:day|week)\b"
    r"|\b(?:the\s+whole|all)\s+of\s+(?:the\s+|each\s+|every\s+)?"
    r"(?:lunch\s*time|lunch|break\s*time|break|playtime|lesson|morning|afternoon|session|day)\b"
    r"|\bat\s+all\s+times\b"
    r"|\b(?:for|in|during|throughout|at)\s+(?:all|every|each)\s+(?:of\s+(?:his|her|their)\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:lessons?|periods?|tests?|exams?|examinations?|assessments?|written\s+(?:work|tasks?)|tasks?|breaks?|"
    r"break\s*times?|lunch\s*times?|playtimes?|unstructured\s+times?|transitions?|journeys?|trips?|"
    r"meals?|mealtimes?|snacks?)\b"
    r"|\b(?:every|each|all)\s+(?:break|morning\s+break)\w*\s+and\s+lunch\s*times?\b"
    r"|\b(?:during|at|for|throughout)\s+(?:morning\s+)?break(?:\s*time)?s?\s+and\s+lunch(?:\s*time)?s?\b",
)
"""How much and how often at once: the whole of a stated time."""

_WEEKS_HOURS = re.compile(rf"{_N}(?:1[5-9]|[23]\d|40)(?:\.\d+)?\s*(?:hours?|hrs?)\b")
"""More hours than a day holds, fewer than a school week: hours a week ("30hrs of dedicated 1:1")."""


def amount_stated(text: str) -> bool:
    """Whether the words say how long each time (or that it covers the whole of a time)."""
    folded = fold(text)
    return _AMOUNT.search(folded) is not None or _COVERAGE.search(folded) is not None


def frequency_stated(text: str) -> bool:
    """Whether the words say how often (or that it covers the whole of a time)."""
    folded = fold(text)
    return (
        _FREQUENCY.search(folded) is not None
        or _COVERAGE.search(folded) is not None
        or _WEEKS_HOURS.search(folded) is not None
    )


# Group size --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupSize:
    """How many children the provision is given to at once (None: a small group of no stated size)."""

    kind: str
    children: int | None


_WORD_NUMBERS = {
    word: value
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_COUNT = r"(\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
_CEILING = r"(?:up\s+to\s+|no\s+more\s+than\s+|a\s+maximum\s+of\s+|maximum\s+|max\.?\s+|at\s+most\s+)?"
_GROUPS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "individual",
        re.compile(
            r"(?<![\d:])1\s*(?::|-|to)\s*1(?![\d:])|\bone[\s-]to[\s-]one\b|\bindividual(?:ly)?\b",
        ),
    ),
    ("ratio", re.compile(r"(?<![\d:])1\s*:\s*([2-9])(?![\d:])")),
    ("whole class", re.compile(r"\bwhole[\s-](?:class|group)\b|\bclass[\s-]based\b")),
    (
        "small group",
        re.compile(
            rf"\bgroups?\s+of\s+{_CEILING}{_COUNT}\b|\b{_COUNT}\s+(?:pupils|children|students|learners)\b",
        ),
    ),
    ("pair", re.compile(r"\b(?:in\s+a\s+pair|in\s+pairs|paired|with\s+a\s+partner)\b")),
    ("small group", re.compile(r"\bsmall[\s-]group\b")),
)


def group_size(text: str) -> GroupSize | None:
    """The group the provision is given in, as the words say it ("1:1", "a small group of 4")."""
    folded = fold(text)
    for kind, pattern in _GROUPS:
        match = pattern.search(folded)
        if match is None:
            continue
        if kind == "individual":
            return GroupSize(kind, 1)
        if kind == "pair":
            return GroupSize(kind, 2)
        if kind == "ratio":
            return GroupSize("small group", int(match.group(1)))
        count = next((group for group in match.groups() if group), None)
        if count is None:
            return GroupSize(kind, None)
        return GroupSize(kind, int(count) if count.isdigit() else _WORD_NUMBERS[count])
    return None


_GROUP_CEILING = re.compile(
    rf"\s*{_COUNT}\s+(?:other\s+)?(?:pupils|children|students|learners|young\s+people)\b",
)
_GROUP_BEFORE = re.compile(r"\bgroups?\s+(?:of\s+)?$")


def limits_a_group(text: str, start: int, end: int) -> bool:
    """Whether "up to" or "a maximum of" at text[start:end] caps a group's size, not the provision."""
    folded = fold(text)
    before = folded[max(0, start - 12) : start]
    return _GROUP_CEILING.match(folded, end) is not None or _GROUP_BEFORE.search(before) is not None


# Who delivers it, and with what expertise ---------------------------------------------------------------

_ROLES = re.compile(
    r"\b(?:(?:higher\s+level\s+)?teaching|learning\s+support|classroom|support|passenger|personal|"
    r"one-to-one|1:1|therapy|emotional\s+literacy\s+support)\s+assistants?\b"
    r"|\blearning\s+support\s+(?:team|staff|teachers?|department|base|service|worker)s?\b"
    r"|\binclusion\s+(?:lead|manager|team|coordinator|co-ordinator)s?\b"
    r"|\b(?:teachers?|send?cos?|therapists?|speech\s+(?:and|&)\s+language|physiotherap(?:y|ists?)|physio|"
    r"psychologists?|(?:educational|clinical)\s+psychology|occupational\s+therapy|nurses?|doctors?|"
    r"paediatricians?|consultants?|mentors?|key\s*workers?|key\s+(?:adult|person)|"
    r"(?:social|support|youth|family\s+support|play|care|residential)\s+workers?|practitioners?|"
    r"counsell?ors?|coach(?:es)?|specialists|specialist(?=\s*(?:[,.;)]|$|in\b|from\b|for\b|with\b|who\b))|"
    r"tutors?|supervisors?|instructors?|audiologists?|"
    r"orthoptists?|dietitians?|trainers?|scribes?|interpreters?|communicators?|intervenors?|signers?|"
    r"mobility\s+(?:officer|specialist|instructor)s?|habilitation|portage|camhs|"
    r"(?:sensory|hearing|vision|visual\s+impairment|behaviour|autism|communication|outreach|advisory|"
    r"specialist\s+teaching|specialist\s+support)\s+(?:support\s+)?(?:team|service)s?|"
    r"outreach|specialist\s+teaching|"
    r"(?:a|an|human|adult|exam)\s+readers?|trained|qualified|accredited|experienced|certified)\b",
)
"""A role, service or training that says what expertise the provision needs."""
_ROLE_ABBREVIATIONS = re.compile(
    r"\b(?:H?LTAs?|TAs?|LSAs?|SENCOs?|SENCos?|SENDCos?|SaLTs?|SALTs?|SLTs?|SLTAs?|OTs?|EPs?|ToDs?|"
    r"QTVIs?|QTMSIs?|ELSAs?|CAMHS|BSL)\b"
)
"""Abbreviations only in capitals: "ta" and "ot" in lower case are other words."""
_SOMEONE = re.compile(
    r"\b(?:adults?|staff|members?\s+of\s+staff|helpers?|volunteers?|parents?)\b",
)
"""Someone, but not the expertise they need."""


def names_expertise(text: str) -> bool:
    """Whether the words name a role, service or training."""
    return _ROLES.search(fold(text)) is not None or _ROLE_ABBREVIATIONS.search(text) is not None


def names_someone(text: str) -> bool:
    """Whether the words name who gives it, with or without the expertise."""
    return names_expertise(text) or _SOMEONE.search(fold(text)) is not None


# Sentences -------------------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+|\s*[•·]\s*")


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Where the sentence (or clause after a semicolon, or bullet) holding text[start:end] begins and ends."""
    begin = 0
    for boundary in _SENTENCE_END.finditer(text):
        if boundary.end() <= start:
            begin = boundary.end()
        elif boundary.start() >= end:
            return begin, boundary.start()
    return begin, len(text)
