from __future__ import annotations

import json
from pathlib import Path

import pytest

from bedtales.app import App
from bedtales.errors import InputError
from bedtales.households import services
from bedtales.households.importer import read_characters, read_scenes

REFERENCE = Path(__file__).parent / "data" / "reference"


def test_reference_files_are_read_as_they_are() -> None:
    assert read_characters(REFERENCE / "characters.json") == ["Eric", "Dave"]
    assert len(read_scenes(REFERENCE / "scenes.json")) == 5


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("[{", "not valid JSON (line 1, column 3"),
        ('{"name": "Eric"}', "expected a JSON list of entries, found an object"),
        ('[{"id": "1", "name": "Eric"}, "Dave"]', "entry 2 should be an object, found text"),
        ('[{"id": "7", "nom": "Eric"}]', "entry 1 (id 7) has no 'name'"),
        ('[{"id": "1", "name": 42}]', "entry 1 (id 1) name should be text, found a number"),
        ('[{"id": "1", "name": "  "}]', "entry 1 (id 1) name must not be empty"),
        ('[{"id": "3", "name": "' + "x" * 61 + '"}]', "entry 1 (id 3) name is 61 characters"),
    ],
)
def test_bad_character_files_name_the_file_and_the_entry(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "characters.json"
    path.write_text(content)
    with pytest.raises(InputError) as caught:
        read_characters(path)
    assert str(path) in str(caught.value)
    assert problem in str(caught.value)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_scenes(tmp_path / "missing.json")
    bad = tmp_path / "latin1.json"
    bad.write_bytes(b'[{"description": "caf\xe9"}]')
    with pytest.raises(InputError, match="not UTF-8"):
        read_scenes(bad)


def test_import_adds_new_entries_and_skips_known_ones(bedtales: App) -> None:
    names = read_characters(REFERENCE / "characters.json")
    scenes = read_scenes(REFERENCE / "scenes.json")
    first = services.import_entries(bedtales.db, "home", names, scenes)
    assert (first.characters_added, first.scenes_added) == (2, 5)
    again = services.import_entries(bedtales.db, "home", names, scenes)
    assert (again.characters_added, again.characters_skipped, again.scenes_skipped) == (0, 2, 5)


def test_entries_keep_html_as_written(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps([{"id": "1", "name": '<b>"Zoë"</b>'}]))
    assert read_characters(path) == ['<b>"Zoë"</b>']
