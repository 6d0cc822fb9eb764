"""Benchmark of the Segment loader (not a test): ``python tests/ingestion/bench_segment.py
[lines] [--gzip] [--memory-limit 300MB]``.

Writes a synthetic JSONL of ``lines`` events (~680 bytes each, the shape of the fixture
page/track/identify events) to a temporary folder, loads it into a fresh DuckDB file
with :func:`ingestion.load_source` and prints time, events/s and peak RSS.
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import orjson

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from ingestion import load_source  # noqa: E402


def write_events(path: Path, lines: int, compress: bool) -> None:
    rng = random.Random(1)
    opener = gzip.open if compress else open
    with opener(path, "wb") as out:
        for i in range(lines):
            kind = rng.choice(["page", "track", "identify"])
            event = {
                "type": kind,
                "messageId": f"msg-{i:09d}",
                "anonymousId": f"anon-{rng.randint(1, 200_000)}",
                "userId": None if rng.random() < 0.7 else f"user-{rng.randint(1, 50_000)}",
                "timestamp": f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T1"
                f"{rng.randint(0, 9)}:2{rng.randint(0, 9)}:00.{rng.randint(100, 999)}Z",
                "originalTimestamp": "2026-03-01T10:00:00.000+02:00",
                "sentAt": "2026-03-01T10:00:00.000Z",
                "receivedAt": "2026-03-01T10:00:01.000Z",
                "context": {
                    "ip": "10.0.0.1",
                    "userAgent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120",
                    "page": {
                        "url": f"https://example.com/p/{i % 1000}?gclid=abc{i}",
                        "path": f"/p/{i % 1000}",
                        "referrer": "https://google.com/",
                        "search": "?gclid=abc",
                        "title": "Page title",
                    },
                    "campaign": {"source": "google", "medium": "cpc", "name": "spring"},
                },
                "properties": {"line": i + 1, "path": f"/p/{i % 1000}", "email": "a@b.com"},
                "channel": "client",
                "version": 2,
            }
            if kind == "track":
                event["event"] = "Form Submitted"
            if kind == "identify":
                event["traits"] = {"email": "x@y.com", "company": {"name": "Acme"}}
            out.write(orjson.dumps(event) + b"\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lines", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--gzip", action="store_true")
    parser.add_argument("--memory-limit", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        landing = Path(tmp) / "landing"
        folder = landing / "web" / "segment"
        folder.mkdir(parents=True)
        path = folder / ("events.jsonl.gz" if args.gzip else "events.jsonl")
        write_events(path, args.lines, args.gzip)
        config = {"memory_limit": args.memory_limit} if args.memory_limit else {}
        conn = duckdb.connect(str(Path(tmp) / "warehouse.duckdb"), config=config)
        started = time.perf_counter()
        result = load_source(conn, landing, "segment")
        seconds = time.perf_counter() - started
        stats = result.tables["events"]
        rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{path.name}: {path.stat().st_size / 1e6:.0f} MB, {stats.records_loaded} events "
            f"loaded in {seconds:.1f} s = {stats.records_read / seconds:,.0f} events/s, "
            f"peak RSS {rss_mb:,.0f} MB"
        )


if __name__ == "__main__":
    main()
