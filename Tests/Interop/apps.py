"""The MCP Apps extension (io.modelcontextprotocol/ui) through the official MCP Python SDK, with and without it.

Run by the scenario tests with the venv that scripts/test-components.sh makes:
    python apps.py stdio BINARY --mode auto|legacy [--ui]
    python apps.py http URL --mode auto|legacy [--ui]

With --ui the client declares the extension (mimeTypes text/html;profile=mcp-app), as an MCP Apps host does.
Prints one JSON object: the protocol, the server's extensions, every tool (name → its _meta), the resources of
the first page, the view as resources/read returns it (mime type, size, _meta, whether it is an HTML document) and
a get_workflow result's structured keys. Exits 1 on a failure, with the reason on stderr.
"""

import argparse
import asyncio
import json
import sys

from mcp import Client, StdioServerParameters
from mcp.client.extension import advertise

UI = "io.modelcontextprotocol/ui"
VIEW = "ui://argo-mcp/workflow"


async def conversation(target, mode, ui):
    extensions = [advertise(UI, {"mimeTypes": ["text/html;profile=mcp-app"]})] if ui else None
    async with Client(target, mode=mode, cache=None, read_timeout_seconds=60, extensions=extensions) as client:
        tools = (await client.list_tools()).tools
        resources = (await client.list_resources()).resources
        read = await client.read_resource(VIEW)
        content = read.contents[0]
        call = await client.call_tool("get_workflow", {"name": "nightly-etl-7x2kq"})
        capabilities = client.server_capabilities
        return {
            "protocol": client.protocol_version,
            "extensions": capabilities.extensions,
            "tools": {tool.name: tool.model_dump(by_alias=True, exclude_none=True, mode="json") for tool in tools},
            "resources": [str(resource.uri) for resource in resources],
            "read": {
                "mimeType": content.mime_type,
                "size": len(getattr(content, "text", "") or ""),
                "meta": content.meta,
                "html": (getattr(content, "text", "") or "").startswith("<!DOCTYPE html>"),
            },
            "callKeys": sorted((call.structured_content or {}).keys()),
            "callText": "\n".join(getattr(block, "text", "") for block in call.content)[:200],
        }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("transport", choices=["stdio", "http"])
    parser.add_argument("target")
    parser.add_argument("--mode", default="auto")
    parser.add_argument("--ui", action="store_true")
    args = parser.parse_args()
    target = args.target
    if args.transport == "stdio":
        target = StdioServerParameters(command=args.target, args=["serve", "--simulator"])
    try:
        print(json.dumps(asyncio.run(conversation(target, args.mode, args.ui)), sort_keys=True))
    except Exception as error:
        print(f"failed: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
