"""CSRF tokens bound to the browser: to its session when signed in, else to a random cookie.

A token is an HMAC of that binding, so it changes at sign-in with the session and cannot be
made without the server's secret.
"""

import hashlib
import hmac

from app.services.auth.secrets import same


def csrf_token(secret_key: str, binding: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{binding}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, binding: str, offered: str | None) -> bool:
    return bool(offered) and bool(binding) and same(csrf_token(secret_key, binding), offered or "")
