"""Start the real OpenID Connect provider (tests/oidc/provider.mjs) with `node` on a free loopback port.

No mock: the tests talk to oidc-provider itself, and make it misbehave only through its test-only
tamper endpoint, which spoils the next ID token it issues in one chosen way.
"""

import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import httpx

from tests.browser.server import free_port

PROVIDER_SCRIPT = Path(__file__).resolve().parent / "provider.mjs"
CLIENT_ID = "oneplan-test-client"
CLIENT_SECRET = "oneplan-test-client-secret-with-enough-length"

TamperMode = Literal["audience", "issuer", "nonce", "expired", "signature"]


@dataclass(frozen=True)
class Account:
    """An account at the identity provider.

    `login` is what one types into its sign-in form; oidc-provider also makes it the `sub`.
    """

    login: str
    email: str
    email_verified: bool = True


# Demo staff as their organisations know them, plus accounts OnePlan must refuse.
ACCOUNTS: tuple[Account, ...] = (
    Account("mprice", "morgan.price@northshire.example"),
    Account("rokafor", "Rita.Okafor@Northshire.example"),
    Account("pshah", "priya.shah@riverside.example"),
    Account("stranger", "stranger@northshire.example"),
    Account("unverified", "morgan.price@northshire.example", email_verified=False),
    Account("ataylor", "alex.taylor@family.example"),
)


@dataclass
class RunningProvider:
    issuer: str
    client_id: str
    client_secret: str
    accounts: dict[str, Account] = field(default_factory=dict)

    def tamper_next_token(self, mode: TamperMode | None) -> None:
        """Spoil the ID token of the next token response (None: issue honest tokens again)."""
        params = {"mode": mode} if mode else {}
        response = httpx.post(f"{self.issuer}/test/tamper", params=params, timeout=5)
        response.raise_for_status()

    def discovery(self) -> dict[str, Any]:
        document: dict[str, Any] = httpx.get(
            f"{self.issuer}/.well-known/openid-configuration", timeout=5
        ).json()
        return document


@contextmanager
def running_provider(
    redirect_uris: Sequence[str], accounts: Sequence[Account] = ACCOUNTS
) -> Iterator[RunningProvider]:
    """Run oidc-provider until the block ends; it is stopped by its process id."""
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("the OpenID Connect provider for the tests needs Node.js (`node`)")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    environment = {
        **os.environ,
        "OIDC_PORT": str(port),
        "OIDC_CLIENT_ID": CLIENT_ID,
        "OIDC_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_REDIRECT_URIS": ",".join(redirect_uris),
        "OIDC_ACCOUNTS": json.dumps(
            {
                account.login: {
                    "sub": account.login,
                    "email": account.email,
                    "email_verified": account.email_verified,
                }
                for account in accounts
            }
        ),
    }
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [node, str(PROVIDER_SCRIPT)], env=environment, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(issuer, process, log)
            yield RunningProvider(issuer, CLIENT_ID, CLIENT_SECRET, {a.login: a for a in accounts})
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_until_ready(issuer: str, process: "subprocess.Popen[bytes]", log: Any) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            if httpx.get(f"{issuer}/.well-known/openid-configuration", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    log.seek(0)
    raise RuntimeError(f"the OpenID Connect provider did not start:\n{log.read().decode(errors='replace')}")
