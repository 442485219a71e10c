"""From an article to the attacks it describes: rules over the words of news reports.

Each sentence that speaks of a concrete attack is a *mention*: its kind of attack, when, where, how
many were killed and injured (and how many of them protected nationals), whether protected
nationals were the target, who claimed it. Mentions of one attack — the lead, the paragraph on the
victims, the one on the claim — are folded into one incident when nothing they say disagrees.
A mention anchored by nothing ("a recent attack") adds to an incident but never makes one;
plural, vague mentions ("a string of attacks", "attacks in 2024") are not incidents at all.

Whether the article *reports* a new incident is a separate question: its headline and opening
sentences must be about an attack of the last week, not about talks or agreements that recall one.
Every value carries the span of text it came from and a confidence.
"""

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from jsms.osint.counts import COUNT, parse_count
from jsms.osint.dates import TimeRef, find_times
from jsms.osint.places import DISTRICT, PROVINCE, TOWN, GazetteerEntry, find_places, settle
from jsms.osint.text import Article, Sentence, read_article

RECENT_DAYS = 7  # "new" means within about a week before publication
NEARBY_DAYS = 3  # two mentions a few days apart may still be one attack

# Trigger words, most specific kind first. A generic word (attack, blast) says an attack happened
# but not what kind; the annotators' convention is to leave the kind open then.
_KINDS: tuple[tuple[str | None, str], ...] = (
    (
        "suicide_bombing",
        r"suicide\s+(?:bomb(?:er|ers|ing|ings)?|attack(?:er|ers|s)?|blast|car\s+bomb|vest|squad)"
        r"|self[- ]detonat\w*|blew\s+(?:himself|herself|themselves)\s+up|explosive[- ]laden\s+\w+"
        r"|vehicle[- ]borne|\bVBIEDs?\b|rammed\s+(?:an?\s+|his\s+)?(?:explosive|bomb)\w*",
    ),
    (
        "ied",
        r"\bIEDs?\b|improvised\s+explosive|roadside\s+bomb\w*"
        r"|remote[- ]controlled\s+(?:bomb|device|blast|explosi\w+)"
        r"|planted\s+(?:bomb|explosive)\w*|(?:bomb|explosives?)\s+(?:was\s+|had\s+been\s+)?planted|landmine\w*"
        r"|magnetic\s+bomb|sticky\s+bomb",
    ),
    ("rocket_grenade", r"\brockets?\b|\brocket-propelled\b|grenades?\b|\bRPGs?\b|\bmortars?\b"),
    (
        "kidnapping",
        r"kidnap\w*|abduct\w*|hijack\w*|hostage[- ]taking"
        r"|(?:taken|held|took|taking)\s+(?:[\w-]+\s+){0,4}?hostages?",
    ),
    (
        "armed_attack",
        r"gunm[ae]n|opened\s+fire|open\s+fire|fired\s+(?:at|on|upon)|shot\s+(?:dead|at|and\s+(?:killed|wounded|injured))"
        r"|shooting|gun\s+attack|armed\s+(?:attack|assault|men|assailants|militants)|ambush\w*|stormed"
        r"|gunfire|firing\s+(?:on|at)|shootout|gunshot",
    ),
    (
        "foiled_plot",
        r"\bfoiled\b|\bthwarted\b|\baverted\b|\bdefused\b|\bfoil(?:ing)?\s+(?:a|an|the)\s+\w*\s*(?:plot|attack|bid)",
    ),
    (
        None,
        r"\b(?:was|were)\s+(?:hit|struck|targeted|attacked|ambushed)\b|\bbomb(?:ing|ed|er)?s?\b|\bblasts?\b|\bexplosions?\b|\battack(?:s|ed|ing)?\b|\bassault\b|\bambush\b|\bterror\s+strike\b",
    ),
)
_KIND_PRIORITY = ("kidnapping", "suicide_bombing", "ied", "armed_attack", "rocket_grenade", "foiled_plot")
_TRIGGERS = [(kind, re.compile(pattern, re.I)) for kind, pattern in _KINDS]
_PLURAL_GENERIC = re.compile(
    r"^(?:attacks|bombings|blasts|explosions|incidents|assaults|ambushes|shootings|kidnappings)$", re.I
)
# Words that make an attack hypothetical or general rather than an event that happened.
_NOT_AN_EVENT = re.compile(
    r"\b(?:prevent(?:ing)?|avert future|threats?\s+of|could|would|might|may|possible|potential|future|"
    r"fear(?:s|ed)?\s+of|risk\s+of|vulnerab\w+|counter(?:ing)?[- ]terror\w*|in\s+case\s+of)\b",
    re.I,
)
_BACKGROUND = re.compile(
    r"\b(?:following|after|since|in\s+the\s+wake\s+of|days\s+(?:before|after)|weeks\s+(?:before|after)|"
    r"months\s+(?:before|after)|amid|recalled|recalling|previous|earlier|string\s+of|spate\s+of|series\s+of|"
    r"history\s+of|last\s+(?:month|year)|in\s+the\s+past)\b",
    re.I,
)
_TALKS = re.compile(
    r"\b(?:talks?|meeting|met|discuss\w*|agree\w*|agreement|MoUs?|memorand\w+|pacts?|visit\w*|cooperation|"
    r"dialogue|mechanism|plan|strategy|proposal|summit|conference|delegation|pledge\w*|vow\w*|urge\w*|"
    r"push\w*|lauds?|lauded|praise\w*|compensation|security\s+measures|co-chair\w*|working\s+group)\b",
    re.I,
)

