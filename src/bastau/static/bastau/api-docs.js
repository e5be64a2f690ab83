// The API docs page (/api/v1/docs): starts the vendored Swagger UI with the settings the page
// carries as a JSON data block (no inline script, for the Content-Security-Policy).
(function () {
  "use strict";
  const settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset];
  window.ui = SwaggerUIBundle(settings);
})();
