"""The plain-Python way, for a ratio in the same session as `audience-etl bench`: csv.DictReader,
hashlib.sha256 of trimmed, lowercased email, phone digits, first and last name, csv.writer.
One core. Same work as the naive Node baseline in benchmarks/scenario.ts, none of SPEC's rules.

    python3 benchmarks/python_baseline.py /tmp/crm.csv /tmp/out.csv
Prints one JSON line, as benchmarks/scenario.ts does: {rows_in, rows_out, seconds, max_rss_mb}.
"""
import csv
import hashlib
import json
import re
import resource
import sys
import time

NON_DIGITS = re.compile(r"\D")


def sha(value):
    return hashlib.sha256(value.strip().lower().encode("utf-8")).hexdigest() if value else ""


def main(source, target):
    started = time.perf_counter()
    rows = 0
    with open(source, newline="", encoding="utf-8") as inp, open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "email", "phone", "fn", "ln"])
        for r in csv.DictReader(inp):
            rows += 1
            writer.writerow([r["customer_id"], sha(r["email"]), sha(NON_DIGITS.sub("", r["phone"])), sha(r["first_name"]), sha(r["last_name"])])
    seconds = time.perf_counter() - started
    max_rss_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps({"rows_in": rows, "rows_out": rows, "seconds": seconds, "max_rss_mb": max_rss_mb}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
