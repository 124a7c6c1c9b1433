"""A small closed-loop HTTP load generator for the pages benchmark.

A fixed number of client threads, each with its own keep-alive connection, take
requests from one shuffled queue until it is empty and record how long each
answer took to arrive in full. Every endpoint is asked the same number of times,
interleaved with the others, so each one's figures come from the same load.
"""

import http.client
import queue
import random
import statistics
import threading
from dataclasses import dataclass, field
from time import perf_counter


@dataclass(frozen=True)
class Endpoint:
    name: str
    path: str
    cookie: str = ""


@dataclass
class Samples:
    seconds: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    bytes: int = 0

    def percentile(self, rank: int) -> float:
        if len(self.seconds) == 1:
            return self.seconds[0]
        return statistics.quantiles(self.seconds, n=100, method="inclusive")[rank - 1]


def fetch(conn: http.client.HTTPConnection, endpoint: Endpoint) -> tuple[int, int]:
    headers = {"Accept-Language": "en", "Connection": "keep-alive"}
    if endpoint.cookie:
        headers["Cookie"] = endpoint.cookie
    conn.request("GET", endpoint.path, headers=headers)
    response = conn.getresponse()
    return response.status, len(response.read())


def run_load(
    host: str, port: int, endpoints: list[Endpoint], *, per_endpoint: int, concurrency: int
) -> dict[str, Samples]:
    jobs: queue.SimpleQueue[Endpoint] = queue.SimpleQueue()
    order = [endpoint for endpoint in endpoints for _ in range(per_endpoint)]
    random.Random(11).shuffle(order)  # noqa: S311 - the same interleaving on every run
    for endpoint in order:
        jobs.put(endpoint)
    results = {endpoint.name: Samples() for endpoint in endpoints}
    lock = threading.Lock()

    def client() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            try:
                endpoint = jobs.get_nowait()
            except queue.Empty:
                break
            started = perf_counter()
            try:
                status, size = fetch(conn, endpoint)
            except (OSError, http.client.HTTPException) as exc:
                conn.close()  # the server closed a kept-alive connection: the next call reconnects
                status, size, error = 0, 0, type(exc).__name__
            else:
                error = "" if status == 200 else f"HTTP {status}"
            elapsed = perf_counter() - started
            with lock:
                samples = results[endpoint.name]
                if error:
                    samples.errors.append(error)
                else:
                    samples.seconds.append(elapsed)
                    samples.bytes += size
        conn.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
