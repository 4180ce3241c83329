"""Medication lexicon: real medications.toml, names as people and records write them."""
from __future__ import annotations

import copy
import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from service.advice.medications import DrugClass, MedicationLexicon, tokens
from service.content import KnowledgeBase

DATA = Path(__file__).parents[2] / "service/content/data/medications.toml"
COMMON_MEDICINES = Path(__file__).parents[1] / "fixtures/common-medicines.toml"


@pytest.fixture(scope="module")
def entries() -> list[dict]:
    """The [[drug_class]] entries exactly as the knowledge-base loader passes them in."""
    return tomllib.loads(DATA.read_text(encoding="utf-8"))["drug_class"]


@pytest.fixture(scope="module")
def lexicon(entries: list[dict]) -> MedicationLexicon:
    """A lexicon built from the real data file."""
    return MedicationLexicon.from_entries(entries)


# (free text, exactly the classes it must map to)
CASES = [
    # examples from the contract and the brief
    ("atorvastatin 80 mg", {"statin"}),
    ("Lipitor", {"statin"}),
    ("Cozaar 50mg tablets", {"arb"}),
    ("salmeterol/fluticasone inhaler", {"laba"}),
    ("co-amilofruse 5/40", {"potassium_sparing_diuretic", "loop_diuretic"}),
    ("Bendroflumethiazide 2.5mg OD", {"thiazide_diuretic"}),
    ("iron sucrose infusion", {"iron_sucrose"}),
    ("Ramipril 10 mg capsule", {"ace_inhibitor"}),
    ("conjugated estrogens", {"conjugated_oestrogens", "hrt"}),
    ("Conjugated Oestrogens 0.625mg", {"conjugated_oestrogens", "hrt"}),
    ("insulin glargine", {"insulin"}),
    ("paracetamol", {"simple_analgesic"}),
    ("Acetaminophen 500 mg", {"simple_analgesic"}),
    # respiratory
    ("Seretide 250 Evohaler", {"laba"}),
    ("Advair Diskus 250/50", {"laba"}),
    ("Symbicort Turbohaler 200/6 two puffs bd", {"laba"}),
    ("FOSTAIR 100/6", {"laba"}),
    ("Relvar Ellipta 92/22", {"laba"}),
    ("formoterol", {"laba"}),
    ("salbutamol inhaler PRN", {"saba"}),
    ("Albuterol HFA", {"saba"}),
    ("Ventolin", {"saba"}),
    ("ProAir", {"saba"}),
    ("terbutaline", {"saba"}),
    # diuretics and blood pressure
    ("spironolactone 25mg", {"potassium_sparing_diuretic"}),
    ("amiloride", {"potassium_sparing_diuretic"}),
    ("furosemide 40mg mane", {"loop_diuretic"}),
    ("Frusemide", {"loop_diuretic"}),
    ("furosemide + amiloride", {"loop_diuretic", "potassium_sparing_diuretic"}),
    ("indapamide 2.5 mg", {"thiazide_diuretic"}),
    ("HCTZ 25", {"thiazide_diuretic"}),
    ("losartan-hydrochlorothiazide 50/12.5", {"arb", "thiazide_diuretic"}),
    ("Diovan HCT 160/25", {"arb", "thiazide_diuretic"}),
    ("Atacand Plus", {"arb", "thiazide_diuretic"}),
    ("Atacand", {"arb"}),
    ("amlodipine", {"calcium_channel_blocker"}),
    ("Nifedipine MR 30mg", {"calcium_channel_blocker"}),
    ("amlodipine and atorvastatin", {"calcium_channel_blocker", "statin"}),
    ("Exforge HCT", {"calcium_channel_blocker", "arb", "thiazide_diuretic"}),
    ("bisoprolol fumarate 5mg", {"beta_blocker"}),
    ("lisinopril", {"ace_inhibitor"}),
    ("Zestoretic", {"ace_inhibitor", "thiazide_diuretic"}),
    ("entresto 49/51", {"arb"}),
    # lipids
    ("simvastatin 40mg nocte", {"statin"}),
    ("ZOCOR", {"statin"}),
    ("Crestor", {"statin"}),
    ("fenofibrate", {"fibrate"}),
    ("clofibrate", {"fibrate", "clofibrate"}),
    ("Inegy 10/40", {"statin"}),
    # drugs "strongly associated" in S6, and the S9 list
    ("raloxifene", {"raloxifene"}),
    ("Evista", {"raloxifene"}),
    ("Premarin", {"conjugated_oestrogens", "hrt"}),
    ("teriparatide injection", {"teriparatide"}),
    ("Forsteo pen", {"teriparatide"}),
    ("Venofer", {"iron_sucrose"}),
    ("naproxen 500mg bd", {"naproxen", "nsaid"}),
    ("donepezil", {"donepezil"}),
    ("Aricept", {"donepezil"}),
    ("cisplatin", {"cisplatin"}),
    ("vincristine", {"vincristine"}),
    ("pyrazinamide", {"pyrazinamide"}),
    ("tolcapone", {"tolcapone"}),
    ("Microgynon 30", {"combined_hormonal_contraception"}),
    ("ethinyl estradiol / levonorgestrel", {"combined_hormonal_contraception"}),
    ("desogestrel 75 micrograms", {"progestogen_only_pill"}),
    ("Elvanse", {"stimulant"}),
    ("pseudoephedrine", {"stimulant"}),
    ("nicotine patch 21mg", {"nicotine_replacement"}),
    ("Nicorette gum", {"nicotine_replacement"}),
    ("diazepam 5mg", {"benzodiazepine"}),
    ("phenobarbital", {"barbiturate"}),
    ("prednisolone 5 mg", {"corticosteroid"}),
    ("morphine sulfate", {"opioid"}),
    ("Priadel 400mg", {"lithium"}),
    ("lithium carbonate", {"lithium"}),
    # cautions and recognition
    ("warfarin 3mg", {"anticoagulant"}),
    ("Apixaban 5 mg BD", {"anticoagulant"}),
    ("Eliquis", {"anticoagulant"}),
    ("rivaroxaban", {"anticoagulant"}),
    ("edoxaban", {"anticoagulant"}),
    ("dabigatran", {"anticoagulant"}),
    ("enoxaparin injection", {"anticoagulant"}),
    ("ibuprofen 400mg", {"nsaid"}),
    ("Nurofen", {"nsaid"}),
    ("diclofenac gel", {"nsaid"}),
    ("Nurofen Plus", {"nsaid", "opioid"}),
    ("insulin", {"insulin"}),
    ("Lantus SoloStar", {"insulin"}),
    ("Humalog Mix25", {"insulin"}),
    ("gliclazide 80mg", {"sulfonylurea"}),
    ("clarithromycin 500mg", {"macrolide"}),
    ("erythromycin", {"macrolide"}),
    ("Azithromycin", {"macrolide"}),
    ("quinine sulfate 300mg", {"quinine"}),
    ("Quinine bisulphate", {"quinine"}),
    ("co-codamol 30/500", {"opioid", "simple_analgesic"}),
    ("Tylenol with codeine", {"simple_analgesic", "opioid"}),
    ("aspirin 75mg", {"aspirin"}),
    ("HRT patch", {"hrt"}),
    ("Estradiol gel", {"hrt"}),
    ("levothyroxine 100 micrograms", {"other_common"}),
    ("metformin", {"other_common"}),
    ("omeprazole 20mg", {"other_common"}),
    ("sevelamer", {"other_common"}),
    ("alfacalcidol", {"other_common"}),
    ("Vitamin D3 1000 units", {"other_common"}),
    # odd casing, spacing and accents
    ("  SIMVASTATIN\t 20MG  ", {"statin"}),
    ("ramipril10mg", {"ace_inhibitor"}),
    ("Co-Amilofruse", {"potassium_sparing_diuretic", "loop_diuretic"}),
    ("coamilofruse", {"potassium_sparing_diuretic", "loop_diuretic"}),
    ("Sérétide", {"laba"}),
    ("Atorvastatin (Lipitor) 20mg", {"statin"}),
    ("statin", {"statin"}),
]

