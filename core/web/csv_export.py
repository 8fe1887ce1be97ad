"""CSV exports, all through one writer that neutralises spreadsheet formulas in every cell.

A text cell beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be run as a
formula by Excel or LibreOffice (CSV injection, OWASP); such a cell is written with a leading
apostrophe, which spreadsheets show as text. Numbers are written as numbers.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from flask import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int | float | Decimal:
    """One cell as it is safe to write: text that a spreadsheet would run is prefixed with ``'``."""
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Iterable, rows: Iterable[Iterable]) -> str:
    """The CSV text of ``header`` and ``rows``, every cell through :func:`safe_cell`."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()


def csv_response(filename: str, header: Iterable, rows: Iterable[Iterable]) -> Response:
    """A download of ``rows`` as ``filename`` (UTF-8 with a byte-order mark, which Excel needs to read
    accented names right)."""
    return Response(
        "\ufeff" + csv_text(header, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename={filename}"},
    )
