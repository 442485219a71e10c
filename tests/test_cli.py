"""The `jsms` command as an operator runs it: demo node, audit verify and head, users, bad input."""

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.server import node_environment

JSMS = [sys.executable, "-m", "jsms.cli"]


def jsms(*args: str, data_dir: Path, env: dict | None = None, input: str | None = None):
    environment = node_environment(JSMS_DATA_DIR=str(data_dir), **(env or {}))
    return subprocess.run(
        [*JSMS, *args], capture_output=True, text=True, env=environment, input=input, timeout=120
    )


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("cli-demo")
    result = jsms("demo", "--load-only", data_dir=data_dir)
    assert result.returncode == 0, result.stderr
    assert "500 protected persons" in result.stdout.replace("\n", " ")
    return data_dir


def test_demo_keeps_its_own_secret_key_and_database_in_the_data_dir(demo_dir):
    assert (demo_dir / "jsms.db").is_file()
    key = demo_dir / "secret.key"
    assert key.is_file() and len(key.read_text()) > 40 and oct(key.stat().st_mode)[-3:] == "600"
    again = jsms("demo", "--load-only", data_dir=demo_dir)
    assert again.returncode == 0 and "already loaded" in again.stdout


def test_a_new_node_gets_organisations_and_refuses_unknown_kinds(tmp_path):
    node = tmp_path / "new-node"
    assert jsms("db", "upgrade", data_dir=node).returncode == 0
    made = jsms("orgs", "create", "Liaison cell", "--party", "partner", "--kind", "embassy", data_dir=node)
    assert made.returncode == 0, made.stderr
    listed = jsms("orgs", "list", data_dir=node)
    assert "Liaison cell" in listed.stdout and "partner" in listed.stdout
    wrong = jsms("orgs", "create", "X", "--party", "host", "--kind", "spaceship", data_dir=node)
    assert wrong.returncode == 2 and "spaceship" in wrong.stderr
    nobody = jsms("orgs", "create", "Y", "--party", "martians", "--kind", "agency", data_dir=node)
    assert nobody.returncode == 2 and "martians" in nobody.stderr


def test_each_node_names_itself_once(demo_dir, tmp_path):
    name = (demo_dir / "node-id").read_text().strip()
    assert name.startswith("node-") and jsms("db", "upgrade", data_dir=demo_dir).returncode == 0
    assert (demo_dir / "node-id").read_text().strip() == name  # kept
    other = tmp_path / "other-node"
    assert jsms("db", "upgrade", data_dir=other).returncode == 0
    assert (other / "node-id").read_text().strip() != name
    named = tmp_path / "named-node"
    assert jsms("db", "upgrade", data_dir=named, env={"JSMS_NODE_ID": "host.ops"}).returncode == 0
    assert not (named / "node-id").exists()  # a configured name needs no file


def test_audit_verify_passes_then_names_the_edited_record(demo_dir, tmp_path):
    intact = jsms("audit", "verify", data_dir=demo_dir)
    assert intact.returncode == 0, intact.stderr
    assert "intact" in intact.stdout
    head = jsms("audit", "head", data_dir=demo_dir)
    seq, head_hash = head.stdout.split()
    assert int(seq) > 600 and len(head_hash) == 64

    tampered = tmp_path / "tampered"
    tampered.mkdir()
    (tampered / "secret.key").write_bytes((demo_dir / "secret.key").read_bytes())
    with (
        sqlite3.connect(demo_dir / "jsms.db") as source,
        sqlite3.connect(tampered / "jsms.db") as copy,
    ):
        source.backup(copy)  # the database is in WAL mode: copy it whole, not file by file
    with sqlite3.connect(tampered / "jsms.db") as db:
        db.execute("UPDATE audit_record SET actor = 'intruder' WHERE seq = 42")
    broken = jsms("audit", "verify", data_dir=tampered)
    assert broken.returncode == 1
    assert "record 42" in broken.stderr and "altered" in broken.stderr


def test_data_dir_option_overrides_the_environment(demo_dir, tmp_path):
    result = jsms("--data-dir", str(demo_dir), "audit", "verify", data_dir=tmp_path / "elsewhere")
    assert result.returncode == 0, result.stderr


def test_users_create_and_token(demo_dir):
    created = jsms(
        "users",
        "create",
        "ops.two",
        "--role",
        "host_operations_officer",
        "--organisation",
        "SSD-N",
        "--password",
        "correct-horse-battery",
        data_dir=demo_dir,
    )
    assert created.returncode == 0, created.stderr
    token = jsms("users", "token", "ops.two", "--name", "vehicle tracker 12", data_dir=demo_dir)
    assert token.returncode == 0 and token.stdout.strip().startswith("jsms_")
    listed = jsms("users", "list", data_dir=demo_dir)
    assert "ops.two" in listed.stdout


