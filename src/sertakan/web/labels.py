"""The domains' labels, marked for the catalogue.

Domains name their states in Bahasa Indonesia (`Role.label_id`, `Consent.label_id`, ...) and
import no framework, so they cannot mark those names for extraction themselves. Pages translate
them with `_(x.label_id)`; this list is what puts them in the catalogue, so that `pybabel
update` keeps their English lines instead of marking them obsolete. A label added to a domain
and not here fails tests/unit/web/test_catalogue.py.
"""

from __future__ import annotations

from sertakan.web.error_pages import N_

DOMAIN_LABELS = (
    # access.roles.Role
    N_("Pengunjung"),
    N_("Peserta"),
    N_("Pemberi kerja"),
    N_("Agen (Perisai)"),
    N_("Petugas cabang"),
    N_("Supervisor cabang"),
    N_("Auditor"),
    N_("Admin"),
    N_("Konsol operator"),
    # billing.model.InvoiceStatus
    N_("Belum dibayar"),
    N_("Lunas"),
    N_("Dibatalkan"),
    # billing.model.SuspenseReason
    N_("Nomor tagihan tidak dikenal"),
    N_("Jumlah tidak sama dengan tagihan"),
    N_("Tagihan sudah dibatalkan"),
    N_("Tagihan atau bulan sudah dibayar"),
    N_("Ada di file settlement, tanpa notifikasi"),
    N_("Waktu bayar di masa depan"),
    N_("Waktu bayar sebelum tagihan terbit"),
    # billing.model.SuspenseStatus
    N_("Menunggu"),
    N_("Dialokasikan"),
    N_("Dikembalikan"),
    # regulation.standing.MembershipStatus (the one status vocabulary)
    N_("Menunggu pembayaran pertama"),
    N_("Aktif"),
    N_("Menunggak"),
    N_("Kepesertaan berakhir"),
    N_("Nonaktif"),
    # billing.reconciliation.ReconciliationStatus
    N_("Cocok"),
    N_("Ada di file, tanpa notifikasi"),
    N_("Ada notifikasi, tidak ada di file"),
    N_("Jumlah berbeda"),
    N_("Baris file tidak terbaca"),
    # billing.reconciliation.Application
    N_("Diterapkan oleh rekonsiliasi ini"),
    N_("Sudah diterapkan oleh rekonsiliasi sebelumnya"),
    # registry.model.MemberStatus
    N_("Menunggu pembayaran pertama"),
    # registry.model.Consent
    N_("Menunggu persetujuan pekerja"),
    N_("Disetujui pekerja (kode)"),
    N_("Menunggu persetujuan supervisor"),
    N_("Disetujui (pernyataan petugas)"),
    # registry.service: the reason the operator's console records for its attestations
    N_("dicatat dari konsol operator"),
)