UNRECOGNISED = [
    "vitamin sparkle",
    "",
    "   ",
    "mg",
    "123",
    "tonic water",
    "tablets",
    "inhaler",
    "5/40",
    "and",
    "iron",
    "sucrose",
    "fluticasone",
    "Ferinject",
    "methylphenidate",
    "the blue one",
]


# The commonest medicines (tests/fixtures/common-medicines.toml): representative names and their classes.
COMMON_CASES = [
    ("cinacalcet", {"other_common"}),
    ("Sensipar 30mg", {"other_common"}),
    ("calcium acetate 950mg", {"other_common"}),
    ("Renvela 800 mg", {"other_common"}),
    ("Lipitor 20mg", {"statin"}),
    ("losartan", {"arb"}),
    ("Tiazac 240", {"calcium_channel_blocker"}),
    ("Ziac 5/6.25", {"beta_blocker", "thiazide_diuretic"}),
    ("Cosopt eye drops", {"beta_blocker"}),
    ("Relafen", {"nsaid"}),
    ("Orapred", {"corticosteroid"}),
    ("Lortab 10/325", {"opioid", "simple_analgesic"}),
    ("Ultracet", {"opioid", "simple_analgesic"}),
    ("Ocella", {"combined_hormonal_contraception"}),
    ("Camila", {"progestogen_only_pill"}),
    ("Claritin-D 12 Hour", {"stimulant"}),
    ("Claritin", {"other_common"}),
    ("Mucinex DM", {"other_common"}),
    ("sertraline 50mg", {"other_common"}),
    ("Ozempic 1mg pen", {"other_common"}),
    ("ferrous sulfate 200mg", {"other_common"}),
    ("folic acid 5mg", {"other_common"}),
    ("potassium chloride", {"other_common"}),
    ("Adcal-D3", {"other_common"}),
    ("ezetimibe/simvastatin", {"other_common", "statin"}),
    # left unrecognised on purpose (lexicon header): a source's group may cover them
    ("Spiriva Respimat", set()),
    ("zopiclone 7.5mg", set()),
    ("tamoxifen", set()),
    ("clobetasol cream", set()),
    ("Ritalin", set()),
]


