"""Labels of the journeys' states (message ids, translated where shown)."""

from jsms.core.i18n import N_

JOURNEY_STATES = {
    "draft": N_("Draft"),
    "submitted": N_("Submitted"),
    "approved": N_("Approved"),
    "rejected": N_("Rejected"),
    "under_way": N_("Under way"),
    "completed": N_("Completed"),
    "aborted": N_("Aborted"),
}
