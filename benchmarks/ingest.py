"""Ingest throughput: the full contract path against merely parsing and bulk-inserting raw.

    python benchmarks/ingest.py [--persons 10000] [--days 60] [--postgres-url URL]

Generates a zone (or reuses --zone), then prints rows/s into SQLite and PostgreSQL for
xsignals' ingestion (validation, normal forms, duplicates, bookkeeping) beside the same
files parsed with pyarrow and inserted raw as text with no validation, and their ratio.
Without --postgres-url a throw-away local server is started (Debian's postgresql).
"""

from __future__ import annotations

import argparse
import contextlib
import io
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

from xsignals_dagster.demo.generator import generate  # noqa: E402
from xsignals_dagster.ingest.landing import scan  # noqa: E402
from xsignals_dagster.ingest.pipeline import ingest_source  # noqa: E402
from xsignals_dagster.ingest.schema import SOURCES  # noqa: E402
from xsignals_dagster.warehouse import WarehouseStore  # noqa: E402
from xsignals_dagster_tests.postgres_server import postgres_server  # noqa: E402


def _parse(path: Path, file_format: str) -> pa.Table:
    if file_format in ("csv", "csv.gz"):
        names = pacsv.read_csv(path, read_options=pacsv.ReadOptions(block_size=1 << 26)).column_names
        types = dict.fromkeys(names, pa.string())
        return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=True))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=10_000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--zone", type=Path, help="an existing generated folder (with landing/) to reuse")
    parser.add_argument("--postgres-url", help="an empty PostgreSQL database to write to")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="xsignals-bench-") as folder:
        zone = args.zone
        if zone is None:
            zone = Path(folder) / "zone"
            started = time.perf_counter()
            generate(args.persons, args.days, seed=1, out=zone)
            print(f"generated {args.persons:,} persons x {args.days} days in {time.perf_counter() - started:.1f} s")
        landing = zone / "landing"
        if not scan(landing)[0]:
            raise SystemExit(f"no landed files under {landing}: --zone takes the generated folder that holds landing/")
        measure("sqlite", f"sqlite:///{Path(folder) / 'bench.db'}", landing)
        with contextlib.ExitStack() as stack:
            url = args.postgres_url or stack.enter_context(postgres_server())
            measure("postgresql", url, landing)


if __name__ == "__main__":
    main()
