"""The monitoring chart in a real Chromium: on a phone, a tablet and a desktop the current month, where
the data is, shows without scrolling."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from backend import roles
from backend.roles import roles_sync_permissions
from tests.conftest import PASSWORD
from tests.geo.pages_data import ensure_product_kinds
from tests.oversight import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The on-screen box of an element, clipped by every scrolling ancestor and by the window: what a person sees.
VISIBLE_BOX = """(node) => {
  const box = node.getBoundingClientRect();
  let left = Math.max(box.left, 0), right = Math.min(box.right, window.innerWidth);
  for (let up = node.parentElement; up; up = up.parentElement) {
    const style = getComputedStyle(up);
    if (style.overflowX !== "visible") {
      const clip = up.getBoundingClientRect();
      left = Math.max(left, clip.left);
      right = Math.min(right, clip.right);
    }
  }
  return {width: box.width, visible: Math.max(0, right - left)};
}"""


def _world():
    ensure_product_kinds()
    for role in roles.ROLES:
        Group.objects.get_or_create(name=role)
    roles_sync_permissions()
    places = f.make_map()
    official = f.make_official("thanh.tra")
    coop = f.make_producer("HTX Cam sành Việt Quang", commune=places["viet_quang_old"], lat=22.41, lng=104.82)
    staff = f.make_staff("lan", coop)
    batch = f.make_batch(staff, f.make_product(staff, coop, "orange"), quantity="50")
    f.issue_and_activate(official, staff, batch, 12)


def _visible_chart(page):
    charts = page.locator("[data-month-chart] svg")
    visible = [charts.nth(i) for i in range(charts.count()) if charts.nth(i).is_visible()]
    assert len(visible) == 1, "exactly one month chart shows at a time"
    return visible[0]


@pytest.mark.parametrize(
    "width, years", [(390, 0), (1280, 0), (800, 3)], ids=["phone", "desktop", "tablet-three-years"]
)
def test_the_current_month_with_its_activations_shows_without_scrolling(browser, live_server, width, years):
    """A year on a phone and a desktop; three years on a tablet, where the full chart is wider than its box."""
    _world()
    today = timezone.localdate()
    since = today.replace(year=today.year - years, day=1) + datetime.timedelta(days=31) if years else None
    context = browser.new_context(viewport={"width": width, "height": 844}, locale="vi-VN", base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto("/accounts/login/?next=/giam-sat/theo-doi/")
    page.locator('input[name="username"]').fill("thanh.tra")
    page.locator('input[name="password"]').fill(PASSWORD)
    page.locator('main button[type="submit"]').click()
    page.wait_for_url("**/giam-sat/theo-doi/")
    if since:
        page.goto(f"/giam-sat/theo-doi/?since={since.isoformat()}")

    chart = _visible_chart(page)
    this_month = today.strftime("%m/%y")
    label = chart.locator("text", has_text=this_month)
    box = label.evaluate(VISIBLE_BOX)
    assert box["visible"] >= box["width"] > 0, f"{this_month} is cut off or scrolled away: {box}"
    # Its bars hold the activations and show too.
    bars = chart.locator(f'rect[data-category="{this_month}"]')
    heights = [float(bars.nth(i).get_attribute("height")) for i in range(bars.count())]
    assert max(heights) > 0
    for i in range(bars.count()):
        bar = bars.nth(i).evaluate(VISIBLE_BOX)
        assert bar["visible"] >= bar["width"] > 0
    # On one screen with the bars: the legend, and the scale's top figure (a long period's full chart on a
    # tablet scrolls them away to the left: there the latest months come first).
    if not years:
        for name in ("đã cấp", "đã kích hoạt", "đã quét", "đã bán", "15"):
            legend = chart.locator("text", has_text=name).first.evaluate(VISIBLE_BOX)
            assert legend["visible"] >= legend["width"] > 0, name
    # No sideways scrolling of the page itself.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
