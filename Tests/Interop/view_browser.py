"""The MCP App view (ui://argo-mcp/workflow) in headless Chromium, fed by a running argo-mcp.

Run by the scenario tests with the venv that scripts/test-components.sh makes:
    python view_browser.py CHROMIUM SERVER_URL PLAN.json OUT_DIR

SERVER_URL is argo-mcp's Streamable HTTP endpoint. PLAN.json lists cases:
    [{"name": "failed", "tool": "get_workflow", "arguments": {...},
      "until": {"phase": "Failed"} | {"phases": ["Running", "Succeeded"]} | {"boxes": 1},
      "select": true, "theme": "light", "linger": SECONDS, "timeout": SECONDS, "afterTeardown": SECONDS}]
For each case the driver opens view-host.html (a host speaking the extension's host side over postMessage), gives it
the view's HTML as argo-mcp's resources/read returns it and the tool call, and answers the host's tools/call by
calling argo-mcp (MCP 2026-07-28 requests declaring the extension). It reads the drawing from inside the view's
sandboxed frame over the DevTools protocol, until the case's condition holds (every phase the drawing showed is
recorded); with "select", it clicks the first root-cause box (else the first box), reads the details panel, clicks
Logs and reads them; then it asks the view to tear down, takes a screenshot (OUT_DIR/NAME.png) and prints one JSON
object: {"cases": {NAME: {...}}}. Exits 1 on a failure, with the reason on stderr.
"""

import asyncio
import base64
import itertools
import json
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import websockets

HOST = pathlib.Path(__file__).with_name("view-host.html")
UI = {"extensions": {"io.modelcontextprotocol/ui": {"mimeTypes": ["text/html;profile=mcp-app"]}}}

# What the view's frame shows, read inside the frame (nothing of the view is changed).
REPORT = r"""
(() => {
  const text = (id) => (document.getElementById(id) || {}).textContent || "";
  const svg = document.querySelector("#canvas svg");
  const boxes = Array.from(document.querySelectorAll("#canvas svg g.node")).map((g) => ({
    id: g.getAttribute("data-box"), cls: g.getAttribute("class"),
    fill: g.querySelector("rect") && g.querySelector("rect").getAttribute("fill"),
    stroke: g.querySelector("rect") && g.querySelector("rect").getAttribute("stroke"),
    text: g.querySelector("text") ? g.querySelector("text").textContent : null,
    title: g.querySelector("title") ? g.querySelector("title").textContent : null,
  }));
  const tags = {};
  const handlers = [];
  for (const element of document.querySelectorAll("*")) {
    const tag = element.tagName.toLowerCase();
    tags[tag] = (tags[tag] || 0) + 1;
    for (const attribute of element.attributes) {
      if (/^on/i.test(attribute.name) || /javascript:/i.test(attribute.value)) handlers.push(tag + " " + attribute.name);
    }
  }
  return JSON.stringify({
    title: text("title"), phase: text("phase"), meta: text("meta"), status: text("status"),
    details: text("details"), logs: text("logs"), boxes: boxes,
    edges: document.querySelectorAll("#canvas svg line.edge").length,
    criticalEdges: document.querySelectorAll("#canvas svg line.edge.critical").length,
    width: svg ? Number(svg.getAttribute("width")) : 0, drawMs: svg ? Number(svg.getAttribute("data-draw-ms")) : null,
    tags: tags, handlers: handlers, theme: document.documentElement.className,
    origin: String(self.origin), pwned: typeof window.pwned !== "undefined",
  });
})()
"""


class Failed(Exception):
    pass


def mcp_call(url, method, params):
    """One MCP 2026-07-28 request to argo-mcp (stateless: nothing to open first), declaring the extension."""
    params = dict(params)
    params["_meta"] = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": UI,
        "io.modelcontextprotocol/clientInfo": {"name": "view-browser-test", "version": "1"},
    }
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
               "MCP-Protocol-Version": "2026-07-28", "Mcp-Method": method}
    # A server with bearer authentication (the benchmarks'): the token from the environment.
    if os.environ.get("ARGO_MCP_TOKEN"):
        headers["Authorization"] = "Bearer " + os.environ["ARGO_MCP_TOKEN"]
    # The revision's routing header: what the body names (a tool, a resource).
    name = params.get("name", params.get("uri"))
    if name is not None:
        headers["Mcp-Name"] = name
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    with urllib.request.urlopen(request, timeout=120) as response:
        raw = response.read().decode()
    if raw.lstrip().startswith("event:") or raw.lstrip().startswith("data:"):
        # Server-sent events: the answer is the last data line that carries an id.
        answers = [json.loads(line[5:]) for line in raw.splitlines() if line.startswith("data:")]
        raw_answer = [a for a in answers if "id" in a][-1]
    else:
        raw_answer = json.loads(raw)
    return raw_answer


