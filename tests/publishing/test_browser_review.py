"""The review page in Chromium: record headings' links read on the heading's colour.
Skipped without Playwright/Chromium."""

import pytest

from entities.models import Entity
from publishing import services
from tests.builders import entity
from tests.sources.test_browser import browser, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST = """
el => {
  const rgb = c => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const linear = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = c => { const [r, g, b] = rgb(c).map(linear); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
  const fg = lum(getComputedStyle(el).color), bg = lum(getComputedStyle(el.closest("h2")).backgroundColor);
  return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
}
"""


def test_record_heading_links_are_readable_on_the_review_page(page, world, users):  # noqa: F811
    services.submit(world.change_set, users.curator)
    page.goto(f"/admin/publishing/changeset/{world.change_set.pk}/change/")
    links = page.locator(".diff h2 a")
    assert links.count() == 3
    screenshot(page, "review-page.png")
    for i in range(links.count()):
        assert links.nth(i).evaluate(CONTRAST) >= 4.5  # WCAG AA for text


def test_a_curator_told_of_a_rejection_discards_a_draft_and_abandons_the_set(page, world, users):  # noqa: F811
    extra = entity("Amir Rezaei", Entity.Kind.PERSON, world.salami)
    services.record_edit(users.curator, extra)
    services.submit(world.change_set, users.curator)
    services.reject(world.change_set, users.reviewer, "Cite the rank.")
    page.goto("/admin/entities/entity/")
    banner = page.locator("#returned-banner").inner_text()
    assert "returned to you by rita" in banner and "Cite the rank." in banner
    page.goto("/admin/")
    assert "Cite the rank." in page.locator("#returned").inner_text()
    page.locator("#returned-banner").get_by_text("Open it").click()
    page.locator(f".diff h2:has-text('{extra.public_id}') .discard-link").click()
    assert "Amir Rezaei" in page.locator("#what-goes").inner_text()
    page.fill("#discard-reason", "Not in the article")
    page.get_by_role("button", name="Yes, discard this draft").click()
    assert page.locator(f".diff h2:has-text('{extra.public_id}')").count() == 0
    assert page.locator("#returned-banner").count() == 0  # the set was opened
    page.click("#abandon-link")
    assert world.person.public_id in page.locator("#drafts").inner_text()
    screenshot(page, "abandon-change-set.png")
    page.fill("#abandon-reason", "Wrong article")
    page.get_by_role("button", name=f"Yes, abandon change set #{world.change_set.pk}").click()
    assert "State: abandoned" in page.locator("#content").inner_text()
    assert "abandoned by cora: “Wrong article”" in page.locator("#content").inner_text()
