"""Reference data the demo draws from: names, streets, cities, categories, customer segments, campaigns,
how sessions unfold, service reasons, and the constants of the hidden behaviour.

Tables and constants only, no draws: every other demo module reads them, so changing a value here changes
the generated data everywhere it is used.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd


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
        stem.rstrip("aeiouy") + ending
        for stem in SURNAMES
        if " " not in stem and "'" not in stem
        for ending in SURNAME_ENDINGS
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
EMAIL_DOMAINS = (
    "example.com",
    "example.net",
    "example.org",
    "mail.example.org",
    "inbox.example.com",
    "post.example.net",
)
EMAIL_DOMAIN_WEIGHTS = (0.3, 0.2, 0.15, 0.15, 0.1, 0.1)
EMAIL_PATTERNS = (
    "{f}.{l}",
    "{f}{l}",
    "{i}{l}",
    "{f}_{l}",
    "{l}.{f}",
    "{f}{l}{n}",
    "{i}{l}{n}",
    "{f}.{l}{n}",
    "{f}{n}",
)

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
PHONE_STYLES = (
    "({a}) {e}-{n}",
    "{a}.{e}.{n}",
    "+1 {a} {e} {n}",
    "001{a}{e}{n}",
    "{a}{e}{n}",
    "{a}-{e}-{n}",
    "1-{a}-{e}-{n}",
)
PHONE_STYLE_WEIGHTS = (0.25, 0.1, 0.15, 0.05, 0.2, 0.2, 0.05)


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
