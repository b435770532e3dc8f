"""Corrections without rewriting history: Retract, Retracted, and who sees what (issue 11, 4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import betastate as bs
from betastate._analytics.records import event_records
from betastate._analytics.views import startup_html
from betastate._engine.state import project
from betastate.journal import open_journal

from .strategies import events as any_event
from .test_writer_engine import DATA, loaded


TODAY = dt.date(2025, 6, 2)
LIFECYCLE = bs.Lifecycle(clock=lambda: TODAY)
SPONSOR = bs.Actor(role="sponsor", name="Dominique Fictif")
CLERK = bs.Actor(role="intrapreneur", name="Camille Exemple")
ATTENDEES = tuple(bs.Actor(role=r) for r in ("intrapreneur", "sponsor", "incubator", "coach"))
GRANT = bs.Grant(source="sponsor", amount=Decimal(100_000), funder="/organisations/x")


def funded() -> bs.Startup:
    """In construction since 2025-01-06, with a 100 k€ envelope opened at committee."""
    startup = bs.Startup(
        slug="correcte",
        title="Correcte",
        history=[bs.PhaseEntered(on=dt.date(2025, 1, 6), phase="construction")],
    )
    command = bs.HoldCommittee(
        on=dt.date(2025, 1, 20),
        by=SPONSOR,
        decision="continue",
        attendees=ATTENDEES,
        grants=[GRANT],
    )
    return LIFECYCLE.apply(startup, command).startup


def apply(startup: bs.Startup, command: bs.Command) -> bs.Startup:
    return LIFECYCLE.apply(startup, command).startup


def retract(version: int, on: dt.date = TODAY, by: bs.Actor | str = SPONSOR) -> bs.Retract:
    return bs.Retract(on=on, by=by, version=version, reason="saisi par erreur")


class TestTheNoteOf2205:
    """The issue's case: a note dated 2205 blocked every later command, with no way out."""

    def blocked(self) -> bs.Startup:
        # Written before the horizon rule, or by hand: the engine would refuse it today.
        note = bs.Note(on=dt.date(2205, 1, 1), name="typo", by=CLERK)
        return attrs.evolve(funded(), history=(*funded().history, note))

    def test_before_the_retraction_everything_is_refused(self):
        """BS-CHRONO refuses any command dated before 2205: the defect as reported."""
        outcome = LIFECYCLE.check(self.blocked(), bs.Spend(on=TODAY, by=CLERK, amount=10))

        assert ["BS-CHRONO"] == [r.rule for r in outcome.errors]

    def test_the_retraction_may_be_dated_today(self):
        """A retraction is checked without its target, so today is not 'before 2205'."""
        startup = self.blocked()
        version = len(startup.history)

        fixed = apply(startup, retract(version, by="incubator"))

        assert version in fixed.retracted
        assert TODAY == fixed.last_event_date

    def test_after_it_commands_are_accepted_again(self):
        """Once retracted, the note no longer dates the history: a spend today goes through."""
        startup = self.blocked()
        fixed = apply(startup, retract(len(startup.history), by="incubator"))

        after = apply(fixed, bs.Spend(on=TODAY, by=CLERK, amount=Decimal(10)))

        assert Decimal(10) == LIFECYCLE.state(after).spent_total

    def test_the_note_stays_in_the_history(self):
        """Nothing is rewritten: both the note and its retraction are there, in order."""
        startup = self.blocked()
        fixed = apply(startup, retract(len(startup.history), by="incubator"))

        assert startup.history == fixed.history[: len(startup.history)]
        assert isinstance(fixed.history[-1], bs.Retracted)
        assert fixed.history[-1].version == len(startup.history)
        assert startup.history[-1] not in fixed.in_force