def test_users_unlock_lifts_a_lock_out(demo_dir):
    with sqlite3.connect(demo_dir / "jsms.db") as db:
        (user_id,) = db.execute("SELECT id FROM user_account WHERE username = 'host.analyst'").fetchone()
        db.execute(
            "INSERT INTO sign_in_failures (user_id, count, last_at, locked_until) VALUES (?, 5, ?, ?)",
            (user_id, "2026-01-01 00:00:00.000000", "2999-01-01 00:00:00.000000"),
        )
    unlocked = jsms("users", "unlock", "host.analyst", data_dir=demo_dir)
    assert unlocked.returncode == 0 and "unlocked" in unlocked.stdout, unlocked.stderr
    with sqlite3.connect(demo_dir / "jsms.db") as db:
        assert db.execute("SELECT count(*) FROM sign_in_failures").fetchone() == (0,)
    again = jsms("users", "unlock", "host.analyst", data_dir=demo_dir)
    assert again.returncode == 0 and "was not locked" in again.stdout


def test_backup_and_restore_from_the_command_line(demo_dir, tmp_path):
    archive = tmp_path / "node.tar.gz"
    made = jsms("backup", str(archive), data_dir=demo_dir)
    assert made.returncode == 0 and "backed up" in made.stdout, made.stderr
    fresh = tmp_path / "fresh"
    refused = jsms("restore", str(archive), data_dir=fresh)  # a new node has another key
    assert refused.returncode == 2 and "another secret key" in refused.stderr
    key = {"JSMS_SECRET_KEY": (demo_dir / "secret.key").read_text().strip()}
    restored = jsms("restore", str(archive), data_dir=fresh, env=key)
    assert restored.returncode == 0 and "every table equals the backup" in restored.stdout, restored.stderr
    assert jsms("audit", "verify", data_dir=fresh, env=key).returncode == 0
    again = jsms("restore", str(archive), data_dir=fresh, env=key)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_purge_says_what_it_would_remove_and_refuses_a_bad_period(demo_dir):
    dry = jsms("purge", "--dry-run", data_dir=demo_dir)
    assert dry.returncode == 0, dry.stderr
    assert "would purge: 0 positions" in dry.stdout and "(taken over 90 days ago)" in dry.stdout
    bad = jsms("purge", data_dir=demo_dir, env={"JSMS_POSITION_RETENTION_DAYS": "0"})
    assert bad.returncode != 0 and "position_retention_days" in bad.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            [
                "users",
                "create",
                "x.y",
                "--role",
                "general",
                "--organisation",
                "SSD-N",
                "--password",
                "longenough1",
            ],
            "unknown role 'general'",
        ),
        (
            [
                "users",
                "create",
                "x.y",
                "--role",
                "host_analyst",
                "--organisation",
                "Nowhere",
                "--password",
                "longenough1",
            ],
            "no organisation 'Nowhere'",
        ),
        (["users", "token", "nobody", "--name", "t"], "No user named 'nobody'"),
        (["users", "unlock", "nobody"], "No user named 'nobody'"),
        (["backup", "/tmp"], "is a directory"),
        (["geo", "locate", "34.53", "69.17"], "outside Pakistan"),
    ],
)
def test_bad_input_gets_one_line_and_exit_2(demo_dir, args, message):
    result = jsms(*args, data_dir=demo_dir)
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]


def test_serve_refuses_the_default_secret_key(tmp_path):
    result = jsms("serve", data_dir=tmp_path)
    assert result.returncode == 2 and "JSMS_SECRET_KEY" in result.stderr


def test_serve_refuses_demo_credentials(demo_dir):
    result = jsms("serve", data_dir=demo_dir, env={"JSMS_SECRET_KEY": "a-real-secret-for-this-test"})
    assert result.returncode == 2 and "default password" in result.stderr


def test_geo_commands(demo_dir):
    found = jsms("geo", "find", "Gwadar", data_dir=demo_dir)
    assert "PK-BA" in found.stdout
    located = jsms("geo", "locate", "35.29", "73.29", data_dir=demo_dir)
    assert "PK-KP" in located.stdout and "Upper Kohistan" in located.stdout


def test_policy_show_and_history(demo_dir):
    shown = jsms("policy", "show", data_dir=demo_dir)
    assert '"number": 1' in shown.stdout and "journey.approve" in shown.stdout
    assert "system:install" in jsms("policy", "history", data_dir=demo_dir).stdout


def test_incidents_import_from_the_command_line_twice(demo_dir):
    sample = Path(__file__).parent / "incidents" / "data" / "acled_sample.csv"
    first = jsms("incidents", "import", str(sample), "--format", "acled", data_dir=demo_dir)
    assert first.returncode == 0, first.stderr
    assert "line 5: event_date" in first.stderr and "line 6: no coordinates" in first.stderr
    assert summary_row(first.stdout) == ["6", "3", "0", "1", "2"]  # read, created, present, skipped, bad
    second = jsms("incidents", "import", str(sample), "--format", "acled", data_dir=demo_dir)
    assert summary_row(second.stdout) == ["6", "0", "3", "1", "2"]
    bad_format = jsms("incidents", "import", str(sample), "--format", "xml", data_dir=demo_dir)
    assert bad_format.returncode == 2 and "unknown format" in bad_format.stderr


