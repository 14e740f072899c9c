"""Learner hosts as the views and the API use them.

Other areas call:
- `policy_for(user_id)`: the HostPolicy that applies to this learner (site + their classes);
- `add_entry_source(source)`: how the classes area adds its classes' lists to that policy;
- `host_of(user_id, host_id)` (None when not theirs), `hosts_of(user_id)`, `default_host(user_id)`;
- `connection_for(user_id, host)`: a `Connection` (grader HostSpec + label), re-checked against the
  policy at connect time; raises HostRefused or NoHost.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from flask import current_app
from sqlalchemy import delete, func, select, update

from grader.hosts import HostError, HostSpec, engine_summary, fetch_ssh_host_key

from .. import crypto, ratelimit, settings
from ..errors import DetailError, DocklabError
from ..extensions import db
from ..i18n import N_
from . import outbound
from .models import (
    LOCAL,
    PLAIN,
    SSH,
    TLS,
    UNIX,
    AllowedHostRule,
    LearnerHost,
    LearnerSSHKey,
)
from .policy import HostPolicy, HostRefused, parse_entry

# A certificate chain or key docker-machine makes is 1-4 KB; 16 KB leaves room for a long chain.
MAX_PEM_BYTES = 16 * 1024
# Validating an RSA key checks its primes: ~0.1 s at 4096 bits, 5.7 s at 8192, 31 s at 16384.
MAX_RSA_BITS = 4096


class RegistrationError(DetailError, ValueError):
    """A host that cannot be registered (bad upload, unreachable SSH server...); `detail` is
    what the sentence names (a file, a limit, or the grader's HostError, read in the same
    language)."""

    status = 422
    MESSAGES = {
        "local_disabled": N_("The local engine is turned off on this server "
                             "(DOCKLAB_LOCAL_ENGINE=0)."),
        "pem": N_("%(detail)s is not a valid PEM file."),
        "missing": N_("%(detail)s is required."),
        "ssh_host_key": N_("Could not fetch the SSH host key: %(detail)s"),
        "duplicate": N_("You already have a host with this name: %(detail)s"),
        "key_type": N_("%(detail)s: only RSA keys of up to 4096 bits, ECDSA or Ed25519 keys are "
                       "accepted."),
        "too_many_hosts": N_("You can register up to %(detail)s hosts. Delete one you no longer "
                             "use."),
        "rate_limited": N_("Too many host registrations in a short time. Try again within "
                           "%(detail)s s."),
    }


class NoHost(DocklabError):
    """The learner has no host and the local engine is off."""

    status = 409
    code = "no_host"
    MESSAGES = {"no_host": N_("Register a Docker host first (Hosts page).")}


# --- policy ------------------------------------------------------------------------------------
def site_entries() -> list[str]:
    rows = db.session.scalars(select(AllowedHostRule.value).order_by(AllowedHostRule.id)).all()
    return [*settings.current().allowed_hosts, *rows]


# Where a learner's entries beyond the site's come from. The classes area adds its classes'
# networks and host names (docklab/classes/__init__.py); hosts sits below classes, so it asks
# the sources it was given instead of importing them.
EntrySource = Callable[[int], Iterable[str]]
_entry_sources: list[EntrySource] = []


def add_entry_source(source: EntrySource) -> EntrySource:
    """Add `source(user_id) -> entries` to every learner's policy (once per process)."""
    if source not in _entry_sources:
        _entry_sources.append(source)
    return source


def learner_entries(user_id: int) -> list[str]:
    """The allowed networks and host names the sources (the learner's classes) add."""
    return [entry for source in _entry_sources for entry in source(user_id)]


def _valid(entries: list[str]) -> list[str]:
    """A bad entry (a typo in DOCKLAB_ALLOWED_HOSTS) is skipped and logged, never a 500; skipping
    only ever allows less."""
    kept = []
    for entry in entries:
        try:
            parse_entry(entry)
        except ValueError as problem:
            current_app.logger.warning("ignored hosts allow-list entry: %s", problem)
            continue
        kept.append(entry)
    return kept


def policy_for(user_id: int | None) -> HostPolicy:
    """The site's allow-list (config + admin table), plus the learner's classes' lists."""
    policy = HostPolicy.from_entries(_valid(site_entries()),
                                     allow_plain_tcp=settings.current().allow_plain_tcp)
    return policy.union(_valid(learner_entries(user_id))) if user_id is not None else policy


