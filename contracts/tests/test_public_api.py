"""The public surface: an explicit, sorted `__all__` that names only what exists."""

import inspect
import re
from enum import StrEnum

import carepath_contracts
from carepath_contracts import REGISTRY, followup, infusion, intake


def _isort_style(name: str) -> tuple[int, list[int | str]]:
    """Ruff's RUF022 order: CONSTANTS, then Classes, then functions; numbers compared as numbers."""
    category = 0 if name.isupper() else 1 if name[:1].isupper() else 2
    return category, [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def test_all_is_sorted_and_unique():
    names = carepath_contracts.__all__

    assert len(names) == len(set(names))
    assert names == sorted(names, key=_isort_style)


def test_every_exported_name_exists():
    missing = [name for name in carepath_contracts.__all__ if not hasattr(carepath_contracts, name)]

    assert missing == []


def test_every_event_model_and_code_list_is_exported():
    public = set(carepath_contracts.__all__)
    for module in (intake, infusion, followup):
        for name, value in vars(module).items():
            if inspect.isclass(value) and value.__module__ == module.__name__:
                assert name in public, f"{module.__name__}.{name} is not exported"
    assert {spec.data_model.__name__ for spec in REGISTRY} <= public


def test_code_lists_are_str_enums():
    for name in carepath_contracts.__all__:
        value = getattr(carepath_contracts, name)
        if inspect.isclass(value) and issubclass(value, StrEnum):
            assert all(member.value == member.value.strip() for member in value)
