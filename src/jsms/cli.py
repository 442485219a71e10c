"""The `jsms` command: one sub-command group per domain, plus serve and demo."""

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from jsms.core.actor import Actor
from jsms.core.config import Settings, ensure_node_id, get_settings, use_settings
from jsms.core.db import unit_of_work
from jsms.core.errors import DomainError

app = typer.Typer(
    help="JSMS — Joint Security Management System",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Database schema", no_args_is_help=True)
users_app = typer.Typer(help="User accounts and API tokens", no_args_is_help=True)
orgs_app = typer.Typer(
    help="Organisations (a new node needs one before its first user)", no_args_is_help=True
)
audit_app = typer.Typer(help="The tamper-evident audit trail", no_args_is_help=True)
policy_app = typer.Typer(help="The mechanism policy", no_args_is_help=True)
geo_app = typer.Typer(help="The gazetteer of Pakistan", no_args_is_help=True)
incidents_app = typer.Typer(help="Incidents and incident data sets", no_args_is_help=True)
risk_app = typer.Typer(help="The risk surface and threat levels", no_args_is_help=True)
roads_app = typer.Typer(help="The road network that routes run on", no_args_is_help=True)
sharing_app = typer.Typer(help="Exchange with the other party's node (STIX 2.1)", no_args_is_help=True)
osint_app = typer.Typer(help="News monitoring: articles in, proposed incidents out", no_args_is_help=True)
report_app = typer.Typer(help="Situation reports and threat assessments (HTML, PDF)", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(audit_app, name="audit")
app.add_typer(policy_app, name="policy")
app.add_typer(geo_app, name="geo")
app.add_typer(incidents_app, name="incidents")
app.add_typer(risk_app, name="risk")
app.add_typer(roads_app, name="roads")
app.add_typer(sharing_app, name="sharing")
app.add_typer(osint_app, name="osint")
app.add_typer(report_app, name="report")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
EXIT_BAD_INPUT, EXIT_FAILURE = 2, 1

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (default: JSMS_DATA_DIR or ./var)")
]


def fail(message: str, code: int = EXIT_FAILURE) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn a domain error into one line and an exit code: 2 for bad input, 1 for a failure."""
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        yield
    except DomainError as error:
        fail(
            str(error),
            EXIT_BAD_INPUT if error.status in (400, 404, 409, 412, 422) else EXIT_FAILURE,
        )
    except (OperationalError, ProgrammingError) as error:
        if "no such table" in str(error) or ('relation "' in str(error) and "does not exist" in str(error)):
            fail("the database has no JSMS tables yet: run `jsms db upgrade` (or `jsms restore`)")
        raise


@app.callback()
def main(data_dir: DataDir = None) -> None:
    if data_dir is not None:
        use_settings(Settings(data_dir=data_dir))


def cli_actor(command: str) -> Actor:
    return Actor.system(f"cli:{command}")


def run(command: str, action: Callable[[Any], Any]) -> Any:
    """Run `action(session)` as one unit of work of the CLI operator."""
    with reported_errors(), unit_of_work(cli_actor(command)) as session:
        return action(session)


# ---- sharing -----------------------------------------------------------------------------

Party = Annotated[str, typer.Option(help="The other party: host or partner")]


def _other_party(party: str) -> str:
    if party not in ("host", "partner"):
        fail(f"unknown party {party!r}; use host or partner", EXIT_BAD_INPUT)
    return party


@sharing_app.command("export")
def sharing_export(
    to: Party,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the bundle here (default: stdout)")
    ] = None,
    preview: Annotated[bool, typer.Option(help="Show what would leave, logging nothing")] = False,
) -> None:
    """The STIX 2.1 bundle of what this node releases to the other party's node (logged as released)."""
    from jsms.sharing import service, stix

    audience = _other_party(to)

    def export(session):
        actor = cli_actor("sharing-export")
        made = (
            service.preview(session, actor, audience)
            if preview
            else service.release(session, actor, audience, "export")
        )
        return stix.as_json(made)

    text = run("sharing-export", export)
    if out_file is None:
        print(text)
    else:
        out_file.write_text(text, encoding="utf-8")
        err.print(f"wrote {out_file}")


@sharing_app.command("import")
def sharing_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    from_party: Annotated[str, typer.Option("--from", help="The party whose node sent it: host or partner")],
) -> None:
    """Take in a STIX 2.1 bundle from the other party's node; taking the same bundle in again adds nothing."""
    from jsms.sharing.service import take_in

    origin = _other_party(from_party)
    if origin == get_settings().node_party:
        fail(f"this node is the {origin} node; a bundle comes from the other party", EXIT_BAD_INPUT)
    raw = file.read_bytes()
    received = run("sharing-import", lambda s: take_in(s, cli_actor("sharing-import"), raw, origin))
    out.print(received.summary())


