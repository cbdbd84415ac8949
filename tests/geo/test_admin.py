import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from geo.models import (
    AdminUnit,
    GrowingRegion,
    OpeningException,
    OpeningPeriod,
    Place,
    ProductKind,
    RetailPoint,
)
from tests.conftest import make_user

# model → (a way to pick one row, the geometry fields that must be edited on a map)
MODELS = {
    ProductKind: (lambda: ProductKind.objects.get(code="tea"), ()),
    AdminUnit: (lambda: AdminUnit.objects.get(level="district", code="034"), ("boundary", "centre")),
    GrowingRegion: (lambda: GrowingRegion.objects.get(product_kind__code="orange"), ("boundary",)),
    Place: (lambda: Place.objects.get(name="Thị Trấn Việt Quang"), ("location",)),
    RetailPoint: (lambda: RetailPoint.objects.get(name="Cửa hàng Cam sành Bắc Quang (demo)"), ("location",)),
    OpeningPeriod: (lambda: OpeningPeriod.objects.order_by("pk").first(), ()),
    OpeningException: (lambda: OpeningException.objects.order_by("pk").first(), ()),
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client, admin_user, hagiang_geography):
    client.force_login(admin_user)
    return client


@pytest.mark.parametrize("model", list(MODELS), ids=lambda model: model.__name__)
def test_each_geo_changelist_renders_for_a_superuser(superuser_client, model):
    response = superuser_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0


@pytest.mark.parametrize("model", list(MODELS), ids=lambda model: model.__name__)
def test_each_geo_change_page_renders_with_a_map_for_every_geometry(superuser_client, model):
    pick, geometry_fields = MODELS[model]
    obj = pick()

    response = superuser_client.get(admin_url(model, "change", obj.pk))

    assert response.status_code == 200
    html = response.content.decode()
    for name in geometry_fields:
        assert f'id="id_{name}-div-map"' in html, name  # django-leaflet's admin map
    if geometry_fields:
        assert "leaflet/leaflet.js" in html


def test_retail_point_page_edits_opening_hours_and_exceptions_inline(superuser_client):
    shop = RetailPoint.objects.get(name="Cửa hàng Cam sành Bắc Quang (demo)")
    response = superuser_client.get(admin_url(RetailPoint, "change", shop.pk))
    html = response.content.decode()
    assert shop.opening_periods.count() == 12  # Monday to Saturday, with a lunch break
    assert 'name="opening_periods-TOTAL_FORMS" value="12"' in html
    assert 'name="opening_exceptions-TOTAL_FORMS" value="5"' in html  # Tết


@pytest.mark.parametrize("term", ["bac quang", "Bắc Quang", "BẮC QUANG"])
def test_admin_unit_search_ignores_accents_and_case(superuser_client, term):
    response = superuser_client.get(admin_url(AdminUnit, "changelist"), {"q": term})
    names = {unit.name for unit in response.context["cl"].result_list}
    assert {"Huyện Bắc Quang", "Xã Bắc Quang"} <= names


def test_place_search_ignores_accents(superuser_client):
    response = superuser_client.get(admin_url(Place, "changelist"), {"q": "viet quang"})
    assert [place.name for place in response.context["cl"].result_list] == ["Thị Trấn Việt Quang"]


def _act(client, action, shops):
    return client.post(
        admin_url(RetailPoint, "changelist"),
        {"action": action, "_selected_action": [shop.pk for shop in shops]},
    )


def test_official_verifies_pending_shops_and_is_recorded(client, official, hagiang_geography):
    pending = list(RetailPoint.objects.filter(verification_status="pending"))
    assert pending
    client.force_login(official)

    response = _act(client, "verify_selected", pending)

    assert response.status_code == 302
    for shop in RetailPoint.objects.filter(pk__in=[s.pk for s in pending]):
        assert shop.verification_status == "verified"
        assert shop.verified_by == official
        assert shop.verified_at is not None


def test_official_suspends_a_shop(client, official, hagiang_geography):
    shop = RetailPoint.objects.filter(verification_status="verified").first()
    client.force_login(official)

    _act(client, "suspend_selected", [shop])

    shop.refresh_from_db()
    assert shop.verification_status == "suspended"
    assert shop.verified_by == official


def test_staff_without_the_verify_permission_cannot_verify(client, hagiang_geography):
    clerk = make_user("clerk", is_staff=True)
    clerk.user_permissions.add(
        Permission.objects.get(codename="view_retailpoint"), Permission.objects.get(codename="change_retailpoint")
    )
    pending = list(RetailPoint.objects.filter(verification_status="pending"))
    client.force_login(clerk)

    response = client.get(admin_url(RetailPoint, "changelist"))
    assert "verify_selected" not in response.content.decode()
    _act(client, "verify_selected", pending)

    assert not RetailPoint.objects.filter(pk__in=[s.pk for s in pending], verification_status="verified").exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client, hagiang_geography):
    response = client.get(admin_url(RetailPoint, "changelist"))
    assert response.status_code == 302
    assert "/login/" in response["Location"]
