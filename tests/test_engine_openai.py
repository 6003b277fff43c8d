"""The openai engine against a real local HTTP server speaking the chat-completions protocol."""

from __future__ import annotations

import logging
import socket
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bedtales.config import OpenAISettings, Settings, load_settings
from bedtales.engines.text import StoryRequest
from bedtales.engines.text.openai import PLACEHOLDER_API_KEY, OpenAIEngine, create_engine
from bedtales.errors import EngineError, EngineUnavailable
from bedtales.stories.prompt import STOP_SEQUENCES
from bedtales.stories.writer import compose
from servers.chat_completions import (
    CHAT_PATH,
    ScriptedResponse,
    ScriptedServer,
    chat_completion_body,
    error_body,
)

# Distinctive, so a leak into any message, repr or log line is unmistakable.
API_KEY = "sk-bedtales-test-Zq7Vx41mKp09"

REQUEST = StoryRequest(
    prompt="Write a title and a rhyming story on 2 main characters called Mia and Leo.",
    characters=("Mia", "Leo"),
    scene="a moonlit forest",
    seed=1234,
)
STORY = (
    "The Moonlit Picnic\n\nMia and Leo went out one night, beneath the moon so round and bright."
)

# The SDK ignores "Retry-After: 0" (only delays > 0 count) and falls back to its 0.5 s
# exponential backoff; retry-after-ms keeps the many-retry tests to milliseconds.
RETRY_NOW = {"retry-after-ms": "1"}


def make_engine(server: ScriptedServer | None = None, **overrides: Any) -> OpenAIEngine:
    values: dict[str, Any] = {
        "base_url": server.openai_base_url if server else None,
        "api_key": API_KEY,
        "model": "story-model",
        "temperature": 0.3,
        "max_tokens": 700,
        "timeout_s": 5.0,
        "max_retries": 3,
    }
    return OpenAIEngine(OpenAISettings(**(values | overrides)))


