"""English and French for the workshop pages: a small catalogue keyed by the English text.

Also the formats a participant reads: numbers, money as reported, partial dates and country
names (from pycountry's ISO 3166 translations, with a few shorter names).
"""

from __future__ import annotations

import gettext
from functools import lru_cache
from typing import Any

import pycountry

LANGUAGES = ("en", "fr")
LANGUAGE_NAMES = {"en": "English", "fr": "Français"}
COOKIE = "btf_workshop_lang"

# French, keyed by the English text used in the code and templates. A missing key falls back to
# English; tests/workshop checks that every text the templates use is here.
FR: dict[str, str] = {
    # the frame
    "Workshop": "Atelier",
    "Behind the Feed": "Behind the Feed",
    "Language": "Langue",
    "Skip to the content": "Aller au contenu",
    "Collection": "Collection",
    "Tour": "Visite",
    "Map": "Carte",
    "Quiz": "Quiz",
    "Cards": "Fiches",
    "Data under {licence}.": "Données sous licence {licence}.",
    # landing
    "The people behind the platforms: a workshop":
        "Les personnes derrière les plateformes : un atelier",
    "Moderators, data labellers, click-farm workers and microworkers keep online platforms "
    "running. Every fact here comes with its source.":
        "Modérateurs, annotateurs de données, petites mains des fermes à clics et "
        "microtravailleurs font tourner les plateformes en ligne. Chaque fait est accompagné de "
        "sa source.",
    "What to show": "Que montrer ?",
    "Showing all platforms ({n}).": "Toutes les plateformes sont affichées ({n}).",
    "Showing the collection {code}: {name}.": "Collection {code} affichée : {name}.",
    "Show all platforms instead": "Afficher plutôt toutes les plateformes",
    "Open a collection": "Ouvrir une collection",
    "Collection code": "Code de la collection",
    "Open": "Ouvrir",
    "Make a collection": "Créer une collection",
    "Pick the platforms for your group and get a short code to share.":
        "Choisissez les plateformes pour votre groupe et obtenez un code court à partager.",
    "Activities": "Activités",
    "One platform per screen, for a projector.":
        "Une plateforme par écran, pour un vidéoprojecteur.",
    "Where the work is done, and where the platforms are based.":
        "Où le travail est fait, et où les plateformes ont leur siège.",
    "Questions on pay, head counts, places and dates, with their sources.":
        "Des questions sur les salaires, les effectifs, les lieux et les dates, avec leurs "
        "sources.",
    "Printable fact cards, one per platform.": "Des fiches imprimables, une par plateforme.",
    "For participants": "Pour les participants",
    "Participants on the same network open this address, or scan the code:":
        "Les participants du même réseau ouvrent cette adresse ou scannent le code :",
    "QR code of this address": "Code QR de cette adresse",
    "This address only works on this computer: start the service with behind-the-feed serve --lan "
    "and open the address it prints.":
        "Cette adresse ne marche que sur cet ordinateur : lancez le service avec "
        "behind-the-feed serve --lan et ouvrez l'adresse qu'il affiche.",
    "Hand out the dataset": "Distribuer les données",
    "The published dataset as JSON": "Les données publiées en JSON",
    "The published dataset as CSV (spreadsheet)": "Les données publiées en CSV (tableur)",
    # collections
    "Platforms": "Plateformes",
    "Name of the collection": "Nom de la collection",
    "for example: Monday group, moderation only":
        "par exemple : groupe du lundi, modération seulement",
    "Create the collection": "Créer la collection",
    "Tick at least one platform.": "Cochez au moins une plateforme.",
    "Unknown platform: {slugs}.": "Plateforme inconnue : {slugs}.",
    "No published claim yet for: {slugs}.": "Pas encore de fait publié pour : {slugs}.",
    "The name is too long (at most {n} characters).":
        "Le nom est trop long ({n} caractères au plus).",
    "Workshop collection": "Collection d'atelier",
    "Your collection is ready": "Votre collection est prête",
    "Code": "Code",
    "Link to share": "Lien à partager",
    "Participants can type the code on the workshop page, or open the link.":
        "Les participants peuvent saisir le code sur la page de l'atelier, ou ouvrir le lien.",
    "Run the activities on this collection": "Lancer les activités sur cette collection",
    "{n} claim": "{n} fait",
    "{n} claims": "{n} faits",
    "{n} platform": "{n} plateforme",
    "{n} platforms": "{n} plateformes",
    # not found
    "Not found": "Introuvable",
    "No collection has the code {code}. Check the code and try again.":
        "Aucune collection n'a le code {code}. Vérifiez le code et réessayez.",
    "This page does not exist.": "Cette page n'existe pas.",
    "Bad request": "Requête incorrecte",
    "This address or form is not right: go back, reload the page and try again.":
        "Cette adresse ou ce formulaire n'est pas correct : revenez en arrière, rechargez la page "
        "et réessayez.",
    "Back to the workshop": "Retour à l'atelier",
    "Nothing to show: no platform here has a published claim yet.":
        "Rien à montrer : aucune plateforme ici n'a encore de fait publié.",
    # tour
    "Platform {n} of {total}": "Plateforme {n} sur {total}",
    "Previous": "Précédent",
    "Next": "Suivant",
    "Owner": "Propriétaire",
    "Based in": "Siège",
    "Use the arrow keys or the space bar to move.":
        "Utilisez les flèches ou la barre d'espace pour avancer.",
    "Documented practices": "Pratiques documentées",
    "Source": "Source",
    "Sources": "Sources",
    "republished copy": "copie republiée",
    "quote in {language}": "citation en {language}",
    # claim facts
    "Company": "Entreprise",
    "Where": "Où",
    "Worldwide or not located": "Monde entier ou lieu non précisé",
    "People": "Personnes",
    "Pay": "Salaire",
    "When": "Quand",
    "Evidence": "Preuve",
    "Platform": "Plateforme",
    "Work": "Travail",
    "{start} to {end}": "de {start} à {end}",
    # kinds and evidence
    "Content moderation": "Modération de contenus",
    "Data labelling": "Annotation de données",
    "Engagement buying": "Achat d'engagement",
    "Microwork": "Microtravail",
    "Company statement": "Déclaration de l'entreprise",
    "Official record": "Document officiel",
    "Investigative journalism": "Journalisme d'enquête",
    "Academic study": "Étude universitaire",
    "Allegation": "Allégation",
    # money and periods
    "{amount} per hour": "{amount} de l'heure",
    "{amount} per day": "{amount} par jour",
    "{amount} per week": "{amount} par semaine",
    "{amount} per month": "{amount} par mois",
    "{amount} per year": "{amount} par an",
    # map
    "World map of the hidden work": "Carte mondiale du travail caché",
    "Countries are shaded by the number of published claims located there. "
    "Lines run from where the work is done to where the platform is based.":
        "Les pays sont colorés selon le nombre de faits publiés qui s'y situent. "
        "Les lignes vont du lieu où le travail est fait au pays où la plateforme a son siège.",
    "Claims located in the country": "Faits situés dans le pays",
    "none": "aucun",
    "Where platforms are based": "Où les plateformes ont leur siège",
    "Work done here for a platform based elsewhere":
        "Travail fait ici pour une plateforme basée ailleurs",
    "{origin} to {target}: {n}": "{origin} vers {target} : {n}",
    "Click a country to list its claims.": "Cliquez sur un pays pour voir ses faits.",
    "Countries": "Pays",
    "Country": "Pays",
    "Claims located there": "Faits situés là",
    "Platforms based there": "Plateformes qui y ont leur siège",
    "{n} claims are worldwide figures or have no country, so they are not on the map.":
        "{n} faits sont des chiffres mondiaux ou sans pays, ils ne figurent donc pas sur la carte.",
    "Back to the map": "Retour à la carte",
    "No published claim is located in this country yet.":
        "Aucun fait publié ne se situe encore dans ce pays.",
    "Map data: Natural Earth, via world-atlas.": "Fond de carte : Natural Earth, via world-atlas.",
    # quiz
    "Questions from the published claims, each with its source.":
        "Des questions tirées des faits publiés, chacune avec sa source.",
    "Presenter mode": "Mode présentateur",
    "One big question at a time for the room; reveal the answer with the space bar or a click.":
        "Une grande question à la fois pour la salle ; révélez la réponse avec la barre "
        "d'espace ou un clic.",
    "Solo mode": "Mode solo",
    "Answer each question on your own device, and see your score at the end.":
        "Répondez à chaque question sur votre appareil, et voyez votre score à la fin.",
    "Questions set {seed}": "Série de questions {seed}",
    "The same set number gives the same questions, on every device.":
        "Le même numéro de série donne les mêmes questions, sur tous les appareils.",
    "Other questions": "D'autres questions",
    "{n} question": "{n} question",
    "{n} questions": "{n} questions",
    "Question {n} of {total}": "Question {n} sur {total}",
    "Show the answer": "Voir la réponse",
    "Check my answer": "Vérifier ma réponse",
    "Pick an answer.": "Choisissez une réponse.",
    "Right!": "Bonne réponse !",
    "Not quite.": "Pas tout à fait.",
    "The answer is {answer}.": "La réponse est {answer}.",
    "Next question": "Question suivante",
    "See my score": "Voir mon score",
    "Your score": "Votre score",
    "{score} out of {total}": "{score} sur {total}",
    "Your answer": "Votre réponse",
    "Play again with other questions": "Rejouer avec d'autres questions",
    "End of the quiz": "Fin du quiz",
    "Not enough published figures here for a quiz.":
        "Pas assez de chiffres publiés ici pour un quiz.",
    "How much pay was reported?": "Quel salaire a été rapporté ?",
    "How many people were reported?": "Combien de personnes ont été mentionnées ?",
    "In which country was this work done?": "Dans quel pays ce travail était-il fait ?",
    "In which year was this observed?": "En quelle année cela a-t-il été constaté ?",
    # participants and the class
    "Join": "Rejoindre",
    "The people behind the platforms": "Les personnes derrière les plateformes",
    "Join the quiz": "Rejoindre le quiz",
    "Start the quiz": "Commencer le quiz",
    "Set number shown on the screen": "Numéro de série affiché à l'écran",
    "Browse": "Parcourir",
    "Class view": "Vue de la classe",
    "Answers from the participants' devices, no names. Kept in memory for this class only; "
    "the page refreshes every few seconds.":
        "Réponses des appareils des participants, sans noms. Gardées en mémoire pour cette "
        "classe seulement ; la page se rafraîchit toutes les quelques secondes.",
    "Question": "Question",
    "Answered": "Réponses",
    "Right": "Justes",
    "Set": "Série",
    "Set number": "Numéro de série",
    "Students join": "Les élèves rejoignent",
    "QR code of the participants' page": "Code QR de la page des participants",
    # the projector tour
    "The strongest facts, one per kind of work":
        "Les faits les plus solides, un par type de travail",
    "More: {n} published claim, with quotes and links":
        "Plus : {n} fait publié, avec citations et liens",
    "More: all {n} published claims, with quotes and links":
        "Plus : les {n} faits publiés, avec citations et liens",
    "Where the work for {platform} is documented": "Où le travail pour {platform} est documenté",
    "What you can do": "Ce que vous pouvez faire",
    "{n} more": "{n} de plus",
    "No action listed yet for this platform.":
        "Aucune action répertoriée pour l'instant pour cette plateforme.",
    "Back to the tour": "Retour à la visite",
    # cards
    "Fact cards": "Fiches",
    "Paper": "Papier",
    "Print these cards from the browser's print menu.":
        "Imprimez ces fiches depuis le menu d'impression du navigateur.",
    "{n} more in the dataset": "{n} de plus dans les données",
}

