"""Freshness (issue 6): a file landing while the UI runs is ingested and its customers'
scores refreshed within 2 minutes.

    python benchmarks/freshness.py [--persons 2000] [--days 30] [--seed 7] [--port P] [--keep DIR]

Starts ``dagster-webserver`` and ``dagster-daemon run`` (the venv's, ``-w workspace.yaml``,
cwd the project root), each in its own process group on a free 127.0.0.1 port, against a
temporary DAGSTER_HOME (the project's dagster.yaml, storage created before the processes
start), landing zone and SQLite warehouse (XSIGNALS_LANDING_DIR, XSIGNALS_WAREHOUSE_URL).
Lands a generated zone file by file (atomic renames), waits until everything settled
(every run finished, none requested for a while, ``intent_scores`` materialized with
rows), then lands ONE new web file: the zone's last day again, moved one day on, with new
event and order ids (the same cookies, so existing customers). From the moment of that
rename it follows the runs through GraphQL and prints, each as seconds since landing: the
landing sensor's run created, started and finished (ingestion), every run the automation
then made (created, started, finished, its assets) and the new ``intent_scores`` and
``next_best_actions`` materializations, the total beside the 2-minute target; then checks
in the warehouse that the scores are as of the new day and cover the file's customers.

Every wait has a timeout; the processes are stopped by process group on the way out
(also on an error or Ctrl-C). Figures, not pass/fail: the machine has 2 cores and may be
busy with other jobs (the load average is printed).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xsignals_dagster.cli import prepare_instance_storage  # noqa: E402
from xsignals_dagster.demo.generator import generate  # noqa: E402
from xsignals_dagster.settings import PROJECT_ROOT  # noqa: E402

BIN = Path(sys.executable).parent
TARGET_SECONDS = 120.0
FINISHED = {"SUCCESS", "FAILURE", "CANCELED"}
WATCHED = ("intent_scores", "next_best_actions")
LANDING_TRIGGER = {"key": "xsignals/trigger", "value": "landing_sensor"}

LOCATIONS = "{ workspaceOrError { ... on Workspace { locationEntries { name locationOrLoadError { __typename ... on PythonError { message } } } } } }"
RUNS = """{ runsOrError(limit: 500) { ... on Runs { results {
  runId status creationTime startTime endTime tags { key value } assetSelection { path } } } } }"""
LATEST = """query($key: AssetKeyInput!) { assetOrError(assetKey: $key) { ... on Asset {
  assetMaterializations(limit: 1) { runId timestamp metadataEntries {
    label ... on IntMetadataEntry { intValue } ... on TextMetadataEntry { text } } } } } }"""
LAUNCH = """mutation($params: ExecutionParams!) { launchPipelineExecution(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } } ... on PythonError { message } ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
MODEL_ASSETS = ("intent_training_set", "intent_model", "intent_scores", "next_best_actions")
STEPS = """query($runId: ID!) { runOrError(runId: $runId) { ... on Run {
  stepStats { stepKey status startTime endTime } } } }"""


class TimedOut(Exception):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def graphql(base: str, query: str, variables: dict | None = None) -> dict:
    response = requests.post(f"{base}/graphql", json={"query": query, "variables": variables or {}}, timeout=30)
    response.raise_for_status()
    body = response.json()
    if body.get("errors"):
        raise RuntimeError(f"GraphQL errors: {body['errors']}")
    return body["data"]


