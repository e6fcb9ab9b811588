// The cockpit's charts: each [data-chart] element is drawn with Apache ECharts (static/vendor) from the JSON its
// data-src names, and a click on a bar, point or slice opens the list of its cases. The table next to each chart
// holds the same figures, so without JavaScript (or ECharts) nothing is lost. [data-live] counters refresh
// themselves every data-refresh seconds.
(function () {
  "use strict";
  var dark = document.body.classList.contains("big-screen");
  // No growing bars for whoever asked their system for less motion.
  var still = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  var charts = [];

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + " answered " + r.status);
      return r.json();
    });
  }

  function percent(value) {
    return value === null ? null : Math.round(value * 1000) / 10;
  }

  function isRate(measure) {
    return measure !== "submitted" && measure !== "rating";
  }

  // Each kind of chart: (element, JSON) → [ECharts option, the URL a clicked item opens].
  var kinds = {
    trend: function (el, data) {
      var measure = el.dataset.measure;
      var points = data.points;
      var option = {
        grid: { left: 48, right: 16, top: 16, bottom: 32 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: points.map(function (p) { return p.start; }) },
        yAxis: isRate(measure) ? { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } } : { type: "value" },
        series: [{
          name: el.dataset.label,
          type: measure === "submitted" ? "bar" : "line",
          connectNulls: false,
          data: points.map(function (p) { return isRate(measure) ? percent(p.value) : p.value; }),
        }],
      };
      return [option, function (item) { return points[item.dataIndex].cases; }];
    },
    departments: function (el, data) {
      var rows = data.departments.slice().reverse(); // the first department on top
      // A row per department, every name shown: the chart grows with the departments.
      el.style.height = Math.max(240, rows.length * 32 + 72) + "px";
      var option = {
        grid: { left: 8, right: 24, top: 32, bottom: 24, containLabel: true },
        legend: { top: 0 },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "category", axisLabel: { interval: 0 }, data: rows.map(function (d) { return d.name; }) },
        series: [
          { name: el.dataset.onTime, id: "on_time", type: "bar", data: rows.map(function (d) { return percent(d.on_time); }) },
          { name: el.dataset.sameDay, id: "same_day", type: "bar", data: rows.map(function (d) { return percent(d.same_day); }) },
        ],
      };
      return [option, function (item) { return rows[item.dataIndex].cases[item.seriesId]; }];
    },
    mix: function (el, data) {
      var option = {
        tooltip: { trigger: "item" },
        legend: { bottom: 0 },
        series: [{
          type: "pie",
          radius: ["35%", "65%"],
          data: data.kinds.map(function (k) { return { name: k.title, value: k.count }; }),
        }],
      };
      return [option, function (item) { return data.kinds[item.dataIndex].cases; }];
    },
  };

  function draw(el) {
    getJSON(el.dataset.src).then(function (data) {
      el.hidden = false;
      var made = kinds[el.dataset.chart](el, data);
      var chart = window.echarts.init(el, dark ? "dark" : null);
      made[0].animation = !still;
      made[0].backgroundColor = "transparent"; // the page's own background, light or the big screen's dark
      chart.setOption(made[0]);
      chart.on("click", function (item) {
        var url = made[1](item);
        if (url) window.location.assign(url);
      });
      charts.push(chart);
    }).catch(function (error) {
      // The table beside the chart still holds its figures.
      console.warn(error);
    });
  }

  function refreshLive(box) {
    getJSON(box.dataset.live).then(function (data) {
      box.querySelectorAll("[data-live-field]").forEach(function (el) {
        el.textContent = data[el.dataset.liveField];
      });
      data.kinds.forEach(function (kind) {
        box.querySelectorAll("[data-live-kind][data-kind='" + kind.kind + "']").forEach(function (el) {
          el.textContent = kind[el.dataset.liveKind];
        });
      });
    }).catch(function (error) {
      console.warn(error);
    });
  }

  if (window.echarts) {
    document.querySelectorAll("[data-chart]").forEach(draw);
    window.addEventListener("resize", function () {
      charts.forEach(function (chart) { chart.resize(); });
    });
  }
  document.querySelectorAll("[data-live]").forEach(function (box) {
    var seconds = Number(box.dataset.refresh) || 60;
    window.setInterval(function () { refreshLive(box); }, seconds * 1000);
  });
})();
