"""Joint security assessments of sites: the checklist of the site's kind answered and scored,
findings with photographs and their remediation to closure, and the signatures that make an
assessment final — one assessor of each party. Once someone has signed, what they signed is fixed;
remediation goes on after. The score of a site's latest final assessment weighs on its risk
(registry keeps it, the risk domain reads it). No commit here.
"""

import hashlib
import io
import uuid
from datetime import date

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from jsms.coordination import checklists
from jsms.coordination import schemas as s
from jsms.coordination.models import AssessmentSignature, Finding, FindingPhoto, SiteAssessment
from jsms.coordination.service import upload_name
from jsms.core.actor import Actor
from jsms.core.crud import ListRequest, list_page
from jsms.core.db import utcnow
from jsms.core.errors import Conflict, NotFound, invalid_field
from jsms.core.i18n import N_
from jsms.core.models import Organisation
from jsms.core.policy import PARTIES, get_visible, mark_new, require, visible
from jsms.registry import service as registry

PHOTO_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


def questions_of(assessment: SiteAssessment) -> tuple[checklists.Question, ...]:
    return checklists.checklist_for(assessment.site_kind)


def _check_answers(questions: tuple[checklists.Question, ...], answers: dict[str, int | None]) -> None:
    known = {q.key for q in questions}
    for key in answers:
        if key not in known:
            raise invalid_field(f"answers.{key}", N_("no such question on this site's checklist"))


def _score(assessment: SiteAssessment) -> None:
    assessment.score = checklists.score(questions_of(assessment), assessment.answers)


def list_assessments(session: Session, actor: Actor, query: ListRequest) -> tuple[list[SiteAssessment], int]:
    return list_page(
        session,
        actor,
        SiteAssessment,
        query,
        text_columns=("summary",),
        sortable=("assessed_on", "score", "status"),
        default_sort="-assessed_on",
    )


def get_assessment(session: Session, actor: Actor, assessment_id: uuid.UUID) -> SiteAssessment:
    return get_visible(session, actor, SiteAssessment, assessment_id)


def create_assessment(session: Session, actor: Actor, data: s.AssessmentIn) -> SiteAssessment:
    require(session, actor, "assessment.write")
    site = registry.get_site(session, actor, data.site_id)
    questions = checklists.checklist_for(site.kind)
    _check_answers(questions, data.answers)
    assessment = SiteAssessment(
        site_id=site.id,
        site_kind=site.kind,
        site_owner_org_id=site.owner_org_id,
        assessed_on=data.assessed_on,
        team=[member.model_dump() for member in data.team],
        answers=dict(data.answers),
        summary=data.summary,
    )
    _score(assessment)
    mark_new(session, actor, assessment, "assessment", data.tlp, data.release_to)
    session.add(assessment)
    session.flush()
    return assessment


def _unsigned(assessment: SiteAssessment) -> None:
    if assessment.signatures:
        parties = ", ".join(sig.party for sig in assessment.signatures)
        raise Conflict(f"The assessment is signed ({parties}); what was signed can no longer change")


def update_assessment(
    session: Session, actor: Actor, assessment_id: uuid.UUID, data: s.AssessmentUpdate
) -> SiteAssessment:
    assessment = get_assessment(session, actor, assessment_id)
    require(session, actor, "assessment.write", assessment)
    _unsigned(assessment)
    changes = data.model_dump(exclude_unset=True, exclude={"answers", "team", "tlp"})
    for name, value in changes.items():
        setattr(assessment, name, value)
    if data.team is not None:
        assessment.team = [member.model_dump() for member in data.team]
    if data.answers is not None:
        _check_answers(questions_of(assessment), data.answers)
        assessment.answers = {**assessment.answers, **data.answers}
        _score(assessment)
    if data.tlp is not None:
        assessment.tlp = data.tlp.value
    session.flush()
    return assessment


def sign(session: Session, actor: Actor, assessment_id: uuid.UUID, data: s.SignIn) -> SiteAssessment:
    """The actor signs for their party; with both parties' signatures the assessment is final."""
    assessment = get_assessment(session, actor, assessment_id)
    require(session, actor, "assessment.sign", assessment)
    if any(sig.party == actor.party for sig in assessment.signatures):
        raise Conflict(f"An assessor of the {actor.party} party has signed this assessment already")
    missing = checklists.unanswered(questions_of(assessment), assessment.answers)
    if missing:
        raise Conflict(
            f"{len(missing)} questions are unanswered (first: {missing[0]}); answer them before signing"
        )
    assessment.signatures.append(
        AssessmentSignature(
            party=actor.party, signed_by=actor.username, signer_name=data.name, signed_at=utcnow()
        )
    )
    if {sig.party for sig in assessment.signatures} >= set(PARTIES):
        assessment.status, assessment.finalised_at = "final", utcnow()
        registry.record_site_assessment(session, assessment.site_id, assessment.score, assessment.assessed_on)
    session.flush()
    return assessment


