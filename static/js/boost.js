// htmx (data-hx-boost) swaps only the inside of <body> when following a link or a form, so the
// page's language and direction (on <html>) and the reader's settings and sign-in (classes
// and data on <body>: theme, text size, switch access) would stay those of the first page.
// Copy them from the page that came back, so a change of settings or language shows at once.
// A page whose stylesheets differ from this one's is loaded whole, so its own styles apply.
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

  function stylesheets(doc) {
    return Array.prototype.map.call(doc.querySelectorAll("head link[rel=stylesheet]"), function (link) {
      return link.getAttribute("href");
    }).join(" ");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.boosted || !detail.xhr || detail.target !== document.body) return;
    var page = new DOMParser().parseFromString(detail.xhr.responseText, "text/html");
    if (!page.body || !page.documentElement) return;
    // A page with a stylesheet or print layout of its own (the passport to print, sign-in
    // cards, family letters) would keep this page's head: it loads as a whole page instead.
    if (stylesheets(page) !== stylesheets(document)) {
      detail.shouldSwap = false;
      if (detail.requestConfig && detail.requestConfig.verb === "get") {
        window.location.assign(detail.xhr.responseURL);
      } else {
        // The answer to a form: sending it again could do its work twice, so show this one,
        // its head (and so its stylesheets) too. (The forms that print are not boosted.)
        document.replaceChild(document.importNode(page.documentElement, true), document.documentElement);
      }
      return;
    }
    copyAttributes(page.documentElement, document.documentElement);
    copyAttributes(page.body, document.body);
  });
})();
