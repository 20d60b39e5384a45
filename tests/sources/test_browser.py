"""The source reader in a real Chromium: select words, cite them, check what is stored.

The selection is made with a DOM Range on the article's text nodes (what a drag of the
mouse produces), then the panel is opened the way a user's mouse button release does.
Skipped where Playwright or Chromium is not installed.
"""

import os
import unicodedata
from pathlib import Path

import pytest
from django.core.management import call_command

from entities.models import Entity
from sources import services
from sources.models import Citation, Source
from tests.builders import IMG, SCRIPT, citation, entity, hostile_world, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed: pip install -e '.[test]'")
if not Path(CHROMIUM).exists():
    pytest.skip(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

# Select `phrase` (its first occurrence in the article) with a DOM Range spanning
# whatever text nodes the highlights split it into.
SELECT = """
phrase => {
  const article = document.getElementById("article");
  const at = article.textContent.indexOf(phrase);
  if (at < 0) throw new Error("phrase not in the article: " + phrase);
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let seen = 0, node;
  while ((node = walker.nextNode())) {
    const length = node.data.length;
    if (seen <= at && at < seen + length) range.setStart(node, at - seen);
    if (seen < at + phrase.length && at + phrase.length <= seen + length) range.setEnd(node, at + phrase.length - seen);
    seen += length;
  }
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
}
"""


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # are still synchronous, so Django's async-safety check must be told so.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield chromium
        chromium.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server, make_user):
    make_user("curator", username="cora")
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # What the content security policy blocked (an inline style or script, say).
    page.on("console", lambda msg: "Content Security Policy" in msg.text and errors.append(msg.text))
    page.on("dialog", lambda dialog: errors.append(f"a script opened a dialog: {dialog.message}") or dialog.dismiss())
    page.goto("/admin/login/")
    page.fill("#id_username", "cora")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    yield page
    context.close()
    assert not errors, f"JavaScript errors or content security policy violations: {errors}"


def open_reader(page, source):
    page.goto(f"/admin/sources/source/{source.pk}/change/")
    page.click("text=Read and cite")
    page.wait_for_selector("#article")
    # The reader's script listens for selections once the page has loaded: an event
    # dispatched before then would go unheard.
    page.wait_for_load_state("load")


def select_and_open_panel(page, phrase):
    page.evaluate(SELECT, phrase)
    page.dispatch_event("#article", "mouseup")  # the mouse button released after dragging
    page.wait_for_selector("#cite-panel", state="visible")


def cite_to(page, search, record_label, claim_id):
    page.fill(".cite-search", search)
    page.click(f".cite-records button:has-text('{record_label}')")
    page.check(f".cite-claims input[value='{claim_id}']")
    page.click(".cite-save")


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_a_curator_cites_a_phrase_of_the_german_seed_article(page):
    call_command("load_seed_corpus", verbosity=0)
    source = Source.objects.get(text__startswith="Die USA haben Geheimdienstinformationen")
    alabuga = Entity.objects.get(names__value="Alabuga Special Economic Zone")
    # overlaps the cited "in der russischen Sonderwirtschaftszone Alabuga": spans two highlights
    phrase = "den geplanten Standort der Anlage in der russischen Sonderwirtschaftszone Alabuga"
    start = source.text.index(phrase)
    assert not Citation.objects.filter(source=source, start=start).exists()

    open_reader(page, source)
    # hovering a highlight lists the claims it backs
    page.hover(".cite >> text=Sonderwirtschaftszone")
    assert "Alabuga Special Economic Zone" in page.inner_text("#claims-popover")

    select_and_open_panel(page, phrase)
    assert page.inner_text(".cite-offsets") == f"(characters {start}–{start + len(phrase)})"
    cite_to(page, "Alabuga", "Alabuga Special Economic Zone", alabuga.pk)
    page.wait_for_selector(".cite-success", state="visible")
    screenshot(page, "reader-german-seed-cited.png")

    stored = Citation.objects.get(source=source, start=start)
    assert (stored.start, stored.end, stored.quote) == (start, start + len(phrase), phrase)
    assert stored.quote == source.text[stored.start : stored.end]
    assert alabuga.citations.filter(pk=stored.pk).exists()
    assert stored.created_by.username == "cora"
    # the new citation is drawn like every other, without a page load
    page.wait_for_selector(f'.cite[data-citations~="{stored.pk}"]', state="attached")


