from __future__ import annotations

import pytest

from bedtales.stories.gates import (
    SafetyList,
    check_repetition,
    check_script,
    check_story,
    check_title,
    count_words,
)
from bedtales.stories.prompt import StoryText

SAFE = SafetyList.build()
BODY = " ".join(["Eric and Dave went walking by the sea."] * 30)


def test_a_good_story_passes() -> None:
    assert (
        check_story(StoryText("By the Sea", BODY), ["Eric", "Dave"], min_words=200, safety=SAFE)
        == []
    )


def test_each_gate_reports_its_reason() -> None:
    problems = check_story(
        StoryText("", "Eric saw a ghost."), ["Eric", "Dave"], min_words=200, safety=SAFE
    )
    assert "no title" in problems
    assert any(p.startswith("story has 4 words") for p in problems)
    assert "character(s) not named: Dave" in problems
    assert "words from the child-safety list: ghost" in problems


def test_safety_list_matches_whole_words_with_endings_and_extra_words() -> None:
    safety = SafetyList.build(["gloomy"])
    assert safety.find("They were KILLED. Shut   up! So gloomy.") == [
        "gloomy",
        "killed",
        "shut   up",
    ]
    # whole words only: "skill", "diet" and "ghostly-white" parts are not matches of "kill"/"die"
    assert safety.find("a skill, a diet, a studied grin, class") == []


def test_names_count_in_any_case_and_as_whole_words() -> None:
    text = StoryText("t", BODY.replace("Dave", "dave"))
    assert check_story(text, ["Eric", "Dave"], min_words=10, safety=SAFE) == []
    assert check_story(StoryText("t", "Erica " * 300), ["Eric"], min_words=10, safety=SAFE) == [
        "character(s) not named: Eric"
    ]


def test_word_count() -> None:
    assert count_words("Eric's boat — so bright! Off they go, twenty-two miles.") == 9


def gate(title: str, body: str = BODY, prompt: str = "A story on Eric and Dave") -> list[str]:
    return check_story(
        StoryText(title, body), ["Eric", "Dave"], min_words=50, safety=SAFE, prompt=prompt
    )


@pytest.mark.parametrize(
    "title",
    [
        "Milo, Luna and the Lost Silver Button",
        "Who Is Awake in the Bakery?",
        "The Night the Dough Kept Rising",
        "Bramble's Long Way Home",
        "A Starry Night Out for Milo and Luna",
        "Zoë and the Snow-White Horse!",
        "Good Night, Little Boat",
        "Eric",
    ],
)
def test_titles_that_look_like_titles_pass(title: str) -> None:
    assert check_title(title) == []


def test_five_names_do_not_make_a_title_too_long() -> None:
    cast = ["Ana-Lu", "Mr. Whiskers", "O'Brien", "Zoë", "Sam"]
    title = "The Night Ana-Lu, Mr. Whiskers, O'Brien, Zoë and Sam Helped the Tiny Star"
    assert check_title(title, cast) == []
    assert check_title(title) == ["title has 13 words (most 12)"]


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        ("In a parched moon,", "title 'In a parched moon,' ends in ',' like a line of verse"),
        ("A beacon;", "title 'A beacon;' ends in ';' like a line of verse"),
        ("They sailed away.", "title 'They sailed away.' ends in '.' like a sentence"),
        ("And then…", "title 'And then…' ends in '…' like a sentence"),
        ("* * *", "title '* * *' has no letter"),
        ("1, 2, 3", "title '1, 2, 3' has no letter"),
        ("A" * 101, "title is 101 characters long (most 100)"),
        (
            "Once upon a time two friends walked all the way to the moon and back again",
            "title has 16 words (most 12)",
        ),
        ("", "no title"),
    ],
)
def test_titles_that_are_verse_sentences_or_too_long_are_refused(title: str, problem: str) -> None:
    assert check_title(title) == [problem]
    assert problem in gate(title)


def test_a_line_that_comes_back_more_than_twice_is_a_loop() -> None:
    body = "\n".join(["Eric and Dave set off,", *["A beacon,"] * 209, "A bea"])
    assert check_repetition(body) == ["the line 'A beacon,' comes 209 times"]
    assert "the line 'A beacon,' comes 209 times" in gate("The Beacon", body)
    # compared without case and punctuation
    assert check_repetition("A beacon,\na BEACON!\n  A beacon\nthe end") == [
        "the line 'A beacon,' comes 3 times"
    ]


def test_a_refrain_may_come_back_once() -> None:
    lines = [f"Eric and Dave walked on by stone number {i}." for i in range(30)]
    refrain = ["Hush now, the moon is high,", "and sleepy stars fill up the sky."]
    body = "\n".join([*refrain, *lines[:15], "", *refrain, *lines[15:]])
    assert check_repetition(body) == []


def test_a_story_told_twice_has_too_few_different_lines() -> None:
    story = [f"Eric and Dave counted sheep number {i}." for i in range(10)]
    assert check_repetition("\n".join(story + story)) == [
        "only 10 of its 20 lines differ from each other"
    ]


def test_an_answer_in_another_script_is_refused() -> None:
    cyrillic = "Эрик и Дэйв пошли гулять под луной, и звёзды светили им всю ночь.\n" * 20
    assert check_script(cyrillic, ["Eric", "Dave", "A story on Eric and Dave"]) == [
        "story is written in Cyrillic letters (100 % of its letters), not in the Latin of "
        "the names and the prompt"
    ]
    chinese = "Eric and Dave\n" + "埃里克和戴夫在月光下散步，星星一整夜都在闪烁。\n" * 10
    (problem,) = check_script(chinese, ["Eric", "Dave"])
    assert problem.startswith("story is written in CJK letters")


def test_the_script_of_the_names_and_prompt_is_welcome() -> None:
    story = "Маша и Миша пошли гулять под луной, и звёзды светили им всю ночь.\n" * 20
    prompt = "Write a rhyming story on 2 main characters called Маша and Миша."
    assert check_script(story, ["Маша", "Миша", prompt]) == []
    # a few words of another script are fine: a quarter of the letters is the limit
    mixed = BODY + " Они сказали: спокойной ночи!"
    assert check_script(mixed, ["Eric", "Dave"]) == []
    assert check_script("anything", []) == []
