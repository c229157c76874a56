"""``python -m harvester.farm [--port N]``: serve the farm until Ctrl-C."""

from __future__ import annotations

import argparse
import threading

from harvester.farm.seeds import SEEDS_CSV
from harvester.farm.server import FarmServer


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m harvester.farm", description="Serve the local portal farm.")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: any free port)")
    args = parser.parse_args(argv)
    with FarmServer(port=args.port) as farm:
        print(f"portal farm listening; use http_proxy={farm.proxy_url}", flush=True)
        print(SEEDS_CSV, end="", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            print("stopping", flush=True)


if __name__ == "__main__":
    main()
