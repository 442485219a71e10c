"""Load the demo data set through the same service functions the API uses."""

import random
import secrets
import uuid
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from shapely import unary_union
from shapely.geometry import mapping
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from jsms.core import users
from jsms.core.actor import Actor
from jsms.core.auth import password_matches
from jsms.core.config import SECRET_KEY_FILE, Settings, get_settings, use_settings
from jsms.core.db import unit_of_work
from jsms.core.models import Organisation, User
from jsms.core.parties import add_organisation
from jsms.demo import data
from jsms.geo.provinces import province_outline
from jsms.movements import schemas as js
from jsms.movements import service as movements
from jsms.registry import schemas as s
from jsms.registry import service as registry
from jsms.registry.models import Asset, ProtectedPerson, Site

DEMO_ACTOR = Actor.system("demo-loader")
PERSON_COUNT = 500
PAKISTAN = ZoneInfo("Asia/Karachi")
NEWS_DIR = Path(__file__).resolve().parent / "news"


def ensure_demo_secret() -> None:
    """Give a demo node its own random secret key, kept in the data directory for later commands."""
    settings = get_settings()
    if not settings.uses_insecure_secret:
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    key_file = settings.data_dir / SECRET_KEY_FILE
    key_file.write_text(secrets.token_urlsafe(48))
    key_file.chmod(0o600)
    use_settings(Settings(data_dir=settings.data_dir))


def demo_credentials_in_use(session: Session) -> bool:
    """Whether any demo user still signs in with the default demo password."""
    password = get_settings().demo_password.get_secret_value()
    hashes = session.scalars(select(User.password_hash).where(User.username.in_(list(data.USERS))))
    return any(password_matches(h, password) for h in hashes)


def load_demo() -> str:
    """Load the data set into an empty node; a node that already has sites is left alone."""
    with unit_of_work(DEMO_ACTOR) as session:
        if session.scalar(select(func.count()).select_from(Site)):
            return "demo data already loaded"
        orgs = _organisations(session)
        units = _units(session, orgs)
        projects = _projects(session, orgs)
        sites = _sites(session, orgs, units, projects)
        agreement = _agreements(session)
        assets = _donated_equipment(session, orgs, units, agreement)
        assets += _vehicles(session, orgs, units)
        people = _protected_persons(session, orgs, projects, sites)
        _users(session, orgs, units)
        history = _incident_history(session)
        _threat_levels(session)
        journeys = _journeys(session, orgs, units, sites)
        articles = _news(session)
        meetings = _working_groups(session, orgs, units)
        assessments = _assessments(session, orgs, units, sites)
        cases = _compensation(session, orgs)
    return (
        f"demo data loaded: {len(orgs)} organisations, {len(units)} units, {len(projects)} projects, "
        f"{len(sites)} sites, {assets} assets, {people} protected persons, "
        f"{len(data.USERS)} users, {history} incidents, {journeys} journeys, {articles} news articles, "
        f"{meetings} meetings, {assessments} site assessments, {cases} compensation cases"
    )


