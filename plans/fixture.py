"""Build fixtures/action_plan_2023.json from the plan's text, the corrections and the annotations.

    python manage.py build_plan_fixture [--source PATH] [--output PATH] [--check]

1. `plans.parser` parses the source text (fixtures/sources/action_plan_2023_projects.txt)
   into 23 headings and their rows; the rows must be numbered 1..N in order, and the
   introduction's counts must add up (N = last year's M - removed + added, as many rows marked
   【新規案件】 as added).
2. The reviewed correction list (fixtures/action_plan_2023_corrections.json) is applied
   (`plans.corrections`): a text correction replaces one parsed field, a development-date
   correction the date read from one development's text (the text stays as printed), each
   only if the parsed value is the one it was written for.
3. The annotations (fixtures/action_plan_2023_annotations.json) add what the text does not hold
   in a column: the English name, sectors, schemes and status, each backed by an evidence quote
   that must be a verbatim substring of the project's own row (name, summary, developments,
   note), and optional per-development kind overrides, backed by words of that development.
4. Development kinds come from the keyword rule `plans.kinds.classify_development` unless an
   annotation overrides them; dates from `projects.dates.parse_development_date`, unless a
   development-date correction replaces them.
5. The 2023 edition (plans.models): published, with the facts its introduction states about
   last year's (count, removed, added, the removed projects it names as won, kept as removals by
   name), its 23 headings, and a listing per row with the row as printed.
6. The fixture is written with natural keys and no primary keys, in a fixed order, with every
   timestamp set to the recorded-at constant, so a rebuild is byte-identical. `--check` builds
   in memory and fails if the committed fixture differs.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from plans.corrections import CorrectionError, apply_corrections, development_dates
from plans.kinds import classify_development
from plans.parser import PlanParseError, check_numbering, parse_plan
from projects.models import DatePrecision, DevelopmentKind, Project, Status

FIXTURES = Path(settings.BASE_DIR) / "fixtures"
DEFAULT_SOURCE = FIXTURES / "sources" / "action_plan_2023_projects.txt"
DEFAULT_OUTPUT = FIXTURES / "action_plan_2023.json"
DEFAULT_CORRECTIONS = FIXTURES / "action_plan_2023_corrections.json"
DEFAULT_ANNOTATIONS = FIXTURES / "action_plan_2023_annotations.json"
RECORDED_AT = "2026-11-22T00:00:00Z"
SOURCE_NAME = "国土交通省インフラシステム海外展開行動計画2023"
PLAN_LABEL = "行動計画2023"
EDITION_YEAR = 2023
EDITION_SOURCE = f"{SOURCE_NAME}「（参考）我が国企業による受注を目指す主要プロジェクト」"

# code, name_ja, name_en (DOMAIN.md "Regions"), in this order.
REGIONS = [
    ("southeast-asia", "東南アジア", "Southeast Asia"),
    ("south-asia", "南アジア", "South Asia"),
    ("east-asia", "東アジア", "East Asia"),
    ("north-america", "北米", "North America"),
    ("europe", "欧州", "Europe"),
    ("eastern-europe", "東欧", "Eastern Europe"),
    ("middle-east", "中東", "Middle East"),
    ("central-asia-caucasus", "中央アジア・コーカサス", "Central Asia and the Caucasus"),
    ("africa", "アフリカ", "Africa"),
    ("latin-america", "中南米", "Latin America"),
    ("oceania", "大洋州", "Oceania"),
    ("pacific-islands", "太平洋島嶼国", "Pacific Islands"),
]

# ISO 3166-1 alpha-2, name_ja as the plan writes it, name_en, region code.
COUNTRIES = [
    ("VN", "ベトナム", "Viet Nam", "southeast-asia"),
    ("KH", "カンボジア", "Cambodia", "southeast-asia"),
    ("TH", "タイ", "Thailand", "southeast-asia"),
    ("PH", "フィリピン", "Philippines", "southeast-asia"),
    ("ID", "インドネシア", "Indonesia", "southeast-asia"),
    ("MY", "マレーシア", "Malaysia", "southeast-asia"),
    ("BN", "ブルネイ", "Brunei", "southeast-asia"),
    ("SG", "シンガポール", "Singapore", "southeast-asia"),
    ("MM", "ミャンマー", "Myanmar", "southeast-asia"),
    ("IN", "インド", "India", "south-asia"),
    ("LK", "スリランカ", "Sri Lanka", "south-asia"),
    ("BD", "バングラデシュ", "Bangladesh", "south-asia"),
    ("TW", "台湾", "Taiwan", "east-asia"),
    ("US", "米国", "United States", "north-america"),
    ("GB", "英国", "United Kingdom", "europe"),
    ("NL", "オランダ", "Netherlands", "europe"),
    ("UA", "ウクライナ", "Ukraine", "eastern-europe"),
    ("AE", "アラブ首長国連邦", "United Arab Emirates", "middle-east"),
    ("KG", "キルギス", "Kyrgyzstan", "central-asia-caucasus"),
    ("UZ", "ウズベキスタン", "Uzbekistan", "central-asia-caucasus"),
    ("GH", "ガーナ", "Ghana", "africa"),
    ("UG", "ウガンダ", "Uganda", "africa"),
    ("KE", "ケニア", "Kenya", "africa"),
    ("TZ", "タンザニア", "Tanzania", "africa"),
    ("MA", "モロッコ", "Morocco", "africa"),
    ("MZ", "モザンビーク", "Mozambique", "africa"),
    ("TN", "チュニジア", "Tunisia", "africa"),
    ("PE", "ペルー", "Peru", "latin-america"),
    ("AU", "豪州", "Australia", "oceania"),
    ("PG", "パプアニューギニア", "Papua New Guinea", "pacific-islands"),
]

# code, name_ja, name_en, DAC purpose code (DOMAIN.md "Sectors"), in this order.
SECTORS = [
    ("rail", "鉄道", "Railways", 21030),
    ("port", "港湾", "Ports", 21040),
    ("aviation", "航空", "Aviation", 21050),
    ("maritime", "海事", "Maritime", 21040),
    ("logistics", "物流", "Logistics", 21010),
    ("transport-soft", "交通ソフトインフラ", "Transport soft infrastructure (MaaS, buses, ITS)", 21010),
    (
        "urban",
        "都市開発・不動産開発・住宅開発・スマートシティ",
        "Urban, real estate and housing development, smart cities",
        43030,
    ),
    ("water", "水", "Water (water supply and sewerage)", 14022),
    ("disaster", "防災", "Disaster risk reduction (flood control, rivers, dams, coasts)", 43060),
    ("road", "道路", "Roads (including bridges and tunnels)", 21020),
    ("construction", "建設産業・建設技術", "Construction industry and technology", 25010),
]

# code, family, name_ja, name_en (DOMAIN.md "Schemes"), in this order.
SCHEMES = [
    ("oda", "ODA", "ODA（種別の記載なし）", "ODA (type not stated)"),
    ("oda-loan", "ODA", "円借款", "ODA loan (yen loan)"),
    ("oda-grant", "ODA", "無償資金協力", "Grant aid"),
    ("oda-tc", "ODA", "技術協力", "Technical cooperation"),
    ("ppp", "PPP", "官民連携", "Public-private partnership (PPP)"),
    (
        "join",
        "JOIN",
        "海外交通・都市開発事業支援機構による出資・支援",
        "Investment and support by JOIN",
    ),
    ("private", "PRIVATE", "民間事業", "Private business"),
]

# The plan's listing group headings (without the circled number) and their English names.
LISTING_GROUPS_EN = {
    "ベトナム": "Viet Nam",
    "カンボジア": "Cambodia",
    "タイ": "Thailand",
    "フィリピン": "Philippines",
    "インドネシア": "Indonesia",
    "マレーシア": "Malaysia",
    "ブルネイ": "Brunei",
    "シンガポール": "Singapore",
    "インド": "India",
    "スリランカ": "Sri Lanka",
    "バングラデシュ": "Bangladesh",
    "米国": "United States",
    "英国": "United Kingdom",
    "オランダ": "Netherlands",
    "豪州": "Australia",
    "中東": "Middle East",
    "中央アジア・コーカサス": "Central Asia and the Caucasus",
    "アフリカ地域": "Africa",
    "中南米": "Latin America",
    "太平洋島嶼国": "Pacific Islands",
    "東欧": "Eastern Europe",
    "台湾": "Taiwan",
    "ミャンマー": "Myanmar",
}

# Where an evidence quote was found, for the status change's note (the plan's column names).
COLUMN_LABELS = {"developments": "直近における動き", "summary": "概要", "name": "名称", "note": "注記"}


def _country_for(row, group_name, countries_by_name):
    """The group's country, or for a region group the country in parentheses in the name."""
    if group_name in countries_by_name:
        return countries_by_name[group_name]
    found = [iso for name, iso in countries_by_name.items() if f"（{name}）" in row.name]
    if len(found) != 1:
        raise CommandError(
            f"Project {row.number} in region group {group_name}: expected one country in "
            f"parentheses in its name, found {found or 'none'}: {row.name}"
        )
    return found[0]


