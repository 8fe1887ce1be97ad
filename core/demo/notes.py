"""Demo notes for ``flask demo``: a few weeks of documentation on six of the demo cases, written through
the notes' own service functions (``core.notes.actions``), so every finalized note went through the
finalize checks (the plan of care, the policy dates, the Medicare clocks, the plugins' vetoes) and carries
its signatures, SHA-256, audit events and authorization visit.

Camelback (visits Monday and Thursday):

* Daniel Okafor, PT: a Medicare neck-pain episode of six weeks: the Initial Evaluation (plan of care
  certified by the physician), daily notes (two by Marcus Bell, PTA, co-signed), a Progress Note /
  Re-Certification on the 11th treatment day (sent to the physician), more daily notes, and the PTA's
  latest daily note forwarded to Daniel, pending co-signature.
* Daniel: a commercial low-back-pain episode of three weeks, with a finalized addendum on a daily note
  and today's daily note still a draft.
* Alicia Moreno, PT: a left-shoulder (auto) episode of three weeks; a right-knee ACL-reconstruction
  episode of five weeks that ends with the Discharge Summary (the case is discharged).

Old Town Scottsdale (visits Tuesday and Friday):

* Priya Raman, OT: a right-wrist (Colles' fracture) episode of four weeks; a stroke ADL case whose
  Initial Evaluation is a draft started today.

Dates are relative to the clinic's today (kept inside the case's policy dates, and an episode is
shortened where its visits would use more than the case's authorization has left). A case that holds
any note already is left alone, so running the seed again adds nothing twice.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from core.accounts import ProviderSignature, User
from core.audit import record
from core.cases import Case, CasePolicy, PolicyRank
from core.demo.billing import charge_rows, charges_for, seed_copays
from core.extensions import db
from core.notes.actions import (
    FinalizeBlocked,
    add_addendum,
    clinic_today,
    finalize_addendum,
    finalize_note,
    forward_note,
    save_note,
    start_note,
)
from core.notes.models import Note, PlanCertification
from core.notes.workflow import NoteKind
from core.payers import Insurance, InsuranceType

CAMELBACK_DAYS = (0, 3)  # Monday, Thursday
OLD_TOWN_DAYS = (1, 4)  # Tuesday, Friday

PAIN, ROM, STRENGTH, OTHER = "Pain (0-10)", "Range of motion (degrees)", "Strength (0-5)", "Other"


# -- what a note says -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    subjective: str
    objective: str
    assessment: str
    plan: str
    measurements: tuple[tuple[str, str, str], ...] = ()  # (kind, site, value)


@dataclass(frozen=True)
class Plan:
    """A plan of care (evaluative notes): the first diagnosis is the treating one."""

    diagnoses: tuple[str, ...]
    goals: tuple[tuple[str, str, str], ...] = ()  # (term, text, status)
    frequency: int | None = None
    weeks: int | None = None
    interventions: str = ""
    start: date | None = None
    end: date | None = None


def _form(text: Text, plan: Plan | None) -> dict[str, str]:
    """The note editor's form for ``text`` and ``plan`` (what a therapist would type and submit)."""
    form = {"subjective": text.subjective, "objective": text.objective, "assessment": text.assessment,
            "plan": text.plan, "measurements_present": "1"}
    for i, (kind, site, value) in enumerate(text.measurements):
        form.update({f"m_kind-{i}": kind, f"m_site-{i}": site, f"m_value-{i}": value})
    if plan is None:
        return form
    form.update({"diagnoses_present": "1", "treating": "0", "goals_present": "1",
                 "interventions": plan.interventions,
                 "frequency_per_week": str(plan.frequency or ""), "duration_weeks": str(plan.weeks or ""),
                 "plan_start": plan.start.isoformat() if plan.start else "",
                 "plan_end": plan.end.isoformat() if plan.end else ""})
    for i, code in enumerate(plan.diagnoses):
        form[f"dx_code-{i}"] = code
    for i, (term, goal, status) in enumerate(plan.goals):
        form.update({f"goal_term-{i}": term, f"goal_text-{i}": goal, f"goal_status-{i}": status})
    return form


def _step(first: float, last: float, i: int, n: int) -> int:
    """Visit ``i`` of ``n`` on a straight line from ``first`` to ``last`` (rounded)."""
    return round(first + (last - first) * (i / max(n - 1, 1)))


def _pick(options: tuple[str, ...], i: int) -> str:
    return options[i % len(options)]


# -- writing notes through the service ------------------------------------------------------------
class DemoNoteError(RuntimeError):
    """A demo note the notes service refused: the demo data no longer matches the rules."""


