// htmx (hx-boost) swaps only the inside of <body> when following a link or a form, so the
// page's language and direction (on <html>) and the reader's settings and sign-in (classes
// and data on <body>: theme, text size, switch access) would stay those of the first page.
// Copy them from the page that came back, so a change of settings or language shows at once.
(function () {
  "use strict";

  function copyAttributes(from, to) {
    Array.prototype.slice.call(to.attributes).forEach(function (a) {
      if (!from.hasAttribute(a.name)) to.removeAttribute(a.name);
    });
    Array.prototype.forEach.call(from.attributes, function (a) {
      if (to.getAttribute(a.name) !== a.value) to.setAttribute(a.name, a.value);
    });
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.boosted || !detail.xhr || detail.target !== document.body) return;
    var page = new DOMParser().parseFromString(detail.xhr.responseText, "text/html");
    if (!page.body || !page.documentElement) return;
    copyAttributes(page.documentElement, document.documentElement);
    copyAttributes(page.body, document.body);
  });
})();
