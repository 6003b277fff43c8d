"""Benchmark pictures and narration: the builtin illustrator, piper and espeak, and the
memory a worker needs for them.

Run from the repository root: ``.venv/bin/python bench/media.py``. Each engine runs in a
fresh child process, so its peak RSS is its own (engine loaded, one story handled), and the
figures printed are medians over a few runs after a warm-up. Goals (issue 4): a picture in
≤ 300 ms; a 300-word story narrated in ≤ 8 s with piper and ≤ 0.5 s with espeak.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path
from queue import Empty

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

RUNS = 5
SPEECH_RUNS = 3
WORKER_STORIES = 4


def story(words: int = 300) -> tuple[str, str, tuple[str, ...]]:
    """A real story from the builtin composer, cut to ``words`` words."""
    from bedtales.config import load_settings
    from bedtales.engines.text import StoryRequest, get_text_engine
    from bedtales.stories.prompt import split_answer

    settings = load_settings(tempfile.mkdtemp())
    characters = ("Milo", "Luna")
    scene = "a moonlit pine forest where owls hoot softly"
    answer = get_text_engine("builtin", settings).write(
        StoryRequest(prompt="", characters=characters, scene=scene, seed=7, min_words=words)
    )
    written = split_answer(answer.text)
    return written.title, " ".join(written.description.split()[:words]), characters


def illustrate(queue: multiprocessing.Queue[dict[str, object]]) -> None:
    from bedtales.config import load_settings
    from bedtales.engines.image import PictureRequest, engines

    title, text, characters = story()
    engine = engines.create("builtin", load_settings(tempfile.mkdtemp()))
    times, sizes = [], []
    for run in range(RUNS + 1):
        request = PictureRequest(f"story-{run}", title, "a moonlit pine forest", characters, text)
        started = time.perf_counter()
        picture = engine.illustrate(request)
        if run:  # the first run warms up (fonts, caches)
            times.append(time.perf_counter() - started)
            sizes.append(len(picture.data))
    queue.put(
        {
            "engine": "builtin illustrator",
            "median_s": statistics.median(times),
            "png_kb": statistics.median(sizes) / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def narrate(name: str, queue: multiprocessing.Queue[dict[str, object]]) -> None:
    from bedtales.config import load_settings
    from bedtales.engines.speech import engines
    from bedtales.errors import EngineUnavailable
    from bedtales.targets.narrate import spoken_text

    title, text, _ = story()
    try:
        engine = engines.create(name, load_settings(tempfile.mkdtemp()))
    except EngineUnavailable as exc:
        queue.put({"engine": name, "error": str(exc)})
        return
    spoken = spoken_text(title, text)
    engine.speak("Hello.")  # warm-up: the first call loads the voice
    times = []
    for _ in range(SPEECH_RUNS):
        started = time.perf_counter()
        speech = engine.speak(spoken)
        times.append(time.perf_counter() - started)
    took = statistics.median(times)
    queue.put(
        {
            "engine": name,
            "words": len(spoken.split()),
            "median_s": took,
            "audio_s": speech.duration_s,
            "real_time_factor": took / speech.duration_s,
            "times_real_time": speech.duration_s / took,
            "mp3_kb": len(speech.data) / 1024,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def worker(queue: multiprocessing.Queue[dict[str, object]]) -> None:
    """A real worker with the default settings (builtin pictures, piper if installed),
    handling STORIES stories end to end, on SQLite in a fresh data dir."""
    import threading

    from bedtales.app import initialise
    from bedtales.households import services

    bedtales, _, _ = initialise(Path(tempfile.mkdtemp()) / "data", timezone="UTC")
    ids = [bedtales.write_story(seed=seed).id for seed in range(WORKER_STORIES)]
    stop = threading.Event()
    threads = [threading.Thread(target=bedtales.worker(concurrency=2).run, args=(stop,))]
    threads += [threading.Thread(target=p.run, args=(stop,)) for p in bedtales.pipes()]
    started = time.perf_counter()
    for thread in threads:
        thread.start()

    def finished() -> bool:
        stories = [services.get_story(bedtales.db, i) for i in ids]
        return all(s.image.state == s.audio.state == "done" for s in stories)

    while not finished():
        time.sleep(0.1)
    took = time.perf_counter() - started
    stop.set()
    for thread in threads:
        thread.join()
    engines = {services.get_story(bedtales.db, i).audio.engine for i in ids}
    bedtales.close()
    queue.put(
        {
            "engine": "worker",
            "stories": WORKER_STORIES,
            "speech": ",".join(sorted(e or "?" for e in engines)),
            "seconds": took,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        }
    )


def in_child(target: object, *args: object) -> dict[str, object]:
    context = multiprocessing.get_context("spawn")
    queue: multiprocessing.Queue[dict[str, object]] = context.Queue()
    process = context.Process(target=target, args=(*args, queue))  # type: ignore[arg-type]
    process.start()
    while True:
        try:
            result = queue.get(timeout=1)
        except Empty:
            if not process.is_alive():
                raise SystemExit(f"the {target} benchmark failed: see above") from None
            continue
        process.join()
        return result


def main() -> None:
    results = [in_child(illustrate)]
    results += [in_child(narrate, name) for name in ("piper", "espeak")]
    results += [in_child(worker)]
    for result in results:
        if "error" in result:
            print(f"{result['engine']:>20}: unavailable: {result['error']}")
        elif result["engine"] == "worker":
            print(
                f"{'worker':>20}: {result['stories']} stories pictured and narrated "
                f"({result['speech']}) in {result['seconds']:.1f} s with 2 handler threads, "
                f"peak RSS {result['peak_rss_mb']:.0f} MB"
            )
        elif result["engine"] == "builtin illustrator":
            print(
                f"{result['engine']:>20}: {result['median_s'] * 1000:6.0f} ms a picture "
                f"(goal ≤ 300 ms), PNG {result['png_kb']:.0f} KB, "
                f"peak RSS {result['peak_rss_mb']:.0f} MB"
            )
        else:
            print(
                f"{result['engine']:>20}: {result['median_s']:6.2f} s for {result['words']} words "
                f"({result['audio_s']:.1f} s of audio, real-time factor "
                f"{result['real_time_factor']:.3f} = {result['times_real_time']:.1f}× real time), "
                f"MP3 {result['mp3_kb']:.0f} KB, peak RSS {result['peak_rss_mb']:.0f} MB"
            )
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
