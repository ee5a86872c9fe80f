"""The demo generator writes a landing zone that keeps the contract, and a truth that matches it."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from xsignals_dagster.demo.generate import generate

END = dt.date(2026, 11, 21)
DAYS = 28
PERSONS = 600

# CONTRACT.md, section 1: columns per source, in order, and the enumerations.
CONTRACT_COLUMNS = {
    "web": (
        "event_id ts cookie_id event_type account_id email product_id category "
        "search_query order_id revenue device_type city utm_source utm_campaign"
    ),
    "app": (
        "event_id ts device_id event_type account_id product_id category search_query "
        "order_id revenue os latitude longitude push_campaign_id"
    ),
    "store": "interaction_id ts store_id event_type loyalty_id device_id product_id category",
    "pos": (
        "transaction_id line_no ts store_id amount product_id category quantity "
        "unit_price loyalty_id payment_token email"
    ),
    "loyalty": (
        "loyalty_id updated_at first_name last_name email phone date_of_birth street city "
        "postcode state tier points_balance joined_at"
    ),
    "accounts": (
        "account_id updated_at first_name last_name email phone date_of_birth street city "
        "postcode state created_at"
    ),
    "email": "event_id ts email event_type campaign_id product_id link_url",
    "service": (
        "contact_id ts channel first_name last_name email phone account_id loyalty_id "
        "reason sentiment csat resolved"
    ),
    "preferences": (
        "record_id ts email account_id loyalty_id preferred_channel interests "
        "consent_email consent_push consent_sms consent_location consent_personalization"
    ),
    "erasure": "request_id ts email account_id loyalty_id phone",
}
KEYS = {
    "web": ["event_id"],
    "app": ["event_id"],
    "store": ["interaction_id"],
    "pos": ["transaction_id", "line_no"],
    "loyalty": ["loyalty_id"],
    "accounts": ["account_id"],
    "email": ["event_id"],
    "service": ["contact_id"],
    "preferences": ["record_id"],
    "erasure": ["request_id"],
}
ENUMS = {
    ("web", "event_type"): {
        "page_view",
        "product_view",
        "search",
        "add_to_cart",
        "wishlist_add",
        "checkout",
        "purchase",
    },
    ("app", "event_type"): {
        "app_open",
        "product_view",
        "search",
        "add_to_cart",
        "wishlist_add",
        "purchase",
        "push_received",
        "push_open",
    },
    ("store", "event_type"): {"store_visit", "try_on", "associate_consult", "click_and_collect_pickup"},
    ("email", "event_type"): {"sent", "delivered", "open", "click", "unsubscribe", "bounce", "complaint"},
    ("service", "channel"): {"phone", "chat", "email", "social"},
    ("preferences", "preferred_channel"): {"email", "push", "sms", "post", "none"},
}
ID_COLUMNS = ("cookie_id", "device_id", "account_id", "loyalty_id", "email", "phone", "payment_token")
FILE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2}).*\.(csv|csv\.gz|parquet|jsonl)$")


def read_landed(path: Path) -> pd.DataFrame:
    """One landed file, text columns as strings, empty values as NA."""
    if path.name.endswith(".parquet"):
        return pd.read_parquet(path)
    if path.name.endswith(".jsonl"):
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def read_source(out: Path, source: str) -> pd.DataFrame:
    """All files of a source in path order, with each row's path and row number."""
    frames = []
    for path in sorted((out / "landing" / source).iterdir()):
        frame = read_landed(path)
        if len(frame):  # header-only files add no rows
            frames.append(frame.assign(_path=f"{source}/{path.name}", _row=np.arange(1, len(frame) + 1)))
    if not frames:
        return pd.DataFrame(columns=[*CONTRACT_COLUMNS[source].split(), "_path", "_row"], dtype=object)
    return pd.concat(frames, ignore_index=True)


def record_keys(frame: pd.DataFrame, source: str) -> pd.Series:
    columns = KEYS[source]
    keys = frame[columns[0]].astype(str)
    return keys + ":" + frame[columns[1]].astype(str) if len(columns) == 2 else keys


