"""News extraction figures (issue 8): articles per second on one core after start-up (target ≥ 20),
over the annotated articles in tests/osint (ours and the shared development set), and the
start-up (gazetteer and name index loaded once per process).
"""

import os
import statistics
import time
from pathlib import Path

from bench.timing import machine_reference
from jsms.osint.cluster import cluster
from jsms.osint.extract import extract_text

FOLDERS = [
    Path(__file__).resolve().parents[1] / "tests" / "osint" / name
    for name in ("articles", "held-out", "held-out-2", "dev-set")
]
ROUNDS = 7


def main() -> None:
    if hasattr(os, "sched_setaffinity") and (os.cpu_count() or 1) > 1:
        os.sched_setaffinity(0, {1})
    print(f"machine reference (a fixed Python loop, lower is faster): {machine_reference():.0f} ms")
    texts = [path.read_text() for folder in FOLDERS for path in sorted(folder.glob("*.txt"))]
    started = time.perf_counter()
    extract_text(texts[0])
    print(f"start-up (gazetteer, name index, first article)   {time.perf_counter() - started:6.2f} s")
    rates = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        extractions = [extract_text(text) for text in texts]
        cluster(extractions)
        rates.append(len(texts) / (time.perf_counter() - began))
    size = statistics.mean(len(t) for t in texts)
    print(
        f"articles extracted and clustered per second   median {statistics.median(rates):8.1f}   "
        f"target ≥ 20   ({len(texts)} articles of {size:,.0f} characters on average, {ROUNDS} rounds)"
    )