def _working_groups(session: Session, orgs: dict, units: dict) -> int:
    """The two working groups with their meetings so far; the latest one's decisions and actions
    (one of them overdue, one due in two days)."""
    from jsms.coordination import schemas as cs
    from jsms.coordination import service as coordination

    def org(key: str) -> Organisation:  # a unit is an organisation too (its node in the tree)
        return session.get(Organisation, (units.get(key) or orgs[key]).id)

    today = datetime.now(PAKISTAN).replace(hour=10, minute=0, second=0, microsecond=0)
    count = 0
    for key, (name, short, scope, about) in data.WORKING_GROUPS.items():
        seats = data.GROUP_SEATS[key]
        members = [
            cs.MemberIn(name=office, party=party, organisation_id=org(where).id, role=role)
            for office, party, where, role in seats
        ]
        about_group = cs.GroupIn(name=name, short_name=short, scope=scope, description=about, members=members)
        group = coordination.create_group(session, DEMO_ACTOR, about_group)
        chairs = [office for office, _, _, role in seats if role == "co_chair"]
        for days, venue, agenda in data.GROUP_MEETINGS[key]:
            starts = today - timedelta(days=days)
            meeting = coordination.create_meeting(
                session,
                DEMO_ACTOR,
                cs.MeetingIn(
                    group_id=group.id,
                    starts_at=starts,
                    ends_at=starts + timedelta(hours=3),
                    venue=venue,
                    host_co_chair=chairs[0],
                    partner_co_chair=chairs[1],
                    status="held",
                    agenda=list(agenda),
                    attendees=[
                        cs.AttendeeIn(name=office, organisation=org(where).name, party=party)
                        for office, party, where, _ in seats
                    ],
                ),
            )
            count += 1
        if key == "jwg_cpec":  # the latest meeting's decisions and the actions they gave
            for text, owner, action, due_in in data.LATEST_DECISIONS:
                decided = cs.DecisionIn(text=text)
                decision = coordination.add_decision(session, DEMO_ACTOR, meeting.id, decided)
                coordination.add_action(
                    session,
                    DEMO_ACTOR,
                    meeting.id,
                    cs.ActionIn(
                        text=action,
                        owner_organisation_id=org(owner).id,
                        due_on=(today + timedelta(days=due_in)).date(),
                        decision_id=decision.id,
                    ),
                )
    return count


# The demo's signatories and approvers: the demo users who would have done it.
HOST_COMMANDER = Actor(username="host.commander", role="host_commander", party="host")
PARTNER_REPRESENTATIVE = Actor(
    username="partner.representative", role="partner_representative", party="partner"
)
PARTNER_LIAISON = Actor(username="partner.liaison", role="partner_liaison_officer", party="partner")


def _assessments(session: Session, orgs: dict, units: dict, sites: dict) -> int:
    """Joint assessments: two final (both parties signed), Dasu's signed by the host only."""
    from jsms.coordination import assessments, checklists
    from jsms.coordination import schemas as cs

    today = datetime.now(PAKISTAN).date()
    signers = {
        "host": (HOST_COMMANDER, "Lt Col, Special Security Division"),
        "partner": (PARTNER_LIAISON, "Security counsellor"),
    }
    for site_key, days_ago, usual, different, parties, findings in data.ASSESSMENTS:
        site = sites[site_key]
        answers = {q.key: different.get(q.key, usual) for q in checklists.checklist_for(site.kind)}
        team = [cs.AssessorIn(name=signers[p][1], party=p) for p in ("host", "partner")]
        about = cs.AssessmentIn(
            site_id=site.id, assessed_on=today - timedelta(days=days_ago), team=team, answers=answers
        )
        assessment = assessments.create_assessment(session, DEMO_ACTOR, about)
        for area, severity, text, remedy, owner, due_in, closed in findings:
            owner_id = (units.get(owner) or orgs[owner]).id
            finding = assessments.add_finding(
                session,
                DEMO_ACTOR,
                assessment.id,
                cs.FindingIn(
                    area=area,
                    severity=severity,
                    text=text,
                    remediation=remedy,
                    owner_org_id=owner_id,
                    due_on=today + timedelta(days=due_in),
                ),
            )
            if closed:
                assessments.update_finding(
                    session, DEMO_ACTOR, finding.id, cs.FindingUpdate(status="closed", closure_note=closed)
                )
        for party in parties:
            actor, name = signers[party]
            assessments.sign(session, actor, assessment.id, cs.SignIn(name=name))
    return len(data.ASSESSMENTS)


