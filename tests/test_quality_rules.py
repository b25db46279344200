"""The rules of specific provision: each vague phrase, quantities in words, who delivers it and how."""

import pytest

from app.models import ItemContent, ProvisionFrequency, ProvisionUnit
from app.services.quality.rules import (
    NO_AMOUNT,
    NO_DELIVERER,
    NO_EXPERTISE,
    NO_FREQUENCY,
    VAGUE,
    VAGUE_PHRASES,
    is_unquantified,
    provision_flags,
    vague_phrases,
)

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
