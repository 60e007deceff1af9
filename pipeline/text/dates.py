"""Dates as French writes and says them, without the locale module (its French locale may be
missing): "1er décembre 2026", "3 mars 2025"."""
from __future__ import annotations

from datetime import datetime

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")


def day_month_year(day: int, month: int, year: int | str | None = None) -> str:
    """``1er mai 2026``: the first of the month is "1er", as French writes it."""
    parts = ["1er" if day == 1 else str(day), MONTHS[month - 1]]
    if year is not None:
        parts.append(str(year))
    return " ".join(parts)


def french_date(moment: datetime) -> str:
    return day_month_year(moment.day, moment.month, moment.year)
