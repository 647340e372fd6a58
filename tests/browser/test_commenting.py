"""In Chromium, without JavaScript of ours: a member comments on a clause, then the
secretariat disposes of that comment in the resolution table."""

import re

import pytest
from playwright.sync_api import expect

from consultations.models import Comment, Disposition
from tests.browser.conftest import log_in, log_out
from tests.consultations.test_views import Scene

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _no_comment_rate_limit(settings):
    settings.RATE_LIMITS = {"comment": (100_000, 600)}


def test_member_comments_and_secretariat_disposes(browser_page):
    page = browser_page
    scene = Scene()
    clause = scene.clauses[1]

    log_in(page, scene.member)
    page.goto(f"/consultations/{scene.consultation.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(scene.standard.title)
    section = page.locator(f"#clause-{clause.key}")
    section.get_by_text(f"Comment on clause {clause.number}", exact=True).click()
    form = section.locator("form.comment-form")
    form.get_by_label("Technical").check()
    form.get_by_label("Comment", exact=True).fill("Pits deeper than 10 m need shoring.")
    form.get_by_label("Proposed change").fill("Add: shoring below 10 m.")
    form.get_by_role("button", name="Post comment").click()

    expect(page.get_by_role("status")).to_contain_text("Your comment was posted.")
    mine = page.locator(f"#clause-{clause.key} .own-comments")
    expect(mine).to_contain_text("Pits deeper than 10 m need shoring.")
    expect(section.locator(".clause-meta")).to_contain_text("1 comment")
    comment = Comment.objects.get()
    assert (comment.author, comment.clause) == (scene.member, clause)

    log_out(page)
    log_in(page, scene.secretariat)
    page.goto(f"/consultations/{scene.consultation.pk}/resolution/")
    expect(page.locator("#progress-label")).to_have_text("0 of 1 resolved")
    row = page.locator(f"#row-{comment.pk}")
    expect(row).to_contain_text("Pits deeper than 10 m need shoring.")
    row.get_by_label("Decision").select_option("accepted")
    row.get_by_label("Response").fill("Agreed: shoring is now required below 10 m.")
    row.get_by_role("button", name="Save disposition").click()

    expect(page.get_by_role("status")).to_contain_text("disposition saved")
    expect(page.locator("#progress-label")).to_have_text("1 of 1 resolved")
    expect(page.locator("progress")).to_have_attribute("value", "1")
    expect(page).to_have_url(re.compile(rf"/resolution/#row-{comment.pk}$"))
    assert Disposition.objects.get().comment == comment