def _compensation(session: Session, orgs: dict) -> int:
    """The Besham attack's casualties; the five engineers' families paid, the driver's case awaiting
    its second approval."""
    from jsms.incidents.models import Incident
    from jsms.welfare import schemas as ws
    from jsms.welfare import service as welfare

    besham = session.scalar(select(Incident).where(Incident.title.like("%Besham%")))
    cases = 0
    for name, nationality, occupation, employer in data.BESHAM_CASUALTIES:
        casualty = welfare.create_casualty(
            session,
            DEMO_ACTOR,
            ws.CasualtyIn(
                incident_id=besham.id,
                name=name,
                nationality=nationality,
                outcome="killed",
                occupation=occupation,
                employer_org_id=orgs[employer].id if employer else None,
            ),
        )
        amount, currency, basis = (
            data.BESHAM_COMPENSATION if nationality == "CN" else data.DRIVER_COMPENSATION
        )
        family = [
            ws.BeneficiaryIn(name=f"Spouse of {name}", relationship_to_casualty="spouse", share_percent=60),
            ws.BeneficiaryIn(name=f"Parent of {name}", relationship_to_casualty="parent", share_percent=40),
        ]
        about = ws.CaseIn(
            casualty_id=casualty.id,
            amount=amount,
            currency=currency,
            basis=basis,
            beneficiaries=family,
            reference=f"CC-2024-{cases + 1:03d}",
        )
        case = welfare.create_case(session, DEMO_ACTOR, about)
        welfare.approve_case(session, HOST_COMMANDER, case.id)
        if nationality == "CN":
            welfare.approve_case(session, PARTNER_REPRESENTATIVE, case.id)
            paid = ws.PaymentIn(
                amount=amount,
                paid_on="2024-06-28",
                reference=f"GOP-ECC-2024-{cases + 1:02d}",
                status="completed",
            )
            welfare.add_payment(session, HOST_COMMANDER, case.id, paid)
        cases += 1
    return cases


def _news(session: Session) -> int:
    """Articles fed in as the analyst would: the review queue starts with proposals in it."""
    from jsms.osint import service as osint
    from jsms.osint.inputs import expand, read_path

    files = list(expand([NEWS_DIR]))
    for path in files:
        osint.ingest(session, DEMO_ACTOR, read_path(path))
    return len(files)


def _organisations(session: Session) -> dict:
    orgs: dict = {}
    for key, (party, kind, name, name_zh, short, parent) in data.ORGANISATIONS.items():
        orgs[key] = add_organisation(
            session,
            DEMO_ACTOR,
            party=party,
            kind=kind,
            name=name,
            name_zh=name_zh,
            short_name=short,
            parent_id=orgs[parent].id if parent else None,
        )
    return orgs


def _area_of(unit_key: str) -> dict | None:
    """A unit's area of responsibility as GeoJSON: its provinces, simplified for the map."""
    if unit_key == "tf88":
        return {"type": "Polygon", "coordinates": [data.TF88_SEA_AREA]}
    codes = data.UNIT_AREAS.get(unit_key)
    if not codes:
        return None
    area = unary_union([province_outline(code) for code in codes]).simplify(0.02, preserve_topology=True)
    return mapping(area)


def _units(session: Session, orgs: dict) -> dict:
    units = {}
    for key, (
        parent,
        kind,
        name,
        name_zh,
        call_sign,
        strength,
        province,
        lat,
        lon,
    ) in data.UNITS.items():
        units[key] = registry.create_unit(
            session,
            DEMO_ACTOR,
            s.UnitCreate(
                parent_id=orgs[parent].id,
                kind=kind,
                name=name,
                name_zh=name_zh,
                call_sign=call_sign,
                short_name=call_sign,
                area_of_responsibility=_area_of(key),
                strength=strength,
                province=province,
                hq_lat=lat,
                hq_lon=lon,
            ),
        )
    return units


def _projects(session: Session, orgs: dict) -> dict:
    return {
        key: registry.create_project(
            session,
            DEMO_ACTOR,
            s.ProjectCreate(
                name=name,
                name_zh=name_zh,
                programme=programme,
                sector=sector,
                status=status,
                sponsor_org_id=orgs[sponsor].id if sponsor else None,
            ),
        )
        for key, (name, name_zh, programme, sector, status, sponsor) in data.PROJECTS.items()
    }


