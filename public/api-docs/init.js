// Starts the vendored Swagger UI on TapRain's own OpenAPI document (no inline script, so the
// page's CSP can stay script-src 'self').
window.addEventListener("load", function () {
  window.ui = SwaggerUIBundle({
    url: "/api/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    tryItOutEnabled: false,
    withCredentials: true,
    persistAuthorization: false,
  });
});