TRICKY = unicodedata.normalize(
    "NFC", "Die 𝔘nion 🙂 meldet: Minister Kę\u0301stutis Ąžuolas traf am 1. März Vertreter in Vilnius."
)


def test_offsets_count_code_points_with_astral_characters_and_combining_marks(page):
    source = Source.objects.create(text=TRICKY, title="Vilnius", language="de")
    entity = person("Kęstutis Ąžuolas")
    phrase = "Minister Kę\u0301stutis Ąžuolas"
    start = TRICKY.index(phrase)

    open_reader(page, source)
    select_and_open_panel(page, phrase)
    # JavaScript sees two more units before the phrase (𝔘 and 🙂); the panel shows code points
    assert page.evaluate("document.getElementById('article').textContent.indexOf('Minister')") == start + 2
    assert page.inner_text(".cite-offsets") == f"(characters {start}–{start + len(phrase)})"
    cite_to(page, "Ąžuolas", "Kęstutis Ąžuolas", entity.pk)
    page.wait_for_selector(".cite-success", state="visible")
    screenshot(page, "reader-astral-and-combining.png")

    stored = Citation.objects.get(source=source)
    assert (stored.start, stored.end, stored.quote) == (start, start + len(phrase), phrase)
    assert stored.prefix == TRICKY[:start] and stored.suffix == TRICKY[stored.end : stored.end + 32]


def test_bad_selections_and_stale_pages_are_explained_in_the_panel(page):
    source = Source.objects.create(text=TRICKY, title="Vilnius", language="de")
    entity = person("Kęstutis Ąžuolas")
    open_reader(page, source)

    # a selection reaching out of the article into the page heading
    page.evaluate(
        """() => {
          const range = document.createRange();
          range.setStart(document.querySelector("h1").firstChild, 0);
          range.setEnd(document.getElementById("article").firstChild, 8);
          getSelection().removeAllRanges();
          getSelection().addRange(range);
        }"""
    )
    page.dispatch_event("#article", "mouseup")
    page.wait_for_selector(".cite-error", state="visible")
    assert "beyond the article text" in page.inner_text(".cite-error")
    assert page.is_disabled(".cite-save")

    # the source is corrected by someone else while this page is open
    select_and_open_panel(page, "Vilnius")
    services.supersede(source, TRICKY + " Korrigiert.", entity.created_by)
    cite_to(page, "Ąžuolas", "Kęstutis Ąžuolas", entity.pk)
    page.wait_for_selector(".cite-error", state="visible")
    assert page.inner_text(".cite-error").startswith("source: This source has been superseded by")
    screenshot(page, "reader-stale-page.png")
    assert not Citation.objects.filter(source=source).exists()


