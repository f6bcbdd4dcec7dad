"""`LocalServer`: libmurr's HTTP and Arrow Flight server (the one `murr serve` runs)
inside this process, serving a database the process has open (`Murr.serve`,
`Murr.start_local(http_port=...)`).

The server lives in libmurr_server.so only: the database must have been opened through it
(`Murr.open(path, server=True)`), and every call here goes through its handle's library."""

from __future__ import annotations

import ctypes
import threading
from typing import Optional

from . import _native
from ._handles import DbHandle
from .errors import Call, InvalidArgumentError, UnsupportedError

_NO_SERVER = (
    "this database was opened through libmurr.so, which leaves the in-process HTTP/Flight "
    "server out to stay small (under 10 MB); to serve it from this process open it for "
    "serving, with Murr.open(path, server=True) (or LocalMurr(cache_dir, server=True), "
    "Murr.start_local(cache_dir, http_port=...)), which loads libmurr_server.so"
)


def _port(value: Optional[int], name: str, none: int) -> int:
    if value is None:
        return none
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 65535:
        raise InvalidArgumentError(f"{name} is a port in [0, 65535] (0: any free port), not {value!r}")
    return value


class LocalServer:
    """A running server of a database open in this process. Requests run on the server's
    own threads (the GIL is not needed to serve them). `stop()` (or the database's
    `close()`) stops it; the database stays open until closed."""

    def __init__(
        self,
        db: DbHandle,
        http_port: Optional[int] = 0,
        flight_port: Optional[int] = None,
        host: str = "127.0.0.1",
        token: Optional[str] = None,
        max_body_bytes: Optional[int] = None,
    ):
        lib = db.lib
        opts = _native.ServerOptions()
        lib.murr_server_options_default(ctypes.byref(opts))
        if not isinstance(host, str) or "\0" in host:
            raise InvalidArgumentError(f"host is an IP address as str, not {host!r}")
        opts.host = host.encode()
        opts.http_port = _port(http_port, "http_port", 0)
        opts.flight_port = _port(flight_port, "flight_port", -1)
        if token is not None:
            if not isinstance(token, str) or "\0" in token or not token:
                raise InvalidArgumentError("token is a non-empty str without NUL")
            opts.token = token.encode()
        if max_body_bytes is not None:
            if not isinstance(max_body_bytes, int) or max_body_bytes <= 0:
                raise InvalidArgumentError(f"max_body_bytes is a positive int, not {max_body_bytes!r}")
            opts.max_body_bytes = max_body_bytes
        out = ctypes.c_void_p()
        call = Call(lib)
        try:
            call.check(lib.murr_server_start(db.ptr, ctypes.byref(opts), ctypes.byref(out), call.ref))
        except UnsupportedError as e:
            if lib is _native.lib:
                raise UnsupportedError(f"{_NO_SERVER} (libmurr.so: {e.message})", e.status) from None
            raise
        self._db = db  # the handle outlives the server
        self._lib = lib
        self._ptr = out.value
        self._lock = threading.Lock()
        self.host = host
        self.token = token
        self.http_port: int = lib.murr_server_http_port(self._ptr)
        fp = lib.murr_server_flight_port(self._ptr)
        self.flight_port: Optional[int] = fp if fp >= 0 else None

    @property
    def url(self) -> str:
        """The HTTP base URL (give it to `libmurr.Murr.connect`)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.http_port}"

    @property
    def flight_url(self) -> Optional[str]:
        """The Arrow Flight location (`pyarrow.flight.connect(...)`), if Flight is served."""
        if self.flight_port is None:
            return None
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"grpc://{host}:{self.flight_port}"

    @property
    def running(self) -> bool:
        return self._ptr is not None

    def connect(self, timeout: float = 60.0):
        """A `RemoteMurr` client of this server (with its token)."""
        from .remote import RemoteMurr

        return RemoteMurr(self.url, self.token, timeout)

    def stop(self) -> None:
        """Stops accepting connections, waits for the requests under way and frees the
        server; idempotent. The database stays open."""
        with self._lock:
            ptr, self._ptr = self._ptr, None
        if ptr:
            call = Call(self._lib)
            call.check(self._lib.murr_server_stop(ptr, call.ref))

    def __enter__(self) -> "LocalServer":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __del__(self):
        try:
            self.stop()
        except Exception:  # interpreter exit: nothing left to report to
            pass

    def __repr__(self) -> str:
        state = self.url if self.running else "stopped"
        return f"LocalServer({state})"
