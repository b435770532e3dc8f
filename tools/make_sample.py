"""
Regenerate the sample portfolio shipped in the package.

Every product, incubator, organisation and person here is invented. The
histories go through the public API under the strict beta.gouv.fr rulebook,
so the sample is valid by construction. Run from the project root:

    python tools/make_sample.py
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path

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


def build(rng: random.Random) -> bs.Portfolio:
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
        total = sum(spans)
        start = TODAY - dt.timedelta(
            days=total
            + rng.randint(
                20,
                900
                if path[-1] in ("abandon", "abandon-investigation", "transfere", "opere")
                else 90,
            )
        )
        day = start
        for index, phase in enumerate(path):
            budget = (
                Decimal(rng.choice([150_000, 180_000, 200_000, 250_000]))
                if phase == "construction"
                else None
            )
            startup = lifecycle.apply(
                startup,
                bs.Advance(on=day, to=phase, by=bs.Role.SPONSOR, sponsor_budget_line=budget),
            ).startup
            if phase == "construction" and rng.random() < 0.7:
                launch = day + dt.timedelta(days=rng.randint(40, 90))
                if index + 1 == len(path) or launch < day + dt.timedelta(days=spans[index]):
                    startup = lifecycle.apply(
                        startup, bs.Launch(on=launch, by=bs.Role.INTRAPRENEUR)
                    ).startup
            if index < len(spans):
                committee_day = day + dt.timedelta(days=spans[index] - 1)
                if committee_day > (startup.last_event_date or day):
                    event = bs.CommitteeHeld(
                        on=committee_day,
                        decision=bs.Decision.STOP
                        if path[index + 1].startswith("abandon")
                        else bs.Decision.CONTINUE,
                        phase_change=path[index + 1],
                        comment="Comité d'investissement",
                    )
                    startup = lifecycle.apply(
                        startup, bs.Record(event=event, by=bs.Role.INVESTMENT_COMMITTEE)
                    ).startup
                day += dt.timedelta(days=spans[index])
        startups.append(startup)
    return bs.Portfolio(
        startups=sorted(startups, key=lambda s: s.slug),
        incubators=INCUBATORS,
        organisations=ORGANISATIONS,
        source="betastate sample",
    )


def main() -> None:
    portfolio = build(random.Random(20261129))
    target = (
        Path(__file__).resolve().parent.parent / "src" / "betastate" / "sample" / "portfolio.json"
    )
    target.write_text(bs.portfolio_to_json(portfolio, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(portfolio)} products to {target}")


if __name__ == "__main__":
    main()
