"""The committed ``__init__.pyi`` describes exactly what the built extension exposes.

Compares the stub's ``__all__``, classes, methods and every parameter (name, kind, default) with
the runtime objects' signatures, so a change to the Rust side without the stub fails CI.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path
from typing import Dict, List, Tuple, Union

import proxmox_api

STUB = Path(proxmox_api.__file__).with_name("__init__.pyi")
Param = Tuple[str, str, object]  # name, kind, default


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(), filename=str(STUB))


def _stub_all(tree: ast.Module) -> List[str]:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise AssertionError("the stub has no __all__")


def _stub_params(function: Function) -> List[Param]:
    args = function.args
    out: List[Param] = []
    positional = args.posonlyargs + args.args
    defaults = [inspect.Parameter.empty] * (len(positional) - len(args.defaults)) + [
        ast.literal_eval(d) for d in args.defaults
    ]
    for arg, default in zip(positional, defaults):
        if arg.arg == "self":
            continue
        out.append((arg.arg, "POSITIONAL_OR_KEYWORD", default))
    for arg, kw_default in zip(args.kwonlyargs, args.kw_defaults):
        default = inspect.Parameter.empty if kw_default is None else ast.literal_eval(kw_default)
        out.append((arg.arg, "KEYWORD_ONLY", default))
    return out


def _runtime_params(callable_: object) -> List[Param]:
    out: List[Param] = []
    for p in inspect.signature(callable_).parameters.values():  # type: ignore[arg-type]
        if p.name == "self":
            continue
        kind = "KEYWORD_ONLY" if p.kind is p.KEYWORD_ONLY else "POSITIONAL_OR_KEYWORD"
        out.append((p.name, kind, p.default))
    return out


Function = Union[ast.FunctionDef, ast.AsyncFunctionDef]


def _stub_classes(tree: ast.Module) -> Dict[str, Dict[str, Function]]:
    classes = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            classes[node.name] = {
                item.name: item
                for item in node.body
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))
            }
    return classes


def test_stub_exports_match_the_module() -> None:
    tree = _stub_tree()
    assert sorted(_stub_all(tree)) == sorted(proxmox_api.__all__)
    stub_names = set(_stub_classes(tree))
    for node in tree.body:
        if isinstance(node, ast.ImportFrom):
            stub_names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, (ast.AnnAssign, ast.Assign)):
            targets = [node.target] if isinstance(node, ast.AnnAssign) else node.targets
            stub_names.update(t.id for t in targets if isinstance(t, ast.Name))
    for name in proxmox_api.__all__:
        assert hasattr(proxmox_api, name), f"{name} is in __all__ but not in the module"
        assert name in stub_names, f"{name} is exported but missing from __init__.pyi"


def test_stub_classes_match_the_extension() -> None:
    classes = _stub_classes(_stub_tree())
    native = {"Client", "AsyncClient"}
    assert native <= set(classes)
    for class_name in native:
        runtime_class = getattr(proxmox_api, class_name)
        stub_methods = classes[class_name]
        runtime_methods = {
            name
            for name, _ in inspect.getmembers(runtime_class)
            if not name.startswith("_")
        }
        assert set(n for n in stub_methods if not n.startswith("_")) == runtime_methods, class_name
        assert _stub_params(stub_methods["__init__"]) == _runtime_params(runtime_class), (
            f"{class_name}.__init__ differs"
        )
        for name in runtime_methods:
            stub, runtime = stub_methods[name], getattr(runtime_class, name)
            assert _stub_params(stub) == _runtime_params(runtime), f"{class_name}.{name} differs"
            assert isinstance(stub, ast.AsyncFunctionDef) == inspect.iscoroutinefunction(
                runtime
            ), f"{class_name}.{name}: async in one, not in the other"
