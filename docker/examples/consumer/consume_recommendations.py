#!/usr/bin/env python3
"""Prints moerec's recommendations as they change: user -> top items.

Reads the compacted `recommendations` topic (key = user id, value = a RecommendationList in JSON),
checks every record against the JSON Schema that moerec ships, and prints one line per record. A
record with a null value (a tombstone) means the user was deleted. Records that do not match the
schema are reported on standard error and skipped.

    pip install -r requirements.txt
    python3 consume_recommendations.py --bootstrap 127.0.0.1:9092 [--top 5] [-X key=value ...]
"""
import argparse
import json
import pathlib
import sys

import jsonschema

# The topic of moerec's Topics.RECOMMENDATIONS.
TOPIC = "recommendations"
# The schema shipped in moerec's ingest module, relative to this file.
SCHEMA = pathlib.Path(__file__).resolve().parents[3] / "ingest/src/main/resources/schemas/recommendation-list.schema.json"


def describe(key, value, validator, top):
    """One printable line for a record; raises jsonschema.ValidationError for an invalid value."""
    user = key.decode("utf-8") if key is not None else "(no key)"
    if value is None:
        return f"{user}: deleted"
    record = json.loads(value)
    validator.validate(record)
    items = ", ".join(f"{i['movieId']} ({i['score']:.3f})" for i in record["items"][:top])
    return f"{user} -> {items or '(nothing)'}  [model {record['modelVersion']}, {record['router']}]"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", required=True, help="Kafka bootstrap servers, host:port")
    parser.add_argument("--topic", default=TOPIC)
    parser.add_argument("--group", default="moerec-example-consumer", help="consumer group id")
    parser.add_argument("--schema", default=str(SCHEMA), help="the RecommendationList JSON Schema")
    parser.add_argument("--top", type=int, default=5, help="items to print per user")
    parser.add_argument("-X", action="append", default=[], metavar="KEY=VALUE",
                        help="a librdkafka property, e.g. security.protocol=SASL_SSL (repeatable)")
    args = parser.parse_args()

    from confluent_kafka import Consumer, KafkaException  # only needed to consume

    schema = json.loads(pathlib.Path(args.schema).read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    config = {
        "bootstrap.servers": args.bootstrap,
        "group.id": args.group,
        "auto.offset.reset": "earliest",
        "isolation.level": "read_committed",  # the scoring app writes in transactions
    }
    config.update(kv.split("=", 1) for kv in args.X)
    consumer = Consumer(config)
    consumer.subscribe([args.topic])
    try:
        while True:
            msg = consumer.poll(1.0)
            if msg is None:
                continue
            if msg.error():
                raise KafkaException(msg.error())
            try:
                print(describe(msg.key(), msg.value(), validator, args.top), flush=True)
            except (ValueError, jsonschema.ValidationError) as e:
                print(f"invalid record at {msg.topic()}-{msg.partition()}@{msg.offset()}: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        consumer.close()


if __name__ == "__main__":
    main()
