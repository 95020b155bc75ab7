// A dismissible toast in #board-toasts, shared by the kanban and calendar pages.
(function () {
  "use strict";
  window.kairosBoardToast = function toast(message, kind) {
    const box = document.createElement("div");
    box.className = "toast align-items-center border-0 text-bg-" + (kind || "danger");
    box.setAttribute("role", "alert");
    box.dataset.testid = "board-toast";
    const row = document.createElement("div");
    row.className = "d-flex";
    const body = document.createElement("div");
    body.className = "toast-body";
    body.textContent = message;
    const close = document.createElement("button");
    close.type = "button";
    close.className = "btn-close btn-close-white me-2 m-auto";
    close.setAttribute("data-bs-dismiss", "toast");
    row.append(body, close);
    box.append(row);
    document.getElementById("board-toasts").append(box);
    window.tabler.Toast.getOrCreateInstance(box, { delay: 6000 }).show();
    box.addEventListener("hidden.bs.toast", () => box.remove());
  };
})();