@app.command()
def sync(
    peer: Annotated[
        str, typer.Option(envvar="JSMS_PEER_URL", help="The other node's TAXII address (…/taxii2/)")
    ],
    peer_party: Annotated[str, typer.Option(envvar="JSMS_PEER_PARTY", help="The other node's party")],
    user: Annotated[str, typer.Option(envvar="JSMS_PEER_USER", help="This node's account on the other node")],
    password: Annotated[str, typer.Option(envvar="JSMS_PEER_PASSWORD", help="Its password")],
    every: Annotated[
        float | None, typer.Option(min=5, help="Seconds between syncs (default: sync once and stop)")
    ] = None,
    attempts: Annotated[int, typer.Option(min=1, max=20, help="Tries before a sync counts as failed")] = 3,
    pull_: Annotated[
        bool, typer.Option("--pull/--no-pull", help="Take in what the other node releases")
    ] = True,
    push_: Annotated[
        bool, typer.Option("--push/--no-push", help="Push what this node releases to it")
    ] = True,
) -> None:
    """Exchange with the other party's node over TAXII 2.1 (pull and push); again adds nothing.

    Takes in what the other node releases to this one and pushes what this one releases to it."""
    from jsms.sharing.sync import Peer, exchange_governance, pull, push

    party = _other_party(peer_party)
    if party == get_settings().node_party:
        fail(f"this node is the {party} node; --peer-party names the other party", EXIT_BAD_INPUT)
    if not (pull_ or push_):
        fail("--no-pull and --no-push leave nothing to do", EXIT_BAD_INPUT)
    other = Peer(peer, party, user, password)
    while True:
        try:
            with reported_errors():
                if pull_:
                    received = pull(other, attempts=attempts)
                    out.print(received.summary())
                if push_:
                    out.print(f"{push(other, attempts=attempts)} pushed")
                out.print(exchange_governance(other, pull_, push_, attempts=attempts).summary())
        except typer.Exit:
            if every is None:
                raise
            # On a schedule a failed sync is reported (and recorded) and tried again: the marks
            # only move with what was committed, so nothing is lost in between.
            err.print(f"will try again in {every:g} s")
        if every is None:
            return
        time.sleep(every)


# ---- db ----------------------------------------------------------------------------------


def prepare_database() -> None:
    """Create the data directory, migrate to the newest schema, install the parties and policy."""
    from jsms.core.bootstrap import bootstrap_node
    from jsms.schema import upgrade

    settings = get_settings()
    if settings.is_sqlite:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    ensure_node_id()
    from jsms.risk.service import install_default_rules

    upgrade()
    run("db-upgrade", bootstrap_node)
    run("db-upgrade", install_default_rules)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply every migration and install the default parties and policy on a new node."""
    prepare_database()
    from jsms.schema import current_revision

    out.print(f"database at revision [bold]{current_revision()}[/]")


@db_app.command("current")
def db_current() -> None:
    """Print the schema revision of the database."""
    from jsms.schema import current_revision

    out.print(current_revision() or "empty (run `jsms db upgrade`)")


@app.command("backup")
def backup_command(
    target: Annotated[
        Path | None,
        typer.Argument(help="Archive to write (default: backups/ in the data directory)"),
    ] = None,
) -> None:
    """Back up the database (SQLite or PostgreSQL) with a digest of every table; the node may run."""
    from jsms.core import backup
    from jsms.core.db import get_engine

    settings = get_settings()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = target or settings.data_dir / "backups" / f"jsms-{settings.node_id}-{stamp}.tar.gz"
    if target.is_dir():
        fail(
            f"{target} is a directory: name the archive to write, e.g. {target / 'node.tar.gz'}",
            EXIT_BAD_INPUT,
        )
    with reported_errors(), out.status("backing up…") as status:
        manifest = backup.backup(get_engine(), target, lambda table: status.update(f"digesting {table}…"))
    rows = sum(t["rows"] for t in manifest["tables"].values())
    out.print(
        f"backed up {len(manifest['tables'])} tables, {rows} rows (schema {manifest['schema_revision']}) "
        f"to [bold]{target}[/]"
    )
    out.print("keep the secret key apart from it: a restore needs the same key, and the archive has none")


@app.command("restore")
def restore_command(
    source: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Archive `jsms backup` wrote")],
) -> None:
    """Restore a backup into this node's empty database and compare every table with the backup."""
    from jsms.core import backup
    from jsms.core.db import get_engine

    with reported_errors(), out.status("restoring…") as status:
        restored = backup.restore(get_engine(), source, lambda table: status.update(f"comparing {table}…"))
    if restored.mismatched:
        fail(f"restored, but these tables differ from the backup: {', '.join(restored.mismatched)}")
    out.print(f"restored {restored.tables} tables, {restored.rows} rows; every table equals the backup")


# ---- users -------------------------------------------------------------------------------


@users_app.command("create")
def users_create(
    username: str,
    role: Annotated[str, typer.Option(help="One of the roles in `jsms users roles`")],
    organisation: Annotated[str, typer.Option(help="Organisation name or id")],
    display_name: Annotated[str | None, typer.Option()] = None,
    password: Annotated[
        str | None, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)
    ] = None,
    language: Annotated[str, typer.Option()] = "en",
    timezone: Annotated[str, typer.Option()] = "Asia/Karachi",
) -> None:
    """Create a user in an organisation."""
    from jsms.core import users

    def action(session):
        org = find_organisation(session, organisation)
        return users.create_user(
            session,
            cli_actor("users-create"),
            username=username,
            display_name=display_name or username,
            role=role,
            organisation_id=org.id,
            password=password,
            language=language,
            timezone=timezone,
        ).username

    out.print(f"created user [bold]{run('users-create', action)}[/]")


def find_organisation(session, name_or_id: str):
    import uuid as uuidlib

    from sqlalchemy import select

    from jsms.core.errors import invalid_field
    from jsms.core.models import Organisation

    try:
        org = session.get(Organisation, uuidlib.UUID(name_or_id))
    except ValueError:
        matches = session.scalars(
            select(Organisation).where(
                (Organisation.name == name_or_id) | (Organisation.short_name == name_or_id)
            )
        ).all()
        org = matches[0] if len(matches) == 1 else None
        if len(matches) > 1:
            raise invalid_field(
                "organisation", f"{name_or_id!r} names {len(matches)} organisations; give its id"
            ) from None
    if org is None:
        raise invalid_field("organisation", f"no organisation {name_or_id!r}")
    return org


