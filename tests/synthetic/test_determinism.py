"""Same (scale, seed) -> the same bytes; ``until`` writes a byte-identical prefix."""

from __future__ import annotations

from datetime import date

from synthetic import generate
from synthetic.schedule import drop_schedule

from .contract import tree_digest


def test_same_seed_gives_identical_bytes(tiny, tmp_path):
    summary, root = tiny
    again = generate(tmp_path / "again", "tiny", seed=7, workers=1)
    assert tree_digest(root) == tree_digest(tmp_path / "again")
    assert again == summary


def test_different_seed_differs(tiny, tmp_path):
    _, root = tiny
    other = tmp_path / "other"
    generate(other, "tiny", seed=8)
    a, b = tree_digest(root), tree_digest(other)
    assert a.keys() & b.keys()
    fixed = ("salesforce/User/", "_retry.jsonl.gz")  # the same for every seed by design
    assert all(a[k] != b[k] for k in a.keys() & b.keys() if not any(f in k for f in fixed))


def test_until_writes_a_prefix_with_identical_bytes(tiny, tmp_path):
    _, root = tiny
    part = tmp_path / "part"
    s = generate(part, "tiny", seed=7, until=date(2026, 4, 1))
    full, prefix = tree_digest(root), tree_digest(part)
    stamps = {d.stamp for d in drop_schedule(7) if d.day <= date(2026, 4, 1)}
    assert s.drops_written == sorted(stamps)
    expected = {k for k in full if k.rsplit("/", 1)[1][:15] in stamps}
    assert set(prefix) == expected
    assert all(prefix[k] == full[k] for k in prefix)
    # later: the same call with a later until over the same folder completes it, and
    # leaves the files already there untouched (landing files are immutable)
    before = {p: p.stat().st_mtime_ns for p in part.rglob("*") if p.is_file()}
    generate(part, "tiny", seed=7)
    assert tree_digest(part) == full
    assert {p: p.stat().st_mtime_ns for p in before} == before


def test_chunked_world_is_independent_of_worker_count(tmp_path):
    a = generate(tmp_path / "a", "tiny", seed=3, until=date(2026, 2, 1), workers=1)
    b = generate(tmp_path / "b", "tiny", seed=3, until=date(2026, 2, 1), workers=2)
    assert a == b
    assert tree_digest(tmp_path / "a") == tree_digest(tmp_path / "b")


def test_every_file_name_starts_with_its_drop_stamp(demo):
    summary, root = demo
    stamps = set(summary.drops_written)
    files = [p for p in root.rglob("*") if p.is_file()]
    assert len(files) == summary.total_files
    for p in files:
        assert p.name[:15] in stamps, p
        assert p.name[15] == "_"


def test_drop_cadence_recuts_the_same_world(tiny, tmp_path):
    """Another cadence ships the same events and final CRM state in other files."""
    from .contract import read_landing

    weekly = read_landing(tiny[1])
    monthly_root = tmp_path / "monthly"
    generate(monthly_root, "tiny", seed=7, drop_every_days=30)
    monthly = read_landing(monthly_root)
    for table in ("segment/events", "sendgrid/events"):
        assert {r.key for r in weekly.records[table]} == {r.key for r in monthly.records[table]}

    def final(land):
        best = {}
        for r in land.records["salesforce/opportunity"]:
            cur = best.get(r.key)
            if cur is None or r.data["SystemModstamp"][:23] >= cur["SystemModstamp"][:23]:
                best[r.key] = r.data
        return {k: (v["StageName"], v["Amount"], v["IsDeleted"]) for k, v in best.items()}

    assert final(weekly) == final(monthly)
