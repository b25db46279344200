"""The W3C Nu HTML checker over every page the browser journeys are served (issue 21: valid HTML).

The checker ships as the npm package vnu-jar and runs on Debian's Java (both installed by
`scripts/setup --for-tests`), offline. Each distinct HTML document the journeys load is kept; at the
end of the run they are checked in one go and any error fails the run, naming the page and the line.
"""

import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

PROJECT = Path(__file__).resolve().parents[2]
VNU_JAR = PROJECT / "node_modules/vnu-jar/build/dist/vnu.jar"


class ServedDocuments:
    """The HTML documents served to the browser, once each (the same address may serve several states)."""

    def __init__(self) -> None:
        self.by_digest: dict[str, tuple[str, str]] = {}

    def keep(self, url: str, html: str) -> None:
        digest = hashlib.sha256(html.encode()).hexdigest()
        self.by_digest.setdefault(digest, (urlsplit(url).path, html))

    def __len__(self) -> int:
        return len(self.by_digest)


def nu_errors(documents: ServedDocuments) -> list[str]:
    """Every error the Nu checker finds, as "address line N: message"; none for a valid set."""
    if not documents.by_digest:
        return []
    java = shutil.which("java")
    if java is None or not VNU_JAR.exists():
        return ["the Nu HTML checker is not installed: run scripts/setup --for-tests (Java and vnu-jar)"]
    with tempfile.TemporaryDirectory(prefix="oneplan-nu-") as folder:
        addresses: dict[str, str] = {}
        for number, (address, html) in enumerate(documents.by_digest.values()):
            file = Path(folder) / f"page-{number}.html"
            file.write_text(html, encoding="utf-8")
            addresses[file.name] = address
        files = [str(Path(folder) / name) for name in addresses]
        checked = subprocess.run(
            [java, "-jar", str(VNU_JAR), "--format", "json", "--errors-only", *files],
            capture_output=True,
            text=True,
            timeout=600,
        )
    try:
        messages = json.loads(checked.stderr or checked.stdout)["messages"]
    except (ValueError, KeyError):
        return [f"the Nu HTML checker did not answer ({checked.returncode}): {checked.stderr[-2000:]}"]
    return [
        f"{addresses.get(str(message.get('url')).rsplit('/', 1)[-1])} line {message.get('lastLine')}: "
        f"{message.get('message')}"
        for message in messages
        if message.get("type") == "error" or message.get("subType") == "fatal"
    ]
