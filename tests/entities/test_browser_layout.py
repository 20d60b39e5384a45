"""The entity page fits the window: nothing a curator needs (citations, the deprecation
reason, delete) is off-screen at common widths. Skipped without Playwright/Chromium."""

import pytest
from django.core.management import call_command

from entities.models import Entity
from tests.sources.test_browser import browser, page, screenshot  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1400, 1920])
def test_the_entity_page_is_no_wider_than_the_window(page, width):  # noqa: F811
    call_command("load_seed_corpus", verbosity=0)
    entity = Entity.objects.get(names__value="Mohammad Hossein Bagheri")
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"/admin/entities/entity/{entity.pk}/change/")
    page.wait_for_selector("#entity_form")
    widest = page.evaluate(
        """() => [...document.querySelectorAll('#content-main *')]
              .map(e => [Math.round(e.getBoundingClientRect().right), e.tagName + '.' + e.className + '#' + e.id])
              .sort((a, b) => b[0] - a[0]).slice(0, 8)"""
    )
    screenshot(page, f"entity-form-{width}.png")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, widest
    for selector in (".field-citations", ".field-deprecation_reason", ".deletelink"):
        for box in [e.bounding_box() for e in page.locator(selector).all()]:
            if box:
                assert box["x"] + box["width"] <= width, (selector, box, widest)
