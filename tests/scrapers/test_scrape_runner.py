"""The runner and the `scrape` command against a real database."""

from __future__ import annotations

import pytest
import responses
from responses import matchers
from scraper_helpers import FIXTURES, allow_robots
from sqlalchemy import event, func, select, update

from scrapers.base import ScrapeError
from scrapers.cli import scrape
from scrapers.linkcheck import quote_tally
from scrapers.registry import REGISTRY
from scrapers.runner import Summary, last_complete_week, run
from server import db
from server.models import Claim, Domain, Platform, Proposal, Revision, Source, Vendor

WIKIDATA = str(FIXTURES / "wikidata" / "platforms.sparql.json")
REPORT = str(FIXTURES / "dsa_reports" / "9_human_resources.csv")
TRUNCATED = str(FIXTURES / "dsa_reports" / "truncated.csv")
LIVE = "https://news.example.com/2022/02/moderators"
DEAD = "https://gone.example.net/story"
MOVED = "https://old.example.org/article/1"
HTML = "text/html; charset=utf-8"
PAGES = {name: (FIXTURES / "linkcheck" / name).read_bytes() for name in (
    "present.html", "absent.html", "wayback-snapshot.json", "wayback-none.json")}
QUOTE = ("Moderators said they reviewed “up to 700 posts a shift” — and were given nine minutes "
         "of ‘wellness time’ per hour")


def _platform(slug, name, owner, hosts):
    return Platform(slug=slug, name=name, owner=owner,
                    domains=[Domain(host=host) for host in hosts])


@pytest.fixture
def database(empty_app):
    """Facebook, Instagram and YouTube, a vendor, and one claim with three sources."""
    with empty_app.app_context():
        session = db.get_session()
        facebook = _platform("facebook", "Facebook", "Facebook, Inc.",
                             ["facebook.com", "fb.com", "fb.me", "messenger.com"])
        session.add_all([
            facebook,
            _platform("instagram", "Instagram", "Meta Platforms, Inc.", ["instagram.com"]),
            _platform("youtube", "YouTube", "Google LLC", ["youtu.be", "youtube.com"]),
            Vendor(slug="sama", name="Sama"),
        ])
        claim = Claim(key="facebook-test", kind="moderation", summary="A test claim.",
                      evidence="investigative_journalism", platforms=[facebook])
        claim.sources = [
            Source(url=url, title="A story", publisher="Example", quote=QUOTE,
                   published="2022-02-14", position=i)
            for i, url in enumerate([LIVE, DEAD, MOVED])
        ]
        session.add(claim)
        session.commit()
    return empty_app


def count_proposals(app) -> int:
    """Counted through a new session: what is really stored, not what one session holds."""
    with app.extensions["btf_sessionmaker"]() as session:
        return session.scalar(select(func.count(Proposal.id)))


def run_in(app, name, **kwargs) -> Summary:
    with app.app_context():
        return run(name, session_factory=db.get_session, now=lambda: "2026-11-26T12:00:00Z",
                   **kwargs)


def test_running_twice_on_the_same_file_gives_one_set_of_proposals(database, http):
    first = run_in(database, "wikidata", http=http, sources=[WIKIDATA])
    second = run_in(database, "wikidata", http=http, sources=[WIKIDATA])

    assert (first.fetched, first.parsed, first.new, first.unchanged) == (1, 4, 4, 0)
    assert (second.new, second.unchanged) == (0, 4)
    assert count_proposals(database) == 4
    with database.extensions["btf_sessionmaker"]() as session:
        stored = session.scalars(select(Proposal).order_by(Proposal.id)).all()
        assert [(p.origin, p.kind, p.platform_slug, p.host, p.status) for p in stored] == [
            ("wikidata", "domain", "facebook",
             "facebookwkhpilnemxj7asaniu7vnjjbiltxjqhye3mhbshg7kx5tfyd.onion", "new"),
            ("wikidata", "domain", "facebook", "fb.watch", "new"),
            ("wikidata", "owner", "facebook", None, "new"),
            ("wikidata", "domain", "instagram", "instagr.am", "new"),
        ]
        assert stored[1].payload["change"] == {"field": "domain", "add": "fb.watch"}
        assert stored[1].source_url == "https://www.wikidata.org/wiki/Q355"


def test_a_dismissed_proposal_is_not_proposed_again(database, http):
    run_in(database, "dsa-reports", http=http, sources=[REPORT])
    with database.extensions["btf_sessionmaker"]() as session:
        for proposal in session.scalars(select(Proposal)):
            proposal.status = "dismissed"
            proposal.version += 1
        session.commit()
    again = run_in(database, "dsa-reports", http=http, sources=[REPORT])
    assert (again.new, again.unchanged) == (0, 2)


