"""`/audit`: the auditor reads the audit trail, a day range at a time, and downloads it as CSV.

Reading the trail is itself audited (`AuditTrail.events`). The range and the filters are in
the query string: dates, action names and record ids are no personal data, and the snapshots
shown never hold a full NIK (nor a full phone number: the domains mask them).

The page reads newest first, names each action in words and shows a snapshot pair as the
fields that changed ("Telepon: +62812*****890 → +62813*****111"); the CSV keeps the raw JSON
for machines.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from sertakan.access.permissions import Permission
from sertakan.access.roles import Role
from sertakan.audit.model import AuditEvent
from sertakan.audit.ports import AuditFilter
from sertakan.audit.views import COLUMNS, event_row
from sertakan.http.auth import Requires, current_actor
from sertakan.kernel.errors import RuleViolation
from sertakan.kernel.periods import Month
from sertakan.web import i18n
from sertakan.web.error_pages import N_, render_error
from sertakan.web.state import container_of, web_state

router = APIRouter(dependencies=[Depends(Requires(Permission.AUDIT_READ))])
PAGE_SIZE = 100
MAX_PAGE = 100_000
MAX_DOWNLOAD = 1_000_000  # larger ranges: `sertakan audit export`, which streams to a file


# Action ids as the trail writes them, in words (message ids; English in the catalogue).
ACTIONS: dict[str, str] = {
    "account.create": N_("Akun dibuat"),
    "account.change_role": N_("Peran akun diubah"),
    "account.sign_in": N_("Masuk"),
    "account.sign_out": N_("Keluar"),
    "account.phone": N_("Nomor HP akun diubah"),
    "audit.read": N_("Jejak audit dibaca"),
    "code.sign_in": N_("Kode masuk dikirim"),
    "code.sign_up": N_("Kode pendaftaran dikirim"),
    "code.consent": N_("Kode persetujuan dikirim"),
    "consent.confirm": N_("Persetujuan dengan kode"),
    "consent.attest": N_("Pernyataan petugas"),
    "consent.approve": N_("Pernyataan petugas disetujui"),
    "consent.resend": N_("Kode persetujuan dikirim ulang"),
    "coverage.read": N_("Cakupan dibaca"),
    "invoice.issue": N_("Tagihan dibuat"),
    "invoice.paid": N_("Tagihan lunas"),
    "invoice.cancel": N_("Tagihan dibatalkan"),
    "invoice.read": N_("Tagihan dibaca"),
    "member.enrol": N_("Peserta didaftarkan"),
    "member.read": N_("Data peserta dibaca"),
    "member.read_nik": N_("NIK peserta dibuka"),
    "member.search": N_("Pencarian peserta"),
    "payment.notice": N_("Pemberitahuan pembayaran"),
    "payment.suspense": N_("Pembayaran masuk suspense"),
    "reconciliation.run": N_("Rekonsiliasi dijalankan"),
    "sponsor.register": N_("Pemberi kerja didaftarkan"),
    "sponsor.read": N_("Data pemberi kerja dibaca"),
    "sponsorship.start": N_("Sponsor dimulai"),
    "sponsorship.end": N_("Sponsor diakhiri"),
    "suspense.allocate": N_("Dana suspense dialokasikan"),
    "suspense.refund": N_("Dana suspense dikembalikan"),
}
OUTCOMES = {"done": N_("Berhasil"), "denied": N_("Ditolak"), "refused": N_("Tidak diterima")}
# Snapshot fields in words; a field not named here is shown by its key.
FIELDS = {
    "phone": N_("Telepon"),
    "role": N_("Peran"),
    "username": N_("Nama pengguna"),
    "status": N_("Status"),
    "amount": N_("Jumlah"),
    "total": N_("Total"),
    "month": N_("Bulan"),
    "due_on": N_("Jatuh tempo"),
    "number": N_("Nomor tagihan"),
    "reason": N_("Alasan"),
    "note": N_("Catatan"),
    "is_active": N_("Aktif"),
    "branch_code": N_("Cabang"),
    "consent": N_("Persetujuan"),
    "name": N_("Nama"),
    "via": N_("Lewat"),
    "sent": N_("Terkirim"),
    "payer_kind": N_("Jenis pembayar"),
    "payer_id": N_("Pembayar"),
    "kind": N_("Jenis"),
    "lines": N_("Jumlah pekerja"),
    "member_id": N_("Peserta"),
    "sponsor_id": N_("Pemberi kerja"),
}
MONEY_FIELDS = {"amount", "total"}
MONTH_FIELDS = {"month", "from_month", "until_month"}
DATE_FIELDS = {"due_on", "enrolled_on"}


@dataclass(frozen=True, slots=True)
class Change:
    field: str  # a message id, or the raw key
    before: str
    after: str


def changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, lang: str = i18n.DEFAULT
) -> list[Change]:
    """The fields a snapshot pair differs in (or, for a creation, what was written), in the
    order the snapshot lists them. Unchanged fields are left out: the auditor reads what moved.
    Months, dates and rupiah are written the reader's way, like everywhere else on the pages."""
    old, new = before or {}, after or {}
    keys = list(dict.fromkeys([*old, *new]))
    return [
        Change(
            FIELDS.get(key, key),
            _value(key, old.get(key), lang),
            _value(key, new.get(key), lang),
        )
        for key in keys
        if before is None or after is None or old.get(key) != new.get(key)
        if old.get(key) is not None or new.get(key) is not None
    ]