def _sites(session: Session, orgs: dict, units: dict, projects: dict) -> dict:
    return {
        site.key: registry.create_site(
            session,
            DEMO_ACTOR,
            s.SiteCreate(
                name=site.name,
                name_zh=site.name_zh,
                kind=site.kind,
                security_tier=site.tier,
                lat=site.lat,
                lon=site.lon,
                project_id=projects[site.project].id if site.project else None,
                guarding_unit_id=units[site.unit].id,
                owner_org_id=orgs[site.owner].id if site.owner else None,
            ),
        )
        for site in data.SITES
    }


def _agreements(session: Session):
    mou = registry.create_agreement(session, DEMO_ACTOR, s.AgreementCreate(**data.SECURITY_MOU_2024))
    for other in data.OTHER_AGREEMENTS:
        registry.create_agreement(session, DEMO_ACTOR, s.AgreementCreate(**other))
    return mou


def _donated_equipment(session: Session, orgs: dict, units: dict, agreement) -> int:
    """The 2024 MoU's equipment, delivered in consignments to the units and handed over; the
    last consignment of fire-fighting trucks still awaits its handover."""
    items = {item.asset_kind: item for item in agreement.items}
    count = 0
    for kind, prefix, unit_keys, delivered_on, handed_over_on in data.DONATION_CONSIGNMENTS:
        numbered = 0
        for unit_key in dict.fromkeys(unit_keys):  # one consignment per unit, in order
            quantity = unit_keys.count(unit_key)
            delivery = registry.add_delivery(
                session,
                DEMO_ACTOR,
                agreement.id,
                s.DeliveryIn(
                    item_id=items[kind].id,
                    quantity=quantity,
                    delivered_on=delivered_on,
                    recipient_org_id=units[unit_key].id,
                    registrations=[f"{prefix}-24-{numbered + n:03d}" for n in range(1, quantity + 1)],
                ),
            )
            numbered += quantity
            count += quantity
            for asset in delivery.assets if kind == "armoured_vehicle" else ():
                registry.update_asset(session, DEMO_ACTOR, asset.id, s.AssetUpdate(armour_rating="VPAM VR7"))
            if handed_over_on and unit_key != "spu_kp":
                officer = f"Quartermaster, {data.UNITS[unit_key][2]}"[:200]
                handover = s.HandoverIn(handed_over_on=handed_over_on, received_by=officer)
                registry.hand_over(session, DEMO_ACTOR, agreement.id, delivery.id, handover)
    return count


def _vehicles(session: Session, orgs: dict, units: dict) -> int:
    """Escort vehicles of the units and the companies' own transport."""
    fleets = [
        (units[key], units[key], "Escort vehicle", data.UNITS[key][4], count)
        for key, count in data.ESCORT_VEHICLES.items()
    ]
    fleets += [
        (orgs[key], None, "Staff coaster", data.ORGANISATIONS[key][4], count)
        for key, count in data.COMPANY_VEHICLES.items()
    ]
    created = 0
    for owner, unit, label, short_name, count in fleets:
        code = short_name.upper().replace(" ", "").replace("-", "")[:10]
        for number in range(1, count + 1):
            registry.create_asset(
                session,
                DEMO_ACTOR,
                s.AssetCreate(
                    kind="vehicle",
                    name=f"{label} {number} ({short_name})",
                    registration=f"{code}-{number:02d}",
                    status="in_service",
                    owner_org_id=owner.id,
                    assigned_unit_id=unit.id if unit else None,
                ),
            )
            created += 1
    return created


def _journeys(session: Session, orgs: dict, units: dict, sites: dict) -> int:
    """Planned movements for the days ahead, one in each early state, planned on today's risk."""
    today = datetime.now(PAKISTAN).date()
    for plan in data.JOURNEYS:
        departure = datetime.combine(today + timedelta(days=plan.days_ahead), time(plan.local_hour), PAKISTAN)
        plan_journey(session, plan, units, sites, departure)
    return len(data.JOURNEYS)


