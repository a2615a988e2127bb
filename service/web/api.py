"""The JSON API (DESIGN §7): routes, request schemas and the error shape.

Routes only convert JSON to calls on :class:`~service.web.services.AppServices` and results back
with ``to_dict()``; every error, whatever raised it, leaves as ``{"error": "..."}`` with a 4xx
(or 503 when busy) status, never a stack trace.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

from fastapi import APIRouter, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..errors import AudarmaError
from ..languages import SOURCES, TARGETS
from ..summarizers import STRATEGY_NAMES
from ..text.transliterate import SOURCE_TAGS, TARGET_TAGS
from ..translate import ParagraphEvent, parse_targets
from .services import MAX_SUMMARY_SENTENCES, METRICS, AppServices
from .workpool import BusyError

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
NDJSON = "application/x-ndjson"
#: Seconds a client told "busy" should wait before retrying.
RETRY_AFTER_S = 2


# ---------------------------------------------------------------------- request schemas
class Strict(BaseModel):
    # Unknown fields are refused: a typo such as "target" must not silently use the default.
    model_config = ConfigDict(extra="forbid")


class TranslateRequest(Strict):
    text: str = Field(
        description="the article, Kazakh (Cyrillic or Latin) or Russian (optional first line"
        " 'date YYYY-MM-DD ...')"
    )
    targets: list[str] = Field(
        default_factory=lambda: ["en", "uz"],
        min_length=1,
        description=f"target language codes: {', '.join(TARGETS)}",
    )
    source: str = Field(
        "auto",
        description=f"the article's language: auto (detected; other languages are refused) or"
        f" one of {', '.join(SOURCES)}",
    )
    stream: bool = Field(
        False,
        description="answer NDJSON: one event per paragraph as it is done"
        ' ({"paragraph", "language", "items"}), then {"result": <the translate JSON>}',
    )


class SummarizeRequest(Strict):
    text: str = Field(description="the Kazakh article")
    languages: list[str] = Field(default_factory=lambda: ["en"], min_length=1)
    strategy: Literal[STRATEGY_NAMES] = "extractive"  # type: ignore[valid-type]
    sentences: int = Field(3, ge=1, le=MAX_SUMMARY_SENTENCES)


class DetectRequest(Strict):
    text: str = Field(description="an article, or any text")


class TransliterateRequest(Strict):
    text: str = Field(description="Kazakh or Uzbek text")
    to: str = Field(description=f"target script: {', '.join(TARGET_TAGS)}")
    source: str | None = Field(
        None,
        alias="from",
        description=f"source script: {', '.join(SOURCE_TAGS)} (default: the other script;"
        " a Kazakh Latin alphabet is recognised)",
    )


class ScoreRequest(Strict):
    hypotheses: list[str] = Field(description="system outputs, one segment each")
    references: list[list[str]] = Field(
        description="one or more reference lists, each line-aligned with the hypotheses"
    )
    language: str = Field(description="language of hypotheses and references: en, uz or kk")
    metrics: list[str] | None = Field(
        None,
        description=f"any of {', '.join(METRICS)} (rouge: rouge1, rouge2, rougeL); default: all",
    )
    normalize: bool = True


# ---------------------------------------------------------------------- response schemas
# For the OpenAPI document; routes return the result's own ``to_dict()`` unchanged.
class ErrorResponse(BaseModel):
    error: str
    details: list[dict[str, Any]] | None = None


class SentencePairOut(BaseModel):
    source: str
    target: str
    flags: list[str]
    source_language: str | None = Field(
        None, description="the sentence's language, only where it is not the article's"
    )


class LanguageTranslationOut(BaseModel):
    text: str
    paragraphs: list[list[SentencePairOut]]


class ModelOut(BaseModel):
    name: str
    engine: str
    shortlist: bool


class TranslateResponse(BaseModel):
    source_language: str
    source_script: str
    date: str | None
    model: ModelOut
    translations: dict[str, LanguageTranslationOut]
    warnings: list[str]


class DetectResponse(BaseModel):
    language: str = Field(description="kk, ru, ...; 'unknown' when unsure")
    script: str = Field(description="Cyrl, Latn, ...; 'mixed', or 'Zyyy' without letters")
    confidence: float


class TransliterateResponse(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    to: str
    source: str = Field(alias="from")
    text: str


class SummaryOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str
    sentences: list[str]


class SummarizeResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    strategy: str
    summaries: dict[str, SummaryOut]
    warnings: list[str]


class MetricOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    score: float


class ScoreResponse(BaseModel):
    model_config = ConfigDict(extra="allow")
    segments: int
    language: str
    normalized: bool
    metrics: dict[str, MetricOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "unusable input or unknown language"},
    401: {"model": ErrorResponse, "description": "API keys are on and none (or a bad one) given"},
    413: {"model": ErrorResponse, "description": "text over the size limit"},
    422: {"model": ErrorResponse, "description": "request does not match the schema"},
    429: {"model": ErrorResponse, "description": "over the API key's rate (see Retry-After)"},
    503: {"model": ErrorResponse, "description": "busy (queue full) or model not loadable"},
}


# ---------------------------------------------------------------------- routes
def build_router(services: AppServices) -> APIRouter:
    """The ``/api/v1`` routes, bound to ``services``."""
    router = APIRouter(prefix=PREFIX, tags=["api"])

    @router.get("/health", summary="liveness, model and queue occupancy")
    async def health() -> dict[str, Any]:
        return services.health()

    @router.get("/languages", summary="supported languages")
    async def languages() -> dict[str, Any]:
        return services.languages()

    @router.post(
        "/translate",
        summary="translate an article into each target language",
        responses={200: {"model": TranslateResponse}, **ERRORS},
    )
    async def translate(request: TranslateRequest) -> Response:
        services.check_text(request.text)  # 400/413 before taking a queue place
        if request.stream:
            parse_targets(request.targets)  # 400 before the stream starts
            services.check_source(request.text, request.source)
            services.pool.ensure_room()  # 503 before the stream starts
            return StreamingResponse(
                translation_events(services, request.text, request.targets, request.source),
                media_type=NDJSON,
            )
        result = await services.pool.run(
            services.translate, request.text, request.targets, source=request.source
        )
        return JSONResponse(result.to_dict())

    @router.post(
        "/detect",
        summary="the language and script of a text",
        responses={200: {"model": DetectResponse}, **ERRORS},
    )
    def detect(request: DetectRequest) -> JSONResponse:
        # Plain def: FastAPI runs it on a worker thread, so the detector's first load (under
        # a second) never stalls the event loop; no queue place: it takes milliseconds.
        return JSONResponse(services.detect(request.text).to_dict())

    @router.post(
        "/transliterate",
        summary="Kazakh or Uzbek text in the other script",
        responses={200: {"model": TransliterateResponse}, **ERRORS},
    )
    def transliterate(request: TransliterateRequest) -> JSONResponse:
        return JSONResponse(services.transliterate(request.text, request.to, request.source))

    @router.post(
        "/summarize",
        summary="summarize an article in each language",
        responses={200: {"model": SummarizeResponse}, **ERRORS},
    )
    async def summarize(request: SummarizeRequest) -> JSONResponse:
        services.check_text(request.text)
        result = await services.pool.run(
            services.summarize, request.text, request.languages, request.strategy, request.sentences
        )
        return JSONResponse(result.to_dict())

    @router.post(
        "/score",
        summary="BLEU, chrF++, TER and ROUGE of line-aligned hypotheses",
        responses={200: {"model": ScoreResponse}, **ERRORS},
    )
    async def score(request: ScoreRequest) -> JSONResponse:
        services.check_score_input(request.hypotheses, request.references)
        result = await services.pool.run(
            services.score,
            request.hypotheses,
            request.references,
            request.language,
            request.metrics,
            request.normalize,
        )
        return JSONResponse(result)

    return router


async def translation_events(
    services: AppServices, text: str, targets: list[str], source: str = "auto"
) -> AsyncIterator[bytes]:
    """NDJSON lines: each paragraph as it is done in a language, then the whole result.

    An error after the stream began cannot change the status any more: it is the last line,
    ``{"error": "..."}``.
    """

    def job(emit: Callable[[Any], None]) -> Any:
        return services.translate(text, targets, on_paragraph=emit, source=source)

    try:
        async for item in services.pool.stream(job):
            if isinstance(item, ParagraphEvent):
                event = {
                    "paragraph": item.paragraph,
                    "language": item.language,
                    "items": [pair.to_dict() for pair in item.pairs],
                }
            else:
                event = {"result": item.to_dict()}
            yield (json.dumps(event, ensure_ascii=False) + "\n").encode("utf-8")
    except AudarmaError as exc:
        yield (json.dumps({"error": str(exc)}, ensure_ascii=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------- errors
def error_response(
    status: int, message: str, retry_after: int | None = None, **extra: Any
) -> JSONResponse:
    """The API's error answer; 503 and 429 always say when to retry (``Retry-After``)."""
    if retry_after is None and status in (429, 503):
        retry_after = RETRY_AFTER_S
    headers = None if retry_after is None else {"Retry-After": str(retry_after)}
    return JSONResponse({"error": message, **extra}, status_code=status, headers=headers)


