#!/usr/bin/env python3
"""Validate YAML files against Harbinger's JSON Schema (draft 2020-12).

usage: validate-schema.py SCHEMA.json [--expect-invalid] FILE...
Prints one line per file: 'valid FILE' or 'invalid FILE: reason'. Exits 0 when every file is
valid (or, with --expect-invalid, when every file is invalid), 1 otherwise.
"""
import json
import sys

import jsonschema
import yaml


def main(argv):
    schema = json.load(open(argv[1]))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    expect_invalid = "--expect-invalid" in argv
    files = [a for a in argv[2:] if a != "--expect-invalid"]
    ok = True
    for path in files:
        try:
            document = yaml.safe_load(open(path))
            error = jsonschema.exceptions.best_match(validator.iter_errors(document))
        except yaml.YAMLError as e:
            error = e
        if error is None:
            print(f"valid {path}")
            ok = ok and not expect_invalid
        else:
            print(f"invalid {path}: {getattr(error, 'message', error)}")
            ok = ok and expect_invalid
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
