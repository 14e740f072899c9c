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
