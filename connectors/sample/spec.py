"""Config of the ``sample`` source."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr

__all__ = ["API_KEY_PREFIX", "SampleConfig"]

API_KEY_PREFIX = "sk_sample_"


class SampleConfig(BaseModel):
    """How many rows the in-memory source holds, and the key it expects."""

    model_config = ConfigDict(title="Sample source", extra="forbid")

    count: int = Field(ge=0, le=1_000_000, description="Number of rows in the items stream.")
    api_key: SecretStr = Field(description=f"API key; valid keys start with {API_KEY_PREFIX!r}.")
    page_size: int = Field(default=100, ge=1, le=100_000, description="Rows per page (and per batch).")
