"""Who is asking, by network address: the one place every rate limit learns the client's address.

Without configuration the address is REMOTE_ADDR, the peer of the TCP connection, and forwarding
headers are ignored (anyone can send them). Behind a reverse proxy every connection comes from the
proxy, so a per-address limit would become one limit for the whole site; there the deployer names
the header that the proxy sets (settings TRUSTED_PROXY_HEADER and TRUSTED_PROXY_COUNT, see
docs/operations.md):

* ``x-forwarded-for``: each proxy appends the address it received the request from, so the
  client's address is the TRUSTED_PROXY_COUNT-th entry from the right. Entries further left were
  written by the client and are never read (a client cannot choose another address by sending
  the header itself). With fewer entries than proxies, the left-most one is taken.
* ``x-real-ip``: the proxy (nginx's ``proxy_set_header X-Real-IP $remote_addr``) replaces
  whatever the client sent.

A header that is missing or holds no address (a request that did not come through the proxy)
falls back to REMOTE_ADDR. The proxy must then be the only way in: a client that can reach the
application port directly could write the header itself.

Limits count :func:`client_network`: the address itself for IPv4, and the /64 network for IPv6,
which is what one subscriber line or device is normally given (counting single IPv6 addresses
would let one client use 2⁶⁴ of them).
"""

from __future__ import annotations

import ipaddress

from django.conf import settings

X_FORWARDED_FOR = "x-forwarded-for"
X_REAL_IP = "x-real-ip"
IPV6_PREFIX = 64


def _address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """An address from a header entry: '192.0.2.1', '192.0.2.1:4711', '2001:db8::1' or '[2001:db8::1]:4711'."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has at least two colons
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _from_header(request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    header = settings.TRUSTED_PROXY_HEADER
    if header == X_FORWARDED_FOR:
        entries = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if not entries:
            return None
        return _address(entries[-min(settings.TRUSTED_PROXY_COUNT, len(entries))])
    if header == X_REAL_IP:
        return _address(request.META.get("HTTP_X_REAL_IP", ""))
    return None


def client_address(request) -> str:
    """The client's address as text ('' when the server was not told one, e.g. over a Unix socket)."""
    remote = request.META.get("REMOTE_ADDR") or ""
    address = _from_header(request) or _address(remote)
    return remote[:64] if address is None else str(address)


def client_network(request) -> str:
    """What the limits count as one client: the IPv4 address, or the IPv6 /64 network it belongs to."""
    text = client_address(request)
    if ":" not in text:
        return text
    return str(ipaddress.IPv6Network(f"{text}/{IPV6_PREFIX}", strict=False))