@dataclass
class Episode:
    """One case's documentation, written in date order through ``core.notes.actions``."""

    clinic: object
    case: Case

    def note(self, kind: NoteKind, day: date, author: User, text: Text, plan: Plan | None = None, *,
             then: str = "finalize", cosigner: User | None = None, services: tuple | None = None,
             ncci_confirmed: tuple[str, ...] = ()) -> Note:
        """Start a ``kind`` note on ``day`` by ``author``, save ``text``, ``plan`` and its Charge Summary
        (``services``, default ``charges_for`` the kind) into it, then leave it a draft (``then="draft"``),
        finalize it, forward it to ``cosigner`` (``"forward"``), or forward it and have ``cosigner`` co-sign and
        finalize it (``"cosign"``). Warnings (KX, the review line) are read and finalized through."""
        note = start_note(self.case, kind, day, author, self.clinic)
        self.count = getattr(self, "count", 0) + 1
        if services is None and kind.is_billable:
            services = charges_for(kind, self.case.discipline.value, self.count,
                                   assistant=author.user_type.license_category.value == "Assistants")
        form = {**_form(text, plan), **(charge_rows(services, ncci_confirmed=ncci_confirmed) if services else {})}
        parsed = save_note(note, self.clinic, author, form, None)
        if parsed.errors:
            raise DemoNoteError(f"demo {kind.value} of {day}: {parsed.errors}")
        if then in ("forward", "cosign"):
            forward_note(note, self.clinic, author, cosigner)
        if then in ("finalize", "cosign"):
            try:
                finalize_note(note, self.clinic, cosigner if then == "cosign" else author, acknowledged=True)
            except FinalizeBlocked as blocked:
                raise DemoNoteError(f"demo {kind.value} of {day}: " + "; ".join(p.message for p in blocked.problems)) from None
        return note

    def certify(self, note: Note, by: User, *, sent: date, signed: date | None = None, received: date | None = None) -> None:
        """The physician's certification of ``note``'s plan of care (as the Certification form saves it)."""
        db.session.add(PlanCertification(note_id=note.id, sent_on=sent, signed_on=signed, received_on=received,
                                         updated_by_id=by.id))
        record("note.certification", "note", note.id, clinic_id=note.clinic_id, actor=by,
               summary="Physician certification updated")
        db.session.commit()


