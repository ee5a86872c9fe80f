"""Nickname equivalence: Bill and William, Kate and Katherine are one first name.

Each group lists a formal name and the short forms and spellings people use
for it. A name may sit in several groups (Alex is short for Alexander and for
Alexandra); two names are equivalent when they share a group. A name in no
group borrows the groups of listed names one typing slip away, so a mistyped
nickname ("Mndy") still matches the formal name (Amanda).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import distance, process

NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("abigail", "abby", "abbie", "gail"),
    ("albert", "al", "bert", "bertie"),
    ("alexander", "alex", "alec", "sandy", "xander", "lex"),
    ("alexandra", "alex", "alexa", "lexi", "sandra", "sasha"),
    ("alfred", "alf", "alfie", "fred"),
    ("amanda", "mandy", "manda"),
    ("andrew", "andy", "drew"),
    ("anthony", "tony", "ant", "antony"),
    ("barbara", "barb", "babs", "barbie"),
    ("benjamin", "ben", "benny", "benji"),
    (
        "catherine",
        "katherine",
        "kathryn",
        "katharine",
        "kate",
        "katie",
        "kathy",
        "cathy",
        "kat",
        "kitty",
        "cate",
    ),
    ("charles", "charlie", "chuck", "chas", "chaz"),
    ("charlotte", "charlie", "lottie", "lotte"),
    ("christopher", "chris", "kit", "topher"),
    ("christine", "christina", "chris", "chrissy", "tina", "kristina", "kristine"),
    ("daniel", "dan", "danny"),
    ("david", "dave", "davey", "davy"),
    ("deborah", "debra", "deb", "debbie", "debby"),
    ("donald", "don", "donnie"),
    ("dorothy", "dot", "dottie", "dolly"),
    ("edward", "ed", "eddie", "eddy", "ted", "teddy", "ned"),
    ("eleanor", "elenor", "ellie", "nell", "nellie", "nora"),
    (
        "elizabeth",
        "liz",
        "lizzie",
        "lizzy",
        "beth",
        "betty",
        "bette",
        "eliza",
        "libby",
        "betsy",
        "bess",
        "elisabeth",
        "lisa",
    ),
    ("emily", "em", "emmy", "millie"),
    ("frances", "fran", "frankie"),
    ("francis", "frank", "frankie"),
    ("frederick", "fred", "freddie", "freddy"),
    ("gerald", "gerry", "jerry"),
    ("gregory", "greg"),
    ("harold", "harry", "hal"),
    ("henry", "harry", "hank", "hal"),
    ("isabella", "isabel", "isabelle", "bella", "izzy", "issy"),
    ("jacob", "jake"),
    ("jacqueline", "jackie", "jacqui"),
    ("james", "jim", "jimmy", "jamie", "jem"),
    ("jennifer", "jen", "jenny", "jenni"),
    ("jessica", "jess", "jessie"),
    ("john", "jack", "johnny", "jon", "jonny"),
    ("jonathan", "jon", "jonny", "nathan"),
    ("joseph", "joe", "joey"),
    ("joshua", "josh"),
    ("judith", "judy", "judi", "jude"),
    ("kenneth", "ken", "kenny"),
    ("kimberly", "kimberley", "kim"),
    ("lawrence", "laurence", "larry", "laurie"),
    ("leonard", "leo", "len", "lenny"),
    ("margaret", "maggie", "meg", "peggy", "marge", "margie", "greta", "maisie"),
    ("matthew", "matt", "matty"),
    ("michael", "mike", "mikey", "mick", "mickey", "mitch"),
    ("nathaniel", "nathan", "nate", "nat"),
    ("nicholas", "nick", "nicky", "nico"),
    ("nicole", "nikki", "nicky", "nic"),
    ("olivia", "liv", "livvy", "ollie"),
    ("oliver", "ollie", "olly"),
    ("patricia", "pat", "patty", "patsy", "trish", "tricia"),
    ("patrick", "pat", "paddy"),
    ("peter", "pete"),
    ("philip", "phillip", "phil", "pip"),
    ("raymond", "ray"),
    ("rebecca", "becky", "becca", "bec"),
    ("richard", "rick", "ricky", "rich", "richie", "dick"),
    ("robert", "bob", "bobby", "rob", "robbie", "bert"),
    ("ronald", "ron", "ronnie"),
    ("samantha", "sam", "sammy"),
    ("samuel", "sam", "sammy"),
    ("stephanie", "steph", "stevie"),
    ("stephen", "steven", "steve", "stevie"),
    ("susan", "sue", "susie", "suzy", "suzanne"),
    ("theodore", "theo", "ted", "teddy"),
    ("thomas", "tom", "tommy"),
    ("timothy", "tim", "timmy"),
    ("victoria", "vicky", "vicki", "tori"),
    ("william", "bill", "billy", "will", "willy", "willie", "liam"),
    ("zachary", "zach", "zack", "zak"),
    # more formal names and their short forms
    ("allison", "alison", "ally", "allie"),
    ("angela", "angie"),
    ("arthur", "art", "artie"),
    ("beverly", "bev"),
    ("bradley", "brad"),
    ("caroline", "carolyn", "carrie", "carol", "caro"),
    ("cassandra", "cassie", "sandy"),
    ("clifford", "cliff"),
    ("cynthia", "cindy", "cyndi"),
    ("danielle", "dani", "danni"),
    ("dominic", "dom", "nic"),
    ("douglas", "doug"),
    ("eugene", "gene"),
    ("florence", "flo"),
    ("franklin", "frank", "frankie"),
    ("gabriel", "gabe"),
    ("gabrielle", "gabby", "gabi"),
    ("gwendolyn", "gwen"),
    ("jeffrey", "geoffrey", "jeff", "geoff"),
    ("jeremy", "jerry"),
    ("joanne", "joanna", "jo"),
    ("josephine", "josie", "jo"),
    ("kathleen", "kathy", "kath", "kate", "katie"),
    ("lillian", "lily", "lil"),
    ("louis", "lou"),
    ("louise", "lou"),
    ("madeline", "madeleine", "maddie", "maddy"),
    ("martha", "marty", "mattie"),
    ("martin", "marty"),
    ("matilda", "mathilda", "tilly", "tilda"),
    ("maxwell", "maximilian", "max"),
    ("melissa", "missy", "mel", "lissa"),
    ("mitchell", "mitch"),
    ("natalie", "nat", "natty"),
    ("pamela", "pam"),
    ("penelope", "penny"),
    ("randall", "randy"),
    ("rosemary", "rose", "rosie"),
    ("russell", "russ"),
    ("sandra", "sandy"),
    ("sophia", "sophie"),
    ("stanley", "stan"),
    ("teresa", "theresa", "terri", "terry", "tess", "tessa"),
    ("terrence", "terence", "terry"),
    ("valerie", "val"),
    ("veronica", "ronnie", "nica"),
    ("vincent", "vince", "vinny", "vinnie"),
    ("virginia", "ginny", "ginger"),
    ("walter", "walt", "wally"),
)


def _group_masks() -> dict[str, int]:
    """Name -> bit mask of the groups it belongs to."""
    masks: dict[str, int] = {}
    for bit, group in enumerate(NICKNAME_GROUPS):
        for name in group:
            masks[name] = masks.get(name, 0) | (1 << bit)
    return masks


_GROUP_MASKS = _group_masks()
# Names at least this long that are in no group take the groups of the listed
# names (as long) one typing slip away ("mndy" is Mandy's, "dqm" Dom's); shorter
# ones are too easily another name.
FUZZY_MIN_LENGTH = 3
TYPO_MAX_RECORDS = 3
_LISTED_NAMES = sorted(name for name in _GROUP_MASKS if len(name) >= FUZZY_MIN_LENGTH)
_MASK_WORDS = (len(NICKNAME_GROUPS) + 63) // 64
# A name's blocking form: the formal name of its first group, so that Bill and
# William land in one block.
FORMAL_FIRST_NAME = {
    name: NICKNAME_GROUPS[(mask & -mask).bit_length() - 1][0] for name, mask in _GROUP_MASKS.items()
}


def formal_first_names(names: pd.Series) -> pd.Series:
    """Each normalised first name's formal form (itself when it is in no group)."""
    mapped = names.map(FORMAL_FIRST_NAME)
    return mapped.where(mapped.notna(), names)


