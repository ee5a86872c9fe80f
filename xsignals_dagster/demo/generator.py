"""Synthetic demo data: a retailer's landing zone and the ground truth behind it.

``generate`` writes ``out/landing`` in the shape of CONTRACT.md (ten sources,
daily extract files, four formats) and ``out/truth``, which the pipeline never
reads: who every record belongs to, and how likely each person truly is to buy
in the days after the last extract.

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
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from xsignals_dagster.contract.sources import SOURCES as SOURCE_SCHEMAS, SourceSchema, column_kind

# --------------------------------------------------------------------------- reference data


def _table(text: str, **read_csv_args) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text.strip()), keep_default_na=False, **read_csv_args)


def words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Roughly in order of popularity; the draw favours names near the front.
FEMALE_FIRST_NAMES = words(
    """
Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Margaret Sandra
Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca Sharon
Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha Katherine
Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce Virginia
Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline Martha
Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace Denise
Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie Kayla
Alexis Lori Alexandra Tiffany Valerie Penelope Eleanor Josephine Allison Cassandra Caroline
Gabrielle Madeline Veronica Ava Mia Harper Chloe Zoe Lily Aria Layla Nora Riley Leah Audrey Claire
Stella Lucy Paisley Skylar Violet Aurora Hazel Camila Naomi Elena Maya Ruby Ivy Quinn Jasmine Rose
Sadie Molly Holly Erin Tara Wendy Yvonne Gwendolyn Rosa Lucia Carmen Ana Priya Mei Aisha Fatima
Keiko Ingrid Esther Miriam Dana Robin Tracy Monica Paula Vanessa Crystal Erica Tamara Jill Joanne
Bonnie Sylvia Irene Lorraine Edith Rita Sheila Connie Dawn Colleen Leslie Kristen Melanie April
Whitney Courtney Morgan Taylor Brooke Sierra Autumn Savannah Hailey Kaitlyn Jenna Haley Bethany
"""
)
MALE_FIRST_NAMES = words(
    """
James Robert John Michael David William Richard Joseph Thomas Charles Christopher Daniel Matthew
Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward
Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Lawrence Justin Scott Brandon
Benjamin Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Gerald Tyler Aaron Jose Adam
Nathan Henry Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry
Harold Sean Austin Carl Arthur Dylan Jesse Jordan Bryan Bruce Gabriel Logan Albert Alan Juan Wayne
Elijah Randy Roy Vincent Ralph Eugene Russell Mason Philip Louis Liam Lucas Oliver Owen Caleb
Isaac Luke Julian Levi Hunter Connor Eli Landon Adrian Asher Carter Wyatt Leo Miles Dominic Colin
Trevor Derek Marcus Victor Martin Curtis Travis Shane Troy Dale Glenn Howard Leonard Frederick
Theodore Franklin Francis Alfred Warren Stanley Neil Calvin Darren Malik Andre Omar Hassan Raj
Arjun Wei Hiroshi Mateo Diego Carlos Luis Miguel Rafael Sergio Ivan Nikolai Tobias Felix Hugo
Rohan Kwame Emmanuel Xavier Ian Jared Spencer Grant Garrett Preston Wesley Damian Everett
"""
)
# Formal name: the short forms people write on forms instead.
NICKNAMES = {
    formal: tuple(short.split(","))
    for formal, short in (
        entry.split(":")
        for entry in """
William:Bill,Will,Billy Robert:Bob,Rob,Bobby Richard:Rick,Rich,Dick James:Jim,Jimmy,Jamie John:Johnny,Jack
Michael:Mike,Mikey Thomas:Tom,Tommy Charles:Charlie,Chuck Christopher:Chris Daniel:Dan,Danny
Matthew:Matt Anthony:Tony Joseph:Joe,Joey Donald:Don,Donnie Steven:Steve Stephen:Steve Andrew:Andy,Drew
Joshua:Josh Kenneth:Ken,Kenny Timothy:Tim Ronald:Ron,Ronnie Edward:Ed,Eddie,Ted Jeffrey:Jeff
Jacob:Jake Nicholas:Nick Jonathan:Jon Lawrence:Larry Benjamin:Ben,Benny Samuel:Sam,Sammy
Gregory:Greg Alexander:Alex Patrick:Pat Raymond:Ray Gerald:Jerry Nathan:Nate Henry:Hank,Harry
Douglas:Doug Zachary:Zach,Zack Peter:Pete Walter:Walt Harold:Harry,Hal Arthur:Art Albert:Al,Bert
Eugene:Gene Philip:Phil Leonard:Leo,Len Frederick:Fred,Freddie Theodore:Ted,Teddy,Theo
Franklin:Frank Francis:Frank Alfred:Al,Alfie Stanley:Stan Vincent:Vince,Vinny Gabriel:Gabe
Dominic:Dom Elizabeth:Liz,Beth,Betty,Eliza Katherine:Kate,Katie,Kathy Catherine:Cathy,Kate
Kathleen:Kathy Jennifer:Jen,Jenny Margaret:Maggie,Peggy,Meg Patricia:Pat,Patty,Trish Susan:Sue,Suzy
Deborah:Deb,Debbie Debra:Deb,Debbie Rebecca:Becky,Becca Jessica:Jess,Jessie Samantha:Sam
Pamela:Pam Cynthia:Cindy Barbara:Barb Kimberly:Kim Christine:Chris,Chrissy Christina:Tina,Chris
Victoria:Vicky,Tori Abigail:Abby Alexandra:Alex,Lexi Sandra:Sandy Amanda:Mandy Angela:Angie
Cassandra:Cassie Caroline:Carrie Danielle:Dani Dorothy:Dot,Dottie Eleanor:Ellie,Nora Emily:Em
Gabrielle:Gabby Jacqueline:Jackie Josephine:Josie,Jo Judith:Judy Madeline:Maddie Melissa:Missy,Mel
Natalie:Nat Olivia:Liv Stephanie:Steph Teresa:Terri,Tess Theresa:Terri,Tess Valerie:Val
Isabella:Izzy,Bella Penelope:Penny Virginia:Ginny Veronica:Ronnie Allison:Ally Frances:Fran
""".split()
    )
}
# Underscores stand for spaces; the draw favours names near the front.
SURNAMES = tuple(
    name.replace("_", " ")
    for name in """
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez
Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark
Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams
Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker
Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper
Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James
Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster
Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher
Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno
West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall
Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb
Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason
Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren
Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne
Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight
Elliott Cunningham Duncan Armstrong Hudson Carroll Lane Riley Andrews Alvarado Ray Delgado Berry
Perkins Hoffman Johnston Matthews Pena Richards Contreras Willis Carpenter Lawrence Sandoval
Guerrero George Chapman Rios Estrada Ortega Watkins Greene Nunez Wheeler Valdez Harper Burke
Larson Santiago Maldonado Morrison Franklin Carlson Austin Dominguez Carr Lawson Jacobs O'Brien
Lynch Singh Vega Bishop Montgomery Oliver Jensen Harvey Williamson Gilbert Dean Sims Espinoza
Howell Li Wong Reid Hanson Le McCoy Garrett Burton Fuller Wang Weber Welch Rojas Lucas Marquez
Fields Park Yang Little Banks Padilla Day Walsh Bowman Schultz Luna Fowler Mejia Davidson Acosta
Brewer May Holland Juarez Newman Pearson Curtis Cortez Douglas Schneider Joseph Barrett Navarro
Figueroa Keller Avila Wade Molina Stanley Hopkins Campos Barnett Bates Chambers Caldwell Beck
Lambert Miranda Byrd Craig Ayala Lowe Frazier Powers Neal Leonard Gregory Carrillo Sutton Fleming
Rhodes Shelton Schwartz Norris Jennings Watts Duran Walters Cohen McDaniel Moran Parks Steele
Vaughn Becker Holt De_Leon Barker Terry Hale Benson Haynes Horton Miles Lyons Pham Graves Bush
Thornton Wolfe Warner Cabrera McKinney Mann Zimmerman Dawson Lara Fletcher Page McCarthy Love
Robles Cervantes Solis Erickson Reeves Chang Klein Salinas Fuentes Baldwin O'Connor De_La_Cruz
Smith-Jones Garcia-Lopez Nakamura Kowalski Novak Rossi Murphy-Kelly Okafor Haddad Johansson
""".split()
)
# A town's surnames have a long tail: beside the common ones, thousands held by a family or two.
# The tail is spelt from the common stems and endings (Smithfield, Garzaley), about 11 per stem,
# and drawn after every common one.
SURNAME_ENDINGS = ("son", "ley", "man", "ford", "ton", "wood", "field", "berg", "ski", "er", "ell")
SURNAME_POOL = SURNAMES + tuple(
    name
    for name in dict.fromkeys(
        stem.rstrip("aeiouy") + ending for stem in SURNAMES if " " not in stem and "'" not in stem for ending in SURNAME_ENDINGS
    )
    if name not in SURNAMES
)
STREET_NAMES = words(
    """
Oak Maple Cedar Pine Elm Walnut Willow Birch Spruce Chestnut Hickory Magnolia Main Park Lake Hill
River Spring Meadow Forest Sunset Highland Ridge Valley Church Mill School Market Bridge Prospect
Union Franklin Washington Jefferson Lincoln Madison Adams Jackson Monroe Grant Harrison Wilson
Hamilton Greenwood Fairview Lakeview Riverside Woodland Orchard Cherry Laurel Poplar Sycamore
Dogwood Aspen Juniper Cypress Sherwood Kingston Wellington Beacon Harbor Ocean Shore Canyon Mesa
"""
)
STREET_SUFFIXES = (
    ("St", "Street"),
    ("Ave", "Avenue"),
    ("Rd", "Road"),
    ("Blvd", "Boulevard"),
    ("Ln", "Lane"),
    ("Dr", "Drive"),
    ("Ct", "Court"),
    ("Way", "Way"),
    ("Pl", "Place"),
    ("Ter", "Terrace"),
)
EMAIL_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.org", "inbox.example.com", "post.example.net")
EMAIL_DOMAIN_WEIGHTS = (0.3, 0.2, 0.15, 0.15, 0.1, 0.1)
EMAIL_PATTERNS = ("{f}.{l}", "{f}{l}", "{i}{l}", "{f}_{l}", "{l}.{f}", "{f}{l}{n}", "{i}{l}{n}", "{f}.{l}{n}", "{f}{n}")

CITIES = _table(
    """
city,state,zip3,area_codes,lat,lon,utc_offset,weight,stores
New York,NY,100,212 646 917,40.71,-74.01,-5,8,2
Brooklyn,NY,112,718 347,40.65,-73.95,-5,4,1
Buffalo,NY,142,716,42.89,-78.88,-5,1,0
Boston,MA,021,617 857,42.36,-71.06,-5,3,1
Worcester,MA,016,508,42.26,-71.80,-5,1,0
Providence,RI,029,401,41.82,-71.41,-5,1,0
Hartford,CT,061,860,41.76,-72.69,-5,1,0
Philadelphia,PA,191,215 267,39.95,-75.17,-5,4,1
Pittsburgh,PA,152,412,40.44,-79.99,-5,2,0
Newark,NJ,071,973,40.74,-74.17,-5,1.5,0
Baltimore,MD,212,410 443,39.29,-76.61,-5,2,0
Washington,DC,200,202,38.91,-77.04,-5,3,1
Richmond,VA,232,804,37.54,-77.44,-5,1,0
Charlotte,NC,282,704 980,35.23,-80.84,-5,2,1
Raleigh,NC,276,919,35.78,-78.64,-5,1.5,0
Atlanta,GA,303,404 678,33.75,-84.39,-5,3,1
Miami,FL,331,305 786,25.76,-80.19,-5,3,1
Orlando,FL,328,407,28.54,-81.38,-5,2,1
Tampa,FL,336,813,27.95,-82.46,-5,2,0
Jacksonville,FL,322,904,30.33,-81.66,-5,1.5,0
Columbus,OH,432,614,39.96,-83.00,-5,2,1
Cleveland,OH,441,216,41.50,-81.69,-5,1.5,0
Cincinnati,OH,452,513,39.10,-84.51,-5,1.5,0
Detroit,MI,482,313,42.33,-83.05,-5,2,1
Grand Rapids,MI,495,616,42.96,-85.67,-5,1,0
Indianapolis,IN,462,317,39.77,-86.16,-5,2,0
Chicago,IL,606,312 773,41.88,-87.63,-6,6,2
Milwaukee,WI,532,414,43.04,-87.91,-6,1.5,0
Minneapolis,MN,554,612,44.98,-93.27,-6,2,1
St. Louis,MO,631,314,38.63,-90.20,-6,1.5,0
Kansas City,MO,641,816,39.10,-94.58,-6,1.5,0
Nashville,TN,372,615,36.16,-86.78,-6,2,1
Memphis,TN,381,901,35.15,-90.05,-6,1,0
New Orleans,LA,701,504,29.95,-90.07,-6,1,0
Houston,TX,770,713 832,29.76,-95.37,-6,5,1
Dallas,TX,752,214 469,32.78,-96.80,-6,4,1
Austin,TX,787,512,30.27,-97.74,-6,2.5,1
San Antonio,TX,782,210,29.42,-98.49,-6,2.5,0
Oklahoma City,OK,731,405,35.47,-97.52,-6,1,0
Omaha,NE,681,402,41.26,-95.93,-6,1,0
Denver,CO,802,303 720,39.74,-104.99,-7,2.5,1
Colorado Springs,CO,809,719,38.83,-104.82,-7,1,0
Salt Lake City,UT,841,801,40.76,-111.89,-7,1.5,0
Albuquerque,NM,871,505,35.08,-106.65,-7,1,0
Phoenix,AZ,850,602 480,33.45,-112.07,-7,3.5,1
Tucson,AZ,857,520,32.22,-110.97,-7,1,0
Boise,ID,837,208,43.62,-116.21,-7,1,0
Las Vegas,NV,891,702,36.17,-115.14,-8,2,1
Los Angeles,CA,900,213 310,34.05,-118.24,-8,7,2
San Diego,CA,921,619 858,32.72,-117.16,-8,3,1
San Francisco,CA,941,415 628,37.77,-122.42,-8,3,1
San Jose,CA,951,408,37.34,-121.89,-8,2,0
Sacramento,CA,958,916,38.58,-121.49,-8,1.5,0
Portland,OR,972,503 971,45.52,-122.68,-8,2,1
Seattle,WA,981,206,47.61,-122.33,-8,3,1
Spokane,WA,992,509,47.66,-117.43,-8,1,0
""",
    dtype={"zip3": str},
)

CATEGORIES = _table(
    """
