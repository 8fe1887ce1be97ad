"""The unit calculator, ``core.billing.units.calculate_units``: every worked example of
../shared/reference/billing-rules.md §2-3 by both methods, the unit table's boundaries, pooling, short
services, the per-code floor, ties, untimed codes and bad input."""
import pytest

from core.billing import calculate_units, cms_total_units
from core.payers import UnitCalculation

CMS, EIGHTS = UnitCalculation.EIGHT_MINUTE_RULE, UnitCalculation.RULE_OF_EIGHTS

# (minutes, CMS units with the default allocation, CMS units of the day, Rule of 8s units)
WORKED_EXAMPLES = [
    ({"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}, 3, {"97112": 2, "97110": 2}),
    ({"97112": 20, "97110": 20}, {"97112": 2, "97110": 1}, 3, {"97112": 1, "97110": 1}),
    ({"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}, 3, {"97110": 2, "97140": 0}),
    ({"97110": 18, "97140": 13, "97116": 10, "97035": 8}, {"97110": 1, "97140": 1, "97116": 1, "97035": 0}, 3,
     {"97110": 1, "97140": 1, "97116": 1, "97035": 1}),
    ({"97112": 7, "97110": 7, "97140": 7}, {"97112": 1, "97110": 0, "97140": 0}, 1, {"97112": 0, "97110": 0, "97140": 0}),
]


@pytest.mark.parametrize("minutes, cms, day_units, eights", WORKED_EXAMPLES)
def test_the_cms_worked_examples_by_both_methods(minutes, cms, day_units, eights):
    result = calculate_units(CMS, minutes)
    assert result.units == cms and result.total_units == day_units
    assert calculate_units(EIGHTS, minutes).units == eights


def test_example_1_explains_itself_as_the_issue_words_it():
    result = calculate_units("8-Minute Rule", {"97112": 24, "97110": 23})
    assert result.explanation[0] == "47 timed minutes → 3 units; 97112 24 min → 2, 97110 23 min → 1, CMS 8-minute rule"
    assert calculate_units("Rule of 8s", {"97112": 24, "97110": 23}).total_units == 4


@pytest.mark.parametrize("total, units", [(0, 0), (7, 0), (8, 1), (22, 1), (23, 2), (37, 2), (38, 3), (52, 3), (53, 4),
                                          (67, 4), (68, 5), (82, 5), (83, 6), (97, 6), (98, 7), (112, 7), (113, 8),
                                          (127, 8), (128, 9), (142, 9), (143, 10)])
def test_the_unit_table_boundaries(total, units):
    assert cms_total_units(total) == units
    assert calculate_units(CMS, {"97530": total}).units == {"97530": units}
    # for a single code the Rule of 8s equals the table
    assert calculate_units(EIGHTS, {"97530": total}).units == {"97530": units}


def test_sixty_minutes_of_one_code_is_four_units():
    assert calculate_units(CMS, {"97530": 60}).units == {"97530": 4}


def test_pooling_and_the_rule_of_8s_never_pools():
    # WebPT's example: 10 + 10 minutes is 1 unit pooled (CMS), 2 by the Rule of 8s
    assert calculate_units(CMS, {"97110": 10, "97116": 10}).total_units == 1
    assert calculate_units(EIGHTS, {"97110": 10, "97116": 10}).total_units == 2


def test_short_services_bill_on_the_longest_and_under_8_minutes_bills_nothing():
    result = calculate_units(CMS, {"97110": 5, "97140": 6})
    assert result.units == {"97110": 0, "97140": 1} and not result.alternatives
    nothing = calculate_units(CMS, {"97110": 3, "97140": 4})
    assert nothing.units == {"97110": 0, "97140": 0} and "no timed units" in " ".join(nothing.explanation)


def test_the_per_code_floor_holds():
    result = calculate_units(CMS, {"97110": 30, "97140": 15, "97116": 2})
    assert result.units["97110"] >= 2 and result.units["97140"] >= 1 and result.total_units == cms_total_units(47)


def test_ties_are_offered_and_every_one_is_correct():
    result = calculate_units(CMS, {"97112": 20, "97110": 20})
    assert result.alternatives == [{"97112": 1, "97110": 2}]
    assert "Tie" in result.explanation[-1]
    three = calculate_units(CMS, {"97112": 7, "97110": 7, "97140": 7})
    assert len(three.alternatives) == 2
    for allocation in [three.units, *three.alternatives]:
        assert sum(allocation.values()) == 1 and max(allocation.values()) == 1


def test_untimed_codes_are_one_unit_and_not_timed_minutes():
    result = calculate_units(CMS, {"97110": 23}, untimed=("97161", "97010"))
    assert result.units == {"97110": 2, "97161": 1, "97010": 1} and result.total_timed_minutes == 23
    assert calculate_units(EIGHTS, {}, untimed=["92507"]).units == {"92507": 1}


@pytest.mark.parametrize("method, minutes", [("Medicare", {"97110": 10}), (CMS, {"97110": -1}), (CMS, {"97110": 7.5}),
                                             (CMS, {"97110": True}), (CMS, {"97110": 2000}), (CMS, {"97110": "15"})])
def test_bad_input_is_refused(method, minutes):
    with pytest.raises(ValueError):
        calculate_units(method, minutes)


def test_the_method_may_be_named_by_its_stored_value_or_its_name():
    assert calculate_units("RULE_OF_EIGHTS", {"97110": 8}).method is EIGHTS