class Browser:
    def __init__(self, chromium):
        self.profile = tempfile.mkdtemp(prefix="argo-mcp-chromium-")
        arguments = [chromium, "--headless", "--disable-gpu", "--hide-scrollbars", "--remote-debugging-port=0",
                     f"--user-data-dir={self.profile}", "--window-size=1200,840", "--force-device-scale-factor=1",
                     # One renderer for the page and its sandboxed frame, so the frame's context is reachable
                     # from the page's session (the frame stays sandboxed: an opaque origin, scripts only).
                     "--disable-features=IsolateSandboxedIframes,site-per-process", "about:blank"]
        if os.geteuid() == 0:
            arguments.insert(1, "--no-sandbox")
        self.process = subprocess.Popen(arguments, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self.ids = itertools.count(1)
        self.pending = {}
        self.events = []
        self.listeners = []

    async def connect(self):
        port_file = pathlib.Path(self.profile, "DevToolsActivePort")
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if self.process.poll() is not None:
                raise Failed(f"Chromium exited: {self.process.stderr.read().decode()[-1000:]}")
            if time.monotonic() > deadline:
                raise Failed("Chromium did not open its DevTools port in 30 s")
            await asyncio.sleep(0.05)
        port = port_file.read_text().split()[0]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
            pages = [t for t in json.load(response) if t.get("type") == "page"]
        self.socket = await websockets.connect(pages[0]["webSocketDebuggerUrl"], max_size=64 << 20)
        self.reader = asyncio.create_task(self.read())

    async def read(self):
        async for raw in self.socket:
            message = json.loads(raw)
            if "id" in message and message["id"] in self.pending:
                self.pending.pop(message["id"]).set_result(message)
            elif "method" in message:
                self.events.append(message)
                for listener in list(self.listeners):
                    listener(message)

    async def send(self, method, params=None):
        identifier = next(self.ids)
        future = asyncio.get_running_loop().create_future()
        self.pending[identifier] = future
        await self.socket.send(json.dumps({"id": identifier, "method": method, "params": params or {}}))
        message = await asyncio.wait_for(future, 60)
        if "error" in message:
            raise Failed(f"{method}: {message['error']}")
        return message.get("result", {})

    async def evaluate(self, expression, context=None):
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        if context is not None:
            params["contextId"] = context
        result = await self.send("Runtime.evaluate", params)
        if "exceptionDetails" in result:
            raise Failed(f"evaluate failed: {result['exceptionDetails']}")
        return result.get("result", {}).get("value")

    def close(self):
        self.process.kill()
        self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


async def run_case(browser, url, html, case, out_dir):
    contexts = {}
    main_frame = (await browser.send("Page.getFrameTree"))["frameTree"]["frame"]["id"]

    def on_event(message):
        if message["method"] == "Runtime.executionContextCreated":
            context = message["params"]["context"]
            aux = context.get("auxData", {})
            if aux.get("isDefault") and aux.get("frameId") != main_frame:
                contexts["view"] = context["id"]

    async def answer(request):
        try:
            reply = await asyncio.to_thread(
                mcp_call, url, "tools/call", {"name": request["name"], "arguments": request["arguments"]})
        except Exception as error:  # the view must hear of it, or it waits for the answer forever
            reply = {"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": f"driver: {error}"[:300]}}
        calls.append({"name": request["name"], "arguments": request["arguments"]})
        if not done:
            await browser.evaluate(f"window.answer({request['id']}, {json.dumps(reply)})")

    def on_binding(message):
        if message["method"] == "Runtime.bindingCalled" and message["params"]["name"] == "argoMcp":
            tasks.append(asyncio.get_running_loop().create_task(answer(json.loads(message["params"]["payload"]))))

    calls = []
    tasks = []
    done = False
    browser.listeners = [on_event, on_binding]
    # A query of its own per case: a fresh page, never the previous case's.
    await browser.send("Page.navigate", {"url": HOST.as_uri() + "?case=" + case["name"]})
    await wait_for(lambda: browser.evaluate(
        "document.readyState === 'complete' && location.search === " + json.dumps("?case=" + case["name"])
        + " && typeof window.start === 'function' && window.hostLog.length === 0"), 20, "host page")
    if case.get("theme"):
        await browser.evaluate(f"window.theme = {json.dumps(case['theme'])}")
    call = {"tool": case["tool"], "arguments": case["arguments"]}
    await browser.evaluate(f"window.start({json.dumps(html)}, {json.dumps(call)})")
    # The view is up once it has asked the host to initialize: its frame's context is the latest one made.
    await wait_for(lambda: browser.evaluate("window.hostLog.some(e => e.from === 'ui/initialize')"), 20,
                   "the view's ui/initialize")
    if "view" not in contexts:
        raise Failed("no execution context for the view's frame")

    phases = []
    report = None
    pinged = False
    until = case.get("until", {"boxes": 1})
    deadline = time.monotonic() + case.get("timeout", 90)
    while time.monotonic() < deadline:
        report = json.loads(await browser.evaluate(REPORT, contexts["view"]))
        if report["boxes"] and (not phases or phases[-1] != report["phase"]):
            phases.append(report["phase"])
        if report["boxes"] and not pinged:
            # A host's ping while the view works: answered, and nothing else changes.
            await browser.evaluate("window.ping()")
            pinged = True
        if "phase" in until and report["boxes"] and report["phase"] == until["phase"]:
            break
        if "phases" in until and phases[-len(until["phases"]):] == until["phases"]:
            break
        if "boxes" in until and len(report["boxes"]) >= until["boxes"]:
            break
        if "status" in until and until["status"] in report["status"]:
            break
        await asyncio.sleep(0.1)
    else:
        raise Failed(f"{case['name']}: the view did not reach {until} in time; last: {json.dumps(report)[:1500]}")

    # The view may have drawn from the call's input before the call answered: the conversation ends only once
    # the host has delivered the result too.
    await wait_for(lambda: browser.evaluate("window.toolResult !== undefined"), case.get("timeout", 90),
                   "the host's tool result")
    if case.get("linger"):
        # Time for anything the view would do next on its own (a redraw it should not make, say).
        await asyncio.sleep(case["linger"])
        report = json.loads(await browser.evaluate(REPORT, contexts["view"]))

    selected = None
    if case.get("select") and report["boxes"]:
        target = next((b for b in report["boxes"] if "root-cause" in (b["cls"] or "")), report["boxes"][0])
        await browser.evaluate(
            "document.querySelector('#canvas svg g.node[data-box=\"' + CSS.escape("
            + json.dumps(target["id"]) + ") + '\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))",
            contexts["view"])
        await wait_for(lambda: browser.evaluate("!!document.querySelector('#details dl')", contexts["view"]), 10,
                       "the details panel")
        has_logs = await browser.evaluate("!!document.querySelector('#details button')", contexts["view"])
        if has_logs:
            await browser.evaluate("document.querySelector('#details button').click()", contexts["view"])
            await wait_for(lambda: browser.evaluate(
                "(document.getElementById('logs') || {}).textContent !== 'Loading…'", contexts["view"]), 60, "logs")
        selected = {"box": target["id"], "logsButton": has_logs,
                    **json.loads(await browser.evaluate(REPORT, contexts["view"]))}

    await browser.evaluate("window.teardown()")
    await wait_for(lambda: browser.evaluate("window.tornDown === true"), 10, "the teardown answer")
    after = None
    if case.get("afterTeardown"):
        # A torn-down view asks for nothing more.
        before = len(calls)
        await asyncio.sleep(case["afterTeardown"])
        after = len(calls) - before
    done = True
    for task in tasks:
        task.cancel()
    shot = await browser.send("Page.captureScreenshot", {"format": "png"})
    pathlib.Path(out_dir, f"{case['name']}.png").write_bytes(base64.b64decode(shot["data"]))
    host = json.loads(await browser.evaluate(
        "JSON.stringify({log: window.hostLog, sizes: window.sizes, timings: window.timings,"
        " toolResult: window.toolResult, pinged: window.pinged === true})"))
    return {"report": report, "phases": phases, "selected": selected, "calls": calls, "host": host,
            "callsAfterTeardown": after}


async def wait_for(check, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(0.05)
    raise Failed(f"timed out waiting for {what}")


async def main(chromium, url, plan_path, out_dir):
    plan = json.loads(pathlib.Path(plan_path).read_text())
    read = mcp_call(url, "resources/read", {"uri": "ui://argo-mcp/workflow"})
    content = read["result"]["contents"][0]
    html = content["text"]
    browser = Browser(chromium)
    try:
        await browser.connect()
        await browser.send("Page.enable")
        await browser.send("Runtime.enable")
        await browser.send("Runtime.addBinding", {"name": "argoMcp"})
        cases = {}
        for case in plan:
            cases[case["name"]] = await run_case(browser, url, html, case, out_dir)
        print(json.dumps({"mimeType": content.get("mimeType"), "meta": content.get("_meta"), "cases": cases}))
    finally:
        browser.close()


if __name__ == "__main__":
    try:
        asyncio.run(main(*sys.argv[1:5]))
    except Failed as failure:
        print(f"failed: {failure}", file=sys.stderr)
        sys.exit(1)
