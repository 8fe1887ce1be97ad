#!/usr/bin/env python
"""Benchmark the claim scrubber (core.billing.scrubber.scrub) over 10,000 notes and report notes per second.

The scrubber's rules read plain facts (no database), so this measures the rules themselves: each note is a
daily visit with its own patient, case, policies, authorization, referring physician, diagnoses and a Charge
Summary of one to five lines, on a mix of payers (Medicare, commercial Rule of 8s, Workers' Comp, Self Pay)
and with some problems to find (a 5-digit ZIP on Medicare, an NCCI pair unconfirmed, units that disagree,
a bundled code, a missing claim number). Two timings: the scrubber alone over facts built beforehand, and
the Charge Summary's recompute as the editor does it (units, modifiers, KX, NCCI: ``compute``) plus the
scrubber. Each is run ``--runs`` times; the median is reported.

    .venv/bin/python scripts/bench_scrubber.py
    .venv/bin/python scripts/bench_scrubber.py --notes 10000 --runs 5
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections import Counter
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("SECRET_KEY", "bench-only-secret")

DAY = date(2026, 6, 15)
SERVICES = (("97110", 23), ("97112", 24), ("97140", 15), ("97530", 15), ("97116", 10), ("97035", 8), ("97010", 10),
            ("97164", 20))


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args(argv)


def build(n: int, rng: random.Random):
    """``n`` visits: (context, services, facts without charges)."""
    from core.billing import ChargeContext, ClaimFacts, Provider, Service
    from core.cases import Authorization, Case, CasePolicy, Discipline, InsuredRelationship, PolicyRank
    from core.patients import AddressType, Patient, PatientAddress, PatientPhone, PhoneType, Sex
    from core.payers import Insurance, InsuranceType, ReferringPhysician, UnitCalculation

    payers = [
        Insurance(name="Medicare", insurance_type=InsuranceType.MEDICARE, unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE,
                  authorization_required=False, enabled_modifiers=[]),
        Insurance(name="Blue Plan", insurance_type=InsuranceType.COMMERCIAL, unit_calculation=UnitCalculation.RULE_OF_EIGHTS,
                  authorization_required=True, enabled_modifiers=["59"]),
        Insurance(name="Comp", insurance_type=InsuranceType.WORKERS_COMP, unit_calculation=UnitCalculation.EIGHT_MINUTE_RULE,
                  authorization_required=True, enabled_modifiers=[]),
        Insurance(name="Self Pay", insurance_type=InsuranceType.SELF_PAY, unit_calculation=UnitCalculation.RULE_OF_EIGHTS,
                  authorization_required=False, enabled_modifiers=[]),
    ]
    fees = {code: Decimal("40.00") for code, _ in SERVICES}
    doctor = ReferringPhysician(first_name="Ann", last_name="Lee", npi="1538269972")
    visits = []
    for i in range(n):
        insurance = payers[i % len(payers)]
        medicare = insurance.insurance_type.is_medicare
        patient = Patient(first_name="Test", last_name=f"Patient{i}", date_of_birth=date(1950, 1, 1), sex=Sex.FEMALE,
                          ssn="123456789" if i % 7 else None)
        patient.addresses = [PatientAddress(address_type=AddressType.HOME, is_primary=True, line1="1 Main St", city="Phoenix",
                                            state="AZ", postal_code="85018" if i % 9 == 0 else "850181234")]
        patient.phones = [PatientPhone(phone_type=PhoneType.MOBILE, is_primary=True, number="6025550142")]
        case = Case(title="Back", discipline=Discipline.PT, place_of_service="11", apply_kx_modifier=False)
        case.referring_physician = doctor
        case.policies = [CasePolicy(rank=PolicyRank.PRIMARY, insurance=insurance, subscriber_id="X", start_date=DAY - timedelta(days=90),
                                    end_date=DAY + timedelta(days=90), insured_relationship=InsuredRelationship.SELF,
                                    claim_number="" if i % 11 == 0 else "C-1")]
        case.authorizations = [Authorization(number="A1", start_date=DAY - timedelta(days=30), end_date=DAY + timedelta(days=30),
                                             visits_authorized=12, visits_used=rng.randrange(0, 13))]
        picked = rng.sample(SERVICES, rng.randrange(1, 6))
        services = [Service(code, minutes + rng.randrange(0, 8), pointers=(1,),
                            units_entered=3 if i % 13 == 0 and k == 0 else None) for k, (code, minutes) in enumerate(picked)]
        context = ChargeContext(
            day=DAY, discipline="PT", method=insurance.unit_calculation, method_reason="", medicare=medicare,
            self_pay=insurance.insurance_type is InsuranceType.SELF_PAY, fees=fees, custom_codes={},
            spent=Decimal(rng.randrange(0, 3200)) if medicare else Decimal("0"), spent_here=Decimal("0"),
            spent_elsewhere=Decimal("0"), case_applies_kx=False, additional_modifiers=tuple(insurance.enabled_modifiers))
        facts = ClaimFacts(patient=patient, case=case, day=DAY, billable=True, charges=None, diagnoses=[("M54.50", True)],
                           rendering=Provider(1, "Paula Therapist", "1234567893"), is_daily_note=True,
                           plan_end=DAY + timedelta(days=20), referral_required=True)
        visits.append((context, services, facts))
    return visits


def main(argv=None) -> None:
    args = parse_args(argv)
    from core import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    from core.billing import RULES, compute, scrub

    with app.app_context():
        visits = build(args.notes, random.Random(args.seed))
        for context, services, facts in visits:
            facts.charges = compute(context, services)
        scrub_only, full, found = [], [], Counter()
        for _ in range(args.runs):
            start = time.perf_counter()
            for _context, _services, facts in visits:
                scrub(facts)
            scrub_only.append(time.perf_counter() - start)
            start = time.perf_counter()
            for context, services, facts in visits:
                facts.charges = compute(context, services)
                findings = scrub(facts)
            full.append(time.perf_counter() - start)
        for _context, _services, facts in visits:
            found.update(f.code for f in scrub(facts))
    n = args.notes
    print(f"{n:,} notes, {len(RULES)} rules, median of {args.runs} runs (Python {sys.version.split()[0]})")
    print(f"  scrubber alone:              {n / statistics.median(scrub_only):>10,.0f} notes/s "
          f"({statistics.median(scrub_only) / n * 1e6:,.1f} µs a note)")
    print(f"  Charge Summary + scrubber:   {n / statistics.median(full):>10,.0f} notes/s "
          f"({statistics.median(full) / n * 1e6:,.1f} µs a note)")
    print("  findings: " + ", ".join(f"{code} {count:,}" for code, count in found.most_common()))
    del findings


if __name__ == "__main__":
    main()
