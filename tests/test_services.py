from __future__ import annotations

from datetime import timedelta

import pytest

from bedtales.app import App
from bedtales.errors import Expired, InputError, NotFound
from bedtales.households import services
from bedtales.stories.starter import STARTER_SCENES


def test_init_gives_home_two_characters_and_many_gentle_scenes(bedtales: App) -> None:
    home = services.get_household(bedtales.db, "home")
    assert (home.timezone, home.story_ttl_hours) == ("Europe/London", 48)
    assert len(services.list_characters(bedtales.db, "home")) == 2
    scenes = services.list_scenes(bedtales.db, "home")
    assert len(scenes) >= 20
    assert [s.description for s in scenes] == list(STARTER_SCENES)


def test_characters_add_list_remove(bedtales: App) -> None:
    services.add_characters(bedtales.db, "home", ["Eric", "Dave"])
    names = [c.name for c in services.list_characters(bedtales.db, "home")]
    assert names[-2:] == ["Eric", "Dave"]
    assert services.remove_character(bedtales.db, "home", "eric").name == "Eric"
    assert "Eric" not in [c.name for c in services.list_characters(bedtales.db, "home")]
    with pytest.raises(NotFound, match="no character 'Eric'"):
        services.remove_character(bedtales.db, "home", "Eric")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "must not be empty"),
        ("   \t ", "must not be empty"),
        ("x" * 61, "61 characters long; the most is 60"),
        ("Eric\x00", "control characters"),
        ("Da\nve", "control characters"),
        ("Bo\u200bb", "control characters"),
        ("Killer Kate", "child-safety list: killer"),
    ],
)
def test_bad_names_are_refused(bedtales: App, name: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as caught:
        services.add_character(bedtales.db, "home", name)
    assert caught.value.field == "name"


def test_a_duplicate_refuses_the_whole_batch(bedtales: App) -> None:
    before = services.list_characters(bedtales.db, "home")
    with pytest.raises(InputError, match="'milo' already exists"):
        services.add_characters(bedtales.db, "home", ["Nina", "milo"])
    assert services.list_characters(bedtales.db, "home") == before
    with pytest.raises(InputError, match="already exists"):
        services.add_characters(bedtales.db, "home", ["Nina", "  NINA "])


def test_names_with_html_are_stored_as_written(bedtales: App) -> None:
    name = "<script>alert('hi')</script>"
    services.add_character(bedtales.db, "home", name)
    assert name in [c.name for c in services.list_characters(bedtales.db, "home")]


def test_scenes_add_list_remove_and_limits(bedtales: App) -> None:
    scene = services.add_scene(bedtales.db, "home", '  A "quiet" lake  ')
    assert scene.description == 'A "quiet" lake'
    with pytest.raises(InputError, match="already exists"):
        services.add_scene(bedtales.db, "home", 'a "QUIET"   lake')
    with pytest.raises(InputError, match="child-safety list: ghost"):
        services.add_scene(bedtales.db, "home", "a haunted house with a GHOST")
    with pytest.raises(InputError, match="301 characters long; the most is 300"):
        services.add_scene(bedtales.db, "home", "y" * 301)
    services.add_scene(bedtales.db, "home", "z" * 300)
    assert services.remove_scene(bedtales.db, "home", str(scene.id)) == scene
    assert services.remove_scene(bedtales.db, "home", "Z" * 300).description == "z" * 300
    with pytest.raises(NotFound):
        services.remove_scene(bedtales.db, "home", "99999")


def test_unknown_household_is_not_found(bedtales: App) -> None:
    with pytest.raises(NotFound, match="household 'nope' does not exist"):
        services.add_character(bedtales.db, "nope", "Eric")


def test_households_validate_time_zone_and_ttl(bedtales: App) -> None:
    with pytest.raises(InputError, match="not an IANA time zone"):
        services.add_household(bedtales.db, "casa", timezone="Mars/Olympus")
    with pytest.raises(InputError, match="between 1 and 168 hours"):
        services.add_household(bedtales.db, "casa", ttl_hours=0)
    services.add_household(bedtales.db, "casa", timezone="America/New_York", ttl_hours=24)
    with pytest.raises(InputError, match="already exists"):
        services.add_household(bedtales.db, "casa")
    assert [h.name for h in services.list_households(bedtales.db)] == ["casa", "home"]


def test_reads_never_return_an_expired_story(bedtales: App) -> None:
    story = bedtales.write_story(seed=7)
    assert services.get_story(bedtales.db, story.id) == story
    assert story.expires_at - story.created_at == timedelta(hours=48)
    after = story.expires_at + timedelta(seconds=1)
    with pytest.raises(Expired):
        services.get_story(bedtales.db, story.id, now=after)
    assert services.list_stories(bedtales.db, now=after) == []
    assert services.list_stories(bedtales.db, now=story.expires_at - timedelta(seconds=1)) == [
        story
    ]


def test_unknown_story_is_not_found(bedtales: App) -> None:
    with pytest.raises(NotFound):
        services.get_story(bedtales.db, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(NotFound):
        services.get_story(bedtales.db, "not-a-uuid")


def test_two_writers_adding_the_same_name_at_once_get_a_clear_error(bedtales: App) -> None:
    import threading

    barrier = threading.Barrier(6)
    outcomes: list[str] = []

    def add() -> None:
        barrier.wait()
        try:
            services.add_character(bedtales.db, "home", "Twin")
            outcomes.append("added")
        except InputError:
            outcomes.append("refused")

    threads = [threading.Thread(target=add) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["added"] + ["refused"] * 5
    assert [c.name for c in services.list_characters(bedtales.db, "home")].count("Twin") == 1


def test_joiners_in_names_are_kept_and_composed_forms_are_duplicates(bedtales: App) -> None:
    services.add_characters(
        bedtales.db, "home", ["Ali\u200creza", "👨\u200d👩\u200d👧", "Zoe\u0308"]
    )
    with pytest.raises(InputError, match="already exists"):
        services.add_character(bedtales.db, "home", "Zo\u00eb")


def test_bedtime_phrases_with_listed_words_are_allowed(bedtales: App) -> None:
    for scene in ("watching shooting stars from the roof", "a pillow fight at a sleepover"):
        services.add_scene(bedtales.db, "home", scene)
