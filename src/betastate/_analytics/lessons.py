"""
Lessons of stopped products: why they stopped, what they learnt, what they left.

One :class:`Lesson` per product that entered a stop phase (``abandon``,
``abandon-investigation``: the rulebook's ``stop`` phases). Its reasons come
from the post-mortem when betastate recorded one; otherwise from the texts
the real data has (the end event's comment, the phases' and events'
comments, the page body) through a transparent classifier: French patterns
(:data:`STOP_PATTERNS`) matched on accent-folded sentences, each match kept
as an :class:`Evidence` with the sentence it rests on. A product whose texts
match no pattern has no reason: it is *unknown*, never guessed.

In the body only the sentences that speak of the stop are read: the
sections whose heading says so (*Abandon*, *Arrêt*, *Fin de
l'investigation*, *Pourquoi...*, *Bilan*...) and the sentences with a stop
cue (*arrêt*, *n'a pas abouti*, *pas de passage en construction*...), with
the few lines that follow one. A body describing the problem ("l'impact sur
les usagers", "le budget des collectivités") is not a stop reason.

Pure Python, no extra needed.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from betastate._engine.state import ordered_entries
from betastate._values.errors import InvalidArgument
from betastate._values.events import CommitteeHeld, Note, PhaseEntered, Stopped
from betastate._values.fields import require_date
from betastate._values.stopping import StopProcedure, StopReason


if TYPE_CHECKING:
    from betastate._analytics.portfolio import Portfolio
    from betastate._rules.rulebook import Rulebook
    from betastate._values.events import Event
    from betastate._values.startup import Startup

UNKNOWN: Final = "unknown"
"""The reason category of a lesson whose texts match no pattern."""

NONE_GROUP: Final = "(none)"

AssetKind = Literal["repository", "link", "product"]
LessonBy = Literal["reason", "stage", "phase", "incubator", "year", "sponsor"]

# -- text ------------------------------------------------------------------------------

_MARKS: Final = re.compile("[\u0300-\u036f]+")
_SPECIAL: Final = re.compile("[\u2019\u2018\u02bc`\u0153\u00e6\u00df]")
_SPECIAL_FOLD: Final = {"\u0153": "oe", "\u00e6": "ae", "\u00df": "ss"}


def fold(text: str) -> str:
    """
    ``text`` lower-cased, accents and ligatures folded, apostrophes straight.

    The patterns and the similarity index compare folded text, so "Arrêt",
    "arret" and "ARRÊT" are one word; typographic apostrophes become ``'``.
    """
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return _SPECIAL.sub(lambda m: _SPECIAL_FOLD.get(m.group(0), "'"), _MARKS.sub("", decomposed))


# Patterns start with a literal where they can: the regex engine then skips ahead fast.
_MD_LINK: Final = re.compile(r"\[([^\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_LINK: Final = re.compile(
    r"<a\s[^>]*?href\s*=\s*[\"']([^\"']*)[\"'][^>]*>(.*?)</a>", re.IGNORECASE | re.DOTALL
)
_URL: Final = re.compile(r"https?://[^\s<>()\[\]\"']+")
_TAG: Final = re.compile(r"<[^>\n]{1,200}>")
_MD_QUOTE: Final = re.compile(r"^[ \t]{0,3}>[ \t]?", re.MULTILINE)
_MD_MARK_CHARS: Final = "*_`|~\\"
"""Markdown emphasis, code, table and escape marks: dropped from prose."""


def links(text: str) -> Iterator[tuple[str, str]]:
    """Every ``(url, anchor text)`` of a markdown or HTML text; bare URLs have no anchor."""
    taken: list[tuple[int, int]] = []
    for match in _MD_LINK.finditer(text):
        taken.append(match.span())
        yield match.group(2), match.group(1).strip()
        for inner in _URL.finditer(match.group(1)):  # "[https://...]()": the URL is the anchor
            yield inner.group(0).rstrip(".,;:!?"), ""
    for match in _HTML_LINK.finditer(text):
        taken.append(match.span())
        yield match.group(1), _TAG.sub("", match.group(2)).strip()
    for match in _URL.finditer(text):
        start = match.start()
        if not any(a <= start < b for a, b in taken):
            yield match.group(0).rstrip(".,;:!?"), ""


def plain(text: str) -> str:
    """
    Markdown or HTML as prose: links become their anchor text, URLs and markup go.

    Link targets never reach the classifier or the similarity index, so a
    product's links to other pages are not evidence of what it is about.
    """
    # Each pass runs only where its pattern can match: most pages have no HTML,
    # quotes or URLs, and a scan without a literal to look for is slow.
    out = _MD_LINK.sub(r"\1", text) if "](" in text else text
    if "<" in out:
        out = _HTML_LINK.sub(r"\2", out)
    if "http" in out:
        out = _URL.sub(" ", out)
    if "<" in out:
        out = _TAG.sub(" ", out)
    if ">" in out:
        out = _MD_QUOTE.sub("", out)
    for mark in _MD_MARK_CHARS:
        if mark in out:
            out = out.replace(mark, "")
    return html.unescape(out)


# -- the classifier -----------------------------------------------------------------------


@attrs.frozen
class StopPattern:
    """
    One rule of the stop-reason classifier: a French phrasing and its category.

    Attributes:
        reason: The category (brief §8.1).
        rule: A stable id, ``<reason>/<name>``, quoted by each :class:`Evidence`.
        pattern: The regular expression, matched on accent-folded lower-case
            text (see :func:`fold`).
        example: A phrase it matches, as the data writes it.

    .. versionadded:: 0.1.0
    """

    reason: StopReason
    rule: str
    pattern: str
    example: str
    _regex: re.Pattern[str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_regex", re.compile(self.pattern))

    def search(self, folded: str) -> re.Match[str] | None:
        """The first match in ``folded`` text, or ``None``."""
        return self._regex.search(folded)


_W: Final = r"(?:[\w'-]+ ){0,%d}"  # up to n words in between
_KINDS: Final = (
    r"(?:juridiques?|reglementaires?|legales?|legaux|techniques?|de securite|d'hebergement|"
    r"organisationnel\w*|institutionnel\w*|politiques?)"
)
_NOT: Final = r"(?:n'|ne )?(?:a|ont|avait|avaient|est|sont|etait|etaient)? ?(?:pas|jamais)"


def _p(reason: StopReason, name: str, pattern: str, example: str) -> StopPattern:
    return StopPattern(reason, f"{reason.value}/{name}", pattern, example)


R = StopReason
STOP_PATTERNS: Final[tuple[StopPattern, ...]] = (
    # -- money
    _p(
        R.NO_FUNDING,
        "lack-of-funding",
        r"\b(?:faute|manque|absence|defaut|fin|arret|perte) (?:de |d'|du |des )"
        r"(?:financements?|budgets?|moyens financiers|credits|fonds|refinancement)",
        "faute de financement",
    ),
    _p(
        R.NO_FUNDING,
        "not-funded",
        r"\bpas (?:pu |reussi a |su )?(?:etre |ete )?(?:re)?finance",
        "les intrapreneurs n'ont pas pu être financés",
    ),
    _p(
        R.NO_FUNDING,
        "no-funding-found",
        r"\b(?:pas|jamais|ni) (?:reussi a |pu )?(?:trouve|obtenu|obtenir|trouver|eu|decroche)r? "
        + (_W % 4)
        + r"(?:financements?|budgets?|credits|fonds|financeurs?|moyens)\b",
        "n'a pas trouvé de financement",
    ),
    _p(
        R.NO_FUNDING,
        "budget-context",
        r"\b(?:contexte|contraintes?|restrictions?|coupes?|arbitrages?|tensions?|baisses?|gel)"
        r" (?:budgetaires?|budgets?|des budgets|des credits)\b",
        "contexte budgétaire tendu",
    ),
    _p(
        R.NO_FUNDING,
        "budget-cut",
        r"\b(?:budgets?|credits|financements?) (?:" + (_W % 4) + r")?(?:a|ont) ete "
        r"(?:reduit|supprime|coupe|gele|divise|retire|non reconduit|arrete)",
        "le budget du ministère a été réduit de moitié",
    ),
    _p(
        R.NO_FUNDING,
        "no-budget-decided",
        r"\b(?:aucune?|pas) " + (_W % 8) + r"n'a (?:arbitre|accorde|alloue|debloque) (?:un |de )?"
        r"(?:budget|financement)",
        "aucune des administrations n'a arbitré un budget",
    ),
    _p(
        R.NO_FUNDING,
        "no-more-funding",
        r"\b(?:plus|pas|sans) (?:de |d')?(?:financements?|budget|credits) (?:pour|disponible)",
        "plus de financement pour la suite",
    ),
    _p(
        R.NO_FUNDING,
        "funding-stopped",
        r"\b(?:arreter|couper|stopper|suspendre|retirer|interrompre|ne pas poursuivre|"
        r"ne pas reconduire) (?:les |le |des |du |son |ses )?"
        r"(?:financements?|budgets?|credits|subventions?)",
        "la DGITM décide d'arrêter les financements du service",
    ),
    _p(
        R.NO_FUNDING,
        "funding-refused",
        r"\b(?:demandes? de )?(?:financements?|budgets?|refinancement) "
        + (_W % 5)
        + r"n'(?:a|ont) pas ete (?:validee?s?|accordee?s?|retenue?s?|obtenue?s?|votee?s?)|"
        r"\bproblematiques? (?:de budget|de financement|budgetaires?)",
        "la demande de financement n'a pas été validée",
    ),
    # -- business side
    _p(
        R.NO_BUSINESS_BACKING,
        "lack-of-backing",
        r"\b(?:absence|manque|defaut|perte|faute) (?:de |d'|du )(?:portage|soutien|sponsors?|"
        r"porteurs?|appui|engagement) ?(?:politique|metier|administratif|hierarchique|"
        r"de la direction|du metier|des directions)?",
        "absence de portage métier",
    ),
    _p(
        R.NO_BUSINESS_BACKING,
        "no-backing-found",
        r"\bpas (?:reussi a |pu )?(?:obtenir|trouver|rallier|convaincre) (?:un |de |d'|le |les )?"
        r"(?:portage|sponsors?|porteurs?|soutien|appui|directions? metier)",
        "la startup n'a pas réussi à obtenir un portage administratif",
    ),
    _p(
        R.NO_BUSINESS_BACKING,
        "sponsor-withdrew",
        r"\b(?:sponsors?|porteurs?|directions?|metiers?|administrations?|commanditaires?|"
        r"partenaires?) " + (_W % 3) + r"(?:ne s'est|ne se sont|n'a|n'ont) (?:pas|plus) "
        r"(?:positionnee?s?|engagee?s?|souhaite|donne suite|arbitre|soutenu|porte|confirme)",
        "le sponsor ne s'est pas positionné sur les scénarios proposés",
    ),
    _p(
        R.NO_BUSINESS_BACKING,
        "priorities",
        r"\b(?:revision|changement|evolution|redefinition|reorientation|modification)s? "
        r"(?:des|de) priorites|\bn'(?:est|etait|etant) (?:pas|plus) (?:la |une )?priorit|"
        r"\bpriorites? (?:ont|a|avaient) change|\bdepriorise",
        "suite à une révision des priorités de la DNE",
    ),
    _p(
        R.NO_BUSINESS_BACKING,
        "not-sponsored",
        r"\bpas (?:pu |ete )?(?:etre )?sponsorise",
        "n'ont pas pu être sponsorisés",
    ),
    _p(
        R.NO_BUSINESS_BACKING,
        "disengagement",
        r"\bdesengagement|\bretrait (?:du|des|de la) (?:sponsor|partenaire|direction|ministere)",
        "désengagement du partenaire",
    ),
    _p(
        R.NO_BUSINESS_BACKING,
        "other-priorities",
        r"\bd'autres priorites|\bjugee? (?:non|peu|pas) prioritaire|\bsponsorship|"
        r"\b(?:complexite|les) priorites (?:du|de la|des) " + (_W % 3) + r"n'ont pas permis",
        "d'autres priorités demandent toute la disponibilité de la ressource",
    ),
    # -- intrapreneur
    _p(
        R.NO_INTRAPRENEUR,
        "intrapreneur-left",
        r"\bdepart (?:de l'|des |de la |du |de notre |de son )?(?:intrapreneu|porteu|"
        r"cheffe? de projet|agent public|referent)|\bintrapreneu\w* (?:est |a |ont |sont )?"
        r"(?:parti|quitte|mute)|\bmutation (?:professionnelle|de l'intrapreneu)",
        "suite au départ de l'intrapreneur après une mutation professionnelle",
    ),
    _p(
        R.NO_INTRAPRENEUR,
        "no-intrapreneur",
        r"\b(?:pas|plus|aucun|absence|manque|sans|faute) (?:de |d')?intrapreneu|"
        r"\b(?:identifier|trouver|liberer|recruter|mobiliser) (?:et liberer )?(?:du temps (?:d'"
        r"|de l')"
        r"|un |une |d'|de l'|l')?intrapreneu",
        "difficultés à identifier et libérer du temps d'intrapreneur",
    ),
    _p(
        R.NO_INTRAPRENEUR,
        "intrapreneur-unavailable",
        r"\b(?:manque|faible|peu|absence|defaut) de disponibilite (?:de l'|des |de son |de notre )?"
        r"intrapreneu|\bdisponibilite (?:de l'|des |de son |de notre )intrapreneu|\bintrapreneu\w* "
        r"(?:est |sont |a ete |ont ete )?(?:engagee?s?|mobilisee?s?|affectee?s?|reaffectee?s?|"
        r"sollicitee?s?|appelee?s?) (?:sur|a|ailleurs|en interne|vers)|\b(?:plus de |davantage de )"
        r"temps d'intrapreneu",
        "le manque de disponibilité de l'intrapreneur a ralenti l'avancement",
    ),
    # -- impact
    _p(
        R.INSUFFICIENT_IMPACT,
        "impact-too-low",
        r"\bimpacts? (?:" + (_W % 2) + r")?(?:insuffisante?s?|trop faibles?|trop limitee?s?|"
        r"faibles?|limitee?s?|non (?:demontree?|averee?|prouvee?)|pas (?:demontree?|suffisante?|"
        r"averee?|prouvee?|au rendez-vous))",
        "un impact insuffisant au regard du coût",
    ),
    _p(
        R.INSUFFICIENT_IMPACT,
        "impact-not-shown",
        r"\b(?:pas|difficulte a|difficultes a|peine a|sans) (?:reussi a |pu |su )?"
        r"(?:demontrer|prouver|montrer|atteindre|mesurer) (?:un |son |l'|d'|leur |de |des )?"
        + (_W % 2)
        + r"(?:impacts?|usages?|utilite|valeur)",
        "la difficulté à démontrer un impact citoyen direct",
    ),
    _p(
        R.INSUFFICIENT_IMPACT,
        "low-usage",
        r"\b(?:faible|insuffisante?|peu d'|manque d'|absence d') ?(?:usage|adoption|utilisation|"
        r"audience|utilisateurs|usagers|traction|deploiement)(?! (?:des|du|de la|de ces) )|\bus"
        r"ages? (?:reste |est |sont )?"
        r"(?:trop )?(?:faibles?|limitee?s?|insuffisante?s?|marginale?s?)",
        "une faible adoption par les agents",
    ),
    _p(
        R.INSUFFICIENT_IMPACT,
        "no-interest",
        r"\b(?:manque|absence|peu) d'(?:interet|appetence|adhesion)|\bpas (?:permis|reussi|pu) "
        + (_W % 8)
        + r"(?:montrer|susciter|rencontrer|trouver) (?:un |son |de |d')?(?:fort |reel )?"
        r"(?:interet|public|marche|usagers|utilisateurs)",
        "n'a pas permis à l'équipe de montrer un fort intérêt",
    ),
    _p(
        R.INSUFFICIENT_IMPACT,
        "results-not-shown",
        r"\bpas (?:demontre|prouve|montre|permis de demontrer) (?:sa |son |leur |de |des )?"
        r"(?:capacite|utilite|valeur|efficacite|resultats?|interet)|\bpas (?:montre|donne|obtenu|"
        r"produit) (?:de |des )?resultats? "
        + (_W % 2)
        + r"(?:encourageants?|probants?|concluants?|"
        r"satisfaisants?)|\bimpacts? " + (_W % 6) + r"(?:s'est|se sont) (?:avere|revele)e?s? "
        r"(?:limite|faible|insuffisant|modeste|decevant)|\b(?:n'etait|n'est) pas concluante?",
        "l'expérimentation n'a pas démontré sa capacité à accélérer l'installation",
    ),
    _p(
        R.INSUFFICIENT_IMPACT,
        "usage-fell",
        r"\busages? (?:a |ont )?(?:chute|baisse|decline|diminue|s'est effondre|devenu\w* (?:qua"
        r"si[- ])?"
        r"nul)|\bactivite (?:est )?devenue? (?:quasi[- ])?nulle|\bdifficulte a (?:acquerir|attirer|"
        r"trouver|toucher|fideliser) (?:des |de |les )?(?:usagers|utilisateurs|clients|publics?)|"
        r"\bpas (?:concluante?|probante?)s?\b",
        "son usage a chuté jusqu'à devenir nul",
    ),
    # -- investigation-stage reasons
    _p(
        R.PROBLEM_NOT_IMPORTANT,
        "problem-minor",
        r"\bprobleme (?:n'est |n'etait |est |etait |s'est revele |reste )?(?:pas |peu |moins |"
        r"trop peu )(?:si |assez |suffisamment |tres )?(?:important|prioritaire|impactant|"
        r"frequent|repandu|significatif|critique|massif|douloureux)",
        "le problème s'est révélé peu fréquent",
    ),
    _p(
        R.PROBLEM_NOT_IMPORTANT,
        "need-not-confirmed",
        r"\bbesoins? (?:n'est |n'etait |n'a |n'ont |ne sont )?(?:pas |peu |non |insuffisamment )"
        r"(?:ete )?(?:avere|confirme|valide|demontre|suffisant|prioritaire|exprime|identifie)|"
        r"\b(?:absence|manque) de (?:besoin|probleme)|\bpas de (?:reel |vrai |veritable )?besoin",
        "le besoin n'a pas été confirmé",
    ),
    _p(
        R.PROBLEM_NOT_IMPORTANT,
        "hypotheses-invalidated",
        r"\bhypothese\w* " + (_W % 4) + r"(?:n'ont|n'a|ne se sont|ne s'est|ne sont|n'est) pas "
        r"(?:ete )?(?:validee?s?|confirmee?s?|verifiee?s?|averee?s?)|\b(?:invalid|infirm)\w* "
        r"(?:les |l'|nos |notre )?hypothese|\bhypothese\w* (?:\w+ )?(?:invalidee?s?|infirmee?s?)",
        "les hypothèses de problème n'ont pas été confirmées",
    ),
    _p(
        R.SOLUTION_EXISTS,
        "tool-exists",
        r"\b(?:outils?|solutions?|services?|produits?|dispositifs?|offres?|logiciels?|"
        r"applications?|plateformes?|sites?) " + (_W % 4) + r"(?:existe|existait|existent|"
        r"existaient|pouvai(?:t|ent)) deja|\b(?:il )?exist(?:e|ait|aient|ent) deja (?:des |un |"
        r"une |"
        r"plusieurs |d'autres |de nombreu\w+ )" + (_W % 2) + r"(?:outils?|solutions?|services?|"
        r"produits?|dispositifs?|offres?|logiciels?|applications?|plateformes?|acteurs?)",
        "un outil existant pouvait déjà répondre à la majorité des besoins",
    ),
    _p(
        R.SOLUTION_EXISTS,
        "existing-tool-answers",
        r"\b(?:outils?|solutions?|logiciels?|services?|produits?|dispositifs?|offres?|systemes?)"
        r" (?:deja )?existante?s? " + (_W % 4) + r"(?:repond|couvr|suffi|permet|pouvai)",
        "le système existant répond déjà aux principaux besoins",
    ),
    _p(
        R.SOLUTION_EXISTS,
        "other-solution",
        r"\b(?:choix|choisi|retenu|privilegie|prefere) (?:d'|de |une |un )?(?:une |un )?"
        r"(?:solution|outil|logiciel|editeur|prestataire) " + (_W % 2) + r"(?:interne|du marche|"
        r"sur etagere|existante?|editeur)|\bsolution (?:sur etagere|du marche)|"
        r"\b(?:deja|mieux) (?:couvert|traite|resolu|pris en charge|adresse)e?s? par|\bdoublon",
        "choix d'une solution en interne plutôt qu'un lancement de startup d'État",
    ),
    _p(
        R.PROBLEM_NOT_IMPORTANT,
        "no-real-problem",
        r"\b(?:pas|peu|ni) (?:un |de |d')?(?:vrai |reel |veritable |grand )?(?:probleme|irritant|"
        r"douleur)s? (?:majeur|important|prioritaire|criant|reel|marque|fort|suffisant)|"
        r"\bpas (?:encore )?(?:considere|percu|vecu|identifie) (?:\w+ ){0,3}comme un probleme|"
        r"\bne (?:semble|semblait) pas (?:etre )?un (?:vrai |reel )?probleme|\bpas d'irritant|"
        r"\b(?:pas permis|ne permet pas|n'a pas permis) " + (_W % 6) + r"(?:justifier|identifier|"
        r"confirmer|demontrer|valider) (?:l'existence d'un |un |le |de )?(?:probleme|besoin)|"
        r"\bn'est pas un besoin (?:\w+ )?(?:sensible|prioritaire|important|fort|reel|criant)|"
        r"\bpas (?:pu|reussi a) identifier (?:de |un |d')?(?:levier|besoin|probleme)|"
        r"\b(?:faibles|petits) volumes",
        "l'hypothèse initiale ne semble pas être un problème réel",
    ),
    _p(
        R.SOLUTION_EXISTS,
        "already-covered",
        r"\bgeneralisation (?:du|d'un|de la|d'une) (?:teleservice|service|outil|solution|"
        r"dispositif|plateforme)|\b(?:initiatives?|projets?|acteurs?|plateformes?) "
        + (_W % 2)
        + r"(?:sont |etaient |est |etait )?deja (?:amorcee?s?|lancee?s?|en cours|en train|"
        r"existante?s?|en developpement|positionnee?s?|presente?s?)|\b(?:nouveau produit|nouvel"
        r" outil|"
        r"nouvelle solution|nouveau service) (?:n'(?:etait|est) pas|pas) "
        r"(?:opportun|pertinent|necessaire|indique|utile)|\bdeja (?:identifiee?s?|couverte?s?|"
        r"traitee?s?|realisee?s?|assuree?s?|inclus\w*) (?:par|avec|grace a|dans)|\b(?:inclut|in"
        r"tegre|"
        r"couvre|absorbe\w*|absorber) (?:bien |deja )?(?:\w+ ){0,3}(?:les |la |le )?fonctionnal"
        r"ites|"
        r"\bcapitaliser sur (?:leurs|les|des) outils",
        "de nombreuses initiatives sont déjà amorcées et un nouveau produit n'était pas opportun",
    ),
    _p(
        R.TOO_MANY_CONSTRAINTS,
        "constraints",
        r"\btrop de contraintes|\b(?:obstacles?|freins?|verrous?|blocages?) "
        + (_W % 1)
        + _KINDS
        + r"|\b(?:en raison|du fait|a cause|face|confrontee?s?|rencontre\w*) (?:de |des |"
        r"aux |a |a des )?"
        + (_W % 3)
        + r"(?:contraintes?|difficultes?|complexites?) "
        + (_W % 1)
        + _KINDS
        + r"|\b(?:contraintes?|difficultes?|complexites?) "
        + (_W % 1)
        + _KINDS
        + r" (?:fortes?|importantes?|majeures?|trop|insurmontables?|bloquantes?)",
        "des contraintes juridiques fortes",
    ),
    _p(
        R.TOO_MANY_CONSTRAINTS,
        "framework-forbids",
        r"\bcadre (?:juridique|reglementaire|legal) (?:ne permet|n'autorise|ne prevoit|"
        r"insuffisant|inadapte|trop)|\bimpossib\w+ " + (_W % 3) + r"(?:juridique|technique|"
        r"legale?|reglementaire)|\ben attente (?:de la mise a disposition|de l'autorisation|"
        r"de l'homologation|de l'agrement|d'un decret|du decret|d'un texte)",
        "en attente de la mise à disposition de l'outil sur SecNumCloud",
    ),
    _p(
        R.COST_IMPACT_TOO_HIGH,
        "cost",
        r"\bcouts? " + (_W % 2) + r"(?:trop (?:eleve|important|lourd)|disproportionne|"
        r"prohibitif|excessif)|\btrop (?:couteu|cher|onereu)|\b(?:rapport|ratio) "
        r"(?:cout|cout-?impact|cout ?/ ?impact|cout-?benefice|cout ?/ ?benefice)|"
        r"\bcouts? par (?:usage|impact|usager|utilisateur|dossier) " + (_W % 2) + r"(?:eleve|"
        r"trop|important)|\binvestissement " + (_W % 2) + r"(?:trop important|disproportionne|"
        r"trop lourd)",
        "un coût trop élevé au regard de l'impact attendu",
    ),
    _p(
        R.OUTSIDE_PROGRAMME_SCOPE,
        "not-for-beta",
        r"\bne rel[e]?v\w* pas (?:de |d')" + (_W % 3) + r"(?:beta|programme|incubat|startups? "
        r"d'etat|approche)|\b(?:hors|en dehors) (?:du |de |d')?(?:cadre|perimetre|champ|"
        r"programme|scope|methode) " + (_W % 2) + r"(?:beta|programme|incubat|startups?)|"
        r"\bautres pistes que (?:celles? )?(?:d'une )?incubation|\bplutot qu'(?:un lancement de |"
        r"une |un )(?:startups? d'etat|incubation)|\bmodele (?:de )?startups? d'etat "
        + (_W % 2)
        + r"(?:n'a pas ete valide|pas adapte|inadapte|pas pertinent)",
        "le comité a orienté le produit vers d'autres pistes que celles d'une incubation",
    ),
    _p(
        R.OUTSIDE_PROGRAMME_SCOPE,
        "continued-elsewhere",
        r"\b(?:poursuit|poursuite|poursuivi\w*|mise en oeuvre|mettre en oeuvre|porte\w*|"
        r"realise\w*|developpe\w*|internalise\w*|repris\w*) " + (_W % 6) + r"(?:en interne|"
        r"par ses (?:propres )?(?:ressources|equipes|moyens)|avec ses ressources internes|"
        r"dans un cadre local|sans l'appui (?:du programme )?(?:beta|de beta)|hors (?:de )?beta)",
        "poursuite dans un cadre local",
    ),
    _p(
        R.TOO_MANY_CONSTRAINTS,
        "incompatible",
        r"\bincompatib\w+ avec|\bdifficultes? d'integration|\bdivergences? (?:methodologiques?|"
        r"techniques?)|\btrop d'incertitudes?",
        "la temporalité de construction est incompatible avec les besoins des utilisateurs",
    ),
    _p(
        R.OUTSIDE_PROGRAMME_SCOPE,
        "run-by-sponsor",
        r"\b(?:reste|restera|continue d'etre) (?:pilotee?|portee?|menee?|geree?)s? "
        r"(?:en autonomie |directement )?par (?:la |le |les |l')|\bpilotee? en autonomie|"
        r"\bproduit numerique (?:n'est|n'etait) pas (?:indique|pertinent|necessaire|adapte)|"
        r"\b(?:pousse|traite|porte|mene|repris|poursuivi|conduit|investigue\w*|sollicitee?s?)e?s? "
        r"(?:\w+ ){0,3}en interne|\bprojet interne|\bpropres ressources|\bpoursuit ses actions|"
        r"\brelev\w* du perimetre (?:du|de la|des|de l')|\bne rentre pas dans les missions|"
        r"\bpas d'accompagnement (?:\w+ ){0,3}de beta|\bsortir de (?:la demarche|l'approche|"
        r"l'incubation) |\bsortir de l'incubation|\bmodele (?:de )?startups? d'etat n'a pas ete "
        r"retenu|\bfin de l'approche startup|\bnon adaptee? a une poursuite au sein de beta",
        "cette initiative reste pilotée par la région et les services concernés",
    ),
    _p(
        R.TEAM_DYSFUNCTION,
        "team-trouble",
        r"\b(?:difficultes?|tensions?|conflits?|problemes?|dysfonctionnements?) "
        + (_W % 6)
        + r"(?:au sein de l'|dans l'|de l'|entre l'|internes? a l')equipe|\bdysfonctionnement|"
        r"\bdeparts? (?:dans|de) l'equipe|\bequipe (?:incomplete|instable|demobilisee|"
        r"sous-dimensionnee)|\bturn-?over",
        "des difficultés liées à la répartition des rôles au sein de l'équipe",
    ),
    _p(
        R.TEAM_DYSFUNCTION,
        "no-team",
        r"\bpas (?:pu |reussi a )?(?:recruter|constituer|stabiliser|staffer) (?:l'|une |d'|"
        r"son |notre )?equipe|\b(?:difficultes?|impossibilite) (?:a|de) (?:recruter|constituer|"
        r"staffer)|\bcapacite d'embauche",
        "réserves sur la capacité d'embauche de freelances",
    ),
    _p(
        R.PROBLEM_VANISHED,
        "problem-gone",
        r"\b(?:problemes?|besoins?) (?:a|ont|avait|avaient) (?:disparu|ete resolu|ete regle)|"
        r"\bn'(?:est|etait) plus (?:d'actualite|pertinente?|necessaire|un probleme|utile)|"
        r"\b(?:fin|suppression|abrogation|disparition|extinction) (?:du|de la|des|de l') "
        r"(?:dispositif|mesure|aide|reglementation|obligation|prime|crise)|\bdevenue?s? "
        r"(?:inutiles?|obsoletes?|caduc|caduques?|sans objet)",
        "le dispositif est devenu sans objet",
    ),
    _p(
        R.SPONSOR_INITIATIVE,
        "sponsor-decided",
        r"\b(?:a la demande|a l'initiative|sur decision|par decision|decision) (?:du |de la |"
        r"des |de l')?(?:sponsors?|administrations?|directions?|ministeres?|commanditaires?|dne|"
        r"dinum|comite|cabinet|prefecture)|\b(?:sponsors?|administrations?|directions?|"
        r"ministeres?|agences?|dne|commanditaires?|comite d'investissement|comite) "
        + (_W % 3)
        + r"(?:a|ont) (?:decide|choisi|souhaite|prefere|oriente|acte|tranche)|"
        r"\brevision des priorites (?:de|du|des) |\bdecision d'arret",
        "décision d'arrêt des développements en comité de fin d'investigation",
    ),
    _p(
        R.SPONSOR_INITIATIVE,
        "not-selected",
        r"\bpas (?:ete |hélas pas ete )?retenue? (?:par|pour) (?:le |la |les )?(?:comite|jury|"
        r"sponsors?|direction|ministere|cour)|\bpas ete retenue? (?:pour debuter|par)|"
        r"\b(?:la |le |l')(?!equipe|intrapreneu)[a-z]{2,12} (?:a )?decid\w* (?:d'arreter|de mettre "
        r"fin|de ne pas|de stopper|de suspendre|d'absorber)|\bl'arbitrage a ete realise",
        "le projet n'a pas été retenu par le comité d'investissement",
    ),
    _p(
        R.TEAM_INITIATIVE,
        "team-decided",
        r"\b(?:l'equipe|nous|l'intrapreneu\w*|les intrapreneu\w*) "
        + (_W % 2)
        + r"(?:avons|a|ont) (?:decide|choisi|propose|recommande|preconise|prefere) (?:de ne pas|"
        r"d'arreter|de mettre fin|l'arret|de stopper|de suspendre|de clore|de sortir|de mettre ce)|"
        r"\b(?:a l'initiative|a la demande|sur (?:proposition|recommandation)) de l'equipe|"
        r"\bl'equipe (?:\w+ ){0,3}(?:a mis|met) fin|\bnous avons (?:decide d'|choisi d')?(?:mis"
        r" fin|"
        r"arrete|stoppe|suspendu)|\bl'equipe decide d'arreter|\bl'equipe a propose (?:\w+ ){0,6}de "
        r"ne pas poursuivre",
        "l'équipe a décidé d'arrêter l'investigation",
    ),
)
"""
The stop-reason classifier: every French phrasing it knows, with its category.

