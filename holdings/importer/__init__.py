"""Import of the legacy holding register (holdings, owners, valuations, arrears) from CSV or
XLSX: parse → validate row by row → import everything or, when the officer says so, only
the holdings whose every row is valid. All in one transaction: nothing is half-imported.

File format: one row per holding-owner, with these columns (any order, header names
case-insensitive; Bengali digits accepted in every number)::

    ward, holding_number, road, mahalla, use, owner_occupied, floor_area_sqft,
    owner_name_bn, owner_name_en, owner_share_percent, owner_nid, owner_mobile,
    annual_rent, valuation_fy, arrears_fy, arrears_amount

- Several rows with the same ward + holding number add owners to one holding. The
  holding's own columns (road … valuation_fy) may be repeated on each row or left blank
  after the first; a different value is reported as the same holding number used twice.
- use: residential / commercial / industrial / mixed / vacant_land, or আবাসিক / বাণিজ্যিক /
  শিল্প / মিশ্র / খালি জমি. owner_occupied: yes / no / 1 / 0 / হ্যাঁ / না (blank = no).
- owner_share_percent may be blank when the holding has a single owner (100%); the
  shares of one holding may not add up to more than 100.
- annual_rent + valuation_fy: an assessment in force from that fiscal year, valued with
  holdings/tax.py (one sixth off; the year's owner-occupied concession). Both or neither.
- arrears_fy + arrears_amount (optional): taka left unpaid for an earlier fiscal year.
  Recorded the way holdings/demands.py records any unpaid year: a Demand for that year
  (the year's schedule; one "holding_tax" line, rule "imported arrears from the legacy
  register") with its four instalments still due. The next run of generate_demands for a
  later year carries it forward as an Arrear with that year's surcharge, exactly as for
  a demand the portal made itself. Rows of one holding may give different arrears years.
- Holdings already in the register are refused (the import only adds new holdings).

Limits (settings HOLDINGS_IMPORT_*, see ``columns.limits()``): an .xlsx is refused before
it is opened when it unpacks to more than 50 MB or a member is packed more than 100 to 1;
at most 100,000 rows; a cell of more than 1,000 characters is a row error; values
repeated in messages and in the report are cut to 80 characters.

Modules: ``columns`` (the format: columns, accepted values, limits), ``reading``
(``stream``: the rows one by one, the file read once and never whole; ``parse``: all of
them in memory), ``validation`` (``validate``), ``importing`` (``import_rows``,
``create_holdings``, ``summarize``, ``report_csv``) and ``jobs`` (the officer's import as
a worker job, holdings.models.HoldingImport: each row checked and kept in a table, then
imported from there; the pages use it). Callers import from ``holdings.importer`` (and
``holdings.importer.jobs``); the command ``import_holdings`` uses the in-memory path.
"""

from .columns import (  # noqa: F401
    ARREARS_RULE,
    BATCH,
    COLUMNS,
    EXTENSIONS,
    HOLDING_FIELDS,
    MAX_CELL_CHARS,
    MAX_FLOOR_AREA,
    MAX_ROWS,
    NO,
    USE_VALUES,
    YES,
    echo,
    limits,
)
from .importing import (  # noqa: F401
    ImportReport,
    _import,
    _recheck_register,
    create_holdings,
    import_rows,
    report_csv,
    report_rows,
    rows_csv,
    summarize,
)
from .reading import (  # noqa: F401
    ParsedFile,
    _collect,
    _header_name,
    _parse_csv,
    _parse_xlsx,
    _read_headers,
    _text,
    extension,
    parse,
    stream,
    wrong_type_message,
)
from .validation import (  # noqa: F401
    RowResult,
    _check_group,
    _clean_row,
    _existing,
    _fiscal_year,
    _number,
    _shown,
    validate,
)
