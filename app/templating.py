"""Jinja2 with GOV.UK Frontend's macros (govuk-frontend-jinja) beside OnePlan's own templates."""

import json
import re
import threading
from collections.abc import Callable, Mapping
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader, pass_context
from jinja2.runtime import Context
from jinja2_fragments.fastapi import Jinja2Blocks
from markupsafe import Markup, escape
from starlette.requests import Request

from app.clock import UK_TIME
from app.config import get_settings
from app.models import (
    AREA_OF_NEED_LABELS,
    CYCLE_STAGE_LABELS,
    ITEM_KIND_LABELS,
    MEMBER_ROLE_LABELS,
    ORGANISATION_KIND_LABELS,
    PLAN_STATUS_LABELS,
    ROLE_LABELS,
    VIEW_PROMPT_LABELS,
    provision_sentence,
)
from app.models.base import as_utc
from app.services.delivery.arithmetic import delivered_of_planned, in_units
from app.services.plans.words import DEFAULT_WORDS, PlanWords
from app.services.quality.rules import provision_flags
from app.static_files import fingerprint
from app.urls import known_routes, path_for


@lru_cache
def get_templates() -> Jinja2Blocks:
    settings = get_settings()
    return build_templates(settings.templates_dir, settings.service_name, settings.templates_auto_reload)


def build_templates(templates_dir: Path, service_name: str, auto_reload: bool = False) -> Jinja2Blocks:
    """The templates, read once; `auto_reload` checks each file for changes at every use (development).

    Checking costs a `stat` per template per use, and a page that includes a partial in a loop pays it
    at every turn: it was most of the plan page's time.
    """
    loader = ChoiceLoader(
        [
            FileSystemLoader(str(templates_dir)),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
        finalize=without_bidi_controls,
    )
    env.globals["service_name"] = service_name
    env.globals["static_url"] = static_url
    env.globals["kept_part"] = _kept_parts(env)
    env.globals["url_for"] = url_for
    env.filters["dict_items_to_error_list"] = error_list
    env.filters["role_label"] = lambda role: ROLE_LABELS.get(role, str(role))
    env.filters["kind_label"] = lambda kind: ORGANISATION_KIND_LABELS.get(kind, str(kind))
    env.filters["when"] = when
    env.filters["day"] = day
    env.filters["paragraphs"] = paragraphs
    labels_by_filter: dict[str, Mapping[Any, str]] = {
        "area_label": AREA_OF_NEED_LABELS,
        "stage_label": CYCLE_STAGE_LABELS,
        "item_kind_label": ITEM_KIND_LABELS,
        "member_role_label": MEMBER_ROLE_LABELS,
        "plan_status_label": PLAN_STATUS_LABELS,
        "view_prompt_label": VIEW_PROMPT_LABELS,
    }
    for name, labels in labels_by_filter.items():
        env.filters[name] = _labeller(labels)
    env.filters["plan_kind_label"] = plan_kind_label
    env.filters["layer_label"] = layer_label
    env.filters["radio_items"] = radio_items
    env.filters["select_items"] = select_items
    env.filters["provision_flags"] = provision_flags
    env.filters["in_units"] = in_units
    env.filters["delivered_of"] = lambda tally, unit: delivered_of_planned(
        tally.delivered, tally.planned, unit
    )
    env.filters["provision_sentence"] = lambda revision, organisation=None: provision_sentence(
        revision, organisation.name if organisation else None
    )
    return Jinja2Blocks(env=env)


@pass_context
def url_for(context: Context, name: str, /, **params: Any) -> str:
    """The path of the named route (app/urls.py), not Starlette's whole URL: links stay on the
    address the person is on, whatever the proxy in front calls it (with no request: the app's routes)."""
    query = params.pop("_query", None)
    fragment = params.pop("_fragment", "")
    request = context.get("request")  # a page may have a `request` of its own (an assessment request)
    app = request.app if isinstance(request, Request) else known_routes()
    return path_for(app, name, query=query, fragment=fragment, **params)


BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
"""Marks that reorder the text around them (U+202E shows "txt.exe" as "exe.txt"): typed text could
make a name or a number read as something it is not."""
_BIDI_CONTROL = re.compile("[" + "".join(map(chr, BIDI_CONTROLS)) + "]")


class Shown(Markup):
    """Markup made by this environment's templates: every value in it has already been through
    `without_bidi_controls`, so showing it again within a page need not go over it again."""

    __slots__ = ()


def without_bidi_controls(value: object) -> object:
    """Every value a template shows, without bidirectional controls (Jinja's `finalize`, so no page
    can forget it). Right-to-left words still read right to left: the Unicode algorithm orders them
    by their letters. Stored words are kept as typed; only what is shown drops the marks."""
    if isinstance(value, Shown) or not isinstance(value, str) or not _holds_bidi_controls(value):
        return value
    if isinstance(value, Markup):
        return Markup(str(value).translate(BIDI_CONTROLS))  # nosec B704 # already safe markup, marks removed
    return value.translate(BIDI_CONTROLS)


def _holds_bidi_controls(text: str) -> bool:
    """Looked for before any is taken out: a page shows hundreds of values, nearly all without one,
    and `str.translate` walks every character in Python's dictionary (a fifth of a list's rendering)."""
    return not text.isascii() and _BIDI_CONTROL.search(text) is not None


KEPT_PARTS = 1000


def _kept_parts(env: Environment) -> Callable[..., Markup]:
    """`kept_part(template, **arguments)`: a part of every page that depends on nothing but its
    arguments (the menu, the phase banner, the footer), rendered once per set of arguments. GOV.UK's
    macros are thorough and slow; these parts cost half a millisecond a page when rendered each time."""
    kept: dict[str, Shown] = {}
    lock = threading.Lock()

    def kept_part(template: str, **arguments: Any) -> Markup:
        key = template + json.dumps(arguments, sort_keys=True, default=str)
        part = kept.get(key)
        if part is None or env.auto_reload:
            part = Shown(env.get_template(template).render(**arguments))  # nosec B704 # rendered with autoescape
            with lock:
                if len(kept) < KEPT_PARTS:
                    kept[key] = part
        return part

    return kept_part


def static_url(path: str) -> str:
    """A root-relative address for a built asset (right behind any proxy), with its fingerprint."""
    settings = get_settings()
    if settings.templates_auto_reload:  # development: assets are rebuilt while the service runs
        fingerprint.cache_clear()
    version = fingerprint(settings.static_dir, path)
    return f"/static/{path}?v={version}" if version else f"/static/{path}"


def error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    """GOV.UK error summary entries, each linking to its field."""
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]


