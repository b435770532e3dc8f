"""
The texts betastate gives people when a rule breaks, in English and French.

Every refusal or warning the engine and its built-in gates give is a key of
:data:`TEXTS` with a message and a fix in each language, written in plain
words (no code: a developer's hint travels apart, in ``Reason.hint``). A text
names its values as ``{name:kind}`` placeholders, filled from the
``values`` a reason carries, so a reason can be shown again in another
language (:meth:`betastate.Reason.translated`) and a form can read the
numbers and dates themselves.

Kinds: ``date`` (ISO 8601, kept as is), ``money`` (an amount in euros, with
the language's separators), ``pct`` (a share, ``0.5`` is 50 %), ``list``,
``or`` and ``and`` (lists joined for a sentence), ``n`` (a count), and no
kind for plain text.
"""

from __future__ import annotations

import datetime as dt
import enum
import string
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from types import MappingProxyType
from typing import Any, Final, Literal


Lang = Literal["en", "fr"]
"""The languages of betastate's texts."""

LANGUAGES: Final[tuple[Lang, ...]] = ("en", "fr")

Value = str | int | Sequence[str] | Mapping[str, Any]
"""
A value a text names: a string (dates ISO, amounts as digits), a count, names, or words.

Words are a phrase (see :func:`phrase`): ``{"phrase": key, ...its own values}``.
"""

_WORDS: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {"en": {"or": " or ", "and": " and "}, "fr": {"or": " ou ", "and": " et "}}
)
_NBSP: Final = "\u00a0"

