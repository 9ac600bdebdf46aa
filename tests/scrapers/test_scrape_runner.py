"""The runner and the `scrape` command against a real database."""

from __future__ import annotations

import pytest
import responses
from scraper_helpers import FIXTURES, allow_robots
from sqlalchemy import event, func, select

from scrapers.base import ScrapeError
from scrapers.cli import scrape
from scrapers.runner import Summary, last_complete_week, run
from server import db
from server.models import Claim, Domain, Platform, Proposal, Source, Vendor

WIKIDATA = str(FIXTURES / "wikidata" / "platforms.sparql.json")
REPORT = str(FIXTURES / "dsa_reports" / "9_human_resources.csv")
TRUNCATED = str(FIXTURES / "dsa_reports" / "truncated.csv")
LIVE = "https://news.example.com/2022/02/moderators"
DEAD = "https://gone.example.net/story"
MOVED = "https://old.example.org/article/1"


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
            Source(url=url, title="A story", publisher="Example", quote="", position=i)
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
        return run(name, session_factory=db.get_session, **kwargs)


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
    assert (again.new, again.unchanged) == (0, 4)


def test_a_dry_run_writes_nothing(database, http):
    summary = run_in(database, "dsa-reports", http=http, sources=[REPORT], dry_run=True)
    assert summary.new == 4
    assert len(summary.proposals) == 4
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
    assert summary.new == 4
    assert count_proposals(database) == 4


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


def test_linkcheck_marks_a_dead_source_broken(database, offline, http):
    allow_robots(offline, "https://news.example.com")
    allow_robots(offline, "https://gone.example.net")
    allow_robots(offline, "https://old.example.org")
    offline.add(responses.HEAD, LIVE, status=200)
    offline.add(responses.HEAD, DEAD, status=404)
    offline.add(responses.HEAD, MOVED, status=301,
                headers={"Location": "https://archive.example.com/article/1"})
    offline.add(responses.HEAD, "https://archive.example.com/article/1", status=200)

    summary = run_in(database, "linkcheck", http=http)

    assert summary.fetched == 3 and summary.updated == 3
    assert summary.statuses == {"ok": 1, "broken": 1, "moved": 1}
    assert count_proposals(database) == 0  # the curators' queue reads broken sources directly
    with database.extensions["btf_sessionmaker"]() as session:
        sources = {s.url: s for s in session.scalars(select(Source))}
    assert sources[DEAD].check_status == "broken"
    assert sources[DEAD].check_detail == "HEAD 404"
    assert sources[LIVE].check_status == "ok"
    assert sources[MOVED].check_status == "moved"
    assert sources[MOVED].final_url == "https://archive.example.com/article/1"
    assert all(s.last_checked_at is not None for s in sources.values())


def test_linkcheck_leaves_sources_robots_txt_keeps_us_from(database, offline, http):
    allow_robots(offline, "https://news.example.com", "User-agent: *\nDisallow: /\n")
    summary = run_in(database, "linkcheck", http=http, sources=[LIVE])
    assert (summary.skipped, summary.updated) == (1, 0)
    with database.extensions["btf_sessionmaker"]() as session:
        assert session.scalar(select(Source.check_status).where(Source.url == LIVE)) is None


def test_linkcheck_dry_run_and_limit(database, offline, http):
    allow_robots(offline, "https://news.example.com")
    offline.add(responses.HEAD, LIVE, status=404)
    summary = run_in(database, "linkcheck", http=http, limit=1, dry_run=True)
    assert summary.fetched == 1
    with database.extensions["btf_sessionmaker"]() as session:
        assert session.scalar(select(Source.check_status).where(Source.url == LIVE)) is None


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
    assert (summary.fetched, summary.new) == (1, 4)
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


def test_help_names_the_five_scrapers(database):
    result = database.test_cli_runner().invoke(scrape, ["--help"])
    assert result.exit_code == 0
    for name in ("dsa-reports", "dsa-tdb", "news", "wikidata", "linkcheck"):
        assert name in result.output


def test_the_command_runs_on_a_saved_report(database):
    result = database.test_cli_runner().invoke(scrape, ["dsa-reports", "--source", REPORT])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(
        "dsa-reports: fetched 1, 13 records, 4 new proposals, 0 unchanged, 0 errors")
    assert count_proposals(database) == 4


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
