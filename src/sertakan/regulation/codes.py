"""The codes the regulation speaks in: programmes, BPU sectors, PU risk classes."""

from __future__ import annotations

from enum import StrEnum


class Program(StrEnum):
    """Programme codes as the law writes them (PP 44/2015, PP 46/2015, PP 45/2015, PP 37/2021)."""

    JKK = "JKK"  # work accident (Jaminan Kecelakaan Kerja)
    JKM = "JKM"  # death (Jaminan Kematian)
    JHT = "JHT"  # old-age savings (Jaminan Hari Tua)
    JP = "JP"  # pension (Jaminan Pensiun), PU only
    JKP = "JKP"  # job-loss benefit (Jaminan Kehilangan Pekerjaan), PU only


class Sector(StrEnum):
    """The BPU sectors that PP 50/2025 gives different discount windows (PP 50/2025 art. 2–4)."""

    TRANSPORT = "transport"  # ojol, ojek pangkalan, drivers, couriers
    OTHER = "other"  # every other informal sector


class RiskClass(StrEnum):
    """PU work-accident risk classes, PP 44/2015 art. 16(1) (`pu/jkk_risk_class_rates.yaml`)."""

    VERY_LOW = "very_low"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    VERY_HIGH = "very_high"
