import json

import pytest

from accounts.roles import VIEWER
from tests.clients import client_for


@pytest.fixture
def api(db):
    return client_for(VIEWER)


def content_of(response) -> bytes:
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


def oc4ids_of(response) -> dict:
    return json.loads(content_of(response))


SECTORS = {
    # code: DAC code, as the 2023 plan's sectors have them
    "rail": 21030,
    "port": 21040,
    "aviation": 21050,
    "maritime": 21040,
    "logistics": 21010,
    "transport-soft": 21010,
    "urban": 43030,
    "water": 14022,
    "disaster": 43060,
    "road": 21020,
    "construction": 25010,
}
SCHEMES = {
    "oda": "ODA",
    "oda-loan": "ODA",
    "oda-grant": "ODA",
    "oda-tc": "ODA",
    "ppp": "PPP",
    "join": "JOIN",
    "private": "PRIVATE",
}


@pytest.fixture
def generated(db):
    """Generated projects (factories) covering every status, sector, scheme, development kind and
    date precision, a range, a planned event, a future day, a control character and no summary."""
    import datetime

    from projects.models import DatePrecision, DevelopmentKind, Status
    from tests.factories import (
        CountryFactory,
        DevelopmentFactory,
        ProjectFactory,
        SchemeFactory,
        SectorFactory,
    )

    sectors = [SectorFactory(code=code, dac_code=dac) for code, dac in SECTORS.items()]
    schemes = [SchemeFactory(code=code, family=family) for code, family in SCHEMES.items()]
    countries = [CountryFactory(iso_code=code) for code in ("VN", "TW", "KE", "PE")]
    dated = [
        (DatePrecision.DAY, datetime.date(2022, 5, 17), None),
        (DatePrecision.MONTH, datetime.date(2023, 1, 1), None),
        (DatePrecision.YEAR, datetime.date(2021, 1, 1), None),
        (DatePrecision.FISCAL_YEAR, datetime.date(2021, 4, 1), None),
        (DatePrecision.MONTH, datetime.date(2022, 11, 1), datetime.date(2023, 1, 1)),
        (DatePrecision.DAY, datetime.date(2099, 3, 1), None),
        (DatePrecision.NONE, None, None),
    ]
    projects = []
    for index, status in enumerate(Status.values):
        project = ProjectFactory(
            status=status,
            country=countries[index % len(countries)],
            sectors=sectors[index % len(sectors) :][:2] or sectors[:1],
            schemes=schemes[index % len(schemes) :][:2],
            summary="" if index == 3 else f"概要{index}\x0b（改行）",
        )
        for sequence, kind in enumerate(DevelopmentKind.values, start=1):
            precision, date, end = dated[(index + sequence) % len(dated)]
            DevelopmentFactory(
                project=project,
                sequence=sequence,
                kind=kind,
                text=f"{kind}の動き{'（予定）' if sequence == 2 else ''}\x01",
                date=date,
                date_precision=precision,
                date_end=end,
            )
        projects.append(project)
    bare = ProjectFactory(
        country=countries[0], sectors=[sectors[-1]], name_en=""
    )  # no developments, no OC4IDS sector
    projects.append(bare)
    return projects
