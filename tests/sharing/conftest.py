"""Shared by the sharing tests: a partner node served with `jsms serve` on its own database, with
accounts for the host node and a partner representative."""

import pytest

from tests.support.server import free_port, node_environment, serve_node
from tests.test_cli import jsms

PARTNER_ENV = {"JSMS_NODE_PARTY": "partner", "JSMS_NODE_ID": "partner.node", "JSMS_SECRET_KEY": "x" * 48}
HOST_ACCOUNT = ("host.sync", "host-sync-password")  # the host node's account on the partner node
REPRESENTATIVE = ("partner.rep", "partner-rep-password")  # a partner user of the partner node


def _user(data_dir, name: str, role: str, password: str, organisation: str) -> None:
    made = jsms(
        "users", "create", name, "--role", role, "--password", password, "--organisation", organisation,
        data_dir=data_dir, env=PARTNER_ENV,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr


@pytest.fixture(scope="package")
def partner_node(tmp_path_factory):
    """(address, data directory) of the partner node."""
    data_dir = tmp_path_factory.mktemp("partner-served")
    assert jsms("db", "upgrade", data_dir=data_dir, env=PARTNER_ENV).returncode == 0
    for name, party in (("Host liaison cell", "host"), ("Partner embassy", "partner")):
        org = jsms(
            "orgs", "create", name, "--party", party, "--kind", "agency", data_dir=data_dir, env=PARTNER_ENV
        )
        assert org.returncode == 0, org.stderr
    _user(data_dir, HOST_ACCOUNT[0], "host_analyst", HOST_ACCOUNT[1], "Host liaison cell")
    _user(data_dir, REPRESENTATIVE[0], "partner_representative", REPRESENTATIVE[1], "Partner embassy")
    environment = node_environment(JSMS_DATA_DIR=str(data_dir), **PARTNER_ENV)
    with open(data_dir / "server.log", "wb") as log:
        for base in serve_node(["serve"], free_port(), environment, log):
            yield base, data_dir