def test_a_dry_run_writes_nothing(database, http):
    summary = run_in(database, "dsa-reports", http=http, sources=[REPORT], dry_run=True)
    assert summary.new == 2
    assert [p.kind for p in summary.proposals] == ["moderators", "moderators"]
    assert count_proposals(database) == 0


def test_a_failure_while_storing_writes_nothing(database, http):
    inserted = []

    def fail_on_third(_mapper, _connection, target):
        inserted.append(target)
        if len(inserted) == 3:
            raise RuntimeError("disk full")

    event.listen(Proposal, "before_insert", fail_on_third)
    try:
        with pytest.raises(RuntimeError, match="disk full"):
            run_in(database, "wikidata", http=http, sources=[WIKIDATA])
    finally:
        event.remove(Proposal, "before_insert", fail_on_third)
    assert len(inserted) == 3
    assert count_proposals(database) == 0


def test_a_broken_file_is_reported_and_the_good_ones_still_count(database, http):
    summary = run_in(database, "dsa-reports", http=http, sources=[TRUNCATED, REPORT])
    assert summary.fetched == 2
    assert summary.errors == [
        "truncated.csv: row 4 stops before the Value column (is the file truncated?)"]
    assert summary.new == 2
    assert count_proposals(database) == 2


def test_a_missing_file_is_an_error_not_a_crash(database, http):
    summary = run_in(database, "news", http=http, sources=["/no/such/feed.xml"])
    assert summary.errors and "cannot read /no/such/feed.xml" in summary.errors[0]
    assert count_proposals(database) == 0


def test_news_leads_follow_the_database(database, http):
    feed = str(FIXTURES / "news" / "restofworld.rss")
    time_url = "https://time.com/6147458/facebook-africa-content-moderation-employee-treatment/"
    summary = run_in(database, "news", http=http, sources=[feed], dry_run=True)
    assert summary.parsed == 5
    # Scale AI is no vendor in this database: the Manila article is no lead here.
    assert [p.source_url for p in summary.proposals] == [
        "https://restofworld.org/2026/sama-nairobi-moderators/", time_url]

    with database.app_context():
        session = db.get_session()
        claim = session.scalar(select(Claim))
        claim.sources.append(Source(url=time_url, title="Inside Facebook's African Sweatshop",
                                    publisher="TIME", quote="", position=3))
        session.commit()
    summary = run_in(database, "news", http=http, sources=[feed])
    assert [p.source_url for p in summary.proposals] == [
        "https://restofworld.org/2026/sama-nairobi-moderators/"]


def _serve_sources(offline, *, live_status=200):
    """LIVE has the quote, DEAD is gone, MOVED redirects to a page without the quote."""
    for origin in ("https://news.example.com", "https://gone.example.net",
                   "https://old.example.org", "https://archive.org"):
        allow_robots(offline, origin)
    offline.add(responses.GET, LIVE, status=live_status, body=PAGES["present.html"],
                content_type=HTML)
    offline.add(responses.GET, DEAD, status=404)
    offline.add(responses.GET, MOVED, status=301,
                headers={"Location": "https://archive.example.com/article/1"})
    offline.add(responses.GET, "https://archive.example.com/article/1",
                body=PAGES["absent.html"], content_type=HTML)
    lookups = {}
    for url, answer in ((LIVE, "wayback-snapshot.json"), (DEAD, "wayback-none.json"),
                        (MOVED, "wayback-none.json")):
        lookups[url] = offline.add(
            responses.GET, "https://archive.org/wayback/available",
            body=PAGES[answer],
            match=[matchers.query_param_matcher({"url": url, "timestamp": "20220214"})])
    return lookups


def test_linkcheck_records_checks_with_revisions_and_proposes_archived_copies(database, offline,
                                                                               http):
    lookups = _serve_sources(offline)

    summary = run_in(database, "linkcheck", http=http)

    assert summary.errors == []
    assert (summary.fetched, summary.updated, summary.new) == (3, 3, 1)
    assert quote_tally(summary.records) == {"found": 1, "not found": 1, "unknown": 1}
    with database.extensions["btf_sessionmaker"]() as session:
        sources = {s.url: s for s in session.scalars(select(Source))}
        revisions = session.scalars(select(Revision).where(Revision.entity_type == "source")
                                    .order_by(Revision.entity_id)).all()
        [proposal] = session.scalars(select(Proposal)).all()
    live, dead, moved = sources[LIVE], sources[DEAD], sources[MOVED]
    assert (live.check_status, live.quote_found, live.page_published, live.date_mismatch) == (
        "ok", True, "2022-02-14", False)
    assert (dead.check_status, dead.check_detail, dead.quote_found) == (
        "broken", "GET 404; quote unknown: the page answered 404", None)
    assert (moved.check_status, moved.final_url, moved.quote_found) == (
        "moved", "https://archive.example.com/article/1", False)
    assert moved.quote_excerpt and "quote not found" in moved.check_detail
    assert all(s.last_checked_at is not None for s in sources.values())
    assert live.archive_url is None  # proposed, not written: a curator accepts it
    assert (proposal.origin, proposal.kind, proposal.source_url) == ("linkcheck", "archive", LIVE)
    assert proposal.payload["change"]["add"].startswith("https://web.archive.org/web/2022")
    assert [(r.entity_id, r.action, r.comment) for r in revisions] == [
        (s.id, "check", "checked by linkcheck") for s in (live, dead, moved)]
    assert revisions[0].before["check_status"] is None
    assert revisions[0].after["quote_found"] is True

    # A rerun that sees the same changes nothing and asks the archive nothing more.
    again = run_in(database, "linkcheck", http=http)
    assert (again.updated, again.new, again.unchanged) == (0, 0, 0)
    assert lookups[LIVE].call_count == 1  # its archive proposal is waiting for a curator
    assert lookups[DEAD].call_count == 2
    with database.extensions["btf_sessionmaker"]() as session:
        assert session.scalar(select(func.count(Revision.id)).where(
            Revision.entity_type == "source")) == 3


