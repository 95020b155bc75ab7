/* Record list (records/list.html): row selection, the visual filter builder, the column
 * chooser and the bulk-edit value input. Alpine components; the page state lives in the
 * URL, so every component ends by navigating to a new list URL. */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function withParam(base, name, value) {
    var url = new URL(base, window.location.origin);
    if (value === null || value === "") {
      url.searchParams.delete(name);
    } else {
      url.searchParams.set(name, value);
    }
    url.searchParams.delete("after");
    url.searchParams.delete("prev");
    return url.pathname + url.search;
  }

  var ARITY = {
    is_empty: "none", is_not_empty: "none", today: "none",
    between: "two", in: "many", not_in: "many",
    within_last_days: "days", within_next_days: "days", before_days_ago: "days"
  };

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("recordList", function () {
      return {
        selected: [],
        loading: false,
        filterOpen: false,
        init: function () {
          var builder = readJson("list-builder");
          this.filterOpen = !!(builder && builder.state && builder.state.rules.length);
          var self = this;
          window.addEventListener("pageshow", function () { self.loading = false; });
        },
        rowIds: function () {
          return Array.prototype.map.call(
            this.$root.querySelectorAll("[data-testid=select-row]"),
            function (box) { return Number(box.value); }
          );
        },
        get allSelected() {
          var ids = this.rowIds();
          return ids.length > 0 && ids.every(function (id) { return this.selected.indexOf(id) >= 0; }, this);
        },
        toggleAll: function (on) {
          this.selected = on ? this.rowIds() : [];
        },
        go: function (url) {
          this.loading = true;
          window.location.href = url;
        }
      };
    });

    window.Alpine.data("listFilter", function () {
      var config = readJson("list-builder") || { fields: [], state: null, base: "" };
      var nextId = 0;
      var byKey = {};
      config.fields.forEach(function (f) { byKey[f.key] = f; });
      function rule(field, op, value) {
        nextId += 1;
        return { id: nextId, field: field, op: op, value: value };
      }
      var component = {
        fields: config.fields,
        custom: config.state === null,
        match: config.state ? config.state.match : "all",
        rules: (config.state ? config.state.rules : [])
          .filter(function (r) { return byKey[r.field]; })
          .map(function (r) {
            var value = r.value;
            if (Array.isArray(value)) { value = value.map(String); }
            else if (value === null || value === undefined) { value = ""; }
            else { value = String(value); }
            return rule(r.field, r.op, value);
          }),
        error: "",
        field: function (r) { return byKey[r.field] || { ops: [], options: [], input: "text" }; },
        input: function (r) { return this.field(r).input; },
        arity: function (r) { return ARITY[r.op] || "one"; },
        /* The list says once that values are missing (data-msg-incomplete); it marks
         * no row. */
        incomplete: function () { return false; },
        /* The row's leaf, or null while a value is missing. */
        condition: function (r) {
          var built = this.leaf(r);
          return built.complete ? built.leaf : null;
        },
        apply: function () {
          var leaves = this.rules.map(this.condition, this);
          if (leaves.some(function (leaf) { return leaf === null; })) {
            this.error = this.$el.dataset.msgIncomplete;
            return;
          }
          var where = null;
          if (leaves.length) {
            where = {};
            where[this.match] = leaves;
          }
          this.go(withParam(config.base, "filter", where ? JSON.stringify(where) : null));
        },
        clearUrl: function () { return withParam(config.base, "filter", null); }
      };
      return Object.assign(component, window.KairosConditionRows.methods(rule, config.titles));
    });

    window.Alpine.data("columnChooser", function () {
      var config = readJson("list-chooser") || { all: [], chosen: [], base: "" };
      var order = config.chosen.slice();
      config.all.forEach(function (c) { if (order.indexOf(c.key) < 0) { order.push(c.key); } });
      var labels = {};
      config.all.forEach(function (c) { labels[c.key] = c.label; });
      return {
        open: false,
        order: order,
        chosen: config.chosen.slice(),
        get ordered() {
          return this.order.map(function (key) { return { key: key, label: labels[key] }; });
        },
        init: function () {
          var self = this;
          if (window.Sortable) {
            window.Sortable.create(this.$refs.list, {
              handle: ".list-grip",
              draggable: ".list-column",
              animation: 120,
              onEnd: function (evt) {
                if (evt.oldIndex === evt.newIndex) { return; }
                // Put the node back and let Alpine re-render from the new order.
                var parent = evt.from;
                parent.removeChild(evt.item);
                var items = parent.querySelectorAll(".list-column");
                parent.insertBefore(evt.item, items[evt.oldIndex] || null);
                var moved = self.order.splice(evt.oldIndex, 1)[0];
                self.order.splice(evt.newIndex, 0, moved);
              }
            });
          }
        },
        apply: function () {
          var chosen = this.chosen;
          var cols = this.order.filter(function (key) { return chosen.indexOf(key) >= 0; });
          this.go(withParam(config.base, "cols", cols.join(",")));
        }
      };
    });

    window.Alpine.data("bulkEdit", function () {
      var fields = readJson("list-bulk") || [];
      return {
        fields: fields,
        field: "",
        current: function () {
          var key = this.field;
          return fields.filter(function (f) { return f.key === key; })[0] || {};
        },
        isMulti: function () { return !!this.current().multi; },
        picker: function (el) {
          window.KairosRelationSearch.picker(el, this.current().search, false, "", {}, function () {});
        }
      };
    });
  });
})();
