"""A serving process exempts what start-up loaded from the garbage collector's full passes."""

import gc

from fastapi.testclient import TestClient

from jsms.core.heap import settle_after_startup
from jsms.web.app import create_app


def test_settling_freezes_what_is_alive_and_keeps_later_garbage_collectable():
    gc.unfreeze()
    kept = [object() for _ in range(1_000)]
    settle_after_startup()
    try:
        assert gc.get_freeze_count() >= len(kept)
        later = []
        later.append(later)  # a cycle made after start-up is still the collector's to free
        del later
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_a_serving_app_settles_its_heap_at_startup_and_a_test_app_does_not(node):
    gc.unfreeze()
    with TestClient(create_app(dispatch_events=False, track=False)):
        assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(dispatch_events=False, track=False, settle_heap=True)):
            assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