def test_a_curator_accepts_a_suggested_mention_and_it_becomes_a_citation(page):
    call_command("load_seed_corpus", verbosity=0)  # published, so in the match index
    kirby = Entity.objects.get(names__value="John Kirby")
    text = "WASHINGTON (AP) — 🙂 National Security Council spokesman John Kirby said on Monday that talks went on."
    source = Source.objects.create(text=text, title="Kirby", language="en")
    start = text.index("John Kirby")

    open_reader(page, source)
    item = page.locator(".mention-item", has_text="John Kirby")
    assert kirby.public_id in item.inner_text()
    mark = page.locator("#article .mention", has_text="John Kirby")
    item.hover()  # the entry's words are outlined in the article
    page.wait_for_selector("#article .mention.mention-active")
    assert mark.inner_text() == "John Kirby"
    screenshot(page, "reader-mentions.png")

    page.evaluate("window.marker = 'still this page'")
    item.locator(".mention-accept").click()
    page.wait_for_selector("#reader-status", state="visible")
    assert page.inner_text("#reader-status") == f"“John Kirby” now backs name {kirby.caption}."
    page.wait_for_selector('#article .cite:has-text("John Kirby")', state="attached")  # drawn anew
    assert page.evaluate("window.marker") == "still this page"  # no page load
    stored = Citation.objects.get(source=source)
    assert (stored.start, stored.end, stored.quote) == (start, start + len("John Kirby"), "John Kirby")
    assert [c.specific() for c in stored.claims.all()] == [kirby.names.get(value="John Kirby")]
    # the words are a citation now, no longer a suggestion
    assert page.inner_text(f'.cite[data-citations~="{stored.pk}"]') == "John Kirby"
    assert page.locator("#article .mention", has_text="John Kirby").count() == 0
    assert "Already cited for this entity." in page.locator(".mention-item", has_text="John Kirby").inner_text()
    screenshot(page, "reader-mention-accepted.png")


def test_the_admin_review_and_trace_pages_break_no_rule_of_the_content_security_policy(page):
    """Every kind of page curators, reviewers and auditors use, under the strict policy:
    the fixture fails the test on any violation the browser reports."""
    from publishing.models import ChangeSet, PublishedVersion
    from sanctions.models import SanctionAction

    call_command("load_seed_corpus", verbosity=0)
    entity = Entity.objects.filter(names__value="Alabuga Special Economic Zone").get()
    action = SanctionAction.objects.order_by("pk").first()
    source = Source.objects.order_by("pk").first()
    pages = [
        "/admin/",
        "/admin/entities/entity/",
        f"/admin/entities/entity/{entity.pk}/change/",
        f"/admin/entities/entity/{entity.pk}/history/",
        f"/admin/sanctions/sanctionaction/{action.pk}/change/",
        f"/admin/sources/source/{source.pk}/change/",
        f"/admin/sources/source/{source.pk}/read/",
        f"/admin/sources/source/{source.pk}/supersede/",
        f"/admin/publishing/changeset/{ChangeSet.objects.order_by('pk').first().pk}/change/",
        f"/admin/publishing/publishedversion/{PublishedVersion.objects.order_by('seq').first().pk}/change/",
        entity.get_trace_url(),
        action.get_trace_url(),
        f"/trace/source/{source.public_id}/",
    ]
    for url in pages:
        response = page.goto(url)
        assert response.status == 200, url
        assert "script-src 'self'" in response.headers["content-security-policy"], url
    # widgets that draw themselves: an autocomplete dropdown and an inline's "add another" row
    page.goto(f"/admin/sanctions/sanctionaction/{action.pk}/change/")
    page.click(".field-authority .select2-selection")
    page.wait_for_selector(".select2-results__option")
    page.click(".add-row a")
    page.goto(f"/admin/sources/source/{source.pk}/read/")
    page.hover(".cite >> nth=0")
    page.wait_for_selector("#claims-popover", state="visible")


def test_markup_in_an_article_and_its_claims_stays_text_in_the_reader_and_the_cite_panel(page, make_user):
    """What the reader's script draws (popover, search results) is text, never markup;
    the fixture fails the test on any dialog a payload would open."""
    src, man, *_ = hostile_world(make_user("curator"), make_user("reviewer"))
    open_reader(page, src)
    assert page.evaluate("document.getElementById('article').textContent") == src.text
    page.hover(".cite >> nth=0")
    page.wait_for_selector("#claims-popover", state="visible")
    assert SCRIPT in page.inner_text("#claims-popover")

    select_and_open_panel(page, "suppliers of drones")
    page.fill(".cite-search", "alert")
    page.wait_for_selector(".cite-records button")
    labels = page.locator(".cite-records button").all_inner_texts()
    assert any(SCRIPT in label for label in labels) and any(IMG in label for label in labels)
    assert_no_injected_elements(page)
    page.goto(man.get_trace_url())
    assert SCRIPT in page.inner_text("#content-main")
    assert_no_injected_elements(page)


