#!/usr/bin/env python3
"""validate_eve.py SCHEMA EVE.json... - check every EVE record against
Suricata's EVE JSON schema (etc/schema.json of its source tree).

Prints one line per record that does not validate (file:line, the JSON
path of the error and the message) and exits 1 when there is any, 0
otherwise. Counters of our own in stats records (keys Suricata's schema
does not know under `stats`) are not errors: the sensor documents them in
docs/eve.md. Needs python3-jsonschema.
"""
import json
import sys

import jsonschema


def own_stats_counter(err):
    """An unknown key somewhere under `stats`: a counter of our own."""
    path = list(err.absolute_path)
    return (len(path) >= 1 and path[0] == "stats"
            and err.validator == "additionalProperties")


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    validator = cls(schema)
    bad = records = 0
    for path in argv[2:]:
        with open(path) as f:
            for n, line in enumerate(f, 1):
                records += 1
                try:
                    rec = json.loads(line)
                except ValueError as e:
                    print(f"{path}:{n}: not JSON: {e}")
                    bad += 1
                    continue
                for err in validator.iter_errors(rec):
                    if own_stats_counter(err):
                        continue
                    where = "/".join(str(p) for p in err.absolute_path)
                    print(f"{path}:{n}: {rec.get('event_type')}: {where}: {err.message[:300]}")
                    bad += 1
    print(f"{records} records, {bad} errors")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