def add_rule(text: str, note: str, admin_id: int | None) -> AllowedHostRule:
    kind, value = parse_entry(text)  # ValueError names the entry
    existing = db.session.scalar(select(AllowedHostRule).where(AllowedHostRule.value == value))
    if existing is not None:
        return existing
    rule = AllowedHostRule(kind=kind, value=value, note=note.strip()[:200], created_by=admin_id)
    db.session.add(rule)
    db.session.commit()
    return rule


def rules() -> list[AllowedHostRule]:
    return list(db.session.scalars(select(AllowedHostRule).order_by(AllowedHostRule.kind,
                                                                     AllowedHostRule.value)))


def delete_rule(rule_id: int) -> bool:
    deleted = db.session.execute(delete(AllowedHostRule).where(AllowedHostRule.id == rule_id))
    db.session.commit()
    return bool(deleted.rowcount)


# --- SSH key pair per learner --------------------------------------------------------------------
def _new_ssh_keypair() -> tuple[bytes, str]:
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.OpenSSH,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                           serialization.PublicFormat.OpenSSH).decode()
    return private, f"{public} docklab"


def ssh_key_for(user_id: int) -> LearnerSSHKey:
    """The learner's key pair, made on first use."""
    row = db.session.scalar(select(LearnerSSHKey).where(LearnerSSHKey.user_id == user_id))
    if row is None:
        private, public = _new_ssh_keypair()
        row = LearnerSSHKey(user_id=user_id, public_key=public,
                            private_key_enc=crypto.encrypt(private))
        db.session.add(row)
        db.session.commit()
    return row


def regenerate_ssh_key(user_id: int) -> LearnerSSHKey:
    """A new key pair; hosts registered before keep the key they were registered with."""
    db.session.execute(delete(LearnerSSHKey).where(LearnerSSHKey.user_id == user_id))
    db.session.commit()
    return ssh_key_for(user_id)


# --- hosts -------------------------------------------------------------------------------------
def hosts_of(user_id: int) -> list[LearnerHost]:
    return list(db.session.scalars(select(LearnerHost).where(LearnerHost.user_id == user_id)
                                   .order_by(LearnerHost.id)))


def host_of(user_id: int, host_id: int | None) -> LearnerHost | None:
    """The host, if it is this learner's (others' hosts do not exist for them)."""
    if host_id is None:
        return None
    host = db.session.get(LearnerHost, host_id)
    return host if host is not None and host.user_id == user_id else None


def default_host(user_id: int) -> LearnerHost | None:
    hosts = hosts_of(user_id)
    return next((h for h in hosts if h.is_default), hosts[0] if hosts else None)


def set_default(host: LearnerHost) -> None:
    db.session.execute(update(LearnerHost).where(LearnerHost.user_id == host.user_id)
                       .values(is_default=False))
    host.is_default = True
    db.session.commit()


def delete_host(host: LearnerHost) -> None:
    """The row holds the host's secrets: deleting it deletes them."""
    was_default, user_id = host.is_default, host.user_id
    db.session.delete(host)
    db.session.commit()
    remaining = hosts_of(user_id)
    if was_default and remaining:
        set_default(remaining[0])


def _check_name(user_id: int, name: str) -> str:
    name = name.strip()[:80]
    clash = db.session.scalar(select(LearnerHost.id).where(LearnerHost.user_id == user_id,
                                                           LearnerHost.name == name))
    if clash is not None:
        raise RegistrationError("duplicate", name)
    return name


def _save(host: LearnerHost, make_default: bool) -> LearnerHost:
    first = not hosts_of(host.user_id)
    db.session.add(host)
    db.session.commit()
    if make_default or first:
        set_default(host)
    return host


def register_local(user_id: int, name: str = "", make_default: bool = True) -> LearnerHost:
    if not settings.current().local_engine:
        raise RegistrationError("local_disabled")
    name = _check_name(user_id, name or "local")
    return _save(LearnerHost(user_id=user_id, name=name, kind=LOCAL, url=""), make_default)


def _pem_certificate(data: bytes | None, label: str) -> bytes:
    if not data:
        raise RegistrationError("missing", label)
    try:
        if len(data) > MAX_PEM_BYTES:
            raise ValueError("too large")
        x509.load_pem_x509_certificates(data)
    except ValueError as exc:
        raise RegistrationError("pem", label) from exc
    return data


