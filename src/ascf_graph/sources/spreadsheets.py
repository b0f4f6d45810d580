"""Reading a CSV as city offices' spreadsheets save it.

Excel and LibreOffice write "CSV" in many ways: comma-, semicolon- or
tab-separated (a European or Vietnamese locale uses ``;``; "Unicode text" is
tab-separated UTF-16), in UTF-8 with or without a byte-order mark, in UTF-16,
or in the legacy code page of the office's Windows (Windows-1252 in Western
Europe, Windows-1258 for Vietnamese, Windows-874/TIS-620 for Thai); with a
title row above the header, empty columns and rows at the end, and header
cells left empty. :func:`read_sheet` reads all of these, or refuses with the
cause and the fix, and says how it read the file ("read as semicolon-separated,
Windows-1258 text") so a steward can tell when a guess was wrong.
"""

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Collection
from dataclasses import dataclass, field

from ascf_graph.core.errors import CsvImportError

#: The separators a spreadsheet's CSV may use, and what to call them.
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
#: Legacy code pages tried, in order, when the bytes are not UTF-8 and no charset is given.
LEGACY_ENCODINGS = {
    "cp1258": "Windows-1258 (Vietnamese)",
    "cp874": "Windows-874/TIS-620 (Thai)",
    "cp1252": "Windows-1252 (Western European)",
}
#: How many rows above the header a sheet may have (a title, a note, a blank line).
MAX_ROWS_ABOVE_HEADER = 5

_THAI_WORD = re.compile("[\u0e01-\u0e5b]{3,}")
_THAI = re.compile("[\u0e01-\u0e5b]")
#: A vowel with a Vietnamese tone mark after it, as Windows-1258 writes tones (combining).
_VIETNAMESE_TONE = re.compile("[aăâeêioôơuưyAĂÂEÊIOÔƠUƯY][\u0300\u0301\u0303\u0309\u0323]")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8 with a byte-order mark"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16 (little-endian)"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16 (big-endian)"),
)


@dataclass(frozen=True)
class Sheet:
    """A CSV read into rows under its header."""

    header: tuple[str, ...]
    """The column names, as the template spells them (``start_date``), one per used column."""
    rows: tuple[tuple[int, dict[str, str]], ...]
    """Each non-empty row below the header: its number as the spreadsheet numbers it (the
    first line is row 1) and its cells by column name, stripped."""
    encoding: str
    delimiter: str
    notes: tuple[str, ...] = field(default=())
    """How the file was read, in a steward's words, for the report."""

    def reading(self) -> str:
        """One sentence: how the file was read."""
        parts = [f"read as {DELIMITERS[self.delimiter]}-separated {self.encoding} text"]
        return "; ".join(parts + list(self.notes))


def read_sheet(
    data: bytes | str, source: str, columns: Collection[str], *, charset: str | None = None
) -> Sheet:
    """The rows of ``data`` under the first row (of the first few) that names ``columns``
    of the template; ``charset`` is what the sender declared, if anything."""
    text, encoding = decode(data, source, charset)
    lines = text.splitlines()
    delimiter, header_index = _find_header(lines, source, columns)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = list(reader)
    notes = []
    if header_index:
        above = "row" if header_index == 1 else f"{header_index} rows"
        notes.append(f"skipped the {above} above the header")
    raw_header = records[header_index]
    names = [column_name(cell) for cell in raw_header]
    body = records[header_index + 1 :]
    used: dict[int, str] = {}
    for index, name in enumerate(names):
        if name:
            if name not in columns:
                raise CsvImportError(
                    source,
                    header_index + 1,
                    raw_header[index].strip(),
                    f"not a column of the template; the columns are {', '.join(columns)}",
                )
            used[index] = name
        elif any(index < len(row) and row[index].strip() for row in body):
            raise CsvImportError(
                source,
                header_index + 1,
                f"{_column_letter(index)} (no name)",
                "this column has values but no name in the header row; name it after a "
                "template column, or delete it",
            )
    rows = []
    for offset, record in enumerate(body, start=header_index + 2):
        cells = dict.fromkeys(used.values(), "")
        for index, value in enumerate(record):
            if index in used:
                cells[used[index]] = value.strip()
            elif value.strip() and index >= len(names):
                raise CsvImportError(
                    source,
                    offset,
                    _column_letter(index),
                    "this row has more cells than the header; a cell may hold a separator "
                    f"({DELIMITERS[delimiter]}) without quotes around it",
                )
        if any(cells.values()):
            rows.append((offset, cells))
    return Sheet(tuple(used.values()), tuple(rows), encoding, delimiter, tuple(notes))