def wait_for(description: str, probe, timeout: float, interval: float = 2.0):
    """Call probe until it returns something true (returned) or timeout seconds pass (TimedOut)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
        except (requests.RequestException, RuntimeError) as error:  # the webserver is (re)loading
            last = error
        else:
            if last:
                return last
        time.sleep(interval)
    raise TimedOut(f"timed out after {timeout:.0f} s waiting for {description}; last: {last!r}")


def runs(base: str) -> list[dict]:
    return graphql(base, RUNS)["runsOrError"]["results"]


def latest_materialization(base: str, asset: str) -> dict | None:
    found = graphql(base, LATEST, {"key": {"path": [asset]}})["assetOrError"].get("assetMaterializations")
    if not found:
        return None
    event = found[0]
    event["seconds"] = int(event["timestamp"]) / 1000
    event["values"] = {m["label"]: m.get("intValue") for m in event["metadataEntries"]}
    return event


def land_atomically(source_root: Path, landing: Path) -> int:
    """Copy a generated zone into the landing zone file by file, landing each by rename."""
    count = 0
    for file in sorted(p for p in source_root.rglob("*") if p.is_file()):
        target = landing / file.relative_to(source_root)
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = target.with_name("." + target.name + ".tmp")
        shutil.copyfile(file, staging)
        os.replace(staging, target)
        count += 1
    return count


def next_day_web_file(zone_landing: Path, end_date: dt.date, folder: Path) -> tuple[Path, int, int]:
    """The zone's last web day moved one day on, with new event and order ids: a new daily file
    whose events belong to existing cookies. Returns the staged file, its rows and cookies."""
    day = pd.read_csv(zone_landing / "web" / f"{end_date:%Y-%m-%d}.csv", dtype=str, keep_default_na=False)
    stamps = pd.to_datetime(day["ts"], format="mixed", utc=True, errors="coerce")
    day = day[stamps.notna() & (day["event_id"] != "") & (day["cookie_id"] != "")].copy()
    day["ts"] = (stamps[stamps.notna()] + pd.Timedelta(days=1)).dt.strftime("%Y-%m-%dT%H:%M:%S+00:00").reindex(day.index)
    day["event_id"] = "fresh-" + day["event_id"]
    day["order_id"] = day["order_id"].where(day["order_id"] == "", "fresh-" + day["order_id"])
    staged = folder / f"{end_date + dt.timedelta(days=1):%Y-%m-%d}.csv"
    day.to_csv(staged, index=False)
    return staged, len(day), day["cookie_id"].nunique()


@contextlib.contextmanager
def dagster_services(folder: Path, port: int):
    """Webserver and daemon in their own process groups; stopped by process group on exit."""
    home, landing, logs = folder / "dagster_home", folder / "landing", folder / "logs"
    for path in (home, landing, logs):
        path.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "dagster.yaml", home / "dagster.yaml")
    prepare_instance_storage(home)  # before the processes start: they would race to create it
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "XSIGNALS_LANDING_DIR": str(landing),
        "XSIGNALS_WAREHOUSE_URL": f"sqlite:///{folder / 'warehouse.db'}",
    }
    workspace = str(PROJECT_ROOT / "workspace.yaml")
    commands = {
        "webserver": [str(BIN / "dagster-webserver"), "-h", "127.0.0.1", "-p", str(port), "-w", workspace],
        "daemon": [str(BIN / "dagster-daemon"), "run", "-w", workspace],
    }
    processes: dict[str, subprocess.Popen] = {}
    try:
        for name, command in commands.items():
            with (logs / f"{name}.log").open("w") as log:
                processes[name] = subprocess.Popen(
                    command, env=env, cwd=PROJECT_ROOT, start_new_session=True, stdout=log, stderr=subprocess.STDOUT
                )
        yield f"http://127.0.0.1:{port}", landing
    finally:
        for process in processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        for name, process in processes.items():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)
            # run workers the daemon launched are in its group too: make sure none is left
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        print(f"stopped webserver and daemon (process groups {', '.join(str(p.pid) for p in processes.values())})")


def location_loaded(base: str) -> bool:
    entries = graphql(base, LOCATIONS)["workspaceOrError"]["locationEntries"]
    for entry in entries:
        if entry["name"] == "xsignals" and entry["locationOrLoadError"]:
            if entry["locationOrLoadError"]["__typename"] == "PythonError":
                raise SystemExit(f"the code location failed to load: {entry['locationOrLoadError']['message']}")
            return entry["locationOrLoadError"]["__typename"] == "RepositoryLocation"
    return False


def settled(base: str, quiet_seconds: float, with_rows: bool):
    """A probe: every run finished (none failed), intent_scores materialized (with rows when
    with_rows), and no run created or ended for quiet_seconds (the sensors tick every 15-30 s)."""
    state = {"signature": None, "since": time.monotonic()}

    def probe():
        current = runs(base)
        failed = [r["runId"] for r in current if r["status"] == "FAILURE"]
        if failed:
            raise SystemExit(f"runs failed while the zone was processed: {failed}")
        signature = tuple(sorted((r["runId"], r["status"]) for r in current))
        if signature != state["signature"]:
            state["signature"], state["since"] = signature, time.monotonic()
        scores = latest_materialization(base, "intent_scores")
        done = (
            current
            and all(r["status"] in FINISHED for r in current)
            and scores is not None
            and (not with_rows or (scores["values"].get("rows") or 0) > 0)
            and time.monotonic() - state["since"] >= quiet_seconds
        )
        return (current, scores) if done else None

    return probe


def launch_model_run(base: str) -> str:
    """What an operator does in the UI: materialize the training set, the model, scores and actions."""
    params = {
        "selector": {
            "repositoryLocationName": "xsignals",
            "repositoryName": "__repository__",
            "jobName": "__ASSET_JOB",
            "assetSelection": [{"path": [asset]} for asset in MODEL_ASSETS],
        },
        "mode": "default",
        "executionMetadata": {"tags": [{"key": "xsignals/trigger", "value": "freshness_benchmark"}]},
    }
    result = graphql(base, LAUNCH, {"params": params})["launchPipelineExecution"]
    if result["__typename"] != "LaunchRunSuccess":
        raise SystemExit(f"could not launch the model run: {result}")
    return result["run"]["runId"]


def assets_of(run: dict) -> str:
    selection = [".".join(a["path"]) for a in run.get("assetSelection") or []]
    if len(selection) > 4:
        return f"{len(selection)} assets"
    return ", ".join(selection) or "(all)"


def trigger_of(run: dict) -> str:
    tags = {t["key"]: t["value"] for t in run["tags"]}
    return tags.get("xsignals/trigger") or tags.get("dagster/sensor_name") or tags.get("dagster/schedule_name") or "manual"


def interrupt(signum, frame) -> None:
    """SIGTERM (e.g. from a job runner) unwinds like Ctrl-C, so the finally blocks stop the processes."""
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=2000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--port", type=int, help="default: a free port")
    parser.add_argument("--settle-timeout", type=float, default=1500.0, help="seconds for the zone to be processed")
    parser.add_argument("--fresh-timeout", type=float, default=600.0, help="seconds for the new file to reach the scores")
    parser.add_argument("--quiet", type=float, default=60.0, help="seconds without run activity that count as settled")
    parser.add_argument("--keep", type=Path, help="work in this folder (instance, landing, warehouse, logs) and leave it")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, interrupt)
    sys.stdout.reconfigure(line_buffering=True)  # progress shows as it happens, also into a file

    end_date = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=2)  # the new file is for yesterday
    with tempfile.TemporaryDirectory(prefix="xsignals-freshness-") as scratch:
        folder = args.keep or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        zone = folder / "generated"
        started = time.perf_counter()
        generate(args.persons, args.days, seed=args.seed, out=zone, end_date=end_date)
        print(f"generated {args.persons:,} persons x {args.days} days ending {end_date} in {time.perf_counter() - started:.1f} s")
        staging = folder / "staging"
        staging.mkdir(exist_ok=True)
        new_file, new_rows, new_cookies = next_day_web_file(zone / "landing", end_date, staging)

        port = args.port or free_port()
        with dagster_services(folder, port) as (base, landing):
            started = time.monotonic()
            wait_for("the xsignals code location to load", lambda: location_loaded(base), timeout=300)
            print(f"webserver and daemon up on {base} in {time.monotonic() - started:.0f} s (logs in {folder / 'logs'})")

            files = land_atomically(zone / "landing", landing)
            zone_landed = time.monotonic()
            print(f"landed the zone: {files} files; waiting for it to settle (timeout {args.settle_timeout:.0f} s)")
            deadline = zone_landed + args.settle_timeout
            before, scores = wait_for(
                "every run to finish and intent_scores to be materialized", settled(base, args.quiet, False), timeout=args.settle_timeout, interval=3
            )
            print(
                f"settled {time.monotonic() - zone_landed:.0f} s after landing the zone (incl. {args.quiet:.0f} s quiet): "
                f"{len(before)} runs, all succeeded; intent_scores {scores['values'].get('rows')} rows"
            )
            for run in sorted(before, key=lambda r: r["creationTime"]):
                print(f"  run {run['runId'][:8]} {trigger_of(run):22} {run['status']:8} {assets_of(run)}")
            if not scores["values"].get("rows"):
                model = latest_materialization(base, "intent_model") or {}
                reason = next((m.get("text") for m in model.get("metadataEntries", []) if m["label"] == "reason"), None)
                print(
                    f"intent_scores is empty: intent_model materialized without a model ({reason}); automation retrains it "
                    f"only weekly or when missing, so launching {', '.join(MODEL_ASSETS)} as an operator would"
                )
                run_id = launch_model_run(base)
                before, scores = wait_for(
                    f"run {run_id[:8]} and what follows to finish with intent_scores rows",
                    settled(base, args.quiet, True),
                    timeout=max(deadline - time.monotonic(), 60),
                    interval=3,
                )
                print(
                    f"settled {time.monotonic() - zone_landed:.0f} s after landing the zone: {len(before)} runs, all succeeded; "
                    f"intent_scores {scores['values'].get('rows')} rows"
                )
            known = {r["runId"] for r in before}
            previous = {asset: (latest_materialization(base, asset) or {}).get("seconds", 0.0) for asset in WATCHED}

            # ---------------------------------------------------------------- the one new file
            load_before = os.getloadavg()[0]
            target = landing / "web" / new_file.name
            in_flight = target.with_name("." + target.name + ".tmp")
            shutil.copyfile(new_file, in_flight)
            os.replace(in_flight, target)
            landed_at = time.time()
            print(f"\nlanded web/{new_file.name} ({new_rows:,} events, {new_cookies:,} existing cookies) at {dt.datetime.now():%H:%M:%S}")

            def refreshed():
                current = [r for r in runs(base) if r["runId"] not in known]
                failed = [r["runId"] for r in current if r["status"] == "FAILURE"]
                if failed:
                    raise SystemExit(f"runs failed after the new file landed: {failed}")
                latest = {asset: latest_materialization(base, asset) for asset in WATCHED}
                fresh = all(m is not None and m["seconds"] > previous[a] for a, m in latest.items())
                ingested = [r for r in current if LANDING_TRIGGER in r["tags"] and r["status"] == "SUCCESS"]
                return (current, latest) if fresh and ingested and all(r["status"] in FINISHED for r in current) else None

            try:
                after, latest = wait_for("the new file to reach intent_scores and next_best_actions", refreshed, args.fresh_timeout, interval=1)
            except TimedOut as timeout:
                print(f"NOT REFRESHED: {timeout}")
                for run in sorted((r for r in runs(base) if r["runId"] not in known), key=lambda r: r["creationTime"]):
                    print(f"  run {run['runId'][:8]} {trigger_of(run)} {run['status']} {assets_of(run)}")
                raise SystemExit(1)
            load_after = os.getloadavg()[0]

            def since(moment: float | None) -> str:
                return f"{moment - landed_at:7.1f}" if moment else "      -"

            print(f"\n{'seconds since landing':58}{'created':>8}{'started':>8}{'ended':>8}")
            for run in sorted(after, key=lambda r: r["creationTime"]):
                label = f"run {run['runId'][:8]} ({trigger_of(run)}): {assets_of(run)}"
                print(f"{label[:58]:58}{since(run['creationTime']):>8}{since(run['startTime']):>8}{since(run['endTime']):>8}")
            for asset, event in latest.items():
                print(f"{asset + ' materialized (run ' + event['runId'][:8] + ')':58}{'':>8}{'':>8}{since(event['seconds']):>8}")

            ingestion = [r for r in after if LANDING_TRIGGER in r["tags"]]
            first_ingest = min(ingestion, key=lambda r: r["creationTime"])
            scores_run = next(r for r in after if r["runId"] == latest["intent_scores"]["runId"])
            total = max(r["endTime"] for r in after) - landed_at
            print()
            print(f"{'stage':58}{'seconds since landing':>24}")
            print(f"{'landing -> sensor run created':58}{first_ingest['creationTime'] - landed_at:>24.1f}")
            print(f"{'landing -> sensor run started':58}{first_ingest['startTime'] - landed_at:>24.1f}")
            print(f"{'landing -> ingestion run finished':58}{max(r['endTime'] for r in ingestion) - landed_at:>24.1f}")
            downstream = [r for r in after if r not in ingestion]
            if downstream:
                print(f"{'landing -> first downstream run created':58}{min(r['creationTime'] for r in downstream) - landed_at:>24.1f}")
                print(f"{'landing -> first downstream run started':58}{min(r['startTime'] for r in downstream) - landed_at:>24.1f}")
            print(f"{'landing -> intent_scores materialized':58}{latest['intent_scores']['seconds'] - landed_at:>24.1f}")
            print(f"{'landing -> run with intent_scores finished':58}{scores_run['endTime'] - landed_at:>24.1f}")
            print(f"{'landing -> every run finished (total)':58}{total:>24.1f}   target {TARGET_SECONDS:.0f} s: {'met' if total <= TARGET_SECONDS else 'NOT met'}")
            print(f"load average (1 min): {load_before:.1f} at landing, {load_after:.1f} at the end, on {os.cpu_count()} cores")

            steps = graphql(base, STEPS, {"runId": scores_run["runId"]})["runOrError"].get("stepStats") or []
            if steps:
                print(f"\nsteps of run {scores_run['runId'][:8]} (seconds): " + ", ".join(
                    f"{s['stepKey']} {s['endTime'] - s['startTime']:.1f}" for s in steps if s["startTime"] and s["endTime"]
                ))
            check_scores(folder / "warehouse.db", new_file)


def check_scores(database: Path, new_file: Path) -> None:
    """Whether the scores are as of the new day and cover the customers of the new file's cookies."""
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{database}")
    try:
        with engine.connect() as connection:
            as_of = connection.execute(sa.text("select max(as_of) from intent_scores")).scalar()
            cookies = pd.read_csv(new_file, dtype=str, usecols=["cookie_id"])["cookie_id"].str.strip().unique().tolist()
            records = pd.read_sql(
                sa.text("select customer_id, record_key from customer_records where source = 'web' and record_key like 'fresh-%'"), connection
            )
            scored = pd.read_sql(sa.text("select customer_id from intent_scores"), connection)["customer_id"]
    finally:
        engine.dispose()
    customers = records["customer_id"].dropna().unique()
    covered = pd.Series(customers).isin(scored).mean() if len(customers) else float("nan")
    print(
        f"warehouse: intent_scores as of {as_of} (new file's day {new_file.stem}); the new events belong to "
        f"{len(customers):,} customers ({len(cookies):,} cookies), {covered:.1%} of them scored"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
