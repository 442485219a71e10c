"""`jsms demo` as a newcomer runs it: a real server on 127.0.0.1 answering over HTTP."""

import time

import httpx

from tests.conftest import DEMO_USERS


def bearer(base: str, user: str) -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": "demo"})
    assert answer.status_code == 200, user
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def test_health_and_docs(demo_server):
    assert httpx.get(f"{demo_server}/api/v1/health").json() == {"status": "ok"}
    assert httpx.get(f"{demo_server}/api/v1/openapi.json").json()["info"]["title"].startswith("JSMS")


def test_every_demo_user_signs_in_over_http(demo_server):
    for user in DEMO_USERS:
        me = httpx.get(f"{demo_server}/api/v1/users/me", headers=bearer(demo_server, user))
        assert me.json()["username"] == user


def test_concurrent_writes_all_succeed_and_the_chain_stays_intact(demo_server):
    """Sixteen officers registering sites at once on the embedded SQLite database."""
    from concurrent.futures import ThreadPoolExecutor

    officer = bearer(demo_server, "host.officer")

    def register(number: int) -> int:
        body = {"name": f"Checkpoint {number}", "kind": "camp", "lat": 25.1 + number / 1000, "lon": 62.35}
        return httpx.post(f"{demo_server}/api/v1/sites", json=body, headers=officer, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(register, range(48)))
    assert statuses == [201] * 48
    report = httpx.get(f"{demo_server}/api/v1/audit/verify", headers=bearer(demo_server, "auditor")).json()
    assert report["intact"] is True


def test_a_verified_incident_raises_the_district_level_within_a_second(demo_server):
    """The outbox dispatcher in the server carries the incident into the threat levels."""
    import time

    officer, analyst = bearer(demo_server, "host.officer"), bearer(demo_server, "host.analyst")
    area = "PK-GB/Hunza"

    def level() -> int:
        areas = httpx.get(
            f"{demo_server}/api/v1/risk/areas", headers=analyst, params={"kind": "district"}
        ).json()
        return next(a["level"] for a in areas if a["area"] == area)

    assert level() == 1
    incident = httpx.post(
        f"{demo_server}/api/v1/incidents",
        headers=officer,
        json={
            "title": "Rocket fired at the Attabad tunnel camp",
            "occurred_at": "2026-11-22T03:00:00Z",
            "lat": 36.33,
            "lon": 74.86,
            "kind": "suicide_bombing",
            "target_category": "project_site",
            "protected_nationality_targeted": True,
            "killed": 3,
            "injured": 5,
        },
    ).json()
    verified = httpx.post(f"{demo_server}/api/v1/incidents/{incident['id']}/verify", headers=analyst)
    assert verified.status_code == 200
    started = time.monotonic()
    while level() == 1 and time.monotonic() - started < 5:
        time.sleep(0.05)
    elapsed = time.monotonic() - started
    assert level() >= 4 and elapsed < 1.0, f"level {level()} after {elapsed:.2f} s"


def test_audited_reads_and_writes_at_once_all_succeed(demo_server):
    """Reads that append to the audit chain (personal data) alongside writes, on SQLite."""
    from concurrent.futures import ThreadPoolExecutor

    officer = bearer(demo_server, "host.officer")
    people = httpx.get(f"{demo_server}/api/v1/persons", headers=officer, params={"limit": 20}).json()["items"]

    def work(number: int) -> int:
        if number % 2:
            person = people[number % len(people)]["id"]
            return httpx.get(
                f"{demo_server}/api/v1/persons/{person}", headers=officer, timeout=30
            ).status_code
        body = {"name": f"Post {number}", "kind": "camp", "lat": 25.2 + number / 1000, "lon": 62.4}
        return httpx.post(f"{demo_server}/api/v1/sites", json=body, headers=officer, timeout=30).status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(work, range(60)))
    assert statuses.count(200) == 30 and statuses.count(201) == 30


def test_the_demo_has_convoys_under_way_that_the_simulator_moves(demo_server):
    headers = bearer(demo_server, "host.officer")
    under_way = httpx.get(f"{demo_server}/api/v1/journeys", headers=headers, params={"status": "under_way"})
    assert under_way.json()["total"] == 3

    def positions() -> dict[str, tuple[float, float]]:
        found = httpx.get(f"{demo_server}/api/v1/tracking/positions", headers=headers).json()
        return {p["device"]: (p["lat"], p["lon"]) for p in found}

    deadline = time.monotonic() + 60
    first = positions()
    while time.monotonic() < deadline and len(first) < 10:
        time.sleep(1)
        first = positions()
    assert len(first) >= 10  # every vehicle of the three convoys reports
    time.sleep(5)
    later = positions()
    moved = [d for d in first if d in later and later[d] != first[d]]
    assert len(moved) >= 5
