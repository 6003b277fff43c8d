from __future__ import annotations

from pathlib import Path

import pytest

from bedtales.config import DEFAULT_PROMPT_TEMPLATE, load_settings
from bedtales.errors import ConfigError
from bedtales.stories.prompt import answer_token_limit, build_prompt, chat_messages, split_answer


def test_default_prompt_is_the_reference_prompt() -> None:
    prompt = build_prompt(DEFAULT_PROMPT_TEMPLATE, ["Eric", "Dave"], "a sunny park")
    assert prompt == (
        "Write a title and a rhyming story on 2 main characters called Eric and Dave.\n"
        "The story needs to be set within the scene a sunny park and be at least 200 words long"
    )


def test_title_is_the_first_line_without_title_prefix_and_quotes() -> None:
    for first in (
        'Title: "The Moon Boat"',
        "**Title:** The Moon Boat",
        "“The Moon Boat”",
        "# The Moon Boat",
    ):
        assert (
            split_answer(f"\n{first}\n\nOnce upon a time\nthere was a boat.").title
            == "The Moon Boat"
        )


def test_stanza_breaks_are_kept_and_runs_of_blank_lines_collapse() -> None:
    story = split_answer("Title\n\n\nLine one\nLine two\n\n\n\nLine three  \nLine four\n\n")
    assert story.description == "Line one\nLine two\n\nLine three\nLine four"


def test_empty_answer_gives_empty_parts() -> None:
    story = split_answer("   \n  ")
    assert (story.title, story.description) == ("", "")


def test_chat_model_lead_ins_are_not_titles() -> None:
    story = split_answer(
        "Sure! Here is a rhyming story about Eric and Dave:\n\n**The Moon Boat**\n\nLine one"
    )
    assert (story.title, story.description) == ("The Moon Boat", "Line one")
    assert split_answer("**Title:**\nThe Moon Boat\n\nLine one").title == "The Moon Boat"
    assert split_answer("Title: The Moon Boat\nLine one").title == "The Moon Boat"


@pytest.mark.parametrize(
    "template", ["Write a story set in {scene}", "A story for {count} children in {scene}"]
)
def test_a_template_without_names_is_refused_at_start(tmp_path: Path, template: str) -> None:
    (tmp_path / "bedtales.toml").write_text(f'[text]\nprompt_template = "{template}"\n')

    with pytest.raises(ConfigError, match=r"text.prompt_template.*must contain \{names\}") as e:
        load_settings(tmp_path)

    assert e.value.exit_code == 2


def test_the_series_sentence_goes_where_the_template_says() -> None:
    template = "{previously} Now a story on {names} in {scene}."
    prompt = build_prompt(template, ["Eric"], "a sunny park", "Last night Eric flew.")
    assert prompt == "Last night Eric flew. Now a story on Eric in a sunny park."
    assert build_prompt("A story on {names}.", ["Eric"], "x", "Last night.") == (
        "A story on Eric.\nLast night."
    )


def test_chat_messages_put_the_system_message_first_when_there_is_one() -> None:
    assert chat_messages("Be calm.", "A story") == [
        {"role": "system", "content": "Be calm."},
        {"role": "user", "content": "A story"},
    ]
    assert chat_messages("", "A story") == [{"role": "user", "content": "A story"}]


def test_the_answer_limit_grows_with_the_length_asked_for() -> None:
    assert answer_token_limit(200) == 1000
    assert answer_token_limit(500) == 2350
    assert answer_token_limit(200, configured=700) == 700


def test_the_default_system_message_asks_for_a_title_line(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert 'Begin your answer with the line "Title: "' in settings.text.system_message
    assert settings.text.prompt_template == DEFAULT_PROMPT_TEMPLATE  # the user prompt as it was
    assert load_settings(tmp_path, text={"system_message": ""}).text.system_message == ""


def test_deadline_is_validated(tmp_path: Path) -> None:
    assert load_settings(tmp_path).text.deadline_s == 90
    for bad in (0, 0.5, 3601):
        with pytest.raises(ConfigError, match=r"invalid setting text\.deadline_s"):
            load_settings(tmp_path, text={"deadline_s": bad})
