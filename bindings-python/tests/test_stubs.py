"""The committed stubs are exactly what the extension generates from the table and models, and
no domain method is typed loosely."""

from __future__ import annotations

import pathlib
import re

import proxmox_api
from proxmox_api import _native

# The committed file (the installed wheel ships a copy of it).
STUB = pathlib.Path(__file__).resolve().parents[1] / "python" / "proxmox_api" / "_native.pyi"
INSTALLED = pathlib.Path(proxmox_api.__file__).with_name("_native.pyi")


def test_committed_stub_is_current() -> None:
    assert STUB.exists(), "python/proxmox_api/_native.pyi is missing"
    assert STUB.read_text() == _native._stubs(), (
        "_native.pyi is stale: run `python bindings-python/scripts/gen-stubs.py` and commit it"
    )


def test_stubs_and_py_typed_ship_with_the_package() -> None:
    assert INSTALLED.exists() and INSTALLED.with_name("py.typed").exists()


def test_no_domain_method_returns_any_or_untyped_dicts() -> None:
    text = _native._stubs()
    assert not re.search(r"[\[(,:>]\s*Any\b", text), "a type is Any"
    for line in text.splitlines():
        if line.strip().startswith("def ") and "->" in line:
            result = line.rsplit("->", 1)[1]
            assert "Dict[str, Any]" not in result and "Dict[str, object]" not in result or (
                "to_dict" in line
            ), line


def test_every_exported_class_is_in_the_stub() -> None:
    text = _native._stubs()
    for name in dir(_native):
        if isinstance(getattr(_native, name), type):
            assert f"class {name}:" in text, f"{name} has no stub"