@pytest.mark.parametrize(("name", "expected"), CASES + COMMON_CASES, ids=[c[0] or "empty" for c in CASES + COMMON_CASES])
def test_classify_maps_free_text_to_classes(
    lexicon: MedicationLexicon, name: str, expected: set[str]
) -> None:
    assert lexicon.classify(name) == frozenset(expected)


@pytest.mark.parametrize("name", UNRECOGNISED, ids=[n or "empty" for n in UNRECOGNISED])
def test_unrecognised_names_map_to_nothing(lexicon: MedicationLexicon, name: str) -> None:
    assert lexicon.classify(name) == frozenset()


def test_case_table_covers_every_class(lexicon: MedicationLexicon) -> None:
    covered = set().union(*(expected for _, expected in CASES))
    assert covered == set(lexicon.class_ids)


def test_every_listed_name_classifies_to_its_own_class(
    entries: list[dict], lexicon: MedicationLexicon
) -> None:
    for entry in entries:
        for name in entry["names"]:
            assert entry["id"] in lexicon.classify(name), (entry["id"], name)


def test_required_class_ids_are_present(lexicon: MedicationLexicon) -> None:
    required = {
        "laba", "saba", "potassium_sparing_diuretic", "thiazide_diuretic", "loop_diuretic", "statin",
        "fibrate", "calcium_channel_blocker", "raloxifene", "conjugated_oestrogens", "teriparatide",
        "iron_sucrose", "arb", "ace_inhibitor", "beta_blocker", "donepezil", "cisplatin", "vincristine",
        "clofibrate", "pyrazinamide", "tolcapone", "combined_hormonal_contraception", "hrt", "stimulant",
        "nicotine_replacement", "benzodiazepine", "barbiturate", "corticosteroid", "opioid", "lithium",
        "anticoagulant", "nsaid", "naproxen", "insulin", "sulfonylurea", "macrolide", "quinine",
        "simple_analgesic",
    }
    assert required <= lexicon.class_ids


# Guidance 3.1 lists these as cramp causes; nothing else may claim it.
CRAMP_CLASSES = {
    "laba", "saba", "potassium_sparing_diuretic", "thiazide_diuretic", "loop_diuretic", "statin",
    "calcium_channel_blocker", "raloxifene", "conjugated_oestrogens", "teriparatide", "iron_sucrose",
    "naproxen", "arb", "beta_blocker", "donepezil", "cisplatin", "vincristine", "clofibrate",
    "pyrazinamide", "tolcapone", "combined_hormonal_contraception", "progestogen_only_pill",
    "stimulant", "nicotine_replacement", "benzodiazepine", "barbiturate", "corticosteroid", "opioid",
    "lithium",
}


def test_cramp_association_matches_guidance_3_1(lexicon: MedicationLexicon) -> None:
    flagged = {cid for cid in lexicon.class_ids if lexicon.drug_class(cid).cramp_associated}
    assert flagged == CRAMP_CLASSES


def test_classes_from_memory_are_marked_unverified(lexicon: MedicationLexicon) -> None:
    assert lexicon.drug_class("lithium").evidence == "unverified"
    assert lexicon.drug_class("anticoagulant").evidence == "unverified"  # NSAID caution from memory
    assert lexicon.drug_class("macrolide").evidence == "unverified"  # statin interaction from memory


