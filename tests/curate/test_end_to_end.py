"""From an empty workspace to the public API: accounts made on the command line, a claim
written by one curator, reviewed and published by another, visible at once, with its history."""

from __future__ import annotations

import re

from server.curate.commands import create_user_command

from .helpers import a_claim, claim_form, form_version, sign_in


def _make_account(app, email: str, name: str) -> None:
    result = app.test_cli_runner().invoke(
        create_user_command, [email, "--role", "curator", "--name", name, "--password-stdin"],
        input="correct horse battery\n")
    assert result.exit_code == 0, result.output


def test_a_claim_from_sign_in_to_the_public_api(capp):
    _make_account(capp, "ada@example.org", "Ada Curator")
    _make_account(capp, "grace@example.org", "Grace Reviewer")
    ada, grace = capp.test_client(), capp.test_client()
    response = sign_in(ada, "ada@example.org", "correct horse battery")
    assert response.status_code == 302
    assert b"Signed in as Ada Curator" in ada.get(response.location).data

    # A new platform with its domain, then a claim about it with its source.
    response = ada.post("/curate/platforms/new", data={
        "slug": "testplatform", "name": "Test Platform", "owner": "Test Owner Inc.",
        "hq_country": "US", "description": "A platform for the tests.",
        "domains": "testplatform.example\nm.testplatform.example"})
    assert response.status_code == 302
    assert ada.get("/api/v1/platforms/testplatform").status_code == 404  # nothing published

    response = ada.post("/curate/claims/new", data=claim_form(a_claim(), save_submit="1"))
    assert response.status_code == 302
    claim_url = response.location
    claim_id = int(claim_url.rsplit("/", 1)[1])
    page = ada.get(claim_url).get_data(as_text=True)
    assert "pending" in page and "another curator reviews it" in page
    assert ada.post(f"{claim_url}/publish",
                    data={"version": form_version(page)}).status_code == 403

    # The second curator finds it in the review queue and publishes it.
    assert sign_in(grace, "grace@example.org", "correct horse battery").status_code == 302
    dashboard = grace.get("/curate/").get_data(as_text=True)
    assert "1</strong> review waiting" in dashboard and a_claim()["id"] in dashboard
    page = grace.get(claim_url).get_data(as_text=True)
    response = grace.post(f"{claim_url}/publish", data={"version": form_version(page)},
                          follow_redirects=True)
    assert b"Published: the public index and API show it now." in response.data

    # The public API shows it at once.
    public = capp.test_client()
    index = public.get("/api/v1/index").get_json()
    assert index["hosts"]["testplatform.example"] == "testplatform"
    summary = index["platforms"]["testplatform"]
    assert summary["total"] == 1 and summary["counts"]["moderation"] == 1
    assert summary["headlines"]["moderation"]["en"] == a_claim()["summary"]
    detail = public.get("/api/v1/platforms/testplatform").get_json()
    assert [c["id"] for c in detail["claims"]] == [a_claim()["id"]]
    assert detail["claims"][0]["sources"][0]["url"] == "https://news.example/moderators"
    assert detail["domains"] == ["m.testplatform.example", "testplatform.example"]
    lookup = public.get("/api/v1/lookup?host=www.testplatform.example")
    assert lookup.status_code == 200 and lookup.get_json()["slug"] == "testplatform"

    # Its history says who did what, with a restore link for every earlier version.
    history = grace.get(f"{claim_url}/history").get_data(as_text=True)
    entries = re.findall(r"<h2>Version (\d+): (\w+)</h2>\s*<p class=\"meta\">by ([^<]+?) on",
                         history)
    assert entries == [("3", "status", "Grace Reviewer"), ("2", "status", "Ada Curator"),
                       ("1", "create", "Ada Curator")]
    assert "status published" in history and "status pending" in history
    links = dict((number, url) for url, number in re.findall(
        r'href="(/curate/claims/\d+/revert/\d+)">Restore version (\d+)</a>', history))
    assert sorted(links) == ["1", "2"]  # every earlier version, not the current one
    # Restoring the draft it was asks for confirmation, then waits for a second curator:
    # the claim stays public until Ada publishes the restore.
    confirm = grace.get(links["1"]).get_data(as_text=True)
    assert "What will change" in confirm
    response = grace.post(links["1"], data={"version": form_version(confirm)})
    assert response.status_code == 302 and "/curate/changes/" in response.location
    assert public.get("/api/v1/platforms/testplatform").status_code == 200
    change_page = ada.get(response.location).get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', change_page).group(1)
    assert ada.post(response.location + "/publish", data={"version": version}).status_code == 302
    assert public.get("/api/v1/platforms/testplatform").status_code == 404
    assert "testplatform" not in public.get("/api/v1/index").get_json()["platforms"]
    page = grace.get(claim_url).get_data(as_text=True)
    assert "draft" in page and f"claims/{claim_id}/edit" in page
