"""The query worker pool: more requests than workers queue in the event loop, in order, and a
request whose time runs out while waiting gives up without losing the worker."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from tzkg.workers import Job, QueryPool, WorkerTimeout

EX = "http://example.org/"
SLOW = (  # a cartesian product that takes seconds
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?p ?b . ?c ?q ?d . ?e ?r ?f . ?g ?s ?h }"
)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("workers") / "store"
    store = Store(str(path))
    store.extend(
        Quad(NamedNode(f"{EX}s{n}"), NamedNode(f"{EX}p"), Literal(str(n)), NamedNode(f"{EX}g"))
        for n in range(200)
    )
    store.flush()
    del store
    return str(path)


@pytest.fixture(scope="module")
def pool() -> Iterator[QueryPool]:
    pool = QueryPool(2, {})
    pool.start()
    yield pool
    pool.close()


def _lookup(path: str, n: int) -> Job:
    return Job(
        "query",
        path,
        f"SELECT ?o WHERE {{ <{EX}s{n}> <{EX}p> ?o }}",
        results_media="application/sparql-results+json",
    )


def test_more_requests_than_workers_all_answered(pool: QueryPool, store_path: str) -> None:
    async def main() -> list[str]:
        replies = await asyncio.gather(*(pool.arun(_lookup(store_path, n), 10) for n in range(40)))
        return [json.loads(r.body)["results"]["bindings"][0]["o"]["value"] for r in replies]

    assert asyncio.run(main()) == [str(n) for n in range(40)]
    assert len(pool.pids()) == 2


def test_a_request_that_waits_too_long_gives_up_and_the_worker_serves_the_next(
    pool: QueryPool, store_path: str
) -> None:
    async def main() -> tuple[list[object], str]:
        slow = [
            asyncio.ensure_future(pool.arun(Job("query", store_path, SLOW), 1.5)) for _ in range(2)
        ]
        await asyncio.sleep(0.2)  # both workers are busy now
        waiting = await asyncio.gather(
            pool.arun(_lookup(store_path, 1), 0.3), return_exceptions=True
        )
        outcomes = await asyncio.gather(*slow, return_exceptions=True)
        after = await pool.arun(_lookup(store_path, 7), 10)  # the replacements answer
        value = json.loads(after.body)["results"]["bindings"][0]["o"]["value"]
        return [*waiting, *outcomes], value

    outcomes, value = asyncio.run(main())
    assert all(isinstance(o, WorkerTimeout) for o in outcomes)
    assert "free" in str(outcomes[0])  # it never got a worker
    assert value == "7"