def _pem_private_key(data: bytes | None, label: str) -> bytes:
    """A key TLS can use, its type and size read before the costly part of loading it (an RSA
    key's primes are checked only once it is known to be at most MAX_RSA_BITS)."""
    if not data:
        raise RegistrationError("missing", label)
    try:
        if len(data) > MAX_PEM_BYTES:
            raise ValueError("too large")
        key = serialization.load_pem_private_key(data, password=None,
                                                 unsafe_skip_rsa_key_validation=True)
    except (ValueError, TypeError, serialization.UnsupportedAlgorithm) as exc:
        raise RegistrationError("pem", label) from exc
    if isinstance(key, rsa.RSAPrivateKey) and key.key_size <= MAX_RSA_BITS:
        try:
            serialization.load_pem_private_key(data, password=None)  # now validate the primes
        except ValueError as exc:
            raise RegistrationError("pem", label) from exc
    elif not isinstance(key, ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
                        | ed448.Ed448PrivateKey):
        raise RegistrationError("key_type", label)
    return data


def register_tls(user_id: int, name: str, url: str, ca: bytes | None, cert: bytes | None,
                 key: bytes | None, make_default: bool = False) -> LearnerHost:
    """tcp:// with the three files docker-machine makes (ca.pem, cert.pem, key.pem)."""
    target = policy_for(user_id).check(url, tls=True)
    if target.scheme != "tcp":
        raise HostRefused("scheme", url)
    name = _check_name(user_id, name or target.host or url)
    ca = _pem_certificate(ca, "ca.pem")
    cert = _pem_certificate(cert, "cert.pem")
    key = _pem_private_key(key, "key.pem")
    host = LearnerHost(user_id=user_id, name=name, kind=TLS, url=target.url,
                       tls_ca=ca.decode("ascii", errors="replace"),
                       tls_cert_enc=crypto.encrypt(cert), tls_key_enc=crypto.encrypt(key))
    return _save(host, make_default)


def register_plain(user_id: int, name: str, url: str, make_default: bool = False) -> LearnerHost:
    """tcp:// without TLS: only where DOCKLAB_ALLOW_PLAIN_TCP is on."""
    target = policy_for(user_id).check(url, tls=False)
    if target.scheme != "tcp":
        raise HostRefused("scheme", url)
    name = _check_name(user_id, name or target.host or url)
    return _save(LearnerHost(user_id=user_id, name=name, kind=PLAIN, url=target.url),
                 make_default)


def register_ssh(user_id: int, name: str, url: str, make_default: bool = False) -> LearnerHost:
    """ssh://user@host[:port]: the host key is fetched now and pinned; the learner's docklab key
    pair is what docklab will log in with."""
    target = policy_for(user_id).check(url)
    if target.scheme != "ssh":
        raise HostRefused("scheme", url)
    name = _check_name(user_id, name or target.host or url)
    release_session()
    timeout = settings.current().host_timeout
    try:
        key_line, fingerprint = outbound.for_app().call(
            user_id, lambda deadline: fetch_ssh_host_key(target.ip, target.port, timeout,
                                                         deadline),
            timeout, settings.current().request_wait)
    except HostError as error:
        raise RegistrationError("ssh_host_key", error) from error
    keys = ssh_key_for(user_id)
    host = LearnerHost(user_id=user_id, name=name, kind=SSH, url=target.url,
                       ssh_private_key_enc=bytes(keys.private_key_enc),
                       ssh_public_key=keys.public_key, ssh_host_key=key_line,
                       ssh_host_fingerprint=fingerprint)
    return _save(host, make_default)


def register_socket(user_id: int, name: str, url: str, make_default: bool = False) -> LearnerHost:
    """unix:///path: only a socket an admin allowed explicitly (or unix://*)."""
    target = policy_for(user_id).check(url)
    if target.scheme != "unix":
        raise HostRefused("scheme", url)
    name = _check_name(user_id, name or url)
    return _save(LearnerHost(user_id=user_id, name=name, kind=UNIX, url=target.url), make_default)


def _admit_registration(user_id: int) -> None:
    """Before any parsing or connecting: at most DOCKLAB_MAX_HOSTS hosts per learner, and
    DOCKLAB_HOST_REGISTER_LIMIT registrations per DOCKLAB_HOST_REGISTER_WINDOW seconds (each
    try counts, so bad uploads cannot be retried without end)."""
    site = settings.current()
    limit, window = site.host_register_limit, site.host_register_window
    key = f"host-register:{user_id}"
    if ratelimit.too_many(key, limit, window):
        raise RegistrationError("rate_limited", str(window))
    ratelimit.record(key, window)
    owned = db.session.scalar(select(func.count()).select_from(LearnerHost)
                              .where(LearnerHost.user_id == user_id)) or 0
    if owned >= site.max_hosts:
        raise RegistrationError("too_many_hosts", str(site.max_hosts))


