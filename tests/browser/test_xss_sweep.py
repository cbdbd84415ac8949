"""Hostile text in every field a participant types, and every page of every role opened in a real Chromium:
no planted script runs, no markup from the text becomes an element, and the Content-Security-Policy refuses
nothing (so no page of ours relies on inline script or style either).

The world (tests/site_world.py) is built with `text=planter`: each free-text field gets its label and a
numbered payload that tries every context the text can land in — element content (`<img onerror>`,
`<svg onload>`), a quoted attribute (`'">` breaking out, `" autofocus onfocus=`), a `<script>` block such
as `json_script`'s (`</script>`). Each vector calls `xss(n)`, which the watch script (tests/browser/watch.py)
records. Maps get their layers hovered and clicked, since Leaflet renders tooltips and popups only then.
Finally every payload must have been seen on some page, so that no field escapes the sweep unseen.
"""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.browser.test_find_shop import EMPTY_PNG
from tests.browser.watch import seen, watch
from tests.site_world import ROLES, build_world, pages, sign_in_browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Fields shorter than the usual 150 characters: their label is shortened so that the payload fits whole.
SHORT_FIELDS = {"Số chứng nhận": 100}
DEFAULT_LIMIT = 150

#: Where a map is drawn (some only after the page's load event): wait for its data, then hover and click.
MAP_SELECTOR = "#origin-map, #shop-map, #province-map, [data-feature-map], [data-pick-map], #pin-map"

#: Elements that markup in the text would have made: handler attributes, or a script that is not ours.
INJECTED = """() => {
  const found = [];
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      if (attribute.name.startsWith("on")) found.push(element.tagName + " " + attribute.name + "=" + attribute.value);
    }
    if (element.tagName === "SCRIPT" && !element.src && element.type !== "application/json"
        && element.textContent.includes("xss(")) {
      found.push("SCRIPT " + element.textContent.slice(0, 60));
    }
  }
  return found;
}"""


#: Every map layer (paths, markers) hovered then clicked; a click may redraw the map, so elements gone are skipped.
HOVER_AND_CLICK = """() => {
  const layers = Array.from(document.querySelectorAll(".leaflet-container .leaflet-interactive")).slice(0, 40);
  for (const layer of layers) {
    if (!layer.isConnected) continue;
    const box = layer.getBoundingClientRect();
    const at = { bubbles: true, cancelable: true, clientX: box.x + box.width / 2, clientY: box.y + box.height / 2 };
    layer.dispatchEvent(new MouseEvent("mouseover", at));
    layer.dispatchEvent(new MouseEvent("click", at));
  }
}"""


def payload(n: int) -> str:
    return f'\'"><img src=x onerror=xss({n})></script><svg onload=xss({n})>" autofocus onfocus=xss({n}) x="'


class Planter:
    """`text` for build_world: remembers which label got which number."""

    def __init__(self):
        self.labels: dict[int, str] = {}

    def __call__(self, label: str) -> str:
        n = len(self.labels) + 1
        self.labels[n] = label
        vectors = payload(n)
        room = SHORT_FIELDS.get(label, DEFAULT_LIMIT) - len(vectors) - 1
        assert room > 0, label
        return f"{label[:room]} {vectors}"


def admin_pages(world) -> list[str]:
    """The admin's list and first record of every model of ours (they show every field typed)."""
    paths = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        if meta.app_label not in ("geo", "tracing", "marketplace", "oversight") and meta.label != "auth.User":
            continue
        paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return paths


def exercise_maps(page) -> None:
    """Let the page's maps load their layers, then open every tooltip and popup as a visitor would."""
    maps = page.locator(MAP_SELECTOR)
    if not maps.count():
        return
    for index in range(maps.count()):  # the scan page loads its map only when it comes into view
        maps.nth(index).evaluate("element => element.scrollIntoView()")
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")
    page.evaluate(HOVER_AND_CLICK)
    page.wait_for_load_state("networkidle")


def visit(page, path: str) -> dict[str, list[str]]:
    response = page.goto(path)
    assert response is not None and response.status == 200, (path, response and response.status)
    exercise_maps(page)
    found = seen(page)
    found["injected"] = page.evaluate(INJECTED)
    found["html"] = page.content()
    return found


def test_no_planted_script_runs_on_any_page_of_any_role(browser, live_server):
    planter = Planter()
    world = build_world(text=planter)
    paths_by_role = pages(world)
    paths_by_role["admin"] = [*paths_by_role["admin"], *admin_pages(world)]
    failures: dict[str, dict] = {}
    shown: set[int] = set()
    visited = 0
    for role in ROLES:
        context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN", base_url=live_server.url)
        context.route(
            lambda url: not url.startswith(live_server.url),
            lambda route: route.fulfill(status=200, content_type="image/png", body=EMPTY_PNG),
        )
        console = watch(context)
        sign_in_browser(context, live_server.url, world, role)
        page = context.new_page()
        page.set_default_timeout(15_000)
        for path in paths_by_role[role]:
            before = len(console)
            found = visit(page, path)
            visited += 1
            html = found.pop("html")
            shown |= {n for n in planter.labels if f"xss({n})" in html}
            found["console"] = console[before:]
            if any(found.values()):
                failures[f"{role} {path}"] = found
        context.close()

    assert not failures, failures
    unseen = {n: label for n, label in planter.labels.items() if n not in shown}
    assert not unseen, f"planted but shown on no page, so never tested: {unseen}"
    print(f"\nXSS sweep: {visited} page visits ({len(ROLES)} roles), {len(planter.labels)} payload fields")
