"""`handoff demo`."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.demo import run_demo
from bot.settings import Settings


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    out = Path(args.out)
    written = run_demo(out_dir=out, seed=args.seed, db_path=Path(args.db) if args.db else out / "demo.db")
    for path in written:
        print(f"wrote {path}")
    return 0
