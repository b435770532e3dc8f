"""betastate.audit: the rulebook's rules on a recorded history."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import pairwise

from hypothesis import given
from hypothesis import strategies as st

import betastate
from betastate import CommitteeHeld, PhaseEntered, Severity, Startup

from .journal_contract import long_script, replayed


BOOK = betastate.rulebook()
MOVE_RULES = {"BS-MOVE", "N4", "N6", "N8", "BS-PHASE"}


def startup(*events: betastate.Event) -> Startup:
    return Startup(slug="essai", title="Essai", history=sorted(events, key=lambda e: e.on))


def entries(phases: list[str], start: dt.date, gaps: list[int]) -> list[PhaseEntered]:
    days = [start]
    for gap in gaps:
        days.append(days[-1] + dt.timedelta(days=gap))
    return [PhaseEntered(on=day, phase=phase) for phase, day in zip(phases, days, strict=False)]


@st.composite
def allowed_paths(draw: st.DrawFn) -> list[str]:
    """A walk along the rulebook's regular (not data-only, not internal) transitions."""
    path = ["investigation"]
    while True:
        options = [
            t.dest
            for t in BOOK.transitions_from(path[-1])
            if not t.data_only and not t.internal and t.dest not in path
        ]
        if not options or draw(st.booleans()):
            return path
        path.append(draw(st.sampled_from(options)))


class TestMoves:
    """Moves are checked against the rulebook's transitions, in tie-rule order."""

    @given(path=allowed_paths(), gaps=st.lists(st.integers(1, 400), min_size=8, max_size=8))
    def test_allowed_paths_pass(self, path: list[str], gaps: list[int]) -> None:
        """A history following the regular transitions breaks no move rule."""
        found = betastate.audit(startup(*entries(path, dt.date(2020, 1, 6), gaps)))

        assert set() == {f.code for f in found} & MOVE_RULES

    @given(
        phases=st.lists(st.sampled_from(BOOK.phase_values), min_size=1, max_size=5, unique=True),
        gaps=st.lists(st.integers(1, 400), min_size=5, max_size=5),
    )
    def test_each_move_judged(self, phases: list[str], gaps: list[int]) -> None:
        """Each move: BS-MOVE if absent, N8 if data-only, N6 if it leaves a stop."""
        history = entries(phases, dt.date(2019, 3, 4), gaps)
        expected = set()
        if BOOK.transition(None, phases[0]) is None:
            expected.add(("BS-MOVE", (history[0].on,)))
        for before, after in pairwise(history):
            pair = (before.on, after.on)
            if BOOK.phase(before.phase).stop:
                expected.add(("N6", pair))
            transition = BOOK.transition(before.phase, after.phase)
            if transition is None:
                expected.add(("BS-MOVE", pair))
            elif transition.data_only:
                expected.add(("N8", pair))

        found = betastate.audit(startup(*history))

        assert expected == {(f.code, f.dates) for f in found if f.code in MOVE_RULES}

    def test_same_day_tie(self) -> None:
        """construction then investigation on one day reads as investigation → construction."""
        day = dt.date(2018, 1, 1)
        history = [
            PhaseEntered(on=day, phase="construction"),
            PhaseEntered(on=day, phase="investigation"),
        ]

        assert set() == {f.code for f in betastate.audit(startup(*history))} & MOVE_RULES

    def test_unknown_phase(self) -> None:
        """An unknown phase breaks BS-PHASE and is left out of the moves."""
        found = betastate.audit(
            startup(
                *entries(
                    ["investigation", "hibernation", "construction"], dt.date(2024, 1, 1), [30, 30]
                )
            )
        )

        assert ["BS-PHASE"] == [f.code for f in found if f.code in MOVE_RULES]


