"""The rules of specific provision: each vague phrase, quantities in words, who delivers it and how.

The labelled set (tests/data/provision_statements.csv) was written for these tests and labelled against
Code of Practice 9.69: specific provision says what it is, how long, how often and who (with what
expertise) delivers it, with nothing left optional. Statements marked "held out" were written after
the checker was last changed, to show how it does on wording it was not shaped by.
"""

import csv
from pathlib import Path

import pytest

from app.models import ItemContent, ProvisionFrequency, ProvisionUnit
from app.services.quality.rules import (
    NO_AMOUNT,
    NO_DELIVERER,
    NO_EXPERTISE,
    NO_FREQUENCY,
    VAGUE,
    VAGUE_PHRASES,
    amount_in_words,
    flags_of_words,
    frequency_in_words,
    is_unquantified,
    provision_flags,
    vague_phrases,
)
from app.services.quality.wording import GroupSize, group_size

SPECIFIC = "a quiet room, 15 minutes, twice a day, with a teaching assistant"


def codes(text: str, **particulars: object) -> list[str]:
    content = ItemContent.model_construct(text=text, **particulars)
    return [flag.code if flag.code != VAGUE else f"vague:{flag.phrase}" for flag in provision_flags(content)]


# Each phrase of the documented list, with wording that uses it and wording that does not ------------

PHRASE_EXAMPLES = {
    "access to": ("Sam will have access to a quiet room", "Sam will use a quiet room"),
    "regular": ("Regular speech and language therapy", "Speech and language therapy"),
    "would benefit from": (
        "Sam would benefit from a social skills group",
        "Sam will join a social skills group",
    ),
    "when appropriate": ("Movement breaks when appropriate", "Movement breaks before each lesson"),
    "as required": ("Adult support as required", "Adult support in maths"),
    "support as needed": ("Support as needed in class", "Support in class"),
    "opportunities to": ("Opportunities to practise turn-taking", "Practising turn-taking in a pair"),
    "may": ("Sam may be given a laptop", "Sam will be given a laptop in May 2027"),
    "should have": ("Sam should have a reader in tests", "Sam will have a reader in tests"),
    "up to": ("Up to 10 hours of 1:1 support", "10 hours of 1:1 support"),
    "where possible": ("A consistent adult where possible", "The same adult every day"),
    "ongoing": ("Ongoing monitoring of progress", "Progress checked against the targets"),
    "from time to time": ("Check-ins from time to time", "Check-ins with the SENCo"),
    "encouraged to": ("Sam will be encouraged to use his checklist", "Sam uses his checklist with an adult"),
    "will be considered": ("A laptop will be considered", "A laptop for written work"),
    "available": ("A quiet space is available", "A quiet space in the library"),
    "frequent": ("Frequent movement breaks", "A movement break every 20 minutes"),
    "might": ("Sam might use a laptop", "Sam will use a laptop"),
    "a maximum of": ("A maximum of 6 sessions of play therapy", "A minimum of 6 sessions of play therapy"),
    "to be determined by the setting": (
        "Support to be determined by the setting",
        "Support set out in this section, 5 hours a week",
    ),
    "differentiated curriculum": ("A differentiated curriculum", "Worksheets in 14-point font"),
    "strategies to support": ("Strategies to support attention", "A wobble cushion and a timer on the desk"),
    "appropriate support": ("Appropriate support at lunchtime", "A lunchtime club in the library"),
    "flexible": ("10 hours of TA support to be used flexibly", "10 hours of TA support, 2 each morning"),
    "some support": ("Some 1:1 support in English", "1:1 support in English"),
    "will try to": ("The school will try to seat Sam near the door", "Sam's seat is near the door"),
    "subject to availability": ("Swimming, subject to availability", "Swimming at the leisure centre"),
    "usually": ("Usually with the same adult", "Always with the same adult"),
    "quality first teaching": (
        "Quality first teaching in class",
        "In addition to quality first teaching, a reading group",
    ),
    "input": ("Speech and language therapy input", "Speech and language therapy"),
}


def test_every_phrase_of_the_list_has_a_reason_advice_and_an_example() -> None:
    assert {entry.phrase for entry in VAGUE_PHRASES} == set(PHRASE_EXAMPLES)
    for entry in VAGUE_PHRASES:
        assert entry.reason.strip()
        assert entry.instead.strip()


