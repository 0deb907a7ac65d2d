"""One conversation with argo-mcp through the official MCP Python SDK in a chosen mode, over stdio or HTTP.

Run by the scenario tests with the venv that scripts/test-components.sh makes:
    python modern.py stdio BINARY --mode auto|legacy
    python modern.py http URL --mode auto|legacy

Prints one JSON object: the negotiated protocol version, whether server/discover was used, and what the
conversation saw (tools listed, a tool call, a resource read, a missing resource's error, the prompts). Exits 1 on
a failure, with the reason on stderr.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, StdioServerParameters


def text_of(result):
    return "\n".join(getattr(block, "text", "") for block in result.content)


async def conversation(target, mode):
    async with Client(target, mode=mode, cache=None, read_timeout_seconds=60) as client:
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
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("target")
    parser.add_argument("--mode", default="auto")
    args = parser.parse_args()
    if args.transport == "stdio":
        target = StdioServerParameters(command=args.target, args=["serve", "--simulator"])
    else:
        target = args.target
    try:
        outcome = asyncio.run(conversation(target, args.mode))
    except Exception as error:
        print(f"{type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(outcome))


if __name__ == "__main__":
    main()
