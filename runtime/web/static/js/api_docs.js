/* The interactive API docs: swagger-ui on the app's own OpenAPI document.
   "Authorize" takes a bearer token (kai_…); it is kept for this page only. */
(function () {
  "use strict";
  var target = document.getElementById("swagger-ui");
  if (!target || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  window.kairosApiDocs = window.SwaggerUIBundle({
    url: target.dataset.documentUrl,
    domNode: target,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    docExpansion: "none",
    defaultModelsExpandDepth: 0,
    tryItOutEnabled: false,
    persistAuthorization: false,
    validatorUrl: null
  });
})();
