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


if TYPE_CHECKING:
    from betastate._engine.lifecycle import Lifecycle
    from betastate._engine.state import StartupState
    from betastate._values.reasons import Reason
    from betastate._values.startup import Startup


def _euros(amount: Decimal) -> str:
    return f"{amount:,} €"


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
    day = command.on.isoformat()
    errors: list[Violation] = []
    if months <= 0:
        errors.append(
            Violation(
                "BS-AMOUNT",
                f"{startup.slug!r}: a period of {months} months on {day} is empty.",
                "grant at least one month.",
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
            f"{th.provisional_months_min} to {th.provisional_months_max} months"
            if provisional
            else f"{th.envelope_months} months"
        )
        kind = "provisional" if provisional else "continue"
        errors.append(
            Violation(
                "BR-03",
                f"{startup.slug!r}: a {kind} decision on {day} grants {months} months; "
                f"the rulebook's period is {expected}.",
                f"grant {expected}, or pass override='why this period differs'.",
            )
        )
    if not command.grants:
        errors.append(
            Violation(
                "BR-01",
                f"{startup.slug!r}: the decision on {day} opens a period with no money.",
                "pass grants=[betastate.Grant(source='sponsor', amount=..., funder=...)].",
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
    day = on.isoformat()
    if fast_total > th.fast_cofinancing_share * total:
        share = fast_total / total
        ceiling = _fast_ceiling(th.fast_cofinancing_share, total - fast_total)
        violations.append(
            Violation(
                "BR-12",
                f"{startup.slug!r}: FAST would co-finance {_euros(fast_total)} of a "
                f"{_euros(total)} envelope on {day} ({share:.0%}), above the FAST share of "
                f"{th.fast_cofinancing_share:.0%}.",
                f"keep FAST at most {_euros(ceiling)} for this envelope, "
                "or have the sponsor grant more.",
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
                Violation(
                    "BR-12",
                    f"{startup.slug!r}: {label} co-financing would reach {_euros(awarded)} on "
                    f"{day}, above the edition's cap of {_euros(cap)}.",
                    f"co-finance at most {_euros(cap - earlier)} more from {label}.",
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
        Violation(
            "CC-ATTEND",
            f"{startup.slug!r}: the committee on {command.on.isoformat()} lacks mandatory "
            f"attendees: {', '.join(missing)}.",
            "invite them and list them in attendees=[betastate.Actor(role=...), ...].",
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
    day = command.on.isoformat()
    if last is not None and months is not None and command.on > add_months(last.on, months):
        violations.append(
            Violation(
                "BR-04",
                f"{startup.slug!r}: {(command.on - last.on).days} days since the committee of "
                f"{last.on.isoformat()}; the rulebook asks for one at least every "
                f"{months} months (due {add_months(last.on, months).isoformat()}).",
                "schedule the next committee within the period (next_on=...).",
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
                Violation(
                    "BR-05",
                    f"{startup.slug!r}: the committee on {day} is {notice} days before the "
                    f"envelope is projected to run out ({exhaustion.isoformat()}); "
                    f"it should be at least {minimum} days before.",
                    f"hold it {book.thresholds.exhaustion_notice_days_target} days before "
                    "exhaustion, so orders can be placed in time.",
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
                    Violation(
                        "BR-10",
                        f"{startup.slug!r}: {name.replace('_', ' ')} rose from {before} € to "
                        f"{now} € at the committee on {command.on.isoformat()}.",
                        "bring the cost per unit of impact down before the next committee "
                        "(more users, or a smaller envelope).",
                    )
                )
    if reading is None and previous is None and state.spans:
        months = lifecycle.rulebook.thresholds.impact_first_values_months
        deadline = add_months(state.spans[0].start, months)
        if command.on >= deadline:
            violations.append(
                Violation(
                    "BR-11",
                    f"{startup.slug!r}: no impact-matrix reading {months} months after its "
                    f"start ({state.spans[0].start.isoformat()}).",
                    "report impact=betastate.ImpactReading(...) at this committee.",
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
    seen = "never" if published is None else f"last on {published.isoformat()}"
    return [
        Violation(
            "BR-14",
            f"{startup.slug!r}: at the committee on {command.on.isoformat()} the budget was "
            f"published {seen}; it is published twice a year (January and June).",
            "publish it and record betastate.PublishBudget(on=..., url=...).",
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
    day = command.on.isoformat()
    violations = _permission(lifecycle, startup, command, decision.value)
    violations += _attendance(lifecycle, startup, state, command)
    violations += _cadence(lifecycle, startup, state, command)
    violations += _impact_trend(lifecycle, startup, state, command)
    violations += _budget_publication(lifecycle, startup, state, command)
    change = command.phase_change
    stop_change = change is not None and book.has_phase(change) and book.phase(change).stop
    if (decision is Decision.STOP) != stop_change and change is not None:
        violations.append(
            Violation(
                "BR-06",
                f"{startup.slug!r}: the committee on {day} decides {decision.value} "
                f"but also a move to {change}.",
                "take one decision: stop (the stop status is implied) or continue/"
                "provisional with a non-stop phase change.",
            )
        )
    period_start = period_end = None
    if decision is not Decision.STOP:
        if state.funding_ended:
            violations.append(
                Violation(
                    "BR-09",
                    f"{startup.slug!r}: a {decision.value} envelope on {day} after the stop "
                    "decision that ended its funding.",
                    "record a takeover by a new sponsor first (betastate.TakeOver).",
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
                Violation(
                    "BR-13",
                    f"{startup.slug!r}: the period {period_start.isoformat()} → "
                    f"{period_end.isoformat()} crosses 31 December.",
                    "commit (AE) before ~15 December and pay (CP) before ~30 November, "
                    "or split the envelope by year.",
                )
            )
    elif command.procedure is StopProcedure.NO_BUDGET and (
        command.safeguard_until is None or command.safeguard_until <= command.on
    ):
        violations.append(
            Violation(
                "ST-SAFEGUARD",
                f"{startup.slug!r}: the liquidation decided on {day} has no safeguard "
                "deadline after it.",
                "pass safeguard_until= the date by which a new sponsor must be found.",
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
                    Violation(
                        "BR-06",
                        f"{startup.slug!r}: a liquidation on {day} keeps the product in its "
                        f"phase; it cannot also move to {change}.",
                        "drop phase_change; stop later with betastate.Stop(dormant=True).",
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
    end = period_end.isoformat()
    if provisional and (next_on is None or not command.on <= next_on < period_end):
        seen = "no next committee" if next_on is None else f"the next committee on {next_on}"
        return [
            Violation(
                "BR-07",
                f"{startup.slug!r}: a provisional envelope ending {end} with {seen}.",
                f"schedule the follow-up committee before {end} (next_on=...).",
            )
        ]
    notice = dt.timedelta(days=th.exhaustion_notice_days_min)
    target = dt.timedelta(days=th.exhaustion_notice_days_target)
    if next_on is not None and next_on > period_end - notice:
        return [
            Violation(
                "BR-05",
                f"{startup.slug!r}: the next committee is scheduled on {next_on.isoformat()}, "
                f"{(period_end - next_on).days} days before the envelope ends ({end}).",
                f"schedule it by {(period_end - target).isoformat()} "
                f"({th.exhaustion_notice_days_target} days before), "
                f"{(period_end - notice).isoformat()} at the latest.",
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
    day = command.on.isoformat()
    violations: list[Violation] = []
    if state.funding_ended:
        violations.append(
            Violation(
                "BR-09",
                f"{startup.slug!r}: new money on {day} after the stop decision that ended "
                "its funding.",
                "record a takeover by a new sponsor first (betastate.TakeOver).",
            )
        )
    target = _grant_target(state, command.on)
    if target is None:
        violations.append(
            Violation(
                "BR-01",
                f"{startup.slug!r}: no envelope period covers {day} to add "
                f"{_euros(sum((g.amount for g in grants), Decimal(0)))} to.",
                "open one with betastate.HoldCommittee(decision='continue', grants=[...]).",
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
            Violation(
                "BS-AMOUNT",
                f"{startup.slug!r}: GrantFunds on {command.on.isoformat()} grants nothing.",
                "pass at least one betastate.Grant.",
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
            Violation(
                "FAST-PHASE",
                f"{startup.slug!r} wins FAST {command.edition} on {command.on.isoformat()} "
                f"while in {state.phase}.",
                "FAST selects products in acceleration; check the phase is recorded.",
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
        else fold(e for e in startup.history if e.on <= command.on)
    )
    violations = _permission(lifecycle, startup, command, "spend")
    envelope = ledger.covering(command.on)
    day = command.on.isoformat()
    if envelope is None:
        violations.append(
            Violation(
                "BR-01",
                f"{startup.slug!r}: no envelope covers {day} to charge "
                f"{_euros(command.amount)} ({command.label or 'no label'}) to.",
                "spend within a period a committee funded, or hold one first.",
            )
        )
    elif command.amount > envelope.remaining:
        violations.append(
            Violation(
                "BR-02",
                f"{startup.slug!r}: spending {_euros(command.amount)} on {day} "
                f"({command.label or 'no label'}) exceeds what is left of the "
                f"{envelope.start.isoformat()} → {envelope.end.isoformat()} envelope: "
                f"{_euros(envelope.remaining)} of {_euros(envelope.granted)}.",
                f"spend at most {_euros(envelope.remaining)}, or have more granted first "
                "(betastate.GrantFunds).",
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
            Violation(
                "ST-SAFEGUARD",
                f"{startup.slug!r}: a recovery file on {command.on.isoformat()} without a "
                "liquidation decision in force.",
                "decide the liquidation first: HoldCommittee(decision='stop', "
                "procedure='no-budget', safeguard_until=...).",
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
    day = command.on.isoformat()
    violations = _permission(lifecycle, startup, command, "takeover")
    stage = state.stop_stage
    if stage not in {"safeguard", "recovery", "dormant"}:
        rule = "N6" if stage == "stopped" else "ST-TAKEOVER"
        violations.append(
            Violation(
                rule,
                f"{startup.slug!r}: nothing to take over on {day} "
                f"({'stopped for good' if stage == 'stopped' else 'no liquidation or dormancy'}).",
                "a takeover follows a no-budget liquidation (HoldCommittee(decision='stop', "
                "procedure='no-budget')) or a dormancy (Stop(dormant=True)).",
            )
        )
    resumes = _phase_before_stop(lifecycle, state) if stage == "dormant" else None
    if stage == "dormant" and state.dossier_missing:
        violations.append(
            Violation(
                "ST-DOSSIER",
                f"{startup.slug!r} is taken over on {day} with {len(state.dossier_missing)} "
                f"takeover dossier items missing: {', '.join(state.dossier_missing)}.",
                "complete them with betastate.UpdateDossier(done=[...]).",
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
            Violation(
                "ST-DORMANT",
                f"{startup.slug!r}: dormancy on {command.on.isoformat()} without a "
                "liquidation decision (no-budget procedure) before it.",
                "decide the liquidation at a committee first, or stop without dormant=True.",
            )
        )
    if command.dormant and state.dossier_missing:
        violations.append(
            Violation(
                "ST-DOSSIER",
                f"{startup.slug!r} goes dormant on {command.on.isoformat()} with "
                f"{len(state.dossier_missing)} takeover dossier items missing: "
                f"{', '.join(state.dossier_missing)}.",
                "complete them with betastate.UpdateDossier(done=[...]).",
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
    day = command.on.isoformat()
    violations = _permission(lifecycle, startup, command, "national-impact")
    missing = [c for c in NATIONAL_IMPACT_CRITERIA if c not in command.criteria]
    if missing:
        violations.append(
            Violation(
                "NI-CRITERIA",
                f"{startup.slug!r}: national impact on {day} without {', '.join(missing)}.",
                f"document every criterion: criteria={list(NATIONAL_IMPACT_CRITERIA)!r}.",
            )
        )
    if state.national_impact is not None:
        violations.append(
            Violation(
                "NI-ONCE",
                f"{startup.slug!r} was already designated on {state.national_impact.isoformat()}.",
                "keep the first designation.",
            )
        )
    phase = state.phase
    if phase is None or book.rank(phase) < book.rank("acceleration") or book.phase(phase).stop:
        violations.append(
            Violation(
                "NI-PHASE",
                f"{startup.slug!r} is designated national-impact on {day} while in {phase}.",
                "national impact is expected from acceleration onwards.",
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
