"""A curator records a whole article in Chromium, start to finish, and we count what it
took: every click, drag, typed field and key press is one user action, every document
the browser loads (the load event) one page load.

The article names a new person, a new company and a person already published
(Mohammad Hossein Bagheri, from the seed corpus), and states an OFAC designation of the
two new ones with an asset freeze. At the end every fact is cited, the change set is
submitted, a reviewer approves it, and the reader, the review page and the history
comparison are captured at 1400 px in test-artifacts/. The README reports the count.
Skipped without Playwright/Chromium.
"""

import json

import pytest
from django.core.management import call_command

from entities.models import Entity
from publishing.models import ChangeSet, PublishedVersion
from sanctions.models import SanctionAction
from sources.models import Source
from tests.sources.test_browser import (  # noqa: F401 (fixtures)
    ARTIFACTS,
    browser,
    page,
    screenshot,
    select_and_open_panel,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "US sanctions Iranian drone parts network"
ARTICLE = (
    "US sanctions Iranian drone parts network\n"
    "\n"
    "WASHINGTON, Dec 2 (Reuters) - The U.S. Treasury on Tuesday designated Iranian businessman "
    "Kaveh Moradi and his firm, Sepehr Parts Trading Co., accusing them of buying engine parts "
    "for drones on behalf of Mohammad Hossein Bagheri, the chief of staff of Iran's armed forces.\n"
    "\n"
    "All property and interests in property of the designated persons that are in the United "
    "States are blocked, the Treasury said.\n"
)
MEASURE_WORDS = (
    "All property and interests in property of the designated persons that are in the United States are blocked"
)

# The text of a heading's section: the heading and what follows it up to the next heading.
SECTION = """
selector => {
  const parts = [];
  for (let node = document.querySelector(selector); node; node = node.nextElementSibling) {
    if (parts.length && node.tagName === "H2") break;
    parts.push(node.innerText);
  }
  return parts.join("\\n");
}
"""

# Budget from issue 16: a third of the ~110 actions and far fewer than the 29 loads of before.
MAX_ACTIONS, MAX_PAGE_LOADS = 35, 4


class Curator:
    """The page, with every user action counted."""

    def __init__(self, tab):
        self.page, self.actions, self.loads, self.log = tab, 0, 0, []
        tab.on("load", self._loaded)

    def _loaded(self, _page):
        self.loads += 1

    def _act(self, what):
        self.actions += 1
        self.log.append(what)

    def click(self, selector):
        self._act(f"click {selector}")
        self.page.click(selector)

    def fill(self, selector, text):
        self._act(f"type into {selector}")
        self.page.fill(selector, text)

    def choose(self, selector, **option):
        self._act(f"choose {option} in {selector}")
        self.page.select_option(selector, **option)

    def check(self, selector):
        self._act(f"tick {selector}")
        self.page.check(selector)

    def select_words(self, phrase):
        """A drag of the mouse over ``phrase`` in the article (one action)."""
        self._act(f"select “{phrase[:40]}”")
        select_and_open_panel(self.page, phrase)


def saved(tab):
    tab.wait_for_selector(".cite-success", state="visible")


def test_a_curator_records_an_article_in_at_most_35_actions_and_4_page_loads(page, browser, live_server, make_user):  # noqa: F811
    call_command("load_seed_corpus", verbosity=0)  # Bagheri is published; the US Government an authority
    bagheri = Entity.objects.get(names__value="Mohammad Hossein Bagheri")
    bagheri_version = PublishedVersion.objects.filter(record_id=bagheri.public_id).order_by("-version").first().version
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto("/admin/")  # where the curator is after signing in: not counted
    page.wait_for_load_state("load")
    cora = Curator(page)

    # The article: pasted into a new source; "Save" opens it in the reader.
    cora.click('a.addlink[href$="/admin/sources/source/add/"]')
    cora.fill("#id_title", TITLE)
    cora.fill("#id_text", ARTICLE)
    cora.choose("#id_language", value="en")
    cora.click("input[name=_save]")
    page.wait_for_selector("#article")
    page.wait_for_load_state("load")
    source = Source.objects.get(title=TITLE)

    # A new person and a new company: select the name, create (kind guessed, name cited).
    cora.select_words("Kaveh Moradi")
    cora.click(".create-button[data-what=person]")
    saved(page)
    cora.select_words("Sepehr Parts Trading Co.")
    cora.click(".create-button[data-what=organisation]")
    saved(page)

    # The person already published: the mentions panel offers him; accept.
    cora.click(".mention-item:has-text('Mohammad Hossein Bagheri') .mention-accept")
    page.wait_for_selector(".mention-item.cited:has-text('Mohammad Hossein Bagheri')")

    # The designation: the sentence stating it backs the action and both targets.
    cora.select_words("The U.S. Treasury on Tuesday designated")
    cora.click(".create-action summary")
    cora.choose(".action-authority", label="US Government")
    cora.choose(".action-kind", value="designation")
    cora.check(".action-target:near(:text('Kaveh Moradi'))")
    cora.check(".action-target:near(:text('Sepehr Parts Trading Co.'))")
    cora.check(".action-measure[value=asset_freeze]")
    cora.click(".create-button[data-what=sanctionaction]")
    saved(page)

    # The asset freeze: the words that state it back the measure of both targets.
    cora.select_words(MEASURE_WORDS)
    for target in ("Kaveh Moradi", "Sepehr Parts Trading Co."):
        cora.click(f".cite-claims label:has-text('{target}'):has-text('measure: asset freeze') input")
    cora.click(".cite-save")
    saved(page)
    page.wait_for_selector("#checklist:has-text('Every claim you created is cited')")
    page.keyboard.press("Escape")  # (closing the panel for the picture: not counted)
    screenshot(page, "workbench-reader.png")

    # Submit for review.
    cora.click(".my-change-set-submit")
    page.wait_for_selector("#submit")
    cora.click("#submit input[type=submit]")
    page.wait_for_selector(".messagelist")

    report = {"user_actions": cora.actions, "page_loads": cora.loads, "actions": cora.log}
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "workbench-count.json").write_text(json.dumps(report, indent=2))
    change_set = ChangeSet.objects.get(created_by__username="cora")
    assert change_set.state == ChangeSet.State.SUBMITTED, page.inner_text(".messagelist")

    # Every fact is in the set and cited.
    moradi = Entity.objects.get(names__value="Kaveh Moradi")
    sepehr = Entity.objects.get(names__value="Sepehr Parts Trading Co.")
    assert (moradi.kind, sepehr.kind) == ("person", "organisation")
    action = SanctionAction.objects.get(citations__source=source)
    assert (action.authority.name, action.kind, action.status) == ("US Government", "designation", "in_force")
    targets = {t.entity_id: t for t in action.targets.all()}
    assert set(targets) == {moradi.pk, sepehr.pk}
    for target in targets.values():
        assert target.measures == ["asset_freeze"]
        quotes = target.evidence.filter(property="measures:asset_freeze").values_list("citation__quote", flat=True)
        assert list(quotes) == [MEASURE_WORDS]
    assert bagheri.citations.filter(source=source).exists() or any(
        n.citations.filter(source=source).exists() for n in bagheri.names.all()
    )
    assert {(i.record_type, i.record_id) for i in change_set.items.all()} == {
        ("entity", moradi.public_id),
        ("entity", sepehr.public_id),
        ("entity", bagheri.public_id),
        ("sanction", action.public_id),
    }

    # A reviewer reads the set and approves it; the page stays whole afterwards.
    make_user("reviewer", username="rita")
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, base_url=live_server.url)
    rita = context.new_page()
    rita.goto("/admin/login/")
    rita.fill("#id_username", "rita")
    rita.fill("#id_password", "pw")
    rita.click("input[type=submit]")
    rita.wait_for_url("**/admin/")
    rita.goto(f"/admin/publishing/changeset/{change_set.pk}/change/")
    assert "Kaveh Moradi" in rita.inner_text("#content") and "asset freeze" in rita.inner_text("#content")
    screenshot(rita, "workbench-review.png")
    rita.click("#approve-form input[value='Approve and publish']")
    rita.wait_for_selector(".messagelist")
    change_set.refresh_from_db()
    assert change_set.state == ChangeSet.State.PUBLISHED
    assert rita.locator(".diff").count() == 4  # the records approved, still shown
    screenshot(rita, "workbench-review-approved.png")

    # Bagheri's history: the version this article added, beside the one before, rendered.
    newest = PublishedVersion.objects.filter(record_id=bagheri.public_id).order_by("-version").first().version
    assert newest == bagheri_version + 1
    rita.goto(f"/admin/entities/entity/{bagheri.pk}/history/?compare={newest}#comparison")
    comparison = rita.evaluate(SECTION, "#comparison")
    assert "Version 1 → 2" in comparison and TITLE not in comparison  # the quotes shown, not the source's title
    assert source.public_id in comparison  # the citation of this article, the one change
    screenshot(rita, "workbench-history-comparison.png")
    context.close()

    assert cora.loads <= MAX_PAGE_LOADS, report
    assert cora.actions <= MAX_ACTIONS, report