class TestFoldsIgnoreIt:
    def test_a_spend(self):
        """A retracted spend gives its money back to the envelope."""
        startup = apply(funded(), bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=60_000))
        before = LIFECYCLE.state(startup)

        fixed = apply(startup, retract(len(startup.history), by=CLERK))
        after = LIFECYCLE.state(fixed)

        assert (Decimal(60_000), Decimal(0)) == (before.spent_total, after.spent_total)
        assert Decimal(100_000) == after.remaining_envelope
        assert (len(startup.history),) == after.retracted

    def test_a_spend_frees_room_for_another(self):
        """What a retracted spend took can be spent again (BR-02 counts only what stands)."""
        startup = apply(funded(), bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=90_000))
        refused = LIFECYCLE.check(startup, bs.Spend(on=TODAY, by=CLERK, amount=50_000))
        fixed = apply(startup, retract(len(startup.history), by=CLERK))

        accepted = LIFECYCLE.check(fixed, bs.Spend(on=TODAY, by=CLERK, amount=50_000))

        assert "BR-02" in [r.rule for r in refused.errors]
        assert accepted.accepted, accepted.errors

    def test_a_phase_entry(self):
        """A phase entered by mistake is undone: the state is back in the phase before."""
        startup = funded()
        moved = apply(
            startup,
            bs.HoldCommittee(
                on=dt.date(2025, 3, 3),
                by=SPONSOR,
                decision="continue",
                attendees=ATTENDEES,
                phase_change="acceleration",
                grants=[GRANT],
                criteria=("ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"),
                impact=bs.ImpactReading(monthly_active_users=1000),
            ),
        )
        entry = next(
            i
            for i, e in enumerate(moved.history, start=1)
            if isinstance(e, bs.PhaseEntered) and e.phase == "acceleration"
        )

        fixed = apply(moved, retract(entry))

        assert "acceleration" == LIFECYCLE.phase(moved)
        assert "construction" == LIFECYCLE.phase(fixed)
        assert "construction" == LIFECYCLE.state(fixed).phase

    def test_a_committee_no_longer_counts(self):
        """A committee recorded by mistake counts for nothing: the cadence is as before it."""
        startup = funded()
        recorded = apply(
            startup, bs.Record(event=bs.CommitteeHeld(on=dt.date(2025, 5, 5)), by="incubator")
        )

        fixed = apply(recorded, retract(len(recorded.history), by="incubator"))

        mistaken, before, after = (LIFECYCLE.state(s) for s in (recorded, startup, fixed))
        assert dt.date(2025, 5, 5) == mistaken.last_committee.on
        assert before.last_committee == after.last_committee
        assert (before.next_committee_due, before.overdue_committees) == (
            after.next_committee_due,
            after.overdue_committees,
        )

    def test_every_date_honours_it(self):
        """The state on a past date ignores the retracted event too: it never counted."""
        startup = apply(funded(), bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=60_000))
        fixed = apply(startup, retract(len(startup.history), by=CLERK))

        assert Decimal(0) == LIFECYCLE.state(fixed, on=dt.date(2025, 3, 1)).spent_total

    @settings(max_examples=150, deadline=None)
    @given(st.lists(any_event, min_size=1, max_size=8), st.data())
    def test_same_as_without_it(self, history, data):
        """Retracting event k folds exactly as the history without event k, on any date."""
        place = data.draw(st.integers(1, len(history)), label="place")
        on = data.draw(st.dates(dt.date(2013, 1, 1), dt.date(2031, 1, 1)), label="on")
        marker = bs.Retracted(on=max(e.on for e in history), version=place, reason="erreur")
        book = LIFECYCLE.rulebook
        retracted = bs.Startup(slug="p", title="P", history=[*history, marker])
        without = bs.Startup(slug="p", title="P", history=history[: place - 1] + history[place:])

        a, b = project(retracted, book, on), project(without, book, on)

        ignore = {"events", "retracted"}
        assert {k: v for k, v in attrs.asdict(a, recurse=False).items() if k not in ignore} == {
            k: v for k, v in attrs.asdict(b, recurse=False).items() if k not in ignore
        }
        assert (place,) == a.retracted


class TestRefusals:
    def test_no_such_event(self):
        """A place outside the history is BS-RETRACT, on the version field, with the count."""
        startup = funded()

        outcome = LIFECYCLE.check(startup, retract(len(startup.history) + 1))

        (reason,) = outcome.errors
        assert ("BS-RETRACT", "/version") == (reason.rule, reason.field)
        assert len(startup.history) == reason.values["events"]
        assert "Python" not in reason.fix
        assert "=" not in reason.fix

    def test_twice(self):
        """An event is retracted once; the second says when the first was."""
        startup = apply(funded(), bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=5))
        fixed = apply(startup, retract(len(startup.history), on=dt.date(2025, 3, 1), by=CLERK))

        outcome = LIFECYCLE.check(fixed, retract(len(startup.history), by=CLERK))

        (reason,) = outcome.errors
        assert "BS-RETRACT" == reason.rule
        assert "2025-03-01" in reason.message

    def test_a_retraction_stays(self):
        """A retraction cannot itself be retracted: the record of a correction is kept."""
        startup = apply(funded(), bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=5))
        fixed = apply(startup, retract(len(startup.history), by=CLERK))

        outcome = LIFECYCLE.check(fixed, retract(len(fixed.history), by="incubator"))

        assert "BS-RETRACT" in [r.rule for r in outcome.errors]

    def test_only_who_may_do_it_may_undo_it(self):
        """The incubator may not retract the intrapreneur's spend, nor a team member a committee."""
        startup = apply(funded(), bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=5))

        by_incubator = LIFECYCLE.check(startup, retract(len(startup.history), by="incubator"))
        by_member = LIFECYCLE.check(startup, retract(3, by="team-member"))

        assert ["BS-ROLE"] == [r.rule for r in by_incubator.errors]
        assert ["BS-ROLE"] == [r.rule for r in by_member.errors]
        assert "/by" == by_member.errors[0].field

    def test_french(self):
        """The reasons exist in French, with the same values."""
        startup = funded()
        command = retract(99)

        en = LIFECYCLE.check(startup, command).errors[0]
        fr = bs.Lifecycle(lang="fr", clock=lambda: TODAY).check(startup, command).errors[0]

        assert en.values == fr.values
        assert en.message != fr.message
        assert "99" in fr.message

    @pytest.mark.parametrize(
        ("field", "value"), [("version", 0), ("version", True), ("version", "2"), ("reason", " ")]
    )
    def test_bad_values(self, field, value):
        """A place is a whole number from 1, and a retraction says why."""
        arguments = {"on": TODAY, "by": SPONSOR, "version": 1, "reason": "doublon", field: value}

        with pytest.raises(bs.InvalidValue, match=f"Retract.{field}"):
            bs.Retract(**arguments)

    @pytest.mark.parametrize("version", [2, 3, 0])
    def test_a_history_retracts_only_earlier_events(self, version):
        """A Retracted names an event before it: a history cannot hold one pointing ahead."""
        note = bs.Note(on=TODAY, name="x")
        marker = bs.Retracted(on=TODAY, version=version, reason="erreur")

        with pytest.raises(ValueError, match=r"history\[1\].*not an earlier event"):
            bs.Startup(slug="p", title="P", history=[note, marker])

    def test_record_cannot_add_one(self):
        """A Retracted comes only from Retract, with its checks."""
        with pytest.raises(TypeError, match="Retract"):
            bs.Record(event=bs.Retracted(on=TODAY, version=1, reason="x"), by=SPONSOR)


