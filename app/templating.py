"""Jinja2 with GOV.UK Frontend's macros (govuk-frontend-jinja) beside OnePlan's own templates."""

from functools import lru_cache
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader
from jinja2_fragments.fastapi import Jinja2Blocks

from app.config import get_settings


@lru_cache
def get_templates() -> Jinja2Blocks:
    settings = get_settings()
    return build_templates(settings.templates_dir, settings.service_name)


def build_templates(templates_dir: Path, service_name: str) -> Jinja2Blocks:
    loader = ChoiceLoader(
        [
            FileSystemLoader(str(templates_dir)),
            PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")}),
        ]
    )
    env = Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.globals["service_name"] = service_name
    env.globals["static_url"] = static_url
    env.filters["dict_items_to_error_list"] = error_list
    return Jinja2Blocks(env=env)


def static_url(path: str) -> str:
    """A root-relative address for a built asset, right behind any proxy."""
    return f"/static/{path}"


def error_list(errors: dict[str, str]) -> list[dict[str, str]]:
    """GOV.UK error summary entries, each linking to its field."""
    return [{"text": message, "href": f"#{field}"} for field, message in errors.items()]
