"""Synthetic demo data: a retailer's landing zone and the ground truth behind it.

``generate`` (in ``demo/generate.py``) writes ``out/landing`` in the shape of CONTRACT.md (ten sources,
daily extract files, four formats) and ``out/truth``, which the pipeline never reads: who every record
belongs to, and how likely each person truly is to buy in the days after the last extract.

Why it is built this way:

* People live in households and carry many identifiers (browser cookies, app
  devices, an account, loyalty cards, emails, phones, payment tokens). Each
  channel captures only some of them, and forms and staff type them with
  noise, so identity resolution has to earn its links; family tablets and
  store kiosks are shared.
* Purchase intent is a hidden state. People drift into "in-market" episodes
  for one category and product that raise their product views, carts, store
  try-ons and email clicks on every channel before they buy, on any channel.
  ``p_purchase_holdout`` comes from that hidden state, so a model using the
  cross-channel signals can approach it but never read it off the data.
* Every random draw comes from ``numpy.random.default_rng(seed)``; identical
  arguments give byte-identical files. Work is vectorised over people, days
  and events, so 10,000 people over 60 days take seconds.

The modules, each importing only those above it:

* ``reference``: names, places, categories, segments and behaviour constants (tables, no draws);
* ``draws``: small vectorised helpers; ``typos``: noise in what people type;
* ``world``: calendar, catalogue, stores and the World container;
* ``identities``: the identifiers people carry; ``population``: households and people (``build_world``);
* ``intent``: hidden purchase intent and the purchases it leads to;
* ``campaigns``: consent and email; ``web_and_app``; ``store_and_pos``;
* ``rosters``: accounts and loyalty cards; ``service_and_erasure``;
* ``truth``: the ground truth; ``landing``: how each source is written as files;
* ``generate``: the entry point.

``transactions`` stands apart: it lands a real purchase log (CDNOW) as pos files.

This package imports none of them itself, so importing one module loads only what it needs; import
``generate`` from ``xsignals_dagster.demo.generate``.
"""
