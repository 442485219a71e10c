"""Core and registry figures on the demo data set (SQLite): policy decisions, API reads, audit."""

import tempfile
from pathlib import Path

from fastapi.testclient import TestClient

from bench.timing import measure, report
from jsms.core.actor import Actor
from jsms.core.audit import verify_chain
from jsms.core.bootstrap import bootstrap_node
from jsms.core.config import Settings, use_settings
from jsms.core.db import unit_of_work
from jsms.core.policy import PolicyDocument, decide
from jsms.demo.loader import load_demo
from jsms.geo.provinces import district_at, province_at
from jsms.schema import upgrade


def main() -> None:
    data_dir = Path(tempfile.mkdtemp(prefix="jsms-bench-"))
    use_settings(
        Settings(
            data_dir=data_dir, secret_key="bench-secret-key-long-enough-for-hmac-sha256", demo_password="demo"
        )
    )
    upgrade()
    with unit_of_work(Actor.system("bench")) as session:
        bootstrap_node(session)
    load_samples = measure(load_demo, repeat=1, warmup=0)
    report("load the demo data set (500 persons, audited)", load_samples, "s")

    policy = PolicyDocument()
    liaison = Actor("p", "partner_liaison_officer", "partner")
    report(
        "policy decision (one action, one actor)",
        measure(lambda: decide(liaison, "person.read", policy), repeat=20000),
        "us",
    )
    report(
        "province and district of a point",
        measure(lambda: district_at(25.12, 62.33, province_at(25.12, 62.33)), repeat=2000),
        "us",
    )

    from jsms.web.app import create_app

    with TestClient(create_app()) as client:

        def token(user: str) -> dict[str, str]:
            answer = client.post("/api/v1/auth/token", data={"username": user, "password": "demo"})
            return {"Authorization": f"Bearer {answer.json()['access_token']}"}

        officer, partner = token("host.officer"), token("partner.liaison")
        report(
            "GET /api/v1/sites?limit=50 (host officer)",
            measure(lambda: client.get("/api/v1/sites?limit=50", headers=officer), repeat=200),
        )
        report(
            "GET /api/v1/persons?limit=100 (partner, filtered in SQL)",
            measure(lambda: client.get("/api/v1/persons?limit=100", headers=partner), repeat=200),
        )
        person = client.get("/api/v1/persons?limit=1", headers=officer).json()["items"][0]["id"]
        report(
            "GET /api/v1/persons/{id} (decrypt + audited read)",
            measure(lambda: client.get(f"/api/v1/persons/{person}", headers=officer), repeat=200),
        )

        client.get("/login")
        client.post(
            "/login",
            data={"username": "host.officer", "password": "demo", "csrf_token": client.cookies["jsms_csrf"]},
        )
        report("page /sites (HTML, 25 rows)", measure(lambda: client.get("/sites"), repeat=100))
        report("page / (dashboard)", measure(lambda: client.get("/"), repeat=100))
        report("map layer /map/sites.json", measure(lambda: client.get("/map/sites.json"), repeat=100))

    with unit_of_work(Actor.system("bench")) as session:
        samples = measure(lambda: verify_chain(session), repeat=5)
        records = verify_chain(session).records
    report(f"audit verify ({records} records)", samples)
    print(f"{'audit verify throughput':52} {records / sorted(samples)[len(samples) // 2]:,.0f} records/s")


if __name__ == "__main__":
    main()