def _visit_days(first: date, last: date, weekdays: tuple[int, ...]) -> list[date]:
    """Every clinic day of the pattern ``weekdays`` from ``first`` to ``last``."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)
            if (first + timedelta(days=n)).weekday() in weekdays]


def _last_day(case: Case, clinic) -> date:
    """The clinic's today, or the last day of the case's policies if earlier (a note outside them cannot
    be finalized)."""
    return min([clinic_today(clinic)] + [p.end_date for p in case.policies])


def _schedule(case: Case, clinic, weeks: int, weekdays: tuple[int, ...], *, ends_before: int = 0,
              more_visits: int = 0) -> list[date] | None:
    """The visit days of an episode of about ``weeks`` weeks ending ``ends_before`` days before the last
    day (``_last_day``); None when it would start before the case's policies do. The first days are
    dropped where the visits (and ``more_visits`` to come) would use more than an authorization has left."""
    last = _last_day(case, clinic) - timedelta(days=ends_before)
    first = last - timedelta(weeks=weeks)
    while first.weekday() != weekdays[0]:
        first -= timedelta(days=1)
    if any(first < p.start_date for p in case.policies):
        return None
    days = _visit_days(first, last, weekdays)
    for auth in case.authorizations:
        while days and sum(auth.start_date <= d <= auth.end_date for d in days) + more_visits > auth.visits_remaining:
            days.pop(0)
    return days


def _doctor(case: Case) -> str:
    physician = case.referring_physician
    return f"Dr. {physician.last_name}" if physician else "the referring physician"


# -- the episodes -------------------------------------------------------------------------------------
NECK_GOALS = (
    ("short", "Independent with the home exercise program in 2 weeks", "progressing"),
    ("short", "Neck pain no more than 3/10 at worst in 4 weeks", "progressing"),
    ("long", "Cervical rotation of at least 70 degrees both ways, to check the blind spot while driving, in 8 weeks", "progressing"),
    ("long", "Neck Disability Index of 15% or less in 8 weeks", "progressing"),
    ("long", "Reach into overhead kitchen cabinets and garden for 30 minutes without neck pain in 8 weeks", "progressing"),
)
NECK_INTERVENTIONS = (
    "Manual therapy (97140): cervical and upper thoracic joint mobilization, suboccipital and upper trapezius soft "
    "tissue mobilization. Therapeutic exercise (97110): deep neck flexor endurance, scapular strengthening, cervical "
    "ROM. Neuromuscular re-education (97112): postural control. Patient education and home exercise program.")
NECK_SUBJECTIVE = (
    "Drove to her daughter's house (25 minutes) and needed one stop to stretch.",
    "Headaches at the base of the skull twice since last visit, both after reading in bed.",
    "Slept through the night three times this week; morning stiffness lasts about 20 minutes.",
    "Did the home exercises daily; chin tucks are easier, the band rows tire her shoulders.",
    "Worked in the garden for 15 minutes on Saturday; mild ache afterwards that eased with heat.",
    "Less stiffness turning to back out of the driveway.",
)
NECK_EXERCISE = (
    "chin tucks 2x10, supine deep neck flexor holds 10x10 s, scapular retraction 2x15, red band rows 3x12",
    "seated thoracic extension over towel roll 2x10, prone Y and T raises 2x10, wall angels 2x10",
    "deep neck flexor holds with head lift 8x10 s, green band rows and pull-aparts 3x12, upper trapezius stretch 3x30 s",
)


def _neck_daily(i: int, n: int, by_assistant: bool, doctor: str, certified: bool = True) -> Text:
    pain, right, left = _step(5, 2, i, n), _step(54, 68, i, n), _step(58, 70, i, n)
    minutes = "8 min" if by_assistant else "10 min"
    manual = ("" if by_assistant else
              f"Manual therapy: grade III central PA mobilization C7-T4 and suboccipital release, {minutes} (97140). ")
    return Text(
        subjective=f"Reports neck pain {pain}/10 at worst since last visit. {_pick(NECK_SUBJECTIVE, i)}",
        objective=(f"Cervical rotation R {right} deg, L {left} deg (was 50/55 at evaluation). {manual}"
                   f"Therapeutic exercise: {_pick(NECK_EXERCISE, i)}, 25 min (97110). Postural re-education for reading "
                   "and computer use with mirror feedback, 8 min (97112)."),
        assessment=(f"Rotation up {right - 50} deg on the right since evaluation; tolerated the session without increase in "
                    "symptoms. Still needs cues to retract the scapulae without shrugging. Progressing toward the goals."
                    + (" Treated per the PT's plan of care; no change in status to report to the PT." if by_assistant else "")),
        plan=("Continue the plan of care 2x/week; progress resisted scapular exercise as tolerated. "
              + (f"Plan of care certified by {doctor}." if certified else f"Awaiting {doctor}'s signature on the plan of care.")),
        measurements=((PAIN, "Neck, worst", str(pain)), (ROM, "Cervical rotation R", str(right)),
                      (ROM, "Cervical rotation L", str(left))),
    )


def neck_episode(clinic, case: Case, pt: User, pta: User) -> None:
    """Medicare, about 13 visits: evaluation, daily notes, the progress note on the 11th treatment day."""
    days = _schedule(case, clinic, 6, CAMELBACK_DAYS)
    if days is None or len(days) < 13:
        return
    episode, doctor = Episode(clinic, case), _doctor(case)
    # Home health billed $2,250 of PT to Medicare earlier this year: a few visits in, KX goes on every line.
    case.medicare_threshold_used, case.medicare_threshold_year = Decimal("2250.00"), days[0].year
    db.session.commit()
    ie_day = days[0]
    ie = episode.note(NoteKind.INITIAL_EVALUATION, ie_day, pt, Text(
        subjective=("Gradual onset of neck pain and stiffness over the last 3 months, worse after reading and driving; no "
                    "trauma. Pain 6/10 at worst, 3/10 at best, with headaches at the base of the skull 3-4 times a week. "
                    "Difficulty checking the blind spot while driving and looking up into cabinets. Denies numbness, "
                    "tingling or arm weakness. Her goal is to drive without neck pain and get back to gardening."),
        objective=("Posture: forward head and rounded shoulders. Cervical AROM: flexion 35 deg, extension 30 deg with pain, "
                   "rotation R 50 deg / L 55 deg, side-bending R 25 deg / L 30 deg. Middle and lower trapezius 4-/5 both "
                   "sides; deep neck flexor endurance 12 s. Tender with guarding over both upper trapezius and the "
                   "suboccipitals. Dermatomes, myotomes and reflexes intact; Spurling's negative. Neck Disability Index 38%."),
        assessment=("Mechanical neck pain with mobility deficits and postural dysfunction, limiting driving, reaching and "
                    "sleep. Good rehabilitation potential: motivated, no red flags. Needs skilled PT for manual therapy, "
                    "graded motor control training and a progressive home program."),
        plan=(f"PT 2x/week for 8 weeks per the plan of care; home exercise program issued (chin tucks, scapular "
              f"retraction). Plan of care sent to {doctor} for certification."),
        measurements=((PAIN, "Neck, worst", "6"), (ROM, "Cervical rotation R", "50"), (ROM, "Cervical rotation L", "55"),
                      (ROM, "Cervical extension", "30"), (STRENGTH, "Lower trapezius, both", "4-"),
                      (OTHER, "Neck Disability Index", "38%")),
    ), Plan(("M54.2", "M62.81", "R29.3"), NECK_GOALS, 2, 8, NECK_INTERVENTIONS, ie_day, ie_day + timedelta(weeks=8, days=-1)))
    signed = ie_day + timedelta(days=8)
    episode.certify(ie, pt, sent=ie_day + timedelta(days=1), signed=signed, received=signed + timedelta(days=1))
    # Treatment days 2-10 (the evaluation is day 1): the PTA treats on two of them, the PT co-signs.
    for i, day in enumerate(days[1:10], start=1):
        assistant = i in (4, 7)
        pair = i == 5 and not assistant  # manual therapy and therapeutic activities in distinct blocks: 59, confirmed
        episode.note(NoteKind.DAILY_NOTE, day, pta if assistant else pt, _neck_daily(i, 13, assistant, doctor, day >= signed),
                     services=(("97140", 15, "therapist", 0), ("97530", 15, "therapist", 0)) if pair else None,
                     ncci_confirmed=("97530",) if pair else (),
                     then="cosign" if assistant else "finalize", cosigner=pt if assistant else None)
    pn_day = days[10]
    progress = episode.note(NoteKind.PROGRESS_NOTE, pn_day, pt, Text(
        subjective=("Neck pain 3/10 at worst, headaches once a week. Drives 30 minutes without stopping; still avoids "
                    "looking up for long. Does the home program daily."),
        objective=("Cervical rotation R 64 deg / L 67 deg, extension 42 deg without pain. Lower trapezius 4/5 both sides; "
                   "deep neck flexor endurance 24 s. Neck Disability Index 22%."),
        assessment=("Ten treatment days since evaluation: both short-term goals met; rotation and NDI improving but short of "
                    "the long-term goals. Continued skilled PT is needed to reach end-range rotation and overhead "
                    "tolerance for gardening."),
        plan=f"Recertify: PT 2x/week for 4 more weeks; progress to overhead and loaded scapular work. Re-certification sent to {doctor}.",
        measurements=((PAIN, "Neck, worst", "3"), (ROM, "Cervical rotation R", "64"), (ROM, "Cervical rotation L", "67"),
                      (ROM, "Cervical extension", "42"), (STRENGTH, "Lower trapezius, both", "4"),
                      (OTHER, "Neck Disability Index", "22%")),
    ), Plan(("M54.2", "M62.81", "R29.3"), (
        ("short", "Independent with the home exercise program in 2 weeks", "met"),
        ("short", "Neck pain no more than 3/10 at worst in 4 weeks", "met"),
        ("long", "Cervical rotation of at least 70 degrees both ways, to check the blind spot while driving, in 4 weeks", "progressing"),
        ("long", "Neck Disability Index of 15% or less in 4 weeks", "progressing"),
        ("long", "Garden for 30 minutes without neck pain in 4 weeks", "progressing"),
    ), 2, 4, NECK_INTERVENTIONS, pn_day, pn_day + timedelta(weeks=4, days=-1)))
    episode.certify(progress, pt, sent=min(pn_day + timedelta(days=1), clinic_today(clinic)))
    for i, day in enumerate(days[11:-1], start=11):
        episode.note(NoteKind.DAILY_NOTE, day, pt, _neck_daily(i, 13, False, doctor))
    # The PTA's latest visit, forwarded to the PT for co-signature.
    episode.note(NoteKind.DAILY_NOTE, days[-1], pta, _neck_daily(len(days) - 1, 13, True, doctor), then="forward", cosigner=pt)


BACK_SUBJECTIVE = (
    "Back pain {pain}/10 this morning, eased after walking the dog. Sitting at work is limited to about 40 minutes.",
    "Pain {pain}/10; no leg symptoms. Managed a full shift in the warehouse with the lifting restrictions.",
    "Pain {pain}/10. Did the exercises every day; the bridges are easy now.",
    "Pain {pain}/10 after mowing the lawn, settled overnight. Sleeping better on his side with a pillow between the knees.",
)
BACK_EXERCISE = (
    "pelvic tilts 2x15, bridges 3x10, bird dog 2x10 each side, hip flexor stretch 3x30 s",
    "dead bug 3x10, side plank on knees 3x20 s, hip hinge with dowel 3x10, walking 8 min",
    "bridges with band 3x12, bird dog with hold 2x10, squat to chair 3x10, 10 lb box lift floor to waist 2x8",
)


def _back_daily(i: int, n: int) -> Text:
    pain, flexion = _step(5, 2, i, n), _step(50, 70, i, n)
    return Text(
        subjective=_pick(BACK_SUBJECTIVE, i).format(pain=pain),
        objective=(f"Lumbar flexion {flexion} deg, fingertips to mid-shin. Manual therapy: lumbar PA mobilization L3-L5 "
                   f"grade III and soft tissue mobilization to the paraspinals, 10 min (97140). Therapeutic exercise: "
                   f"{_pick(BACK_EXERCISE, i)}, 23 min (97110). Body mechanics training for lifting, 8 min (97530)."),
        assessment=(f"Flexion up {flexion - 40} deg since evaluation, guarding much reduced. Good lumbopelvic control with "
                    "the hip hinge; loses neutral spine when fatigued. Progressing toward return to full duty."),
        plan="Continue 2x/week; add loaded carries and progress lifting to 20 lb next visit.",
        measurements=((PAIN, "Low back", str(pain)), (ROM, "Lumbar flexion", str(flexion))),
    )


def back_episode(clinic, case: Case, pt: User) -> None:
    """Commercial, three weeks: evaluation, daily notes (one with an addendum), today's draft."""
    days = _schedule(case, clinic, 3, CAMELBACK_DAYS, ends_before=1, more_visits=1)
    if days is None or len(days) < 4:
        return
    episode = Episode(clinic, case)
    ie_day = days[0]
    episode.note(NoteKind.INITIAL_EVALUATION, ie_day, pt, Text(
        subjective=("Low back pain since lifting a case of water at work 3 weeks ago; no leg pain, numbness or bladder or "
                    "bowel changes. Pain 7/10 at worst, 3/10 at best; worse with sitting over 20 minutes, bending and "
                    "getting out of the car. Works in a warehouse, on light duty now. Wants to return to full duty and "
                    "to coaching his son's soccer team."),
        objective=("Antalgic posture, lumbar flexion 40 deg with pain at end range, extension 15 deg. Hip abductors 4-/5, "
                   "gluteus maximus 4/5 both sides. SLR negative both sides; neurological screen intact. Tender with "
                   "muscle spasm over the lumbar paraspinals L3-L5. Oswestry Disability Index 42%."),
        assessment=("Acute mechanical low back pain with muscle spasm, mobility and lumbopelvic control deficits, limiting "
                    "work, sitting tolerance and sleep. No radicular signs. Good prognosis for return to full duty."),
        plan="PT 2x/week for 6 weeks; home program issued (pelvic tilts, bridges, walking 10 minutes twice a day).",
        measurements=((PAIN, "Low back, worst", "7"), (ROM, "Lumbar flexion", "40"), (ROM, "Lumbar extension", "15"),
                      (STRENGTH, "Hip abductors, both", "4-"), (OTHER, "Oswestry Disability Index", "42%")),
    ), Plan(("M54.50", "M62.830"), (
        ("short", "Sit for 45 minutes with pain no more than 3/10 in 3 weeks", "progressing"),
        ("short", "Independent with the home exercise program in 2 weeks", "progressing"),
        ("long", "Lift 40 lb floor to waist with good mechanics, for return to full duty, in 6 weeks", "progressing"),
        ("long", "Oswestry Disability Index of 10% or less in 6 weeks", "progressing"),
    ), 2, 6, ("Manual therapy (97140), therapeutic exercise (97110), therapeutic activities: lifting and body mechanics "
              "(97530), home exercise program."), ie_day, ie_day + timedelta(weeks=6, days=-1)))
    dailies = days[1:]
    for i, day in enumerate(dailies, start=1):
        note = episode.note(NoteKind.DAILY_NOTE, day, pt, _back_daily(i, len(dailies) + 2))
        if i == 2:
            addendum = add_addendum(note, pt, (
                "Late entry: the session began with 8 minutes on the recumbent bike as a warm-up, not documented above. "
                "No change to the billed units."))
            finalize_addendum(addendum, pt, rebill=False)
    # Today's visit, being written.
    episode.note(NoteKind.DAILY_NOTE, _last_day(case, clinic), pt, Text(
        subjective="Back pain 2/10. Returned to full duty on Monday; sore after the first shift, fine since.",
        objective="Lumbar flexion 72 deg. Therapeutic exercise: ",
        assessment="", plan="",
        measurements=((PAIN, "Low back", "2"), (ROM, "Lumbar flexion", "72")),
    ), then="draft")
    seed_copays(case)