@orgs_app.command("create")
def orgs_create(
    name: str,
    party: Annotated[str, typer.Option(help="host or partner")],
    kind: Annotated[str, typer.Option(help="ministry, agency, police, embassy, company, …")],
    short_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Add an organisation of a party."""
    from jsms.core.parties import add_organisation

    def action(session):
        made = add_organisation(
            session, cli_actor("orgs-create"), party=party, kind=kind, name=name, short_name=short_name
        )
        return made.name

    out.print(f"created organisation [bold]{run('orgs-create', action)}[/]")


@orgs_app.command("list")
def orgs_list() -> None:
    """List the organisations with their party and kind."""
    from sqlalchemy import select

    from jsms.core.models import Organisation

    rows = run(
        "orgs-list",
        lambda s: [
            (o.name, o.short_name or "", o.party_code, o.kind, str(o.id))
            for o in s.scalars(select(Organisation).order_by(Organisation.path))
        ],
    )
    table = Table("name", "short name", "party", "kind", "id")
    for row in rows:
        table.add_row(*row)
    out.print(table)


@users_app.command("list")
def users_list() -> None:
    """List users with their role and party."""
    from jsms.core import users

    rows = run(
        "users-list",
        lambda s: [
            (u.username, u.display_name, u.role, u.party_code, u.organisation.name, u.active)
            for u in users.list_users(s, cli_actor("users-list"))
        ],
    )
    table = Table("username", "name", "role", "party", "organisation", "active")
    for row in rows:
        table.add_row(*(str(v) for v in row))
    out.print(table)


@users_app.command("roles")
def users_roles() -> None:
    """List the roles and the party each is reserved to."""
    from jsms.core.policy import ROLES

    for role, party in ROLES.items():
        out.print(f"{role:28} {party or 'either party'}")


@users_app.command("token")
def users_token(username: str, name: Annotated[str, typer.Option(help="What the token is for")]) -> None:
    """Issue a long-lived API token for a device or integration; prints the secret once."""
    from jsms.core import users

    def action(session):
        user = users.find_user(session, username)
        return users.issue_api_token(session, cli_actor("users-token"), user, name)[1]

    secret = run("users-token", action)
    out.print(secret, highlight=False, soft_wrap=True)


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
) -> None:
    """Set a user's password."""
    from jsms.core import users

    run(
        "users-set-password",
        lambda s: users.set_password(
            s, cli_actor("users-set-password"), users.find_user(s, username), password
        ),
    )
    out.print(f"password of [bold]{username}[/] changed")


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """Lift the lock-out of an account after repeated failed sign-ins."""
    from jsms.core import users

    def action(session):
        return users.unlock_user(session, cli_actor("users-unlock"), users.find_user(session, username))

    lifted = run("users-unlock", action)
    out.print(f"[bold]{username}[/] unlocked" if lifted else f"[bold]{username}[/] was not locked")


# ---- audit -------------------------------------------------------------------------------


@audit_app.command("verify")
def audit_verify() -> None:
    """Recompute the hash chain; exit 0 if intact, 1 naming the first bad record otherwise."""
    from jsms.core.audit import verify_chain

    report = run("audit-verify", verify_chain)
    if not report.intact:
        fail(
            f"audit chain broken at record {report.first_bad_seq}: {report.reason} "
            f"({report.records} records verified before it)"
        )
    out.print(f"audit chain intact: {report.records} records, head {report.head_hash}")


@audit_app.command("head")
def audit_head() -> None:
    """Print the chain's head (sequence and hash) for the other party to countersign."""
    from jsms.core.models import AuditHead

    seq, head_hash = run("audit-head", lambda s: (lambda h: (h.seq, h.hash))(s.get(AuditHead, 1)))
    out.print(f"{seq} {head_hash}", highlight=False)


@audit_app.command("sign")
def audit_sign() -> None:
    """Print this node's audit head signed with its Ed25519 key (JSON), for the other party to keep."""
    import json

    from jsms.sharing.signing import signed_head

    print(json.dumps(run("audit-sign", signed_head), indent=2))


@audit_app.command("countersign")
def audit_countersign(
    peer: Annotated[
        str | None, typer.Option(help="The other node's address (http://…); fetch its signed head")
    ] = None,
    user: Annotated[str | None, typer.Option(help="This node's account on the other node")] = None,
    password: Annotated[str | None, typer.Option(help="Its password")] = None,
    file: Annotated[
        Path | None, typer.Option(help="A signed head saved as JSON, instead of fetching one")
    ] = None,
) -> None:
    """Verify the other node's signed audit head and keep it (refused if altered or signed otherwise)."""
    import json

    import httpx

    from jsms.sharing.signing import keep

    if (peer is None) == (file is None):
        fail("give either --peer (with --user and --password) or --file", EXIT_BAD_INPUT)
    if file is not None:
        try:
            head = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            fail(f"cannot read a signed head from {file}: {error}", EXIT_BAD_INPUT)
    else:
        try:
            token = httpx.post(
                f"{peer}/api/v1/auth/token", data={"username": user, "password": password}, timeout=30
            )
            token.raise_for_status()
            bearer = {"Authorization": f"Bearer {token.json()['access_token']}"}
            answer = httpx.get(f"{peer}/api/v1/sharing/signed-head", headers=bearer, timeout=30)
            answer.raise_for_status()
        except httpx.HTTPError as error:
            fail(f"could not fetch the signed head from {peer}: {error}")
        head = answer.json()
    kept = run("audit-countersign", lambda s: keep(s, head))
    out.print(f"kept the head of {kept.node_id}: record {kept.seq}, hash {kept.hash} (signature verified)")


# ---- policy ------------------------------------------------------------------------------


@policy_app.command("show")
def policy_show() -> None:
    """Print the mechanism policy in force as JSON."""
    import json

    from jsms.core import governance

    version = run("policy-show", lambda s: governance.active_version(s, cli_actor("policy-show")))
    out.print_json(
        json.dumps({"number": version.number, "summary": version.summary, "document": version.document})
    )


@policy_app.command("history")
def policy_history() -> None:
    """List the policy versions and who approved them."""
    from jsms.core import governance

    def action(session):
        return [
            (
                v.number,
                v.status,
                v.summary,
                ", ".join(f"{a.party}: {a.username}" for a in v.approvals),
            )
            for v in governance.list_versions(session, cli_actor("policy-history"))
        ]

    table = Table("version", "status", "summary", "approvals")
    for row in run("policy-history", action):
        table.add_row(*(str(v) for v in row))
    out.print(table)


# ---- geo ---------------------------------------------------------------------------------


@geo_app.command("find")
def geo_find(name: str, limit: Annotated[int, typer.Option(min=1, max=100)] = 10) -> None:
    """Find places in Pakistan by name (any spelling GeoNames knows)."""
    from jsms.geo.gazetteer import search

    table = Table("name", "lat", "lon", "province", "district", "population")
    for place in search(name, limit):
        table.add_row(
            place.name,
            f"{place.lat:.4f}",
            f"{place.lon:.4f}",
            place.province or "",
            place.district or "",
            str(place.population),
        )
    out.print(table)


@geo_app.command("locate")
def geo_locate(
    lat: Annotated[float, typer.Argument(min=-90, max=90)],
    lon: Annotated[float, typer.Argument(min=-180, max=180)],
) -> None:
    """Print the province and district of a point."""
    from jsms.geo.provinces import district_at, province_at

    province = province_at(lat, lon)
    if province is None:
        fail(f"{lat}, {lon} is outside Pakistan", EXIT_BAD_INPUT)
    district = district_at(lat, lon, province)
    out.print(f"{province.code} {province.name}; district {district.name if district else '?'}")


# ---- incidents and risk ------------------------------------------------------------------


@incidents_app.command("import")
def incidents_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    format: Annotated[str, typer.Option("--format", help="acled, gtd or csv")],
    column_map: Annotated[
        list[str] | None, typer.Option("--map", help="For csv: FIELD=COLUMN, repeatable")
    ] = None,
    verify: Annotated[bool, typer.Option(help="Verify what is imported (curated data sets)")] = False,
) -> None:
    """Import an incident data set; importing the same file again adds nothing."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from jsms.incidents import imports
    from jsms.incidents.service import import_incidents

    if format not in ("acled", "gtd", "csv"):
        fail(f"unknown format {format!r}; use acled, gtd or csv (--format)", EXIT_BAD_INPUT)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        fail(f"{file} is not UTF-8 text", EXIT_BAD_INPUT)
    mapping = dict(pair.split("=", 1) for pair in (column_map or []) if "=" in pair)
    if column_map and len(mapping) != len(column_map):
        fail("each --map takes FIELD=COLUMN", EXIT_BAD_INPUT)
    try:
        rows = imports.parse_csv(text, mapping) if format == "csv" else imports.PARSERS[format](text)
        total = max(text.count("\n") - 1, 0)
        columns = (TextColumn("importing"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task = progress.add_task("import", total=total)
            summary = run(
                "incidents-import",
                lambda s: import_incidents(
                    s,
                    cli_actor("incidents-import"),
                    rows,
                    format,
                    verify=verify,
                    progress=lambda: progress.advance(task),
                ),
            )
    except imports.FileProblem as problem:
        fail(f"{file}: {problem}", EXIT_BAD_INPUT)
    for line, reason in summary.bad:
        err.print(f"line {line}: {reason}", highlight=False)
    table = Table("rows read", "created", "already present", "skipped", "bad rows")
    table.add_row(
        str(summary.read),
        str(summary.created),
        str(summary.already_present),
        str(len(summary.skipped)),
        str(len(summary.bad)),
    )
    out.print(table)


@risk_app.command("recompute")
def risk_recompute() -> None:
    """Rebuild the surface from every counted incident and store the threat levels it implies."""
    from jsms.risk import service as risk

    def action(session):
        risk.forget_engine()
        return risk.refresh_levels(session), risk.threat_levels(session, cli_actor("risk"), "province")

    changes, provinces = run("risk-recompute", action)
    table = Table("province", "level", "intensity")
    for row in provinces:
        table.add_row(row.area, str(row.level), f"{row.intensity:.2f}")
    out.print(table)
    out.print(f"{len(changes)} level(s) changed")


# ---- roads ------------------------------------------------------------------------------


def _network_summary(network) -> dict[str, Any]:
    return {
        "source": network.source,
        "nodes": network.node_count,
        "edges": network.edge_count,
        "km": round(float(network.length_m.sum()) / 2000),  # both directions of most roads
        "landmarks": network.from_landmark.shape[1],
    }


def _record_network(action: str, summary: dict[str, Any]) -> None:
    from jsms.core.audit import record_event

    run(
        f"roads-{action}",
        lambda session: record_event(session, f"roads.{action}", "road_network", "current", summary),
    )


@roads_app.command("import-osm")
def roads_import_osm(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help=".osm.pbf, .osm or .osm.bz2")
    ],
    landmarks: Annotated[int, typer.Option(min=1, max=64, help="Landmarks for goal-directed search")] = 16,
) -> None:
    """Load the drivable roads of an OpenStreetMap extract; routes use them from then on."""
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from jsms.geo.roads import install_network
    from jsms.geo.roads.osm import import_osm

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        reading = progress.add_task("reading ways", total=None)
        building = progress.add_task("building the network", total=landmarks, visible=False)

        def report(stage: str, done: int, total: int | None) -> None:
            if stage == "ways":
                progress.update(reading, completed=done, total=total, description=f"reading ways ({done:,})")
            else:
                progress.update(building, completed=done, visible=True)

        try:
            network = import_osm(file, report, landmarks=landmarks)
        except (ValueError, RuntimeError) as problem:
            fail(f"{file}: {problem}", EXIT_BAD_INPUT)
    path = install_network(network)
    summary = _network_summary(network)
    _record_network("import", summary)
    out.print(
        f"installed {summary['nodes']:,} nodes and {summary['edges']:,} directed edges "
        f"({summary['km']:,} km of road) from {file.name} at {path}"
    )


@roads_app.command("info")
def roads_info() -> None:
    """Which network routes run on, and its size."""
    from jsms.geo.roads import current_router, imported_network_path

    summary = _network_summary(current_router().network)
    path = imported_network_path()
    out.print(f"network    {summary['source']}", highlight=False)
    out.print(f"file       {path if path.exists() else '(bundled)'}", highlight=False)
    out.print(f"nodes      {summary['nodes']:,}")
    out.print(f"edges      {summary['edges']:,} directed")
    out.print(f"road       {summary['km']:,} km")
    out.print(f"landmarks  {summary['landmarks']}")


@roads_app.command("reset")
def roads_reset() -> None:
    """Go back to the bundled national network."""
    from jsms.geo.roads import remove_imported_network

    if not remove_imported_network():
        out.print("routes already run on the bundled network")
        return
    _record_network("reset", {"source": "bundled"})
    out.print("routes run on the bundled network again")


# ---- news (osint) ------------------------------------------------------------------------

Articles = Annotated[list[Path], typer.Argument(help="Article files (text or HTML) or folders of them")]
OutputFormat = Annotated[str, typer.Option("--format", help="jsonl (one JSON object per article) or table")]


def _read_articles(paths: list[Path]) -> list:
    """Read every article first, so that one unreadable file stops the run before any output."""
    from jsms.osint.inputs import InputError, expand, read_path

    try:
        files = list(expand(paths))
        if not files:
            fail("no article files found (.txt, .md, .html)", EXIT_BAD_INPUT)
        return [read_path(path) for path in files]
    except InputError as error:
        fail(str(error), EXIT_BAD_INPUT)


def _extract_all(raws: list) -> list:
    from rich.progress import Progress

    from jsms.osint.service import extract_raw

    results = []
    with Progress(console=err, transient=True, disable=len(raws) < 20) as progress:
        task = progress.add_task("extracting", total=len(raws))
        for raw in raws:
            results.append(extract_raw(raw))
            progress.advance(task)
    return results


def _check_format(format: str) -> None:
    if format not in ("jsonl", "table"):
        fail(f"unknown format {format!r}; use jsonl or table (--format)", EXIT_BAD_INPUT)


@osint_app.command("extract")
def osint_extract(files: Articles, format: OutputFormat = "table") -> None:
    """The attacks each article describes, and whether it reports a new one."""
    import orjson

    _check_format(format)
    raws = _read_articles(files)
    extractions = _extract_all(raws)
    if format == "jsonl":
        for raw, extraction in zip(raws, extractions, strict=True):
            sys.stdout.write(orjson.dumps(extraction.as_contract(raw.location)).decode() + "\n")
        return
    table = Table(
        "file", "new?", "date", "place", "province", "kind", "killed", "protected killed", "claimed by"
    )
    for raw, extraction in zip(raws, extractions, strict=True):
        for incident in extraction.incidents or [None]:
            row = incident.as_contract() if incident else {}
            table.add_row(
                Path(raw.location).name,
                ("yes" if extraction.reports_new_incident else "no") if not incident or incident.new else "",
                *(
                    str(row.get(k) if row.get(k) is not None else "")
                    for k in (
                        "date",
                        "place",
                        "province",
                        "event_type",
                        "killed",
                        "killed_chinese",
                        "claimed_by",
                    )
                ),
            )
    out.print(table)


@osint_app.command("cluster")
def osint_cluster(files: Articles, format: OutputFormat = "table") -> None:
    """Which articles report the same new event (one cluster per event)."""
    import orjson

    from jsms.osint.cluster import cluster

    _check_format(format)
    raws = _read_articles(files)
    keys = cluster(_extract_all(raws))
    if format == "jsonl":
        for raw, key in zip(raws, keys, strict=True):
            sys.stdout.write(orjson.dumps({"file": raw.location, "cluster": key}).decode() + "\n")
        return
    table = Table("cluster", "file")
    for raw, key in sorted(zip(raws, keys, strict=True), key=lambda pair: (pair[1] is None, pair[1] or "")):
        table.add_row(key or "—", Path(raw.location).name)
    out.print(table)


@osint_app.command("ingest")
def osint_ingest(
    sources: Annotated[
        list[str],
        typer.Argument(help="Feed or page URLs, feed files (.rss .atom .xml), article files, folders"),
    ],
) -> None:
    """Store articles (each once) and put the new attacks they report into the review queue."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from jsms.osint.inputs import InputError, read_source
    from jsms.osint.service import ingest

    actor = cli_actor("osint-ingest")
    tally = dict.fromkeys(("read", "stored", "already stored", "new proposals", "joined proposals"), 0)
    problems: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("reading", total=len(sources))
        raws = []
        for source in sources:
            try:
                raws.extend(read_source(source))
            except InputError as error:
                problems.append(str(error))
            progress.advance(task)
        task = progress.add_task("storing", total=len(raws))
        for raw in raws:
            tally["read"] += 1
            try:
                with unit_of_work(actor) as session:
                    result = ingest(session, actor, raw)
            except DomainError as error:
                problems.append(f"{raw.location}: {error}")
            else:
                tally["already stored" if result.duplicate else "stored"] += 1
                if not result.duplicate and result.event is not None:
                    tally["new proposals" if result.new_event else "joined proposals"] += 1
            progress.advance(task)
    for problem in problems:
        err.print(f"[yellow]skipped:[/] {problem}", highlight=False, soft_wrap=True)
    table = Table(*tally, "problems")
    table.add_row(*(str(n) for n in tally.values()), str(len(problems)))
    out.print(table)
    if problems:  # the rest is stored; the exit code says that something was not
        raise typer.Exit(EXIT_FAILURE if tally["read"] else EXIT_BAD_INPUT)