@pytest.mark.parametrize("phrase", list(PHRASE_EXAMPLES))
def test_each_vague_phrase_is_flagged_with_its_reason_and_advice(phrase: str) -> None:
    vague, clear = PHRASE_EXAMPLES[phrase]
    [flag] = [flag for flag in vague_phrases(vague) if flag.phrase == phrase]
    entry = next(entry for entry in VAGUE_PHRASES if entry.phrase == phrase)
    assert flag.advice == f"{entry.reason} {entry.instead}"
    assert flag.found is not None
    assert flag.found.lower() in vague.lower()
    assert phrase not in {flag.phrase for flag in vague_phrases(clear)}


@pytest.mark.parametrize(
    "text", ["Review in May", "from May 2027", "Starts 3 May", "By the end of May, three sessions"]
)
def test_may_the_month_is_not_vague(text: str) -> None:
    assert "may" not in {flag.phrase for flag in vague_phrases(text)}


# Quantities, structured or in words -------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Speech and language therapy, 30 minutes twice weekly with the SALT",
        "Reading with a teaching assistant, 15 minutes a day",
        "Social skills group with the ELSA, 45 minutes three times a week",
        "Precision teaching, 10 minutes every morning, by a trained TA",
        "Occupational therapy, one 60-minute session each term, by an occupational therapist",
        "Physiotherapy, 2 sessions of 40 mins per week, from the physiotherapist",
        SPECIFIC,
    ],
)
def test_quantities_in_words_count_as_quantified(text: str) -> None:
    assert codes(text) == []


def test_structured_amount_and_frequency_count_as_quantified() -> None:
    assert (
        codes(
            "Small-group language sessions",
            amount=3,
            unit=ProvisionUnit.SESSIONS,
            frequency=ProvisionFrequency.WEEK,
            delivered_by="Teaching assistant trained in Language for Thinking",
        )
        == []
    )


def test_an_amount_without_how_often_and_how_often_without_an_amount_are_unquantified() -> None:
    assert codes("Reading support, 20 minutes, with a teaching assistant") == [NO_FREQUENCY]
    assert codes("Reading support every day with a teaching assistant") == [NO_AMOUNT]
    content = ItemContent.model_construct(text="Reading support every day with a teaching assistant")
    assert is_unquantified(provision_flags(content))


def test_the_journeys_vague_provision_and_its_rewrite() -> None:
    assert codes("access to a quiet space when appropriate") == [
        "vague:access to",
        "vague:when appropriate",
        NO_AMOUNT,
        NO_FREQUENCY,
        NO_DELIVERER,
    ]
    assert codes(SPECIFIC) == []


# Who delivers it, and the expertise needed ----------------------------------------------------------------


def test_provision_that_names_no_one_is_flagged_for_who_delivers_it() -> None:
    assert codes("A visual timetable, 10 minutes a day") == [NO_DELIVERER]


def test_an_organisation_or_a_name_without_a_role_is_flagged_for_expertise() -> None:
    assert codes("A visual timetable, 10 minutes a day", delivered_by_organisation_id=1) == [NO_EXPERTISE]
    assert codes("A visual timetable, 10 minutes a day", delivered_by="Ms Jones") == [NO_EXPERTISE]
    assert codes("A visual timetable, 10 minutes a day", delivered_by="Short breaks team") == [NO_EXPERTISE]


@pytest.mark.parametrize(
    "delivered_by",
    ["Teaching assistant", "Speech and language therapist", "Key worker trained in travel training", "SENCo"],
)
def test_a_role_or_training_names_the_expertise(delivered_by: str) -> None:
    assert codes("A visual timetable, 10 minutes a day", delivered_by=delivered_by) == []


def test_abbreviations_count_only_in_capitals() -> None:
    assert codes("Reading, 10 minutes a day, with a TA") == []
    assert NO_DELIVERER in codes("Reading, 10 minutes a day, ta")


def test_an_adult_or_staff_names_someone_but_not_the_expertise() -> None:
    assert codes("Reading with an adult, 15 minutes every day") == [NO_EXPERTISE]
    assert codes("Emotional support from school staff, 10 minutes each morning") == [NO_EXPERTISE]


