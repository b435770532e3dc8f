"""
Handlers of the committee, budget and stop commands.

Each handler gets the lifecycle, the startup, the command and the lists to
file errors and warnings in (through the rulebook's severities), and returns
the events the command would add. A phase change decided with a committee or
a stop goes through :meth:`Lifecycle._advance`, so the rulebook's transitions,
gates and roles apply exactly as for :class:`betastate.Advance`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from betastate._engine.commands import (
    Advance,
    AwardFast,
    DesignateNationalImpact,
    FileRecovery,
    GrantFunds,
    HoldCommittee,
    PublishBudget,
    Spend,
    Stop,
    TakeOver,
    UpdateDossier,
)
from betastate._engine.ledger import Envelope, add_months, fold, next_period_start
from betastate._engine.state import committee_interval, ledger_of, project
from betastate._rules.gates import Violation
from betastate._values.events import (
    BudgetPublished,
    CommitteeHeld,
    Decision,
    DossierUpdated,
    Event,
    FastLaureate,
    FundsGranted,
    LiquidationDecided,
    NationalImpactDesignated,
    RecoveryFiled,
    Spent,
    TakenOver,
)
from betastate._values.money import FundingSource, Grant
from betastate._values.stopping import NATIONAL_IMPACT_CRITERIA, StopProcedure
from betastate._values.texts import phrase


if TYPE_CHECKING:
    from betastate._engine.lifecycle import Lifecycle
    from betastate._engine.state import StartupState
    from betastate._values.reasons import Reason
    from betastate._values.startup import Startup


def _permission(
    lifecycle: Lifecycle, startup: Startup, command: Any, decision: str
) -> list[Violation]:
    from betastate._engine.lifecycle import check_permission  # noqa: PLC0415  (loads this module)

    return check_permission(lifecycle.rulebook, startup, command, decision)


def _stop_target(lifecycle: Lifecycle, phase: str | None) -> str:
    """The stop status a product leaves ``phase`` for (abandon unless investigating)."""
    book = lifecycle.rulebook
    for transition in book.transitions_from(phase):
        if book.phase(transition.dest).stop and not transition.data_only:
            return transition.dest
    stops = [p.value for p in book.phases if p.stop]
    return stops[-1] if stops else "abandon"


def advance_with_records(
    lifecycle: Lifecycle,
    startup: Startup,
    command: Advance,
    errors: list[Reason],
    warnings: list[Reason],
    *,
    procedure: StopProcedure = StopProcedure.NO_IMPACT,
    dormant: bool = False,
    at_committee: bool = False,
) -> tuple[Event, ...]:
    """
    A phase change decided with a committee or a stop, through the engine's path.

    The engine checks the move (transitions, gates, deciders, N1) and records
    the stop's post-mortem or the exit plan it carries; ``at_committee`` says
    the move is carried by a committee (N1 holds).
    """
    return lifecycle._advance(  # noqa: SLF001
        startup,
        command,
        errors,
        warnings,
        procedure=procedure,
        dormant=dormant,
        at_committee=at_committee,
    )


def _period_rules(
    lifecycle: Lifecycle,
    startup: Startup,
    command: HoldCommittee | TakeOver,
    *,
    provisional: bool,
) -> tuple[int, list[Violation], list[Violation]]:
    """The period's months, with BR-03/BS-AMOUNT (errors) and BR-13 (info) findings."""
    th = lifecycle.rulebook.thresholds
    default = th.provisional_months_max if provisional else th.envelope_months
    months = command.months if command.months is not None else default
    errors: list[Violation] = []
    if months <= 0:
        errors.append(
            Violation.of(
                "BS-AMOUNT",
                "BS-AMOUNT.period",
                field="/months",
                slug=startup.slug,
                months=months,
                on=command.on,
            )
        )
        return default, errors, []
    allowed = (
        th.provisional_months_min <= months <= th.provisional_months_max
        if provisional
        else months == th.envelope_months
    )
    if not allowed and not command.override:
        expected = (
            phrase("months-range", low=th.provisional_months_min, high=th.provisional_months_max)
            if provisional
            else phrase("months", n=th.envelope_months)
        )
        kind = "provisional" if provisional else "continue"
        errors.append(
            Violation.of(
                "BR-03",
                "BR-03",
                field="/months",
                hint="pass override='why this period differs'",
                slug=startup.slug,
                kind=kind,
                on=command.on,
                months=months,
                expected=expected,
            )
        )
    if not command.grants:
        errors.append(
            Violation.of(
                "BR-01",
                "BR-01.period",
                field="/grants",
                hint="pass grants=[betastate.Grant(source='sponsor', amount=..., funder=...)]",
                slug=startup.slug,
                on=command.on,
            )
        )
    return months, errors, []


