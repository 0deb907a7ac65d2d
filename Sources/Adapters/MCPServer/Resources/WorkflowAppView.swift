/// The MCP App view of a workflow (`ui://argo-mcp/workflow`, MCP Apps extension `io.modelcontextprotocol/ui`): one
/// self-contained HTML document, inline CSS and JS, no network, drawing `render_workflow_graph`'s layout as SVG.
/// Served by ``AppsExtension`` to clients that declare the extension; tested in headless Chromium
/// (`Tests/Scenario/AppsScenarioTests.swift`, with the host and driver in `Tests/Interop`).
///
/// Every name from the cluster reaches the page as data and is written with `textContent` or as an attribute
/// value through `setAttribute`, never as markup.
enum WorkflowAppView {
    static let uri = "ui://argo-mcp/workflow"
    static let mimeType = "text/html;profile=mcp-app"

    static let html = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Argo workflow</title>
        <style>
          :root { color-scheme: light dark; --fg: #1d2125; --muted: #6c757d; --bg: #ffffff; --panel: #f6f8fa; }
          .dark { --fg: #e6e6e6; --muted: #9aa0a6; --bg: #16181b; --panel: #202327; }
          body { margin: 0; font: 13px/1.4 system-ui, sans-serif; color: var(--fg); background: var(--bg); }
          header { display: flex; gap: 12px; align-items: baseline; padding: 8px 12px; }
          header h1 { font-size: 14px; margin: 0; overflow-wrap: anywhere; }
          header .phase { font-weight: 600; }
          header .meta { color: var(--muted); }
          header .zoom { margin-left: auto; white-space: nowrap; }
          #canvas { overflow: auto; max-height: 70vh; border-top: 1px solid var(--panel); }
          svg { display: block; }
          .node rect { stroke-width: 1; }
          .node text { font-size: 12px; fill: #1d2125; pointer-events: none; }
          .node { cursor: pointer; }
          .node.selected rect { stroke: #6f42c1; stroke-width: 3; }
          .node.critical rect { stroke: #d35400; stroke-width: 3; }
          .node.root-cause rect { stroke-dasharray: 6 3; stroke-width: 3; }
          .edge { stroke: var(--muted); }
          .edge.critical { stroke: #d35400; stroke-width: 3; }
          #details { padding: 8px 12px; background: var(--panel); min-height: 2em; }
          #details dl { display: grid; grid-template-columns: max-content 1fr; gap: 2px 12px; margin: 0; }
          #details dt { color: var(--muted); }
          #details dd { margin: 0; overflow-wrap: anywhere; }
          #logs { white-space: pre-wrap; max-height: 30vh; overflow: auto; font: 12px ui-monospace, monospace; }
          button { font: inherit; }
          #status { color: var(--muted); padding: 0 12px 8px; }
        </style>
        </head>
        <body>
        <header><h1 id="title">Waiting for a workflow…</h1><span class="phase" id="phase"></span>
          <span class="meta" id="meta"></span><span class="zoom"><button id="smaller" title="Smaller">−</button>
          <button id="fit" title="Fit the width">fit</button><button id="larger" title="Larger">+</button></span></header>
        <div id="canvas"></div>
        <div id="details">Select a box for its details.</div>
        <div id="status"></div>
        <script>
        (function () {
          "use strict";
          var SVG = "http://www.w3.org/2000/svg";
          var COLOURS = {
            Succeeded: ["#d4edda", "#28a745"], Failed: ["#f8d7da", "#dc3545"], Error: ["#f8d7da", "#dc3545"],
            Running: ["#d1ecf1", "#17a2b8"], Skipped: ["#e2e3e5", "#adb5bd"], Omitted: ["#e2e3e5", "#adb5bd"]
          };
          var nextId = 1, pending = {}, target = null, drawing = null, selected = null, timer = null, canCall = false;
          // The drawing's scale: fitted to the width (not below half size, where labels stop being readable) until
          // the user zooms; the first drawing of a workflow scrolls to its first root cause, else its top.
          var scale = null, shown = null;
          // Layout requests made, and the newest whose answer was drawn: an older answer arriving late is dropped.
          var requests = 0, drawn = 0, inflight = 0;
          // Following a run: redraws so far and when it began (every 3 s for five minutes, then every 15 s; it stops
          // after two hours, and skips a tick while the view is hidden). Torn down: nothing more is asked or drawn.
          var polls = 0, followedSince = 0, closed = false;
          var FOLLOW_FOR_MS = 2 * 60 * 60 * 1000;

          function send(message) { window.parent.postMessage(message, "*"); }
          function request(method, params) {
            var id = nextId++;
            send({ jsonrpc: "2.0", id: id, method: method, params: params || {} });
            return new Promise(function (resolve, reject) { pending[id] = { resolve: resolve, reject: reject }; });
          }
          function notify(method, params) { send({ jsonrpc: "2.0", method: method, params: params || {} }); }
          function status(text) { document.getElementById("status").textContent = clean(text); }
          // Text from the cluster as the page shows it: controls dropped, bidi overrides and isolates (which would
          // reorder what follows them, "invoice\u202Efdp.exe") marked as U+FFFD. Always written as text, never markup.
          function clean(value) {
            if (value === null || value === undefined) return "";
            return String(value).replace(/[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g, "\uFFFD")
              .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, "");
          }

          function stop() {
            if (timer) clearTimeout(timer);
            timer = null;
          }

          // A new call to show: nothing of the previous one (its timer, selection, details, scroll) carries over.
          function follow(next) {
            stop();
            target = next;
            drawing = null;
            selected = null;
            shown = null;
            polls = 0;
            followedSince = Date.now();
            var panel = document.getElementById("details");
            while (panel.firstChild) panel.removeChild(panel.firstChild);
            panel.removeAttribute("data-box");
            panel.textContent = "Select a box for its details.";
          }

          window.addEventListener("message", function (event) {
            if (event.source !== window.parent) return;
            var m = event.data;
            if (!m || m.jsonrpc !== "2.0") return;
            if (m.id !== undefined && m.method === undefined) {
              var p = pending[m.id];
              if (!p) return;
              delete pending[m.id];
              if (m.error) p.reject(m.error); else p.resolve(m.result);
              return;
            }
            if (m.method === "ui/notifications/tool-input") {
              // The call has started: a workflow (or manifest) it names is drawn now, and kept up to date while the
              // call runs (watch_workflow answers only when the run ends).
              var args = (m.params && m.params.arguments) || {};
              if (typeof args.manifest === "string") {
                follow({ manifest: args.manifest, namespace: args.namespace, context: args.context });
                refresh();
              } else if (typeof args.name === "string") {
                follow({ name: args.name, namespace: args.namespace, context: args.context });
                refresh();
              }
            } else if (m.method === "ui/notifications/tool-result") {
              received(m.params || {});
            } else if (m.method === "ui/notifications/tool-cancelled") {
              status("The tool call was cancelled.");
            } else if (m.method === "ui/notifications/host-context-changed") {
              theme(m.params);
            } else if (m.id !== undefined) {
              if (m.method === "ui/resource-teardown") {
                closed = true;
                stop();
                send({ jsonrpc: "2.0", id: m.id, result: {} });
              } else if (m.method === "ping") {
                send({ jsonrpc: "2.0", id: m.id, result: {} });
              } else {
                send({ jsonrpc: "2.0", id: m.id, error: { code: -32601, message: "not handled by this view" } });
              }
            }
          });

          function theme(context) {
            if (context && context.theme) document.documentElement.className = context.theme === "dark" ? "dark" : "";
          }

          function errorText(result) {
            return ((result && result.content) || []).map(function (c) { return c.text || ""; }).join(" ").slice(0, 500);
          }

          // A tool result: the layout itself (render_workflow_graph format layout), or a workflow (or a manifest,
          // drawn in another format) to ask the layout of.
          function received(result) {
            if (closed) return;
            if (result.isError) { status(errorText(result)); return; }
            var s = result.structuredContent || {};
            if (Array.isArray(s.boxes)) {
              if (!(target && target.manifest !== undefined && s.phase === "Not submitted")) {
                var same = target && target.name === s.name && target.namespace === s.namespace;
                if (!same) follow({ name: s.name, namespace: s.namespace, context: target && target.context });
              }
              drawn = requests;
              draw(s);
              return;
            }
            if (target && target.manifest !== undefined) {
              if (!covered()) refresh();
              return;
            }
            if (s.phase === "Not submitted") {
              status("A manifest's drawing: its input did not reach this view; call render_workflow_graph with format layout.");
              return;
            }
            var name = s.name || (target && target.name), namespace = s.namespace || (target && target.namespace);
            if (!name) { status("This result names no workflow."); return; }
            var known = target && target.name === name
              && (target.namespace === undefined || target.namespace === namespace);
            if (!known) follow({ name: name, namespace: namespace, context: target && target.context });
            if (!(known && covered())) refresh();
          }

          // The call's input already brought (or is bringing) what its result names: a request is under way, the
          // redraw timer runs, or the drawing shows a finished run (it will not change).
          function covered() {
            return requests > 0 && (inflight > 0 || timer !== null || (!!drawing && !live()));
          }

          function refresh() {
            timer = null;
            if (!target || closed) return;
            if (!canCall) {
              status("This host does not let the view call tools: ask for render_workflow_graph with format layout to see the drawing here.");
              return;
            }
            var asked = target;
            var args = asked.manifest !== undefined
              ? { manifest: asked.manifest, format: "layout", max_nodes: 200 }
              : { name: asked.name, format: "layout", max_nodes: 200 };
            if (asked.namespace) args.namespace = asked.namespace;
            if (asked.context) args.context = asked.context;
            var sequence = ++requests;
            inflight += 1;
            request("tools/call", { name: "render_workflow_graph", arguments: args }).then(function (r) {
              inflight -= 1;
              // An answer for another call than the one shown now, or older than the one drawn, is dropped.
              if (closed || target !== asked || sequence < drawn) return;
              if (r && !r.isError && r.structuredContent && Array.isArray(r.structuredContent.boxes)) {
                drawn = sequence;
                draw(r.structuredContent);
              } else {
                status("The workflow could not be drawn: " + errorText(r));
                schedule();
              }
            }, function (e) {
              inflight -= 1;
              if (closed || target !== asked) return;
              status("The host could not call render_workflow_graph: " + (e && e.message));
              schedule();
            });
          }

          // The next redraw of a run that is followed (a failed one is tried again at the next tick).
          function schedule() {
            stop();
            if (closed || !live()) return;
            if (Date.now() - followedSince > FOLLOW_FOR_MS) {
              status("Stopped following after two hours; call the tool again to see the run now.");
              return;
            }
            polls += 1;
            timer = setTimeout(function () {
              if (document.hidden) { schedule(); return; }
              refresh();
            }, polls <= 100 ? 3000 : 15000);
          }

          function live() {
            return !!drawing && !(target && target.manifest !== undefined)
              && (drawing.phase === "Running" || drawing.phase === "Pending");
          }

          // What a selection follows from one drawing to the next: the workflow node (a box's id is its place, which
          // changes as the run goes), or the box for a collapsed fan-out.
          function keyOf(b) { return b.nodeId ? "node:" + b.nodeId : "box:" + b.id; }

          function el(name, attributes) {
            var node = document.createElementNS(SVG, name);
            for (var key in attributes) node.setAttribute(key, String(attributes[key]));
            return node;
          }

          function draw(d) {
            if (closed) return;
            var started = performance.now();
            d.boxes = Array.isArray(d.boxes) ? d.boxes : [];
            d.edges = Array.isArray(d.edges) ? d.edges : [];
            drawing = d;
            document.getElementById("title").textContent = clean(d.namespace + "/" + d.name);
            document.getElementById("phase").textContent = clean(d.phase);
            document.getElementById("meta").textContent = d.boxes.length + " boxes for " + d.nodeCount + " nodes"
              + (d.collapsedFanOuts ? ", " + d.collapsedFanOuts + " fan-outs collapsed" : "")
              + (d.truncated ? " (more not drawn)" : "");
            var canvas = document.getElementById("canvas");
            var fitted = Math.max(0.5, Math.min(1, (canvas.clientWidth || d.width) / d.width));
            var k = scale || fitted;
            var svg = el("svg", { width: Math.round(d.width * k), height: Math.round(d.height * k),
              viewBox: "0 0 " + d.width + " " + d.height });
            var byId = {};
            d.boxes.forEach(function (b) { byId[b.id] = b; });
            d.edges.forEach(function (e) {
              var a = byId[e.from], b = byId[e.to];
              if (!a || !b) return;
              svg.appendChild(el("line", {
                "class": "edge" + (e.critical ? " critical" : ""), x1: a.x + a.width / 2, y1: a.y + a.height,
                x2: b.x + b.width / 2, y2: b.y
              }));
            });
            d.boxes.forEach(function (b) {
              var colours = COLOURS[b.phase] || ["#f8f9fa", "#6c757d"];
              var classes = ["node", "phase-" + String(b.phase).toLowerCase().replace(/[^a-z]/g, "")];
              if (b.critical) classes.push("critical");
              if (b.rootCause) classes.push("root-cause");
              if (b.nodes > 1) classes.push("collapsed");
              if (selected === keyOf(b)) classes.push("selected");
              var g = el("g", { "class": classes.join(" "), "data-box": b.id, "data-key": keyOf(b) });
              var title = el("title", {});
              title.textContent = clean(b.message || b.label);
              g.appendChild(title);
              g.appendChild(el("rect", { x: b.x, y: b.y, width: b.width, height: b.height, rx: 6,
                fill: colours[0], stroke: colours[1] }));
              var text = el("text", { x: b.x + 8, y: b.y + b.height / 2 + 4 });
              text.textContent = (b.rootCause ? "\u26A0 " : "") + clean(b.label);
              g.appendChild(text);
              g.addEventListener("click", function () { select(keyOf(b)); });
              svg.appendChild(g);
            });
            while (canvas.firstChild) canvas.removeChild(canvas.firstChild);
            canvas.appendChild(svg);
            var key = d.namespace + "/" + d.name;
            if (shown !== key) {
              shown = key;
              var focus = d.boxes.filter(function (b) { return b.rootCause; })[0] || d.boxes[0];
              if (focus) {
                canvas.scrollLeft = Math.max(0, (focus.x + focus.width / 2) * k - canvas.clientWidth / 2);
                canvas.scrollTop = Math.max(0, focus.y * k - 40);
              }
            }
            // How long the drawing took here (read by the browser tests for the benchmarks).
            svg.setAttribute("data-draw-ms", (performance.now() - started).toFixed(1));
            var chosen = selected && d.boxes.filter(function (b) { return keyOf(b) === selected; })[0];
            if (chosen) details(chosen, true);
            status(live() ? "Live: redrawn while the run is active." : "");
            schedule();
          }

          function select(key) {
            selected = key;
            var nodes = document.querySelectorAll(".node");
            for (var i = 0; i < nodes.length; i++) {
              nodes[i].classList.toggle("selected", nodes[i].getAttribute("data-key") === key);
            }
            var box = drawing && drawing.boxes.filter(function (b) { return keyOf(b) === key; })[0];
            if (box) details(box);
          }

          // A box's details; on a redraw of the same box only the facts are replaced (logs already read stay).
          function details(b, redraw) {
            var panel = document.getElementById("details");
            var dl = document.createElement("dl");
            [["box", b.label], ["phase", b.phase], ["template", b.template], ["nodes", b.nodes > 1 ? b.nodes : null],
             ["pod", b.podName], ["started", b.startedAt], ["finished", b.finishedAt],
             ["duration", b.durationSeconds != null ? b.durationSeconds + " s" : null], ["exit code", b.exitCode],
             ["message", b.message], ["critical path", b.critical ? "yes" : null],
             ["root cause", b.rootCause ? "yes" : null]].forEach(function (row) {
              if (row[1] === null || row[1] === undefined || row[1] === "") return;
              var dt = document.createElement("dt"), dd = document.createElement("dd");
              dt.textContent = row[0];
              dd.textContent = clean(row[1]);
              dl.appendChild(dt);
              dl.appendChild(dd);
            });
            var old = panel.querySelector("dl");
            if (redraw && old && panel.getAttribute("data-box") === keyOf(b)) {
              panel.replaceChild(dl, old);
              return;
            }
            while (panel.firstChild) panel.removeChild(panel.firstChild);
            panel.setAttribute("data-box", keyOf(b));
            panel.appendChild(dl);
            if (b.nodeId && b.podName && canCall && drawing) {
              var button = document.createElement("button");
              button.textContent = "Logs";
              var pre = document.createElement("pre");
              pre.id = "logs";
              // The workflow and context this box belongs to, as they are now.
              var workflow = { name: drawing.name, namespace: drawing.namespace, context: target && target.context };
              button.addEventListener("click", function () {
                var args = { name: workflow.name, node: b.nodeId, tail_lines: 50 };
                if (workflow.namespace) args.namespace = workflow.namespace;
                if (workflow.context) args.context = workflow.context;
                pre.textContent = "Loading…";
                request("tools/call", { name: "get_workflow_logs", arguments: args }).then(function (r) {
                  var blocks = (r && r.content) || [];
                  pre.textContent = clean(blocks.map(function (c) { return c.text || ""; }).join("\n"));
                }, function (e) { pre.textContent = "The logs could not be read: " + (e && e.message); });
              });
              panel.appendChild(button);
              panel.appendChild(pre);
            }
          }

          function zoom(factor) {
            if (!drawing || closed) return;
            var width = document.getElementById("canvas").clientWidth || drawing.width;
            var now = scale || Math.max(0.5, Math.min(1, width / drawing.width));
            // "fit" shows the whole width, however small; − and + step from the current scale.
            scale = factor === null ? Math.max(0.05, Math.min(1, width / drawing.width))
              : Math.max(0.05, Math.min(2, now * factor));
            draw(drawing);
          }
          document.getElementById("smaller").addEventListener("click", function () { zoom(1 / 1.25); });
          document.getElementById("larger").addEventListener("click", function () { zoom(1.25); });
          document.getElementById("fit").addEventListener("click", function () { zoom(null); });

          if (typeof ResizeObserver === "function") {
            new ResizeObserver(function () {
              notify("ui/notifications/size-changed",
                { width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight });
            }).observe(document.body);
          }

          request("ui/initialize", {
            protocolVersion: "2026-01-26", appInfo: { name: "argo-mcp-workflow", version: "1" }, appCapabilities: {}
          }).then(function (result) {
            canCall = !!(result && result.hostCapabilities && result.hostCapabilities.serverTools);
            theme(result && result.hostContext);
            notify("ui/notifications/initialized");
          }, function () { status("The host did not answer ui/initialize."); });
        })();
        </script>
        </body>
        </html>
        """#
}
