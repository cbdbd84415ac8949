"""Who may write retail points: retailer staff create and edit their own; officials verify and suspend."""

import pytest

from geo import services
from geo.models import RetailPoint
from tests.geo.retail_factories import PENDING, VERIFIED, make_point, make_reorganised_map

pytestmark = pytest.mark.django_db

NEW_SHOP = {
    "name": "Cửa hàng cam Việt Quang",
    "kind": "shop",
    "address": "Tổ 5, Việt Quang, Bắc Quang",
    "lat": "22.405",
    "lng": "104.82",
    "phone": "0219 3820 000",
    "product_kinds": ["orange"],
    "opening_periods": [{"weekday": 0, "opens": "07:00", "closes": "17:00"}],
}


def test_a_retailer_creates_a_pending_point_they_staff_in_the_commune_of_the_pin(api_client, retailer):
    units = make_reorganised_map()
    api_client.force_authenticate(retailer)
    response = api_client.post("/api/v1/retail-points/", NEW_SHOP, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["verification_status"] == "pending"
    assert body["product_kinds"] == ["orange"]
    assert (body["lat"], body["lng"]) == (22.405, 104.82)
    point = RetailPoint.objects.get(pk=body["id"])
    assert list(point.staff.all()) == [retailer]
    assert point.commune == units["bac_quang_commune"]
    assert point.opening_periods.count() == 1


def test_a_typed_address_is_placed_through_the_geocoder(api_client, retailer):
    make_reorganised_map()
    api_client.force_authenticate(retailer)
    payload = {key: value for key, value in NEW_SHOP.items() if key not in ("lat", "lng")} | {"address": "Bắc Quang"}
    response = api_client.post("/api/v1/retail-points/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert (response.json()["lat"], response.json()["lng"]) == pytest.approx((22.4, 104.825), abs=0.06)


def test_an_address_nobody_can_find_asks_for_the_pin(api_client, retailer, settings):
    settings.GEOCODER = "none"
    api_client.force_authenticate(retailer)
    payload = {key: value for key, value in NEW_SHOP.items() if key not in ("lat", "lng")} | {"address": "Nowhere 99"}
    response = api_client.post("/api/v1/retail-points/", payload, format="json")
    assert response.status_code == 400
    assert "address" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lat": "91"}, "lat"),
        ({"lat": "22.4", "lng": None}, "lng"),
        ({"product_kinds": ["durian"]}, "product_kinds"),
        ({"kind": "spaceport"}, "kind"),
        ({"name": ""}, "name"),
        ({"opening_periods": [{"weekday": 0, "opens": "17:00", "closes": "07:00"}]}, "opening_periods"),
    ],
)
def test_a_bad_new_point_is_a_400_naming_the_field(api_client, retailer, change, field):
    api_client.force_authenticate(retailer)
    payload = {key: value for key, value in (NEW_SHOP | change).items() if value is not None}
    response = api_client.post("/api/v1/retail-points/", payload, format="json")
    assert response.status_code == 400
    assert any(name.startswith(field) for name in response.json()["error"]["fields"]), response.json()


def test_anonymous_visitors_cannot_create(api_client):
    response = api_client.post("/api/v1/retail-points/", NEW_SHOP, format="json")
    assert response.status_code in (401, 403)
    assert response.json()["error"]["code"] == "not_authenticated"
    assert not RetailPoint.objects.exists()