# Who: the protected nationality, and the groups that claim attacks (a claim names one of these, or
# a capitalised name before "claimed responsibility").
PROTECTED = re.compile(r"\bChinese\b|\bChina'?s\s+(?:nationals|citizens|workers|engineers)\b", re.I)
_TARGET_WORDS = (
    r"(?:nationals?|citizens?|engineers?|workers?|employees?|staff|teachers?|professors?|experts?|convoy|bus"
    r"|vehicle|personnel|people|man|woman|men|women|tourists?|consulate|project|company|firm|interests?"
    r"|investors?|dentist|doctor)"
)
_TARGETED = re.compile(
    r"\b(?:target(?:ed|ing|s)?|on|at|against|aimed\s+at|carrying|transporting|escorting|of|killing|injuring|wounding|hit)\s+(?:a\s+|the\s+|two\s+|three\s+|\w+\s+)?(?:convoy\s+of\s+|group\s+of\s+|vehicle\s+carrying\s+)?Chinese\b"
    rf"|\bChinese\s+(?:\w+\s+)?{_TARGET_WORDS}\b",
    re.I,
)
GROUPS: tuple[tuple[str, str], ...] = (
    ("Majid Brigade", r"Majeed\s+Brigade|Majid\s+Brigade"),
    ("Balochistan Liberation Army (BLA)", r"Baloch(?:istan)?\s+Liberation\s+Army|\bBLA\b"),
    ("Balochistan Liberation Front (BLF)", r"Baloch(?:istan)?\s+Liberation\s+Front|\bBLF\b"),
    ("Baloch Raaji Aajoi Sangar (BRAS)", r"Baloch\s+Raaji\s+Aajoi\s+Sangar|\bBRAS\b"),
    (
        "Tehreek-e-Taliban Pakistan (TTP)",
        r"Tehr[ei]e?k[- ]e[- ]Taliban(?:\s+Pakistan)?|Pakistani\s+Taliban|\bTTP\b",
    ),
    (
        "Islamic State Khorasan Province (ISKP)",
        r"Islamic\s+State[- ]Khorasan(?:\s+Province)?|\bIS-?KP?\b|\bISIS-K\b|Daesh",
    ),
    (
        "East Turkestan Islamic Movement (ETIM)",
        r"East\s+Turkestan\s+Islamic\s+Movement|\bETIM\b|Turkistan\s+Islamic\s+Party|\bTIP\b",
    ),
    ("Sindhudesh Revolutionary Army (SRA)", r"Sindhudesh\s+Revolutionary\s+Army|\bSRA\b"),
    ("Jamaat-ul-Ahrar", r"Jama'?at[- ]ul[- ]Ahrar"),
    ("Lashkar-e-Jhangvi", r"Lashkar[- ]e[- ]Jhangvi|\bLeJ\b"),
    ("Jaish-ul-Adl", r"Jaish[- ]ul[- ]Adl"),
    ("Hafiz Gul Bahadur group", r"Hafiz\s+Gul\s+Bahadur"),
    ("Tehreek-e-Jihad Pakistan (TJP)", r"Tehreek[- ]e[- ]Jihad(?:\s+Pakistan)?|\bTJP\b"),
    ("Ittehad-ul-Mujahideen Pakistan", r"Ittehad[- ]ul[- ]Mujahideen"),
)
_GROUPS = [(name, re.compile(pattern, re.I)) for name, pattern in GROUPS]
_CLAIM = re.compile(
    r"claim(?:ed|s|ing)?\s+(?:the\s+)?(?:responsibility|credit|the\s+attack|the\s+bombing)|responsibility\s+(?:for|was)"
    r"|claimed\s+by|(?:carried\s+out|was\s+behind|were\s+behind)\s+the\s+(?:\w+\s+)?(?:attack|bombing|assault)"
    r"|said\s+(?:its|their)\s+(?:fighters|men|militants|members|cadres|bombers?)\s+(?:had\s+)?(?:targeted|attacked|carried\s+out)",
    re.I,
)
# Where one sentence tells of two attacks ("the Besham attack in March, and the bombing near Karachi
# airport last month"), each clause is read on its own.
_CLAUSE_BREAK = re.compile(
    r";\s+|,?\s+and\s+(?:of\s+|in\s+|on\s+)?(?=(?:the|a|an)\s+(?:[\w-]+\s+){0,2}"
    r"(?:attack|bombing|blast|assault|ambush|explosion|kidnapping|shooting)\b)",
    re.I,
)
_CLAIMER = re.compile(
    r"(?:the\s+)?(?P<name>(?:[A-Z][\w'-]+\s+){0,5}[A-Z][\w'-]+)(?:\s+\([A-Z-]+\))?,?\s+(?:[^.]{0,80}?\s+)?"
    r"(?:has\s+|have\s+|had\s+)?(?:reportedly\s+|swiftly\s+|quickly\s+|later\s+)?claimed\s+(?:responsibility|credit)"
)

