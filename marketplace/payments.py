"""The VietQR bank transfer of an order: what the buyer pays to (payload: marketplace.vietqr; image: backend.qr)."""

from __future__ import annotations

from dataclasses import dataclass

from backend.qr import qr_png
from marketplace.banks import Bank, bank_for_bin
from marketplace.models import Order, SellerProfile
from marketplace.vietqr import vietqr_payload


@dataclass(frozen=True)
class Transfer:
    """Everything a buyer types into a banking app when they cannot scan the code (on the same phone)."""

    payload: str
    bank_bin: str
    bank: Bank | None  # None for a BIN saved before the bank list existed
    account: str
    holder: str
    amount_vnd: int
    reference: str


def order_transfer(order: Order, profile: SellerProfile | None = None) -> Transfer | None:
    """How to pay this order by transfer, or None when it is not an unpaid transfer.

    Amount and reference (the order number) come from the order as the server stored it; the
    account from the producer's current selling terms (`profile`, looked up when not given).
    """
    if not order.awaits_transfer:
        return None
    if profile is None:
        profile = SellerProfile.objects.filter(producer_id=order.producer_id).first()
    if profile is None or not profile.accepts_transfers:
        return None
    payload = vietqr_payload(
        bank_bin=profile.bank_bin,
        account=profile.bank_account,
        amount_vnd=order.total_vnd,
        reference=order.reference,
        merchant_name=profile.bank_account_name or None,
    )
    return Transfer(
        payload=payload,
        bank_bin=profile.bank_bin,
        bank=bank_for_bin(profile.bank_bin),
        account=profile.bank_account,
        holder=profile.bank_account_name,
        amount_vnd=order.total_vnd,
        reference=order.reference,
    )


def order_vietqr_payload(order: Order) -> str | None:
    """The EMVCo payload for paying this order by transfer, or None when it is not an unpaid transfer."""
    transfer = order_transfer(order)
    return transfer.payload if transfer else None


def vietqr_png(payload: str) -> bytes:
    return qr_png(payload, scale=6)
