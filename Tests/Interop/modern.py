"""One conversation with argo-mcp through the official MCP Python SDK in a chosen mode, over stdio or HTTP.

Run by the scenario tests with the venv that scripts/test-components.sh makes:
    python modern.py stdio BINARY --mode auto|legacy [--server-arg ARG ...] [--listen URI]
    python modern.py http URL --mode auto|legacy [--listen URI]

Prints one JSON object: the negotiated protocol version, whether server/discover was used, and what the
conversation saw (tools listed, a tool call, a resource read, a missing resource's error, the prompts, analyze_failure's explain
through the client's sampling callback). With
--listen (2026-07-28 only), it then opens subscriptions/listen on URI and reports what the server honoured, the
updates it sent and whether the stream ended with the server's answer (graceful) once the workflow completed.
Exits 1 on a failure, with the reason on stderr.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, StdioServerParameters
from mcp.types import CreateMessageResult, TextContent


def text_of(result):
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def listen(client, uri):
    """subscriptions/listen on one workflow until the server ends the stream."""
    updates = []
    async with client.listen(resource_subscriptions=[uri]) as subscription:
        honoured = list(subscription.honored.resource_subscriptions or [])
        async for event in subscription:
            updates.append(getattr(event, "uri", type(event).__name__))
    return {"honoured": honoured, "updates": updates, "graceful": True}


async def conversation(target, mode, listen_uri=None):
    prompts_seen = []

    async def model(context, params):
        """The host's model: it says how much it was told, so the test sees the findings arrived."""
        text = params.messages[0].content.text
        prompts_seen.append(text)
        return CreateMessageResult(
            role="assistant", content=TextContent(type="text", text=f"explained {len(text)} chars"), model="stub"
        )

    async with Client(target, mode=mode, cache=None, read_timeout_seconds=60, sampling_callback=model) as client:
        session = client.session
        tools = await client.list_tools()
        call = await client.call_tool("get_workflow", {"name": "nightly-etl-7x2kq"})
        read = await client.read_resource("argo://workflows/argo/nightly-etl-7x2kq")
        missing = None
        try:
            await client.read_resource("argo://workflows/argo/no-such-workflow")
        except Exception as error:  # the SDK raises MCPError with the server's code
            missing = {"code": getattr(getattr(error, "error", None), "code", None), "message": str(error)[:300]}
        prompts = await client.list_prompts()
        explained = await client.call_tool("analyze_failure", {"name": "train-model-v3-8fj2d", "explain": True})
        return {
            "protocol": client.protocol_version,
            "discovered": getattr(session, "discover_result", None) is not None,
            "tools": [tool.name for tool in tools.tools],
            "ttlMs": getattr(tools, "ttl_ms", None),
            "cacheScope": getattr(tools, "cache_scope", None),
            "callError": call.is_error,
            "callText": text_of(call)[:200],
            "callName": (call.structured_content or {}).get("name"),
            "readName": json.loads(read.contents[0].text).get("name") if read.contents else None,
            "missing": missing,
            "prompts": [prompt.name for prompt in prompts.prompts],
            "explanation": (explained.structured_content or {}).get("explanation"),
            "sampled": [len(text) for text in prompts_seen],
            "listen": await asyncio.wait_for(listen(client, listen_uri), 60) if listen_uri else None,
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("target")
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--server-arg", action="append", default=[])
    parser.add_argument("--listen")
    args = parser.parse_args()
    if args.transport == "stdio":
        target = StdioServerParameters(command=args.target, args=["serve", "--simulator"] + args.server_arg)
    else:
        target = args.target
    try:
        outcome = asyncio.run(conversation(target, args.mode, args.listen))
    except Exception as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