# How many: "killing two and injuring one", "three Chinese professors were slain", "13 dead".
_KILLED = (
    r"(?:killed|dead|died|slain|martyred|lost\s+(?:their|his|her)\s+lives?|perished|shot\s+dead|succumbed)"
)
_INJURED = r"(?:injured|wounded|hurt|injuries|critically\s+injured)"
_LEAD = (
    r"(?:at\s+least\s+|as\s+many\s+as\s+|some\s+|about\s+|around\s+|nearly\s+|more\s+than\s+|over\s+"
    r"|another\s+|all\s+)?"
)
_NOUN_PHRASE = r"(?P<np>(?:[\w'’-]+,?\s+){0,8}?)"
# After a verb ("killing five Chinese nationals and their driver"): the words up to the clause's end.
_NOUN_PHRASE_AFTER = (
    r"(?P<np>(?:(?!(?:in|on|at|near|when|after|as|while|with|during|outside|inside|and\s+(?:injur|wound|leav|hurt))\b)"
    r"[\w'’-]+\s*){0,7})"
)
_CASUALTY_PATTERNS = (
    # "killing two", "leaving 13 dead", "injuring at least five Chinese nationals"
    (
        "killed",
        re.compile(
            rf"\b(?:killing|killed|claimed\s+the\s+lives\s+of)\s+{_LEAD}(?P<n>{COUNT})\b\s*{_NOUN_PHRASE_AFTER}",
            re.I,
        ),
    ),
    (
        "killed",
        re.compile(rf"\b(?:left|leaving)\s+{_LEAD}(?P<n>{COUNT})\s+{_NOUN_PHRASE}(?:dead|killed)\b", re.I),
    ),
    (
        "injured",
        re.compile(
            rf"\b(?:injuring|wounding|injured|wounded|hurting)\s+{_LEAD}(?P<n>{COUNT})\b\s*{_NOUN_PHRASE_AFTER}",
            re.I,
        ),
    ),
    # "two Chinese engineers lost their lives", "13 people were killed", "nine dead"
    (
        "killed",
        re.compile(
            rf"(?<![\w-])(?P<n>{COUNT})\s+{_NOUN_PHRASE}(?:(?:were|was|have\s+been|had\s+been|are|is|got|being)\s+)?(?:reportedly\s+|also\s+|all\s+)?{_KILLED}",
            re.I,
        ),
    ),
    (
        "injured",
        re.compile(
            rf"(?<![\w-])(?P<n>{COUNT})\s+{_NOUN_PHRASE}(?:(?:were|was|have\s+been|had\s+been|are|is|got|being)\s+)?(?:reportedly\s+|also\s+|all\s+)?{_INJURED}",
            re.I,
        ),
    ),
    (
        "killed",
        re.compile(
            rf"death\s+toll\s+(?:\w+\s+){{0,3}}?(?:to|at|of)\s+{_LEAD}(?P<n>{COUNT})\b\s*{_NOUN_PHRASE}", re.I
        ),
    ),  # "the number of people killed in Monday's bombing ... rose to 100"
    (
        "killed",
        re.compile(
            rf"number\s+of\s+(?:people|persons|those|victims|dead)\s+(?:killed\s+)?[^.;]{{0,120}}?"
            rf"\b(?:rose|climbed|increased|jumped|reached|stood\s+at)\s+(?:to\s+)?(?P<n>{COUNT})\b",
            re.I,
        ),
    ),
)
_INCLUDING = re.compile(
    rf"\b(?:including|among\s+them|of\s+(?:them|whom))\s+(?P<n>{COUNT})\s+(?P<np>Chinese|[\w-]+\s+Chinese)"
    rf"|\b(?P<n2>{COUNT})\s+of\s+(?:them|whom)\s+(?:were\s+)?Chinese",
    re.I,
)
_NONE_PROTECTED = re.compile(
    r"\b(?:none\s+of\s+the\s+Chinese|no\s+Chinese)\b[^.]{0,40}?\b(?:was|were)\s+(?:\w+\s+)?(?:harmed|hurt|injured|killed)",
    re.I,
)
_ATTACKERS = re.compile(
    r"\b(?:attackers?|assailants?|militants?|terrorists?|gunmen|bombers?|insurgents?|suspects?|assassins?)\b",
    re.I,
)
_OTHER_NATIONALITY = re.compile(
    r"\b(?:Pakistani|local|Baloch|Afghan|police|policemen|security|soldiers?|guards?|troops|personnel|driver)\b",
    re.I,
)
_DATELINE = re.compile(
    r"[A-Z][A-Z .-]+(?:,\s*[A-Za-z ]+)?\s*(?::|\(\w+\)\s*[-—–])"
)  # "ISLAMABAD:", "KARACHI (Reuters) -"
_NUMBER_WORDS_NOT_COUNTS = re.compile(r"^(?:one|a|an)$", re.I)
# A toll as read: in all, of the protected nationality, of others (the driver, the guards).
TOLLS = ("killed", "injured", "killed_protected", "injured_protected", "killed_others", "injured_others")


