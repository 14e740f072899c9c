"""A host that answers, but a byte at a time, still ends as an `error` within the deadline."""
import socket
import threading
import time

from grader import HostSpec, grade, load_labs


def trickling_engine(stop: threading.Event) -> int:
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
            for client in clients:  # one header byte at a time, never finishing
                try:
                    client.sendall(b"X")
                except OSError:
                    pass
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
