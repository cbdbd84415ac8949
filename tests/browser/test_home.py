import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_loads_in_vietnamese_and_switches_to_english(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.locator("h1").inner_text().startswith("Đặc sản Hà Giang")

    page.locator("button[data-lang=en]").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text().startswith("Genuine Hà Giang specialties")

    # The choice sticks on the next page.
    page.goto("/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    page.locator("button[data-lang=vi]").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Đăng nhập"
