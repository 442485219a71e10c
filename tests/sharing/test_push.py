"""Pushing over TAXII 2.1: the other node writes what it releases into this node's inbox collection
(taken in whole or not at all, with a status resource), and `jsms sync` pushes what this node
releases into the other node's inbox — once, and only what the markings allow."""

import json
import sqlite3
import uuid

import httpx
import pytest
from taxii2client.exceptions import AccessError
from taxii2client.v21 import Server

from tests.sharing.conftest import HOST_ACCOUNT
from tests.sharing.test_sync import _verified_incident
from tests.test_cli import jsms

PARTNER_NODE = "identity--6f1b1c0e-2a43-5c55-9d0f-6c0a3f0e7a11"
EXTENSION = "extension-definition--5fb3775f-e963-4f18-9f29-9bc0e2a5ea39"
AMBER = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
TAXII = "application/taxii+json;version=2.1"


def _partner_incident(title: str, killed: int, modified: str = "2026-11-20T08:00:00.000Z") -> list[dict]:
    """A partner node's incident as it would push it: the incident, its place, the link."""
    incident = f"incident--{uuid.uuid5(uuid.NAMESPACE_URL, title)}"
    place = f"location--{uuid.uuid5(uuid.NAMESPACE_URL, title + ':place')}"
    common = {
        "spec_version": "2.1",
        "created_by_ref": PARTNER_NODE,
        "created": "2026-11-20T08:00:00.000Z",
        "modified": modified,
        "object_marking_refs": [AMBER],
    }
    return [
        {
            **common,
            "type": "incident",
            "id": incident,
            "name": title,
            "description": "Reported by the partner's consulate.",
            "extensions": {
                EXTENSION: {
                    "extension_type": "property-extension",
                    "occurred": "2026-11-19T17:30:00Z",
                    "time_precision": "time",
                    "event_type": "armed_attack",
                    "target_category": "foreign_nationals",
                    "killed": killed,
                    "injured": 1,
                    "protected_nationality_targeted": True,
                    "verification": "verified",
                }
            },
        },
        {**common, "type": "location", "id": place, "name": "Hub", "latitude": 26.04, "longitude": 66.55},
        {
            **common,
            "type": "relationship",
            "id": f"relationship--{uuid.uuid5(uuid.NAMESPACE_URL, title + ':at')}",
            "relationship_type": "located-at",
            "source_ref": incident,
            "target_ref": place,
        },
    ]


def _inbox(base: str, user: str):
    (root,) = Server(f"{base}/taxii2/", user=user, password="demo").api_roots
    return next(c for c in root.collections if c.alias == "received-from-partner")


def _taken_in(data_dir, stix_id: str) -> list[tuple[str, int]]:
    with sqlite3.connect(data_dir / "jsms.db") as db:
        return db.execute(
            "SELECT title, killed FROM incident WHERE source_system = 'partner' AND external_id = ?",
            (stix_id,),
        ).fetchall()


def test_the_partner_node_writes_into_its_inbox_whole_and_once(demo_node):
    inbox = _inbox(demo_node.base, "partner.liaison")
    assert inbox.can_write and not inbox.can_read
    with pytest.raises(AccessError):
        inbox.get_objects()

    objects = _partner_incident("Partner report: attack near Hub", killed=2)
    status = inbox.add_objects({"objects": objects})
    assert status.status == "complete" and (status.success_count, status.failure_count) == (3, 0), (
        status.failures
    )
    assert {s["id"] for s in status.successes} == {o["id"] for o in objects}
    assert _taken_in(demo_node.data_dir, objects[0]["id"]) == [("Partner report: attack near Hub", 2)]

    again = inbox.add_objects({"objects": objects})  # a duplicate is not an error, and adds nothing
    assert again.failure_count == 0 and len(_taken_in(demo_node.data_dir, objects[0]["id"])) == 1

    later = _partner_incident(
        "Partner report: attack near Hub", killed=4, modified="2026-11-21T08:00:00.000Z"
    )
    assert inbox.add_objects({"objects": later}).failure_count == 0
    assert _taken_in(demo_node.data_dir, objects[0]["id"]) == [("Partner report: attack near Hub", 4)]

    status.refresh()  # the status resource stays readable at {api-root}/status/{id}/
    assert status.success_count == 3


def test_a_broken_object_refuses_the_envelope_and_is_named(demo_node):
    inbox = _inbox(demo_node.base, "partner.liaison")
    good = _partner_incident("Partner report: grenade at a camp", killed=0)
    broken = _partner_incident("Partner report: broken", killed=1)
    broken[0]["created"] = "yesterday"
    status = inbox.add_objects({"objects": good + broken})
    assert status.success_count == 0 and status.failure_count == 6
    named = {f["id"]: f["message"] for f in status.failures}
    assert "'created'" in named[broken[0]["id"]]
    assert "not taken in" in named[good[0]["id"]]
    assert _taken_in(demo_node.data_dir, good[0]["id"]) == []  # nothing half-written


