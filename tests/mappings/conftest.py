"""Helpers for the mapping tests: build specs from YAML text, map records, find rejects."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from mappings.engine import MappedBatch, compile_mapping
from mappings.reference import ReferenceData
from mappings.spec import MappingSpec, parse_spec

SPECS = Path(__file__).parent / "specs"

SpecFactory = Callable[..., MappingSpec]
Mapper = Callable[..., MappedBatch]


@pytest.fixture
def specs_dir() -> Path:
    """The folder of example specs (laid out as <connector>/<stream>.yaml)."""
    return SPECS


@pytest.fixture
def make_spec() -> SpecFactory:
    """Parse dedented YAML; without ``entity``/``source`` a stock_levels test spec is assumed."""

    def build(text: str, *, path: str = "mappings/test/stock.yaml", entity: str | None = None) -> MappingSpec:
        body = textwrap.dedent(text)
        if "entity:" not in body:
            body = f"entity: {entity or 'stock_levels'}\nsource: {{connector: test, stream: stock}}\n" + body
        return parse_spec(body, path=path)

    return build


@pytest.fixture
def run() -> Mapper:
    """Compile ``spec`` and apply it to ``rows`` (dicts or a DataFrame)."""

    def apply(
        spec: MappingSpec,
        rows: Sequence[Mapping[str, Any]] | pd.DataFrame,
        *,
        reference: ReferenceData | None = None,
        offsets: Sequence[object] | None = None,
    ) -> MappedBatch:
        frame = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame.from_records(list(rows))
        return compile_mapping(spec, reference=reference).apply(frame, source_offsets=offsets)

    return apply
