"""The JSON API and linked data over a store built from data/ once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tzkg.build import build
from tzkg.config import Settings
from tzkg.server import create_app


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings whose store is a real build of data/ (with every finish step) in a tmp dir."""
    store_dir = tmp_path_factory.mktemp("api") / "store"
    settings = Settings(store_dir=store_dir)
    build(settings)
    return settings


@pytest.fixture(scope="session")
def api(api_settings: Settings) -> Iterator[TestClient]:
    """An in-process client of the app over that store; tests must only read."""
    with TestClient(create_app(api_settings)) as client:
        yield client


@pytest.fixture(scope="session")
def store_path(api_settings: Settings) -> Path:
    """Where the session's store lives."""
    return api_settings.store_dir


@pytest.fixture(scope="session")
def capped_api(api_settings: Settings) -> Iterator[TestClient]:
    """The same store served with a row cap of 5."""
    settings = api_settings.model_copy(update={"api_row_cap": 5})
    with TestClient(create_app(settings)) as client:
        yield client


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (skips without Playwright); closed after.

    Tests mark themselves `skipif(not CHROMIUM.exists())`, so no server starts for nothing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