def normal_form(id_type: str, value: str) -> str:
    value = str(value).strip()
    if id_type == "email":
        return value.lower()
    if id_type == "phone":
        digits = re.sub(r"\D", "", value)
        if value.startswith("+"):
            return digits
        if digits.startswith("00"):
            return digits[2:]
        return digits if len(digits) == 11 else "1" + digits
    return value


def bad_row_marks(out: Path, frame: pd.DataFrame, source: str) -> np.ndarray:
    bad = pd.read_csv(out / "truth" / "bad_rows.csv")
    bad = set(
        zip(
            bad.loc[bad["source"] == source, "path"],
            bad.loc[bad["source"] == source, "row_number"],
            strict=False,
        )
    )
    return np.array(
        [(path, row) in bad for path, row in zip(frame["_path"], frame["_row"], strict=False)], dtype=bool
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(PERSONS, DAYS, seed=5, out=out, end_date=END, bad_row_rate=0.004)
    return out


@pytest.fixture(scope="module")
def persons(demo: Path) -> pd.DataFrame:
    return pd.read_csv(demo / "truth" / "persons.csv", dtype={"person_id": str})


def file_bytes(out: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(out)): path.read_bytes() for path in sorted(out.rglob("*")) if path.is_file()
    }


def test_same_arguments_give_identical_bytes_and_another_seed_differs(tmp_path: Path):
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        generate(150, 7, seed=seed, out=tmp_path / name, end_date=END)
    first, second, other = (file_bytes(tmp_path / name) for name in "abc")
    assert first == second
    assert any(first.get(name) != content for name, content in other.items())


def test_a_second_run_replaces_the_first(tmp_path: Path):
    generate(100, 10, seed=1, out=tmp_path, end_date=END)
    generate(100, 3, seed=1, out=tmp_path, end_date=END)
    dates = {FILE_NAME.match(path.name).group(1) for path in (tmp_path / "landing").rglob("*.*")}
    assert min(dates) == "2026-11-19"


def test_every_source_lands_dated_files_with_the_contract_columns(demo: Path):
    start = END - dt.timedelta(days=DAYS - 1)
    assert sorted(path.name for path in (demo / "landing").iterdir()) == sorted(CONTRACT_COLUMNS)
    for source, columns in CONTRACT_COLUMNS.items():
        paths = sorted((demo / "landing" / source).iterdir())
        assert paths, source
        for path in paths:
            match = FILE_NAME.match(path.name)
            assert match, path
            assert start <= dt.date.fromisoformat(match.group(1)) <= END
            assert list(read_landed(path).columns) == columns.split(), path
    pos_names = [path.name for path in (demo / "landing" / "pos").iterdir()]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}-store\d{3}\.csv", name) for name in pos_names)
    assert len(pos_names) > DAYS  # one file per store and day


def test_all_four_formats_land_and_read(demo: Path):
    extensions = {FILE_NAME.match(path.name).group(2) for path in (demo / "landing").rglob("*.*")}
    assert extensions == {"csv", "csv.gz", "parquet", "jsonl"}
    store = read_source(demo, "store")
    assert isinstance(store["ts"].dtype, pd.DatetimeTZDtype)
    app = read_source(demo, "app")
    assert app["latitude"].dropna().between(20, 50).all()
    email = read_source(demo, "email")
    assert email["event_type"].isin(ENUMS[("email", "event_type")]).mean() > 0.99


