"""Learners' Docker hosts, their SSH key pairs, and the site's allow-list of host addresses.

Secret material (`*_enc` columns) is Fernet-encrypted by docklab.crypto; it is written once at
registration, read only to connect, never shown, and deleted with its row."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..dbtypes import UTCDateTime
from ..extensions import db
from ..models import utcnow

LOCAL, TLS, SSH, PLAIN, UNIX = "local", "tls", "ssh", "tcp", "unix"
HOST_KINDS = (LOCAL, TLS, SSH, PLAIN, UNIX)


class LearnerHost(db.Model):
    """One Docker host a learner registered (the local engine, tcp:// with TLS, or ssh://)."""

    __tablename__ = "learner_hosts"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    kind: Mapped[str] = mapped_column(String(8))
    url: Mapped[str] = mapped_column(String(300))  # empty for the local engine (set by the server)
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)
    tls_ca: Mapped[str | None] = mapped_column(Text)  # the CA certificate is public: kept readable
    tls_cert_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    tls_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    ssh_private_key_enc: Mapped[bytes | None] = mapped_column(LargeBinary)
    ssh_public_key: Mapped[str | None] = mapped_column(Text)
    ssh_host_key: Mapped[str | None] = mapped_column(Text)  # pinned "type base64"
    ssh_host_fingerprint: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def label(self) -> str:
        return f"{self.name} ({self.url})" if self.url else self.name


class LearnerSSHKey(db.Model):
    """The ed25519 key pair docklab made for one learner; its public half goes into the
    `authorized_keys` of every SSH host the learner registers."""

    __tablename__ = "learner_ssh_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    public_key: Mapped[str] = mapped_column(Text)
    private_key_enc: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


NETWORK, HOSTNAME, SOCKET = "network", "hostname", "socket"
RULE_KINDS = (NETWORK, HOSTNAME, SOCKET)


class AllowedHostRule(db.Model):
    """An admin's entry in the site-wide hosts allow-list: a network (CIDR), a host name
    (`*.example.org` matches sub-domains) or a unix socket path (`unix:///path`, `unix://*`)."""

    __tablename__ = "allowed_host_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(String(255), unique=True)
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
