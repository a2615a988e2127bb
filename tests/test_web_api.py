"""The JSON API (DESIGN §7) through FastAPI's test client: every endpoint, every error code.

Exact content is asserted on apps with the deterministic fake engine; the tiny random-weight
NLLB model checks the real engine path end to end (structure and flags, not wording).
"""

from __future__ import annotations

import asyncio
import json
import threading

import httpx
import pytest
from fastapi.testclient import TestClient

from service.checks import FLAG_ORDER
from service.evaluation.metrics import Scorer
from service.text import paragraph_sentences, parse_article
from service.web import create_app
from tests.data import seed_text
from tests.webhelpers import GatedEngine, fake_translator, make_settings

SEED = seed_text()
TRANSLATE = "/api/v1/translate"


@pytest.fixture(scope="module")
def fake_client():
    translator = fake_translator()
    with TestClient(create_app(translator=translator)) as client:
        yield client


@pytest.fixture(scope="module")
def tiny_app(tiny_nllb_dir):
    # Greedy decoding: random weights babble up to the length limit, and beams only slow that.
    settings = make_settings(
        model=str(tiny_nllb_dir), device="cpu", beam=1, concurrency=2, queue_size=32
    )
    return create_app(settings)


@pytest.fixture(scope="module")
def tiny_client(tiny_app):
    with TestClient(tiny_app) as client:
        yield client


# ---------------------------------------------------------------------- health, languages, docs
def test_health(fake_client: TestClient) -> None:
    body = fake_client.get("/api/v1/health").json()
    assert body["status"] == "ok"
    assert body["model"] == {"name": "fake-model", "engine": "fake", "shortlist": False}
    assert body["queue"] == {"running": 0, "waiting": 0, "concurrency": 1, "queue_size": 32}
    assert body["engine"] == {"loaded": True, "variant": None, "thread_layout": None}


def test_languages(fake_client: TestClient) -> None:
    body = fake_client.get("/api/v1/languages").json()
    assert body["source"] == "kk"
    assert body["sources"] == ["kk", "ru"]
    assert body["targets"] == ["en", "uz", "uz-Cyrl"]
    listed = {lang["code"]: lang for lang in body["languages"]}
    assert {code: lang["nllb"] for code, lang in listed.items()} == {
        "kk": "kaz_Cyrl",
        "ru": "rus_Cyrl",
        "en": "eng_Latn",
        "uz": "uzn_Latn",
        "uz-Cyrl": None,
    }
    assert listed["kk"]["input_scripts"] == ["Cyrl", "Latn"] and listed["kk"]["source"]
    assert listed["uz-Cyrl"] == {
        "code": "uz-Cyrl",
        "name": "Uzbek in Cyrillic",
        "nllb": None,
        "script": "Cyrl",
        "source": False,
        "target": True,
        "input_scripts": [],
        "derived_from": "uz",
    }
    recognised = {lang["code"]: lang["name"] for lang in body["recognised"]}
    assert {"ky": "Kyrgyz", "tt": "Tatar", "ba": "Bashkir"}.items() <= recognised.items()


def test_openapi_documents_every_endpoint_and_error(fake_client: TestClient) -> None:
    doc = fake_client.get("/openapi.json").json()
    paths = doc["paths"]
    for name in ("health", "languages"):
        assert "get" in paths[f"/api/v1/{name}"]
    for name in ("translate", "summarize", "score", "detect", "transliterate"):
        post = paths[f"/api/v1/{name}"]["post"]
        assert {"200", "400", "413", "422", "503"} <= set(post["responses"])
    schemas = doc["components"]["schemas"]
    assert {"TranslateRequest", "TranslateResponse", "ErrorResponse"} <= set(schemas)
    assert schemas["TranslateRequest"]["required"] == ["text"]
    assert not any(path.startswith("/gradio_api") for path in paths)


# ---------------------------------------------------------------------- translate
def test_translate_returns_the_library_result(fake_client: TestClient) -> None:
    response = fake_client.post(TRANSLATE, json={"text": SEED, "targets": ["en", "uz"]})
    assert response.status_code == 200
    assert response.json() == fake_translator().translate(SEED, ["en", "uz"]).to_dict()


def test_translate_defaults_to_both_targets(fake_client: TestClient) -> None:
    body = fake_client.post(TRANSLATE, json={"text": "Бүгін күн жылы."}).json()
    assert list(body["translations"]) == ["en", "uz"]
    assert body["translations"]["uz"]["text"] == "uz: Bugin kun zhyly."