def assert_no_key(exc: BaseException, caplog: pytest.LogCaptureFixture | None = None) -> None:
    assert API_KEY not in str(exc)
    assert API_KEY not in repr(exc)
    if caplog is not None:
        assert API_KEY not in caplog.text


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture everything the engine, the SDK and the HTTP library log."""
    for name in (None, "openai", "httpx2", "httpcore", "bedtales"):
        caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_story_comes_back_and_settings_are_sent(chat_server: ScriptedServer) -> None:
    chat_server.reply_chat(STORY)

    assert make_engine(chat_server).write(REQUEST).text == STORY

    (sent,) = chat_server.requests_to(CHAT_PATH)
    body = sent.json()
    assert body["messages"] == [{"role": "user", "content": REQUEST.prompt}]
    assert body["model"] == "story-model"
    assert body["temperature"] == 0.3
    assert body["max_tokens"] == 700
    assert body["seed"] == 1234
    assert body["stop"] == list(STOP_SEQUENCES)
    assert (body["frequency_penalty"], body["presence_penalty"]) == (0.0, 0.0)
    assert sent.headers["authorization"] == f"Bearer {API_KEY}"


def test_system_message_penalties_and_a_sized_answer_limit(chat_server: ScriptedServer) -> None:
    chat_server.reply_chat(STORY)
    engine = OpenAIEngine(
        OpenAISettings(
            base_url=chat_server.openai_base_url, frequency_penalty=0.4, presence_penalty=0.2
        ),
        system_message="You write bedtime stories.",
    )

    answer = engine.write(replace(REQUEST, min_words=150))

    assert (answer.text, answer.finish_reason) == (STORY, "stop")
    body = chat_server.requests_to(CHAT_PATH)[0].json()
    assert body["messages"] == [
        {"role": "system", "content": "You write bedtime stories."},
        {"role": "user", "content": REQUEST.prompt},
    ]
    assert (body["frequency_penalty"], body["presence_penalty"]) == (0.4, 0.2)
    assert body["max_tokens"] == 775  # 150 words asked for: 4.5 tokens a word, plus 100


def test_factory_sends_the_default_system_message(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    chat_server.reply_chat(STORY)
    settings = load_settings(tmp_path, openai={"base_url": chat_server.openai_base_url})

    create_engine(settings).write(REQUEST)

    system, user = chat_server.requests_to(CHAT_PATH)[0].json()["messages"]
    assert system == {"role": "system", "content": settings.text.system_message}
    assert "Title:" in system["content"]
    assert user == {"role": "user", "content": REQUEST.prompt}


def test_an_answer_cut_off_at_the_limit_says_so(chat_server: ScriptedServer) -> None:
    chat_server.reply_chat(STORY, finish_reason="length")

    assert make_engine(chat_server).write(REQUEST).finish_reason == "length"


def test_local_server_without_key_gets_a_placeholder(chat_server: ScriptedServer) -> None:
    chat_server.reply_chat(STORY)

    assert make_engine(chat_server, api_key=None).write(REQUEST).text == STORY

    (sent,) = chat_server.requests
    assert sent.headers["authorization"] == f"Bearer {PLACEHOLDER_API_KEY}"


def test_openai_without_key_is_unavailable() -> None:
    for key in (None, "", "  "):
        with pytest.raises(EngineUnavailable, match="BEDTALES_OPENAI__API_KEY"):
            make_engine(None, api_key=key)


def test_factory_builds_the_engine_from_settings(tmp_path: Path) -> None:
    settings = load_settings(tmp_path, openai={"base_url": "http://127.0.0.1:9/v1"})

    engine = create_engine(settings)

    assert engine.name == "openai"
    assert isinstance(engine, OpenAIEngine)
    assert engine.base_url == "http://127.0.0.1:9/v1"


def test_module_named_openai_still_imports_the_sdk(chat_server: ScriptedServer) -> None:
    import openai  # the SDK, even though the engine module is also called openai

    assert openai.__name__ == "openai"
    assert isinstance(make_engine(chat_server).service.client, openai.OpenAI)


def test_rate_limit_is_retried_after_retry_after(chat_server: ScriptedServer) -> None:
    chat_server.enqueue(
        CHAT_PATH,
        ScriptedResponse(429, error_body("slow down"), headers={"Retry-After": "0"}),
        ScriptedResponse(body=chat_completion_body(STORY)),
    )

    assert make_engine(chat_server).write(REQUEST).text == STORY

    retry_counts = [r.headers["x-stainless-retry-count"] for r in chat_server.requests]
    assert retry_counts == ["0", "1"]


def test_server_errors_are_retried(chat_server: ScriptedServer) -> None:
    failure = ScriptedResponse(500, error_body("boom", type_="server_error"), headers=RETRY_NOW)
    chat_server.enqueue(
        CHAT_PATH, failure, failure, ScriptedResponse(body=chat_completion_body(STORY))
    )

    assert make_engine(chat_server).write(REQUEST).text == STORY
    assert len(chat_server.requests) == 3


@pytest.mark.parametrize("status", [429, 503])
def test_persistent_failure_gives_up_after_max_retries(
    chat_server: ScriptedServer, status: int
) -> None:
    chat_server.always(
        CHAT_PATH, ScriptedResponse(status, error_body("overloaded"), headers=RETRY_NOW)
    )

    with pytest.raises(EngineError) as caught:
        make_engine(chat_server, max_retries=2).write(REQUEST)

    assert type(caught.value) is EngineError
    assert f"HTTP {status}" in str(caught.value)
    assert "overloaded" in str(caught.value)
    assert "BEDTALES_OPENAI__MAX_RETRIES" in str(caught.value)
    assert len(chat_server.requests) == 3


@pytest.mark.parametrize("status", [401, 403])
def test_refused_key_is_unavailable_and_never_shown(
    chat_server: ScriptedServer, debug_logs: pytest.LogCaptureFixture, status: int
) -> None:
    # OpenAI echoes (part of) a refused key in its message; ours must not.
    echo = error_body(f"Incorrect API key provided: {API_KEY}", code="invalid_api_key")
    chat_server.enqueue(CHAT_PATH, ScriptedResponse(status, echo))

    with pytest.raises(EngineUnavailable) as caught:
        make_engine(chat_server).write(REQUEST)

    message = str(caught.value)
    assert message == (
        f"the OpenAI-compatible service at {chat_server.openai_base_url} refused the API key "
        "(BEDTALES_OPENAI__API_KEY)"
    )
    assert_no_key(caught.value, debug_logs)
    assert len(chat_server.requests) == 1  # a refused key is not retried


def test_quoted_server_text_has_the_key_masked(
    chat_server: ScriptedServer, debug_logs: pytest.LogCaptureFixture
) -> None:
    chat_server.enqueue(
        CHAT_PATH, ScriptedResponse(500, error_body(f"upstream rejected {API_KEY}"))
    )
    engine = make_engine(chat_server, max_retries=0)

    with pytest.raises(EngineError, match=r"upstream rejected \*\*\*") as caught:
        engine.write(REQUEST)

    assert_no_key(caught.value, debug_logs)
    assert API_KEY not in repr(engine)
    assert API_KEY not in repr(engine.settings)


def test_unknown_model_is_unavailable(chat_server: ScriptedServer) -> None:
    missing = error_body("model 'story-model' not found", code="model_not_found")
    chat_server.enqueue(CHAT_PATH, ScriptedResponse(404, missing))

    with pytest.raises(EngineUnavailable, match="BEDTALES_OPENAI__MODEL") as caught:
        make_engine(chat_server).write(REQUEST)

    assert "'story-model'" in str(caught.value)
    assert "not found" in str(caught.value)


def test_other_client_errors_quote_the_server(chat_server: ScriptedServer) -> None:
    too_long = error_body("max_tokens is too large: 700")
    chat_server.enqueue(CHAT_PATH, ScriptedResponse(400, too_long))

    with pytest.raises(EngineError, match="HTTP 400: max_tokens is too large") as caught:
        make_engine(chat_server).write(REQUEST)

    assert type(caught.value) is EngineError
    assert len(chat_server.requests) == 1


def test_unreachable_server_names_the_url_and_setting(
    debug_logs: pytest.LogCaptureFixture,
) -> None:
    url = f"http://127.0.0.1:{closed_port()}/v1"

    with pytest.raises(EngineError, match="BEDTALES_OPENAI__BASE_URL") as caught:
        make_engine(None, base_url=url, max_retries=0).write(REQUEST)

    assert str(caught.value).startswith(f"cannot reach {url}: ")
    assert "refused" in str(caught.value).lower()
    assert_no_key(caught.value, debug_logs)


def test_slow_answer_times_out(chat_server: ScriptedServer) -> None:
    chat_server.enqueue(CHAT_PATH, ScriptedResponse(body=chat_completion_body(STORY), delay_s=5))
    started = time.monotonic()

    with pytest.raises(EngineError, match=r"within 0\.3 s") as caught:
        make_engine(chat_server, timeout_s=0.3, max_retries=0).write(REQUEST)

    assert time.monotonic() - started < 3
    assert "BEDTALES_OPENAI__TIMEOUT_S" in str(caught.value)


def test_timeout_is_retried(chat_server: ScriptedServer) -> None:
    chat_server.enqueue(
        CHAT_PATH,
        ScriptedResponse(body=chat_completion_body("too late"), delay_s=5),
        ScriptedResponse(body=chat_completion_body(STORY)),
    )

    assert make_engine(chat_server, timeout_s=0.3, max_retries=1).write(REQUEST).text == STORY
    assert len(chat_server.requests) == 2


@pytest.mark.parametrize(
    "answer",
    [
        ScriptedResponse(body=chat_completion_body("")),
        ScriptedResponse(body=chat_completion_body("  \n ")),
        ScriptedResponse(body=chat_completion_body(None, finish_reason="content_filter")),
        ScriptedResponse(body={"choices": []}),
        ScriptedResponse(body={"object": "chat.completion"}),
        ScriptedResponse(body="<html>proxy error page</html>", content_type="text/html"),
        ScriptedResponse(body="{not json", content_type="application/json"),
    ],
    ids=["empty", "blank", "null", "no-choices", "no-choices-key", "html", "bad-json"],
)
def test_empty_or_malformed_answer_is_an_error(
    chat_server: ScriptedServer, answer: ScriptedResponse
) -> None:
    chat_server.enqueue(CHAT_PATH, answer)

    with pytest.raises(EngineError, match=chat_server.openai_base_url) as caught:
        make_engine(chat_server).write(REQUEST)

    assert type(caught.value) is EngineError
    assert len(chat_server.requests) == 1  # a bad answer is not retried


def test_a_hung_server_is_given_up_at_the_deadline(chat_server: ScriptedServer) -> None:
    """However long timeout_s and however many retries: the story's deadline ends the wait."""
    chat_server.always(CHAT_PATH, ScriptedResponse(body=chat_completion_body(STORY), delay_s=30))
    engine = make_engine(chat_server, timeout_s=60, max_retries=3)

    with pytest.raises(EngineError, match="had not answered by the story's deadline") as caught:
        engine.write(replace(REQUEST, deadline=time.monotonic() + 0.5))

    assert type(caught.value) is EngineError  # a refusal: builtin writes the story
    assert len(chat_server.requests) == 1  # no retry was started after the deadline


