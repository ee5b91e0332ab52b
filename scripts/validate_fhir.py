#!/usr/bin/env python3
"""Validate a FHIR R4 (4.0.1) Bundle of AuditEvents written by auditui.

The check is independent of auditui's Rust code: the Bundle is parsed into
the R4 models of the PyPI package `fhir.resources` 6.4.0 (the last release
whose default models are R4 4.0.1; later ones are R4B/R5), which checks
every element name, data type, cardinality, required element and primitive
format. Those models do not enforce the `required` code bindings or anchor
their regular expressions at the end, so this script adds, from the R4
specification: the codes of AuditEvent.action, .outcome and
.agent.network.type and of Bundle.type, instants matched in full, at least
one AuditEvent.agent, no empty arrays or objects (FHIR JSON forbids them),
and unique fullUrls (bdl-7).

    validate_fhir.py BUNDLE.json                   exit 0 valid, 1 invalid
    validate_fhir.py --expect-invalid BUNDLE.json  exit 0 only if invalid

Requirements: scripts/requirements-fhir.txt.
"""

import argparse
import json
import re
import sys

import fhir.resources
from fhir.resources.bundle import Bundle
from pydantic import ValidationError

FHIR_VERSION = "4.0.1"

# http://hl7.org/fhir/R4/datatypes.html#instant
INSTANT = re.compile(
    r"([0-9]([0-9]([0-9][1-9]|[1-9]0)|[1-9]00)|[1-9]000)-(0[1-9]|1[0-2])-"
    r"(0[1-9]|[1-2][0-9]|3[0-1])T([01][0-9]|2[0-3]):[0-5][0-9]:([0-5][0-9]|60)"
    r"(\.[0-9]+)?(Z|(\+|-)((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)
# Required bindings (http://hl7.org/fhir/R4/auditevent.html, bundle.html).
ACTIONS = {"C", "R", "U", "D", "E"}
OUTCOMES = {"0", "4", "8", "12"}
NETWORK_TYPES = {"1", "2", "3", "4", "5"}
BUNDLE_TYPES = {
    "document", "message", "transaction", "transaction-response", "batch",
    "batch-response", "history", "searchset", "collection",
}


def empty_containers(value, where):
    """Paths of empty arrays and objects, which FHIR's JSON format forbids."""
    if isinstance(value, (list, dict)) and not value:
        yield where
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        yield from empty_containers(item, f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}")


def spec_errors(data):
    """What the models let through: required codes, full instants, empty
    containers, bdl-7."""
    errors = [f"{path}: empty (not allowed in FHIR JSON)" for path in empty_containers(data, "Bundle")]
    if data.get("type") not in BUNDLE_TYPES:
        errors.append(f"Bundle.type: {data.get('type')!r} is not a Bundle type code")
    if "timestamp" in data and not INSTANT.fullmatch(data["timestamp"]):
        errors.append(f"Bundle.timestamp: {data['timestamp']!r} is not an instant")
    urls = [e.get("fullUrl") for e in data.get("entry", []) if "fullUrl" in e]
    if len(urls) != len(set(urls)):
        errors.append("Bundle.entry.fullUrl: not unique (bdl-7)")
    for i, entry in enumerate(data.get("entry", [])):
        event = entry.get("resource", {})
        if event.get("resourceType") != "AuditEvent":
            continue
        where = f"Bundle.entry[{i}].resource"
        if "action" in event and event["action"] not in ACTIONS:
            errors.append(f"{where}.action: {event['action']!r} is not in {sorted(ACTIONS)}")
        if "outcome" in event and event["outcome"] not in OUTCOMES:
            errors.append(f"{where}.outcome: {event['outcome']!r} is not in {sorted(OUTCOMES)}")
        if "recorded" in event and not INSTANT.fullmatch(event["recorded"]):
            errors.append(f"{where}.recorded: {event['recorded']!r} is not an instant")
        if not event.get("agent"):
            errors.append(f"{where}.agent: at least one is required")
        for j, agent in enumerate(event.get("agent", [])):
            kind = agent.get("network", {}).get("type")
            if kind is not None and kind not in NETWORK_TYPES:
                errors.append(f"{where}.agent[{j}].network.type: {kind!r} is not in 1-5")
    return errors


def validate(path):
    """Problems found in the Bundle at `path`, and a summary when none."""
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    if data.get("resourceType") != "Bundle":
        return [f"resourceType is {data.get('resourceType')!r}, not 'Bundle'"], None
    try:
        bundle = Bundle.parse_obj(data)
    except ValidationError as e:
        return [str(e)], None
    errors = spec_errors(data)
    kinds = {}
    for entry in bundle.entry or []:
        kinds[entry.resource.resource_type] = kinds.get(entry.resource.resource_type, 0) + 1
    summary = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "no entries"
    return errors, summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bundle", help="FHIR Bundle JSON file")
    parser.add_argument(
        "--expect-invalid", action="store_true",
        help="succeed only if the Bundle is rejected (proves the check can fail)",
    )
    args = parser.parse_args()
    if fhir.resources.__fhir_version__ != FHIR_VERSION:
        sys.exit(f"fhir.resources {fhir.resources.__version__} models FHIR "
                 f"{fhir.resources.__fhir_version__}, not {FHIR_VERSION}: "
                 "install scripts/requirements-fhir.txt")
    errors, summary = validate(args.bundle)
    models = (f"fhir.resources {fhir.resources.__version__} (FHIR {fhir.resources.__fhir_version__}) "
              "models + R4 bindings")
    if args.expect_invalid:
        if errors:
            print(f"{args.bundle}: rejected as expected by {models}:")
            print("  " + "\n  ".join(errors[0].splitlines()[:6]))
            return 0
        print(f"{args.bundle}: expected to be invalid, but {models} accepted it ({summary})")
        return 1
    if errors:
        print(f"{args.bundle}: INVALID FHIR R4, checked with {models}:")
        for error in errors:
            print("  " + error.replace("\n", "\n  "))
        return 1
    print(f"{args.bundle}: valid FHIR R4 Bundle, checked with {models}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
