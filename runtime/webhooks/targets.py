"""Which URLs a webhook may call.

Kairos is installed on premises, where webhook receivers usually sit on the same private
network (an ERP at 10.x, a DingTalk bridge on the intranet), so private addresses are
allowed by default. That makes webhooks a server-side request forgery channel for whoever
can configure them — administrators only. An administrator who wants to narrow it sets an
allowlist: host names (``erp.example.com``, ``*.example.com``) and networks
(``10.20.0.0/16``); a target must then match a name, or resolve only to addresses inside
the listed networks. The check runs when a webhook is saved and again before every send
(DNS may change). Redirects are never followed, so a receiver cannot bounce a delivery on.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import socket
from urllib.parse import urlsplit


class TargetRefused(ValueError):
    """A URL a webhook may not call; ``code`` names the reason (shown localised)."""

    def __init__(self, code: str, url: str) -> None:
        super().__init__(f"{code}: {url}")
        self.code = code


def parse_allowlist(text: str) -> list[str]:
    """One entry per line or comma; blanks dropped. Raises ValueError on a bad network."""
    entries = [e.strip().lower() for e in text.replace(",", "\n").splitlines() if e.strip()]
    for entry in entries:
        if "/" in entry:
            ipaddress.ip_network(entry, strict=False)
    return entries


def check_target(url: str, allowlist: list[str]) -> str:
    """``url`` when it is an http(s) URL the allowlist permits; raises TargetRefused.
    A host checked against network entries must resolve (a name that does not resolve
    cannot be shown to be inside an allowed network)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("scheme", url)
    if parts.username or parts.password:
        raise TargetRefused("credentials", url)
    if not allowlist:
        return url.strip()
    host = parts.hostname.lower()
    names = [e for e in allowlist if "/" not in e]
    if any(fnmatch.fnmatchcase(host, pattern) for pattern in names):
        return url.strip()
    networks = [ipaddress.ip_network(e, strict=False) for e in allowlist if "/" in e]
    if networks:
        addresses = _addresses(host)
        if addresses and all(any(a in n for n in networks) for a in addresses):
            return url.strip()
    raise TargetRefused("not_allowed", url)


def _addresses(host: str) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return []
    return [ipaddress.ip_address(info[4][0]) for info in infos]
