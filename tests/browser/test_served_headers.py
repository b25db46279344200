"""What the running server sends with every page: strict security headers and no server banner."""

import httpx


def test_security_headers_and_no_banner(live_server: str) -> None:
    response = httpx.get(live_server + "/sign-in")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "server" not in response.headers
