from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from bedtales.app import App
from bedtales.storage.models import StoryChangeRow, StoryRow
from bedtales.stories.stream import latest_position, prune_changes, read_changes


def test_every_change_to_stories_is_streamed_in_order_with_images(bedtales: App) -> None:
    story = bedtales.write_story(seed=1)
    with bedtales.db.session() as s:
        s.execute(update(StoryRow).where(StoryRow.id == story.id).values(image_state="done"))
    with bedtales.db.session() as s:  # an update that changes nothing is not a change
        s.execute(update(StoryRow).where(StoryRow.id == story.id).values(image_state="done"))
    with bedtales.db.session() as s:
        s.delete(s.get(StoryRow, story.id))
    with bedtales.db.session() as s:
        records = read_changes(s, 0, 100)
    assert [r.event_name for r in records] == ["INSERT", "MODIFY", "REMOVE"]
    assert [r.seq for r in records] == sorted(r.seq for r in records)
    assert all(r.keys == {"id": story.id} for r in records)
    insert, modify, remove = records
    assert insert.old_image is None
    assert remove.new_image is None
    assert insert.new_image is not None
    assert insert.new_image["title"] == story.title
    assert insert.new_image["characters"] == ["Milo", "Luna"]
    assert insert.new_image["household"] == "home"
    assert datetime.fromisoformat(insert.new_image["created_at"]) == story.created_at
    assert datetime.fromisoformat(insert.new_image["expires_at"]) == story.expires_at
    assert modify.old_image is not None
    assert modify.new_image is not None
    assert (modify.old_image["image_state"], modify.new_image["image_state"]) == ("pending", "done")
    assert remove.old_image == modify.new_image


def test_reading_from_a_position_and_the_document_shape(bedtales: App) -> None:
    first = bedtales.write_story(seed=1)
    second = bedtales.write_story(seed=2)
    with bedtales.db.session() as s:
        position = latest_position(s)
        records = read_changes(s, position - 1, 10)
    assert [r.keys["id"] for r in records] == [second.id]
    document = records[0].document()
    assert document["eventName"] == "INSERT"
    assert document["eventSource"] == "bedtales.stories"
    assert document["newImage"]["id"] == second.id
    assert first.id != second.id


def test_records_older_than_a_day_are_pruned(bedtales: App) -> None:
    bedtales.write_story(seed=1)
    with bedtales.db.session() as s:
        changed_at = s.scalars(select(StoryChangeRow.changed_at)).one()
        assert prune_changes(s, now=changed_at + timedelta(hours=23)) == 0
        assert prune_changes(s, now=changed_at + timedelta(hours=24, seconds=1)) == 1
        assert read_changes(s, 0, 10) == []
