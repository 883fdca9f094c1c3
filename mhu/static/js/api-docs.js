// Starts Swagger UI on the locally served spec; kept out of the page so CSP can forbid inline scripts.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({
    url: root.dataset.specUrl,
    dom_id: "#swagger-ui",
    deepLinking: false,  // deep links nest an <a> inside each operation's button (axe: nested-interactive)
    validatorUrl: null,
  });
});