def test_what_a_write_must_be_and_who_may_write(demo_node):
    base = demo_node.base
    inbox = _inbox(base, "partner.liaison")
    url = f"{base}/taxii2/jsms/collections/{inbox.id}/objects/"
    auth = ("partner.liaison", "demo")
    body = b'{"objects": []}'

    def post(content: bytes, content_type: str = TAXII, who=auth, to: str = url) -> httpx.Response:
        headers = {"Accept": TAXII, "Content-Type": content_type}
        return httpx.post(to, content=content, headers=headers, auth=who, timeout=30)

    assert post(body, "application/json").status_code == 415
    assert post(b"[1, 2]").status_code == 422
    assert post(b"{not json").status_code == 422
    assert post(body).status_code == 422  # an envelope with nothing in it
    too_big = post(b" " * (10 * 1024 * 1024 + 1))
    assert too_big.status_code == 413 and too_big.json()["http_status"] == "413"
    assert post(body, who=("company.security", "demo")).status_code == 403
    assert post(body, who=("host.analyst", "demo")).status_code == 403  # not the partner's node
    assert post(body, who=("partner.liaison", "wrong")).status_code == 401
    (root,) = Server(f"{base}/taxii2/", user="partner.liaison", password="demo").api_roots
    released = url.replace(inbox.id, next(c.id for c in root.collections if c.alias == "released-to-partner"))
    assert post(body, to=released).status_code == 403  # what this node releases is not written to
    assert post(body, to=url.replace(inbox.id, str(uuid.uuid4()))).status_code == 404

    ours = next(o for o in _released_objects(base) if o["type"] == "incident")
    echoed = post(json.dumps({"objects": [ours]}).encode())
    assert echoed.status_code == 202
    assert "own record" in echoed.json()["failures"][0]["message"]  # not taken back in

    status_url = f"{base}/taxii2/jsms/status/{echoed.json()['id']}/"
    assert httpx.get(status_url, headers={"Accept": TAXII}, auth=auth).status_code == 200
    stranger = httpx.get(status_url, headers={"Accept": TAXII}, auth=("company.security", "demo"))
    assert stranger.status_code == 404


def _released_objects(base: str) -> list[dict]:
    (root,) = Server(f"{base}/taxii2/", user="partner.liaison", password="demo").api_roots
    released = next(c for c in root.collections if c.alias == "released-to-partner")
    return released.get_objects(limit=50)["objects"]


def _push(host_dir, partner_base: str):
    return jsms(
        "sync", "--no-pull", "--peer", f"{partner_base}/taxii2/", "--peer-party", "partner",
        "--user", HOST_ACCOUNT[0], "--password", HOST_ACCOUNT[1],
        data_dir=host_dir,
    )  # fmt: skip


def test_the_host_pushes_what_it_releases_once(demo_node, partner_node):
    partner_base, partner_dir = partner_node
    amber = _verified_incident(demo_node.base, "Amber, pushed", "amber")
    red = _verified_incident(demo_node.base, "Red, never pushed", "red")

    first = _push(demo_node.data_dir, partner_base)
    assert first.returncode == 0, first.stderr
    pushed = int(first.stdout.split()[0])
    with sqlite3.connect(partner_dir / "jsms.db") as db:
        taken = {row[0] for row in db.execute("SELECT external_id FROM incident")}
        reports = db.execute("SELECT name FROM received_object WHERE object_type = 'report'").fetchall()
    assert len(taken) + len(reports) == pushed and taken and reports  # incidents and threat-level reports
    assert all(name.startswith("Threat level of PK-") for (name,) in reports)
    assert f"incident--{amber}" in taken and f"incident--{red}" not in taken

    again = _push(demo_node.data_dir, partner_base)
    assert again.returncode == 0 and again.stdout.split()[0] == "0"
    with sqlite3.connect(demo_node.data_dir / "jsms.db") as db:
        (logged,) = db.execute(
            "SELECT count(*) FROM release_record WHERE channel = 'push' AND object_id = ?",
            (uuid.UUID(amber).hex,),
        ).fetchone()
    assert logged == 1


def test_a_refused_push_keeps_its_mark(demo_node, partner_node):
    """A push the other node refuses (here: an account that may not write) moves nothing."""
    partner_base, _ = partner_node
    _verified_incident(demo_node.base, "Amber, waiting to be pushed", "amber")
    denied = jsms(
        "sync", "--no-pull", "--peer", f"{partner_base}/taxii2/", "--peer-party", "partner",
        "--user", HOST_ACCOUNT[0], "--password", "wrong", "--attempts", "1",
        data_dir=demo_node.data_dir,
    )  # fmt: skip
    assert denied.returncode != 0
    with sqlite3.connect(demo_node.data_dir / "jsms.db") as db:
        (error,) = db.execute(
            "SELECT last_error FROM sync_state WHERE peer = ?", (f"{partner_base}/taxii2/",)
        ).fetchone()
    assert "refused" in denied.stderr and error
