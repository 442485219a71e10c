"""What the registries' machine slugs are called on a page (message ids, translated when shown)."""

from jsms.core.i18n import N_

SITE_KINDS = {
    "port": N_("Port"),
    "power_plant": N_("Power plant"),
    "dam": N_("Dam"),
    "camp": N_("Camp"),
    "office": N_("Office"),
    "university": N_("University"),
    "airport": N_("Airport"),
    "road_section": N_("Road section"),
    "mine": N_("Mine"),
    "industrial_zone": N_("Industrial zone"),
    "residence": N_("Residence"),
    "hospital": N_("Hospital"),
    "diplomatic": N_("Diplomatic mission"),
    "other": N_("Other"),
}
SECURITY_TIERS = {"1": N_("Tier 1 (highest protection)"), "2": N_("Tier 2"), "3": N_("Tier 3")}
UNIT_KINDS = {
    "security_division": N_("Security division"),
    "province_protection_unit": N_("Province protection unit"),
    "police": N_("Police"),
    "naval_task_force": N_("Naval task force"),
    "other": N_("Other"),
}
PROGRAMMES = {"corridor": N_("Corridor (CPEC)"), "non_corridor": N_("Non-corridor")}
PROJECT_SECTORS = {
    "energy": N_("Energy"),
    "transport": N_("Transport"),
    "port": N_("Port"),
    "water": N_("Water"),
    "mining": N_("Mining"),
    "industry": N_("Industry"),
    "education": N_("Education"),
    "health": N_("Health"),
    "telecom": N_("Telecommunications"),
    "other": N_("Other"),
}
PROJECT_STATUSES = {
    "planned": N_("Planned"),
    "under_construction": N_("Under construction"),
    "operational": N_("Operational"),
    "completed": N_("Completed"),
    "suspended": N_("Suspended"),
}
ASSET_KINDS = {
    "armoured_vehicle": N_("Armoured vehicle"),
    "vehicle": N_("Vehicle"),
    "fire_truck": N_("Fire-fighting truck"),
    "ambulance": N_("Ambulance"),
    "scanner": N_("Scanner"),
    "other": N_("Other"),
}
ASSET_STATUSES = {
    "pending_delivery": N_("Pending delivery"),
    "delivered": N_("Delivered"),
    "in_service": N_("In service"),
    "maintenance": N_("In maintenance"),
    "retired": N_("Retired"),
}
AGREEMENT_KINDS = {
    "mou": N_("Memorandum of understanding"),
    "agreement": N_("Agreement"),
    "exchange_of_notes": N_("Exchange of notes"),
    "contract": N_("Contract"),
}
AGREEMENT_STATUSES = {
    "draft": N_("Draft"),
    "signed": N_("Signed"),
    "in_force": N_("In force"),
    "expired": N_("Expired"),
}
DELIVERY_STATUSES = {
    "pending": N_("Awaiting delivery"),
    "partly_delivered": N_("Partly delivered"),
    "delivered": N_("Delivered"),
    "handed_over": N_("Handed over"),
}
PERSON_STATUSES = {"in_country": N_("In country"), "departed": N_("Departed"), "on_leave": N_("On leave")}
ORGANISATION_KINDS = {
    "ministry": N_("Ministry"),
    "agency": N_("Agency"),
    "armed_forces": N_("Armed forces"),
    "police": N_("Police"),
    "embassy": N_("Embassy"),
    "consulate": N_("Consulate"),
    "secretariat": N_("Secretariat"),
    "company": N_("Company"),
    "unit": N_("Unit"),
}
PARTIES = {"host": N_("Host party"), "partner": N_("Partner party")}
GENDERS = {"female": N_("Female"), "male": N_("Male"), "other": N_("Other")}