category,products,median_price,popularity,try_on,female,male,searches
footwear,40,85,1.2,1,1.0,1.0,running shoes|sneakers|ankle boots|sandals|loafers
womens_apparel,45,55,1.3,1,3.0,0.3,summer dress|womens jeans|blouse|cardigan|leggings
mens_apparel,40,50,1.0,1,0.3,3.0,chinos|oxford shirt|mens jeans|polo shirt|hoodie
outerwear,25,140,0.7,1,1.0,1.0,rain jacket|winter coat|puffer jacket|parka
accessories,30,35,0.8,1,1.3,0.8,leather belt|tote bag|sunglasses|wool scarf|watch
kids,30,28,0.7,1,1.2,0.8,kids sneakers|school backpack|toddler pajamas|kids raincoat
beauty,30,24,0.9,0,1.8,0.5,moisturizer|perfume|lipstick|shampoo|sunscreen
home_decor,25,45,0.6,0,1.2,0.8,throw pillow|table lamp|picture frame|scented candle
kitchen,25,40,0.6,0,1.0,1.0,chef knife|nonstick pan|coffee maker|blender
electronics,25,160,0.8,0,0.7,1.5,wireless earbuds|bluetooth speaker|smart watch|phone charger
sports_outdoors,25,65,0.7,0,0.8,1.3,yoga mat|tent|hiking backpack|water bottle|dumbbells
toys,20,30,0.5,0,1.0,1.0,lego set|board game|puzzle|plush toy
"""
)

# Hidden behaviour per kind of customer. Daily rates: entry (into an in-market
# episode), persistence (staying in one), buy_in_market / buy_baseline (chance
# of buying on a day in / out of an episode), web / app / store (sessions or
# visits per day out of an episode; app only for app users). *_channel weigh
# where purchases happen; account / loyalty / app_user are ownership shares.
SEGMENTS = _table(
    """
segment,share,entry,persistence,buy_in_market,buy_baseline,web,app,store,web_channel,app_channel,store_channel,account,loyalty,app_user,open_rate
omnichannel,0.15,0.020,0.88,0.14,0.004,0.20,0.30,0.07,0.35,0.30,0.35,0.90,0.85,0.75,0.30
digital_first,0.25,0.012,0.86,0.12,0.003,0.24,0.25,0.01,0.60,0.35,0.05,0.80,0.25,0.55,0.22
store_first,0.20,0.010,0.90,0.10,0.003,0.04,0.05,0.08,0.10,0.05,0.85,0.30,0.75,0.15,0.18
window_shopper,0.15,0.018,0.80,0.04,0.001,0.26,0.15,0.02,0.65,0.20,0.15,0.45,0.20,0.25,0.25
lapsed,0.25,0.002,0.80,0.10,0.0005,0.02,0.03,0.01,0.40,0.20,0.40,0.40,0.35,0.10,0.08
"""
)
CHANNELS = ("web", "app", "store")

UTM = _table(
    """
utm_source,utm_campaign,weight
,,45
google,brand_search,14
google,shopping_feed,10
bing,brand_search,3
facebook,retargeting,8
instagram,new_season,7
affiliate,partner_network,5
tiktok,creator_collab,4
pinterest,inspiration,4
"""
)

# Local hour-of-day weights, 0h … 23h.
HOUR_PROFILES = {
    "web": (2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 5, 6, 5, 5, 5, 5, 6, 7, 9, 10, 10, 8, 4),
    "app": (2, 1, 0.5, 0.3, 0.3, 0.6, 1.5, 3, 3, 3, 3, 5, 7, 5, 4, 4, 5, 6, 8, 10, 11, 10, 8, 4),
    "store": (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 5, 7, 7, 6, 6, 7, 8, 7, 5, 3, 0, 0, 0),
    "service": (0, 0, 0, 0, 0, 0, 0, 0, 3, 6, 7, 7, 6, 6, 6, 6, 5, 5, 4, 3, 2, 1, 0, 0),
}
# Activity by weekday, Monday first.
WEEKDAY_ACTIVITY = {
    "web": (1.0, 1.0, 1.0, 1.0, 0.95, 0.85, 0.95),
    "app": (0.95, 0.95, 0.95, 1.0, 1.05, 1.15, 1.15),
    "store": (0.7, 0.7, 0.75, 0.85, 1.0, 1.6, 1.3),
}
# How much more active a person is on each channel while in market.
IN_MARKET_BOOST = {"web": 3.0, "app": 2.5, "store": 4.0}
STAY_IN_MARKET_AFTER_PURCHASE = 0.3  # a purchase usually ends the episode
GROWN_UP_CHILDREN_FROM_HEAD_AGE = 37  # a head 18 + 19 years old at least
# Per store visit, (out of market, in market): mean try-ons, chance of consulting an associate.
TRY_ONS_PER_VISIT = (0.15, 1.2)
CONSULT_CHANCE = (0.12, 0.3)
RETURN_RATE = {"web": 0.015, "app": 0.015, "store": 0.04}  # share of lines brought back to a store
HQ_UTC_OFFSET = -5  # campaigns go out on the retailer's Eastern clock
EMAIL_CAMPAIGN_WEEKDAYS = (1, 3, 5)
PUSH_CAMPAIGN_WEEKDAYS = (0, 4)


@dataclass(frozen=True)
class Script:
    """A session: fixed opening and closing events around a random number of browsing events."""

    opening: tuple[str, ...]
    closing: tuple[str, ...]
    browsing: tuple[float, float]  # mean browsing events out of market, in market


WEB_SCRIPTS = {
    "browse": Script(("page_view",), (), (1.6, 3.0)),
    "purchase": Script((), ("product_view", "add_to_cart", "checkout", "purchase"), (0.8, 1.5)),
    "email_click": Script(("product_view",), (), (1.0, 2.0)),
}
APP_SCRIPTS = {
    "browse": Script(("app_open",), (), (1.8, 3.2)),
    "purchase": Script(("app_open",), ("product_view", "add_to_cart", "purchase"), (0.8, 1.5)),
}
# Browsing event mix: (share out of market, share in market).
WEB_BROWSING = {
    "page_view": (0.44, 0.22),
    "product_view": (0.33, 0.40),
    "search": (0.13, 0.12),
    "add_to_cart": (0.04, 0.12),
    "wishlist_add": (0.03, 0.09),
    "checkout": (0.03, 0.05),
}
APP_BROWSING = {
    "product_view": (0.50, 0.45),
    "search": (0.25, 0.15),
    "add_to_cart": (0.12, 0.22),
    "wishlist_add": (0.13, 0.18),
}
PRODUCT_EVENTS = ("product_view", "add_to_cart", "wishlist_add", "purchase")
CATEGORY_PAGE_EVENTS = ("page_view", "search")

ONE_DAY = 86_400
NEVER = np.iinfo(np.int64).max // 4  # later than any timestamp
TRUE_FALSE_SPELLINGS = (("true", "false"), ("TRUE", "FALSE"), ("1", "0"), ("yes", "no"), ("Yes", "No"))
TRUE_FALSE_WEIGHTS = (0.6, 0.1, 0.15, 0.1, 0.05)
PHONE_STYLES = ("({a}) {e}-{n}", "{a}.{e}.{n}", "+1 {a} {e} {n}", "001{a}{e}{n}", "{a}{e}{n}", "{a}-{e}-{n}", "1-{a}-{e}-{n}")
PHONE_STYLE_WEIGHTS = (0.25, 0.1, 0.15, 0.05, 0.2, 0.2, 0.05)


@dataclass(frozen=True)
class Source:
    """How the generator writes one landing source; its columns, key and rules are those of
    contract/sources.py, so the files follow the description the pipeline validates them by."""

    name: str
    ext: str
    key_prefix: str | None  # sequential keys are numbered by the writer; None: the builder sets them
    ts_styles: tuple[tuple[str, float], ...] = (("T", 1.0),)
    defects: tuple[str, ...] = ()  # kinds of bad rows it may carry

    @property
    def schema(self) -> SourceSchema:
        return SOURCE_SCHEMAS[self.name]

    @property
    def key(self) -> tuple[str, ...]:
        return self.schema.key

    @property
    def columns(self) -> tuple[str, ...]:
        return self.schema.columns

    @property
    def required(self) -> tuple[tuple[str, ...], ...]:
        """Besides the key, groups of columns that each need one value (what `missing_required` empties)."""
        any_of = (self.schema.required_any,) if self.schema.required_any else ()
        return tuple((column,) for column in self.schema.required) + any_of

    @property
    def timestamps(self) -> tuple[str, ...]:
        return tuple(column for column in self.columns if column_kind(column) == "timestamp")

    @property
    def enum_column(self) -> str | None:
        """The enumeration a `bad_enum` defect breaks: the source's first."""
        return next(iter(self.schema.enums), None)


EVENT_DEFECTS = ("malformed_timestamp", "bad_enum", "missing_required", "duplicate_key")
SOURCES = (
    Source(
        name="web",
        ext="csv",
        key_prefix="web-",
        ts_styles=(("T_millis", 0.5), ("T", 0.3), ("T_utc", 0.1), ("local", 0.1)),
        defects=EVENT_DEFECTS,
    ),
    Source(name="app", ext="jsonl", key_prefix="app-", ts_styles=(("T_utc", 0.6), ("T", 0.3), ("local", 0.1)), defects=EVENT_DEFECTS),
    Source(
        name="store",
        ext="parquet",
        key_prefix="si-",
        defects=("bad_enum", "missing_required", "duplicate_key"),  # ts is a typed timestamp here
    ),
    Source(
        name="pos",
        ext="csv",
        key_prefix=None,
        ts_styles=(("local_space", 0.7), ("space", 0.3)),
        defects=("malformed_timestamp", "missing_required", "duplicate_key"),
    ),
    Source(
        name="loyalty",
        ext="csv",
        key_prefix=None,
        ts_styles=(("space", 0.8), ("T", 0.2)),
        defects=("malformed_timestamp",),  # keys and profiles stay intact: they carry identity
    ),
    Source(name="accounts", ext="csv", key_prefix=None, ts_styles=(("T", 0.7), ("T_utc", 0.3)), defects=("malformed_timestamp",)),
    Source(name="email", ext="csv.gz", key_prefix="em-", ts_styles=(("T_utc", 0.5), ("T", 0.5)), defects=EVENT_DEFECTS),
    Source(name="service", ext="csv", key_prefix="cs-", ts_styles=(("space", 0.6), ("local_space", 0.4)), defects=EVENT_DEFECTS),
    Source(name="preferences", ext="csv", key_prefix="pref-", defects=EVENT_DEFECTS),
    Source(name="erasure", ext="csv", key_prefix="er-"),  # no defects: a handful of requests, each one matters
)

# --------------------------------------------------------------------------- small vectorised helpers


def pick(rng: np.random.Generator, weights, size: int) -> np.ndarray:
    """Indexes into `weights`, drawn in proportion to them."""
    cumulative = np.cumsum(np.asarray(weights, dtype=float))
    return np.minimum(np.searchsorted(cumulative / cumulative[-1], rng.random(size), side="right"), len(cumulative) - 1)


def pick_per_row(rng: np.random.Generator, cumulative: np.ndarray) -> np.ndarray:
    """One column per row, drawn from row-wise cumulative probabilities."""
    u = rng.random(len(cumulative))
    return np.minimum((cumulative <= u[:, None]).sum(axis=1), cumulative.shape[1] - 1)


def row_cumulative(weights: np.ndarray) -> np.ndarray:
    cumulative = np.cumsum(weights, axis=1)
    return cumulative / cumulative[:, -1:]


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element within its run of equal adjacent values."""
    index = np.arange(len(groups))
    starts = np.ones(len(groups), dtype=bool)
    starts[1:] = groups[1:] != groups[:-1]
    return index - np.maximum.accumulate(np.where(starts, index, 0))


def cumsum_within(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Running sum that restarts at every run of equal adjacent `groups`."""
    total = np.cumsum(values)
    first = np.arange(len(values)) - rank_within(groups)
    return total - total[first] + values[first]


def take(values, index: np.ndarray) -> np.ndarray:
    """values[index] as objects, None where index is negative."""
    out = np.full(len(index), None, dtype=object)
    found = index >= 0
    out[found] = np.asarray(values, dtype=object)[index[found]]
    return out


