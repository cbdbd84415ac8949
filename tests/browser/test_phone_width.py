"""Every page of every role fits a 390 px phone: nothing makes the page scroll sideways.

The world is built with long Vietnamese values in every free-text field — a long cooperative name, and
an unbroken token (an email address, a URL, a compound word without spaces) that cannot wrap at a
space — because that is what pushes a page wider than the phone. A page fails when the document is
wider than the viewport, or when any visible element reaches outside the viewport without being
inside a box that scrolls (or clips) on its own, like a wide table in its scroll box or a map's tiles.
"""

from __future__ import annotations

import pytest
from django.urls import resolve, reverse

from tests.browser.test_find_shop import block_the_outside_world
from tests.site_world import ROLES, build_world, pages, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}

#: Unbroken tokens people really type: they cannot wrap at a space.
UNBROKEN = (
    "htx.camsanh.vinhtuy.bacquang@nongsan-hagiang.example.vn",
    "https://nongsan-hagiang.example.vn/hop-tac-xa/cam-sanh-vinh-tuy-bac-quang?nguon=tem",
    "HợptácxãnôngnghiệpdịchvụtổnghợpcamsànhđặcsảnVĩnhTuy",
)
#: HTML fragments a page fetches into itself (route → the page and the box they go in): each is checked
#: there, in the styles it is shown with, not as a bare document.
FRAGMENTS = {"oversight:map_card": ("oversight:map", "[data-producer-card]")}
#: The shortest free-text field the world fills (a certificate number) holds 100 characters.
MAX_LENGTH = 100


def long_text(label: str) -> str:
    """A long, realistic value for the field `label`: words that wrap, then one token that cannot."""
    token = UNBROKEN[sum(map(ord, label)) % len(UNBROKEN)]
    return f"{label} Hợp tác xã Nông nghiệp Dịch vụ {token}"[:MAX_LENGTH]


# Reports what sticks out: the document's width, and each visible element whose box reaches past the
# viewport and that no ancestor contains (an ancestor with overflow-x other than visible scrolls or
# clips it). Elements hidden on purpose (the skip link parked off-screen, 1 px "visually hidden" text)
# are left out.
OVERFLOW_JS = """
() => {
  const width = document.documentElement.clientWidth;
  const contained = (element) => {
    for (let parent = element.parentElement; parent && parent !== document.body; parent = parent.parentElement) {
      if (getComputedStyle(parent).overflowX !== "visible") return true;
    }
    return false;
  };
  const name = (element) => {
    let text = element.tagName.toLowerCase();
    if (element.id) text += "#" + element.id;
    if (typeof element.className === "string" && element.className.trim()) {
      text += "." + element.className.trim().split(/\\s+/).join(".");
    }
    return text;
  };
  const outside = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width <= 1 || box.height <= 1) continue;
    const style = getComputedStyle(element);
    if (style.visibility === "hidden") continue;
    if (box.right <= 0 && (style.position === "absolute" || style.position === "fixed")) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      if (contained(element)) continue;
      outside.push(name(element) + " [" + Math.round(box.left) + "–" + Math.round(box.right) + "px] "
        + (element.textContent || "").trim().slice(0, 40));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: width, outside: outside.slice(0, 5)};
}
"""


SHOW_FRAGMENT_JS = """
async ([url, selector]) => {
  const response = await fetch(url, {credentials: "same-origin", headers: {Accept: "text/html"}});
  const box = document.querySelector(selector);
  box.hidden = false;
  box.innerHTML = await response.text();
}
"""


def _route_name(path: str) -> str:
    match = resolve(path.split("?")[0])
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def _open(page, path: str) -> None:
    """Open a page as a person would see it (a fragment inside the page that shows it)."""
    host = FRAGMENTS.get(_route_name(path))
    response = page.goto(reverse(host[0]) if host else path)
    assert response is not None and response.ok, (path, response and response.status)
    if host:
        page.evaluate(SHOW_FRAGMENT_JS, [path, host[1]])


def test_every_page_of_every_role_fits_a_390px_phone(browser, live_server):
    world = build_world(text=long_text)
    failures = []
    for role in ROLES:
        context = browser.new_context(viewport=PHONE, locale="vi-VN", base_url=live_server.url)
        try:
            sign_in_browser(context, live_server.url, world, role)
            page = context.new_page()
            page.set_default_timeout(15_000)
            block_the_outside_world(page, live_server)
            for path in pages(world)[role]:
                _open(page, path)
                found = page.evaluate(OVERFLOW_JS)
                if found["scrollWidth"] > found["clientWidth"] or found["outside"]:
                    failures.append(f"{role} {path}: {found['scrollWidth']} px wide; {found['outside']}")
        finally:
            context.close()
    assert not failures, "Pages wider than a 390 px phone:\n" + "\n".join(failures)
