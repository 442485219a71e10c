"""What a joint security assessment looks at, by kind of site, and how its answers make a score.

Every site is assessed over the same seven areas; some kinds of site add questions of their own
(a port's waterside, a dam's spillway and tunnels, a road section's vulnerable points). Each
question is answered 0 (absent) to 4 (good), or left as not applicable (None). Pure data and
functions, no database.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from jsms.core.i18n import N_

MAX_SCORE = 4
ANSWERS = {
    0: N_("0 — absent"),
    1: N_("1 — poor"),
    2: N_("2 — partial"),
    3: N_("3 — adequate"),
    4: N_("4 — good"),
}
AREAS = {
    "perimeter": N_("Perimeter"),
    "access_control": N_("Access control"),
    "guard_force": N_("Guard force"),
    "cctv_lighting": N_("CCTV and lighting"),
    "drills": N_("Drills"),
    "sop_compliance": N_("SOP compliance"),
    "evacuation": N_("Evacuation"),
}


@dataclass(frozen=True)
class Question:
    key: str
    area: str
    text: str  # N_()-marked, translated where shown


COMMON = (
    Question(
        "perimeter_barrier",
        "perimeter",
        N_("A continuous wall or fence of adequate height, with anti-climb topping"),
    ),
    Question(
        "perimeter_standoff",
        "perimeter",
        N_("Vehicle stand-off: barriers keep vehicles away from accommodation and key plant"),
    ),
    Question("perimeter_towers", "perimeter", N_("Watch towers or posts cover the whole perimeter")),
    Question(
        "access_gates", "access_control", N_("Every gate is manned, with a search bay and a drop barrier")
    ),
    Question(
        "access_passes",
        "access_control",
        N_("Staff and visitors carry checked passes; visitors are escorted"),
    ),
    Question(
        "access_vehicles", "access_control", N_("Vehicles are searched (under-vehicle mirrors or scanners)")
    ),
    Question("guard_strength", "guard_force", N_("Guard strength matches the SOP for the site's tier")),
    Question("guard_training", "guard_force", N_("Guards are trained and armed as the SOP requires")),
    Question("guard_qrf", "guard_force", N_("A quick reaction force can reach the site within the set time")),
    Question(
        "cctv_coverage", "cctv_lighting", N_("Cameras cover the perimeter and gates with no blind spot")
    ),
    Question("cctv_recording", "cctv_lighting", N_("Recordings are kept and a control room watches them")),
    Question(
        "lighting_perimeter",
        "cctv_lighting",
        N_("The perimeter and gates are lit at night, with back-up power"),
    ),
    Question("drills_frequency", "drills", N_("Attack and fire drills are held at least every quarter")),
    Question("drills_joint", "drills", N_("Drills include the guard force and the company's staff together")),
    Question(
        "sop_movement",
        "sop_compliance",
        N_("Movements of protected persons follow the SOP (requests, escorts)"),
    ),
    Question(
        "sop_reporting", "sop_compliance", N_("Incidents and check-ins are reported as the SOP requires")
    ),
    Question(
        "evacuation_plan", "evacuation", N_("An evacuation plan exists, is known and names assembly points")
    ),
    Question(
        "evacuation_shelter", "evacuation", N_("A hardened shelter or safe room holds everyone on site")
    ),
    Question("evacuation_medical", "evacuation", N_("First aid and a casualty evacuation route are ready")),
)

BY_KIND: dict[str, tuple[Question, ...]] = {
    "port": (
        Question(
            "perimeter_waterside", "perimeter", N_("The waterside is patrolled and barred to small boats")
        ),
        Question(
            "access_cargo", "access_control", N_("Cargo and crews are screened before they reach the berths")
        ),
    ),
    "dam": (
        Question(
            "perimeter_tunnels", "perimeter", N_("Tunnels, adits and the spillway are secured against entry")
        ),
        Question(
            "access_explosives",
            "access_control",
            N_("Explosives for construction are stored and issued under guard"),
        ),
    ),
    "power_plant": (
        Question("perimeter_fuel", "perimeter", N_("Fuel and coal yards are inside the protected perimeter")),
        Question("access_control_room", "access_control", N_("The control room has its own access control")),
    ),
    "camp": (
        Question(
            "perimeter_accommodation",
            "perimeter",
            N_("Accommodation blocks are set back from the outer wall"),
        ),
        Question(
            "sop_curfew", "sop_compliance", N_("Residents keep the curfew and leave only in escorted moves")
        ),
    ),
    "road_section": (
        Question(
            "perimeter_vulnerable_points",
            "perimeter",
            N_("Vulnerable points (bridges, culverts, bends) are picketed"),
        ),
        Question("guard_patrols", "guard_force", N_("Road patrols run at the intervals the SOP sets")),
        Question(
            "evacuation_harbours", "evacuation", N_("Safe harbours along the road are known to convoys")
        ),
    ),
    "mine": (
        Question(
            "access_explosives",
            "access_control",
            N_("Explosives for construction are stored and issued under guard"),
        ),
    ),
    "office": (
        Question(
            "access_reception",
            "access_control",
            N_("Reception screens visitors before they enter the building"),
        ),
    ),
    "residence": (
        Question(
            "access_reception",
            "access_control",
            N_("Reception screens visitors before they enter the building"),
        ),
    ),
}


def checklist_for(kind: str) -> tuple[Question, ...]:
    """The questions for a site of this kind: the common ones, then the kind's own, by area."""
    extra = BY_KIND.get(kind, ())
    order = list(AREAS)
    return tuple(sorted(COMMON + extra, key=lambda q: order.index(q.area)))


def unanswered(questions: tuple[Question, ...], answers: Mapping[str, int | None]) -> list[str]:
    """The questions with no answer yet (not applicable counts as an answer)."""
    return [q.key for q in questions if q.key not in answers]


def score(questions: tuple[Question, ...], answers: Mapping[str, int | None]) -> float | None:
    """Percentage of the best possible over the questions answered with a score; None if none is."""
    given = [answers[q.key] for q in questions if answers.get(q.key) is not None]
    if not given:
        return None
    return round(100 * sum(given) / (MAX_SCORE * len(given)), 1)


def area_scores(
    questions: tuple[Question, ...], answers: Mapping[str, int | None]
) -> dict[str, float | None]:
    """The score of each area on its own, to show where a site is weakest."""
    return {area: score(tuple(q for q in questions if q.area == area), answers) for area in AREAS}
