"""The review page in Chromium: record headings' links read on the heading's colour.
Skipped without Playwright/Chromium."""

import pytest

from publishing import services
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