def test_translate_tiny_model_structure(tiny_client: TestClient) -> None:
    response = tiny_client.post(TRANSLATE, json={"text": SEED, "targets": ["en", "uz"]})
    assert response.status_code == 200
    body = response.json()
    assert body["date"] == "2025-10-17"
    assert body["model"]["engine"] == "ctranslate2"
    expected = paragraph_sentences(parse_article(SEED))
    for code in ("en", "uz"):
        paragraphs = body["translations"][code]["paragraphs"]
        assert [[pair["source"] for pair in para] for para in paragraphs] == expected
        for pair in (pair for para in paragraphs for pair in para):
            assert isinstance(pair["target"], str)
            assert set(pair["flags"]) <= set(FLAG_ORDER)
    health = tiny_client.get("/api/v1/health").json()
    assert health["model"] == {
        "name": body["model"]["name"],
        "engine": "ctranslate2",
        "shortlist": True,
    }
    assert health["engine"]["loaded"] and health["engine"]["variant"] == "int8"
    assert health["engine"]["thread_layout"].endswith("(default)")


# ---------------------------------------------------------------------- error codes
@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": ""}, 400, "empty"),
        ({"text": " \n\t "}, 400, "empty"),
        ({"text": "Сәлем.", "targets": ["xx"]}, 400, "unknown language 'xx'"),
        ({"text": "Сәлем.", "targets": ["kk"]}, 400, "source language is Kazakh"),
        ({"text": "Сәлем.", "targets": []}, 422, "targets"),
        ({"text": "а" * 20001}, 413, "limit is 20000"),
        ({"targets": ["en"]}, 422, "text: Field required"),
        ({"text": 5}, 422, "text: Input should be a valid string"),
        ({"text": "Сәлем.", "target": ["en"]}, 422, "target: Extra inputs are not permitted"),
        ({"text": "Сәлем.", "targets": "en"}, 422, "targets"),
    ],
)
def test_translate_errors(fake_client: TestClient, body: dict, status: int, message: str) -> None:
    response = fake_client.post(TRANSLATE, json=body)
    assert response.status_code == status
    assert message in response.json()["error"]
    if status == 422:
        assert response.json()["details"]


def ndjson(response) -> list[dict]:
    assert response.headers["content-type"].startswith("application/x-ndjson")
    return [json.loads(line) for line in response.text.splitlines()]


def test_translate_streams_paragraphs_then_the_result(fake_client: TestClient) -> None:
    body = {"text": SEED, "targets": ["en", "uz"], "stream": True}
    events = ndjson(fake_client.post("/api/v1/translate", json=body))
    whole = fake_client.post("/api/v1/translate", json={"text": SEED}).json()
    assert events[-1] == {"result": whole}
    paragraphs = events[:-1]
    assert sorted((e["language"], e["paragraph"]) for e in paragraphs) == [
        (code, p)
        for code in ("en", "uz")
        for p in range(len(whole["translations"]["en"]["paragraphs"]))
    ]
    for event in paragraphs:
        assert (
            event["items"]
            == whole["translations"][event["language"]]["paragraphs"][event["paragraph"]]
        )


def test_stream_errors_before_it_starts_are_plain_errors(fake_client: TestClient) -> None:
    response = fake_client.post("/api/v1/translate", json={"text": " ", "stream": True})
    assert response.status_code == 400
    assert response.json() == {
        "error": "the article is empty",
        "request_id": response.headers["x-request-id"],
    }
    response = fake_client.post(
        "/api/v1/translate", json={"text": "Сәлем.", "targets": ["xx"], "stream": True}
    )
    assert response.status_code == 400 and "unknown language 'xx'" in response.json()["error"]


def test_text_at_the_limit_is_accepted(fake_client: TestClient) -> None:
    assert (
        fake_client.post(TRANSLATE, json={"text": "а" * 20000, "targets": ["en"]}).status_code
        == 200
    )


def test_size_limit_is_a_setting() -> None:
    app = create_app(translator=fake_translator(make_settings(max_chars=50)))
    with TestClient(app) as client:
        response = client.post(TRANSLATE, json={"text": "Бүгін күн жылы. " * 4})
    assert response.status_code == 413
    assert "limit is 50" in response.json()["error"]


