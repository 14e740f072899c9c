"""The SSRF guard: which Docker host addresses a learner may register and docklab may connect to.

A `HostPolicy` is plain data (networks, host names, socket paths), so the site's allow-list, a
class's own list (issue 6) or a test's can be combined with `union`. `check(url)` parses the URL,
resolves the name and checks EVERY address it resolves to; the caller connects to the checked
address (`Target.ip`), so a name cannot resolve to something else between check and connect.

Loopback, link-local, unspecified/multicast/reserved addresses and the server's own addresses are
refused unless a network entry that lies inside that range names them (`127.0.0.1/32`,
`169.254.0.0/16`...): an allow-all `0.0.0.0/0` opens the outside world, never the server itself.

Every SSRF rule lives in this module, once: `parse_entry` reads the site's and an admin's
entries, `parse_policy` the lists an instructor types for a class (which may never open those
special ranges: only an admin can).
"""
from __future__ import annotations

import ipaddress
import re
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import DetailError
from ..i18n import N_

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

HOSTNAME_RULE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*"
                           r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
SPECIAL_RANGES = {
    "loopback": [ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")],
    "link_local": [ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10")],
}
# Ranges a class's own list may not reach into (parse_policy): the special ranges above plus the
# unspecified and multicast blocks. The check refuses them unless an entry inside them unlocks
# them, and only an admin may write such an entry.
SPECIAL_NETWORKS: tuple[Network, ...] = (
    *SPECIAL_RANGES["loopback"], *SPECIAL_RANGES["link_local"],
    *(ipaddress.ip_network(cidr) for cidr in ("0.0.0.0/8", "::/128", "224.0.0.0/4", "ff00::/8")))
SCHEMES = ("tcp", "ssh", "unix")


class PolicyError(ValueError):
    """A hosts-policy entry the class cannot carry; `entry` is what was typed, `reason` is
    "invalid" (not a network or host name) or "special" (would unlock the server itself)."""

    def __init__(self, entry: str, reason: str = "invalid") -> None:
        super().__init__(entry)
        self.entry = entry
        self.reason = reason


class HostRefused(DetailError, ValueError):
    """A host address the policy does not allow; `code` says why (API clients read it) and
    `detail` names the address."""

    status = 422
    MESSAGES = {
        "bad_url": N_("The host address is not valid: %(detail)s"),
        "scheme": N_("Unsupported address: %(detail)s "
                     "(use tcp://HOST:PORT or ssh://USER@HOST[:PORT])"),
        "socket_not_allowed": N_("Unix sockets cannot be registered on this server (not in "
                                 "local-engine mode, and not allowed by an admin): %(detail)s"),
        "unresolvable": N_("The host name could not be resolved: %(detail)s"),
        "loopback": N_("Loopback addresses (127.0.0.0/8, ::1) are refused unless an admin allows "
                       "them: %(detail)s"),
        "link_local": N_("Link-local addresses (169.254.0.0/16, fe80::/10) are refused unless an "
                         "admin allows them: %(detail)s"),
        "own_address": N_("The docklab server's own addresses are refused unless an admin allows "
                          "them: %(detail)s"),
        "special": N_("This address (unspecified, multicast or reserved) cannot be used: "
                      "%(detail)s"),
        "not_allowed": N_("Not in the allowed networks or host names. Ask your instructor or "
                          "admin to add it to the allow-list: %(detail)s"),
        "plain_tcp": N_("Unencrypted tcp:// is not allowed: upload the TLS certificates (ca.pem, "
                        "cert.pem, key.pem): %(detail)s"),
    }


@dataclass(frozen=True)
class Target:
    """A URL that passed the policy, with the address to connect to."""

    url: str
    scheme: str
    host: str | None = None
    port: int | None = None
    user: str | None = None
    ip: str | None = None  # the checked address the connection must use

    @property
    def ip_url(self) -> str:
        """The URL with the checked address in place of the name (for plain connections)."""
        if self.ip is None or self.scheme == "unix":
            return self.url
        host = f"[{self.ip}]" if ":" in self.ip else self.ip
        user = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{user}{host}:{self.port}"


def parse_entry(text: str) -> tuple[str, str]:
    """An allow-list entry as (kind, canonical value): 'network', 'hostname' or 'socket'.
    Raises ValueError naming the entry."""
    entry = text.strip()
    if entry.startswith("unix://"):
        path = entry.removeprefix("unix://")
        if path != "*" and not path.startswith("/"):
            raise ValueError(f"{entry}: a socket entry is unix:///absolute/path or unix://*")
        return "socket", entry
    try:
        return "network", str(ipaddress.ip_network(entry, strict=False))
    except ValueError:
        pass
    name = entry.lower().rstrip(".")
    if HOSTNAME_RULE.match(name):
        return "hostname", name
    raise ValueError(f"{entry}: not a network (CIDR), a host name or unix:///path")


def parse_policy(networks_text: str, hostnames_text: str) -> tuple[list[str], list[str]]:
    """Validate a class's lists as its instructor typed them (one entry per line or comma
    separated); raises PolicyError naming the first bad entry."""
    networks = []
    for entry in _entries(networks_text):
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError as exc:
            raise PolicyError(entry) from exc
        if _unlocks_special(network):
            raise PolicyError(entry, "special")
        networks.append(str(network))
    hostnames = []
    for entry in _entries(hostnames_text):
        name = entry.lower().rstrip(".")
        if not HOSTNAME_RULE.match(name):
            raise PolicyError(entry)
        hostnames.append(name)
    return list(dict.fromkeys(networks)), list(dict.fromkeys(hostnames))


def _unlocks_special(network: Network) -> bool:
    """Would this rule open loopback, link-local... or one of this server's own addresses?
    (A broad rule such as 0.0.0.0/0 does not: the check never lets those unlock them.)"""
    if any(network.version == special.version and network.subnet_of(special)
           for special in SPECIAL_NETWORKS):
        return True
    if network.num_addresses == 1:
        return network.network_address in own_addresses()
    return False


def _entries(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[\n,]", text or "") if part.strip()]


def _own_addresses_now() -> set[Address]:
    """Every address of this machine: the kernel's local routes (Linux), else what the host name
    resolves to."""
    found: set[Address] = set()
    trie = Path("/proc/net/fib_trie")
    if trie.exists():
        lines = trie.read_text().splitlines()
        for previous, line in zip(lines, lines[1:], strict=False):
            if "/32 host LOCAL" in line:
                candidate = previous.strip().split()[-1]
                try:
                    found.add(ipaddress.ip_address(candidate))
                except ValueError:
                    continue
    inet6 = Path("/proc/net/if_inet6")
    if inet6.exists():
        for line in inet6.read_text().splitlines():
            raw = line.split()[0]
            found.add(ipaddress.ip_address(":".join(raw[i:i + 4] for i in range(0, 32, 4))))
    for name in {socket.gethostname(), socket.getfqdn()}:
        try:
            for info in socket.getaddrinfo(name, None):
                found.add(_plain(ipaddress.ip_address(info[4][0].split("%")[0])))
        except (OSError, ValueError):
            continue
    return found


_own_cache: tuple[float, set[Address]] = (0.0, set())


def own_addresses() -> set[Address]:
    """Cached for a minute: interfaces rarely change, and this runs on every check."""
    global _own_cache
    if time.monotonic() - _own_cache[0] > 60:
        _own_cache = (time.monotonic(), _own_addresses_now())
    return _own_cache[1]


def _plain(address: Address) -> Address:
    """::ffff:127.0.0.1 is 127.0.0.1."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise HostRefused("unresolvable", f"{host} ({exc})") from exc
    return list(dict.fromkeys(info[4][0].split("%")[0] for info in infos))


@dataclass(frozen=True)
class HostPolicy:
    networks: tuple[Network, ...] = ()
    hostnames: tuple[str, ...] = ()
    sockets: tuple[str, ...] = ()  # "unix:///path" entries, or "unix://*"
    allow_plain_tcp: bool = False
    resolver: Callable[[str, int], list[str]] = field(default=resolve, compare=False)

    @classmethod
    def from_entries(cls, entries: Iterable[str], **options) -> HostPolicy:
        networks, hostnames, sockets = [], [], []
        for entry in entries:
            kind, value = parse_entry(entry)
            {"network": networks, "hostname": hostnames, "socket": sockets}[kind].append(value)
        return cls(tuple(ipaddress.ip_network(n) for n in dict.fromkeys(networks)),
                   tuple(dict.fromkeys(hostnames)), tuple(dict.fromkeys(sockets)), **options)

    def union(self, entries: Iterable[str]) -> HostPolicy:
        """This policy plus more entries (e.g. a class's allowed networks and host names)."""
        extra = HostPolicy.from_entries(entries)
        return HostPolicy(tuple(dict.fromkeys(self.networks + extra.networks)),
                          tuple(dict.fromkeys(self.hostnames + extra.hostnames)),
                          tuple(dict.fromkeys(self.sockets + extra.sockets)),
                          self.allow_plain_tcp, self.resolver)

    # -- checking ------------------------------------------------------------------------------
    def check(self, url: str, *, tls: bool = True) -> Target:
        """The URL as a checked Target, or HostRefused with the reason."""
        url = (url or "").strip()
        try:
            parsed = urllib.parse.urlsplit(url)
            port = parsed.port
        except ValueError as exc:
            raise HostRefused("bad_url", f"{url} ({exc})") from exc
        if parsed.scheme not in SCHEMES:
            raise HostRefused("scheme", url or "(empty)")
        if parsed.query or parsed.fragment or any(c.isspace() for c in url):
            raise HostRefused("bad_url", url)
        if parsed.scheme == "unix":
            return self._check_socket(url, parsed)
        if parsed.path not in ("", "/") or parsed.password:
            raise HostRefused("bad_url", url)
        host = (parsed.hostname or "").rstrip(".")
        if not host:
            raise HostRefused("bad_url", f"{url} (no host)")
        if "%" in host:
            # An IPv6 zone id ([fd00::2%eth0]) names an interface, not a host, and a scoped
            # address never equals the unscoped one in the server's own-address list.
            raise HostRefused("bad_url", f"{url} (IPv6 zone ids are not accepted)")
        if parsed.scheme == "tcp":
            if port is None:
                raise HostRefused("bad_url", f"{url} (tcp://HOST:PORT needs a port)")
            if parsed.username:
                raise HostRefused("bad_url", url)
            if not tls and not self.allow_plain_tcp:
                raise HostRefused("plain_tcp", url)
        else:
            if not parsed.username:
                raise HostRefused("bad_url", f"{url} (ssh://USER@HOST[:PORT] needs a user)")
            port = port or 22
        if port == 0:
            raise HostRefused("bad_url", f"{url} (port 0)")
        addresses = self._addresses(host, port)
        for address in addresses:
            self._check_address(host, address)
        return Target(url=url, scheme=parsed.scheme, host=host, port=port,
                      user=parsed.username, ip=str(addresses[0]))

    def _check_socket(self, url: str, parsed) -> Target:
        if parsed.netloc or not parsed.path.startswith("/"):
            raise HostRefused("bad_url", f"{url} (unix:///absolute/path)")
        if "unix://*" in self.sockets or url in self.sockets:
            return Target(url=url, scheme="unix")
        raise HostRefused("socket_not_allowed", url)

    def _addresses(self, host: str, port: int) -> list[Address]:
        try:
            return [_plain(ipaddress.ip_address(host.strip("[]")))]
        except ValueError:
            pass
        resolved = self.resolver(host, port)
        if not resolved:
            raise HostRefused("unresolvable", host)
        return [_plain(ipaddress.ip_address(item)) for item in resolved]

    def _name_allowed(self, host: str) -> bool:
        name = host.lower()
        for pattern in self.hostnames:
            if pattern.startswith("*."):
                if name.endswith(pattern[1:]) and name != pattern[2:]:
                    return True
            elif name == pattern:
                return True
        return False

    def _check_address(self, host: str, address: Address) -> None:
        shown = host if host == str(address) else f"{host} → {address}"
        special = self._special_kind(address)
        if special:
            if not any(address in network and self._names_special(network, special, address)
                       for network in self.networks):
                raise HostRefused(special, shown)
            return
        if any(address in network for network in self.networks) or self._name_allowed(host):
            return
        raise HostRefused("not_allowed", shown)

    @staticmethod
    def _special_kind(address: Address) -> str | None:
        for kind, ranges in SPECIAL_RANGES.items():
            if any(address in network for network in ranges):
                return kind
        if address in own_addresses():
            return "own_address"
        if address.is_unspecified or address.is_multicast or address.is_reserved:
            return "special"
        return None

    @staticmethod
    def _names_special(network: Network, kind: str, address: Address) -> bool:
        """Only an entry inside the special range (or naming exactly that address) opens it."""
        if kind in SPECIAL_RANGES:
            return any(network.version == r.version and network.subnet_of(r)
                       for r in SPECIAL_RANGES[kind])
        return network.num_addresses == 1 and address in network