Read it as the classifier's whole definition: a sentence gets a category
when one of its patterns matches the folded sentence; nothing else decides.

.. versionadded:: 0.1.0
"""

del R

_STOP_HEADING: Final = re.compile(
    r"^(?:\W*)(?:abandon|arret|fin d|post[- ]?mortem|pourquoi|bilan|conclusion|apprentissage|"
    r"enseignement|lecon|retour d'experience|retex|decision|cloture|suite |la suite|et apres|"
    r"statut|resultat|ce que nous avons appris|ce qu'on a appris|recommandation|conseil|"
    r"preconisation|sortie|mise en pause|pause)"
)
_LEARN_HEADING: Final = re.compile(
    r"^(?:\W*)(?:apprentissage|enseignement|lecon|retour d'experience|retex|bilan|"
    r"ce que (?:nous avons|l'on a|on a) appris|ce qu'on a appris|ce que nous retenons)"
)
_ADVICE_HEADING: Final = re.compile(
    r"^(?:\W*)(?:recommandation|conseil|preconisation|si c'etait a refaire|pour (?:aller plus"
    r" loin|reprendre|relancer)|reprise|relance)"
)
_WHY_HEADING: Final = re.compile(
    r"^(?:\W*)(?:abandon|arret|fin d|post[- ]?mortem|pourquoi|conclusion|decision|cloture|"
    r"mise en pause|pause)"
)
_PARTS: Final = (("why", _WHY_HEADING), ("learnings", _LEARN_HEADING), ("advice", _ADVICE_HEADING))
_CUE: Final = re.compile(
    r"\barret\b|\barrete\w* (?:le|la|les|l'|en|son|ses|au|apres|faute|suite|car|des|du)\b|"
    r"\babandon|\bsuspendu|\bsuspension|\b(?:mis|mise) en (?:pause|sommeil|veille)|\ben pause|"
    r"\bfin (?:de l'investigation|du projet|de la startup|de l'experimentation|de la phase)|"
    r"\b(?:mettre|mis|met) fin|\bpas (?:ete )?(?:poursuivi|abouti|retenu|reconduit|prolonge)|"
    r"\bne sera pas poursuivi|\bpas (?:donne )?suite|\bpas de passage en|\bpas (?:passe|passer) "
    r"en|\bne passe pas en|\b(?:a|ont) ete fermee?s?|\bfermeture (?:du|de la|de l')|\bko\b|"
    r"\bnon[- ]concluant|\bstoppe|\bclotur|\bn'a pas (?:ete )?(?:valide|confirme)e?|"
    r"\bpoursuite (?:dans|hors|en dehors|sans)|\bne pas poursuivre|\bne (?:sera|seront) pas"
)
_HEADING: Final = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$|^\*\*([^*\n]{2,120})\*\*\s*:?\s*$")
_SENTENCE_END: Final = re.compile(r"(?<=[.!?;])\s+(?=[^\s])|\s+[-•*]\s+(?=[A-ZÀ-Ýa-z])|:\s+-\s+")
_CONTEXT_AFTER: Final = 3
_EXCERPT: Final = 320


def _sentences(text: str) -> list[str]:
    """Sentences and list items of a plain text, stripped, none empty."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip(" \t-•*>#")
        if not stripped:
            continue
        out.extend(part.strip(" \t-•*") for part in _SENTENCE_END.split(stripped))
    return [s for s in out if len(s) > 1]


