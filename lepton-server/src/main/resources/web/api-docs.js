// The browsable API: Swagger UI over /openapi.json. "Try it out" calls the API with the session
// cookie; state-changing calls carry the session's CSRF token when signed in.
(function () {
  "use strict";
  var csrf = null;
  fetch("/api/v1/session", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) { csrf = s ? s.csrfToken : null; })
      .catch(function () { csrf = null; });

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("swagger");
    window.SwaggerUIBundle({
      url: "/openapi.json",
      domNode: root,
      deepLinking: true,
      docExpansion: "list",
      tagsSorter: "alpha", // the API's features first, the web pages ("web") last
      tryItOutEnabled: false,
      requestInterceptor: function (req) {
        if (csrf && req.method && req.method !== "GET") req.headers["X-CSRF-Token"] = csrf;
        return req;
      },
      onComplete: function () { root.removeAttribute("aria-busy"); }
    });
  });
})();
