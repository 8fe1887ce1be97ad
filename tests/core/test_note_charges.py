"""The Charge Summary on notes through the routes: units by the case's payer, modifiers with reasons, the
scrubber at finalize with links to fix, bad rows refused at the field, Do Not Bill, permissions, another
clinic's note, and a constant number of statements whatever the lines or the patient's history."""
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select

from core.billing import ChargeLine, CustomCode
from core.extensions import db
from core.notes import Note, NoteKind
from core.payers import Insurance, InsuranceType, UnitCalculation
from tests.notes_world import CHARGES, COMPLETE_SOAP, finalized, make_world

TODAY = datetime.now(ZoneInfo("America/New_York")).date()


@pytest.fixture
def world(clinic, make_user):
    return make_world(clinic, make_user, TODAY)


def _daily(client, world, case=None, author=None):
    """A draft daily note on ``case`` (default: the Medicare case) after a finalized evaluation."""
    case = case or world.case
    finalized(case, NoteKind.INITIAL_EVALUATION, TODAY - timedelta(days=7), world.pt)
    client.login((author or world.pt).email)
    response = client.post(f"/notes/new/{case.id}", data={"kind": NoteKind.DAILY_NOTE.value, "date_of_service": TODAY.isoformat()})
    assert response.status_code == 303, response.get_data(as_text=True)[:1500]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def _rows(*services, **extra):
    form = {"charges_present": "1"}
    for i, service in enumerate(services):
        code, minutes, *rest = service
        form.update({f"c_code-{i}": code, f"c_minutes-{i}": str(minutes), f"c_dx-{i}": "1"})
        if rest:
            form[f"c_by-{i}"] = rest[0]
        if len(rest) > 1:
            form[f"c_asst-{i}"] = str(rest[1])
    form.update(extra)
    return form


def _save(client, note_id, form):
    note = db.session.get(Note, note_id)
    db.session.refresh(note)
    return client.post(f"/notes/{note_id}/save", data={"version": str(note.version), **COMPLETE_SOAP, **form})


def _lines(note_id):
    db.session.expire_all()
    return {line.code: line for line in db.session.scalars(select(ChargeLine).where(ChargeLine.note_id == note_id))}


def test_24_and_23_minutes_on_medicare_are_3_units_with_the_derivation_kept_and_shown(client, world):
    note_id = _daily(client, world)
    preview = client.post(f"/notes/{note_id}/charges", data=_rows(("97112", 24), ("97110", 23)))
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "47 timed minutes → 3 units" in text and "CMS 8-minute rule" in text
    assert _lines(note_id) == {}  # the preview saves nothing
    assert _save(client, note_id, _rows(("97112", 24), ("97110", 23))).status_code == 303
    lines = _lines(note_id)
    assert (lines["97112"].units, lines["97110"].units) == (2, 1)
    assert lines["97112"].modifiers == ["GP"] and "47 timed minutes → 3 units" in lines["97112"].derivation
    note = db.session.get(Note, note_id)
    assert (note.total_timed_minutes, note.total_treatment_minutes, note.unit_method) == (47, 47, "8-Minute Rule")
    page = client.get(f"/notes/{note_id}").get_data(as_text=True)
    assert "47 timed minutes → 3 units" in page and "The primary insurance uses the 8-Minute Rule" in page


def test_the_same_minutes_on_a_rule_of_8s_payer_are_4_units(client, world):
    note_id = _daily(client, world, case=world.commercial_case)
    _save(client, note_id, _rows(("97112", 24), ("97110", 23)))
    assert sum(line.units for line in _lines(note_id).values()) == 4


def test_conflicting_payers_follow_the_company_payer_rule_and_say_why(client, world):
    from core.cases import CasePolicy, InsuredRelationship, PolicyRank

    db.session.add(CasePolicy(case_id=world.case.id, rank=PolicyRank.SECONDARY, insurance_id=world.commercial.id,
                              subscriber_id="X1", start_date=TODAY - timedelta(days=30), end_date=TODAY + timedelta(days=30),
                              insured_relationship=InsuredRelationship.SELF))
    world.clinic.company.payer_rule = "rule_of_eights"
    db.session.commit()
    note_id = _daily(client, world)
    text = client.post(f"/notes/{note_id}/charges", data=_rows(("97112", 24), ("97110", 23))).get_data(as_text=True)
    assert "always the Rule of 8s" in text and "= 4 units" in text


