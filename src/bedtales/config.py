"""Settings: ``bedtales.toml`` in the data directory, overridden by ``BEDTALES_*`` variables.

Precedence, highest first: values passed in code (the CLI's ``--data-dir``), environment
variables (``BEDTALES_DATA_DIR``, ``BEDTALES_TEXT__ENGINE``, ``BEDTALES_OPENAI__API_KEY`` — a
double underscore reaches into a section), then the TOML file, then the defaults below.
Every field carries its help text; ``docs/settings.md`` is generated from these declarations.

This module only declares and checks values, and imports nothing heavy: every command reads
the settings. Which engines, media stores and bus backends exist is known to their registries
(:mod:`bedtales.registry`); the App checks those names when it builds its tools, in the same
words (:func:`invalid_setting`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from bedtales.errors import ConfigError

CONFIG_FILE_NAME = "bedtales.toml"
DEFAULT_DATA_DIR = Path("./bedtales-data")
ENV_PREFIX = "BEDTALES_"
MIN_ADMIN_TOKEN_LENGTH = 32

DEFAULT_PROMPT_TEMPLATE = (
    "Write a title and a rhyming story on {count} main characters called {names}.\n"
    "The story needs to be set within the scene {scene} and be at least 200 words long"
)
# Sent before the prompt by the model engines: what a small local model needs told to write
# something the quality gates accept (see docs/stories.md).
DEFAULT_SYSTEM_MESSAGE = (
    "You write bedtime stories for young children. Begin your answer with the line "
    '"Title: " and a short title. Then write the story in rhyming verse: short lines, '
    "four lines to a stanza, a blank line between stanzas. Name every main character. "
    "Keep it gentle and calm, never repeat a line, and end with everyone asleep. "
    'Write only the title and the story, and start with "Title: ".'
)


# The longest answer a model engine may give (openai and llamacpp size it alike).
AnswerTokens = Annotated[
    int | None,
    Field(
        ge=16,
        le=32000,
        description="Longest answer, in tokens; unset: sized from text.min_words "
        "(4.5 tokens a word, plus 100).",
    ),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TextSettings(_Section):
    engine: str = Field(
        "builtin", description="Text engine that writes stories: builtin, openai or llamacpp."
    )
    prompt_template: str = Field(
        DEFAULT_PROMPT_TEMPLATE,
        description="Prompt sent to the engine; placeholders {count}, {names} (required), "
        "{scene} and {previously}.",
    )
    system_message: str = Field(
        DEFAULT_SYSTEM_MESSAGE,
        description="System message sent before the prompt by the openai and llamacpp engines "
        "(asks for a Title: line and a calm rhyming story); empty sends none.",
    )
    max_attempts: int = Field(
        2,
        ge=1,
        le=10,
        description="Answers asked of the chosen engine before falling back to builtin.",
    )
    deadline_s: float = Field(
        90.0,
        ge=1,
        le=3600,
        description="Seconds one story may take, over all answers and retries of the chosen "
        "engine; after it builtin writes the story.",
    )
    min_words: int = Field(200, ge=50, le=5000, description="Fewest words a story may have.")
    recent_scenes: int = Field(
        5,
        ge=0,
        le=100,
        description="Scenes of this many recent stories are avoided when others remain.",
    )
    extra_blocked_words: list[str] = Field(
        default_factory=list, description="Words added to the built-in child-safety list."
    )

    @field_validator("prompt_template")
    @classmethod
    def _template_fields(cls, value: str) -> str:
        from bedtales.stories.prompt import check_template

        check_template(value)
        return value


class OpenAISettings(_Section):
    base_url: str | None = Field(
        None,
        description="OpenAI-compatible endpoint (Ollama, llama.cpp server, vLLM…); "
        "unset means OpenAI.",
    )
    api_key: SecretStr | None = Field(None, description="API key; never printed or logged.")
    model: str = Field("gpt-4o-mini", description="Chat model name.")
    temperature: float = Field(0.7, ge=0, le=2, description="Sampling temperature.")
    max_tokens: AnswerTokens = None
    frequency_penalty: float = Field(
        0.0, ge=-2, le=2, description="Penalty on tokens by how often they came already."
    )
    presence_penalty: float = Field(
        0.0, ge=-2, le=2, description="Penalty on tokens that came already at all."
    )
    timeout_s: float = Field(60.0, gt=0, le=600, description="Seconds to wait for one request.")
    max_retries: int = Field(3, ge=0, le=10, description="Retries on 429 and 5xx, with backoff.")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _check_http_url(value)


class LlamaCppSettings(_Section):
    """The local model's sampling settings default to llama.cpp server's (``repeat_penalty``
    1.1 above all: llama-cpp-python's own 1.0 lets small models loop), so that a model writes
    in process as it does behind ``python -m llama_cpp.server`` with the openai engine, which
    sends the same temperature."""

    model_path: Path | None = Field(
        None, description="Local GGUF model file for the llamacpp engine."
    )
    n_ctx: int = Field(4096, ge=512, le=131072, description="Context window, in tokens.")
    max_tokens: AnswerTokens = None
    temperature: float = Field(0.7, ge=0, le=2, description="Sampling temperature.")
    top_p: float = Field(0.95, ge=0, le=1, description="Nucleus sampling: top share of odds.")
    top_k: int = Field(40, ge=0, le=1000, description="Sample from this many likeliest tokens.")
    min_p: float = Field(
        0.05, ge=0, le=1, description="Drop tokens below this share of the likeliest's odds."
    )
    repeat_penalty: float = Field(
        1.1, ge=1, le=2, description="Penalty on repeating recent tokens; 1 turns it off."
    )
    threads: int | None = Field(None, ge=1, description="CPU threads; unset lets llama.cpp choose.")


class ImageSettings(_Section):
    engine: str = Field("builtin", description="Image engine that paints: builtin or openai.")
    openai_model: str = Field("dall-e-3", description="Images API model for the openai engine.")
    openai_size: str = Field("1024x1024", description="Picture size asked of the Images API.")
    openai_quality: str = Field(
        "standard", description="Quality asked of the Images API (standard, hd, low, medium, high)."
    )
    timeout_s: float = Field(120.0, gt=0, le=600, description="Seconds to wait for one picture.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on 429 and 5xx, with backoff.")

    @field_validator("openai_size")
    @classmethod
    def _size(cls, value: str) -> str:
        width, _, height = value.partition("x")
        if not (width.isdigit() and height.isdigit()):
            raise ValueError("must be WIDTHxHEIGHT, for example 1024x1024")
        return value


class SpeechSettings(_Section):
    engine: str = Field(
        "auto",
        description="Speech engine that narrates: piper, espeak or openai; auto picks piper "
        "when the voice extra is installed, else espeak.",
    )
    piper_voice: Path | None = Field(
        None, description="Piper voice model (.onnx, with its .onnx.json); unset: bundled joe."
    )
    length_scale: float = Field(
        1.15, ge=0.5, le=2.0, description="Piper pace: above 1 is slower, calmer speech."
    )
    espeak_voice: str = Field("en-us", description="espeak-ng voice.")
    espeak_wpm: int = Field(150, ge=80, le=450, description="espeak-ng words per minute.")
    openai_model: str = Field("tts-1", description="Speech API model for the openai engine.")
    openai_voice: str = Field("fable", description="Speech API voice for the openai engine.")
    bitrate_kbps: int = Field(
        48, ge=16, le=160, description="MP3 bit rate (24 kHz mono MP3 stops at 160)."
    )
    timeout_s: float = Field(120.0, gt=0, le=600, description="Seconds to wait for one narration.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on 429 and 5xx, with backoff.")


class MediaSettings(_Section):
    store: str = Field("local", description="Where pictures and narrations are kept: local or s3.")
    link_secret: SecretStr | None = Field(
        None,
        description="Key that signs local media links (written by `bedtales init`); never printed.",
    )
    local_dir: Path | None = Field(
        None, description="Folder of the local store; unset: <data_dir>/media."
    )
    s3_bucket: str = Field("bedtales", description="S3 bucket.")
    s3_endpoint_url: str | None = Field(
        None, description="S3-compatible endpoint (SeaweedFS, MinIO, R2); unset means AWS."
    )
    s3_public_endpoint_url: str | None = Field(
        None,
        description="Address of the S3 endpoint as families' phones reach it, when it is not "
        "s3_endpoint_url (links are signed for it); unset: s3_endpoint_url.",
    )
    s3_region: str = Field("us-east-1", description="S3 region.")
    s3_access_key_id: str | None = Field(
        None, description="S3 access key id; unset: boto3's chain."
    )
    s3_secret_access_key: SecretStr | None = Field(
        None, description="S3 secret key; never printed."
    )
    s3_create_bucket: bool = Field(False, description="Create the bucket when it is missing.")

    @field_validator("s3_endpoint_url", "s3_public_endpoint_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        return _check_http_url(value)


class WebSettings(_Section):
    base_url: str = Field(
        "http://127.0.0.1:8080",
        description="Address families open: links in messages, the JSON API and link previews "
        "start with it; unset, it follows where `bedtales run`/`web` listen (--lan: the LAN "
        "address).",
    )
    host: str = Field("127.0.0.1", description="Address `bedtales web` listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Port `bedtales web` listens on.")

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        from urllib.parse import urlsplit

        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address, e.g. https://tales.example")
        if parts.query or parts.fragment:
            raise ValueError("must not have a query or fragment")
        return value.rstrip("/")


class SmtpSettings(_Section):
    """The operator's mail server. Email to the subscribers a household adds on its web site
    goes through it and nowhere else: their URLs name the recipient only (notify/guard.py).
    The operator's own ``mailto://`` subscribers name their server and do not use it."""

    host: str | None = Field(
        None,
        description="Mail server for the email subscribers households add on their site; "
        "unset: households cannot add email subscribers.",
    )
    port: int | None = Field(
        None, ge=1, le=65535, description="Port; unset: 587 for starttls, 465 for ssl, 25 for none."
    )
    security: Literal["starttls", "ssl", "none"] = Field(
        "starttls",
        description="starttls, ssl (TLS from the start) or none (only for a relay on the same "
        "machine or network).",
    )
    user: str | None = Field(None, description="Login name; unset: no login.")
    password: SecretStr | None = Field(None, description="Login password; never printed.")
    sender: str | None = Field(
        None, description="From address, e.g. stories@example.org; required when host is set."
    )
    timeout_s: float = Field(30.0, gt=0, le=300, description="Seconds to wait for the server.")

    @field_validator("sender")
    @classmethod
    def _one_address(cls, value: str | None) -> str | None:
        from bedtales.errors import InputError
        from bedtales.notify.guard import clean_address

        try:
            return None if value is None else clean_address(value, field="sender")
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @model_validator(mode="after")
    def _sender_with_host(self) -> SmtpSettings:
        if self.host and not self.sender:
            raise ValueError("smtp.sender (the From address) must be set when smtp.host is")
        return self

    @property
    def resolved_port(self) -> int:
        return self.port or {"starttls": 587, "ssl": 465, "none": 25}[self.security]


def _check_http_url(value: str | None) -> str | None:
    if value is not None and not value.startswith(("http://", "https://")):
        raise ValueError("must start with http:// or https://")
    return value


DEFAULT_STORY_TEMPLATE: dict[str, Any] = {
    "id": "<$.newImage.id>",
    "title": "<$.newImage.title>",
    "scene": "<$.newImage.scene>",
    "description": "<$.newImage.description>",
    "characters": "<$.newImage.characters>",
    "household": "<$.newImage.household>",
    "createdAt": "<$.newImage.created_at>",
    "expiresAt": "<$.newImage.expires_at>",
}
STORY_TARGETS = ("illustrate", "narrate", "notify")  # what a new story fans out to
DEFAULT_TARGETS = ("write_story", *STORY_TARGETS)


class TargetSettings(_Section):
    handler: str | None = Field(
        None, description="Registered handler that runs it; unset: the target's name."
    )
    max_attempts: int = Field(
        10, ge=1, le=185, description="Attempts before the dead-letter queue."
    )
    max_age_s: float = Field(
        86400, ge=1, le=86400, description="Seconds after the event when retrying stops."
    )
    base_delay_s: float = Field(2.0, gt=0, le=3600, description="First retry's backoff ceiling.")
    max_delay_s: float = Field(300.0, gt=0, le=86400, description="Largest backoff ceiling.")


class RuleSettings(_Section):
    name: str = Field(min_length=1, max_length=64, description="Rule name, used in messages.")
    event_pattern: dict[str, Any] = Field(
        description="EventBridge event pattern the events must match."
    )
    targets: list[str] = Field(min_length=1, description="Targets that get every matching event.")


class PipeSettings(_Section):
    name: str = Field(
        "stories", min_length=1, max_length=64, description="Pipe name (its checkpoint)."
    )
    source: Literal["stories"] = Field("stories", description="The change stream it reads.")
    filter: dict[str, Any] = Field(
        default_factory=lambda: {"eventName": ["INSERT"]},
        description="Event pattern a stream record must match.",
    )
    event_source: str = Field("bedtales.stories", description="The events' source.")
    detail_type: str = Field("StoryCreated", description="The events' detail-type.")
    input_template: dict[str, Any] = Field(
        default_factory=lambda: dict(DEFAULT_STORY_TEMPLATE),
        description="The event detail, with <$.path> placeholders into the stream record.",
    )


def _default_rules() -> list[RuleSettings]:
    return [
        RuleSettings(
            name="schedule-fired",
            event_pattern={"source": ["bedtales.scheduler"], "detail-type": ["ScheduleFired"]},
            targets=["write_story"],
        ),
        RuleSettings(
            name="story-created",
            event_pattern={"source": ["bedtales.stories"], "detail-type": ["StoryCreated"]},
            targets=list(STORY_TARGETS),
        ),
    ]


class BusSettings(_Section):
    backend: str = Field("sql", description="Delivery backend: sql or redis.")
    redis_url: str = Field("redis://127.0.0.1:6379/0", description="Redis for the redis backend.")
    name: str = Field("default", description="Bus name (keys and streams are named after it).")
    lease_s: float = Field(
        60.0, ge=1, le=3600, description="Seconds a worker holds a delivery before it is retried."
    )
    handler_modules: list[str] = Field(
        default_factory=list, description="Python modules to import for more target handlers."
    )
    rules: list[RuleSettings] = Field(
        default_factory=_default_rules,
        description="Rules: [[bus.rules]] name, event_pattern, targets.",
    )
    targets: dict[str, TargetSettings] = Field(
        default_factory=lambda: {name: TargetSettings() for name in DEFAULT_TARGETS},
        description="Targets and their retry policies: [bus.targets.NAME].",
    )
    pipes: list[PipeSettings] = Field(
        default_factory=lambda: [PipeSettings()],
        description="Pipes from the story stream to the bus: [[bus.pipes]].",
    )

    @field_validator("targets")
    @classmethod
    def _keep_default_targets(cls, value: dict[str, TargetSettings]) -> dict[str, TargetSettings]:
        # declaring [bus.targets.notify] tunes notify; it does not remove illustrate and narrate
        return {**{name: TargetSettings() for name in DEFAULT_TARGETS}, **value}


class Settings(BaseSettings):
    """Every bedtales setting. Build it with :func:`load_settings`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_nested_delimiter="__",
        extra="forbid",
        validate_default=True,
    )
    toml_path: ClassVar[Path | None] = None

    data_dir: Path = Field(
        DEFAULT_DATA_DIR, description="Where the database, settings and media live."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; unset means SQLite at <data_dir>/bedtales.db. "
        "PostgreSQL: postgresql+psycopg://user@host/db.",
    )
    default_household: str = Field("home", description="Household used when a command names none.")
    admin_token: SecretStr | None = Field(
        None,
        description="Bearer token for the admin endpoints of the JSON API, at least "
        f"{MIN_ADMIN_TOKEN_LENGTH} characters; unset turns them off. Never printed.",
    )
    text: TextSettings = Field(default_factory=TextSettings)
    openai: OpenAISettings = Field(default_factory=OpenAISettings)
    llamacpp: LlamaCppSettings = Field(default_factory=LlamaCppSettings)
    image: ImageSettings = Field(default_factory=ImageSettings)
    speech: SpeechSettings = Field(default_factory=SpeechSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    bus: BusSettings = Field(default_factory=BusSettings)

    @field_validator("default_household")
    @classmethod
    def _household_name(cls, value: str) -> str:
        from bedtales.domain import clean_name
        from bedtales.errors import InputError

        try:
            return clean_name(value, field="name")
        except InputError as exc:
            raise ValueError(str(exc)) from None

    @field_validator("admin_token")
    @classmethod
    def _long_admin_token(cls, value: SecretStr | None) -> SecretStr | None:
        # it guards every household's data: a short one could be guessed over the network
        if value is None or not value.get_secret_value():
            return None  # empty, as in `BEDTALES_ADMIN_TOKEN=`: the admin API stays off
        if len(value.get_secret_value()) < MIN_ADMIN_TOKEN_LENGTH:
            raise ValueError(
                f"must be at least {MIN_ADMIN_TOKEN_LENGTH} characters; make one with "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql+psycopg:// URL")
        return value

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'bedtales.db').resolve()}"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if cls.toml_path is not None and cls.toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=cls.toml_path))
        return tuple(sources)


def load_settings(data_dir: Path | str | None = None, **overrides: Any) -> Settings:
    """Read settings for ``data_dir`` (else ``BEDTALES_DATA_DIR``, else ``./bedtales-data``).

    Raises :class:`ConfigError` naming each invalid setting and where it can be set.
    """
    base = Path(data_dir or os.environ.get(f"{ENV_PREFIX}DATA_DIR") or DEFAULT_DATA_DIR)
    toml_path = base / CONFIG_FILE_NAME

    class _FileSettings(Settings):
        pass

    _FileSettings.toml_path = toml_path
    if data_dir is not None:
        overrides["data_dir"] = base
    try:
        return _FileSettings(**overrides)
    except ValidationError as exc:
        raise ConfigError(_describe(exc, toml_path)) from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        raise ConfigError(f"cannot read {toml_path}: {exc}") from None


def invalid_setting(settings: Settings, path: Sequence[str], problem: str) -> str:
    """The line that says a setting cannot be used, as :func:`load_settings` words it: the
    setting, its environment variable, the settings file, then ``problem``."""
    toml_path = type(settings).toml_path or settings.data_dir / CONFIG_FILE_NAME
    return _invalid(path, toml_path, problem)


def _describe(exc: ValidationError, toml_path: Path) -> str:
    # input values are left out on purpose: they may be secrets
    return "\n".join(
        _invalid([str(part) for part in error["loc"]], toml_path, error["msg"])
        for error in exc.errors()
    )


def _invalid(path: Sequence[str], toml_path: Path, problem: str) -> str:
    env = ENV_PREFIX + "__".join(part.upper() for part in path)
    return f"invalid setting {'.'.join(path)} ({env} or {toml_path}): {problem}"
