//! Reading audit logs: sources, Python-exact canonical JSON, chain verification.
