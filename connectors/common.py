"""Value types shared by every connector's canonical records: localised text, geo points."""

from __future__ import annotations

import math
from collections.abc import Mapping

from connectors.record import record

#: Localised text as the sources hold it: locale ("nl", "en") -> text. Callers pick a locale.
LocalizedText = Mapping[str, str]


@record
class GeoPoint:
    """A WGS84 coordinate."""

    latitude: float
    longitude: float

    def km_to(self, other: GeoPoint) -> float:
        """Great-circle distance (haversine) on a sphere of the Earth's mean radius."""
        lat1, lon1, lat2, lon2 = map(
            math.radians, (self.latitude, self.longitude, other.latitude, other.longitude)
        )
        h = (
            math.sin((lat2 - lat1) / 2) ** 2
            + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
        )
        return 6371.0 * 2 * math.asin(math.sqrt(h))
