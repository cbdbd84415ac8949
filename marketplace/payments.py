"""The VietQR bank-transfer code of an order: payload (marketplace.vietqr) and image (tracing.qr)."""

from __future__ import annotations

from marketplace.models import Order, SellerProfile
from marketplace.vietqr import vietqr_payload
from tracing.qr import qr_png, qr_svg


def order_vietqr_payload(order: Order) -> str | None:
    """The EMVCo payload for paying this order by transfer, or None when it is not an unpaid transfer.

    Amount and reference (the order number) come from the order as the server stored it; the
    account from the producer's current selling terms.
    """
    if not order.awaits_transfer:
        return None
    profile = SellerProfile.objects.filter(producer_id=order.producer_id).first()
    if profile is None or not profile.accepts_transfers:
        return None
    return vietqr_payload(
        bank_bin=profile.bank_bin,
        account=profile.bank_account,
        amount_vnd=order.total_vnd,
        reference=order.reference,
        merchant_name=profile.bank_account_name or None,
    )


def vietqr_png(payload: str) -> bytes:
    return qr_png(payload, scale=6)


def vietqr_svg(payload: str) -> str:
    return qr_svg(payload)