def test_consumers_cannot_create(api_client, consumer):
    api_client.force_authenticate(consumer)
    response = api_client.post("/api/v1/retail-points/", NEW_SHOP, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_a_retailer_edits_their_own_point(api_client, retailer):
    point = make_point("Old name", 22.8, 104.98, status=PENDING, staff=[retailer])
    api_client.force_authenticate(retailer)
    response = api_client.patch(f"/api/v1/retail-points/{point.pk}/", {"phone": "0912 000 111"}, format="json")
    assert response.status_code == 200, response.json()
    point.refresh_from_db()
    assert point.phone == "0912 000 111"


def test_moving_a_verified_point_sends_it_back_to_the_officials(api_client, retailer):
    point = make_point("Shop", 22.8, 104.98, status=VERIFIED, staff=[retailer])
    api_client.force_authenticate(retailer)
    response = api_client.patch(f"/api/v1/retail-points/{point.pk}/", {"lat": "22.81", "lng": "104.99"}, format="json")
    assert response.status_code == 200
    point.refresh_from_db()
    assert (point.location.y, point.location.x) == (22.81, 104.99)
    assert point.verification_status == PENDING


def test_a_retailer_cannot_edit_another_retailers_point(api_client, retailer, other_retailer):
    point = make_point("B's shop", 22.8, 104.98, staff=[other_retailer])
    api_client.force_authenticate(retailer)
    response = api_client.patch(f"/api/v1/retail-points/{point.pk}/", {"name": "Taken over"}, format="json")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"
    point.refresh_from_db()
    assert point.name == "B's shop"


def test_anonymous_visitors_cannot_edit(api_client, other_retailer):
    point = make_point("B's shop", 22.8, 104.98, staff=[other_retailer])
    response = api_client.patch(f"/api/v1/retail-points/{point.pk}/", {"name": "Defaced"}, format="json")
    assert response.status_code in (401, 403)
    point.refresh_from_db()
    assert point.name == "B's shop"


def test_a_pending_point_is_hidden_from_others_but_shown_to_its_staff(api_client, retailer, other_retailer):
    point = make_point("Pending", 22.8, 104.98, status=PENDING, staff=[retailer])
    assert api_client.get(f"/api/v1/retail-points/{point.pk}/").status_code == 404
    api_client.force_authenticate(other_retailer)
    assert api_client.get(f"/api/v1/retail-points/{point.pk}/").status_code == 404
    api_client.force_authenticate(retailer)
    assert api_client.get(f"/api/v1/retail-points/{point.pk}/").json()["name"] == "Pending"


def test_an_official_verifies_and_suspends_recording_who_and_when(api_client, official):
    point = make_point("To check", 22.8, 104.98, status=PENDING)
    api_client.force_authenticate(official)
    response = api_client.post(f"/api/v1/retail-points/{point.pk}/verify")
    assert response.status_code == 200
    assert response.json()["verification_status"] == "verified"
    assert response.json()["verified_by"] == official.username
    point.refresh_from_db()
    assert point.verified_by == official and point.verified_at is not None
    assert api_client.post(f"/api/v1/retail-points/{point.pk}/suspend").json()["verification_status"] == "suspended"
    assert RetailPoint.objects.public().count() == 0


def test_a_retailer_cannot_verify_even_their_own_point(api_client, retailer):
    point = make_point("Mine", 22.8, 104.98, status=PENDING, staff=[retailer])
    api_client.force_authenticate(retailer)
    response = api_client.post(f"/api/v1/retail-points/{point.pk}/verify")
    assert response.status_code == 403
    point.refresh_from_db()
    assert point.verification_status == PENDING


def test_anonymous_visitors_cannot_verify_or_suspend(api_client):
    point = make_point("Shop", 22.8, 104.98)
    assert api_client.post(f"/api/v1/retail-points/{point.pk}/suspend").status_code in (401, 403)
    point.refresh_from_db()
    assert point.verification_status == VERIFIED


def test_verifying_a_missing_point_is_a_404(api_client, official):
    api_client.force_authenticate(official)
    assert api_client.post("/api/v1/retail-points/999999/verify").status_code == 404


def test_the_services_refuse_the_wrong_people_too(retailer, other_retailer, consumer):
    from django.core.exceptions import PermissionDenied

    point = make_point("B's shop", 22.8, 104.98, staff=[other_retailer])
    with pytest.raises(PermissionDenied):
        services.retail_point_update(user=retailer, retail_point=point, name="Mine now")
    with pytest.raises(PermissionDenied):
        services.retail_point_verify(user=other_retailer, retail_point=point)
    with pytest.raises(PermissionDenied):
        services.retail_point_create(user=consumer, name="X", address="Y", lat=22.8, lng=104.98)
