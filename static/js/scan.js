// Switch access for learners whose profile says so. One switch: the choices on the screen
// are highlighted one after another at the learner's interval, and the switch (which USB
// switch interfaces send as Space or Enter) selects. Two switches: Space moves on, Enter
// selects. The highlight may also speak the choice. Any touch or click stops scanning;
// nothing is hidden while it runs.
(function () {
  "use strict";
  var body = document.body;
  var method = body && body.dataset.accessMethod;
  if (method !== "switch1" && method !== "switch2") return;
  var seconds = parseFloat(body.dataset.scanSeconds) || 2;
  var speak = body.dataset.scanSpeak === "yes";
  var items = [];
  var index = -1;
  var timer = null;
  var stopped = false;
  var voice = new Audio();

  function scannable() {
    var found = document.querySelectorAll(
      "main .choice button:not([disabled]), main .check-card input, main a.tile, main button.tile, " +
      "main .big-button, main .step-actions button, main .code-pick:not([disabled])");
    return Array.prototype.filter.call(found, function (el) { return el.offsetParent !== null; });
  }

  function highlight(next) {
    if (items[index]) items[index].classList.remove("scan-focus");
    index = next % items.length;
    var item = items[index];
    item.classList.add("scan-focus");
    item.focus({ preventScroll: false });
    if (speak) {
      var holder = item.closest("li") || item.parentElement;
      var listen = holder && holder.querySelector("a[data-narration]");
      if (listen) { voice.src = listen.getAttribute("href"); voice.play().catch(function () {}); }
    }
  }

  function start() {
    clearInterval(timer);
    items = scannable();
    index = -1;
    if (!items.length || stopped) return;
    highlight(0);
    if (method === "switch1") {
      timer = setInterval(function () { highlight(index + 1); }, seconds * 1000);
    }
  }

  function select() {
    var item = items[index];
    if (!item) return;
    clearInterval(timer);
    item.click();
    setTimeout(start, 50);  // a page that stays (a ticked card) scans on
  }

  document.addEventListener("keydown", function (event) {
    if (stopped || !items.length) return;
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (method === "switch2" && event.key === " ") highlight(index + 1);
      else select();
    }
  }, true);
  document.addEventListener("pointerdown", function () {
    stopped = true;
    clearInterval(timer);
    if (items[index]) items[index].classList.remove("scan-focus");
  });
  document.addEventListener("DOMContentLoaded", start);
  document.addEventListener("htmx:afterSettle", start);
  window.switchScan = { restart: function () { stopped = false; start(); } };
})();
