"""A bad spec fails at load time with FILE:LINE: field 'NAME': problem — and never runs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mappings.errors import MappingError, MappingSpecError
from mappings.spec import load_spec, parse_spec

FILE = "mappings/file-drop/stock.yaml"
HEAD = "entity: stock_levels\nsource: {connector: file-drop, stream: stock}\nfields:\n"
OK_FIELDS = "  location_code: {from: wh}\n  sku: {from: item}\n"

CASES = [
    pytest.param(
        HEAD + OK_FIELDS + "  on_hand: {from: qty, cast: decimel}\n",
        f"{FILE}:6: field 'on_hand': unknown cast 'decimel' "
        "(expected one of: string, int, decimal, date, datetime, bool, json)",
        id="unknown-cast",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  on_hand:\n    from: qty\n    scale: 2\n    cast: date\n",
        f"{FILE}:9: field 'on_hand': cast 'date' does not fit column 'on_hand' of kind decimal",
        id="cast-does-not-fit-column",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  onhand: {from: qty}\n",
        f"{FILE}:6: field 'onhand': stock_levels has no column 'onhand' (did you mean 'on_hand'?) "
        "(prefix a name with _ for a helper field that is not stored)",
        id="unknown-target-column",
    ),
    pytest.param(
        HEAD + "  location_code: {from: wh}\n  sku: {from: item, requried: true}\n",
        f"{FILE}:5: field 'sku': unknown key 'requried' (did you mean 'required'?)",
        id="misspelt-option",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  _x: {expr: \"__import__('os').system('touch /tmp/pwned')\"}\n",
        f"{FILE}:6: field '_x': function \"__import__('os').system\" is not allowed "
        "(allowed: coalesce, abs, min, max, round, is_null, not_null)",
        id="expression-escape-attempt",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  _x: {expr: \"__import__('os')\"}\n",
        f"{FILE}:6: field '_x': function '__import__' is not allowed "
        "(allowed: coalesce, abs, min, max, round, is_null, not_null)",
        id="expression-import",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  on_hand: {from: qty, default: abc}\n",
        f"{FILE}:6: field 'on_hand': default 'abc' is not a decimal number",
        id="default-not-castable",
    ),
    pytest.param(
        HEAD + "  location_code: {from: wh}\n  sku: {from: item, lookup: product.sku}\n",
        f"{FILE}:5: field 'sku': lookup 'product.sku' must name a canonical table and column, "
        "e.g. products.sku",
        id="lookup-unknown-table",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  as_of: {from: ts, timezone: Asia/Beijing}\n",
        f"{FILE}:6: field 'as_of': unknown timezone 'Asia/Beijing' (use an IANA name such as Asia/Shanghai)",
        id="unknown-timezone",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  lot: {from: lot, required: true, default: ''}\n",
        f"{FILE}:6: field 'lot': required and default exclude each other: a default fills missing values",
        id="required-with-default",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  created_at: {from: ts}\n",
        f"{FILE}:6: field 'created_at': created_at is lineage the store writes itself; "
        "mappings may not set it",
        id="store-owned-column",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  on_hand: {from: qty, scale: 6}\n",
        f"{FILE}:6: field 'on_hand': scale 6 is finer than the column's 4 decimal places",
        id="scale-finer-than-column",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  lot: {from: lot, transform: [strip, trim]}\n",
        f"{FILE}:6: field 'lot': unknown transform 'trim' (expected one of: strip, lstrip, rstrip, upper, "
        "lower, collapse_spaces, nfkc, zfill, replace, regex_replace, prefix, suffix)",
        id="unknown-transform",
    ),
    pytest.param(
        HEAD + OK_FIELDS + '  on_hand: {expr: "location_code + sku"}\n',
        f"{FILE}:6: field 'on_hand': expression gives a string but the field is decimal",
        id="expression-type-mismatch",
    ),
    pytest.param(
        HEAD + OK_FIELDS + '  on_hand: {expr: "qty * 2"}\n',
        f"{FILE}:6: field 'on_hand': unknown name 'qty' (known fields: location_code, on_hand, sku)",
        id="expression-unknown-name",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  on_hand: {from: q}\n  in_transit: {from: t}\n"
        'checks:\n  - {rule: positive, expr: "on_hand + in_transit"}\n',
        f"{FILE}:9: check 'positive': the expression gives a number, not a condition",
        id="row-check-not-a-condition",
    ),
    pytest.param(
        HEAD + OK_FIELDS + '  _a: {expr: "_b + 1", cast: decimal}\n  _b: {expr: "_a + 1", cast: decimal}\n',
        f"{FILE}:6: field '_a': fields depend on each other in a cycle: _a, _b",
        id="expression-cycle",
    ),
    pytest.param(
        "entity: stock_levels\nsource: {connector: file-drop, stream: stock}\nkey: [location_code, bin]\n"
        "fields:\n" + OK_FIELDS,
        f"{FILE}:3: key 'bin' is not a mapped column of stock_levels",
        id="key-not-mapped",
    ),
    pytest.param(
        "entity: stock_level\nsource: {connector: file-drop, stream: stock}\nfields:\n" + OK_FIELDS,
        f"{FILE}:1: unknown entity 'stock_level' (did you mean 'stock_levels'?)",
        id="unknown-entity",
    ),
    pytest.param(
        "entity: stock_levels\nsource: {connector: file-drop}\nfields:\n" + OK_FIELDS,
        f"{FILE}:2: missing key 'stream'",
        id="missing-stream",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  sku: {from: other}\n",
        f"{FILE}:6: field 'sku': duplicate key 'sku'",
        id="duplicate-yaml-key",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "  lot: {from: lot\n",
        f"{FILE}:7: not valid YAML: expected ',' or '}}', but got '<stream end>'",
        id="yaml-syntax",
    ),
    pytest.param(
        HEAD + "  sku: {from: item}\n",
        f"{FILE}:3: column 'location_code' of stock_levels cannot be empty and has no default: map it",
        id="required-column-not-mapped",
    ),
    pytest.param(
        HEAD + OK_FIELDS + "drift: maybe\n",
        f"{FILE}:6: unknown drift 'maybe' (expected one of: warn, fail)",
        id="bad-drift-policy",
    ),
]


@pytest.mark.parametrize(("text", "message"), CASES)
def test_a_bad_spec_names_file_line_and_field(text: str, message: str) -> None:
    with pytest.raises(MappingSpecError) as caught:
        parse_spec(text, path=FILE)
    assert str(caught.value) == message


def test_the_error_carries_its_parts_for_tools() -> None:
    with pytest.raises(MappingSpecError) as caught:
        parse_spec(HEAD + OK_FIELDS + "  on_hand: {from: qty, cast: decimel}\n", path=FILE)
    assert (caught.value.path, caught.value.line, caught.value.field) == (FILE, 6, "on_hand")
    assert isinstance(caught.value, MappingError)


def test_a_value_map_entry_that_cannot_be_cast_points_at_its_own_line() -> None:
    text = textwrap.dedent("""\
        entity: dealers
        source: {connector: erp, stream: dealers}
        fields:
          code: {from: KUNNR}
          name: {from: NAME1}
          level:
            from: KTOKD
            map:
              ZNAT: 1
              ZL1: one
        """)
    with pytest.raises(MappingSpecError) as caught:
        parse_spec(text, path="mappings/erp/dealers.yaml")
    assert (
        str(caught.value)
        == "mappings/erp/dealers.yaml:10: field 'level': map value 'one' is not a whole number"
    )


def test_a_spec_file_that_cannot_be_read_is_a_spec_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(MappingSpecError, match=r"nope\.yaml: cannot read the spec: FileNotFoundError"):
        load_spec(missing)


def test_an_empty_file_is_a_spec_error() -> None:
    with pytest.raises(MappingSpecError, match=r"^x\.yaml:1: the file is empty$"):
        parse_spec("", path="x.yaml")


def test_python_object_tags_are_refused_not_constructed() -> None:
    text = HEAD + OK_FIELDS + "  lot: !!python/object/apply:os.system ['touch /tmp/pwned']\n"
    with pytest.raises(
        MappingSpecError,
        match=r"^mappings/file-drop/stock\.yaml:6: not valid YAML: tag "
        r"'tag:yaml.org,2002:python/object/apply:os.system' is not allowed",
    ):
        parse_spec(text, path=FILE)


def test_a_field_given_as_a_list_says_what_is_expected() -> None:
    with pytest.raises(MappingSpecError) as caught:
        parse_spec(HEAD + OK_FIELDS + "  lot: [a, b]\n", path=FILE)
    assert str(caught.value) == (
        f"{FILE}:6: field 'lot': lot: expected a mapping of options, e.g. {{from: column}}, "
        "or a source column name"
    )


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("  on_hand: {from: q, checks: [{ge: }]}\n", "field 'on_hand': check ge: needs a value"),
        ("  lot: {from: l, checks: [{in: [A, null]}]}\n", "field 'lot': check in: needs a value"),
        (
            "  expiry_date: {from: e, format: '%d%d%Y'}\n",
            "field 'expiry_date': format '%d%d%Y': redefinition of group name 'd' as group 2; was group 1",
        ),
    ],
)
def test_incomplete_checks_and_broken_formats_are_spec_errors(field: str, message: str) -> None:
    with pytest.raises(MappingSpecError) as caught:
        parse_spec(HEAD + OK_FIELDS + field, path=FILE)
    assert str(caught.value) == f"{FILE}:6: {message}"