SHOULDER_SUBJECTIVE = (
    "Shoulder pain {pain}/10 reaching into the back seat. Sleeping on the left side is still uncomfortable.",
    "Pain {pain}/10. Able to put dishes away on the second shelf; the top shelf still pinches.",
    "Pain {pain}/10. Did the band exercises 5 of 7 days. Blow-drying her hair is easier.",
)


def _shoulder_daily(i: int, n: int) -> Text:
    pain, flexion, abduction = _step(5, 2, i, n), _step(125, 155, i, n), _step(105, 145, i, n)
    return Text(
        subjective=_pick(SHOULDER_SUBJECTIVE, i).format(pain=pain),
        objective=(f"Left shoulder AROM flexion {flexion} deg, abduction {abduction} deg with a painful arc easing. Manual "
                   "therapy: posterior glides and inferior glides grade III, 10 min (97140). Therapeutic exercise: "
                   "sidelying external rotation 1 lb 3x12, band rows and extensions 3x12, scapular clocks, wall slides 2x10, "
                   "23 min (97110). Scapular stabilization with rhythmic stabilization, 8 min (97112)."),
        assessment=("Less impingement at mid-range; scapular upward rotation improving. Tolerated the session well. "
                    "Progressing toward overhead reach."),
        plan="Continue 2x/week; add overhead reaching with a light weight when the painful arc is gone.",
        measurements=((PAIN, "Left shoulder", str(pain)), (ROM, "L shoulder flexion", str(flexion)),
                      (ROM, "L shoulder abduction", str(abduction))),
    )


