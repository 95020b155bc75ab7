/* A relation value picker that searches the records as the user types (the forms area's
 * picker search, ``?q=``) instead of loading every choice with the page. Used by the
 * list filter builder and bulk edit (list.js) and the webhook condition builder
 * (condition_builder.js); needs Tom Select (vendor/tom-select) loaded first.
 *
 * KairosRelationSearch.picker(el, url, many, chosen, titles, onChange) -> TomSelect | null
 *   url:      the search endpoint; ``chosen``: the current value(s);
 *   titles:   the current values' titles by id; onChange(value): a string, or a list of
 *             strings when ``many``. Null when Tom Select is not loaded.
 */
(function (root) {
  "use strict";

  function picker(el, url, many, chosen, titles, onChange) {
    if (!root.TomSelect) { return null; }
    var values = (Array.isArray(chosen) ? chosen : [chosen]).filter(function (v) {
      return v !== "" && v !== null && v !== undefined;
    }).map(String);
    var select = new root.TomSelect(el, {
      valueField: "value",
      labelField: "text",
      searchField: ["text"],
      options: values.map(function (v) { return { value: v, text: titles[v] || "#" + v }; }),
      items: values,
      maxItems: many ? null : 1,
      plugins: many ? ["remove_button"] : [],
      preload: "focus",
      loadThrottle: 250,
      dropdownParent: "body",
      // the server already matched the search fields, not only the title: keep its order
      score: function () { return function () { return 1; }; },
      load: function (query, done) {
        // show only what the server found for this text (the selection stays), and ask
        // again when the same text comes back: records change
        select.loadedSearches = {};
        fetch(url + "?q=" + encodeURIComponent(query), {
          credentials: "same-origin", headers: { Accept: "application/json" }
        })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (found) {
            select.clearOptions();
            done(found.map(function (o) { return { value: String(o.value), text: o.text }; }));
          }, function () { done(); });
      },
      onChange: function () {
        var value = select.getValue();
        if (many && !Array.isArray(value)) { value = value ? value.split(",") : []; }
        onChange(value);
      }
    });
    return select;
  }

  root.KairosRelationSearch = { picker: picker };
})(window);