@dataclass
class Evidence:
    """Where in the article a value came from."""

    field: str
    value: Any
    start: int
    end: int
    text: str
    confidence: float


@dataclass
class Mention:
    sentence: Sentence
    kinds: list[tuple[str, int, int, str]]  # (kind, start, end, text), kind "" when generic
    time: TimeRef | None = None
    place: GazetteerEntry | None = None
    place_span: tuple[int, int, str] | None = None
    tolls: dict[str, tuple[int, Evidence]] = field(default_factory=dict)  # TOLLS → (count, evidence)
    protected_targeted: Evidence | None = None
    claimed_by: Evidence | None = None
    background: bool = False
    loose: bool = False  # tells more of an attack named elsewhere, never names one itself

    @property
    def kind(self) -> str | None:
        """The most telling kind the words give: gunmen who abduct someone make a kidnapping."""
        specific = {k for k, *_ in self.kinds if k}
        return next((k for k in _KIND_PRIORITY if k in specific), None)

    @property
    def anchored(self) -> bool:
        return not self.loose and bool(
            self.time or (self.place and self.place.rank < PROVINCE) or self.tolls or self.kind
        )

    def says(self, *tolls: str) -> bool:
        """The mention gives one of these tolls (a toll of none counts: it was said)."""
        return any(name in self.tolls for name in tolls)

    def toll(self, name: str) -> int | None:
        return self.tolls[name][0] if name in self.tolls else None


@dataclass
class Incident:
    """One attack as the article describes it, with the evidence of each value."""

    mentions: list[Mention]
    date: str | None = None
    precision: str | None = None
    place: str | None = None
    district: str | None = None
    province: str | None = None
    lat: float | None = None
    lon: float | None = None
    event_type: str | None = None
    killed: int | None = None
    killed_protected: int | None = None
    injured: int | None = None
    targets_protected: bool = False
    claimed_by: str | None = None
    new: bool = False
    evidence: list[Evidence] = field(default_factory=list)
    confidence: float = 0.0

    def as_contract(self) -> dict[str, Any]:
        """The fields of `jsms osint extract --format jsonl` (the dev set's names)."""
        return {
            "date": self.date,
            "place": self.place,
            "district": self.district,
            "province": self.province,
            "event_type": self.event_type,
            "killed": self.killed,
            "killed_chinese": self.killed_protected,
            "injured": self.injured,
            "targets_chinese": self.targets_protected,
            "claimed_by": self.claimed_by,
            "lat": self.lat,
            "lon": self.lon,
        }


@dataclass
class Extraction:
    article: Article
    reports_new_incident: bool
    new_incident_confidence: float
    incidents: list[Incident]

    def as_contract(self, file: str) -> dict[str, Any]:
        return {
            "file": file,
            "published": self.article.published.isoformat() if self.article.published else None,
            "reports_new_incident": self.reports_new_incident,
            "incidents": [incident.as_contract() for incident in self.incidents],
        }


# ---- mentions ----------------------------------------------------------------------------


def _triggers(text: str) -> list[tuple[str, int, int, str]]:
    found: list[tuple[str, int, int, str]] = []
    for kind, pattern in _TRIGGERS:
        for m in pattern.finditer(text):
            if any(m.start() < end and start < m.end() for _, start, end, _ in found):
                continue
            found.append((kind or "", m.start(), m.end(), m.group(0)))
    return sorted(found, key=lambda t: t[1])


def _singular_event(kinds: list[tuple[str, int, int, str]]) -> bool:
    """Some trigger names one attack: a specific kind, a singular noun or a verb ("attacks in
    2024" names none)."""
    return any(kind or not _PLURAL_GENERIC.match(word) for kind, _, _, word in kinds)


