/* Kanban board: drag a card to another column → POST /t/<table>/_board/move.
 * 200: the card is replaced by the server's version (new row_version).
 * 422: a dialog asks for the fields the errors name (lost reason …), each error beside its
 *      input; saving retries the move with those values — another 422 keeps the dialog
 *      open with the new errors — and cancelling puts the card back.
 * 409: someone else changed the record: toast, card reloaded where it really is.
 * Other errors: toast and the card goes back. */
(function () {
  "use strict";
  const board = document.getElementById("kanban");
  if (!board) return;
  const texts = JSON.parse(document.getElementById("board-texts").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const dialogEl = document.getElementById("board-fix-dialog");
  const dialog = window.tabler.Modal.getOrCreateInstance(dialogEl);
  const form = document.getElementById("board-fix-form");
  let pending = null; // the move waiting for the dialog

  const toast = window.kairosBoardToast;

  function columnOf(el) {
    return el.closest(".kanban-column");
  }

  function bump(column, delta) {
    // Counts follow the card at once; the totals wait for the server (dimmed meanwhile).
    const sum = column.querySelector("[data-testid=kanban-total-value]");
    if (sum) sum.classList.add("kanban-pending");
    const badge = column.querySelector("[data-testid=kanban-count]");
    const count = parseInt(badge.textContent, 10) + delta;
    badge.textContent = String(count);
    const empty = column.querySelector(".kanban-empty");
    if (empty) empty.hidden = count > 0;
  }

  function updateTotals(columns, zero) {
    // The server's counts and sums after the move, for every column (the source and the
    // target, and any other one someone else changed meanwhile).
    for (const column of board.querySelectorAll(".kanban-column")) {
      const found = columns[column.dataset.value] || { count: 0, total: zero };
      const badge = column.querySelector("[data-testid=kanban-count]");
      badge.textContent = String(found.count);
      const total = column.querySelector("[data-testid=kanban-total-value]");
      if (total) {
        total.textContent = found.total;
        total.classList.remove("kanban-pending");
      }
      const empty = column.querySelector(".kanban-empty");
      if (empty) empty.hidden = found.count > 0;
    }
  }

  function putBack(move) {
    const ref = move.from.children[move.oldIndex] || null;
    move.from.insertBefore(move.item, ref);
    bump(columnOf(move.to), -1);
    bump(columnOf(move.from), 1);
    for (const column of [columnOf(move.to), columnOf(move.from)]) {
      const sum = column.querySelector("[data-testid=kanban-total-value]");
      if (sum) sum.classList.remove("kanban-pending"); // back as it was: nothing changed
    }
  }

  function replaceCard(item, html) {
    if (!html) { item.remove(); return null; }
    const holder = document.createElement("div");
    holder.innerHTML = html.trim();
    const card = holder.firstElementChild;
    item.replaceWith(card);
    return card;
  }

  async function post(move, values) {
    // {response, body}, or null when the server could not be reached or did not answer JSON.
    const payload = {
      id: move.item.dataset.id,
      by: board.dataset.by,
      sum: board.dataset.sum,
      value: move.to.dataset.value,
      row_version: parseInt(move.item.dataset.version, 10),
      values: values || {},
    };
    try {
      const response = await fetch(board.dataset.moveUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify(payload),
      });
      return { response, body: await response.json() };
    } catch (error) {
      return null;
    }
  }

  async function send(move, values) {
    const result = await post(move, values);
    if (result && result.response.status === 422 && result.body.errors) {
      // Again (or still) missing details: the dialog stays (or opens) with the errors
      // beside the inputs, and the card waits in its target column.
      openDialog(move, result.body);
      return;
    }
    closeDialog();
    if (!result) {
      toast(texts.network);
      putBack(move);
      return;
    }
    const { response, body } = result;
    if (response.ok) {
      move.item = replaceCard(move.item, body.card);
      updateTotals(body.columns || {}, body.zero_total);
      return;
    }
    toast(body.message || texts.failed);
    if (response.status === 409 && body.card) {
      // Reload the card and put it where the server says it is.
      move.item.dataset.version = body.row_version;
      putBack(move);
      replaceCard(move.item, body.card);
    } else {
      putBack(move);
    }
  }

  function control(input) {
    const wrap = document.createElement("div");
    wrap.className = "mb-3";
    const label = document.createElement("label");
    label.className = "form-label required";
    label.textContent = input.label;
    label.htmlFor = "fix-" + input.field;
    let field;
    if (input.kind === "select") {
      field = document.createElement("select");
      field.className = "form-select";
      const none = new Option(texts.choose, "");
      field.add(none);
      for (const option of input.options) field.add(new Option(option.label, option.value));
    } else if (input.kind === "textarea") {
      field = document.createElement("textarea");
      field.className = "form-control";
      field.rows = 3;
    } else {
      field = document.createElement("input");
      field.className = "form-control";
      field.type = input.kind;
      // Today in the app's timezone, from the server (not the browser's UTC date).
      if (input.kind === "date" && input.today) field.value = input.today;
    }
    field.id = "fix-" + input.field;
    field.name = input.field;
    field.dataset.testid = "board-fix-" + input.field;
    const feedback = document.createElement("div");
    feedback.className = "invalid-feedback";
    feedback.dataset.testid = "board-fix-error-" + input.field;
    wrap.append(label, field, feedback);
    return wrap;
  }

  let busy = false; // a retry is on its way: the dialog cannot be closed meanwhile
  let wantClosed = false; // closeDialog() came while the dialog was still fading in

  function setBusy(value) {
    busy = value;
    for (const button of form.querySelectorAll("button")) button.disabled = value;
  }

  function openDialog(move, body) {
    const again = pending === move;
    pending = move;
    wantClosed = false;
    setBusy(false);
    const inputs = document.getElementById("board-fix-inputs");
    if (!again) {
      inputs.replaceChildren(...body.inputs.map(control));
    } else {
      // Keep what the user typed; add inputs for fields named only now.
      for (const input of body.inputs) {
        if (!inputs.querySelector(`[name="${CSS.escape(input.field)}"]`)) inputs.append(control(input));
      }
    }
    // One message per field: a rule's message ("输单时必须填写输单原因") says more than the
    // generic "required" that comes before it, so the last message of a field wins.
    const byField = new Map();
    for (const e of body.errors) byField.set(e.field || e.message, e);
    for (const el of inputs.querySelectorAll("[name]")) {
      const error = byField.get(el.name);
      el.classList.toggle("is-invalid", Boolean(error));
      el.parentElement.querySelector(".invalid-feedback").textContent = error ? error.message : "";
      byField.delete(el.name);
    }
    // Errors the dialog has no input for are listed above the inputs.
    const list = document.getElementById("board-fix-errors");
    list.replaceChildren(...[...byField.values()].map((e) => {
      const li = document.createElement("li");
      li.textContent = e.message;
      return li;
    }));
    document.getElementById("board-fix-alert").hidden = byField.size === 0;
    dialog.show(); // no-op when already shown
  }

  function closeDialog() {
    setBusy(false);
    if (!pending) return;
    pending = null;
    wantClosed = true;
    dialog.hide();
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!pending || busy) return;
    const values = {};
    for (const el of form.querySelectorAll("#board-fix-inputs [name]")) values[el.name] = el.value;
    setBusy(true);
    send(pending, values);
  });

  dialogEl.addEventListener("shown.bs.modal", () => {
    if (wantClosed) dialog.hide(); // the hide() that came during the fade-in was ignored
  });

  dialogEl.addEventListener("hide.bs.modal", (event) => {
    if (busy) event.preventDefault(); // wait for the answer to the retry
  });

  dialogEl.addEventListener("hidden.bs.modal", () => {
    wantClosed = false;
    if (pending) { // cancelled: the card returns to its column
      putBack(pending);
      pending = null;
    }
  });

  // A card's title links to its detail page; a click elsewhere on the card does too.
  board.addEventListener("click", (event) => {
    const card = event.target.closest(".kanban-card[data-url]");
    if (card && !event.target.closest("a, button")) window.location.href = card.dataset.url;
  });

  if (board.dataset.draggable !== "true") return;
  for (const list of board.querySelectorAll(".kanban-cards")) {
    window.Sortable.create(list, {
      group: "kanban",
      draggable: ".kanban-draggable",
      animation: 150,
      ghostClass: "kanban-ghost",
      onEnd(event) {
        if (event.from === event.to) return;
        const move = { item: event.item, from: event.from, to: event.to, oldIndex: event.oldIndex };
        bump(columnOf(event.to), 1);
        bump(columnOf(event.from), -1);
        send(move, null);
      },
    });
  }
})();