def shoulder_episode(clinic, case: Case, pt: User) -> None:
    """Auto injury, about three weeks of evaluation and daily notes (the plan continues)."""
    days = _schedule(case, clinic, 3, CAMELBACK_DAYS, ends_before=2)
    if days is None or len(days) < 4:
        return
    episode = Episode(clinic, case)
    ie_day = days[0]
    episode.note(NoteKind.INITIAL_EVALUATION, ie_day, pt, Text(
        subjective=("Left shoulder pain since a rear-end collision 6 weeks ago (driver, belted); worse reaching overhead and "
                    "behind the back and lying on the left side. Pain 6/10 at worst. Works as a dental hygienist and "
                    "struggles holding the arm up during cleanings."),
        objective=("Left shoulder AROM flexion 120 deg, abduction 100 deg with a painful arc 70-110 deg, external rotation "
                   "45 deg; right side full. Neer and Hawkins-Kennedy positive on the left. External rotators 4-/5, "
                   "middle trapezius 4-/5. QuickDASH 45."),
        assessment=("Left shoulder impingement with rotator cuff weakness and scapular dyskinesis after the collision, "
                    "limiting overhead work and sleep. Good prognosis."),
        plan="PT 2x/week for 6 weeks; home program issued (pendulums, scapular squeezes, sidelying external rotation).",
        measurements=((PAIN, "Left shoulder, worst", "6"), (ROM, "L shoulder flexion", "120"),
                      (ROM, "L shoulder abduction", "100"), (STRENGTH, "L external rotators", "4-"),
                      (OTHER, "QuickDASH", "45")),
    ), Plan(("M75.42", "M25.512", "M62.81"), (
        ("short", "Sleep on the left side without waking from pain in 3 weeks", "progressing"),
        ("long", "Full pain-free left shoulder flexion, to hold instruments overhead through a workday, in 6 weeks", "progressing"),
        ("long", "QuickDASH of 15 or less in 6 weeks", "progressing"),
    ), 2, 6, "Manual therapy (97140), therapeutic exercise (97110), neuromuscular re-education (97112), home program.",
        ie_day, ie_day + timedelta(weeks=6, days=-1)))
    for i, day in enumerate(days[1:], start=1):
        episode.note(NoteKind.DAILY_NOTE, day, pt, _shoulder_daily(i, len(days) + 4))