@pytest.mark.parametrize(
    "role",
    [
        "a TA",
        "two TAs",
        "the HLTA",
        "an LSA",
        "the SENCo",
        "the SENCO",
        "the SENDCo",
        "the SaLT",
        "the SALT",
        "the SLT",
        "an OT",
        "the EP",
        "the ToD",
        "a QTVI",
        "the school's ELSA",
        "a specialist teacher",
        "a scribe",
        "a reader",
        "a member of the learning support team",
        "the learning support department",
        "a physiotherapist",
        "the physiotherapy service",
        "a habilitation specialist",
        "a Portage home visitor",
        "the autism outreach team",
        "the Specialist Teaching Service",
        "the independent travel trainer",
        "a BSL interpreter",
        "a job coach",
        "the learning mentor",
        "the school counsellor",
        "a midday supervisor",
        "a key worker",
        "a personal assistant",
        "a clinical psychologist from CAMHS",
        "a member of staff trained in Makaton",
    ],
)
def test_roles_and_services_used_in_england_name_who_delivers_it(role: str) -> None:
    assert codes(f"Reading practice, 15 minutes a day, with {role}") == []


def test_a_specialist_thing_is_not_a_specialist_person() -> None:
    assert codes("A specialist chair, 15 minutes a day") == [NO_DELIVERER]


# How much, how often, and coverage, in words -----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "15 minutes",
        "15 mins",
        "a 30-minute session",
        "1.5 hours",
        "2 hrs",
        "45m",
        "an hour",
        "half an hour",
        "one and a half hours",
        "two lessons",
        "half a day",
        "a full day",
        "one overnight stay",
        "from 1:15 to 3:00",
        "9.00-9.30",
        "25% extra time",
    ],
)
def test_how_long_each_time_is_an_amount(text: str) -> None:
    assert amount_in_words(text)


@pytest.mark.parametrize(
    "text",
    ["three times weekly", "twice a day", "2 sessions per week", "6 sessions", "a 1:1 session", "daily"],
)
def test_how_many_times_is_not_how_long(text: str) -> None:
    assert not amount_in_words(text)


def test_a_frequency_alone_asks_how_long_each_time() -> None:
    assert codes("Speech and language therapy three times weekly with the SaLT") == [NO_AMOUNT]
    assert codes("Two sessions a week with a SaLT") == [NO_AMOUNT]


@pytest.mark.parametrize(
    "text",
    [
        "daily",
        "twice weekly",
        "fortnightly",
        "half-termly",
        "annual",
        "three times a week",
        "once a term",
        "per half term",
        "each lesson",
        "every morning",
        "every other week",
        "every 20 minutes",
        "every 3 months",
        "each new topic",
        "on Mondays",
        "every Thursday",
        "Tuesday and Thursday mornings",
        "during the autumn term",
        "30 mins/day",
        "3 hours pw",
    ],
)
def test_how_often_in_words(text: str) -> None:
    assert frequency_in_words(text)


@pytest.mark.parametrize(
    "text", ["when he is upset", "a session", "in a lesson", "once he is settled", "Monday 3 May"]
)
def test_not_how_often(text: str) -> None:
    assert not frequency_in_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "full-time",
        "full time",
        "throughout the school day",
        "the whole school day",
        "the whole of lunchtime",
        "at all times",
        "in all lessons",
        "in every maths lesson",
        "for all written work",
        "in all internal and external exams",
        "at every break and lunchtime",
        "at every meal and snack",
        "during break and lunch",
    ],
)
def test_coverage_says_how_much_and_how_often_at_once(text: str) -> None:
    assert amount_in_words(text)
    assert frequency_in_words(text)


@pytest.mark.parametrize(
    "text",
    [
        "Full-time 1:1 support from a teaching assistant throughout the school day (32.5 hours)",
        "30hrs of dedicated 1:1 by a specialist TA",
        "32.5 hours a week of support from an LSA",
        "A scribe for all written work, from the learning support department",
    ],
)
def test_coverage_quantities_are_understood(text: str) -> None:
    assert codes(text) == []


def test_hours_only_a_week_holds_are_hours_a_week_but_a_few_hours_are_not() -> None:
    assert frequency_in_words("30hrs of dedicated 1:1")
    assert not frequency_in_words("3 hours of 1:1")