TEXTS: Final[Mapping[str, Mapping[str, tuple[str, str]]]] = MappingProxyType(
    {
        # -- the engine's structural rules --------------------------------------------
        "BS-CHRONO": {
            "en": (
                (
                    "{command} for '{slug}' is dated {on:date}, before its last event on "
                    "{last:date}; histories are never reordered."
                ),
                "Date it on or after {last:date}, or retract the later event if it is wrong.",
            ),
            "fr": (
                (
                    "{command} pour « {slug} » est daté du {on:date}, avant son dernier événement, "
                    "le {last:date} ; un historique n'est jamais réordonné."
                ),
                (
                    "Datez-le du {last:date} ou après, ou retirez l'événement postérieur s'il "
                    "est erroné."
                ),
            ),
        },
        "BS-DATE": {
            "en": (
                (
                    "{command} for '{slug}': {name} is {day:date}, outside the dates rulebook "
                    "'{rulebook}' accepts ({low:date} to {high:date})."
                ),
                (
                    "Check the year, or derive a rulebook with other thresholds.earliest_date "
                    "and latest_date."
                ),
            ),
            "fr": (
                (
                    "{command} pour « {slug} » : {name} est le {day:date}, hors des dates que le "
                    "référentiel « {rulebook} » accepte (du {low:date} au {high:date})."
                ),
                (
                    "Vérifiez l'année, ou dérivez un référentiel avec d'autres seuils "
                    "thresholds.earliest_date et latest_date."
                ),
            ),
        },
        "BS-HORIZON": {
            "en": (
                (
                    "{command} for '{slug}' is dated {on:date}, more than {days:n} days after "
                    "today ({today:date})."
                ),
                "Date it by {latest:date}: facts are recorded when they happen.",
            ),
            "fr": (
                (
                    "{command} pour « {slug} » est daté du {on:date}, plus de {days:n} jours après "
                    "aujourd'hui ({today:date})."
                ),
                "Datez-le au plus tard du {latest:date} : un fait s'enregistre quand il a lieu.",
            ),
        },
        "BS-ACTOR": {
            "en": (
                (
                    "{command} for '{slug}' on {on:date} names the role {roles:or}, which "
                    "rulebook '{rulebook}' does not declare."
                ),
                "Use one of {declared:list}, or declare the role in the rulebook.",
            ),
            "fr": (
                (
                    "{command} pour « {slug} » le {on:date} nomme le rôle {roles:or}, que le "
                    "référentiel « {rulebook} » ne déclare pas."
                ),
                "Choisissez parmi {declared:list}, ou déclarez ce rôle dans le référentiel.",
            ),
        },
        "BS-ROLE.decision": {
            "en": (
                (
                    "'{slug}': the {role} may not take the decision '{decision}' ({what} on "
                    "{on:date})."
                ),
                "Have the {allowed:or} take it.",
            ),
            "fr": (
                (
                    "« {slug} » : le rôle {role} ne peut pas prendre la décision « {decision} » "
                    "({what} du {on:date})."
                ),
                "Faites-la prendre par : {allowed:or}.",
            ),
        },
        "BS-ROLE.move": {
            "en": (
                (
                    "'{slug}': the {role} may not decide the move {where} to {target} "
                    "({transition}) on {on:date}."
                ),
                "Have the {deciders:or} decide it.",
            ),
            "fr": (
                (
                    "« {slug} » : le rôle {role} ne peut pas décider le passage {where} vers "
                    "{target} "
                    "({transition}) le {on:date}."
                ),
                "Faites-le décider par : {deciders:or}.",
            ),
        },
        "BS-ROLE.with": {
            "en": (
                (
                    "'{slug}': the move {where} to {target} ({transition}) on {on:date} is "
                    "decided by the {deciders:or}, with the {role}; none of them takes part."
                ),
                "Have the {deciders:or} decide it, with the {role} taking part.",
            ),
            "fr": (
                (
                    "« {slug} » : le passage {where} vers {target} ({transition}) du {on:date} est "
                    "décidé par {deciders:or}, avec le rôle {role} ; aucun d'eux n'y prend part."
                ),
                "Faites-le décider par {deciders:or}, avec la participation du rôle {role}.",
            ),
        },
        "BS-ROLE.alone": {
            "en": (
                (
                    "'{slug}': the move {where} to {target} ({transition}) on {on:date} is a "
                    "joint decision of the {deciders:or} with the {co_deciders:or}; the {role} "
                    "decides it alone."
                ),
                "Name who decides with the {role}: one of {co_deciders:or}.",
            ),
            "fr": (
                (
                    "« {slug} » : le passage {where} vers {target} ({transition}) du {on:date} est "
                    "une décision conjointe de {deciders:or} avec {co_deciders:or} ; le rôle "
                    "{role} la prend seul."
                ),
                "Indiquez qui décide avec le rôle {role} : {co_deciders:or}.",
            ),
        },
        "BS-ROLE.attributed": {
            "en": (
                "'{slug}': the {role} records a {event} on {on:date} attributed to the {author}.",
                "A record is attributed to whoever records it: have the {author} record it.",
            ),
            "fr": (
                (
                    "« {slug} » : le rôle {role} enregistre un {event} du {on:date} attribué au "
                    "rôle {author}."
                ),
                (
                    "Un enregistrement est attribué à qui l'enregistre : faites-le enregistrer par "
                    "le rôle {author}."
                ),
            ),
        },
        "BS-PHASE": {
            "en": (
                (
                    "'{slug}' cannot enter '{target}' on {on:date}: rulebook '{rulebook}' has no "
                    "such phase."
                ),
                "Choose one of {phases:list}.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas entrer dans « {target} » le {on:date} : le référentiel "
                    "« {rulebook} » n'a pas cette phase."
                ),
                "Choisissez parmi {phases:list}.",
            ),
        },
        "N6": {
            "en": (
                (
                    "'{slug}' is in {phase} (a stop) and cannot move to {target} on {on:date}: "
                    "nothing leaves a stop."
                ),
                "Record a takeover before the stop is final, or start a new product.",
            ),
            "fr": (
                (
                    "« {slug} » est en {phase} (un arrêt) et ne peut pas passer à {target} le "
                    "{on:date} : rien ne sort d'un arrêt."
                ),
                (
                    "Enregistrez une reprise avant que l'arrêt soit définitif, ou lancez un "
                    "nouveau "
                    "produit."
                ),
            ),
        },
        "BS-MOVE": {
            "en": (
                (
                    "'{slug}' cannot move to {target} {where} on {on:date}: rulebook '{rulebook}' "
                    "has no such transition."
                ),
                "Move to one of {allowed:or}.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas passer à {target} {where} le {on:date} : le "
                    "référentiel "
                    "« {rulebook} » n'a pas cette transition."
                ),
                "Passez à l'une de ces phases : {allowed:or}.",
            ),
        },
        "BS-MOVE.terminal": {
            "en": (
                (
                    "'{slug}' cannot move to {target} {where} on {on:date}: rulebook '{rulebook}' "
                    "has no such transition."
                ),
                "No move leaves {phase}: it ends the lifecycle.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas passer à {target} {where} le {on:date} : le "
                    "référentiel "
                    "« {rulebook} » n'a pas cette transition."
                ),
                "Aucun passage ne quitte {phase} : cette phase termine le cycle de vie.",
            ),
        },
        "N4": {
            "en": (
                (
                    "'{slug}' already went through {target}; a status appears at most once in a "
                    "history ({transition}, {where} on {on:date})."
                ),
                "Record a pivot in the current phase instead, or keep the earlier entry.",
            ),
            "fr": (
                (
                    "« {slug} » est déjà passé par {target} ; un statut n'apparaît qu'une fois "
                    "dans "
                    "un historique ({transition}, {where} le {on:date})."
                ),
                (
                    "Enregistrez plutôt un pivot dans la phase en cours, ou gardez l'entrée "
                    "précédente."
                ),
            ),
        },
        "BS-TIE": {
            "en": (
                (
                    "'{slug}' cannot enter {target} on {on:date}: {kept} also starts that day and "
                    "rulebook '{rulebook}' keeps {kept} current under its '{tie}' tie rule."
                ),
                "Date the move after {on:date}, or use a rulebook whose tie rule lets it win.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas entrer dans {target} le {on:date} : {kept} commence le "
                    "même jour et le référentiel « {rulebook} » garde {kept} en cours selon sa "
                    "règle d'égalité « {tie} »."
                ),
                (
                    "Datez le passage après le {on:date}, ou utilisez un référentiel dont la règle "
                    "d'égalité le fait gagner."
                ),
            ),
        },
        "N8": {
            "en": (
                (
                    "'{slug}' cannot move from {phase} to {target} on {on:date}: {transition} is "
                    "seen only in legacy data and rulebook '{rulebook}' refuses it."
                ),
                "Use a rulebook that downgrades rule N8 to a warning to allow it.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas passer de {phase} à {target} le {on:date} : "
                    "{transition} n'existe que dans des données anciennes et le référentiel "
                    "« {rulebook} » le refuse."
                ),
                (
                    "Utilisez un référentiel où la règle N8 n'est qu'un avertissement pour "
                    "l'autoriser."
                ),
            ),
        },
        "N1": {
            "en": (
                (
                    "'{slug}': the move {where} to {target} ({transition}) on {on:date} is decided "
                    "at an investment committee, and no committee was held that day."
                ),
                "Decide it at the committee of {on:date}, or record that committee first.",
            ),
            "fr": (
                (
                    "« {slug} » : le passage {where} vers {target} ({transition}) du {on:date} se "
                    "décide en comité d'investissement, et aucun comité ne s'est tenu ce jour-là."
                ),
                "Décidez-le au comité du {on:date}, ou enregistrez d'abord ce comité.",
            ),
        },
        "NI-ONCE": {
            "en": (
                "'{slug}' was already designated a national-impact service on {earlier:date}.",
                "Keep the first designation.",
            ),
            "fr": (
                "« {slug} » a déjà été désigné service à impact national le {earlier:date}.",
                "Gardez la première désignation.",
            ),
        },
        # -- retractions ---------------------------------------------------------------
        "BS-RETRACT.none": {
            "en": (
                "'{slug}' has no event {version:n} to retract (its history has {events:n}).",
                "Name an event by its place in the history, from 1 to {events:n}.",
            ),
            "fr": (
                (
                    "« {slug} » n'a pas d'événement n° {version:n} à retirer (son historique en "
                    "compte {events:n})."
                ),
                "Désignez l'événement par sa place dans l'historique, de 1 à {events:n}.",
            ),
        },
        "BS-RETRACT.twice": {
            "en": (
                (
                    "'{slug}': event {version:n} ({event} on {event_on:date}) was already "
                    "retracted on {retracted_on:date}."
                ),
                "Nothing to do: a retracted event already counts for nothing.",
            ),
            "fr": (
                (
                    "« {slug} » : l'événement n° {version:n} ({event} du {event_on:date}) a déjà "
                    "été retiré le {retracted_on:date}."
                ),
                "Rien à faire : un événement retiré ne compte déjà plus.",
            ),
        },
        "BS-RETRACT.retraction": {
            "en": (
                "'{slug}': event {version:n} is itself a retraction, which stays on record.",
                "Record the fact again if the retraction was wrong.",
            ),
            "fr": (
                (
                    "« {slug} » : l'événement n° {version:n} est lui-même un retrait, qui reste "
                    "consigné."
                ),
                "Enregistrez de nouveau le fait si le retrait était une erreur.",
            ),
        },
        # -- money and committees ---------------------------------------------------------
        "BS-AMOUNT.period": {
            "en": (
                "'{slug}': a period of {months:n} months on {on:date} is empty.",
                "Grant at least one month.",
            ),
            "fr": (
                "« {slug} » : une période de {months:n} mois le {on:date} est vide.",
                "Accordez au moins un mois.",
            ),
        },
        "BS-AMOUNT.grants": {
            "en": (
                "'{slug}': the grant of {on:date} grants nothing.",
                "Give at least one grant, with its source and amount.",
            ),
            "fr": (
                "« {slug} » : le financement du {on:date} n'accorde rien.",
                "Indiquez au moins un financement, avec sa source et son montant.",
            ),
        },
        "BR-03": {
            "en": (
                (
                    "'{slug}': a {kind} decision on {on:date} grants {months:n} months; the "
                    "rulebook's period is {expected}."
                ),
                "Grant {expected}, or say why this period differs.",
            ),
            "fr": (
                (
                    "« {slug} » : une décision « {kind} » le {on:date} accorde {months:n} mois ; "
                    "la période du référentiel est de {expected}."
                ),
                "Accordez {expected}, ou expliquez pourquoi cette période diffère.",
            ),
        },
        "BR-01.period": {
            "en": (
                "'{slug}': the decision on {on:date} opens a period with no money.",
                "Give the period's grants: who funds it, and how much.",
            ),
            "fr": (
                "« {slug} » : la décision du {on:date} ouvre une période sans argent.",
                "Indiquez les financements de la période : qui la finance, et combien.",
            ),
        },
        "BR-01.grant": {
            "en": (
                "'{slug}': no envelope period covers {on:date} to add {amount:money} to.",
                "Open one at a committee (a continue or provisional decision) first.",
            ),
            "fr": (
                (
                    "« {slug} » : aucune période d'enveloppe ne couvre le {on:date} pour y ajouter "
                    "{amount:money}."
                ),
                "Ouvrez-en d'abord une en comité (décision de poursuite ou provisoire).",
            ),
        },
        "BR-01.spend": {
            "en": (
                "'{slug}': no envelope covers {on:date} to charge {amount:money} ({label}) to.",
                "Spend within a period a committee funded, or hold one first.",
            ),
            "fr": (
                (
                    "« {slug} » : aucune enveloppe ne couvre le {on:date} pour y imputer "
                    "{amount:money} ({label})."
                ),
                "Dépensez dans une période financée par un comité, ou tenez-en d'abord un.",
            ),
        },
        "BR-02": {
            "en": (
                (
                    "'{slug}': spending {amount:money} on {on:date} ({label}) exceeds what is left "
                    "of the {start:date} to {end:date} envelope: {remaining:money} of "
                    "{granted:money}."
                ),
                "Spend at most {remaining:money}, or have more granted first.",
            ),
            "fr": (
                (
                    "« {slug} » : dépenser {amount:money} le {on:date} ({label}) dépasse le reste "
                    "de l'enveloppe du {start:date} au {end:date} : {remaining:money} sur "
                    "{granted:money}."
                ),
                "Dépensez au plus {remaining:money}, ou faites d'abord accorder davantage.",
            ),
        },
        "BR-12.share": {
            "en": (
                (
                    "'{slug}': FAST would co-finance {fast:money} of a {total:money} envelope on "
                    "{on:date} ({share:pct}), above the FAST share of {limit:pct}."
                ),
                (
                    "Keep FAST at most {ceiling:money} for this envelope, or have the sponsor "
                    "grant more."
                ),
            ),
            "fr": (
                (
                    "« {slug} » : le FAST cofinancerait {fast:money} d'une enveloppe de "
                    "{total:money} le {on:date} ({share:pct}), au-delà de la part FAST de "
                    "{limit:pct}."
                ),
                (
                    "Limitez le FAST à {ceiling:money} pour cette enveloppe, ou faites accorder "
                    "davantage par le sponsor."
                ),
            ),
        },
        "BR-12.cap": {
            "en": (
                (
                    "'{slug}': {label} co-financing would reach {awarded:money} on {on:date}, "
                    "above the edition's cap of {cap:money}."
                ),
                "Co-finance at most {room:money} more from {label}.",
            ),
            "fr": (
                (
                    "« {slug} » : le cofinancement {label} atteindrait {awarded:money} le "
                    "{on:date}, "
                    "au-delà du plafond de l'édition, {cap:money}."
                ),
                "Cofinancez au plus {room:money} de plus au titre de {label}.",
            ),
        },
        "CC-ATTEND": {
            "en": (
                "'{slug}': the committee on {on:date} lacks mandatory attendees: {missing:list}.",
                "Invite them and list them among the attendees.",
            ),
            "fr": (
                (
                    "« {slug} » : il manque au comité du {on:date} des participants obligatoires : "
                    "{missing:list}."
                ),
                "Invitez-les et inscrivez-les parmi les participants.",
            ),
        },
        "BR-04": {
            "en": (
                (
                    "'{slug}': {days:n} days since the committee of {last:date}; the rulebook "
                    "asks for one at least every {months:n} months (due {due:date})."
                ),
                "Schedule the next committee within the period.",
            ),
            "fr": (
                (
                    "« {slug} » : {days:n} jours depuis le comité du {last:date} ; le référentiel "
                    "en demande un au moins tous les {months:n} mois (attendu le {due:date})."
                ),
                "Programmez le prochain comité dans la période.",
            ),
        },
        "BR-05.exhaustion": {
            "en": (
                (
                    "'{slug}': the committee on {on:date} is {days:n} days before the envelope is "
                    "projected to run out ({exhaustion:date}); it should be at least {minimum:n} "
                    "days before."
                ),
                "Hold it {target:n} days before exhaustion, so orders can be placed in time.",
            ),
            "fr": (
                (
                    "« {slug} » : le comité du {on:date} a lieu {days:n} jours avant l'épuisement "
                    "prévu de l'enveloppe ({exhaustion:date}) ; il devrait avoir lieu au moins "
                    "{minimum:n} jours avant."
                ),
                (
                    "Tenez-le {target:n} jours avant l'épuisement, pour que les commandes "
                    "puissent être passées à temps."
                ),
            ),
        },
        "BR-05.scheduled": {
            "en": (
                (
                    "'{slug}': the next committee is scheduled on {next_on:date}, {days:n} days "
                    "before the envelope ends ({end:date})."
                ),
                "Schedule it by {by:date} ({target:n} days before), {latest:date} at the latest.",
            ),
            "fr": (
                (
                    "« {slug} » : le prochain comité est prévu le {next_on:date}, {days:n} jours "
                    "avant la fin de l'enveloppe ({end:date})."
                ),
                (
                    "Prévoyez-le pour le {by:date} ({target:n} jours avant), le {latest:date} au "
                    "plus tard."
                ),
            ),
        },
        "BR-10": {
            "en": (
                (
                    "'{slug}': the {measure} rose from {before:money} to {now:money} at the "
                    "committee on {on:date}."
                ),
                (
                    "Bring the cost per unit of impact down before the next committee (more users, "
                    "or a smaller envelope)."
                ),
            ),
            "fr": (
                (
                    "« {slug} » : le {measure} est passé de {before:money} à {now:money} au comité "
                    "du {on:date}."
                ),
                (
                    "Faites baisser le coût par unité d'impact avant le prochain comité (plus "
                    "d'usagers, ou une enveloppe plus petite)."
                ),
            ),
        },
        "BR-11": {
            "en": (
                (
                    "'{slug}': no impact-matrix reading {months:n} months after its start "
                    "({start:date})."
                ),
                "Report the impact matrix's readings at this committee.",
            ),
            "fr": (
                (
                    "« {slug} » : aucune mesure de la matrice d'impact {months:n} mois après son "
                    "début ({start:date})."
                ),
                "Présentez les mesures de la matrice d'impact à ce comité.",
            ),
        },
        "BR-14": {
            "en": (
                (
                    "'{slug}': at the committee on {on:date} the budget was published {seen}; it "
                    "is published twice a year (January and June)."
                ),
                "Publish the budget and record its publication.",
            ),
            "fr": (
                (
                    "« {slug} » : au comité du {on:date}, le budget a été publié {seen} ; il se "
                    "publie deux fois par an (janvier et juin)."
                ),
                "Publiez le budget et enregistrez sa publication.",
            ),
        },
        "BR-06.change": {
            "en": (
                (
                    "'{slug}': the committee on {on:date} decides {decision} but also a move to "
                    "{target}."
                ),
                (
                    "Take one decision: stop (the stop phase is implied), or continue or "
                    "provisional with a phase change that is not a stop."
                ),
            ),
            "fr": (
                (
                    "« {slug} » : le comité du {on:date} décide « {decision} » mais aussi un "
                    "passage à {target}."
                ),
                (
                    "Prenez une seule décision : l'arrêt (la phase d'arrêt en découle), ou la "
                    "poursuite ou le provisoire avec un passage qui n'est pas un arrêt."
                ),
            ),
        },
        "BR-06.liquidation": {
            "en": (
                (
                    "'{slug}': a liquidation on {on:date} keeps the product in its phase; it "
                    "cannot also move to {target}."
                ),
                "Decide no phase change now; stop later, in dormancy if no taker is found.",
            ),
            "fr": (
                (
                    "« {slug} » : une liquidation le {on:date} garde le produit dans sa phase ; il "
                    "ne peut pas aussi passer à {target}."
                ),
                (
                    "Ne décidez pas de passage maintenant ; arrêtez plus tard, en dormance si "
                    "aucun repreneur n'est trouvé."
                ),
            ),
        },
        "BR-09.envelope": {
            "en": (
                (
                    "'{slug}': a {decision} envelope on {on:date} after the stop decision that "
                    "ended its funding."
                ),
                "Record a takeover by a new sponsor first.",
            ),
            "fr": (
                (
                    "« {slug} » : une enveloppe « {decision} » le {on:date} après la décision "
                    "d'arrêt qui a mis fin à son financement."
                ),
                "Enregistrez d'abord une reprise par un nouveau sponsor.",
            ),
        },
        "BR-09.grant": {
            "en": (
                (
                    "'{slug}': new money on {on:date} after the stop decision that ended its "
                    "funding."
                ),
                "Record a takeover by a new sponsor first.",
            ),
            "fr": (
                (
                    "« {slug} » : de l'argent nouveau le {on:date} après la décision d'arrêt qui "
                    "a mis fin à son financement."
                ),
                "Enregistrez d'abord une reprise par un nouveau sponsor.",
            ),
        },
        "BR-13": {
            "en": (
                "'{slug}': the period {start:date} to {end:date} crosses 31 December.",
                (
                    "Commit before about 15 December and pay before about 30 November, or split "
                    "the envelope by year."
                ),
            ),
            "fr": (
                "« {slug} » : la période du {start:date} au {end:date} franchit le 31 décembre.",
                (
                    "Engagez (AE) avant le 15 décembre environ et payez (CP) avant le 30 novembre "
                    "environ, ou scindez l'enveloppe par année."
                ),
            ),
        },
        "ST-SAFEGUARD.deadline": {
            "en": (
                (
                    "'{slug}': the liquidation decided on {on:date} has no safeguard deadline "
                    "after it."
                ),
                "Give the date by which a new sponsor must be found.",
            ),
            "fr": (
                (
                    "« {slug} » : la liquidation décidée le {on:date} n'a pas d'échéance de "
                    "sauvegarde postérieure."
                ),
                "Indiquez la date avant laquelle un nouveau sponsor doit être trouvé.",
            ),
        },
        "ST-SAFEGUARD.recovery": {
            "en": (
                "'{slug}': a recovery file on {on:date} without a liquidation decision in force.",
                "Decide the liquidation first, at a committee (a stop for want of budget).",
            ),
            "fr": (
                (
                    "« {slug} » : un dossier de redressement le {on:date} sans décision de "
                    "liquidation en cours."
                ),
                "Décidez d'abord la liquidation en comité (un arrêt faute de budget).",
            ),
        },
        "BR-07": {
            "en": (
                "'{slug}': a provisional envelope ending {end:date} with {seen}.",
                "Schedule the follow-up committee before {end:date}.",
            ),
            "fr": (
                "« {slug} » : une enveloppe provisoire qui finit le {end:date} avec {seen}.",
                "Programmez le comité de suite avant le {end:date}.",
            ),
        },
        "FAST-PHASE": {
            "en": (
                "'{slug}' wins FAST {edition} on {on:date} while in {phase}.",
                "FAST selects products in acceleration: check the phase is recorded.",
            ),
            "fr": (
                "« {slug} » est lauréat FAST {edition} le {on:date} alors qu'il est en {phase}.",
                (
                    "Le FAST sélectionne des produits en accélération : vérifiez que la phase est "
                    "enregistrée."
                ),
            ),
        },
        "ST-TAKEOVER": {
            "en": (
                "'{slug}': nothing to take over on {on:date} ({why}).",
                "A takeover follows a liquidation for want of budget, or a dormancy.",
            ),
            "fr": (
                "« {slug} » : rien à reprendre le {on:date} ({why}).",
                "Une reprise suit une liquidation faute de budget, ou une dormance.",
            ),
        },
        "ST-DOSSIER.takeover": {
            "en": (
                (
                    "'{slug}' is taken over on {on:date} with {count:n} takeover dossier items "
                    "missing: {missing:list}."
                ),
                "Complete the takeover dossier first.",
            ),
            "fr": (
                (
                    "« {slug} » est repris le {on:date} avec {count:n} éléments du dossier de "
                    "reprise manquants : {missing:list}."
                ),
                "Complétez d'abord le dossier de reprise.",
            ),
        },
        "ST-DOSSIER.dormant": {
            "en": (
                (
                    "'{slug}' goes dormant on {on:date} with {count:n} takeover dossier items "
                    "missing: {missing:list}."
                ),
                "Complete the takeover dossier first.",
            ),
            "fr": (
                (
                    "« {slug} » entre en dormance le {on:date} avec {count:n} éléments du dossier "
                    "de reprise manquants : {missing:list}."
                ),
                "Complétez d'abord le dossier de reprise.",
            ),
        },
        "ST-DORMANT": {
            "en": (
                (
                    "'{slug}': dormancy on {on:date} without a liquidation decision (for want of "
                    "budget) before it."
                ),
                "Decide the liquidation at a committee first, or stop without dormancy.",
            ),
            "fr": (
                (
                    "« {slug} » : une dormance le {on:date} sans décision de liquidation (faute de "
                    "budget) auparavant."
                ),
                "Décidez d'abord la liquidation en comité, ou arrêtez sans dormance.",
            ),
        },
        "NI-CRITERIA": {
            "en": (
                "'{slug}': national impact on {on:date} without {missing:list}.",
                "Document every criterion: {criteria:and}.",
            ),
            "fr": (
                "« {slug} » : impact national le {on:date} sans {missing:list}.",
                "Documentez chaque critère : {criteria:and}.",
            ),
        },
        "NI-PHASE": {
            "en": (
                "'{slug}' is designated national-impact on {on:date} while in {phase}.",
                "National impact is expected from acceleration onwards.",
            ),
            "fr": (
                (
                    "« {slug} » est désigné à impact national le {on:date} alors qu'il est en "
                    "{phase}."
                ),
                "L'impact national s'attend à partir de l'accélération.",
            ),
        },
        # -- the built-in gates --------------------------------------------------------------
        "BR-08": {
            "en": (
                (
                    "'{slug}' cannot enter {target} on {on:date}: the sponsor has {seen}, below "
                    "the "
                    "{threshold:money} the rulebook requires."
                ),
                (
                    "Have the sponsor identify a budget line of at least {threshold:money} and "
                    "give "
                    "it with the move."
                ),
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas entrer en {target} le {on:date} : le sponsor a {seen}, "
                    "sous les {threshold:money} que demande le référentiel."
                ),
                (
                    "Faites identifier par le sponsor une ligne budgétaire d'au moins "
                    "{threshold:money} et indiquez-la avec le passage."
                ),
            ),
        },
        "ST-PM": {
            "en": (
                ("'{slug}' cannot stop ({target}) on {on:date} with {seen}: missing {parts:list}."),
                (
                    "Write the post-mortem whole: what was learnt, why the product stops, advice "
                    "for a relaunch, the reasons, and its authors ({authors:and})."
                ),
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas s'arrêter ({target}) le {on:date} avec {seen} : il "
                    "manque {parts:list}."
                ),
                (
                    "Rédigez le post-mortem en entier : ce qui a été appris, pourquoi le produit "
                    "s'arrête, des conseils pour une relance, les raisons, et ses auteurs "
                    "({authors:and})."
                ),
            ),
        },
        "EXIT-PLAN": {
            "en": (
                (
                    "'{slug}' leaves incubation for {target} on {on:date} without a trajectory or "
                    "host organisation."
                ),
                "Give the exit plan: the trajectory, the host and its annual running-cost line.",
            ),
            "fr": (
                (
                    "« {slug} » sort de l'incubation vers {target} le {on:date} sans trajectoire "
                    "ni "
                    "organisation d'accueil."
                ),
                (
                    "Indiquez le plan de sortie : la trajectoire, l'hôte et sa ligne annuelle de "
                    "coûts de fonctionnement."
                ),
            ),
        },
        "BR-15": {
            "en": (
                (
                    "'{slug}' leaves incubation for {target} on {on:date} without an annual "
                    "running-cost line in the host's budget."
                ),
                "Record the host's annual budget line for running the service.",
            ),
            "fr": (
                (
                    "« {slug} » sort de l'incubation vers {target} le {on:date} sans ligne "
                    "annuelle "
                    "de coûts de fonctionnement dans le budget de l'hôte."
                ),
                (
                    "Indiquez la ligne budgétaire annuelle de l'hôte pour faire fonctionner le "
                    "service."
                ),
            ),
        },
        "N7": {
            "en": (
                (
                    "'{slug}' enters consolidation on {on:date} without demonstrating "
                    "{missing:list}."
                ),
                "Demonstrate {missing:and} and list them with the move.",
            ),
            "fr": (
                (
                    "« {slug} » entre en consolidation le {on:date} sans avoir démontré "
                    "{missing:list}."
                ),
                "Démontrez {missing:and} et indiquez-les avec le passage.",
            ),
        },
        "gate.event_within": {
            "en": (
                (
                    "'{slug}' cannot move to {target} on {on:date} ({transition}): no '{event}'"
                    "{who} between {earliest:date} and {on:date} ({description})."
                ),
                "Record the '{event}' first{by_whom}.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas passer à {target} le {on:date} ({transition}) : aucun "
                    "« {event} »{who} entre le {earliest:date} et le {on:date} ({description})."
                ),
                "Enregistrez d'abord le « {event} »{by_whom}.",
            ),
        },
        "gate.min_amount": {
            "en": (
                (
                    "'{slug}' cannot move to {target} on {on:date} ({transition}) with {seen}; the "
                    "rulebook asks for at least {minimum:money} (gate '{gate}')."
                ),
                "Give an amount of at least {minimum:money}.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas passer à {target} le {on:date} ({transition}) avec "
                    "{seen} ; le référentiel demande au moins {minimum:money} (condition "
                    "« {gate} »)."
                ),
                "Indiquez un montant d'au moins {minimum:money}.",
            ),
        },
        "gate.committee_held": {
            "en": (
                (
                    "'{slug}' cannot move to {target} on {on:date} ({transition}): no committee "
                    "was "
                    "held that day (gate '{gate}')."
                ),
                "Decide it at the committee of {on:date}, or record that committee first.",
            ),
            "fr": (
                (
                    "« {slug} » ne peut pas passer à {target} le {on:date} ({transition}) : aucun "
                    "comité ne s'est tenu ce jour-là (condition « {gate} »)."
                ),
                "Décidez-le au comité du {on:date}, ou enregistrez d'abord ce comité.",
            ),
        },
    }
)
"""Text key → language → (message, fix) templates."""