def assert_no_injected_elements(page):
    assert page.locator("img[src=x]").count() == 0
    assert page.evaluate("[...document.scripts].every(s => s.src || s.type === 'application/json')")


def test_a_selection_across_a_line_break_is_saved(page):
    # The browser's form post turns the article's LF into CRLF; the server compares the
    # words with the article's own line breaks.
    text = "Russia's war against Ukraine.\n\nAll property of Foo Trading in the EU is frozen."
    source = Source.objects.create(text=text, title="Lines", language="en")
    entity = person("Foo Trading")
    phrase = "against Ukraine.\n\nAll property"
    start = text.index(phrase)

    open_reader(page, source)
    select_and_open_panel(page, phrase)
    cite_to(page, "Foo Trading", "Foo Trading", entity.pk)
    page.wait_for_selector(".cite-success:visible, .cite-error:visible")
    assert page.is_hidden(".cite-error"), page.inner_text(".cite-error")
    stored = Citation.objects.get(source=source)
    assert (stored.start, stored.end, stored.quote) == (start, start + len(phrase), phrase)


def test_a_drag_starting_on_a_cited_span_is_not_captured_by_the_claims_popover(page):
    # Short lines, so the popover that opens under the cited span covers the next lines.
    text = "Foo Trading\nis a firm.\nIt sells drones\nto Russia\nand Iran\nsince 2022.\nThe end."
    source = Source.objects.create(text=text, title="Drag", language="en")
    person("Foo Trading", cite=citation(source, "Foo Trading"))
    open_reader(page, source)

    cited = page.locator(".cite", has_text="Foo Trading").bounding_box()
    page.mouse.move(cited["x"] + 3, cited["y"] + cited["height"] / 2)
    page.wait_for_selector("#claims-popover", state="visible")  # hovering shows its claims
    box = page.locator("#claims-popover").bounding_box()
    target = (box["x"] + 20, box["y"] + box["height"] / 2)  # where the popover was open
    page.mouse.down()
    page.mouse.move(*target, steps=10)
    page.mouse.up()

    page.wait_for_selector("#cite-panel", state="visible")
    assert page.is_hidden("#claims-popover")
    assert page.is_hidden(".cite-error"), page.inner_text(".cite-error")
    quote = page.input_value("input[name=quote]")
    assert quote in text and text.index(quote) <= 1 and "\n" in quote  # from "Foo" down into the article
    assert not page.is_disabled(".cite-save")


def test_a_selection_in_a_later_part_of_a_long_article_is_stored_at_the_articles_offsets(page, monkeypatch):
    from sources.admin import reader

    monkeypatch.setattr(reader, "PART_CHARS", 60)  # as a 1 MB article is cut into parts of 100,000
    text = "Erster Absatz: 🙂 Minister Kęstutis sprach in Vilnius.\nZweiter Absatz: Kęstutis Ąžuolas antwortete.\n"
    source = Source.objects.create(text=text, title="Long", language="de")
    entity = person("Kęstutis Ąžuolas")
    phrase = "Kęstutis Ąžuolas"
    start = text.index(phrase)
    open_reader(page, source)
    page.click(".article-parts a:has-text('2')")
    page.wait_for_url("**?part=2")
    select_and_open_panel(page, phrase)
    assert page.inner_text(".cite-offsets") == f"(characters {start}–{start + len(phrase)})"
    cite_to(page, "Ąžuolas", "Kęstutis Ąžuolas", entity.pk)
    page.wait_for_selector(".cite-success:visible, .cite-error:visible")
    assert page.is_hidden(".cite-error"), page.inner_text(".cite-error")
    stored = Citation.objects.get(source=source)
    assert (stored.start, stored.end, stored.quote) == (start, start + len(phrase), phrase)


