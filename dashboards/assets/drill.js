// Click a bar to list its calls: bars whose points carry a drill-down address in `customdata`
// (a path under /dashboard/calls, set by dashboards/figures.py for supervisors only) open it.
// The "List the calls" links under each chart stay as the keyboard and screen-reader route.
(function () {
  "use strict";

  var DRILL = "/dashboard/calls";

  function listen(graph) {
    if (graph.__mhuDrill || typeof graph.on !== "function") return;
    graph.__mhuDrill = true;
    graph.on("plotly_click", function (event) {
      var point = event && event.points && event.points[0];
      var href = point && point.customdata;
      if (typeof href === "string" && href.indexOf(DRILL) === 0) window.location.assign(href);
    });
  }

  function scan() {
    document.querySelectorAll(".js-plotly-plot").forEach(listen);
  }

  new MutationObserver(scan).observe(document.documentElement, { subtree: true, childList: true });
  document.addEventListener("DOMContentLoaded", scan);
})();
