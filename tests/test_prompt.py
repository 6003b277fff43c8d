from __future__ import annotations

from bedtales.config import DEFAULT_PROMPT_TEMPLATE
from bedtales.stories.prompt import build_prompt, split_answer


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