def _where(row, quote):
    """The column of the row that holds `quote` ("developments" first), or None."""
    if any(quote in text for text in row.developments):
        return "developments"
    for column in ("summary", "name", "note"):
        if quote in getattr(row, column):
            return column
    return None


def _check_evidence(number, what, quote, row):
    if not isinstance(quote, str) or not quote:
        raise CommandError(f"Annotation for project {number}: {what} has no evidence quote.")
    if _where(row, quote) is None:
        raise CommandError(
            f"Annotation for project {number}: the evidence for {what} is not in the project's row: {quote!r}"
        )


def load_json(path, what):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise CommandError(f"The {what} file {path} does not exist.") from exc
    except json.JSONDecodeError as exc:
        raise CommandError(f"The {what} file {path} is not valid JSON: {exc}") from exc


def _validated_annotations(annotations, rows):
    """Annotations by project number, every code known and every evidence quote in the row."""
    by_number = {}
    for entry in annotations.get("projects", []):
        number = entry.get("number")
        if number in by_number:
            raise CommandError(f"Annotations: project {number} is annotated twice.")
        by_number[number] = entry
    numbers = [row.number for row in rows]
    missing = [n for n in numbers if n not in by_number]
    extra = [n for n in by_number if n not in numbers]
    if missing or extra:
        raise CommandError(f"Annotations do not match the projects: missing {missing}, unknown {extra}.")
    sector_codes = {code for code, *_ in SECTORS}
    scheme_codes = {code for code, *_ in SCHEMES}
    for row in rows:
        entry = by_number[row.number]
        if not entry.get("name_en", "").strip():
            raise CommandError(f"Annotation for project {row.number}: no name_en.")
        if not entry.get("sectors"):
            raise CommandError(f"Annotation for project {row.number}: no sector.")
        for kind, codes in (("sectors", sector_codes), ("schemes", scheme_codes)):
            seen = set()
            for item in entry.get(kind, []):
                if item.get("code") not in codes:
                    raise CommandError(f"Annotation for project {row.number}: unknown {kind} code {item!r}.")
                if item["code"] in seen:
                    raise CommandError(f"Annotation for project {row.number}: {item['code']} twice.")
                seen.add(item["code"])
                _check_evidence(row.number, f"{kind[:-1]} {item['code']}", item.get("evidence"), row)
                if kind == "sectors" and item["evidence"] not in row.name + "\n" + row.summary:
                    raise CommandError(
                        f"Annotation for project {row.number}: sector {item['code']} must quote the "
                        "name or the summary."
                    )
        status = entry.get("status") or {}
        if status.get("code") not in Status.values:
            raise CommandError(f"Annotation for project {row.number}: unknown status {status!r}.")
        _check_evidence(row.number, f"status {status['code']}", status.get("evidence"), row)
        for sequence, override in (entry.get("developments") or {}).items():
            index = int(sequence) - 1
            if not 0 <= index < len(row.developments):
                raise CommandError(f"Annotation for project {row.number}: no development {sequence}.")
            if override.get("kind") not in DevelopmentKind.values:
                raise CommandError(
                    f"Annotation for project {row.number}: unknown kind for development {sequence}: "
                    f"{override!r}."
                )
            quote = override.get("evidence")
            if not quote or quote not in row.developments[index]:
                raise CommandError(
                    f"Annotation for project {row.number}: the evidence for development {sequence}'s "
                    f"kind is not in that development: {quote!r}"
                )
    return by_number


