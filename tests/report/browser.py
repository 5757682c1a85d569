"""Real headless Chromium for the report tests: screenshot a page, and load it with a probe script.

Debian's ``chromium`` package (``apt-get install -y chromium``). Running as root (CI containers) needs
``--no-sandbox``. The probe loads a *copy* of the report with a small script appended that writes, into the DOM,
how many ``<img>`` elements decoded (``complete`` and ``naturalWidth > 0``); ``--dump-dom`` then returns the DOM
after the load event, so the test reads what the browser itself decided, not what we assume.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
         "--no-first-run", "--disable-extensions", "--enable-logging=stderr", "--v=0"]

PROBE = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images);
  var ok = imgs.filter(function (i) { return i.complete && i.naturalWidth > 0 && i.naturalHeight > 0; });
  var out = document.createElement('div');
  out.id = 'probe';
  out.setAttribute('data-images', String(imgs.length));
  out.setAttribute('data-decoded', String(ok.length));
  document.body.appendChild(out);
});
</script>"""


def chromium_binary() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def screenshot(binary: str, html: Path, png: Path, width: int = 1280, height: int = 2400,
               timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([binary, *FLAGS, f"--screenshot={png}", f"--window-size={width},{height}",
                           html.resolve().as_uri()], capture_output=True, text=True, timeout=timeout)


def probe_images(binary: str, html: Path, timeout: float = 120) -> tuple[int, int, str]:
    """(images, decoded, stderr) as the browser saw them after the load event."""
    probe = html.with_name(html.stem + ".probe.html")
    probe.write_text(html.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8")
    proc = subprocess.run([binary, *FLAGS, "--virtual-time-budget=5000", "--dump-dom", probe.resolve().as_uri()],
                          capture_output=True, text=True, timeout=timeout)
    m = re.search(r'id="probe" data-images="(\d+)" data-decoded="(\d+)"', proc.stdout)
    if not m:
        raise AssertionError(f"probe not found in Chromium's DOM dump; stderr: {proc.stderr[-2000:]}")
    return int(m.group(1)), int(m.group(2)), proc.stderr


def console_errors(stderr: str) -> list[str]:
    """Console messages of level error that Chromium logged for the page (``CONSOLE`` lines)."""
    return [line for line in stderr.splitlines() if "CONSOLE" in line and
            re.search(r"(Uncaught|Error|Failed to load)", line)]
