/* Public-form admin page: switching the table reloads the page with that table's fields;
   deleting asks first. */
(function () {
  "use strict";
  var table = document.querySelector("[data-switch-table]");
  if (table) {
    table.addEventListener("change", function () {
      var url = new URL(window.location.href);
      url.searchParams.set("table", table.value);
      window.location.assign(url.toString());
    });
  }
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) {
        event.preventDefault();
      }
    });
  });
})();
