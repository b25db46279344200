"""HTML to a tagged PDF with WeasyPrint: headings, reading order and pictures' descriptions kept.

PDF/UA-1 makes WeasyPrint tag the document (structure tree, language, title shown in the window),
so that a screen reader reads it as the page reads; the stylesheet prints black on white.
"""

from pathlib import Path
from typing import Any

from PIL import ImageFile
from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher

from app.config import get_settings
from app.templating import get_templates

PDF_MEDIA_TYPE = "application/pdf"

# Importing WeasyPrint tells Pillow, for the whole process, to load truncated images. Put it back:
# uploaded pictures must still be refused when broken (app.services.voices.pictures), and those
# printed here were checked and re-encoded when they were uploaded.
ImageFile.LOAD_TRUNCATED_IMAGES = False


def stylesheet() -> CSS:
    return CSS(filename=str(Path(get_settings().templates_dir) / "paper" / "paper.css"))


def css_string(text: str) -> str:
    """Text as a CSS string literal (quotes, backslashes and line breaks escaped)."""
    escaped = "".join(f"\\{ord(char):x} " if char in '"\\\n\r' or ord(char) < 32 else char for char in text)
    return f'"{escaped}"'


def margin_text(top_left: str, top_right: str, bottom_left: str) -> CSS:
    """What every page carries in its margins (the page number is in paper.css)."""
    return CSS(
        string="@page { "
        f"@top-left {{ content: {css_string(top_left)}; }} "
        f"@top-right {{ content: {css_string(top_right)}; }} "
        f"@bottom-left {{ content: {css_string(bottom_left)}; }} }}"
    )


def render_pdf(template: str, context: dict[str, Any], margins: CSS) -> bytes:
    """Render a template of templates/paper/ and print it to PDF (no network: pictures are inlined)."""
    html = get_templates().env.get_template(template).render(context)
    document = HTML(string=html, url_fetcher=_only_inlined(), base_url=".")
    return document.write_pdf(  # type: ignore[no-any-return]
        stylesheets=[stylesheet(), margins], pdf_variant="pdf/ua-1"
    )


def _only_inlined() -> URLFetcher:
    """Only inlined data: addresses are read; nothing on paper is fetched from a file or the network."""
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