def test_retries_stop_at_the_deadline(chat_server: ScriptedServer) -> None:
    # each answer takes longer than the time left after it, so one retry fits at most
    failure = ScriptedResponse(503, error_body("busy"), headers=RETRY_NOW, delay_s=0.4)
    chat_server.always(CHAT_PATH, failure)

    with pytest.raises(EngineError, match="deadline"):
        make_engine(chat_server, max_retries=10).write(
            replace(REQUEST, deadline=time.monotonic() + 0.6)
        )

    assert len(chat_server.requests) <= 2


def test_nothing_is_sent_after_the_deadline(chat_server: ScriptedServer) -> None:
    with pytest.raises(EngineError, match="deadline"):
        make_engine(chat_server).write(replace(REQUEST, deadline=time.monotonic() - 1))

    assert chat_server.requests == []


def test_the_deadline_is_one_request_s_own(chat_server: ScriptedServer) -> None:
    """A request without a deadline, after one with, waits as timeout_s says."""
    engine = make_engine(chat_server)
    with pytest.raises(EngineError, match="deadline"):
        engine.write(replace(REQUEST, deadline=time.monotonic() - 1))
    chat_server.enqueue(CHAT_PATH, ScriptedResponse(body=chat_completion_body(STORY), delay_s=1))

    assert engine.write(REQUEST).text == STORY