def development_kind(text, override=None):
    """The kind of a development: the annotation's override, else the keyword rule."""
    if override:
        return override["kind"], override["evidence"]
    return classify_development(text)


def build_fixture(source_text, corrections, annotations, recorded_at=RECORDED_AT):
    """The fixture's objects (a list of dicts in Django's serialization format)."""
    try:
        plan = parse_plan(source_text)
        check_numbering(plan)
    except PlanParseError as exc:
        raise CommandError(f"The source could not be parsed: {exc}") from exc
    try:
        rows = apply_corrections(plan.rows, corrections.get("corrections", []))
        dates = development_dates(rows, corrections.get("corrections", []))
    except CorrectionError as exc:
        raise CommandError(str(exc)) from exc
    by_number = _validated_annotations(annotations, rows)
    groups = {group.number: group for group in plan.groups}
    _check_stated_counts(plan)
    return [
        *_regions_and_countries(),
        *_sectors_and_schemes(),
        *(_project(row, by_number[row.number], groups[row.group], recorded_at) for row in rows),
        *(_status_change(row, by_number[row.number], recorded_at) for row in rows),
        *(dev for row in rows for dev in _developments(row, by_number[row.number], dates, recorded_at)),
        _edition(plan, recorded_at),
        *_headings(plan.groups),
        *(_listing(row, by_number[row.number]) for row in rows),
        *_removals(plan, recorded_at),
    ]