class TestAuditAndViewsShowIt:
    def spent_twice(self) -> bs.Startup:
        """Two clerks spent from one envelope at once (written by hand: over the grant)."""
        startup = funded()
        spends = [bs.Spent(on=dt.date(2025, 2, 3), amount=Decimal(70_000), by=CLERK)] * 2
        return attrs.evolve(startup, history=(*startup.history, *spends))

    def test_audit_counts_only_what_stands(self):
        """BR-02 disappears once the duplicate spend is retracted; an info finding remains."""
        startup = self.spent_twice()
        fixed = apply(startup, retract(len(startup.history), by=CLERK))

        before = {f.code for f in bs.audit(startup)}
        after = bs.audit(fixed)

        assert "BR-02" in before
        assert "BR-02" not in {f.code for f in after}
        (finding,) = [f for f in after if f.code == "BS-RETRACT"]
        assert bs.Severity.INFO == finding.severity
        assert f"event {len(startup.history)} (Spent" in finding.message

    def test_the_startup_view(self):
        """The HTML view strikes the retracted event through and lists the retraction."""
        startup = self.spent_twice()
        fixed = apply(startup, retract(len(startup.history), by=CLERK))

        html = startup_html(fixed)

        assert html.count("(retracted)") == 1
        assert f"event {len(startup.history)}: saisi par erreur" in html

    def test_the_events_table(self):
        """The events table keeps every row and marks the retracted one."""
        startup = self.spent_twice()
        fixed = apply(startup, retract(len(startup.history), by=CLERK))

        rows = event_records(bs.Portfolio(startups=[fixed]))

        assert len(fixed.history) == len(rows)
        assert [len(startup.history)] == [
            i for i, row in enumerate(rows, start=1) if row["retracted"]
        ]
        assert "Retracted" == rows[-1]["kind"]

    def test_portfolio_counts(self):
        """Analytics count the phase that stands, not the one retracted."""
        startup = funded()
        fixed = apply(startup, retract(1, by="incubator"))

        other = attrs.evolve(fixed, slug="autre")
        counts = bs.Portfolio(startups=[startup, other]).phase_counts(TODAY)

        assert 1 == counts["construction"]


class TestWriterAndJournal:
    def test_the_site_file_drops_it(self):
        """A retracted phase leaves the site's file; the retraction is returned as left out."""
        text, startup = loaded()
        assert "acceleration:" not in text
        assert "name: acceleration" in text
        place = next(
            i
            for i, e in enumerate(startup.history, start=1)
            if isinstance(e, bs.PhaseEntered) and e.phase == "acceleration"
        )
        fixed = attrs.evolve(
            startup,
            history=(
                *startup.history,
                bs.Retracted(on=TODAY, version=place, reason="saisi par erreur", by=SPONSOR),
            ),
        )

        written = bs.write_frontmatter(text, fixed)

        assert "name: acceleration" not in written.text
        left = [type(item.event) for item in written.left_out]
        assert bs.Retracted in left
        assert bs.PhaseEntered in left
        assert (DATA / "potager-numerique.md").read_text(encoding="utf-8") == text

    @pytest.mark.parametrize("url", ["sqlite://", "sqlite"])
    def test_journal_round_trip(self, url, tmp_path):
        """The retraction is stored as an event; reading back folds without the target."""
        target = f"sqlite:///{tmp_path / 'j.db'}" if url == "sqlite" else url
        with open_journal(target, clock=lambda: TODAY) as journal:
            journal.create(funded())
            journal.apply("correcte", bs.Spend(on=dt.date(2025, 2, 3), by=CLERK, amount=5))
            version = journal.version("correcte")
            journal.apply("correcte", retract(version, by=CLERK))

            stored = journal.get("correcte")
            as_of = journal.get("correcte", on=TODAY)

        assert isinstance(stored.history[-1], bs.Retracted)
        assert (version,) == tuple(stored.retracted)
        assert Decimal(0) == LIFECYCLE.state(stored).spent_total
        assert not any(isinstance(e, bs.Spent | bs.Retracted) for e in as_of.history)
