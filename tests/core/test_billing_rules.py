"""The billing rules as data and pure functions: the code catalogue by date and discipline, Medicare's
thresholds by year, and the modifiers (GP/GO/GN, CQ/CO with the 10% rule, KX, the line order)."""
from datetime import date
from decimal import Decimal

import pytest

from core.billing import (
    CODES,
    assistant_modifier,
    code_on,
    codes_for,
    discipline_modifier,
    kx_modifier,
    ordered,
    thresholds_for,
)


def test_the_catalogue_knows_timed_untimed_and_medicare_flags():
    assert code_on("97110", date(2026, 3, 2)).timed
    assert not code_on("97161", date(2026, 3, 2)).timed
    assert code_on("97010", date(2026, 3, 2)).medicare_bundled
    assert code_on("97014", date(2026, 3, 2)).medicare_instead == "G0283"
    assert len({c.code for c in CODES}) == len(CODES)


def test_a_code_exists_only_on_its_dates_and_for_its_disciplines():
    assert code_on("97161", date(2016, 12, 31)) is None and code_on("97161", date(2017, 1, 1)) is not None
    assert code_on("99999", date(2026, 1, 1)) is None
    pt = {c.code for c in codes_for("PT", date(2026, 1, 1))}
    slp = {c.code for c in codes_for("SLP", date(2026, 1, 1))}
    assert "97116" in pt and "97165" not in pt and "92507" in slp and "97110" not in slp


@pytest.mark.parametrize("year, amount", [(2019, "2040"), (2022, "2150"), (2023, "2230"), (2024, "2330"), (2025, "2410"),
                                          (2026, "2480")])
def test_the_kx_thresholds_by_year(year, amount):
    limits = thresholds_for(year)
    assert limits.kx_pt_slp == Decimal(amount) == limits.kx_ot and limits.targeted_review == Decimal("3000")
    with pytest.raises(ValueError):
        thresholds_for(2010)


def test_every_therapy_line_gets_its_discipline_modifier():
    assert [discipline_modifier(d).modifier for d in ("PT", "OT", "SLP")] == ["GP", "GO", "GN"]


@pytest.mark.parametrize("furnished_by, minutes, assistant, timed, expected, review", [
    ("therapist", 30, 0, True, None, False),
    ("assistant", 30, 30, True, "CQ", False),
    ("together", 30, 3, True, None, False),  # exactly 10%: de minimis
    ("together", 30, 4, True, "CQ", True),  # more than 10% of a timed service: applied, flagged for review
    ("together", 40, 5, False, "CQ", False),  # untimed: the whole service
    ("together", 40, 4, False, None, False),
])
def test_cq_follows_the_10_percent_rule_and_flags_what_it_leaves_open(furnished_by, minutes, assistant, timed, expected, review):
    call = assistant_modifier("PT", furnished_by, minutes, assistant, timed=timed, medicare=True)
    assert call.modifier == expected and call.review is review and call.reason


def test_co_for_ot_and_none_off_medicare_or_for_slp():
    assert assistant_modifier("OT", "assistant", 20, timed=True, medicare=True).modifier == "CO"
    assert assistant_modifier("PT", "assistant", 20, timed=True, medicare=False).modifier is None
    assert assistant_modifier("SLP", "assistant", 20, timed=False, medicare=True).modifier is None
    with pytest.raises(ValueError):
        assistant_modifier("PT", "together", 20, 25, timed=True, medicare=True)


def test_kx_past_the_threshold_by_group_and_the_review_warning():
    below, warning = kx_modifier(2026, "PT", Decimal("2400.00"), Decimal("80.00"), medicare=True)
    assert below.modifier is None and warning is None  # 2,480.00 is not past 2,480
    past, _ = kx_modifier(2026, "SLP", Decimal("2400.00"), Decimal("80.01"), medicare=True)
    assert past.modifier == "KX" and "PT and SLP" in past.reason and "$2,480" in past.reason
    near, warning = kx_modifier(2026, "OT", Decimal("2950"), Decimal("60"), medicare=True)
    assert near.modifier == "KX" and "targeted medical review" in warning
    forced, _ = kx_modifier(2026, "PT", Decimal("0"), Decimal("50"), medicare=True, case_applies_kx=True)
    assert forced.modifier == "KX" and "Apply Modifier: KX" in forced.reason
    assert kx_modifier(2026, "PT", Decimal("9999"), Decimal("50"), medicare=False)[0].modifier is None


def test_modifiers_are_ordered_unique_and_at_most_four():
    assert ordered(["KX", "GP", "CQ", "59", "GP"]) == ["59", "GP", "CQ", "KX"]
    with pytest.raises(ValueError):
        ordered(["59", "GP", "CQ", "KX", "XU"])


def test_ncci_pairs_come_from_the_loaded_table_by_date():
    from core.billing.ncci import load_pairs, pairs_among

    found = pairs_among(["97140", "97530", "97110"], date(2026, 3, 2))
    assert [(p.column_1, p.column_2, p.modifier_allowed) for p in found] == [("97140", "97530", True)]
    assert pairs_among(["97140", "97530"], date(2019, 12, 31)) == []
    assert pairs_among(["97110", "97112"], date(2026, 3, 2)) == []
    assert all(p.modifier_indicator in ("0", "1", "9") for p in load_pairs())


def test_an_ncci_table_in_cms_layout_replaces_the_shipped_one(tmp_path):
    from core.billing.ncci import load_pairs, pairs_among

    table = tmp_path / "ptp.csv"
    table.write_text("column_1,column_2,effective,deleted,modifier_indicator,source\n"
                     "97110,97112,2026-01-01,2026-04-01,0,test\n", encoding="utf-8")
    pairs = load_pairs(table)
    assert [p.modifier_allowed for p in pairs_among(["97110", "97112"], date(2026, 3, 2), pairs)] == [False]
    assert pairs_among(["97110", "97112"], date(2026, 4, 1), pairs) == []
