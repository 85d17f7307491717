/* Draws every <canvas data-chart="type" data-source="json-script-id"> with the vendored
 * Chart.js. The figures come from a {{ data|json_script }} tag (the CSP allows no inline
 * scripts), and each chart's data table beside it holds the same numbers. Runs on load and
 * again after htmx swaps in new content (the dashboard filters). */
(function () {
  "use strict";

  var PALETTE = ["#2f5bea", "#12a37f", "#f59e0b", "#c2417a", "#7c3aed", "#0ea5e9"];

  function format(value, unit) {
    if (value === null || value === undefined) return "–";
    if (unit === "money") {
      if (Math.abs(value) >= 1e6) return "€" + (value / 1e6).toFixed(1) + "M";
      if (Math.abs(value) >= 1e3) return "€" + Math.round(value / 1e3) + "k";
      return "€" + Math.round(value);
    }
    if (unit === "percent") return Math.round(value) + "%";
    return String(value);
  }

  function datasets(data, extra) {
    return data.datasets.map(function (ds, i) {
      var colour = PALETTE[i % PALETTE.length];
      return Object.assign(
        { label: ds.label, data: ds.data, borderColor: colour, backgroundColor: colour + "cc" },
        extra ? extra(colour, i) : {}
      );
    });
  }

  function config(kind, data) {
    var tick = { callback: function (v) { return format(v, data.unit); } };
    var base = {
      responsive: true,
      maintainAspectRatio: false,
      animation: { duration: 250 },
      plugins: { legend: { position: "bottom" } },
    };
    if (kind === "funnel") {
      return {
        type: "bar",
        data: { labels: data.labels, datasets: datasets(data) },
        options: Object.assign(base, {
          indexAxis: "y",
          plugins: { legend: { display: false } },
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } },
        }),
      };
    }
    if (kind === "stacked") {
      return {
        type: "bar",
        data: { labels: data.labels, datasets: datasets(data) },
        options: Object.assign(base, {
          scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
        }),
      };
    }
    if (kind === "line") {
      return {
        type: "line",
        data: {
          labels: data.labels,
          datasets: datasets(data, function (colour) {
            return { backgroundColor: colour, tension: 0.25, pointRadius: 2, spanGaps: true };
          }),
        },
        options: Object.assign(base, { scales: { y: { beginAtZero: true, ticks: tick } } }),
      };
    }
    if (kind === "radar") {
      return {
        type: "radar",
        data: {
          labels: data.labels,
          datasets: datasets(data, function (colour, i) {
            return { backgroundColor: colour + "22", borderDash: i === 2 ? [4, 4] : [], pointRadius: 2 };
          }),
        },
        options: Object.assign(base, { scales: { r: { min: 0, max: 5, ticks: { stepSize: 1 } } } }),
      };
    }
    if (kind === "scatter") {
      return {
        type: "scatter",
        data: { datasets: datasets(data, function (colour) { return { backgroundColor: colour + "99", pointRadius: 4 }; }) },
        options: Object.assign(base, {
          plugins: {
            legend: { display: false },
            tooltip: { callbacks: { label: function (ctx) {
              return ctx.raw.title + " (value " + ctx.raw.y + ", feasibility " + ctx.raw.x + ")";
            } } },
          },
          scales: {
            x: { min: 0, max: 100, title: { display: true, text: "Feasibility score" } },
            y: { min: 0, max: 100, title: { display: true, text: "Value score" } },
          },
        }),
      };
    }
    return null;
  }

  function draw(canvas) {
    if (!window.Chart || window.Chart.getChart(canvas)) return;
    var source = document.getElementById(canvas.dataset.source);
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var cfg = config(canvas.dataset.chart, data);
    if (!cfg) return;
    if (data.links && data.links.length) {
      // A click on a bar opens the list behind it (the same link as the table's row).
      cfg.options.onClick = function (event, elements) {
        if (elements.length && data.links[elements[0].index]) {
          window.location.href = data.links[elements[0].index];
        }
      };
    }
    new window.Chart(canvas, cfg);
    canvas.dataset.drawn = "true";
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
})();