@osint_app.command("poll")
def osint_poll(
    every: Annotated[bool, typer.Option("--all", help="Read every active feed, not only those due")] = False,
) -> None:
    """Read the registered news feeds that are due now (the server and `jsms worker` do it by
    themselves; this is for a node that runs neither, from cron)."""
    from sqlalchemy import select

    from jsms.core.db import new_session
    from jsms.osint.feeds import poll_due
    from jsms.osint.models import NewsFeed

    polled = poll_due(every)
    with new_session(cli_actor("osint-poll")) as session:
        names = {f.id: f.name for f in session.scalars(select(NewsFeed))}
    table = Table("feed", "entries", "new articles", "problem")
    for result in polled:
        name = names.get(result.feed_id, "?")
        table.add_row(name, str(result.entries), str(result.new_articles), result.error or "")
    out.print(table if polled else "no feed is due")
    if any(result.error for result in polled):
        raise typer.Exit(EXIT_FAILURE)


@osint_app.command("eval")
def osint_eval(
    gold: Annotated[
        Path, typer.Argument(help="Annotations, one JSON object per article (the dev set's gold.jsonl)")
    ],
    folder: Annotated[Path, typer.Argument(help="The folder holding the annotated articles")],
) -> None:
    """Score the extractor and the clustering against annotations; prints a JSON summary and a
    line of headline figures."""
    import orjson

    from jsms.osint.cluster import cluster
    from jsms.osint.scoring import score

    try:
        lines = gold.read_text(encoding="utf-8").splitlines()
        rows = [orjson.loads(line) for line in lines if line.strip()]
        annotated = {row["file"].rsplit("/", 1)[-1]: row for row in rows}
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError) as error:
        fail(f"{gold}: not a file of annotations ({error})", EXIT_BAD_INPUT)
    if not folder.is_dir():
        fail(f"{folder}: not a folder", EXIT_BAD_INPUT)
    missing = sorted(name for name in annotated if not (folder / name).is_file())
    if missing:
        fail(f"{folder}: annotated articles missing: {', '.join(missing[:5])}", EXIT_BAD_INPUT)
    raws = _read_articles([folder / name for name in annotated])
    extractions = _extract_all(raws)
    names = list(annotated)
    predicted = {name: e.as_contract(name) for name, e in zip(names, extractions, strict=True)}
    clusters = dict(zip(names, cluster(extractions), strict=True))
    scores = score(annotated, predicted, clusters)
    out.print_json(orjson.dumps(scores.__dict__).decode())
    out.print(scores.headline(), highlight=False)


