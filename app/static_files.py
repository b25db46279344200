"""The built assets (CSS, JS, images), addressed by their content so that browsers may keep them.

Each page names an asset with a fingerprint of its bytes (`/static/oneplan.css?v=3f2a...`): a new
release changes the address of every asset that changed, so a browser or cache never serves last
week's stylesheet with this week's page, and an address with its fingerprint may be kept a year.
"""

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from starlette.responses import Response
from starlette.staticfiles import PathLike, StaticFiles
from starlette.types import Scope

KEPT_A_YEAR = "public, max-age=31536000, immutable"
ASK_AGAIN = "no-cache"


@lru_cache(maxsize=256)
def fingerprint(static_dir: Path, path: str) -> str:
    """The first 16 hex digits of the asset's SHA-256, or "" when it is not there (not built yet)."""
    try:
        return hashlib.sha256((static_dir / path).read_bytes()).hexdigest()[:16]
    except OSError:
        return ""


class FingerprintedStaticFiles(StaticFiles):
    """Assets asked for by their fingerprint are kept a year; asked for without it, checked each time."""

    def file_response(
        self, full_path: PathLike, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        fingerprinted = scope.get("query_string", b"").startswith(b"v=")
        response.headers["Cache-Control"] = KEPT_A_YEAR if fingerprinted else ASK_AGAIN
        return response
