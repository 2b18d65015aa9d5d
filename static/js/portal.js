/* The portal's few behaviours, without inline script (the Content-Security-Policy allows
   scripts from this site only): print buttons, and forms that submit themselves. */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // e.g. the gateway simulator's "taking you back to the merchant" page
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.submit();
    });
  });
})();