def test_a_ptas_medicare_line_carries_cq_with_gp_and_a_together_line_within_10_percent_does_not(client, world):
    note_id = _daily(client, world, author=world.pta)
    _save(client, note_id, _rows(("97110", 30, "assistant"), ("97112", 20, "together", 2)))
    lines = _lines(note_id)
    assert lines["97110"].modifiers == ["GP", "CQ"] and any("assistant alone" in r for r in lines["97110"].reasons)
    assert lines["97112"].modifiers == ["GP"]  # 2 of 20 minutes: not more than 10%


def test_kx_from_the_years_spend_with_the_amount_used_elsewhere(client, world, count_queries):
    world.case.medicare_threshold_used = Decimal("2400.00")
    db.session.commit()
    note_id = _daily(client, world)
    _save(client, note_id, _rows(("97110", 30)))  # 2 units x $40 = $80: $2,480 reached, not passed
    assert "KX" not in _lines(note_id)["97110"].modifiers
    _save(client, note_id, _rows(("97110", 45)))  # 3 units: $2,520
    line = _lines(note_id)["97110"]
    assert line.modifiers == ["GP", "KX"] and any("past the" in r and "$2,480" in r for r in line.reasons)


def test_the_year_spend_counts_billed_medicare_lines_of_the_group_in_one_statement(world, app, count_queries):
    from core.billing import year_spend

    rows = [{"note_id": _note_row(world), "clinic_id": world.clinic.id, "patient_id": world.patient.id,
             "date_of_service": TODAY.replace(month=1, day=2), "discipline": d, "medicare": True, "billed": billed,
             "position": n, "code": "97110", "description": "", "minutes": 30, "furnished_by": "therapist",
             "assistant_minutes": 0, "diagnosis_pointers": [1], "ncci_confirmed": False, "chosen_modifiers": [], "units": 2,
             "modifiers": [], "reasons": [], "derivation": "", "review": False, "unit_amount": Decimal("50"),
             "charge": Decimal(amount)} for n, (d, billed, amount) in enumerate(
                 [("PT", True, "100.10"), ("SLP", True, "200.20"), ("OT", True, "999"), ("PT", False, "500")])]
    db.session.execute(insert(ChargeLine), rows)
    db.session.commit()
    with count_queries() as counted:
        spent = year_spend(world.patient.id, "PT", TODAY.year)
    assert spent == Decimal("300.30") and len([s for s in counted.statements if "charge_line" in s]) == 1
    assert year_spend(world.patient.id, "OT", TODAY.year) == Decimal("999.00")


def _note_row(world):
    note = Note(clinic_id=world.clinic.id, patient_id=world.patient.id, case_id=world.case.id, kind=NoteKind.DAILY_NOTE,
                date_of_service=TODAY, author_id=world.pt.id)
    db.session.add(note)
    db.session.flush()
    return note.id


def test_a_medicare_patient_with_a_5_digit_zip_is_refused_at_finalize_with_a_link_to_fix_it(client, world):
    world.patient.primary_address.postal_code = "85018"
    db.session.commit()
    note_id = _daily(client, world)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(db.session.get(Note, note_id).version),
                                                               **COMPLETE_SOAP, **CHARGES})
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "Medicare patients need the 9-digit ZIP code" in text
    assert f'href="/patients/{world.patient.id}/edit#f-postal_code"' in text
    assert not db.session.get(Note, note_id).is_finalized


