/* Charts of the staff reports, drawn by the vendored Chart.js (static/vendor/chartjs) from
   data the page carries as JSON (<script type="application/json">, never run): a
   <canvas data-chart="ID"> draws the series of the JSON element ID. Every chart's figures
   are also in a table on the page, for screen readers and for printing. */
(function () {
  "use strict";
  var COLOURS = ["#0b6e4f", "#9aa5b1", "#c05621", "#2b6cb0"];
  function draw(canvas) {
    var source = document.getElementById(canvas.getAttribute("data-chart"));
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var bengali = (document.documentElement.lang || "").indexOf("bn") === 0;
    var format = new Intl.NumberFormat(bengali ? "bn-BD" : "en-IN", { maximumFractionDigits: 0 });
    new Chart(canvas, {
      type: canvas.getAttribute("data-chart-type") || "bar",
      data: {
        labels: data.labels,
        datasets: data.series.map(function (series, i) {
          return { label: series.name, data: series.values, backgroundColor: COLOURS[i % COLOURS.length], borderColor: COLOURS[i % COLOURS.length] };
        })
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, ticks: { callback: function (value) { return format.format(value); } } } },
        plugins: { tooltip: { callbacks: { label: function (ctx) { return ctx.dataset.label + ": ৳ " + format.format(ctx.parsed.y); } } } }
      }
    });
  }
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () { document.querySelectorAll("canvas[data-chart]").forEach(draw); });
})();
