"""What incident slugs are called on a page (message ids, translated when shown)."""

from jsms.core.i18n import N_

KINDS = {
    "suicide_bombing": N_("Suicide bombing"),
    "ied": N_("IED"),
    "armed_attack": N_("Armed attack"),
    "kidnapping": N_("Kidnapping"),
    "rocket_grenade": N_("Rocket or grenade"),
    "foiled_plot": N_("Foiled plot"),
    "threat": N_("Threat"),
    "other": N_("Other"),
}
TARGETS = {
    "foreign_nationals": N_("Foreign nationals"),
    "project_site": N_("Project site"),
    "convoy": N_("Convoy"),
    "security_forces": N_("Security forces"),
    "diplomatic": N_("Diplomatic"),
    "civilians": N_("Civilians"),
    "infrastructure": N_("Infrastructure"),
    "other": N_("Other"),
}
STATES = {
    "draft": N_("Draft"),
    "verified": N_("Verified"),
    "closed": N_("Closed"),
    "rejected": N_("Rejected"),
}
MARKINGS = {
    "clear": "TLP:CLEAR",
    "green": "TLP:GREEN",
    "amber": "TLP:AMBER",
    "amber+strict": "TLP:AMBER+STRICT",
    "red": "TLP:RED",
}
INVESTIGATION_STAGES = {
    "open": N_("Open"),
    "suspects_identified": N_("Suspects identified"),
    "arrests_made": N_("Arrests made"),
    "charged": N_("Charged"),
    "on_trial": N_("On trial"),
    "concluded": N_("Concluded"),
    "closed_unsolved": N_("Closed unsolved"),
}
STEP_KINDS = {
    "arrest": N_("Arrests"),
    "charge": N_("Charges"),
    "hearing": N_("Hearing"),
    "verdict": N_("Verdict"),
    "other": N_("Other"),
}
