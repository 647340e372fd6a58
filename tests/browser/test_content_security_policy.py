"""The key pages load in Chromium under their Content-Security-Policy with no
violation: the home page, a ballot and its personal link, a consultation, a live
discussion (its socket script and the socket itself), the API docs and the admin's
dashboard. Served by daphne (config.asgi), as `make run` does, with the demo data."""

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from wagtail.models import Page

from consultations.models import Consultation, Thread
from governance import ballot_links
from governance.models import Ballot, BallotStatus, RollEntry, User
from tests.live_asgi import serve_asgi

pytestmark = pytest.mark.browser

# Every violation is reported to the page as an event; the console says it too.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture(scope="module")
def live_daphne(django_db_setup, django_db_blocker):
    with serve_asgi(django_db_blocker) as (base_url,):
        yield base_url


def _browser(chromium, base_url, user=None):
    context = chromium.new_context(base_url=base_url, locale="en-GB")
    if user is not None:
        client = Client()
        client.force_login(user)  # with the second factor, for the admin
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
        )
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.set_default_timeout(20_000)
    console = []
    page.on(
        "console",
        lambda message: (
            console.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return context, page, console


def _violations(page, console) -> list[str]:
    return [*page.evaluate("window.__csp || []"), *console]


def test_key_pages_load_with_no_policy_violation(live_daphne, chromium, transactional_db):
    from playwright.sync_api import expect

    call_command("load_demo", verbosity=0)
    now = timezone.now()
    ballot = Ballot.objects.filter(
        status=BallotStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ).first()
    consultation = Consultation.objects.open(now).first()
    member = User.objects.get(username="member")
    thread = next(t for t in Thread.objects.all() if _readable(member, t))
    entry = RollEntry.objects.filter(ballot=ballot).select_related("holder").first()
    assert ballot and consultation and entry

    pages = [
        (None, "/", lambda page: None),
        (None, f"/ballots/{ballot.pk}/", lambda page: None),
        (None, ballot_links.link_path(entry), lambda page: None),
        (None, f"/consultations/{consultation.pk}/", lambda page: None),
        (
            member,
            f"/discussions/{thread.pk}/",
            lambda page: expect(page.get_by_role("status")).to_have_text("Live: caught up."),
        ),
        (
            None,
            "/api/v1/docs",
            lambda page: page.locator(".swagger-ui .opblock").first.wait_for(),
        ),
        (
            User.objects.get(username="admin"),
            "/admin/",
            lambda page: expect(page.get_by_role("heading", level=1)).to_be_visible(),
        ),
        # Editing forms, where Wagtail's own inline scripts live (InlinePanel, dates).
        (
            User.objects.get(username="admin"),
            f"/admin/governance/workinggroup/edit/{ballot.working_group_id}/",
            lambda page: page.get_by_role("button", name="Save").first.wait_for(),
        ),
        (
            User.objects.get(username="admin"),
            f"/admin/pages/{Page.objects.filter(depth=2).first().pk}/edit/",
            lambda page: page.locator("form#page-edit-form").wait_for(),
        ),
    ]
    found = {}
    for user, path, ready in pages:
        context, page, console = _browser(chromium, live_daphne, user)
        try:
            response = page.goto(path)
            assert response.status == 200, (path, response.status)
            assert "Content-Security-Policy" in {k.title(): v for k, v in response.headers.items()}
            page.wait_for_load_state("networkidle")
            ready(page)
            if _violations(page, console):
                found[path] = _violations(page, console)
        finally:
            context.close()
    assert not found, found


def _readable(user, thread) -> bool:
    from consultations.services import discussions

    read, _member = discussions.thread_reader(user, thread)
    return read