def _counts(sentence: Sentence) -> dict[str, tuple[int, Evidence]]:
    """Killed and injured, in all and of the protected nationality, in one sentence."""
    text = sentence.text
    found: dict[str, tuple[int, Evidence]] = {}
    for outcome, pattern in _CASUALTY_PATTERNS:
        for m in _overlapping(pattern, text):
            words = m.group("n")
            n = parse_count(words)
            noun_phrase = m.groupdict().get("np") or ""
            if n is None or n > 5_000 or (re.fullmatch(r"\d{4}", words) and 1900 < n < 2100):
                continue  # a year, not a count
            verb_first = m.start("n") > m.start()
            if (
                not verb_first
                and _NUMBER_WORDS_NOT_COUNTS.match(words)
                and not re.search(
                    r"\b(?:person|man|woman|national|citizen|engineer|worker|driver|policeman|soldier|guard|child|Chinese)\b",
                    noun_phrase + text[m.end() : m.end() + 30],
                    re.I,
                )
            ):
                continue  # "one of the", "a major breach": not a casualty count
            if _ATTACKERS.search(noun_phrase):
                continue  # the attackers' own dead are not the attack's victims
            written = m.group(0).rstrip()
            span = (sentence.start + m.start(), sentence.start + m.start() + len(written), written)
            head, _, tail = noun_phrase.partition(" and ")
            head = head.split(",")[0]  # "six people, five of them Chinese": the six are everyone
            if PROTECTED.search(head):
                _keep(found, f"{outcome}_protected", n, span)
            elif _OTHER_NATIONALITY.search(head):
                _keep(found, f"{outcome}_others", n, span)  # a part of the toll (the driver, the guards)
            else:
                _keep(found, outcome, n, span)
            if tail and PROTECTED.search(head):
                # "five Chinese nationals and their Pakistani driver": the rest of the toll
                lead = re.match(rf"(?:{_LEAD})(?P<n>{COUNT})\b", tail, re.I)
                others = (
                    parse_count(lead.group("n"))
                    if lead
                    else (1 if re.match(r"(?:their|his|her|its|the|a|an)\s", tail, re.I) else None)
                )
                if others:
                    _keep(found, f"{outcome}_others", others, span)
    for m in _INCLUDING.finditer(text):
        n = parse_count(m.group("n") or m.group("n2"))
        if n is None:
            continue
        before = text[: m.start()]
        outcome = (
            "injured_protected"
            if re.search(_INJURED + r"[^.]*$", before, re.I)
            and not re.search(_KILLED + r"[^,]*$", before, re.I)
            else "killed_protected"
        )
        found.setdefault(outcome, (n, _evidence_of(sentence, m, outcome, n, 0.7)))
    m = _NONE_PROTECTED.search(text)
    if m:
        found.setdefault("killed_protected", (0, _evidence_of(sentence, m, "killed_protected", 0, 0.7)))
    return found


def _evidence_of(sentence: Sentence, m: re.Match, name: str, value: Any, confidence: float) -> Evidence:
    """A match in a sentence as evidence, its span in the article's text."""
    return Evidence(name, value, sentence.start + m.start(), sentence.start + m.end(), m.group(0), confidence)


def _overlapping(pattern: re.Pattern, text: str):
    """Every match, also those starting inside another ("nine Chinese were among 13 people killed")."""
    position = 0
    while (m := pattern.search(text, position)) is not None:
        yield m
        position = m.start() + 1


def _keep(found: dict[str, tuple[int, Evidence]], key: str, n: int, span: tuple[int, int, str]) -> None:
    """The largest count of each kind in a sentence (a toll is restated as it rises)."""
    if key not in found or n > found[key][0]:
        found[key] = (n, Evidence(key, n, *span, 0.8))


def _claim(sentence: Sentence) -> Evidence | None:
    text = sentence.text
    if not _CLAIM.search(text):
        return None
    for name, pattern in _GROUPS:
        m = pattern.search(text)
        if m:
            written = re.sub(r"\s+", " ", m.group(0))
            value = name if _words(written) <= _words(name) else f"{written} ({name})"
            return _evidence_of(sentence, m, "claimed_by", value, 0.85)
    m = _CLAIMER.search(text)
    if m and not re.match(r"(?:No|Nobody|None|The|It|This|Police|Officials?)\b", m.group("name")):
        return Evidence(
            "claimed_by",
            m.group("name"),
            sentence.start + m.start("name"),
            sentence.start + m.end("name"),
            m.group("name"),
            0.5,
        )
    return None


def _mentions_in(sentence: Sentence, article: Article, provinces_named: set[str]) -> list[Mention]:
    mentions = []
    start = 0
    for m in [*_CLAUSE_BREAK.finditer(sentence.text), None]:
        end = m.start() if m else len(sentence.text)
        clause = sentence.text[start:end]
        if clause.strip():
            part = Sentence(clause, sentence.start + start, sentence.start + end, sentence.index)
            mentions += _mention_in(part, article, provinces_named)
        start = m.end() if m else end
    return mentions


