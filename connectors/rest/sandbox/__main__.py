"""Serve the demo sandbox: ``python -m connectors.rest.sandbox [--port 8765] [--token T] [--order key]``."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from connectors.rest.sandbox import DEMO_TOKEN, NOTICE, Sandbox, create_app, demo_rows


def main(argv: list[str]) -> int:
    """Serve the demo dataset in the foreground until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m connectors.rest.sandbox", description=NOTICE)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default=DEMO_TOKEN, help="bearer token to accept")
    parser.add_argument("--order", choices=("modified", "key"), default="modified")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    sandbox = Sandbox(**demo_rows(args.seed), token=args.token, order=args.order)
    print(f"{NOTICE}\nhttp://{args.host}:{args.port}  (Authorization: Bearer <token>)", file=sys.stderr)
    uvicorn.run(create_app(sandbox), host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
