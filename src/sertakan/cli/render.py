"""Rich renderings of quotes and members for the terminal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.panel import Panel
from rich.table import Table

from sertakan.kernel.errors import Conflict, ParameterMissing, RuleViolation, SertakanError
from sertakan.registry.kpj import mask_kpj
from sertakan.registry.nik import mask_nik
from sertakan.registry.occupations import occupation

if TYPE_CHECKING:
    from sertakan.bootstrap import Container
    from sertakan.registry.service import MemberCard
    from sertakan.regulation.contributions import BpuQuote, PuQuote
    from sertakan.regulation.standing import MembershipStatus


def rupiah(amount: int) -> str:
    """Rupiah the Indonesian way (Rp36.800), by the same Babel rule as the pages."""
    from sertakan.web.i18n import format_rupiah  # Babel: imported when first needed

    return format_rupiah(amount, "id")


def error_lines(error: SertakanError) -> list[str]:
    if isinstance(error, RuleViolation):
        return [f"{v.field}: {v.message} [{v.rule}]" for v in error.violations]
    if isinstance(error, Conflict):
        return [f"{error.message} [{error.rule}]"]
    if isinstance(error, ParameterMissing):
        return [str(error)]
    return [str(error) or type(error).__name__]


def quote_table(quote: BpuQuote) -> Table:
    table = Table(title=f"BPU contribution on {quote.on} — income {rupiah(quote.declared_income)}")
    table.add_column("Programme")
    table.add_column("Amount", justify="right")
    table.add_column("Before discount", justify="right")
    table.add_column("Legal basis")
    laws = {r.program_or_topic: r.regulation for r in quote.references}
    for name, amount in quote.parts.items():
        table.add_row(name, rupiah(amount), rupiah(quote.full_parts[name]), laws.get(name, ""))
    table.add_row("[bold]Total[/bold]", f"[bold]{rupiah(quote.total)}[/bold]", "", "")
    for discount in quote.discounts:
        table.caption = f"{discount.description_en} ({discount.reference})"
    return table


def pu_table(quote: PuQuote) -> Table:
    table = Table(title=f"PU contribution on {quote.on} — wage {rupiah(quote.wage)}")
    for column in ("Programme", "Employer", "Worker", "Government"):
        table.add_column(column, justify="right" if column != "Programme" else "left")
    for name, share in quote.parts.items():
        table.add_row(name, rupiah(share.employer), rupiah(share.worker), rupiah(share.government))
    table.add_row("Total", rupiah(quote.employer_total), rupiah(quote.worker_total), "")
    return table


def member_panel(card: MemberCard, container: Container, status: MembershipStatus) -> Panel:
    m = card.member
    village = container.regions.village(m.region_code)
    place = f"{village.name}, {village.district.name}" if village else m.region_code
    lines = [
        f"KPJ        {m.kpj}",
        f"NIK        {mask_nik(m.nik)}",
        f"Pekerjaan  {occupation(m.occupation).label_id}",
        f"Wilayah    {place}",
        f"Program    {', '.join(m.programs)}",
        f"Iuran      {rupiah(card.quote.total)} / bulan "
        + " + ".join(f"{k} {rupiah(v)}" for k, v in card.quote.parts.items()),
        f"Sponsor    {card.sponsor.name if card.sponsor else 'mandiri (bayar sendiri)'}",
        f"Status     {status.label_id}",
    ]
    return Panel("\n".join(lines), title=f"{m.full_name} ({mask_kpj(m.kpj)})")