# ------------------------------------------------------------------ the workbench

ARTICLE = (
    "Washington. The Treasury designated Amir Rezaei and Kavir Drone Industries on Monday,\r\n"
    "freezing all their assets in the United States. Rezaei denied it."
).replace("\r\n", "\n")


def no_page_load_since_marked(page):
    return page.evaluate("window.marker") == "still this page"


def test_keyboard_alone_cites_one_selection_for_two_claims_without_a_page_load(page):
    source = Source.objects.create(text=ARTICLE, title="Treasury", language="en")
    rezaei = person("Amir Rezaei")
    name = rezaei.names.get()
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_reader(page, source)
    page.evaluate("window.marker = 'still this page'")

    select_and_open_panel(page, "Amir Rezaei")
    assert page.evaluate("document.activeElement.classList.contains('cite-search')")  # focus on the search box
    assert "Enter" in page.inner_text(".cite-keys")  # the shortcuts are shown
    page.keyboard.type("Rezaei")
    page.wait_for_selector(".cite-records button")
    page.keyboard.press("ArrowDown")  # the record, chosen
    page.wait_for_selector(".cite-claims input")
    page.keyboard.press("ArrowDown")  # its first claim: the entity
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")  # the name
    page.keyboard.press("Space")
    assert page.inner_text(".cite-save") == "Save citation for 2 claims"
    screenshot(page, "reader-workbench-two-claims.png")
    page.keyboard.press("Enter")
    page.wait_for_selector(".cite-success", state="visible")

    stored = Citation.objects.get(source=source)
    assert stored.quote == "Amir Rezaei"
    assert {c.pk for c in stored.claims.all()} == {rezaei.pk, name.pk}
    page.wait_for_selector(f'#article .cite[data-citations~="{stored.pk}"]', state="attached")
    assert page.evaluate("document.getElementById('article').textContent") == source.text
    assert no_page_load_since_marked(page)
    # the popover of the new highlight lists both claims
    page.keyboard.press("Escape")
    assert page.is_hidden("#cite-panel")
    page.hover(f'#article .cite[data-citations~="{stored.pk}"]')
    assert "name: Amir Rezaei" in page.inner_text("#claims-popover")


def test_a_curator_records_a_person_an_organisation_a_name_and_an_action_from_selections(page):
    from publishing.models import ChangeSetItem
    from sanctions.models import Authority, SanctionAction

    Authority.objects.create(name="Office of Foreign Assets Control", short_name="OFAC", country="US")
    kavir = entity("Kavir Drone Industries", Entity.Kind.ORGANISATION)
    source = Source.objects.create(text=ARTICLE, title="Treasury", language="en")
    page.set_viewport_size({"width": 1400, "height": 1000})
    open_reader(page, source)
    page.evaluate("window.marker = 'still this page'")

    # a new person: the kind read from the words, the name cited, the record in the panel
    select_and_open_panel(page, "Amir Rezaei")
    page.wait_for_selector(".create-button.guessed[data-what=person]")
    page.click(".create-button[data-what=person]")
    page.wait_for_selector(".cite-success", state="visible")
    rezaei = Entity.objects.get(names__value="Amir Rezaei")
    assert rezaei.kind == "person"
    assert "Amir Rezaei" in page.inner_text(".cite-records button.chosen")
    page.wait_for_selector('#article .cite:has-text("Amir Rezaei")', state="attached")

    # the organisation is recorded already: the panel says so before creating a second
    select_and_open_panel(page, "Kavir Drone Industries")
    page.click(".create-button[data-what=organisation]")
    page.wait_for_selector(".create-candidates:visible")
    assert "score 1.00" in page.inner_text(".create-candidates")
    screenshot(page, "reader-workbench-duplicate.png")
    page.click(".create-candidates button:has-text('instead')")  # cite it as a name of the one recorded
    page.wait_for_selector(".cite-success", state="visible")
    assert Entity.objects.filter(kind="organisation").count() == 1
    assert kavir.names.get().citations.get().quote == "Kavir Drone Industries"

    # another name of the new person
    select_and_open_panel(page, "Rezaei denied")
    page.evaluate(SELECT, "Rezaei")  # just the family name
    page.dispatch_event("#article", "mouseup")
    page.fill(".cite-search", "Amir Rezaei")
    page.click(".cite-records button:has-text('Amir Rezaei')")
    page.click(".create-name")
    page.wait_for_selector(".cite-success", state="visible")
    assert rezaei.names.filter(value="Rezaei", type="alias").exists()

    # a designation: authority, kind and status chosen, the summary the sentence
    select_and_open_panel(page, "The Treasury designated")
    page.click(".create-action summary")
    page.select_option(".action-authority", label="OFAC")
    page.select_option(".action-kind", "designation")
    page.click(".create-button[data-what=sanctionaction]")
    page.wait_for_selector(".cite-success", state="visible")
    action = SanctionAction.objects.get()
    assert action.summary.startswith("The Treasury designated Amir Rezaei")
    assert action.citations.get().quote == "The Treasury designated"
    screenshot(page, "reader-workbench-recorded.png")

    assert no_page_load_since_marked(page)
    assert page.evaluate("document.getElementById('article').textContent") == source.text
    assert ChangeSetItem.objects.filter(pending=True).count() == 3  # person, organisation, action


