/* The portal's few behaviours, without inline script (the Content-Security-Policy allows
   scripts from this site only): print buttons, forms that submit themselves, the error
   summary, file-size checks before upload, and the running total of chosen bills. Every
   text shown here comes translated from the page (data attributes). */
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  // The error summary (templates/includes/error_summary.html): focused when the page
  // loads; its links move the focus to the field and show the field's label with it.
  function errorSummary() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var input = document.getElementById(link.getAttribute("href").slice(1));
      if (!input) { return; }
      event.preventDefault();
      var fieldset = input.closest("fieldset");
      var label = document.querySelector("label[for='" + input.id + "']");
      var shown = (input.type === "radio" || input.type === "checkbox") && fieldset ? fieldset : (label || input);
      shown.scrollIntoView();
      input.focus({ preventScroll: true });
    });
  }

  // <input type="file" data-max-bytes="…" data-too-big="…">: a file over the limit is
  // refused here, before it is sent; the message goes in an alert after the input.
  function fileLimits() {
    document.querySelectorAll("input[type=file][data-max-bytes]").forEach(function (input) {
      var max = parseInt(input.getAttribute("data-max-bytes"), 10);
      var note = document.createElement("p");
      note.className = "file-too-big errorlist";
      note.setAttribute("role", "alert");
      note.hidden = true;
      note.id = (input.id || "file") + "-too-big";
      input.insertAdjacentElement("afterend", note);
      function check() {
        var big = Array.prototype.filter.call(input.files || [], function (f) { return f.size > max; });
        if (big.length) {
          note.textContent = input.getAttribute("data-too-big");
          note.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", note.id);
          input.value = "";
          return false;
        }
        return true;
      }
      input.addEventListener("change", function () {
        if (check()) {
          note.hidden = true;
          input.removeAttribute("aria-invalid");
        }
      });
      if (input.form) {
        input.form.addEventListener("submit", function (event) {
          if (!check()) { event.preventDefault(); input.focus(); }
        });
      }
    });
  }

  // Amounts as the page writes them: lakh grouping, two decimals, Bengali digits on a
  // Bengali page ("৳১২,৫০,০০০.০০").
  var BN = "০১২৩৪৫৬৭৮৯";
  function taka(paisa, bengali) {
    var whole = String(Math.floor(paisa / 100));
    var cents = String(paisa % 100);
    if (cents.length < 2) { cents = "0" + cents; }
    var grouped = whole;
    if (whole.length > 3) {
      var head = whole.slice(0, -3), tail = whole.slice(-3);
      grouped = head.replace(/\B(?=(\d{2})+(?!\d))/g, ",") + "," + tail;
    }
    var text = "৳" + grouped + "." + cents;
    return bengali ? text.replace(/[0-9]/g, function (d) { return BN[+d]; }) : text;
  }
  function paisaOf(value) {
    var parts = String(value).split(".");
    var cents = ((parts[1] || "") + "00").slice(0, 2);
    return parseInt(parts[0] || "0", 10) * 100 + parseInt(cents, 10);
  }

  // [data-running-total] inside a form: the total of the ticked checkboxes' data-amount.
  function runningTotals() {
    document.querySelectorAll("[data-running-total]").forEach(function (box) {
      var form = box.closest("form");
      var out = box.querySelector("[data-total]");
      var count = box.querySelector("[data-count]");
      if (!form || !out) { return; }
      var bengali = (document.documentElement.lang || "").indexOf("bn") === 0;
      function update() {
        var sum = 0, n = 0;
        form.querySelectorAll("input[type=checkbox][data-amount]").forEach(function (c) {
          if (c.checked) { sum += paisaOf(c.getAttribute("data-amount")); n += 1; }
        });
        out.textContent = taka(sum, bengali);
        if (count) {
          var digits = String(n);
          count.textContent = bengali ? digits.replace(/[0-9]/g, function (d) { return BN[+d]; }) : digits;
        }
      }
      form.addEventListener("change", update);
      update();
    });
  }

  ready(function () {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
    // e.g. the gateway simulator's "taking you back to the merchant" page
    document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
      form.submit();
    });
    errorSummary();
    fileLimits();
    runningTotals();
  });
})();
