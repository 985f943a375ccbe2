"""The file readers: chunks and their line offsets, encodings, and every kind of bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from connectors.errors import FatalConnectorError
from connectors.file_drop.encoding import TextEncoding, resolve_encoding
from connectors.file_drop.readers import CUT_SHORT, Chunk, file_kind, read_chunks

HEADER = "warehouse_code,sku,lot,on_hand\n"


def chunks(
    path: Path, *, encoding: str = "auto", chunk_rows: int = 50_000, after_line: int = 0
) -> list[Chunk]:
    kind = file_kind(path.name)
    text = None if kind == "xlsx" else resolve_encoding(path, encoding, file_name=path.name)
    return list(
        read_chunks(
            path, kind, file_name=path.name, encoding=text, chunk_rows=chunk_rows, after_line=after_line
        )
    )


def rows(path: Path, **kwargs: object) -> pd.DataFrame:
    found = chunks(path, **kwargs)  # type: ignore[arg-type]
    return pd.concat([c.frame for c in found], ignore_index=True) if found else pd.DataFrame()


def stock_lines(count: int) -> str:
    return "".join(f"WH-SH,SKU-{10000 + i},L{i},{i}\n" for i in range(1, count + 1))


def test_chunks_hold_at_most_chunk_rows_and_name_their_lines_counting_the_header_as_line_1(
    tmp_path: Path,
) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + stock_lines(10), encoding="utf-8")
    found = chunks(path, chunk_rows=4)
    assert [(c.first_line, c.last_line, len(c.frame)) for c in found] == [(2, 5, 4), (6, 9, 4), (10, 11, 2)]
    assert [c.last for c in found] == [False, False, True]
    assert found[1].frame["_line"].tolist() == [6, 7, 8, 9]
    assert found[1].frame["sku"].tolist() == ["SKU-10005", "SKU-10006", "SKU-10007", "SKU-10008"]
    assert set(found[0].frame["_malformed"]) == {""}


def test_line_numbers_count_line_breaks_inside_quoted_fields_and_skip_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + 'WH-SH,SKU-1,"lot\nspanning\nlines",1\n\nWH-SH,SKU-2,L2,2\n', encoding="utf-8")
    frame = rows(path)
    assert frame["_line"].tolist() == [2, 6]
    assert frame["lot"].tolist() == ["lot\nspanning\nlines", "L2"]
    assert chunks(path)[0].last_line == 6


def test_a_line_with_the_wrong_number_of_fields_becomes_a_malformed_row_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + "WH-SH,SKU-1,L1,5\nWH-SH,SKU-2,L2,1,200,0\nWH-SH,SKU-3\nWH-SH,SKU-4,L4,4\n")
    frame = rows(path)
    assert frame["_line"].tolist() == [2, 3, 4, 5]
    assert frame["_malformed"].tolist() == [
        "",
        "6 fields where the header has 4: WH-SH,SKU-2,L2,1,200,0",
        "2 fields where the header has 4: WH-SH,SKU-3",
        "",
    ]
    assert frame.loc[1, ["sku", "on_hand"]].tolist() == ["SKU-2", "1"]  # the fields that fit are kept
    assert frame.loc[2, ["sku", "lot", "on_hand"]].tolist() == ["SKU-3", "", ""]


def test_trailing_empty_fields_beyond_the_header_are_not_malformed(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text("warehouse_code,sku,lot,on_hand,\nWH-SH,SKU-1,L1,5,,\n", encoding="utf-8")
    frame = rows(path)
    assert list(frame.columns[:4]) == ["warehouse_code", "sku", "lot", "on_hand"]
    assert frame["_malformed"].tolist() == [""]


def test_broken_quoting_becomes_a_malformed_row_with_its_text_and_reading_goes_on(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + 'WH-SH,SKU-1,"L1"x,5\nWH-SH,SKU-2,L2,2\n', encoding="utf-8")
    frame = rows(path)
    assert frame["_line"].tolist() == [2, 3]
    assert frame.loc[0, "_malformed"].startswith("broken quoting (")
    assert frame.loc[0, "_malformed"].endswith(': WH-SH,SKU-1,"L1"x,5')
    assert frame.loc[1, ["sku", "_malformed"]].tolist() == ["SKU-2", ""]


def test_a_file_cut_off_mid_field_marks_its_last_line_malformed(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + "WH-SH,SKU-1,L1,5\nWH-SH,SKU-2,L", encoding="utf-8")
    frame = rows(path)
    assert frame["_malformed"].tolist() == ["", "3 fields where the header has 4: WH-SH,SKU-2,L"]


def test_a_file_cut_off_inside_a_quoted_field_marks_its_last_line_malformed(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + 'WH-SH,SKU-1,L1,5\nWH-SH,SKU-2,"L2', encoding="utf-8")
    frame = rows(path)
    assert frame["_line"].tolist() == [2, 3]
    assert frame.loc[1, "_malformed"] == 'broken quoting (unexpected end of data): WH-SH,SKU-2,"L2'


def test_a_utf8_file_cut_inside_a_character_stays_utf8_and_its_last_row_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    data = (HEADER + "WH-SH,SKU-1,批次1,5\nWH-SH,SKU-2,批次2,7\n").encode("utf-8")
    path.write_bytes(data[: data.rindex("次".encode()) + 2])  # cut after 2 of 次's 3 bytes
    encoding = resolve_encoding(path, "auto", file_name=path.name)
    assert encoding == TextEncoding("utf-8-sig", cut_short=True)
    frame = rows(path)
    assert frame.loc[0, "lot"] == "批次1"  # not read as GB18030 mojibake
    assert frame["_malformed"].tolist() == ["", CUT_SHORT]


def test_a_gbk_file_is_recognised_in_auto_mode(tmp_path: Path) -> None:
    path = tmp_path / "dealers_1.csv"
    path.write_bytes("code,name\nD1-001,南京益佳食品有限公司\nD1-002,华夏乳业\n".encode("gbk"))
    assert resolve_encoding(path, "auto", file_name=path.name).codec == "gb18030"
    assert rows(path)["name"].tolist() == ["南京益佳食品有限公司", "华夏乳业"]
    assert rows(path, encoding="gbk")["name"].tolist() == ["南京益佳食品有限公司", "华夏乳业"]


def test_a_utf8_bom_does_not_end_up_in_the_first_column_name(tmp_path: Path) -> None:
    path = tmp_path / "dealers_1.csv"
    path.write_bytes("code,name\nD1-001,华夏乳业\n".encode("utf-8-sig"))
    assert list(rows(path).columns[:2]) == ["code", "name"]


def test_a_file_in_an_unknown_encoding_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dealers_1.csv"
    path.write_bytes("code,name\nD1-001,华夏乳业\n".encode("utf-16"))
    with pytest.raises(
        FatalConnectorError, match=r"cannot decode dealers_1\.csv: not UTF-8 .* it looks like UTF-16"
    ):
        resolve_encoding(path, "auto", file_name=path.name)


def test_a_gbk_file_read_as_utf8_fails_naming_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "dealers_1.csv"
    path.write_bytes("code,name\nD1-001,ok\nD1-002,华夏乳业\n".encode("gbk"))
    with pytest.raises(
        FatalConnectorError, match=r"cannot decode dealers_1\.csv: not UTF-8 \(byte 0x.. at line 3\)"
    ):
        resolve_encoding(path, "utf-8", file_name=path.name)


@pytest.mark.parametrize("content", [b"", HEADER.encode(), b"\n\n", (HEADER + "\n\n").encode()])
def test_empty_header_only_and_blank_files_give_no_rows_and_no_error(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_bytes(content)
    assert chunks(path) == []


def test_reading_after_a_line_resumes_exactly_after_it(tmp_path: Path) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(HEADER + stock_lines(10), encoding="utf-8")
    found = chunks(path, chunk_rows=4, after_line=7)
    assert [(c.first_line, c.last_line) for c in found] == [(8, 9), (10, 11)]
    assert found[-1].last


@pytest.mark.parametrize(
    ("header", "problem"), [("sku,sku\n", "the header has column 'sku' twice"), ("sku,_line\n", "clashes")]
)
def test_a_header_the_rows_cannot_be_told_apart_by_is_fatal(
    tmp_path: Path, header: str, problem: str
) -> None:
    path = tmp_path / "inv_a.csv"
    path.write_text(header + "a,b\n", encoding="utf-8")
    with pytest.raises(FatalConnectorError, match=problem):
        chunks(path)


def test_json_lines_become_text_rows_and_a_line_that_is_not_an_object_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "dealers_1.jsonl"
    path.write_text(
        '{"code": "D1", "level": 2, "credit_limit": 1400000.5, "contract_required": true, "gln": null}\n'
        "\n"
        '{"code": "D2", "tags": ["a", "批"]}\n'
        '{"code": "D3",\n'
        "[1, 2]\n",
        encoding="utf-8",
    )
    frame = rows(path)
    assert frame["_line"].tolist() == [1, 3, 4, 5]
    assert frame.loc[0, ["level", "credit_limit", "contract_required", "gln"]].tolist() == [
        "2",
        "1400000.5",
        "true",
        "",
    ]
    assert frame.loc[1, "tags"] == '["a","批"]'
    assert frame.loc[2, "_malformed"].startswith(
        "not JSON (Expecting property name enclosed in double quotes"
    )
    assert frame.loc[3, "_malformed"] == "a JSON list, not an object: [1, 2]"


def test_xlsx_rows_come_with_their_sheet_row_numbers_and_cells_as_csv_text(tmp_path: Path) -> None:
    import datetime

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["sku", "gtin", "case_pack", "guide_price", "launched"])
    sheet.append(["SKU-1", 6923456100015, 6, 308.5, datetime.date(2026, 1, 2)])
    sheet.append([])
    sheet.append(["SKU-2", "06923456100022", 12.0, 0.1, datetime.datetime(2026, 1, 2, 8, 30)])
    sheet.append(["SKU-3", None, 1, 2, None, "stray"])
    path = tmp_path / "products_1.xlsx"
    book.save(path)
    found = chunks(path, chunk_rows=2)
    assert [(c.first_line, c.last_line) for c in found] == [(2, 4), (5, 5)]
    frame = pd.concat([c.frame for c in found], ignore_index=True)
    assert frame.loc[0, ["gtin", "case_pack", "guide_price", "launched"]].tolist() == [
        "6923456100015",
        "6",
        "308.5",
        "2026-01-02",
    ]
    assert frame.loc[1, ["gtin", "case_pack", "guide_price", "launched"]].tolist() == [
        "06923456100022",
        "12",
        "0.1",
        "2026-01-02T08:30:00",
    ]
    assert frame["_malformed"].tolist()[:2] == ["", ""]
    assert frame.loc[2, "_malformed"] == "6 cells where the header has 5: SKU-3,,1,2,,stray"


def test_a_file_that_is_not_a_workbook_fails_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "products_1.xlsx"
    path.write_text("sku,name\n", encoding="utf-8")
    with pytest.raises(FatalConnectorError, match=r"products_1\.xlsx is not a readable XLSX workbook"):
        chunks(path)


def test_an_unsupported_file_type_is_fatal() -> None:
    with pytest.raises(FatalConnectorError, match=r"products_1\.xls: unsupported file type"):
        file_kind("products_1.xls")