def test_records_cover_every_clean_row_and_their_identifiers_belong_to_their_person(demo: Path):
    records = pd.read_csv(demo / "truth" / "records.csv", dtype=str, keep_default_na=False)
    identifiers = pd.read_csv(demo / "truth" / "identifiers.csv", dtype=str)
    owned = set(zip(identifiers["id_type"], identifiers["id_value"], identifiers["person_id"], strict=False))
    known_people = set(pd.read_csv(demo / "truth" / "persons.csv", dtype=str)["person_id"])
    for source in CONTRACT_COLUMNS:
        frame = read_source(demo, source)
        clean = frame[~bad_row_marks(demo, frame, source)]
        truth = records[records["source"] == source]
        assert list(truth["record_key"]) == list(record_keys(clean, source)), source
        assert set(truth["person_id"]) <= known_people
        for id_type in ID_COLUMNS:
            if id_type not in clean:
                continue
            present = clean[id_type].notna().to_numpy()
            pairs = zip(clean[id_type][present], truth["person_id"].to_numpy()[present], strict=False)
            strays = [
                value
                for value, person in pairs
                if (id_type, normal_form(id_type, value), person) not in owned
            ]
            assert not strays, (source, id_type, strays[:5])


def test_keys_are_unique_apart_from_deliberate_duplicates(demo: Path):
    for source in ("web", "app", "store", "pos", "email", "service", "preferences", "erasure"):
        frame = read_source(demo, source)
        keys = record_keys(frame, source)
        duplicated = keys.duplicated().to_numpy()
        bad = pd.read_csv(demo / "truth" / "bad_rows.csv")
        listed = set(
            zip(
                bad.loc[bad["kind"] == "duplicate_key", "path"],
                bad.loc[bad["kind"] == "duplicate_key", "row_number"],
                strict=False,
            )
        )
        assert {(p, r) for p, r, d in zip(frame["_path"], frame["_row"], duplicated, strict=False) if d} == {
            (p, r) for p, r in listed if p.startswith(f"{source}/")
        }, source


def test_listed_bad_rows_really_break_a_rule(demo: Path):
    bad = pd.read_csv(demo / "truth" / "bad_rows.csv")
    assert set(bad["kind"]) == {"malformed_timestamp", "bad_enum", "missing_required", "duplicate_key"}
    for (source, column), allowed in ENUMS.items():
        frame = read_source(demo, source)
        outside = frame[column].notna() & ~frame[column].isin(allowed)
        listed = bad[(bad["source"] == source) & (bad["kind"] == "bad_enum")]
        assert set(zip(frame["_path"][outside], frame["_row"][outside], strict=False)) == set(
            zip(listed["path"], listed["row_number"], strict=False)
        ), source
    web = read_source(demo, "web")
    malformed = bad[(bad["source"] == "web") & (bad["kind"] == "malformed_timestamp")]
    texts = web.set_index(["_path", "_row"]).loc[
        list(zip(malformed["path"], malformed["row_number"], strict=False)), "ts"
    ]
    for text in texts:
        with pytest.raises(ValueError):
            dt.datetime.fromisoformat(text)
    for text in web.loc[~bad_row_marks(demo, web, "web"), "ts"].sample(500, random_state=0):
        dt.datetime.fromisoformat(text)


@pytest.mark.parametrize("days", [1, 3])
@pytest.mark.parametrize("persons", [1, 3, 20, 80])
def test_small_zones_land_every_source_and_a_consistent_truth(tmp_path: Path, persons: int, days: int):
    """Tiny zones have sources without a single row (no store sale, no email, ...): they land a
    header-only file on the first day (an empty JSON-lines source lands no file: it has no
    header), and the truth still matches."""
    summary = generate(persons, days, seed=11, out=tmp_path, end_date=END, bad_row_rate=0.05)
    start = END - dt.timedelta(days=days - 1)
    assert sorted(path.name for path in (tmp_path / "landing").iterdir()) == sorted(CONTRACT_COLUMNS)
    records = pd.read_csv(tmp_path / "truth" / "records.csv", dtype=str, keep_default_na=False)
    bad = pd.read_csv(tmp_path / "truth" / "bad_rows.csv", dtype={"row_number": int})
    people = pd.read_csv(tmp_path / "truth" / "persons.csv", dtype={"person_id": str})
    assert len(people) == persons and people["person_id"].is_unique
    assert set(records["person_id"]) <= set(people["person_id"])
    for source, columns in CONTRACT_COLUMNS.items():
        paths = sorted((tmp_path / "landing" / source).iterdir())
        assert len(paths) == summary["files"][source], source
        assert paths or (source == "app" and summary["rows"][source] == 0), source
        for path in paths:
            match = FILE_NAME.match(path.name)
            assert match, path
            assert start <= dt.date.fromisoformat(match.group(1)) <= END
            assert list(read_landed(path).columns) == columns.split(), path
        if summary["rows"][source] == 0 and paths:
            assert [FILE_NAME.match(path.name).groups() for path in paths] == [
                (start.isoformat(), match.group(2))
            ], source
        frame = read_source(tmp_path, source)
        assert len(frame) == summary["rows"][source], source
        clean = frame[~bad_row_marks(tmp_path, frame, source)]
        truth = records[records["source"] == source]
        assert list(truth["record_key"]) == list(record_keys(clean, source)), source
        assert len(clean) + (bad["source"] == source).sum() == len(frame), source
    holdout = pd.read_csv(tmp_path / "truth" / "holdout_purchases.csv", dtype={"person_id": str})
    assert set(people.loc[people["purchased_holdout"] == 1, "person_id"]) == set(holdout["person_id"])
    meta = json.loads((tmp_path / "truth" / "meta.json").read_text())
    assert (meta["persons"], meta["days"], meta["start_date"]) == (persons, days, start.isoformat())


