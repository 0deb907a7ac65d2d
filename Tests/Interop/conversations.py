"""Whole MCP conversations with argo-mcp through the official MCP Python SDK (the reference client).

Run by the scenario tests with the venv that scripts/test-components.sh makes:
    python conversations.py URL --token TOKEN --count N --mode auto|legacy --manifest FILE [--watch NAMESPACE/NAME] [--listen NAMESPACE/NAME]

Each conversation connects (mode 'auto' probes server/discover, then falls back to initialize; 'legacy' sends
initialize only), lists the tools, reads, previews a submit_workflow and confirms it with the token the preview
handed out. On a 2026-07-28 connection it then submits again from a client that can show forms: the server asks in
an input_required result, the client answers (accept) and retries with the sealed requestState, and the call is
carried out; the retry is a request of its own, so the balancer may send it to another replica.

Prints one JSON object per line: a conversation's outcome, the watch's (--watch NAMESPACE/NAME), or the
subscriptions/listen's (--listen NAMESPACE/NAME, 2026-07-28); exits 1 on the first failure, with the reason on stderr.
"""

import argparse
import asyncio
import json
import sys

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.types import ElicitResult


class Failed(Exception):
    pass


def text_of(result):
    return "\n".join(getattr(block, "text", "") for block in result.content)


def expect(condition, what):
    if not condition:
        raise Failed(what)


def connect(url, token, mode, elicitation_callback=None):
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(120.0))
    return Client(
        streamable_http_client(url, http_client=http), mode=mode, elicitation_callback=elicitation_callback, cache=None
    )


async def dialog(url, token, mode, manifest):
    """submit_workflow confirmed in the host's form, answered in a later request."""
    asked = []

    async def accept(context, params):
        asked.append(params.message)
        return ElicitResult(action="accept", content={"confirm": True})

    async with connect(url, token, mode, elicitation_callback=accept) as client:
        done = await client.call_tool("submit_workflow", {"manifest": manifest})
        expect(len(asked) == 1, f"the form was shown {len(asked)} times")
        expect(asked[0].startswith("Confirm: submit_workflow"), f"the form asked something else: {asked[0][:200]}")
        expect(not done.is_error, f"the submit_workflow confirmed in the form failed: {text_of(done)}")
        submitted = (done.structured_content or {}).get("name")
        expect(submitted, f"the submit_workflow confirmed in the form named no workflow: {text_of(done)}")
        return submitted


async def conversation(url, token, mode, manifest):
    async with connect(url, token, mode) as client:
        tools = await client.list_tools()
        names = {tool.name for tool in tools.tools}
        expect({"list_workflows", "get_workflow", "submit_workflow"} <= names, f"tools/list lacks tools: {sorted(names)}")
        listing = await client.call_tool("list_workflows", {"limit": 5})
        expect(not listing.is_error, f"list_workflows failed: {text_of(listing)}")
        items = (listing.structured_content or {}).get("items") or []
        expect(items, "list_workflows listed nothing")
        first = items[0]
        one = await client.call_tool("get_workflow", {"name": first["name"], "namespace": first["namespace"]})
        expect(not one.is_error, f"get_workflow failed: {text_of(one)}")
        expect((one.structured_content or {}).get("name") == first["name"], "get_workflow answered another workflow")
        preview = await client.call_tool("submit_workflow", {"manifest": manifest})
        confirmation = (preview.structured_content or {}).get("confirmation_token")
        expect(confirmation, f"submit_workflow gave no confirmation token: {text_of(preview)}")
        done = await client.call_tool("submit_workflow", {"manifest": manifest, "confirmation_token": confirmation})
        expect(not done.is_error, f"the confirmed submit_workflow failed: {text_of(done)}")
        submitted = (done.structured_content or {}).get("name")
        expect(submitted, f"the confirmed submit_workflow named no workflow: {text_of(done)}")
        protocol = client.protocol_version
    return {
        "ok": True,
        "protocol": protocol,
        "token": confirmation,
        "submitted": submitted,
        "dialogSubmitted": await dialog(url, token, mode, manifest) if protocol == "2026-07-28" else None,
        "tools": len(names),
    }


async def watch(url, token, mode, target):
    namespace, _, name = target.rpartition("/")
    progress = []

    async def on_progress(value, total, message):
        progress.append({"progress": value, "total": total, "message": message})

    async with connect(url, token, mode) as client:
        result = await client.call_tool(
            "watch_workflow",
            {"name": name, "namespace": namespace or "argo", "timeout_seconds": 120},
            progress_callback=on_progress,
        )
        expect(not result.is_error, f"watch_workflow failed: {text_of(result)}")
        structured = result.structured_content or {}
        return {"watch": target, "endedBy": structured.get("endedBy"), "phase": structured.get("phase"), "progress": progress}


async def listen(url, token, mode, target):
    """subscriptions/listen on one workflow through the balancer, until the server ends it as the workflow completes."""
    namespace, _, name = target.rpartition("/")
    uri = f"argo://workflows/{namespace or 'argo'}/{name}"
    updates = 0
    async with connect(url, token, mode) as client:
        async with client.listen(resource_subscriptions=[uri]) as subscription:
            honoured = list(subscription.honored.resource_subscriptions or [])
            async for _ in subscription:
                updates += 1
    return {"listen": target, "honoured": honoured, "updates": updates}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--token", required=True)
    parser.add_argument("--count", type=int, default=1)
    parser.add_argument("--mode", default="auto", choices=["auto", "legacy"])
    parser.add_argument("--manifest", required=True)
    parser.add_argument("--watch")
    parser.add_argument("--listen")
    args = parser.parse_args()
    with open(args.manifest, encoding="utf-8") as f:
        manifest = f.read()
    try:
        for _ in range(args.count):
            print(json.dumps(await conversation(args.url, args.token, args.mode, manifest)), flush=True)
        if args.watch:
            print(json.dumps(await watch(args.url, args.token, args.mode, args.watch)), flush=True)
        if args.listen:
            print(json.dumps(await asyncio.wait_for(listen(args.url, args.token, args.mode, args.listen), 90)), flush=True)
    except Failed as failure:
        print(f"conversation failed: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    asyncio.run(main())
