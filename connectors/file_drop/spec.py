"""Config of the ``file-drop`` source: where the files are, which feed which stream, how to read them."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

__all__ = ["ENCODINGS", "Encoding", "FileDropConfig", "StreamPatterns"]

Encoding = Literal["auto", "utf-8", "gbk", "gb18030"]
ENCODINGS: tuple[str, ...] = ("auto", "utf-8", "gbk", "gb18030")


class StreamPatterns(BaseModel):
    """File-name patterns per stream: shell wildcards (``*``, ``?``, ``[...]``) and ``{a,b}`` choices.

    Matching ignores case. Defaults follow the WMS/ERP drop: ``inv_WH-SH_20261101.csv``,
    ``products_20261101.xlsx``, ``dealers_20261101.jsonl``.
    """

    model_config = ConfigDict(title="File patterns", extra="forbid")

    stock: str = Field(default="inv_*.csv", min_length=1, description="Stock snapshot files.")
    products: str = Field(default="products_*.{csv,xlsx}", min_length=1, description="Product master files.")
    dealers: str = Field(
        default="dealers_*.{csv,xlsx,jsonl}", min_length=1, description="Dealer master files."
    )

    @field_validator("stock", "products", "dealers")
    @classmethod
    def _no_folders(cls, value: str) -> str:
        if "/" in value or "\\" in value:
            raise ValueError("a pattern matches file names in the folder, not paths")
        return value


class FileDropConfig(BaseModel):
    """A local folder (path) or an http(s) location (url) holding CSV, XLSX or JSON-lines files."""

    model_config = ConfigDict(title="File drop source", extra="forbid")

    path: str | None = Field(
        default=None, description="Local folder the files are dropped into (give this or url)."
    )
    url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description=(
            "http(s) URL of a folder listing (an HTML index page) or of a single file "
            "(its name ends in .csv, .xlsx or .jsonl); give this or path."
        ),
    )
    token: SecretStr | None = Field(
        default=None, description="Bearer token sent with every request to url (optional)."
    )
    patterns: StreamPatterns = Field(
        default_factory=StreamPatterns, description="Which files feed each stream."
    )
    encoding: Encoding = Field(
        default="auto",
        description=(
            "Text encoding of CSV and JSON-lines files. auto: UTF-8 (with or without BOM), "
            "else GB18030 (a superset of GBK, what Chinese WMS/ERP exports often use)."
        ),
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV field delimiter.")
    chunk_rows: int = Field(
        default=50_000, ge=1, le=1_000_000, description="Rows per page (and per batch) read from a file."
    )
    settle_seconds: float = Field(
        default=2.0,
        ge=0,
        le=600,
        description=(
            "A file changed less than this long ago is checked twice, this far apart; if its size or "
            "time changed it is still being written and is left for the next run. 0 turns it off."
        ),
    )
    stale_part_seconds: float = Field(
        default=3600.0,
        gt=0,
        description=(
            "An upload in progress (name.part, name.filepart, name.tmp) holds back the files after it "
            "until it is renamed; one unchanged for longer than this is taken as abandoned and ignored."
        ),
    )

    @field_validator("delimiter")
    @classmethod
    def _usable_delimiter(cls, value: str) -> str:
        if value in ('"', "\r", "\n"):
            raise ValueError("the delimiter cannot be a quote or a line break")
        return value

    @model_validator(mode="after")
    def _one_location(self) -> Self:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of path (a local folder) or url (an http(s) location)")
        if self.token is not None and self.url is None:
            raise ValueError("token is only used with url")
        return self