def _regions_and_countries():
    regions = [
        {
            "model": "countries.region",
            "fields": {"code": code, "name_ja": name_ja, "name_en": name_en, "order": order},
        }
        for order, (code, name_ja, name_en) in enumerate(REGIONS, start=1)
    ]
    countries = [
        {
            "model": "countries.country",
            "fields": {"iso_code": iso, "name_ja": name_ja, "name_en": name_en, "region": [region]},
        }
        for iso, name_ja, name_en, region in COUNTRIES
    ]
    return regions + countries


def _sectors_and_schemes():
    sectors = [
        {
            "model": "projects.sector",
            "fields": {"code": code, "name_ja": name_ja, "name_en": name_en, "dac_code": dac, "order": order},
        }
        for order, (code, name_ja, name_en, dac) in enumerate(SECTORS, start=1)
    ]
    schemes = [
        {
            "model": "projects.scheme",
            "fields": {
                "code": code,
                "family": family,
                "name_ja": name_ja,
                "name_en": name_en,
                "order": order,
            },
        }
        for order, (code, family, name_ja, name_en) in enumerate(SCHEMES, start=1)
    ]
    return sectors + schemes


def _check_stated_counts(plan):
    """The introduction's counts agree with the table: N = last year's M - removed + added,
    N rows, and as many 【新規案件】 rows as added."""
    stated = plan.predecessor
    if stated is None:
        raise CommandError("The introduction does not state last year's count, removals and additions.")
    new = sum(row.is_new for row in plan.rows)
    if stated.added != new:
        raise CommandError(f"The introduction says {stated.added} projects were added; {new} are marked new.")
    if plan.stated_count != stated.count - stated.removed + stated.added:
        raise CommandError(
            f"The introduction's counts do not add up: {stated.count} - {stated.removed} + "
            f"{stated.added} is not {plan.stated_count}."
        )


def _edition(plan, recorded_at):
    stated = plan.predecessor
    return {
        "model": "plans.edition",
        "fields": {
            "year": EDITION_YEAR,
            "title": SOURCE_NAME,
            "state": "published",
            "source": EDITION_SOURCE,
            # The introduction's 昨年: the edition of the year before.
            "previous_year": EDITION_YEAR - 1,
            "stated_count": plan.stated_count,
            "stated_previous_count": stated.count,
            "stated_removed_count": stated.removed,
            "stated_added_count": stated.added,
            "published_at": recorded_at,
            "published_by": None,
            "version": 1,
            "created": recorded_at,
        },
    }


