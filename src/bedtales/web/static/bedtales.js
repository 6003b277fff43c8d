// bedtales: brings the picture and the narration into the story page when they arrive, and
// highlights each word while the narration reads it. The page works without this script:
// it only adds to what the server rendered, and never builds markup from text (names and
// scenes are shown as written, so they go in through textContent, never innerHTML).
"use strict";

(function () {
  const story = document.querySelector("[data-parts]");
  if (!story) {
    return;
  }
  const announcer = story.querySelector("[data-announce]");
  const FIRST_DELAY_MS = 2000;
  const MAX_DELAY_MS = 10000;
  // the picture and the narration take seconds; a story whose targets are stuck is not
  // worth polling all night
  const GIVE_UP_AFTER_MS = 30 * 60 * 1000;
  const started = Date.now();
  let delay = FIRST_DELAY_MS;

  function announce(text) {
    if (announcer) {
      announcer.textContent = text;
    }
  }

  // ---------------------------------------------------------------- waiting for media

  function showPicture(slot, part) {
    const img = new Image(1024, 1024);
    img.alt = slot.dataset.alt || "";
    img.src = part.url;
    // swapped in once decoded, so the painting placeholder never flashes empty
    const swap = () => {
      slot.replaceChildren(img);
      announce("The picture has been painted.");
    };
    img.decode().then(swap, swap);
  }

  function showNarration(slot, part) {
    const audio = document.createElement("audio");
    audio.controls = true;
    audio.preload = "metadata";
    audio.src = part.url;
    if (part.timingsUrl) {
      audio.dataset.timings = part.timingsUrl;
    }
    slot.replaceChildren(audio);
    announce("The narration is ready to play.");
    readAlong(audio);
  }

  function update(name, part) {
    const slot = story.querySelector('[data-part="' + name + '"][data-pending]');
    if (!slot || !part || part.state === "pending") {
      return;
    }
    slot.removeAttribute("data-pending");
    if (part.state === "done" && part.url) {
      (name === "image" ? showPicture : showNarration)(slot, part);
    } else {
      slot.remove(); // failed for good: left out, as the server leaves it out
    }
  }

  function poll() {
    if (!story.querySelector("[data-pending]") || Date.now() - started > GIVE_UP_AFTER_MS) {
      return;
    }
    if (document.hidden) {
      // nobody is looking: ask again when someone is
      document.addEventListener("visibilitychange", poll, { once: true });
      return;
    }
    fetch(story.dataset.parts, { cache: "no-store", headers: { Accept: "application/json" } })
      .then((response) => {
        if (response.status === 404 || response.status === 410) {
          return null; // gone: stop asking
        }
        return response.ok ? response.json() : {};
      })
      .catch(() => ({})) // offline for a moment: ask again later
      .then((parts) => {
        if (parts === null) {
          return;
        }
        update("image", parts.image);
        update("audio", parts.audio);
        delay = Math.min(delay * 1.25, MAX_DELAY_MS);
        window.setTimeout(poll, delay);
      });
  }

  // ---------------------------------------------------------------- read-along

  // A word is what the narrator's timings call one: a run of non-spaces that holds a letter
  // or a digit (bedtales.engines.speech.audio.find_words).
  const WORD = /[\p{L}\p{N}]/u;
  const PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

  function bare(word) {
    return word.replace(PUNCTUATION, "").toLowerCase();
  }

  function wrapWords() {
    const words = [];
    for (const line of story.querySelectorAll(".stanza .line")) {
      const parts = line.textContent.split(/(\s+)/);
      const pieces = parts.map((text) => {
        if (!WORD.test(text)) {
          return document.createTextNode(text);
        }
        const span = document.createElement("span");
        span.className = "word";
        span.textContent = text;
        words.push(span);
        return span;
      });
      line.replaceChildren(...pieces);
    }
    return words;
  }

  function follow(audio, timed) {
    const words = story.querySelectorAll(".word").length ? [] : wrapWords();
    // the narration first says "This is a story called {title}."; the page's words are the
    // last ones it times
    const offset = timed.length - words.length;
    if (
      words.length === 0 ||
      offset < 0 ||
      bare(timed[offset].word) !== bare(words[0].textContent) ||
      bare(timed[timed.length - 1].word) !== bare(words[words.length - 1].textContent)
    ) {
      return; // the text and the timings disagree: better no highlight than a wrong one
    }
    const reduceMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
    let current = -1;

    function spokenAt(seconds) {
      let low = offset;
      let high = timed.length - 1;
      let found = -1;
      while (low <= high) {
        const middle = (low + high) >> 1;
        if (timed[middle].start <= seconds) {
          found = middle;
          low = middle + 1;
        } else {
          high = middle - 1;
        }
      }
      return found < 0 ? -1 : found - offset;
    }

    function show(index) {
      if (index === current) {
        return;
      }
      const before = current >= 0 ? words[current] : null;
      if (before) {
        before.classList.remove("is-spoken");
      }
      current = index;
      if (index < 0) {
        return;
      }
      const word = words[index];
      word.classList.add("is-spoken");
      // follow the reading down the page, unless the listener has scrolled elsewhere
      const wasVisible = before && before.getBoundingClientRect().bottom <= window.innerHeight;
      if (wasVisible && word.getBoundingClientRect().bottom > window.innerHeight) {
        word.scrollIntoView({ block: "center", behavior: reduceMotion.matches ? "auto" : "smooth" });
      }
    }

    function tick() {
      show(audio.ended ? -1 : spokenAt(audio.currentTime));
      if (!audio.paused && !audio.ended) {
        window.requestAnimationFrame(tick);
      }
    }

    audio.addEventListener("play", () => window.requestAnimationFrame(tick));
    audio.addEventListener("seeked", tick);
    audio.addEventListener("ended", tick);
  }

  function readAlong(audio) {
    const url = audio.dataset.timings;
    if (!url) {
      return;
    }
    fetch(url)
      .then((response) => (response.ok ? response.json() : null))
      .then((timings) => {
        if (timings && Array.isArray(timings.words) && timings.words.length) {
          follow(audio, timings.words);
        }
      })
      .catch(() => {}); // no timings, no highlighting: the story still plays
  }

  const narration = story.querySelector(".listen audio");
  if (narration) {
    readAlong(narration);
  }
  window.setTimeout(poll, delay);
})();
