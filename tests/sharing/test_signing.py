"""Audit countersignature: a node's signed head verifies on the other node, and fails after any
change or when signed with another key."""

import json

import httpx
import pytest

from jsms.core.actor import Actor
from jsms.core.config import get_settings
from jsms.core.db import unit_of_work
from jsms.core.errors import Invalid
from jsms.sharing import signing
from tests.test_cli import jsms

SYSTEM = Actor.system("signing-test")


def test_a_signed_head_verifies_and_any_change_breaks_it(sqlite_connection, tmp_path, monkeypatch):
    with unit_of_work(SYSTEM) as session:
        head = signing.signed_head(session)
    assert signing.check(head) == head
    key_file = get_settings().data_dir / signing.KEY_FILE
    assert oct(key_file.stat().st_mode)[-3:] == "600"  # the node's private key: owner only
    for field, value in (("seq", head["seq"] + 1), ("hash", "0" * 64), ("at", "2020-01-01T00:00:00+00:00")):
        with pytest.raises(Invalid, match="altered"):
            signing.check(head | {field: value})
    with pytest.raises(Invalid, match="key other than"):
        signing.check(head, pinned_key="A" * 44)
    with pytest.raises(Invalid, match="fields"):
        signing.check({"seq": 1})


def test_the_partner_node_keeps_the_host_nodes_signed_head(demo_server, tmp_path):
    partner = tmp_path / "partner"
    env = {"JSMS_NODE_PARTY": "partner", "JSMS_NODE_ID": "partner.node"}
    assert jsms("db", "upgrade", data_dir=partner, env=env).returncode == 0
    fetched = jsms(
        "audit",
        "countersign",
        "--peer",
        demo_server,
        "--user",
        "partner.liaison",
        "--password",
        "demo",
        data_dir=partner,
        env=env,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert "signature verified" in fetched.stdout

    saved = tmp_path / "head.json"
    token = httpx.post(f"{demo_server}/api/v1/auth/token", data={"username": "auditor", "password": "demo"})
    head = httpx.get(
        f"{demo_server}/api/v1/sharing/signed-head",
        headers={"Authorization": f"Bearer {token.json()['access_token']}"},
    ).json()
    saved.write_text(json.dumps(head))
    assert jsms("audit", "countersign", "--file", str(saved), data_dir=partner, env=env).returncode == 0
    saved.write_text(json.dumps(head | {"seq": head["seq"] - 5}))  # the host claims it held less
    tampered = jsms("audit", "countersign", "--file", str(saved), data_dir=partner, env=env)
    assert tampered.returncode == 2 and "altered" in tampered.stderr