def latest_final(session: Session, actor: Actor, site_id: uuid.UUID) -> SiteAssessment | None:
    stmt = visible(select(SiteAssessment), session, actor, SiteAssessment).where(
        SiteAssessment.site_id == site_id, SiteAssessment.status == "final"
    )
    return session.scalar(stmt.order_by(SiteAssessment.assessed_on.desc()).limit(1))


# ---- findings and remediation ------------------------------------------------------------


def _owner_exists(session: Session, owner_org_id: uuid.UUID | None) -> None:
    if owner_org_id is not None and session.get(Organisation, owner_org_id) is None:
        raise invalid_field("owner_org_id", N_("no such organisation"))


def add_finding(session: Session, actor: Actor, assessment_id: uuid.UUID, data: s.FindingIn) -> Finding:
    assessment = get_assessment(session, actor, assessment_id)
    require(session, actor, "assessment.write", assessment)
    _unsigned(assessment)
    _owner_exists(session, data.owner_org_id)
    finding = Finding(**data.model_dump())
    assessment.findings.append(finding)
    session.flush()
    return finding


def get_finding(session: Session, actor: Actor, finding_id: uuid.UUID) -> Finding:
    finding = session.get(Finding, finding_id)
    if finding is None:
        raise NotFound(f"No finding with id {finding_id}")
    get_assessment(session, actor, finding.assessment_id)  # 404 unless its assessment is visible
    return finding


def update_finding(session: Session, actor: Actor, finding_id: uuid.UUID, data: s.FindingUpdate) -> Finding:
    """Remediation progress; closing a finding needs a note saying what was done."""
    finding = get_finding(session, actor, finding_id)
    require(session, actor, "remediation.update", finding.assessment)
    changes = data.model_dump(exclude_unset=True)
    if "owner_org_id" in changes:
        _owner_exists(session, changes["owner_org_id"])
    closing = changes.get("status") == "closed" and finding.status != "closed"
    if closing and not (changes.get("closure_note") or finding.closure_note):
        raise invalid_field("closure_note", N_("say what was done to close the finding"))
    for name, value in changes.items():
        setattr(finding, name, value)
    if closing:
        finding.closed_at, finding.closed_by = utcnow(), actor.username
    elif changes.get("status") == "open":
        finding.closed_at = finding.closed_by = None
    session.flush()
    return finding


def open_findings(session: Session, actor: Actor, query: ListRequest) -> tuple[list[Finding], int]:
    """Findings of the assessments the actor may see, soonest due first (overdue ones lead)."""
    return list_page(
        session,
        actor,
        Finding,
        query,
        text_columns=("text", "remediation"),
        sortable=("due_on", "severity", "created_at"),
        default_sort="due_on",
        stmt=select(Finding).join(Finding.assessment),
        policy_model=SiteAssessment,
    )


def add_photo(
    session: Session, actor: Actor, finding_id: uuid.UUID, filename: str, content: bytes
) -> FindingPhoto:
    """A photograph of the finding: it must be a JPEG, PNG or WebP image of at most 8 MB."""
    finding = get_finding(session, actor, finding_id)
    require(session, actor, "remediation.update", finding.assessment)
    if len(content) > s.MAX_PHOTO_BYTES:
        raise invalid_field(
            "file", N_("a photograph may be at most %(mb)s MB"), mb=s.MAX_PHOTO_BYTES // 2**20
        )
    media_type = _image_type(content)
    photo = FindingPhoto(
        filename=upload_name(filename, "photo"),
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        uploaded_by=actor.username,
    )
    finding.photos.append(photo)
    session.flush()
    return photo


def _image_type(content: bytes) -> str:
    """The media type of an image in a format we keep, read from the content, never from its name."""
    try:
        with Image.open(io.BytesIO(content)) as image:
            image.verify()
            kind = image.format
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise invalid_field("file", N_("the file is not a readable image")) from None
    if kind not in PHOTO_TYPES:
        raise invalid_field("file", N_("photographs are kept as JPEG, PNG or WebP"))
    return PHOTO_TYPES[kind]


def get_photo(session: Session, actor: Actor, finding_id: uuid.UUID, photo_id: uuid.UUID) -> FindingPhoto:
    finding = get_finding(session, actor, finding_id)
    photo = next((p for p in finding.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound(f"The finding has no photograph {photo_id}")
    return photo


def site_name(session: Session, actor: Actor, assessment: SiteAssessment) -> str:
    """The assessed site's name in the reader's language (where the register has one)."""
    site = registry.get_site(session, actor, assessment.site_id)
    return getattr(site, f"name_{actor.language}", None) or site.name


def view(session: Session, actor: Actor, assessment: SiteAssessment) -> dict:
    questions = questions_of(assessment)
    return {
        "site_name": site_name(session, actor, assessment),
        **{
            name: getattr(assessment, name)
            for name in s.AssessmentRead.model_fields
            if hasattr(assessment, name)
        },
        "area_scores": checklists.area_scores(questions, assessment.answers),
        "unanswered": checklists.unanswered(questions, assessment.answers),
    }


def is_overdue(finding: Finding, today: date) -> bool:
    return finding.status == "open" and finding.due_on is not None and finding.due_on < today