# What the story writer makes of what servers send: a refused answer is asked again, then
# builtin writes the story, and the story's note says why.

MIA_AND_LEO = [
    "The moon rose high above the hill,",
    "and all the forest lay so still.",
    "Mia packed a basket full of treats,",
    "and Leo brought some sugared sweets.",
]


def story_lines(count: int) -> list[str]:
    """``count`` different lines of verse naming Mia and Leo."""
    return [f"{MIA_AND_LEO[i % 4].rstrip(',.')} on night number {i}," for i in range(count)]


def writer_settings(
    server: ScriptedServer, tmp_path: Path, text: Any = (), openai: Any = ()
) -> Settings:
    return load_settings(
        tmp_path,
        text={"engine": "openai", "min_words": 50, **dict(text)},
        openai={
            "base_url": server.openai_base_url,
            "max_retries": 0,
            "timeout_s": 5,
            **dict(openai),
        },
    )


def compose_with(server: ScriptedServer, tmp_path: Path) -> tuple[str, str]:
    settings = writer_settings(server, tmp_path)
    request = replace(REQUEST, min_words=settings.text.min_words)  # as write_story asks
    composed = compose(create_engine(settings), request, settings)
    return composed.engine, composed.note or ""


def test_a_good_answer_is_kept(chat_server: ScriptedServer, tmp_path: Path) -> None:
    body = "\n".join(story_lines(12))
    chat_server.reply_chat(f"Title: The Moonlit Picnic\n\n{body}")

    assert compose_with(chat_server, tmp_path) == ("openai", "")


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (
            chat_completion_body(
                "Title: A Beacon\n\n" + "Mia and Leo saw a beacon,\n" * 60,
                finish_reason="length",
            ),
            "answer cut off at the token limit (openai.max_tokens) after 363 words",
        ),
        (chat_completion_body(""), "answered with an empty story"),
        (
            chat_completion_body(
                "Title: Лунный пикник\n\n"
                + "Миа и Лео пошли гулять под луной, и звёзды светили им.\n" * 12
            ),
            "story is written in Cyrillic letters",
        ),
        (
            chat_completion_body(
                "Title: The Beacon\n\n" + "\n".join(story_lines(8)) + "\nA beacon,\n" * 40
            ),
            "the line 'A beacon,' comes 40 times",
        ),
        (
            chat_completion_body("In a parched moon,\n" + "\n".join(story_lines(12)), model="tiny"),
            "title 'In a parched moon,' ends in ',' like a line of verse",
        ),
    ],
    ids=["cut-off", "empty", "other-script", "loop", "verse-title"],
)
def test_a_refused_answer_falls_back_to_builtin_with_the_reason(
    chat_server: ScriptedServer, tmp_path: Path, answer: dict[str, Any], reason: str
) -> None:
    chat_server.always(CHAT_PATH, ScriptedResponse(body=answer))

    engine, note = compose_with(chat_server, tmp_path)

    assert engine == "builtin"
    assert note.startswith("openai failed 2 time(s) (")
    assert reason in note
    assert note.endswith("; written by builtin instead")
    assert len(chat_server.requests) == 2  # text.max_attempts


def test_a_hung_server_hands_the_story_to_builtin_at_the_deadline(
    chat_server: ScriptedServer, tmp_path: Path
) -> None:
    chat_server.always(CHAT_PATH, ScriptedResponse(body=chat_completion_body(STORY), delay_s=30))
    settings = writer_settings(
        chat_server, tmp_path, {"deadline_s": 1}, {"timeout_s": 60, "max_retries": 3}
    )

    composed = compose(create_engine(settings), REQUEST, settings)

    assert composed.engine == "builtin"
    assert composed.note is not None
    assert composed.note.startswith("openai did not finish within 1 s (text.deadline_s): ")
    assert "had not answered by the story's deadline" in composed.note
    assert len(chat_server.requests) == 1  # neither a retry nor a second answer was asked
