"""Spreadsheets as city offices save them: every separator, encoding and Excel leftover
the region's offices produce is read (and the report says how), or refused with the
cause and the fix; dates, amounts and city names as written locally; titles in any
script.

Each file is the same made-up project list, written the way one office's software would
write it; what it must become is the same triples.
"""

import codecs
import csv
import io
import unicodedata

import pyoxigraph as ox
import pytest

from ascf_graph.core.errors import CsvImportError
from ascf_graph.sources.projects_csv import (
    LABEL_MAPPING,
    Vocabulary,
    read_projects_sheet,
)
from ascf_graph.store.embedded import EmbeddedStore
from tests.support.stores import REPO

BASE = "https://w3id.org/ascf/"
#: Made-up rows, in the languages of the offices that would send them.
ROWS = [
    ["city", "title", "language", "focus_areas", "start_date", "budget_amount", "budget_currency"],
    [
        "Đà Nẵng",
        "Đèn đường thông minh",
        "vi",
        "Built Infrastructure",
        "2024-03-01",
        "1200000",
        "VND",
    ],
    ["Bangkok", "ระบบเซ็นเซอร์น้ำท่วม", "th", "Quality Environment", "2023-01-15", "500000", "THB"],
    ["Singapore", "Example Digital Permits", "en", "Civic & Social", "2022-07-01", "250000", "SGD"],
]


@pytest.fixture(scope="module")
def vocabulary(store: EmbeddedStore) -> Vocabulary:
    return Vocabulary.from_store(store, BASE, label_mapping=REPO / "data" / LABEL_MAPPING)


def sheet(rows: list[list[str]], delimiter: str = ",", line: str = "\r\n") -> str:
    text = io.StringIO()
    csv.writer(text, delimiter=delimiter, lineterminator=line).writerows(rows)
    return text.getvalue()


def project_names(triples: list[ox.Triple]) -> set[str]:
    return {
        t.subject.value.rsplit("/", 1)[-1]
        for t in triples
        if t.predicate.value.endswith("#type") and t.object.value.endswith("SmartCityProject")
    }


EXPECTED = {
    "da-nang-den-duong-thong-minh",
    "bangkok-rabbesnesornamthwm",
    "singapore-example-digital-permits",
}

#: (what the office's software wrote, the bytes, what the report must say).
SAVED_AS = {
    "Excel 'CSV UTF-8' (with a byte-order mark)": (
        codecs.BOM_UTF8 + sheet(ROWS).encode("utf-8"),
        "comma-separated UTF-8 with a byte-order mark",
    ),
    "LibreOffice, UTF-8, no byte-order mark": (
        sheet(ROWS, line="\n").encode(),
        "comma-separated UTF-8",
    ),
    "a European or Vietnamese locale: semicolons": (
        sheet(ROWS, ";").encode("utf-8"),
        "semicolon-separated UTF-8",
    ),
    "Excel 'Unicode Text': tabs, UTF-16 little-endian with a byte-order mark": (
        sheet(ROWS, "\t").encode("utf-16"),
        "tab-separated UTF-16",
    ),
    "UTF-16 big-endian with a byte-order mark": (
        codecs.BOM_UTF16_BE + sheet(ROWS, ";").encode("utf-16-be"),
        "semicolon-separated UTF-16 (big-endian)",
    ),
}


@pytest.mark.parametrize("saved", sorted(SAVED_AS))
def test_every_way_an_office_saves_the_sheet_is_read_and_said(
    vocabulary: Vocabulary, saved: str
) -> None:
    data, reading = SAVED_AS[saved]
    read = read_projects_sheet(data, vocabulary, source="projects.csv")
    assert project_names(read.triples) == EXPECTED
    assert read.reading.startswith(f"read as {reading}"), read.reading
    titles = {t.object.value for t in read.triples if t.predicate.value.endswith("#label")}
    assert "Đèn đường thông minh" in titles
    assert "ระบบเซ็นเซอร์น้ำท่วม" in titles


def test_a_vietnamese_windows_sheet_is_read_as_windows_1258(vocabulary: Vocabulary) -> None:
    rows = [ROWS[0], ["Hà Nội", "Đèn đường thông minh", "vi", "Built Infrastructure", "", "", ""]]
    data = windows_1258(sheet(rows, ";"))
    read = read_projects_sheet(data, vocabulary, source="hanoi.csv")
    assert "Windows-1258 (Vietnamese)" in read.reading
    assert project_names(read.triples) == {"hanoi-den-duong-thong-minh"}
    assert "Đèn đường thông minh" in {t.object.value for t in read.triples}  # composed again


