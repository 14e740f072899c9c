"""Hosts JSON API (token auth): a learner's Docker hosts are theirs alone; any other id is a 404,
the same as one that does not exist. A host the policy refuses or that cannot be registered is a
422, one that cannot be reached a 502 (504 when it is too slow): the API's one error handler
words them (api/errors.py)."""
from __future__ import annotations

import base64
import binascii

from flask import g, jsonify

from ..hosts import services as hosts
from ..hosts.models import LearnerHost
from . import bp
from .auth import token_required
from .contract import NOT_FOUND, contract, ok, refused
from .labs import BUSY, MAX_ID, no_host
from .models import Host, HostList, HostRequest, HostTest


def _host_dict(host: LearnerHost) -> dict:
    return {"id": host.id, "name": host.name, "kind": host.kind, "url": host.url,
            "default": host.is_default, "ssh_public_key": host.ssh_public_key,
            "ssh_host_fingerprint": host.ssh_host_fingerprint,
            "created_at": host.created_at.isoformat()}


def _pem(body: HostRequest, name: str) -> bytes | None:
    """PEM text as sent, or base64 of it (`<name>_base64`)."""
    text = getattr(body, name)
    if text is not None:
        return str(text).encode()
    encoded = getattr(body, f"{name}_base64")
    if encoded is not None:
        try:
            return base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            return b"not base64"
    return None


@bp.get("/hosts")
@token_required()
@contract("hosts", "Your Docker hosts and your SSH public key",
          responses={200: ok("Hosts.", HostList)})
def list_hosts():
    user_id = g.api_user.id
    return jsonify(hosts=[_host_dict(host) for host in hosts.hosts_of(user_id)],
                   ssh_public_key=hosts.ssh_key_for(user_id).public_key)


@bp.post("/hosts")
@token_required()
@contract("hosts", "Register a Docker host", lang=True, body=HostRequest,
          example={"kind": "ssh", "name": "lab-vm", "url": "ssh://docker@203.0.113.10"},
          responses={
              201: ok("Registered.", Host),
              422: refused("The address is refused by the policy (error: the policy's reason, "
                           "e.g. loopback, not_allowed, plain_tcp) or the host cannot be "
                           "registered (error: e.g. pem, key_type, duplicate, too_many_hosts, "
                           "rate_limited); message_ko and message_en say why.")})
def register_host(body: HostRequest):
    # HostRefused and RegistrationError are the error handler's (422).
    host = hosts.register(g.api_user.id, body.kind or "", body.name or "", body.url or "",
                          tls_ca=_pem(body, "tls_ca"), tls_cert=_pem(body, "tls_cert"),
                          tls_key=_pem(body, "tls_key"), make_default=bool(body.default))
    return jsonify(_host_dict(host)), 201


def _own_host(host_id: int) -> LearnerHost:
    host = hosts.host_of(g.api_user.id, host_id) if host_id <= MAX_ID else None
    if host is None:
        raise no_host(host_id)
    return host


@bp.delete("/hosts/<int:host_id>")
@token_required()
@contract("hosts", "Delete one of your hosts",
          responses={204: ok("Deleted."), 404: NOT_FOUND})
def delete_host(host_id: int):
    hosts.delete_host(_own_host(host_id))
    return "", 204


@bp.post("/hosts/<int:host_id>/test")
@token_required()
@contract("hosts", "Test the connection to one of your hosts", lang=True, responses={
    200: ok("The engine answered: its version summary.", HostTest),
    404: NOT_FOUND,
    422: refused("The host's address is now refused by the policy, or its stored keys cannot "
                 "be used (error: the reason, e.g. not_allowed)."),
    429: refused("A check or connection test of yours is still running (error: "
                 "already_running).", headers=("Retry-After",)),
    502: refused("The host could not be used (error: why, e.g. connection_refused, "
                 "tls_verify, ssh_auth, unknown_host)."),
    503: BUSY,
    504: refused("The host did not answer in time (error: timeout or deadline).")})
def test_host(host_id: int):
    host = _own_host(host_id)
    # HostError (502/504), HostRefused and RegistrationError (422) are the error handler's.
    return jsonify(ok=True, engine=hosts.test_connection(g.api_user.id, host))