# Shorter country names where the ISO name is long or inverted ("Korea, Republic of").
SHORT_NAMES = {
    "en": {"RU": "Russia", "CD": "DR Congo", "PS": "Palestine", "FM": "Micronesia",
           "FK": "Falkland Islands", "VA": "Vatican City", "BN": "Brunei", "GB": "United Kingdom",
           "US": "United States"},
    "fr": {"RU": "Russie", "CD": "RD Congo", "PS": "Palestine", "FM": "Micronésie",
           "FK": "Îles Malouines", "VA": "Vatican", "BN": "Brunei", "VE": "Venezuela",
           "CC": "Îles Cocos", "VN": "Viêt Nam"},
}
LANGUAGE_LABELS = {
    "en": {"en": "English", "fr": "French", "de": "German", "es": "Spanish", "pt": "Portuguese"},
    "fr": {"en": "anglais", "fr": "français", "de": "allemand", "es": "espagnol",
           "pt": "portugais"},
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"],
}
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "₹", "JPY": "¥"}
KIND_LABELS = {"moderation": "Content moderation", "labelling": "Data labelling",
               "engagement": "Engagement buying", "microwork": "Microwork"}
EVIDENCE_LABELS = {"company_statement": "Company statement", "official_record": "Official record",
                   "investigative_journalism": "Investigative journalism",
                   "academic_study": "Academic study", "allegation": "Allegation"}
