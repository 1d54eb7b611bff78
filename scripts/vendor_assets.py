"""Fetch the JavaScript/CSS that offline maps inline, from the npm registry, pinned and verified.

The product never downloads anything at run time: :mod:`coverage.render.offline` reads
these files from ``coverage/render/static/vendor/`` (shipped as package data). This script is how
they got there, and re-running it reproduces them byte for byte:

1. ask ``https://registry.npmjs.org/<package>/<version>`` for the tarball URL;
2. download the tarball and check it against the sha512 integrity pinned below (the same
   value ``npm view <package>@<version> dist.integrity`` prints), so a changed tarball fails;
3. extract only the listed files (and the package's licence) into
   ``coverage/render/static/vendor/<package>-<version>/`` keeping their paths inside the package,
   so the relative ``url(...)`` references in the CSS still resolve;
4. write ``coverage/render/static/README.md`` with versions, sources, licences and SHA-256 of
   every vendored file.

Only the Python standard library is used (no pip, no npm). Usage::

    python scripts/vendor_assets.py            # fetch and (re)write the vendored files
    python scripts/vendor_assets.py --check    # offline: verify vendored files against README
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
STATIC = REPO / "coverage" / "render" / "static"
VENDOR = STATIC / "vendor"
REGISTRY = "https://registry.npmjs.org"


@dataclass(frozen=True)
class Package:
    """One pinned npm package and the files taken from it."""

    name: str
    version: str
    integrity: str  # npm's dist.integrity (sha512, base64) of the tarball
    licence: str  # SPDX id, for the README
    licence_file: str
    files: tuple[str, ...]
    purpose: str

    @property
    def folder(self) -> str:
        return f"{self.name}-{self.version}"


PACKAGES: tuple[Package, ...] = (
    Package(
        "leaflet",
        "1.9.4",
        "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        "BSD-2-Clause",
        "LICENSE",
        (
            "dist/leaflet.js",
            "dist/leaflet.css",
            "dist/images/layers.png",
            "dist/images/layers-2x.png",
            "dist/images/marker-icon.png",
            "dist/images/marker-icon-2x.png",
            "dist/images/marker-shadow.png",
        ),
        "the map library itself",
    ),
    Package(
        "leaflet.markercluster",
        "1.5.3",
        "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==",
        "MIT",
        "MIT-LICENCE.txt",
        (
            "dist/leaflet.markercluster.js",
            "dist/MarkerCluster.css",
            "dist/MarkerCluster.Default.css",
        ),
        "tower clustering (folium.plugins.MarkerCluster)",
    ),
    Package(
        "leaflet.fullscreen",
        "3.0.0",
        "sha512-81wWSUXz1ZtdneR0v5eJDWXUSx+Zo5J50WXWeydG/UcILfIEAgz/iOjZSi3p00Z9MJ/FC/P5i3CgdYuEAos0yQ==",
        "MIT",
        "LICENSE",
        ("Control.FullScreen.js", "Control.FullScreen.css", "icon-fullscreen.svg"),
        "full-screen button (folium.plugins.Fullscreen)",
    ),
    Package(
        "leaflet-measure",
        "2.1.7",
        "sha512-IvoHIoVTIQSXUgaNnAMF17qXFB+dF5ICdwmY8BHyq/Hh33/xeGqQUUYlz0pRMzFN9NUcjsT6JBhCr1ia0CG5ug==",
        "MIT",
        "LICENSE",
        (
            "dist/leaflet-measure.min.js",
            "dist/leaflet-measure.css",
            *(
                f"dist/images/{stem}{suffix}.png"
                for stem in ("rulers", "start", "cancel", "check", "focus", "trash")
                for suffix in ("", "_@2X")
            ),
        ),
        "distance/area tool (folium.plugins.MeasureControl)",
    ),
    Package(
        "jquery",
        "3.7.1",
        "sha512-m4avr8yL8kmFN8psrbFFFmB/If14iN5o9nw/NgnnM+kybDJpRsAynV2BsfpTYrTRysYUdADVD7CkUUizgkpLfg==",
        "MIT",
        "LICENSE.txt",
        ("dist/jquery.min.js",),
        "only for maps holding folium.Popup/Html, whose templates call $()",
    ),
)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed https URL)
        return response.read()


def fetch(package: Package) -> dict[str, bytes]:
    """Download ``package``'s tarball, verify its integrity, return the wanted files."""
    meta = json.loads(_get(f"{REGISTRY}/{package.name}/{package.version}"))
    tarball = _get(meta["dist"]["tarball"])
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if digest != package.integrity:
        raise SystemExit(
            f"{package.name}@{package.version}: tarball integrity {digest} != pinned "
            f"{package.integrity}; the registry served different bytes, refusing to vendor."
        )
    wanted = {f"package/{p}": p for p in (*package.files, package.licence_file)}
    out: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member in archive.getmembers():
            if member.name in wanted and member.isfile():
                extracted = archive.extractfile(member)
                assert extracted is not None
                out[wanted[member.name]] = extracted.read()
    missing = set(wanted.values()) - set(out)
    if missing:
        raise SystemExit(f"{package.name}@{package.version}: not in tarball: {sorted(missing)}")
    return out


def readme(hashes: dict[str, str]) -> str:
    """The README of ``coverage/render/static``: what is vendored, from where, under which licence."""
    lines = [
        "# Vendored map assets",
        "",
        "JavaScript and CSS inlined into offline maps by `coverage.render.offline` (and linked",
        "from the jsDelivr CDN, same versions, for online maps). Fetched from the npm registry by",
        "`scripts/vendor_assets.py`, which pins each tarball's sha512 integrity; re-run it to",
        "reproduce these files, or `python scripts/vendor_assets.py --check` to verify them.",
        "Files are unmodified; each package's licence file sits beside them.",
        "",
        "| package | version | licence | used for | source |",
        "| --- | --- | --- | --- | --- |",
    ]
    for p in PACKAGES:
        lines.append(
            f"| {p.name} | {p.version} | {p.licence} | {p.purpose} | "
            f"{REGISTRY}/{p.name}/-/{p.name}-{p.version}.tgz |"
        )
    lines += [
        "",
        "`phusong/` holds phusong's own small script and stylesheet (search box, panels, legend),",
        "under the project's licence.",
        "",
        "## SHA-256 of the vendored files",
        "",
        "```",
    ]
    lines += [f"{digest}  {path}" for path, digest in sorted(hashes.items())]
    lines += ["```", ""]
    return "\n".join(lines)


def check() -> int:
    """Compare vendored files with the hashes listed in the README; return an exit code."""
    text = (STATIC / "README.md").read_text(encoding="utf-8")
    block = text.split("```")[1].strip().splitlines()
    bad = 0
    for line in block:
        digest, path = line.split(maxsplit=1)
        actual = hashlib.sha256((VENDOR / path).read_bytes()).hexdigest()
        if actual != digest:
            print(f"MISMATCH {path}", file=sys.stderr)
            bad += 1
    print(f"{len(block) - bad}/{len(block)} vendored files match", file=sys.stderr)
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="verify, do not download")
    args = parser.parse_args(argv)
    if args.check:
        return check()
    hashes: dict[str, str] = {}
    for package in PACKAGES:
        for rel, data in fetch(package).items():
            target = VENDOR / package.folder / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            hashes[f"{package.folder}/{rel}"] = hashlib.sha256(data).hexdigest()
        print(f"vendored {package.name}@{package.version}", file=sys.stderr)
    (STATIC / "README.md").write_text(readme(hashes), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
