"""Contract v1 vocabulary that the content files must cover exactly."""

LEVELS = ("self_care", "doctor_routine", "doctor_soon", "urgent", "emergency")

TOPIC_CATEGORIES: dict[str, tuple[str, ...]] = {
    "self_care": (
        "stretching", "massage", "heat_or_cold", "analgesia_after_cramp", "hydration",
        "electrolyte_replacement", "follow_fluid_restriction", "warm_up", "conditioning",
        "regular_exercise", "rest_stop_activity", "stop_exercise", "heat_illness_cooling", "footwear",
        "limit_alcohol", "limit_caffeine", "balanced_diet", "topical_analgesic", "smoking_cessation",
        "foot_check", "reassurance_benign",
    ),
    "medicines": ("medication_review", "supplement_caution", "quinine_warning", "tetanus_check"),
    "routing": ("dialysis_team", "midwife_contact"),
    "safety": ("safety_netting", "pe_warning"),
    # Never recommended; kept as content so answers can say why they were withheld.
    "never": ("nsaid", "aspirin", "magnesium_supplement", "potassium_supplement", "quinine", "stop_medication"),
}

TOPIC_IDS: frozenset[str] = frozenset(t for topics in TOPIC_CATEGORIES.values() for t in topics)
NEVER_RECOMMENDED: frozenset[str] = frozenset(TOPIC_CATEGORIES["never"])

CONTRAINDICATIONS: tuple[str, ...] = (
    "possible_dvt", "possible_cellulitis", "limb_ischaemia", "compartment_syndrome",
    "possible_rhabdomyolysis", "possible_hyponatraemia", "possible_heatstroke", "fluid_restricted",
    "kidney_disease", "dialysis", "pregnant", "postpartum", "potassium_raising_medicine", "nsaid_unsafe",
    "under_16", "under_18", "broken_skin", "numb_or_ischaemic_skin", "alcohol_dependence",
    "on_anticoagulant",
)

EVIDENCE_GRADES = ("strong", "mixed", "weak", "none_found")
RULE_EVIDENCE = ("verified", "unverified")

# Contract v1 `region` codes the service answers for (data/regions.toml covers exactly these): the UK
# and its nations, IE, US, CA, AU, NZ, and the other EU member states (ISO 3166-1: Greece is GR).
REGIONS: tuple[str, ...] = (
    "GB", "GB-ENG", "GB-NIR", "GB-SCT", "GB-WLS", "IE", "US", "CA", "AU", "NZ",
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IT", "LT",
    "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
)