def decode(data: bytes | str, source: str, charset: str | None = None) -> tuple[str, str]:
    """The text of ``data`` and what to call its encoding: by its byte-order mark, by the
    declared ``charset``, as UTF-8, or as the legacy code page its letters fit."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff"), "UTF-8"
    for bom, codec, name in _BOMS:
        if data.startswith(bom):
            return _decoded(data, codec, name, source), name
    if charset:
        try:
            codec = codecs.lookup(charset).name
        except LookupError:
            raise CsvImportError(
                source, 1, "charset", f"{charset!r} is not a character encoding this service knows"
            ) from None
        return _decoded(data, codec, charset, source), charset
    try:
        return data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as error:
        if _looks_like_utf8(data):
            raise _decoding_error(data, error, "UTF-8", source) from None
    return _legacy(data, source)


def column_name(cell: str) -> str:
    """A header cell as the template spells column names: ``Start date`` is ``start_date``.

    >>> column_name(" Budget Amount ")
    'budget_amount'
    """
    return re.sub(r"[\s\-]+", "_", cell.strip().lower())


def _decoded(data: bytes, codec: str, name: str, source: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as error:
        raise _decoding_error(data, error, name, source) from None


def _decoding_error(
    data: bytes, error: UnicodeDecodeError, name: str, source: str
) -> CsvImportError:
    line = data[: error.start].count(b"\n") + 1
    byte = data[error.start : error.start + 1].hex().upper()
    return CsvImportError(
        source,
        line,
        "(the file)",
        f"the file is not valid {name} text: byte 0x{byte} on this line cannot be read. "
        "Save the sheet again as 'CSV UTF-8', or send the encoding it uses "
        "(Content-Type: text/csv; charset=windows-1258)",
    )


def _looks_like_utf8(data: bytes) -> bool:
    """Whether ``data`` is UTF-8 with a few damaged bytes, not text in another encoding:
    nearly all its non-ASCII characters read as UTF-8."""
    text = data.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    read = sum(1 for character in text if ord(character) > 0x7F) - damaged
    return read > 0 and damaged * 20 <= read


def _legacy(data: bytes, source: str) -> tuple[str, str]:
    """``data`` decoded by the legacy code page whose script its letters are."""
    decoded = {}
    for codec, name in LEGACY_ENCODINGS.items():
        try:
            decoded[codec] = (data.decode(codec), name)
        except UnicodeDecodeError:
            continue
    if "cp874" in decoded and _reads_as_thai(decoded["cp874"][0]):
        return decoded["cp874"]
    if "cp1258" in decoded and _VIETNAMESE_TONE.search(decoded["cp1258"][0]):
        return unicodedata.normalize("NFC", decoded["cp1258"][0]), decoded["cp1258"][1]
    if "cp1252" in decoded:
        return decoded["cp1252"]
    if decoded:
        return next(iter(decoded.values()))
    error = UnicodeDecodeError("utf-8", data, 0, 1, "no encoding fits")
    raise _decoding_error(data, error, "UTF-8", source)


def _reads_as_thai(text: str) -> bool:
    """Whether ``text`` (decoded as Windows-874) reads as Thai: its Thai letters come in
    words, not alone as the accented letters of another code page do."""
    letters = len(_THAI.findall(text))
    in_words = sum(len(word) for word in _THAI_WORD.findall(text))
    return letters > 0 and in_words * 10 >= letters * 8


def _find_header(lines: list[str], source: str, columns: Collection[str]) -> tuple[str, int]:
    """The delimiter and the index of the header row: the row among the first few, split
    by one of :data:`DELIMITERS`, that names the most template columns (at least two)."""
    best: tuple[int, str, int] = (1, ",", -1)
    for index, line in enumerate(lines[: MAX_ROWS_ABOVE_HEADER + 1]):
        for delimiter in DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            known = sum(1 for cell in cells if column_name(cell) in columns)
            if known > best[0]:
                best = (known, delimiter, index)
    if best[2] < 0:
        raise CsvImportError(
            source,
            1,
            "(header)",
            "no header row with the template's columns (city, title, ...) in the first "
            f"{MAX_ROWS_ABOVE_HEADER + 1} rows; start from the template "
            "(GET /templates/projects-template.csv) and keep its first row",
        )
    return best[1], best[2]


def _column_letter(index: int) -> str:
    """The spreadsheet's name of the column at ``index`` (0: A, 26: AA).

    >>> _column_letter(0), _column_letter(27)
    ('column A', 'column AB')
    """
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return f"column {letters}"