KNEE_EXERCISE = (
    "quad sets and straight leg raises 3x10, heel slides, stationary bike 10 min, mini squats 0-45 deg 3x10",
    "bike 10 min, step-ups 4 in 3x10, leg press 0-60 deg 3x12, single-leg balance 4x30 s",
    "bike 10 min, forward step-downs 4 in 3x8, wall sits 5x30 s, lateral band walks 3 laps, tandem balance on foam",
)


def _knee_daily(i: int, n: int) -> Text:
    flexion, pain = _step(105, 128, i, n), _step(4, 1, i, n)
    return Text(
        subjective=f"Knee pain {pain}/10, swelling down in the mornings. Walking the neighborhood for 20 minutes.",
        objective=(f"Right knee AROM 0-{flexion} deg, quad lag none. Therapeutic exercise: {_pick(KNEE_EXERCISE, i)}, 30 min "
                   "(97110). Neuromuscular re-education: perturbation and single-leg balance, 10 min (97112). Ice to the "
                   "right knee after exercise, 10 min."),
        assessment="Gaining flexion and quad control per the ACL reconstruction protocol (week 6-10). No effusion after exercise.",
        plan="Continue per protocol; begin the elliptical next visit.",
        measurements=((PAIN, "Right knee", str(pain)), (ROM, "R knee flexion", str(flexion))),
    )


