"""Each bad-input rule of CONTRACT §1, a landed file per case, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from xsignals_dagster.ingest.frames import load_source_frames
from xsignals_dagster_tests.ingest.landing_files import ingest, land, reasons, table

WEB_HEADER = "event_id,ts,cookie_id,event_type,order_id,revenue,device_type,email\n"


def assert_reconciles(store) -> None:
    """Every ingested file: rows read = rows loaded + rows rejected, matching the tables."""
    files = table(store, "ingested_files")
    rejected = table(store, "rejected_rows")
    for file in files.itertuples():
        assert file.rows_read == file.rows_loaded + file.rows_rejected, file.path
        assert (
            (rejected["path"] == file.path).sum() == file.rows_rejected
            if len(rejected)
            else file.rows_rejected == 0
        )


def test_valid_rows_load_typed_and_normalised(store, landing):
    land(
        landing,
        "web/2026-11-20.csv",
        WEB_HEADER
        + "e1,2026-11-20T10:00:00,c1,page_view,,,Desktop, Bob@Example.COM \n"
        + "e2,2026-11-20 11:00:00+02:00,c1,PURCHASE ,o1,12.50,mobile,\n"
        + "e3,2026-11-20,c2,search,,,,\n",
    )
    [outcome] = ingest(store, landing, "web", "2026-11-20")
    assert outcome.total("rows_loaded") == 3
    web = table(store, "stg_web").set_index("event_id")
    assert web.loc["e1", "email"] == "bob@example.com"
    assert web.loc["e1", "device_type"] == "desktop"
    assert web.loc["e2", "event_type"] == "purchase"
    assert web.loc["e2", "ts"] == pd.Timestamp("2026-11-20 09:00:00")  # offset → UTC
    assert web.loc["e3", "ts"] == pd.Timestamp("2026-11-20 00:00:00")  # a date alone: midnight UTC
    assert web.loc["e2", "revenue"] == pytest.approx(12.5)
    assert_reconciles(store)


def test_bad_rows_are_rejected_with_reason_and_raw_values(store, landing):
    land(
        landing,
        "web/2026-11-20.csv",
        WEB_HEADER
        + "e1,,c1,page_view,,,,\n"  # 1 missing required ts
        + "e2,yesterday,c1,page_view,,,,\n"  # 2 malformed required ts
        + "e3,2026-11-20,c1,teleport,,,,\n"  # 3 enumeration, required column
        + "e4,2026-11-20,c1,page_view,,,phone,\n"  # 4 enumeration, optional column
        + "e5,2026-11-20,c1,purchase,,,,\n"  # 5 purchase without order_id/revenue
        + "e6,2026-11-20,c1,page_view\n"  # 6 wrong number of fields
        + "e7,2026-11-20,c1,page_view,,,,\n",  # 7 fine
    )
    ingest(store, landing, "web", "2026-11-20")
    why = reasons(store)
    assert why[1] == "missing required value: ts"
    assert why[2].startswith("malformed ts")
    assert "teleport" in why[3] and "not one of" in why[3]
    assert "phone" in why[4]
    assert "order_id" in why[5]
    assert why[6].startswith("wrong number of fields")
    assert 7 not in why
    raw = json.loads(table(store, "rejected_rows").set_index("row_number").loc[2, "raw"])
    assert raw["ts"] == "yesterday" and raw["event_id"] == "e2"
    assert list(table(store, "stg_web")["event_id"]) == ["e7"]
    assert_reconciles(store)


def test_invalid_utf8_row_is_rejected_and_the_rest_loads(store, landing):
    content = (
        WEB_HEADER + "e1,2026-11-20,c1,page_view,,,,\n"
    ).encode() + b"e2,2026-11-20,c\xff\xfe,page_view,,,,\n"
    land(landing, "web/2026-11-20.csv", content)
    ingest(store, landing, "web", "2026-11-20")
    assert reasons(store) == {2: "not valid UTF-8"}
    assert list(table(store, "stg_web")["event_id"]) == ["e1"]


def test_quoted_record_spanning_lines_counts_once(store, landing):
    land(
        landing,
        "web/2026-11-20.csv",
        WEB_HEADER + 'e1,2026-11-20,"c\n1",page_view,,,,\ne2,bad,c2,page_view,,,,\n',
    )
    ingest(store, landing, "web", "2026-11-20")
    assert reasons(store) == {2: "malformed ts: 'bad'"}


def test_malformed_optional_values_are_blanked_and_counted(store, landing):
    land(
        landing,
        "service/2026-11-20.csv",
        "contact_id,ts,channel,sentiment,csat,resolved,phone\n"
        "s1,2026-11-20,chat,1.5,6,maybe,12\n"
        "s2,2026-11-20,chat,-0.5,4,YES,(415) 555-0123\n",
    )
    ingest(store, landing, "service", "2026-11-20")
    service = table(store, "stg_service").set_index("contact_id")
    assert service.loc["s1"][["sentiment", "csat", "resolved", "phone"]].isna().all()
    assert service.loc["s2", "sentiment"] == pytest.approx(-0.5)
    assert service.loc["s2", "resolved"] is True or service.loc["s2", "resolved"] == True  # noqa: E712
    assert service.loc["s2", "phone"] == "14155550123"
    blanked = table(store, "blanked_values").set_index("column")["count"].to_dict()
    assert blanked == {"sentiment": 1, "csat": 1, "resolved": 1, "phone": 1}


def test_phone_normal_form_uses_country_code_or_default_region(store, landing):
    land(
        landing,
        "accounts/2026-11-20.csv",
        "account_id,updated_at,phone\n"
        "a1,2026-11-20,+44 20 7946 0958\n"
        "a2,2026-11-20,0044 20 7946 0958\n"
        "a3,2026-11-20,020 7946 0958\n"
        "a4,2026-11-20,12\n",
    )
    ingest(store, landing, "accounts", "2026-11-20", region="GB")
    phones = table(store, "stg_accounts").set_index("account_id")["phone"].to_dict()
    assert phones == {"a1": "442079460958", "a2": "442079460958", "a3": "442079460958", "a4": None}


def test_duplicate_keys_within_and_across_files(store, landing):
    land(
        landing,
        "web/2026-11-20.csv",
        WEB_HEADER + "e1,2026-11-20,c1,page_view,,,,\ne1,2026-11-20,c2,page_view,,,,\n",
    )
    land(
        landing,
        "web/2026-11-21.csv",
        WEB_HEADER + "e1,2026-11-21,c3,page_view,,,,\ne2,2026-11-21,c3,page_view,,,,\n",
    )
    ingest(store, landing, "web", "2026-11-20", "2026-11-21")
    rejected = table(store, "rejected_rows")
    assert sorted(zip(rejected["path"], rejected["row_number"], strict=True)) == [
        ("web/2026-11-20.csv", 2),
        ("web/2026-11-21.csv", 1),
    ]
    assert rejected["reason"].str.startswith("duplicate key: e1").all()
    web = table(store, "stg_web")
    assert dict(zip(web["event_id"], web["cookie_id"], strict=True)) == {"e1": "c1", "e2": "c3"}
    assert_reconciles(store)


def test_late_file_for_an_earlier_date_takes_its_keys_back(store, landing):
    land(landing, "web/2026-11-21.csv", WEB_HEADER + "e1,2026-11-21,late,page_view,,,,\n")
    ingest(store, landing, "web", "2026-11-21")
    land(landing, "web/2026-11-20.csv", WEB_HEADER + "e1,2026-11-20,early,page_view,,,,\n")
    ingest(store, landing, "web", "2026-11-20")
    web = table(store, "stg_web")
    assert list(web["cookie_id"]) == ["early"]
    rejected = table(store, "rejected_rows")
    assert list(rejected["path"]) == ["web/2026-11-21.csv"]
    assert_reconciles(store)


def test_roster_updates_latest_updated_at_wins_with_whole_record(store, landing):
    land(
        landing,
        "loyalty/2026-11-20.csv",
        "loyalty_id,updated_at,first_name,city,tier\nL1,2026-11-20T09:00,Ann,Boston,gold\nL2,2026-11-20,Bo,Austin,\n",
    )
    land(
        landing,
        "loyalty/2026-11-21.csv",
        "loyalty_id,updated_at,first_name,city,tier\nL1,2026-11-21,Anne,,silver\nL2,2026-11-19,Bob,Dallas,\n",
    )
    ingest(store, landing, "loyalty", "2026-11-20", "2026-11-21")
    assert table(store, "rejected_rows").empty
    current = load_source_frames(store, ["loyalty"])["loyalty"].set_index("loyalty_id")
    assert current.loc["L1", "first_name"] == "Anne"
    assert pd.isna(current.loc["L1", "city"])  # empty in the current record means unknown
    assert current.loc["L2", "first_name"] == "Bo"  # the older updated_at loses though it came later


def test_required_any_identifier(store, landing):
    land(
        landing,
        "preferences/2026-11-20.csv",
        "record_id,ts,email,account_id,loyalty_id,consent_email\nr1,2026-11-20,,,,true\nr2,2026-11-20,,A1,,\n",
    )
    ingest(store, landing, "preferences", "2026-11-20")
    assert list(reasons(store)) == [1]
    assert "email, account_id, loyalty_id" in reasons(store)[1]


def test_identical_bytes_under_another_name_change_nothing(store, landing):
    content = WEB_HEADER + "e1,2026-11-20,c1,page_view,,,,\n"
    land(landing, "web/2026-11-20.csv", content)
    land(landing, "web/2026-11-21-resent.csv", content)
    ingest(store, landing, "web", "2026-11-20", "2026-11-21")
    files = table(store, "ingested_files").set_index("path")
    resent = files.loc["web/2026-11-21-resent.csv"]
    assert (resent["rows_read"], resent["rows_loaded"], resent["rows_rejected"]) == (0, 0, 0)
    assert resent["sha256"] == files.loc["web/2026-11-20.csv", "sha256"]
    assert len(table(store, "stg_web")) == 1
    assert table(store, "rejected_rows").empty


def test_rerun_is_idempotent_and_changed_file_replaces_what_it_loaded(store, landing):
    land(
        landing,
        "web/2026-11-20.csv",
        WEB_HEADER + "e1,2026-11-20,c1,page_view,,,,\ne2,bad,c1,page_view,,,,\n",
    )
    ingest(store, landing, "web", "2026-11-20")
    ingest(store, landing, "web", "2026-11-20")
    assert len(table(store, "stg_web")) == 1 and len(table(store, "rejected_rows")) == 1
    assert len(table(store, "ingested_files")) == 1
    land(
        landing,
        "web/2026-11-20.csv",
        WEB_HEADER + "e3,2026-11-20,c1,page_view,,,,\ne4,2026-11-20,c1,search,,,,\n",
    )
    ingest(store, landing, "web", "2026-11-20")
    assert sorted(table(store, "stg_web")["event_id"]) == ["e3", "e4"]
    assert table(store, "rejected_rows").empty
    files = table(store, "ingested_files")
    assert len(files) == 1 and files["rows_loaded"].item() == 2


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        ("web/2026-11-20.csv.gz", b"this is not gzip", "not a valid gzip file"),
        ("web/2026-11-20.parquet", b"PAR1 broken", "not a readable parquet file"),
        (
            "web/2026-11-20.csv",
            "event_id,ts,event_type\ne1,2026-11-20,page_view\n",
            "required column(s) missing: cookie_id",
        ),
        ("web/2026-11-20.csv", "", "empty file: no header row"),
        ("web/2026-11-20.jsonl", "not json\nstill not\n", "not JSON lines"),
        ("web/2026-11-20.csv", "event_id,ts,ts,cookie_id,event_type\n", "header repeats column(s): ts"),
    ],
)
def test_unreadable_files_are_quarantined_not_ingested(store, landing, path, content, reason):
    land(landing, path, content)
    [outcome] = ingest(store, landing, "web", "2026-11-20")
    quarantined = table(store, "quarantined_files")
    assert list(quarantined["path"]) == [path]
    assert quarantined["reason"].item().startswith(reason)
    assert table(store, "ingested_files").empty
    assert outcome.count("quarantined") == 1


def test_every_format_loads_the_same_rows(store, landing):
    rows = [
        {
            "event_id": "e1",
            "ts": "2026-11-20T10:00:00Z",
            "device_id": "d1",
            "event_type": "app_open",
            "latitude": "52.5",
        },
        {
            "event_id": "e2",
            "ts": "2026-11-20T11:00:00Z",
            "device_id": "d1",
            "event_type": "search",
            "latitude": None,
        },
    ]
    frame = pd.DataFrame(rows)
    land(landing, "app/2026-11-20-a.csv", frame.to_csv(index=False))
    land(landing, "app/2026-11-21-b.csv.gz", frame.assign(event_id=["e3", "e4"]).to_csv(index=False))
    land(
        landing,
        "app/2026-11-22-c.jsonl",
        "\n".join(json.dumps({**r, "event_id": r["event_id"] + "j"}) for r in rows) + "\n",
    )
    typed = frame.assign(
        event_id=["e5", "e6"], ts=pd.to_datetime(frame["ts"]), latitude=pd.to_numeric(frame["latitude"])
    )
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(typed, preserve_index=False), buffer)
    land(landing, "app/2026-11-23-d.parquet", buffer.getvalue().to_pybytes())
    ingest(store, landing, "app", "2026-11-20", "2026-11-21", "2026-11-22", "2026-11-23")
    app = table(store, "stg_app")
    assert len(app) == 8
    assert table(store, "rejected_rows").empty and table(store, "quarantined_files").empty
    assert (app.groupby("event_type")["ts"].nunique() == 1).all()  # the same instant from every format
    assert app["latitude"].dropna().eq(52.5).sum() == 4


def test_jsonl_line_that_is_not_an_object_is_rejected(store, landing):
    good = json.dumps({"event_id": "e1", "ts": "2026-11-20", "email": "A@B.example", "event_type": "open"})
    land(landing, "email/2026-11-20.jsonl", good + "\n[1, 2]\n{broken\n")
    ingest(store, landing, "email", "2026-11-20")
    why = reasons(store)
    assert set(why) == {2, 3} and all(r.startswith("not a JSON object") for r in why.values())
    assert table(store, "stg_email")["email"].item() == "a@b.example"
    assert_reconciles(store)


def test_timestamps_without_offset_stay_utc_after_one_with_an_offset(store, landing):
    land(
        landing,
        "web/2026-10-24.csv",
        WEB_HEADER
        + "e1,2026-10-24T17:50:00-08:00,c1,page_view,,,,\n"
        + "e2,2026-10-24T05:00:24.009,c1,page_view,,,,\n"
        + "e3,2026-10-24 06:00,c1,page_view,,,,\n",
    )
    ingest(store, landing, "web", "2026-10-24")
    ts = table(store, "stg_web").set_index("event_id")["ts"]
    assert ts["e1"] == pd.Timestamp("2026-10-25 01:50:00")
    assert ts["e2"] == pd.Timestamp("2026-10-24 05:00:24.009")
    assert ts["e3"] == pd.Timestamp("2026-10-24 06:00:00")


def _web_rows(cookie_2: str) -> list[dict]:
    return [
        {"event_id": "e1", "ts": "2026-03-01", "cookie_id": "c1", "event_type": "page_view"},
        {"event_id": "e2", "ts": "2026-03-01", "cookie_id": cookie_2, "event_type": "page_view"},
        {
            "event_id": "e3",
            "ts": "2026-03-01",
            "cookie_id": "c3",
            "event_type": "search",
            "search_query": "\U0001f600",
        },
    ]


def _invalid_utf8_string(values: list[bytes]) -> pa.Array:
    """A string array holding bytes that are not UTF-8, unchecked, as some parquet writers leave them."""
    offsets = [0]
    for value in values:
        offsets.append(offsets[-1] + len(value))
    buffers = [None, pa.array(offsets, pa.int32()).buffers()[1], pa.py_buffer(b"".join(values))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _jsonl_with_lone_surrogate() -> bytes:
    # json.dumps writes "\ud800" as the escape it is, and the emoji of e3 as a valid pair
    return "".join(json.dumps(row) + "\n" for row in _web_rows("c\ud800")).encode()


def _csv_with_surrogate_bytes() -> bytes:
    header = b"event_id,ts,cookie_id,event_type,search_query\n"
    return (
        header
        + b"e1,2026-03-01,c1,page_view,\n"
        + b"e2,2026-03-01,c\xed\xa0\x80,page_view,\n"
        + b"e3,2026-03-01,c3,search,\xf0\x9f\x98\x80\n"
    )


def _parquet_with_invalid_utf8() -> bytes:
    rows = _web_rows("c?")
    table = pa.table(
        {
            "event_id": [r["event_id"] for r in rows],
            "ts": [r["ts"] for r in rows],
            "cookie_id": _invalid_utf8_string([b"c1", b"c\xed\xa0\x80", b"c3"]),
            "event_type": [r["event_type"] for r in rows],
            "search_query": [r.get("search_query") for r in rows],
        }
    )
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    return buffer.getvalue().to_pybytes()


def assert_no_nul(store, *names: str) -> None:
    """No text value that ingestion wrote to these tables holds a NUL character."""
    for name in names:
        frame = table(store, name)
        for column in frame.columns:
            assert not any(isinstance(v, str) and "\x00" in v for v in frame[column]), (name, column)


def _jsonl_with_nul_escape() -> bytes:
    # json.dumps writes the NUL as the escape "\u0000", the only way JSON can write one
    return "".join(json.dumps(row) + "\n" for row in _web_rows("c\x00")).encode()


def _csv_with_nul_byte() -> bytes:
    header = b"event_id,ts,cookie_id,event_type,search_query\n"
    return (
        header
        + b"e1,2026-03-01,c1,page_view,\n"
        + b"e2,2026-03-01,c\x00,page_view,\n"
        + b"e3,2026-03-01,c3,search,\xf0\x9f\x98\x80\n"
    )


def _parquet_with_nul() -> bytes:
    rows = _web_rows("c\x00")
    table = pa.table(
        {
            name: [r.get(name) for r in rows]
            for name in ("event_id", "ts", "cookie_id", "event_type", "search_query")
        }
    )
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    return buffer.getvalue().to_pybytes()


UTF8 = "not valid UTF-8"
NUL = "contains a NUL character"


@pytest.mark.parametrize(
    ("path", "content", "reason"),
    [
        ("web/2026-03-01.jsonl", _jsonl_with_lone_surrogate, UTF8),
        ("web/2026-03-01.csv", _csv_with_surrogate_bytes, UTF8),
        ("web/2026-03-01.csv.gz", lambda: gzip.compress(_csv_with_surrogate_bytes(), mtime=0), UTF8),
        ("web/2026-03-01.parquet", _parquet_with_invalid_utf8, UTF8),
        ("web/2026-03-01.jsonl", _jsonl_with_nul_escape, NUL),
        ("web/2026-03-01.csv", _csv_with_nul_byte, NUL),
        ("web/2026-03-01.csv.gz", lambda: gzip.compress(_csv_with_nul_byte(), mtime=0), NUL),
        ("web/2026-03-01.parquet", _parquet_with_nul, NUL),
    ],
    ids=[
        "jsonl-lone-surrogate-escape",
        "csv-surrogate-bytes",
        "csv.gz-surrogate-bytes",
        "parquet-invalid-utf8-string",
        "jsonl-nul-escape",
        "csv-nul-byte",
        "csv.gz-nul-byte",
        "parquet-nul-in-string",
    ],
)
def test_row_with_a_character_no_warehouse_holds_is_rejected_and_the_rest_loads_in_every_format(
    store, landing, path, content, reason
):
    land(landing, path, content())
    [outcome] = ingest(store, landing, "web", "2026-03-01")
    assert outcome.count("loaded") == 1 and table(store, "quarantined_files").empty
    assert reasons(store) == {2: reason}
    raw = json.loads(table(store, "rejected_rows")["raw"].item())
    assert raw["event_id"] == "e2" and raw["cookie_id"].startswith("c\ufffd")  # shown as U+FFFD
    web = table(store, "stg_web").set_index("event_id")
    assert list(web.index) == ["e1", "e3"]
    assert web.loc["e3", "search_query"] == "\U0001f600"  # a valid surrogate pair is a valid character
    [file] = table(store, "ingested_files").itertuples()
    assert (file.path, file.rows_read, file.rows_loaded, file.rows_rejected) == (path, 3, 2, 1)
    assert_reconciles(store)
    assert_no_nul(store, "rejected_rows", "stg_web")


def test_nul_in_an_extra_column_or_a_json_key_rejects_the_row_and_no_nul_is_stored(store, landing):
    rows = [
        {"event_id": "e1", "ts": "2026-03-01", "cookie_id": "c1", "event_type": "page_view", "note": "fine"},
        {"event_id": "e2", "ts": "2026-03-01", "cookie_id": "c2", "event_type": "page_view", "note": "n\x00"},
        {"event_id": "e3", "ts": "2026-03-01", "cookie_id": "c3", "event_type": "page_view", "no\x00te": "x"},
        {
            "event_id": "e4",
            "ts": "2026-03-01",
            "cookie_id": "c4",
            "event_type": "page_view",
            "nested": {"a": "\x00"},
        },
    ]
    land(landing, "web/2026-03-01.jsonl", "".join(json.dumps(row) + "\n" for row in rows))
    ingest(store, landing, "web", "2026-03-01")
    assert reasons(store) == {2: "contains a NUL character", 3: "contains a NUL character"}
    raw = table(store, "rejected_rows").set_index("row_number")["raw"].map(json.loads)
    assert raw[2]["note"] == "n\ufffd" and raw[3]["no\ufffdte"] == "x"
    web = table(store, "stg_web").set_index("event_id")
    assert list(web.index) == ["e1", "e4"]
    assert json.loads(web.loc["e1", "extra"]) == {"note": "fine"}
    # a nested value loads as JSON text, where the NUL is written as the escape \u0000
    assert json.loads(web.loc["e4", "extra"]) == {"nested": '{"a": "\\u0000"}'}
    assert_reconciles(store)
    assert_no_nul(store, "rejected_rows", "stg_web")


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (
            [
                {"event_id": "e1", "ts": "2026-03-01", "cookie_id": "\udc00", "event_type": "page_view"},
                {"event_id": "e\udfff"},
            ],
            UTF8,
        ),
        (
            [
                {"event_id": "e1", "ts": "2026-03-01", "cookie_id": "c\x00", "event_type": "page_view"},
                {"event_id\x00": "e2"},
            ],
            NUL,
        ),
    ],
    ids=["lone-surrogates", "nul-characters"],
)
def test_jsonl_file_whose_every_line_is_unstorable_is_ingested_with_every_row_rejected(
    store, landing, lines, reason
):
    land(landing, "web/2026-03-01.jsonl", "".join(json.dumps(line) + "\n" for line in lines))
    ingest(store, landing, "web", "2026-03-01")
    assert table(store, "quarantined_files").empty
    assert reasons(store) == {1: reason, 2: reason}
    [file] = table(store, "ingested_files").itertuples()
    assert (file.rows_read, file.rows_loaded, file.rows_rejected) == (2, 0, 2)
    assert_reconciles(store)
    assert_no_nul(store, "rejected_rows")


def test_rows_rejected_for_another_reason_keep_no_nul_in_their_raw_values(store, landing):
    csv_content = (
        b"event_id,ts,cookie_id,event_type\n"
        b"e1,2026-03-01,c1,page_view\n"
        b"e2,2026-03-01,c\x00\n"  # wrong field count
        b"e3,2026-03-01,c\x00\xff,page_view\n"  # invalid UTF-8 (that reason first) and a NUL
        b"e4,2026-03-01,c4,page_view\n"
    )
    land(landing, "web/2026-03-01.csv", csv_content)
    good = json.dumps({"event_id": "j1", "ts": "2026-03-02", "cookie_id": "c1", "event_type": "page_view"})
    land(
        landing,
        "web/2026-03-02.jsonl",
        (good + "\n").encode() + b'{"event_id": "j2\x00"}\n' + b'["\\u0000"]\n',
    )
    ingest(store, landing, "web", "2026-03-01", "2026-03-02")
    rejected = table(store, "rejected_rows").set_index(["path", "row_number"])
    assert rejected.loc[("web/2026-03-01.csv", 2), "reason"].startswith("wrong number of fields")
    assert json.loads(rejected.loc[("web/2026-03-01.csv", 2), "raw"]) == {
        "fields": ["e2", "2026-03-01", "c\ufffd"]
    }
    assert rejected.loc[("web/2026-03-01.csv", 3), "reason"] == "not valid UTF-8"
    assert json.loads(rejected.loc[("web/2026-03-01.csv", 3), "raw"])["cookie_id"] == "c\ufffd\ufffd"
    assert rejected.loc[("web/2026-03-02.jsonl", 2), "reason"].startswith(
        "not a JSON object"
    )  # a raw 0x00 is no JSON
    assert "\ufffd" in json.loads(rejected.loc[("web/2026-03-02.jsonl", 2), "raw"])["line"]
    assert rejected.loc[("web/2026-03-02.jsonl", 3), "reason"] == "not a JSON object: a JSON list"
    assert sorted(table(store, "stg_web")["event_id"]) == ["e1", "e4", "j1"]
    assert_reconciles(store)
    assert_no_nul(store, "rejected_rows", "stg_web")


def _parquet_with_nul_column_name() -> bytes:
    table = pa.table(
        {
            "event_id": ["e1"],
            "ts": ["2026-03-01"],
            "cookie_id": ["c1"],
            "event_type": ["page_view"],
            "no\x00te": ["x"],
        }
    )
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    return buffer.getvalue().to_pybytes()


@pytest.mark.parametrize(
    ("path", "content"),
    [
        (
            "web/2026-03-01.csv",
            lambda: b"event_id,ts,cookie_id,event_type,no\x00te\ne1,2026-03-01,c1,page_view,x\n",
        ),
        (
            "web/2026-03-01.csv.gz",
            lambda: gzip.compress(
                b"event_id,ts,cookie_id,event_type,no\x00te\ne1,2026-03-01,c1,page_view,x\n"
            ),
        ),
        ("web/2026-03-01.parquet", _parquet_with_nul_column_name),
    ],
    ids=["csv", "csv.gz", "parquet"],
)
def test_header_with_a_nul_character_quarantines_the_file(store, landing, path, content):
    land(landing, path, content())
    [outcome] = ingest(store, landing, "web", "2026-03-01")
    assert outcome.count("quarantined") == 1
    quarantined = table(store, "quarantined_files")
    assert list(quarantined["path"]) == [path]
    assert quarantined["reason"].item() == "header contains a NUL character"
    assert table(store, "ingested_files").empty