def test_bad_row_rate_zero_writes_no_bad_rows(tmp_path: Path):
    summary = generate(200, 7, seed=2, out=tmp_path, end_date=END, bad_row_rate=0)
    assert pd.read_csv(tmp_path / "truth" / "bad_rows.csv").empty
    assert len(pd.read_csv(tmp_path / "truth" / "records.csv")) == sum(summary["rows"].values())


def test_truth_probabilities_and_holdout_agree(demo: Path, persons: pd.DataFrame):
    assert persons["person_id"].is_unique
    assert persons["p_purchase_holdout"].between(0, 1).all()
    assert set(persons["purchased_holdout"]) <= {0, 1}
    holdout = pd.read_csv(demo / "truth" / "holdout_purchases.csv", dtype={"person_id": str})
    buyers = set(holdout["person_id"])
    assert set(persons.loc[persons["purchased_holdout"] == 1, "person_id"]) == buyers
    assert holdout["date"].min() > END.isoformat()
    meta = json.loads((demo / "truth" / "meta.json").read_text())
    assert meta["end_date"] == END.isoformat() and meta["horizon_days"] == 14 and meta["persons"] == PERSONS
    # the truth is a probability, and the drawn outcomes follow it
    assert abs(persons["purchased_holdout"].mean() - persons["p_purchase_holdout"].mean()) < 0.05


def test_households_share_an_address_and_mostly_a_surname_but_not_first_names(persons: pd.DataFrame):
    shared = persons.groupby("household_id")[["street", "city", "postcode", "state"]].nunique()
    assert (shared == 1).all().all()
    sizes = persons.groupby("household_id").size()
    assert 1.8 < sizes.mean() < 2.6 and sizes.max() >= 3
    assert not persons.duplicated(["household_id", "first_name"]).any()
    # partners keeping their names and flatmates have surnames of their own; most families share one
    surnames = persons.groupby("household_id")["last_name"].nunique()
    assert 0.6 < (surnames[sizes > 1] == 1).mean() < 0.98


def test_surnames_have_a_long_tail(persons: pd.DataFrame):
    """397 surnames for 10,000 persons made every flatmate and stranger a namesake."""
    distinct = persons["last_name"].nunique()
    assert distinct > 0.15 * len(persons)
    assert persons["last_name"].value_counts().iloc[0] < 0.03 * len(persons)


def test_birth_dates_spread_like_people_not_piled_on_one_day(persons: pd.DataFrame):
    """Young households' further members once shared one birthday: 551 'twins' per 10,000
    persons, a block identity resolution had to skip and Splink paired wrongly."""
    births = pd.to_datetime(persons["date_of_birth"])
    assert persons["date_of_birth"].value_counts().max() <= 4
    age = (END - births.dt.date).map(lambda span: span.days / 365.25)
    assert age.min() >= 18 and age.max() <= 91


