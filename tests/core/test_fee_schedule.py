"""The Company Admin's billing tables: the Fee Schedule (effective-dated entries, the previous open entry closed
the day before a new one, overlaps refused, edit, filter, CSV) and Custom Codes (add, edit, deactivate,
reactivate, the code rules); permissions and company scoping; and the case's Medicare threshold amount used."""
from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from core.accounts import UserType
from core.audit import AuditEvent
from core.billing import CustomCode, FeeScheduleEntry, fees_on
from core.cases import Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
from core.extensions import db
from core.patients import AddressType, PatientAddress, create_patient
from core.payers import Insurance, InsuranceType, UnitCalculation
from core.web import Permission, local_today

FEES = "/billing/fee-schedule"
CODES = "/billing/custom-codes"
EXPLANATION = "Custom codes bill supplies, wellness programs, gym memberships and self-pay services on Self Pay cases."
THRESHOLD_HELP = ("Medicare therapy charges this calendar year from other providers (another clinic, home health): "
                  "counted toward the KX threshold.")


# -- fixtures and helpers --------------------------------------------------------------------------
@pytest.fixture
def company_admin(make_user, clinic):
    return make_user([clinic], email="company@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.COMPANY_ADMIN])


@pytest.fixture
def clinic_admin(make_user, clinic):
    """Everything but Company Admin that could look like billing: Clinic, Insurance and Billing Report Admin."""
    return make_user([clinic], email="clinicadmin@example.test", user_type=UserType.CLERICAL,
                     permissions=[Permission.CLINIC_ADMIN, Permission.INSURANCE_ADMIN, Permission.BILLING_REPORT_ADMIN])


@pytest.fixture
def other_company(make_clinic):
    return make_clinic("Elsewhere Clinic").company


def entry(company, code="97110", amount="42.00", start=date(2025, 1, 1), end=None) -> FeeScheduleEntry:
    row = FeeScheduleEntry(company_id=company.id, code=code, amount=Decimal(amount), effective_from=start, effective_to=end)
    db.session.add(row)
    db.session.commit()
    return row


def custom(company, code="BRACE", description="Hinged knee brace", amount="45.00", comparative="", active=True) -> CustomCode:
    row = CustomCode(company_id=company.id, code=code, description=description, amount=Decimal(amount),
                     comparative_code=comparative, active=active)
    db.session.add(row)
    db.session.commit()
    return row


def entry_data(**overrides):
    data = {"code": "97110", "amount": "45.00", "effective_from": "2026-01-01", "effective_to": ""}
    data.update(overrides)
    return data


def code_data(**overrides):
    data = {"code": "gym", "description": "Gym membership, one month", "amount": "49", "comparative_code": ""}
    data.update(overrides)
    return data


def field_error(body: str, field_id: str) -> str:
    match = re.search(rf'<small id="{field_id}-error" class="field-error">(.*?)</small>', body, re.S)
    assert match, f"no error at {field_id}"
    return match.group(1)


def entries(company) -> list[tuple]:
    return [(e.code, e.amount, e.effective_from, e.effective_to) for e in db.session.scalars(
        select(FeeScheduleEntry).where(FeeScheduleEntry.company_id == company.id)
        .order_by(FeeScheduleEntry.code, FeeScheduleEntry.effective_from))]


def events(prefix: str) -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# -- permissions and scoping -----------------------------------------------------------------------
def test_every_billing_table_page_needs_company_admin(client, clinic_admin, clinic):
    own_entry, own_code = entry(clinic.company), custom(clinic.company)
    client.login(clinic_admin.email)
    for url in (FEES, f"{FEES}.csv", f"{FEES}/new", f"{FEES}/{own_entry.id}/edit", CODES, f"{CODES}/new",
                f"{CODES}/{own_code.id}/edit"):
        assert client.get(url).status_code == 403, url
    for url, data in ((f"{FEES}/new", entry_data()), (f"{FEES}/{own_entry.id}/edit", entry_data()),
                      (f"{CODES}/new", code_data()), (f"{CODES}/{own_code.id}/edit", code_data()),
                      (f"{CODES}/{own_code.id}/deactivate", {"confirmed": "yes"})):
        assert client.post(url, data=data).status_code == 403, url
    assert entries(clinic.company) == [("97110", Decimal("42.00"), date(2025, 1, 1), None)]
    assert count(CustomCode) == 1 and db.session.get(CustomCode, own_code.id).active
    # Company Settings (Company Admin only) is where the links are: the clinic admin does not see them.
    assert client.get("/settings/company").status_code == 403


def test_signed_out_is_sent_to_sign_in(client):
    for url in (FEES, CODES, f"{FEES}/new"):
        response = client.get(url)
        assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_another_companys_entries_and_codes_answer_404_and_are_not_listed(client, company_admin, clinic, other_company):
    theirs = entry(other_company, code="97140", amount="99.00")
    their_code = custom(other_company, code="SPTX", description="Their self-pay visit")
    entry(clinic.company, code="97110", amount="42.00")
    client.login(company_admin.email)
    assert client.get(f"{FEES}/{theirs.id}/edit").status_code == 404
    assert client.post(f"{FEES}/{theirs.id}/edit", data=entry_data(amount="1.00")).status_code == 404
    assert client.get(f"{CODES}/{their_code.id}/edit").status_code == 404
    assert client.post(f"{CODES}/{their_code.id}/edit", data=code_data()).status_code == 404
    assert client.post(f"{CODES}/{their_code.id}/deactivate", data={"confirmed": "yes"}).status_code == 404
    assert client.post(f"{CODES}/{their_code.id}/deactivate", htmx=True).status_code == 404
    assert entries(other_company) == [("97140", Decimal("99.00"), date(2025, 1, 1), None)]
    assert db.session.get(CustomCode, their_code.id).active is True
    fees = client.get(FEES).get_data(as_text=True).split('id="fee-schedule-table"')[1]  # the table, not the filter
    assert "97110" in fees and "$42.00" in fees and "97140" not in fees and "$99.00" not in fees
    assert "SPTX" not in client.get(CODES).get_data(as_text=True)
    assert "97140" not in client.get(f"{FEES}.csv").get_data(as_text=True)
    assert not events("fee_schedule.") and not events("custom_code.")


def test_company_settings_links_to_both_screens(client, company_admin):
    client.login(company_admin.email)
    page = client.get("/settings/company").get_data(as_text=True)
    assert f'href="{FEES}"' in page and f'href="{CODES}"' in page


# -- Fee Schedule ----------------------------------------------------------------------------------
def test_add_an_entry_lists_it_with_its_description_and_audits_it(client, company_admin, admin, clinic):
    client.login(company_admin.email)
    form = client.get(f"{FEES}/new").get_data(as_text=True)
    assert '<label for="code">Code</label>' in form and '<label for="amount">Amount</label>' in form
    assert '<label for="effective_from">Effective from</label>' in form and 'name="csrf_token"' in form
    response = client.post(f"{FEES}/new", data=entry_data(amount="$1,045.5", effective_to="2026-12-31"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"{FEES}?code=97110")
    assert entries(clinic.company) == [("97110", Decimal("1045.50"), date(2026, 1, 1), date(2026, 12, 31))]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Therapeutic exercise, each 15 minutes" in page and "$1,045.50" in page
    assert "01/01/2026" in page and "12/31/2026" in page
    [event] = events("fee_schedule.create")
    assert (event.object_type, event.clinic_id, event.actor_id) == ("fee_schedule_entry", clinic.id, company_admin.id)
    assert event.changes["after"] == {"code": "97110", "amount": "1045.50", "effective_from": "2026-01-01",
                                      "effective_to": "2026-12-31"}
    client.login(admin.email)  # the Audit Trail names the entry and links to it
    trail = client.get("/admin/audit/").get_data(as_text=True)
    assert "Fee schedule 97110 from 2026-01-01" in trail and f'href="{FEES}/{event.object_id}/edit"' in trail


@pytest.mark.parametrize("overrides, field, message", [
    ({"code": ""}, "code", "Choose the code."),
    ({"code": "99999"}, "code", "Choose a code from the list"),
    ({"code": "BRACE"}, "code", "Choose a code from the list"),
    ({"amount": ""}, "amount", "Enter the amount."),
    ({"amount": "0"}, "amount", "The amount must be more than $0.00."),
    ({"amount": "-5"}, "amount", "The amount must be more than $0.00."),
    ({"amount": "12.345"}, "amount", "Use at most two decimal places"),
    ({"amount": "100000"}, "amount", "The amount can be at most $99,999.99."),
    ({"amount": "NaN"}, "amount", "Enter the amount in dollars and cents"),
    ({"amount": "1e3"}, "amount", "Enter the amount in dollars and cents"),
    ({"amount": "9" * 40}, "amount", "The amount can be at most $99,999.99."),
    ({"effective_from": ""}, "effective_from", "Enter the date the amount starts."),
    ({"effective_from": "2026-02-30"}, "effective_from", "Not a valid date value."),
    ({"effective_to": "2025-12-31"}, "effective_to", "The effective to date cannot be before the effective from date."),
])
def test_bad_entry_input_is_refused_at_the_field_and_nothing_changes(client, company_admin, clinic, overrides, field, message):
    entry(clinic.company, amount="42.00", start=date(2025, 1, 1))
    client.login(company_admin.email)
    response = client.post(f"{FEES}/new", data=entry_data(**overrides))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, field)
    assert 'class="error-summary"' in body and f'href="#{field}"' in body and 'aria-invalid="true"' in body
    assert entries(clinic.company) == [("97110", Decimal("42.00"), date(2025, 1, 1), None)]  # not closed either
    assert not events("fee_schedule.")


def test_a_new_entry_closes_the_open_entry_the_day_before(client, company_admin, clinic):
    old = entry(clinic.company, amount="42.00", start=date(2025, 1, 1))
    entry(clinic.company, code="97140", amount="41.00", start=date(2025, 1, 1))  # another code: untouched
    client.login(company_admin.email)
    response = client.post(f"{FEES}/new", data=entry_data(amount="45.00", effective_from="2026-01-01"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert entries(clinic.company) == [
        ("97110", Decimal("42.00"), date(2025, 1, 1), date(2025, 12, 31)),
        ("97110", Decimal("45.00"), date(2026, 1, 1), None),
        ("97140", Decimal("41.00"), date(2025, 1, 1), None),
    ]
    # Effective-dated: a 2025 visit keeps the old fee, a 2026 visit gets the new one.
    assert fees_on(clinic.company_id, date(2025, 12, 31))["97110"] == Decimal("42.00")
    assert fees_on(clinic.company_id, date(2026, 1, 1))["97110"] == Decimal("45.00")
    closed, created = events("fee_schedule.update"), events("fee_schedule.create")
    assert [e.object_id for e in closed] == [str(old.id)] and len(created) == 1
    assert closed[0].changes == {"effective_to": [None, "2025-12-31"]}
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The previous entry (from 01/01/2025) now ends 12/31/2025." in page


def test_an_entry_before_the_open_one_with_an_end_date_is_accepted(client, company_admin, clinic):
    entry(clinic.company, amount="42.00", start=date(2026, 1, 1))
    client.login(company_admin.email)
    response = client.post(f"{FEES}/new", data=entry_data(amount="40.00", effective_from="2025-01-01",
                                                          effective_to="2025-12-31"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert entries(clinic.company) == [("97110", Decimal("40.00"), date(2025, 1, 1), date(2025, 12, 31)),
                                       ("97110", Decimal("42.00"), date(2026, 1, 1), None)]


@pytest.mark.parametrize("existing, data, field, message", [
    # a closed entry covering the new start
    ((date(2025, 1, 1), date(2025, 12, 31)), {"effective_from": "2025-06-01"}, "effective_from",
     "Start this entry after 12/31/2025"),
    # the same start as an entry
    ((date(2026, 1, 1), None), {"effective_from": "2026-01-01"}, "effective_from",
     "An entry for 97110 already starts on 01/01/2026"),
    # an open entry starting later than the new, open-ended one
    ((date(2026, 3, 1), None), {"effective_from": "2026-01-01"}, "effective_to", "End this entry by 02/28/2026"),
    # a later entry inside the new entry's dates
    ((date(2026, 3, 1), date(2026, 4, 30)), {"effective_from": "2026-01-01", "effective_to": "2026-12-31"},
     "effective_to", "End this entry by 02/28/2026"),
])
def test_overlapping_entries_are_refused_at_the_field(client, company_admin, clinic, existing, data, field, message):
    entry(clinic.company, amount="42.00", start=existing[0], end=existing[1])
    before = entries(clinic.company)
    client.login(company_admin.email)
    response = client.post(f"{FEES}/new", data=entry_data(**data))
    assert response.status_code == 422
    error = field_error(response.get_data(as_text=True), field)
    assert message in error and "$42.00" in error
    assert entries(clinic.company) == before and not events("fee_schedule.")


def test_edit_an_entry_changes_its_amount_and_dates_and_refuses_an_overlap(client, company_admin, clinic):
    first = entry(clinic.company, amount="42.00", start=date(2025, 1, 1), end=date(2025, 12, 31))
    entry(clinic.company, amount="45.00", start=date(2026, 1, 1))
    client.login(company_admin.email)
    page = client.get(f"{FEES}/{first.id}/edit").get_data(as_text=True)
    assert 'value="42.00"' in page and 'value="2025-01-01"' in page and 'value="2025-12-31"' in page
    assert 'name="code"' not in page  # the code stays
    response = client.post(f"{FEES}/{first.id}/edit", data={"amount": "42", "effective_from": "2025-01-01",
                                                            "effective_to": "2026-02-01"})
    assert response.status_code == 422
    assert "End this entry by 12/31/2025" in field_error(response.get_data(as_text=True), "effective_to")
    response = client.post(f"{FEES}/{first.id}/edit", data={"amount": "12.345", "effective_from": "2025-01-01",
                                                            "effective_to": "2025-12-31"})
    assert response.status_code == 422 and "two decimal places" in field_error(response.get_data(as_text=True), "amount")
    assert db.session.get(FeeScheduleEntry, first.id).amount == Decimal("42.00") and not events("fee_schedule.")

    response = client.post(f"{FEES}/{first.id}/edit", data={"amount": "43.50", "effective_from": "2025-02-01",
                                                            "effective_to": "2025-12-31"})
    assert response.status_code == 303, response.get_data(as_text=True)
    saved = db.session.get(FeeScheduleEntry, first.id)
    assert (saved.code, saved.amount, saved.effective_from, saved.effective_to) == (
        "97110", Decimal("43.50"), date(2025, 2, 1), date(2025, 12, 31))
    [event] = events("fee_schedule.update")
    assert event.summary == "amount, effective_from changed"
    assert event.changes == {"amount": ["42.00", "43.50"], "effective_from": ["2025-01-01", "2025-02-01"]}


def test_the_list_filters_by_code_and_pages(app, client, company_admin, clinic):
    app.config["PAGE_SIZE"] = 3
    for year in range(2020, 2025):
        entry(clinic.company, code="97110", amount=f"{year - 1980}.00", start=date(year, 1, 1), end=date(year, 12, 31))
    entry(clinic.company, code="97140", amount="41.00")
    client.login(company_admin.email)
    page = client.get(FEES).get_data(as_text=True)
    assert "Page 1 of 2 · 6 in all" in page
    filtered = client.get(f"{FEES}?code=97140").get_data(as_text=True)
    assert "Page 1 of 1 · 1 in all" in filtered and "$41.00" in filtered and "$44.00" not in filtered
    second = client.get(f"{FEES}?code=97110&page=2").get_data(as_text=True)
    assert "Page 2 of 2 · 5 in all" in second and "01/01/2020" in second and "01/01/2024" not in second
    partial = client.hx_get(f"{FEES}?code=97140").get_data(as_text=True)
    assert "<html" not in partial and "$41.00" in partial
    assert "No entries for" in client.get(f"{FEES}?code=97530").get_data(as_text=True)
    assert "Page 1 of 2" in client.get(f"{FEES}?code=bogus").get_data(as_text=True)  # an unknown code filters nothing


def test_the_schedule_exports_as_csv(client, company_admin, clinic):
    entry(clinic.company, code="97110", amount="42.00", start=date(2025, 1, 1), end=date(2025, 12, 31))
    entry(clinic.company, code="97110", amount="45.00", start=date(2026, 1, 1))
    entry(clinic.company, code="G0283", amount="18.00", start=date(2025, 1, 1))
    client.login(company_admin.email)
    response = client.get(f"{FEES}.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment; filename=fee-schedule.csv" == response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows == [
        ["Code", "Description", "Amount", "Effective from", "Effective to"],
        ["97110", "Therapeutic exercise, each 15 minutes", "45.00", "01/01/2026", ""],
        ["97110", "Therapeutic exercise, each 15 minutes", "42.00", "01/01/2025", "12/31/2025"],
        ["G0283", "Electrical stimulation, unattended, other than wound care", "18.00", "01/01/2025", ""],
    ]
    only = list(csv.reader(io.StringIO(client.get(f"{FEES}.csv?code=G0283").get_data(as_text=True).lstrip("\ufeff"))))
    assert [row[0] for row in only] == ["Code", "G0283"]


# -- Custom Codes ----------------------------------------------------------------------------------
def test_add_a_custom_code_upper_cased_and_audited(client, company_admin, clinic):
    client.login(company_admin.email)
    page = client.get(CODES).get_data(as_text=True)
    assert EXPLANATION in page and "No custom codes yet." in page
    assert EXPLANATION in client.get(f"{CODES}/new").get_data(as_text=True)
    response = client.post(f"{CODES}/new", data=code_data(code=" well30 ", description="Wellness session",
                                                          amount="30.00", comparative_code="97110"))
    assert response.status_code == 303, response.get_data(as_text=True)
    code = db.session.scalar(select(CustomCode))
    assert (code.company_id, code.code, code.description, code.amount, code.comparative_code, code.active) == (
        clinic.company_id, "WELL30", "Wellness session", Decimal("30.00"), "97110", True)
    [event] = events("custom_code.create")
    assert event.object_type == "custom_code" and event.changes["after"]["code"] == "WELL30"
    listed = client.get(CODES).get_data(as_text=True)
    assert "WELL30" in listed and "$30.00" in listed and "Deactivate" in listed


@pytest.mark.parametrize("overrides, field, message", [
    ({"code": ""}, "code", "Enter the code."),
    ({"code": "97110"}, "code", "97110 is a catalogue code"),
    ({"code": "g0283"}, "code", "G0283 is a catalogue code"),
    ({"code": "KNEE BRACE"}, "code", "Use 1 to 10 letters or digits"),
    ({"code": "BRACE-1"}, "code", "Use 1 to 10 letters or digits"),
    ({"code": "ABCDEFGHIJK"}, "code", "Use 1 to 10 letters or digits"),
    ({"code": "ÉTÉ"}, "code", "Use 1 to 10 letters or digits"),
    ({"description": ""}, "description", "Enter the description."),
    ({"description": "x" * 101}, "description", "Use at most 100 characters."),
    ({"description": "Brace\u202egnp"}, "description", "hidden text-direction characters"),
    ({"amount": "0"}, "amount", "The amount must be more than $0.00."),
    ({"amount": "4.999"}, "amount", "Use at most two decimal places"),
    ({"amount": "100000.00"}, "amount", "The amount can be at most $99,999.99."),
    ({"comparative_code": "12345"}, "comparative_code", "Enter a CPT or HCPCS code of the catalogue"),
    ({"comparative_code": "GYM"}, "comparative_code", "Enter a CPT or HCPCS code of the catalogue"),
])
def test_bad_custom_code_input_is_refused_at_the_field(client, company_admin, overrides, field, message):
    client.login(company_admin.email)
    response = client.post(f"{CODES}/new", data=code_data(**overrides))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, field) and f'href="#{field}"' in body
    assert count(CustomCode) == 0 and not events("custom_code.")


def test_a_code_is_unique_in_the_company_but_not_across_companies(client, company_admin, clinic, other_company):
    custom(clinic.company, code="BRACE")
    custom(clinic.company, code="GYM", description="Old gym plan", active=False)
    custom(other_company, code="SPTX", description="Their self-pay visit")
    client.login(company_admin.email)
    response = client.post(f"{CODES}/new", data=code_data(code="brace"))
    assert response.status_code == 422
    assert "BRACE is already a custom code of your company" in field_error(response.get_data(as_text=True), "code")
    response = client.post(f"{CODES}/new", data=code_data(code="GYM"))
    assert "reactivate it instead" in field_error(response.get_data(as_text=True), "code")
    assert count(CustomCode) == 3
    assert client.post(f"{CODES}/new", data=code_data(code="SPTX")).status_code == 303  # another company's code
    assert count(CustomCode) == 4


def test_edit_a_custom_code(client, company_admin, clinic):
    brace = custom(clinic.company, code="BRACE")
    custom(clinic.company, code="GYM", description="Gym")
    client.login(company_admin.email)
    page = client.get(f"{CODES}/{brace.id}/edit").get_data(as_text=True)
    assert 'value="BRACE"' in page and 'value="45.00"' in page and 'value="Hinged knee brace"' in page
    response = client.post(f"{CODES}/{brace.id}/edit", data=code_data(code="GYM"))
    assert response.status_code == 422 and "already a custom code" in field_error(response.get_data(as_text=True), "code")
    # Saving it under its own code is not a duplicate.
    response = client.post(f"{CODES}/{brace.id}/edit", data=code_data(code="brace", description="Hinged knee brace, large",
                                                                      amount="55", comparative_code="97760"))
    assert response.status_code == 303, response.get_data(as_text=True)
    saved = db.session.get(CustomCode, brace.id)
    assert (saved.code, saved.description, saved.amount, saved.comparative_code) == (
        "BRACE", "Hinged knee brace, large", Decimal("55.00"), "97760")
    [event] = events("custom_code.update")
    assert event.summary == "amount, comparative_code, description changed"


def test_deactivate_and_reactivate_a_custom_code(client, company_admin, clinic):
    brace = custom(clinic.company, code="BRACE")
    client.login(company_admin.email)
    # Without JavaScript Deactivate asks first; nothing changes until confirmed.
    ask = client.post(f"{CODES}/{brace.id}/deactivate")
    assert ask.status_code == 200 and "Deactivate BRACE?" in ask.get_data(as_text=True)
    assert db.session.get(CustomCode, brace.id).active is True
    response = client.post(f"{CODES}/{brace.id}/deactivate", data={"confirmed": "yes"})
    assert response.status_code == 303 and db.session.get(CustomCode, brace.id).active is False
    assert "Inactive" in client.get(CODES).get_data(as_text=True)
    # htmx: the row comes back with the focus on its button, the message out of band.
    row = client.post(f"{CODES}/{brace.id}/reactivate", htmx=True)
    body = row.get_data(as_text=True)
    assert row.status_code == 200 and body.lstrip().startswith(f'<tr id="custom-code-{brace.id}">')
    assert "autofocus" in body and "BRACE is active." in body and 'hx-swap-oob="innerHTML"' in body
    assert db.session.get(CustomCode, brace.id).active is True
    client.post(f"{CODES}/{brace.id}/reactivate", htmx=True)  # already active: nothing to record
    assert [e.summary for e in events("custom_code.update")] == ["deactivated", "reactivated"]


# -- the case's Medicare threshold amount used -----------------------------------------------------
@pytest.fixture
def case(clinic, admin):
    insurance = Insurance(company_id=clinic.company_id, name="Medicare Part B", insurance_type=InsuranceType.MEDICARE,
                          unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE)
    db.session.add(insurance)
    patient = create_patient(clinic, first_name="Rosa", last_name="Díaz", date_of_birth=date(1950, 5, 1))
    patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St", city="Phoenix",
                                        state="AZ", postal_code="850181234")]
    db.session.flush()
    row = Case(clinic_id=clinic.id, patient_id=patient.id, title="Knee rehab", discipline=Discipline.PT, therapist_id=admin.id)
    row.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance_id=insurance.id, subscriber_id="1EG4TE5MK73",
                               start_date=date(2025, 1, 1), end_date=date(2027, 12, 31),
                               insured_relationship=InsuredRelationship.SELF)]
    db.session.add(row)
    db.session.commit()
    return row


def case_form(case, **overrides):
    data = {"title": case.title, "discipline": "PT", "therapist_id": case.therapist_id, "referring_physician_id": "",
            "referral_date": "", "onset_date": "", "related_cause": "None of the Above", "accident_date": "",
            "accident_state": "", "apply_kx_modifier": "no", "status": "active", "medicare_threshold_used": "",
            "medicare_threshold_year": "",
            "primary-insurance_id": case.policies[0].insurance_id, "primary-subscriber_id": "1EG4TE5MK73",
            "primary-group_number": "", "primary-claim_number": "", "primary-start_date": "2025-01-01",
            "primary-end_date": "2027-12-31", "primary-insured_relationship": "Self",
            "secondary-insurance_id": "", "secondary-insured_relationship": "Self",
            "authorization-number": "", "authorization-start_date": "", "authorization-end_date": "",
            "authorization-visits_authorized": ""}
    data.update(overrides)
    return data


def test_the_case_saves_the_medicare_threshold_amount_used_and_shows_it(client, admin, case):
    url = f"/patients/{case.patient_id}/cases/{case.id}"
    client.login(admin.email)
    form = client.get(f"{url}/edit").get_data(as_text=True)
    assert THRESHOLD_HELP in form and '<label for="medicare_threshold_used">Medicare threshold amount used</label>' in form
    assert 'aria-describedby="medicare_threshold_used-hint"' in form
    response = client.post(f"{url}/edit", data=case_form(case, medicare_threshold_used="$1,250.5"))
    assert response.status_code == 303, response.get_data(as_text=True)
    saved = db.session.get(Case, case.id)
    this_year = local_today().year
    assert (saved.medicare_threshold_used, saved.medicare_threshold_year) == (Decimal("1250.50"), this_year)
    page = client.get(url).get_data(as_text=True)
    assert f"$1,250.50 in {this_year}" in page
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.update"))
    assert event.changes["fields"] == ["medicare_threshold_used", "medicare_threshold_year"]
    # An earlier year is kept; the edit form shows what is stored.
    response = client.post(f"{url}/edit", data=case_form(case, medicare_threshold_used="300",
                                                         medicare_threshold_year=str(this_year - 1)))
    assert response.status_code == 303
    saved = db.session.get(Case, case.id)
    assert (saved.medicare_threshold_used, saved.medicare_threshold_year) == (Decimal("300.00"), this_year - 1)
    form = client.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="300.00"' in form and f'value="{this_year - 1}"' in form


@pytest.mark.parametrize("used, year, field, message", [
    ("-1", "", "medicare_threshold_used", "The amount cannot be negative"),
    ("100000", "", "medicare_threshold_used", "The amount can be at most $99,999.99."),
    ("12.345", "", "medicare_threshold_used", "Use at most two decimal places"),
    ("lots", "", "medicare_threshold_used", "Enter the amount in dollars and cents"),
    ("NaN", "", "medicare_threshold_used", "Enter the amount in dollars and cents"),
    ("9" * 40, "", "medicare_threshold_used", "The amount can be at most $99,999.99."),
    ("100", "20x6", "medicare_threshold_year", "Enter the year as four digits"),
    ("100", "1999", "medicare_threshold_year", "Enter a year from 2000 to"),
    ("100", "9999", "medicare_threshold_year", "Enter a year from 2000 to"),
])
def test_a_bad_threshold_amount_or_year_is_refused_at_the_field(client, admin, case, used, year, field, message):
    url = f"/patients/{case.patient_id}/cases/{case.id}/edit"
    client.login(admin.email)
    response = client.post(url, data=case_form(case, medicare_threshold_used=used, medicare_threshold_year=year))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in field_error(body, field) and f'href="#{field}"' in body
    saved = db.session.get(Case, case.id)
    assert (saved.medicare_threshold_used, saved.medicare_threshold_year) == (Decimal("0"), None)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "case.update")) is None


def test_add_case_takes_the_amount_used(client, admin, case):
    client.login(admin.email)
    data = case_form(case, title="Shoulder", medicare_threshold_used="410", medicare_threshold_year="")
    del data["status"]
    response = client.post(f"/patients/{case.patient_id}/cases/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    new = db.session.scalar(select(Case).where(Case.title == "Shoulder"))
    assert (new.medicare_threshold_used, new.medicare_threshold_year) == (Decimal("410.00"), local_today().year)