# Group size ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "children"),
    [
        ("30 minutes of 1:1 reading", "individual", 1),
        ("one-to-one with a TA", "individual", 1),
        ("1-1 support", "individual", 1),
        ("in a ratio of 1:3", "small group", 3),
        ("a small group of 4", "small group", 4),
        ("in a group of three", "small group", 3),
        ("groups of up to 6 pupils", "small group", 6),
        ("with five children", "small group", 5),
        ("a small group", "small group", None),
        ("in pairs", "pair", 2),
        ("whole class", "whole class", None),
        ("whole-class teaching", "whole class", None),
    ],
)
def test_group_sizes_in_words(text: str, kind: str, children: int | None) -> None:
    assert group_size(text) == GroupSize(kind, children)


def test_no_group_size_and_a_time_is_not_a_ratio() -> None:
    assert group_size("Reading at 11:15 with a TA") is None


@pytest.mark.parametrize(
    "text",
    [
        "A social group of up to 6 pupils, 45 minutes weekly, with the ELSA",
        "Lego therapy in groups of no more than 4, 30 minutes a week, with a trained TA",
        "A nurture group with a maximum of 8 children, every afternoon from 1:15 to 3:00, with a teacher",
    ],
)
def test_a_ceiling_on_the_group_is_not_a_ceiling_on_the_provision(text: str) -> None:
    assert codes(text) == []


def test_a_floor_is_an_amount_a_ceiling_is_not() -> None:
    assert codes("At least 20 minutes of reading a day with a TA") == []
    assert codes("A minimum of 20 minutes of reading a day with a TA") == []
    assert codes("A maximum of 20 minutes of reading a day with a TA") == ["vague:a maximum of"]
    assert codes("Up to 20 minutes of reading a day with a TA") == ["vague:up to"]


# Vague phrases in context ------------------------------------------------------------------------------

SOFTENING = {entry.phrase for entry in VAGUE_PHRASES if entry.softening}


def test_the_softening_phrases_are_these() -> None:
    assert SOFTENING == {
        "access to",
        "regular",
        "frequent",
        "opportunities to",
        "ongoing",
        "available",
        "input",
    }


@pytest.mark.parametrize(
    "text",
    [
        "Access to the sensory room for 15 minutes at the start of each lesson, supervised by a trained TA",
        "Regular check-ins with a trained LSA: 5 minutes at the start of every school day",
        "Frequent movement breaks of 3 minutes every 20 minutes, prompted by the TA",
        "Opportunities to practise conversation in a group of 4, 40 minutes once a week, with the SaLT",
        "Ongoing speech and language therapy from the SaLT: 45 minutes every fortnight",
        "A quiet room is available to him for 15 minutes each lunchtime, with his key worker",
        "SaLT input of 1 hour a week",
    ],
)
def test_a_softening_phrase_in_a_sentence_that_says_how_much_how_often_and_who_is_not_flagged(
    text: str,
) -> None:
    assert codes(text) == []


def test_a_softening_phrase_is_flagged_without_how_long_how_often_or_who() -> None:
    assert codes("Access to the sensory room for 15 minutes, with a trained TA") == [
        "vague:access to",
        NO_FREQUENCY,
    ]
    assert codes("Access to the sensory room every lesson for 15 minutes") == [
        "vague:access to",
        NO_DELIVERER,
    ]
    assert "vague:access to" in codes("Access to the sensory room")


def test_the_quantities_must_be_in_the_same_sentence_as_the_softening_phrase() -> None:
    assert codes("Reading with a TA, 20 minutes daily. Access to a laptop.") == ["vague:access to"]


def test_a_phrase_vague_whatever_surrounds_it_spoils_its_sentence() -> None:
    assert codes("Access to the sensory room, 15 minutes each lesson, with a TA, when appropriate") == [
        "vague:access to",
        "vague:when appropriate",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Speech and language therapy, 30 minutes weekly with the SaLT, as required",
        "Sam would benefit from 30 minutes of reading a day with a TA",
        "Support to be determined by the setting, 5 hours a week from a TA",
        "A differentiated curriculum from the class teacher in every lesson",
        "Strategies to support attention, 15 minutes a day, used by the TA",
    ],
)
def test_phrases_vague_whatever_surrounds_them_are_flagged_in_quantified_wording(text: str) -> None:
    assert any(code.startswith("vague:") for code in codes(text))


