"""Work a node does on its own every so often, in a thread and outside any transaction (reading
news feeds, delivering reports): slow work that must not hold the database's write lock."""

import logging
import threading
from collections.abc import Callable

log = logging.getLogger("jsms.schedule")


class Repeating:
    """A thread that runs `work()` now and then every `every_s` seconds until stopped; a failure
    is logged and the work tried again at the next turn."""

    def __init__(self, name: str, work: Callable[[], object], every_s: float):
        self.name = name
        self.work = work
        self.every_s = every_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "Repeating":
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.work()
            except Exception:  # a database or network hiccup: try again at the next turn
                log.exception("%s failed", self.name)
            self._stop.wait(self.every_s)