# ---- serve and demo ----------------------------------------------------------------------

Host = Annotated[str, typer.Option(help="Address to listen on")]
Port = Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on")]


OsmandPort = Annotated[
    int | None,
    typer.Option(min=0, max=65535, help="Port for OsmAnd / Traccar Client trackers (0: none; default 5055)"),
]


def _serve(
    host: str,
    port: int,
    osmand_port: int | None = None,
    beside: Callable[[str, threading.Event], object] | None = None,
) -> None:
    """The application, and beside it in the same event loop the bare OsmAnd listener; `beside`
    (the demo's simulator) is given the listener's address and an event set at shutdown."""
    import asyncio

    import uvicorn

    from jsms.tracking.server import osmand_app
    from jsms.web.app import create_app

    osmand_port = get_settings().osmand_port if osmand_port is None else osmand_port
    trackers = None
    if osmand_port:  # configured first: each Config sets up logging, and the main server's must win
        config = uvicorn.Config(
            osmand_app, host=host, port=osmand_port, lifespan="off", access_log=False, log_level="warning"
        )
        trackers = uvicorn.Server(config)
    main_server = uvicorn.Server(
        uvicorn.Config(create_app(settle_heap=True), host=host, port=port, log_level="info")
    )

    stopping = threading.Event()

    async def both() -> None:
        task = asyncio.create_task(trackers.serve()) if trackers else None
        if trackers:
            out.print(f"OsmAnd trackers at [bold]http://{host}:{osmand_port}[/]")
            if beside is not None:
                beside(f"http://{host}:{osmand_port}", stopping)
        try:
            await main_server.serve()  # installs its signal handlers last: Ctrl-C stops it first
        finally:
            stopping.set()
            if task is not None:
                trackers.should_exit = True
                await task

    try:  # the fast event loop where available (uvicorn[standard] brings it), as uvicorn would pick
        import uvloop
    except ImportError:
        asyncio.run(both())
    else:
        uvloop.run(both())