def test_malformed_json_is_a_schema_error(fake_client: TestClient) -> None:
    response = fake_client.post(
        TRANSLATE, content=b'{"text": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["error"].startswith("invalid request")


def test_oversized_body_refused_before_parsing(fake_client: TestClient) -> None:
    response = fake_client.post(
        TRANSLATE, content=b"x" * (9 * 1024 * 1024), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "byte limit" in response.json()["error"]


def test_unknown_paths_and_methods_answer_json(fake_client: TestClient) -> None:
    missing = fake_client.get("/api/v1/nothing")
    assert missing.status_code == 404
    assert missing.json() == {
        "error": "no such endpoint: /api/v1/nothing",
        "request_id": missing.headers["x-request-id"],
    }
    wrong = fake_client.get(TRANSLATE)
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "POST"
    assert "error" in wrong.json()


def test_model_that_cannot_load_is_503(tmp_path) -> None:
    app = create_app(make_settings(model=str(tmp_path / "no-such-model")))
    with TestClient(app) as client:
        response = client.post(TRANSLATE, json={"text": "Сәлем."})
    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert "no-such-model" in response.json()["error"]


# ---------------------------------------------------------------------- detect, transliterate
@pytest.mark.parametrize(
    ("text", "language", "script"),
    [
        (SEED, "kk", "Cyrl"),
        ("Президент России Владимир Путин провёл переговоры с коллегой.", "ru", "Cyrl"),
        ("Кыргыз Республикасынын Президенти бүгүн Бишкекте сүйлөдү.", "ky", "Cyrl"),
        ("Qazaqstan Respublikasynyñ Prezidentı büngın Astanada söz söiledı.", "kk", "Latn"),
        ("12:30 — 14.05", "unknown", "Zyyy"),
    ],
)
def test_detect(fake_client: TestClient, text: str, language: str, script: str) -> None:
    response = fake_client.post("/api/v1/detect", json={"text": text})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["language", "script", "confidence"]
    assert (body["language"], body["script"]) == (language, script)


@pytest.mark.parametrize(
    ("body", "answer"),
    [
        (
            {"text": "Қазақстан Республикасы\nЖаңа жыл", "to": "kk-Latn"},
            {"to": "kk-Latn", "from": "kk-Cyrl", "text": "Qazaqstan Respublikasy\nJaña jyl"},
        ),
        (
            {"text": "Qazaqstan Respýblıkasy", "to": "kk-Cyrl"},
            {"to": "kk-Cyrl", "from": "kk-Latn-2018", "text": "Қазақстан Республикасы"},
        ),
        (
            {"text": "Oʻzbekiston, 15-sentabr", "to": "uz-Cyrl", "from": "uz-Latn"},
            {"to": "uz-Cyrl", "from": "uz-Latn", "text": "Ўзбекистон, 15-сентябр"},
        ),
    ],
)
def test_transliterate(fake_client: TestClient, body: dict, answer: dict) -> None:
    response = fake_client.post("/api/v1/transliterate", json=body)
    assert response.status_code == 200
    assert response.json() == answer


@pytest.mark.parametrize(
    ("path", "body", "status", "message"),
    [
        ("detect", {"text": ""}, 400, "the article is empty"),
        ("detect", {"text": "а" * 20001}, 413, "limit is 20000"),
        ("detect", {"text": "Сәлем", "language": "kk"}, 422, "language: Extra inputs"),
        ("transliterate", {"text": "Сәлем", "to": "ru-Latn"}, 400, "unknown target script"),
        ("transliterate", {"text": "Сәлем", "to": "kk-Latn", "from": "uz-Cyrl"}, 400, "cannot"),
        ("transliterate", {"text": "Сәлем"}, 422, "to: Field required"),
        ("transliterate", {"text": "Сәлем", "to": "kk-Latn", "source": "kk-Cyrl"}, 422, "source"),
        ("transliterate", {"text": "", "to": "kk-Latn"}, 400, "the article is empty"),
    ],
)
def test_detect_and_transliterate_errors(
    fake_client: TestClient, path: str, body: dict, status: int, message: str
) -> None:
    response = fake_client.post(f"/api/v1/{path}", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]


# ---------------------------------------------------------------------- summarize
def test_summarize_extractive(fake_client: TestClient) -> None:
    body = {"text": SEED, "languages": ["kk", "en"], "strategy": "extractive", "sentences": 2}
    response = fake_client.post("/api/v1/summarize", json=body)
    assert response.status_code == 200
    data = response.json()
    assert data["strategy"] == "extractive"
    assert list(data["summaries"]) == ["kk", "en"]
    for summary in data["summaries"].values():
        assert 1 <= len(summary["sentences"]) <= 2
        assert summary["text"]
    # Extractive Kazakh summaries are sentences of the article itself.
    assert all(sentence in SEED for sentence in data["summaries"]["kk"]["sentences"])
    assert isinstance(data["warnings"], list)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"text": ""}, 400, "empty"),
        ({"text": "Сәлем.", "languages": ["fr"]}, 400, "unknown language 'fr'"),
        ({"text": "Сәлем.", "strategy": "magic"}, 422, "strategy"),
        ({"text": "Сәлем.", "sentences": 0}, 422, "sentences"),
        ({"text": "Сәлем.", "sentences": 11}, 422, "sentences"),
        ({"text": "а" * 20001}, 413, "limit is 20000"),
    ],
)
def test_summarize_errors(fake_client: TestClient, body: dict, status: int, message: str) -> None:
    response = fake_client.post("/api/v1/summarize", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_summarize_tiny_model(tiny_client: TestClient) -> None:
    body = {"text": SEED, "languages": ["en", "uz"], "strategy": "extractive", "sentences": 3}
    response = tiny_client.post("/api/v1/summarize", json=body)
    assert response.status_code == 200
    assert set(response.json()["summaries"]) == {"en", "uz"}


# ---------------------------------------------------------------------- score
HYPS = ["The forum took place in Tashkent.", "Doctors gave advice to 3000 people."]
REFS = [["The forum was held in Tashkent.", "Doctors advised about 3,000 people."]]


def test_score_matches_the_evaluation_code(fake_client: TestClient) -> None:
    response = fake_client.post(
        "/api/v1/score", json={"hypotheses": HYPS, "references": REFS, "language": "en"}
    )
    assert response.status_code == 200
    body = response.json()
    expected = Scorer(language="en", metrics=["bleu", "chrf++", "ter", "rouge"]).score(HYPS, REFS)
    assert body == expected.to_dict()
    assert body["segments"] == 2
    assert body["metrics"]["bleu"]["signature"].startswith("nrefs:1|")
    assert len(body["metrics"]["chrf++"]["ci95"]) == 2


def test_score_identical_text_is_perfect(fake_client: TestClient) -> None:
    body = {"hypotheses": REFS[0], "references": REFS, "language": "en", "metrics": ["bleu", "ter"]}
    metrics = fake_client.post("/api/v1/score", json=body).json()["metrics"]
    assert set(metrics) == {"bleu", "ter"}
    assert metrics["bleu"]["score"] == pytest.approx(100.0)
    assert metrics["ter"]["score"] == pytest.approx(0.0)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"hypotheses": HYPS, "references": [["one"]], "language": "en"}, 400, "line-aligned"),
        ({"hypotheses": [], "references": [], "language": "en"}, 400, "no hypotheses"),
        ({"hypotheses": HYPS, "references": REFS, "language": "xx"}, 400, "unknown language"),
        (
            {"hypotheses": HYPS, "references": REFS, "language": "en", "metrics": ["meteor"]},
            400,
            "meteor",
        ),
        ({"hypotheses": HYPS, "references": HYPS, "language": "en"}, 422, "references"),
        ({"hypotheses": HYPS, "references": REFS}, 422, "language: Field required"),
        (
            {"hypotheses": ["a" * 2_000_001], "references": [["b"]], "language": "en"},
            413,
            "limit",
        ),
    ],
)
def test_score_errors(fake_client: TestClient, body: dict, status: int, message: str) -> None:
    response = fake_client.post("/api/v1/score", json=body)
    assert response.status_code == status
    assert message in response.json()["error"]


