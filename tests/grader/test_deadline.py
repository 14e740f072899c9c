"""A host that answers, but a byte at a time, still ends as an `error` within the deadline."""
import socket
import threading
import time

from grader import HostSpec, grade, load_labs


def trickling_engine(stop: threading.Event, open_clients: list | None = None) -> int:
    """A TCP "engine" that starts an answer and then sends one header byte at a time, for ever.
    `open_clients` (if given) holds the connections the client has not closed yet."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    listener.settimeout(0.2)

    def serve():
        clients = []
        while not stop.is_set():
            try:
                client, _ = listener.accept()
                clients.append(client)
                client.sendall(b"HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\n")
            except TimeoutError:
                pass
            for client in list(clients):  # one header byte at a time, never finishing
                try:
                    client.sendall(b"X")
                    client.setblocking(False)
                    if client.recv(1024) == b"":  # the grader closed its end
                        raise ConnectionResetError
                except BlockingIOError:
                    pass
                except OSError:
                    clients.remove(client)
                finally:
                    client.setblocking(True)
            if open_clients is not None:
                open_clients[:] = clients
        for client in clients:
            client.close()
        listener.close()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


def test_trickling_host_is_an_error_within_the_total_timeout():
    stop = threading.Event()
    port = trickling_engine(stop)
    spec = HostSpec(f"tcp://127.0.0.1:{port}", allow_plain_tcp=True, connect_timeout=1,
                    read_timeout=1, total_timeout=2)
    started = time.monotonic()
    try:
        result = grade(load_labs()["engine-ready"], spec, lang="en")
    finally:
        stop.set()
    assert time.monotonic() - started < 4
    assert result.status == "error"
    assert "did not finish answering within 2 s" in result.checks[0].message


def test_the_deadline_cuts_the_connection_so_no_thread_stays_on_the_host():
    """Issue 12 (2): a timed-out run used to leave its thread reading the host for as long as the
    host kept dripping. Now the socket itself is shut at the deadline."""
    stop, open_clients = threading.Event(), []
    port = trickling_engine(stop, open_clients)
    spec = HostSpec(f"tcp://127.0.0.1:{port}", allow_plain_tcp=True, connect_timeout=1,
                    read_timeout=1, total_timeout=1.5)
    threads_before = threading.active_count()
    started = time.monotonic()
    try:
        result = grade(load_labs()["engine-ready"], spec, lang="en")
        elapsed = time.monotonic() - started
        time.sleep(0.5)  # the engine notices the closed connection on its next drip
        still_open = len(open_clients)
    finally:
        stop.set()
    assert result.status == "error"
    assert "within 1.5 s" in result.checks[0].message
    assert 1.4 < elapsed < 2.0, elapsed
    assert still_open == 0
    assert threading.active_count() <= threads_before + 1  # + the one deadline watchdog


def test_version_cache_skips_the_ping_for_a_known_host_and_forgets_a_failed_one(
        docker_engine, tmp_path):
    from grader import VersionCache
    from grader.hosts import connect

    versions = VersionCache()
    spec = HostSpec(docker_engine.base_url)
    with connect(spec, versions) as first:
        assert first.requests_log[0][1] == "/_ping"
    with connect(spec, versions) as second:
        second.api.containers(all=True)
        assert [path for _method, path in second.requests_log] == [
            f"/v{second.api.api_version}/containers/json"]
    gone = HostSpec(f"unix://{tmp_path}/gone.sock")
    versions.put(gone.url, "1.41")
    result = grade(load_labs()["cleanup"], gone, versions=versions)
    assert result.status == "error"
    assert versions.get(gone.url) is None
