"""Every error the API returns is JSON ``{"code": ..., "message": ...}`` — never a stack trace.

Domain refusals map to 4xx by type; anything unexpected becomes a 500 with a generic
message (the details go to the server log, not to the caller).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from canonical_model.errors import ConfigError, HubError, StoreError, ValidationError

__all__ = ["ApiError", "install_error_handlers"]

log = logging.getLogger("dmshub.api")


class ApiError(HubError):
    """An error with its HTTP status and a stable machine-readable code."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


def _body(code: str, message: str, **details: Any) -> dict[str, Any]:
    return {"code": code, "message": message, **({"details": details} if details else {})}


def _status_for(exc: HubError) -> tuple[int, str]:
    # Domain errors declare their own HTTP status and code (e.g. CreditLimitExceeded → 409).
    status = getattr(exc, "http_status", None)
    code = getattr(exc, "code", None)
    if isinstance(status, int) and isinstance(code, str):
        return status, code
    if isinstance(exc, ValidationError | ConfigError):
        return 422, "invalid"
    if isinstance(exc, StoreError):
        return 503, "store_unavailable"
    return 400, "rejected"


def install_error_handlers(app: FastAPI) -> None:
    """JSON errors for our exceptions, request validation, HTTP errors and the unexpected."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(_body(exc.code, exc.message, **exc.details), status_code=exc.status)

    @app.exception_handler(HubError)
    async def hub_error(request: Request, exc: HubError) -> JSONResponse:
        status, code = _status_for(exc)
        return JSONResponse(_body(code, str(exc)), status_code=status)

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body"), "message": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        message = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
        return JSONResponse(_body("invalid_request", message, errors=errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {401: "unauthenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}.get(
            exc.status_code, "http_error"
        )
        return JSONResponse(_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(sa_exc.DataError)
    async def unstorable_value(request: Request, exc: sa_exc.DataError) -> JSONResponse:
        # The database refused a value the caller sent (a NUL byte, a number out of range):
        # bad input, not a server fault. The driver's text stays in the log.
        log.info("refused value on %s %s: %s", request.method, request.url.path, exc.orig)
        return JSONResponse(
            _body("invalid_value", "a value in the request cannot be stored or compared"), status_code=422
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            _body("internal_error", "internal error; the server log has the details"), status_code=500
        )
