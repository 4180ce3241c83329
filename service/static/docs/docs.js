// Starts Swagger UI on /docs. A file rather than an inline script, so the page's CSP needs no
// 'unsafe-inline'; every option that would reach another origin is off.
"use strict";

(function () {
  const root = document.getElementById("swagger-ui");

  window.ui = SwaggerUIBundle({
    url: root.dataset.specUrl,
    domNode: root,
    validatorUrl: null, // the default badge asks a validator on another origin
    queryConfigEnabled: false, // never load a spec named in the query string
    deepLinking: false, // its links sit inside the operation buttons: nested controls (WCAG 4.1.2)
    docExpansion: "list",
    defaultModelRendering: "model", // the field reference first; "Example Value" is one tab away
    defaultModelExpandDepth: 3,
    defaultModelsExpandDepth: 1,
    displayRequestDuration: true,
    // "Try it out" calls are people reading the docs: keep them out of the clinical metrics.
    requestInterceptor: function (request) {
      request.headers["X-Test-Traffic"] = "1";
      return request;
    },
  });

  // Swagger UI leaves a few controls without an accessible name and scrolling code blocks out of
  // the tab order (axe: select-name, label, button-name, scrollable-region-focusable). Add them as it
  // renders; attributes only, nothing it draws is changed or hidden.
  function label() {
    root.querySelectorAll("select.examples-select-element:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Example");
    });
    root.querySelectorAll("textarea.body-param__text:not([aria-label])").forEach(function (el) {
      el.setAttribute("aria-label", "Request body");
    });
    root.querySelectorAll("button.json-schema-2020-12-accordion:not([aria-label])").forEach(function (el) {
      if (!el.textContent.trim()) el.setAttribute("aria-label", "Schema");
    });
    root.querySelectorAll("pre.microlight:not([tabindex])").forEach(function (el) {
      el.setAttribute("tabindex", "0");
    });
  }
  let queued = false;
  new MutationObserver(function () {
    if (!queued) {
      queued = true;
      requestAnimationFrame(function () {
        queued = false;
        label();
      });
    }
  }).observe(root, { childList: true, subtree: true });
})();