def _value(key: str, value: Any, lang: str) -> str:
    if value is None:
        return ""
    written = _written_locally(key, value, lang)
    if written is not None:
        return written
    if isinstance(value, bool):
        return "✓" if value else "✗"
    if isinstance(value, str | int):
        return str(value)
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _written_locally(key: str, value: Any, lang: str) -> str | None:
    """Money, months and dates as the pages write them; None when `value` is not one."""
    try:
        if key in MONEY_FIELDS and isinstance(value, int) and not isinstance(value, bool):
            return i18n.format_rupiah(value, lang)
        if key in MONTH_FIELDS and isinstance(value, str):
            return i18n.format_month(Month.parse(value), lang)
        if key in DATE_FIELDS and isinstance(value, str):
            return i18n.format_date_long(dt.date.fromisoformat(value), lang)
    except ValueError:
        return None  # not the shape expected: shown as written
    return None


@dataclass(frozen=True, slots=True)
class EventView:
    event: AuditEvent
    action: str  # a message id, or the raw action when it has no words yet
    outcome: str
    role: str  # the actor's role in words (a message id), or as written
    changes: list[Change]


def _view(event: AuditEvent, lang: str) -> EventView:
    try:
        role = Role(event.actor_role).label_id
    except ValueError:
        role = event.actor_role
    return EventView(
        event,
        ACTIONS.get(event.action, event.action),
        OUTCOMES.get(event.outcome.value, event.outcome.value),
        role,
        changes(event.before, event.after, lang),
    )


def _range(
    request: Request, dari: dt.date | None, sampai: dt.date | None
) -> tuple[dt.date, dt.date]:
    today = container_of(request).clock.today()
    last = sampai or today
    return (dari or last - dt.timedelta(days=6)), last


@router.get("/audit", response_class=HTMLResponse, include_in_schema=False)
def audit_page(
    request: Request,
    dari: Annotated[dt.date | None, Query()] = None,
    sampai: Annotated[dt.date | None, Query()] = None,
    halaman: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    aksi: Annotated[str, Query(max_length=64)] = "",
    pelaku: Annotated[str, Query(max_length=64)] = "",
    objek: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    first, last = _range(request, dari, sampai)
    trail = container_of(request).audit
    where = AuditFilter(action=aksi.strip(), actor=pelaku.strip(), entity_id=objek.strip())
    try:
        events = list(
            trail.events(
                current_actor(request),
                first,
                last,
                limit=PAGE_SIZE + 1,
                offset=(halaman - 1) * PAGE_SIZE,
                where=where,
                newest_first=True,
            )
        )
    except RuleViolation as error:
        return render_error(request, 422, [v.message_id for v in error.violations])
    renderer = web_state(request).renderer
    lang = renderer.locale(request)
    return renderer.render(
        request,
        "audit.html",
        {
            "rows": [_view(e, lang) for e in events[:PAGE_SIZE]],
            "first": first,
            "last": last,
            "page": halaman,
            "has_next": len(events) > PAGE_SIZE,
            "where": where,
            "actions": ACTIONS,
            "query": _query(first, last, where),
        },
    )


def _query(first: dt.date, last: dt.date, where: AuditFilter) -> str:
    """The page's range and filters as a query string, for the pager and the download."""
    pairs = {"dari": first.isoformat(), "sampai": last.isoformat()}
    pairs |= {"aksi": where.action, "pelaku": where.actor, "objek": where.entity_id}
    return urlencode({key: value for key, value in pairs.items() if value})


@router.get("/audit/unduh.csv", include_in_schema=False)
def audit_csv(
    request: Request,
    dari: Annotated[dt.date | None, Query()] = None,
    sampai: Annotated[dt.date | None, Query()] = None,
    aksi: Annotated[str, Query(max_length=64)] = "",
    pelaku: Annotated[str, Query(max_length=64)] = "",
    objek: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    first, last = _range(request, dari, sampai)
    where = AuditFilter(action=aksi.strip(), actor=pelaku.strip(), entity_id=objek.strip())
    events = container_of(request).audit.events(
        current_actor(request), first, last, limit=MAX_DOWNLOAD, where=where
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for event in events:
        writer.writerow(event_row(event))
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="audit-{first}-{last}.csv"'},
    )