def keep(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """values as objects, None where mask is false."""
    out = np.asarray(values, dtype=object).copy()
    out[~mask] = None
    return out


def zero_padded(text: np.ndarray, width: int) -> np.ndarray:
    """`np.strings.zfill`, which fails on an empty array (a small zone may have no store sale)."""
    return np.strings.zfill(text, width) if text.size else text


def replaced(text: np.ndarray, old: str, new: str) -> np.ndarray:
    """`np.strings.replace`, which fails on an empty array too."""
    return np.strings.replace(text, old, new) if text.size else text


def numbered(prefix: str, numbers, width: int) -> np.ndarray:
    return np.strings.add(prefix, zero_padded(np.asarray(numbers).astype(str), width))


HEX_DIGITS = np.array(list("0123456789abcdef"))


def hex_strings(rng: np.random.Generator, n: int, width: int) -> np.ndarray:
    return HEX_DIGITS[rng.integers(0, 16, size=(n, width))].view(f"<U{width}").ravel()


def device_ids(rng: np.random.Generator, ios: np.ndarray) -> np.ndarray:
    """UUID-shaped ids: upper case on iOS (identifierForVendor), lower case on Android."""
    groups = [hex_strings(rng, len(ios), width) for width in (8, 4, 4, 4, 12)]
    text = groups[0]
    for group in groups[1:]:
        text = np.strings.add(np.strings.add(text, "-"), group)
    return np.where(ios, np.strings.upper(text), text)


def spell_booleans(rng: np.random.Generator, values: np.ndarray, known: np.ndarray) -> np.ndarray:
    """true/false in the spellings different systems use; None where unknown."""
    spelling = pick(rng, TRUE_FALSE_WEIGHTS, len(values))
    table = np.array(TRUE_FALSE_SPELLINGS, dtype=object)
    return keep(table[spelling, np.where(values, 0, 1)], known)


def seconds_of_day(rng: np.random.Generator, profile: str, n: int) -> np.ndarray:
    hours = pick(rng, HOUR_PROFILES[profile], n)
    return hours * 3600 + rng.integers(0, 3600, n)


def draw_event_types(rng: np.random.Generator, mix: dict[str, tuple[float, float]], in_market: np.ndarray) -> np.ndarray:
    """Event types drawn from the out-of-market or the in-market column of `mix`."""
    names = np.array(list(mix))
    shares = np.array(list(mix.values()))
    out_of_market, in_market_pick = pick(rng, shares[:, 0], len(in_market)), pick(rng, shares[:, 1], len(in_market))
    return names[np.where(in_market, in_market_pick, out_of_market)]


# --------------------------------------------------------------------------- noise in what people type


def ascii_letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def misspell(word: str, where: float, how: float, letter: float) -> str:
    """One typing slip after the first letter that always changes the word: two letters swapped,
    one mistyped or one dropped."""
    if len(word) < 3:
        return word
    i = 1 + int(where * (len(word) - 2))
    kind = int(how * 3)
    if kind == 0 and word[i] != word[i + 1]:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == 1:
        others = "abcdefghijklmnopqrstuvwxyz".replace(word[i].lower(), "")
        replacement = others[int(letter * len(others))]
        return word[:i] + (replacement.upper() if word[i].isupper() else replacement) + word[i + 1 :]
    return word[:i] + word[i + 1 :]


def write_phones(rng: np.random.Generator, national: np.ndarray) -> np.ndarray:
    """National 10-digit numbers written the many ways people write them; None stays None."""
    styles = pick(rng, PHONE_STYLE_WEIGHTS, len(national))
    return np.array(
        [
            None if number is None else PHONE_STYLES[style].format(a=number[:3], e=number[3:6], n=number[6:])
            for number, style in zip(national, styles)
        ],
        dtype=object,
    )


def retype_emails(rng: np.random.Generator, emails: np.ndarray) -> np.ndarray:
    """Emails as typed into forms: mostly as is, some capitalised, shouted or padded with spaces."""
    u = rng.random(len(emails))
    return np.array(
        [
            None
            if email is None
            else email.title()
            if x < 0.08
            else email.upper()
            if x < 0.11
            else f" {email} "
            if x < 0.15
            else email
            for email, x in zip(emails, u)
        ],
        dtype=object,
    )


def written_street(number: int, name: str, suffix: int, unit: str, style: float) -> str:
    """A street line as one system writes it: St, Street or St., now and then in capitals."""
    short, long = STREET_SUFFIXES[suffix]
    suffix_text = long if style < 0.2 else short + "." if style < 0.3 else short
    street = f"{number} {name} {suffix_text}" + (f" Apt {unit}" if unit else "")
    return street.upper() if style > 0.92 else street


# --------------------------------------------------------------------------- calendar, catalogue, stores


@dataclass(frozen=True)
class Calendar:
    """Day d is the local business date start + d; days before `days` are landed, the rest are the holdout."""

    start: dt.date
    days: int
    horizon: int

    @property
    def total_days(self) -> int:
        return self.days + self.horizon

    @property
    def start_epoch(self) -> int:
        return (self.start - dt.date(1970, 1, 1)).days * ONE_DAY

    def weekdays(self) -> np.ndarray:
        return (np.arange(self.total_days) + self.start.weekday()) % 7

    def utc(self, day, seconds, offset) -> np.ndarray:
        """UTC epoch seconds of a local time on day `day` in a zone `offset` hours from UTC."""
        return self.start_epoch + np.asarray(day, dtype=np.int64) * ONE_DAY + seconds - np.asarray(offset) * 3600

    def day_of(self, utc, offset) -> np.ndarray:
        return (np.asarray(utc) + np.asarray(offset) * 3600 - self.start_epoch) // ONE_DAY

    def dates(self, day) -> np.ndarray:
        return np.datetime_as_string(np.datetime64(self.start) + np.asarray(day).astype("timedelta64[D]"), unit="D")


@dataclass(frozen=True)
class Catalog:
    """Products grouped by category, with prices and a heavy-tailed popularity."""

    product_id: np.ndarray
    category: np.ndarray
    price: np.ndarray
    cumulative: np.ndarray  # cumulative popularity share in product order
    first: np.ndarray  # first product of each category
    last: np.ndarray  # last product of each category

    @classmethod
    def build(cls, rng: np.random.Generator) -> Catalog:
        counts = CATEGORIES["products"].to_numpy()
        category = np.repeat(np.arange(len(counts)), counts)
        n = len(category)
        price = np.floor(CATEGORIES["median_price"].to_numpy()[category] * rng.lognormal(0, 0.35, n)) + 0.99
        within = rng.pareto(1.2, n) + 0.05
        within /= np.bincount(category, weights=within)[category]
        popularity = within * CATEGORIES["popularity"].to_numpy()[category]
        cumulative = np.cumsum(popularity) / popularity.sum()
        last = np.cumsum(counts) - 1
        return cls(
            product_id=numbered("SKU", rng.choice(90_000, n, replace=False) + 10_000, 5),
            category=category,
            price=np.round(price, 2),
            cumulative=cumulative,
            first=last - counts + 1,
            last=last,
        )

    def in_category(self, rng: np.random.Generator, categories: np.ndarray) -> np.ndarray:
        """A product of each given category, popular ones more often."""
        low = np.where(self.first[categories] > 0, self.cumulative[self.first[categories] - 1], 0.0)
        high = self.cumulative[self.last[categories]]
        drawn = np.searchsorted(self.cumulative, low + rng.random(len(categories)) * (high - low), side="right")
        return np.clip(drawn, self.first[categories], self.last[categories])


def build_stores(rng: np.random.Generator) -> pd.DataFrame:
    """Stores in the bigger cities, each with an in-store kiosk tablet that many shoppers use."""
    city = np.repeat(np.arange(len(CITIES)), CITIES["stores"])
    return pd.DataFrame(
        {
            "store_id": numbered("store", np.arange(1, len(city) + 1), 3),
            "city": city,
            "offset": CITIES["utc_offset"].to_numpy()[city],
            "kiosk": device_ids(rng, np.zeros(len(city), dtype=bool)),
        }
    )


# --------------------------------------------------------------------------- people


@dataclass
class World:
    """Everything about the simulated customers that the channels draw on."""

    cal: Calendar
    catalog: Catalog
    stores: pd.DataFrame
    households: pd.DataFrame
    people: pd.DataFrame  # one row per person, indexed 0 … persons-1
    cookies: pd.DataFrame  # person, cookie_id, device_type; sorted by person, primary first
    devices: pd.DataFrame  # person, device_id, os, logged_in, personal
    tokens: pd.DataFrame  # person, payment_token
    affinity: np.ndarray  # persons x categories, row-wise cumulative
    channel_preference: np.ndarray  # persons x (web, app, store), row-wise cumulative

    def column(self, name: str) -> np.ndarray:
        return self.people[name].to_numpy()

    def interests(
        self, rng: np.random.Generator, person: np.ndarray, focus: np.ndarray, category_share: float, product_share: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(category, product) a person looks at: their in-market focus first, else their usual tastes."""
        category = pick_per_row(rng, self.affinity[person])
        focused = (focus >= 0) & (rng.random(len(person)) < category_share)
        category = np.where(focused, self.catalog.category[np.maximum(focus, 0)], category)
        product = self.catalog.in_category(rng, category)
        product = np.where(focused & (rng.random(len(person)) < product_share), focus, product)
        return category, product


def owned(owner: np.ndarray, person: np.ndarray, rng: np.random.Generator, primary_share: float) -> np.ndarray:
    """Row of a table sorted by owner (primary row first) that each person uses; -1 if they own none."""
    first = np.searchsorted(owner, person, side="left")
    count = np.searchsorted(owner, person, side="right") - first
    offset = np.where(rng.random(len(person)) < primary_share, 0, (rng.random(len(person)) * count).astype(int))
    return np.where(count > 0, first + np.minimum(offset, np.maximum(count - 1, 0)), -1)


def random_phones(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    """National numbers: an area code of the city, an exchange 200-999 and any line."""
    codes = CITIES["area_codes"].str.split().to_numpy()
    area = np.array([codes[c][i % len(codes[c])] for c, i in zip(city, rng.integers(0, 6, len(city)))])
    exchange = rng.integers(200, 1000, len(city)).astype(str)
    line = zero_padded(rng.integers(0, 10_000, len(city)).astype(str), 4)
    return np.strings.add(np.strings.add(area, exchange), line)


def unique_emails(emails: list[str]) -> np.ndarray:
    """Make addresses unique by numbering the repeats before the @ (until the numbered ones clash with none)."""
    emails = np.array(emails, dtype=object)
    while True:
        repeat = pd.Series(emails).groupby(emails, sort=False).cumcount().to_numpy()
        if not repeat.any():
            return emails
        emails = np.array([e if r == 0 else e.replace("@", f".{r + 1}@", 1) for e, r in zip(emails, repeat)], dtype=object)


def make_emails(rng: np.random.Generator, first: np.ndarray, last: np.ndarray, birth_year: np.ndarray) -> list[str]:
    """Addresses built from names the way people pick them (john.smith84@…, jsmith@…), not yet unique."""
    patterns = rng.integers(0, len(EMAIL_PATTERNS), len(first))
    domains = pick(rng, EMAIL_DOMAIN_WEIGHTS, len(first))
    numbers = np.where(rng.random(len(first)) < 0.5, birth_year % 100, rng.integers(1, 1000, len(first)))
    emails = []
    for given, family, pattern, domain, number in zip(first, last, patterns, domains, numbers):
        given, family = ascii_letters(given), ascii_letters(family)
        local = EMAIL_PATTERNS[pattern].format(f=given, l=family, i=given[0], n=number)
        emails.append(f"{local}@{EMAIL_DOMAINS[domain]}")
    return emails


def build_households(rng: np.random.Generator, persons: int, cal: Calendar) -> pd.DataFrame:
    """Households of 1-5 people (about 2.2 on average) sharing surname, address and sometimes devices."""
    sizes = pick(rng, (0.35, 0.31, 0.16, 0.13, 0.05), persons) + 1
    total = np.cumsum(sizes)
    n = int(np.searchsorted(total, persons)) + 1
    sizes = sizes[:n]
    sizes[-1] -= total[n - 1] - persons
    shared = sizes > 1

    def address(prefix: str, city: np.ndarray) -> dict[str, np.ndarray]:
        return {
            f"{prefix}city": city,
            f"{prefix}number": np.clip(rng.lognormal(6.0, 1.2, n), 1, 29_999).astype(int),
            f"{prefix}street_name": np.asarray(STREET_NAMES, dtype=object)[rng.integers(0, len(STREET_NAMES), n)],
            f"{prefix}suffix": rng.integers(0, len(STREET_SUFFIXES), n),
            f"{prefix}unit": np.where(rng.random(n) < 0.18, rng.integers(1, 40, n).astype(str), ""),
            f"{prefix}postcode": np.strings.add(
                CITIES["zip3"].to_numpy().astype(str)[city], zero_padded(rng.integers(0, 100, n).astype(str), 2)
            ),
        }

    city = pick(rng, CITIES["weight"], n)
    new_city = np.where(rng.random(n) < 0.7, city, pick(rng, CITIES["weight"], n))  # most movers stay in town
    moved = rng.random(n) < 0.05
    households = pd.DataFrame(
        {
            "household_id": numbered("H", np.arange(1, n + 1), 6),
            "size": sizes,
            "surname": draw_surnames(rng, n),
            **address("", city),
            **address("new_", new_city),
            "moved_day": np.where(moved, rng.integers(0, cal.days, n), -1),
            "tablet": shared & (rng.random(n) < 0.25),
            "shared_card": shared & (rng.random(n) < 0.06),
        }
    )
    households["home_phone"] = keep(random_phones(rng, city), shared & (rng.random(n) < 0.3))
    return households


def draw_surnames(rng: np.random.Generator, n: int) -> np.ndarray:
    """Surnames with a common head and a long tail (a Zipf-like draw over SURNAME_POOL)."""
    pool = np.asarray(SURNAME_POOL, dtype=object)
    return pool[pick(rng, 1 / (np.arange(len(pool)) + 10), n)]


def draw_first_names(rng: np.random.Generator, female: np.ndarray, household: np.ndarray) -> np.ndarray:
    """First names by sex, redrawn until no two members of a household share one."""
    names = np.empty(len(female), dtype=object)
    redraw = np.ones(len(female), dtype=bool)
    for _ in range(6):
        for is_female, pool in ((True, FEMALE_FIRST_NAMES), (False, MALE_FIRST_NAMES)):
            rows = np.flatnonzero(redraw & (female == is_female))
            names[rows] = np.asarray(pool, dtype=object)[pick(rng, 1 / (np.arange(len(pool)) + 10), len(rows))]
        redraw = pd.DataFrame({"household": household, "name": names}).duplicated().to_numpy()
        if not redraw.any():
            break
    return names


def nearest_stores(rng: np.random.Generator, city: np.ndarray, stores: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Home store (nearest, a random one of a city's several) and the distance to it in km."""
    lat, lon = CITIES["lat"].to_numpy(), CITIES["lon"].to_numpy()
    store_city = stores["city"].to_numpy()
    dy = (lat[:, None] - lat[store_city][None, :]) * 111.0
    dx = (lon[:, None] - lon[store_city][None, :]) * 111.0 * np.cos(np.radians(lat))[:, None]
    distance = np.hypot(dx, dy)  # cities x stores
    nearest = distance <= distance.min(axis=1, keepdims=True) + 1.0
    choice = pick_per_row(rng, row_cumulative(nearest[city].astype(float)))
    return choice, distance[city, choice]


def build_world(rng: np.random.Generator, persons: int, cal: Calendar) -> World:
    """The customers: households, people, their identifiers, tastes and hidden habits."""
    catalog = Catalog.build(rng)
    stores = build_stores(rng)
    households = build_households(rng, persons, cal)
    household = np.repeat(np.arange(len(households)), households["size"].to_numpy())
    member = rank_within(household)
    n = persons

    female = rng.random(n) < 0.5
    partner = np.flatnonzero(member == 1)
    female[partner] = np.where(rng.random(len(partner)) < 0.8, ~female[partner - 1], female[partner])
    first_name = draw_first_names(rng, female, household)
    head_age = rng.uniform(23, 82, len(households))[household]
    near_head = 90 - np.abs(71 - np.abs(head_age + rng.normal(0, 4, n) - 19))  # folded into 19-90: no common birthday
    # Further members are grown-up children of a head old enough to have them (born over a
    # year or more, never all on one day), else siblings or flatmates of about the head's age.
    age = np.select(
        [member == 0, member == 1, head_age < GROWN_UP_CHILDREN_FROM_HEAD_AGE],
        [head_age, near_head, near_head],
        18 + rng.random(n) * np.minimum(head_age - 36, 12),
    )
    birth = np.datetime64(cal.start) - (age * 365.25).astype("timedelta64[D]")
    # A partner keeps their own surname at times; flatmates (further members of a young head) never share one.
    flatmate = (member >= 2) & (head_age < GROWN_UP_CHILDREN_FROM_HEAD_AGE)
    own_surname = ((member == 1) & (rng.random(n) < 0.15)) | (flatmate & (rng.random(n) < 0.6))
    last_name = np.where(own_surname, draw_surnames(rng, n), households["surname"].to_numpy()[household])

    segment = pick(rng, SEGMENTS["share"], n)
    seg = {column: SEGMENTS[column].to_numpy()[segment] for column in SEGMENTS.columns if column != "segment"}
    city = households["city"].to_numpy()[household]
    home_store, store_distance = nearest_stores(rng, city, stores)
    store_reach = np.select([store_distance < 40, store_distance < 150], [1.0, 0.35], 0.08)

    memberships = draw_memberships(rng, cal, city, seg)
    contacts = draw_contact_details(rng, first_name, last_name, birth, city, households["home_phone"].to_numpy()[household])
    web_login = np.where(rng.random(n) < 0.12, 0.0, rng.beta(2.5, 2.5, n))  # some never log in on the web
    has_app = rng.random(n) < seg["app_user"]
    tablet = households["tablet"].to_numpy()[household]

    def spread() -> np.ndarray:
        """Person-to-person variation around a segment's mean (mean 1)."""
        return rng.gamma(2.0, 0.5, n)

    channel_weight = np.column_stack(
        [
            seg["web_channel"] * spread(),
            seg["app_channel"] * (has_app | tablet) * spread(),
            seg["store_channel"] * store_reach * spread(),
        ]
    )

    female_factor = CATEGORIES["female"].to_numpy()
    male_factor = CATEGORIES["male"].to_numpy()
    taste = rng.gamma(0.6, 1.0, (n, len(CATEGORIES))) * CATEGORIES["popularity"].to_numpy()
    taste *= np.where(female[:, None], female_factor, male_factor)

    people = pd.DataFrame(
        {
            "person_id": numbered("P", np.arange(1, n + 1), 6).astype(object),
            "household": household,
            "first_name": first_name,
            "last_name": last_name,
            "gender": np.where(female, "F", "M"),
            "birth": birth,
            "city": city,
            "offset": CITIES["utc_offset"].to_numpy()[city],
            "segment": SEGMENTS["segment"].to_numpy()[segment],
            "entry": np.clip(seg["entry"] * rng.lognormal(0, 0.5, n), 0.0005, 0.08),
            "persistence": np.clip(seg["persistence"] + rng.normal(0, 0.04, n), 0.5, 0.97),
            "buy_in_market": np.clip(seg["buy_in_market"] * rng.lognormal(0, 0.3, n), 0.01, 0.5),
            "buy_baseline": seg["buy_baseline"] * rng.lognormal(0, 0.5, n),
            "web_rate": seg["web"] * spread(),
            "app_rate": seg["app"] * spread() * np.where(has_app, 1.0, np.where(tablet, 0.4, 0.0)),
            "store_rate": seg["store"] * spread() * store_reach,
            "open_rate": np.clip(seg["open_rate"] * rng.lognormal(0, 0.4, n), 0.01, 0.9),
            "home_store": home_store,
            "store_reach": store_reach,
            **memberships,
            "web_login": web_login,
            **contacts,
            "consent_email": rng.random(n) < 0.6,
            "consent_push": rng.random(n) < 0.55,
            "consent_sms": rng.random(n) < 0.2,
            "consent_location": rng.random(n) < 0.35,
            "consent_personalization": rng.random(n) < 0.6,
            "top_categories": [
                ";".join(CATEGORIES["category"].to_numpy()[row[::-1][:k]])
                for row, k in zip(np.argsort(taste, axis=1), rng.integers(1, 4, n))
            ],
        }
    )
    return World(
        cal=cal,
        catalog=catalog,
        stores=stores,
        households=households,
        people=people,
        cookies=build_cookies(rng, cal, household, households["tablet"].to_numpy()),
        devices=build_devices(rng, has_app, pd.notna(memberships["account_id"]), household, households["tablet"].to_numpy()),
        tokens=build_tokens(rng, household, member, households["shared_card"].to_numpy()),
        affinity=row_cumulative(taste),
        channel_preference=row_cumulative(channel_weight),
    )


def draw_memberships(
    rng: np.random.Generator, cal: Calendar, city: np.ndarray, seg: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    """Online accounts and loyalty cards with their start times: most predate the window, some open during it;
    3% of members hold a second card."""
    n = len(city)

    def since(has: np.ndarray) -> np.ndarray:
        before = cal.start_epoch - rng.integers(ONE_DAY, 5 * 365 * ONE_DAY, n)
        in_window = cal.utc(rng.integers(0, cal.days, n), seconds_of_day(rng, "web", n), CITIES["utc_offset"].to_numpy()[city])
        return np.where(has, np.where(rng.random(n) < 0.9, before, in_window), NEVER)

    has_account = rng.random(n) < seg["account"]
    has_loyalty = rng.random(n) < seg["loyalty"]
    second_card = has_loyalty & (rng.random(n) < 0.03)
    account_numbers = rng.choice(999_999, n, replace=False) + 1
    loyalty_numbers = rng.choice(999_999, 2 * n, replace=False) + 1
    loyalty_since = since(has_loyalty)
    return {
        "account_id": keep(numbered("A", account_numbers, 6), has_account),
        "account_since": since(has_account),
        "loyalty_id": keep(numbered("L", loyalty_numbers[:n], 6), has_loyalty),
        "loyalty_since": loyalty_since,
        "second_loyalty_id": keep(numbered("L", loyalty_numbers[n:], 6), second_card),
        "second_loyalty_since": np.where(second_card, np.maximum(since(second_card), loyalty_since + ONE_DAY), NEVER),
    }


def draw_contact_details(
    rng: np.random.Generator,
    first_name: np.ndarray,
    last_name: np.ndarray,
    birth: np.ndarray,
    city: np.ndarray,
    home_phone: np.ndarray,
) -> dict[str, np.ndarray]:
    """Emails (a second one for a third of people, often nickname-based and used for the loyalty card) and phones."""
    n = len(first_name)
    birth_year = birth.astype("datetime64[Y]").astype(int) + 1970
    nicknamed = np.array([rng.choice(NICKNAMES[f]) if f in NICKNAMES else f for f in first_name], dtype=object)
    both = unique_emails(
        make_emails(rng, np.r_[first_name, nicknamed], np.r_[last_name, last_name], np.r_[birth_year, birth_year])
    )
    has_second = rng.random(n) < 0.35
    second_email = keep(both[n:], has_second)
    mobile = keep(random_phones(rng, city), rng.random(n) < 0.93)
    gives_home_phone = pd.notna(home_phone) & (pd.isna(mobile) | (rng.random(n) < 0.35))
    return {
        "email": both[:n],
        "second_email": second_email,
        "loyalty_email": np.where(has_second & (rng.random(n) < 0.5), second_email, both[:n]),
        "mobile": mobile,
        "home_phone": home_phone,
        "roster_phone": np.where(gives_home_phone, home_phone, mobile),
    }


def with_household_rows(
    own: pd.DataFrame, household: np.ndarray, shared_by: np.ndarray, shared: pd.DataFrame, who: np.ndarray | None = None
) -> pd.DataFrame:
    """Add one row per member of each household owning a shared item (`shared` is indexed by household)."""
    members = np.flatnonzero(shared_by[household] & (who if who is not None else True))
    rows = shared.loc[household[members]].reset_index(drop=True).assign(person=members, rank=1_000)
    table = pd.concat([own, rows], ignore_index=True)
    return table.sort_values(["person", "rank"], kind="stable").drop(columns="rank").reset_index(drop=True)


def build_cookies(rng: np.random.Generator, cal: Calendar, household: np.ndarray, tablet: np.ndarray) -> pd.DataFrame:
    """1-3 browsers per person, the first a desktop or phone; a family tablet's browser is shared."""
    count = 1 + rng.binomial(2, 0.3, len(household))
    person = np.repeat(np.arange(len(household)), count)
    rank = rank_within(person)

    def cookie_ids(n: int) -> np.ndarray:
        first_visit = cal.start_epoch - rng.integers(ONE_DAY, 3 * 365 * ONE_DAY, n)
        client = rng.integers(100_000_000, 4_000_000_000, n).astype(str)
        return np.strings.add(np.strings.add(np.strings.add("GA1.2.", client), "."), first_visit.astype(str))

    device_type = np.where(
        rank == 0,
        np.where(rng.random(len(person)) < 0.55, "desktop", "mobile"),
        np.array(["mobile", "desktop", "tablet"])[pick(rng, (0.55, 0.3, 0.15), len(person))],
    )
    own = pd.DataFrame({"person": person, "cookie_id": cookie_ids(len(person)), "device_type": device_type, "rank": rank})
    shared = pd.DataFrame({"cookie_id": cookie_ids(len(tablet)), "device_type": "tablet"})
    return with_household_rows(own, household, tablet, shared)


def build_devices(
    rng: np.random.Generator, has_app: np.ndarray, has_account: np.ndarray, household: np.ndarray, tablet: np.ndarray
) -> pd.DataFrame:
    """App installs: 1-2 phones for app users, plus the family tablet for everyone in its household."""
    count = has_app * (1 + (rng.random(len(has_app)) < 0.2))
    person = np.repeat(np.arange(len(has_app)), count)
    ios = rng.random(len(person)) < 0.55
    own = pd.DataFrame(
        {
            "person": person,
            "device_id": device_ids(rng, ios),
            "os": np.where(ios, "ios", "android"),
            "logged_in": has_account[person] & (rng.random(len(person)) < 0.85),
            "personal": True,
            "rank": rank_within(person),
        }
    )
    tablet_ios = rng.random(len(tablet)) < 0.6
    shared = pd.DataFrame(
        {"device_id": device_ids(rng, tablet_ios), "os": np.where(tablet_ios, "ios", "android"), "personal": False}
    )
    table = with_household_rows(own, household, tablet, shared)
    tablet_rows = ~table["personal"].to_numpy(dtype=bool)
    table["logged_in"] = np.where(
        tablet_rows,
        has_account[table["person"].to_numpy()] & (rng.random(len(table)) < 0.6),
        table["logged_in"].to_numpy(dtype=bool),
    )
    return table


def build_tokens(rng: np.random.Generator, household: np.ndarray, member: np.ndarray, shared_card: np.ndarray) -> pd.DataFrame:
    """0-2 cards per person; a few couples share one."""
    count = pick(rng, (0.12, 0.58, 0.30), len(household))
    person = np.repeat(np.arange(len(household)), count)
    own = pd.DataFrame(
        {
            "person": person,
            "payment_token": np.strings.add("tok_", hex_strings(rng, len(person), 20)),
            "rank": rank_within(person),
        }
    )
    shared = pd.DataFrame({"payment_token": np.strings.add("tok_", hex_strings(rng, len(shared_card), 20))})
    return with_household_rows(own, household, shared_card, shared, who=member < 2)


# --------------------------------------------------------------------------- hidden purchase intent


@dataclass(frozen=True)
class Intent:
    """Each person's hidden path over the landed days and the holdout (arrays are persons x days)."""

    in_market: np.ndarray  # in an in-market episode that day
    focus: np.ndarray  # the product the episode is about, -1 outside one
    purchased: np.ndarray  # bought something that day, on any channel
    streak_at_end: np.ndarray  # days the episode had lasted on the last landed day (0: not in market)
    p_holdout: np.ndarray  # true chance of a purchase on the holdout days, given the state at the end


def holdout_probability(p_in_market: np.ndarray, people: pd.DataFrame, horizon: int) -> np.ndarray:
    """Chance of at least one purchase over `horizon` days, from the chance of being in market on the first."""
    entry, stay = people["entry"].to_numpy(), people["persistence"].to_numpy()
    buy_in, buy_out = people["buy_in_market"].to_numpy(), people["buy_baseline"].to_numpy()
    in_market, out_of_market = p_in_market, 1 - p_in_market
    for _ in range(horizon):  # carry only the paths with no purchase yet
        in_no_buy, out_no_buy = in_market * (1 - buy_in), out_of_market * (1 - buy_out)
        in_market = in_no_buy * stay + out_no_buy * entry
        out_of_market = in_no_buy * (1 - stay) + out_no_buy * (1 - entry)
    return 1 - (in_market + out_of_market)


def simulate_intent(rng: np.random.Generator, world: World) -> Intent:
    """A two-state chain per person: out of market, or in market for one product until it ends or they buy."""
    cal, people = world.cal, world.people
    n, total = len(people), cal.total_days
    entry, stay = people["entry"].to_numpy(), people["persistence"].to_numpy()
    buy_in, buy_out = people["buy_in_market"].to_numpy(), people["buy_baseline"].to_numpy()

    def new_focus(who: np.ndarray) -> np.ndarray:
        return world.interests(rng, who, np.full(len(who), -1), 0.0, 0.0)[1]

    in_market = np.zeros((n, total), dtype=bool)
    focus = np.full((n, total), -1, dtype=np.int32)
    purchased = np.zeros((n, total), dtype=bool)
    state = rng.random(n) < entry / (entry + 1 - stay)  # start in the chain's steady state
    current = np.where(state, new_focus(np.arange(n)), -1)
    streak = state.astype(int)
    for day in range(total):
        in_market[:, day], focus[:, day] = state, current
        buy = rng.random(n) < np.where(state, buy_in, buy_out)
        purchased[:, day] = buy
        p_next = np.where(state, stay * np.where(buy, STAY_IN_MARKET_AFTER_PURCHASE, 1.0), entry)
        if day == cal.days - 1:
            p_in_market_after_end, streak_at_end = p_next, streak
        following = rng.random(n) < p_next
        entering = np.flatnonzero(following & ~state)
        current = np.where(following, current, -1)
        current[entering] = new_focus(entering)
        streak = np.where(following, streak + 1, 0)
        state = following
    return Intent(in_market, focus, purchased, streak_at_end, holdout_probability(p_in_market_after_end, people, cal.horizon))


def build_orders(rng: np.random.Generator, world: World, intent: Intent) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every purchase, landed days and holdout alike: orders (in time order) and their lines."""
    cal, catalog = world.cal, world.catalog
    person, day = np.nonzero(intent.purchased)
    n = len(person)
    channel = pick_per_row(rng, world.channel_preference[person])
    _, main = world.interests(rng, person, intent.focus[person, day], 1.0, 0.7)
    seconds = np.select(
        [channel == 2, channel == 1],
        [seconds_of_day(rng, "store", n), seconds_of_day(rng, "app", n)],
        seconds_of_day(rng, "web", n),
    )
    store = np.where(rng.random(n) < 0.85, world.column("home_store")[person], rng.integers(0, len(world.stores), n))
    offset = np.where(channel == 2, world.stores["offset"].to_numpy()[store], world.column("offset")[person])
    utc = cal.utc(day, seconds, offset)
    orders = (
        pd.DataFrame(
            {
                "person": person,
                "day": day,
                "channel": np.array(CHANNELS)[channel],
                "seconds": seconds,
                "utc": utc,
                "offset": offset,
                "store": store,
                "product": main,
                "in_market": intent.in_market[person, day],
            }
        )
        .iloc[np.lexsort((utc, day))]
        .reset_index(drop=True)
    )

    extra = rng.poisson(0.45, n)
    order = np.r_[np.arange(n), np.repeat(np.arange(n), extra)]
    _, extra_products = world.interests(rng, orders["person"].to_numpy()[order[n:]], np.full(extra.sum(), -1), 0.0, 0.0)
    product = np.r_[orders["product"].to_numpy(), extra_products]
    quantity = 1 + (rng.random(len(order)) > 0.9) + (rng.random(len(order)) > 0.98)
    lines = pd.DataFrame(
        {"order": order, "product": product, "quantity": quantity, "unit_price": catalog.price[product]}
    ).sort_values("order", kind="stable", ignore_index=True)
    lines["amount"] = np.round(lines["quantity"] * lines["unit_price"], 2)
    orders["revenue"] = np.round(np.bincount(lines["order"], weights=lines["amount"], minlength=n), 2)
    return orders, lines


# --------------------------------------------------------------------------- consent and email


@dataclass(frozen=True)
class Consent:
    """When each person's email and push consent hold (epoch seconds; NEVER: not granted / not withdrawn)."""

    email_from: np.ndarray
    email_until: np.ndarray
    push_from: np.ndarray
    marketing_email: np.ndarray  # the address campaigns go to, as the person typed it


def choose_identifier(rng: np.random.Generator, world: World, person: np.ndarray, ts: np.ndarray, weights) -> np.ndarray:
    """Which key a person gives: 0 email, 1 account_id, 2 loyalty_id (3 phone), among those they hold at `ts`."""
    available = np.column_stack(
        [
            np.ones(len(person), dtype=bool),
            world.column("account_since")[person] <= ts,
            world.column("loyalty_since")[person] <= ts,
            pd.notna(world.column("roster_phone")[person]),
        ]
    )[:, : len(weights)]
    return pick_per_row(rng, row_cumulative(available * np.asarray(weights)))


def build_preferences(rng: np.random.Generator, world: World) -> tuple[pd.DataFrame, Consent]:
    """Preference-centre rows (a backfill of earlier ones on day one, then new ones) and the consent they grant."""
    cal, people = world.cal, world.people
    n = len(people)
    offset = world.column("offset")
    window_end = cal.start_epoch + cal.days * ONE_DAY

    def in_window() -> np.ndarray:
        return cal.utc(rng.integers(0, cal.days, n), seconds_of_day(rng, "web", n), offset)

    submits = rng.random(n) < 0.72
    first_ts = np.where(rng.random(n) < 0.6, cal.start_epoch - rng.integers(3600, 365 * ONE_DAY, n), in_window())
    changes = submits & (rng.random(n) < 0.1)
    after_first = np.maximum(first_ts, cal.start_epoch)
    change_ts = after_first + (rng.random(n) * (window_end - after_first)).astype(np.int64)
    withdraws_email = changes & world.column("consent_email") & (rng.random(n) < 0.5)
    toggles_personalization = changes & (rng.random(n) < 0.3)
    surveys = rng.random(n) < 0.05

    kind = np.repeat(["first", "change", "survey"], [submits.sum(), changes.sum(), surveys.sum()])
    person = np.r_[np.flatnonzero(submits), np.flatnonzero(changes), np.flatnonzero(surveys)]
    ts = np.r_[first_ts[submits], change_ts[changes], in_window()[surveys]]
    first, change = kind == "first", kind == "change"
    key = choose_identifier(rng, world, person, ts, (0.5, 0.3, 0.2))
    registered_email = np.where(key == 2, world.column("loyalty_email")[person], world.column("email")[person])

    consents = {name: world.column(f"consent_{name}")[person] for name in ("email", "push", "sms", "location", "personalization")}
    consents["email"] = np.where(change, False, consents["email"])
    consents["personalization"] = np.where(change, ~consents["personalization"], consents["personalization"])
    known = {name: first for name in consents}
    known["email"] = first | (change & withdraws_email[person])
    known["personalization"] = first | (change & toggles_personalization[person])
    preferred = np.select(
        [consents["email"] & (rng.random(len(person)) < 0.6), consents["push"], consents["sms"], rng.random(len(person)) < 0.1],
        ["email", "push", "sms", "post"],
        "none",
    )
    frame = pd.DataFrame(
        {
            "_day": np.maximum(cal.day_of(ts, offset[person]), 0),
            "_person": person,
            "_offset": offset[person],
            "ts": ts,
            "email": keep(retype_emails(rng, registered_email), (key == 0) | ((key == 1) & (rng.random(len(person)) < 0.2))),
            "account_id": keep(world.column("account_id")[person], key == 1),
            "loyalty_id": keep(world.column("loyalty_id")[person], key == 2),
            "preferred_channel": keep(preferred, first),
            "interests": keep(
                world.column("top_categories")[person], (first & (rng.random(len(person)) < 0.7)) | (kind == "survey")
            ),
            **{f"consent_{name}": spell_booleans(rng, consents[name], known[name]) for name in consents},
        }
    )
    marketing = np.array(world.column("email"), dtype=object)
    first_rows = np.flatnonzero(first)
    marketing[person[first_rows]] = registered_email[first_rows]
    consent = Consent(
        email_from=np.where(submits & world.column("consent_email"), first_ts, NEVER),
        email_until=np.where(withdraws_email, change_ts, NEVER),
        push_from=np.where(submits & world.column("consent_push"), first_ts, NEVER),
        marketing_email=retype_emails(rng, marketing),
    )
    return frame, consent


def interested_in(world: World, intent: Intent, person: np.ndarray, day: np.ndarray, category: np.ndarray) -> np.ndarray:
    """In market for this category on this day."""
    focus = intent.focus[person, day]
    return (focus >= 0) & (world.catalog.category[np.maximum(focus, 0)] == category)


def build_email(rng: np.random.Generator, world: World, intent: Intent, consent: Consent) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Campaign sends to consenting people and what they did with them; also the clicks, which open web sessions."""
    cal, catalog = world.cal, world.catalog
    n = len(world.people)
    everyone = np.arange(n)
    open_rate = world.column("open_rate")
    dead_address = rng.random(n) < 0.02
    reachable = np.ones(n, dtype=bool)  # not unsubscribed, complained or hard-bounced yet
    parts = []
    for day in np.flatnonzero(np.isin(cal.weekdays()[: cal.days], EMAIL_CAMPAIGN_WEEKDAYS)):
        category = pick(rng, CATEGORIES["popularity"], 1)
        product = catalog.in_category(rng, category)[0]
        campaign = f"em-{cal.dates(day)}-{CATEGORIES['category'][category[0]]}"
        send = cal.utc(day, 10 * 3600 + rng.integers(0, 3600, n), HQ_UTC_OFFSET)
        sent = reachable & (consent.email_from <= send) & (send < consent.email_until) & (rng.random(n) < 0.75)
        bounced = sent & (dead_address | (rng.random(n) < 0.005))
        delivered = sent & ~bounced
        interested = interested_in(world, intent, everyone, np.full(n, day), category[0])
        opened = delivered & (rng.random(n) < np.where(interested, np.minimum(2 * open_rate, 0.9), open_rate))
        clicked = opened & (rng.random(n) < np.where(interested, 0.45, 0.12))
        unsubscribed = opened & ~clicked & (rng.random(n) < 0.02)
        complained = delivered & ~opened & (rng.random(n) < 0.001)
        reachable &= ~(unsubscribed | complained | (bounced & dead_address))
        open_at = send + 60 + rng.exponential(3 * 3600, n).astype(np.int64)
        click_at = open_at + 5 + rng.exponential(120, n).astype(np.int64)
        product_link = rng.random(n) < 0.7
        link = np.where(
            product_link,
            f"https://shop.example.com/p/{catalog.product_id[product]}?utm_source=email&utm_campaign={campaign}",
            f"https://shop.example.com/c/{CATEGORIES['category'][category[0]]}?utm_source=email&utm_campaign={campaign}",
        )
        for event_type, happened, ts in (
            ("sent", sent, send),
            ("delivered", delivered, send + rng.integers(1, 60, n)),
            ("bounce", bounced, send + rng.integers(1, 600, n)),
            ("open", opened, open_at),
            ("click", clicked, click_at),
            ("unsubscribe", unsubscribed, click_at + 30),
            ("complaint", complained, send + rng.integers(3600, 2 * ONE_DAY, n)),
        ):
            rows = np.flatnonzero(happened)
            is_click = event_type == "click"
            parts.append(
                pd.DataFrame(
                    {
                        "_person": rows,
                        "ts": ts[rows],
                        "event_type": event_type,
                        "campaign_id": campaign,
                        "product_id": keep(np.full(len(rows), catalog.product_id[product]), is_click & product_link[rows]),
                        "link_url": keep(link[rows], np.full(len(rows), is_click)),
                        "_product": np.where(product_link[rows], product, -1),
                    }
                )
            )
    events = pd.concat(parts, ignore_index=True)
    events["_day"] = cal.day_of(events["ts"].to_numpy(), HQ_UTC_OFFSET)
    events = events[events["_day"] < cal.days].reset_index(drop=True)
    person = events["_person"].to_numpy()
    events["_offset"] = HQ_UTC_OFFSET
    events["email"] = consent.marketing_email[person]

    clicks = events[events["event_type"] == "click"]
    click_person = clicks["_person"].to_numpy()
    local_offset = world.column("offset")[click_person]
    click_day = cal.day_of(clicks["ts"].to_numpy(), local_offset)
    landed = click_day < cal.days
    click_sessions = pd.DataFrame(
        {
            "person": click_person[landed],
            "day": click_day[landed],
            "start": (clicks["ts"].to_numpy() + local_offset * 3600 - cal.start_epoch - click_day * ONE_DAY)[landed] + 20,
            "target": clicks["_product"].to_numpy()[landed],
            "utm_campaign": clicks["campaign_id"].to_numpy()[landed],
        }
    )
    return events.drop(columns="_product"), click_sessions


# --------------------------------------------------------------------------- web and app


def activity_sessions(rng: np.random.Generator, world: World, intent: Intent, channel: str) -> pd.DataFrame:
    """Sessions (or store visits) per person and landed day: a Poisson count, raised while in market."""
    cal = world.cal
    rate = world.column(f"{channel}_rate")[:, None] * (1 + IN_MARKET_BOOST[channel] * intent.in_market[:, : cal.days])
    rate *= np.asarray(WEEKDAY_ACTIVITY[channel])[cal.weekdays()[: cal.days]]
    counts = rng.poisson(rate)
    person, day = np.nonzero(counts)
    repeats = counts[person, day]
    person, day = np.repeat(person, repeats), np.repeat(day, repeats)
    return pd.DataFrame({"person": person, "day": day, "start": seconds_of_day(rng, channel, len(person))})


def session_events(
    rng: np.random.Generator, world: World, intent: Intent, sessions: pd.DataFrame, scripts: dict[str, Script], browsing: dict
) -> pd.DataFrame:
    """Expand sessions (person, day, start, kind, target) into their events in time order."""
    catalog = world.catalog
    person, day = sessions["person"].to_numpy(), sessions["day"].to_numpy()
    in_market = intent.in_market[person, day]
    kind = pd.Categorical(sessions["kind"], categories=list(scripts)).codes
    mean_browsing = np.array([script.browsing for script in scripts.values()])
    browse_count = rng.poisson(mean_browsing[kind, in_market.astype(int)])
    session = [np.repeat(np.arange(len(sessions)), browse_count)]
    position = [rank_within(session[0])]
    event_type = [draw_event_types(rng, browsing, in_market[session[0]])]
    scripted = [np.zeros(len(session[0]), dtype=bool)]
    for code, script in enumerate(scripts.values()):
        members = np.flatnonzero(kind == code)
        steps = [(step - len(script.opening), name) for step, name in enumerate(script.opening)]
        steps += [(browse_count[members] + step, name) for step, name in enumerate(script.closing)]
        for step_position, name in steps:
            session.append(members)
            position.append(np.broadcast_to(step_position, len(members)))
            event_type.append(np.full(len(members), name))
            scripted.append(np.ones(len(members), dtype=bool))
    session, position, event_type, scripted = (np.concatenate(part) for part in (session, position, event_type, scripted))
    order = np.lexsort((position, session))
    session, event_type, scripted = session[order], event_type[order], scripted[order]
    n = len(session)

    category, product = world.interests(rng, person[session], intent.focus[person[session], day[session]], 0.75, 0.5)
    target = sessions["target"].to_numpy()[session]
    use_target = scripted & (target >= 0)
    product = np.where(use_target, target, product)
    category = np.where(use_target, catalog.category[np.maximum(target, 0)], category)
    is_product = np.isin(event_type, PRODUCT_EVENTS)
    shows_category = is_product | (np.isin(event_type, CATEGORY_PAGE_EVENTS) & (rng.random(n) < 0.5))
    terms = CATEGORIES["searches"].str.split("|").to_numpy()
    term = (rng.random(n) * np.array([len(t) for t in terms])[category]).astype(int)
    searching = event_type == "search"
    gaps = rng.exponential(50, n) + 2
    gaps[rank_within(session) == 0] = 0
    return pd.DataFrame(
        {
            "session": session,
            "event_type": event_type,
            "product": np.where(is_product, product, -1),
            "category": np.where(shows_category, category, -1),
            "search_query": [terms[c][t] if s else None for c, t, s in zip(category, term, searching)],
            "seconds": np.minimum(
                sessions["start"].to_numpy()[session] + cumsum_within(gaps, session).astype(np.int64), ONE_DAY - 1
            ),
        }
    )


def event_frame(world: World, sessions: pd.DataFrame, events: pd.DataFrame, orders: pd.DataFrame, order_prefix: str) -> dict:
    """The columns web and app events share, one row per event."""
    cal, catalog = world.cal, world.catalog
    s = events["session"].to_numpy()
    person = sessions["person"].to_numpy()[s]
    day = sessions["day"].to_numpy()[s]
    offset = world.column("offset")[person]
    purchase = events["event_type"].to_numpy() == "purchase"
    order = np.maximum(sessions["order"].to_numpy()[s], 0)
    revenue = np.full(len(s), np.nan)
    revenue[purchase] = orders["revenue"].to_numpy()[order[purchase]]  # a zone may have sessions but no order
    return {
        "_day": day,
        "_person": person,
        "_offset": offset,
        "ts": cal.utc(day, events["seconds"].to_numpy(), offset),
        "event_type": events["event_type"].to_numpy(),
        "account_id": keep(world.column("account_id")[person], sessions["logged_in"].to_numpy()[s]),
        "product_id": take(catalog.product_id, events["product"].to_numpy()),
        "category": take(CATEGORIES["category"].to_numpy(), events["category"].to_numpy()),
        "search_query": events["search_query"].to_numpy(),
        "order_id": keep(numbered(order_prefix, order + 1, 8), purchase),
        "revenue": revenue,
    }


def order_sessions(rng: np.random.Generator, orders: pd.DataFrame, channel: str, days: int) -> pd.DataFrame:
    """The session each online order was placed in, starting a few minutes before it."""
    placed = orders[(orders["channel"] == channel) & (orders["day"] < days)]
    return pd.DataFrame(
        {
            "person": placed["person"].to_numpy(),
            "day": placed["day"].to_numpy(),
            "start": np.maximum(placed["seconds"].to_numpy() - rng.integers(60, 900, len(placed)), 0),
            "kind": "purchase",
            "target": placed["product"].to_numpy(),
            "order": placed.index.to_numpy(),
        }
    )


def build_web(rng, world: World, intent: Intent, orders: pd.DataFrame, clicks: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Web analytics events; also the click-and-collect orders to be picked up in store."""
    cal = world.cal
    browse = activity_sessions(rng, world, intent, "web").assign(kind="browse", target=-1, order=-1)
    purchases = order_sessions(rng, orders, "web", cal.days)
    sessions = pd.concat([browse, purchases, clicks.assign(kind="email_click", order=-1)], ignore_index=True)
    n = len(sessions)
    person, day, kind = sessions["person"].to_numpy(), sessions["day"].to_numpy(), sessions["kind"].to_numpy()
    utm = pick(rng, UTM["weight"], n)
    sessions["utm_source"] = np.where(kind == "email_click", "email", UTM["utm_source"].to_numpy()[utm])
    sessions["utm_campaign"] = np.where(
        kind == "email_click", sessions["utm_campaign"].to_numpy(dtype=object), UTM["utm_campaign"].to_numpy()[utm]
    )
    start_utc = cal.utc(day, sessions["start"].to_numpy(), world.column("offset")[person])
    web_login = world.column("web_login")[person]
    login_chance = np.where(kind == "purchase", np.minimum(web_login + 0.5, 1.0), web_login)
    sessions["logged_in"] = (world.column("account_since")[person] <= start_utc) & (rng.random(n) < login_chance)
    shares_email = sessions["logged_in"].to_numpy() & (rng.random(n) < 0.4)
    cookie = owned(world.cookies["person"].to_numpy(), person, rng, 0.6)
    city_names = CITIES["city"].to_numpy()
    city = np.where(rng.random(n) < 0.9, city_names[world.column("city")[person]], city_names[pick(rng, CITIES["weight"], n)])

    events = session_events(rng, world, intent, sessions, WEB_SCRIPTS, WEB_BROWSING)
    s = events["session"].to_numpy()
    columns = event_frame(world, sessions, events, orders, "WO")
    guest_checkout = (columns["event_type"] == "purchase") & ~sessions["logged_in"].to_numpy()[s]
    frame = pd.DataFrame(
        {
            **columns,
            "cookie_id": world.cookies["cookie_id"].to_numpy()[cookie[s]],
            "email": keep(world.column("email")[person[s]], shares_email[s] | guest_checkout),
            "device_type": world.cookies["device_type"].to_numpy()[cookie[s]],
            "city": city[s],
            "utm_source": keep(sessions["utm_source"].to_numpy()[s], sessions["utm_source"].to_numpy()[s] != ""),
            "utm_campaign": keep(sessions["utm_campaign"].to_numpy()[s], sessions["utm_campaign"].to_numpy()[s] != ""),
        }
    )
    collect = rng.random(len(purchases)) < 0.15 * (world.column("store_reach")[purchases["person"].to_numpy()] >= 0.35)
    picked_up = orders.loc[purchases["order"].to_numpy()[collect]]
    pickups = pd.DataFrame(
        {
            "person": picked_up["person"].to_numpy(),
            "day": picked_up["day"].to_numpy() + 1 + rng.poisson(1.0, len(picked_up)),
            "store": picked_up["store"].to_numpy(),
            "target": picked_up["product"].to_numpy(),
        }
    )
    return frame, pickups


def push_events(rng: np.random.Generator, world: World, intent: Intent, consent: Consent) -> pd.DataFrame:
    """Push campaigns to the phones of people who allowed push, and the opens they get."""
    cal = world.cal
    phones = world.devices[world.devices["personal"].to_numpy(dtype=bool)]
    days = np.flatnonzero(np.isin(cal.weekdays()[: cal.days], PUSH_CAMPAIGN_WEEKDAYS))
    category = pick(rng, CATEGORIES["popularity"], len(days))
    campaign = np.strings.add(
        np.strings.add("push-", cal.dates(days)), np.strings.add("-", CATEGORIES["category"].to_numpy()[category].astype(str))
    )
    device = np.tile(np.arange(len(phones)), len(days))
    campaign_index = np.repeat(np.arange(len(days)), len(phones))
    day = days[campaign_index]
    person = phones["person"].to_numpy()[device]
    offset = world.column("offset")[person]
    send = cal.utc(day, 18 * 3600 + rng.integers(0, 900, len(device)), HQ_UTC_OFFSET)
    received = (consent.push_from[person] <= send) & (rng.random(len(device)) < 0.8 * 0.95)
    interested = interested_in(world, intent, person, day, category[campaign_index])
    opened = received & (rng.random(len(device)) < np.where(interested, 0.25, 0.07))
    opened_at = send + 30 + rng.exponential(1800, len(device)).astype(np.int64)
    rows = np.r_[np.flatnonzero(received), np.flatnonzero(opened)]
    ts = np.r_[send[received], opened_at[opened]]
    logged_in = phones["logged_in"].to_numpy(dtype=bool)[device[rows]] & (world.column("account_since")[person[rows]] <= ts)
    frame = pd.DataFrame(
        {
            "_day": cal.day_of(ts, offset[rows]),
            "_person": person[rows],
            "_offset": offset[rows],
            "ts": ts,
            "device_id": phones["device_id"].to_numpy()[device[rows]],
            "event_type": np.repeat(["push_received", "push_open"], [received.sum(), opened.sum()]),
            "account_id": keep(world.column("account_id")[person[rows]], logged_in),
            "os": phones["os"].to_numpy()[device[rows]],
            "push_campaign_id": campaign[campaign_index[rows]],
        }
    )
    return frame[frame["_day"] < cal.days]


def build_app(rng, world: World, intent: Intent, orders: pd.DataFrame, consent: Consent) -> pd.DataFrame:
    """App events: sessions on phones and family tablets (mostly logged in), purchases and pushes."""
    cal = world.cal
    browse = activity_sessions(rng, world, intent, "app").assign(kind="browse", target=-1, order=-1)
    sessions = pd.concat([browse, order_sessions(rng, orders, "app", cal.days)], ignore_index=True)
    n = len(sessions)
    person, day = sessions["person"].to_numpy(), sessions["day"].to_numpy()
    device = owned(world.devices["person"].to_numpy(), person, rng, 0.7)
    start_utc = cal.utc(day, sessions["start"].to_numpy(), world.column("offset")[person])
    sessions["logged_in"] = world.devices["logged_in"].to_numpy(dtype=bool)[device] & (
        world.column("account_since")[person] <= start_utc
    )
    located = world.column("consent_location")[person] & (rng.random(n) < 0.6)
    city = world.column("city")[person]
    latitude = np.where(located, np.round(CITIES["lat"].to_numpy()[city] + rng.normal(0, 0.04, n), 5), np.nan)
    longitude = np.where(located, np.round(CITIES["lon"].to_numpy()[city] + rng.normal(0, 0.05, n), 5), np.nan)

    events = session_events(rng, world, intent, sessions, APP_SCRIPTS, APP_BROWSING)
    s = events["session"].to_numpy()
    frame = pd.DataFrame(
        {
            **event_frame(world, sessions, events, orders, "MO"),
            "device_id": world.devices["device_id"].to_numpy()[device[s]],
            "os": world.devices["os"].to_numpy()[device[s]],
            "latitude": latitude[s],
            "longitude": longitude[s],
        }
    )
    return pd.concat([frame, push_events(rng, world, intent, consent)], ignore_index=True)


# --------------------------------------------------------------------------- stores


def either_email(rng: np.random.Generator, world: World, person: np.ndarray) -> np.ndarray:
    """The address a person gives at a till or to a service agent: now and then their second one."""
    second = world.column("second_email")[person]
    return np.where(pd.notna(second) & (rng.random(len(person)) < 0.3), second, world.column("email")[person])


def active_card(rng: np.random.Generator, world: World, person: np.ndarray, utc: np.ndarray) -> np.ndarray:
    """The loyalty card a person would show at `utc` (a second card now and then), None if they hold none yet."""
    first = keep(world.column("loyalty_id")[person], world.column("loyalty_since")[person] <= utc)
    second = world.column("second_loyalty_since")[person] <= utc
    return np.where(second & (rng.random(len(person)) < 0.3), world.column("second_loyalty_id")[person], first)


def build_store(rng, world: World, intent: Intent, orders: pd.DataFrame, pickups: pd.DataFrame) -> pd.DataFrame:
    """In-store interactions: visits seen by a card scan or the app's geofence, try-ons, consults, kiosk use, pickups."""
    cal, stores = world.cal, world.stores
    browse = activity_sessions(rng, world, intent, "store")
    home = world.column("home_store")[browse["person"].to_numpy()]
    browse["store"] = np.where(rng.random(len(browse)) < 0.85, home, rng.integers(0, len(stores), len(browse)))
    bought = orders[(orders["channel"] == "store") & (orders["day"] < cal.days)]
    visits = pd.concat(
        [
            browse.assign(kind="browse", target=-1),
            pd.DataFrame(
                {
                    "person": bought["person"].to_numpy(),
                    "day": bought["day"].to_numpy(),
                    "start": np.maximum(bought["seconds"].to_numpy() - rng.integers(300, 2400, len(bought)), 9 * 3600),
                    "store": bought["store"].to_numpy(),
                    "kind": "purchase",
                    "target": bought["product"].to_numpy(),
                }
            ),
            pickups.assign(start=seconds_of_day(rng, "store", len(pickups)), kind="pickup"),
        ],
        ignore_index=True,
    )
    visits = visits[visits["day"] < cal.days].reset_index(drop=True)
    n = len(visits)
    person, day, kind = visits["person"].to_numpy(), visits["day"].to_numpy(), visits["kind"].to_numpy()
    store = visits["store"].to_numpy()
    offset = stores["offset"].to_numpy()[store]
    start_utc = cal.utc(day, visits["start"].to_numpy(), offset)
    card = active_card(rng, world, person, start_utc)
    has_card = pd.notna(card)
    scanned = has_card & (rng.random(n) < np.where(kind == "pickup", 0.6, 0.5))
    phones = world.devices[world.devices["personal"].to_numpy(dtype=bool)]
    phone = owned(phones["person"].to_numpy(), person, rng, 0.8)
    geofenced = (phone >= 0) & world.column("consent_location")[person] & (rng.random(n) < 0.45)
    in_market = intent.in_market[person, day]
    shopping = kind != "pickup"

    # (visit, event type, product source, identified by): one list entry per kind of row
    try_ons = np.repeat(np.arange(n), np.where(shopping, rng.poisson(np.take(TRY_ONS_PER_VISIT, in_market.astype(int))), 0))
    bought_try_on = np.flatnonzero((kind == "purchase") & (rng.random(n) < 0.5))
    rows = [
        (np.flatnonzero(shopping & (scanned | geofenced)), "store_visit", "none", "visit"),
        (try_ons, "try_on", "interest", "associate"),
        (bought_try_on, "try_on", "target", "associate"),
        (
            np.flatnonzero(shopping & (rng.random(n) < np.take(CONSULT_CHANCE, in_market.astype(int)))),
            "associate_consult",
            "interest",
            "associate",
        ),
        (np.flatnonzero(shopping & (rng.random(n) < 0.1)), "store_visit", "none", "kiosk"),
        (np.flatnonzero(kind == "pickup"), "click_and_collect_pickup", "target", "visit"),
    ]
    visit = np.concatenate([r[0] for r in rows])
    event_type = np.repeat([r[1] for r in rows], [len(r[0]) for r in rows])
    source = np.repeat([r[2] for r in rows], [len(r[0]) for r in rows])
    identified_by = np.repeat([r[3] for r in rows], [len(r[0]) for r in rows])
    m = len(visit)

    category, product = world.interests(rng, person[visit], intent.focus[person[visit], day[visit]], 0.8, 0.6)
    target = visits["target"].to_numpy()[visit]
    product = np.where(source == "target", target, product)
    category = world.catalog.category[product]
    can_try_on = CATEGORIES["try_on"].to_numpy()[category] == 1
    keep_row = (event_type != "try_on") | can_try_on
    shows_product = (source == "target") | ((source == "interest") & ((event_type == "try_on") | (rng.random(m) < 0.5)))
    kiosk = identified_by == "kiosk"
    associate_scan = (identified_by == "associate") & (rng.random(m) < 0.7)
    loyalty = keep(
        card[visit],
        np.where(kiosk, has_card[visit] & (rng.random(m) < 0.5), scanned[visit] & ((identified_by == "visit") | associate_scan)),
    )
    device = np.where(
        kiosk,
        stores["kiosk"].to_numpy()[store[visit]],
        keep(take(phones["device_id"].to_numpy(), phone[visit]), geofenced[visit] & (identified_by == "visit")),
    )
    seconds = np.minimum(
        visits["start"].to_numpy()[visit] + np.where(event_type == "store_visit", 0, rng.integers(60, 2400, m)), ONE_DAY - 1
    )
    frame = pd.DataFrame(
        {
            "_day": day[visit],
            "_person": person[visit],
            "_offset": offset[visit],
            "ts": cal.utc(day[visit], seconds, offset[visit]),
            "store_id": stores["store_id"].to_numpy()[store[visit]],
            "event_type": event_type,
            "loyalty_id": loyalty,
            "device_id": device,
            "product_id": keep(world.catalog.product_id[product], shows_product & (source != "none")),
            "category": keep(CATEGORIES["category"].to_numpy()[category], source != "none"),
        }
    )
    return frame[keep_row].reset_index(drop=True)


def build_pos(rng, world: World, orders: pd.DataFrame, lines: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Till lines of store sales and of returns (of goods bought on any channel); also one row per transaction."""
    cal, stores = world.cal, world.stores
    landed = orders["day"].to_numpy() < cal.days
    sold = lines[(orders["channel"].to_numpy()[lines["order"]] == "store") & landed[lines["order"]]]
    return_rate = np.vectorize(RETURN_RATE.get, otypes=[float])(orders["channel"].to_numpy())[lines["order"]]
    returned = lines[landed[lines["order"]] & (rng.random(len(lines)) < return_rate)]
    return_day = orders["day"].to_numpy()[returned["order"]] + 2 + rng.geometric(1 / 8, len(returned))
    returned = returned[return_day < cal.days]
    return_day = return_day[return_day < cal.days]

    sale_orders = orders.loc[np.unique(sold["order"])]
    return_person = orders["person"].to_numpy()[returned["order"]]
    transactions = pd.DataFrame(
        {
            "person": np.r_[sale_orders["person"].to_numpy(), return_person],
            "day": np.r_[sale_orders["day"].to_numpy(), return_day],
            "seconds": np.r_[sale_orders["seconds"].to_numpy(), seconds_of_day(rng, "store", len(returned))],
            "store": np.r_[sale_orders["store"].to_numpy(), world.column("home_store")[return_person]],
            "is_return": np.repeat([False, True], [len(sale_orders), len(returned)]),
        }
    )
    line_of = np.r_[
        np.searchsorted(sale_orders.index.to_numpy(), sold["order"].to_numpy()), len(sale_orders) + np.arange(len(returned))
    ]
    line_rows = pd.concat([sold, returned], ignore_index=True)
    n = len(transactions)
    person, store = transactions["person"].to_numpy(), transactions["store"].to_numpy()
    is_return = transactions["is_return"].to_numpy()
    offset = stores["offset"].to_numpy()[store]
    utc = cal.utc(transactions["day"].to_numpy(), transactions["seconds"].to_numpy(), offset)
    card = keep(active_card(rng, world, person, utc), rng.random(n) < np.where(is_return, 0.5, 0.6))
    token_row = owned(world.tokens["person"].to_numpy(), person, rng, 0.7)
    token = keep(take(world.tokens["payment_token"].to_numpy(), token_row), rng.random(n) < np.where(is_return, 0.8, 0.85))
    email = keep(retype_emails(rng, either_email(rng, world, person)), rng.random(n) < np.where(is_return, 0.1, 0.25))

    order = np.lexsort((utc, store, transactions["day"].to_numpy()))
    number_in_store_day = np.empty(n, dtype=np.int64)
    number_in_store_day[order] = rank_within(transactions["day"].to_numpy()[order] * 1000 + store[order]) + 1
    store_number = zero_padded((store + 1).astype(str), 3)
    transaction_id = np.strings.add(
        np.strings.add(np.strings.add(store_number, "-"), replaced(cal.dates(transactions["day"].to_numpy()), "-", "")),
        np.strings.add("-", zero_padded(number_in_store_day.astype(str), 4)),
    )
    sign = np.where(is_return[line_of], -1, 1)
    amount = sign * line_rows["amount"].to_numpy()
    frame = pd.DataFrame(
        {
            "_day": transactions["day"].to_numpy()[line_of],
            "_person": person[line_of],
            "_offset": offset[line_of],
            "_file": np.strings.add("-", stores["store_id"].to_numpy()[store[line_of]].astype(str)),
            "transaction_id": transaction_id[line_of],
            "line_no": rank_within(line_of) + 1,
            "ts": utc[line_of],
            "store_id": stores["store_id"].to_numpy()[store[line_of]],
            "amount": amount,
            "product_id": world.catalog.product_id[line_rows["product"].to_numpy()],
            "category": CATEGORIES["category"].to_numpy()[world.catalog.category[line_rows["product"].to_numpy()]],
            "quantity": sign * line_rows["quantity"].to_numpy(),
            "unit_price": line_rows["unit_price"].to_numpy(),
            "loyalty_id": card[line_of],
            "payment_token": token[line_of],
            "email": email[line_of],
        }
    ).sort_values(["_day", "transaction_id", "line_no"], kind="stable", ignore_index=True)
    summary = pd.DataFrame(
        {
            "person": person,
            "day": transactions["day"].to_numpy(),
            "utc": utc,
            "is_return": is_return,
            "loyalty_id": card,
            "points": np.floor(np.bincount(line_of, weights=amount, minlength=n)).astype(np.int64),
        }
    )
    return frame, summary


# --------------------------------------------------------------------------- rosters, service, erasure


def typed_profiles(rng: np.random.Generator, world: World, person: np.ndarray, missing_dob: float) -> dict[str, np.ndarray]:
    """Names, birth date and phone as one system holds them, with the slips people and staff make typing them."""
    n = len(person)
    u = rng.random((n, 8))
    first_names, last_names = [], []
    for first, last, (nickname, typo, which, where, how, letter, swap, shout) in zip(
        world.column("first_name")[person], world.column("last_name")[person], u
    ):
        if nickname < 0.08 and first in NICKNAMES:
            first = NICKNAMES[first][int(which * len(NICKNAMES[first]))]
        if typo < 0.05:
            if which < 0.5:
                first = misspell(first, where, how, letter)
            else:
                last = misspell(last, where, how, letter)
        if swap < 0.01:
            first, last = last, first
        first_names.append(first)
        last_names.append(last.upper() if shout < 0.03 else last)
    birth = pd.DatetimeIndex(world.column("birth")[person])
    swapped = (rng.random(n) < 0.025) & (birth.day <= 12) & (birth.day != birth.month)  # ~1% of all: only these can swap
    date_of_birth = np.where(
        swapped,
        [f"{y:04d}-{d:02d}-{m:02d}" for y, m, d in zip(birth.year, birth.month, birth.day)],
        np.datetime_as_string(birth.to_numpy().astype("datetime64[D]"), unit="D"),
    )
    phone = keep(world.column("roster_phone")[person], rng.random(n) >= 0.12)
    return {
        # a form or a till that took the surname only ("Mr Okafor")
        "first_name": keep(np.array(first_names, dtype=object), rng.random(n) >= 0.03),
        "last_name": np.array(last_names, dtype=object),
        "date_of_birth": keep(date_of_birth, rng.random(n) >= missing_dob),
        "phone": write_phones(rng, phone),
    }


def written_addresses(world: World, person: np.ndarray, prefix: str, style: np.ndarray) -> dict[str, np.ndarray]:
    """Street, city, postcode and state of a person's household as one record writes them."""
    household = world.households.iloc[world.column("household")[person]]
    city = household[f"{prefix}city"].to_numpy()
    return {
        "street": np.array(
            [
                written_street(*parts)
                for parts in zip(
                    household[f"{prefix}number"],
                    household[f"{prefix}street_name"],
                    household[f"{prefix}suffix"],
                    household[f"{prefix}unit"],
                    style,
                )
            ],
            dtype=object,
        ),
        "city": np.where(
            style > 0.96, np.strings.upper(CITIES["city"].to_numpy()[city].astype(str)), CITIES["city"].to_numpy()[city]
        ),
        "postcode": household[f"{prefix}postcode"].to_numpy(),
        "state": CITIES["state"].to_numpy()[city],
    }


def roster(
    rng: np.random.Generator,
    world: World,
    person: np.ndarray,
    key: np.ndarray,
    since: np.ndarray,
    email: np.ndarray,
    missing_dob: float,
    points: pd.DataFrame | None,
) -> pd.DataFrame:
    """Versions of roster records: creation (earlier ones backfilled on day one), then moves, email changes,
    phones added later and, for loyalty cards, points earned or lost at the till."""
    cal = world.cal
    n = len(person)
    offset = world.column("offset")[person]
    window_end = cal.start_epoch + cal.days * ONE_DAY
    profile = typed_profiles(rng, world, person, missing_dob)
    address_style = rng.random(n)
    before, after = (written_addresses(world, person, prefix, address_style) for prefix in ("", "new_"))

    moved_day = world.households["moved_day"].to_numpy()[world.column("household")[person]]
    move_at = np.where(moved_day >= 0, cal.utc(moved_day + rng.integers(0, 10, n), seconds_of_day(rng, "web", n), offset), NEVER)
    second_email = world.column("second_email")[person]
    other_email = np.where(email == world.column("email")[person], second_email, world.column("email")[person])
    email_at = np.where(
        pd.notna(second_email) & (rng.random(n) < 0.03), since + (rng.random(n) * (window_end - since)).astype(np.int64), NEVER
    )
    added_phone = write_phones(rng, world.column("roster_phone")[person])
    phone_at = np.where(
        pd.isna(profile["phone"]) & pd.notna(added_phone) & (rng.random(n) < 0.2),
        np.maximum(since, cal.start_epoch) + rng.integers(0, cal.days * ONE_DAY, n),
        NEVER,
    )
    base_ts = np.where(
        since < cal.start_epoch,
        since + (rng.random(n) * (cal.start_epoch - since)).astype(np.int64),
        since + rng.integers(0, 600, n),
    )

    record = [np.arange(n)]
    ts = [base_ts]
    for change_at in (move_at, email_at, phone_at):
        changed = np.flatnonzero((change_at > since) & (change_at < NEVER))
        record.append(changed)
        ts.append(change_at[changed])
    delta = [np.zeros(sum(len(r) for r in record), dtype=np.int64)]
    if points is not None:
        holder = pd.Index(key).get_indexer(points["loyalty_id"])
        record.append(holder)
        ts.append(points["utc"].to_numpy() + rng.integers(300, 5400, len(points)))
        delta.append(points["points"].to_numpy())
    record, ts, delta = np.concatenate(record), np.concatenate(ts), np.concatenate(delta)
    order = np.lexsort((ts, record))
    record, ts, delta = record[order], ts[order], delta[order]
    opening_balance = np.where(since < cal.start_epoch, rng.integers(0, 3000, n), 0)
    balance = np.maximum(opening_balance[record] + cumsum_within(delta, record), 0)

    moved = ts >= move_at[record]
    frame = pd.DataFrame(
        {
            "_day": np.maximum(cal.day_of(ts, offset[record]), 0),
            "_person": person[record],
            "_offset": offset[record],
            "key": key[record],
            "updated_at": ts,
            "first_name": profile["first_name"][record],
            "last_name": profile["last_name"][record],
            "email": np.where(ts >= email_at[record], retype_emails(rng, other_email)[record], retype_emails(rng, email)[record]),
            "phone": np.where(ts >= phone_at[record], added_phone[record], profile["phone"][record]),
            "date_of_birth": profile["date_of_birth"][record],
            **{column: np.where(moved, after[column][record], before[column][record]) for column in before},
            "since": since[record],
            "balance": balance,
        }
    )
    return frame[frame["_day"] < cal.days].reset_index(drop=True)


def build_rosters(rng: np.random.Generator, world: World, transactions: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Daily delta files of online accounts and of loyalty cards (3% of members hold two)."""
    account_holder = np.flatnonzero(pd.notna(world.column("account_id")))
    accounts = roster(
        rng,
        world,
        account_holder,
        world.column("account_id")[account_holder],
        world.column("account_since")[account_holder],
        world.column("email")[account_holder],
        0.25,
        None,
    ).rename(columns={"key": "account_id", "since": "created_at"})

    member = np.flatnonzero(pd.notna(world.column("loyalty_id")))
    second = np.flatnonzero(pd.notna(world.column("second_loyalty_id")))
    second_email = world.column("second_email")[second]
    card_holder = np.r_[member, second]
    loyalty = roster(
        rng,
        world,
        card_holder,
        np.r_[world.column("loyalty_id")[member], world.column("second_loyalty_id")[second]],
        np.r_[world.column("loyalty_since")[member], world.column("second_loyalty_since")[second]],
        np.r_[
            world.column("loyalty_email")[member], np.where(pd.notna(second_email), second_email, world.column("email")[second])
        ],
        0.1,
        transactions[transactions["loyalty_id"].notna()],
    ).rename(columns={"key": "loyalty_id", "since": "joined_at", "balance": "points_balance"})
    balance = loyalty["points_balance"].to_numpy()
    loyalty["tier"] = np.select([balance >= 5000, balance >= 2000, balance >= 500], ["platinum", "gold", "silver"], "member")
    return accounts, loyalty


SERVICE_REASONS = _table(
    """
reason,share_out,share_in,sentiment,resolved
order_status,0.15,0.10,0.0,0.9
return,0.10,0.08,-0.15,0.8
complaint,0.15,0.12,-0.55,0.6
product_question,0.25,0.45,0.25,0.9
billing,0.15,0.10,-0.2,0.75
other,0.20,0.15,0.1,0.85
"""
)
# How often a contact on each channel records each piece of identity.
SERVICE_CHANNELS = _table(
    """
channel,share,names,email,phone,account_id,loyalty_id
phone,0.35,0.95,0.3,0.9,0.2,0.2
chat,0.35,0.7,0.6,0.1,0.45,0.15
email,0.2,0.6,1.0,0.15,0.25,0.1
social,0.1,0.5,0.05,0.02,0.05,0.02
"""
)


def build_service(rng, world: World, intent: Intent, orders: pd.DataFrame, transactions: pd.DataFrame) -> pd.DataFrame:
    """Service contacts: questions after online orders, before returns, and now and then (more when in market)."""
    cal = world.cal
    online = orders[orders["channel"].isin(["web", "app"]) & (orders["day"] < cal.days)]
    online = online[rng.random(len(online)) < 0.06]
    returns = transactions[transactions["is_return"]]
    returns = returns[rng.random(len(returns)) < 0.25]
    background = rng.poisson(0.0015 * (1 + 1.5 * intent.in_market[:, : cal.days]))
    quiet_person, quiet_day = np.nonzero(background)
    in_market = intent.in_market[quiet_person, quiet_day]
    reason_names = SERVICE_REASONS["reason"].to_numpy()
    quiet_reason = np.where(
        in_market,
        reason_names[pick(rng, SERVICE_REASONS["share_in"], len(quiet_person))],
        reason_names[pick(rng, SERVICE_REASONS["share_out"], len(quiet_person))],
    )
    person = np.r_[online["person"].to_numpy(), returns["person"].to_numpy(), quiet_person]
    day = np.r_[
        online["day"].to_numpy() + rng.integers(1, 5, len(online)),
        returns["day"].to_numpy() - rng.integers(0, 3, len(returns)),
        quiet_day,
    ]
    reason = np.r_[np.full(len(online), "order_status"), np.full(len(returns), "return"), quiet_reason]
    landed = (day >= 0) & (day < cal.days)
    person, day, reason = person[landed], day[landed], reason[landed]
    n = len(person)

    channel = pick(rng, SERVICE_CHANNELS["share"], n)
    records = {
        column: rng.random(n) < SERVICE_CHANNELS[column].to_numpy()[channel]
        for column in ("names", "email", "phone", "account_id", "loyalty_id")
    }
    profile = typed_profiles(rng, world, person, 1.0)
    email = either_email(rng, world, person)
    reason_index = pd.Index(reason_names).get_indexer(reason)
    sentiment = np.clip(np.round(rng.normal(SERVICE_REASONS["sentiment"].to_numpy()[reason_index], 0.35), 2), -1, 1)
    csat = np.clip(np.round(3 + 2 * sentiment + rng.normal(0, 0.7, n)), 1, 5).astype(int)
    offset = world.column("offset")[person]
    return pd.DataFrame(
        {
            "_day": day,
            "_person": person,
            "_offset": offset,
            "ts": cal.utc(day, seconds_of_day(rng, "service", n), offset),
            "channel": SERVICE_CHANNELS["channel"].to_numpy()[channel],
            "first_name": keep(profile["first_name"], records["names"]),
            "last_name": keep(profile["last_name"], records["names"]),
            "email": keep(retype_emails(rng, email), records["email"]),
            "phone": keep(profile["phone"], records["phone"]),
            "account_id": keep(world.column("account_id")[person], records["account_id"]),
            "loyalty_id": keep(world.column("loyalty_id")[person], records["loyalty_id"]),
            "reason": reason,
            "sentiment": sentiment,
            "csat": keep(csat, rng.random(n) < 0.6),  # most people skip the survey
            "resolved": spell_booleans(
                rng, rng.random(n) < SERVICE_REASONS["resolved"].to_numpy()[reason_index], np.ones(n, dtype=bool)
            ),
        }
    )


def build_erasure(rng: np.random.Generator, world: World) -> tuple[pd.DataFrame, np.ndarray]:
    """A handful of requests to be forgotten, each naming one identifier; also the day each person asked (-1: never)."""
    cal = world.cal
    n = len(world.people)
    count = int(np.clip(round(n / 2500), 1, 8))
    person = np.sort(rng.choice(n, min(count, n), replace=False))
    day = rng.integers(cal.days // 3, cal.days, len(person))
    offset = world.column("offset")[person]
    ts = cal.utc(day, seconds_of_day(rng, "service", len(person)), offset)
    key = choose_identifier(rng, world, person, ts, (0.5, 0.2, 0.15, 0.15))
    frame = pd.DataFrame(
        {
            "_day": day,
            "_person": person,
            "_offset": offset,
            "ts": ts,
            "email": keep(retype_emails(rng, world.column("email")[person]), key == 0),
            "account_id": keep(world.column("account_id")[person], key == 1),
            "loyalty_id": keep(world.column("loyalty_id")[person], key == 2),
            "phone": keep(write_phones(rng, world.column("roster_phone")[person]), key == 3),
        }
    )
    requested_on = np.full(n, -1)
    requested_on[person] = day
    return frame, requested_on


# --------------------------------------------------------------------------- landing files


def format_timestamps(utc: np.ndarray, offset: np.ndarray, style: np.ndarray, millis: np.ndarray) -> np.ndarray:
    """ISO 8601 text: UTC with T or space, with or without milliseconds or +00:00, or local time with its offset."""
    local = np.isin(style, ("local", "local_space"))
    text = np.datetime_as_string((utc + np.where(local, offset * 3600, 0)).astype("datetime64[s]"), unit="s")
    text = np.where(np.isin(style, ("space", "local_space")), replaced(text, "T", " "), text)
    offsets = np.array([f"{hours:+03d}:00" for hours in range(-12, 15)])
    suffix = np.select(
        [style == "T_millis", style == "T_utc", local],
        [np.strings.add(".", zero_padded(millis.astype(str), 3)), np.full(len(utc), "+00:00"), offsets[offset + 12]],
        "",
    )
    return np.strings.add(text, suffix)


def mangled_timestamp(text: str, how: float) -> str:
    if how < 1 / 3:
        return f"{text[8:10]}/{text[5:7]}/{text[:4]} {text[11:16]}"
    if how < 2 / 3:
        return text[:11] + "25" + text[13:19]
    return "not-a-date"


def misnamed(value: str | None, how: np.ndarray) -> str:
    """An enumeration value slightly off ("page view", a typo) or made up."""
    if value and how[0] < 0.6:
        return value.replace("_", " ") if "_" in value and how[0] < 0.3 else misspell(value, *how[1:])
    return "unknown"


def add_defects(rng: np.random.Generator, source: Source, frame: pd.DataFrame, row_number: np.ndarray, rate: float) -> np.ndarray:
    """Corrupt about `rate` of the rows in place; return each row's defect kind ('' when clean)."""
    kinds = np.full(len(frame), "", dtype=object)
    if not source.defects or rate <= 0:
        return kinds
    hit = np.flatnonzero(rng.random(len(frame)) < rate)
    kind = np.array(source.defects, dtype=object)[rng.integers(0, len(source.defects), len(hit))]
    copied = hit - 1 - (rng.random(len(hit)) * np.maximum(row_number[hit] - 1, 0)).astype(int)
    can_copy = (row_number[hit] > 1) & ~np.isin(copied, hit)  # a clean, earlier row of the same file
    kind = np.where((kind == "duplicate_key") & ~can_copy, "missing_required", kind)
    kinds[hit] = kind
    how = rng.random((len(hit), 4))
    for defect in sorted(set(kind)):
        chosen = kind == defect
        rows, why = hit[chosen], how[chosen]
        if defect == "malformed_timestamp":
            column = source.timestamps[0]
            frame.loc[rows, column] = [mangled_timestamp(text, u[0]) for text, u in zip(frame[column].to_numpy()[rows], why)]
        elif defect == "bad_enum":
            column = source.enum_column
            frame.loc[rows, column] = [misnamed(value, u) for value, u in zip(frame[column].to_numpy()[rows], why)]
        elif defect == "missing_required":
            group = (why[:, 0] * len(source.required)).astype(int)
            for g, columns in enumerate(source.required):
                frame.loc[rows[group == g], list(columns)] = None
        else:
            for column in frame.columns:
                values = frame[column].to_numpy().copy()
                values[rows] = values[copied[chosen]]
                frame[column] = values
    return kinds


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n")


def write_csv_gz(frame: pd.DataFrame, path: Path) -> None:
    path.write_bytes(gzip.compress(frame.to_csv(index=False, lineterminator="\n").encode("utf-8"), mtime=0))


def write_jsonl(frame: pd.DataFrame, path: Path) -> None:
    frame.to_json(path, orient="records", lines=True, force_ascii=False)


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    schema = pa.schema(
        [
            (column, pa.timestamp("us", tz="UTC") if isinstance(frame[column].dtype, pd.DatetimeTZDtype) else pa.string())
            for column in frame.columns
        ]
    )
    pq.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False), path)


WRITERS = {"csv": write_csv, "csv.gz": write_csv_gz, "jsonl": write_jsonl, "parquet": write_parquet}


@dataclass(frozen=True)
class Landed:
    files: int
    rows: int
    records: pd.DataFrame  # source, record_key, person_id of every clean row
    bad_rows: pd.DataFrame  # source, path, row_number, kind


def land(
    rng: np.random.Generator,
    source: Source,
    frame: pd.DataFrame,
    cal: Calendar,
    landing: Path,
    person_ids: np.ndarray,
    bad_row_rate: float,
) -> Landed:
    """Sort, key, format and corrupt one source's rows, then write them as daily files (landed by atomic rename)."""
    n = len(frame)
    suffix = frame["_file"].to_numpy().astype(str) if "_file" in frame else np.full(n, "")
    day = frame["_day"].to_numpy()
    order = np.lexsort(
        (frame["_person"].to_numpy(), frame[source.timestamps[0]].to_numpy(), np.unique(suffix, return_inverse=True)[1], day)
    )
    frame = frame.iloc[order].reset_index(drop=True)
    suffix, day = suffix[order], day[order]
    if source.key_prefix:
        frame[source.key[0]] = numbered(source.key_prefix, np.arange(1, n + 1), 9)
    name = np.strings.add(np.strings.add(cal.dates(day), suffix), "." + source.ext)
    row_number = rank_within(name) + 1

    style = np.array([style for style, _ in source.ts_styles])[pick(rng, [share for _, share in source.ts_styles], n)]
    millis = rng.integers(0, 1000, n)
    offset = frame["_offset"].to_numpy()
    for column in source.timestamps:
        utc = frame[column].to_numpy().astype(np.int64)
        frame[column] = (
            pd.to_datetime(utc, unit="s", utc=True).astype("datetime64[us, UTC]")
            if source.ext == "parquet"
            else format_timestamps(utc, offset, style, millis)
        )
    table = frame.reindex(columns=list(source.columns)).astype(
        {column: object for column in source.columns if column not in source.timestamps or source.ext != "parquet"}
    )
    defect = add_defects(rng, source, table, row_number, bad_row_rate)

    clean = defect == ""
    key = table[source.key[0]].to_numpy().astype(str)
    if len(source.key) == 2:
        key = np.strings.add(np.strings.add(key, ":"), table[source.key[1]].to_numpy().astype(str))
    person = frame["_person"].to_numpy()
    records = pd.DataFrame({"source": source.name, "record_key": key[clean], "person_id": person_ids[person[clean]]})
    bad = np.flatnonzero(~clean)
    bad_rows = pd.DataFrame(
        {
            "source": source.name,
            "path": np.strings.add(f"{source.name}/", name[bad]),
            "row_number": row_number[bad],
            "kind": defect[bad],
        }
    )

    folder = landing / source.name
    folder.mkdir(parents=True, exist_ok=True)
    starts = np.flatnonzero(row_number == 1)
    files = [(str(name[begin]), begin, end) for begin, end in zip(starts, np.r_[starts[1:], n])]
    if not files and source.ext != "jsonl":
        # A source without a single row (possible in a small zone) still lands one header-only file, dated
        # the first day, so that every source shows up; days without rows land no file. JSON lines have no
        # header (an empty file would be quarantined for missing columns), so an empty app source lands none.
        files = [(f"{cal.dates(0)}.{source.ext}", 0, 0)]
    for file_name, begin, end in files:
        in_flight = folder / f".{file_name}.tmp"
        WRITERS[source.ext](table.iloc[begin:end], in_flight)
        os.replace(in_flight, folder / file_name)
    return Landed(files=len(files), rows=n, records=records, bad_rows=bad_rows)


# --------------------------------------------------------------------------- ground truth


def identifier_truth(world: World, store: pd.DataFrame) -> pd.DataFrame:
    """Every identifier value in its normal form and the people it belongs to (shared values: one row per user)."""
    person_ids = world.column("person_id")
    everyone = np.arange(len(person_ids))
    used_kiosks = store[store["device_id"].isin(world.stores["kiosk"])]

    def pairs(id_type: str, person: np.ndarray, values: np.ndarray) -> pd.DataFrame:
        present = pd.notna(values)
        return pd.DataFrame({"id_type": id_type, "id_value": values[present], "person_id": person_ids[person[present]]})

    def phones(national: np.ndarray) -> np.ndarray:
        return np.array([None if number is None else "1" + number for number in national], dtype=object)

    parts = [
        pairs("cookie_id", world.cookies["person"].to_numpy(), world.cookies["cookie_id"].to_numpy()),
        pairs("device_id", world.devices["person"].to_numpy(), world.devices["device_id"].to_numpy()),
        pairs("device_id", used_kiosks["_person"].to_numpy(), used_kiosks["device_id"].to_numpy()),
        pairs("account_id", everyone, world.column("account_id")),
        pairs("loyalty_id", everyone, world.column("loyalty_id")),
        pairs("loyalty_id", everyone, world.column("second_loyalty_id")),
        pairs("email", everyone, world.column("email")),
        pairs("email", everyone, world.column("second_email")),
        pairs("phone", everyone, phones(world.column("mobile"))),
        pairs("phone", everyone, phones(world.column("home_phone"))),
        pairs("payment_token", world.tokens["person"].to_numpy(), world.tokens["payment_token"].to_numpy()),
    ]
    return (
        pd.concat(parts, ignore_index=True).drop_duplicates().sort_values(["id_type", "id_value", "person_id"], ignore_index=True)
    )


def person_truth(world: World, intent: Intent, purchased_holdout: np.ndarray, erasure_day: np.ndarray) -> pd.DataFrame:
    """One row per person: who they are, where they live at the end, their hidden state and the holdout truth."""
    cal, catalog = world.cal, world.catalog
    household = world.column("household")
    moved_day = world.households["moved_day"].to_numpy()[household]
    person = np.arange(len(household))
    moved = moved_day >= 0
    canonical_style = np.full(len(person), 0.5)  # short suffix, no dots, mixed case
    address = {
        column: np.where(moved, new, old)
        for column, old, new in (
            (
                column,
                written_addresses(world, person, "", canonical_style)[column],
                written_addresses(world, person, "new_", canonical_style)[column],
            )
            for column in ("street", "city", "postcode", "state")
        )
    }
    focus_at_end = intent.focus[:, cal.days - 1]
    in_market_at_end = focus_at_end >= 0

    def dates_or_blank(day: np.ndarray) -> np.ndarray:
        return keep(cal.dates(np.maximum(day, 0)), day >= 0)

    return pd.DataFrame(
        {
            "person_id": world.column("person_id"),
            "household_id": world.households["household_id"].to_numpy()[household],
            "first_name": world.column("first_name"),
            "last_name": world.column("last_name"),
            "gender": world.column("gender"),
            "date_of_birth": np.datetime_as_string(world.column("birth").astype("datetime64[D]"), unit="D"),
            **address,
            "segment": world.column("segment"),
            "home_store": world.stores["store_id"].to_numpy()[world.column("home_store")],
            "has_account": pd.notna(world.column("account_id")).astype(int),
            "has_loyalty": pd.notna(world.column("loyalty_id")).astype(int),
            "entry_rate": world.column("entry").round(5),
            "persistence": world.column("persistence").round(4),
            "in_market_purchase_rate": world.column("buy_in_market").round(4),
            "baseline_purchase_rate": world.column("buy_baseline").round(5),
            "in_market_at_end": in_market_at_end.astype(int),
            "in_market_days_at_end": intent.streak_at_end,
            "in_market_category": take(
                CATEGORIES["category"].to_numpy(), np.where(in_market_at_end, catalog.category[np.maximum(focus_at_end, 0)], -1)
            ),
            "in_market_product": take(catalog.product_id, focus_at_end),
            "p_purchase_holdout": intent.p_holdout.round(6),
            "purchased_holdout": purchased_holdout.astype(int),
            "moved_on": dates_or_blank(moved_day),
            "erasure_requested_on": dates_or_blank(erasure_day),
        }
    )


def holdout_truth(world: World, orders: pd.DataFrame, lines: pd.DataFrame) -> pd.DataFrame:
    """The purchase lines of the holdout days, which never land."""
    cal, catalog = world.cal, world.catalog
    holdout = orders["day"].to_numpy()[lines["order"]] >= cal.days
    line = lines[holdout]
    order = orders.loc[line["order"]]
    product = line["product"].to_numpy()
    return pd.DataFrame(
        {
            "person_id": world.column("person_id")[order["person"].to_numpy()],
            "date": cal.dates(order["day"].to_numpy()),
            "channel": order["channel"].to_numpy(),
            "product_id": catalog.product_id[product],
            "category": CATEGORIES["category"].to_numpy()[catalog.category[product]],
            "amount": line["amount"].to_numpy(),
        }
    )


# --------------------------------------------------------------------------- entry point

RANDOM_STREAMS = (
    "world",
    "intent",
    "orders",
    "preferences",
    "email",
    "web",
    "app",
    "store",
    "pos",
    "rosters",
    "service",
    "erasure",
    "landing",
)


def generate(
    persons: int,
    days: int,
    seed: int,
    out: str | Path,
    end_date: dt.date | None = None,
    bad_row_rate: float = 0.001,
    horizon_days: int = 14,
) -> dict:
    """Write `out/landing` (the ten sources, extract dates end_date-days+1 … end_date) and `out/truth`.

    Replaces what an earlier run wrote there. `end_date` defaults to yesterday (UTC); about `bad_row_rate`
    of the rows are deliberately broken. Any persons >= 1 and days >= 1 work: a day without rows lands no
    file, and a source without any row (a small zone may have no store sale or no email) lands one
    header-only file dated the first day, except app, whose JSON lines have no header (its folder stays
    empty). The truth holds persons.csv (who people are, their hidden state and
    p_purchase_holdout for the `horizon_days` after end_date), identifiers.csv, records.csv (the person
    behind every clean landed row), holdout_purchases.csv, bad_rows.csv and meta.json. Returns a summary.
    """
    if persons < 1 or days < 1 or horizon_days < 1:
        raise ValueError("persons, days and horizon_days must be at least 1")
    if not 0 <= bad_row_rate < 1:
        raise ValueError("bad_row_rate must be in [0, 1)")
    if end_date is None:
        end_date = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    cal = Calendar(end_date - dt.timedelta(days=days - 1), days, horizon_days)
    rng = dict(zip(RANDOM_STREAMS, np.random.default_rng(seed).spawn(len(RANDOM_STREAMS))))

    world = build_world(rng["world"], persons, cal)
    intent = simulate_intent(rng["intent"], world)
    orders, lines = build_orders(rng["orders"], world, intent)
    preferences, consent = build_preferences(rng["preferences"], world)
    email, clicks = build_email(rng["email"], world, intent, consent)
    web, pickups = build_web(rng["web"], world, intent, orders, clicks)
    store = build_store(rng["store"], world, intent, orders, pickups)
    pos, transactions = build_pos(rng["pos"], world, orders, lines)
    accounts, loyalty = build_rosters(rng["rosters"], world, transactions)
    erasure, erasure_day = build_erasure(rng["erasure"], world)
    frames = {
        "web": web,
        "app": build_app(rng["app"], world, intent, orders, consent),
        "store": store,
        "pos": pos,
        "loyalty": loyalty,
        "accounts": accounts,
        "email": email,
        "service": build_service(rng["service"], world, intent, orders, transactions),
        "preferences": preferences,
        "erasure": erasure,
    }

    out = Path(out)
    landing, truth = out / "landing", out / "truth"
    for folder in [landing / source.name for source in SOURCES] + [truth]:
        shutil.rmtree(folder, ignore_errors=True)
    person_ids = np.r_[world.column("person_id"), [""]]  # index -1: no person
    landed = {
        source.name: land(rng["landing"], source, frames[source.name], cal, landing, person_ids, bad_row_rate)
        for source in SOURCES
    }

    truth.mkdir(parents=True)
    purchased_holdout = np.bincount(orders["person"].to_numpy()[orders["day"].to_numpy() >= cal.days], minlength=persons) > 0
    tables = {
        "persons": person_truth(world, intent, purchased_holdout, erasure_day),
        "identifiers": identifier_truth(world, store),
        "records": pd.concat([result.records for result in landed.values()], ignore_index=True),
        "holdout_purchases": holdout_truth(world, orders, lines),
        "bad_rows": pd.concat([result.bad_rows for result in landed.values()], ignore_index=True),
    }
    for name, table in tables.items():
        table.to_csv(truth / f"{name}.csv", index=False, lineterminator="\n")

    summary = {
        "persons": persons,
        "households": len(world.households),
        "days": days,
        "start_date": cal.start.isoformat(),
        "end_date": end_date.isoformat(),
        "horizon_days": horizon_days,
        "seed": seed,
        "files": {name: result.files for name, result in landed.items()},
        "rows": {name: result.rows for name, result in landed.items()},
        "bad_rows": len(tables["bad_rows"]),
        "holdout_purchase_rate": round(float(purchased_holdout.mean()), 4),
        "mean_p_purchase_holdout": round(float(intent.p_holdout.mean()), 4),
    }
    (truth / "meta.json").write_text(json.dumps({**summary, "bad_row_rate": bad_row_rate}, indent=2) + "\n")
    return summary