def test_much_browsing_is_anonymous_and_some_logged_in(demo: Path):
    web = read_source(demo, "web")
    anonymous = web["account_id"].isna().mean()
    assert 0.4 < anonymous < 0.95
    assert web["cookie_id"].notna().mean() > 0.99


def test_shared_devices_belong_to_several_people(demo: Path):
    identifiers = pd.read_csv(demo / "truth" / "identifiers.csv", dtype=str)
    people_per_device = (
        identifiers[identifiers["id_type"] == "device_id"].groupby("id_value")["person_id"].nunique()
    )
    records = pd.read_csv(demo / "truth" / "records.csv", dtype=str, keep_default_na=False)
    store = read_source(demo, "store").dropna(subset=["device_id"])
    store["person_id"] = store["interaction_id"].map(
        records[records["source"] == "store"].set_index("record_key")["person_id"]
    )
    store_users = store.groupby("device_id")["person_id"].nunique()
    kiosk = store_users.idxmax()
    assert store_users[kiosk] >= 3 and people_per_device[kiosk] >= store_users[kiosk]  # a store kiosk
    family_tablets = people_per_device.drop(store_users.index, errors="ignore")
    assert (family_tablets >= 2).any()
    # two members log into their own accounts on one family tablet
    app = read_source(demo, "app").dropna(subset=["account_id"])
    on_tablets = app[app["device_id"].isin(family_tablets[family_tablets >= 2].index)]
    accounts_per_tablet = on_tablets.groupby("device_id")["account_id"].nunique()
    assert (accounts_per_tablet >= 2).any()


def test_roster_records_carry_typing_noise(demo: Path, persons: pd.DataFrame):
    records = pd.read_csv(demo / "truth" / "records.csv", dtype=str, keep_default_na=False)
    accounts = read_source(demo, "accounts")
    accounts = accounts[~bad_row_marks(demo, accounts, "accounts")]
    owner = (
        records[records["source"] == "accounts"]
        .drop_duplicates("record_key")
        .set_index("record_key")["person_id"]
    )
    truth = persons.set_index("person_id").loc[accounts["account_id"].map(owner)]
    differs = accounts["first_name"].to_numpy() != truth["first_name"].to_numpy()
    assert 0.02 < differs.mean() < 0.2
    assert 0.01 < accounts["first_name"].isna().mean() < 0.06  # surname-only records
    phones = accounts["phone"].dropna()
    assert (
        phones.str.contains(r"\(").any()
        and phones.str.contains(r"\.").any()
        and phones.str.startswith("+1").any()
    )


def test_people_closer_to_buying_show_more_product_interest_in_the_last_two_weeks(
    demo: Path, persons: pd.DataFrame
):
    """Intent shows across channels before the purchase: views, carts and wishlists online,
    try-ons in store."""
    records = pd.read_csv(demo / "truth" / "records.csv", dtype=str, keep_default_na=False)
    recent = (END - dt.timedelta(days=13)).isoformat()
    interest = []
    for source, kinds in (
        ("web", {"product_view", "add_to_cart", "wishlist_add"}),
        ("app", {"product_view", "add_to_cart", "wishlist_add"}),
        ("store", {"try_on"}),
    ):
        frame = read_source(demo, source)
        frame = frame[
            frame["event_type"].isin(kinds) & (frame["_path"].str.split("/").str[1].str[:10] >= recent)
        ]
        owner = records[records["source"] == source].set_index("record_key")["person_id"]
        interest.append(record_keys(frame, source).map(owner).dropna())
    counts = pd.concat(interest).value_counts().reindex(persons["person_id"], fill_value=0).to_numpy()
    # compare within segments: busier kinds of customers also buy more, which alone would pass a pooled test
    p = persons.groupby("segment")["p_purchase_holdout"]
    likely = (persons["p_purchase_holdout"] >= p.transform("quantile", 0.9)).to_numpy()
    unlikely = (persons["p_purchase_holdout"] <= p.transform("median")).to_numpy()
    assert counts[likely].mean() > 1.5 * counts[unlikely].mean()
