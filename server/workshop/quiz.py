"""Quiz questions made from published claims with figures: pay, head counts, places, years,
and from the platforms' DSA Article 42 language figures (moderators per official language).

Deterministic: the same scope, seed and language give the same questions, options and order,
so a room and each participant's phone see the same quiz. Wrong answers are plausible by
construction: the reported figure scaled, neighbouring years, other countries of the dataset.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from typing import Any

from . import i18n
from .scope import Scope

QUESTION_KINDS = ("pay", "workers", "place", "year", "moderators")
DEFAULT_COUNT = 10
MAX_COUNT = 30
OPTIONS = 4
SCALE_FACTORS = (0.2, 0.3, 0.5, 2, 3, 5, 10)
YEAR_STEPS = (-3, -2, -1, 1, 2, 3, -4, 4, -5, -6)
# Places often named in this field, for when a small collection has too few countries of its own.
FALLBACK_COUNTRIES = ("BR", "CO", "DE", "ES", "IE", "IN", "KE", "MA", "NG", "PH", "PL", "PT", "US",
                      "VE")
SEED_PATTERN = re.compile(r"^[A-Za-z0-9-]{1,32}$")
PROMPTS = {
    "pay": i18n.N_("How much pay was reported?"),
    "workers": i18n.N_("How many people were reported?"),
    "place": i18n.N_("In which country was this work done?"),
    "year": i18n.N_("In which year was this observed?"),
    "moderators": i18n.N_("How many content moderators did {platform} report for {language} "
                          "in its DSA transparency report ({period})?"),
}


@dataclass
class Question:
    number: int
    kind: str  # one of QUESTION_KINDS
    # The claim in export form; for "moderators", a claim-shaped record of the platform's
    # language figure (its summary says the figure, its one source is the report's).
    claim: dict[str, Any]
    value: Any  # the reported figure: pay dict, head count, country code, year or moderators
    options: list[str]
    answer: int  # index of the right option
    prompt: str = ""
    context: list[tuple[str, str]] = field(default_factory=list)

    @property
    def letters(self) -> list[tuple[str, str]]:
        return [("ABCDEFGH"[i], option) for i, option in enumerate(self.options)]


def valid_seed(text: str | None) -> bool:
    return bool(text and SEED_PATTERN.match(text))


def significant_digits(value: float) -> int:
    """1600 -> 2, 2294 -> 4, 1.5 -> 2, 18.5 -> 3: the precision the figure was reported with."""
    digits = f"{value:.6f}".rstrip("0").rstrip(".").replace(".", "").lstrip("0").rstrip("0")
    return max(1, len(digits))


def round_significant(value: float, digits: int) -> float:
    if value <= 0:
        return 0.0
    exponent = math.floor(math.log10(value))
    return round(value, digits - 1 - exponent)


def _scaled(value: float, rng: random.Random, *, whole: bool) -> list[float]:
    """Three distinct wrong figures: the reported one scaled, with the same precision."""
    digits = significant_digits(value)
    factors = list(SCALE_FACTORS)
    rng.shuffle(factors)
    out: list[float] = []
    for factor in factors:
        candidate = round_significant(value * factor, digits)
        if whole:
            candidate = float(max(1, round(candidate)))
        elif candidate >= 100:
            candidate = float(round(candidate))
        if candidate > 0 and candidate != value and candidate not in out:
            out.append(candidate)
        if len(out) == OPTIONS - 1:
            break
    return out


def _year(claim: dict[str, Any]) -> int | None:
    observed = claim.get("observed") or {}
    start = observed.get("start") or ""
    return int(start[:4]) if start[:4].isdigit() else None


def _latest_year(claims: list[dict[str, Any]]) -> int:
    years = [0]
    for claim in claims:
        observed = claim.get("observed") or {}
        for value in (observed.get("start"), observed.get("end")):
            if value:
                years.append(int(value[:4]))
        years += [int(s["published"][:4]) for s in claim["sources"] if s.get("published")]
    return max(years)


def _language_rows(platform: dict[str, Any]) -> list[dict[str, Any]]:
    """The platform's moderators figures for one language (not the totals), at least one person
    (so three other whole numbers can be offered)."""
    return [row for row in platform.get("moderators") or []
            if row["language"] not in ("total", "none") and row.get("count", 0) >= 1
            and row.get("source")]


def _moderators_record(platform: dict[str, Any], row: dict[str, Any]) -> dict[str, Any]:
    """A language figure in the shape the quiz pages show a claim in: its sentence in each
    language, the period as observed, the report as the one source."""
    def sentence(language: str) -> str:
        return i18n.plural(language,
                           "{platform} reported {n} content moderator for {language} in its DSA "
                           "transparency report ({period}).",
                           "{platform} reported {n} content moderators for {language} in its DSA "
                           "transparency report ({period}).", row["count"],
                           platform=platform["name"],
                           language=i18n.language_label(row["language"], language),
                           period=i18n.format_observed(row["period"], language))

    start = row["period"].get("start") or ""
    return {
        "id": f"{platform['slug']}-moderators-{row['language']}-{start or 'undated'}",
        "kind": "moderation", "summary": sentence("en"),
        "translations": {code: sentence(code) for code in i18n.LANGUAGES if code != "en"},
        "platforms": [platform["slug"]], "vendors": [], "locations": [], "workers": None,
        "workers_basis": None, "pay": None, "observed": row["period"],
        "evidence": "company_statement", "sources": [row["source"]], "responses": [],
        "moderators": row,
    }


def _countries(claim: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys(location["country"] for location in claim["locations"]))


class QuizMaker:
    def __init__(self, scope: Scope, language: str):
        self.scope = scope
        self.language = language
        every = scope.snapshot.export
        self.latest_year = _latest_year(every["claims"])
        pool = {country for claim in every["claims"] for country in _countries(claim)}
        pool |= {p["hq_country"] for p in every["platforms"] if p.get("hq_country")}
        pool |= {v["hq_country"] for v in every["vendors"] if v.get("hq_country")}
        self.country_pool = sorted(pool)

    def candidates(self) -> dict[str, list[dict[str, Any]]]:
        by_kind: dict[str, list[dict[str, Any]]] = {kind: [] for kind in QUESTION_KINDS}
        for claim in self.scope.claims:
            if claim.get("pay"):
                by_kind["pay"].append(claim)
            if claim.get("workers"):
                by_kind["workers"].append(claim)
            if _countries(claim):
                by_kind["place"].append(claim)
            if _year(claim):
                by_kind["year"].append(claim)
        # Drawn only when the collection's platforms report language figures.
        for platform in self.scope.platforms:
            by_kind["moderators"] += [_moderators_record(platform, row)
                                      for row in _language_rows(platform)]
        return by_kind

    def choose(self, rng: random.Random, count: int) -> list[tuple[str, dict[str, Any]]]:
        """Up to `count` (kind, claim) pairs, kinds in turn, each claim once while others remain."""
        pools = self.candidates()
        for kind in QUESTION_KINDS:
            rng.shuffle(pools[kind])
        chosen: list[tuple[str, dict[str, Any]]] = []
        used: set[str] = set()
        for allow_reuse in (False, True):
            progress = True
            while len(chosen) < count and progress:
                progress = False
                for kind in QUESTION_KINDS:
                    if len(chosen) == count:
                        break
                    for claim in pools[kind]:
                        if (kind, claim["id"]) in {(k, c["id"]) for k, c in chosen}:
                            continue
                        if claim["id"] in used and not allow_reuse:
                            continue
                        chosen.append((kind, claim))
                        used.add(claim["id"])
                        progress = True
                        break
        rng.shuffle(chosen)
        return chosen

    def question(self, number: int, kind: str, claim: dict[str, Any],
                 rng: random.Random) -> Question:
        language = self.language
        if kind == "pay":
            pay = claim["pay"]
            wrong = _scaled(float(pay["amount"]), rng, whole=False)
            labels = [i18n.format_pay(pay, language)] + [
                i18n.format_pay({**pay, "amount": amount}, language) for amount in wrong]
            value: Any = pay
        elif kind == "workers":
            wrong = _scaled(float(claim["workers"]), rng, whole=True)
            labels = [i18n.format_number(claim["workers"], language)] + [
                i18n.format_number(int(n), language) for n in wrong]
            value = claim["workers"]
        elif kind == "moderators":
            count = claim["moderators"]["count"]
            wrong = _scaled(float(count), rng, whole=True)
            labels = [i18n.format_number(count, language)] + [
                i18n.format_number(int(n), language) for n in wrong]
            value = count
        elif kind == "place":
            countries = _countries(claim)
            others = [c for c in self.country_pool if c not in countries]
            if len(others) < OPTIONS - 1:
                others += [c for c in FALLBACK_COUNTRIES if c not in countries + others]
            value = countries[0]
            labels = [i18n.country_name(c, language)
                      for c in [value] + rng.sample(others, OPTIONS - 1)]
        else:
            year = _year(claim)
            steps = [year + step for step in YEAR_STEPS if year + step <= self.latest_year]
            value = year
            labels = [str(y) for y in [year] + rng.sample(steps[:6], OPTIONS - 1)]
        order = list(range(len(labels)))
        rng.shuffle(order)
        return Question(
            number=number, kind=kind, claim=claim, value=value,
            options=[labels[i] for i in order], answer=order.index(0),
            prompt=self.prompt(kind, claim), context=self.context(kind, claim),
        )

    def prompt(self, kind: str, claim: dict[str, Any]) -> str:
        if kind != "moderators":
            return i18n.translate(self.language, PROMPTS[kind])
        row = claim["moderators"]
        platform = self.scope.snapshot.platforms[claim["platforms"][0]]
        return i18n.translate(self.language, PROMPTS[kind], platform=platform["name"],
                              language=i18n.language_label(row["language"], self.language),
                              period=i18n.format_observed(row["period"], self.language))

    def context(self, kind: str, claim: dict[str, Any]) -> list[tuple[str, str]]:
        """What the room is told before answering: never the figure being asked."""
        language = self.language
        platforms = self.scope.platforms_of(claim) or [
            self.scope.snapshot.platforms[s] for s in claim["platforms"]
            if s in self.scope.snapshot.platforms]
        lines = [
            (i18n.translate(language, "Platform"), ", ".join(p["name"] for p in platforms)),
            (i18n.translate(language, "Work"), i18n.kind_label(claim["kind"], language)),
        ]
        vendor = self.scope.vendor(claim["vendors"][0] if claim.get("vendors") else None)
        if vendor:
            lines.append((i18n.translate(language, "Company"), vendor["name"]))
        if kind != "place" and claim["locations"]:
            places = []
            for location in claim["locations"]:
                country = i18n.country_name(location["country"], language)
                city = location.get("city")
                places.append(f"{city} ({country})" if city else country)
            lines.append((i18n.translate(language, "Where"), ", ".join(places)))
        if kind != "year" and claim.get("observed"):
            lines.append((i18n.translate(language, "When"),
                          i18n.format_observed(claim["observed"], language)))
        if kind != "workers" and claim.get("workers"):
            lines.append((i18n.translate(language, "People"),
                          i18n.format_number(claim["workers"], language)))
        return lines


def build_quiz(scope: Scope, seed: str, language: str,
               count: int = DEFAULT_COUNT) -> list[Question]:
    """The questions of quiz `seed` on `scope`, in `language`; fewer when figures run out."""
    # Not for secrecy: a str seed gives the same sequence on every machine and Python run.
    rng = random.Random(f"behind-the-feed quiz {seed}")  # noqa: S311
    maker = QuizMaker(scope, language)
    chosen = maker.choose(rng, max(1, min(count, MAX_COUNT)))
    return [maker.question(n, kind, claim, rng) for n, (kind, claim) in enumerate(chosen, 1)]
