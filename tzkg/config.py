"""Settings, read from the environment (prefix TZKG_) by pydantic-settings."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Where things are and which IRIs to mint."""

    model_config = SettingsConfigDict(env_prefix="TZKG_")

    base_iri: str = "https://w3id.org/tzkg/"
    data_dir: Path = PROJECT_ROOT / "data"
    ontology_dir: Path = PROJECT_ROOT / "ontology"
    queries_dir: Path = PROJECT_ROOT / "queries"
    store_dir: Path = PROJECT_ROOT / "var" / "store"
    host: str = "127.0.0.1"
    port: int = 8000
    access_log: bool = True  # one line per request on stderr (`tzkg serve --no-access-log`)
    # The JSON API and linked data (docs/api.md): the IRI `{base_iri}X` is served at `/X`.
    api_page_size: int = 50
    api_row_cap: int = 1000  # the most rows one API response carries; beyond it `truncated` is true
    deref_redirect: bool = True  # /id/X: 303 to /page/id/X or /data/id/X.ttl; False: served there
    # The SPARQL service (docs/query-timeouts.md): limits, query workers, writes, CORS.
    query_timeout: float = 10.0  # seconds; `timeout=` on a request may lower it, never raise it
    query_workers: int = 0  # query worker processes per server process; 0: CPUs / servers, >= 2
    server_workers: int = 0  # `tzkg serve` processes; 0: one per CPU (at most 8); writes: 1
    max_result_bytes: int = 256 * 1024 * 1024  # a larger /sparql result is refused: use /dumps
    max_body_bytes: int = 16 * 1024 * 1024  # a larger request body is 413
    write_token: str | None = None  # writes (SPARQL Update, /store) exist only when this is set
    cors_origins: Annotated[list[str], NoDecode] = []  # comma-separated origins, or "*"
    licence: str = "https://creativecommons.org/licenses/by/4.0/"
    publisher: str = "泰州市科学技术局"
    # Validation (docs/reasoning.md): a build or roster load with SHACL Violations is refused.
    allow_invalid: bool = False  # publish anyway (`--allow-invalid`); the report still prints

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def server_processes(self) -> int:
        """How many server processes `tzkg serve` starts: one per CPU (at most 8) unless
        set; always one when writes are on (the single writer)."""
        if self.write_token:
            return 1
        if self.server_workers > 0:
            return self.server_workers
        return max(1, min(os.cpu_count() or 1, 8))

    def query_pool_size(self) -> int:
        """Query workers of each server process: the CPUs shared among the servers, at least 2."""
        if self.query_workers > 0:
            return self.query_workers
        return max(2, (os.cpu_count() or 1) // self.server_processes())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