def plan_journey(session: Session, plan: data.DemoJourney, units: dict, sites: dict, departure: datetime):
    """Create one demo journey and take it as far as its plan's state (up to approved)."""
    origin, destination = sites[plan.origin], sites[plan.destination]
    persons = session.scalars(
        select(ProtectedPerson.id)
        .where(ProtectedPerson.site_id == origin.id)
        .order_by(ProtectedPerson.full_name)
        .limit(plan.persons)
    ).all()
    armoured = _armoured_vehicle_of(session, units[plan.armoured_from], plan.armoured_index)
    journey = movements.create_journey(
        session,
        DEMO_ACTOR,
        js.JourneyCreate(
            purpose=plan.purpose,
            origin=js.Place(site_id=origin.id),
            destination=js.Place(site_id=destination.id),
            window_start=departure,
            window_end=departure + timedelta(minutes=30),
            person_ids=list(persons),
            vehicle_ids=[armoured] if armoured else [],
            requesting_org_id=origin.owner_org_id,
        ),
    )
    if plan.state == "draft":
        return journey
    movements.submit(session, DEMO_ACTOR, journey.id)
    if plan.escort_unit:
        escorts = session.scalars(
            select(Asset.id)
            .where(Asset.assigned_unit_id == units[plan.escort_unit].id, Asset.kind == "vehicle")
            .order_by(Asset.registration)
            .offset(plan.escort_offset)
            .limit(plan.escorts)
        ).all()
        movements.assign_escort(
            session,
            DEMO_ACTOR,
            journey.id,
            js.EscortAssignment(
                escort_unit_id=units[plan.escort_unit].id,
                escort_vehicle_ids=list(escorts),
                convoy_leader=plan.convoy_leader,
                convoy_leader_call_sign=plan.call_sign,
            ),
        )
    if plan.state in ("approved", "under_way"):
        movements.approve(session, DEMO_ACTOR, journey.id, "Escort and timings as the SOPs require")
    return journey


def _armoured_vehicle_of(session: Session, unit, index: int = 0) -> uuid.UUID | None:
    return session.scalars(
        select(Asset.id)
        .where(Asset.kind == "armoured_vehicle", Asset.assigned_unit_id == unit.id)
        .order_by(Asset.registration)
        .offset(index)
        .limit(1)
    ).first()


def _protected_persons(session: Session, orgs: dict, projects: dict, sites: dict) -> int:
    rng = random.Random(2026)
    staffed = [site for site in data.SITES if site.owner and data.ORGANISATIONS[site.owner][0] == "partner"]
    for _ in range(PERSON_COUNT):
        site = rng.choice(staffed)
        hanzi = rng.choice(data.SURNAMES) + "".join(rng.choice(data.GIVEN) for _ in range(rng.choice((1, 2))))
        pinyin = registry.pinyin_of(hanzi)
        registry.create_person(
            session,
            DEMO_ACTOR,
            s.PersonCreate(
                full_name=pinyin,
                name_hanzi=hanzi,
                name_pinyin=pinyin,
                nationality="CN",
                gender=rng.choice(("male", "male", "male", "female")),
                job_title="teacher" if site.kind == "university" else rng.choice(data.JOB_TITLES),
                employer_org_id=orgs[site.owner].id,
                project_id=projects[site.project].id if site.project else None,
                site_id=sites[site.key].id,
                passport_number=f"E{rng.randrange(10**7, 10**8)}",
                phone=f"+92 3{rng.randrange(0, 50):02d} {rng.randrange(10**6, 10**7)}",
                emergency_contact_name=registry.pinyin_of(rng.choice(data.SURNAMES) + rng.choice(data.GIVEN)),
                emergency_contact_phone=f"+86 1{rng.randrange(30, 90)} {rng.randrange(10**7, 10**8)}",
                consent_to_tracking=rng.random() < 0.85,
            ),
        )
    return PERSON_COUNT


