"""The openai image engine against a real local HTTP server speaking the Images API."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from bedtales.config import load_settings
from bedtales.engines.image import PictureRequest, engines
from bedtales.engines.image.openai import OpenAIImageEngine, picture_prompt
from bedtales.errors import EngineError, EngineUnavailable
from servers.chat_completions import ScriptedResponse, ScriptedServer, error_body

IMAGES_PATH = "/v1/images/generations"
API_KEY = "sk-bedtales-image-Rr81bTq"
REQUEST = PictureRequest(
    story_id="0b8f3c2e-0000-4000-8000-000000000001",
    title="The Whispering Pines",
    scene="a moonlit pine forest where owls hoot softly",
    characters=("Mia", "Leo", "Ada"),
)


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 60, 120)).save(buffer, format=fmt)
    return buffer.getvalue()


def images_answer(data: bytes | None = None, **item: Any) -> dict[str, Any]:
    if data is not None:
        item["b64_json"] = base64.b64encode(data).decode()
    return {"created": 1, "data": [item]}


def make_engine(server: ScriptedServer, tmp_path: Path, **image: Any) -> OpenAIImageEngine:
    settings = load_settings(
        tmp_path,
        openai={"base_url": server.openai_base_url, "api_key": API_KEY},
        image={"engine": "openai", "max_retries": 2, "timeout_s": 5, **image},
    )
    engine = engines.create("openai", settings)
    assert isinstance(engine, OpenAIImageEngine)
    return engine


def test_picture_comes_back_as_png_with_a_thumbnail(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    chat_server.enqueue(
        IMAGES_PATH, ScriptedResponse(body=images_answer(image_bytes(size=(600, 400))))
    )

    picture = make_engine(chat_server, tmp_path).illustrate(REQUEST)

    assert (picture.mime, picture.engine, picture.width, picture.height) == (
        "image/png",
        "openai",
        600,
        400,
    )
    assert Image.open(io.BytesIO(picture.data)).format == "PNG"
    thumbnail = Image.open(io.BytesIO(picture.thumbnail))
    assert max(thumbnail.size) == 256
    sent = chat_server.requests_to(IMAGES_PATH)[0]
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"
    body = sent.json()
    assert body["model"] == "dall-e-3"
    assert body["size"] == "1024x1024"
    assert body["quality"] == "standard"
    assert body["response_format"] == "b64_json"
    assert body["prompt"] == picture_prompt(REQUEST)


def test_prompt_names_the_scene_and_every_character() -> None:
    prompt = picture_prompt(REQUEST)
    assert REQUEST.scene in prompt
    assert "Mia, Leo and Ada" in prompt
    assert "picture-book" in prompt


def test_gpt_image_models_are_not_sent_response_format(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    chat_server.enqueue(IMAGES_PATH, ScriptedResponse(body=images_answer(image_bytes("JPEG"))))

    picture = make_engine(
        chat_server, tmp_path, openai_model="gpt-image-1", openai_quality="medium"
    ).illustrate(REQUEST)

    body = chat_server.requests_to(IMAGES_PATH)[0].json()
    assert "response_format" not in body
    assert body["quality"] == "medium"
    assert Image.open(io.BytesIO(picture.data)).format == "PNG"  # the JPEG was re-encoded


def test_a_picture_given_by_url_is_downloaded(chat_server: ScriptedServer, tmp_path: Path) -> None:
    chat_server.enqueue(
        "/files/picture.png",
        ScriptedResponse(body=image_bytes(), content_type="image/png"),
        method="GET",
    )
    chat_server.enqueue(
        IMAGES_PATH,
        ScriptedResponse(body=images_answer(url=f"{chat_server.url}/files/picture.png")),
    )

    picture = make_engine(chat_server, tmp_path).illustrate(REQUEST)

    assert picture.width == 64


def test_server_errors_are_retried(chat_server: ScriptedServer, tmp_path: Path) -> None:
    busy = ScriptedResponse(503, error_body("busy"), headers={"retry-after-ms": "1"})
    chat_server.enqueue(IMAGES_PATH, busy, ScriptedResponse(body=images_answer(image_bytes())))

    make_engine(chat_server, tmp_path).illustrate(REQUEST)

    assert len(chat_server.requests_to(IMAGES_PATH)) == 2


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"created": 1, "data": []}, "without a picture"),
        ({"created": 1, "data": [{}]}, "without picture data"),
        (images_answer(b"not an image at all"), "not a picture"),
        ({"created": 1, "data": [{"b64_json": "%%%"}]}, "not base64"),
    ],
)
def test_bad_answers_are_clear_errors(
    chat_server: ScriptedServer, tmp_path: Path, answer: dict[str, Any], message: str
) -> None:
    chat_server.enqueue(IMAGES_PATH, ScriptedResponse(body=answer))

    with pytest.raises(EngineError, match=message):
        make_engine(chat_server, tmp_path).illustrate(REQUEST)


def test_refused_key_is_unavailable_and_unshown(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    chat_server.enqueue(
        IMAGES_PATH, ScriptedResponse(401, error_body(f"Incorrect API key provided: {API_KEY}"))
    )

    with pytest.raises(EngineUnavailable, match="BEDTALES_OPENAI__API_KEY") as caught:
        make_engine(chat_server, tmp_path).illustrate(REQUEST)
    assert API_KEY not in str(caught.value)


def test_unknown_model_names_the_image_setting(chat_server: ScriptedServer, tmp_path: Path) -> None:
    chat_server.enqueue(IMAGES_PATH, ScriptedResponse(404, error_body("no such model")))

    with pytest.raises(EngineUnavailable, match="BEDTALES_IMAGE__OPENAI_MODEL"):
        make_engine(chat_server, tmp_path, openai_model="dall-e-9").illustrate(REQUEST)


def test_a_bad_size_setting_is_refused(tmp_path: Path) -> None:
    from bedtales.errors import ConfigError

    with pytest.raises(ConfigError, match=r"image\.openai_size"):
        load_settings(tmp_path, image={"openai_size": "huge"})