# ---------------------------------------------------------------------- queue and auth
def test_full_queue_answers_503_at_once() -> None:
    engine = GatedEngine()
    translator = fake_translator(make_settings(concurrency=1, queue_size=0), engine=engine)
    with TestClient(create_app(translator=translator)) as client:
        first: dict = {}
        worker = threading.Thread(
            target=lambda: first.update(r=client.post(TRANSLATE, json={"text": "Бірінші."}))
        )
        worker.start()
        assert engine.entered.wait(10)
        busy = client.post(TRANSLATE, json={"text": "Екінші."})
        # Refused at once: the answer came while the first request was still held in the model
        # (its gate is still shut), so the second request did not wait for a place.
        assert "r" not in first and not engine.gate.is_set()
        assert busy.status_code == 503
        assert busy.json() == {
            "error": "busy, retry later",
            "request_id": busy.headers["x-request-id"],
        }
        assert busy.headers["retry-after"] == "2"
        streamed = client.post(TRANSLATE, json={"text": "Екінші.", "stream": True})
        assert streamed.status_code == 503 and streamed.headers["retry-after"] == "2"
        assert client.get("/api/v1/health").json()["queue"]["running"] == 1
        engine.gate.set()
        worker.join(10)
    assert first["r"].status_code == 200
    assert set(engine.sentences_seen) == {"Бірінші."}  # the refused text never reached the model


