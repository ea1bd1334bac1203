"""Payment channels Indonesians use, as the gateway names them, with their Indonesian labels."""

from __future__ import annotations

CHANNELS: dict[str, str] = {
    "va_bri": "Virtual Account BRI",
    "va_bni": "Virtual Account BNI",
    "va_mandiri": "Virtual Account Mandiri",
    "va_bca": "Virtual Account BCA",
    "qris": "QRIS (semua e-wallet dan m-banking)",
    "ewallet_dana": "DANA",
    "ewallet_ovo": "OVO",
    "ewallet_gopay": "GoPay",
    "retail_alfamart": "Alfamart",
    "retail_indomaret": "Indomaret",
}


def is_virtual_account(channel: str) -> bool:
    return channel.startswith("va_")


def channel_label(channel: str) -> str:
    return CHANNELS.get(channel, channel)
