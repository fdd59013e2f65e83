// The API explorer (/docs/): Swagger UI over the contract the api serves at /openapi.yaml.
// "Try it out" calls go to this page's own origin, that is through the nginx that served it:
// the document's `servers` entry names the default port (api/openapi.yaml), which a stack on
// other ports does not listen on.
window.ui = SwaggerUIBundle({
  url: '/openapi.yaml',
  dom_id: '#swagger-ui',
  // Without deep links: Swagger UI puts them as links inside each operation's toggle button,
  // nested controls that assistive technology cannot reach (axe-core: nested-interactive).
  deepLinking: false,
  persistAuthorization: false,
  tryItOutEnabled: false,
  displayRequestDuration: true,
  validatorUrl: null,
  requestInterceptor: (request) => {
    const url = new URL(request.url, window.location.href);
    if (url.pathname !== '/openapi.yaml' || url.origin !== window.location.origin) {
      url.protocol = window.location.protocol;
      url.host = window.location.host;
      request.url = url.toString();
    }
    return request;
  },
});
