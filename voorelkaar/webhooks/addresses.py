"""Which callback URLs may be called: no server-side request forgery."""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from collections.abc import Iterable
from urllib.parse import urlsplit


class RefusedUrl(ValueError):
    """A callback URL that may not be called; the message is Dutch, for the caller."""


Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def check_url(url: str, *, allow_http: bool, allowed_hosts: Iterable[str]) -> Address:
    """Refuse url unless https (or http when allowed) to a public address or a listed host.

    Run at subscription and again before every delivery: a name may resolve elsewhere later.
    Returns the address checked, to connect to (pinned_connection): resolving the name again
    to connect could give another, internal one (DNS rebinding).
    """
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.hostname:
        raise RefusedUrl("Gebruik een adres dat begint met https://.")
    if parts.username or parts.password:
        raise RefusedUrl("Zet geen naam of wachtwoord in het adres.")
    host = parts.hostname.lower()
    allowed = {entry.lower() for entry in allowed_hosts}
    addresses = _addresses(host, _port(parts.scheme, parts.port))
    for address in addresses:
        if _internal(address) and host not in allowed and str(address) not in allowed:
            raise RefusedUrl(
                "Dit adres wijst naar een intern netwerk. Dat mag niet, tenzij de beheerder het toestaat."
            )
    return addresses[0]


def _port(scheme: str, port: int | None) -> int:
    return port or (443 if scheme == "https" else 80)


class _Pinned:
    """Connect to the address that was checked, whatever the name resolves to now."""

    address: Address

    def connect(self) -> None:
        self.sock = socket.create_connection((str(self.address), self.port), self.timeout)


class _PinnedHTTP(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPS(_Pinned, http.client.HTTPSConnection):
    def connect(self) -> None:
        super().connect()
        # The certificate is checked against the name in the URL, as usual.
        self.sock = ssl.create_default_context().wrap_socket(self.sock, server_hostname=self.host)


def pinned_connection(url: str, address: Address, timeout: float) -> http.client.HTTPConnection:
    """An HTTP(S) connection for url to address (from check_url), sending the URL's host."""
    parts = urlsplit(url)
    kind = _PinnedHTTPS if parts.scheme == "https" else _PinnedHTTP
    connection = kind(parts.hostname, _port(parts.scheme, parts.port), timeout=timeout)
    connection.address = address
    return connection


def _addresses(host: str, port: int) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        found = socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise RefusedUrl("Dit adres bestaat niet (de naam is niet gevonden).") from None
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in found]


def _internal(address: Address) -> bool:
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
