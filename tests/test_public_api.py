"""The notebook-facing API: ``__all__``, the lazy-import table and the TYPE_CHECKING block agree."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import sesbook
from sesbook import errors

INIT = Path(sesbook.__file__)


def _type_checking_names() -> dict[str, str]:
    """name -> module of every ``from M import N as N`` under ``if TYPE_CHECKING:`` in sesbook/__init__.py."""
    tree = ast.parse(INIT.read_text())
    block = next(node for node in tree.body
                 if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING")
    return {alias.asname or alias.name: str(node.module)
            for node in block.body if isinstance(node, ast.ImportFrom) for alias in node.names}


def test_all_lazy_and_type_checking_are_the_same_names() -> None:
    lazy = set(sesbook._LAZY)
    eager = set(errors.__all__) | {"__version__"}
    assert set(sesbook.__all__) == lazy | eager
    assert len(sesbook.__all__) == len(set(sesbook.__all__)), "a name is listed twice"
    assert set(_type_checking_names()) == lazy


def test_type_checking_imports_name_the_same_module_as_the_lazy_table() -> None:
    assert _type_checking_names() == sesbook._LAZY


@pytest.mark.parametrize("name", sorted(sesbook._LAZY))
def test_every_lazy_name_imports(name: str) -> None:
    value = getattr(importlib.import_module(sesbook._LAZY[name]), name)
    assert getattr(sesbook, name) is value


def test_every_error_is_exported_and_in_the_tree() -> None:
    tree = errors.__doc__ or ""
    for name in errors.__all__:
        assert getattr(sesbook, name) is getattr(errors, name)
        assert name in tree, f"{name} is missing from the tree in errors.py's docstring"
        assert issubclass(getattr(errors, name), errors.SesbookError)


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="nothing_here"):
        _ = sesbook.nothing_here
