"""``generate()``: simulate the world for (scale, seed) and write its landing zone."""

from __future__ import annotations

import filecmp
import multiprocessing
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from pathlib import Path

import numpy as np

from . import ads, broken, crm, microsoft_ads
from . import config as C
from .chunk import ChunkResult, ChunkTask, run_chunk, sf_file, write_sf_parts
from .fx import FxSeries, fx_drops
from .output import Tally, write_bytes
from .schedule import drop_schedule
from .summary import TABLES, GenerationSummary, declared_sources
from .world import MICROSOFT, PLATFORMS, build_world

UNREADABLE_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>SlowDown</Code><Message>Please reduce '
    b"your request rate.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>\n"
)


def generate(
    landing_dir: Path,
    scale: str = "demo",
    seed: int = 42,
    until: date | None = None,
    drop_every_days: int = 7,
    progress: Callable[[str], None] | None = None,
    *,
    workers: int | None = None,
    ad_platforms: Collection[str] | None = None,
) -> GenerationSummary:
    """Write the synthetic landing zone of world (``scale``, ``seed``) into ``landing_dir``.

    The world (persons, events, records, ad statistics) depends on ``scale`` and ``seed``
    only. Drops happen every ``drop_every_days`` days from 2026-01-01 and on 2026-09-30;
    only drops dated on or before ``until`` (default: 2026-09-30) are written, so a later
    ``until`` rewrites the same earlier files byte for byte and adds the new ones.
    Existing files are overwritten, never deleted. ``workers`` (default: CPU count)
    processes simulate chunks in parallel; the output does not depend on it.

    ``ad_platforms``: whose files to write, of ``world.PLATFORMS`` (``google_ads``,
    ``meta_ads``, ``linkedin_ads``, ``microsoft_ads``). Default: the platforms that have
    a raw table declared in ``ingestion.registry`` (a platform whose loader has not
    landed yet writes nothing). The world is the same either way, and so is every other
    file, byte for byte: each platform draws from its own streams.
    """
    if scale not in C.SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(C.SCALES)}")
    platforms = default_ad_platforms() if ad_platforms is None else frozenset(ad_platforms)
    if unknown := sorted(platforms - set(PLATFORMS)):
        raise ValueError(f"unknown ad platform(s) {unknown}; choose from {', '.join(PLATFORMS)}")
    started = time.monotonic()
    say = progress or (lambda _msg: None)
    sc = C.SCALES[scale]
    drops = drop_schedule(drop_every_days)
    until = min(until or C.WINDOW_END, C.WINDOW_END)
    n_written = sum(1 for d in drops if d.day <= until)
    world = build_world(seed)
    landing = Path(landing_dir)
    landing.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=".synthetic-", dir=landing))
    try:
        tasks = [
            ChunkTask(seed, c, lo, hi - lo, world, drops, n_written, str(landing), str(scratch))
            for c in range(sc.chunks)
            for lo, hi in [(c * sc.persons // sc.chunks, (c + 1) * sc.persons // sc.chunks)]
        ]
        tally = Tally()
        stats: Counter = Counter()
        sessions = [np.zeros((len(p.ads), C.N_DAYS + 1), dtype=np.int64) for p in world.platforms]
        leads = [np.zeros_like(s) for s in sessions]
        signups = [np.zeros_like(s) for s in sessions]
        sf_parts: dict[tuple[str, int], list[int]] = {}
        for done, res in enumerate(_run(tasks, workers), start=1):
            tally.merge(res.tally)
            stats.update(res.stats)
            for pi in range(len(world.platforms)):
                sessions[pi] += res.ad_sessions[pi]
                leads[pi] += res.ad_leads[pi]
                signups[pi] += res.ad_signups[pi]
            for key in res.sf_parts:
                sf_parts.setdefault(key, []).append(tasks[done - 1].chunk)
            say(f"simulated chunk {done}/{len(tasks)}")

        users = crm.users_crm(world)
        for key in write_sf_parts(users.records, drops, n_written, scratch, 0, tally, inject=False):
            sf_parts.setdefault(key, []).append(0)
        _join_salesforce(sf_parts, drops, scratch, landing, tally)
        say("wrote Salesforce exports")

        fx = FxSeries(seed)
        stats_by_platform = [
            ads.daily_stats(world, pi, sessions[pi], leads[pi], signups[pi], seed)
            if pi != MICROSOFT and PLATFORMS[pi] in platforms
            else None
            for pi in range(len(world.platforms))
        ]
        ad_totals = ads.write_ads(
            world, stats_by_platform, fx, drops, n_written, landing, seed, tally
        )
        if microsoft_ads.PLATFORM in platforms:
            ms = microsoft_ads.daily_stats(
                world, sessions[MICROSOFT], leads[MICROSOFT], signups[MICROSOFT], seed
            )
            ad_totals[microsoft_ads.PLATFORM] = microsoft_ads.write_microsoft(
                world, ms, drops, n_written, landing, seed, tally
            )
        say("wrote ad platform files")
        _write_fx(fx, drops, n_written, landing, tally)
        k = broken.drop_at(broken.UNREADABLE_AT, len(drops))
        if k < n_written:
            rel = f"web/segment/{drops[k].file_name('segment_000_retry.jsonl.gz')}"
            write_bytes(landing / rel, UNREADABLE_BODY)
            tally.add_file(rel)
            tally.unreadable.append(rel)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

    broken_counts = Counter(b.table for b in tally.broken)
    tables = TABLES
    if microsoft_ads.PLATFORM in platforms and microsoft_ads.TABLE not in tables:
        tables += (microsoft_ads.TABLE,)  # written before its raw table is declared
    world_stats = dict(stats)
    world_stats.pop("persons", None)
    return GenerationSummary(
        landing_dir=landing,
        scale=scale,
        seed=seed,
        until=until,
        drop_every_days=drop_every_days,
        drops_written=[d.stamp for d in drops[:n_written]],
        drops_total=len(drops),
        persons=sc.persons,
        files=dict(sorted(tally.files.items())),
        records={t: tally.records.get(t, 0) for t in tables},
        broken={t: broken_counts.get(t, 0) for t in tables},
        duplicates={t: tally.duplicates.get(t, 0) for t in tables},
        restatements={t: tally.restatements.get(t, 0) for t in tables},
        deletions={t: tally.deletions.get(t, 0) for t in tables},
        unreadable_files=list(tally.unreadable),
        broken_records=sorted(tally.broken, key=lambda b: (b.table, b.file, b.position)),
        ad_totals=ad_totals,
        world=world_stats,
        elapsed_seconds=round(time.monotonic() - started, 2),
    )


def default_ad_platforms() -> frozenset[str]:
    """The ad platforms whose files ``generate`` writes by default: those with a raw
    table declared in ``ingestion.registry`` (decided at call time)."""
    declared = declared_sources()
    return frozenset(p for p in PLATFORMS if p in declared)


def _run(tasks: list[ChunkTask], workers: int | None) -> Iterator[ChunkResult]:
    """Chunk results in chunk order, computed inline or by a process pool (spawned:
    safe even when the caller has threads)."""
    n = min(workers or os.cpu_count() or 1, len(tasks))
    if n <= 1:
        for task in tasks:
            yield run_chunk(task)
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=n, mp_context=ctx) as pool:
        yield from pool.map(run_chunk, tasks)


def _join_salesforce(
    parts: dict[tuple[str, int], list[int]], drops, scratch: Path, landing: Path, tally: Tally
) -> None:
    """One CSV per object and drop: the header, then each chunk's rows in chunk order."""
    for sobject, k in sorted(parts, key=lambda x: (x[1], crm.OBJECTS.index(x[0]))):
        rel = sf_file(drops[k], sobject)
        dest = landing / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.part")
        with open(tmp, "wb") as out:
            out.write(crm.header_line(sobject).encode())
            for part in sorted(set(parts[(sobject, k)])):
                with open(scratch / sobject / f"{k:05d}_{part:05d}.csv", "rb") as src:
                    shutil.copyfileobj(src, out, 1 << 20)
        if dest.exists() and filecmp.cmp(tmp, dest, shallow=False):
            tmp.unlink()  # the same bytes: leave the landed file as it is
        else:
            os.replace(tmp, dest)
        tally.add_file(rel)


def _write_fx(fx: FxSeries, drops, n_written: int, landing: Path, tally: Tally) -> None:
    seen: set = set()
    for k in fx_drops(drops):
        if k >= n_written:
            continue
        rel = f"finance/fx/{drops[k].file_name('eurofxref-hist.csv')}"
        write_bytes(landing / rel, fx.csv(before=drops[k].day).encode())
        tally.add_file(rel)
        cells = fx.cells_before(drops[k].day)
        tally.records["fx/ecb_rates"] += len(cells)
        tally.restatements["fx/ecb_rates"] += sum(1 for c in cells if c in seen)
        seen.update(cells)
