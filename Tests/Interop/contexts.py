"""argo-mcp serving several Argo Servers (contexts), through the official MCP Python SDK (the reference client).

Run by the scenario tests with the venv that scripts/test-components.sh makes, against the config of
ContextScenarioTests (contexts staging, prod, prod-ops, dead):
    python contexts.py URL --token TOKEN --mode auto|legacy

Checks the tool list (context on every tool), list_contexts, a read in each live context, the dead context noted in
a listing across contexts, prod's read-only refusal, and a staging token refused in prod-ops. Prints one JSON line
{"ok": true, ...}; exits 1 on the first failure, with the reason on stderr.
"""

import argparse
import asyncio
import json
import sys

import httpx2
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client


class Failed(Exception):
    pass


def text_of(result):
    return "\n".join(getattr(block, "text", "") for block in result.content)


def expect(condition, what):
    if not condition:
        raise Failed(what)


async def run(url, token, mode):
    http = httpx2.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=httpx2.Timeout(120.0))
    async with Client(streamable_http_client(url, http_client=http), mode=mode, cache=None) as client:
        tools = (await client.list_tools()).tools
        listed = {tool.name: tool for tool in tools}
        schema = listed["get_workflow"].input_schema["properties"]["context"]
        expect(schema["enum"] == ["dead", "fenced", "prod", "prod-ops", "staging"], f"context enum: {schema}")

        contexts = (await client.call_tool("list_contexts", {})).structured_content
        reachable = {row["name"]: row["reachable"] for row in contexts["contexts"]}
        expect(reachable == {"dead": False, "fenced": True, "prod": True, "prod-ops": True, "staging": True}, f"{reachable}")

        staging = await client.call_tool("get_workflow", {"name": "fail-two-nested-dag-suspend"})
        expect(not staging.is_error, f"staging read failed: {text_of(staging)}")
        prod = await client.call_tool("get_workflow", {"name": "fail-two-nested-dag-suspend", "context": "prod"})
        expect(prod.is_error and "notFound" in text_of(prod), f"prod should not have it: {text_of(prod)}")

        merged = await client.call_tool("list_workflows", {"all_contexts": True, "limit": 5})
        rows = {entry["context"]: entry for entry in merged.structured_content["contexts"]}
        expect("error" in rows["dead"] and "result" in rows["prod"], f"{merged.structured_content}")

        refused = await client.call_tool("terminate_workflow", {"name": "ingest-events-q9z4m", "context": "prod"})
        expect(refused.is_error and "refused in context prod" in text_of(refused), text_of(refused))

        preview = await client.call_tool("suspend_workflow", {"name": "ingest-events-q9z4m", "context": "staging"})
        token_value = (preview.structured_content or {}).get("confirmation_token")
        expect(token_value, f"no token in the staging preview: {text_of(preview)}")
        crossed = await client.call_tool(
            "suspend_workflow",
            {"name": "ingest-events-q9z4m", "context": "prod-ops", "confirmation_token": token_value},
        )
        expect(crossed.is_error and "issued in context staging" in text_of(crossed), text_of(crossed))
        print(json.dumps({"ok": True, "mode": mode, "tools": len(tools)}))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--token", required=True)
    parser.add_argument("--mode", default="auto")
    args = parser.parse_args()
    try:
        asyncio.run(run(args.url, args.token, args.mode))
    except Failed as failure:
        print(f"failed: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
