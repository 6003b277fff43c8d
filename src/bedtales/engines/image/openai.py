"""The ``openai`` image engine: the Images API (DALL-E, gpt-image) through the ``openai`` SDK.

As in the reference app, the picture is painted from the scene and the characters, in a
gentle picture-book style. The answer is checked to be an image and re-encoded as PNG (with
a thumbnail), so the rest of bedtales sees the same shape whichever engine painted it.
"""

from __future__ import annotations

import base64
import io
import logging
from typing import TYPE_CHECKING, Any

import httpx

from bedtales.engines.image import ImageEngine, Picture, PictureRequest, register
from bedtales.engines.openai_service import Call, OpenAIService
from bedtales.errors import EngineError

if TYPE_CHECKING:
    from bedtales.config import Settings

log = logging.getLogger(__name__)

THUMBNAIL_SIZE = (256, 256)


@register("openai")
def create_engine(settings: Settings) -> ImageEngine:
    return OpenAIImageEngine(settings)


def picture_prompt(request: PictureRequest) -> str:
    names = request.characters
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (
        "A gentle children's picture-book illustration for a bedtime story, at night: "
        f"{request.scene}. The friends {who} are there together, friendly and cosy. "
        "Soft watercolour palette, a kind moon and twinkling stars, calm and sleepy, "
        "nothing frightening, no words or letters in the picture."
    )


class OpenAIImageEngine:
    name = "openai"

    def __init__(self, settings: Settings) -> None:
        image = settings.image
        self.settings = image
        self.service = OpenAIService(
            settings.openai,
            Call.configured("image", image, "openai_model"),
        )

    def __repr__(self) -> str:
        return f"OpenAIImageEngine({self.service!r})"

    def illustrate(self, request: PictureRequest) -> Picture:
        from openai import omit

        model = self.settings.openai_model
        # values the SDK types as Literals come from settings, where servers may know more
        quality: Any = self.settings.openai_quality
        # gpt-image models always answer base64 and refuse response_format; DALL-E needs it
        answer_format: Any = omit if model.startswith("gpt-image") else "b64_json"
        answer = self.service.request(
            lambda client: client.images.generate(
                model=model,
                prompt=picture_prompt(request),
                n=1,
                size=self.settings.openai_size,
                quality=quality,
                response_format=answer_format,
            )
        )
        return self._picture(self._image_bytes(answer))

    def _image_bytes(self, answer: object) -> bytes:
        data = getattr(answer, "data", None)
        if not isinstance(data, list) or not data:
            raise EngineError(f"{self.service.base_url} answered without a picture")
        first = data[0]
        encoded = getattr(first, "b64_json", None)
        if isinstance(encoded, str) and encoded:
            try:
                return base64.b64decode(encoded, validate=True)
            except ValueError:
                raise EngineError(
                    f"{self.service.base_url} sent a picture that is not base64"
                ) from None
        url = getattr(first, "url", None)
        if isinstance(url, str) and url.startswith(("http://", "https://")):
            return self._download(url)
        raise EngineError(f"{self.service.base_url} answered without picture data")

    def _download(self, url: str) -> bytes:
        try:
            response = httpx.get(url, timeout=self.settings.timeout_s, follow_redirects=True)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise EngineError(f"cannot fetch the painted picture: {type(exc).__name__}") from None
        return response.content

    def _picture(self, raw: bytes) -> Picture:
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(io.BytesIO(raw)) as opened:
                image = opened.convert("RGB")
        except (UnidentifiedImageError, OSError):
            raise EngineError(
                f"{self.service.base_url} sent something that is not a picture"
            ) from None
        png = io.BytesIO()
        image.save(png, format="PNG", optimize=False)
        thumbnail = image.copy()
        thumbnail.thumbnail(THUMBNAIL_SIZE, Image.Resampling.LANCZOS)
        small = io.BytesIO()
        thumbnail.save(small, format="PNG")
        return Picture(
            data=png.getvalue(),
            mime="image/png",
            width=image.width,
            height=image.height,
            thumbnail=small.getvalue(),
            engine=self.name,
        )
