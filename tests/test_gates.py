from __future__ import annotations

from bedtales.stories.gates import SafetyList, check_story, count_words
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
