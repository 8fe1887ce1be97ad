"""The documentation rules (core.notes): the Start / Forward / Finish state machine and the Medicare clocks."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.accounts import UserType
from core.notes import (
    Action,
    Actor,
    NoteFacts,
    NoteKind,
    NoteStatus,
    certification_end,
    clock_rules_on,
    decide,
    may_finalize_alone,
    progress_clock,
    signature_due,
    treatment_days_since,
)
from core.web import Permission

START, FORWARD, FINISH = Permission.START_NOTES, Permission.FORWARD_NOTES, Permission.FINISH_NOTES
PT = Actor(1, UserType.PT, frozenset({START, FORWARD, FINISH}))
OT = Actor(2, UserType.OT, frozenset({START, FORWARD, FINISH}))
PTA = Actor(3, UserType.PTA, frozenset({START, FORWARD}))
PTA_FINISHING = Actor(4, UserType.PTA, frozenset({START, FORWARD, FINISH}), attested=True)
SPT = Actor(5, UserType.SPT, frozenset({START, FORWARD, FINISH}))
FRONT_DESK = Actor(6, UserType.CLERICAL, frozenset({START, FORWARD, FINISH}))


def note(author, kind=NoteKind.DAILY_NOTE, status=NoteStatus.DRAFT, cosigner=None, clinic=False, insurance=None):
    return NoteFacts(kind, status, author.user_id, getattr(cosigner, "user_id", None), clinic, insurance)


def test_a_therapist_finalizes_their_own_draft():
    decision = decide(Action.FINALIZE, note(PT, NoteKind.INITIAL_EVALUATION), PT)
    assert decision and decision.to is NoteStatus.FINALIZED


def test_an_assistant_forwards_and_the_named_therapist_cosigns_however_the_note_was_opened():
    draft = note(PTA)
    forwarded = decide(Action.FORWARD, draft, PTA, cosigner=PT)
    assert forwarded.to is NoteStatus.PENDING_COSIGNATURE
    pending = note(PTA, status=NoteStatus.PENDING_COSIGNATURE, cosigner=PT)
    # the state decides, not the screen: the author cannot finalize or edit it now, another therapist cannot co-sign
    assert not decide(Action.FINALIZE, pending, PTA)
    assert not decide(Action.SAVE, pending, PTA)
    assert "another therapist" in decide(Action.COSIGN, pending, OT).reason
    assert decide(Action.COSIGN, pending, PT).to is NoteStatus.FINALIZED
    assert decide(Action.RETURN, pending, PT).to is NoteStatus.RETURNED
    # the co-signer may edit what they are about to co-sign; nobody else may
    assert decide(Action.SAVE, pending, PT).to is NoteStatus.PENDING_COSIGNATURE
    assert not decide(Action.SAVE, pending, OT)


def test_a_returned_note_is_edited_and_forwarded_again_by_its_author():
    returned = note(PTA, status=NoteStatus.RETURNED, cosigner=PT)
    assert decide(Action.SAVE, returned, PTA).to is NoteStatus.RETURNED
    assert decide(Action.FORWARD, returned, PTA, cosigner=PT).to is NoteStatus.PENDING_COSIGNATURE
    assert not decide(Action.SAVE, returned, PT)  # not the author


@pytest.mark.parametrize("action", list(Action))
def test_a_finalized_note_changes_only_through_an_addendum(action):
    finalized = note(PT, status=NoteStatus.FINALIZED, cosigner=PT)
    decision = decide(action, finalized, PT, cosigner=OT)
    assert not decision and "addendum" in decision.reason


def test_a_student_s_note_always_needs_a_cosignature():
    decision = may_finalize_alone(note(SPT, clinic=True, insurance=True), SPT)
    assert not decision and "student" in decision.reason
    assert decide(Action.FORWARD, note(SPT), SPT, cosigner=PT)


def test_assistant_finalization_insurance_overrides_the_clinic():
    # clinic on, the patient's insurance off: the assistant cannot finalize
    blocked = may_finalize_alone(note(PTA_FINISHING, clinic=True, insurance=False), PTA_FINISHING)
    assert not blocked and "insurance" in blocked.reason
    # clinic off, the insurance on: it may
    assert may_finalize_alone(note(PTA_FINISHING, clinic=False, insurance=True), PTA_FINISHING)
    # no insurance on the case: the clinic's setting applies
    assert may_finalize_alone(note(PTA_FINISHING, clinic=True, insurance=None), PTA_FINISHING)
    assert "clinic" in may_finalize_alone(note(PTA_FINISHING, clinic=False), PTA_FINISHING).reason


def test_an_assistant_needs_finish_its_attestation_and_a_treatment_note():
    assert "Finish SOAP Notes" in may_finalize_alone(note(PTA, clinic=True), PTA).reason
    unattested = Actor(7, UserType.PTA, frozenset({START, FORWARD, FINISH}), attested=False)
    assert "attestation" in may_finalize_alone(note(unattested, clinic=True), unattested).reason
    for kind in (NoteKind.INITIAL_EVALUATION, NoteKind.PROGRESS_NOTE, NoteKind.DISCHARGE_SUMMARY):
        decision = may_finalize_alone(note(PTA_FINISHING, kind, clinic=True, insurance=True), PTA_FINISHING)
        assert not decision and "PT, OT or SLP" in decision.reason


def test_forwarding_needs_the_permission_and_a_therapist_who_can_cosign():
    no_forward = Actor(8, UserType.PTA, frozenset({START}))
    assert "Forward SOAP Notes" in decide(Action.FORWARD, note(no_forward), no_forward, cosigner=PT).reason
    assert "Choose" in decide(Action.FORWARD, note(PTA), PTA).reason
    assert "PT, OT or SLP" in decide(Action.FORWARD, note(PTA), PTA, cosigner=PTA_FINISHING).reason
    assert "PT, OT or SLP" in decide(Action.FORWARD, note(PTA), PTA, cosigner=SPT).reason


def test_only_the_author_with_start_writes_and_clericals_do_not_document():
    assert "author" in decide(Action.SAVE, note(PT), OT).reason
    no_start = Actor(9, UserType.PT, frozenset({FINISH}))
    assert "Start SOAP Notes" in decide(Action.SAVE, note(no_start), no_start).reason
    assert "does not document" in may_finalize_alone(note(FRONT_DESK), FRONT_DESK).reason


def test_the_placeholder_evaluation_is_evaluative_and_never_billable():
    assert NoteKind.PLACEHOLDER_EVALUATION.is_evaluative and not NoteKind.PLACEHOLDER_EVALUATION.is_billable
    assert not NoteKind.DAILY_NOTE.is_evaluative and NoteKind.DAILY_NOTE.is_billable


# -- the Medicare clocks ---------------------------------------------------------------------------------
START_DAY = date(2026, 3, 2)


def test_treatment_days_count_days_not_visits_and_day_one_is_the_evaluation():
    # evaluation on day 1 (no treatment note), then 9 more treatment days, one of them with two visits
    visits = [START_DAY + timedelta(days=n) for n in range(1, 10)] + [START_DAY + timedelta(days=3)]
    assert treatment_days_since(visits, START_DAY) == 10
    clock = progress_clock(visits, START_DAY, None, today=START_DAY + timedelta(days=9))
    assert clock.progress_report_due and clock.due_at == 10
    assert not progress_clock(visits[:-2], START_DAY, None, today=START_DAY).progress_report_due  # 9 days


def test_the_count_restarts_after_a_progress_report():
    report = START_DAY + timedelta(days=20)
    visits = [START_DAY + timedelta(days=n) for n in range(0, 30)]
    assert treatment_days_since(visits, START_DAY, last_progress_report=report) == 9  # days 21..29


def test_the_certification_ends_at_the_plan_s_end_or_ninety_days():
    assert certification_end(START_DAY, None) == START_DAY + timedelta(days=89)
    assert certification_end(START_DAY, START_DAY + timedelta(days=28)) == START_DAY + timedelta(days=28)
    assert certification_end(START_DAY, START_DAY + timedelta(days=200)) == START_DAY + timedelta(days=89)


def test_signature_windows_and_the_rules_are_effective_dated():
    assert signature_due(START_DAY) == START_DAY + timedelta(days=30)
    assert signature_due(START_DAY, verbal_order=True) == START_DAY + timedelta(days=14)
    assert clock_rules_on(date(2025, 1, 1)).transmission_meets_initial_certification
    assert not clock_rules_on(date(2024, 12, 31)).transmission_meets_initial_certification
    with pytest.raises(ValueError):
        clock_rules_on(date(2012, 12, 31))