def test_sources_are_guidance_ids(lexicon: MedicationLexicon) -> None:
    for cid in lexicon.class_ids:
        sources = lexicon.drug_class(cid).sources
        assert sources, cid
        assert all(re.fullmatch(r"S([1-9]|[1-3][0-9]|4[0-3])", s) for s in sources), (cid, sources)


def test_drug_class_record(lexicon: MedicationLexicon) -> None:
    statin = lexicon.drug_class("statin")
    assert isinstance(statin, DrugClass)
    assert statin.cramp_associated is True and "S31" in statin.sources and statin.label
    with pytest.raises(KeyError):
        lexicon.drug_class("no_such_class")


NOISE_WORDS = {
    "mg", "mcg", "g", "ml", "units", "tablet", "tablets", "capsule", "capsules", "inhaler", "injection",
    "infusion", "cream", "gel", "patch", "oral", "od", "bd", "tds", "prn", "and", "with", "plus",
    "water", "tonic", "vitamin", "iron", "sodium", "acid", "pill", "blue",
}


def test_no_lexicon_name_is_a_dose_form_or_filler_word(entries: list[dict]) -> None:
    for entry in entries:
        for name in entry["names"]:
            assert name not in NOISE_WORDS, (entry["id"], name)


def test_tonic_water_and_quinine_are_kept_apart(entries: list[dict]) -> None:
    names = {n for e in entries for n in e["names"]}
    assert not any("tonic" in n for n in names)


def test_tokens_drop_doses_and_keep_combination_breaks() -> None:
    assert tokens("Co-Amilofruse 5/40mg") == ["co", "amilofruse", "/", "mg"]
    assert tokens("Sérétide+x") == ["seretide", "/", "x"]


def test_phrases_do_not_match_across_a_combination_separator(lexicon: MedicationLexicon) -> None:
    assert lexicon.classify("iron / sucrose") == frozenset()


