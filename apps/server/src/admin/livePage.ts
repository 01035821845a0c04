/**
 * The live page (`getLivePage`): one self-contained HTML document, inline style and script, no
 * library and nothing fetched but its own event stream (`streamLiveEvents`), so it works offline
 * under the docs' CSP. Everything the stream sends is written as text (`textContent`), never as
 * markup.
 */

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.4 system-ui,sans-serif;color:#1b1f24;background:#f4f5f7}
header{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;padding:.75rem 1rem;background:#1f2d3d;color:#fff}
header h1{font-size:1.05rem;margin:0}
header form{display:flex;gap:.5rem;flex:1 1 16rem;min-width:0}
header input{flex:1;min-width:0;padding:.3rem .5rem;font:inherit}
#state{font-size:.85rem;opacity:.85}
main{display:grid;grid-template-columns:minmax(0,2fr) minmax(0,1fr);gap:1rem;padding:1rem}
section{background:#fff;border:1px solid #d8dde3;border-radius:6px;padding:.75rem;min-width:0}
section h2{font-size:.95rem;margin:0 0 .5rem}
#traces-box{grid-row:span 3}
ol{list-style:none;margin:0;padding:0}
li.item{border-top:1px solid #e6e9ed;padding:.5rem 0;overflow-wrap:anywhere}
li.item:first-child{border-top:0}
.meta{color:#5a6470;font-size:.8rem}
.ok{color:#146c2e}.no{color:#a4262c}.wait{color:#8a5a00}
ul.why{margin:.3rem 0 0;padding-left:1.1rem}
pre{white-space:pre-wrap;overflow-wrap:anywhere;background:#f4f5f7;padding:.4rem;margin:.3rem 0 0;font-size:.8rem;max-height:16rem;overflow:auto}
code{font-size:.85em}
.empty{color:#5a6470}
@media (max-width:760px){main{grid-template-columns:minmax(0,1fr)}#traces-box{grid-row:auto}}
`;

const SCRIPT = `
"use strict";
const $ = (id) => document.getElementById(id);
function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = String(text);
  return e;
}
const MAX = 200;
function prepend(list, item) {
  list.querySelector(".empty")?.remove();
  list.prepend(item);
  while (list.children.length > MAX) list.lastElementChild.remove();
}
function details(summary, body) {
  const d = el("details");
  d.append(el("summary", null, summary), el("pre", null, body));
  return d;
}
function pretty(text) {
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return String(text); }
}
const statusClass = (s) => (s === "delivered" ? "ok" : s === "pending" ? "wait" : "no");
function deliveryLine(d) {
  const li = el("li", "item delivery");
  li.dataset.deliveryId = d.delivery_id;
  const head = el("div");
  head.append(el("strong", statusClass(d.status), d.status), " ",
    el("span", "meta", "attempts " + d.attempts + (d.response_status !== undefined ? " · receiver " + d.response_status : "") + (d.error ? " · " + d.error : "")));
  li.append(head, el("div", "meta", (d.endpoint || "no endpoint") + " ← " + d.target));
  if (d.payload !== undefined) li.append(details("payload", pretty(d.payload)));
  return li;
}
function showDelivery(d) {
  for (const old of document.querySelectorAll('[data-delivery-id="' + CSS.escape(d.delivery_id) + '"]')) {
    old.replaceWith(deliveryLine(d));
  }
  if (!$("deliveries").querySelector('[data-delivery-id="' + CSS.escape(d.delivery_id) + '"]')) prepend($("deliveries"), deliveryLine(d));
  if (d.trace_id) {
    const box = document.querySelector('[data-trace-id="' + CSS.escape(d.trace_id) + '"] .trace-deliveries');
    if (box && !box.querySelector('[data-delivery-id="' + CSS.escape(d.delivery_id) + '"]')) box.append(deliveryLine(d));
  }
}
function showTrace(x) {
  const t = x.trace;
  const li = el("li", "item trace");
  li.dataset.traceId = t.trace_id;
  const head = el("div");
  head.append(el("strong", null, t.service_type + " " + t.trace_name), " ",
    el("span", "meta", (t.user && t.user.name ? t.user.name + " · " : "") + new Date(t.time).toISOString() + " · " + t.trace_id));
  li.append(head);
  const why = el("ul", "why");
  if (x.notifications.length === 0) why.append(el("li", "empty", "The project has no notifications."));
  for (const n of x.notifications) {
    const row = el("li", "explanation");
    row.append(el("span", n.matched ? "ok" : "no", n.matched ? "matched" : n.reason.code), " ",
      el("span", null, n.notification_name));
    if (!n.matched) row.append(el("div", "meta", n.reason.message));
    why.append(row);
  }
  const dl = el("ol", "trace-deliveries");
  for (const d of x.deliveries) dl.append(deliveryLine(d));
  li.append(why, dl);
  prepend($("traces"), li);
}
function showRecord(r) {
  const li = el("li", "item record");
  li.append(el("strong", null, r.event_name + " · " + r.trigger_event_type),
    el("div", "meta", r.secret_name + " · " + r.notification_status + " · " + new Date(r.create_time).toISOString()));
  if (r.notification_content) li.append(details("content", pretty(r.notification_content)));
  prepend($("records"), li);
}
function showRequest(e) {
  const li = el("li", "item request");
  li.append(el("strong", e.status < 400 ? "ok" : "no", e.status), " ",
    el("span", null, e.method + " " + e.path), " ",
    el("span", "meta", (e.operation_id || "") + " · " + e.duration_ms + " ms · " + e.request_id));
  if (e.body !== undefined) li.append(details("body", JSON.stringify(e.body, null, 2)));
  prepend($("requests"), li);
}
let source;
function clear() {
  for (const id of ["traces", "deliveries", "records", "requests"]) {
    $(id).replaceChildren(el("li", "empty", "Nothing yet."));
  }
}
function open(project) {
  source?.close();
  clear();
  if (!project) { $("state").textContent = "Enter a project ID."; return; }
  source = new EventSource("/_admin/live/events?project_id=" + encodeURIComponent(project));
  $("state").textContent = "connecting…";
  source.onopen = () => { $("state").textContent = "live: " + project; };
  source.onerror = () => { $("state").textContent = "reconnecting…"; };
  const on = (name, show) => source.addEventListener(name, (m) => show(JSON.parse(m.data)));
  on("trace", showTrace);
  on("delivery", showDelivery);
  on("record", showRecord);
  on("request", showRequest);
}
const params = new URLSearchParams(location.search);
$("project").value = params.get("project_id") || "";
$("pick").addEventListener("submit", (ev) => {
  ev.preventDefault();
  const project = $("project").value.trim();
  const url = new URL(location.href);
  url.searchParams.set("project_id", project);
  history.replaceState(null, "", url);
  open(project);
});
open($("project").value.trim());
`;

export const LIVE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cts-csms live</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>cts-csms live</h1>
<form id="pick"><label for="project" class="meta" style="color:inherit">Project</label><input id="project" name="project_id" placeholder="project ID" autocomplete="off" spellcheck="false"><button>Show</button></form>
<span id="state" role="status"></span>
</header>
<main>
<section id="traces-box"><h2>Traces, their notifications and deliveries</h2><ol id="traces"></ol></section>
<section><h2>Deliveries</h2><ol id="deliveries"></ol></section>
<section><h2>CSMS notification records</h2><ol id="records"></ol></section>
<section><h2>Request journal</h2><ol id="requests"></ol></section>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