def _mention_in(sentence: Sentence, article: Article, provinces_named: set[str]) -> list[Mention]:
    """The attack this clause speaks of, if any. A sentence with only a toll or a claim in it
    ("28 others were injured") tells more of an attack named elsewhere: it is a loose mention."""
    text = sentence.text
    kinds = _triggers(text)
    event = bool(kinds) and _singular_event(kinds)
    counts = _counts(sentence)
    claim = _claim(sentence)
    if not event and not counts and not claim:
        return []
    times = find_times(text, article.published)
    if (
        event
        and not counts
        and not times
        and _NOT_AN_EVENT.search(text)
        and not any(k for k, *_ in kinds if k)
    ):
        return []  # "to prevent attacks", "the threat of an attack"
    mention = Mention(sentence, kinds if event else [])
    mention.loose = not event or _refers_to_named_attack(text, kinds, times)
    anchor = kinds[0][1] if kinds else 0
    if times:
        closest = min(times, key=lambda t: abs(t.start - anchor))
        mention.time = TimeRef(
            closest.day,
            closest.precision,
            sentence.start + closest.start,
            sentence.start + closest.end,
            closest.text,
        )
    _place_mention(mention, text, anchor, provinces_named)
    mention.tolls = counts
    m = _TARGETED.search(text)
    if m or mention.says("killed_protected", "injured_protected"):
        span = (
            (sentence.start + m.start(), sentence.start + m.end(), m.group(0))
            if m
            else (sentence.start, sentence.end, text)
        )
        mention.protected_targeted = Evidence("targets_protected", True, *span, 0.75)
    mention.claimed_by = claim
    mention.background = bool(_BACKGROUND.search(text[: anchor + 1])) or bool(
        re.search(r"\b(?:last|past)\s+(?:month|year)|\bin\s+(?:19|20)\d\d\b", text, re.I)
    )
    return [mention]


_LOCATIVE = re.compile(
    r"(?:\b(?:in|near|at|outside|inside|on|around|off|of|into|close\s+to|stormed|attacked|targeted|raided|struck|hit|bombed)\s+(?:the\s+|a\s+)?(?:\w+\s+){0,2})$",
    re.I,
)
_NOT_THE_SCENE = re.compile(
    r"\b(?:embassy|consulate|office|ministry|government|headquarters|spokes\w+|officials?|police\s+chief|court|hospital)\s+(?:in|of|at)\s+$",
    re.I,
)
_DEFINITE = re.compile(r"\b(?:the|this|that|its|their)\s+(?:\w+\s+)?$", re.I)


def _refers_to_named_attack(text: str, kinds, times) -> bool:
    """ "The bombing", "this attack": an attack the article has named already (unless dated here)."""
    if times or any(kind for kind, *_ in kinds):
        return False
    return all(_DEFINITE.search(text[:start]) for _, start, _, _ in kinds)


def _place_mention(mention: Mention, text: str, anchor: int, provinces_named: set[str]) -> None:
    """Where the attack happened: a place the sentence puts it in ("near Besham", "in Shangla
    district", "the Karachi airport attack"), not every place it names (the embassy in Islamabad)."""
    scene = []
    for p in find_places(text):
        before = text[max(0, p.start - 40) : p.start]
        if _DATELINE.match(text[p.start :]) or _NOT_THE_SCENE.search(before):
            continue
        modifier = _triggers(text[p.end : p.end + 25])
        if _LOCATIVE.search(before) or (modifier and modifier[0][1] <= 12):
            scene.append((p, settle(p, provinces_named)))
    if not scene:
        return
    # The most specific place, and of equals the one nearest the attack's words.
    p, entry = min(
        scene,
        key=lambda pe: (pe[1].rank if pe[1].rank != DISTRICT else TOWN + 0.5, abs(pe[0].start - anchor)),
    )
    mention.place, mention.place_span = (
        entry,
        (mention.sentence.start + p.start, mention.sentence.start + p.end, p.text),
    )


# ---- incidents ---------------------------------------------------------------------------