def nickname_groups(names: np.ndarray, records: np.ndarray | None = None) -> np.ndarray:
    """(n, words) uint64 bit masks of the nickname groups each distinct name belongs to (0 for none).

    Two names are nickname-equivalent when their masks share a bit. A name in no group that is one
    slip (a letter mistyped or dropped, or two swapped) from listed names takes their groups,
    unless ``records`` (how many records carry each name) shows it in at least TYPO_MAX_RECORDS
    records: a name that common is a name of its own (Dana is no slip of Dan).
    """
    masks = [_GROUP_MASKS.get(name, 0) for name in names]
    records = np.zeros(len(names), np.int64) if records is None else np.asarray(records)
    unknown = [
        i
        for i, name in enumerate(names)
        if not masks[i] and len(name) >= FUZZY_MIN_LENGTH and records[i] < TYPO_MAX_RECORDS
    ]
    if unknown:
        edits = process.cdist(
            [names[i] for i in unknown],
            _LISTED_NAMES,
            scorer=distance.OSA.distance,
            score_cutoff=1,
            dtype=np.int32,
            workers=-1,
        )
        for row, column in zip(*np.nonzero(edits <= 1), strict=False):
            # a letter mistyped, swapped or dropped; one added makes names of their own (Dan -> Dana)
            if len(names[unknown[row]]) <= len(_LISTED_NAMES[column]):
                masks[unknown[row]] |= _GROUP_MASKS[_LISTED_NAMES[column]]
    words = [
        np.array([(mask >> (64 * w)) & 0xFFFFFFFFFFFFFFFF for mask in masks], dtype=np.uint64)
        for w in range(_MASK_WORDS)
    ]
    return np.stack(words, axis=1) if len(masks) else np.zeros((0, _MASK_WORDS), np.uint64)
