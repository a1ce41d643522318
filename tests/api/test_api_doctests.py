"""The examples in the docstrings of the API, search and linked-data modules hold."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

import tzkg.api.common
import tzkg.linked_data
import tzkg.search.index
import tzkg.search.text


@pytest.mark.parametrize(
    "module", [tzkg.api.common, tzkg.linked_data, tzkg.search.index, tzkg.search.text]
)
def test_docstring_examples(module: ModuleType) -> None:
    failures, tried = doctest.testmod(module)
    assert tried > 0 and failures == 0
