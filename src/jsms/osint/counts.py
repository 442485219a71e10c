"""How many: counts of people written in digits or in words ("13", "twenty-five", "a dozen")."""

import re

from text_to_num import text2num

_UNITS = [
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_WORD = "|".join(sorted(_UNITS + _TENS + ["hundred", "thousand"], key=len, reverse=True))
# A count as it stands in a sentence: digits, number words, or the few idioms of news reports.
COUNT = (
    r"(?:\d{1,3}(?:,\d{3})+|\d+|a\s+dozen|(?:" + _WORD + r")(?:[\s-]+(?:and\s+)?(?:" + _WORD + r"))*"
    r"|an?|single|lone)"
)


def parse_count(text: str) -> int | None:
    """The number a count expression stands for; None when it is not one."""
    words = re.sub(r"\s+", " ", text.strip().lower())
    if not words:
        return None
    if words[0].isdigit():
        return int(words.replace(",", ""))
    if words in ("a", "an", "single", "lone"):
        return 1
    if words == "a dozen":
        return 12
    try:
        return text2num(words.replace(" and ", " "), "en")
    except ValueError:
        return None
