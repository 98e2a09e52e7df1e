// Plays narration in the page instead of opening the MP3 (which is what the link does
// without JavaScript), starts it by itself where the learner's setting asks, and moves
// focus to the new content after htmx swaps part of a page.
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

  player.addEventListener("ended", function () {
    if (current) current.classList.remove("playing");
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-narration]");
    if (!link) return;
    event.preventDefault();
    play(link);
  });

  function autoplay(root) {
    var first = root.querySelector("a[data-narration][data-autoplay]");
    if (first) play(first);
  }

  document.addEventListener("DOMContentLoaded", function () { autoplay(document); });
  document.body && document.body.addEventListener("htmx:afterSettle", function (event) {
    autoplay(event.detail.elt || document);
    var heading = (event.detail.elt || document).querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
      var announcer = document.getElementById("announcer");
      if (announcer) announcer.textContent = heading.textContent.trim();
    }
  });
})();