def test_basic_auth_guards_api_and_page() -> None:
    app = create_app(translator=fake_translator(make_settings(auth="editor:pw")))
    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200  # open for probes
        for path in ("/api/v1/languages", "/", "/openapi.json", "/gradio_api/info"):
            response = client.get(path)
            assert response.status_code == 401, path
            assert "Basic" in response.headers["www-authenticate"]
        assert client.post(TRANSLATE, json={"text": "Сәлем."}).status_code == 401
        assert client.get("/api/v1/languages", auth=("editor", "nope")).status_code == 401
        ok = client.post(TRANSLATE, json={"text": "Сәлем."}, auth=("editor", "pw"))
        assert ok.status_code == 200
        assert client.get("/", auth=("editor", "pw")).status_code == 200


def test_twenty_concurrent_requests_complete(tiny_app, tiny_client: TestClient) -> None:
    """20 requests at once on the tiny model: all answer 200, each with its own text."""
    texts = [f"Форумға {i} елдің өкілдері қатысты." for i in range(20)]

    pool = tiny_app.state.services.pool
    peak = 0

    async def watch(done: asyncio.Event) -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, pool.admitted)
            await asyncio.sleep(0.001)

    async def burst() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=tiny_app)
        done = asyncio.Event()
        watcher = asyncio.create_task(watch(done))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://test", timeout=120
        ) as http:
            responses = await asyncio.gather(
                *(http.post(TRANSLATE, json={"text": t, "targets": ["en"]}) for t in texts)
            )
        done.set()
        await watcher
        return responses

    responses = asyncio.run(burst())
    assert [r.status_code for r in responses] == [200] * 20
    assert peak > 2  # they really were in flight together, beyond the 2 run slots
    for text, response in zip(texts, responses, strict=True):
        sources = [
            p["source"]
            for para in response.json()["translations"]["en"]["paragraphs"]
            for p in para
        ]
        assert " ".join(sources) == text
    assert tiny_client.get("/api/v1/health").json()["queue"]["running"] == 0


