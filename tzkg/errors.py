"""The one exception family of tzkg: every user-facing error has a stable code and a place."""

from __future__ import annotations


class TzkgError(Exception):
    """Base of all tzkg errors: a stable `code` and `where` (file:row:col, line:col)."""

    code = "tzkg-error"
    status = 500  # HTTP status when the error reaches the API

    def __init__(self, message: str, *, where: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.message} [{self.code}]"

    def one_line(self) -> str:
        """The error as one line, as the CLI prints it and text/plain clients get it.

        >>> TzkgError("expected  one of   WHERE", where="4:3", code="query-syntax").one_line()
        'error[query-syntax]: 4:3: expected one of WHERE'
        """
        where = f" {self.where}:" if self.where else ""
        return f"error[{self.code}]:{where} {' '.join(self.message.split())}"

    def to_dict(self) -> dict[str, str | None]:
        """The JSON error body used by the API and `--format json`."""
        return {"code": self.code, "message": self.message, "where": self.where}


class SourceError(TzkgError):
    """A source file (plan text, roster, reference table) cannot be read or understood."""

    code = "source-error"
    status = 422


class QuerySyntaxError(TzkgError):
    """A SPARQL query does not parse; `where` is line:column."""

    code = "query-syntax"
    status = 400


class QueryParameterError(TzkgError):
    """A named-query parameter is missing, unknown or of the wrong type."""

    code = "query-parameter"
    status = 400


class UnknownQueryError(TzkgError):
    """No named query has that name."""

    code = "unknown-query"
    status = 404


class StoreMissingError(TzkgError):
    """There is no built store at the configured place."""

    code = "store-missing"
    status = 503


class BuildError(TzkgError):
    """A build failed; the previous store is untouched."""

    code = "build-failed"
    status = 500


class StoreError(TzkgError):
    """The store exists but cannot be opened, read or written (locked, damaged, disk full)."""

    code = "store-error"
    status = 500


class UnknownGraphError(TzkgError):
    """The store has no named graph with that IRI."""

    code = "unknown-graph"
    status = 404


class UnsupportedMediaTypeError(TzkgError):
    """A request body has a content type the endpoint does not read."""

    code = "unsupported-media-type"
    status = 415


class ProtocolError(TzkgError):
    """A request breaks the SPARQL 1.1 Protocol or the Graph Store Protocol."""

    code = "protocol-error"
    status = 400


class NotAcceptableError(TzkgError):
    """Nothing in the request's `Accept` (or `format=`) can be produced for this result."""

    code = "not-acceptable"
    status = 406


class QueryTimeoutError(TzkgError):
    """A query ran past its time limit and was stopped."""

    code = "query-timeout"
    status = 503


class ResultTooLargeError(TzkgError):
    """A query result is larger than the service sends; add LIMIT or fetch /dumps."""

    code = "result-too-large"
    status = 400


class RequestTooLargeError(TzkgError):
    """A request body is larger than the configured cap."""

    code = "request-too-large"
    status = 413


class UnauthorizedError(TzkgError):
    """A write came without the bearer token."""

    code = "unauthorized"
    status = 401


class ForbiddenError(TzkgError):
    """A write came with a wrong token, or writes are off on this instance."""

    code = "forbidden"
    status = 403


class RosterError(SourceError):
    """A roster file cannot be loaded as a whole (unreadable, no header, unknown kind, rejects
    under --strict); `where` is file, file:row or file:row:column."""

    code = "roster-error"
    status = 422


class ReasoningError(TzkgError):
    """Materialising the ontology's entailments failed (no fixpoint, unreadable ontology)."""

    code = "reasoning-failed"
    status = 500


class InconsistentOntologyError(TzkgError):
    """HermiT finds the ontology (with the data checked) inconsistent or a class unsatisfiable."""

    code = "ontology-inconsistent"
    status = 422


class ValidationFailedError(TzkgError):
    """The data has SHACL or violation-query Violations, so it is not published."""

    code = "shacl-violation"
    status = 422
