"""Write a synthetic, valid ballot record of N ballots in export_board's layout (pure board
code, no database): `python make_board.py N FILE` prints the public key.

Checkpoints of ~5,000 ballots sealed with board.seal_checkpoint, the tally signed with the
board's own functions; deterministic nonces, so the same N gives the same file."""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from collections import Counter

from bastau.primaries import board

KEY = board.load_private_key("oUS/SfSpNA1GbXEwvdK+ZLOEeliC9yXOAJBTw1XQ7aw=")


def main(n: int, path: str, per_checkpoint: int = 5000) -> None:
    rng = random.Random(f"board:{n}")
    candidates = tuple((f"c{i}", f"Кандидат {i}") for i in range(1, 31))
    campaign = board.Campaign(f"bench-board-{n}", "Бенчмарк", candidates, 3)
    ids = [cid for cid, _ in candidates]
    weights = [rng.paretovariate(1.5) for _ in ids]
    start = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)
    previous = None
    checkpoints = []
    counts: Counter[str] = Counter()
    blank = 0
    dump = json.dumps
    with open(path + ".ballots", "w", encoding="utf-8") as body:
        separator = "\n"
        left, seq = n, 0
        while left:
            size = min(left, per_checkpoint)
            batch = []
            for _ in range(size):
                k = rng.choice((0, 1, 1, 2, 3)) if rng.random() > 0.02 else 0
                choices = tuple(sorted(set(rng.choices(ids, weights, k=k))))
                batch.append(board.new_ballot(campaign, choices, f"{rng.getrandbits(128):032x}"))
            seq += 1
            checkpoint, sealed = board.seal_checkpoint(
                campaign, batch, previous, KEY, start + dt.timedelta(minutes=2 * seq)
            )
            for ballot in sealed:
                body.write(separator + dump(ballot.to_dict(), ensure_ascii=False))
                separator = ",\n"
                counts.update(ballot.choices)
                blank += not ballot.choices
            checkpoints.append(checkpoint)
            previous = checkpoint
            left -= size
    tally = {"ballots": n, "blank": blank, "counts": {c: counts.get(c, 0) for c in ids}}
    body = board.tally_body(campaign, checkpoints[-1], tally)
    signed = {**body, "signature": board.sign(KEY, body)}
    with open(path, "w", encoding="utf-8") as out, open(path + ".ballots", encoding="utf-8") as b:
        out.write("{\n")
        out.write(f'"format": {dump(board.FORMAT)},\n')
        out.write(f'"campaign": {dump(campaign.to_dict(), ensure_ascii=False)},\n')
        out.write(f'"public_key": {dump(board.public_key_to_text(KEY))},\n')
        out.write('"checkpoints": [')
        out.write(",".join("\n" + dump(c.to_dict()) for c in checkpoints))
        out.write("\n],\n")
        out.write('"ballots": [')
        while chunk := b.read(1 << 20):
            out.write(chunk)
        out.write("\n]")
        out.write(f',\n"tally": {dump(signed)}')
        out.write("\n}\n")
    import os

    os.remove(path + ".ballots")
    print(board.public_key_to_text(KEY))


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
