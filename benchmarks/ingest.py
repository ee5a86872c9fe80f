"""Ingest throughput: the full contract path against merely parsing and bulk-inserting raw.

    python benchmarks/ingest.py [--persons 10000] [--days 60] [--postgres-url URL]
    python benchmarks/ingest.py --big-file 10000000

Generates a zone (or reuses --zone), then prints rows/s into SQLite and PostgreSQL for
xsignals' ingestion (validation, normal forms, duplicates, bookkeeping) beside the same
files parsed with pyarrow and inserted raw as text with no validation, and their ratio.
Without --postgres-url a throw-away local server is started (Debian's postgresql).

With --big-file N it writes one `web` CSV of N rows instead and prints, per warehouse, the
time to ingest it and the peak memory: the RSS of the ingesting process and its children
plus every process of the PostgreSQL server, summed, sampled every 0.1 s (target: 2 GB).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.json as pajson
import pyarrow.parquet as pq
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xsignals_dagster.contract.sources import SOURCES  # noqa: E402
from xsignals_dagster.demo.generate import generate  # noqa: E402
from xsignals_dagster.ingest.landing import scan  # noqa: E402
from xsignals_dagster.ingest.pipeline import ingest_source  # noqa: E402
from xsignals_dagster.warehouse import WarehouseStore  # noqa: E402
from xsignals_dagster_tests.postgres_server import postgres_server  # noqa: E402


def _parse(path: Path, file_format: str) -> pa.Table:
    if file_format in ("csv", "csv.gz"):
        names = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 26)).column_names
        types = dict.fromkeys(names, pa.string())
        return pacsv.read_csv(
            path, convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True)
        )
    if file_format == "jsonl":
        return pajson.read_json(io.BytesIO(path.read_bytes()))
    return pq.read_table(path)


def raw_path(store: WarehouseStore, landing: Path) -> int:
    """Parse every file with pyarrow and insert its values as text, no rules at all."""
    landed, _ = scan(landing)
    rows = 0
    for source in SOURCES:
        files = [f for f in landed if f.source == source]
        if not files:
            continue
        for file in files:
            frame = _parse(file.absolute, file.format).to_pandas().astype(str)
            table = sa.Table(f"raw_{source}", sa.MetaData(), *(sa.Column(c, sa.Text) for c in frame.columns))
            with store.transaction() as tx:
                tx.ensure_table(table)
                rows += tx.insert(table, frame)
    return rows


def contract_path(store: WarehouseStore, landing: Path) -> int:
    landed, _ = scan(landing)
    dates = sorted({f.extract_date for f in landed})
    outcomes = [o for source in SOURCES for o in ingest_source(store, landing, source, dates, "US")]
    return sum(o.total("rows_read") for o in outcomes)


def measure(label: str, url: str, landing: Path) -> None:
    results = {}
    for name, path in (("raw (pyarrow parse + bulk insert)", raw_path), ("xsignals ingest", contract_path)):
        store = WarehouseStore(url)
        started = time.perf_counter()
        rows = path(store, landing)
        seconds = time.perf_counter() - started
        store.dispose()
        results[name] = rows / seconds
        print(f"{label:10} {name:36} {rows:>10,} rows {seconds:8.1f} s {rows / seconds:>12,.0f} rows/s")
    ratio = results["xsignals ingest"] / results["raw (pyarrow parse + bulk insert)"]
    print(f"{label:10} ratio xsignals/raw: {ratio:.2f} (target >= 0.5)")


BIG_TARGET_BYTES = 2 * 1024**3


def write_big_web_file(landing: Path, rows: int) -> Path:
    """One web extract of `rows` events (ten columns, about 150 bytes a row)."""
    path = landing / "web" / "2026-11-20.csv"
    path.parent.mkdir(parents=True, exist_ok=True)
    block = 100_000
    with path.open("w") as out:
        out.write("event_id,ts,cookie_id,event_type,account_id,email,product_id,category,device_type,city\n")
        for start in range(0, rows, block):
            out.write(
                "".join(
                    f"ev-{i:012d},2026-11-20T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d},"
                    f"ck-{i % 997_001:09d},product_view,"
                    f"acc-{i % 50_000:07d},p{i % 50_000}@example.com,sku-{i % 20_000:06d},"
                    f"shoes,mobile,Springfield\n"
                    for i in range(start, min(start + block, rows))
                )
            )
    return path


def _tree_rss(pids: list[int]) -> int:
    """Bytes resident in these processes and all their descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children.setdefault(int(stat[1]), []).append(int(entry.name))
                rss[int(entry.name)] = int(stat[21]) * page
    total, todo, seen = 0, list(pids), set()
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            total += rss.get(pid, 0)
            todo += children.get(pid, [])
    return total


def _postmaster(url: str) -> int:
    """The PostgreSQL server's main process: the parent of a backend."""
    store = WarehouseStore(url)
    backend = int(store.query("SELECT pg_backend_pid()").iloc[0, 0])
    store.dispose()
    return int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])


def _ingest_big(url: str, landing: Path) -> None:
    ingest_source(WarehouseStore(url), landing, "web", ["2026-11-20"], "US")


def measure_big_file(label: str, url: str, landing: Path, rows: int) -> None:
    servers = [_postmaster(url)] if url.startswith("postgresql") else []
    worker = multiprocessing.get_context("spawn").Process(target=_ingest_big, args=(url, landing))
    started = time.perf_counter()
    worker.start()
    peak = 0
    while worker.is_alive():
        peak = max(peak, _tree_rss([worker.pid, *servers]))
        time.sleep(0.1)
    seconds = time.perf_counter() - started
    loaded = WarehouseStore(url).count("stg_web")
    verdict = "within" if peak <= BIG_TARGET_BYTES else "OVER"
    print(
        f"{label:10} one {rows:,}-row web file: {loaded:,} rows loaded in {seconds:.0f} s, "
        f"peak RSS {peak / 1024**2:,.0f} MB ({verdict} the 2 GB target; exit {worker.exitcode})",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--zone", type=Path, help="an existing generated folder (with landing/) to reuse")
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to write to")
    parser.add_argument(
        "--big-file", type=int, metavar="ROWS", help="peak memory ingesting one web file of ROWS rows"
    )
    args = parser.parse_args()
    if args.big_file:
        with tempfile.TemporaryDirectory(prefix="xsignals-bench-") as folder, contextlib.ExitStack() as stack:
            started = time.perf_counter()
            path = write_big_web_file(Path(folder) / "landing", args.big_file)
            print(
                f"wrote {path.stat().st_size / 1024**3:.2f} GB in {time.perf_counter() - started:.0f} s",
                flush=True,
            )
            measure_big_file(
                "sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", Path(folder) / "landing", args.big_file
            )
            url = args.postgres_url or stack.enter_context(postgres_server())
            measure_big_file("postgresql", url, Path(folder) / "landing", args.big_file)
        return
    with tempfile.TemporaryDirectory(prefix="xsignals-bench-") as folder:
        zone = args.zone
        if zone is None:
            zone = Path(folder) / "zone"
            started = time.perf_counter()
            generate(args.persons, args.days, seed=1, out=zone)
            print(
                f"generated {args.persons:,} persons x {args.days} days "
                f"in {time.perf_counter() - started:.1f} s"
            )
        landing = zone / "landing"
        if not scan(landing)[0]:
            raise SystemExit(
                f"no landed files under {landing}: --zone takes the generated folder that holds landing/"
            )
        measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", landing)
        with contextlib.ExitStack() as stack:
            url = args.postgres_url or stack.enter_context(postgres_server())
            measure("postgresql", url, landing)


if __name__ == "__main__":
    main()