def when(moment: datetime | None) -> str:
    """A time as people in England read it, in UK time: 3 March 2026 at 2:05pm."""
    if moment is None:
        return "never"
    moment = as_utc(moment).astimezone(UK_TIME)
    hour = moment.strftime("%I").lstrip("0")
    return f"{moment.day} {moment:%B %Y} at {hour}:{moment:%M}{moment:%p}".replace("AM", "am").replace(
        "PM", "pm"
    )


def day(moment: date | datetime | None) -> str:
    """A date as people in England write it: 3 March 2026."""
    if moment is None:
        return "not given"
    if isinstance(moment, datetime):
        moment = as_utc(moment).astimezone(UK_TIME).date()
    return f"{moment.day} {moment:%B %Y}"


def paragraphs(text: str | None, classes: str = "govuk-body") -> Markup:
    """Words as their author typed them: a blank line starts a paragraph, a line break stays one."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n"))]
    return Markup("").join(
        Markup('<p class="{}">{}</p>').format(classes, Markup("<br>").join(escape(line) for line in lines))
        for lines in (block.split("\n") for block in blocks if block)
    )


@pass_context
def plan_kind_label(context: Context, kind: object) -> str:
    """A kind of plan's name: an ISP's in the council's words (`plan_words` in the page's context, put
    there for a plan's pages by `app.dependencies.get_current_plan`), else the white paper's."""
    words = context.get("plan_words")
    return (words if isinstance(words, PlanWords) else DEFAULT_WORDS).kind_name(str(kind))


@pass_context
def layer_label(context: Context, layer: object) -> str:
    """A layer of support's name, in the council's words as for `plan_kind_label`."""
    words = context.get("plan_words")
    return (words if isinstance(words, PlanWords) else DEFAULT_WORDS).layer_name(
        str(layer) if layer else None
    )


def _labeller(labels: Mapping[Any, str]) -> Callable[[object], str]:
    return lambda value: labels.get(value, str(value))


def radio_items(choices: list[tuple[str, str]], chosen: str | None) -> list[dict[str, object]]:
    """GOV.UK radios items from (value, label) pairs, with the chosen one checked."""
    return [{"value": value, "text": label, "checked": value == chosen} for value, label in choices]


def select_items(choices: list[tuple[str, str]], chosen: str | None, prompt: str) -> list[dict[str, object]]:
    """GOV.UK select items from (value, label) pairs, after an empty prompt, the chosen one selected."""
    items: list[dict[str, object]] = [{"value": "", "text": prompt}]
    items += [{"value": value, "text": label, "selected": value == chosen} for value, label in choices]
    return items
