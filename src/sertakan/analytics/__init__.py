"""Columnar batch jobs written once in Ibis: DuckDB by default, PySpark at national scale.

The scalar rule functions in `sertakan.regulation` are the reference; the expressions here are
compiled from the same dated parameters and tested to give the same integer rupiah.
"""
