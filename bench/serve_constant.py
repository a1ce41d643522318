"""A FastAPI app with one route that returns constant JSON: the framework's ceiling.

.venv/bin/uvicorn bench.serve_constant:app --port 8001
"""

from __future__ import annotations

from fastapi import FastAPI

app = FastAPI()


@app.get("/constant")
def constant() -> dict[str, str]:
    """Always the same small JSON document."""
    return {"id": "enterprise/x", "label": "泰州合成000123科技有限公司"}
