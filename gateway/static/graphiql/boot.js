// Starts GraphiQL from the JSON config that gateway/graphiql.py writes into the page.
// A static file rather than an inline script, so the page also works under a
// Content-Security-Policy of script-src 'self'.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("graphiql-config").textContent);
  var endpoint = new URL(config.endpoint, window.location.href);
  var subscriptions = new URL(endpoint.href);
  subscriptions.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";
  subscriptions.hash = "";

  // createFetcher merges the headers editor's JSON into every request and runs
  // subscriptions over graphql-ws (bundled in graphiql.min.js).
  var graphiqlFetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: subscriptions.href,
  });
  // GraphiQL 4 sends its first introspection before the headers editor has mounted
  // (@graphiql/react's schema store gets the editor from a later effect), so that one
  // request would go without the pre-filled headers, and a schema that needs them
  // would never load. Give that first introspection the default headers.
  var firstIntrospection = true;
  function fetcher(params, options) {
    var isIntrospection = params.operationName === "IntrospectionQuery";
    if (isIntrospection && firstIntrospection && config.defaultHeaders && !(options && options.headers)) {
      options = Object.assign({}, options, { headers: JSON.parse(config.defaultHeaders) });
    }
    if (isIntrospection) firstIntrospection = false;
    return graphiqlFetcher(params, options);
  }

  var props = {
    fetcher: fetcher,
    defaultQuery: config.defaultQuery,
    // Used only when the browser holds no saved tabs for this origin yet.
    defaultTabs: [{ query: config.defaultQuery, headers: config.defaultHeaders || undefined }],
    isHeadersEditorEnabled: true,
    inputValueDeprecation: true,
  };
  if (config.defaultHeaders) {
    props.defaultHeaders = config.defaultHeaders;
    // Pre-filled headers usually carry something the API needs: show them.
    props.defaultEditorToolsVisibility = "headers";
  }
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(React.createElement(GraphiQL, props));
})();