def test_structured_quantities_make_good_a_softening_phrase() -> None:
    assert (
        codes(
            "Access to the sensory room",
            amount=15,
            unit=ProvisionUnit.MINUTES,
            frequency=ProvisionFrequency.DAY,
            delivered_by="Teaching assistant",
        )
        == []
    )


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Support from the ordinarily available provision", "quality first teaching"),
        ("Short breaks as agreed with the family", "to be determined by the setting"),
        ("Sessions at the SaLT's discretion", "to be determined by the setting"),
        ("Swimming, staffing permitting", "subject to availability"),
        ("A TA where resources allow", "subject to availability"),
        ("Maths support in line with the school's policy", "to be determined by the setting"),
        ("Differentiation in all lessons", "differentiated curriculum"),
        ("No more than 2 hours a week of tutoring", "a maximum of"),
        ("Some small-group work", "some support"),
        ("The school will aim to provide a laptop", "will try to"),
        ("Counselling, typically 6 sessions", "usually"),
    ],
)
def test_other_wordings_of_a_listed_phrase(text: str, phrase: str) -> None:
    assert phrase in {flag.phrase for flag in vague_phrases(text)}


def test_quality_first_teaching_is_not_flagged_when_provision_is_in_addition_to_it() -> None:
    assert codes("In addition to quality first teaching, 20 minutes of reading a day with a TA") == []


# The labelled set: how far professionals can trust the flags -----------------------------------------------

STATEMENTS = Path(__file__).parent / "data" / "provision_statements.csv"


def labelled_statements() -> list[dict[str, str]]:
    with STATEMENTS.open(newline="", encoding="utf-8") as rows:
        return list(csv.DictReader(rows))


def flagged(text: str) -> bool:
    """Any flag at all, from the words alone (no structured particulars, no deliverer field)."""
    return bool(flags_of_words(text, None, None, (None, None, None)))


def test_the_labelled_set_is_large_balanced_and_covers_each_kind_of_miss() -> None:
    statements = labelled_statements()
    assert len(statements) >= 150
    assert len({statement["text"] for statement in statements}) == len(statements)
    vague = sum(statement["label"] == "vague" for statement in statements)
    assert 0.4 <= vague / len(statements) <= 0.6
    kinds = {(statement["label"], statement["miss"]) for statement in statements}
    assert {("specific", kind) for kind in ("softened", "coverage", "role", "group", "plain")} <= kinds
    assert {
        ("vague", kind)
        for kind in (
            "softened_unquantified",
            "weasel",
            "ceiling",
            "frequency_only",
            "no_quantity",
            "no_expertise",
        )
    } <= kinds


def test_recall_on_vague_provision_and_specificity_on_specific_provision(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The figures professionals would see; printed on every run, not only on failure."""
    statements = labelled_statements()
    vague = [statement["text"] for statement in statements if statement["label"] == "vague"]
    specific = [statement["text"] for statement in statements if statement["label"] == "specific"]
    missed = [text for text in vague if not flagged(text)]
    wrongly_flagged = [text for text in specific if flagged(text)]
    recall = 1 - len(missed) / len(vague)
    specificity = 1 - len(wrongly_flagged) / len(specific)
    report = [
        f"Provision checker on {len(statements)} labelled statements ({len(vague)} vague, {len(specific)} "
        f"specific): recall on vague {recall:.3f}, specificity {specificity:.3f}"
    ]
    for written in sorted({statement["written"] for statement in statements}):
        part = [statement for statement in statements if statement["written"] == written]
        part_vague = [one["text"] for one in part if one["label"] == "vague"]
        part_specific = [one["text"] for one in part if one["label"] == "specific"]
        report.append(
            f"  written {written}: {len(part)} statements, recall "
            f"{sum(map(flagged, part_vague)) / len(part_vague):.3f}, specificity "
            f"{sum(not flagged(text) for text in part_specific) / len(part_specific):.3f}"
        )
    report += [f"  vague, not flagged: {text}" for text in missed]
    report += [f"  specific, flagged: {text}" for text in wrongly_flagged]
    with capsys.disabled():
        print("\n" + "\n".join(report))  # noqa: T201 - the figures are the point of the test
    assert recall >= 0.95
    assert specificity >= 0.90
