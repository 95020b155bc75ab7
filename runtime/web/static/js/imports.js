// Import wizard: the sheet choice reloads the mapping; the key field shows only for
// modes that find existing records (update, upsert).
(function () {
  "use strict";
  document.querySelectorAll("[data-import-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
  var mode = document.querySelector("[data-import-mode]");
  var key = document.querySelector("[data-import-key]");
  if (mode && key) {
    var sync = function () { key.hidden = mode.value === "insert"; };
    mode.addEventListener("change", sync);
    sync();
  }
})();
