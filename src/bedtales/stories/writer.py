"""The story writer: the create-story step of the flow.

Loads the household's characters, picks a scene at random (avoiding the last few nights'
scenes while others remain), builds the prompt, asks the text engine, runs the quality gates
(retrying, then falling back to ``builtin``) and stores the story. The engine is called
outside any database transaction: a slow service never holds a lock.
"""

from __future__ import annotations

import logging
import random
import secrets
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bedtales.clock import utcnow
from bedtales.config import Settings
from bedtales.domain import Story, text_key
from bedtales.engines.text import Answer, StoryRequest, TextEngine, get_text_engine
from bedtales.errors import EngineError, InputError
from bedtales.households.services import household_row, recent_scenes, story_record
from bedtales.metrics import record_story_written
from bedtales.storage import Database
from bedtales.storage.database import is_unique_violation
from bedtales.storage.models import StoryRow
from bedtales.stories.gates import SafetyList, check_story, count_words
from bedtales.stories.memory import Memory, StoryPlan, scene_fingerprint
from bedtales.stories.prompt import StoryText, build_prompt, prompt_names, split_answer
from bedtales.stories.recall import load_memory, load_previously, record_story

log = logging.getLogger(__name__)

FALLBACK_ENGINE = "builtin"
SEED_LIMIT = 2**31  # seeds fit a signed 32-bit column on every database
BUILTIN_SEEDS = 50


@dataclass(frozen=True)
class Composed:
    text: StoryText
    engine: str
    note: str | None
    plan: StoryPlan | None = None  # the builtin writer's choices


def write_story(
    db: Database,
    settings: Settings,
    household: str,
    *,
    engine: str | None = None,
    seed: int | None = None,
    now: datetime | None = None,
    story_id: str | None = None,
    text_engine: TextEngine | None = None,
) -> Story:
    """Write tonight's story for ``household`` and store it; returns the stored story.

    With ``story_id`` (a scheduled firing's) the write is idempotent: if that story exists
    already it is returned as it is, and of two writers racing for it one stores its story
    and the other returns that one. ``text_engine`` is an engine already built (a worker's,
    shared between stories); otherwise ``engine`` (or the setting) names the one to build.
    """
    started = time.perf_counter()
    if story_id is not None and (existing := _stored(db, story_id)) is not None:
        return existing
    if text_engine is None:
        text_engine = get_text_engine(engine or settings.text.engine, settings)
    if seed is None:
        seed = secrets.randbelow(SEED_LIMIT)
    elif not 0 <= seed < SEED_LIMIT:
        raise InputError(f"seed must be between 0 and {SEED_LIMIT - 1}", field="seed")

    moment = now or utcnow()
    with db.session() as session:
        home = household_row(session, household)
        characters = [row.name for row in home.characters]
        scenes = [row.description for row in home.scenes]
        memory = load_memory(session, home.id)
        previously = load_previously(session, home.id, moment)
        recent = _recent_scenes(session, home.id, scenes, memory, settings.text.recent_scenes)
        household_id, ttl_hours = home.id, home.story_ttl_hours
    if not characters:
        raise InputError(
            f"household {household!r} has no characters yet: add one with "
            f"`bedtales characters add NAME --household {household}`",
            field="characters",
        )
    if not scenes:
        raise InputError(
            f"household {household!r} has no scenes yet: add one with "
            f"`bedtales scenes add TEXT --household {household}`",
            field="scenes",
        )

    scene = pick_scene(scenes, recent, random.Random(seed))
    series = previously.sentence(prompt_names(characters)) if previously else ""
    prompt = build_prompt(settings.text.prompt_template, characters, scene, previously=series)
    request = StoryRequest(
        prompt=prompt,
        characters=tuple(characters),
        scene=scene,
        seed=seed,
        min_words=settings.text.min_words,
        memory=memory,
        previously=previously,
    )
    composed = compose(text_engine, request, settings)

    created_at = now or utcnow()
    row = StoryRow(
        id=story_id or str(uuid.uuid4()),
        household_id=household_id,
        title=composed.text.title,
        description=composed.text.description,
        scene=scene,
        characters=characters,
        prompt=prompt,
        engine=composed.engine,
        engine_note=composed.note,
        seed=seed,
        word_count=count_words(composed.text.description),
        created_at=created_at,
        expires_at=created_at + timedelta(hours=ttl_hours),
        plan=composed.plan.to_json() if composed.plan else None,
    )
    try:
        with db.session() as session:
            session.add(row)
            session.flush()
            # in the story's transaction: a story and its memory are stored together (and
            # the loser of a race for story_id stores neither)
            record_story(session, household_id, row, composed.plan)
            story = story_record(row)
    except IntegrityError as exc:
        if story_id is None or not is_unique_violation(exc):
            raise
        existing = _stored(db, story_id)
        if existing is None:  # stored and gone again at once: not ours to explain
            raise
        return existing
    record_story_written(story.engine, time.perf_counter() - started)
    log.info("story %s written for %s by %s: %s", story.id, household, story.engine, story.title)
    return story