def knee_episode(clinic, case: Case, pt: User) -> None:
    """Self pay, five weeks: evaluation, daily notes, the Discharge Summary (the case is discharged)."""
    days = _schedule(case, clinic, 5, CAMELBACK_DAYS, ends_before=4)
    if days is None or len(days) < 6:
        return
    episode = Episode(clinic, case)
    ie_day = days[0]
    goals = (
        ("short", "Knee flexion of at least 120 degrees in 3 weeks", "progressing"),
        ("long", "Reciprocal stairs without a rail in 6 weeks", "progressing"),
        ("long", "Lower Extremity Functional Scale of 60/80 or more in 8 weeks", "progressing"),
    )
    episode.note(NoteKind.INITIAL_EVALUATION, ie_day, pt, Text(
        subjective=("Right ACL reconstruction (hamstring autograft) 5 weeks ago after a pivoting injury playing basketball; "
                    "off crutches since week 3. Pain 4/10 at worst, swelling by the evening. Self pay: can attend for "
                    "about 6 weeks and then continue on his own."),
        objective=("Right knee AROM 0-100 deg, mild effusion (stroke test 1+), quad lag 5 deg. Quadriceps 4-/5, hamstrings "
                   "4-/5 (protected). Gait: reduced knee flexion in swing. Lower Extremity Functional Scale 38/80."),
        assessment=("Post ACL reconstruction with limited flexion, quadriceps weakness and gait deviation. Progressing per "
                    "protocol; good prognosis."),
        plan="PT 2x/week for 6 weeks per the surgeon's ACL protocol, then discharge to an independent gym program.",
        measurements=((PAIN, "Right knee, worst", "4"), (ROM, "R knee flexion", "100"), (STRENGTH, "R quadriceps", "4-"),
                      (OTHER, "Lower Extremity Functional Scale", "38/80")),
    ), Plan(("S83.511D", "M25.561", "M25.661"), goals, 2, 6,
            "Therapeutic exercise (97110), neuromuscular re-education (97112), gait training (97116), home program.",
            ie_day, ie_day + timedelta(weeks=6, days=-1)))
    for i, day in enumerate(days[1:-1], start=1):  # self pay: the company's custom codes
        episode.note(NoteKind.DAILY_NOTE, day, pt, _knee_daily(i, len(days)),
                     services=(("SPTX", 45, "therapist", 0),) + ((("BRACE", 0, "therapist", 0),) if i == 1 else ()))
    episode.note(NoteKind.DISCHARGE_SUMMARY, days[-1], pt, Text(
        subjective=("Pain 1/10 after activity only. Climbs stairs reciprocally and walks 45 minutes. Ready to continue on "
                    "his own at the gym as planned."),
        objective=("Right knee AROM 0-130 deg, no effusion. Quadriceps 4+/5, hamstrings 4+/5. Single-leg squat with good "
                   "alignment to 45 deg. Lower Extremity Functional Scale 62/80."),
        assessment=("Short-term goal and stairs goal met; LEFS goal met early. Discharged to an independent program per the "
                    "plan; return-to-sport testing with the surgeon at 6 months."),
        plan="Discharge from PT. Written gym program issued (progressive strengthening and balance); call with any concerns.",
        measurements=((PAIN, "Right knee", "1"), (ROM, "R knee flexion", "130"), (STRENGTH, "R quadriceps", "4+"),
                      (OTHER, "Lower Extremity Functional Scale", "62/80")),
    ), Plan(("S83.511D", "M25.561", "M25.661"), tuple((term, goal, "met") for term, goal, _ in goals)))


WRIST_SUBJECTIVE = (
    "Wrist pain {pain}/10. Opened a jar with both hands this week; still cannot carry the laundry basket.",
    "Pain {pain}/10, stiff in the morning for about 30 minutes. Typing for an hour at work now.",
    "Pain {pain}/10. Buttoned her blouse without help; turning door handles is still awkward.",
)


def _wrist_daily(i: int, n: int) -> Text:
    pain, extension, supination = _step(4, 1, i, n), _step(40, 60, i, n), _step(55, 75, i, n)
    grip = _step(18, 34, i, n)
    return Text(
        subjective=_pick(WRIST_SUBJECTIVE, i).format(pain=pain),
        objective=(f"Right wrist extension {extension} deg, supination {supination} deg, grip {grip} lb (left 52 lb). "
                   "Paraffin to the right wrist and hand, 10 min (97018). Therapeutic exercise: AROM and AAROM wrist and "
                   "forearm, putty and gripper strengthening, 15 min (97110). Therapeutic activities: jar opening, "
                   "door handles, carrying 5 lb, 15 min (97530)."),
        assessment="Gaining motion and grip; uses the right hand in more daily tasks. Progressing toward the goals.",
        plan="Continue OT 2x/week; progress weight-bearing and carrying tasks.",
        measurements=((PAIN, "Right wrist", str(pain)), (ROM, "R wrist extension", str(extension)),
                      (ROM, "R forearm supination", str(supination)), (OTHER, "Grip R (dynamometer)", f"{grip} lb")),
    )


def wrist_episode(clinic, case: Case, ot: User) -> None:
    """Medicaid OT, about four weeks of evaluation and daily notes after a Colles' fracture."""
    days = _schedule(case, clinic, 4, OLD_TOWN_DAYS, ends_before=1)
    if days is None or len(days) < 5:
        return
    episode = Episode(clinic, case)
    ie_day = days[0]
    episode.note(NoteKind.INITIAL_EVALUATION, ie_day, ot, Text(
        subjective=("Fell on an outstretched hand 8 weeks ago: right distal radius (Colles') fracture, closed reduction and "
                    "cast for 6 weeks, cast off last week. Right-hand dominant office worker. Pain 4/10, stiffness, "
                    "cannot open jars, button, carry groceries or type for long."),
        objective=("Right wrist extension 35 deg, flexion 30 deg, supination 50 deg, pronation 70 deg. Grip 15 lb right, "
                   "52 lb left. Mild edema at the wrist (figure-eight 1.5 cm larger than left). Sensation intact. "
                   "QuickDASH 61."),
        assessment=("Post Colles' fracture with stiffness, edema and weakness of the dominant hand, limiting self-care, "
                    "home tasks and work. Good prognosis."),
        plan="OT 2x/week for 6 weeks; home program issued (AROM, edema control, putty).",
        measurements=((PAIN, "Right wrist", "4"), (ROM, "R wrist extension", "35"), (ROM, "R wrist flexion", "30"),
                      (ROM, "R forearm supination", "50"), (OTHER, "Grip R (dynamometer)", "15 lb"),
                      (OTHER, "QuickDASH", "61")),
    ), Plan(("S52.531D", "M25.631", "M25.531"), (
        ("short", "Independent with the home program and edema control in 2 weeks", "progressing"),
        ("long", "Button, open jars and carry a 10 lb grocery bag with the right hand in 6 weeks", "progressing"),
        ("long", "Type for a full workday without wrist pain in 6 weeks", "progressing"),
        ("long", "Grip strength of at least 40 lb on the right in 6 weeks", "progressing"),
    ), 2, 6, ("Paraffin (97018), therapeutic exercise (97110), therapeutic activities (97530), self-care training (97535), "
              "home program."), ie_day, ie_day + timedelta(weeks=6, days=-1)))
    for i, day in enumerate(days[1:], start=1):
        episode.note(NoteKind.DAILY_NOTE, day, ot, _wrist_daily(i, len(days) + 3))


