"""The Charge Summary computed from a note's services: the unit method from the case's payers and the
Company's Payer Rules (with the reason shown), units, modifiers with reasons, totals and charges."""
from datetime import date
from decimal import Decimal

from core.billing.charges import Service, charge_summary, unit_method
from core.payers import UnitCalculation

CMS, EIGHTS = UnitCalculation.EIGHT_MINUTE_RULE, UnitCalculation.RULE_OF_EIGHTS
DAY = date(2026, 3, 2)


def test_the_unit_method_follows_the_payers_and_the_company_rule():
    assert unit_method(CMS, None, "primary")[0] is CMS
    method, why = unit_method(EIGHTS, CMS, "primary")
    assert method is EIGHTS and "the primary insurance's rule" in why
    method, why = unit_method(EIGHTS, CMS, "eight_minute")
    assert method is CMS and "always the 8-Minute Rule" in why
    assert unit_method(None, None, "primary")[0] is CMS


def test_24_and_23_minutes_on_medicare_are_3_units_with_gp_and_on_a_rule_of_8s_payer_4():
    services = [Service("97112", 24, amount=Decimal("40.00")), Service("97110", 23, amount=Decimal("35.50"))]
    medicare = charge_summary(services, discipline="PT", day=DAY, method=CMS, method_reason="", medicare=True)
    assert [(line.code, line.units, line.modifiers) for line in medicare.lines] == [("97112", 2, ["GP"]), ("97110", 1, ["GP"])]
    assert medicare.units.explanation[0].startswith("47 timed minutes → 3 units")
    assert medicare.total_charge == Decimal("115.50") and medicare.total_timed_minutes == 47
    commercial = charge_summary(services, discipline="PT", day=DAY, method=EIGHTS, method_reason="", medicare=False)
    assert sum(line.units for line in commercial.lines) == 4


def test_an_assistants_medicare_line_carries_cq_with_gp():
    summary = charge_summary([Service("97110", 30, furnished_by="assistant")], discipline="PT", day=DAY, method=CMS,
                             method_reason="", medicare=True)
    assert summary.lines[0].modifiers == ["GP", "CQ"] and any("assistant alone" in r for r in summary.lines[0].reasons)


def test_kx_once_the_years_spend_passes_the_threshold_and_untimed_minutes_count_as_treatment_time():
    summary = charge_summary([Service("97161", 45, amount=Decimal("120")), Service("97110", 15, amount=Decimal("40"))],
                             discipline="PT", day=DAY, method=CMS, method_reason="", medicare=True,
                             spent_this_year=Decimal("2400"))
    by_code = {line.code: line for line in summary.lines}
    assert "KX" in by_code["97161"].modifiers and "KX" in by_code["97110"].modifiers  # 2,520, then 2,560
    assert summary.total_timed_minutes == 15 and summary.total_treatment_minutes == 60


def test_a_code_not_in_the_catalogue_on_the_date_is_reported_not_billed():
    summary = charge_summary([Service("97001", 30)], discipline="PT", day=DAY, method=CMS, method_reason="", medicare=False)
    assert summary.unknown_codes == ["97001"] and summary.lines == []
