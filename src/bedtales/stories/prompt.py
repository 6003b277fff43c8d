"""The prompt sent to a text engine, and the split of its answer into title and story.

The user message is the household's template (by default the reference app's prompt, word
for word). What helps a small local model write a story the gates accept goes around it: a
system message asking for a "Title:" line and a calm, non-repeating rhyming story, stop
sequences that end a second story before it starts, and an answer limit that grows with the
length asked for: room for a long story, while a loop is stopped (and refused) at a limit
that fits the story rather than at a fixed one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from bedtales.errors import ConfigError

TEMPLATE_FIELDS = frozenset({"count", "names", "scene", "previously"})
REQUIRED_FIELD = "names"  # a story must name its characters, so the prompt must too

# A model that finishes its story and starts another begins with a new title line.
STOP_SEQUENCES = ("\nTitle:", "\n**Title", "\nTITLE:")
TOKENS_PER_WORD = 4.5  # 1.5 tokens a word, and room for a story three times as long
TITLE_TOKENS = 100

_TITLE_PREFIX = re.compile(r"^\s*(?:#+\s*)?(?:\*\*)?\s*title\s*[:\-–—]\s*", re.IGNORECASE)
_QUOTES = "\"'“”‘’«»*_# "


@dataclass(frozen=True)
class StoryText:
    """An engine's answer, split: the title, and the story with its stanza breaks."""

    title: str
    description: str


def check_template(template: str) -> None:
    """Refuse a prompt template with unknown or malformed placeholders, or without
    ``{names}``: a story that must name every character cannot come from a prompt that
    never says who they are."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise ConfigError(f"invalid setting text.prompt_template: {exc}") from None
    unknown = names - TEMPLATE_FIELDS - {""}
    if unknown:
        raise ConfigError(
            f"invalid setting text.prompt_template: unknown placeholder(s) "
            f"{', '.join(sorted('{' + n + '}' for n in unknown))}; "
            f"use {', '.join(sorted('{' + n + '}' for n in TEMPLATE_FIELDS))}"
        )
    if REQUIRED_FIELD not in names:
        raise ConfigError(
            "invalid setting text.prompt_template: it must contain {names}, where the "
            "characters' names go"
        )
    try:  # format specs and positional fields fail only when formatting: try it once now
        template.format(count=2, names="Eric and Dave", scene="a sunny park", previously="")
    except (ValueError, IndexError, KeyError) as exc:
        raise ConfigError(f"invalid setting text.prompt_template: {exc}") from None


def build_prompt(
    template: str, characters: list[str] | tuple[str, ...], scene: str, previously: str = ""
) -> str:
    """Fill the template as the reference app did: names joined with " and ".

    ``previously`` is the series' sentence about the last story: it goes where the template
    says ``{previously}``, or on a line of its own after a template that does not say.
    """
    prompt = template.format(
        count=len(characters), names=prompt_names(characters), scene=scene, previously=previously
    )
    if previously and "{previously}" not in template:
        prompt = f"{prompt.rstrip()}\n{previously}"
    return prompt


def prompt_names(characters: Sequence[str]) -> str:
    """The characters as the prompt names them, as the reference app did: "Milo and Luna"."""
    return " and ".join(characters)


def chat_messages(system_message: str, prompt: str) -> list[dict[str, str]]:
    """The messages of a chat request: the system message (when set), then the prompt."""
    messages = [{"role": "system", "content": system_message}] if system_message else []
    return [*messages, {"role": "user", "content": prompt}]


def answer_token_limit(min_words: int, configured: int | None = None) -> int:
    """The longest answer to allow, in tokens: ``configured`` when set, else enough for a
    story three times the length asked for (``min_words``) and its title: 1000 for 200."""
    if configured is not None:
        return configured
    return round(min_words * TOKENS_PER_WORD) + TITLE_TOKENS


def _is_preamble(line: str) -> bool:
    """A lead-in line rather than a title: ends with a colon, or is only "Title:"."""
    bare = line.strip().strip("*_#\"' ")
    return bare.endswith(":") or not _TITLE_PREFIX.sub("", line).strip(_QUOTES).strip()


def split_answer(answer: str) -> StoryText:
    """First non-empty line is the title (without "Title:" and quotes); the rest is the story.

    Blank lines between stanzas are kept (runs of them collapse to one), trailing spaces go.
    """
    lines = [line.rstrip() for line in answer.strip().replace("\r\n", "\n").split("\n")]
    # chat models often open with "Sure! Here is a story:" or put "Title:" on a line of its own
    while len(lines) > 1 and (not lines[0].strip() or _is_preamble(lines[0])):
        lines.pop(0)
    if not lines or not lines[0]:
        return StoryText(title="", description="")
    title = _TITLE_PREFIX.sub("", lines[0]).strip(_QUOTES).strip()
    body: list[str] = []
    for line in lines[1:]:
        if line.strip() or (body and body[-1]):
            body.append(line.strip() if not line.strip() else line)
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    return StoryText(title=title, description="\n".join(body))
