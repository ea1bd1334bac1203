"""Columnar batch jobs written once in Ibis: DuckDB by default, PySpark at national scale.

The scalar rule functions in `sertakan.regulation` are the reference; the expressions here are
compiled from the same dated parameters and tested to give the same integer rupiah.

Monthly contributions (issue 5):

* `month_rules`: the dated parameters of one month, reduced to the numbers a batch needs;
* `exact_rates`: `kernel.money.apply_rate` (round half up) as integer column arithmetic;
* `member_checks`: the registry's and the regulation's rules on a member row, as columns;
* `region_tables`: the region directory as tables to join (villages, NIK districts);
* `contributions`: `contribution_columns`, `rejected_members`, `assess_members` (public API);
* `engines`: DuckDB or PySpark, compiling once and moving Parquet;
* `billing_run`, `billing_input`: `sertakan billing run`, part by part, restartable;
* `synthetic_nation`, `synthetic_members`, `synthetic_payments`: `sertakan synth population`;
* `parquet_parts`: numbered parts written under a temporary name and renamed.

Coverage (`coverage*`) builds on `contributions` and `engines`.
"""
