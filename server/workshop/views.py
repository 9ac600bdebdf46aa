"""The workshop's pages. Views read the request, call one function or operation, and render."""

from __future__ import annotations

import io
import secrets
from typing import Any

import pycountry
from flask import (
    Response,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import HTTPException

from .. import index, operations
from ..db import get_session
from ..extensions import limiter
from . import bp, classroom, i18n
from .classroom import CLASS_HOURS
from .operations import CollectionError, create_collection
from .quiz import DEFAULT_COUNT, build_quiz, valid_seed
from .scope import DEFAULT_NAME, CollectionInfo, Scope, find_collection, normalise_code
from .worldmap import claims_in, legend_ranges, world_map

KIND_ORDER = ("moderation", "labelling", "engagement", "microwork")
CARD_CLAIMS = 4
PAPERS = ("a4", "letter")


# --- request set-up ------------------------------------------------------------------------------


@bp.before_request
def _choose_language_and_scope() -> None:
    g.lang = i18n.pick_language(request.args.get("lang"), request.cookies.get(i18n.COOKIE),
                                request.accept_languages)
    g.collection = None
    typed = request.args.get("c")
    if typed is not None and typed.strip():
        code = normalise_code(typed)
        g.collection = find_collection(get_session(), code)
        if g.collection is None:
            g.missing_code = code
            abort(404)


@bp.after_request
def _remember_language(response: Response) -> Response:
    # The security headers (CSP without unsafe-inline, nosniff, ...) come from server.security.
    response.vary.update(("Accept-Language", "Cookie"))
    explicit = (request.args.get("lang") or "").strip().lower()
    if explicit in i18n.LANGUAGES:
        response.set_cookie(i18n.COOKIE, explicit, max_age=365 * 24 * 3600, path="/workshop",
                            samesite="Lax", httponly=True,
                            secure=bool(request.is_secure))
    return response


@bp.errorhandler(404)
@bp.errorhandler(400)
def _error_page(error: HTTPException):
    if "lang" not in g:
        g.lang = i18n.pick_language(request.args.get("lang"), request.cookies.get(i18n.COOKIE),
                                    request.accept_languages)
        g.collection = None
    missing = g.get("missing_code")
    if missing:
        message = _("No collection has the code {code}. Check the code and try again.",
                    code=missing)
        g.collection = None
    elif error.code == 404:
        message = _("This page does not exist.")
    else:  # a form sent twice or from an old page, or an address edited by hand
        message = _("This address or form is not right: go back, reload the page and try again.")
    return render_template("workshop/error.html", message=message,
                           title=_("Not found") if error.code == 404 else _("Bad request")
                           ), error.code


@bp.route("/<path:anything>")
def _unknown(anything: str):
    abort(404)


# --- helpers for views and templates -------------------------------------------------------------


def _(text: str, /, **values: Any) -> str:
    return i18n.translate(g.lang, text, **values)


def ngettext(singular: str, several: str, n: int, /, **values: Any) -> str:
    return i18n.plural(g.lang, singular, several, n, **values)


def scope() -> Scope:
    if "scope" not in g:
        g.scope = Scope(index.current(), g.get("collection"))
    return g.scope


def wurl(endpoint: str, **values: Any) -> str:
    """url_for that keeps the current collection and an explicitly chosen language."""
    collection: CollectionInfo | None = g.get("collection")
    if "c" not in values and collection is not None:
        values["c"] = collection.code
    if "lang" not in values and (request.args.get("lang") or "").lower() in i18n.LANGUAGES:
        values["lang"] = g.lang
    return url_for(endpoint, **{k: v for k, v in values.items() if v is not None})


def lang_url(language: str) -> str:
    """This page in another language."""
    if request.method != "GET":  # the page a form post showed, as a link can reach it
        if request.endpoint == "workshop.quiz_solo":
            return wurl("workshop.quiz_solo", set=quiz_set(request.form),
                        answers=request.form.get("answers") or None, lang=language)
        if request.endpoint == "workshop.create_collection_view":
            return wurl("workshop.new_collection", lang=language)
    if request.endpoint is None or request.method != "GET" or request.endpoint.endswith("_unknown"):
        return url_for("workshop.landing", lang=language)
    args = request.args.to_dict()
    args["lang"] = language
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def present(claim: dict[str, Any]) -> dict[str, Any]:
    """A claim as a page shows it, in the reader's language."""
    lang = g.lang
    view = scope().snapshot.claim_view(claim, lang)
    places = []
    for location in claim["locations"]:
        country = i18n.country_name(location["country"], lang)
        places.append(f"{location['city']} ({country})" if location.get("city") else country)
    facts = []
    if view["vendors"]:
        facts.append((_("Company"), ", ".join(v["name"] for v in view["vendors"])))
    facts.append((_("Where"), ", ".join(places) or _("Worldwide or not located")))
    if claim.get("workers"):
        facts.append((_("People"), i18n.format_workers(claim["workers"],
                                                      claim.get("workers_basis"), lang)))
    if claim.get("pay"):
        facts.append((_("Pay"), i18n.format_pay_qualified(claim["pay"], lang)))
    if claim.get("observed"):
        facts.append((_("When"), i18n.format_observed(claim["observed"], lang)))
    facts.append((_("Evidence"), i18n.evidence_label(claim["evidence"], lang)))
    sources = [_source_view(source, lang) for source in claim["sources"]]
    # What the company said in reply, beside the allegation; "no reply reported" says that
    # none is known to us, not that the company stayed silent.
    replies = [{"by": r["by"], "summary": r["summary"], "summary_lang": r["language"],
                "source": _source_view(r["source"], lang)} for r in view["responses"]]
    return {
        "id": claim["id"], "kind": claim["kind"],
        "kind_label": i18n.kind_label(claim["kind"], lang),
        "summary": view["summary"], "summary_lang": view["language"], "facts": facts,
        "sources": sources, "replies": replies,
        "allegation": claim["evidence"] == "allegation",
        "platforms": [p["name"] for p in scope().platforms_of(claim)],
    }


def _http(url: str | None) -> str | None:
    return url if url and url.lower().startswith(("http://", "https://")) else None


def _source_view(source: dict[str, Any], lang: str) -> dict[str, Any]:
    return {
        **source,
        "url": _http(source.get("url")),
        "archive_url": _http(source.get("archive_url")),
        "published_text": i18n.format_partial_date(source.get("published"), lang),
        "language_text": i18n.language_label(source.get("language") or "en", lang),
    }


def _newest_first(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By the start of the period observed, newest first (then by id, for a stable order)."""
    by_id = sorted(claims, key=lambda c: c["id"])
    return sorted(by_id, key=lambda c: (c.get("observed") or {}).get("start") or "", reverse=True)


def _by_kind(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Grouped by kind of work (moderation first), newest first within a kind."""
    return sorted(_newest_first(claims), key=lambda c: KIND_ORDER.index(c["kind"])
                  if c["kind"] in KIND_ORDER else len(KIND_ORDER))


@bp.context_processor
def _template_helpers() -> dict[str, Any]:
    lang = g.get("lang", "en")
    return {
        "_": _, "ngettext": ngettext, "lang": lang, "wurl": wurl, "lang_url": lang_url,
        "languages": i18n.LANGUAGES, "language_names": i18n.LANGUAGE_NAMES,
        "collection": g.get("collection"),
        "participant": g.get("participant", False),
        "collection_name": lambda info: info.name if info.named else _(DEFAULT_NAME),
        "country_name": lambda code: i18n.country_name(code, lang),
        "kind_label": lambda kind: i18n.kind_label(kind, lang),
        "number": lambda value: i18n.format_number(value, lang),
        "licence": index.LICENCE,
        "colon": "\u00a0:" if lang == "fr" else ":",  # French sets a space before a colon
    }


# --- landing and collections ---------------------------------------------------------------------


def participants_url(quiz_set: str | None = None) -> str:
    """The address participants open (their page, with the collection and the quiz set): from
    BTF_PUBLIC_URL (set by `serve` to the address it listens on), never from the request's Host
    header, which any client can set."""
    from urllib.parse import urlencode

    collection = g.get("collection")
    query = {"c": collection.code if collection else None, "set": quiz_set or None}
    text = urlencode({k: v for k, v in query.items() if v})
    base = current_app.config.get("BTF_PUBLIC_URL") or ""
    return f"{base}/workshop/join" + (f"?{text}" if text else "")


def _only_this_computer() -> bool:
    from urllib.parse import urlsplit

    host = urlsplit(current_app.config.get("BTF_PUBLIC_URL") or "").hostname
    return host in (None, "127.0.0.1", "localhost", "::1")


@bp.route("/")
def landing():
    current = scope()
    return render_template(
        "workshop/landing.html", scope=current, address=participants_url(),
        loopback=_only_this_computer(),
    )


@bp.route("/qr.svg")
def qr_code():
    import segno

    buffer = io.BytesIO()
    number = quiz_set()
    address = participants_url(number if valid_seed(number) else None)
    segno.make(address, error="m").save(buffer, kind="svg", scale=8, border=2, xmldecl=False,
                                        dark="#111", light="#fff")
    return Response(buffer.getvalue(), mimetype="image/svg+xml",
                    headers={"Cache-Control": "no-store"})


@bp.route("/join")
def join():
    """The participants' page: join a quiz by its set number, browse the collection, the map."""
    g.participant = True
    number = quiz_set()
    return render_template("workshop/join.html", scope=scope(),
                           seed=number if valid_seed(number) else None)


@bp.route("/collections/new")
def new_collection():
    g.collection = None
    return render_template("workshop/collection_form.html", scope=Scope(index.current()),
                           errors={}, chosen=set(request.args.getlist("p")), name="")


@bp.route("/collections", methods=["POST"])
@limiter.limit(lambda: current_app.config["BTF_COLLECTION_LIMIT"])
def create_collection_view():
    g.collection = None
    name = request.form.get("name", "")
    slugs = request.form.getlist("platforms")
    session = get_session()
    try:
        collection = create_collection(session, name, slugs)
    except CollectionError as exc:
        operations.rollback(session)
        errors = {key: _(message, **values) for key, (message, values) in exc.fields.items()}
        return render_template("workshop/collection_form.html", scope=Scope(index.current()),
                               errors=errors, chosen=set(slugs), name=name), 400
    operations.commit(session)
    return redirect(wurl("workshop.collection", code=collection.code), code=303)


@bp.route("/collections/<code>")
def collection(code: str):
    normalised = normalise_code(code)
    found = find_collection(get_session(), normalised)
    if found is None:
        g.missing_code = normalised
        abort(404)
    if normalised != code:
        return redirect(wurl("workshop.collection", code=normalised))
    g.collection = found
    return render_template("workshop/collection.html", scope=scope(),
                           address=participants_url())


# --- tour ----------------------------------------------------------------------------------------


@bp.route("/tour")
def tour_start():
    current = scope()
    wanted = request.args.get("p")
    number = 1
    if wanted:
        if wanted not in current.slugs:
            abort(404)
        number = current.slugs.index(wanted) + 1
    if not current.slugs:
        return render_template("workshop/empty.html", title=_("Tour"))
    return redirect(wurl("workshop.tour", n=number, p=None))


TOUR_ACTIONS = 3


def strongest(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One claim per kind of work: the best-established (the same ranking as the overlay's
    headline, server/index.py), then one with a figure, then the newest."""
    def strength(claim: dict[str, Any]) -> tuple[int, bool, bool]:
        original = all(not s.get("is_copy") for s in claim.get("sources") or [])
        return (-index.HEADLINE_EVIDENCE.get(claim["evidence"], 0), not original,
                not (claim.get("pay") or claim.get("workers")))

    ordered = sorted(_newest_first(claims), key=strength)
    chosen = []
    for kind in KIND_ORDER:
        first = next((c for c in ordered if c["kind"] == kind), None)
        if first is not None:
            chosen.append(first)
    return chosen


def platform_actions(platform: dict[str, Any]) -> list[dict[str, Any]]:
    """What you can do about this platform, in the reader's language, only http(s) links."""
    actions = [index.action_view(a, g.lang) for a in platform.get("actions") or []]
    return [a for a in actions if a["url"].lower().startswith(("http://", "https://"))]


def _tour_page(n: int) -> tuple[Scope, str, dict[str, Any]]:
    current = scope()
    if not 1 <= n <= len(current.slugs):
        abort(404)
    slug = current.slugs[n - 1]
    return current, slug, current.platform(slug)


@bp.route("/tour/<int:n>")
def tour(n: int):
    """One platform on one projector screen (1280×800): its strongest facts, the map, actions."""
    current, slug, platform = _tour_page(n)
    claims = current.claims_of(slug)
    alone = Scope(current.snapshot, CollectionInfo(code="", name="", slugs=(slug,)))
    actions = platform_actions(platform)
    return render_template(
        "workshop/tour.html", scope=current, n=n, total=len(current.slugs), platform=platform,
        counts=current.snapshot.summaries[slug]["counts"],
        claims=[present(c) for c in strongest(claims)], more=len(claims),
        inset=world_map(alone, g.lang), actions=actions[:TOUR_ACTIONS],
        more_actions=len(actions) - TOUR_ACTIONS,
        previous_url=wurl("workshop.tour", n=n - 1) if n > 1 else None,
        next_url=wurl("workshop.tour", n=n + 1) if n < len(current.slugs) else None,
    )


@bp.route("/tour/<int:n>/all")
def tour_all(n: int):
    """Everything published on the platform, and every action: the tour page's "more"."""
    current, slug, platform = _tour_page(n)
    return render_template(
        "workshop/tour_all.html", scope=current, n=n, platform=platform,
        claims=[present(c) for c in _by_kind(current.claims_of(slug))],
        actions=platform_actions(platform))


# --- map -----------------------------------------------------------------------------------------


@bp.route("/map")
def world():
    current = scope()
    return render_template("workshop/map.html", scope=current,
                           world=world_map(current, g.lang), legend=legend_ranges())


@bp.route("/map/<code>")
def country(code: str):
    code = code.upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        abort(404)
    current = scope()
    claims = _by_kind(claims_in(current, code))
    based = [p for p in current.platforms if p.get("hq_country") == code]
    return render_template("workshop/country.html", scope=current, code=code,
                           name=i18n.country_name(code, g.lang),
                           claims=[present(c) for c in claims], based=based,
                           vendors=vendors_in(current, code, claims))


def vendors_in(current: Scope, code: str, claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The vendors working in a country: named by claims located there, or with a sourced site
    there; with the platforms of those claims and the cities of their sites."""
    found: dict[str, dict[str, Any]] = {}

    def entry(slug: str) -> dict[str, Any] | None:
        vendor = current.vendor(slug)
        if vendor is None:
            return None
        return found.setdefault(slug, {"slug": slug, "name": vendor["name"],
                                       "hq": vendor.get("hq_country"), "platforms": [],
                                       "cities": []})

    for claim in claims:
        for slug in claim.get("vendors") or []:
            row = entry(slug)
            if row is not None:
                for platform in current.platforms_of(claim):
                    if platform["name"] not in row["platforms"]:
                        row["platforms"].append(platform["name"])
    for slug, vendor in current.snapshot.vendors.items():
        for site in vendor.get("sites") or []:
            if site["country"] == code:
                row = entry(slug)
                if row is not None and site.get("city") and site["city"] not in row["cities"]:
                    row["cities"].append(site["city"])
    return sorted(found.values(), key=lambda row: row["name"].casefold())


# --- quiz ---------------------------------------------------------------------------------------

DEVICE_COOKIE = "btf_quiz_device"


def new_set() -> str:
    return str(1000 + secrets.randbelow(9000))


def quiz_set(source=None) -> str:
    """The quiz set asked for: ?set=N (older links said ?seed=N)."""
    source = request.args if source is None else source
    return (source.get("set") or source.get("seed") or "").strip()


def _set_or_redirect() -> str | Response:
    number = quiz_set()
    if not valid_seed(number):
        return redirect(wurl("workshop.quiz", set=None))
    return number


def _questions(number: str):
    return build_quiz(scope(), number, g.lang, DEFAULT_COUNT)


def _class_key() -> str:
    collection = g.get("collection")
    return collection.code if collection else ""


@bp.route("/quiz")
def quiz():
    number = quiz_set()
    if not valid_seed(number):
        return redirect(wurl("workshop.quiz", set=new_set()))
    return render_template("workshop/quiz.html", scope=scope(), seed=number,
                           questions=_questions(number), other_seed=new_set(),
                           join_address=participants_url(number))


@bp.route("/quiz/present/<int:n>")
def quiz_present(n: int):
    number = _set_or_redirect()
    if isinstance(number, Response):
        return number
    questions = _questions(number)
    if not questions:
        return render_template("workshop/empty.html", title=_("Quiz"))
    if not 1 <= n <= len(questions) + 1:
        abort(404)
    question = questions[n - 1] if n <= len(questions) else None
    return render_template(
        "workshop/quiz_present.html", scope=scope(), seed=number, n=n, total=len(questions),
        question=question, claim=present(question.claim) if question else None,
        revealed=request.args.get("reveal") == "1",
        previous_url=wurl("workshop.quiz_present", n=n - 1, set=number) if n > 1 else None,
        next_url=(wurl("workshop.quiz_present", n=n + 1, set=number)
                  if n <= len(questions) else None),
        other_seed=new_set(), join_address=participants_url(number),
    )


@bp.route("/quiz/class")
def quiz_class():
    """The teacher's live view: answers per question for this set, refreshed every few seconds."""
    number = _set_or_redirect()
    if isinstance(number, Response):
        return number
    questions = _questions(number)
    rows = []
    for question, (position, answered, right) in zip(
            questions, classroom.counts(_class_key(), number, len(questions)), strict=True):
        rows.append({"n": position, "prompt": question.prompt, "answered": answered,
                     "right": right,
                     "share": i18n.format_percent(right / answered, g.lang) if answered else None})
    return render_template("workshop/quiz_class.html", scope=scope(), seed=number, rows=rows,
                           join_address=participants_url(number))


def _answers(text: str | None, questions: list, options: int = 8) -> list[int] | None:
    text = text or ""
    if len(text) > len(questions) or not all(ch.isdigit() and int(ch) < options for ch in text):
        return None
    return [int(ch) for ch in text]


@bp.route("/quiz/solo", methods=["GET", "POST"])
def quiz_solo():
    g.participant = True
    source = request.form if request.method == "POST" else request.args
    number = quiz_set(source)
    if not valid_seed(number):
        return redirect(wurl("workshop.join", set=None))
    questions = _questions(number)
    if not questions:
        return render_template("workshop/empty.html", title=_("Quiz"))
    answers = _answers(source.get("answers"), questions)
    if answers is None:
        abort(400)
    if len(answers) >= len(questions):
        return redirect(wurl("workshop.quiz_score", set=number, answers=source.get("answers")))
    question = questions[len(answers)]
    error = None
    if request.method == "POST":
        choice = request.form.get("choice", "")
        if choice.isdigit() and int(choice) < len(question.options):
            device = request.cookies.get(DEVICE_COOKIE) or secrets.token_hex(8)
            classroom.record(_class_key(), number, question.number, device,
                             int(choice) == question.answer)
            done = "".join(map(str, answers)) + choice
            return redirect(wurl("workshop.quiz_checked", set=number, answers=done), code=303)
        error = _("Pick an answer.")
    response = make_response(render_template(
        "workshop/quiz_solo.html", scope=scope(), seed=number, question=question,
        total=len(questions), answers="".join(map(str, answers)), error=error),
        400 if error else 200)
    if not request.cookies.get(DEVICE_COOKIE):
        # Random, not linked to anyone: only so a class tally counts a device once per question.
        response.set_cookie(DEVICE_COOKIE, secrets.token_hex(8), max_age=CLASS_HOURS * 3600,
                            path="/workshop", samesite="Lax", httponly=True,
                            secure=bool(request.is_secure))
    return response


@bp.route("/quiz/solo/checked")
def quiz_checked():
    g.participant = True
    number = _set_or_redirect()
    if isinstance(number, Response):
        return number
    questions = _questions(number)
    answers = _answers(request.args.get("answers"), questions)
    if not answers:
        abort(400)
    question = questions[len(answers) - 1]
    return render_template("workshop/quiz_checked.html", scope=scope(), seed=number,
                           question=question, claim=present(question.claim),
                           chosen=answers[-1], total=len(questions),
                           answers="".join(map(str, answers)),
                           finished=len(answers) == len(questions))


@bp.route("/quiz/solo/score")
def quiz_score():
    g.participant = True
    number = _set_or_redirect()
    if isinstance(number, Response):
        return number
    questions = _questions(number)
    answers = _answers(request.args.get("answers"), questions)
    if answers is None or len(answers) != len(questions):
        abort(400)
    review = [(q, a, present(q.claim)) for q, a in zip(questions, answers, strict=True)]
    score = sum(1 for q, a in zip(questions, answers, strict=True) if q.answer == a)
    return render_template("workshop/quiz_score.html", scope=scope(), seed=number, review=review,
                           score=score, total=len(questions), other_seed=new_set())


# --- supply chain --------------------------------------------------------------------------------


def supply_chain(current: Scope, slug: str) -> list[dict[str, Any]]:
    """Platform -> vendor -> countries: for each vendor the platform's claims name (in the order
    named), the countries of those claims, the years observed and how many claims."""
    rows: dict[str, dict[str, Any]] = {}
    for claim in _newest_first(current.claims_of(slug)):
        for vendor_slug in claim.get("vendors") or []:
            vendor = current.vendor(vendor_slug)
            if vendor is None:
                continue
            row = rows.setdefault(vendor_slug, {"slug": vendor_slug, "name": vendor["name"],
                                                "countries": [], "years": set(), "claims": 0})
            row["claims"] += 1
            for location in claim["locations"]:
                if location["country"] not in row["countries"]:
                    row["countries"].append(location["country"])
            observed = claim.get("observed") or {}
            for value in (observed.get("start"), observed.get("end")):
                if value:
                    row["years"].add(int(value[:4]))
    out = []
    for row in sorted(rows.values(), key=lambda r: (-r["claims"], r["name"].casefold())):
        years = sorted(row.pop("years"))
        row["period"] = (str(years[0]) if len(years) == 1 else f"{years[0]}–{years[-1]}"
                         if years else "")
        out.append(row)
    return out


@bp.route("/chain")
def chain():
    """Who does the work for each platform, and where: printable."""
    current = scope()
    chains = [{"platform": p, "vendors": supply_chain(current, p["slug"])}
              for p in current.platforms]
    return render_template("workshop/chain.html", scope=current,
                           chains=[c for c in chains if c["vendors"]],
                           without=[c["platform"]["name"] for c in chains if not c["vendors"]])


# --- who moderates your language (DSA transparency reports) -------------------------------------


def language_chart(platform: dict[str, Any]) -> dict[str, Any] | None:
    """The platform's moderators per language for the report period giving the most languages
    (the latest of equals): bars longest first, with the source of each figure."""
    rows = [m for m in platform.get("moderators") or []
            if m["language"] not in ("total", "none")]
    periods: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        periods.setdefault(row["period_label"], []).append(row)
    if not periods:
        return None
    label, chosen = max(periods.items(), key=lambda item: (
        len(item[1]), max(r["period"]["start"] for r in item[1])))
    chosen = sorted(chosen, key=lambda r: (-r["count"], r["language"]))
    top = max(r["count"] for r in chosen) or 1
    return {
        "period": label,
        "bars": [{"language": i18n.language_label(r["language"], g.lang),
                  "code": r["language"], "count": r["count"],
                  "width": round(max(0.5, 100 * r["count"] / top), 1),
                  "publisher": r["source"]["publisher"]} for r in chosen],
        "publishers": sorted({r["source"]["publisher"] for r in chosen}),
    }


@bp.route("/languages")
def languages():
    """Who moderates your language: a chart per platform from its DSA reports' figures."""
    current = scope()
    charts = [{"platform": p, "chart": language_chart(p)} for p in current.platforms]
    return render_template("workshop/languages.html", scope=current,
                           charts=[c for c in charts if c["chart"]],
                           without=[c["platform"]["name"] for c in charts if not c["chart"]])


# --- cards ---------------------------------------------------------------------------------------


def card_claims(claims: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claims a card has room for: one per kind first, those with figures first."""
    def without_figure(claim: dict[str, Any]) -> bool:
        return not (claim.get("pay") or claim.get("workers"))

    ordered = sorted(_newest_first(claims), key=without_figure)
    chosen: list[dict[str, Any]] = []
    for kind in KIND_ORDER:
        first = next((c for c in ordered if c["kind"] == kind), None)
        if first is not None:
            chosen.append(first)
    chosen += [c for c in ordered if c not in chosen]
    shown = chosen[:CARD_CLAIMS]
    return [c for c in ordered if c in shown]


@bp.route("/cards")
def cards():
    current = scope()
    paper = request.args.get("paper", "a4").lower()
    if paper not in PAPERS:
        paper = "a4"
    deck = []
    for platform in current.platforms:
        claims = current.claims_of(platform["slug"])
        shown = card_claims(claims)
        deck.append({"platform": platform, "claims": [present(c) for c in shown],
                     "more": len(claims) - len(shown),
                     "counts": current.snapshot.summaries[platform["slug"]]["counts"]})
    return render_template("workshop/cards.html", scope=current, deck=deck, paper=paper,
                           papers=PAPERS)
