"""A small HTTP/1.1 load generator on asyncio: N connections, keep-alive when the server allows it,
bounded by time; it counts answers by status and the requests that failed outright."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit


@dataclass
class LoadResult:
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("the server closed the connection")
    status = int(status_line.split()[1])
    length, close = 0, False
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        name, value = name.strip().lower(), value.strip()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.lower() == "close":
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def _client(host: str, port: int, requests, deadline: float, result: LoadResult,
                  timeout: float) -> None:
    reader = writer = None
    while time.monotonic() < deadline:
        path, headers = next(requests)
        started = time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(host, port), timeout)
            head = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            writer.write(head.encode("latin-1"))
            status, close = await asyncio.wait_for(_read_response(reader), timeout)
        except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
            result.failures[type(exc).__name__] += 1
            close, status = True, None
        if status is not None:
            result.statuses[status] += 1
            result.latencies.append(time.monotonic() - started)
        if close and writer is not None:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def run_load(base_url: str, requests: list[tuple[str, dict]], *, connections: int,
             seconds: float, timeout: float = 30.0) -> LoadResult:
    """Send `requests` (path, headers) round-robin on `connections` connections for `seconds`."""
    parts = urlsplit(base_url)
    result = LoadResult()

    async def main() -> None:
        cycle = itertools.cycle(requests)
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        await asyncio.gather(*(
            _client(parts.hostname, parts.port, cycle, deadline, result, timeout)
            for _ in range(connections)))
        result.seconds = time.monotonic() - started

    # In a thread of its own: the test process may already run an event loop in this thread
    # (Playwright's synchronous API, shared by the browser tests of the same worker).
    errors: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001  (re-raised in the caller's thread)
            errors.append(exc)

    thread = threading.Thread(target=run, name="loadgen")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
    return result
