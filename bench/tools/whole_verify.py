"""The way verify_board read a record before it streamed: json.load the whole file, then
board.verify_board over the document. A baseline for memory; prints ok and seconds."""

import json
import sys
import time

from bastau.primaries import board

started = time.perf_counter()
with open(sys.argv[1], encoding="utf-8") as handle:
    record = json.load(handle)
loaded = time.perf_counter()
report = board.verify_board(record)
print(
    json.dumps(
        {
            "ok": report.ok,
            "ballots": report.ballots,
            "load_s": round(loaded - started, 2),
            "verify_s": round(time.perf_counter() - loaded, 2),
        }
    )
)