PAY_PERIODS = {"hour": "{amount} per hour", "day": "{amount} per day", "week": "{amount} per week",
               "month": "{amount} per month", "year": "{amount} per year"}


def pick_language(explicit: str | None, remembered: str | None, accept_languages) -> str:
    """?lang= first, then the remembered choice, then the browser's Accept-Language."""
    for wanted in (explicit, remembered):
        wanted = (wanted or "").strip().lower()[:2]
        if wanted in LANGUAGES:
            return wanted
    return accept_languages.best_match(LANGUAGES, default="en")


def translate(language: str, text: str, /, **values: Any) -> str:
    """The text in `language` (English when missing), with `{name}` placeholders filled."""
    if language == "fr":
        text = FR.get(text, text)
    return text.format(**values) if values else text


def plural(language: str, singular: str, several: str, n: int, /, **values: Any) -> str:
    # French takes the singular for 0 and 1, English for 1 only.
    one = n in (0, 1) if language == "fr" else n == 1
    return translate(language, singular if one else several, n=format_number(n, language), **values)


@lru_cache(maxsize=4)
def _iso3166(language: str) -> gettext.NullTranslations:
    if language == "en":
        return gettext.NullTranslations()
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language],
                               fallback=True)


@lru_cache(maxsize=1024)
def country_name(code: str | None, language: str) -> str:
    """A country's usual name in `language`, from its ISO 3166-1 alpha-2 code."""
    if not code:
        return ""
    short = SHORT_NAMES.get(language, {}).get(code)
    if short:
        return short
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    name = getattr(country, "common_name", None) or country.name
    return _iso3166(language).gettext(name)