def _stored(db: Database, story_id: str) -> Story | None:
    with db.session() as session:
        row = session.get(StoryRow, story_id)
        return None if row is None else story_record(row)


def _recent_scenes(
    session: Session, household_id: int, scenes: Sequence[str], memory: Memory, count: int
) -> list[str]:
    """The household's scenes used by its last ``count`` stories.

    The memory remembers them past the stories' expiry (a sweep deletes the stories); the
    stories table adds those written before the memory began, or while it could not be read.
    """
    if count <= 0:
        return []
    latest = set(memory.scenes[:count])
    recent = [scene for scene in scenes if scene_fingerprint(scene) in latest]
    if len(memory.scenes) < count:
        recent.extend(recent_scenes(session, household_id, count))
    return recent


def pick_scene(scenes: Sequence[str], recent: Sequence[str], rng: random.Random) -> str:
    """A random scene, leaving out the recent nights' scenes while any other remains."""
    recent_keys = {text_key(scene) for scene in recent}
    fresh = [scene for scene in scenes if text_key(scene) not in recent_keys]
    return rng.choice(fresh or list(scenes))


def compose(engine: TextEngine, request: StoryRequest, settings: Settings) -> Composed:
    """Ask ``engine`` up to ``text.max_attempts`` times; fall back to builtin if none passes.

    One deadline (``text.deadline_s``) covers every answer and retry of the chosen engine,
    so a hung server holds a story that long at most, rather than its timeout for every retry
    of every answer; the builtin fallback takes milliseconds and needs none.
    """
    safety = SafetyList.build(settings.text.extra_blocked_words)
    deadline_s = settings.text.deadline_s
    timed = replace(request, deadline=time.monotonic() + deadline_s)
    refusals: list[str] = []
    for attempt in range(settings.text.max_attempts):
        if _past(timed.deadline):
            break
        passed, problem = _attempt(engine, replace(timed, seed=request.seed + attempt), safety)
        if passed is not None:
            note = (
                f"{engine.name} answers refused first: {'; '.join(refusals)}" if refusals else None
            )
            return Composed(passed.text, engine.name, note, passed.plan)
        refusals.append(problem)
        log.warning("%s answer %d refused: %s", engine.name, attempt + 1, problem)

    if engine.name == FALLBACK_ENGINE:
        passed, problem = _attempt_builtin(
            engine, replace(request, seed=request.seed + len(refusals)), safety
        )
        if passed is not None:
            return Composed(
                passed.text,
                engine.name,
                f"builtin answers refused first: {'; '.join(refusals)}",
                passed.plan,
            )
        raise EngineError(f"the builtin engine failed the quality gates: {problem}")
    fallback = get_text_engine(FALLBACK_ENGINE, settings)
    passed, problem = _attempt_builtin(fallback, request, safety)
    if passed is None:
        raise EngineError(f"the builtin fallback failed the quality gates: {problem}")
    late = _past(timed.deadline)
    note = _fallback_note(engine.name, refusals, deadline_s if late else None)
    log.warning("story written by %s instead: %s", FALLBACK_ENGINE, note)
    return Composed(passed.text, FALLBACK_ENGINE, note, passed.plan)


def _past(deadline: float | None) -> bool:
    return deadline is not None and time.monotonic() >= deadline


def _fallback_note(name: str, refusals: list[str], late_after_s: float | None) -> str:
    """Why the chosen engine's story was not kept, as the story's ``engine_note`` says it."""
    reasons = "; ".join(refusals)
    if late_after_s is not None:
        why = f"{name} did not finish within {late_after_s:g} s (text.deadline_s)"
        why += f": {reasons}" if refusals else ""
    else:
        why = f"{name} failed {len(refusals)} time(s) ({reasons})"
    return f"{why}; written by {FALLBACK_ENGINE} instead"


@dataclass(frozen=True)
class _Passed:
    text: StoryText
    plan: StoryPlan | None


def _attempt_builtin(
    engine: TextEngine, request: StoryRequest, safety: SafetyList
) -> tuple[_Passed | None, str]:
    """The offline composer costs a millisecond: try more seeds before giving up (a word
    added to text.extra_blocked_words may be in some of its verses)."""
    problem = ""
    for offset in range(BUILTIN_SEEDS):
        passed, problem = _attempt(engine, replace(request, seed=request.seed + offset), safety)
        if passed is not None:
            return passed, ""
    return None, problem


def _attempt(
    engine: TextEngine, request: StoryRequest, safety: SafetyList
) -> tuple[_Passed | None, str]:
    """One answer, through the gates: the passed story, or why it was refused."""
    try:
        answer: Answer = engine.write(request)
    except EngineError as exc:
        return None, str(exc)
    if answer.finish_reason == "length":
        # what a model stuck in a loop gives: its end is missing, whatever the gates say
        words = count_words(answer.text)
        return None, (
            f"answer cut off at the token limit ({engine.name}.max_tokens) after {words} words"
        )
    text = split_answer(answer.text)
    problems = check_story(
        text,
        request.characters,
        min_words=request.min_words,
        safety=safety,
        prompt=request.prompt,
    )
    if problems:
        return None, ", ".join(problems)
    return _Passed(text, answer.plan), ""