def summary_row(stdout: str) -> list[str]:
    """The figures of the import's summary table."""
    rows = [line for line in stdout.splitlines() if line.strip().startswith("│")]
    return [cell.strip() for cell in rows[-1].strip().strip("│").split("│")]


def test_worker_delivers_the_pending_events(demo_dir, tmp_path):
    """The demo load leaves its incident events pending; a worker delivers them and keeps running."""
    import time

    copy = tmp_path / "worker"
    copy.mkdir()
    (copy / "secret.key").write_bytes((demo_dir / "secret.key").read_bytes())
    with sqlite3.connect(demo_dir / "jsms.db") as source, sqlite3.connect(copy / "jsms.db") as target:
        source.backup(target)

    def pending() -> int:
        with sqlite3.connect(copy / "jsms.db") as db:
            return db.execute("SELECT count(*) FROM outbox_event WHERE delivered_at IS NULL").fetchone()[0]

    assert pending() > 400
    environment = node_environment(JSMS_DATA_DIR=str(copy))
    process = subprocess.Popen(
        [*JSMS, "worker", "--interval", "0.1"],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while pending() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert pending() == 0 and process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_a_worker_with_nothing_to_do_says_so(tmp_path):
    idle = jsms("worker", "--no-events", data_dir=tmp_path)
    assert idle.returncode != 0 and "JSMS_REDIS_URL" in idle.stderr + idle.stdout


def _keep_first_incidents(bundle: Path, count: int) -> None:
    """Cut a bundle down to its first incidents and the objects they refer to or that refer to them."""
    import json

    whole = json.loads(bundle.read_text())
    kept = {o["id"] for o in whole["objects"] if o["type"] == "incident"}
    kept = set(sorted(kept)[:count])
    relations = [o for o in whole["objects"] if o["type"] == "relationship" and o["source_ref"] in kept]
    kept |= {r["id"] for r in relations} | {r["target_ref"] for r in relations}
    about_kept = {  # sightings (of a kept group at a kept place) and notes (on a kept incident)
        o["id"]
        for o in whole["objects"]
        if set(o.get("where_sighted_refs", [])) & kept or set(o.get("object_refs", [])) & kept
    }
    kept |= about_kept
    travelling = ("incident", "relationship", "location", "threat-actor", "sighting", "note")
    whole["objects"] = [o for o in whole["objects"] if o["id"] in kept or o["type"] not in travelling]
    bundle.write_text(json.dumps(whole))


def test_an_export_from_the_host_node_is_taken_in_once_by_the_partner_node(demo_dir, tmp_path):
    import json

    bundle = tmp_path / "to-partner.json"
    preview = jsms("sharing", "export", "--to", "partner", "--preview", data_dir=demo_dir)
    assert preview.returncode == 0, preview.stderr
    exported = jsms("sharing", "export", "--to", "partner", "--out", str(bundle), data_dir=demo_dir)
    assert exported.returncode == 0, exported.stderr
    objects = json.loads(bundle.read_text())["objects"]
    assert objects == json.loads(preview.stdout)["objects"]  # the preview is what leaves
    incidents = [o for o in objects if o["type"] == "incident"]
    assert incidents and all(o["object_marking_refs"] for o in incidents)
    _keep_first_incidents(bundle, 12)  # enough to show taking in; the whole demo set only takes longer
    incidents = [o for o in json.loads(bundle.read_text())["objects"] if o["type"] == "incident"]

    partner = tmp_path / "partner-node"
    env = {"JSMS_NODE_PARTY": "partner"}
    assert jsms("db", "upgrade", data_dir=partner, env=env).returncode == 0
    first = jsms("sharing", "import", str(bundle), "--from", "host", data_dir=partner, env=env)
    assert first.returncode == 0, first.stderr
    assert first.stdout.split()[0] == str(len(incidents))
    again = jsms("sharing", "import", str(bundle), "--from", "host", data_dir=partner, env=env)
    assert again.stdout.startswith("0 created, 0 updated") and str(len(incidents)) in again.stdout

    broken = json.loads(bundle.read_text())
    victim = incidents[0]["id"]
    for item in broken["objects"]:
        if item["id"] == victim:
            item["created"] = "yesterday"
    (tmp_path / "broken.json").write_text(json.dumps(broken))
    refused = jsms(
        "sharing", "import", str(tmp_path / "broken.json"), "--from", "host", data_dir=partner, env=env
    )
    assert refused.returncode == 2 and victim in refused.stderr
    own = jsms("sharing", "import", str(bundle), "--from", "partner", data_dir=partner, env=env)
    assert own.returncode == 2 and "other party" in own.stderr
