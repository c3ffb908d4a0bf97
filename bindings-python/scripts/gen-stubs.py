"""Writes python/proxmox_api/_native.pyi from the installed extension (`_native._stubs()`).

The stubs are generated from the operation table and the model table (bindings-common), so this only needs
running after changing either; tests/test_stubs.py fails while the committed file is stale.
"""

import pathlib

from proxmox_api import _native

target = pathlib.Path(__file__).resolve().parents[1] / "python" / "proxmox_api" / "_native.pyi"
target.write_text(_native._stubs())
print(f"wrote {target}")
