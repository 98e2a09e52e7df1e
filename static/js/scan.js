// Switch access for learners whose profile says so. One switch: the choices on the screen,
// then the page's other buttons and links and the top menu, are highlighted one after another
// at the learner's interval, and the switch (which USB switch interfaces send as Space or
// Enter) selects. Two switches: Space moves on, Enter selects. The highlight may also speak
// the choice. Any touch or click stops scanning; nothing is hidden while it runs.
(function () {
  "use strict";
  // The learner's settings are read from <body> at each start: a boosted page (after signing
  // in, or a change of settings) brings new ones.
  function setting(name) { return document.body ? document.body.dataset[name] : undefined; }
  function method() { return setting("accessMethod"); }
  function scanning() { return method() === "switch1" || method() === "switch2"; }
  var items = [];
  var index = -1;
  var timer = null;
  var stopped = false;
  var voice = new Audio();

  // Everything that can be done without typing, in page order: the page's choices, buttons
  // and links, then the top menu (Home, My passport). Not listen buttons (the scan speaks the
  // choice itself, if the learner wishes), nor text, file or list fields, which a switch
  // cannot fill.
  var CAN_DO = "a[href]:not(.listen), button, input[type=radio], input[type=checkbox], summary";

  function scannable() {
    var found = Array.prototype.slice.call(document.querySelectorAll("main :is(" + CAN_DO + ")"))
      .concat(Array.prototype.slice.call(document.querySelectorAll("header nav :is(" + CAN_DO + ")")));
    return found.filter(function (el) {
      return !el.disabled && el.offsetParent !== null && !el.closest("[hidden], noscript");
    });
  }

  function highlight(next) {
    if (items[index]) items[index].classList.remove("scan-focus");
    index = next % items.length;
    var item = items[index];
    item.classList.add("scan-focus");
    item.focus({ preventScroll: false });
    if (setting("scanSpeak") === "yes") {
      var holder = item.closest("li") || item.parentElement;
      var listen = holder && holder.querySelector("a[data-narration]");
      if (listen) { voice.src = listen.getAttribute("href"); voice.play().catch(function () {}); }
    }
  }

  // from: the element to begin at, if it is still on the page (after ticking a card, the
  // scan goes on from the next card instead of going back to the top).
  function start(from) {
    clearInterval(timer);
    if (items[index]) items[index].classList.remove("scan-focus");
    items = scannable();
    index = -1;
    if (!scanning()) items = [];
    if (!items.length || stopped) return;
    var at = items.indexOf(from);
    highlight(at >= 0 ? at + 1 : 0);
    if (method() === "switch1") {
      var seconds = parseFloat(setting("scanSeconds")) || 2;
      timer = setInterval(function () { highlight(index + 1); }, seconds * 1000);
    }
  }

  function select() {
    var item = items[index];
    if (!item) return;
    clearInterval(timer);
    item.click();
    setTimeout(function () { start(item); }, 50);  // a page that stays (a ticked card) scans on
  }

  document.addEventListener("keydown", function (event) {
    if (stopped || !items.length) return;
    // A learner who types (or a helper beside them) keeps Space and Enter in a text field.
    if (event.target.matches && event.target.matches("textarea, input:not([type=radio]):not([type=checkbox]), select")) return;
    if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      if (method() === "switch2" && event.key === " ") highlight(index + 1);
      else select();
    }
  }, true);
  document.addEventListener("pointerdown", function () {
    stopped = true;
    clearInterval(timer);
    if (items[index]) items[index].classList.remove("scan-focus");
  });
  document.addEventListener("DOMContentLoaded", function () { start(); });
  document.addEventListener("htmx:afterSettle", function () { start(); });
  window.switchScan = { restart: function () { stopped = false; start(); } };
})();