def language_label(code: str, language: str) -> str:
    return LANGUAGE_LABELS.get(language, {}).get(code, code)


def format_number(value: float | int, language: str, decimals: int | None = None) -> str:
    """1,600 and 1.5 in English; 1 600 and 1,5 in French."""
    if decimals is None:
        decimals = 0 if float(value) == int(value) else 2
    text = f"{value:,.{decimals}f}"
    if language == "fr":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_amount(amount: float, currency: str, language: str) -> str:
    number = format_number(amount, language)
    sign = CURRENCY_SIGNS.get(currency)
    if sign is None:
        return f"{number} {currency}"
    if language == "fr":
        return f"{number}\u00a0{sign}"
    return f"{sign}{number}"


def format_pay(pay: dict[str, Any] | None, language: str) -> str:
    """Pay exactly as reported: amount, currency and period, never converted."""
    if not pay:
        return ""
    amount = format_amount(pay["amount"], pay["currency"], language)
    return translate(language, PAY_PERIODS.get(pay["per"], "{amount}"), amount=amount)


def format_partial_date(value: str | None, language: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD in words: 2022, February 2022, 14 February 2022."""
    if not value:
        return ""
    parts = value.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[language if language in MONTHS else "en"][int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = int(parts[2])
    if language == "fr" and day == 1:
        return f"1er {month} {parts[0]}"
    return f"{day} {month} {parts[0]}"


def format_observed(observed: dict[str, Any] | None, language: str) -> str:
    if not observed:
        return ""
    start = format_partial_date(observed.get("start"), language)
    end = format_partial_date(observed.get("end"), language)
    if end and end != start:
        return translate(language, "{start} to {end}", start=start, end=end)
    return start


def kind_label(kind: str, language: str) -> str:
    return translate(language, KIND_LABELS.get(kind, kind))


def evidence_label(evidence: str, language: str) -> str:
    return translate(language, EVIDENCE_LABELS.get(evidence, evidence))


def format_percent(share: float, language: str) -> str:
    """0.5 as 50% in English, 50 % in French."""
    from babel.numbers import format_percent as babel_percent

    return babel_percent(share, locale=language)
