#!/usr/bin/env python3
"""Replay every statement auditui sent to ClickHouse 18.16 during the tests
on current ClickHouse (chdb, in process): a statement only the old server
accepts, or one using syntax the new one dropped, fails here.

    export AUDITUI_CLICKHOUSE_SQL_LOG=$PWD/target/clickhouse-sql.jsonl
    cargo test                      # the ClickHouse tests record what they send
    python3 -m venv target/chdb-venv
    target/chdb-venv/bin/pip install chdb-core
    cargo run -q -- ingest --print-schema > target/clickhouse-schema.sql
    target/chdb-venv/bin/python scripts/check_clickhouse_sql.py \
        target/clickhouse-schema.sql target/clickhouse-sql.jsonl

The tables are created from the schema first, then each distinct statement
runs against them (empty): the server parses it and resolves every column,
function and setting. Inserts carry no data here, and statements naming a
table the tests made on the old server only (a `Distributed` table over a
test cluster) cannot run: those are parsed (`EXPLAIN AST`), not run.
Exits 1 if any statement fails, or if the log holds none (the check must
be able to fail). Not needed by `cargo test`.
"""
import json
import sys

from chdb import session

# Errors that mean "this statement names something only the test server
# had", not "this server rejects the statement".
ABSENT = ("UNKNOWN_TABLE", "UNKNOWN_DATABASE", "CLUSTER_DOESNT_EXIST")


def distinct_statements(path):
    seen = []
    known = set()
    with open(path, encoding="utf-8") as log:
        for number, line in enumerate(log, 1):
            try:
                statement = json.loads(line).strip()
            except json.JSONDecodeError as error:
                sys.exit(f"{path}:{number}: not a JSON string: {error}")
            if statement not in known:
                known.add(statement)
                seen.append(statement)
    return seen


def check(db, statement):
    """'ran', 'parsed' or the first line of the error."""
    if statement.upper().startswith("INSERT"):
        db.query("EXPLAIN AST " + statement)
        return "parsed"
    try:
        db.query(statement)
        return "ran"
    except Exception as error:  # chdb raises its own error types
        if not any(code in str(error) for code in ABSENT):
            raise
    db.query("EXPLAIN AST " + statement)
    return "parsed"


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: check_clickhouse_sql.py SCHEMA.sql STATEMENTS.jsonl")
    schema = open(sys.argv[1], encoding="utf-8").read()
    ddl = [s.strip() for s in schema.split(";") if s.strip()]
    statements = distinct_statements(sys.argv[2])
    if not statements:
        sys.exit(f"{sys.argv[2]}: no statements recorded (did the ClickHouse tests run?)")
    db = session.Session()
    db.query("CREATE DATABASE IF NOT EXISTS d")
    db.query("USE d")
    counts = {"ran": 0, "parsed": 0, "failed": 0}
    for statement in ddl + statements:
        try:
            counts[check(db, statement)] += 1
        except Exception as error:
            counts["failed"] += 1
            print(f"FAIL  {statement[:200]}\n      {str(error).splitlines()[0]}")
    print(
        f"current ClickHouse: {counts['ran']} statements ran, {counts['parsed']} parsed only, "
        f"{counts['failed']} failed, of {len(ddl) + len(statements)} distinct"
    )
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":
    main()
