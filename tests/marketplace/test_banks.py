"""The seller picks the bank from the list of Vietnamese banks (name and NAPAS BIN), never types a code."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from marketplace.banks import bank_for_bin, banks
from marketplace.models import SellerProfile
from marketplace.services import seller_profile_update
from tests.marketplace import factories as f

SETTINGS = "/ban-hang/cai-dat/"


def settings_form(**overrides) -> dict:
    data = {
        "bank_bin": "970405",
        "bank_account": "8888123456789",
        "bank_account_name": "HTX Cam sanh Viet Quang",
        "delivery_fee_vnd": "25000",
        "free_delivery_from_vnd": "",
    }
    data.update(overrides)
    return data


def test_the_list_names_the_banks_buyers_use_with_their_napas_bins():
    assert bank_for_bin("970436").short_name == "Vietcombank"
    assert bank_for_bin("970405").short_name == "Agribank"
    assert bank_for_bin("970418").short_name == "BIDV"
    assert bank_for_bin("970415").short_name == "VietinBank"
    assert bank_for_bin("123456") is None
    bins = [bank.bin for bank in banks()]
    assert len(bins) == len(set(bins)) >= 60
    assert all(re.fullmatch(r"\d{6}", code) for code in bins)


def test_the_settings_page_offers_the_banks_by_name(client, owner, producer):
    client.force_login(owner)
    page = client.get(SETTINGS).content.decode()
    select = re.search(r'<select name="bank_bin".*?</select>', page, re.S).group(0)
    agribank = "Agribank — Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"
    assert f'<option value="970405" translate="no" lang="vi">{agribank}</option>' in select
    assert not re.search(r'<input[^>]+name="bank_bin"', page)


def test_a_seller_chooses_a_bank_on_the_settings_page(client, owner, producer):
    client.force_login(owner)
    response = client.post(SETTINGS, settings_form())
    assert response.status_code == 302
    profile = SellerProfile.objects.get(producer=producer)
    assert (profile.bank_bin, profile.bank_account, profile.delivery_fee_vnd) == ("970405", "8888123456789", 25_000)


def test_the_service_refuses_a_bin_that_is_not_a_bank_of_the_list(owner, producer):
    with pytest.raises(ValidationError) as refused:
        seller_profile_update(by=owner, producer=producer, bank_bin="123456", bank_account="8888123456789")
    assert "123456" in refused.value.message_dict["bank_bin"][0]
    assert not SellerProfile.objects.filter(producer=producer, bank_bin="123456").exists()


def test_an_unknown_bin_posted_to_the_settings_page_is_a_400_with_a_message(client, owner, producer):
    client.force_login(owner)
    response = client.post(SETTINGS, settings_form(bank_bin="123456"))
    assert response.status_code == 400
    assert "Chọn ngân hàng của bạn trong danh sách." in response.content.decode()
    assert not SellerProfile.objects.filter(producer=producer, bank_bin="123456").exists()


def test_a_bin_saved_before_the_list_keeps_working(client, owner, producer, oranges):
    # Typed by hand before the list existed: well-formed, but not one of the list's banks.
    SellerProfile.objects.filter(producer=producer).update(bank_bin="970999")
    client.force_login(owner)
    page = client.get(SETTINGS).content.decode()
    assert re.search(r'<option value="970999" selected>', page)

    response = client.post(SETTINGS, settings_form(bank_bin="970999", delivery_fee_vnd="40000"))
    assert response.status_code == 302
    profile = SellerProfile.objects.get(producer=producer)
    assert (profile.bank_bin, profile.delivery_fee_vnd, profile.accepts_transfers) == ("970999", 40_000, True)


def test_a_seller_without_transfers_chooses_no_bank(client, owner, producer):
    f.make_terms(producer, bank=False)
    client.force_login(owner)
    response = client.post(SETTINGS, settings_form(bank_bin="", bank_account="", bank_account_name=""))
    assert response.status_code == 302
    assert not SellerProfile.objects.get(producer=producer).accepts_transfers
