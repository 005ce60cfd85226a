"""Records pickle as their fields, exactly, and blobs written the old way still load."""

from __future__ import annotations

import copyreg
import dataclasses
import importlib
import io
import pickle
import pkgutil
import sys

import pytest

import connectors
from connectors.pickling import REGISTERED, pickle_by_fields
from tests.connectors.test_redis_cache import PRICE


def _record_classes() -> list[type]:
    found = []
    for package in pkgutil.iter_modules(connectors.__path__):
        if not package.ispkg:
            continue
        try:
            module = importlib.import_module(f"connectors.{package.name}.records")
        except ModuleNotFoundError:
            continue
        found += [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and dataclasses.is_dataclass(value)
            and value.__module__ == module.__name__
        ]
    return found


def test_every_record_class_of_every_source_is_registered():
    classes = _record_classes()

    assert len(classes) > 40
    assert [c.__qualname__ for c in classes if c not in REGISTERED] == []
    assert all(c in copyreg.dispatch_table for c in classes)


def test_a_record_round_trips_exactly():
    blob = pickle.dumps(PRICE, protocol=5)

    assert pickle.loads(blob) == PRICE
    values = tuple(getattr(PRICE, f.name) for f in dataclasses.fields(PRICE))
    assert copyreg.dispatch_table[type(PRICE)](PRICE) == (type(PRICE), values)


def test_a_blob_written_the_old_way_still_loads():
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.dispatch_table = {}  # what a release before the reducers wrote
    pickler.dump(PRICE)

    assert pickle.loads(buffer.getvalue()) == PRICE


def test_a_class_that_its_fields_cannot_rebuild_is_refused():
    module = type(pytest)("tests.connectors.fake_records")

    @dataclasses.dataclass(frozen=True)
    class Derived:
        a: int
        b: int = dataclasses.field(init=False, default=0)

    Derived.__module__ = module.__name__
    module.Derived = Derived  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    try:
        with pytest.raises(TypeError, match="cannot be rebuilt"):
            pickle_by_fields(module.__name__)
    finally:
        del sys.modules[module.__name__]