def _fast_ceiling(share: Decimal, others: Decimal) -> Decimal:
    """The most FAST may bring when others bring ``others`` (FAST <= share of the total)."""
    if share >= 1:
        return others * 1000
    return (share * others / (1 - share)).quantize(Decimal("0.01"))


def _fast_rules(
    lifecycle: Lifecycle,
    startup: Startup,
    state: StartupState,
    on: dt.date,
    *,
    envelope: Envelope | None,
    grants: Iterable[Grant],
) -> list[Violation]:
    """BR-12: FAST at most its share of the period's envelope and its edition's cap."""
    th = lifecycle.rulebook.thresholds
    grants = tuple(grants)
    fast = [g for g in grants if g.source is FundingSource.FAST]
    if not fast:
        return []
    existing = envelope.grants if envelope is not None else ()
    total = sum((g.amount for g in (*existing, *grants)), Decimal(0))
    fast_total = sum(
        (g.amount for g in (*existing, *grants) if g.source is FundingSource.FAST), Decimal(0)
    )
    violations: list[Violation] = []
    if fast_total > th.fast_cofinancing_share * total:
        share = fast_total / total
        ceiling = _fast_ceiling(th.fast_cofinancing_share, total - fast_total)
        violations.append(
            Violation.of(
                "BR-12",
                "BR-12.share",
                field="/grants",
                slug=startup.slug,
                fast=fast_total,
                total=total,
                on=on,
                share=share.quantize(Decimal("0.0001")),
                limit=th.fast_cofinancing_share,
                ceiling=ceiling,
            )
        )
    for edition in sorted({g.edition or 0 for g in fast}):
        cap = th.fast_cap_for(edition or None)
        earlier = sum(
            (
                g.amount
                for e in state.envelopes
                for g in e.grants
                if g.source is FundingSource.FAST and (g.edition or 0) == edition
            ),
            Decimal(0),
        )
        awarded = earlier + sum((g.amount for g in fast if (g.edition or 0) == edition), Decimal(0))
        if awarded > cap:
            label = f"FAST {edition}" if edition else "FAST"
            violations.append(
                Violation.of(
                    "BR-12",
                    "BR-12.cap",
                    field="/grants",
                    slug=startup.slug,
                    label=label,
                    awarded=awarded,
                    on=on,
                    cap=cap,
                    room=cap - earlier,
                    edition=edition or None,
                )
            )
    return violations


def _attendance(
    lifecycle: Lifecycle, startup: Startup, state: StartupState, command: HoldCommittee
) -> list[Violation]:
    required = list(lifecycle.rulebook.thresholds.committee_mandatory_roles)
    if state.fast_editions and "dinum" not in required:
        required.append("dinum")
    present = {actor.role for actor in command.attendees}
    missing = [role for role in required if role not in present]
    if not missing:
        return []
    return [
        Violation.of(
            "CC-ATTEND",
            "CC-ATTEND",
            field="/attendees",
            hint="attendees=[betastate.Actor(role=...), ...]",
            slug=startup.slug,
            on=command.on,
            missing=missing,
        )
    ]


