// The meter reader's route (templates/water_billing/readings/route.html): after a save the
// page opens at the next connection's reading field (#id_c<pk>-reading: the browser
// focuses it, with or without script); here its whole card is brought to the top, so what
// became of the reading just saved shows above the field. Not when the page shows an error
// summary: that has the focus.
(function () {
  "use strict";
  function ready() {
    if (document.querySelector("[data-error-summary]")) return;
    var field = document.querySelector("[data-focus-next]");
    if (!field) return;
    var card = field.closest(".stop");
    if (card) card.scrollIntoView({ block: "start" });
    field.focus({ preventScroll: true });
  }
  // After the browser has scrolled to the #fragment (which happens once the page loads).
  function later() { window.setTimeout(ready, 0); }
  if (document.readyState === "complete") { later(); } else { window.addEventListener("load", later); }
})();
