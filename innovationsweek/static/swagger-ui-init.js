// Starts Swagger UI on /api/docs. A file of its own, not an inline script, so that the page's
// Content-Security-Policy can allow scripts from this service only.
window.addEventListener("load", function () {
  var container = document.getElementById("swagger-ui-container");
  var config = { url: container.dataset.specUrl, dom_id: "#swagger-ui-container" };
  window.ui = SwaggerUIBundle(Object.assign(config, JSON.parse(container.dataset.config)));
});