def test_linkcheck_leaves_sources_robots_txt_keeps_us_from(database, offline, http):
    allow_robots(offline, "https://news.example.com", "User-agent: *\nDisallow: /\n")
    allow_robots(offline, "https://archive.org")
    offline.add(responses.GET, "https://archive.org/wayback/available",
                body=PAGES["wayback-none.json"])
    summary = run_in(database, "linkcheck", http=http, sources=[LIVE])
    assert (summary.fetched, summary.updated) == (1, 0)
    assert "1 skipped (robots.txt)" in summary.line()
    with database.extensions["btf_sessionmaker"]() as session:
        assert session.scalar(select(Source.check_status).where(Source.url == LIVE)) is None


def test_linkcheck_dry_run_and_limit(database, offline, http):
    _serve_sources(offline, live_status=404)
    summary = run_in(database, "linkcheck", http=http, limit=1, dry_run=True)
    assert summary.fetched == 1
    assert "1 sources to record" in summary.line()
    with database.extensions["btf_sessionmaker"]() as session:
        assert session.scalar(select(Source.check_status).where(Source.url == LIVE)) is None
        assert session.scalar(select(func.count(Revision.id))) == 0


def test_linkcheck_takes_urls_not_files(database, http):
    with pytest.raises(ScrapeError, match="linkcheck checks URLs; not a URL: /tmp/page.html"):
        run_in(database, "linkcheck", http=http, sources=["/tmp/page.html"])


def test_the_linkcheck_command_shows_progress_and_a_summary(database, offline):
    _serve_sources(offline)
    database.config["BTF_SCRAPE_DELAY"] = 0  # settings come from the app's config
    result = database.test_cli_runner().invoke(scrape, ["linkcheck"])
    assert result.exit_code == 0, result.output
    assert "linkcheck: reading" in result.stderr  # the progress bar's label
    assert result.stdout.strip() == (
        "linkcheck: checked 3 URLs (1 ok, 1 moved, 1 broken), quotes: 1 found, 1 not found, "
        "1 unknown, 0 date mismatches, 1 archived copies proposed, 3 sources changed, 0 errors")


# -- wayback-capture ------------------------------------------------------------------------


def test_wayback_capture_is_polite_and_proposes_the_snapshot(database, offline, http):
    allow_robots(offline, "https://web.archive.org")
    saved = {}
    for url in (LIVE, DEAD, MOVED):
        saved[url] = offline.add(
            responses.GET, f"https://web.archive.org/save/{url}", status=200,
            headers={"Content-Location": f"/web/20261126120000/{url}"})
    with database.extensions["btf_sessionmaker"]() as session:
        session.execute(update(Source).where(Source.url == DEAD).values(check_status="broken"))
        session.execute(update(Source).where(Source.url == MOVED)
                        .values(archive_url="https://web.archive.org/web/2022/x"))
        session.commit()

    summary = run_in(database, "wayback-capture", http=http)

    assert summary.errors == []
    assert saved[LIVE].call_count == 1
    assert saved[DEAD].call_count == saved[MOVED].call_count == 0  # broken; archived already
    [draft] = summary.proposals
    assert (draft.origin, draft.kind, draft.source_url) == ("wayback-capture", "archive", LIVE)
    assert draft.payload["change"]["add"] == f"https://web.archive.org/web/20261126120000/{LIVE}"
    assert summary.line() == ("wayback-capture: asked for 1 captures, 1 snapshots, 1 new archive "
                              "proposals, 0 unchanged, 0 errors")
    # A proposal waits now: the next run asks for nothing.
    assert run_in(database, "wayback-capture", http=http).fetched == 0
    assert saved[LIVE].call_count == 1


