"""``python -m kuroryuu_magic.testing``: serve the fake Anthropic API until Ctrl-C."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading

from ._control import TOKEN_ENV, TOKEN_HEADER
from ._server import FakeAnthropic


def main(argv: list[str] | None = None) -> int:
    """Run the fake server in the foreground; exit 0 on Ctrl-C or SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="kuroryuu-fake-anthropic",
        description="Serve a fake Anthropic API on 127.0.0.1 for tests and demos.",
    )
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    parser.add_argument("--deltas", type=int, default=None, help="text deltas per streamed answer")
    parser.add_argument("--delta-delay", type=float, default=0.0, help="seconds between deltas")
    args = parser.parse_args(argv)

    stop = threading.Event()
    # Explicit handlers: a shell starts background jobs with SIGINT ignored.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    fake = FakeAnthropic(
        port=args.port, latency=args.latency, deltas=args.deltas, delta_delay=args.delta_delay
    )
    try:
        fake.start()
    except OSError as exc:
        print(f"kuroryuu-fake-anthropic: cannot bind 127.0.0.1:{args.port}: {exc}", file=sys.stderr)
        return 1
    # Paste-ready for another shell: the same variables as fake.env(), control token included.
    for name, value in fake.env().items():
        print(f"export {name}={shlex.quote(value)}", flush=True)
    print(
        f"# control: POST {fake.base_url}/_fake/enqueue|reset|config, GET /_fake/requests, "
        f"each with the header {TOKEN_HEADER}: ${TOKEN_ENV}. Ctrl-C to stop.",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        fake.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
