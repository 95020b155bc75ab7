/* Public form: date pickers and star ratings for the widgets of templates/forms/widgets.html.
   Plain HTML inputs are enough for everything else; the server validates. */
(function () {
  "use strict";
  var zh = (document.documentElement.lang || "").indexOf("zh") === 0;
  var PICKERS = {
    date: { dateFormat: "Y-m-d" },
    datetime: { enableTime: true, time_24hr: true, dateFormat: "Y-m-d H:i" },
    time: { enableTime: true, noCalendar: true, time_24hr: true, dateFormat: "H:i" }
  };
  document.querySelectorAll("[data-widget]").forEach(function (el) {
    var options = PICKERS[el.dataset.widget];
    if (options && window.flatpickr) {
      var copy = Object.assign({ allowInput: true }, options);
      if (zh && window.flatpickr.l10ns && window.flatpickr.l10ns.zh) copy.locale = "zh";
      window.flatpickr(el, copy);
    }
    if (el.dataset.widget === "rating") {
      var input = el.querySelector("input");
      var paint = function () {
        el.querySelectorAll(".kf-star").forEach(function (star) {
          star.classList.toggle("on", +star.dataset.star <= +(input.value || 0));
        });
      };
      el.addEventListener("click", function (event) {
        var star = event.target.closest("[data-star]");
        if (!star) return;
        input.value = star.dataset.star === "0" ? "" : star.dataset.star;
        paint();
      });
      paint();
    }
  });
})();