class TestDurations:
    """DUR-MAX compares each span with the phase's maximum."""

    def test_ended_and_running(self) -> None:
        """An ended span over its maximum is reported; a running one only with ``on``."""
        history = entries(["investigation", "construction"], dt.date(2020, 1, 6), [100])
        started = startup(*history)

        without = [f for f in betastate.audit(started) if f.code == "DUR-MAX"]
        with_on = [
            f for f in betastate.audit(started, on=dt.date(2022, 1, 1)) if f.code == "DUR-MAX"
        ]

        assert [(dt.date(2020, 1, 6), dt.date(2020, 4, 15))] == [f.dates for f in without]
        assert 2 == len(with_on)
        assert "still running on 2022-01-01" in with_on[1].message

    def test_limit_is_inclusive(self) -> None:
        """Exactly the maximum number of days is allowed."""
        limit = BOOK.phase("investigation").max_days or 0
        history = entries(["investigation", "construction"], dt.date(2020, 1, 6), [limit])

        assert [] == [f for f in betastate.audit(startup(*history)) if f.code == "DUR-MAX"]


class TestCommittees:
    """BR-04: committees no further apart than the cadence of the phase they were held in."""

    def test_gap_in_construction(self) -> None:
        """Seven months between committees in construction break BR-04 (6 months)."""
        history = [
            PhaseEntered(on=dt.date(2022, 1, 3), phase="investigation"),
            PhaseEntered(on=dt.date(2022, 3, 1), phase="construction"),
            CommitteeHeld(on=dt.date(2022, 3, 15)),
            CommitteeHeld(on=dt.date(2022, 10, 20)),
        ]

        (finding,) = [f for f in betastate.audit(startup(*history)) if f.code == "BR-04"]

        assert (Severity.WARNING, (dt.date(2022, 3, 15), dt.date(2022, 10, 20))) == (
            finding.severity,
            finding.dates,
        )

    def test_after_exit_and_stop(self) -> None:
        """After a transfer the cadence is 12 months; after a stop none is due."""
        transferred = [
            PhaseEntered(on=dt.date(2020, 1, 6), phase="investigation"),
            PhaseEntered(on=dt.date(2020, 3, 2), phase="construction"),
            PhaseEntered(on=dt.date(2021, 1, 4), phase="transfere"),
            CommitteeHeld(on=dt.date(2021, 2, 1)),
            CommitteeHeld(on=dt.date(2021, 12, 1)),
        ]
        stopped = [
            PhaseEntered(on=dt.date(2020, 1, 6), phase="investigation"),
            PhaseEntered(on=dt.date(2020, 3, 2), phase="abandon-investigation"),
            CommitteeHeld(on=dt.date(2020, 4, 1)),
            CommitteeHeld(on=dt.date(2023, 4, 1)),
        ]

        assert [] == [f for f in betastate.audit(startup(*transferred)) if f.code == "BR-04"]
        assert [] == [f for f in betastate.audit(startup(*stopped)) if f.code == "BR-04"]


class TestSeverities:
    """Findings take the rulebook's severity; rules turned off are skipped."""

    def test_derived_rulebook(self) -> None:
        """N8 downgraded to a warning, DUR-MAX off."""
        book = BOOK.derive(severities={"N8": "warning", "DUR-MAX": "off"})
        history = entries(["investigation", "acceleration"], dt.date(2020, 1, 6), [400])

        found = betastate.audit(startup(*history), book)

        assert [("N8", Severity.WARNING)] == [(f.code, f.severity) for f in found]


STANDING = {"BS-CHRONO", "BR-01", "BR-02", "ST-PM"}
GO = dt.date(2025, 3, 10)
COMPLETE = betastate.PostMortem(
    learnings="Les usagers préfèrent le guichet.",
    why_we_stop="Trop peu d'usage pour le coût.",
    relaunch_advice="Partir des agents d'accueil.",
    reasons=["insufficient_impact"],
    authors=[betastate.Actor(role="intrapreneur"), betastate.Actor(role="coach")],
)


def funded(amount: int = 130_000) -> list[betastate.Event]:
    """Investigation, then a committee opening a six-month envelope of `amount`."""
    return [
        PhaseEntered(on=dt.date(2025, 1, 6), phase="investigation"),
        CommitteeHeld(
            on=GO,
            decision="continue",
            phase_change="construction",
            period_start=GO,
            period_end=dt.date(2025, 9, 10),
            grants=[betastate.Grant(source="sponsor", amount=Decimal(amount))],
        ),
        PhaseEntered(on=GO, phase="construction"),
    ]


def recorded(*events: betastate.Event) -> Startup:
    """A history in the order given (not sorted): as an app or a database holds it."""
    return Startup(slug="essai", title="Essai", history=events)


