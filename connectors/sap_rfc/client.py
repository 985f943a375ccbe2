"""The ``sap-rfc`` transport: sessions on the configured system and table reads over them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from connectors.sap_rfc.read_table import Row, TableReader
from connectors.sap_rfc.rfc import ConnectionFactory, RfcSession, open_session, pyrfc_connection
from connectors.sap_rfc.spec import SapRfcConfig

__all__ = ["SYSTEM", "SapRfcClient"]

SYSTEM = "sap-rfc"


class SapRfcClient:
    """Opens sessions for ``config``: through ``connection_factory`` when given, the built-in
    demo sandbox when ``config.sandbox`` is set, else a real pyrfc connection."""

    def __init__(self, config: SapRfcConfig, *, connection_factory: ConnectionFactory | None = None) -> None:
        self.config = config
        self._factory = connection_factory or self._default_factory(config)
        self.secrets = config.secrets()

    @staticmethod
    def _default_factory(config: SapRfcConfig) -> ConnectionFactory:
        if config.sandbox:
            from connectors.sap_rfc.sandbox import SapSandbox  # only the demo path loads the sandbox

            return SapSandbox.demo(client=config.client).connect
        return pyrfc_connection

    @contextmanager
    def session(self) -> Iterator[RfcSession]:
        """A new logged-on session, closed afterwards (its uncommitted work with it)."""
        with open_session(self._factory, self.config.logon(), system=SYSTEM, secrets=self.secrets) as session:
            yield session

    def reader(self, session: RfcSession, *, page_size: int | None = None) -> TableReader:
        """An RFC_READ_TABLE reader on ``session`` with the configured limits."""
        return TableReader(
            session,
            system=SYSTEM,
            page_size=page_size or self.config.page_size,
            max_width=self.config.max_row_width,
            delimiter=self.config.delimiter,
        )

    def read_all(
        self, table: str, fields: Sequence[str], *, key_fields: Sequence[str], where: str = ""
    ) -> list[Row]:
        """Every row of a (small) table read in one session."""
        with self.session() as session:
            reader = self.reader(session)
            return [
                row
                for page in reader.pages(table, fields, key_fields=key_fields, where=where)
                for row in page
            ]

    def ping(self) -> None:
        """Log on and read one customer row (proves logon and RFC_READ_TABLE authorization)."""
        with self.session() as session:
            session.call("RFC_READ_TABLE", QUERY_TABLE="KNA1", FIELDS=[{"FIELDNAME": "KUNNR"}], ROWCOUNT=1)
