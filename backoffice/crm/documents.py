"""The JSON documents of the CRM's interactions, vouchers and notifications (see `backoffice.crm.service`)."""

from __future__ import annotations

from typing import Any

from backoffice.crm.models import Interaction, Notification, Voucher
from backoffice.documents import money, timestamp

#: A JSON-compatible document as served over REST.
Document = dict[str, Any]


def interaction_document(interaction: Interaction) -> Document:
    return {
        "id": interaction.id,
        "customer_id": interaction.customer_id,
        "at": timestamp(interaction.at),
        "channel": interaction.channel,
        "kind": interaction.kind,
        "note": interaction.note,
        "by": interaction.by,
    }


def voucher_document(voucher: Voucher) -> Document:
    return {
        "id": voucher.id,
        "customer_id": voucher.customer_id,
        "code": voucher.code,
        "amount": money(voucher.amount, voucher.currency),
        "currency": voucher.currency,
        "reason": voucher.reason,
        "issued_at": timestamp(voucher.issued_at),
        "redeemed_at": timestamp(voucher.redeemed_at) if voucher.redeemed_at else None,
        "expires_at": timestamp(voucher.expires_at) if voucher.expires_at else None,
        "redeemed_order_id": voucher.redeemed_order_id,
        "issued_by": voucher.issued_by,
    }


def notification_document(notification: Notification) -> Document:
    return {
        "key": notification.key,
        "customer_id": notification.customer_id,
        "template": notification.template,
        "data": dict(notification.data),
        "sent_at": timestamp(notification.sent_at),
    }
