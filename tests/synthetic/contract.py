"""A small, strict reader of the landing contract, independent of the generator: it
parses every file the way docs/landing-contract.md describes and reports
each record as loaded or broken (with file and position)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

SF_OBJECTS = {
    "Lead": "salesforce/lead",
    "LeadHistory": "salesforce/lead_history",
    "Contact": "salesforce/contact",
    "Account": "salesforce/account",
    "Opportunity": "salesforce/opportunity",
    "OpportunityHistory": "salesforce/opportunity_history",
    "OpportunityContactRole": "salesforce/opportunity_contact_role",
    "User": "salesforce/user",
}


@dataclass
class Record:
    table: str
    file: str
    position: int
    key: tuple
    data: dict


@dataclass
class Landing:
    root: Path
    records: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    broken: dict[str, list[tuple[str, int]]] = field(default_factory=lambda: defaultdict(list))
    unreadable: list[str] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    def rel(self, p: Path) -> str:
        return p.relative_to(self.root).as_posix()

    def ok(self, table: str, f: Path, pos: int, key: tuple, data: dict) -> None:
        self.read[table] += 1
        self.records[table].append(Record(table, self.rel(f), pos, key, data))

    def bad(self, table: str, f: Path, pos: int) -> None:
        self.read[table] += 1
        self.broken[table].append((self.rel(f), pos))


def parse_ts(value) -> datetime:
    if not isinstance(value, str):
        raise ValueError(value)
    dt = datetime.fromisoformat(value.replace("+0000", "+00:00"))
    if dt.tzinfo is None:
        raise ValueError("no offset")
    return dt


def _int64_str(v) -> int:
    if not isinstance(v, str):
        raise ValueError(v)
    return int(v)


def read_landing(root: Path) -> Landing:
    land = Landing(root)
    _segment(land)
    _sendgrid(land)
    _google(land)
    _meta(land)
    _linkedin(land)
    _microsoft(land)
    _salesforce(land)
    _fx(land)
    return land


def _files(root: Path, folder: str, *suffixes: str) -> list[Path]:
    d = root / folder
    if not d.exists():
        return []
    return sorted(p for p in d.iterdir() if p.is_file() and p.name.endswith(suffixes))


def _segment(land: Landing) -> None:
    t = "segment/events"
    for f in _files(land.root, "web/segment", ".jsonl", ".jsonl.gz"):
        try:
            raw = gzip.decompress(f.read_bytes()) if f.name.endswith(".gz") else f.read_bytes()
            text = raw.decode("utf-8")
        except (OSError, EOFError, UnicodeDecodeError):
            land.unreadable.append(land.rel(f))
            continue
        for pos, line in enumerate(text.splitlines(), start=1):
            try:
                ev = json.loads(line)
                if not (ev.get("anonymousId") or ev.get("userId")):
                    raise ValueError("no identity")
                parse_ts(ev["timestamp"])
                key = (ev["messageId"],)
            except (ValueError, KeyError, TypeError):
                land.bad(t, f, pos)
                continue
            land.ok(t, f, pos, key, ev)


def _sendgrid(land: Landing) -> None:
    t = "sendgrid/events"
    for f in _files(land.root, "email/sendgrid", ".json"):
        try:
            body = json.loads(f.read_bytes())
        except ValueError:
            land.unreadable.append(land.rel(f))
            continue
        for pos, ev in enumerate(body, start=1):
            if not isinstance(ev.get("sg_event_id"), str) or not isinstance(
                ev.get("timestamp"), int
            ):
                land.bad(t, f, pos)
                continue
            land.ok(t, f, pos, (ev["sg_event_id"],), ev)


def _google(land: Landing) -> None:
    t = "google_ads/ad_stats"
    for f in _files(land.root, "ads/google_ads", ".json"):
        batches = json.loads(f.read_bytes())
        pos = 0
        for batch in batches:
            assert set(batch) == {"results", "fieldMask", "requestId"}
            for r in batch["results"]:
                pos += 1
                try:
                    m = r["metrics"]
                    vals = {
                        k: _int64_str(m.get(k, "0"))
                        for k in ("impressions", "clicks", "costMicros")
                    }
                    for k in ("conversions", "conversionsValue"):
                        if k in m and not isinstance(m[k], float | int):
                            raise ValueError(k)
                    key = (
                        _int64_str(r["customer"]["id"]),
                        _int64_str(r["adGroup"]["id"]),
                        _int64_str(r["adGroupAd"]["ad"]["id"]),
                        date.fromisoformat(r["segments"]["date"]),
                    )
                except (ValueError, KeyError):
                    land.bad(t, f, pos)
                    continue
                land.ok(t, f, pos, key, {**r, "_m": vals})


def _meta(land: Landing) -> None:
    t = "meta_ads/insights"
    for f in _files(land.root, "ads/meta_ads", ".json"):
        body = json.loads(f.read_bytes())
        assert set(body) == {"data", "paging"}
        for pos, r in enumerate(body["data"], start=1):
            try:
                for k in ("impressions", "clicks", "inline_link_clicks", "reach"):
                    int(r[k])
                float(r["spend"])
                for a in r.get("actions", []):
                    assert isinstance(a["value"], str)
                    int(a["value"])
                key = (r["account_id"], r["ad_id"], date.fromisoformat(r["date_start"]))
            except (ValueError, KeyError):
                land.bad(t, f, pos)
                continue
            land.ok(t, f, pos, key, r)


def _linkedin(land: Landing) -> None:
    t = "linkedin_ads/ad_analytics"
    for f in _files(land.root, "ads/linkedin_ads/analytics", ".json"):
        body = json.loads(f.read_bytes())
        for pos, e in enumerate(body["elements"], start=1):
            try:
                float(e["costInUsd"])
                float(e["costInLocalCurrency"])
                s = e["dateRange"]["start"]
                d = date(s["year"], s["month"], s["day"])
                key = (e["pivotValues"][0], d)
                assert all(isinstance(e[k], int) for k in ("impressions", "clicks"))
            except (ValueError, KeyError):
                land.bad(t, f, pos)
                continue
            land.ok(t, f, pos, key, e)
    for obj in ("campaigns", "creatives"):
        for f in _files(land.root, f"ads/linkedin_ads/{obj}", ".json"):
            for pos, e in enumerate(json.loads(f.read_bytes())["elements"], start=1):
                land.ok(f"linkedin_ads/{obj}", f, pos, (e["id"],), e)


MS_META = (
    "Report Name",
    "Report Time",
    "Time Zone",
    "Last Completed Available Day",
    "Report Aggregation",
    "Report Filter",
    "Potential Incomplete Data",
    "Rows",
)
MS_COLUMNS = (
    "TimePeriod",
    "AccountId",
    "AccountName",
    "CampaignId",
    "CampaignName",
    "AdGroupId",
    "AdGroupName",
    "AdId",
    "CurrencyCode",
    "Impressions",
    "Clicks",
    "Spend",
    "Conversions",
)
MS_FOOTER = "©2026 Microsoft Corporation. All rights reserved. "
MDY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


@dataclass
class MicrosoftReport:
    bom: bool
    meta: dict[str, str]
    rows: list[tuple[int, dict[str, str]]]  # (line number, header name -> value)


def mdy_date(value: str) -> date:
    """``M/D/YYYY`` (no zero padding) -> date."""
    m = MDY.match(value)
    if not m or value != f"{int(m[1])}/{int(m[2])}/{m[3]}":
        raise ValueError(f"not M/D/YYYY: {value!r}")
    return date(int(m[3]), int(m[1]), int(m[2]))


def microsoft_csv_bytes(path: Path) -> bytes:
    """The report CSV of a landing file: the file itself, or the one .csv in a .zip."""
    data = path.read_bytes()
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            assert len(names) == 1 and names[0].endswith(".csv"), names
            data = z.read(names[0])
    return data


def parse_microsoft_report(data: bytes) -> MicrosoftReport:
    """A Microsoft Advertising AdPerformanceReport CSV, strictly as the contract lays it
    out: optional UTF-8 BOM; quoted metadata lines; a blank line; the quoted header and
    rows (every value quoted); a blank line; the quoted footer. CRLF line ends."""
    bom = data.startswith(b"\xef\xbb\xbf")
    text = data[3 if bom else 0 :].decode("utf-8")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "CRLF lines"
    lines = text[:-2].split("\r\n")
    n_meta = len(MS_META)
    meta: dict[str, str] = {}
    for line, name in zip(lines[:n_meta], MS_META, strict=True):
        assert line.startswith('"') and line.endswith('"'), line
        key, _, value = line[1:-1].partition(": ")
        assert key == name, (key, name)
        meta[key] = value
    assert lines[n_meta] == "", "blank line after the metadata"
    assert lines[-2:] == ["", f'"{MS_FOOTER}"'], lines[-2:]
    body = lines[n_meta + 1 : -2]
    header = next(csv.reader([body[0]]))
    assert tuple(header) == MS_COLUMNS, header
    rows = []
    for n, line in enumerate(body[1:], start=n_meta + 3):
        assert line.startswith('"') and line.endswith('"'), "every value is quoted"
        values = next(csv.reader([line]))
        assert len(values) == len(header) and line.count('","') == len(header) - 1, line
        rows.append((n, dict(zip(header, values, strict=True))))
    assert int(meta["Rows"]) == len(rows), (meta["Rows"], len(rows))
    return MicrosoftReport(bom, meta, rows)


def _microsoft(land: Landing) -> None:
    t = "microsoft_ads/ad_performance"
    for f in _files(land.root, "ads/microsoft_ads", ".csv", ".zip"):
        report = parse_microsoft_report(microsoft_csv_bytes(f))
        for pos, r in report.rows:
            try:
                for k in ("AccountId", "CampaignId", "AdGroupId", "AdId"):
                    int(r[k])
                counts = {k: int(r[k]) for k in ("Impressions", "Clicks", "Conversions")}
                if not re.fullmatch(r"\d+\.\d\d", r["Spend"]):
                    raise ValueError("Spend")
                key = (int(r["AccountId"]), int(r["AdId"]), mdy_date(r["TimePeriod"]))
            except (ValueError, KeyError):
                land.bad(t, f, pos)
                continue
            land.ok(t, f, pos, key, {**r, "_m": {**counts, "Spend": float(r["Spend"])}})


def _salesforce(land: Landing) -> None:
    for obj, t in SF_OBJECTS.items():
        for f in _files(land.root, f"crm/salesforce/{obj}", ".csv"):
            text = f.read_text(encoding="utf-8")
            lines = text.splitlines()
            header = next(csv.reader([lines[0]]))
            for pos, line in enumerate(lines[1:], start=2):
                assert line.startswith('"') and line.endswith('"'), "every value is quoted"
                row = next(csv.reader([line]))
                try:
                    if len(row) != len(header):
                        raise ValueError("field count")
                    rec = dict(zip(header, row, strict=True))
                    for k in ("CreatedDate", "SystemModstamp"):
                        if k in rec:
                            parse_ts(rec[k])
                    for k in ("ConvertedDate", "CloseDate"):
                        if rec.get(k):
                            date.fromisoformat(rec[k])
                except ValueError:
                    land.bad(t, f, pos)
                    continue
                land.ok(t, f, pos, (rec["Id"],), rec)


def _fx(land: Landing) -> None:
    t = "fx/ecb_rates"
    for f in _files(land.root, "finance/fx", ".csv"):
        rows = list(csv.reader(io.StringIO(f.read_text())))
        header = rows[0]
        assert header[0] == "Date" and header[-1] == ""
        for pos, row in enumerate(rows[1:], start=2):
            d = date.fromisoformat(row[0])
            assert d.weekday() < 5
            for cur, v in zip(header[1:-1], row[1:-1], strict=True):
                if v != "N/A":
                    land.ok(t, f, pos, (d, cur), {"rate": float(v)})


def tree_digest(root: Path) -> dict[str, str]:
    """Relative path -> sha256 of every file under ``root``."""
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
