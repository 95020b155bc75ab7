/* The rows of a condition builder — field / operator / value — shared by the list
 * filters (list.js) and the webhook condition builder (condition_builder.js): the value
 * shape each operator takes, typed values, relation pickers and the condition leaf a
 * row stands for (docs/conditions.md).
 *
 * KairosConditionRows.methods(newRule, titles, changed) gives the methods to mix into an
 * Alpine component that has `fields`, `rules`, `field(r)`, `input(r)` and `arity(r)`:
 * `newRule(field, op, value)` makes a row, `titles` maps a relation field to {id: title}
 * of the values already chosen, and `changed` (optional) runs, as the component, after a
 * row was added or removed or its field changed.
 */
(function () {
  "use strict";

  var NUMERIC = { number: 1, decimal: 1, duration: 1 };

  function methods(newRule, titles, changed) {
    function touched(component) {
      if (changed) { changed.call(component); }
    }
    return {
      blankValue: function (r) {
        var arity = this.arity(r);
        if (arity === "two") { return ["", ""]; }
        if (arity === "many") { return []; }
        if (this.input(r) === "bool") { return "true"; }
        return "";
      },
      add: function () {
        if (!this.fields.length) { return; }
        var f = this.fields[0];
        var r = newRule(f.key, f.ops[0].op, "");
        r.value = this.blankValue(r);
        this.rules.push(r);
        touched(this);
      },
      remove: function (index) {
        this.rules.splice(index, 1);
        touched(this);
      },
      fieldChanged: function (r) {
        r.op = this.field(r).ops[0].op;
        r.value = this.blankValue(r);
        touched(this);
      },
      /* Keep the value when the new operator takes the same shape. */
      opChanged: function (r) {
        var wanted = this.arity(r);
        var isList = Array.isArray(r.value);
        if ((wanted === "two" && !(isList && r.value.length === 2)) ||
            (wanted === "many" && !isList) || (wanted !== "two" && wanted !== "many" && isList)) {
          r.value = this.blankValue(r);
        }
      },
      picker: function (el, r) {
        var many = this.arity(r) === "many";
        var chosen = (titles || {})[r.field] || {};
        window.KairosRelationSearch.picker(el, this.field(r).search, many, r.value, chosen,
          function (value) { r.value = value; });
      },
      typed: function (r, text) {
        var kind = this.field(r).kind;
        if (NUMERIC[kind]) { return Number(text); }
        if (kind === "bool") { return text === "true"; }
        if (kind === "ref") { return text === "$user" ? text : Number(text); }
        return text;
      },
      /* The row as a condition leaf; `complete` is false when a value is missing (the
       * leaf then has no value). */
      leaf: function (r) {
        var arity = this.arity(r);
        var leaf = { field: r.field, op: r.op };
        if (arity === "none") { return { leaf: leaf, complete: true }; }
        var v = r.value;
        if (arity === "days") {
          if (v === "" || isNaN(Number(v))) { return { leaf: leaf, complete: false }; }
          leaf.value = Number(v);
        } else if (arity === "two") {
          if (v[0] === "" || v[1] === "") { return { leaf: leaf, complete: false }; }
          leaf.value = [this.typed(r, v[0]), this.typed(r, v[1])];
        } else if (arity === "many") {
          if (!v.length) { return { leaf: leaf, complete: false }; }
          leaf.value = v.map(function (item) { return this.typed(r, item); }, this);
        } else {
          if (v === "" || v === null || v === undefined) { return { leaf: leaf, complete: false }; }
          leaf.value = this.typed(r, v);
        }
        return { leaf: leaf, complete: true };
      }
    };
  }

  window.KairosConditionRows = { methods: methods };
})();