PHRASES: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        # Small phrases a text takes as a value (``where``, ``seen``...), in each language.
        "as-first-phase": {"en": "as its first phase", "fr": "(première phase)"},
        "from-phase": {"en": "from {phase}", "fr": "depuis {phase}"},
        "no-budget-line": {"en": "no budget line", "fr": "aucune ligne budgétaire"},
        "a-budget-line": {
            "en": "a budget line of {amount:money}",
            "fr": "une ligne budgétaire de {amount:money}",
        },
        "no-post-mortem": {"en": "no post-mortem", "fr": "aucun post-mortem"},
        "an-incomplete-post-mortem": {
            "en": "an incomplete post-mortem",
            "fr": "un post-mortem incomplet",
        },
        "never": {"en": "never", "fr": "jamais"},
        "no-phase": {"en": "no phase yet", "fr": "aucune phase encore"},
        "last-on": {"en": "last on {on:date}", "fr": "pour la dernière fois le {on:date}"},
        "no-next-committee": {"en": "no next committee", "fr": "aucun comité suivant"},
        "next-committee-on": {
            "en": "the next committee on {on:date}",
            "fr": "le comité suivant le {on:date}",
        },
        "stopped-for-good": {"en": "stopped for good", "fr": "arrêté définitivement"},
        "no-liquidation-or-dormancy": {
            "en": "no liquidation or dormancy",
            "fr": "ni liquidation ni dormance",
        },
        "months": {"en": "{n:n} months", "fr": "{n:n} mois"},
        "months-range": {"en": "{low:n} to {high:n} months", "fr": "{low:n} à {high:n} mois"},
        "no-label": {"en": "no label", "fr": "sans libellé"},
        "no-field": {"en": "no {field}", "fr": "aucun {field}"},
        "field-of": {"en": "{field} of {amount:money}", "fr": "{field} de {amount:money}"},
        "cost-per-use": {"en": "cost per use", "fr": "coût par usage"},
        "part-learnings": {"en": "what was learnt", "fr": "ce qui a été appris"},
        "part-why_we_stop": {"en": "why it stops", "fr": "pourquoi il s'arrête"},
        "part-relaunch_advice": {
            "en": "advice for a relaunch",
            "fr": "des conseils pour une relance",
        },
        "part-reasons": {"en": "the reasons", "fr": "les raisons"},
        "part-author": {"en": "the {role} as an author", "fr": "le rôle {role} parmi les auteurs"},
        "cost-per-impact": {"en": "cost per impact", "fr": "coût par impact"},
        "recorded-by": {"en": " recorded by {roles:or}", "fr": " enregistré par {roles:or}"},
        "by-a": {"en": ", by a {role}", "fr": ", par un {role}"},
    }
)
"""Phrase key → language → template: the words a text takes as a value."""


