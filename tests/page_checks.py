"""Checks that every rendered page must pass, whatever it shows (after GOV.UK Notify's page checker)."""

import hashlib
import re
from typing import Any

import html5lib
from html5lib.html5parser import ParseError


def is_whole_page(response: Any) -> bool:
    """A page of the service (not a fragment that htmx swaps in, nor a file)."""
    return "text/html" in response.headers.get("content-type", "") and response.text.lstrip()[
        :15
    ].lower() == ("<!doctype html>")


# Pages already checked, by a digest of their text without its tokens (CSRF tokens and nonces are
# new at every request): a page served again is not parsed again. Strict HTML parsing costs more than
# the request that served the page, and the suite is served the same pages many times over.
_CHECKED: set[bytes] = set()
_TOKENS = re.compile(r"[0-9a-f]{32,}|nonce=\"[^\"]*\"")


def check_page(html: str) -> None:
    """Fail on broken HTML, a missing title or heading, forms without actions, or inline script."""
    digest = hashlib.blake2b(_TOKENS.sub("", html).encode(), digest_size=16).digest()
    if digest not in _CHECKED:
        _check_page(html)
        _CHECKED.add(digest)


def _check_page(html: str) -> None:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        document = parser.parse(html)
    except ParseError as error:
        raise AssertionError(f"page does not parse as HTML: {error}") from error
    assert document.get("lang") == "en-GB", "the page must say its language"
    title = document.find("head/title")
    assert title is not None, "the page needs a title"
    assert (title.text or "").strip(), "the page title is empty"
    headings = document.findall(".//h1")
    assert len(headings) == 1, f"the page needs exactly one h1, found {len(headings)}"
    first_link = document.find(".//body//a")
    assert first_link is not None, "the page needs a skip link"
    assert first_link.get("href") == "#main-content", "the skip link must come first"
    main = document.find(".//main")
    assert main is not None, "the page needs a main landmark"
    assert main.get("id") == "main-content", "the skip link needs its target"
    for form in document.iter("form"):
        assert form.get("action") is not None, "a form must say where it posts"
        assert form.get("method", "get").lower() in {"get", "post"}
    for script in document.iter("script"):
        assert script.get("src"), "inline scripts break the content security policy"


def whole_plan(client: Any, plan_id: int | None) -> str:
    """The plan page and each of its section pages, one after another, each checked: the whole plan.

    The plan page is an outline; its sections are each on their own page.
    """
    outline = client.get(f"/plans/{plan_id}")
    assert outline.status_code == 200, outline.status_code
    check_page(outline.text)
    pages = [outline.text]
    for section in dict.fromkeys(re.findall(rf'href="/plans/{plan_id}/sections/(\w+)"', outline.text)):
        page = client.get(f"/plans/{plan_id}/sections/{section}")
        assert page.status_code == 200, (section, page.status_code)
        check_page(page.text)
        pages.append(page.text)
    return "\n".join(pages)