# ---------------------------------------------------------------------- hostile input (#12)
def test_unpaired_surrogate_is_replaced_not_a_500(tiny_client: TestClient) -> None:
    """Item 1: JSON's ``\\ud800`` arrives as a lone surrogate; the answer is a translation."""
    body = '{"text": "\\ud800 Бүгін.", "targets": ["en"]}'
    response = tiny_client.post(
        TRANSLATE, content=body.encode(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["translations"]["en"]["paragraphs"][0][0]["source"] == "\ufffd Бүгін."
    assert any("replaced with U+FFFD" in w for w in data["warnings"])


@pytest.mark.parametrize(
    "body",
    [
        '{"text": "Бүгін.", "targets": ["\\udc00"]}',
        '{"text": "Бүгін.", "\\ud800": 1}',
        '{"text": "Бүгін.", "languages": ["\\ud800"]}',
    ],
)
def test_surrogates_in_errors_still_answer_json(fake_client: TestClient, body: str) -> None:
    path = "/api/v1/summarize" if "languages" in body else TRANSLATE
    response = fake_client.post(
        path, content=body.encode(), headers={"content-type": "application/json"}
    )
    assert 400 <= response.status_code < 500, response.text
    assert "error" in response.json()


PAGE_ROUTES = ["/gradio_api/run/translate", "/gradio_api/queue/join", "/gradio_api/call/translate"]


@pytest.mark.parametrize("path", [*PAGE_ROUTES, "/api/v1/translate"])
def test_every_route_has_a_body_cap(fake_client: TestClient, path: str) -> None:
    """Item 2: 8 MiB on the page's routes too, declared or streamed, answered in JSON."""
    limit = 8 * 1024 * 1024
    for body in (b"{" + b" " * limit + b"}", (b" " * 65536 for _ in range(limit // 65536 + 1))):
        response = fake_client.post(
            path, content=body, headers={"content-type": "application/json"}
        )
        assert response.status_code == 413, path
        assert response.json() == {
            "error": f"request body over the {limit}-byte limit",
            "request_id": response.headers["x-request-id"],
        }
    # A declared length over the limit is refused even where nothing would read the body.
    response = fake_client.post("/", content=b" " * (limit + 1))
    assert response.status_code == 413


def test_upload_route_has_a_larger_cap(fake_client: TestClient) -> None:
    from service.web.app import UPLOAD_BODY_LIMIT

    upload = "/gradio_api/upload"
    files = {"files": ("hyp.txt", b"x" * (9 * 1024 * 1024), "text/plain")}
    assert fake_client.post(upload, files=files).status_code == 200  # over 8 MiB is fine here

    def many_files():  # four files under Gradio's 10 MB each, 36 MB together, streamed
        for number in range(4):
            yield (
                f'--cut\r\nContent-Disposition: form-data; name="files"; filename="{number}.txt"'
                "\r\nContent-Type: text/plain\r\n\r\n"
            ).encode()
            for _ in range(9 * 16):
                yield b"x" * 65536
            yield b"\r\n"
        yield b"--cut--\r\n"

    response = fake_client.post(
        upload, content=many_files(), headers={"content-type": "multipart/form-data; boundary=cut"}
    )
    assert UPLOAD_BODY_LIMIT < 36 * 2**20
    assert response.status_code == 413
    assert response.json() == {
        "error": f"request body over the {UPLOAD_BODY_LIMIT}-byte limit",
        "request_id": response.headers["x-request-id"],
    }


def _join(client: TestClient, session: str) -> httpx.Response:
    dependencies = client.get("/config").json()["dependencies"]
    index = next(d["id"] for d in dependencies if d.get("api_name") == "translate")
    body = {"data": ["Бүгін.", "en", "auto"], "fn_index": index, "session_hash": session}
    return client.post("/gradio_api/queue/join", json={**body, "event_data": None})


def test_page_queue_full_answers_503_with_retry_after() -> None:
    """Item 7: the page's own queue (Gradio's) says when to come back, like the API."""
    engine = GatedEngine()
    translator = fake_translator(make_settings(concurrency=1, queue_size=1), engine=engine)
    try:
        with TestClient(create_app(translator=translator)) as client:
            answers = [_join(client, f"s{i}") for i in range(5)]
    finally:
        engine.gate.set()
    busy = [r for r in answers if r.status_code == 503]
    assert len(busy) >= 3  # one running, at most one waiting
    assert all(r.headers["retry-after"] == "2" for r in busy)


def test_page_works_with_queue_size_0() -> None:
    """``--queue-size 0`` means nothing waits, not that the page refuses everything."""
    with TestClient(create_app(translator=fake_translator(make_settings(queue_size=0)))) as client:
        assert _join(client, "only").status_code == 200


def test_translate_source_and_uzbek_in_cyrillic(fake_client: TestClient) -> None:
    from tests.test_text_document import ntrex_document

    kyrgyz = ntrex_document("kir", 1)
    for stream in (False, True):
        refused = fake_client.post(
            "/api/v1/translate", json={"text": kyrgyz, "targets": ["en"], "stream": stream}
        )
        assert refused.status_code == 400, stream
        error = refused.json()["error"]
        assert error.startswith("the text looks like Kyrgyz (ky")
        assert error.endswith('say so with "source": "kk" (or "ru")')
    forced = fake_client.post(
        "/api/v1/translate", json={"text": kyrgyz, "targets": ["uz-Cyrl"], "source": "kk"}
    ).json()
    assert forced["source_language"] == "kk" and list(forced["translations"]) == ["uz-Cyrl"]
    bad = fake_client.post("/api/v1/translate", json={"text": kyrgyz, "source": "xx"})
    assert bad.status_code == 400 and "unknown language 'xx'" in bad.json()["error"]
