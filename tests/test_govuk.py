"""The GOV.UK preset: three invented services driven through every transition."""

from __future__ import annotations

import datetime as dt

import pytest

import betastate as bs


LIFECYCLE = bs.Lifecycle("govuk")
# Written from brief §13.2 and the Service Manual, not read from the TOML: the evidence
# each move needs, as (note name, who records it, the rule refusing the move without it).
EVIDENCE = {
    "discovery": ("spend-approved", "spend-control", "GOV-SPEND"),
    "private-beta": ("alpha-assessment-met", "assessment-panel", "GOV-ALPHA"),
    "public-beta": ("beta-assessment-met", "assessment-panel", "GOV-BETA"),
    "live": ("live-assessment-met", "assessment-panel", "GOV-LIVE"),
}
# Three invented services (brief §13.2 rows): all the way to retirement with a failed
# assessment at each gate, a stop after discovery, a stop after alpha.
JOURNEYS = {
    "apply-for-a-fishing-permit": [
        "discovery",
        "alpha",
        "alpha",
        "private-beta",
        "private-beta",
        "public-beta",
        "public-beta",
        "live",
        "retired",
    ],
    "register-a-community-garden": ["discovery", "stopped"],
    "report-a-broken-streetlight": ["discovery", "alpha", "stopped"],
}


def rules(reasons) -> list[str]:
    return [r.rule for r in reasons]


def drive(slug: str, path: list[str]) -> tuple[bs.Startup, list[str]]:
    """Take ``path``, showing each gate refuse before its evidence is recorded."""
    startup = bs.Startup(slug=slug, title=slug.replace("-", " ").capitalize())
    day = dt.date(2025, 1, 6)
    taken: list[str] = []
    for phase in path:
        day += dt.timedelta(days=21)
        move = bs.Advance(on=day, to=phase, by="service-owner")
        before = LIFECYCLE.phase(startup)
        if before == phase:  # an assessment not met: the team iterates in the phase
            failed = bs.Note(on=day, name="assessment-not-met")
            startup = LIFECYCLE.apply(
                startup, bs.Record(event=failed, by="assessment-panel")
            ).startup
        elif phase in EVIDENCE:
            note, recorder, rule = EVIDENCE[phase]
            assert rule in rules(LIFECYCLE.check(startup, move).errors), (slug, phase)
            if phase == "live":  # live needs spending approved again (G-SPEND)
                approval = bs.Note(on=day, name="spend-approved")
                startup = LIFECYCLE.apply(
                    startup, bs.Record(event=approval, by="spend-control")
                ).startup
            record = bs.Record(event=bs.Note(on=day, name=note), by=recorder)
            startup = LIFECYCLE.apply(startup, record).startup
        outcome = LIFECYCLE.apply(startup, move)
        startup = outcome.startup
        assert phase == LIFECYCLE.phase(startup)
        taken.append(LIFECYCLE.rulebook.transition(before, phase).id)
    return startup, taken


class TestGovuk:
    def test_phases_of_the_service_manual(self):
        """The six phases of the manual, plus a stop after discovery or alpha (brief §13.2)."""
        assert (
            "discovery",
            "alpha",
            "private-beta",
            "public-beta",
            "live",
            "stopped",
            "retired",
        ) == LIFECYCLE.rulebook.phase_values

    @pytest.mark.parametrize("slug", sorted(JOURNEYS))
    def test_journey(self, slug):
        """Each service reaches its last phase; each gate refused until its evidence came."""
        startup, _ = drive(slug, JOURNEYS[slug])

        assert JOURNEYS[slug][-1] == LIFECYCLE.phase(startup)
        assert LIFECYCLE.state(startup).terminal

    def test_every_transition_is_taken(self):
        """Together the three services take every transition of the preset."""
        taken = {t for slug, path in JOURNEYS.items() for t in drive(slug, path)[1]}

        assert {t.id for t in LIFECYCLE.rulebook.transitions} == taken

    def test_an_assessment_counts_only_from_the_panel(self):
        """A note that the alpha assessment was met counts only when the panel records it."""
        startup, _ = drive("apply-for-a-fishing-permit", ["discovery", "alpha"])
        day = dt.date(2025, 3, 1)
        by_team = LIFECYCLE.apply(
            startup,
            bs.Record(event=bs.Note(on=day, name="alpha-assessment-met"), by="service-team"),
        ).startup
        move = bs.Advance(on=day, to="private-beta", by="service-owner")

        assert ["GOV-ALPHA"] == rules(LIFECYCLE.check(by_team, move).errors)

    def test_an_old_assessment_does_not_count(self):
        """An assessment older than thresholds.assessment_validity_days no longer counts."""
        startup, _ = drive("apply-for-a-fishing-permit", ["discovery", "alpha"])
        met = bs.Note(on=dt.date(2025, 3, 1), name="alpha-assessment-met")
        startup = LIFECYCLE.apply(startup, bs.Record(event=met, by="assessment-panel")).startup
        late = bs.Advance(on=dt.date(2025, 6, 30), to="private-beta", by="service-owner")
        longer = bs.Lifecycle(
            LIFECYCLE.rulebook.derive(thresholds={"assessment_validity_days": 180})
        )

        assert ["GOV-ALPHA"] == rules(LIFECYCLE.check(startup, late).errors)
        assert longer.check(startup, late).accepted

    def test_only_the_service_owner_decides(self):
        """The team or the panel cannot move the service; beta.gouv.fr roles do not exist here."""
        startup, _ = drive("apply-for-a-fishing-permit", ["discovery"])
        day = dt.date(2025, 3, 1)

        for role, rule in [
            ("service-team", "BS-ROLE"),
            ("assessment-panel", "BS-ROLE"),
            ("sponsor", "BS-ACTOR"),
        ]:
            command = bs.Advance(on=day, to="alpha", by=role)
            assert rule in rules(LIFECYCLE.check(startup, command).errors), role

    def test_presets_lint_clean(self):
        """Both presets load with no problem at all, warnings included."""
        assert () == bs.rulebook("govuk").lint()
        assert () == bs.rulebook("betagouv").lint()
