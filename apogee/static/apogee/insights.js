// Report charts: each <canvas data-report-chart="id"> is drawn from the JSON in <script id="id">.
// A click on a bar or point opens the deals behind it. Cards loaded later by htmx are drawn too.
(function () {
  "use strict";

  const money = new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: 0 });

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    const source = document.getElementById(canvas.dataset.reportChart);
    if (!source) return;
    const config = JSON.parse(source.textContent);
    canvas.dataset.drawn = "1";
    const stacked = Boolean(config.stacked);
    new Chart(canvas, {
      type: config.type,
      data: config.data,
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          x: { stacked: stacked, ticks: { autoSkip: true, maxRotation: 45 } },
          y: { stacked: stacked, beginAtZero: true, ticks: { precision: 0, callback: (value) => money.format(value) } },
        },
        plugins: {
          legend: { display: config.data.datasets.length > 1, position: "bottom" },
          tooltip: {
            callbacks: {
              label: (item) => `${item.dataset.label}: ${money.format(item.parsed.y)}${config.currency && item.dataset.label.match(/value|valeur/i) ? " " + config.currency : ""}`,
            },
          },
        },
        onHover: (event, elements) => {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        onClick: (_event, elements) => {
          if (!elements.length) return;
          const { datasetIndex, index } = elements[0];
          const link = (config.data.datasets[datasetIndex].links || [])[index];
          if (link) window.location.href = link;
        },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[data-report-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", () => drawAll(document));
  document.addEventListener("htmx:afterSettle", (event) => drawAll(event.target));
})();