def _cadence(
    lifecycle: Lifecycle, startup: Startup, state: StartupState, command: HoldCommittee
) -> list[Violation]:
    """BR-04 (gap since last committee) and BR-05 (held too close to exhaustion)."""
    book = lifecycle.rulebook
    violations: list[Violation] = []
    last = state.last_committee
    months = committee_interval(book, state.phase)
    if last is not None and months is not None and command.on > add_months(last.on, months):
        violations.append(
            Violation.of(
                "BR-04",
                "BR-04",
                field="/on",
                hint="schedule the next committee with next_on=...",
                slug=startup.slug,
                days=(command.on - last.on).days,
                last=last.on,
                months=months,
                due=add_months(last.on, months),
            )
        )
    envelope = state.envelope
    if envelope is not None and command.decision is not Decision.STOP:
        exhaustion = envelope.exhaustion(command.on)
        upcoming = any(e.start > command.on for e in state.envelopes)
        notice = (exhaustion - command.on).days
        minimum = book.thresholds.exhaustion_notice_days_min
        if not upcoming and notice < minimum:
            violations.append(
                Violation.of(
                    "BR-05",
                    "BR-05.exhaustion",
                    field="/on",
                    slug=startup.slug,
                    on=command.on,
                    days=notice,
                    exhaustion=exhaustion,
                    minimum=minimum,
                    target=book.thresholds.exhaustion_notice_days_target,
                )
            )
    return violations


def _impact_trend(
    lifecycle: Lifecycle, startup: Startup, state: StartupState, command: HoldCommittee
) -> list[Violation]:
    """BR-10 (cost per use/impact must improve) and BR-11 (first readings in 18 months)."""
    violations: list[Violation] = []
    reading = command.impact
    previous = next(
        (
            e.impact
            for e in reversed(state.events)
            if isinstance(e, CommitteeHeld) and e.impact is not None
        ),
        None,
    )
    if reading is not None and previous is not None:
        for name in ("cost_per_use", "cost_per_impact"):
            now, before = getattr(reading, name), getattr(previous, name)
            if now is not None and before is not None and now > before:
                violations.append(
                    Violation.of(
                        "BR-10",
                        "BR-10",
                        field=f"/impact/{name}",
                        slug=startup.slug,
                        measure=phrase(name.replace("_", "-")),
                        before=before,
                        now=now,
                        on=command.on,
                    )
                )
    if reading is None and previous is None and state.spans:
        months = lifecycle.rulebook.thresholds.impact_first_values_months
        deadline = add_months(state.spans[0].start, months)
        if command.on >= deadline:
            violations.append(
                Violation.of(
                    "BR-11",
                    "BR-11",
                    field="/impact",
                    hint="report impact=betastate.ImpactReading(...)",
                    slug=startup.slug,
                    months=months,
                    start=state.spans[0].start,
                )
            )
    return violations


def _budget_publication(
    lifecycle: Lifecycle, startup: Startup, state: StartupState, command: HoldCommittee
) -> list[Violation]:
    """BR-14: from construction on, a committee finds a recent budget publication."""
    book = lifecycle.rulebook
    phase = state.phase
    if phase is None or book.rank(phase) < book.rank("construction") or book.phase(phase).terminal:
        return []
    months = book.thresholds.budget_publication_months
    published = state.budget_published
    if published is not None and command.on <= add_months(published, months):
        return []
    seen = phrase("never") if published is None else phrase("last-on", on=published)
    return [
        Violation.of(
            "BR-14",
            "BR-14",
            field=None,
            hint="record betastate.PublishBudget(on=..., url=...)",
            slug=startup.slug,
            on=command.on,
            seen=seen,
            published=published,
        )
    ]


