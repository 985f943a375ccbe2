"""The source contract: airbyte-cdk streams that also hand the hub whole batches.

A connector stream implements :meth:`HubStream.fetch` (pages of a DataFrame, from a lower
cursor bound). Everything else is derived here, once, for both consumers:

- the hub's sync engine calls :meth:`HubStream.read_batches`: each :class:`Batch` carries its
  rows *and* the stream state after them, so rows and cursor commit in one transaction;
- Airbyte (``spec/check/discover/read``) calls :meth:`HubStream.read_records`, which yields the
  same rows as JSON-native dicts, built from the same batches.

:class:`HubSource` turns a pydantic config model into the Airbyte spec, validates configs
without echoing values, and reports check failures as clean one-line messages.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Generic, TypeVar

import pandas as pd
from pydantic import BaseModel

from canonical_model.errors import ConfigError, HubError
from connectors._cdk import (
    AbstractSource,
    AirbyteConnectionStatus,
    AirbyteTracedException,
    CheckpointMixin,
    ConnectorSpecification,
    FailureType,
    Status,
    Stream,
    SyncMode,
)
from connectors.errors import AuthenticationError, RetriableConnectorError
from connectors.records import frame_to_records
from connectors.redaction import redact, secret_values
from connectors.spec import parse_config, spec_schema
from connectors.state import CursorPosition, CursorTracker, CursorType, Lookback, dump_state, load_state

__all__ = ["Batch", "HubSource", "HubStream", "Page", "to_traced_exception"]

ConfigT = TypeVar("ConfigT", bound=BaseModel)


@dataclass(frozen=True)
class Page:
    """One page a stream fetched from its source, before deduplication."""

    frame: pd.DataFrame
    offset: str
    """Where in the source this page came from (``page=3``, ``file=stock_0501.csv``): shown
    with quarantined rows so an operator can find the original."""


@dataclass(frozen=True)
class Batch:
    """Rows to load plus the stream state to commit *with* them (one transaction)."""

    stream: str
    frame: pd.DataFrame
    state: dict[str, Any] = field(repr=False)
    source_offset: str
    partition: str | None = None


class HubStream(Stream, CheckpointMixin):
    """Base of every stream: set ``name``, ``primary_key``, ``json_schema`` and implement ``fetch``.

    Incremental streams also set ``cursor_field`` (a top-level column) and ``cursor_type``.
    Partitioned streams set ``partition_field`` and implement :meth:`partitions`; their state
    keeps one cursor per partition. A source that cannot return rows in ascending cursor order
    sets ``sorted_by_cursor = False``: its state then advances only with its last batch.
    """

    primary_key: ClassVar[str | list[str]]
    json_schema: ClassVar[Mapping[str, Any]]
    cursor_field: ClassVar[str | list[str]] = []
    cursor_type: ClassVar[CursorType] = "datetime"
    partition_field: ClassVar[str | None] = None
    sorted_by_cursor: ClassVar[bool] = True
    checkpoint_interval: ClassVar[int] = 1000

    def __init__(self, *, lookback: Lookback = None) -> None:
        self.lookback = lookback
        self._state: dict[str, Any] = {}

    @abstractmethod
    def fetch(self, *, since: Any, partition: str | None) -> Iterable[Page]:
        """Pages of rows with ``cursor >= since`` (all rows when ``since`` is None).

        ``since`` is an aware UTC ``datetime``, a number or a string, by ``cursor_type``; the
        comparison must be inclusive. ``partition`` is one of :meth:`partitions` (None when the
        stream is not partitioned). Raise hub errors (see :mod:`connectors.translate`).
        """

    def partitions(self) -> Iterable[str]:
        """The partition keys to read (override when ``partition_field`` is set)."""
        raise NotImplementedError(f"stream {self.name!r} sets partition_field but does not list partitions")

    def get_json_schema(self) -> Mapping[str, Any]:  # type: ignore[override]  # base is lru_cached
        """The stream's JSON schema (``json_schema``)."""
        return self.json_schema

    @property
    def state(self) -> MutableMapping[str, Any]:
        """The stream state after the last batch read completely (CheckpointMixin)."""
        return self._state

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = dict(value or {})

    @property
    def is_resumable(self) -> bool:
        # A stream without a cursor restarts from scratch: never resumable full refresh, whose
        # checkpoint reader would loop on an empty state.
        return self.supports_incremental

    @property
    def state_checkpoint_interval(self) -> int | None:
        """Airbyte checkpoints every N records; state only covers completely emitted batches."""
        return self.checkpoint_interval if self.supports_incremental and self.sorted_by_cursor else None

    def read_batches(
        self, stream_state: Mapping[str, Any] | None = None, *, lookback: Lookback = None
    ) -> Iterator[Batch]:
        """New rows since ``stream_state``, batch by batch, each with the state after it."""
        cursor = self._cursor_column()
        if cursor is None:
            for partition in self._partition_keys():
                for page in self.fetch(since=None, partition=partition):
                    if not page.frame.empty:
                        yield Batch(self.name, page.frame, {}, page.offset, partition)
            return
        partitioned = self.partition_field is not None
        positions = load_state(stream_state, cursor, partitioned=partitioned)
        for partition in self._partition_keys():
            tracker = CursorTracker(
                cursor_field=cursor,
                cursor_type=self.cursor_type,
                primary_key=self._primary_key_columns(),
                start=positions.get(partition, CursorPosition()),
                lookback=lookback,
                stream=self.name,
            )
            pending: Page | None = None
            for page in self.fetch(since=tracker.since, partition=partition):
                frame = tracker.admit(page.frame)
                if frame.empty:
                    continue
                if self.sorted_by_cursor:
                    positions[partition] = tracker.position
                    yield Batch(
                        self.name,
                        frame,
                        dump_state(positions, cursor, partitioned=partitioned),
                        page.offset,
                        partition,
                    )
                    continue
                if pending is not None:  # earlier batches keep the old state until the read completes
                    yield Batch(
                        self.name,
                        pending.frame,
                        dump_state(positions, cursor, partitioned=partitioned),
                        pending.offset,
                        partition,
                    )
                pending = Page(frame, page.offset)
            if pending is not None:
                positions[partition] = tracker.position
                yield Batch(
                    self.name,
                    pending.frame,
                    dump_state(positions, cursor, partitioned=partitioned),
                    pending.offset,
                    partition,
                )

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterator[Mapping[str, Any]]:
        """The Airbyte path: the rows of :meth:`read_batches` as JSON-native dicts."""
        start = self._state if sync_mode == SyncMode.incremental else {}
        try:
            for batch in self.read_batches(start, lookback=self.lookback):
                yield from frame_to_records(batch.frame)
                self._state = dict(batch.state)
        except HubError as exc:
            raise to_traced_exception(exc) from exc

    def _cursor_column(self) -> str | None:
        wrapped = self._wrapped_cursor_field()
        if not wrapped:
            return None
        if len(wrapped) != 1:
            raise ConfigError(f"stream {self.name!r}: the cursor must be one top-level column, got {wrapped}")
        return str(wrapped[0])

    def _primary_key_columns(self) -> list[str]:
        columns: list[str] = []
        for path in Stream._wrapped_primary_key(self.primary_key) or []:
            if len(path) != 1:
                raise ConfigError(
                    f"stream {self.name!r}: primary key parts must be top-level columns, got {path}"
                )
            columns.append(path[0])
        return columns

    def _partition_keys(self) -> Iterable[str | None]:
        if self.partition_field is None:
            return [None]
        return [str(key) for key in self.partitions()]


