#include "conformance/report_html_page.h"

namespace tandem::conformance {

const char* html_page_template() {
  return R"PAGE(<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tandem conformance</title>
<style>
  body { font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #1f2328; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 17px; margin: 28px 0 8px; }
  .meta { color: #59636e; margin-bottom: 16px; }
  table { border-collapse: collapse; }
  th, td { border: 1px solid #d1d9e0; padding: 4px 8px; text-align: left; vertical-align: top; }
  th { background: #f6f8fa; font-weight: 600; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  #matrix td.cell { text-align: center; cursor: pointer; min-width: 84px; font-variant-numeric: tabular-nums; }
  #matrix td.cell:hover { outline: 2px solid #0969da; outline-offset: -2px; }
  #matrix td.cell.selected { outline: 3px solid #0969da; outline-offset: -3px; }
  #matrix th.lane { max-width: 180px; font-size: 12px; }
  .ratio { display: block; font-size: 11px; opacity: 0.85; }
  .badge { display: inline-block; padding: 0 6px; border-radius: 8px; color: #fff; font-size: 12px; }
  .pass { background: #1a7f37; } .fail { background: #cf222e; } .skip { background: #818b98; }
  .xfail { background: #bc4c00; } .xpass { background: #8250df; }
  .legend span { display: inline-block; margin-right: 14px; }
  .legend i { display: inline-block; width: 14px; height: 14px; vertical-align: -2px; margin-right: 4px; border: 1px solid #d1d9e0; }
  .scroll { overflow-x: auto; }
  table.cases { font-size: 12px; }
  table.cases td.reason { min-width: 280px; max-width: 520px; overflow-wrap: anywhere; }
  table.cases td.case { overflow-wrap: anywhere; min-width: 180px; }
  .muted { color: #59636e; }
  .totals b { margin-right: 12px; }
</style>
</head>
<body>
<h1>tandem conformance</h1>
<div class="meta" id="meta"></div>
<div class="totals" id="totals"></div>
<h2>Backends and devices</h2>
<table id="lanes"></table>
<h2>Op family &times; backend/device</h2>
<div class="legend">
  <span><i style="background:hsl(140,60%,32%)"></i>all pass, far within tolerance</span>
  <span><i style="background:hsl(70,75%,70%)"></i>all pass, near tolerance</span>
  <span><i style="background:#cf222e"></i>failures</span>
  <span><i style="background:#fb8f44"></i>expected failures</span>
  <span><i style="background:#d0d7de"></i>skipped only</span>
</div>
<p class="muted">Each cell: passed / run (skips excluded) and the worst error as a fraction of its tolerance. Click a cell for its cases.</p>
<table id="matrix"></table>
<div id="details"></div>
<h2>Failures</h2>
<div id="failures"></div>
<script type="application/json" id="data">/*TANDEM_DATA*/</script>
<script>
"use strict";
const data = JSON.parse(document.getElementById("data").textContent);
const lanes = data.lanes;
const live = lanes.filter(l => l.available);
function esc(text) {
  return String(text).replace(/[&<>"']/g, c => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}
function fmt(x) {
  if (typeof x === "string") return x;
  if (x === 0) return "0";
  return Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(+x.toPrecision(4)) : x.toExponential(2);
}
function ratioValue(r) { return typeof r.ratio === "number" ? r.ratio : Infinity; }
function stats(lane, family) {
  const s = {pass: 0, fail: 0, skip: 0, xfail: 0, xpass: 0, worst: 0, total: 0};
  for (const r of lane.results) {
    if (r.family !== family) continue;
    s[r.status]++; s.total++;
    if (r.status === "pass") s.worst = Math.max(s.worst, ratioValue(r));
  }
  return s;
}
function colour(s) {
  if (s.total === 0) return ["#ffffff", "#59636e"];
  if (s.fail + s.xpass > 0) return ["#cf222e", "#ffffff"];
  if (s.xfail > 0) return ["#fb8f44", "#1f2328"];
  if (s.pass === 0) return ["#d0d7de", "#1f2328"];
  const t = s.worst <= 0 ? 0 : Math.min(1, Math.max(0, (Math.log10(s.worst) + 4) / 4));
  const hue = 140 - 70 * t, light = 32 + 38 * t;
  return ["hsl(" + hue + ",60%," + light + "%)", light > 55 ? "#1f2328" : "#ffffff"];
}
const families = [...new Set(lanes.flatMap(l => l.results.map(r => r.family)))].sort((a, b) =>
  (a === "cache") - (b === "cache") || (a === "models") - (b === "models") || a.localeCompare(b));

document.getElementById("meta").textContent = "tandem " + data.tandem_version + " \u00b7 generated " +
  data.generated_at + " \u00b7 " + lanes.length + " backend/device lanes \u00b7 " + families.length + " op families";
const totals = {pass: 0, fail: 0, skip: 0, xfail: 0, xpass: 0};
for (const l of lanes) for (const k in totals) totals[k] += l.counts[k];
document.getElementById("totals").innerHTML = Object.keys(totals).map(k =>
  '<b><span class="badge ' + k + '">' + k + "</span> " + totals[k] + "</b>").join("");

let rows = "<tr><th>backend</th><th>device</th><th>vendor</th><th>driver</th><th>host</th>" +
  "<th>pass</th><th>fail</th><th>skip</th><th>xfail</th><th>xpass</th><th>note</th></tr>";
for (const l of lanes) {
  const c = l.counts;
  const identity = l.identity.map(p => esc(p[0]) + ": " + esc(p[1])).join("<br>");
  rows += "<tr><td>" + esc(l.backend) + "</td><td>" + (l.available ? esc(l.device) +
    (identity ? "<details><summary class=muted>identity</summary>" + identity + "</details>" : "") : "<i>unavailable</i>") +
    "</td><td>" + esc(l.vendor) + "</td><td>" + esc(l.driver) + "</td><td>" + esc(l.host) + "</td>" +
    ["pass", "fail", "skip", "xfail", "xpass"].map(k => '<td class="num">' + c[k] + "</td>").join("") +
    "<td>" + esc(l.note) + "</td></tr>";
}
document.getElementById("lanes").innerHTML = rows;

let matrix = "<tr><th>family</th>" + live.map(l => '<th class="lane" title="' + esc(l.device) + '">' +
  esc(l.backend) + "<br><span class=muted>" + esc(l.device) + "</span></th>").join("") + "</tr>";
families.forEach(family => {
  matrix += "<tr><th>" + esc(family) + "</th>";
  live.forEach((l, i) => {
    const s = stats(l, family);
    const [bg, fg] = colour(s);
    const run = s.pass + s.fail + s.xfail + s.xpass;
    const text = s.total === 0 ? "&ndash;" : run === 0 ? "skip " + s.skip :
      s.pass + "/" + run + (s.skip ? " <span class=muted style='color:inherit'>(+" + s.skip + " skip)</span>" : "") +
      '<span class="ratio">' + (s.fail + s.xpass > 0 ? (s.fail + s.xpass) + " failing" : s.xfail > 0 ? s.xfail + " expected failure" +
      (s.xfail > 1 ? "s" : "") : s.worst === 0 ? "exact" : "\u2264 " + fmt(s.worst) + "\u00d7 tol") + "</span>";
    matrix += '<td class="cell" data-lane="' + i + '" data-family="' + esc(family) + '" style="background:' + bg +
      ";color:" + fg + '" title="' + esc(family + " on " + l.label + ": " + s.pass + " pass, " + s.fail + " fail, " +
      s.skip + " skip, " + s.xfail + " xfail, " + s.xpass + " xpass") + '">' + text + "</td>";
  });
  matrix += "</tr>";
});
document.getElementById("matrix").innerHTML = matrix;

function caseTable(list, withLane) {
  let html = '<div class="scroll"><table class="cases"><tr>' + (withLane ? "<th>backend/device</th>" : "") + "<th>case</th><th>op</th><th>status</th>" +
    "<th>error/tol</th><th>max abs</th><th>max rel</th><th>max ulp</th><th>worst at</th><th>expected</th>" +
    "<th>actual</th><th>tolerance</th><th>reason</th></tr>";
  for (const [lane, r] of list) {
    html += "<tr>" + (withLane ? "<td>" + esc(lane.label) + "</td>" : "") + '<td class="case">' + esc(r.case) + "</td><td>" +
      esc(r.op) + '</td><td><span class="badge ' + r.status + '">' + r.status + "</span>" +
      (r.cache_status ? " <span class=muted>" + esc(r.cache_status) + "</span>" : "") + '</td><td class="num">' +
      fmt(r.ratio) + '</td><td class="num">' + fmt(r.abs) + '</td><td class="num">' + fmt(r.rel) +
      '</td><td class="num">' + (r.ulp >= 4e18 ? "\u221e" : r.ulp) + "</td><td>" + (r.index >= 0 ? r.output + ":" + r.index : "") +
      '</td><td class="num">' + fmt(r.expected) + '</td><td class="num">' + fmt(r.actual) + "</td><td title=\"" +
      esc(r.tol_reason) + '">' + esc(r.tol) + '</td><td class="reason">' + esc(r.reason) + "</td></tr>";
  }
  return html + "</table></div>";
}
const order = {fail: 0, xpass: 1, xfail: 2, pass: 3, skip: 4};
function byBadness(a, b) { return order[a[1].status] - order[b[1].status] || ratioValue(b[1]) - ratioValue(a[1]); }
function showCell(cell, scroll) {
  document.querySelectorAll("td.cell.selected").forEach(c => c.classList.remove("selected"));
  cell.classList.add("selected");
  const lane = live[+cell.dataset.lane], family = cell.dataset.family;
  const list = lane.results.filter(r => r.family === family).map(r => [lane, r]).sort(byBadness);
  document.getElementById("details").innerHTML = "<h2>" + esc(family) + " on " + esc(lane.label) + "</h2>" +
    caseTable(list, false);
  history.replaceState(null, "", "#" + cell.dataset.lane + ":" + encodeURIComponent(family));
  if (scroll) document.getElementById("details").scrollIntoView({behavior: "smooth"});
}
document.getElementById("matrix").addEventListener("click", event => {
  const cell = event.target.closest("td.cell");
  if (cell) showCell(cell, true);
});
// A link to report.html#<lane>:<family> opens with that cell's cases shown.
const wanted = /^#(\d+):(.+)$/.exec(location.hash);
if (wanted) {
  const family = decodeURIComponent(wanted[2]);
  const cell = [...document.querySelectorAll("td.cell")].find(c => c.dataset.lane === wanted[1] && c.dataset.family === family);
  if (cell) showCell(cell, false);
}
const failing = lanes.flatMap(l => l.results.filter(r => r.status === "fail" || r.status === "xpass").map(r => [l, r]));
document.getElementById("failures").innerHTML = failing.length ? caseTable(failing.sort(byBadness), true) :
  "<p class=muted>No failures.</p>";
</script>
</body>
</html>
)PAGE";
}

}  // namespace tandem::conformance