class _Formatter(string.Formatter):
    """Fills ``{name:kind}`` placeholders in the language of the text."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, Mapping) and "phrase" in value:  # words, in this text's language
            words = {k: v for k, v in value.items() if k != "phrase"}
            return self.vformat(PHRASES[str(value["phrase"])][self.lang], (), words)
        if format_spec in _JOINS and not isinstance(value, str):
            items = [self.format_field(item, "") for item in value]
            word = _JOINS[format_spec]
            if word is None or len(items) < 2:  # noqa: PLR2004  (a pair and more join in words)
                return ", ".join(items)
            return ", ".join(items[:-1]) + _WORDS[self.lang][word] + items[-1]
        kind = _KINDS.get(format_spec)
        if kind is not None:
            return str(kind(value, self.lang))
        return str(super().format_field(value, format_spec))


def money(value: Any, lang: str) -> str:
    """An amount in euros with the separators of ``lang`` (``1,234.5 €``, ``1 234,5 €``)."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = f"{amount:,f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
    if lang == "fr":
        return f"{text.replace(',', _NBSP).replace('.', ',')}{_NBSP}€"
    return f"{text} €"


def _percent(value: Any, lang: str) -> str:
    try:
        share = float(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{share:.0%}".replace("%", f"{_NBSP}%") if lang == "fr" else f"{share:.0%}"


def plain(value: Any) -> Any:
    """``value`` as JSON-safe data: dates ISO, amounts as digits, lists, words as phrases."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def render(key: str, lang: str, values: Mapping[str, Any]) -> tuple[str, str]:
    """
    The message and the fix of text ``key`` in ``lang``, with ``values`` filled in.

    Raises:
        KeyError: ``key`` is no text, or ``lang`` no language of it.
    """
    message, fix = TEXTS[key][lang]
    formatter = _Formatter(lang)
    return formatter.vformat(message, (), values), formatter.vformat(fix, (), values)


def phrase(key: str, **values: Any) -> dict[str, Any]:
    """
    A value that is words rather than a number or a name: a phrase of :data:`PHRASES`.

    It is kept as ``{"phrase": key, ...}`` and put in words in the language
    the text is shown in, so that a reason can be shown again in another.
    """
    return {"phrase": key, **plain(values)}


_JOINS: Final[Mapping[str, str | None]] = MappingProxyType({"list": None, "or": "or", "and": "and"})
"""List kinds and the word that joins their last two items."""

_KINDS: Final[Mapping[str, Any]] = MappingProxyType(
    {
        "": lambda value, _lang: str(value),
        "date": lambda value, _lang: str(value),
        "n": lambda value, _lang: str(value),
        "money": money,
        "pct": _percent,
    }
)
"""Placeholder kind → how a value of that kind is written in a language."""


def placeholders(template: str) -> set[str]:
    """The names a template fills (for the tests that keep languages in step)."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}