def test_finalize_marks_the_lines_billed_and_do_not_bill_leaves_nothing_billable(client, world):
    note_id = _daily(client, world)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(db.session.get(Note, note_id).version),
                                                               **COMPLETE_SOAP, **CHARGES})
    assert response.status_code == 303, response.get_data(as_text=True)[:3000]
    assert all(line.billed for line in _lines(note_id).values()) and _lines(note_id)
    other = _daily(client, world, case=world.commercial_case)
    _save(client, other, CHARGES)
    assert _lines(other)
    _save(client, other, {"do_not_bill_present": "1", "do_not_bill": "on", **CHARGES})
    assert _lines(other) == {}
    done = client.post(f"/notes/{other}/finalize", data={"version": str(db.session.get(Note, other).version)})
    assert done.status_code == 303 and _lines(other) == {}


def test_a_billable_note_without_services_is_refused(client, world):
    note_id = _daily(client, world)
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(db.session.get(Note, note_id).version), **COMPLETE_SOAP})
    assert response.status_code == 422 and "or check Do Not Bill" in response.get_data(as_text=True)


@pytest.mark.parametrize("form, field, words", [
    (_rows(("97001", 30)), "c_code-0", "is not a billable code on"),
    (_rows(("97110", 961)), "c_minutes-0", "whole number from 0 to 960"),
    (_rows(("97110", "ten")), "c_minutes-0", "whole number from 0 to 960"),
    (_rows(("97110", 30), ("97110", 10)), "c_code-1", "is listed twice"),
    (_rows(("97110", 30, "together", 31)), "c_asst-0", "independent minutes"),
    (_rows(("97110", 30), c_dx_0="9"), "c_dx-0", "diagnoses by number"),
    (_rows(("97110", 30), **{"c_units-0": "40"}), "c_units-0", "from 0 to 32"),
    (_rows(("97110", 30), **{"c_mod-0": "GA"}), "c_mod-0", "not among the Additional Modifiers"),
    (_rows(("SPTX", 45)), "c_code-0", "is not a billable code"),
])
def test_bad_rows_are_refused_at_the_field_and_keep_the_stored_lines(client, world, form, field, words):
    if "c_dx_0" in form:
        form["c_dx-0"] = form.pop("c_dx_0")
    db.session.add(CustomCode(company_id=world.clinic.company_id, code="SPTX", description="Self-pay", amount=Decimal("85")))
    db.session.commit()
    note_id = _daily(client, world)
    _save(client, note_id, CHARGES)
    before = {c: (line.minutes, line.units) for c, line in _lines(note_id).items()}
    response = _save(client, note_id, form)
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert f'id="err-{field}"' in response.get_data(as_text=True)
    assert {c: (line.minutes, line.units) for c, line in _lines(note_id).items()} == before


def test_custom_codes_bill_on_self_pay_cases(client, world):
    self_pay = Insurance(company_id=world.clinic.company_id, name="Self Pay", insurance_type=InsuranceType.SELF_PAY,
                         unit_calculation=UnitCalculation.RULE_OF_EIGHTS)
    db.session.add_all([self_pay, CustomCode(company_id=world.clinic.company_id, code="BRACE", description="Knee brace",
                                             amount=Decimal("45.50"))])
    db.session.flush()
    world.commercial_case.policies[0].insurance_id = self_pay.id
    db.session.commit()
    note_id = _daily(client, world, case=world.commercial_case)
    assert _save(client, note_id, _rows(("97110", 30), ("BRACE", 0), **{"c_units-1": "2"})).status_code == 303
    lines = _lines(note_id)
    assert lines["BRACE"].custom and lines["BRACE"].charge == Decimal("91.00") and lines["BRACE"].modifiers == []
    assert lines["97110"].charge == Decimal("80.00")


def test_units_entered_that_disagree_with_the_minutes_block_finalize(client, world):
    note_id = _daily(client, world)
    form = _rows(("97110", 30), **{"c_units-0": "3"})
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(db.session.get(Note, note_id).version),
                                                               **COMPLETE_SOAP, **form})
    assert response.status_code == 422 and "3 units entered, but 30 minutes give 2" in response.get_data(as_text=True)


def test_a_cms_tie_is_shown_and_the_clinicians_pick_is_kept(client, world):
    note_id = _daily(client, world)
    text = client.post(f"/notes/{note_id}/charges", data=_rows(("97112", 20), ("97110", 20))).get_data(as_text=True)
    assert "CMS leaves the tie to you" in text
    _save(client, note_id, _rows(("97112", 20), ("97110", 20), unit_choice="1"))
    lines = _lines(note_id)
    assert {lines["97112"].units, lines["97110"].units} == {1, 2} and lines["97110"].units == 2
    assert db.session.get(Note, note_id).unit_choice == 1