def standing(startup: Startup, book: betastate.Rulebook = BOOK) -> list[tuple[str, tuple]]:
    return [(f.code, f.dates) for f in betastate.audit(startup, book) if f.code in STANDING]


class TestStandingInvariants:
    """Histories written by anyone are checked for the rules commands enforce."""

    def test_two_clerks_overspend(self) -> None:
        """Two 70 k€ spends from a 130 k€ envelope: the second breaks BR-02."""
        day = dt.date(2025, 3, 12)
        startup = recorded(
            *funded(),
            betastate.Spent(on=day, amount=Decimal(70_000), label="clerc 1"),
            betastate.Spent(on=day, amount=Decimal(70_000), label="clerc 2"),
        )
        (finding,) = [f for f in betastate.audit(startup) if f.code == "BR-02"]

        assert Severity.ERROR == finding.severity
        assert (day,) == finding.dates
        assert "clerc 2" in finding.message
        assert "140,000 € spent of 130,000 € granted" in finding.message

    def test_spending_outside_any_envelope(self) -> None:
        """Spending before any committee, or after its period, breaks BR-01."""
        early = dt.date(2025, 2, 1)
        late = dt.date(2025, 10, 1)
        startup = recorded(
            PhaseEntered(on=dt.date(2025, 1, 6), phase="investigation"),
            betastate.Spent(on=early, amount=Decimal(10)),
            *funded()[1:],
            betastate.Spent(on=late, amount=Decimal(10)),
        )

        assert [("BR-01", (early,)), ("BR-01", (late,))] == standing(startup)

    @given(amounts=st.lists(st.integers(1, 60_000), max_size=12))
    def test_each_spend_beyond_the_grant(self, amounts: list[int]) -> None:
        """BR-02 flags exactly the spends a running tally finds beyond the grant."""
        day = dt.date(2025, 4, 1)
        spends = [
            betastate.Spent(on=day, amount=Decimal(a), label=str(i)) for i, a in enumerate(amounts)
        ]
        expected = []
        total = 0
        for spent in spends:
            if total + int(spent.amount) > 130_000:
                expected.append(("BR-02", (day,)))
            total += int(spent.amount)

        assert expected == standing(recorded(*funded(), *spends))

    def test_stops_need_a_complete_post_mortem(self) -> None:
        """A stop without a post-mortem, or with an incomplete one, breaks ST-PM."""
        stops = [dt.date(2025, 5, 1), dt.date(2025, 6, 1), dt.date(2025, 7, 1)]
        startup = recorded(
            *funded(),
            betastate.Stopped(on=stops[0]),
            betastate.Stopped(on=stops[1], post_mortem=betastate.PostMortem(learnings="Trop tôt.")),
            betastate.Stopped(on=stops[2], post_mortem=COMPLETE),
        )
        found = [f for f in betastate.audit(startup) if f.code == "ST-PM"]

        assert [(stops[0],), (stops[1],)] == [f.dates for f in found]
        assert "no post-mortem" in found[0].message
        assert "why_we_stop, relaunch_advice, reasons, author:intrapreneur" in found[1].message

    def test_events_out_of_date_order(self) -> None:
        """An event dated before one recorded earlier breaks BS-CHRONO."""
        startup = recorded(*funded(), betastate.Note(on=dt.date(2025, 2, 1)))

        assert [("BS-CHRONO", (GO, dt.date(2025, 2, 1)))] == standing(startup)

    def test_rules_turned_off(self) -> None:
        """A rulebook that turns the rules off gets no such finding."""
        book = BOOK.derive(severities=dict.fromkeys(STANDING, "off"))
        startup = recorded(
            *funded(),
            betastate.Spent(on=GO, amount=Decimal(200_000)),
            betastate.Stopped(on=dt.date(2025, 2, 1)),
        )

        assert [] == standing(startup, book)
        assert {"BR-02", "ST-PM", "BS-CHRONO"} == {code for code, _ in standing(startup)}

    def test_histories_made_by_commands_keep_them(self) -> None:
        """A history built through the lifecycle breaks none of these."""
        assert [] == standing(replayed("essai", long_script(11, 150)))
