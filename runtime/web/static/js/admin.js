// Admin pages: confirmations, copying a shown password, and the permission matrix
// (other actions need "read": ticking one ticks read, unticking read unticks the rest).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    input.select();
    if (navigator.clipboard) {
      navigator.clipboard.writeText(input.value);
    } else {
      document.execCommand("copy");
    }
  });

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.closest && target.closest(".matrix-fields")) {
      target.classList.toggle("field-set", target.value !== "");
      return;
    }
    var row = target.closest && target.closest(".matrix-row");
    if (!row) return;
    if (target.classList.contains("matrix-action")) {
      var boxes = row.querySelectorAll(".matrix-action");
      var read = row.querySelector(".matrix-action[data-action=read]");
      if (target === read && !read.checked) {
        boxes.forEach(function (box) { box.checked = false; });
      } else if (target !== read && target.checked && read) {
        read.checked = true;
      }
    }
    row.classList.add("matrix-changed");
    var badge = row.querySelector(".inherited-badge");
    if (badge) badge.remove();
  });
})();
