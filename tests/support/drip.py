"""A hostile "engine" that starts answering and then drips one header byte at a time for ever,
over plain TCP or TLS (the red-team report's slow host). Its per-read pauses are shorter than any
read timeout, so only a deadline on the whole conversation ends it."""
from __future__ import annotations

import socket
import ssl
import threading
import time


class DripEngine:
    def __init__(self, tls_paths: dict | None = None, pause: float = 0.5,
                 address: str = "127.0.0.1") -> None:
        self.pause = pause
        self.open_connections = 0
        self.accepted = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._context = None
        if tls_paths:
            self._context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            self._context.load_cert_chain(tls_paths["server_cert"], tls_paths["server_key"])
        self._listener = socket.socket()
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((address, 0))
        self._listener.listen(64)
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"tcp://{address}:{self.port}"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                client, _ = self._listener.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._drip, args=(client,), daemon=True).start()

    def _drip(self, client: socket.socket) -> None:
        with self._lock:
            self.accepted += 1
            self.open_connections += 1
        try:
            if self._context is not None:
                client.settimeout(5)
                client = self._context.wrap_socket(client, server_side=True)
            client.settimeout(0.01)
            answer = b"HTTP/1.1 200 OK\r\nApi-Version: 1.43\r\nX-Drip: "
            client.sendall(answer)
            while not self._stop.is_set():
                time.sleep(self.pause)
                client.sendall(b"x")
                try:
                    if client.recv(4096) == b"":
                        break  # the other side closed
                except (TimeoutError, ssl.SSLWantReadError, BlockingIOError):
                    pass
        except (OSError, ssl.SSLError):
            pass
        finally:
            with self._lock:
                self.open_connections -= 1
            client.close()

    def stop(self) -> None:
        self._stop.set()
        self._listener.close()
