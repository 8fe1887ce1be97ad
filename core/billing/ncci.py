"""NCCI procedure-to-procedure (PTP) edits for therapy codes, loaded from a table in CMS's layout
(``data/ncci_ptp_therapy.csv``: column one, column two, effective and deletion dates, modifier indicator).
Replace the file with the quarter's CMS practitioner PTP rows for therapy codes; nothing else changes.

In a pair only the column-one code is paid unless an NCCI-associated modifier (59, XE, XS, XP, XU) is on the
column-two code, and only when the pair's modifier indicator is 1 (0: never; 9: not applicable).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

TABLE = Path(__file__).with_name("data") / "ncci_ptp_therapy.csv"
NCCI_MODIFIERS = ("59", "XE", "XS", "XP", "XU")


@dataclass(frozen=True)
class Pair:
    column_1: str
    column_2: str
    effective: date
    deleted: date | None
    modifier_indicator: str

    def in_force(self, day: date) -> bool:
        return self.effective <= day and (self.deleted is None or day < self.deleted)

    @property
    def modifier_allowed(self) -> bool:
        return self.modifier_indicator == "1"


@cache
def load_pairs(path: Path = TABLE) -> tuple[Pair, ...]:
    """Every pair of the table (read once per process)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            Pair(row["column_1"].strip(), row["column_2"].strip(), date.fromisoformat(row["effective"]),
                 date.fromisoformat(row["deleted"]) if row["deleted"].strip() else None, row["modifier_indicator"].strip())
            for row in csv.DictReader(handle)
        )


def pairs_among(codes, day: date, pairs: tuple[Pair, ...] | None = None) -> list[Pair]:
    """The pairs in force on ``day`` whose two codes are both among ``codes`` (one note's lines)."""
    given = set(codes)
    return [p for p in (pairs if pairs is not None else load_pairs())
            if p.in_force(day) and p.column_1 in given and p.column_2 in given]
