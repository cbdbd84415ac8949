/* Small page actions that would otherwise be inline event handlers, which the Content-Security-Policy
 * forbids (backend/csp.py):
 *   <select data-submit-on-change>   submits its form when another option is chosen
 *   <button data-print hidden>       shown once this script runs; prints the page */
(function () {
  "use strict";

  document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
    field.addEventListener("change", function () {
      if (field.form) field.form.submit();
    });
  });

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