def _describe(error: dict[str, Any]) -> str:
    where = ".".join(str(part) for part in error.get("loc", ()) if part != "body") or "body"
    return f"{where}: {error.get('msg', 'invalid')}"


def install_error_handlers(app: FastAPI) -> None:
    """Every error as ``{"error": "..."}`` JSON with its status code."""

    @app.exception_handler(AudarmaError)
    async def _audarma(request: Request, exc: AudarmaError) -> JSONResponse:
        if not isinstance(exc, BusyError):
            log.info("%s %s -> %s: %s", request.method, request.url.path, exc.status_code, exc)
        return error_response(exc.status_code, str(exc), getattr(exc, "retry_after", None))

    @app.exception_handler(RequestValidationError)
    async def _schema(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = jsonable_encoder(exc.errors(), exclude={"input", "url", "ctx"})
        summary = "; ".join(_describe(error) for error in errors[:5])
        return error_response(422, f"invalid request: {summary}", details=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return error_response(exc.status_code, str(exc.detail))


def install_api_fallback(app: FastAPI, *routers: APIRouter) -> None:
    """Unknown ``/api/...`` paths and methods answer in the API's error shape.

    The page is mounted at ``/`` and would otherwise answer them with its own 404.
    """
    known: dict[str, set[str]] = {}
    for route in (route for router in routers for route in router.routes):
        known.setdefault(getattr(route, "path", ""), set()).update(getattr(route, "methods", ()))

    @app.api_route(
        "/api/{rest:path}",
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    async def _unknown(request: Request, rest: str) -> JSONResponse:
        allowed = sorted(known.get(request.url.path, ()))
        if allowed:
            response = error_response(
                405, f"{request.method} is not allowed here; use {', '.join(allowed)}"
            )
            response.headers["Allow"] = ", ".join(allowed)
            return response
        return error_response(404, f"no such endpoint: {request.url.path}")
