"""Scores of the extractor against hand-made annotations, by the dev set's rules (its README):
incidents matched per article by date (±3 days, or the month for month-precision annotations) and
province, then each annotated field compared; new-incident accuracy; pairwise cluster F1."""

import re
from dataclasses import dataclass
from datetime import date
from itertools import combinations
from typing import Any

FIELDS = (
    "place",
    "district",
    "province",
    "event_type",
    "killed",
    "killed_chinese",
    "injured",
    "targets_chinese",
    "claimed_by",
)
_PROVINCE_NAMES = {
    "balochistan": "balochistan",
    "baluchistan": "balochistan",
    "sindh": "sindh",
    "khyber pakhtunkhwa": "khyber pakhtunkhwa",
    "khyber-pakhtunkhwa": "khyber pakhtunkhwa",
    "kp": "khyber pakhtunkhwa",
    "kpk": "khyber pakhtunkhwa",
    "punjab": "punjab",
    "islamabad": "islamabad",
    "islamabad capital territory": "islamabad",
    "ict": "islamabad",
    "gilgit-baltistan": "gilgit-baltistan",
    "gilgit baltistan": "gilgit-baltistan",
    "azad kashmir": "azad kashmir",
    "azad jammu and kashmir": "azad kashmir",
    "ajk": "azad kashmir",
}
_IGNORED_WORDS = frozenset({"the", "of", "near", "in", "at"})


def _month_and_day(value: Any) -> tuple[tuple[int, int] | None, date | None]:
    m = re.match(r"(\d{4})-(\d{2})(?:-(\d{2}))?", str(value or ""))
    if not m:
        return None, None
    year, month = int(m[1]), int(m[2])
    return (year, month), date(year, month, int(m[3])) if m[3] else None


def dates_agree(gold: Any, predicted: Any) -> bool:
    gold_month, gold_day = _month_and_day(gold)
    if gold_month is None:
        return True
    month, day = _month_and_day(predicted)
    if month is None:
        return False
    if gold_day is None or day is None:
        return gold_month == month
    return abs((gold_day - day).days) <= 3


def _province(value: Any) -> str:
    text = str(value or "").strip().lower()
    return _PROVINCE_NAMES.get(text, text)


def _content_words(value: Any) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", str(value or "").lower())) - _IGNORED_WORDS


def field_agrees(name: str, gold: Any, predicted: Any) -> bool:
    if name == "province":
        return _province(gold) == _province(predicted)
    if name in ("place", "district", "claimed_by"):
        g, p = _content_words(gold), _content_words(predicted)
        return bool(g and p) and (g <= p or p <= g or len(g & p) / len(g | p) >= 0.5)
    if name == "targets_chinese":
        return bool(gold) == bool(predicted)
    return gold == predicted


def pair_incidents(gold: list[dict], predicted: list[dict]) -> list[tuple[dict, dict]]:
    pairs, used = [], set()
    for g in gold:
        for i, p in enumerate(predicted):
            if i in used or not dates_agree(g.get("date"), p.get("date")):
                continue
            if (
                g.get("province")
                and p.get("province")
                and not field_agrees("province", g["province"], p["province"])
            ):
                continue
            pairs.append((g, p))
            used.add(i)
            break
    return pairs


@dataclass
class Scores:
    articles: int
    incident_precision: float
    incident_recall: float
    incident_f1: float
    field_accuracy: dict[str, float | None]
    field_accuracy_all: float | None
    new_incident_accuracy: float
    cluster_pair_f1: float | None

    def headline(self) -> str:
        parts = [
            f"incident_f1={self.incident_f1}",
            f"field_accuracy_all={self.field_accuracy_all}",
            f"new_incident_accuracy={self.new_incident_accuracy}",
        ]
        if self.cluster_pair_f1 is not None:
            parts.append(f"cluster_pair_f1={self.cluster_pair_f1}")
        return " ".join(parts)


def _f1(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def score(
    gold: dict[str, dict], predicted: dict[str, dict], clusters: dict[str, str | None] | None = None
) -> Scores:
    """Gold and predicted rows by file name (as `jsms osint extract` prints them)."""
    tp = fp = fn = new_hits = 0
    hits = {name: [0, 0] for name in FIELDS}
    for name, g in gold.items():
        p = predicted.get(name, {"incidents": []})
        if "reports_new_incident" in p:
            new_hits += bool(p["reports_new_incident"]) == bool(g["reports_new_incident"])
        found = p.get("incidents") or []
        pairs = pair_incidents(g["incidents"], found)
        tp, fn, fp = tp + len(pairs), fn + len(g["incidents"]) - len(pairs), fp + len(found) - len(pairs)
        for gi, pi in pairs:
            for field_name in FIELDS:
                if gi.get(field_name) is not None:
                    hits[field_name][1] += 1
                    hits[field_name][0] += field_agrees(field_name, gi[field_name], pi.get(field_name))
    precision, recall, f1 = _f1(tp, fp, fn)
    right, total = sum(h for h, _ in hits.values()), sum(t for _, t in hits.values())
    cluster_f1 = None
    if clusters is not None:
        ctp = cfp = cfn = 0
        for a, b in combinations(sorted(gold), 2):
            same = gold[a].get("event_key") is not None and gold[a].get("event_key") == gold[b].get(
                "event_key"
            )
            joined = clusters.get(a) is not None and clusters.get(a) == clusters.get(b)
            ctp, cfp, cfn = ctp + (same and joined), cfp + (joined and not same), cfn + (same and not joined)
        cluster_f1 = round(_f1(ctp, cfp, cfn)[2], 3)
    return Scores(
        articles=len(gold),
        incident_precision=round(precision, 3),
        incident_recall=round(recall, 3),
        incident_f1=round(f1, 3),
        field_accuracy={name: round(h / t, 3) if t else None for name, (h, t) in hits.items()},
        field_accuracy_all=round(right / total, 3) if total else None,
        new_incident_accuracy=round(new_hits / len(gold), 3) if gold else 1.0,
        cluster_pair_f1=cluster_f1,
    )
