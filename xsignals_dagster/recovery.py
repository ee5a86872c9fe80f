"""Recover from runs whose process died (SIGKILL, OOM kill, power cut, a lost container).

A run that dies mid-step stays STARTED in the instance and keeps its slot of the pool
`warehouse` (limit 1): every later run then waits for that slot forever. Dagster's own
mechanisms cover only part of this. Run monitoring (dagster.yaml) fails runs stuck
STARTING or CANCELING, and `free_slots_after_run_end_seconds` frees the slots of runs that
have *finished*; but it detects a dead run worker only through the run launcher's health
check, which the default run launcher does not offer, and none of it runs without the
daemon (`xsignals run`). `dagster instance concurrency` can only read and set limits.

What is missing is written here: a STARTED or CANCELING run whose worker process is gone
is marked failed with the reason, and its pool slots are freed. The worker is found from
the run's own event log: Dagster records the pid of the process that executes a run
(launched by the default run launcher: "Started process for run (pid: …)"; in process, as
`xsignals run` executes: "Executing steps in process (pid: …)"). Both execute runs on this
machine, so the pid is looked up here. `xsignals run` calls this before it starts, and the
`run_recovery` sensor (defs/recovery.py) calls it under the UI.

Besides @public methods (`get_run_records`, `get_run_by_id`) this uses instance methods that
are not marked @public though exported on `dg.DagsterInstance` without an underscore:
`get_records_for_run`, `report_run_failed`, `event_log_storage` and its concurrency-slot
methods (`supports_global_concurrency_limits`, `get_concurrency_run_ids`,
`free_concurrency_slots_for_run`). No public API frees a dead run's slots.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import dagster as dg

_LIVE = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
_FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@functools.cache
def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise OSError("no btime in /proc/stat")


def process_alive(pid: int, started_by: float) -> bool:
    """Whether process `pid` runs (not a zombie) and had started by `started_by` (epoch
    seconds): a process that started later only reused the number of a dead one."""
    if not Path("/proc/self/stat").exists():  # not Linux: whether the number exists at all
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state, start_ticks = fields[0], int(fields[19])
    if state in ("Z", "X"):  # killed, not yet reaped by its parent (a code server)
        return False
    return _boot_time() + start_ticks / os.sysconf("SC_CLK_TCK") <= started_by + 1  # btime has whole seconds


def worker_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process executing the run: the first engine event that names one
    (later ones name step processes, which the run's worker watches itself)."""
    events = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=20).records
    for record in events:
        event = record.event_log_entry.dagster_event
        pid = event.engine_event_data.metadata.get("pid") if event and event.engine_event_data else None
        if pid is not None:
            return int(pid.value)
    return None


def recover_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark every run whose worker process is gone failed, free the pool slots of those and
    of any finished run still holding one; return the reasons, one per run."""
    reasons, to_free = [], []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=_LIVE)):
        run = record.dagster_run
        pid = worker_pid(instance, run.run_id)
        started = record.start_time or record.create_timestamp.timestamp()
        if pid is None or process_alive(pid, started):
            continue
        reason = (
            f"run {run.run_id}: its process {pid} is gone (killed or crashed); marked failed, "
            "pool slots freed"
        )
        instance.report_run_failed(run, message=f"xsignals recovery: {reason}")
        reasons.append(reason)
        to_free.append(run.run_id)
    storage = instance.event_log_storage  # the public CLI has no command to free slots; its storage does
    if storage.supports_global_concurrency_limits:
        # Slots of finished runs: the daemon frees these (free_slots_after_run_end_seconds), but
        # `xsignals run` runs without it.
        for run_id in storage.get_concurrency_run_ids():
            run = instance.get_run_by_id(run_id)
            if run is None or run.status in _FINISHED:
                to_free.append(run_id)
        for run_id in dict.fromkeys(to_free):
            storage.free_concurrency_slots_for_run(run_id)
    return reasons