def windows_1258(text: str) -> bytes:
    """``text`` as Windows-1258 writes Vietnamese: base letters precomposed (â, ơ, ư...),
    tone marks as the combining characters that follow them."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    written = []
    for character in text:
        parts = unicodedata.normalize("NFD", character)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        written.append(base + "".join(c for c in parts if c in tones))
    return "".join(written).encode("cp1258")


def test_a_thai_windows_sheet_is_read_as_windows_874(vocabulary: Vocabulary) -> None:
    rows = [ROWS[0], ["Bangkok", "ระบบเซ็นเซอร์น้ำท่วม", "th", "Quality Environment", "", "", ""]]
    read = read_projects_sheet(sheet(rows).encode("cp874"), vocabulary, source="bkk.csv")
    assert "Windows-874/TIS-620 (Thai)" in read.reading
    assert "ระบบเซ็นเซอร์น้ำท่วม" in {t.object.value for t in read.triples}


def test_a_western_windows_sheet_is_read_as_windows_1252(vocabulary: Vocabulary) -> None:
    rows = [ROWS[0], ["Singapore", "Café permits", "en", "Civic & Social", "", "", ""]]
    read = read_projects_sheet(sheet(rows).encode("cp1252"), vocabulary, source="sg.csv")
    assert "Windows-1252" in read.reading
    assert "Café permits" in {t.object.value for t in read.triples}


def test_a_declared_charset_is_used_and_a_wrong_one_names_the_line(
    vocabulary: Vocabulary,
) -> None:
    rows = [ROWS[0], ["Bangkok", "ระบบเซ็นเซอร์น้ำท่วม", "th", "Quality Environment", "", "", ""]]
    data = sheet(rows).encode("cp874")
    read = read_projects_sheet(data, vocabulary, source="bkk.csv", charset="tis-620")
    assert "ระบบเซ็นเซอร์น้ำท่วม" in {t.object.value for t in read.triples}
    with pytest.raises(CsvImportError, match="not valid utf-8 text") as refused:
        read_projects_sheet(data, vocabulary, source="bkk.csv", charset="utf-8")
    assert refused.value.row == 2


def test_a_utf8_file_with_a_damaged_byte_is_refused_naming_its_line(
    vocabulary: Vocabulary,
) -> None:
    data = sheet(ROWS).encode("utf-8").replace(b"Singapore", b"Singap\xffre")
    with pytest.raises(CsvImportError, match="byte 0xFF") as refused:
        read_projects_sheet(data, vocabulary, source="damaged.csv")
    assert refused.value.row == 4
    assert "CSV UTF-8" in refused.value.message


def test_excel_leftovers_are_read(vocabulary: Vocabulary) -> None:
    rows = [
        ["Smart city projects of the network, 2025", "", "", ""],  # a title row
        ["", "", "", ""],
        ["City", "Title", "Focus areas", "", ""],  # names as people write them, empty cells
        ["Da Nang", "Example parking sensors", "Built Infrastructure", "", ""],
        ["", "", "", "", ""],
        ["", "", "", "", ""],
    ]
    read = read_projects_sheet(sheet(rows), vocabulary, source="leftovers.csv")
    assert project_names(read.triples) == {"da-nang-example-parking-sensors"}
    assert "skipped the 2 rows above the header" in read.reading
    assert read.rows[f"{BASE}id/project/da-nang-example-parking-sensors"] == 4


def test_a_column_with_values_but_no_name_is_refused_by_its_letter(
    vocabulary: Vocabulary,
) -> None:
    rows = [["city", "title", ""], ["Da Nang", "Example", "something"]]
    with pytest.raises(CsvImportError, match="values but no name") as refused:
        read_projects_sheet(sheet(rows), vocabulary, source="t.csv")
    assert refused.value.column == "column C (no name)"


def test_no_header_anywhere_says_to_start_from_the_template(vocabulary: Vocabulary) -> None:
    with pytest.raises(CsvImportError, match=r"templates/projects-template\.csv"):
        read_projects_sheet("a,b\n1,2\n", vocabulary, source="t.csv")


def dates(*cells: str) -> list[list[str]]:
    return [["city", "title", "start_date"]] + [
        ["Da Nang", f"Example {i}", cell] for i, cell in enumerate(cells)
    ]


def stored_dates(triples: list[ox.Triple]) -> list[str]:
    return sorted(t.object.value for t in triples if t.predicate.value.endswith("startDate"))


def test_dates_as_the_region_writes_them(vocabulary: Vocabulary) -> None:
    read = read_projects_sheet(
        sheet(dates("25/03/2024", "3/4/2024", "2024-05-06", "07.08.2024")),
        vocabulary,
        source="d.csv",
    )
    assert stored_dates(read.triples) == ["2024-03-25", "2024-04-03", "2024-05-06", "2024-08-07"]
    assert "dates read as DD/MM/YYYY, as '25/03/2024' in row 2 shows" in read.reading


def test_an_ambiguous_date_is_refused_with_both_readings(vocabulary: Vocabulary) -> None:
    with pytest.raises(CsvImportError) as refused:
        read_projects_sheet(sheet(dates("2024-01-01", "03/04/2024")), vocabulary, source="d.csv")
    assert (refused.value.row, refused.value.column) == (3, "start_date")
    assert "3 April 2024 or 4 March 2024" in refused.value.message
    assert "2024-04-03 or 2024-03-04" in refused.value.message


def test_days_first_and_months_first_in_one_file_are_refused(vocabulary: Vocabulary) -> None:
    with pytest.raises(CsvImportError, match="puts the month first"):
        read_projects_sheet(sheet(dates("25/03/2024", "03/25/2024")), vocabulary, source="d.csv")


@pytest.mark.parametrize(
    ("amount", "currency", "value", "code"),
    [
        ("1,200,000", "VND", "1200000", "VND"),
        ("1.200.000,50", "EUR", "1200000.50", "EUR"),
        ("1 200 000", "THB", "1200000", "THB"),
        ("$250,000", "", "250000", "USD"),
        ("S$ 1,500.75", "", "1500.75", "SGD"),
        ("250.000 ₫", "", "250000", "VND"),
        ("VND 5,000,000", "", "5000000", "VND"),
        ("฿500,000", "thb", "500000", "THB"),
    ],
)
def test_amounts_with_separators_signs_and_codes(
    vocabulary: Vocabulary, amount: str, currency: str, value: str, code: str
) -> None:
    rows = [
        ["city", "title", "budget_amount", "budget_currency"],
        ["Da Nang", "Example", amount, currency],
    ]
    triples = read_projects_sheet(sheet(rows), vocabulary, source="a.csv").triples
    by_property = {t.predicate.value.rsplit("/", 1)[-1]: t.object.value for t in triples}
    assert (by_property["amount"], by_property["currency"]) == (value, code)


@pytest.mark.parametrize(
    ("written", "city"),
    [
        ("Đà Nẵng", "da-nang"),
        ("DA NANG", "da-nang"),
        ("Hà Nội", "hanoi"),
        ("Ha Noi", "hanoi"),
        ("HANOI", "hanoi"),
        ("Vientiane Capital", "vientiane"),
        ("Thành phố Hồ Chí Minh", "ho-chi-minh-city"),
    ],
)
def test_city_names_as_written_locally(vocabulary: Vocabulary, written: str, city: str) -> None:
    rows = [["city", "title"], [written, "Example"]]
    triples = read_projects_sheet(sheet(rows), vocabulary, source="c.csv").triples
    cities = {t.object.value for t in triples if t.predicate.value.endswith("/city")}
    assert cities == {f"{BASE}id/city/{city}"}


def test_a_misspelt_city_gets_a_did_you_mean(vocabulary: Vocabulary) -> None:
    with pytest.raises(CsvImportError, match="did you mean 'Da Nang'"):
        read_projects_sheet(
            sheet([["city", "title"], ["Da Nnag", "Example"]]), vocabulary, source="c.csv"
        )


def test_a_title_of_signs_only_still_names_its_project(vocabulary: Vocabulary) -> None:
    read = read_projects_sheet(
        sheet([["city", "title"], ["Da Nang", "★★★"]]), vocabulary, source="t.csv"
    )
    (name,) = project_names(read.triples)
    assert name.startswith("da-nang-")
    assert len(name) == len("da-nang-") + 10
    again = read_projects_sheet(
        sheet([["city", "title"], ["Da Nang", "★★★"]]), vocabulary, source="t.csv"
    )
    assert project_names(again.triples) == {name}  # stable
