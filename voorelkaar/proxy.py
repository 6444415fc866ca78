"""Trusted proxies: behind TRUSTED_PROXIES of them, the client is who they say it is.

A load balancer or TLS terminator makes every visitor arrive from its address; the
per-address login and registration limits would then lock a whole town out at once. Each
trusted proxy appends the address it saw to X-Forwarded-For, so with n of them the n-th
entry from the right is the client: anything further left was written by the client and is
ignored. With 0 (the default) no forwarded header is read, so nobody picks the address the
limits count.

Trusted per proxy: X-Forwarded-For (the client's address) and X-Forwarded-Proto (https at the
proxy, so that the request is known to be secure and links made from it say https). Not X-Forwarded-Host: the proxy passes
the Host header on unchanged (see deploy/haproxy.cfg) and adds no X-Forwarded-Host of its
own, so trusting one would let a client choose the host name the site believes it has (and
with it the municipality, on a host that serves several). Nor X-Forwarded-Prefix: the site
is served at the root.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def trusted_proxies(app: Flask) -> int:
    """How many proxies stand before the app (TRUSTED_PROXIES, 0 when unset)."""
    count = int(app.config.get("TRUSTED_PROXIES") or 0)
    if count < 0:
        raise RuntimeError("TRUSTED_PROXIES moet 0 of meer zijn.")
    return count


def init_app(app: Flask) -> None:
    """Read the client's address and scheme from the trusted proxies' headers, if any."""
    count = trusted_proxies(app)
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)
