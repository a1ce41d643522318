"""Settings, read from the environment (prefix TZKG_) by pydantic-settings."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

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
    # The JSON API and linked data (docs/api.md): the IRI `{base_iri}X` is served at `/X`.
    api_page_size: int = 50
    api_row_cap: int = 1000  # the most rows one API response carries; beyond it `truncated` is true
    deref_redirect: bool = True  # /id/X answers 303 to /page/X or /data/X.ttl; False: served at /id/X


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings."""
    return Settings()
