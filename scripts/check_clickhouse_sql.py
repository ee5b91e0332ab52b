#!/usr/bin/env python3
"""Run auditui's ClickHouse statements on current ClickHouse (chdb, in
process), as a second check beside the tests on Debian's 18.16 server: a
statement only an old server accepts, or a deprecated one, fails here.

    python3 -m venv target/chdb-venv
    target/chdb-venv/bin/pip install chdb-core
    cargo run -q -- ingest --print-schema | target/chdb-venv/bin/python scripts/check_clickhouse_sql.py

Not needed by cargo test.
"""
import sys

from chdb import session

# The statements ingest and verify send besides the DDL, with sample values.
QUERIES = [
    "SELECT name, type FROM system.columns WHERE database = 'd' AND table = 'audit_entries' FORMAT TabSeparated",
    "SELECT chain, max(position) + 1 FROM audit_entries WHERE chain IN ('a', 'b') GROUP BY chain FORMAT RowBinary",
    "SELECT raw FROM audit_entries WHERE chain = 'a' AND position = 0 LIMIT 1 FORMAT RowBinary",
    "SELECT chain, files, lines, head FROM audit_chains FINAL FORMAT RowBinary",
    "SELECT DISTINCT chain FROM audit_entries FORMAT RowBinary",
    "SELECT * FROM audit_entries WHERE chain = 'a' ORDER BY position FORMAT RowBinary",
    "SELECT position, file, line, raw FROM audit_rejected FINAL WHERE chain = 'a' ORDER BY position FORMAT RowBinary",
    "ALTER TABLE audit_entries UPDATE tool = 'x' WHERE position = 0",
    "ALTER TABLE audit_entries DELETE WHERE position = 1",
]


def main():
    ddl = [s.strip() for s in sys.stdin.read().split(";") if s.strip()]
    if len(ddl) != 3:
        sys.exit(f"expected 3 CREATE TABLE statements on stdin, got {len(ddl)}")
    db = session.Session()
    db.query("CREATE DATABASE IF NOT EXISTS d")
    db.query("USE d")
    failures = 0
    for statement in ddl + QUERIES:
        try:
            db.query(statement)
            print(f"ok    {statement[:100]}")
        except Exception as error:  # chdb raises its own error types
            failures += 1
            print(f"FAIL  {statement[:100]}\n      {str(error).splitlines()[0]}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