@attrs.frozen
class _Section:
    heading: str
    level: int
    lines: tuple[str, ...]


def _sections(body: str) -> list[_Section]:
    """The body cut at its headings (markdown ``#`` or a bold line); text before is level 0."""
    sections: list[_Section] = []
    heading, level = "", 0
    lines: list[str] = []
    for line in body.splitlines():
        match = _HEADING.match(line.strip())
        if match is not None:
            sections.append(_Section(heading, level, tuple(lines)))
            if match.group(1):
                heading, level = match.group(2), len(match.group(1))
            else:
                heading, level = match.group(3), 7  # a bold line: below any markdown heading
            lines = []
        else:
            lines.append(line)
    sections.append(_Section(heading, level, tuple(lines)))
    return sections


def _section_text(sections: list[_Section], start: int) -> str:
    """Section ``start`` with its sub-sections (until a heading as high or higher)."""
    level = sections[start].level
    lines = list(sections[start].lines)
    for section in sections[start + 1 :]:
        if 0 < section.level <= level:
            break
        lines.append(section.heading)
        lines.extend(section.lines)
    return "\n".join(lines).strip()


@attrs.frozen
class _BodyParts:
    stop_sentences: tuple[str, ...]
    why: str
    learnings: str
    advice: str


def _read_body(body: str) -> _BodyParts:
    """What a body says about a stop: its sentences with a stop context, and its sections."""
    sections = _sections(body)
    chosen: list[str] = []
    seen: set[str] = set()
    why: list[str] = []
    learn: list[str] = []
    advice: list[str] = []

    def take(sentences: Iterable[str]) -> None:
        for sentence in sentences:
            if sentence not in seen:
                seen.add(sentence)
                chosen.append(sentence)

    for index, section in enumerate(sections):
        heading = fold(plain(section.heading)).strip()
        if heading and _STOP_HEADING.match(heading):
            text = _section_text(sections, index)
            take(_sentences(plain(text)))
            kept = next(
                (part for part, pattern in _PARTS if pattern.match(heading)),
                None,
            )
            if kept is not None:
                {"why": why, "learnings": learn, "advice": advice}[kept].append(text)
        take(_cued(_sentences(plain("\n".join(section.lines)))))
    return _BodyParts(tuple(chosen), "\n\n".join(why), "\n\n".join(learn), "\n\n".join(advice))


