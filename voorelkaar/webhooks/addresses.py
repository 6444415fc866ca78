"""Which callback URLs may be called: no server-side request forgery."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit


class RefusedUrl(ValueError):
    """A callback URL that may not be called; the message is Dutch, for the caller."""


def check_url(url: str, *, allow_http: bool, allowed_hosts: Iterable[str]) -> None:
    """Refuse url unless https (or http when allowed) to a public address or a listed host.

    Run at subscription and again before every delivery: a name may resolve elsewhere later.
    """
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise RefusedUrl("Gebruik een adres dat begint met https://.")
    if parts.username or parts.password:
        raise RefusedUrl("Zet geen naam of wachtwoord in het adres.")
    host = parts.hostname.lower()
    allowed = {entry.lower() for entry in allowed_hosts}
    for address in _addresses(host, parts.port or (443 if parts.scheme == "https" else 80)):
        if _internal(address) and host not in allowed and str(address) not in allowed:
            raise RefusedUrl(
                "Dit adres wijst naar een intern netwerk. Dat mag niet, tenzij de beheerder het toestaat."
            )


def _addresses(host: str, port: int) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise RefusedUrl("Dit adres bestaat niet (de naam is niet gevonden).") from None
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )
