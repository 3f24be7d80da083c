"""Writes a large input for `maildlp report`: N lines as `maildlp scan --format json --details`
writes them (3 % blocked, 2 % warned, 5,000 records, 300 senders, 900 domains, 72 months).

    python3 benches/report_input.py 1000000 > target/big.jsonl
    /usr/bin/time -f "%e s %M KB" target/release/maildlp report target/big.jsonl -o target/big.html
"""

import json
import random
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rnd = random.Random(7)
    out = sys.stdout
    for i in range(n):
        v = rnd.random()
        year = 2019 + (i * 6) // n
        month = 1 + (i // 7) % 12
        line = {
            "source": f"/archive/{year}/box{i % 50}.mbox#{i}",
            "verdict": "allow",
            "findings": [],
            "date": f"{year}-{month:02d}-{1 + i % 28:02d}T10:00:00Z",
            "from": f"officer{i % 300}@police.example",
            "subject": "Case update",
            "domains": [f"d{i % 900}.example"],
        }
        if v < 0.03:
            line["verdict"] = "block"
            line["findings"] = [{
                "rule": "protected-identifier", "severity": "block", "record": f"V{i % 5000:05d}",
                "kind": "name", "location": {"part": "body", "index": 1},
                "excerpt": "... J*** D** was interviewed ...",
                "message": "a protected name of record V is in body 1",
            }]
        elif v < 0.05:
            line["verdict"] = "warn"
            line["findings"] = [{
                "rule": "visible-recipients", "severity": "warn", "count": 14, "max": 10,
                "message": "14 external recipients",
            }]
        out.write(json.dumps(line) + "\n")


if __name__ == "__main__":
    main()
