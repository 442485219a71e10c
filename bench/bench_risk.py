"""Risk surface figures (issue 4): full recompute for 100,000 incidents, one incremental update,
and how soon a new incident's weight is visible to a reader such as the router.

Targets on one core: full recompute < 200 ms, incremental update < 1 ms, visible < 50 ms.
"""

from datetime import UTC, datetime

import numpy as np

from bench.timing import measure, report
from jsms.risk.surface import Grid, RiskSurface

INCIDENTS = 100_000


def synthetic_incidents(n: int, seed: int = 1):
    rng = np.random.default_rng(seed)
    now_day = datetime.now(UTC).timestamp() / 86400
    return (
        [f"i{k}" for k in range(n)],
        rng.uniform(24.0, 36.5, n),
        rng.uniform(61.0, 77.5, n),
        now_day - rng.exponential(200.0, n),
        rng.uniform(0.5, 15.0, n),
    )


def main() -> None:
    grid = Grid.over_pakistan()
    surface = RiskSurface(grid=grid)
    ids, lat, lon, days, severity = synthetic_incidents(INCIDENTS)
    print(
        f"raster {grid.rows} × {grid.cols} = {grid.rows * grid.cols:,} cells of 2 km; "
        f"kernel radius {surface.radius} cells; {INCIDENTS:,} incidents"
    )
    full = measure(lambda: surface.recompute(ids, lat, lon, days, severity), repeat=15, warmup=2)
    report("full recompute (100,000 incidents)", full)

    now = datetime.now(UTC)
    rng = np.random.default_rng(7)
    points = iter(zip(rng.uniform(24.5, 36.0, 100_000), rng.uniform(61.5, 77.0, 100_000), strict=True))

    def one_update() -> None:
        a, b = next(points)
        surface.upsert(f"new{a}", float(a), float(b), now, 8.0)

    incremental = measure(one_update, repeat=2000, warmup=50)
    report("incremental update (one incident verified)", incremental, "us")

    def update_then_read() -> None:
        surface.upsert("probe", 30.2, 69.5, now, 12.0)
        surface.values_at(np.array([30.2]), np.array([69.5]))

    report("update + a reader sees the new value", measure(update_then_read, repeat=2000, warmup=50), "us")
    from jsms.risk.areas import area_index

    areas = area_index(grid)
    report(
        "threat levels of all 7 provinces and 160 districts",
        measure(
            lambda: (areas.provinces.maxima(surface.raster), areas.districts.maxima(surface.raster)),
            repeat=200,
        ),
        "ms",
    )
    median_full = sorted(full)[len(full) // 2]
    median_inc = sorted(incremental)[len(incremental) // 2]
    print(
        f"{'targets':52} full {median_full * 1e3:.1f} ms < 200 ms: {median_full < 0.2}; "
        f"incremental {median_inc * 1e6:.0f} µs < 1000 µs: {median_inc < 0.001}; "
        f"ratio full/incremental {median_full / median_inc:,.0f}"
    )


if __name__ == "__main__":
    main()