def _headings(groups):
    objects = []
    for group in groups:
        if group.name not in LISTING_GROUPS_EN:
            raise CommandError(f"Listing group {group.mark}{group.name} has no English name.")
        objects.append(
            {
                "model": "plans.heading",
                "fields": {
                    "edition": [EDITION_YEAR],
                    "number": group.number,
                    "name_ja": group.name,
                    "name_en": LISTING_GROUPS_EN[group.name],
                },
            }
        )
    return objects


def _listing(row, entry):
    """The project's row in the 2023 edition: its number, heading and new mark, all its
    developments (the plan prints them all), and the row as printed."""
    return {
        "model": "plans.listing",
        "fields": {
            "edition": [EDITION_YEAR],
            "project": [row.number],
            "heading": [EDITION_YEAR, row.group],
            "number": row.number,
            "is_new": row.is_new,
            "printed": {
                "name": row.name,
                "summary": row.summary,
                "note": row.note,
                "developments": list(row.developments),
                "status": entry["status"]["code"],
            },
            "developments": [[row.number, sequence] for sequence in range(1, len(row.developments) + 1)],
        },
    }


def _removals(plan, recorded_at):
    """The removed projects the introduction names as won, by name: the 2022 edition's rows are
    not in the database."""
    return [
        {
            "model": "plans.removal",
            "fields": {
                "edition": [EDITION_YEAR],
                "project": None,
                "name": name,
                "reason": "won",
                "note": f"{PLAN_LABEL}: 「{plan.predecessor.won_sentence}」",
                "recorded_by": None,
                "recorded_at": recorded_at,
            },
        }
        for name in plan.predecessor.won
    ]


def _in_order(codes, table):
    """The codes in the order of their reference table (SECTORS or SCHEMES), as natural keys."""
    order = {code: i for i, (code, *_) in enumerate(table)}
    return [[code] for code in sorted(codes, key=order.get)]


def _project(row, entry, group, recorded_at):
    countries_by_name = {name_ja: iso for iso, name_ja, _en, _region in COUNTRIES}
    project = Project(
        number=row.number, name=row.name, name_en=entry["name_en"], summary=row.summary, note=row.note
    )
    return {
        "model": "projects.project",
        "fields": {
            "number": row.number,
            "name": row.name,
            "name_en": entry["name_en"],
            "summary": row.summary,
            "note": row.note,
            "country": [_country_for(row, group.name, countries_by_name)],
            "status": entry["status"]["code"],
            "search_text": project.build_search_text(row.developments),
            "version": 1,
            "created": recorded_at,
            "updated": recorded_at,
            "sectors": _in_order((s["code"] for s in entry["sectors"]), SECTORS),
            "schemes": _in_order((s["code"] for s in entry.get("schemes", [])), SCHEMES),
        },
    }


def _status_change(row, entry, recorded_at):
    """The project's one status change: the annotated status, with its evidence as the note."""
    status = entry["status"]
    column = COLUMN_LABELS[_where(row, status["evidence"])]
    return {
        "model": "projects.statuschange",
        "fields": {
            "project": [row.number],
            "sequence": 1,
            "status": status["code"],
            "previous_status": "",
            "effective_on": None,
            "note": f"{PLAN_LABEL}「{column}」: 「{status['evidence']}」",
            "recorded_by": None,
            "recorded_at": recorded_at,
        },
    }


def _developments(row, entry, dates, recorded_at):
    """The row's developments; `dates`: (number, sequence) -> ParsedDate (development_dates)."""
    overrides = entry.get("developments") or {}
    developments = []
    for sequence, text in enumerate(row.developments, start=1):
        kind, _evidence = development_kind(text, overrides.get(str(sequence)))
        parsed = dates[row.number, sequence]
        developments.append(
            {
                "model": "projects.development",
                "fields": {
                    "project": [row.number],
                    "sequence": sequence,
                    "kind": kind,
                    "text": text,
                    "date": parsed.date.isoformat() if parsed.date else None,
                    "date_precision": parsed.precision if parsed.date else DatePrecision.NONE.value,
                    "date_end": parsed.date_end.isoformat() if parsed.date_end else None,
                    "source": SOURCE_NAME,
                    "recorded_by": None,
                    "recorded_at": recorded_at,
                },
            }
        )
    return developments


def render(objects):
    return json.dumps(objects, ensure_ascii=False, indent=1) + "\n"
