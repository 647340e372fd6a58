"""Issue 14, "every page right on a 360-pixel phone": Chromium at 360 × 640 visits the
demo's public and member pages in English, French and Swahili, anonymously and as a
seat holder, and asserts

- no sideways scrolling (the document is no wider than the screen; tables scroll
  inside their own box),
- the header under a fifth of the screen, primary actions at least 44 px high,
- no browser-default button (every button carries the design system's look),
- axe finds no serious or critical violation on the key pages,
- page weight (HTML + CSS + JS): public pages under 100 KB, the ballot page under 30 KB.

Screenshots of home, decision, ballot, consultation and the holder's page at phone
and desktop width go to $SCREENSHOT_DIR (default: test-artifacts/screenshots, which CI
keeps) for a reviewer."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from cms.models import DecisionPage
from consultations.models import Consultation
from governance.models import Ballot, BallotStatus, Participation, RollEntry

from .test_accessibility import audit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 640}
DESKTOP = {"width": 1280, "height": 900}
MAX_BYTES = 100_000
MAX_BALLOT_BYTES = 30_000
SHOTS = Path(os.environ.get("SCREENSHOT_DIR", "test-artifacts/screenshots"))

# Measured in the page: how far the document overflows, the header's height, primary
# actions under 44 px, and buttons the browser draws itself (no border radius, the
# default grey face).
MEASURE = """() => {
  const header = document.querySelector('.site-header');
  const small = [...document.querySelectorAll(
      'main button:not(.link), main input[type=submit], main a.button')]
    .filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 44)
    .map(e => e.outerHTML.slice(0, 80));
  const plain = [...document.querySelectorAll('button, input[type=submit]')]
    .filter(e => e.offsetParent !== null)
    .filter(e => { const s = getComputedStyle(e);
      return s.backgroundColor === 'rgb(239, 239, 239)' || s.backgroundColor === 'rgb(240, 240, 240)'; })
    .map(e => e.outerHTML.slice(0, 80));
  const wide = [...document.querySelectorAll('body *')]
    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(e => ![...e.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 1))
    .filter(e => !e.closest('table, .table-scroll, nav'))
    .slice(0, 3).map(e => e.outerHTML.slice(0, 100));
  return {scroll: document.documentElement.scrollWidth, header: header ? header.offsetHeight : 0,
          small: small, plain: plain, wide: wide};
}"""


@pytest.fixture
def demo(live_server):
    call_command("load_demo", verbosity=0)
    now = timezone.now()
    ballot = Ballot.objects.filter(
        status=BallotStatus.OPEN, opens_at__lte=now, closes_at__gt=now
    ).first()
    consultation = Consultation.objects.open(now).filter(audience="public").first()
    decision = DecisionPage.objects.live().public().first()
    assert ballot and consultation and decision, "the demo lacks a page under test"
    holder = (
        RollEntry.objects.filter(ballot=ballot, holder__isnull=False)
        .exclude(seat__in=Participation.objects.filter(ballot=ballot).values("seat"))
        .first()
        .holder
    )
    paths = {
        "home": "/",
        "working groups": "/working-groups/",
        "working group": f"/working-groups/{ballot.working_group.slug}/",
        "decision register": "/decisions/",
        "decision": decision.get_url(),
        "standard": "/standards/asm-cobalt-framework/",
        "consultation": f"/consultations/{consultation.pk}/",
        "resolution": f"/consultations/{consultation.pk}/resolution/",
        "ballot": f"/ballots/{ballot.pk}/",
        "chain map": "/chain/",
        "members": "/members/",
        "join": "/join/",
        "contributions": "/contributions/",
        "log in": "/accounts/login/",
        "style guide": "/styleguide/",
    }
    return {"paths": paths, "holder": holder, "live_server": live_server}


def _context(chromium, base_url, viewport, user=None):
    context = chromium.new_context(base_url=base_url, locale="en-GB", viewport=viewport)
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
        )
    page = context.new_page()
    page.set_default_timeout(20_000)
    return context, page


def _check(page, path: str, problems: list[str]) -> dict:
    response = page.goto(path)
    if response.status >= 400:
        return {}
    found = page.evaluate(MEASURE)
    if found["scroll"] > PHONE["width"]:
        problems.append(
            f"{path}: {found['scroll']} px wide at {PHONE['width']} px, by {found['wide']}"
        )
    if found["header"] > 0.2 * PHONE["height"]:
        problems.append(f"{path}: header {found['header']} px high")
    if found["small"]:
        problems.append(f"{path}: tap targets under 44 px: {found['small']}")
    if found["plain"]:
        problems.append(f"{path}: browser-default buttons: {found['plain']}")
    return found


def _shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_reader_on_a_phone_never_scrolls_sideways(chromium, demo):
    base = demo["live_server"].url
    context, page = _context(chromium, base, PHONE)
    problems: list[str] = []
    try:
        for prefix in ("", "/fr", "/sw"):
            for path in demo["paths"].values():
                _check(page, prefix + path, problems)
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_key_pages_on_a_phone_are_accessible_light_and_photographed(chromium, demo):
    base = demo["live_server"].url
    problems: list[str] = []
    context, page = _context(chromium, base, PHONE)
    try:
        for name in ("home", "decision", "ballot", "consultation", "working group"):
            path = demo["paths"][name]
            violations, weight = audit(page, path)
            limit = MAX_BALLOT_BYTES if name == "ballot" else MAX_BYTES
            print(f"phone {name}: {weight} bytes (limit {limit})")
            if violations:
                problems.append(f"{name}: axe {violations}")
            if weight > limit:
                problems.append(f"{name}: {weight} bytes, over {limit}")
            _shoot(page, f"{name}-360")
    finally:
        context.close()
    context, page = _context(chromium, base, DESKTOP)
    try:
        for name in ("home", "decision", "ballot", "consultation"):
            violations, _ = audit(page, demo["paths"][name])
            if violations:
                problems.append(f"{name} (desktop): axe {violations}")
            _shoot(page, f"{name}-1280")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_a_seat_holder_on_a_phone_reads_and_votes_without_sideways_scrolling(chromium, demo):
    base = demo["live_server"].url
    problems: list[str] = []
    for viewport, suffix in ((PHONE, "360"), (DESKTOP, "1280")):
        context, page = _context(chromium, base, viewport, user=demo["holder"])
        try:
            if viewport is PHONE:
                for prefix in ("", "/fr", "/sw"):
                    for path in (
                        "/",
                        demo["paths"]["ballot"],
                        demo["paths"]["consultation"],
                        "/accounts/profile/",
                    ):
                        _check(page, prefix + path, problems)
            page.goto("/")
            assert page.get_by_text("Waiting for you").is_visible()
            violations, weight = audit(page, "/")
            if violations:
                problems.append(f"home signed in ({suffix}): axe {violations}")
            _shoot(page, f"dashboard-{suffix}")
            violations, weight = audit(page, demo["paths"]["ballot"])
            print(f"signed-in ballot page: {weight} bytes")
            if violations:
                problems.append(f"ballot signed in ({suffix}): axe {violations}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
