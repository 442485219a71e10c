"""Protected persons: personal data encrypted at rest, shown only where the policy allows, reads audited."""

from sqlalchemy import func, select, text

from jsms.core.models import AuditRecord

NEW_PERSON = {
    "full_name": "Zhang Wei",
    "name_hanzi": "张伟",
    "nationality": "CN",
    "passport_number": "E12345678",
    "phone": "+92 300 1234567",
    "emergency_contact_phone": "+86 138 0013 8000",
    "consent_to_tracking": True,
}
PERSONAL = ("passport_number", "phone", "emergency_contact_phone")


def read_audits(connection, person_id: str) -> int:
    return connection.execute(
        select(func.count())
        .select_from(AuditRecord)
        .where(
            AuditRecord.object_id == person_id,
            AuditRecord.action == "protected_person.read_personal",
        )
    ).scalar_one()


def test_personal_data_is_encrypted_at_rest(api, connection):
    created = api.post("/api/v1/persons", "host.officer", json=NEW_PERSON).json()
    stored = connection.execute(
        text(
            "SELECT passport_number, phone FROM protected_person WHERE full_name = 'Zhang Wei'"
            " AND name_hanzi = '张伟'"
        )
    ).all()
    assert stored and all(v.startswith("v1:") and "12345678" not in v for row in stored for v in row)
    assert created["passport_number"] == "E12345678"


def test_pinyin_is_derived_from_hanzi(api):
    created = api.post(
        "/api/v1/persons",
        "host.officer",
        json={"full_name": "Li Na", "name_hanzi": "李娜", "nationality": "CN"},
    ).json()
    assert created["name_pinyin"] == "Li Na"
    bad = api.post(
        "/api/v1/persons",
        "host.officer",
        json={"full_name": "X", "name_hanzi": "Li", "nationality": "CN"},
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["body", "name_hanzi"]


def test_lists_never_carry_personal_data(api):
    for user in ("host.commander", "host.officer", "partner.liaison", "company.security"):
        page = api.get("/api/v1/persons", user, params={"limit": 20}).json()
        assert page["items"], user
        assert not any(field in item for item in page["items"] for field in PERSONAL), user


def test_officer_sees_personal_data_and_the_read_is_audited(api, connection):
    person = api.first("/api/v1/persons", "host.officer")
    before = read_audits(connection, person["id"])
    detail = api.get(f"/api/v1/persons/{person['id']}", "host.officer").json()
    assert detail["personal_data_withheld"] is False
    assert detail["passport_number"].startswith("E")
    assert read_audits(connection, person["id"]) == before + 1
    actor = connection.execute(
        select(AuditRecord.actor).order_by(AuditRecord.seq.desc()).limit(1)
    ).scalar_one()
    assert actor == "host.officer"


def test_analyst_sees_the_person_but_not_the_personal_data_and_nothing_is_audited(api, connection):
    person = api.first("/api/v1/persons", "host.analyst")
    detail = api.get(f"/api/v1/persons/{person['id']}", "host.analyst").json()
    assert detail["personal_data_withheld"] is True
    assert all(detail[field] is None for field in PERSONAL)
    assert read_audits(connection, person["id"]) == 0


def test_partner_sees_only_its_own_nationals(api):
    api.post(
        "/api/v1/persons",
        "host.officer",
        json={"full_name": "Imran Qureshi", "nationality": "PK", "job_title": "interpreter"},
    )
    host_view = api.get("/api/v1/persons", "host.officer", params={"nationality": "PK"}).json()
    assert host_view["total"] == 1
    partner_view = api.get("/api/v1/persons", "partner.liaison", params={"nationality": "PK"}).json()
    assert partner_view["total"] == 0
    pakistani = host_view["items"][0]
    assert api.get(f"/api/v1/persons/{pakistani['id']}", "partner.liaison").status_code == 404
    assert api.get("/api/v1/persons", "partner.liaison").json()["total"] >= 500


def test_company_manager_sees_only_its_own_staff_and_can_register_them(api):
    own = api.get("/api/v1/persons", "company.security", params={"limit": 500}).json()
    employers = {p["employer_org_id"] for p in own["items"]}
    assert len(employers) == 1 and 0 < own["total"] < 500
    created = api.post(
        "/api/v1/persons",
        "company.security",
        json={"full_name": "Wang Fang", "nationality": "CN", "passport_number": "E87654321"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["employer_org_id"] in employers
    assert created.json()["passport_number"] == "E87654321"
    other = api.first("/api/v1/organisations", q="China Three Gorges")
    refused = api.post(
        "/api/v1/persons",
        "company.security",
        json={"full_name": "Chen Jie", "nationality": "CN", "employer_org_id": other["id"]},
    )
    assert refused.status_code == 403


def test_consent_time_is_recorded_and_cleared(api):
    person = api.post(
        "/api/v1/persons", "host.officer", json={"full_name": "Zhou Min", "nationality": "CN"}
    ).json()
    assert person["consent_recorded_at"] is None
    url = f"/api/v1/persons/{person['id']}"
    given = api.patch(url, "host.officer", json={"consent_to_tracking": True}).json()
    assert given["consent_recorded_at"] is not None
    withdrawn = api.patch(url, "host.officer", json={"consent_to_tracking": False}).json()
    assert withdrawn["consent_recorded_at"] is None


def test_audit_record_of_a_person_never_holds_the_passport_number(api, connection):
    created = api.post("/api/v1/persons", "host.officer", json=NEW_PERSON).json()
    changes = connection.execute(
        select(AuditRecord.changes).where(
            AuditRecord.object_id == created["id"], AuditRecord.action == "protected_person.create"
        )
    ).scalar_one()
    assert changes["passport_number"] == "[redacted]" and changes["full_name"] == "Zhang Wei"
    assert "E12345678" not in str(changes)


def test_site_page_lists_its_people(api):
    site = api.first("/api/v1/sites", q="Gwadar Port")
    people = api.get(f"/api/v1/sites/{site['id']}/persons", "host.officer").json()
    assert people and all(p["site_id"] == site["id"] for p in people)
