"""News extraction figures (issue 8): articles per second on one core after start-up (target ≥ 20),
over the annotated articles in tests/osint (ours and the shared development set), and the
start-up (gazetteer and name index loaded once per process); then the whole intake as
`jsms osint ingest` runs it: each article read, fingerprinted, stored in its own unit of work
(SQLite, synchronous=FULL) and put into the review queue.
"""

import os
import statistics
import tempfile
import time
from pathlib import Path

from bench.timing import machine_reference
from jsms.core.actor import Actor
from jsms.core.bootstrap import bootstrap_node
from jsms.core.config import Settings, use_settings
from jsms.core.db import engine_for, unit_of_work
from jsms.osint import service
from jsms.osint.cluster import cluster
from jsms.osint.extract import extract_text
from jsms.osint.inputs import RawArticle
from jsms.schema import upgrade

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
    bench_ingest(texts)


def bench_ingest(texts: list[str]) -> None:
    """Stored and queued per second; each round's copies differ by a line (a new fingerprint), so
    every round stores them all again and joins them to the events of the first."""
    actor = Actor.system("bench")
    with tempfile.TemporaryDirectory(prefix="jsms-bench-osint-") as data_dir:
        url = f"sqlite:///{data_dir}/jsms.db"
        use_settings(Settings(data_dir=Path(data_dir), database_url=url))
        upgrade(engine_for(url))
        with unit_of_work(actor) as session:
            bootstrap_node(session)
        rates = []
        for round_ in range(3):
            began = time.perf_counter()
            for k, text in enumerate(texts):
                copy = RawArticle(f"bench-{round_}-{k}", f"{text}\n\nCopy {round_}.")
                with unit_of_work(actor) as session:
                    service.ingest(session, actor, copy)
            rates.append(len(texts) / (time.perf_counter() - began))
    print(
        f"articles stored and queued per second         median {statistics.median(rates):8.1f}   "
        f"(each in its own commit; 3 rounds of {len(texts)})"
    )


if __name__ == "__main__":
    main()
