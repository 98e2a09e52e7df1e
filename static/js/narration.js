// Plays narration in the page instead of opening the MP3 (which is what the link does
// without JavaScript), starts it by itself where the learner's setting asks (and stops it
// when asked), and after htmx swaps part of a page moves focus to the new content and
// announces it.
(function () {
  "use strict";
  var player = new Audio();
  var current = null;

  function play(link) {
    if (current) current.classList.remove("playing");
    current = link;
    link.classList.add("playing");
    player.src = link.getAttribute("href");
    player.play().catch(function () { link.classList.remove("playing"); });
  }

  // Narration that started by itself can always be stopped (WCAG 1.4.2): the listen button
  // that is playing stops it, and so does Escape.
  function stop() {
    player.pause();
    if (current) current.classList.remove("playing");
  }

  player.addEventListener("ended", function () {
    if (current) current.classList.remove("playing");
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-narration]");
    if (!link) return;
    event.preventDefault();
    if (link === current && !player.paused) stop();
    else play(link);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && !player.paused) stop();
  });

  function autoplay(root) {
    var first = root.querySelector("a[data-narration][data-autoplay]");
    if (first) play(first);
  }

  document.addEventListener("DOMContentLoaded", function () {
    autoplay(document);
    var refusal = document.querySelector("[data-refusal]");
    if (refusal) refusal.focus();
  });
  // After htmx swaps part of a page, a screen reader hears what changed: the new message
  // (a "have another go") and heading, read from the #announcer live region. It is emptied
  // first, so the same words said twice are read out twice.
  function announce(text) {
    var announcer = document.getElementById("announcer");
    if (!announcer || !text) return;
    announcer.textContent = "";
    setTimeout(function () { announcer.textContent = text; }, 100);
  }
  window.careerSteps = window.careerSteps || {};
  window.careerSteps.announce = announce; // for recorder.js: one live region a page

  document.body && document.body.addEventListener("htmx:afterSettle", function (event) {
    var root = event.detail.elt || document;
    autoplay(root);
    var heading = root.querySelector("h1");
    var said = Array.prototype.map.call(
      root.querySelectorAll("[role=status], [role=alert], h1"),
      function (el) {
        var copy = el.cloneNode(true);  // without the listen buttons' "Listen"
        copy.querySelectorAll(".listen").forEach(function (l) { l.remove(); });
        return copy.textContent.replace(/\s+/g, " ").trim();
      });
    announce(said.filter(Boolean).join(" "));
    // A refusal ("tap a picture, or tap Skip") is where the learner starts again: focus goes
    // there, and its narration plays (autoplay above picks it, as it comes first).
    // Focus moves only when the swap took it away (the tapped button is gone): a page that
    // refreshes itself (the teacher's control page) leaves someone's place alone.
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var refusal = root.querySelector("[data-refusal]");
    if (refusal) {
      refusal.focus();
    } else if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
  });
})();
