"""PDF documents a payer or a worker downloads: a payment receipt (kuitansi) and the membership
card (kartu peserta), drawn with fpdf2.

Pure: the caller passes text already in the reader's language and already cut to what the
reader may see (`billing.sight`: a worker on their sponsor's invoice gets their own line, no
total). They carry no more personal data than the page beside them: names and the KPJ, never
a NIK, phone number or address (UU 27/2022 on personal data protection, art. 16: purpose
limitation).

The PDF core fonts (Helvetica) cover Latin-1 only: the few typographic characters the pages
use (en dash, minus sign) are written as their ASCII look-alikes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import XPos, YPos

A5 = (148.0, 210.0)  # ISO 216, millimetres: a receipt
A6 = (105.0, 148.0)  # a card that fits a phone's screen and a pocket
_PLAIN = str.maketrans({"–": "-", "—": "-", "−": "-", "·": "-", "’": "'", "✓": "v"})


def _text(value: str) -> str:
    return value.translate(_PLAIN).encode("latin-1", "replace").decode("latin-1")


@dataclass(frozen=True, slots=True)
class Row:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Document:
    """What a document says: a title, a subtitle, rows of facts, then rows of lines."""

    title: str
    subtitle: str
    facts: Sequence[Row]
    lines_title: str
    lines: Sequence[Row]
    footer: str
    created_at: dt.datetime  # the PDF's creation date (the request's moment)


def _new(created_at: dt.datetime, format_: tuple[float, float], title: str) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format=format_)
    pdf.set_creation_date(created_at)
    pdf.set_title(_text(title))
    pdf.set_creator("Sertakan")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    return pdf


def _rows(pdf: FPDF, rows: Sequence[Row], label_width: float) -> None:
    for row in rows:
        pdf.set_font("Helvetica", "", 9)
        pdf.set_text_color(90, 90, 90)
        top = pdf.get_y()
        pdf.multi_cell(label_width, 5, _text(row.label), new_x=XPos.RIGHT, new_y=YPos.TOP)
        pdf.set_font("Helvetica", "B", 10)
        pdf.set_text_color(0, 0, 0)
        pdf.multi_cell(0, 5, _text(row.value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_y(max(pdf.get_y(), top + 5) + 1.5)


def _heading(pdf: FPDF, title: str, subtitle: str) -> None:
    pdf.set_font("Helvetica", "B", 15)
    pdf.multi_cell(0, 7, _text(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 5, _text(subtitle), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(3)


def render_pdf(document: Document, format_: tuple[float, float] = A5) -> bytes:
    """The document as PDF bytes."""
    pdf = _new(document.created_at, format_, document.title)
    _heading(pdf, document.title, document.subtitle)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) * 0.4
    _rows(pdf, document.facts, width)
    if document.lines:
        pdf.ln(2)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 6, _text(document.lines_title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.ln(1)
        _rows(pdf, document.lines, width)
    pdf.ln(3)
    pdf.set_font("Helvetica", "I", 8)
    pdf.set_text_color(90, 90, 90)
    pdf.multi_cell(0, 4, _text(document.footer), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
