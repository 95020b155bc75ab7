/* A visual editor for a condition of the condition language (docs/conditions.md), used
 * by the webhook form (webhooks/_condition.html): rows of field / operator / value joined
 * by ALL or ANY. It writes the condition as JSON into the form's `condition` textarea,
 * which is also the "advanced" raw editor; the server checks whatever is submitted.
 *
 * Configuration (JSON in #condition-builder-config, see views/_webhook_condition.py):
 *   tables: {tableKey: [{key, label, kind, input, options, search, shared}]},
 *   shared: {ops: {kind: [{op, label}]}, choices: {user|department: options}} (listed
 *           once for every field of that kind / type),
 *   condition: the current condition (null: none), jsonOnly: the text is not a JSON object,
 *   titles: {field: {id: title}} for searched relation values, mode: "builder" | "json",
 *   ruleErrors: {rowIndex: [message]} from the server.
 * The rows are those of the list filters (static/js/condition_rows.js, shared with
 * static/js/list.js): same inputs per kind and the same value shapes per operator. The
 * table is the form's #table_key select.
 */
(function () {
  "use strict";

  var ARITY = {
    is_empty: "none", is_not_empty: "none", today: "none", changed: "none",
    between: "two", in: "many", not_in: "many",
    within_last_days: "days", within_next_days: "days", before_days_ago: "days"
  };
  /* For a multi-select field these compare the whole selection, so take a list. */
  var WHOLE_SELECTION = { eq: 1, ne: 1, changed_from: 1, changed_to: 1 };
  var NUMERIC = { number: 1, decimal: 1, duration: 1 };
  var PATTERNS = {
    date: /^\d{4}-\d{2}-\d{2}$/,
    time: /^\d{2}:\d{2}(:\d{2})?$/
  };

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function arityOf(field, op) {
    if (field.kind === "choices" && WHOLE_SELECTION[op]) { return "many"; }
    return ARITY[op] || "one";
  }

  /* A value of the condition as the builder's inputs hold it (text), or undefined when
   * an input cannot show it (a field reference, $today, an unknown option …). */
  function shown(field, value) {
    if (field.input === "select") {
      if (typeof value !== "string" && typeof value !== "number") { return undefined; }
      var known = field.options.some(function (o) { return String(o.value) === String(value); });
      return known ? String(value) : undefined;
    }
    if (typeof value === "boolean") {
      return field.input === "bool" ? String(value) : undefined;
    }
    if (typeof value === "number") {
      return NUMERIC[field.kind] || field.input === "search" || field.kind === "ref" ? String(value) : undefined;
    }
    if (typeof value !== "string") { return undefined; }
    if (field.input === "search") { return /^\d+$/.test(value) ? value : undefined; }
    if (value.charAt(0) === "$") { return undefined; }
    if (NUMERIC[field.kind]) { return value !== "" && !isNaN(Number(value)) ? value : undefined; }
    var pattern = PATTERNS[field.input];
    if (pattern && !pattern.test(value)) { return undefined; }
    return field.input === "bool" ? undefined : value;
  }

  function shownValue(field, op, value) {
    var arity = arityOf(field, op);
    if (arity === "none") { return value === undefined ? "" : undefined; }
    if (arity === "days") {
      return typeof value === "number" && value >= 0 && Math.floor(value) === value ? String(value) : undefined;
    }
    if (arity === "two" || arity === "many") {
      if (!Array.isArray(value) || (arity === "two" && value.length !== 2)) { return undefined; }
      var items = value.map(function (v) { return shown(field, v); });
      return items.indexOf(undefined) >= 0 ? undefined : items;
    }
    return shown(field, value);
  }

  /* {match, rules} for a condition the builder can show with these fields, else null. */
  function toState(condition, fields) {
    if (condition === null || condition === undefined) { return { match: "all", rules: [] }; }
    if (!isObject(condition)) { return null; }
    if ("field" in condition) { condition = { all: [condition] }; }
    var keys = Object.keys(condition);
    if (keys.length !== 1 || (keys[0] !== "all" && keys[0] !== "any") || !Array.isArray(condition[keys[0]])) {
      return null;
    }
    var byKey = {};
    fields.forEach(function (f) { byKey[f.key] = f; });
    var rules = [];
    var leaves = condition[keys[0]];
    for (var i = 0; i < leaves.length; i += 1) {
      var leaf = leaves[i];
      if (!isObject(leaf) || Object.keys(leaf).some(function (k) { return ["field", "op", "value"].indexOf(k) < 0; })) {
        return null;
      }
      var field = byKey[leaf.field];
      if (!field || !field.ops.some(function (o) { return o.op === leaf.op; })) { return null; }
      var value = shownValue(field, leaf.op, leaf.value);
      if (value === undefined) { return null; }
      rules.push({ field: leaf.field, op: leaf.op, value: value });
    }
    return { match: keys[0], rules: rules };
  }

  document.addEventListener("alpine:init", function () {
    window.Alpine.data("conditionBuilder", function () {
      var config = readJson("condition-builder-config") || { tables: {}, condition: null };
      var shared = config.shared || { ops: {}, choices: {} };
      Object.keys(config.tables).forEach(function (table) {
        config.tables[table].forEach(function (f) {
          f.ops = shared.ops[f.kind] || [];
          if (f.shared) { f.options = shared.choices[f.shared] || []; }
        });
      });
      var nextId = 0;
      function row(field, op, value) {
        nextId += 1;
        return { id: nextId, field: field, op: op, value: value };
      }
      var component = {
        tables: config.tables,
        table: "",
        mode: config.mode === "json" ? "json" : "builder",
        match: "all",
        rules: [],
        notice: "",
        error: "",
        ruleErrors: config.ruleErrors || {},
        messages: {},
        init: function () {
          var self = this;
          this.messages = {  // read here: in event handlers $el is the clicked element
            custom: this.$el.dataset.msgCustom,
            invalidJson: this.$el.dataset.msgInvalidJson,
            incomplete: this.$el.dataset.msgIncomplete
          };
          var select = document.getElementById("table_key");
          this.table = select ? select.value : "";
          if (select) {
            select.addEventListener("change", function () { self.tableChanged(select.value); });
          }
          if (config.jsonOnly) {
            this.mode = "json";
          } else if (!this.load(config.condition) && this.mode === "builder") {
            this.mode = "json";
            this.notice = this.messages.custom;
          }
          var form = this.$el.closest("form");
          if (form) {
            form.addEventListener("submit", function (event) { self.submitting(event); });
          }
        },
        get fields() { return this.tables[this.table] || []; },
        field: function (r) {
          var found = this.fields.filter(function (f) { return f.key === r.field; })[0];
          return found || { ops: [], options: [], input: "text", kind: "text" };
        },
        input: function (r) { return this.field(r).input; },
        arity: function (r) { return arityOf(this.field(r), r.op); },
        /* Show ``condition`` in the rows; false (rows unchanged) when they cannot. */
        load: function (condition) {
          var state = toState(condition, this.fields);
          if (state === null) { return false; }
          this.match = state.match;
          this.rules = state.rules.map(function (r) { return row(r.field, r.op, r.value); });
          return true;
        },
        tableChanged: function (table) {
          this.table = table;
          if (this.mode !== "builder") { return; }
          // keep the rows the new table can show as they are (its field of the same
          // key takes the same operator and value); the others meant the old table
          var fields = this.fields;
          this.rules = this.rules.filter(function (r) {
            var built = this.leaf(r);
            var condition = built.complete ? built.leaf : { field: r.field, op: r.op };
            return toState(condition, fields) !== null || (!built.complete &&
              fields.some(function (f) { return f.key === r.field && f.ops.some(function (o) { return o.op === r.op; }); }));
          }, this);
          this.ruleErrors = {};
        },
        incomplete: function (index) {
          return this.mode === "builder" && this.error !== "" && !this.leaf(this.rules[index]).complete;
        },
        invalid: function (index) {
          return !!this.ruleErrors[String(index)] || this.incomplete(index);
        },
        condition: function () {
          var leaves = this.rules.map(function (r) { return this.leaf(r).leaf; }, this);
          if (!leaves.length) { return null; }
          if (leaves.length === 1) { return leaves[0]; }
          var condition = {};
          condition[this.match] = leaves;
          return condition;
        },
        /* Write the rows into the textarea (only in builder mode: in JSON mode the
         * textarea is what the user types). */
        sync: function () {
          if (this.mode !== "builder" || !this.$refs.json) { return; }
          var condition = this.condition();
          this.$refs.json.value = condition === null ? "" : JSON.stringify(condition, null, 2);
          if (this.error && this.rules.every(function (r) { return this.leaf(r).complete; }, this)) {
            this.error = "";
          }
        },
        toJson: function () {
          this.sync();
          this.notice = "";
          this.mode = "json";
        },
        toBuilder: function () {
          var text = this.$refs.json.value.trim();
          var condition = null;
          if (text) {
            try {
              condition = JSON.parse(text);
            } catch (e) {
              this.notice = this.messages.invalidJson;
              return false;
            }
          }
          if (!this.load(condition)) {
            this.notice = this.messages.custom;
            return false;
          }
          this.notice = "";
          this.mode = "builder";
          this.sync();
          return true;
        },
        toggle: function (event) {
          if (event.target.checked) {
            this.toJson();
          } else if (!this.toBuilder()) {
            event.target.checked = true;
          }
        },
        submitting: function (event) {
          if (this.mode !== "builder") { return; }
          this.sync();
          var complete = this.rules.every(function (r) { return this.leaf(r).complete; }, this);
          if (!complete) {
            event.preventDefault();
            this.error = this.messages.incomplete;
          }
        }
      };
      return Object.assign(component, window.KairosConditionRows.methods(row, config.titles,
        function () { this.ruleErrors = {}; }));
    });
  });
})();