def infer_kind(url: str, has_tls_files: bool) -> str:
    scheme = (url or "").split("://", 1)[0]
    if scheme == "tcp":
        return TLS if has_tls_files else PLAIN
    return {"ssh": SSH, "unix": UNIX}.get(scheme, TLS)


def register(user_id: int, kind: str, name: str, url: str = "", *, tls_ca: bytes | None = None,
             tls_cert: bytes | None = None, tls_key: bytes | None = None,
             make_default: bool = False) -> LearnerHost:
    """One entry point for the form and the API (kind inferred from the URL when empty).
    Raises HostRefused or RegistrationError (and outbound.Busy/AlreadyRunning for SSH)."""
    _admit_registration(user_id)
    kind = kind or infer_kind(url, bool(tls_ca or tls_cert or tls_key))
    if kind == LOCAL:
        return register_local(user_id, name, make_default)
    if kind == SSH:
        return register_ssh(user_id, name, url, make_default)
    if kind == UNIX:
        return register_socket(user_id, name, url, make_default)
    if kind == PLAIN:
        return register_plain(user_id, name, url, make_default)
    return register_tls(user_id, name, url, tls_ca, tls_cert, tls_key, make_default)


# --- connecting ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Connection:
    """What grading needs, read out of the database before the session is released."""

    spec: HostSpec
    label: str
    host_id: int | None


def limits() -> dict:
    """What every HostSpec of this server shares: timeouts and the answer size cap."""
    site = settings.current()
    return {"connect_timeout": site.host_timeout, "read_timeout": site.host_timeout,
            "total_timeout": site.check_deadline, "max_response_bytes": site.max_response_bytes}


def local_connection(host_id: int | None = None, label: str = "") -> Connection:
    site = settings.current()
    if not site.local_engine:
        raise RegistrationError("local_disabled")
    url = site.local_engine_url
    return Connection(HostSpec(url=url, **limits()), label or f"local ({url})", host_id)


def connection_for(user_id: int, host: LearnerHost | None) -> Connection:
    """A HostSpec for the host (or the local engine when the learner has none), with the address
    checked against the policy again now: names can change what they resolve to."""
    if host is None:
        if not settings.current().local_engine:
            raise NoHost()
        return local_connection()
    if host.kind == LOCAL:
        return local_connection(host.id, host.name)
    target = policy_for(user_id).check(host.url, tls=host.kind != PLAIN)
    common = limits()
    if host.kind == TLS:
        # Connect to the address just checked: a second DNS answer could point anywhere, and the
        # learner's own CA proves nothing about which machine answered. The name stays for SNI
        # and the certificate check.
        spec = HostSpec(url=host.url, tls_ca=(host.tls_ca or "").encode(),
                        tls_cert=crypto.decrypt(host.tls_cert_enc),
                        tls_key=crypto.decrypt(host.tls_key_enc), resolved_ip=target.ip,
                        **common)
    elif host.kind == SSH:
        spec = HostSpec(url=host.url, ssh_private_key=crypto.decrypt(host.ssh_private_key_enc),
                        ssh_host_key=host.ssh_host_key, resolved_ip=target.ip, **common)
    elif host.kind == PLAIN:
        spec = HostSpec(url=target.ip_url, allow_plain_tcp=True, **common)
    else:  # a unix socket an admin allowed
        spec = HostSpec(url=target.url, **common)
    return Connection(spec, host.label, host.id)


def test_connection(user_id: int, host: LearnerHost | None) -> dict:
    """The engine's version, or HostError / HostRefused with the precise reason; on the outbound
    pool, cut off after DOCKLAB_REQUEST_WAIT seconds (raises outbound.Busy/AlreadyRunning)."""
    connection = connection_for(user_id, host)
    site = settings.current()
    release_session()
    return outbound.for_app().call(
        user_id, lambda deadline: engine_summary(connection.spec, deadline),
        site.check_deadline, site.request_wait)


def release_session() -> None:
    """Finish the database transaction before talking to a (possibly slow) learner host, so a
    check never holds a connection or a lock while it waits on the network. The logged-in user
    stays usable (loaded, then detached)."""
    from flask_login import current_user

    db.session.commit()
    if current_user and current_user.is_authenticated:
        _ = (current_user.id, current_user.username, current_user.role,
             current_user.session_epoch)
    db.session.close()




__all__ = ["Connection", "HostRefused", "NoHost", "RegistrationError", "add_rule",
           "connection_for", "default_host", "delete_host", "host_of", "hosts_of", "policy_for",
           "register_local", "register_plain", "register_ssh", "register_tls", "release_session",
           "rules", "set_default", "ssh_key_for", "test_connection"]