def test_wayback_capture_waits_its_own_delay_between_requests():
    from scrapers.registry import get
    from scrapers.runner import make_http

    settings = {"BTF_SCRAPE_DELAY": 1.0, "BTF_WAYBACK_DELAY": 12.0}
    with make_http(get("wayback-capture"), settings) as capture, \
            make_http(get("linkcheck"), settings) as checker:
        assert (capture.delay, checker.delay) == (12.0, 1.0)
        assert not hasattr(capture.http, "cache")  # never answered from the cache


def test_dsa_reports_without_a_list_says_what_to_do(database, http, monkeypatch):
    monkeypatch.delenv("BTF_DSA_REPORTS", raising=False)
    with pytest.raises(ScrapeError, match="pass --source FILE_OR_URL"):
        run_in(database, "dsa-reports", http=http)


def test_dsa_reports_reads_its_list(database, offline, http, tmp_path, monkeypatch):
    listing = tmp_path / "dsa-reports.json"
    url = "https://transparency.example.org/dsa/9_human_resources.csv"
    listing.write_text(f'[{{"url": "{url}", "service": "Facebook"}}]')
    monkeypatch.setenv("BTF_DSA_REPORTS", str(listing))
    allow_robots(offline, "https://transparency.example.org")
    offline.add(responses.GET, url, body=(FIXTURES / "dsa_reports" / "9_human_resources.csv")
                .read_bytes())
    summary = run_in(database, "dsa-reports", http=http)
    assert (summary.fetched, summary.new) == (1, 2)
    assert {p.source_url for p in summary.proposals} == {url}


def test_dsa_tdb_reads_the_last_complete_week(database, offline, http):
    import datetime as dt

    days = last_complete_week(dt.date(2026, 11, 26))
    assert (days[0], days[-1]) == (dt.date(2026, 11, 16), dt.date(2026, 11, 22))
    allow_robots(offline, "https://transparency.dsa.ec.europa.eu")
    body = (FIXTURES / "dsa_tdb" / "aggregates-2026-11-16.csv").read_bytes()
    for day in days:
        url = ("https://transparency.dsa.ec.europa.eu/explore-data/download/"
               f"aggregates-{day.isoformat()}.csv")
        if day == days[0]:
            offline.add(responses.GET, url, body=body)
        else:
            offline.add(responses.GET, url, status=404)
    summary = run_in(database, "dsa-tdb", http=http, today=dt.date(2026, 11, 26))
    assert summary.fetched == 1
    assert len(summary.errors) == 6 and "answered 404" in summary.errors[0]
    assert [p.platform_slug for p in summary.proposals] == ["facebook"]


# -- the command ----------------------------------------------------------------------------


def test_help_names_every_registered_scraper(database):
    result = database.test_cli_runner().invoke(scrape, ["--help"])
    assert result.exit_code == 0
    for name, scraper in REGISTRY.items():
        assert f"{name}  " in result.output
        assert scraper.description[:40] in " ".join(result.output.split())


def test_the_command_runs_on_a_saved_report(database):
    result = database.test_cli_runner().invoke(scrape, ["dsa-reports", "--source", REPORT])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        "dsa-reports: fetched 1, 13 records, 2 new proposals, 0 unchanged, 0 errors")
    assert count_proposals(database) == 2


def test_the_command_dry_run_lists_what_it_would_propose(database):
    result = database.test_cli_runner().invoke(scrape, ["wikidata", "--dry-run",
                                                        "--source", WIKIDATA])
    assert result.exit_code == 0, result.output
    assert "would propose domain for facebook: add domain fb.watch" in result.output
    assert ("would propose owner for facebook: owner 'Facebook, Inc.' -> 'Meta Platforms'"
            in result.output)
    assert "(dry run: nothing written)" in result.output
    assert count_proposals(database) == 0


def test_the_command_fails_clearly(database):
    result = database.test_cli_runner().invoke(scrape, ["dsa-reports", "--source", TRUNCATED])
    assert result.exit_code == 1
    assert "error: truncated.csv: row 4 stops before the Value column" in result.output
    assert "1 error" in result.output


def test_the_command_refuses_an_unknown_scraper(database):
    result = database.test_cli_runner().invoke(scrape, ["facebook"])
    assert result.exit_code == 2
    assert "dsa-reports" in result.output


def test_a_truncated_download_is_reported_and_writes_nothing(database, offline, http):
    url = "https://transparency.example.org/dsa/9_human_resources.csv"
    allow_robots(offline, "https://transparency.example.org")
    offline.add(responses.GET, url, body=(FIXTURES / "dsa_reports" / "truncated.csv").read_bytes())
    summary = run_in(database, "dsa-reports", http=http, sources=[url])
    assert summary.errors == ["9_human_resources.csv: row 4 stops before the Value column "
                              "(is the file truncated?)"]
    assert count_proposals(database) == 0
