"""Policy governance across nodes: a version proposed and approved by the host on the host node
travels to the partner node with `jsms sync`, the partner approves it there, and the next sync
puts it in force on both. A statement that was altered, or that speaks for the other party, is
refused."""

import copy

import httpx
import pytest
from sqlalchemy import select

from jsms.core.actor import Actor
from jsms.core.db import unit_of_work
from jsms.core.errors import Invalid
from jsms.core.models import PolicyVersion
from jsms.sharing import policy_exchange, signing
from tests.sharing.conftest import PARTNER_ENV, REPRESENTATIVE
from tests.test_cli import jsms

SYSTEM = Actor.system("policy-exchange-test")


def _bearer(base: str, user: str, password: str = "demo") -> dict[str, str]:
    answer = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": password})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def _in_force(base: str, headers: dict[str, str]) -> dict:
    return httpx.get(f"{base}/api/v1/policy", headers=headers).json()


def _sync(partner_dir, host_base: str):
    """The partner node syncs with the host node (its account there: the partner liaison)."""
    return jsms(
        "sync", "--peer", f"{host_base}/taxii2/", "--peer-party", "host",
        "--user", "partner.liaison", "--password", "demo",
        data_dir=partner_dir, env=PARTNER_ENV,
    )  # fmt: skip


def test_a_version_proposed_on_one_node_comes_into_force_on_both(demo_node, partner_node):
    partner_base, partner_dir = partner_node
    host = _bearer(demo_node.base, "host.commander")
    partner = _bearer(partner_base, *REPRESENTATIVE)
    document = _in_force(demo_node.base, host)["document"]
    document["redactions"] = {"incident": ["investigation_status"]}
    proposed = httpx.post(
        f"{demo_node.base}/api/v1/policy/versions",
        headers=host,
        json={"summary": "Withhold investigation status", "document": document},
    )
    assert proposed.status_code == 201, proposed.text
    version = proposed.json()
    approved = httpx.post(f"{demo_node.base}/api/v1/policy/versions/{version['id']}/approve", headers=host)
    assert approved.json()["status"] == "proposed"  # the partner has not approved yet

    first = _sync(partner_dir, demo_node.base)
    assert first.returncode == 0, first.stderr
    assert "1 proposed version(s) taken in" in first.stdout
    there = httpx.get(f"{partner_base}/api/v1/policy/versions/{version['id']}", headers=partner).json()
    assert there["number"] == version["number"] and there["status"] == "proposed"
    assert [a["party"] for a in there["approvals"]] == ["host"]

    on_partner = httpx.post(f"{partner_base}/api/v1/policy/versions/{version['id']}/approve", headers=partner)
    assert on_partner.json()["status"] == "active"
    assert _in_force(partner_base, partner)["document"]["redactions"] == {
        "incident": ["investigation_status"]
    }
    assert _in_force(demo_node.base, host)["number"] != version["number"]  # not yet on the host

    second = _sync(partner_dir, demo_node.base)
    assert second.returncode == 0, second.stderr
    in_force = _in_force(demo_node.base, host)
    assert in_force["number"] == version["number"] and in_force["document"]["redactions"] == {
        "incident": ["investigation_status"]
    }
    assert {a["party"] for a in in_force["approvals"]} == {"host", "partner"}

    third = _sync(partner_dir, demo_node.base)
    assert "0 proposed version(s) taken in, 0 approval(s)" in third.stdout  # nothing more to do


def _statement_of_the_other_node(tmp_path, monkeypatch, sqlite_connection):
    """A statement signed by a 'partner' node with its own key, and this node holding its key."""
    from jsms.core.config import get_settings

    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "partner")
    monkeypatch.setattr(settings, "node_id", "partner.node")
    monkeypatch.setattr(settings, "node_party", "partner")
    with unit_of_work(SYSTEM) as session:
        statement = policy_exchange.statement(session)
        head = signing.signed_head(session)
    monkeypatch.setattr(settings, "data_dir", tmp_path / "host")
    monkeypatch.setattr(settings, "node_id", "host.node")
    monkeypatch.setattr(settings, "node_party", "host")
    with unit_of_work(SYSTEM) as session:
        signing.keep(session, head)
    return statement


