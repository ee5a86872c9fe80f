"""Cross-experience signals: plain functions over the typed source frames, no Dagster.

Entry points live in `xsignals_dagster.signals.profile`:

- `compute_signals(frames, record_customers, as_of)` -> `{"behavioral", "transactional",
  "engagement", "contextual", "preference", "journey"}` frames indexed by `customer_id`;
- `build_profile(customers, signals, frames, record_customers, as_of)` -> the
  `customer_profiles` table.

Each signal type's columns are documented in its module. Consent lives in
`xsignals_dagster.privacy.consent`. (This package does not import its modules eagerly:
`privacy.consent` reads records through `signals.records`, and the signals use consent.)
"""
