# SPDX-License-Identifier: Apache-2.0
"""The MISP import's untrusted half: checks and misp-stix conversion of one event.

    .venv/bin/python bench/misp_import.py --attributes 1000 5000

Builds one MISP event of N ``ip-dst`` attributes (tagged NR, tlp:amber) and times
``misp.prepare`` (value and tag checks, then misp-stix's MISP → STIX 2.1 mapping), which runs
before any transaction opens. The storing half is ``SharingService.post`` (see
``taxii_vs_medallion.py``). Baseline: the hand mapping this replaced imported 100k attributes
in 12.7 s end to end (issue 20); misp-stix builds a validated stix2 object per attribute.
"""

from __future__ import annotations

import argparse
import time
import uuid

from liaison.sharing import misp


def event(n: int) -> dict[str, object]:
    attributes = [
        {
            "uuid": str(uuid.uuid4()),
            "type": "ip-dst",
            "category": "Network activity",
            "value": f"10.{i // 65536}.{(i // 256) % 256}.{i % 256}",
            "to_ids": True,
            "timestamp": "1795000000",
        }
        for i in range(n)
    ]
    return {
        "Event": {
            "uuid": str(uuid.uuid4()),
            "info": "bench",
            "date": "2026-11-20",
            "timestamp": "1795000000",
            "Orgc": {"name": "CERT-X", "uuid": str(uuid.uuid4())},
            "Tag": [{"name": 'nato:classification="NR"'}, {"name": "tlp:amber"}],
            "Attribute": attributes,
        }
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--attributes", type=int, nargs="+", default=[1000, 5000])
    args = parser.parse_args()
    misp.prepare(event(1))  # the first call imports misp-stix (~1 s)
    for n in args.attributes:
        data = event(n)
        started = time.perf_counter()
        prepared = misp.prepare(data)
        took = time.perf_counter() - started
        print(
            f"{n} attributes: {took:.2f} s, {n / took:.0f} attributes/s, "
            f"{len(prepared.objects)} STIX objects"
        )


if __name__ == "__main__":
    main()