def _users(session: Session, orgs: dict, units: dict) -> None:
    password = get_settings().demo_password.get_secret_value()
    for username, (role, org_key, display_name, language, timezone) in data.USERS.items():
        home = units.get(org_key) or orgs[org_key]
        users.create_user(
            session,
            DEMO_ACTOR,
            username=username,
            display_name=display_name,
            role=role,
            organisation_id=home.id,
            password=password,
            language=language,
            timezone=timezone,
            allow_short_password=True,
        )


BACKGROUND_INCIDENTS = 400


def _incident_history(session: Session) -> int:
    """Real attacks since 2017 (verified, marked historical) and synthetic background (verified)."""
    from datetime import UTC, datetime, timedelta

    from jsms.demo.incidents import BACKGROUND_AREAS, BACKGROUND_KINDS, HISTORY
    from jsms.incidents import service as incidents
    from jsms.incidents.schemas import IncidentCreate

    count = 0
    for attack in HISTORY:
        occurred = datetime.fromisoformat(attack.day).replace(hour=6, tzinfo=UTC)
        incident = incidents.create_incident(
            session,
            DEMO_ACTOR,
            IncidentCreate(
                title=attack.title,
                occurred_at=occurred,
                time_precision="day",
                lat=attack.lat,
                lon=attack.lon,
                place_name=attack.place,
                kind=attack.kind,
                target_category=attack.target,
                protected_nationality_targeted=True,
                killed=attack.killed,
                killed_protected=attack.killed_chinese,
                injured=attack.injured,
                claimed_by=attack.claimed_by,
                narrative=attack.summary,
                tlp="green",
            ),
            source_system="history",
            external_id=attack.key,
            historical=True,
        )
        incidents.verify_incident(session, DEMO_ACTOR, incident.id)
        count += 1
    rng = random.Random(2017)
    kinds = [kind for kind, weight in BACKGROUND_KINDS for _ in range(weight)]
    now = datetime.now(UTC)
    for number in range(BACKGROUND_INCIDENTS):
        area, lat, lon = _scattered_point(rng, rng.choice(BACKGROUND_AREAS))
        kind = rng.choice(kinds)
        occurred = now - timedelta(days=rng.expovariate(1 / 240))
        killed = 0 if kind in ("threat", "foiled_plot") else min(int(rng.expovariate(0.6)), 25)
        incident = incidents.create_incident(
            session,
            DEMO_ACTOR,
            IncidentCreate(
                title=f"Synthetic {kind.replace('_', ' ')} near {area}",
                occurred_at=occurred,
                lat=lat,
                lon=lon,
                place_name=area,
                kind=kind,
                target_category=rng.choice(
                    ("security_forces", "security_forces", "civilians", "infrastructure")
                ),
                killed=killed,
                injured=int(killed * rng.uniform(0.5, 2.5)),
                narrative="Synthetic background incident generated for the demo; not a real event.",
            ),
            source_system="synthetic",
            external_id=f"bg-{number}",
            synthetic=True,
        )
        incidents.verify_incident(session, DEMO_ACTOR, incident.id)
        count += 1
    return count


def _scattered_point(rng: random.Random, area: tuple[str, float, float, float]) -> tuple[str, float, float]:
    """A random point around an area's centre that lies inside Pakistan (not in the sea)."""
    from jsms.geo.provinces import province_at

    name, lat, lon, spread = area
    while True:
        point = (lat + rng.gauss(0, spread), lon + rng.gauss(0, spread))
        if province_at(*point) is not None:
            return name, round(point[0], 4), round(point[1], 4)


def _threat_levels(session: Session) -> None:
    """The first threat levels of the node, from the surface of the incidents just loaded."""
    from jsms.risk import service as risk

    risk.install_default_rules(session)
    risk.forget_engine()
    risk.refresh_levels(session)
