// The query editor's own script, served from /sparql/editor/editor.js: the page
// carries no inline script, so that its Content-Security-Policy (script-src 'self')
// holds. It reads its configuration from the page's JSON data block, shows the
// endpoint's absolute URL as this browser reaches it, and starts YASGUI with the
// curated queries as examples.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("editor-config").textContent);
  // The page names the endpoint by a relative URL unless ASCF_PUBLIC_URL is set: the
  // server does not trust the request's Host header to build absolute URLs.
  config.endpoint = new URL(config.endpoint, document.baseURI).href;
  document.getElementById("endpoint").textContent = config.endpoint;
  var root = document.getElementById("yasgui");
  if (typeof Yasgui === "undefined") {
    root.innerHTML = '<p id="missing">The editor\'s files are not installed on this server ' +
      "(run <code>make editor-assets</code>). The endpoint itself works: send queries to " +
      "<code>" + config.endpoint.replace(/</g, "&lt;") + "</code>.</p>";
    return;
  }
  var prefixLines = Object.keys(config.prefixes).map(function (p) {
    return "PREFIX " + p + ": <" + config.prefixes[p] + ">";
  }).join("\n");
  var starter = prefixLines + "\n\nSELECT ?concept ?label WHERE {\n  ?concept skos:prefLabel ?label .\n} LIMIT 10\n";
  var yasgui = new Yasgui(root, {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: true,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: config.endpoint }]; } },
    yasqe: { value: starter, autocompleters: ["prefixes", "variables"] }
  });
  var list = document.getElementById("examples");
  config.examples.forEach(function (example) {
    var item = document.createElement("li");
    var button = document.createElement("button");
    button.type = "button";
    button.dataset.query = example.name;
    button.title = example.description;
    button.textContent = example.summary;
    var name = document.createElement("small");
    name.textContent = example.name;
    button.appendChild(name);
    button.addEventListener("click", function () {
      var tab = yasgui.getTab();
      tab.setQuery(example.query);
      tab.setName(example.summary);
    });
    item.appendChild(button);
    list.appendChild(item);
  });
  window.ascfEditor = yasgui;
})();
