"""Browser fixtures: Debian's Chromium driven by Playwright's sync API, against
pytest-django's live server.

The browser is never downloaded: tests use /usr/bin/chromium and are skipped,
with the reason, when it is missing. Playwright's sync API runs an event loop in
the test's thread, so Django's "no ORM inside an event loop" guard is lifted
while the browser is up (only then: the fixture is per module and restores it).
"""

import os
from base64 import b32decode
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# --no-sandbox: Chromium refuses to run as root with its sandbox (CI runs as root).
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-gpu"]
PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@pytest.fixture(scope="module")
def chromium():
    if not (CHROMIUM.exists() and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(
            f"browser tests need Chromium at {CHROMIUM}; install it with "
            "`apt-get install chromium` (the browser is never downloaded)"
        )
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def browser_page(chromium, live_server):
    """A fresh browser context (no cookies) on the live server, English pages."""
    context = chromium.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def log_in(page, user, password: str = PASSWORD) -> None:
    """Through the login page; then, for people who need one, the second factor: the
    code their app would show, computed from the device's key (set up on the way if
    they have none)."""
    page.goto("/accounts/login/")
    page.get_by_label("Username or email address").fill(user.username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    if "/two-factor/setup/" in page.url:
        key = b32decode(page.locator("#totp-secret").inner_text().replace(" ", ""))
        _give_code(page, key, "Confirm")
        page.get_by_role("link", name="I have kept them: continue").click()
        page.wait_for_load_state()
    elif "/two-factor/verify/" in page.url:
        from django_otp.plugins.otp_totp.models import TOTPDevice

        _give_code(page, TOTPDevice.objects.get(user=user, confirmed=True).bin_key, "Continue")


def _give_code(page, key: bytes, button: str) -> None:
    from django_otp.oath import totp

    page.get_by_label("Code").fill(f"{totp(key):06d}")
    page.get_by_role("main").get_by_role("button", name=button).click()
    page.wait_for_load_state()


def log_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