def handle_publication(
    lifecycle: Lifecycle,
    startup: Startup,
    command: PublishBudget,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """PublishBudget: the budget page was updated (BR-14)."""
    lifecycle.file(_permission(lifecycle, startup, command, "publish-budget"), errors, warnings)
    return (
        BudgetPublished(on=command.on, url=command.url, comment=command.comment, by=command.by),
    )


def handle_committee(
    lifecycle: Lifecycle,
    startup: Startup,
    command: HoldCommittee,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """HoldCommittee: the decision, its period and envelope, and its phase change."""
    book = lifecycle.rulebook
    state = project(startup, book, command.on)
    decision = command.decision
    violations = _permission(lifecycle, startup, command, decision.value)
    violations += _attendance(lifecycle, startup, state, command)
    violations += _cadence(lifecycle, startup, state, command)
    violations += _impact_trend(lifecycle, startup, state, command)
    violations += _budget_publication(lifecycle, startup, state, command)
    change = command.phase_change
    stop_change = change is not None and book.has_phase(change) and book.phase(change).stop
    if (decision is Decision.STOP) != stop_change and change is not None:
        violations.append(
            Violation.of(
                "BR-06",
                "BR-06.change",
                field="/phase_change",
                slug=startup.slug,
                on=command.on,
                decision=decision.value,
                target=change,
            )
        )
    period_start = period_end = None
    if decision is not Decision.STOP:
        if state.funding_ended:
            violations.append(
                Violation.of(
                    "BR-09",
                    "BR-09.envelope",
                    field="/decision",
                    hint="record betastate.TakeOver(...) by a new sponsor first",
                    slug=startup.slug,
                    decision=decision.value,
                    on=command.on,
                )
            )
        provisional = decision is Decision.PROVISIONAL
        months, period_errors, _ = _period_rules(
            lifecycle, startup, command, provisional=provisional
        )
        violations += period_errors
        period_start = next_period_start(state.ledger, command.on)
        period_end = add_months(period_start, months)
        violations += _fast_rules(
            lifecycle, startup, state, command.on, envelope=None, grants=command.grants
        )
        violations += _schedule(lifecycle, startup, command, period_end, provisional=provisional)
        if period_start.year != (period_end - dt.timedelta(days=1)).year:
            violations.append(
                Violation.of(
                    "BR-13",
                    "BR-13",
                    field="/months",
                    slug=startup.slug,
                    start=period_start,
                    end=period_end,
                )
            )
    elif command.procedure is StopProcedure.NO_BUDGET and (
        command.safeguard_until is None or command.safeguard_until <= command.on
    ):
        violations.append(
            Violation.of(
                "ST-SAFEGUARD",
                "ST-SAFEGUARD.deadline",
                field="/safeguard_until",
                hint="pass safeguard_until=...",
                slug=startup.slug,
                on=command.on,
            )
        )
    lifecycle.file(violations, errors, warnings)
    liquidation = decision is Decision.STOP and command.procedure is StopProcedure.NO_BUDGET
    target = change
    if decision is Decision.STOP and not liquidation:
        target = change or _stop_target(lifecycle, state.phase)
    events: list[Event] = [
        CommitteeHeld(
            on=command.on,
            decision=decision,
            phase_change=target,
            attendees=command.attendees,
            objectives=command.objectives,
            impact=command.impact,
            documents=command.documents,
            comment=command.comment,
            by=command.by,
            period_start=period_start,
            period_end=period_end,
            grants=command.grants if decision is not Decision.STOP else (),
            override=command.override,
            next_on=command.next_on,
        )
    ]
    if liquidation:
        if change is not None:
            lifecycle.file(
                [
                    Violation.of(
                        "BR-06",
                        "BR-06.liquidation",
                        field="/phase_change",
                        hint="drop phase_change; stop later with betastate.Stop(dormant=True)",
                        slug=startup.slug,
                        on=command.on,
                        target=change,
                    )
                ],
                errors,
                warnings,
            )
        events.append(
            LiquidationDecided(
                on=command.on,
                safeguard_until=command.safeguard_until or command.on,
                comment=command.comment,
                by=command.by,
            )
        )
        return tuple(events)
    if target is not None:
        advance = Advance(
            on=command.on,
            to=target,
            by=command.by,
            comment=command.comment,
            sponsor_budget_line=command.sponsor_budget_line,
            post_mortem=command.post_mortem,
            exit_plan=command.exit_plan,
            criteria=command.criteria,
            # Who sat at the committee decides with its decider (a joint move).
            co_deciders=command.attendees,
        )
        events.extend(
            advance_with_records(
                lifecycle,
                startup,
                advance,
                errors,
                warnings,
                procedure=command.procedure,
                at_committee=True,
            )
        )
    return tuple(events)


def _schedule(
    lifecycle: Lifecycle,
    startup: Startup,
    command: HoldCommittee,
    period_end: dt.date,
    *,
    provisional: bool,
) -> list[Violation]:
    """BR-07 (provisional: next committee before the end) and BR-05 (scheduled too late)."""
    th = lifecycle.rulebook.thresholds
    next_on = command.next_on
    if provisional and (next_on is None or not command.on <= next_on < period_end):
        seen = (
            phrase("no-next-committee")
            if next_on is None
            else phrase("next-committee-on", on=next_on)
        )
        return [
            Violation.of(
                "BR-07",
                "BR-07",
                field="/next_on",
                hint="pass next_on= a date before the envelope ends",
                slug=startup.slug,
                end=period_end,
                seen=seen,
            )
        ]
    notice = dt.timedelta(days=th.exhaustion_notice_days_min)
    target = dt.timedelta(days=th.exhaustion_notice_days_target)
    if next_on is not None and next_on > period_end - notice:
        return [
            Violation.of(
                "BR-05",
                "BR-05.scheduled",
                field="/next_on",
                slug=startup.slug,
                next_on=next_on,
                days=(period_end - next_on).days,
                end=period_end,
                by=period_end - target,
                target=th.exhaustion_notice_days_target,
                latest=period_end - notice,
            )
        ]
    return []


def _grant_target(state: StartupState, on: dt.date) -> Envelope | None:
    ledger = state.ledger
    return ledger.covering(on) or ledger.upcoming(on)


def _grant_events(
    lifecycle: Lifecycle,
    startup: Startup,
    state: StartupState,
    command: GrantFunds | AwardFast,
    grants: tuple[Grant, ...],
) -> tuple[list[Violation], tuple[Event, ...]]:
    violations: list[Violation] = []
    if state.funding_ended:
        violations.append(
            Violation.of(
                "BR-09",
                "BR-09.grant",
                field="/grants",
                hint="record betastate.TakeOver(...) by a new sponsor first",
                slug=startup.slug,
                on=command.on,
            )
        )
    target = _grant_target(state, command.on)
    if target is None:
        violations.append(
            Violation.of(
                "BR-01",
                "BR-01.grant",
                field="/grants",
                hint="open one with betastate.HoldCommittee(decision='continue', grants=[...])",
                slug=startup.slug,
                on=command.on,
                amount=sum((g.amount for g in grants), Decimal(0)),
            )
        )
    violations += _fast_rules(lifecycle, startup, state, command.on, envelope=target, grants=grants)
    event = FundsGranted(
        on=command.on,
        grants=grants,
        period_start=target.start if target is not None else None,
        comment=command.comment,
        by=command.by,
    )
    return violations, (event,)


def handle_grant(
    lifecycle: Lifecycle,
    startup: Startup,
    command: GrantFunds,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """GrantFunds: money added to the current or next envelope."""
    state = project(startup, lifecycle.rulebook, command.on)
    decision = "fast" if any(g.source is FundingSource.FAST for g in command.grants) else "grant"
    violations = _permission(lifecycle, startup, command, decision)
    if not command.grants:
        violations.append(
            Violation.of(
                "BS-AMOUNT",
                "BS-AMOUNT.grants",
                field="/grants",
                hint="pass at least one betastate.Grant",
                slug=startup.slug,
                on=command.on,
            )
        )
    more, events = _grant_events(lifecycle, startup, state, command, command.grants)
    lifecycle.file(violations + more, errors, warnings)
    return events


def handle_fast(
    lifecycle: Lifecycle,
    startup: Startup,
    command: AwardFast,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """AwardFast: the laureate event and its co-financing (BR-12)."""
    state = project(startup, lifecycle.rulebook, command.on)
    violations = _permission(lifecycle, startup, command, "fast")
    if state.phase != "acceleration":
        violations.append(
            Violation.of(
                "FAST-PHASE",
                "FAST-PHASE",
                field="/edition",
                slug=startup.slug,
                edition=command.edition,
                on=command.on,
                phase=state.phase or phrase("no-phase"),
            )
        )
    events: tuple[Event, ...] = (
        FastLaureate(
            on=command.on,
            edition=command.edition,
            amount=command.cofinancing,
            comment=command.comment,
            by=command.by,
        ),
    )
    if command.cofinancing > 0:
        grant = Grant(
            source=FundingSource.FAST,
            amount=command.cofinancing,
            funder="/organisations/dinum",
            edition=command.edition,
            label=f"FAST {command.edition}",
        )
        more, granted = _grant_events(lifecycle, startup, state, command, (grant,))
        violations += more
        events += granted
    lifecycle.file(violations, errors, warnings)
    return events


def handle_spend(
    lifecycle: Lifecycle,
    startup: Startup,
    command: Spend,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """Spend: charged to the envelope of its date, never beyond it (BR-01, BR-02)."""
    # Only the ledger matters here (the hot path of a back-office): the cached one when
    # the command is in order, else a fold of what was known on its date.
    last = startup.last_event_date
    ledger = (
        ledger_of(startup)
        if last is None or command.on >= last
        else fold(e for e in startup.in_force if e.on <= command.on)
    )
    violations = _permission(lifecycle, startup, command, "spend")
    envelope = ledger.covering(command.on)
    if envelope is None:
        violations.append(
            Violation.of(
                "BR-01",
                "BR-01.spend",
                field="/on",
                slug=startup.slug,
                on=command.on,
                amount=command.amount,
                label=command.label or phrase("no-label"),
            )
        )
    elif command.amount > envelope.remaining:
        violations.append(
            Violation.of(
                "BR-02",
                "BR-02",
                field="/amount",
                hint="have more granted first with betastate.GrantFunds",
                slug=startup.slug,
                amount=command.amount,
                on=command.on,
                label=command.label or phrase("no-label"),
                start=envelope.start,
                end=envelope.end,
                remaining=envelope.remaining,
                granted=envelope.granted,
            )
        )
    lifecycle.file(violations, errors, warnings)
    return (
        Spent(
            on=command.on,
            amount=command.amount,
            label=command.label,
            comment=command.comment,
            by=command.by,
        ),
    )


def handle_recovery(
    lifecycle: Lifecycle,
    startup: Startup,
    command: FileRecovery,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """FileRecovery: the funding file of the safeguard period (§8.2 B step 3)."""
    state = project(startup, lifecycle.rulebook, command.on)
    violations = _permission(lifecycle, startup, command, "recovery")
    if state.stop_stage not in {"safeguard", "recovery"}:
        violations.append(
            Violation.of(
                "ST-SAFEGUARD",
                "ST-SAFEGUARD.recovery",
                field=None,
                hint="HoldCommittee(decision='stop', procedure='no-budget', safeguard_until=...)",
                slug=startup.slug,
                on=command.on,
            )
        )
    lifecycle.file(violations, errors, warnings)
    return (
        RecoveryFiled(
            on=command.on, approached=command.approached, comment=command.comment, by=command.by
        ),
    )


def _phase_before_stop(lifecycle: Lifecycle, state: StartupState) -> str | None:
    """The last non-stop phase, which a dormant product resumes."""
    book = lifecycle.rulebook
    for span in reversed(state.spans):
        if book.has_phase(span.phase) and not book.phase(span.phase).stop:
            return span.phase
    return None


def handle_takeover(
    lifecycle: Lifecycle,
    startup: Startup,
    command: TakeOver,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """TakeOver: a new sponsor, a new envelope; a dormant product resumes its phase."""
    state = project(startup, lifecycle.rulebook, command.on)
    violations = _permission(lifecycle, startup, command, "takeover")
    stage = state.stop_stage
    if stage not in {"safeguard", "recovery", "dormant"}:
        rule = "N6" if stage == "stopped" else "ST-TAKEOVER"
        violations.append(
            Violation.of(
                rule,
                "ST-TAKEOVER",
                field=None,
                hint="a takeover follows HoldCommittee(decision='stop', procedure='no-budget') "
                "or Stop(dormant=True)",
                slug=startup.slug,
                on=command.on,
                why=phrase(
                    "stopped-for-good" if stage == "stopped" else "no-liquidation-or-dormancy"
                ),
            )
        )
    resumes = _phase_before_stop(lifecycle, state) if stage == "dormant" else None
    if stage == "dormant" and state.dossier_missing:
        violations.append(
            Violation.of(
                "ST-DOSSIER",
                "ST-DOSSIER.takeover",
                field=None,
                hint="complete them with betastate.UpdateDossier(done=[...])",
                slug=startup.slug,
                on=command.on,
                count=len(state.dossier_missing),
                missing=state.dossier_missing,
            )
        )
    months, period_errors, _ = _period_rules(lifecycle, startup, command, provisional=False)
    violations += period_errors
    lifecycle.file(violations, errors, warnings)
    return (
        TakenOver(
            on=command.on,
            sponsor=command.sponsor,
            resumes=resumes,
            period_start=command.on,
            period_end=add_months(command.on, months),
            grants=command.grants,
            override=command.override,
            comment=command.comment,
            by=command.by,
        ),
    )


def handle_stop(
    lifecycle: Lifecycle,
    startup: Startup,
    command: Stop,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """Stop: to the stop status with its post-mortem; dormancy ends a liquidation."""
    state = project(startup, lifecycle.rulebook, command.on)
    # A stop outside a committee is decided by its transition's deciders (the
    # host shuts down a transferred service, T18); a committee's stop needs `stop`.
    violations: list[Violation] = []
    in_liquidation = state.stop_stage in {"safeguard", "recovery"}
    if command.dormant and not in_liquidation:
        violations.append(
            Violation.of(
                "ST-DORMANT",
                "ST-DORMANT",
                field="/dormant",
                slug=startup.slug,
                on=command.on,
            )
        )
    if command.dormant and state.dossier_missing:
        violations.append(
            Violation.of(
                "ST-DOSSIER",
                "ST-DOSSIER.dormant",
                field="/dormant",
                hint="complete them with betastate.UpdateDossier(done=[...])",
                slug=startup.slug,
                on=command.on,
                count=len(state.dossier_missing),
                missing=state.dossier_missing,
            )
        )
    lifecycle.file(violations, errors, warnings)
    advance = Advance(
        on=command.on,
        to=_stop_target(lifecycle, state.phase),
        by=command.by,
        comment=command.comment,
        post_mortem=command.post_mortem,
    )
    return advance_with_records(
        lifecycle,
        startup,
        advance,
        errors,
        warnings,
        procedure=StopProcedure.NO_BUDGET if in_liquidation else StopProcedure.NO_IMPACT,
        dormant=command.dormant,
        # The end of a no-budget procedure: the committee decided it (liquidation).
        at_committee=in_liquidation,
    )


def handle_dossier(
    lifecycle: Lifecycle,
    startup: Startup,
    command: UpdateDossier,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """UpdateDossier: tick takeover dossier items (§8.5)."""
    lifecycle.file(_permission(lifecycle, startup, command, "dossier"), errors, warnings)
    return (
        DossierUpdated(on=command.on, done=command.done, comment=command.comment, by=command.by),
    )


def handle_national_impact(
    lifecycle: Lifecycle,
    startup: Startup,
    command: DesignateNationalImpact,
    errors: list[Reason],
    warnings: list[Reason],
) -> tuple[Event, ...]:
    """DesignateNationalImpact: all three criteria, once, from acceleration on (§10.2)."""
    book = lifecycle.rulebook
    state = project(startup, book, command.on)
    violations = _permission(lifecycle, startup, command, "national-impact")
    missing = [c for c in NATIONAL_IMPACT_CRITERIA if c not in command.criteria]
    if missing:
        violations.append(
            Violation.of(
                "NI-CRITERIA",
                "NI-CRITERIA",
                field="/criteria",
                hint=f"criteria={list(NATIONAL_IMPACT_CRITERIA)!r}",
                slug=startup.slug,
                on=command.on,
                missing=missing,
                criteria=list(NATIONAL_IMPACT_CRITERIA),
            )
        )
    if state.national_impact is not None:
        violations.append(
            Violation.of(
                "NI-ONCE", "NI-ONCE", field=None, slug=startup.slug, earlier=state.national_impact
            )
        )
    phase = state.phase
    if phase is None or book.rank(phase) < book.rank("acceleration") or book.phase(phase).stop:
        violations.append(
            Violation.of(
                "NI-PHASE",
                "NI-PHASE",
                field=None,
                slug=startup.slug,
                on=command.on,
                phase=phase or phrase("no-phase"),
            )
        )
    lifecycle.file(violations, errors, warnings)
    return (
        NationalImpactDesignated(
            on=command.on, criteria=command.criteria, comment=command.comment, by=command.by
        ),
    )


Handler = Callable[..., tuple[Event, ...]]

HANDLERS: dict[type, Handler] = {
    HoldCommittee: handle_committee,
    GrantFunds: handle_grant,
    AwardFast: handle_fast,
    Spend: handle_spend,
    FileRecovery: handle_recovery,
    TakeOver: handle_takeover,
    Stop: handle_stop,
    UpdateDossier: handle_dossier,
    DesignateNationalImpact: handle_national_impact,
    PublishBudget: handle_publication,
}
"""Command type → handler, merged into the engine's table."""
