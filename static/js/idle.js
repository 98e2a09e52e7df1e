// On a shared tablet, someone who walks away is signed out (the server ends the session
// too, after the same idle time). Any tap, key or page change counts as activity. The
// sign-out form carries the idle time, so it is read afresh after every htmx swap.
(function () {
  "use strict";
  var timer = null;

  function restart() {
    clearTimeout(timer);
    var form = document.getElementById("sign-out");
    var minutes = form && Number(form.getAttribute("data-idle-minutes"));
    if (!minutes) return;
    timer = setTimeout(function () { form.submit(); }, minutes * 60 * 1000);
  }

  ["click", "keydown", "touchstart", "htmx:afterSettle"].forEach(function (name) {
    document.addEventListener(name, restart, true);
  });
  restart();
})();
