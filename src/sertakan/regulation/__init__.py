"""The law, as data and pure functions.

This package owns the regulation of BPJS Ketenagakerjaan that Sertakan applies
(docs/rules.md): the dated, cited parameters in `parameters/` (one YAML file per regulated
quantity), the loader that turns them into frozen, validated objects (`loader`), and the pure
rule functions that read them (`contributions`, `eligibility`). Nothing here reads the clock,
does I/O beyond reading its own parameter files, or imports a framework.
"""
