// bedtales: the household's site. The pages work without this script (plain forms, a
// Refresh link); it only adds two things, and never builds markup from text:
// - on a new story's page, each step (written, painted, narrated, sent) updates as it
//   happens, from the small JSON the site gives (".../stories/{id}/progress");
// - on the bedtime page, it offers this device's time zone when it differs from the one set.
"use strict";

(function () {
  // ---------------------------------------------------------------- a new story's progress

  const board = document.querySelector("[data-progress]");
  const FIRST_DELAY_MS = 1500;
  const MAX_DELAY_MS = 6000;
  // a story whose worker is down is not worth polling all night
  const GIVE_UP_AFTER_MS = 30 * 60 * 1000;

  function stateOf(progress, step) {
    if (progress[step] === true) {
      return "done";
    }
    return (progress.failed || []).indexOf(step) >= 0 ? "failed" : "pending";
  }

  function show(progress) {
    const steps = board.querySelectorAll("[data-step]");
    let done = 0;
    steps.forEach((item) => {
      const state = stateOf(progress, item.dataset.step);
      if (state === "done") {
        done += 1;
      }
      if (item.dataset.state !== state) {
        item.dataset.state = state;
        const words = item.querySelector(".progress-words");
        if (words) {
          words.textContent = item.dataset[state] || state;
        }
      }
    });
    const summary = board.querySelector("[data-progress-summary]");
    const text = progress.complete
      ? "All done: the story is ready."
      : done + " of " + steps.length + " steps done.";
    if (summary && summary.textContent !== text) {
      summary.textContent = text; // a live region: read out when it changes
    }
    if (progress.complete) {
      const refresh = board.querySelector("[data-progress-refresh]");
      if (refresh) {
        refresh.remove();
      }
    }
  }

  function follow() {
    const started = Date.now();
    let delay = FIRST_DELAY_MS;

    function poll() {
      if (Date.now() - started > GIVE_UP_AFTER_MS) {
        return;
      }
      if (document.hidden) {
        document.addEventListener("visibilitychange", poll, { once: true });
        return;
      }
      fetch(board.dataset.progress, {
        cache: "no-store",
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then((response) => (response.ok ? response.json() : null))
        .then((progress) => {
          if (!progress) {
            return; // gone: stop asking
          }
          show(progress);
          if (!progress.complete) {
            delay = Math.min(MAX_DELAY_MS, delay * 1.3);
            window.setTimeout(poll, delay);
          }
        })
        .catch(() => {
          // offline for a moment (a phone on the stairs): try again, more slowly
          delay = Math.min(MAX_DELAY_MS, delay * 2);
          window.setTimeout(poll, delay);
        });
    }

    window.setTimeout(poll, delay);
  }

  if (board && board.querySelector('[data-state="pending"]')) {
    follow();
  }

  // ---------------------------------------------------------------- the device's time zone

  const select = document.querySelector("select[data-zone]");
  const hint = document.querySelector("[data-zone-hint]");
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    zone = "";
  }
  if (select && hint && zone && select.value !== zone) {
    const offered = Array.prototype.some.call(select.options, (option) => option.value === zone);
    const button = hint.querySelector("button");
    const name = hint.querySelector("[data-browser-zone]");
    if (offered && button && name) {
      name.textContent = zone.replace(/_/g, " ");
      hint.hidden = false;
      button.addEventListener("click", () => {
        select.value = zone;
        hint.hidden = true;
        select.focus();
      });
    }
  }
})();
