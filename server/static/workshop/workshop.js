// Workshop pages: move with the keyboard (arrow keys, space, Page Up/Down) through the tour and
// the presenter's quiz, and reveal a quiz answer in place. Every action is also a plain link,
// so the pages work without this file.
(function () {
  "use strict";

  // The teacher's class view reloads itself every few seconds while it is on screen.
  const refresh = document.querySelector("[data-refresh]");
  if (refresh) {
    const seconds = Number(refresh.getAttribute("data-refresh")) || 5;
    window.setInterval(() => {
      if (document.visibilityState === "visible") {
        window.location.reload();
      }
    }, seconds * 1000);
  }

  const relLink = (rel) => document.querySelector(`link[rel="${rel}"]`);
  const go = (rel) => {
    const link = relLink(rel);
    if (link) {
      window.location.assign(link.href);
    }
    return Boolean(link);
  };

  const question = document.querySelector("[data-question]");
  const revealLink = document.querySelector("[data-reveal]");

  function reveal() {
    if (!question || question.classList.contains("revealed")) {
      return false;
    }
    question.classList.add("revealed");
    const answer = document.getElementById("answer");
    if (answer) {
      answer.hidden = false;
      answer.setAttribute("tabindex", "-1");
      answer.focus(); // and scrolls it into view on a small screen
    }
    if (revealLink) {
      revealLink.hidden = true;
    }
    return true;
  }

  if (revealLink) {
    revealLink.addEventListener("click", (event) => {
      event.preventDefault();
      reveal();
    });
  }

  if (!relLink("next") && !relLink("prev") && !question) {
    return;
  }

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const target = event.target;
    if (target instanceof Element && target.closest("a, button, input, select, textarea, [contenteditable]")) {
      return;
    }
    let handled = false;
    switch (event.key) {
      case "ArrowRight":
      case "PageDown":
        handled = go("next");
        break;
      case "ArrowLeft":
      case "PageUp":
        handled = go("prev");
        break;
      case " ":
      case "Enter":
        handled = event.shiftKey ? go("prev") : reveal() || go("next");
        break;
      default:
        break;
    }
    if (handled) {
      event.preventDefault();
    }
  });
})();
