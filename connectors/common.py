"""Value types shared by every connector's canonical records: localised text, geo points."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: Localised text as the sources hold it: locale ("nl", "en") -> text. Callers pick a locale.
LocalizedText = Mapping[str, str]


@dataclass(frozen=True, slots=True)
class GeoPoint:
    """A WGS84 coordinate."""

    latitude: float
    longitude: float