def _conflict(a: Mention, b: Incident) -> bool:
    """Would this mention contradict what the incident already says?"""
    if a.time and b.date:
        other = _ref_of(b)
        apart = abs((a.time.day - other[0]).days)
        if apart > (NEARBY_DAYS if a.time.precision == other[1] == "day" else 31):
            return True
    if a.place and a.place.rank < PROVINCE and b.province and a.place.province != _province_code(b):
        return True
    if a.place and a.place.rank <= DISTRICT and a.place.district and b.district:
        return _district_of(b) != a.place.district
    a_kind = a.kind
    if (
        a_kind
        and b.event_type
        and a_kind != b.event_type
        and "foiled_plot" not in (a_kind, b.event_type)
        and {a_kind, b.event_type} not in _COMPATIBLE_KINDS
    ):
        return True
    killed = a.toll("killed")
    return bool(killed is not None and b.killed and abs(killed - b.killed) > max(3, b.killed // 2))


_COMPATIBLE_KINDS = [
    {"suicide_bombing", "ied"},
    {"armed_attack", "rocket_grenade"},
    {"armed_attack", "suicide_bombing"},
]


def _ref_of(incident: Incident) -> tuple[date, str]:
    for mention in incident.mentions:
        if mention.time:
            return mention.time.day, mention.time.precision
    raise ValueError("incident without a date")


def _province_code(incident: Incident) -> str | None:
    for mention in incident.mentions:
        if mention.place and mention.place.province:
            return mention.place.province
    return None


def _district_of(incident: Incident) -> str | None:
    for mention in incident.mentions:
        if mention.place and mention.place.district:
            return mention.place.district
    return None


def _absorb(incident: Incident, mention: Mention) -> None:
    incident.mentions.append(mention)
    _settle_fields(incident)


def _settle_fields(incident: Incident) -> None:
    """Each field from the best mention that gives it."""
    mentions = incident.mentions
    timed = [m for m in mentions if m.time]
    if timed:
        best = min(timed, key=lambda m: (m.time.precision != "day", m.sentence.index))
        incident.date, incident.precision = best.time.iso(), best.time.precision
    placed = [m for m in mentions if m.place]
    if placed:
        best = min(placed, key=lambda m: (m.place.rank, m.sentence.index))
        incident.place = _as_written(best) if best.place.rank < PROVINCE else None
        incident.district = best.place.district_name if best.place.rank < PROVINCE else None
        incident.province = best.place.province_name
        if best.place.rank < PROVINCE:
            incident.lat, incident.lon = best.place.lat, best.place.lon
    kinds = [m.kind for m in mentions if m.kind]
    hurt = any(m.says(*(name for name in TOLLS if name != "injured_others")) for m in mentions)
    if hurt or len(set(kinds)) > 1:
        kinds = [k for k in kinds if k != "foiled_plot"]  # people died: an attack, not a foiled plot
    incident.event_type = _most_specific(kinds)
    found = {}
    for name in TOLLS:
        values = [m.toll(name) for m in mentions if name in m.tolls]
        found[name] = max(values) if values else None
    incident.killed_protected = found["killed_protected"]
    for outcome in ("killed", "injured"):
        total = found[outcome]
        parts = [found[f"{outcome}_protected"], found[f"{outcome}_others"]]
        if total is None and any(parts):
            total = sum(p or 0 for p in parts)  # "five Chinese and their Pakistani driver"
        setattr(incident, outcome, total)
    if (
        incident.killed is not None
        and incident.killed_protected is not None
        and incident.killed_protected > incident.killed
    ):
        incident.killed = None  # the total we read was a part of the toll
    incident.targets_protected = any(m.protected_targeted for m in mentions)
    claims = [m.claimed_by for m in mentions if m.claimed_by]
    incident.claimed_by = max(claims, key=lambda e: e.confidence).value if claims else None


def _as_written(mention: Mention) -> str:
    """The place as the article spells it, and the gazetteer's name beside it where they differ."""
    written = (
        re.sub(r"(?:'s|’s|`s)$", "", mention.place_span[2]) if mention.place_span else mention.place.name
    )
    return written if _words(written) >= _words(mention.place.name) else f"{written} ({mention.place.name})"


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def _most_specific(kinds: list[str]) -> str | None:
    if not kinds:
        return None
    order = ("suicide_bombing", "kidnapping", "rocket_grenade", "ied", "armed_attack", "foiled_plot", "other")
    counted = {k: kinds.count(k) for k in kinds}
    if "suicide_bombing" in counted:
        return "suicide_bombing"
    return max(counted, key=lambda k: (counted[k], -order.index(k)))


def _evidence(incident: Incident) -> list[Evidence]:
    items: list[Evidence] = []
    for m in incident.mentions:
        for kind, start, end, word in m.kinds:
            if kind:
                items.append(
                    Evidence("event_type", kind, m.sentence.start + start, m.sentence.start + end, word, 0.8)
                )
        if m.time:
            items.append(
                Evidence(
                    "date",
                    m.time.iso(),
                    m.time.start,
                    m.time.end,
                    m.time.text,
                    0.8 if m.time.precision == "day" else 0.6,
                )
            )
        if m.place_span:
            items.append(
                Evidence("place", m.place.name, *m.place_span, 0.8 if m.place.rank < PROVINCE else 0.5)
            )
        items += [m.tolls[name][1] for name in TOLLS if name in m.tolls]
        if m.protected_targeted:
            items.append(m.protected_targeted)
        if m.claimed_by:
            items.append(m.claimed_by)
    return items


def _fold(mentions: list[Mention]) -> list[Incident]:
    incidents: list[Incident] = []
    loose: list[Mention] = []
    for mention in mentions:
        if not mention.anchored:
            loose.append(mention)
            continue
        # The latest incident it agrees with (reports tell one story at a time).
        for incident in reversed(incidents):
            if not _conflict(mention, incident) and _refers_back(mention, incident):
                _absorb(incident, mention)
                break
        else:
            incident = Incident([mention])
            _settle_fields(incident)
            incidents.append(incident)
    for mention in loose:
        target = _nearest(incidents, mention)
        if target is not None:
            _absorb(target, mention)
    return incidents


def _refers_back(mention: Mention, incident: Incident) -> bool:
    """A mention with its own place and date that match nothing of the incident starts a new one
    unless the words tie them; otherwise it tells more of the same attack."""
    if mention.place and mention.place.rank < PROVINCE and incident.place and incident.district:
        return mention.place.district == _district_of(incident) or mention.place.name == incident.place
    return True


def _nearest(incidents: list[Incident], mention: Mention) -> Incident | None:
    candidates = [i for i in incidents if not _conflict(mention, i)]
    if not candidates:
        return None
    return min(
        candidates, key=lambda i: min(abs(m.sentence.index - mention.sentence.index) for m in i.mentions)
    )


# ---- the article -------------------------------------------------------------------------


def _is_recent(incident: Incident, published: date | None) -> bool:
    if published is None or incident.date is None:
        return incident.date is None
    day, precision = _ref_of(incident)
    if precision == "day":
        return timedelta(days=-1) <= published - day <= timedelta(days=RECENT_DAYS)
    return (day.year, day.month) == (published.year, published.month) and not any(
        m.background for m in incident.mentions if m.time
    )


def _lead_indexes(article: Article) -> set[int]:
    """The sentences a reader takes for the story: the headline's and the first three of the body."""
    body = [s for s in article.sentences if len(s.text.split()) > 6 and s.text != article.title]
    return {s.index for s in body[:3]}


def _new_incident(article: Article, incidents: list[Incident]) -> tuple[Incident | None, float]:
    """The incident the article reports as its news, if any, and how sure that is."""
    title = article.title
    title_kinds = _triggers(title)
    title_attack = (bool(title_kinds) and _singular_event(title_kinds)) or bool(
        re.search(rf"{_KILLED}|{_INJURED}|kidnap|abduct", title, re.I)
    )
    title_talks = bool(_TALKS.search(title))
    lead = _lead_indexes(article)
    best, best_score = None, 0.0
    for incident in incidents:
        in_lead = [m for m in incident.mentions if m.sentence.index in lead or m.sentence.text == title]
        if not in_lead:
            continue
        score = 0.4
        if title_attack:
            score += 0.3
        if title_talks and not title_attack:
            score -= 0.5
        if all(m.background for m in in_lead):
            score -= 0.4
        if any(m.says("killed", "injured", "killed_protected") or m.kind for m in in_lead):
            score += 0.15
        if not _is_recent(incident, article.published):
            score -= 0.6
        if score > best_score:
            best, best_score = incident, score
    return (best, best_score) if best_score >= 0.5 else (None, best_score)


def _provinces_named(article: Article) -> set[str]:
    return {
        entry.province for p in find_places(article.text) for entry in p.candidates if entry.rank == PROVINCE
    }


def extract(article: Article) -> Extraction:
    provinces = _provinces_named(article)
    mentions = [m for sentence in article.sentences for m in _mentions_in(sentence, article, provinces)]
    incidents = _fold(mentions)
    new, confidence = _new_incident(article, incidents)
    kept = []
    for incident in incidents:
        if incident is new:
            incident.new = True
            if incident.date is None and article.published:
                incident.date, incident.precision = article.published.isoformat(), "day"
        elif incident.date is None and article.published:
            # Described without a date: it happened before the article; its month is the best guess.
            incident.date, incident.precision = article.published.strftime("%Y-%m"), "month"
        if incident.date is None:
            continue  # not placed in time at all: too vague to propose
        incident.evidence = _evidence(incident)
        incident.confidence = _confidence(incident)
        kept.append(incident)
    return Extraction(article, new is not None, round(min(max(confidence, 0.0), 1.0), 2), kept)


def _confidence(incident: Incident) -> float:
    filled = sum(
        v is not None
        for v in (incident.date, incident.place, incident.event_type, incident.killed, incident.claimed_by)
    )
    return round(min(0.3 + 0.12 * filled + 0.05 * len(incident.mentions), 0.95), 2)


def extract_text(raw: str, published: date | None = None, title: str | None = None) -> Extraction:
    return extract(read_article(raw, published, title))
