"""
Regenerate the sample portfolio shipped in the package.

Every product, incubator, organisation and person here is invented. The
histories go through the public API under the strict beta.gouv.fr rulebook,
so the sample is valid by construction: committees open envelopes, spending stays within
them, stops carry post-mortems, one product sleeps in dormancy and another is taken over.
Run from the project root:

    python tools/make_sample.py
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

import attrs

import betastate as bs


INCUBATORS = (
    bs.Incubator(
        id="fabrique-littoral",
        title="Fabrique numérique du Littoral",
        owner="/organisations/ministere-des-phares",
    ),
    bs.Incubator(
        id="atelier-territoires",
        title="Atelier des Territoires",
        owner="/organisations/agence-des-bourgs",
    ),
    bs.Incubator(
        id="incubateur-sante-publique",
        title="Incubateur Santé publique",
        owner="/organisations/direction-des-soins",
    ),
)
ORGANISATIONS = (
    bs.Organisation(
        id="/organisations/ministere-des-phares",
        name="Ministère des Phares et Balises",
        acronym="MPB",
        type="ministere",
    ),
    bs.Organisation(
        id="/organisations/agence-des-bourgs",
        name="Agence nationale des Bourgs",
        acronym="ANB",
        type="operateur",
    ),
    bs.Organisation(
        id="/organisations/direction-des-soins",
        name="Direction des Soins de proximité",
        acronym="DSP",
        type="administration-centrale",
    ),
    bs.Organisation(
        id="/organisations/region-imaginaire",
        name="Région Imaginaire",
        acronym=None,
        type="collectivite",
    ),
)

# (slug, title, mission, path): path is the list of phases the product goes through.
PRODUCTS = [
    (
        "guichet-velo",
        "Guichet Vélo",
        "Aider les agents à prêter des vélos de service",
        ["investigation", "abandon-investigation"],
    ),
    (
        "potager-public",
        "Potager Public",
        "Mettre en relation jardins publics et écoles",
        ["investigation", "abandon-investigation"],
    ),
    (
        "releve-phare",
        "Relève Phare",
        "Planifier les relèves des gardiens de phare",
        ["investigation", "abandon-investigation"],
    ),
    (
        "pont-levis",
        "Pont-Levis",
        "Signaler les ponts fermés aux transporteurs",
        ["investigation", "abandon-investigation"],
    ),
    (
        "cartable-leger",
        "Cartable Léger",
        "Réduire le poids des manuels scolaires",
        ["investigation", "abandon-investigation"],
    ),
    (
        "boussole-aides",
        "Boussole Aides",
        "Trouver les aides aux artisans en zone rurale",
        ["investigation", "abandon-investigation"],
    ),
    (
        "lanterne",
        "Lanterne",
        "Éclairer les choix d'orientation des lycéens",
        ["investigation", "construction", "abandon"],
    ),
    (
        "marche-local",
        "Marché Local",
        "Ouvrir les achats publics aux producteurs locaux",
        ["investigation", "construction", "abandon"],
    ),
    (
        "quai-numerique",
        "Quai Numérique",
        "Réserver les quais de déchargement portuaires",
        ["investigation", "construction", "abandon"],
    ),
    (
        "sentinelle-eau",
        "Sentinelle Eau",
        "Alerter sur la qualité des eaux de baignade",
        ["investigation", "construction", "abandon"],
    ),
    (
        "courrier-clair",
        "Courrier Clair",
        "Simplifier les courriers administratifs",
        ["investigation", "construction", "abandon"],
    ),
    (
        "atelier-reparation",
        "Atelier Réparation",
        "Recenser les ateliers de réparation solidaires",
        ["investigation", "construction", "acceleration", "abandon"],
    ),
    (
        "horizon-emploi",
        "Horizon Emploi",
        "Rapprocher offres saisonnières et candidats",
        ["investigation", "construction", "acceleration", "abandon"],
    ),
    (
        "dossier-express",
        "Dossier Express",
        "Déposer un dossier de subvention en une fois",
        ["investigation", "construction", "acceleration", "consolidation", "transfere"],
    ),
    (
        "balise-secours",
        "Balise Secours",
        "Coordonner les secours en mer de plaisance",
        ["investigation", "construction", "acceleration", "consolidation", "transfere"],
    ),
    (
        "registre-arbres",
        "Registre des Arbres",
        "Inventorier les arbres remarquables des communes",
        ["investigation", "construction", "acceleration", "transfere"],
    ),
    (
        "rendez-vous-sante",
        "Rendez-vous Santé",
        "Trouver un créneau de dépistage près de chez soi",
        ["investigation", "construction", "transfere"],
    ),
    (
        "tableau-cantines",
        "Tableau Cantines",
        "Suivre l'approvisionnement durable des cantines",
        ["investigation", "construction", "acceleration", "transfere"],
    ),
    (
        "passerelle-asso",
        "Passerelle Asso",
        "Déclarer une association en ligne",
        ["investigation", "construction", "acceleration", "consolidation", "opere"],
    ),
    (
        "carnet-chantier",
        "Carnet de Chantier",
        "Suivre les chantiers publics en temps réel",
        ["investigation", "construction", "acceleration", "consolidation", "opere"],
    ),
    (
        "vigie-dunes",
        "Vigie Dunes",
        "Mesurer l'érosion du trait de côte",
        ["investigation", "construction", "acceleration", "consolidation", "opere"],
    ),
    ("compas-social", "Compas Social", "Orienter vers le bon guichet social", ["investigation"]),
    ("phare-data", "Phare Data", "Ouvrir les données des feux maritimes", ["investigation"]),
    (
        "bourg-vivant",
        "Bourg Vivant",
        "Repérer les commerces vacants des centres-bourgs",
        ["investigation"],
    ),
    (
        "soin-mobile",
        "Soin Mobile",
        "Organiser les tournées des infirmiers ruraux",
        ["investigation"],
    ),
    (
        "grenier-archives",
        "Grenier Archives",
        "Numériser les archives communales fragiles",
        ["investigation", "construction"],
    ),
    (
        "navette-rurale",
        "Navette Rurale",
        "Réserver un transport à la demande",
        ["investigation", "construction"],
    ),
    (
        "cap-formation",
        "Cap Formation",
        "Trouver une formation financée près de chez soi",
        ["investigation", "construction"],
    ),
    (
        "etiquette-verte",
        "Étiquette Verte",
        "Afficher l'impact carbone des achats publics",
        ["investigation", "construction"],
    ),
    (
        "pharmacie-garde",
        "Pharmacie de Garde",
        "Trouver la pharmacie de garde la plus proche",
        ["investigation", "construction"],
    ),
    (
        "aide-aidants",
        "Aide aux Aidants",
        "Soulager les proches aidants",
        ["investigation", "construction", "acceleration"],
    ),
    (
        "signal-route",
        "Signal Route",
        "Signaler un danger sur la route",
        ["investigation", "construction", "acceleration"],
    ),
    (
        "eau-potable",
        "Eau Potable",
        "Suivre la qualité de l'eau du robinet",
        ["investigation", "construction", "acceleration"],
    ),
    (
        "ecole-ouverte",
        "École Ouverte",
        "Ouvrir les cours d'école le week-end",
        ["investigation", "construction", "acceleration", "consolidation"],
    ),
    (
        "relais-jeunes",
        "Relais Jeunes",
        "Accompagner les jeunes vers l'autonomie",
        ["investigation", "construction", "acceleration", "consolidation"],
    ),
]

TYPICAL_DAYS = {
    "investigation": (50, 120),
    "construction": (200, 500),
    "acceleration": (250, 700),
    "consolidation": (150, 400),
}
TODAY = dt.date(2026, 6, 30)
FUNDED = ("construction", "acceleration", "consolidation")
TEAM = tuple(
    bs.Actor(role=role)
    for role in ("intrapreneur", "sponsor", "incubator", "portfolio-manager", "coach")
)
DINUM = bs.Actor(role="dinum", name="Comité exécutif")
# Funding ended though impact was proven (brief §8.2 B): one product sleeps in dormancy,
# another is taken over by a new sponsor during its safeguard period.
DORMANT = {"sentinelle-eau"}
TAKEN_OVER = {"aide-aidants"}
EVERY_DOSSIER_ITEM = [item for item, _ in bs.DOSSIER_ITEMS]
REASONS = {
    "abandon-investigation": ["problem_not_important", "solution_exists"],
    "abandon": ["insufficient_impact", "no_business_backing"],
}


def post_mortem(rng: random.Random, status: str) -> bs.PostMortem:
    return bs.PostMortem(
        learnings="Les usagers ciblés avaient déjà une solution de contournement.",
        why_we_stop="L'impact mesuré ne justifie plus l'investissement.",
        relaunch_advice="Repartir des entretiens usagers et viser un public plus large.",
        reasons=[rng.choice(REASONS.get(status, ["no_funding"]))],
        authors=[bs.Actor(role="intrapreneur"), bs.Actor(role="coach")],
    )


class Builder:
    """Drives one product through the public API, the way a back-office would."""

    def __init__(self, rng: random.Random, lifecycle: bs.Lifecycle, startup: bs.Startup) -> None:
        self.rng = rng
        self.lifecycle = lifecycle
        self.startup = startup
        self.sponsor = startup.sponsors[0] if startup.sponsors else None
        self.fast = False
        self.cost_per_use = Decimal(rng.randint(20, 60))

    def apply(self, command: bs.Command) -> None:
        self.startup = self.lifecycle.apply(self.startup, command).startup

    @property
    def last(self) -> dt.date:
        return self.startup.last_event_date or TODAY

    def grant(self, low: int, high: int) -> bs.Grant:
        amount = Decimal(self.rng.randint(low, high) * 1000)
        return bs.Grant(source="sponsor", amount=amount, funder=self.sponsor)

    def reading(self, users: int) -> bs.ImpactReading:
        self.cost_per_use = max(Decimal(1), self.cost_per_use - self.rng.randint(0, 6))
        return bs.ImpactReading(monthly_active_users=users, cost_per_use=self.cost_per_use)

    def committee(self, day: dt.date, **kwargs: object) -> None:
        attendees = (*TEAM, DINUM) if self.fast else TEAM
        self.apply(
            bs.HoldCommittee(
                on=day,
                by=bs.Role.SPONSOR,
                attendees=attendees,
                **kwargs,  # type: ignore[arg-type]
            )
        )

    def spend_until(self, until: dt.date, times: int) -> None:
        """A few orders, each a share of what is left of the envelope of its date."""
        for _ in range(times):
            first = self.last + dt.timedelta(days=1)
            if first >= until:
                return
            day = first + dt.timedelta(days=self.rng.randint(0, max(0, (until - first).days - 1)))
            left = self.lifecycle.state(self.startup, on=day).remaining_envelope
            if left is None or left < 100:
                continue
            amount = (left * Decimal(self.rng.randint(15, 35)) / 100).quantize(Decimal(1))
            self.apply(
                bs.Spend(
                    on=day,
                    by=bs.Role.INTRAPRENEUR,
                    amount=amount,
                    label=self.rng.choice(
                        ["développement", "design", "déploiement", "hébergement"]
                    ),
                )
            )

    def run_phase(self, until: dt.date, phase: str) -> None:
        """Committees 40 days before each envelope ends, spending in between."""
        users = {"construction": 300, "acceleration": 3000, "consolidation": 12000}[phase]
        while True:
            envelope = self.lifecycle.state(self.startup).envelopes[-1]
            day = envelope.end - dt.timedelta(days=40)
            if day >= until - dt.timedelta(days=20) or day <= self.last:
                break
            self.spend_until(day, 3)
            if self.rng.random() < 0.2:
                end = bs.Ledger((envelope,)).last_end() or envelope.end
                follow_up = end + dt.timedelta(days=61 - 40)
                self.committee(
                    day,
                    decision="provisional",
                    months=2,
                    grants=[self.grant(30, 60)],
                    next_on=follow_up,
                    impact=self.reading(users),
                )
            else:
                self.committee(
                    day,
                    decision="continue",
                    grants=[self.grant(90, 220)],
                    impact=self.reading(users),
                )
            users = int(users * (1.2 + self.rng.random()))
        self.spend_until(until, 2)

    def change(self, day: dt.date, to: str, budget_line: Decimal | None = None) -> None:
        """The committee ending a phase decides the next one."""
        if to.startswith("abandon"):
            self.committee(day, decision="stop", post_mortem=post_mortem(self.rng, to))
        elif to in ("transfere", "opere"):
            host = "/organisations/region-imaginaire" if to == "transfere" else self.sponsor
            plan = bs.ExitPlan(
                trajectory="business-directorate" if to == "transfere" else "operator",
                host=host or "/organisations/agence-des-bourgs",
                annual_running_cost=Decimal(self.rng.randint(150, 600) * 1000),
            )
            self.committee(
                day,
                decision="continue",
                phase_change=to,
                exit_plan=plan,
                grants=[bs.Grant(source="other", amount=plan.annual_running_cost / 2, funder=host)],
            )
        else:
            self.committee(
                day,
                decision="continue",
                phase_change=to,
                grants=[self.grant(90, 220)],
                sponsor_budget_line=budget_line,
                criteria=["ENT-CSL-1", "ENT-CSL-2", "ENT-CSL-4"] if to == "consolidation" else (),
            )

    def liquidate(self, day: dt.date) -> None:
        """Liquidation with a 90-day safeguard, a recovery file, then the takeover dossier."""
        self.committee(
            day, decision="stop", procedure="no-budget", safeguard_until=day + dt.timedelta(days=90)
        )
        self.apply(
            bs.FileRecovery(
                on=day + dt.timedelta(days=20),
                by=bs.Role.INTRAPRENEUR,
                approached=["/organisations/region-imaginaire"],
            )
        )
        self.apply(
            bs.UpdateDossier(
                on=day + dt.timedelta(days=40), by=bs.Role.COACH, done=EVERY_DOSSIER_ITEM
            )
        )

    def dormancy(self, day: dt.date) -> None:
        """No taker: stopped with its post-mortem, in dormancy."""
        self.apply(
            bs.Stop(
                on=day,
                by=bs.Role.SPONSOR,
                post_mortem=attrs.evolve(
                    post_mortem(self.rng, "abandon"),
                    why_we_stop="Le budget du sponsor a été supprimé ; l'impact est prouvé.",
                    reasons=["no_funding"],
                ),
                dormant=True,
            )
        )

    def take_over(self, day: dt.date) -> None:
        """A new sponsor takes the product over during the safeguard period."""
        self.sponsor = "/organisations/region-imaginaire"
        self.apply(
            bs.TakeOver(
                on=day, by=bs.Role.SPONSOR, sponsor=self.sponsor, grants=[self.grant(90, 150)]
            )
        )

    def fast_award(self, day: dt.date) -> None:
        envelope = self.lifecycle.state(self.startup, on=day).envelope
        if envelope is None:
            return
        cofinancing = min(envelope.granted, Decimal(200_000)).quantize(Decimal(1000))
        self.apply(
            bs.AwardFast(
                on=day, by=bs.Role.DINUM, edition=self.rng.choice([15, 16]), cofinancing=cofinancing
            )
        )
        self.fast = True


def build(rng: random.Random, extra: random.Random) -> bs.Portfolio:  # noqa: C901  (one branch per product kind)
    """
    The sample: ``rng`` draws the phase timeline, ``extra`` everything else.

    The timeline (incubators, sponsors, phase dates, budget lines, launches) is drawn in the
    same order as the first sample's, so phase counts, funnels and durations did not move
    when committees, money and stops were added.
    """
    lifecycle = bs.Lifecycle()
    startups = []
    for slug, title, mission, path in PRODUCTS:
        incubator = rng.choice(INCUBATORS)
        sponsors = sorted({incubator.owner or "", rng.choice(ORGANISATIONS).id} - {""})
        startup = bs.Startup(
            slug=slug,
            title=title,
            mission=mission,
            incubator=incubator.id,
            sponsors=sponsors,
            contact=f"contact@{slug}.example.org",
            link=f"https://{slug}.example.org",
            repository=f"https://forge.example.org/{slug}",
        )
        # Running products end near TODAY; finished ones somewhere before.
        spans = [rng.randint(*TYPICAL_DAYS.get(phase, (1, 1))) for phase in path[:-1]]
        ended = path[-1] in ("abandon", "abandon-investigation", "transfere", "opere")
        start = TODAY - dt.timedelta(days=sum(spans) + rng.randint(20, 900 if ended else 90))
        builder = Builder(extra, lifecycle, startup)
        builder.apply(
            bs.Advance(on=start, to=path[0], by=bs.Role.SPONSOR, co_deciders=[bs.Role.INCUBATOR])
        )
        day = start
        for index, phase in enumerate(path):
            if lifecycle.rulebook.is_terminal(phase):
                break
            until = day + dt.timedelta(days=spans[index]) if index < len(spans) else TODAY
            if phase == "construction" and rng.random() < 0.7:
                launch = day + dt.timedelta(days=rng.randint(40, 90))
                if index + 1 == len(path) or launch < until:
                    builder.apply(bs.Launch(on=launch, by=bs.Role.INTRAPRENEUR))
            if phase == "acceleration" and extra.random() < 0.5:
                builder.fast_award(day + dt.timedelta(days=extra.randint(20, 60)))
            following = path[index + 1] if index + 1 < len(path) else None
            if slug in TAKEN_OVER and phase == "construction":
                builder.run_phase(day + dt.timedelta(days=110), phase)
                builder.liquidate(day + dt.timedelta(days=110))
                builder.take_over(day + dt.timedelta(days=170))
            if slug in DORMANT and following == "abandon":
                builder.run_phase(until - dt.timedelta(days=100), phase)
                builder.liquidate(until - dt.timedelta(days=100))
                builder.dormancy(until)
                break
            if phase in FUNDED:
                builder.run_phase(until, phase)
            if following is not None:
                line = (
                    Decimal(rng.choice([150_000, 180_000, 200_000, 250_000]))
                    if following == "construction"
                    else None
                )
                builder.change(until, following, line)
            day = until
        if path[-1] in ("transfere", "opere") and extra.random() < 0.4:
            builder.apply(
                bs.DesignateNationalImpact(
                    on=builder.last + dt.timedelta(days=extra.randint(30, 200)),
                    by=bs.Role.DINUM,
                    criteria=bs.NATIONAL_IMPACT_CRITERIA,
                )
            )
        startups.append(builder.startup)
    return bs.Portfolio(
        startups=sorted(startups, key=lambda s: s.slug),
        incubators=INCUBATORS,
        organisations=ORGANISATIONS,
        source="betastate sample",
    )


def main() -> None:
    portfolio = build(random.Random(20261129), random.Random(20261130))
    target = (
        Path(__file__).resolve().parent.parent
        / "src"
        / "betastate"
        / "_io"
        / "data"
        / "sample-portfolio.json"
    )
    target.write_text(bs.portfolio_to_json(portfolio, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(portfolio)} products to {target}")


if __name__ == "__main__":
    main()
