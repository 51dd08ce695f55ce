"""Saved searches, notifications and similar documents in the browser (issue 11): save a search with an alert from
the search page, upload a matching paper, and see the notice arrive, counted in the header, opening on its page."""

from __future__ import annotations

import random
import time
import uuid

from playwright.sync_api import Page, expect

from tests.samples import born_digital_pdf
from tests.web.conftest import WebStack, assert_accessible, sign_in

PAPER = (
    "The petitioner challenges the auction of agricultural land in mauza {word} by the revenue officer without "
    "notice to the tenants in possession, contrary to natural justice."
)


def _word() -> str:
    rng = random.Random(uuid.uuid4().int)
    return "zq" + "".join(rng.choice("bcdfghjklmnprstvw") for _ in range(10))


def test_a_saved_search_with_an_alert_notifies_of_a_matching_upload(page: Page, web_stack: WebStack) -> None:
    word = _word()
    sign_in(page, "web-clerk", f"/search?q={word}")
    save = page.get_by_role("form", name="Save this search")
    save.get_by_label("Name").fill(f"Mauza {word}")
    expect(save.get_by_label("Alert me")).to_be_checked()
    save.get_by_role("button", name="Save search").click()
    page.wait_for_url("**/saved-searches")
    row = page.get_by_role("row").filter(has_text=f"Mauza {word}")
    expect(row).to_contain_text("on")
    expect(row.get_by_role("link", name=word)).to_have_attribute("href", f"/search?q={word}")
    assert_accessible(page)

    case = web_stack.create_case(f"ALERT {uuid.uuid4().hex[:8]}", title="Tenants v. Collector")
    copy = web_stack.upload(case["id"], "earlier.pdf", born_digital_pdf([PAPER.format(word=word) + " A true copy."]))
    assert web_stack.wait_until_done(copy["id"])["status"] == "indexed"
    document = web_stack.upload(case["id"], f"order-{word}.pdf", born_digital_pdf([PAPER.format(word=word)]))
    assert web_stack.wait_until_done(document["id"])["status"] == "indexed"

    deadline = time.monotonic() + 60
    notices = page.locator(f"li.notification[data-document-id='{document['id']}']")
    page.goto("/notifications")
    while notices.count() == 0 and time.monotonic() < deadline:  # the alerts job runs just after indexing
        time.sleep(0.3)
        page.goto("/notifications")
    expect(notices).to_contain_text(f"Mauza {word}")
    expect(notices).to_contain_text("unread")
    expect(page.get_by_test_id("unread-count")).to_contain_text("2")  # both uploads matched
    assert_accessible(page)

    notices.get_by_role("button", name="Open").click()
    page.wait_for_url(f"**/documents/{document['id']}/pages/1")
    similar = page.get_by_role("region", name="Similar documents")
    expect(similar.get_by_role("link", name="earlier.pdf")).to_be_visible()
    assert_accessible(page)

    page.goto("/notifications")
    expect(page.get_by_test_id("unread-total")).to_contain_text("1 unread")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-total")).to_contain_text("0 unread")
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    page.goto("/saved-searches")
    page.get_by_role("button", name=f"Delete saved search Mauza {word}").click()
    expect(page.get_by_role("row").filter(has_text=f"Mauza {word}")).to_have_count(0)


def test_a_malformed_search_is_not_saved_and_says_why(page: Page) -> None:
    sign_in(page, "web-focal", "/saved-searches")
    expect(page.get_by_test_id("no-saved-searches")).to_be_visible()
    page.goto("/search?q=bail")
    # A hand-made form post of a malformed query (the search page itself would show the problem first).
    page.evaluate(
        """() => { const form = document.querySelector('form.save-search');
                   form.querySelector('input[name=q]').value = '(bail'; form.submit(); }"""
    )
    expect(page.get_by_test_id("saved-problem")).to_contain_text("never closed")
    assert_accessible(page)
