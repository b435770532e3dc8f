"""Converters shared by the values' attrs fields: immutable containers from what callers pass."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any


def freeze_mapping(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """A read-only mapping (``None`` is empty), so frozen values stay frozen."""
    if value is None:
        return MappingProxyType({})
    if isinstance(value, MappingProxyType):
        return value
    return MappingProxyType(dict(value))


def tuple_of_str(value: Any) -> tuple[str, ...]:
    """A tuple of strings; a lone string is one item, not its characters."""
    if isinstance(value, str):
        return (value,)
    return tuple(value)
