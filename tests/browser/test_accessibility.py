"""Issue 6, "Accessibility and weight": the key public pages, read anonymously in
Chromium on the demo data, pass an axe-core audit with no serious or critical
violation, and each weighs at most 100 KB transferred, images aside."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError

from cms.models import DecisionPage
from consultations.models import Consultation
from governance.models import Ballot, BallotStatus

# Each test's flush also empties what migrations filled (Wagtail's root page and
# locale); the demo loader puts them back.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BLOCKING = {"serious", "critical"}
MAX_BYTES = 100_000


@pytest.fixture
def demo_paths(live_server):
    """The demo, loaded into the live server's (transactional) database, and the
    paths of the pages under audit, without a language prefix."""
    call_command("load_demo", verbosity=0)
    now = timezone.now()
    consultation = Consultation.objects.open(now).first()
    ballot = Ballot.objects.filter(
        status=BallotStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ).first()
    decision = DecisionPage.objects.live().public().first()
    assert consultation and ballot and decision, "the demo lacks a page under audit"
    return {
        "home": "/",
        "decision register": "/decisions/",
        "decision": decision.get_url(),
        "standard": "/standards/asm-cobalt-framework/",
        "consultation": f"/consultations/{consultation.pk}/",
        "ballot": f"/ballots/{ballot.pk}/",
    }


def audit(page, path: str) -> tuple[list[dict], int]:
    """Load `path`; return axe's serious or critical violations, and the bytes
    transferred for everything but images."""
    sizes = {}

    def on_response(response):
        if response.request.resource_type == "image":
            return
        try:
            sizes[response.url] = len(response.body())
        except PlaywrightError:  # a redirect has no body
            sizes[response.url] = 0
        sizes[response.url] += response.request.sizes()["responseHeadersSize"]

    page.on("response", on_response)
    response = page.goto(path)
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", on_response)
    assert response.ok, f"{path}: HTTP {response.status}"
    results = Axe().run(page)
    blocking = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "targets": [node["target"] for node in v["nodes"]],
        }
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]
    counts = {}
    for v in results.response["violations"]:
        counts[v["impact"]] = counts.get(v["impact"], 0) + 1
    weight = sum(sizes.values())
    print(f"{path}: axe violations by impact {counts or 'none'}; {weight} bytes")
    return blocking, weight


PAGES = ["home", "decision register", "decision", "standard", "consultation", "ballot"]


@pytest.mark.parametrize("name", PAGES)
def test_public_page_is_accessible_and_light(browser_page, demo_paths, name):
    violations, weight = audit(browser_page, demo_paths[name])
    assert not violations, f"{name}: {violations}"
    assert weight <= MAX_BYTES, f"{name}: {weight} bytes transferred"


@pytest.mark.parametrize("name", PAGES)
def test_french_page_is_accessible_and_light(browser_page, demo_paths, name):
    path = "/fr" + demo_paths[name]
    violations, weight = audit(browser_page, path)
    assert browser_page.locator("html").get_attribute("lang") == "fr"
    assert not violations, f"{name} (fr): {violations}"
    assert weight <= MAX_BYTES, f"{name} (fr): {weight} bytes transferred"


MEMBER_PAGES = [
    "/join/",
    "/chain/",
    "/members/",
    "/members/autovolt-motors/",
    "/contributions/",
    "/fr/join/",
    "/sw/chain/",
]


def test_member_pages_are_accessible_and_light(browser_page, demo_paths):
    """Joining, the chain map, the directory, a profile and the money figures, on one
    load of the demo."""
    for path in MEMBER_PAGES:
        violations, weight = audit(browser_page, path)
        assert not violations, f"{path}: {violations}"
        assert weight <= MAX_BYTES, f"{path}: {weight} bytes transferred"