def to_traced_exception(exc: HubError) -> AirbyteTracedException:
    """A hub error as Airbyte's traced exception, its one-line message kept for the user."""
    if isinstance(exc, ConfigError | AuthenticationError):
        failure = FailureType.config_error
    elif isinstance(exc, RetriableConnectorError):
        failure = FailureType.transient_error
    else:
        failure = FailureType.system_error
    return AirbyteTracedException(
        internal_message=str(exc), message=str(exc), failure_type=failure, exception=exc
    )


class HubSource(AbstractSource, Generic[ConfigT]):
    """Base of every source: a typed config model, a clean ``check``, hub and Airbyte streams."""

    spec_model: type[ConfigT]
    connector_name: ClassVar[str] = ""
    documentation_url: ClassVar[str | None] = None

    @abstractmethod
    def check_config(self, config: ConfigT) -> None:
        """Prove the config can connect (e.g. read one record); raise a hub error if not."""

    @abstractmethod
    def hub_streams(self, config: ConfigT) -> Sequence[HubStream]:
        """The streams for ``config`` (the hub's entry point; raises hub errors)."""

    def parse_config(self, config: Mapping[str, Any]) -> ConfigT:
        """``config`` validated into ``spec_model``; :class:`ConfigError` names bad fields only."""
        parsed: ConfigT = parse_config(self.spec_model, config, connector=self.name)
        return parsed

    def connection_specification(self) -> dict[str, Any]:
        """The JSON schema of ``spec_model`` with secrets marked ``airbyte_secret``."""
        return spec_schema(self.spec_model)

    def spec(self, logger: Any) -> ConnectorSpecification:
        """The Airbyte spec, built from ``spec_model``."""
        return ConnectorSpecification(
            documentationUrl=self.documentation_url,
            connectionSpecification=self.connection_specification(),
        )

    def check_connection(self, logger: Any, config: Mapping[str, Any]) -> tuple[bool, str | None]:
        """(True, None) or (False, a one-line reason with no secret in it)."""
        try:
            self.check_config(self.parse_config(config))
        except HubError as exc:
            return False, redact(str(exc), secret_values(config, self.connection_specification()))
        return True, None

    def check(self, logger: Any, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        """Like AbstractSource.check, minus its ``repr()`` of the message."""
        ok, message = self.check_connection(logger, config)
        if ok:
            return AirbyteConnectionStatus(status=Status.SUCCEEDED)
        return AirbyteConnectionStatus(status=Status.FAILED, message=message)

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        """The Airbyte path: :meth:`hub_streams`, hub errors turned into traced exceptions."""
        try:
            return list(self.hub_streams(self.parse_config(config)))
        except HubError as exc:
            raise to_traced_exception(exc) from exc

    @property
    def name(self) -> str:
        """The connector name used in messages (``connector_name``, else the class name)."""
        return self.connector_name or type(self).__name__
