// On a shared tablet, someone who walks away is signed out (the server ends the session
// too, after the same idle time). Any tap, key or page change counts as activity. The
// sign-out form carries the idle time, so it is read afresh after every htmx swap.
// A minute before (half the time, if that is shorter) a warning asks "are you still there?"
// with a button that keeps the session (WCAG 2.2.1: a time limit can be extended).
(function () {
  "use strict";
  var warnTimer = null;
  var endTimer = null;
  var lastPing = Date.now();

  function warning() { return document.getElementById("idle-warning"); }

  // Tell the server the person is still here (it counts idle time from their last request).
  function ping() {
    lastPing = Date.now();
    fetch("/", { credentials: "same-origin", redirect: "manual" }).catch(function () {});
  }

  function hideWarning() {
    var box = warning();
    if (box && !box.hidden) box.hidden = true;
  }

  function restart(event) {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    if (event && event.type !== "htmx:afterSettle") {
      hideWarning();
      if (Date.now() - lastPing > 60 * 1000) ping();
    }
    var form = document.getElementById("sign-out");
    var minutes = form && Number(form.getAttribute("data-idle-minutes"));
    if (!minutes) return;
    var total = minutes * 60 * 1000;
    var lead = Math.min(60 * 1000, total / 2);
    warnTimer = setTimeout(function () {
      var box = warning();
      if (!box) return;
      box.hidden = false;
      var stay = box.querySelector("button");
      if (stay) stay.focus();
    }, total - lead);
    endTimer = setTimeout(function () { form.submit(); }, total);
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("#idle-warning button")) ping();
  }, true);
  ["click", "keydown", "touchstart", "htmx:afterSettle"].forEach(function (name) {
    document.addEventListener(name, restart, true);
  });
  restart();
})();