def _cued(sentences: list[str]) -> Iterator[str]:
    """The sentences with a stop cue, each with the few that follow it."""
    after = 0
    for sentence in sentences:
        if _CUE.search(fold(sentence)):
            yield sentence
            after = _CONTEXT_AFTER
        elif after:
            yield sentence
            after -= 1


def _excerpt(sentence: str, match: re.Match[str]) -> str:
    """The sentence, cut around the match when it is long."""
    text = " ".join(sentence.split())
    if len(text) <= _EXCERPT:
        return text
    # Folding keeps lengths for the Latin letters French uses: offsets carry over.
    middle = (match.start() + match.end()) // 2
    start = max(0, min(middle - _EXCERPT // 2, len(text) - _EXCERPT))
    cut = text[start : start + _EXCERPT]
    return ("…" if start else "") + cut.strip() + ("…" if start + _EXCERPT < len(text) else "")


@attrs.frozen
class Evidence:
    """
    What one stop-reason classification rests on.

    Attributes:
        reason: The category.
        excerpt: The sentence it was read from, as written (markup removed).
        source: Where that sentence is: ``post-mortem``, ``end-event``,
            ``phase-comment:<phase>``, ``event-comment:<name>`` or ``body``.
        rule: The :data:`STOP_PATTERNS` rule id that matched, or
            ``post-mortem`` for reasons a post-mortem states.

    .. versionadded:: 0.1.0
    """

    reason: StopReason
    excerpt: str
    source: str
    rule: str


def classify(text: str, source: str) -> tuple[Evidence, ...]:
    """
    Every reason the patterns find in ``text``, one :class:`Evidence` per sentence and reason.

    Args:
        text: Plain or markdown text (links become their anchor text).
        source: Where the text comes from, kept in each evidence.

    .. versionadded:: 0.1.0
    """
    return _classify(_sentences(plain(text)), source)


@functools.cache
def _any_pattern() -> re.Pattern[str]:
    """All of :data:`STOP_PATTERNS` at once: a sentence it misses matches none of them."""
    return re.compile("|".join(f"(?:{rule.pattern})" for rule in STOP_PATTERNS))


def _classify(sentences: Iterable[str], source: str) -> tuple[Evidence, ...]:
    found: list[Evidence] = []
    anything = _any_pattern()
    for sentence in sentences:
        folded = " ".join(fold(sentence).split())
        if anything.search(folded) is None:
            continue
        seen: set[StopReason] = set()
        for rule in STOP_PATTERNS:
            if rule.reason in seen:
                continue
            match = rule.search(folded)
            if match is not None:
                seen.add(rule.reason)
                found.append(Evidence(rule.reason, _excerpt(sentence, match), source, rule.rule))
    return tuple(found)


# -- assets ----------------------------------------------------------------------------

_PRODUCT_LINK: Final = re.compile(
    r"^(?:https?://(?:www\.)?beta\.gouv\.fr)?/startups?/([^/?#\s]+?)(?:\.html|\.md)?/?(?:[?#].*)?$",
    re.IGNORECASE,
)
_FORGE: Final = re.compile(
    r"^https?://(?:www\.)?(?:github\.com|gitlab\.com|framagit\.org|codeberg\.org|bitbucket\.org|"
    r"[\w.-]*gitlab[\w.-]*|[\w.-]*forge[\w.-]*|git\.[\w.-]+)/[^\s]+",
    re.IGNORECASE,
)
_REPO_TAIL: Final = re.compile(r"(?:/-/|/tree/|/blob/|/wiki|/issues|/pulls|/releases|[?#]).*$")


@attrs.frozen
class Asset:
    """
    Something a stopped product left that others can reuse.

    Attributes:
        kind: ``repository`` (source code), ``link`` (the public service)
            or ``product`` (another product its page names: a successor, a
            predecessor, a sibling).
        target: The URL, or the other product's slug.
        label: The anchor text or field it was read from.
        source: ``repository`` or ``link`` (the product's fields) or ``body``.

    .. versionadded:: 0.1.0
    """

    kind: AssetKind
    target: str
    label: str = ""
    source: str = "body"


def _clean_url(url: str) -> str:
    return html.unescape(url).strip()


def repository_root(url: str) -> str:
    """A forge URL cut to its repository: no ``/tree/...``, ``/-/...``, ``.git``, final ``/``."""
    cut = _REPO_TAIL.sub("", _clean_url(url)).rstrip("/")
    return cut.removesuffix(".git")


def _aliases(portfolio: Iterable[Startup]) -> dict[str, str]:
    """Old slugs (``redirect_from``) and slugs, lower-cased, to the slug they name now."""
    table: dict[str, str] = {}
    startups = list(portfolio)
    for startup in startups:
        redirects = startup.extra.get("redirect_from")
        for value in redirects if isinstance(redirects, list) else ():
            if isinstance(value, str):
                match = _PRODUCT_LINK.match(value.strip())
                if match is not None:
                    table.setdefault(match.group(1).lower(), startup.slug)
    for startup in startups:
        table[startup.slug.lower()] = startup.slug
    return table


def product_links(
    startup: Startup,
    aliases: Mapping[str, str],
    found: Iterable[tuple[str, str]] | None = None,
) -> tuple[tuple[str, str], ...]:
    """
    ``(slug, anchor)`` of the other products the body links to (``/startups/<slug>.html``).

    Old slugs resolve through the pages' ``redirect_from``; links to the
    product itself and to unknown pages are left out. ``found`` is
    ``links(startup.body)`` when the caller has it.
    """
    out: dict[str, str] = {}
    for url, anchor in links(startup.body) if found is None else found:
        match = _PRODUCT_LINK.match(_clean_url(url))
        if match is None:
            continue
        slug = aliases.get(match.group(1).lower())
        if slug is not None and slug != startup.slug and slug not in out:
            out[slug] = anchor
    return tuple(out.items())


def assets(startup: Startup, aliases: Mapping[str, str]) -> tuple[Asset, ...]:
    """The product's repository and link, then repositories and products its body names."""
    found: list[Asset] = []
    seen: set[str] = set()

    def add(asset: Asset) -> None:
        key = asset.target.lower().rstrip("/")
        if key not in seen:
            seen.add(key)
            found.append(asset)

    if startup.repository and startup.repository.strip():
        add(Asset("repository", repository_root(startup.repository), "repository", "repository"))
    if startup.link and _clean_url(startup.link):
        add(Asset("link", _clean_url(startup.link), "link", "link"))
    body_links = list(links(startup.body))
    for url, anchor in body_links:
        clean = _clean_url(url)
        if _FORGE.match(clean):
            add(Asset("repository", repository_root(clean), anchor, "body"))
    for slug, anchor in product_links(startup, aliases, body_links):
        add(Asset("product", slug, anchor, "body"))
    return tuple(found)


# -- lessons ---------------------------------------------------------------------------


def _tuple_of_str(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


@attrs.frozen(kw_only=True)
class Lesson:
    """
    What one stopped product teaches: when and where it stopped, why, and what it left.

    Attributes:
        slug: The product.
        title: Its name.
        on: The day it entered its stop phase.
        phase: That stop phase (``abandon``, ``abandon-investigation``).
        stage: The phase it stopped from (``investigation``,
            ``construction``...); ``None`` when the stop is its first phase.
        reasons: Reason categories (brief §8.1), in the order first found;
            empty when unknown.
        evidence: What each category rests on (at least one per reason).
        source: ``post-mortem`` (reasons stated by a recorded post-mortem),
            ``text`` (read from comments and body) or ``unknown``.
        why: Why it stopped, in the product's words: the post-mortem's
            ``why_we_stop``, else the end event's comment, the stop phase's
            comment and the body's stop sections.
        learnings: What was learnt (post-mortem, or the body's *Bilan*,
            *Apprentissages*... sections).
        advice: What to do when relaunching (post-mortem, or the body's
            *Recommandations*, *Conseils*... sections).
        assets: Reusable repository, service link and related products.
        incubator: Its incubator.
        sponsors: Its sponsors.
        usertypes: Its user types, as the data writes them.
        procedure: The stop procedure (§8.2), when recorded.
        dormant: Stopped in dormancy (impact proven, no taker).

    .. versionadded:: 0.1.0
    """

    slug: str
    title: str
    on: dt.date
    phase: str
    stage: str | None
    reasons: tuple[StopReason, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    source: Literal["post-mortem", "text", "unknown"] = "unknown"
    why: str = ""
    learnings: str = ""
    advice: str = ""
    assets: tuple[Asset, ...] = ()
    incubator: str | None = None
    sponsors: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    usertypes: tuple[str, ...] = attrs.field(default=(), converter=_tuple_of_str)
    procedure: StopProcedure | None = None
    dormant: bool = False

    @property
    def classified(self) -> bool:
        """Whether at least one reason is known."""
        return bool(self.reasons)

    @property
    def categories(self) -> tuple[str, ...]:
        """The reason values, or ``("unknown",)``: what aggregates count."""
        return tuple(r.value for r in self.reasons) or (UNKNOWN,)

    @property
    def repositories(self) -> tuple[str, ...]:
        """The source-code repositories it left."""
        return tuple(a.target for a in self.assets if a.kind == "repository")

    @property
    def products(self) -> tuple[str, ...]:
        """The other products its page names."""
        return tuple(a.target for a in self.assets if a.kind == "product")


def usertypes(startup: Startup) -> tuple[str, ...]:
    """The product's ``usertypes`` (front matter), stripped; anything but text is skipped."""
    value = startup.extra.get("usertypes")
    if not isinstance(value, list | tuple):
        return ()
    return tuple(v.strip() for v in value if isinstance(v, str) and v.strip())


def _stop_entry(
    startup: Startup, book: Rulebook, on: dt.date | None
) -> tuple[PhaseEntered, str | None] | None:
    """The last stop phase entered on or before ``on``, with the phase it left."""
    entries = [e for e in ordered_entries(startup.in_force, book) if on is None or e.on <= on]
    for index in range(len(entries) - 1, -1, -1):
        entry = entries[index]
        if book.has_phase(entry.phase) and book.phase(entry.phase).stop:
            earlier = next(
                (
                    e.phase
                    for e in reversed(entries[:index])
                    if not (book.has_phase(e.phase) and book.phase(e.phase).stop)
                ),
                None,
            )
            return entry, earlier
    return None


def _comments(
    events: list[Event], stops: list[Stopped], entry: PhaseEntered
) -> list[tuple[str, str]]:
    """``(source, comment)``: the end events', the stop phase's, then the others'."""
    texts = [("end-event", stop.comment) for stop in stops if stop.comment]
    if entry.comment:
        texts.append((f"phase-comment:{entry.phase}", entry.comment))
    for event in events:
        if isinstance(event, PhaseEntered) and event is not entry and event.comment:
            texts.append((f"phase-comment:{event.phase}", event.comment))
        elif isinstance(event, CommitteeHeld | Note) and event.comment:
            name = event.name if isinstance(event, Note) else "committee"
            texts.append((f"event-comment:{name}", event.comment))
    return texts


def lesson(
    startup: Startup,
    rulebook: Rulebook,
    on: dt.date | None = None,
    aliases: Mapping[str, str] | None = None,
) -> Lesson | None:
    """
    The lesson of ``startup`` if it entered a stop phase on or before ``on``, else ``None``.

    .. versionadded:: 0.1.0
    """
    found = _stop_entry(startup, rulebook, on)
    if found is None:
        return None
    entry, stage = found
    events = [e for e in startup.in_force if on is None or e.on <= on]
    stops = [e for e in events if isinstance(e, Stopped)]
    post_mortem = next((s.post_mortem for s in reversed(stops) if s.post_mortem), None)
    last_stop = stops[-1] if stops else None
    texts = _comments(events, stops, entry)
    parts = _read_body(startup.body)
    evidence: tuple[Evidence, ...]
    if post_mortem is not None and post_mortem.reasons:
        excerpt = " ".join(post_mortem.why_we_stop.split()) or " ".join(
            post_mortem.learnings.split()
        )
        evidence = tuple(
            Evidence(reason, excerpt, "post-mortem", "post-mortem")
            for reason in dict.fromkeys(post_mortem.reasons)
        )
        source: Literal["post-mortem", "text", "unknown"] = "post-mortem"
    else:
        collected: list[Evidence] = []
        if post_mortem is not None:
            for field in ("why_we_stop", "learnings", "relaunch_advice"):
                collected.extend(classify(getattr(post_mortem, field), "post-mortem"))
        for where, text in texts:
            collected.extend(classify(text, where))
        collected.extend(_classify(parts.stop_sentences, "body"))
        evidence = tuple(dict.fromkeys(collected))
        source = "text" if evidence else "unknown"
    reasons = tuple(dict.fromkeys(e.reason for e in evidence))
    if post_mortem is not None and post_mortem.why_we_stop.strip():
        why = post_mortem.why_we_stop.strip()
    else:
        said = [text for where, text in texts if where == "end-event" or text == entry.comment]
        why = "\n\n".join([*dict.fromkeys(t.strip() for t in said), plain(parts.why).strip()])
    return Lesson(
        slug=startup.slug,
        title=startup.title,
        on=entry.on,
        phase=entry.phase,
        stage=stage,
        reasons=reasons,
        evidence=evidence,
        source=source,
        why=why.strip(),
        learnings=(post_mortem.learnings if post_mortem else "") or plain(parts.learnings).strip(),
        advice=(post_mortem.relaunch_advice if post_mortem else "") or plain(parts.advice).strip(),
        assets=assets(startup, aliases if aliases is not None else _aliases((startup,))),
        incubator=startup.incubator,
        sponsors=startup.sponsors,
        usertypes=usertypes(startup),
        procedure=last_stop.procedure if last_stop else None,
        dormant=bool(last_stop and last_stop.dormant),
    )


def lessons(
    portfolio: Portfolio, on: dt.date | None = None, rulebook: Rulebook | None = None
) -> tuple[Lesson, ...]:
    """One :class:`Lesson` per product stopped on or before ``on``, in portfolio order."""
    from betastate._analytics.queries import default_rulebook  # noqa: PLC0415  (cycle: analytics uses portfolios)

    require_date(on, "on")
    book = default_rulebook(rulebook)
    aliases = _aliases(portfolio)
    out = []
    for startup in portfolio:
        found = lesson(startup, book, on, aliases)
        if found is not None:
            out.append(found)
    return tuple(out)


# -- aggregates ------------------------------------------------------------------------


def _values(item: Lesson, key: str) -> tuple[str, ...]:
    if key == "reason":
        return item.categories
    if key == "stage":
        return (item.stage or NONE_GROUP,)
    if key == "phase":
        return (item.phase,)
    if key == "incubator":
        return (item.incubator or NONE_GROUP,)
    if key == "year":
        return (str(item.on.year),)
    if key == "sponsor":
        return item.sponsors or (NONE_GROUP,)
    raise InvalidArgument(
        "by",
        key,
        "not a lesson grouping",
        "use 'reason', 'stage', 'phase', 'incubator', 'year' or 'sponsor'",
    )


def reason_counts(
    items: Iterable[Lesson], by: Sequence[LessonBy] = ("reason", "stage")
) -> dict[tuple[str, ...], int]:
    """
    Stopped products counted by reason, stage, incubator, year (any of them, in ``by``'s order).

    A lesson with several reasons counts once under each (and a product
    with several sponsors under each sponsor); one with none counts under
    ``unknown``. Keys are tuples in ``by``'s order, most frequent first.

    .. versionadded:: 0.1.0
    """
    given: object = by  # a lone string is one grouping, not one per letter
    groupings = (given,) if isinstance(given, str) else tuple(map(str, by))
    counts: Counter[tuple[str, ...]] = Counter()
    for item in items:
        keys: list[tuple[str, ...]] = [()]
        for key in groupings:
            keys = [(*prefix, value) for prefix in keys for value in _values(item, key)]
        counts.update(keys)
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def lesson_records(items: Iterable[Lesson]) -> list[dict[str, Any]]:
    """One row per lesson (for DataFrames and JSON)."""
    return [
        {
            "slug": item.slug,
            "title": item.title,
            "on": item.on,
            "year": item.on.year,
            "phase": item.phase,
            "stage": item.stage,
            "incubator": item.incubator,
            "sponsors": ",".join(item.sponsors),
            "usertypes": ",".join(item.usertypes),
            "reasons": ",".join(item.categories),
            "classified": item.classified,
            "source": item.source,
            "repositories": " ".join(item.repositories),
            "products": ",".join(item.products),
            "dormant": item.dormant,
            "why": item.why or None,
            "learnings": item.learnings or None,
            "advice": item.advice or None,
        }
        for item in items
    ]


def reason_records(items: Iterable[Lesson]) -> list[dict[str, Any]]:
    """One row per (lesson, evidence); a lesson without evidence gets one ``unknown`` row."""
    rows: list[dict[str, Any]] = []
    for item in items:
        base = {
            "slug": item.slug,
            "on": item.on,
            "year": item.on.year,
            "phase": item.phase,
            "stage": item.stage,
            "incubator": item.incubator,
        }
        if not item.evidence:
            rows.append(base | {"reason": UNKNOWN, "source": None, "rule": None, "excerpt": None})
        rows.extend(
            base
            | {
                "reason": e.reason.value,
                "source": e.source,
                "rule": e.rule,
                "excerpt": e.excerpt,
            }
            for e in item.evidence
        )
    return rows


# -- the report's section ------------------------------------------------------------------

COLUMNS: Final[Mapping[str, Mapping[str, tuple[str, str]]]] = {
    "lessons": {
        "slug": ("str", "The stopped product."),
        "title": ("str", "Its name."),
        "on": ("date", "Day it entered its stop phase."),
        "year": ("int", "Year of that day."),
        "phase": ("str", "The stop phase (abandon, abandon-investigation)."),
        "stage": ("str", "The phase it stopped from (missing: none before)."),
        "incubator": ("str", "Its incubator."),
        "sponsors": ("str", "Sponsor organisation ids, comma-separated."),
        "usertypes": ("str", "User types, comma-separated."),
        "reasons": ("str", "Reason categories, comma-separated (unknown: none found)."),
        "classified": ("bool", "Whether a reason is known."),
        "source": ("str", "post-mortem, text or unknown."),
        "repositories": ("str", "Reusable repositories, space-separated."),
        "products": ("str", "Other products its page names, comma-separated."),
        "dormant": ("bool", "Stopped in dormancy."),
        "why": ("str", "Why it stopped, in its own words."),
        "learnings": ("str", "What was learnt."),
        "advice": ("str", "Advice for a relaunch."),
    },
    "stop_reasons": {
        "slug": ("str", "The stopped product."),
        "on": ("date", "Day it entered its stop phase."),
        "year": ("int", "Year of that day."),
        "phase": ("str", "The stop phase."),
        "stage": ("str", "The phase it stopped from."),
        "incubator": ("str", "Its incubator."),
        "reason": ("str", "One reason category, or unknown."),
        "source": ("str", "Where the evidence is (end-event, body, ...)."),
        "rule": ("str", "The classifier rule that matched (betastate.STOP_PATTERNS)."),
        "excerpt": ("str", "The sentence the reason rests on."),
    },
}
"""Columns of the lessons tables of :mod:`betastate.frames`: ``{table: {column: (kind, doc)}}``."""

_SECTION_EXAMPLES: Final = 8


def report_section(
    portfolio: Portfolio, on: dt.date | None = None, rulebook: Rulebook | None = None
) -> dict[str, Any]:
    """
    "What the stops teach", as JSON-ready data: counts, the share classified, examples.

    Self-contained so the report can call it as one section (``lessons``).
    """
    items = lessons(portfolio, on, rulebook)
    classified = [item for item in items if item.classified]
    examples = sorted(classified, key=lambda item: (-item.on.toordinal(), item.slug))
    return {
        "stopped": len(items),
        "classified": len(classified),
        "share_classified": round(len(classified) / len(items), 4) if items else None,
        "with_repository": sum(1 for item in items if item.repositories),
        "by_reason": {k[0]: n for k, n in reason_counts(items, ("reason",)).items()},
        "by_stage": {k[0]: n for k, n in reason_counts(items, ("stage",)).items()},
        "by_year": dict(sorted((k[0], n) for k, n in reason_counts(items, ("year",)).items())),
        "examples": [
            {
                "slug": item.slug,
                "on": item.on.isoformat(),
                "stage": item.stage,
                "reasons": list(item.categories),
                "evidence": item.evidence[0].excerpt,
                "source": item.evidence[0].source,
                "repositories": list(item.repositories),
            }
            for item in examples[:_SECTION_EXAMPLES]
        ],
    }


_SECTION_TEXT: Final[Mapping[str, Mapping[str, str]]] = {
    "en": {
        "summary": (
            "{stopped} stopped products; a reason was found for {classified} ({share}), the "
            "others are unknown (never guessed); {repos} left a source-code repository"
        ),
        "stages": "stopped from",
        "reason": "reason",
        "stops": "stops",
    },
    "fr": {
        "summary": (
            "{stopped} produits arrêtés ; une raison a été trouvée pour {classified} ({share}), "
            "les autres sont inconnues (jamais devinées) ; {repos} ont laissé un dépôt de code"
        ),
        "stages": "arrêtés depuis",
        "reason": "raison",
        "stops": "arrêts",
    },
}
"""The section's words in English and French."""


def _section_summary(data: Mapping[str, Any], lang: str) -> str:
    share = data["share_classified"]
    return _SECTION_TEXT[lang]["summary"].format(
        stopped=data["stopped"],
        classified=data["classified"],
        share="-" if share is None else f"{share:.0%}",
        repos=data["with_repository"],
    )


def section_text(data: dict[str, Any], lang: str = "en") -> list[str]:
    """The section as terminal lines, in ``lang`` (``en`` or ``fr``)."""
    from betastate._analytics.related import reason_label  # noqa: PLC0415  (same layer)

    words = _SECTION_TEXT[lang]
    out = [f"  {_section_summary(data, lang)}"]
    out.extend(
        f"  {reason_label(reason, lang):<40} {n:>5}" for reason, n in data["by_reason"].items()
    )
    out.append(
        f"  {words['stages']}: " + ", ".join(f"{k} {n}" for k, n in data["by_stage"].items())
    )
    out.extend(
        f"  - {example['slug']} ({example['on']}, "
        f"{', '.join(reason_label(r, lang) for r in example['reasons'])}):"
        f" \u00ab{example['evidence'][:140]}\u00bb"
        for example in data["examples"]
    )
    return out


def section_html(data: dict[str, Any], image: str = "", lang: str = "en") -> str:
    """The section as HTML in ``lang`` (``image``: an ``<img>`` tag of the stop-reasons plot)."""
    from betastate._analytics.related import reason_label  # noqa: PLC0415  (same layer)

    words = _SECTION_TEXT[lang]
    rows = "".join(
        f'<tr><td>{html.escape(reason_label(reason, lang))}</td><td class="n">{n}</td></tr>'
        for reason, n in data["by_reason"].items()
    )
    examples = "".join(
        f"<li><b>{html.escape(e['slug'])}</b> ({html.escape(e['on'])}, "
        f"{html.escape(', '.join(reason_label(r, lang) for r in e['reasons']))}): "
        f"\u00ab{html.escape(e['evidence'])}\u00bb <i>({html.escape(e['source'])})</i></li>"
        for e in data["examples"]
    )
    return (
        f"<p>{html.escape(_section_summary(data, lang))}.</p>"
        f"<table><tr><th>{words['reason']}</th><th>{words['stops']}</th></tr>{rows}</table>"
        f"{image}<ul>{examples}</ul>"
    )