def test_ncci_pairs_medicare_confirms_59_and_other_payers_with_59_enabled_get_it(client, world):
    note_id = _daily(client, world)
    form = _rows(("97140", 15), ("97530", 15))
    response = client.post(f"/notes/{note_id}/finalize", data={"version": str(db.session.get(Note, note_id).version),
                                                               **COMPLETE_SOAP, **form})
    assert response.status_code == 422 and "confirm 59 on 97530" in response.get_data(as_text=True)
    _save(client, note_id, {**form, "c_ncci-1": "on"})
    assert _lines(note_id)["97530"].modifiers == ["59", "GP"]
    world.clinic.company.additional_modifiers = ["59"]
    world.commercial.enabled_modifiers = ["59"]
    db.session.commit()
    other = _daily(client, world, case=world.commercial_case)
    _save(client, other, form)
    assert _lines(other)["97530"].modifiers == ["59", "GP"] and _lines(other)["97140"].modifiers == ["GP"]


def test_medicare_bundled_and_not_recognised_codes_and_a_code_the_discipline_may_not_bill(client, world):
    note_id = _daily(client, world)
    form = _rows(("97010", 10), ("97014", 10), ("92507", 30))
    text = client.post(f"/notes/{note_id}/charges", data=form).get_data(as_text=True)
    assert "bundled for Medicare" in text and "bill G0283 instead" in text and "not billed under a PT plan of care" in text


def test_the_preview_needs_the_note_editor_and_another_clinics_note_is_404(client, world, make_clinic, make_user):
    note_id = _daily(client, world)
    client.login(world.clerical.email)
    assert client.post(f"/notes/{note_id}/charges", data=CHARGES).status_code == 404
    outsider = make_user([make_clinic("Elsewhere")], email="out@example.test", permissions=world.pt.permission_set)
    client.login(outsider.email)
    assert client.post(f"/notes/{note_id}/charges", data=CHARGES).status_code == 404


def test_the_preview_and_the_save_need_csrf(client, world):
    note_id = _daily(client, world)
    assert client.client.post(f"/notes/{note_id}/charges", data=CHARGES).status_code == 400
    version = str(db.session.get(Note, note_id).version)
    assert client.client.post(f"/notes/{note_id}/save", data={"version": version, **CHARGES}).status_code == 400
    assert _lines(note_id) == {}


def test_the_charge_summary_costs_the_same_statements_for_1_or_8_lines_and_any_history(client, world, count_queries):
    note_id = _daily(client, world)
    with count_queries() as small:
        client.post(f"/notes/{note_id}/charges", data=_rows(("97110", 30)))
    for _n in range(30):
        _note_row(world)
    db.session.commit()
    many = _rows(("97110", 30), ("97112", 15), ("97140", 15), ("97116", 10), ("97035", 8), ("97530", 12), ("97535", 9),
                 ("97750", 8))
    with count_queries() as large:
        client.post(f"/notes/{note_id}/charges", data=many)
    assert small.count == large.count, (small.statements, large.statements)


def test_a_save_with_a_charge_summary_is_one_version_step_and_keeps_the_lines(client, world):
    """The charges' queries must not flush the note half-saved: one save is one UPDATE (one version), which the
    editor's next save sends back; a save from the version before is refused and leaves the lines as they were."""
    note_id = _daily(client, world)
    before = db.session.get(Note, note_id).version
    assert _save(client, note_id, _rows(("97112", 24), ("97110", 23))).status_code == 303
    db.session.expire_all()
    assert db.session.get(Note, note_id).version == before + 1
    stale = client.post(f"/notes/{note_id}/save", data={"version": str(before), **COMPLETE_SOAP, "subjective": "other",
                                                        **_rows(("97530", 30))})
    assert stale.status_code == 409
    assert set(_lines(note_id)) == {"97112", "97110"}
