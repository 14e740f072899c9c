"""Connections to a learner's Docker host: unix socket, TCP with TLS, or SSH with a pinned host key.

Every way of failing becomes a `HostError` with a kind and a plain sentence (ko/en), so a grading
run can report `error` with the reason instead of a stack trace or a false `fail`.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import os
import shutil
import socket
import ssl
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import paramiko
import requests
import urllib3
from docker.transport.sshconn import SSHConnection, SSHConnectionPool, SSHHTTPAdapter
from docker.transport.unixconn import (
    UnixHTTPAdapter,
    UnixHTTPConnection,
    UnixHTTPConnectionPool,
)

import docker

from .deadline import Deadline

# The newest Engine API this SDK speaks, and the oldest we accept from a host.
NEWEST_API = docker.constants.DEFAULT_DOCKER_API_VERSION
OLDEST_API = "1.24"
DEFAULT_SOCKET = "unix:///var/run/docker.sock"


@dataclass(frozen=True)
class HostSpec:
    """Where a learner's engine is and how to prove who we are to it (secrets as bytes)."""

    url: str
    tls_ca: bytes | None = None
    tls_cert: bytes | None = None
    tls_key: bytes | None = field(default=None, repr=False)
    ssh_private_key: bytes | None = field(default=None, repr=False)
    # The pinned "type base64" host key line; an unknown or changed key is refused.
    ssh_host_key: str | None = None
    allow_plain_tcp: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 5.0
    # The whole grading run, however the host behaves (a host trickling one byte a second
    # never trips the per-read timeout).
    total_timeout: float = 20.0
    # The largest answer read from the host: a hostile or broken engine sending gigabytes is an
    # `error`, never the grader's memory. 5,000 containers list in ~4 MB.
    max_response_bytes: int = 32 * 1024 * 1024
    # Connect to this already-checked address, never to a fresh answer for the name (which a
    # rebinding DNS server could point anywhere); TLS still sends and verifies the name.
    resolved_ip: str | None = None


MESSAGES = {
    "refused": ("호스트가 연결을 거부했습니다 (엔진이 꺼져 있거나 주소·포트가 틀림): "
                "{detail}",
                "The host refused the connection (engine stopped, or wrong address/port): "
                "{detail}"),
    "permission_denied": ("Docker 소켓에 접근할 권한이 없습니다: {detail}",
                          "No permission to use the Docker socket: {detail}"),
    "unknown_host": ("호스트 이름을 찾을 수 없습니다: {detail}",
                     "The host name could not be resolved: {detail}"),
    "timeout": ("호스트가 제한 시간 안에 응답하지 않았습니다: {detail}",
                "The host did not answer within the time limit: {detail}"),
    "deadline": ("호스트가 {detail}초 안에 응답을 마치지 않았습니다 (너무 느리거나 응답하지 않음). "
                 "잠시 뒤 다시 시도하세요.",
                 "The host did not finish answering within {detail} s (too slow, or not "
                 "answering). Try again in a moment."),
    "tls_verify": ("TLS 검증 실패: 서버 인증서가 등록한 CA(ca.pem)로 서명되지 않았습니다: {detail}",
                   "TLS verification failed: the server certificate is not signed by the CA "
                   "you registered (ca.pem): {detail}"),
    "tls_client_cert": ("엔진이 클라이언트 인증서(cert.pem/key.pem)를 받아들이지 "
                        "않았습니다: {detail}",
                        "The engine did not accept the client certificate (cert.pem/key.pem): "
                        "{detail}"),
    "ssh_auth": ("SSH 인증 실패: 호스트의 authorized_keys 에 docklab 공개 키가 "
                 "있는지 확인하세요: {detail}",
                 "SSH authentication failed: check that docklab's public key is in the host's "
                 "authorized_keys: {detail}"),
    "ssh_host_key": ("SSH 호스트 키가 등록할 때 고정한 키와 다릅니다 (또는 고정된 키가 없습니다). "
                     "호스트를 다시 등록하세요: {detail}",
                     "The SSH host key differs from the one pinned at registration (or none is "
                     "pinned). Register the host again: {detail}"),
    "ssh_remote": ("SSH 로는 접속했지만 원격의 docker 명령이 실패했습니다: {detail}",
                   "SSH worked, but the docker command on the host failed: {detail}"),
    "api_too_old": ("엔진의 API 버전이 너무 낮습니다: {detail}",
                    "The engine's API version is too old: {detail}"),
    "plain_tcp_forbidden": ("암호화되지 않은 tcp:// 연결은 허용되지 않습니다. "
                            "TLS 인증서를 등록하세요: {detail}",
                            "Unencrypted tcp:// connections are not allowed; register TLS "
                            "certificates: {detail}"),
    "bad_url": ("호스트 주소 형식이 잘못되었습니다: {detail}",
                "The host address is not valid: {detail}"),
    "protocol": ("엔진이 Docker API 로 응답하지 않았습니다: {detail}",
                 "The host did not answer as a Docker engine: {detail}"),
    "too_large": ("엔진의 응답이 너무 큽니다: {detail}",
                  "The engine's answer is too large: {detail}"),
}