def stroke_evaluation_draft(clinic, case: Case, ot: User) -> None:
    """An Initial Evaluation started today, not finished yet."""
    today = _last_day(case, clinic)
    if any(today < p.start_date for p in case.policies):
        return
    Episode(clinic, case).note(NoteKind.INITIAL_EVALUATION, today, ot, Text(
        subjective=("Left MCA ischemic stroke 7 weeks ago; home from inpatient rehab 2 weeks ago, lives with her husband. "
                    "Right-hand dominant. Needs help with bathing, dressing and cutting food."),
        objective=("Right upper extremity: Brunnstrom stage 4, shoulder flexion 90 deg active, grip 8 lb (left 40 lb). "
                   "Box and Block: right 18, left 52. Dressing upper body with moderate assist."),
        assessment="", plan="",
        measurements=((OTHER, "Box and Block R", "18"), (OTHER, "Grip R (dynamometer)", "8 lb")),
    ), Plan(("I69.351", "R27.8"), (
        ("long", "Dress the upper body independently with adaptive equipment in 8 weeks", "progressing"),
    ), 2, 8), then="draft")


# -- which cases --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pick:
    """The episode for the first demo case of ``therapist`` titled ``title`` with a primary insurance of
    ``insurance``, in the clinic of index ``clinic``."""

    clinic: int
    therapist: str
    title: str
    insurance: InsuranceType
    write: Callable
    helpers: tuple[str, ...] = ()  # other users' emails the episode needs


EPISODES = (
    Pick(0, "pt@demo.test", "Neck pain", InsuranceType.MEDICARE, neck_episode, ("pta@demo.test",)),
    Pick(0, "pt@demo.test", "Low back pain", InsuranceType.COMMERCIAL, back_episode),
    Pick(0, "admin@demo.test", "Left shoulder impingement", InsuranceType.AUTO, shoulder_episode),
    Pick(0, "admin@demo.test", "Right knee post-op ACL", InsuranceType.SELF_PAY, knee_episode),
    Pick(1, "ot@demo.test", "Right wrist fracture", InsuranceType.MEDICAID, wrist_episode),
    Pick(1, "ot@demo.test", "Stroke ADL retraining", InsuranceType.COMMERCIAL, stroke_evaluation_draft),
)

TYPED_SIGNATURES = {"pt@demo.test": "Daniel Okafor, PT", "admin@demo.test": "Alicia Moreno, PT", "ot@demo.test": "Priya Raman, OT"}


def _user(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == email))


def _case_for(pick: Pick, clinic, therapist: User) -> Case | None:
    return db.session.scalar(
        select(Case).join(CasePolicy, (CasePolicy.case_id == Case.id) & (CasePolicy.rank == PolicyRank.PRIMARY))
        .join(Insurance, Insurance.id == CasePolicy.insurance_id)
        .where(Case.clinic_id == clinic.id, Case.therapist_id == therapist.id, Case.title == pick.title,
               Insurance.insurance_type == pick.insurance)
        .order_by(Case.id).limit(1))


def _sign_up(therapist: User) -> None:
    """A typed signature on file for a demo therapist who signs demo notes (if none yet)."""
    typed = TYPED_SIGNATURES.get(therapist.email)
    if typed and db.session.scalar(select(ProviderSignature.id).where(ProviderSignature.user_id == therapist.id)) is None:
        db.session.add(ProviderSignature(user_id=therapist.id, kind="typed", typed_text=typed, updated_by_id=therapist.id))
        db.session.commit()


def seed_demo_notes(clinics) -> None:
    """Write the demo episodes on their cases; a case that holds any note already is skipped."""
    for pick in EPISODES:
        clinic = clinics[pick.clinic]
        therapist = _user(pick.therapist)
        helpers = [_user(email) for email in pick.helpers]
        if therapist is None or None in helpers:
            continue
        case = _case_for(pick, clinic, therapist)
        if case is None or db.session.scalar(select(Note.id).where(Note.case_id == case.id).limit(1)) is not None:
            continue
        _sign_up(therapist)
        pick.write(clinic, case, therapist, *helpers)