def test_an_altered_statement_or_one_speaking_for_this_party_is_refused(
    tmp_path, monkeypatch, sqlite_connection
):
    statement = _statement_of_the_other_node(tmp_path, monkeypatch, sqlite_connection)
    altered = copy.deepcopy(statement)
    altered["versions"][0]["document"]["company_max_tlp"] = "red"
    with unit_of_work(SYSTEM) as session, pytest.raises(Invalid, match="altered"):
        policy_exchange.take_statement(session, altered, "partner")
    with unit_of_work(SYSTEM) as session, pytest.raises(Invalid, match="not the host node"):
        policy_exchange.take_statement(session, statement, "host")
    with unit_of_work(SYSTEM) as session:
        taken = policy_exchange.take_statement(session, statement, "partner")
        assert taken.adopted == [] and taken.conflicts == []  # the same version 1 on both nodes


def test_a_node_speaks_only_for_its_own_party(tmp_path, monkeypatch, sqlite_connection):
    """A statement of the partner node that claims the host's approval too: only the partner's counts."""
    from jsms.core.config import get_settings
    from jsms.core.policy import PolicyDocument

    settings = get_settings()
    monkeypatch.setattr(settings, "data_dir", tmp_path / "partner")
    monkeypatch.setattr(settings, "node_id", "partner.node")
    monkeypatch.setattr(settings, "node_party", "partner")
    approval = {"username": "x", "at": "2026-11-20T08:00:00+00:00"}
    version = {
        "id": "0b7c3a52-3d0e-4a47-9d8e-2b1f7b0e6a11",
        "number": 7,
        "status": "proposed",
        "summary": "s",
        "document": PolicyDocument().model_dump(mode="json"),
        "proposed_by": "partner.rep",
        "approvals": [{**approval, "party": "host"}, {**approval, "party": "partner"}],
    }
    with unit_of_work(SYSTEM) as session:
        head = signing.signed_head(session)
    statement = signing.sign({"at": "2026-11-20T09:00:00+00:00", "versions": [version]})
    monkeypatch.setattr(settings, "data_dir", tmp_path / "host")
    monkeypatch.setattr(settings, "node_id", "host.node")
    monkeypatch.setattr(settings, "node_party", "host")
    with unit_of_work(SYSTEM) as session:
        signing.keep(session, head)
        taken = policy_exchange.take_statement(session, statement, "partner")
        kept = session.scalar(select(PolicyVersion).where(PolicyVersion.number == 7))
        assert taken.adopted == [7] and taken.approved == [7] and taken.activated == []
        assert kept.status == "proposed" and [a.party for a in kept.approvals] == ["partner"]
        session.rollback()


@pytest.mark.parametrize(
    ("method", "path", "user", "body", "status"),
    [
        ("get", "/api/v1/sharing/policy", "company.security", None, 403),
        ("get", "/api/v1/sharing/policy", "partner.liaison", None, 200),
        ("post", "/api/v1/sharing/policy", "host.analyst", {"versions": []}, 403),  # this node's own party
        ("post", "/api/v1/sharing/policy", "company.security", {"versions": []}, 403),
        ("post", "/api/v1/sharing/policy", "partner.liaison", {"versions": "all"}, 422),
        ("post", "/api/v1/sharing/policy", "partner.liaison", {"versions": [], "node_id": "x"}, 422),
        ("post", "/api/v1/sharing/signed-head", "host.analyst", {"party": "host"}, 403),
        ("post", "/api/v1/sharing/signed-head", "partner.liaison", {"party": "host"}, 403),  # not its own
        ("post", "/api/v1/sharing/signed-head", "partner.liaison", {"party": "partner"}, 422),
        ("post", "/api/v1/sharing/signed-head", "company.security", {"party": "partner"}, 403),
    ],
)
def test_who_may_send_or_read_statements_and_what_a_bad_one_gets(api, method, path, user, body, status):
    answer = api.get(path, user) if method == "get" else api.post(path, user, json=body)
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.json()["party"] == "host" and answer.json()["signature"]
