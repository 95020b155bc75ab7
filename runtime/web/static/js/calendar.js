/* Calendar: drag an event to another day → POST /t/<table>/_board/reschedule.
 * The server keeps a datetime's time of day; on any error (validation, conflict, no
 * permission) a toast says why and the event goes back to its day. */
(function () {
  "use strict";
  const calendar = document.getElementById("calendar");
  if (!calendar || calendar.dataset.draggable !== "true") return;
  const texts = JSON.parse(document.getElementById("board-texts").textContent);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;

  const toast = window.kairosBoardToast;

  function putBack(event) {
    event.from.insertBefore(event.item, event.from.children[event.oldIndex] || null);
  }

  async function reschedule(event) {
    const item = event.item;
    const payload = {
      id: item.dataset.id,
      field: calendar.dataset.field,
      date: event.to.dataset.date,
      row_version: parseInt(item.dataset.version, 10),
    };
    let response, body;
    try {
      response = await fetch(calendar.dataset.url, {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
        body: JSON.stringify(payload),
      });
      body = await response.json();
    } catch (error) {
      toast(texts.network);
      putBack(event);
      return;
    }
    if (!response.ok) {
      const details = (body.errors || []).map((e) => e.message).join(texts.separator || "; ");
      toast(details || body.message || texts.failed);
      if (response.status === 409) item.dataset.version = body.row_version;
      putBack(event);
      return;
    }
    item.dataset.version = body.row_version;
    item.classList.add("bcal-saved");
    setTimeout(() => item.classList.remove("bcal-saved"), 1200);
  }

  for (const day of calendar.querySelectorAll(".bcal-events")) {
    window.Sortable.create(day, {
      group: "calendar",
      draggable: ".bcal-draggable",
      animation: 120,
      ghostClass: "bcal-ghost",
      onEnd(event) {
        if (event.from !== event.to) reschedule(event);
      },
    });
  }
})();
