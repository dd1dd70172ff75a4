"""Validators from the official schemas and codelists kept in opendata/standards/ (offline)."""

import csv
import functools
import json
from pathlib import Path

from jsonschema import Draft4Validator, FormatChecker
from lxml import etree
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

import opendata

STANDARDS = Path(opendata.__file__).parent / "standards"
OC4IDS = STANDARDS / "oc4ids-0.9.5"
IATI = STANDARDS / "iati-2.03"


@functools.cache
def _oc4ids_schemas():
    package = json.loads((OC4IDS / "project-package-schema.json").read_text())
    project = json.loads((OC4IDS / "project-schema.json").read_text())
    # The package refers to the project schema by its absolute id: served from the local copy.
    registry = Registry().with_resource(
        project["id"], Resource.from_contents(project, default_specification=DRAFT4)
    )
    return package, project, registry


def oc4ids_errors(package: dict) -> list[str]:
    """Every schema error of an OC4IDS package (its projects included), as readable lines."""
    schema, _project, registry = _oc4ids_schemas()
    validator = Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(package)]


def oc4ids_project_errors(project: dict) -> list[str]:
    _package, schema, registry = _oc4ids_schemas()
    validator = Draft4Validator(schema, registry=registry, format_checker=FormatChecker())
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(project)]


@functools.cache
def oc4ids_codes(codelist: str) -> frozenset[str]:
    with (OC4IDS / "codelists" / f"{codelist}.csv").open(newline="", encoding="utf-8") as file:
        return frozenset(row["Code"] for row in csv.DictReader(file))


@functools.cache
def iati_schema() -> etree.XMLSchema:
    # The XSD imports xml.xsd and iati-common.xsd from its own folder: nothing is fetched.
    parser = etree.XMLParser(no_network=True)
    return etree.XMLSchema(etree.parse(str(IATI / "iati-activities-schema.xsd"), parser))


def iati_errors(document: bytes) -> list[str]:
    schema = iati_schema()
    tree = etree.fromstring(document, etree.XMLParser(no_network=True, resolve_entities=False))
    if schema.validate(tree):
        return []
    return [f"line {error.line}: {error.message}" for error in schema.error_log]


@functools.cache
def iati_codes(codelist: str) -> frozenset[str]:
    tree = etree.parse(str(IATI / "codelists" / f"{codelist}.xml"))
    return frozenset(tree.xpath("//codelist-item/code/text()"))