@app.command()
def serve(host: Host = "127.0.0.1", port: Port = 8000, osmand_port: OsmandPort = None) -> None:
    """Serve the node (production). Refuses default secrets and demo credentials."""
    from jsms.demo.loader import demo_credentials_in_use

    settings = get_settings()
    if settings.uses_insecure_secret:
        fail(
            "JSMS_SECRET_KEY is not set: refusing to serve with the default secret key",
            EXIT_BAD_INPUT,
        )
    if settings.uses_default_demo_password and run("serve-check", demo_credentials_in_use):
        fail(
            "demo users with the default password exist: change their passwords "
            "(jsms users set-password) or use `jsms demo`",
            EXIT_BAD_INPUT,
        )
    prepare_database()
    _serve(host, port, osmand_port)


@app.command()
def demo(
    host: Host = "127.0.0.1",
    port: Port = 8000,
    osmand_port: OsmandPort = None,
    data_dir: DataDir = None,
    load_only: Annotated[bool, typer.Option("--load-only", help="Load the data, do not serve")] = False,
    simulate: Annotated[
        bool, typer.Option(help="Drive the live journeys with the simulator (trackers are fitted either way)")
    ] = True,
    speedup: Annotated[
        float, typer.Option(min=1, max=1000, help="The simulator's simulated seconds per second")
    ] = 10.0,
) -> None:
    """Create a demo node: data directory, schema, demo data set; then serve it, with journeys under way."""
    from jsms.demo.live import begin_live_journeys, simulate_in_background
    from jsms.demo.loader import ensure_demo_secret, load_demo

    if data_dir is not None:
        use_settings(Settings(data_dir=data_dir))
    ensure_demo_secret()
    prepare_database()
    with reported_errors():
        summary = load_demo()
    out.print(summary)
    if load_only:
        return
    with reported_errors():
        started = begin_live_journeys()
    if started:
        out.print(f"{started} journeys under way, with trackers on their vehicles")
    out.print(
        f"JSMS demo at [bold]http://{host}:{port}[/] — users host.commander, host.officer, "
        "host.analyst, partner.liaison, company.security, jwg.secretary, auditor"
    )

    def simulator(osmand_url: str, stopping: threading.Event) -> None:
        simulate_in_background(osmand_url, speedup, stopping)

    _serve(host, port, osmand_port, simulator if simulate else None)


