"""Every action the service records reads as words on the audit pages, never as a raw code."""

import ast
import re
from pathlib import Path

from app.services.audit.actions import ACTIONS
from app.services.plans.lifecycle import Step

APP = Path(__file__).resolve().parent.parent / "app"


def recorded_actions() -> set[str]:
    """The action codes in the code that records events: `record(db, actor, "plan.read", ...)`, every
    `action="..."` of a refusal (or handed on to the helper that refuses), and the stage steps."""
    codes = {f"plan.{step.value}" for step in Step}
    for source in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call):
                continue
            called = node.func
            function = called.attr if isinstance(called, ast.Attribute) else getattr(called, "id", "")
            literals = [keyword.value for keyword in node.keywords if keyword.arg == "action"]
            if function == "record":
                literals += node.args[2:3]
            # A refusal's action handed on to the helper that refuses (`_must_coordinate(access, "...")`).
            literals += [
                argument
                for argument in node.args
                if isinstance(argument, ast.Constant)
                and re.fullmatch(r"[a-z_]+\.\w*refused", str(argument.value))
            ]
            codes |= {
                literal.value
                for literal in literals
                if isinstance(literal, ast.Constant) and isinstance(literal.value, str)
            }
    return codes


def test_the_walk_finds_the_actions_of_each_part() -> None:
    codes = recorded_actions()
    assert {"plan.read", "item.added", "plan.setting_moved", "delivery.listed", "csrf.refused"} <= codes
    assert len(codes) > 100


def test_every_recorded_action_has_a_label_and_a_sentence() -> None:
    missing = sorted(recorded_actions() - ACTIONS.keys())
    assert missing == [], f"actions without words in app/services/audit/actions.py: {missing}"


def test_no_words_are_kept_for_actions_nothing_records() -> None:
    assert sorted(ACTIONS.keys() - recorded_actions()) == []


def test_labels_and_sentences_are_plain_words() -> None:
    for code, action in ACTIONS.items():
        assert action.label[:1].isupper(), code
        assert action.phrase[:1].islower(), code
        assert not {"_", "."} & set(action.label + action.phrase), code
