"""`/dumps`: the whole graph as gzipped N-Quads, Turtle and JSON-LD with their sha256 (made at
build time, tzkg/dumps.py), and one graph by the Graph Store Protocol (`?graph=IRI` / `?default`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, PlainTextResponse, Response
from pydantic import BaseModel

from tzkg.api.service import HolderDep, PoolDep, SettingsDep, time_limit
from tzkg.api.store_protocol import read_graph, target
from tzkg.dumps import DUMPS_DIR, build_dir_of, pending_writer, read_manifest
from tzkg.errors import TzkgError

router = APIRouter(tags=["dumps"])


class DumpsMissingError(TzkgError):
    """The build being served has no dumps (it was built without the dumps step)."""

    code = "dumps-missing"
    status = 404


class DumpsPendingError(TzkgError):
    """The dumps of the build being served are still being written (after a roster load)."""

    code = "dumps-pending"
    status = 503


def _missing(location: Path) -> TzkgError:
    """Why there are no dumps: being written (503, retry), or never made (404)."""
    pid = pending_writer(location)
    if pid is not None:
        return DumpsPendingError(
            f"the dumps of this build are being written in the background (process {pid}); "
            "try again in a minute",
            where=str(location),
        )
    return DumpsMissingError(
        "this build has no dumps; run `tzkg dumps` (or rebuild with `tzkg build`)",
        where=str(location),
    )


class DumpPublic(BaseModel):
    """One dump file."""

    file: str
    url: str
    format: str
    media_type: str
    encoding: str = "gzip"
    graphs: bool
    bytes: int
    sha256: str
    sha256_url: str


class DumpsPublic(BaseModel):
    """Every dump of the current build."""

    build: str | None
    built_at: str | None
    data: list[DumpPublic]
    count: int


@router.head("/dumps", include_in_schema=False, response_model=DumpsPublic)
@router.get(
    "/dumps",
    response_model=DumpsPublic,
    responses={200: {"content": {"text/turtle": {}, "application/n-quads": {}}}},
)
async def dumps(
    request: Request,
    settings: SettingsDep,
    holder: HolderDep,
    pool: PoolDep,
    graph: Annotated[str | None, Query(description="One named graph, by IRI.")] = None,
    default: Annotated[str | None, Query(description="Present: the default graph.")] = None,
    format: Annotated[str | None, Query(description="For one graph: ttl, nt, jsonld, ...")] = None,
) -> Response | DumpsPublic:
    """The list of dumps (with sha256); with `?graph=IRI` or `?default`, that one graph."""
    if graph is not None or default is not None:
        name = target(graph, default)
        return await read_graph(
            request,
            holder,
            pool,
            time_limit(settings, None),
            name,
            format,
            0,  # a graph of the dumps is not size-capped: it is the export route
        )
    current = holder.current()
    files = read_manifest(current.location)
    if files is None:
        raise _missing(current.location)
    base = str(request.url_for("dump_file", name="_")).rsplit("/", 1)[0]
    data = [
        DumpPublic(
            file=f.file,
            url=f"{base}/{f.file}",
            format=f.format,
            media_type=f.media_type,
            graphs=f.graphs,
            bytes=f.bytes,
            sha256=f.sha256,
            sha256_url=f"{base}/{f.file}.sha256",
        )
        for f in files
    ]
    info = current.info
    return DumpsPublic(
        build=info.build if info else None,
        built_at=info.built_at if info else None,
        data=data,
        count=len(data),
    )


@router.head("/dumps/{name}", include_in_schema=False, response_class=Response)
@router.get(
    "/dumps/{name}",
    name="dump_file",
    response_class=Response,
    responses={200: {"content": {"application/gzip": {}, "text/plain": {}}}, 404: {}},
)
async def dump_file(name: str, holder: HolderDep) -> Response:
    """One dump file (gzip), or `<file>.sha256` in `sha256sum` form."""
    current = holder.current()
    manifest = read_manifest(current.location)
    if manifest is None:
        raise _missing(current.location)
    files = {f.file: f for f in manifest}
    wanted = name.removesuffix(".sha256")
    found = files.get(wanted)
    if found is None:
        raise DumpsMissingError(
            f"no dump {name!r}; the dumps are {', '.join(files) or 'missing'}", where=name
        )
    if name.endswith(".sha256"):
        return PlainTextResponse(f"{found.sha256}  {found.file}\n")
    path = build_dir_of(current.location) / DUMPS_DIR / found.file
    return FileResponse(
        path,
        media_type="application/gzip",
        filename=found.file,
        headers={"X-Checksum-Sha256": found.sha256, "Cache-Control": "public, max-age=300"},
    )