class HostError(Exception):
    """A host that could not be read, with the reason in words."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
        self.detail = _one_line(detail)

    def message(self, lang: str = "ko") -> str:
        ko, en = MESSAGES.get(self.kind, ("{detail}", "{detail}"))
        return (en if lang == "en" else ko).format(detail=self.detail).rstrip(": ")


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chain(exc: BaseException) -> list[BaseException]:
    """The exception and everything behind it (causes, contexts, urllib3 reasons, wrapped args)."""
    seen: list[BaseException] = []
    stack: list[object] = [exc]
    while stack and len(seen) < 20:
        current = stack.pop()
        if not isinstance(current, BaseException) or any(current is e for e in seen):
            continue
        seen.append(current)
        stack.extend([current.__cause__, current.__context__, getattr(current, "reason", None),
                      *current.args])
    return seen


def classify(exc: BaseException, remote_stderr: str = "") -> HostError:
    """Map whatever a connection or API call raised to one HostError kind."""
    if isinstance(exc, HostError):
        return exc
    chain = _chain(exc)
    text = " | ".join(f"{type(e).__name__}: {e}" for e in chain)
    lowered = text.lower()
    types = {type(e) for e in chain}
    if any(issubclass(t, paramiko.BadHostKeyException) for t in types) or (
        "known_hosts" in lowered or "host key" in lowered
    ):
        return HostError("ssh_host_key", str(exc))
    if any(issubclass(t, paramiko.AuthenticationException) for t in types):
        return HostError("ssh_auth", str(exc))
    if "hostname mismatch" in lowered or "doesn't match" in lowered:
        return HostError("tls_verify", "the server certificate is not made out to this host "
                                       "name")
    if "certificate_verify_failed" in lowered or "certificate verify failed" in lowered:
        return HostError("tls_verify", "CERTIFICATE_VERIFY_FAILED")
    if any(marker in lowered for marker in ("bad_certificate", "certificate_required",
                                             "bad certificate", "certificate required")):
        return HostError("tls_client_cert", "the engine refused the client certificate")
    if "http request to an https server" in lowered:
        return HostError("protocol", "plain HTTP sent to a TLS port (use TLS certificates)")
    if remote_stderr:
        return HostError("ssh_remote", remote_stderr)
    if any(issubclass(t, (requests.exceptions.Timeout, socket.timeout, TimeoutError))
           for t in types) or "timed out" in lowered:
        return HostError("timeout", _short_reason(chain))
    if any(issubclass(t, socket.gaierror) for t in types) or any(
        marker in lowered for marker in ("name or service not known", "nodename nor servname",
                                         "failed to resolve", "temporary failure in name")
    ):
        return HostError("unknown_host", _short_reason(chain))
    if any(issubclass(t, PermissionError) for t in types) or "permission denied" in lowered:
        return HostError("permission_denied", _short_reason(chain))
    if any(issubclass(t, (ConnectionRefusedError, FileNotFoundError)) for t in types) or (
        "connection refused" in lowered or "no such file or directory" in lowered
    ):
        return HostError("refused", _short_reason(chain))
    if isinstance(exc, docker.errors.APIError) and "minimum supported api version" in lowered:
        # "client version 1.45 is too old": the engine is newer than anything this SDK speaks.
        return HostError("protocol", f"the engine needs a newer API than docklab speaks (up to "
                                     f"{NEWEST_API}): {exc.explanation or exc}")
    if isinstance(exc, docker.errors.APIError) and "maximum supported api version" in lowered:
        return HostError("api_too_old", str(exc.explanation or exc))
    if any(issubclass(t, ssl.SSLError) for t in types):
        return HostError("tls_verify", _short_reason(chain))
    if any(issubclass(t, paramiko.SSHException) for t in types):
        return HostError("ssh_remote", _short_reason(chain))
    if "remotedisconnected" in lowered or "connection aborted" in lowered:
        return HostError("ssh_remote" if "ssh" in lowered else "protocol", _short_reason(chain))
    return HostError("protocol", _short_reason(chain))


def _short_reason(chain: list[BaseException]) -> str:
    deepest = chain[-1]
    return f"{type(deepest).__name__}: {deepest}"


class _PinnedSSHConnection(SSHConnection):
    """Keeps the channel so the remote command's stderr can be shown when it fails."""

    def __init__(self, adapter: PinnedSSHAdapter, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._adapter = adapter

    def connect(self) -> None:
        super().connect()
        self._adapter.channels.append(self.sock)


class _PinnedSSHPool(SSHConnectionPool):
    def __init__(self, adapter: PinnedSSHAdapter, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._adapter = adapter

    def _new_conn(self) -> _PinnedSSHConnection:
        return _PinnedSSHConnection(self._adapter, self.ssh_transport, self.timeout, self.ssh_host)


def _load_private_key(pem: bytes) -> paramiko.PKey:
    text = pem.decode() if isinstance(pem, bytes) else pem
    for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey, paramiko.RSAKey):
        try:
            return key_class.from_private_key(io.StringIO(text))
        except (paramiko.SSHException, ValueError):
            continue
    raise HostError("ssh_auth", "the SSH private key could not be read (OpenSSH or PEM, "
                                "ed25519, ECDSA or RSA, without a passphrase)")


def _pinned_key(line: str) -> tuple[str, paramiko.PKey]:
    try:
        key_type, key_b64 = line.split()[:2]
        return key_type, paramiko.PKey.from_type_string(key_type, base64.b64decode(key_b64))
    except (ValueError, paramiko.SSHException, binascii.Error) as exc:
        raise HostError("ssh_host_key", "the pinned host key is not a valid "
                                        "\"type base64\" line") from exc


class PinnedSSHAdapter(SSHHTTPAdapter):
    """The SDK's paramiko transport, but with our key and pinned host key: it never reads the
    server account's ~/.ssh, so one docklab process can hold a key per learner."""

    def __init__(self, spec: HostSpec, host: str, port: int, user: str, timeout: float,
                 deadline: Deadline):
        self._spec, self._host, self._port, self._user = spec, host, port, user
        self._deadline = deadline
        self.channels: list[paramiko.Channel] = []
        super().__init__(f"ssh://{user}@{host}:{port}", timeout=timeout)

    def _create_paramiko_client(self, base_url: str) -> None:
        client = paramiko.SSHClient()
        client.set_missing_host_key_policy(paramiko.RejectPolicy())
        address = self._spec.resolved_ip or self._host
        if self._spec.ssh_host_key:
            key_type, key = _pinned_key(self._spec.ssh_host_key)
            entry = address if self._port == 22 else f"[{address}]:{self._port}"
            client.get_host_keys().add(entry, key_type, key)
        self.ssh_client = client
        timeout = self._deadline.clamp(self._spec.connect_timeout)
        self.ssh_params = {
            "hostname": address, "port": self._port, "username": self._user,
            "pkey": _load_private_key(self._spec.ssh_private_key or b""),
            "look_for_keys": False, "allow_agent": False,
            "timeout": timeout, "banner_timeout": timeout, "auth_timeout": timeout,
        }

    def _connect(self) -> None:
        started = time.monotonic()
        if self._deadline.remaining() <= 0:
            raise HostError("timeout", "no time left to connect")
        try:
            super()._connect()
            transport = self.ssh_client.get_transport()
            if transport is not None:  # its reader thread ends when the deadline cuts the socket
                self._deadline.watch(transport.sock)
        except (paramiko.BadHostKeyException, paramiko.AuthenticationException):
            raise
        except paramiko.SSHException as exc:
            # paramiko's handshake gives up at its timeout with a vague "No existing session"
            # (or a banner error): a host that was silent that long timed out.
            if time.monotonic() - started >= 0.9 * self._spec.connect_timeout:
                raise HostError("timeout", f"no SSH handshake within "
                                           f"{self._spec.connect_timeout:g} s ({exc})") from exc
            raise

    def get_connection(self, url: str, proxies: object = None) -> _PinnedSSHPool:
        with self.pools.lock:
            pool: _PinnedSSHPool | None = self.pools.get(url)
            if pool:
                return pool
            if not self.ssh_client.get_transport():
                self._connect()
            pool = _PinnedSSHPool(self, ssh_client=self.ssh_client, timeout=self.timeout,
                                  maxsize=self.max_pool_size, host=self.ssh_host)
            self.pools[url] = pool
        return pool

    def remote_stderr(self) -> str:
        for channel in reversed(self.channels):
            try:
                if channel.recv_stderr_ready():
                    return _one_line(channel.recv_stderr(4096).decode(errors="replace"))
            except (OSError, EOFError):
                continue
        return ""


class _WatchedUnixConnection(UnixHTTPConnection):
    def __init__(self, deadline: Deadline, *args: Any) -> None:
        super().__init__(*args)
        self._deadline = deadline

    def connect(self) -> None:
        super().connect()
        self._deadline.watch(self.sock)


class _WatchedUnixPool(UnixHTTPConnectionPool):
    def __init__(self, deadline: Deadline, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> _WatchedUnixConnection:
        return _WatchedUnixConnection(self._deadline, self.base_url, self.socket_path,
                                      self.timeout)


class WatchedUnixAdapter(UnixHTTPAdapter):
    """The SDK's unix-socket transport, with every socket under the run's deadline."""

    def __init__(self, socket_url: str, timeout: float, deadline: Deadline) -> None:
        self._deadline = deadline
        super().__init__(socket_url, timeout)

    def get_connection(self, url: str, proxies: object = None) -> _WatchedUnixPool:
        with self.pools.lock:
            pool: _WatchedUnixPool | None = self.pools.get(url)
            if pool is None:
                pool = _WatchedUnixPool(self._deadline, url, self.socket_path, self.timeout,
                                        maxsize=self.max_pool_size)
                self.pools[url] = pool
        return pool


def _watched(connection_class: type, deadline: Deadline) -> type:
    class Watched(connection_class):
        def connect(self) -> None:
            super().connect()
            deadline.watch(self.sock)

    return Watched


class PinnedTCPAdapter(requests.adapters.HTTPAdapter):
    """tcp:// to one address: the one the allow-list checked (`address`), never a second DNS
    answer. With TLS, the handshake still sends the host's name (SNI) and verifies the
    certificate for that name against the learner's CA."""

    def __init__(self, name: str, address: str, port: int, deadline: Deadline,
                 tls: docker.tls.TLSConfig | None = None) -> None:
        super().__init__()
        if tls is None:
            self._pool = urllib3.HTTPConnectionPool(address, port, maxsize=2)
            self._pool.ConnectionCls = _watched(urllib3.connection.HTTPConnection, deadline)
        else:
            cert_file, key_file = tls.cert if tls.cert else (None, None)
            self._pool = urllib3.HTTPSConnectionPool(
                address, port, maxsize=2, cert_reqs="CERT_REQUIRED", ca_certs=tls.ca_cert,
                cert_file=cert_file, key_file=key_file, assert_hostname=name,
                server_hostname=name)
            self._pool.ConnectionCls = _watched(urllib3.connection.HTTPSConnection, deadline)

    def get_connection_with_tls_context(self, request: requests.PreparedRequest,
                                        verify: bool | str | None, proxies: object = None,
                                        cert: object = None) -> urllib3.HTTPConnectionPool:
        return self._pool

    def cert_verify(self, conn: object, url: str, verify: object, cert: object) -> None:
        """The pool carries the learner's CA and client certificate itself."""

    def close(self) -> None:
        self._pool.close()
        super().close()


def _read_capped(response: requests.Response, limit: int) -> None:
    """Load the body into `response` (as requests would without stream=True), refusing more
    than `limit` bytes, whether announced by Content-Length or simply sent."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        response.close()
        raise HostError("too_large", f"{int(declared):,} bytes announced, the limit is "
                                     f"{limit:,}")
    body = bytearray()
    for chunk in response.iter_content(64 * 1024):
        body += chunk
        if len(body) > limit:
            response.close()
            raise HostError("too_large", f"more than {limit:,} bytes sent")
    response._content = bytes(body)


class EngineConnection:
    """An open, counted connection to one engine. `.api` is a docker.APIClient."""

    def __init__(self, spec: HostSpec, deadline: Deadline | None = None) -> None:
        self.spec = spec
        # Not armed unless the caller armed it: then it still caps every request's timeouts.
        self.deadline = deadline or Deadline(spec.total_timeout)
        self.api_calls = 0
        self.requests_log: list[tuple[str, str]] = []
        self._version_info: dict[str, Any] | None = None
        self.server_api_version = ""
        self._tempdir: str | None = None
        self._ssh_adapter: PinnedSSHAdapter | None = None
        self.api = self._open()
        self._count_requests()

    # -- opening -----------------------------------------------------------------------------
    def _open(self) -> docker.APIClient:
        url = self.spec.url.strip()
        try:
            parsed = urllib.parse.urlsplit(url)
            parsed.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError as exc:
            raise HostError("bad_url", f"{url} ({exc})") from exc
        # The SDK's transports take one number (socket timeouts); each request then gets the
        # (connect, read) pair, see _count_requests.
        timeout = max(self.spec.connect_timeout, self.spec.read_timeout)
        if parsed.scheme == "unix":
            if not parsed.path:
                raise HostError("bad_url", url)
            api = docker.APIClient(base_url=url, version=NEWEST_API, timeout=timeout)
            adapter = WatchedUnixAdapter(f"http+unix://{parsed.path}", timeout, self.deadline)
            api.mount("http+docker://", adapter)
            api._custom_adapter = adapter
        elif parsed.scheme == "tcp":
            if not parsed.hostname or not parsed.port:
                raise HostError("bad_url", f"{url} (expected tcp://HOST:PORT)")
            api = self._open_tcp(parsed, timeout)
        elif parsed.scheme == "ssh":
            if not parsed.hostname or not parsed.username:
                raise HostError("bad_url", f"{url} (expected ssh://USER@HOST[:PORT])")
            if not self.spec.ssh_private_key:
                raise HostError("ssh_auth", "no private key was given")
            api = docker.APIClient(base_url="unix:///docklab-unused.sock", version=NEWEST_API,
                                   timeout=timeout)
            try:
                adapter = PinnedSSHAdapter(self.spec, parsed.hostname, parsed.port or 22,
                                           parsed.username, timeout, self.deadline)
            except Exception as exc:  # noqa: BLE001 - every failure is classified for the learner
                raise classify(exc) from exc
            self._ssh_adapter = adapter
            api.mount("http+docker://", adapter)
            api._custom_adapter = adapter
        else:
            raise HostError("bad_url", f"{url} (use unix://, tcp:// or ssh://)")
        # The host's own CA must win over REQUESTS_CA_BUNDLE and friends in the environment.
        api.trust_env = False
        return api

    def _open_tcp(self, parsed: urllib.parse.SplitResult, timeout: float) -> docker.APIClient:
        has_tls = bool(self.spec.tls_ca or self.spec.tls_cert or self.spec.tls_key)
        if not has_tls and not self.spec.allow_plain_tcp:
            raise HostError("plain_tcp_forbidden", parsed.geturl())
        if not has_tls:
            return self._pinned_client(parsed, timeout, None)
        if not self.spec.tls_ca:
            raise HostError("tls_verify", "no CA certificate (ca.pem) was given")
        self._tempdir = tempfile.mkdtemp(prefix="docklab-tls-")
        paths = {}
        for name in ("tls_ca", "tls_cert", "tls_key"):
            value = getattr(self.spec, name)
            if value:
                path = os.path.join(self._tempdir, f"{name}.pem")
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(descriptor, "wb") as handle:
                    handle.write(value)
                paths[name] = path
        if bool(self.spec.tls_cert) != bool(self.spec.tls_key):
            raise HostError("tls_client_cert", "cert.pem and key.pem must be given together")
        _check_pem_files(paths)
        client_cert = (paths["tls_cert"], paths["tls_key"]) if len(paths) == 3 else None
        tls = docker.tls.TLSConfig(client_cert=client_cert, ca_cert=paths["tls_ca"], verify=True)
        return self._pinned_client(parsed, timeout, tls)

    def _pinned_client(self, parsed: urllib.parse.SplitResult, timeout: float,
                       tls: docker.tls.TLSConfig | None) -> docker.APIClient:
        name, port = parsed.hostname, parsed.port
        assert name and port  # `_open` refuses a tcp:// URL without both
        host = f"[{name}]" if ":" in name else name
        api = docker.APIClient(base_url=f"tcp://{host}:{port}", version=NEWEST_API,
                               timeout=timeout)
        adapter = PinnedTCPAdapter(name, self.spec.resolved_ip or name, port, self.deadline, tls)
        api.mount("http://", adapter)
        api.mount("https://", adapter)
        api.base_url = f"{'https' if tls else 'http'}://{host}:{port}"
        return api

    def _count_requests(self) -> None:
        original = self.api.request
        deadline = self.deadline

        def counted(method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
            # The SDK puts its one timeout (or None: "wait forever") on its own requests; a
            # learner's host gets our connect/read pair instead, never more than the run has
            # left, so nothing can hang.
            if deadline.remaining() <= 0:
                raise self.over_deadline()
            kwargs["timeout"] = (deadline.clamp(self.spec.connect_timeout),
                                 deadline.clamp(self.spec.read_timeout))
            self.api_calls += 1
            self.requests_log.append((method.upper(), urllib.parse.urlsplit(url).path))
            if kwargs.get("stream"):
                streamed: requests.Response = original(method, url, *args, **kwargs)
                return streamed
            # Read the body ourselves, at most max_response_bytes of it.
            kwargs["stream"] = True
            response: requests.Response = original(method, url, *args, **kwargs)
            _read_capped(response, self.spec.max_response_bytes)
            return response

        self.api.request = counted

    # -- talking -----------------------------------------------------------------------------
    def negotiate(self) -> str:
        """Learn the engine's API version and speak the newest one both sides know.

        Like the docker CLI, from `GET /_ping`'s `Api-Version` header: /version is ~10x dearer
        on the engine (it runs `runc --version` and friends), so it is read only when a check
        asks for `version_info`. Engines too old to send the header answer /version instead."""
        try:
            response = self.api.get(f"{self.api.base_url}/_ping")
        except Exception as exc:  # noqa: BLE001 - every failure is classified for the learner
            raise self.classify(exc) from exc
        server = response.headers.get("Api-Version") if response.status_code == 200 else None
        if not server:
            server = str(self._read_version("/version")["ApiVersion"])
        if _version_tuple(server) < _version_tuple(OLDEST_API):
            raise HostError("api_too_old", f"the engine speaks API {server}; docklab needs "
                                           f"{OLDEST_API} or newer (Docker 1.12+)")
        self.server_api_version = server
        self.api._version = min(server, NEWEST_API, key=_version_tuple)
        return str(self.api._version)

    @property
    def version_info(self) -> dict[str, Any]:
        """The engine's /version answer (Version, ApiVersion, Os, Arch, ...), read once."""
        if self._version_info is None:
            return self._read_version(f"/v{self.api.api_version}/version")
        return self._version_info

    def _read_version(self, path: str) -> dict[str, Any]:
        try:
            response = self.api.get(f"{self.api.base_url}{path}")
            if response.status_code != 200:
                raise HostError("protocol", f"{path} answered HTTP {response.status_code}")
            info = response.json()
        except HostError:
            raise
        except ValueError as exc:
            raise HostError("protocol", f"the answer to {path} was not JSON") from exc
        except Exception as exc:  # noqa: BLE001 - every failure is classified for the learner
            raise self.classify(exc) from exc
        if not isinstance(info, dict) or "ApiVersion" not in info:
            raise HostError("protocol", f"the answer to {path} has no ApiVersion")
        self._version_info = info
        return info

    def classify(self, exc: BaseException) -> HostError:
        if self.deadline.expired or self.deadline.remaining() <= 0:
            return self.over_deadline()  # the cut socket's own error would mislead
        stderr = self._ssh_adapter.remote_stderr() if self._ssh_adapter else ""
        return classify(exc, stderr)

    def over_deadline(self) -> HostError:
        return HostError("deadline", f"{self.deadline.seconds:g}")

    def close(self) -> None:
        try:
            self.api.close()
        finally:
            if self._tempdir:
                shutil.rmtree(self._tempdir, ignore_errors=True)


def _check_pem_files(paths: dict[str, str]) -> None:
    """Load the learner's PEM files the way the TLS handshake will, to name a broken one."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        context.load_verify_locations(cafile=paths["tls_ca"])
    except (ssl.SSLError, ValueError) as exc:
        raise HostError("tls_verify", f"ca.pem is not a PEM certificate ({exc})") from exc
    if "tls_cert" in paths:
        try:
            context.load_cert_chain(paths["tls_cert"], paths["tls_key"])
        except (ssl.SSLError, ValueError) as exc:
            raise HostError("tls_client_cert", "cert.pem/key.pem could not be used (not PEM, "
                                               f"or the key does not match): {exc}") from exc


def _version_tuple(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        return (0,)


class VersionCache:
    """The API version negotiated with each host, kept for a while: a service that checks the
    same learner's host again and again skips the /_ping. Any failure forgets the host, so an
    upgraded or replaced engine is negotiated afresh on the next run."""

    def __init__(self, ttl: float = 300.0) -> None:
        self.ttl = ttl
        self._versions: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def get(self, url: str) -> str | None:
        with self._lock:
            entry = self._versions.get(url)
        if entry is None or time.monotonic() - entry[1] > self.ttl:
            return None
        return entry[0]

    def put(self, url: str, version: str) -> None:
        with self._lock:
            self._versions[url] = (version, time.monotonic())

    def forget(self, url: str) -> None:
        with self._lock:
            self._versions.pop(url, None)


@contextmanager
def connect(spec: HostSpec, versions: VersionCache | None = None,
            deadline: Deadline | None = None) -> Iterator[EngineConnection]:
    """Open a connection, negotiate the API version (or take it from `versions`), and always
    clean up (temp TLS files too). Everything happens within `deadline` (armed by the caller),
    else within `spec.total_timeout` from now."""
    if deadline is None:
        with Deadline(spec.total_timeout) as own:
            with connect(spec, versions, own) as opened:
                yield opened
        return
    connection: EngineConnection | None = None
    cached = versions.get(spec.url) if versions is not None else None
    try:
        connection = EngineConnection(spec, deadline)
        if cached:
            connection.server_api_version = connection.api._version = cached
        else:
            negotiated = connection.negotiate()
            if versions is not None:
                versions.put(spec.url, negotiated)
        yield connection
    except HostError:
        if versions is not None:
            versions.forget(spec.url)
        raise
    except (docker.errors.DockerException, requests.exceptions.RequestException, OSError,
            paramiko.SSHException) as exc:
        if versions is not None:
            versions.forget(spec.url)
        # A safety net for calls made outside grader.snapshot (which classifies its own).
        raise (connection.classify(exc) if connection else classify(exc)) from exc
    finally:
        if connection is not None:
            connection.close()


def engine_summary(spec: HostSpec, deadline: Deadline | None = None) -> dict[str, Any]:
    """What "Test connection" shows: the engine's version and platform."""
    with connect(spec, deadline=deadline) as connection:
        info = connection.version_info
        return {
            "version": info.get("Version"),
            "api_version": info.get("ApiVersion"),
            "os": info.get("Os"),
            "arch": info.get("Arch"),
            "kernel": info.get("KernelVersion"),
        }


def host_key_fingerprint(key_line: str) -> str:
    blob = base64.b64decode(key_line.split()[1])
    return "SHA256:" + base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")


def fetch_ssh_host_key(host: str, port: int = 22, timeout: float = 5.0,
                       deadline: Deadline | None = None) -> tuple[str, str]:
    """Read a server's host key (to pin it at registration): ("type base64", "SHA256:...").
    `timeout` bounds the whole exchange (a server dripping its banner is cut at it)."""
    if deadline is None:  # a little past `timeout`: a silent server is a plain timeout
        with Deadline(timeout + 1) as own:
            return fetch_ssh_host_key(host, port, timeout, own)
    timeout = deadline.clamp(timeout)
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except Exception as exc:  # noqa: BLE001 - classified for the learner
        raise classify(exc) from exc
    deadline.watch(sock)
    transport = paramiko.Transport(sock)
    started = time.monotonic()
    try:
        transport.banner_timeout = timeout
        transport.start_client(timeout=timeout)
        key = transport.get_remote_server_key()
    except Exception as exc:  # noqa: BLE001
        if deadline.expired:
            raise HostError("deadline", f"{deadline.seconds:g}") from exc
        if time.monotonic() - started >= 0.9 * timeout:  # see PinnedSSHAdapter._connect
            raise HostError("timeout", f"no SSH handshake within {timeout:g} s") from exc
        raise classify(exc) from exc
    finally:
        transport.close()
    line = f"{key.get_name()} {key.get_base64()}"
    return line, host_key_fingerprint(line)


def default_host_url() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET
