"""The admin pages of tracing's records open for an administrator (with their maps)."""

import pytest


@pytest.mark.parametrize(
    "model", ["producer", "fieldsurvey", "certificate", "productionarea", "product", "batch", "batchevent"]
)
def test_the_admin_lists_and_forms_open(model, admin_user, client, world):
    client.force_login(admin_user)
    assert client.get(f"/admin/tracing/{model}/").status_code == 200
    assert client.get(f"/admin/tracing/{model}/add/").status_code == 200


def test_a_producer_admin_page_shows_the_map_and_read_only_status(admin_user, client, world):
    client.force_login(admin_user)
    body = client.get(f"/admin/tracing/producer/{world['producer'].pk}/change/").content.decode()
    assert "leaflet" in body.lower()
    assert 'name="status"' not in body
