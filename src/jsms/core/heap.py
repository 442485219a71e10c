"""Keep the garbage collector's full passes short in the long-running processes."""

import gc


def settle_after_startup() -> None:
    """Collect once, then exempt everything alive now (the road graph, registries, the live
    engine's tables, compiled queries) from later collections. A full pass otherwise walks all of
    it — about 130 ms on the demo node — and stalls the live checks and every ping waiting for them."""
    gc.collect()
    gc.freeze()