def test_the_checklist_preselects_a_claim_and_empties_as_claims_are_cited(page):
    from django.contrib.auth import get_user_model

    cora = get_user_model().objects.get(username="cora")
    source = Source.objects.create(text=ARTICLE, title="Treasury", language="en")
    rezaei = person("Amir Rezaei", created_by=cora)
    page.set_viewport_size({"width": 1400, "height": 900})
    open_reader(page, source)
    page.evaluate("window.marker = 'still this page'")
    assert page.locator(".checklist-entry").count() == 2  # the entity and its name

    page.click(f".checklist-entry[data-claim='{rezaei.pk}']")
    page.wait_for_selector("#cite-panel", state="visible")
    assert page.is_checked(f".cite-claims input[value='{rezaei.pk}']")
    screenshot(page, "reader-workbench-checklist.png")
    select_and_open_panel(page, "Amir Rezaei")
    assert page.is_checked(f".cite-claims input[value='{rezaei.pk}']")  # still chosen
    page.click(".cite-save")
    page.wait_for_selector(".cite-success", state="visible")
    page.wait_for_selector(f".checklist-entry[data-claim='{rezaei.pk}']", state="detached")
    assert page.locator(".checklist-entry").count() == 1
    assert no_page_load_since_marked(page)


def test_a_likely_new_organisation_is_recorded_in_two_clicks(page):
    text = "Tehran. The Treasury also named Shahed Aviation Industries, a drone maker, on Monday."
    source = Source.objects.create(text=text, title="Shahed", language="en")
    open_reader(page, source)
    page.evaluate("window.marker = 'still this page'")
    page.click(".new-entity-list li:has-text('Shahed Aviation Industries') .new-entity-select")
    page.wait_for_selector("#cite-panel", state="visible")
    assert page.input_value("input[name=quote]") == "Shahed Aviation Industries"
    page.wait_for_selector(".create-button.guessed[data-what=organisation]")
    page.click(".create-button.guessed")
    page.wait_for_selector(".cite-success", state="visible")
    shahed = Entity.objects.get(names__value="Shahed Aviation Industries")
    assert shahed.kind == "organisation"
    assert shahed.citations.get().quote == "Shahed Aviation Industries"
    # the suggestion now says it is recorded, without a page load
    page.wait_for_selector(f".new-entity-recorded:has-text('{shahed.public_id}')")
    assert no_page_load_since_marked(page)
