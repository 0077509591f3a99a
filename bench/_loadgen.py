"""A small keep-alive HTTP/1.1 load generator (used when wrk is not installed); prints req/s."""

from __future__ import annotations

import asyncio
import sys
import time
from urllib.parse import urlsplit


async def _worker(host: str, port: int, request: bytes, deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    done = 0
    while time.perf_counter() < deadline:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.decode(errors="replace"))
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        done += 1
    counts.append(done)
    writer.close()


async def _main(url: str, seconds: float, connections: int, token: str) -> float:
    parts = urlsplit(url)
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{auth}\r\n".encode()
    counts: list[int] = []
    start = time.perf_counter()
    deadline = start + seconds
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    await asyncio.gather(
        *(_worker(host, port, request, deadline, counts) for _ in range(connections))
    )
    return sum(counts) / (time.perf_counter() - start)


if __name__ == "__main__":
    url, seconds, connections = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    token = sys.argv[4] if len(sys.argv) > 4 else ""
    print(asyncio.run(_main(url, seconds, connections, token)))
