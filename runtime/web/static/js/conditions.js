/*
 * The Kairos condition language, evaluated in the browser (forms: visible_when,
 * required_when, readonly_when). It mirrors form_engine/conditions/evaluate.py exactly and
 * must pass every vector of form_engine/conditions/conformance.json
 * (tests/runtime/web/test_conditions_js.py). The server re-checks everything; this only
 * makes the form react while the user types.
 *
 * KairosConditions.evaluate(condition, record, kinds, context, previous) -> boolean
 *   kinds:   {fieldKey: "text" | "number" | "decimal" | "date" | "datetime" | "time" |
 *             "duration" | "bool" | "choice" | "choices" | "ref" | "json" | "rows"}
 *   context: {user_id, now: ISO string (UTC), timezone: IANA name, trigger: {}}
 *   previous: the record before the change (null/undefined: a new record)
 *
 * Rules in short: empty values make comparisons false, except ne / not_in / not_contains,
 * which are their exact opposites; multi-select values are sets; text matching folds A-Z
 * only; numbers compare as decimals; dates use the app's time zone.
 */
(function (root) {
  "use strict";

  var CONTEXT_NAMES = { $user: "user", $now: "now", $today: "today" };
  var TRIGGER_PREFIX = "$trigger.";
  var CHANGE_OPS = { changed: 1, changed_from: 1, changed_to: 1 };
  var DATE_HELPERS = { today: 1, within_last_days: 1, within_next_days: 1, before_days_ago: 1 };
  var STRING_KINDS = { text: 1, choice: 1 };

  function CoerceError(message) {
    this.name = "CoerceError";
    this.message = message;
  }
  CoerceError.prototype = Object.create(Error.prototype);

  function fail(value, kind) {
    return new CoerceError("expected a " + kind + " value, got " + JSON.stringify(value));
  }

  // --- emptiness -----------------------------------------------------------------------
  function isPlainObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function isEmptyValue(value) {
    if (value === null || value === undefined || value === "") return true;
    if (Array.isArray(value)) return value.length === 0;
    if (isPlainObject(value)) return Object.keys(value).length === 0;
    return false;
  }

  // --- decimals: exact comparison of numeric text, as Python's Decimal --------------------
  function toDecimal(value) {
    var text;
    if (typeof value === "boolean") throw fail(value, "number");
    if (typeof value === "number") {
      if (!isFinite(value)) throw fail(value, "number");
      text = String(value);
    } else if (typeof value === "string") {
      text = value.trim();
    } else {
      throw fail(value, "number");
    }
    var m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!m || (m[2] === "" && (m[3] === undefined || m[3] === ""))) throw fail(value, "number");
    var digits = (m[2] || "") + (m[3] || "");
    var exponent = (m[4] ? parseInt(m[4], 10) : 0) - (m[3] || "").length;
    digits = digits.replace(/^0+/, "");
    if (digits === "") return { sign: 0, digits: "", exponent: 0 };
    var trailing = /0*$/.exec(digits)[0].length;
    digits = digits.slice(0, digits.length - trailing);
    exponent += trailing;
    return { sign: m[1] === "-" ? -1 : 1, digits: digits, exponent: exponent };
  }

  function compareMagnitude(a, b) {
    // Compare |a| and |b| where both are non-zero: by order of magnitude, then by digits.
    var aTop = a.digits.length + a.exponent;
    var bTop = b.digits.length + b.exponent;
    if (aTop !== bTop) return aTop < bTop ? -1 : 1;
    var length = Math.max(a.digits.length, b.digits.length);
    var ad = a.digits + "0".repeat(length - a.digits.length);
    var bd = b.digits + "0".repeat(length - b.digits.length);
    return ad === bd ? 0 : ad < bd ? -1 : 1;
  }

  function compareDecimal(a, b) {
    if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
    if (a.sign === 0) return 0;
    return a.sign * compareMagnitude(a, b);
  }

  // --- dates and times -------------------------------------------------------------------
  function tzOffsetMs(epochMs, timeZone) {
    var parts = new Intl.DateTimeFormat("en-US", {
      timeZone: timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", second: "2-digit",
    }).formatToParts(new Date(epochMs));
    var f = {};
    parts.forEach(function (p) { f[p.type] = p.value; });
    var wall = Date.UTC(+f.year, +f.month - 1, +f.day, +f.hour % 24, +f.minute, +f.second);
    return wall - Math.floor(epochMs / 1000) * 1000;
  }

  function localDate(epochMicros, timeZone) {
    var ms = Math.floor(epochMicros / 1000);
    var shifted = new Date(ms + tzOffsetMs(ms, timeZone));
    return shifted.toISOString().slice(0, 10);
  }

  function startOfDay(isoDate, timeZone) {
    // Midnight of the day in the time zone, as epoch microseconds.
    var p = isoDate.split("-");
    var guess = Date.UTC(+p[0], +p[1] - 1, +p[2]);
    var first = guess - tzOffsetMs(guess, timeZone);
    var exact = guess - tzOffsetMs(first, timeZone);
    return exact * 1000;
  }

  function addDays(isoDate, days) {
    var p = isoDate.split("-");
    return new Date(Date.UTC(+p[0], +p[1] - 1, +p[2] + days)).toISOString().slice(0, 10);
  }

  var DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
  var DATETIME_RE =
    /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;
  var TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/;

  function validDate(text) {
    var m = DATE_RE.exec(text);
    if (!m) return false;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  function micros(fraction) {
    return fraction ? parseInt((fraction + "000000").slice(0, 6), 10) : 0;
  }

  function parseDatetime(text) {
    var m = DATETIME_RE.exec(text);
    if (!m || !validDate(m[1] + "-" + m[2] + "-" + m[3])) return null;
    var ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +(m[6] || 0));
    var offset = 0;
    if (m[8] && m[8].toUpperCase() !== "Z") {
      var o = /^([+-])(\d{2}):?(\d{2})$/.exec(m[8]);
      offset = (o[1] === "-" ? -1 : 1) * (+o[2] * 60 + +o[3]) * 60000;
    }
    return (ms - offset) * 1000 + micros(m[7]);
  }

  function coerceDate(value, context) {
    if (typeof value !== "string") throw fail(value, "date");
    var text = value.trim();
    if (validDate(text)) return text;
    var instant = parseDatetime(text);
    if (instant === null) throw fail(value, "date");
    return localDate(instant, context.timezone);
  }

  function coerceDatetime(value, context) {
    if (typeof value !== "string") throw fail(value, "datetime");
    var text = value.trim();
    if (text.length === 10) {
      if (!validDate(text)) throw fail(value, "datetime");
      return startOfDay(text, context.timezone);
    }
    var instant = parseDatetime(text);
    if (instant === null) throw fail(value, "datetime");
    return instant;
  }

  function coerceTime(value) {
    var m = typeof value === "string" ? TIME_RE.exec(value.trim()) : null;
    if (!m) throw fail(value, "time");
    return ((+m[1] * 60 + +m[2]) * 60 + +(m[3] || 0)) * 1000000 + micros(m[4]);
  }

  function coerceWhole(value, kind) {
    if (typeof value === "number" && isFinite(value) && Math.floor(value) === value) return value;
    if (typeof value === "string" && /^-?\d+$/.test(value.trim())) {
      return parseInt(value.trim(), 10);
    }
    throw fail(value, kind);
  }

  // --- coercion by kind ------------------------------------------------------------------
  function coerce(value, kind, context) {
    if (value === null || value === undefined) return null;
    switch (kind) {
      case "text":
      case "choice":
      case "choices":
        if (typeof value !== "string") throw fail(value, kind);
        return value;
      case "number":
      case "decimal":
        return toDecimal(value);
      case "duration":
      case "ref":
        return coerceWhole(value, kind);
      case "date":
        return coerceDate(value, context);
      case "datetime":
        return coerceDatetime(value, context);
      case "time":
        return coerceTime(value);
      case "bool":
        if (value === true || value === false) return value;
        if (value === 0 || value === 1) return value === 1;
        throw fail(value, kind);
      default:
        return value; // json, rows
    }
  }

  function coerceOptions(value) {
    if (value === null || value === undefined) return [];
    if (!Array.isArray(value)) throw fail(value, "choices");
    var seen = {};
    var out = [];
    value.forEach(function (item) {
      if (item === null || item === undefined) return;
      if (typeof item !== "string") throw fail(item, "choice");
      if (!seen[item]) { seen[item] = 1; out.push(item); }
    });
    return out;
  }

  function sameSet(a, b) {
    if (a.length !== b.length) return false;
    return a.every(function (item) { return b.indexOf(item) >= 0; });
  }

  function codePointCompare(a, b) {
    var ai = Array.from(a);
    var bi = Array.from(b);
    for (var i = 0; i < Math.min(ai.length, bi.length); i++) {
      var x = ai[i].codePointAt(0);
      var y = bi[i].codePointAt(0);
      if (x !== y) return x < y ? -1 : 1;
    }
    return ai.length === bi.length ? 0 : ai.length < bi.length ? -1 : 1;
  }

  function compareValues(a, b, kind) {
    if (kind === "number" || kind === "decimal") return compareDecimal(a, b);
    if (kind === "text" || kind === "choice" || kind === "choices") return codePointCompare(a, b);
    if (kind === "bool") return a === b ? 0 : a ? 1 : -1;
    if (kind === "date") return a === b ? 0 : a < b ? -1 : 1;
    if (typeof a === "number" && typeof b === "number") return a === b ? 0 : a < b ? -1 : 1;
    return JSON.stringify(a) === JSON.stringify(b) ? 0 : NaN;
  }

  function equal(a, b, kind) {
    if (a === null || b === null) return a === b;
    return compareValues(a, b, kind) === 0;
  }

  function fold(text) {
    return text.replace(/[A-Z]/g, function (c) { return c.toLowerCase(); });
  }

  function deepEqual(a, b) {
    if (a === b) return true;
    if (typeof a === "number" && typeof b === "boolean") return a === (b ? 1 : 0);
    if (typeof b === "number" && typeof a === "boolean") return b === (a ? 1 : 0);
    if (Array.isArray(a) && Array.isArray(b)) {
      return a.length === b.length && a.every(function (x, i) { return deepEqual(x, b[i]); });
    }
    if (isPlainObject(a) && isPlainObject(b)) {
      var ak = Object.keys(a);
      var bk = Object.keys(b);
      return ak.length === bk.length && ak.every(function (k) {
        return Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]);
      });
    }
    return false;
  }

  // --- operands --------------------------------------------------------------------------
  function classify(raw) {
    if (isPlainObject(raw) && Object.keys(raw).length === 1 && typeof raw.field === "string") {
      return { ref: "field", key: raw.field };
    }
    if (typeof raw === "string") {
      if (Object.prototype.hasOwnProperty.call(CONTEXT_NAMES, raw)) {
        return { ref: "context", name: CONTEXT_NAMES[raw] };
      }
      if (raw.indexOf(TRIGGER_PREFIX) === 0 && raw.length > TRIGGER_PREFIX.length) {
        return { ref: "trigger", key: raw.slice(TRIGGER_PREFIX.length) };
      }
    }
    return { ref: "literal", value: raw };
  }

  function Evaluation(record, kinds, context, previous) {
    this.record = record || {};
    this.kinds = kinds || {};
    this.context = normaliseContext(context || {});
    this.previous = previous || {};
  }

  function normaliseContext(context) {
    var now = context.now || new Date().toISOString();
    var timezone = context.timezone || "UTC";
    var out = {
      user_id: context.user_id === undefined ? null : context.user_id,
      now: now,
      timezone: timezone,
      trigger: context.trigger || {},
    };
    out.today = context.today || localDate(coerceDatetime(now, out), timezone);
    return out;
  }

  Evaluation.prototype.present = function (raw, kind) {
    if (STRING_KINDS[kind] && raw !== null && raw !== undefined) return coerce(raw, kind, this.context);
    return isEmptyValue(raw) ? null : coerce(raw, kind, this.context);
  };

  Evaluation.prototype.knownRaw = function (operand, kind) {
    if (operand.ref === "literal") return operand.value;
    if (operand.ref === "trigger") {
      var t = this.context.trigger[operand.key];
      return t === undefined ? null : t;
    }
    if (operand.ref === "field") return this.record[operand.key];
    if (operand.name === "user") return this.context.user_id;
    if (operand.name === "now" && kind !== "date") return this.context.now;
    return this.context.today;
  };

  Evaluation.prototype.value = function (raw, kind) {
    var operand = classify(raw);
    return this.present(this.knownRaw(operand, kind), kind);
  };

  Evaluation.prototype.options = function (raw) {
    var self = this;
    if (Array.isArray(raw)) {
      var out = [];
      raw.forEach(function (item) {
        var option = self.value(item, "choice");
        if (option !== null && out.indexOf(option) < 0) out.push(option);
      });
      return out;
    }
    return coerceOptions(this.knownRaw(classify(raw), "choices"));
  };

  Evaluation.prototype.node = function (node) {
    var self = this;
    if (!isPlainObject(node)) throw new Error("a condition must be an object");
    if (Object.prototype.hasOwnProperty.call(node, "all")) {
      return node.all.every(function (item) { return self.node(item); });
    }
    if (Object.prototype.hasOwnProperty.call(node, "any")) {
      return node.any.some(function (item) { return self.node(item); });
    }
    if (Object.prototype.hasOwnProperty.call(node, "not")) return !this.node(node.not);
    return this.leaf(node);
  };

  Evaluation.prototype.leaf = function (leaf) {
    var kind = this.kinds[leaf.field];
    if (!kind) throw new Error("unknown field " + leaf.field);
    var current = this.record[leaf.field];
    if (current === undefined) current = null;
    if (leaf.op === "is_empty") return isEmpty(current, kind);
    if (leaf.op === "is_not_empty") return !isEmpty(current, kind);
    if (CHANGE_OPS[leaf.op]) return this.change(leaf, kind, current);
    if (kind === "choices") return this.choices(leaf.op, coerceOptions(current), leaf.value);
    return this.compare(leaf.op, leaf.value, kind, current);
  };

  Evaluation.prototype.compare = function (op, raw, kind, current) {
    var self = this;
    var field = this.present(current, kind);
    if (DATE_HELPERS[op]) {
      var range = dayRange(op, raw, kind, this.context);
      return field !== null && (range[0] === null || compareValues(range[0], field, kind) <= 0) &&
        compareValues(field, range[1], kind) < 0;
    }
    if (op === "ne") return !equal(field, this.value(raw, kind), kind);
    if (op === "not_in") return !this.compare("in", raw, kind, current);
    if (op === "not_contains") return !this.compare("contains", raw, kind, current);
    if (field === null) return false;
    if (op === "in") {
      return raw.some(function (item) {
        var v = self.value(item, kind);
        return v !== null && equal(field, v, kind);
      });
    }
    if (op === "between") {
      var low = this.value(raw[0], kind);
      var high = this.value(raw[1], kind);
      return low !== null && high !== null &&
        compareValues(low, field, kind) <= 0 && compareValues(field, high, kind) <= 0;
    }
    var other = this.value(raw, kind);
    if (other === null) return false;
    if (op === "contains") return fold(field).indexOf(fold(other)) >= 0;
    if (op === "starts_with") return fold(field).startsWith(fold(other));
    if (op === "ends_with") return fold(field).endsWith(fold(other));
    var order = compareValues(field, other, kind);
    if (op === "eq") return order === 0;
    if (op === "gt") return order > 0;
    if (op === "gte") return order >= 0;
    if (op === "lt") return order < 0;
    if (op === "lte") return order <= 0;
    throw new Error("unknown operator " + op);
  };

  Evaluation.prototype.choices = function (op, selected, raw) {
    if (op === "contains") {
      var option = this.value(raw, "choice");
      return option !== null && selected.indexOf(option) >= 0;
    }
    if (op === "not_contains") return !this.choices("contains", selected, raw);
    var options = this.options(raw);
    var overlap = selected.some(function (item) { return options.indexOf(item) >= 0; });
    if (op === "in") return overlap;
    if (op === "not_in") return !overlap;
    if (op === "eq") return sameSet(selected, options);
    if (op === "ne") return !sameSet(selected, options);
    throw new Error("operator " + op + " does not apply to a multi-select");
  };

  Evaluation.prototype.change = function (leaf, kind, current) {
    var before = this.previous[leaf.field];
    if (before === undefined) before = null;
    if (!changed(before, current, kind, this.context)) return false;
    if (leaf.op === "changed") return true;
    var subject = leaf.op === "changed_from" ? before : current;
    if (kind === "choices") return this.choices("eq", coerceOptions(subject), leaf.value);
    return this.compare("eq", leaf.value, kind, subject);
  };

  function isEmpty(value, kind) {
    if (kind === "rows" && typeof value === "number") return value === 0;
    return isEmptyValue(value);
  }

  function changed(before, after, kind, context) {
    if (kind === "choices") return !sameSet(coerceOptions(before), coerceOptions(after));
    if (isEmptyValue(before) || isEmptyValue(after)) return isEmptyValue(before) !== isEmptyValue(after);
    if (kind === "json" || kind === "rows") return !deepEqual(before, after);
    return !equal(coerce(before, kind, context), coerce(after, kind, context), kind);
  }

  function dayRange(op, days, kind, context) {
    var today = context.today;
    var n = days || 0;
    var low;
    var high;
    if (op === "today") { low = today; high = addDays(today, 1); }
    else if (op === "within_last_days") { low = addDays(today, -n); high = addDays(today, 1); }
    else if (op === "within_next_days") { low = today; high = addDays(today, n + 1); }
    else { low = null; high = addDays(today, -n); }
    if (kind === "datetime") {
      return [low === null ? null : startOfDay(low, context.timezone), startOfDay(high, context.timezone)];
    }
    return [low, high];
  }

  /** Collect the field keys a condition reads (to know which inputs to watch). */
  function fieldsOf(condition, out) {
    out = out || [];
    if (Array.isArray(condition)) {
      condition.forEach(function (item) { fieldsOf(item, out); });
    } else if (isPlainObject(condition)) {
      if (typeof condition.field === "string" && out.indexOf(condition.field) < 0) out.push(condition.field);
      Object.keys(condition).forEach(function (k) { if (k !== "field") fieldsOf(condition[k], out); });
    }
    return out;
  }

  function evaluate(condition, record, kinds, context, previous) {
    return new Evaluation(record, kinds, context, previous).node(condition);
  }

  root.KairosConditions = { evaluate: evaluate, fieldsOf: fieldsOf, isEmptyValue: isEmptyValue };
})(typeof window !== "undefined" ? window : globalThis);
