"""Errors the registry raises on purpose."""

from __future__ import annotations

from sertakan.kernel.errors import Conflict, NotFound


class NikAlreadyEnrolled(Conflict):
    def __init__(self, masked_kpj: str) -> None:
        super().__init__(
            message=f"This NIK is already enrolled as KPJ {masked_kpj}",
            message_id=f"NIK ini sudah terdaftar dengan nomor KPJ {masked_kpj}",
            rule="registry.nik.unique",
        )
        self.masked_kpj = masked_kpj


class SponsorAlreadyRegistered(Conflict):
    def __init__(self, sponsor_id: str) -> None:
        super().__init__(
            message="A sponsor with this NIK or NIB is already registered",
            message_id="Pemberi kerja dengan NIK/NIB ini sudah terdaftar",
            rule="registry.sponsor.unique",
        )
        self.sponsor_id = sponsor_id


class MemberNotFound(NotFound):
    pass


class SponsorNotFound(NotFound):
    pass
