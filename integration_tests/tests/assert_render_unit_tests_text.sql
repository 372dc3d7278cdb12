{#- render_unit_tests for an incremental (fact_transaction) context: given and expect copied
    unchanged (null, a leading-zero string, a date string, a csv fixture), keys other than
    input/format/rows/fixture dropped, is_incremental: false added only where the test sets no
    is_incremental override of its own, the test's own overrides kept. Compared whitespace-exact. -#}
{%- set context = {
    'model_name': 'fctsales',
    'tags': ['dbt_migrate'],
    'materialization': {'classification': 'fact_transaction', 'watermark': 'SalesDate'},
    'unit_tests': [
        {'name': 'test_sale_without_store_keeps_null', 'origin': 'test_spec',
         'given': [{'input': "source('bronze', 'Sales')", 'note': 'dropped', 'rows': [
             {'SaleID': 7, 'StoreCode': '007', 'SalesDate': '2024-01-05', 'StoreID': none}]}],
         'expect': {'rows': [{'SaleID': 7, 'StoreCode': '007', 'StoreKey': none}]}},
        {'name': 'test_incremental_run_reads_new_rows', 'description': 'only rows after the watermark',
         'given': [
             {'input': "source('bronze', 'Sales')", 'format': 'csv', 'rows': "SaleID,SalesDate\n8,2024-01-06\n"},
             {'input': 'this', 'rows': [{'SaleID': 7, 'SalesDate': '2024-01-05'}]}],
         'expect': {'format': 'csv', 'rows': "SaleID\n8\n"},
         'overrides': {'macros': {'is_incremental': true}, 'vars': {'batch': 2}}},
    ],
} -%}

{%- set expected -%}{% raw -%}
unit_tests:
- name: test_sale_without_store_keeps_null
  model: fctsales
  given:
  - input: source('bronze', 'Sales')
    rows:
    - SaleID: 7
      StoreCode: '007'
      SalesDate: '2024-01-05'
      StoreID: null
  expect:
    rows:
    - SaleID: 7
      StoreCode: '007'
      StoreKey: null
  overrides:
    macros:
      is_incremental: false
- name: test_incremental_run_reads_new_rows
  description: only rows after the watermark
  model: fctsales
  given:
  - input: source('bronze', 'Sales')
    format: csv
    rows: 'SaleID,SalesDate

      8,2024-01-06

      '
  - input: this
    rows:
    - SaleID: 7
      SalesDate: '2024-01-05'
  expect:
    format: csv
    rows: 'SaleID

      8

      '
  overrides:
    macros:
      is_incremental: true
    vars:
      batch: 2
{% endraw %}{%- endset -%}

{{ assert_equal(dbt_migrate.render_unit_tests(context), expected) }}
