"""Config of ``wms-sftp``: where the drop box is, how to trust and log in to it, how to read it."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator, model_validator

from connectors.file_drop.spec import Encoding

__all__ = ["SYSTEM", "FilePatterns", "WmsSftpConfig"]

SYSTEM = "wms-sftp"


class FilePatterns(BaseModel):
    """File-name patterns per kind of file in ``out_dir`` (shell wildcards, ``{a,b}``; case ignored)."""

    model_config = ConfigDict(title="File patterns", extra="forbid")

    inventory: str = Field(default="inv_*.csv", min_length=1, description="Inventory snapshots.")
    shipments: str = Field(
        default="shp_*.csv", min_length=1, description="Shipment confirmations with scanned trace codes."
    )
    receipts: str = Field(default="rcv_*.csv", min_length=1, description="Goods receipts.")

    @field_validator("inventory", "shipments", "receipts")
    @classmethod
    def _no_folders(cls, value: str) -> str:
        if "/" in value or "\\" in value:
            raise ValueError("a pattern matches file names in the folder, not paths")
        return value


class WmsSftpConfig(BaseModel):
    """A WMS's SFTP drop box (``mode: sftp``) or a local folder laid out the same way (``mode: local``)."""

    model_config = ConfigDict(title="WMS SFTP drop box", extra="forbid")

    mode: Literal["sftp", "local"] = Field(
        default="sftp", description="sftp: the WMS's SFTP server; local: a folder on this machine (demo)."
    )
    host: str | None = Field(default=None, description="SFTP server host name or address (sftp mode).")
    port: int = Field(default=22, ge=1, le=65535, description="SFTP server port.")
    username: str | None = Field(default=None, description="SSH user name (sftp mode).")
    password: SecretStr | None = Field(
        default=None, description="SSH password (give this and/or private_key)."
    )
    private_key: SecretStr | None = Field(
        default=None, description="SSH private key, OpenSSH or PEM text (Ed25519, ECDSA or RSA)."
    )
    private_key_passphrase: SecretStr | None = Field(default=None, description="Passphrase of private_key.")
    known_hosts: str | None = Field(
        default=None,
        description=(
            "The server's host key as known_hosts lines (`ssh-keyscan -p PORT HOST`, verified out of band). "
            "Unknown or changed host keys are refused."
        ),
    )
    host_key_fingerprints: list[str] = Field(
        default_factory=list,
        description="Or: the server's host key fingerprints, SHA256:… as `ssh-keygen -lf` prints them.",
    )
    local_root: str | None = Field(
        default=None,
        description="local mode: the folder standing in for the server's root (holds out/ and in/).",
    )
    out_dir: str = Field(default="/out", min_length=1, description="Folder the WMS drops its files into.")
    in_dir: str = Field(default="/in", min_length=1, description="Folder the hub drops outbound orders into.")
    archive_dir: str | None = Field(
        default="archive",
        description=(
            "Sub-folder of out_dir that read files are moved to once their rows are committed; "
            "empty: leave them in place (they are recorded as read in the stream state)."
        ),
    )
    order_archive_dirs: list[str] = Field(
        default_factory=lambda: ["archive"],
        description="Sub-folders of in_dir the WMS moves picked-up orders to (looked in before re-sending).",
    )
    patterns: FilePatterns = Field(
        default_factory=FilePatterns, description="Which files feed which streams."
    )
    encoding: Encoding = Field(
        default="auto",
        description="Text encoding of the WMS's files. auto: UTF-8 (BOM allowed), else GB18030.",
    )
    order_encoding: Literal["utf-8", "gbk", "gb18030"] = Field(
        default="utf-8", description="Text encoding of the order files the hub writes."
    )
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV field delimiter.")
    chunk_rows: int = Field(
        # 25,000 keeps a sync of any file size under ~350 MB (a batch is read, mapped and merged
        # at once); larger batches gain little: the per-batch commit is a few ms.
        default=25_000,
        ge=1,
        le=1_000_000,
        description="Rows per batch read from a file.",
    )
    settle_seconds: float = Field(
        default=2.0,
        ge=0,
        le=600,
        description=(
            "A file changed less than this long ago is listed twice, this far apart; if it changed in "
            "between it is still being written and waits for the next run."
        ),
    )
    stale_part_seconds: float = Field(
        default=3600.0, gt=0, description="An unchanged *.part upload older than this is taken as abandoned."
    )
    gs1_company_prefix_length: int = Field(
        default=7, ge=6, le=12, description="Length of the brand's GS1 company prefix (for EPC URNs)."
    )
    connect_timeout: float = Field(default=15.0, gt=0, le=300, description="Seconds to connect and log in.")
    timeout: float = Field(default=60.0, gt=0, le=3600, description="Seconds any SFTP reply may take.")
    max_concurrent_requests: int = Field(
        default=32, ge=1, le=64, description="SFTP read requests in flight per file (bounded prefetch)."
    )
    block_bytes: int = Field(
        default=1 << 20, ge=1 << 15, le=1 << 24, description="Bytes fetched per read (memory bound per file)."
    )
    reconnects: int = Field(
        default=3, ge=0, le=20, description="Reconnects in a row after a dropped connection before giving up."
    )

    @field_validator("delimiter")
    @classmethod
    def _usable_delimiter(cls, value: str) -> str:
        if value in ('"', "\r", "\n"):
            raise ValueError("the delimiter cannot be a quote or a line break")
        return value

    @field_validator("archive_dir")
    @classmethod
    def _relative_archive(cls, value: str | None) -> str | None:
        if value is not None and value.strip("/") == "":
            return None
        if value is not None and (value.startswith("/") or ".." in value.split("/")):
            raise ValueError("archive_dir is a sub-folder of out_dir (a relative path)")
        return value

    @model_validator(mode="after")
    def _complete_for_mode(self) -> Self:
        if self.mode == "local":
            if not self.local_root:
                raise ValueError("local mode needs local_root (the folder holding out/ and in/)")
            return self
        missing = [name for name in ("host", "username") if not getattr(self, name)]
        if missing:
            raise ValueError(f"sftp mode needs {' and '.join(missing)}")
        if self.password is None and self.private_key is None:
            raise ValueError("sftp mode needs a password or a private_key")
        if not (self.known_hosts or "").strip() and not self.host_key_fingerprints:
            raise ValueError(
                "pin the server's host key: known_hosts or host_key_fingerprints (unknown hosts are refused)"
            )
        return self