@settings(database=None, max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_classify_never_fails_and_only_returns_known_ids(lexicon: MedicationLexicon, text: str) -> None:
    result = lexicon.classify(text)
    assert isinstance(result, frozenset)
    assert result <= lexicon.class_ids


# ---- coverage: the most dispensed medicines (tests/fixtures/common-medicines.toml) ---------------

LISTS = {"england", "us", "added"}
MEDICINE_FIELDS = {"generic", "other_names", "brands", "lists", "unrecognised", "why"}


@pytest.fixture(scope="module")
def common_medicines() -> list[dict]:
    """The source list: most dispensed generics in England and the US, with their main brands."""
    return tomllib.loads(COMMON_MEDICINES.read_text(encoding="utf-8"))["medicine"]


@pytest.fixture(scope="module")
def kb_lexicon(kb: KnowledgeBase) -> MedicationLexicon:
    """The lexicon exactly as the engine builds it from the real, loaded knowledge base."""
    return MedicationLexicon.from_entries([dict(e) for e in kb.medication_entries])


def _names(medicine: dict) -> list[str]:
    return [medicine["generic"], *medicine.get("other_names", ()), *medicine.get("brands", ())]


def test_common_medicines_source_list_is_well_formed(common_medicines: list[dict]) -> None:
    problems: list[str] = []
    seen: dict[str, str] = {}
    for medicine in common_medicines:
        generic = medicine.get("generic")
        if not isinstance(generic, str) or not generic.strip():
            problems.append(f"{medicine}: no generic")
            continue
        if set(medicine) - MEDICINE_FIELDS:
            problems.append(f"{generic}: unknown fields {sorted(set(medicine) - MEDICINE_FIELDS)}")
        if len(medicine.get("brands", ())) > 3:
            problems.append(f"{generic}: more than three brands")
        lists = medicine.get("lists")
        if not lists or not set(lists) <= LISTS:
            problems.append(f"{generic}: lists must be some of {sorted(LISTS)}")
        left_out = medicine.get("unrecognised", [])
        if not set(left_out) <= set(_names(medicine)):
            problems.append(f"{generic}: unrecognised names not in the entry")
        if bool(left_out) != bool(medicine.get("why")):
            problems.append(f"{generic}: 'unrecognised' and 'why' go together")
        for name in _names(medicine):  # deduplicated: one entry per generic, each name once
            key = " ".join(tokens(name))
            if key in seen:
                problems.append(f"{name!r} ({generic}) is also listed under {seen[key]}")
            seen[key] = generic
    assert not problems, "\n".join(problems)
    assert len(common_medicines) >= 300


def test_every_common_medicine_is_recognised(
    common_medicines: list[dict], kb_lexicon: MedicationLexicon
) -> None:
    """Every generic, other name and brand maps to a class, except the few left out on purpose."""
    unmapped: list[str] = []
    wrongly_mapped: list[str] = []
    listed = 0
    for medicine in common_medicines:
        left_out = set(medicine.get("unrecognised", ()))
        for name in _names(medicine):
            found = kb_lexicon.classify(name)
            if name in left_out:
                if found:
                    wrongly_mapped.append(f"{name} -> {sorted(found)}")
                continue
            listed += 1
            if not found:
                unmapped.append(f"{name} ({medicine['generic']})")
    assert not unmapped, (
        f"{len(unmapped)} of {listed} names in {COMMON_MEDICINES.name} are unrecognised; add each to "
        "medications.toml (its guidance class, else other_common):\n" + "\n".join(unmapped)
    )
    assert not wrongly_mapped, (
        "names the source list marks as deliberately unrecognised now map to a class; update the "
        "fixture and the lexicon header together:\n" + "\n".join(wrongly_mapped)
    )


def test_deliberately_unrecognised_medicines_are_named_in_the_lexicon_header(
    common_medicines: list[dict],
) -> None:
    text = DATA.read_text(encoding="utf-8")
    header = text[: text.index("[[drug_class]]")].lower()
    for medicine in common_medicines:
        left_out = medicine.get("unrecognised", [])
        named = [medicine["generic"]] if medicine["generic"] in left_out else left_out
        for name in named:
            assert name.lower() in header, (medicine["generic"], name)


# ---- validation -------------------------------------------------------------------------------

def _entry(**overrides: object) -> dict:
    entry = {
        "id": "statin", "label": "Statins", "cramp_associated": True, "sources": ["S19"],
        "evidence": "verified", "names": ["atorvastatin", "lipitor"],
    }
    entry.update(overrides)
    return entry


def test_from_entries_rejects_a_duplicate_id() -> None:
    with pytest.raises(ValueError, match="'statin'.*duplicate id"):
        MedicationLexicon.from_entries([_entry(), _entry(names=["zocor"])])


def test_from_entries_rejects_a_name_twice_in_one_class() -> None:
    with pytest.raises(ValueError, match="'statin'.*'lipitor'.*twice"):
        MedicationLexicon.from_entries([_entry(names=["atorvastatin", "lipitor", "lipitor"])])


def test_from_entries_treats_spelling_variants_of_one_key_as_duplicates() -> None:
    with pytest.raises(ValueError, match="'loop_diuretic'.*twice"):
        MedicationLexicon.from_entries([_entry(id="loop_diuretic", names=["co-amilofruse", "co amilofruse"])])


def test_a_name_may_belong_to_several_classes() -> None:
    lexicon = MedicationLexicon.from_entries(
        [_entry(names=["caduet"]), _entry(id="calcium_channel_blocker", names=["caduet", "amlodipine"])]
    )
    assert lexicon.classify("Caduet 10/10") == {"statin", "calcium_channel_blocker"}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"names": []}, "'names'"),
        ({"names": ["Lipitor"]}, "lower-case"),
        ({"names": [" lipitor"]}, "lower-case"),
        ({"names": ["lipitor 10"]}, "digits"),
        ({"names": ["a b c d"]}, "1 to 3 words"),
        ({"names": ["ezetimibe/simvastatin"]}, "separator"),
        ({"names": ["---"]}, "1 to 3 words"),
        ({"evidence": "probably"}, "'evidence'"),
        ({"sources": []}, "'sources'"),
        ({"sources": ["NHS"]}, "'sources'"),
        ({"sources": ["S1", "S1"]}, "twice"),
        ({"cramp_associated": "yes"}, "'cramp_associated'"),
        ({"label": ""}, "'label'"),
        ({"cramp_asociated": True}, "unknown field"),
    ],
)
def test_from_entries_rejects_bad_fields_naming_the_entry(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape("'statin'") + ".*" + message):
        MedicationLexicon.from_entries([_entry(**overrides)])


@pytest.mark.parametrize("bad_id", [None, "", "Statin", "statin-class", "2statin"])
def test_from_entries_rejects_a_bad_id_naming_its_position(bad_id: object) -> None:
    with pytest.raises(ValueError, match="#2"):
        MedicationLexicon.from_entries([_entry(id="fibrate"), _entry(id=bad_id)])


def test_from_entries_rejects_no_entries() -> None:
    with pytest.raises(ValueError, match="at least one"):
        MedicationLexicon.from_entries([])


def test_from_entries_does_not_modify_its_input(entries: list[dict]) -> None:
    before = copy.deepcopy(entries)
    MedicationLexicon.from_entries(entries)
    assert entries == before