@app.command()
def worker(
    interval: Annotated[float, typer.Option(min=0.05, max=60, help="Seconds between polls")] = 0.5,
    events: Annotated[bool, typer.Option(help="Deliver domain events (one process per node should)")] = True,
    tracking: Annotated[
        bool, typer.Option(help="Check pings from the Redis streams (needs JSMS_REDIS_URL)")
    ] = True,
) -> None:
    """Work outside the web server: deliver domain events (risk updates, alerts) and, with Redis,
    check pings from the streams on the partitions this worker leases.

    Run one event-delivering worker per node, with JSMS_DISPATCH_IN_SERVER=false for the server;
    run as many tracking workers as the load needs."""
    import signal

    from jsms.core.events import Dispatcher
    from jsms.core.live import relay_via_redis
    from jsms.web.app import node_jobs

    settings = get_settings()
    tracking = tracking and bool(settings.redis_url)
    if not events and not tracking:
        fail("nothing to do: tracking workers need JSMS_REDIS_URL (and --events is off)", EXIT_BAD_INPUT)
    prepare_database()
    relay_via_redis(settings.redis_url, listen=False)
    jobs = [job.start() for job in node_jobs()] if events else []
    if not tracking:
        out.print("delivering events, reading news feeds, sending reports, purging; Ctrl-C to stop")
        try:
            Dispatcher(interval).run()
        finally:
            for job in jobs:
                job.stop()
        return
    from jsms.tracking.stream import run_worker

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # a clean stop hands the partitions back
    dispatcher = Dispatcher(interval) if events else None
    if dispatcher is not None:
        dispatcher.start()
    out.print(f"checking pings from Redis{' and delivering events' if events else ''}; Ctrl-C to stop")
    try:
        run_worker(stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        if dispatcher is not None:
            dispatcher.stop()
        for job in jobs:
            job.stop()


@app.command()
def purge(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would go; remove nothing")] = False,
) -> None:
    """Purge positions and personal data older than the retention periods (also run every few
    hours where events are delivered); the purge is recorded in the audit chain."""
    from jsms import retention

    prepare_database()
    with reported_errors():
        done = retention.purge(dry_run=dry_run)
    settings = get_settings()
    verb = "would purge" if dry_run else "purged"
    out.print(
        f"{verb}: {done.positions['pings']} positions in {done.positions['blocks']} blocks of "
        f"{len(done.positions['journeys'])} journeys and {done.positions['last_positions']} last "
        f"positions (taken over {settings.position_retention_days} days ago); personal data of "
        f"{len(done.persons)} departed persons, {len(done.casualties)} casualties and "
        f"{len(done.beneficiaries)} beneficiaries (over {settings.personal_data_retention_days} days)"
    )
    if done.audit_id:
        out.print(f"recorded in the audit chain as retention.purge {done.audit_id}")


@app.command()
def simulate(
    server: Annotated[str | None, typer.Option(help="OsmAnd server (default: this node's port)")] = None,
    speedup: Annotated[
        float, typer.Option(min=0.1, max=1000, help="Simulated seconds per real second")
    ] = 1.0,
    interval: Annotated[float, typer.Option(min=0.2, max=600, help="Seconds between reports")] = 5.0,
    duration: Annotated[float | None, typer.Option(min=1, help="Stop after this many seconds")] = None,
    incidents: Annotated[bool, typer.Option(help="Script a deviation, a silence and an SOS")] = True,
) -> None:
    """Drive the journeys being watched along their routes, reporting over the OsmAnd protocol."""
    from rich.progress import Progress, TextColumn, TimeElapsedColumn

    from jsms.tracking import service as tracking
    from jsms.tracking.simulate import Simulation
    from jsms.tracking.simulate import run as run_simulation

    target = server or f"http://127.0.0.1:{get_settings().osmand_port}"
    vehicles = run("simulate", lambda session: tracking.simulated_vehicles(session, with_incidents=incidents))
    if not vehicles:
        fail(
            "no journey being watched has a tracker: approve a journey and register its devices",
            EXIT_BAD_INPUT,
        )
    out.print(f"simulating {len(vehicles)} trackers → {target} (×{speedup:g}); Ctrl-C to stop")
    with Progress(TextColumn("{task.description}"), TimeElapsedColumn(), console=out) as progress:
        task = progress.add_task("reports accepted: 0")

        def report(accepted: int, failed: int) -> None:
            progress.update(task, description=f"reports accepted: {accepted}, refused or lost: {failed}")

        accepted = run_simulation(Simulation(vehicles, speedup), target, interval, duration, report)
    out.print(f"done: {accepted} reports accepted")


# ---- reports -----------------------------------------------------------------------------


def _reader(session, username: str | None, command: str) -> Actor:
    """The user a report is made for (what the policy shows them); the full copy without one."""
    from sqlalchemy import select

    from jsms.core.auth import actor_for
    from jsms.core.models import User

    if username is None:
        return cli_actor(command)
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        fail(f"no user {username!r} (--reader)", EXIT_BAD_INPUT)
    return actor_for(user)


ReportDay = Annotated[
    str | None, typer.Option("--date", help="The report's day, YYYY-MM-DD (default: today)")
]
ReportLanguage = Annotated[str, typer.Option("--lang", help="en, zh or ur")]
ReportFormat = Annotated[str, typer.Option("--format", help="pdf or html")]
ReportReader = Annotated[
    str | None, typer.Option("--reader", help="Make the copy this user may read (e.g. the partner's)")
]
ReportFile = Annotated[
    Path | None, typer.Option("--out", help="File to write (default: named after the report)")
]


def _report_request(day: str | None, language: str, format: str):
    """The day, checked language and format of a report command."""
    from datetime import date

    from jsms.core.i18n import LANGUAGES
    from jsms.reports import render, service

    if language not in LANGUAGES:
        fail(f"unknown language {language!r} (--lang): use {', '.join(LANGUAGES)}", EXIT_BAD_INPUT)
    if format not in render.FORMATS:
        fail(f"unknown format {format!r} (--format): use {' or '.join(render.FORMATS)}", EXIT_BAD_INPUT)
    try:
        return date.fromisoformat(day) if day else service.today()
    except ValueError:
        fail(f"{day!r} is not a date like 2026-11-23 (--date)", EXIT_BAD_INPUT)


@report_app.command("sitrep")
def report_sitrep(
    day: ReportDay = None,
    language: ReportLanguage = "en",
    format: ReportFormat = "pdf",
    reader: ReportReader = None,
    output: ReportFile = None,
) -> None:
    """The daily situation report: the 24 hours up to 08:00 Pakistan time on the day, with the
    outlook the analyst on duty wrote for it."""
    from jsms.reports import service

    on = _report_request(day, language, format)
    target = output or Path(f"sitrep-{on.isoformat()}-{language}.{format}")
    with reported_errors(), unit_of_work(cli_actor("report-sitrep")) as session:
        who = _reader(session, reader, "report-sitrep")
        report, body = service.situation_report(session, who, on, language, format)
    target.write_bytes(body)
    out.print(
        f"{target}: {report.marking.label}, {len(report.incidents)} incidents, {len(report.alerts)} alerts, "
        f"{len(report.completed)} journeys completed, {len(report.under_way)} under way"
    )


@report_app.command("deliver")
def report_deliver(
    at: Annotated[
        str | None, typer.Option("--at", help="Act as if it were this time (ISO 8601; default: now)")
    ] = None,
) -> None:
    """Send the reports that are due to their subscribers now (the server and `jsms worker` do it
    every minute; this is for a node that runs neither, from cron)."""
    from datetime import datetime

    from jsms.reports.delivery import deliver_due

    try:
        now = datetime.fromisoformat(at) if at else None
    except ValueError:
        fail(f"{at!r} is not a time like 2026-11-23T09:00+05:00 (--at)", EXIT_BAD_INPUT)
    if now is not None and now.tzinfo is None:
        fail("give --at with its time zone, e.g. 2026-11-23T09:00+05:00", EXIT_BAD_INPUT)
    with reported_errors():
        sent = deliver_due(now)
    out.print(f"{sent} reports sent")


@report_app.command("assessment")
def report_assessment(
    province: Annotated[str, typer.Option("--province", help="e.g. PK-BA (Balochistan)")],
    day: ReportDay = None,
    language: ReportLanguage = "en",
    format: ReportFormat = "pdf",
    reader: ReportReader = None,
    output: ReportFile = None,
) -> None:
    """A province's weekly threat assessment: the seven days up to 08:00 on the day."""
    from jsms.reports import service

    on = _report_request(day, language, format)
    target = output or Path(f"threat-assessment-{province}-{on.isoformat()}-{language}.{format}")
    with reported_errors(), unit_of_work(cli_actor("report-assessment")) as session:
        who = _reader(session, reader, "report-assessment")
        report, body = service.threat_assessment(session, who, province, on, language, format)
    target.write_bytes(body)
    out.print(
        f"{target}: {report.marking.label}, {len(report.week)} incidents this week, "
        f"{len(report.sites)} sites rated"
    )


def entrypoint() -> None:  # pragma: no cover - console script shim
    sys.exit(app())


if __name__ == "__main__":
    app()
