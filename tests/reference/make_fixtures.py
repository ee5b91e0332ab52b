#!/usr/bin/env python3
"""Write the CPython reference fixtures in tests/fixtures/.

Everything is produced by the lesson's own code (tests/reference/lesson.py,
copied verbatim) and by CPython's json module, so the Rust tests can prove
byte-exact agreement without needing Python at test time.

Deterministic: a fixed clock replaces lesson.datetime and all randomness comes
from random.Random(SEED). Run:  python3 tests/reference/make_fixtures.py
Standard library only (CPython 3.11).
"""

import base64
import dataclasses
import datetime as _dt
import hashlib
import json
import math
import os
import random
import struct
import sys
from datetime import timedelta, timezone
from decimal import Decimal, getcontext

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.normpath(os.path.join(HERE, "..", "fixtures"))
sys.path.insert(0, HERE)

import lesson  # noqa: E402  (the lesson code, verbatim)

SEED = 20250706
UTC = timezone.utc
MAX_FIXTURE_BYTES = 1_000_000


# --------------------------------------------------------------------------
# A replaceable clock. The lesson calls datetime.now(timezone.utc) through the
# module-level name `datetime`; we swap that name for a subclass whose now()
# returns the next value of a fixed sequence. Everything else (fromisoformat,
# comparisons, isoformat) is the real datetime behaviour.
# --------------------------------------------------------------------------
class FixedClock(_dt.datetime):
    _sequence = iter(())

    @classmethod
    def load(cls, values):
        cls._sequence = iter(list(values))

    @classmethod
    def now(cls, tz=None):
        assert tz is UTC, "the lesson always asks for UTC"
        value = next(cls._sequence)  # StopIteration = a bug in this script
        return value

    @classmethod
    def assert_exhausted(cls):
        leftover = list(cls._sequence)
        assert not leftover, f"{len(leftover)} unused clock values"


lesson.datetime = FixedClock


def timeline(rng, start, count, step=(1, 900), zero_micro_at=(), jumps=None):
    """Strictly increasing aware UTC datetimes."""
    jumps = jumps or {}
    out = []
    t = start
    for i in range(count):
        if i:
            if i in jumps:
                t = t + jumps[i]
            else:
                t = t + timedelta(seconds=rng.randint(*step),
                                  microseconds=rng.randint(0, 999_999))
        if i in zero_micro_at:
            # isoformat() then omits the fraction: 2025-07-06T15:02:11+00:00
            t = t.replace(microsecond=0)
        out.append(t)
    for a, b in zip(out, out[1:]):
        assert a < b
    return out


def write_bytes(name, data):
    assert len(data) < MAX_FIXTURE_BYTES, (name, len(data))
    with open(os.path.join(FIXTURES, name), "wb") as f:
        f.write(data)
    return len(data)


def jsonl(records):
    return "".join(json.dumps(r) + "\n" for r in records).encode("ascii")


def sha256_hex(text):
    return hashlib.sha256(text.encode()).hexdigest()


def canonical(value):
    """What the lesson hashes: json.dumps(sort_keys=True, default=str)."""
    return json.dumps(value, sort_keys=True, default=str)


def nested(depth):
    """~depth levels alternating objects and arrays."""
    node = {"leaf": [1, 2.5, "deep \u00e9"], "depth": depth}
    for level in range(depth - 1, 0, -1):
        node = [level, node] if level % 2 else {"level": level, "child": node}
    return node


# --------------------------------------------------------------------------
# a. chain.jsonl
# --------------------------------------------------------------------------
SUPPORT_TOOLS = ["get_customer", "get_order", "update_order_status",
                 "issue_refund", "charge_payment", "search_kb", "send_email",
                 "initiate_return"]
CLINICAL_TOOLS = ["access_patient_record", "update_treatment", "search_kb"]

HOSTILE_USER = "usr_\u00e9\u4e2d\u6587\U0001F600"
HOSTILE_CONV = "conv_9c2d\x1b]52;c;aGVsbG8=\x07"
HOSTILE_TOOL = "export_data\u202egnp.exe"

CONVERSATIONS = [
    # id, user, role, model, ip, user agent, domain
    ("conv_abc123", "usr_98765", "support_agent", "gpt-4.1", "10.0.1.5",
     "SupportDashboard/2.1", "support"),
    ("conv_7f3e9a", "usr_10234", "customer", "claude-sonnet-4",
     "203.0.113.77", "Mozilla/5.0 (Windows NT 10.0; Win64; x64)", "support"),
    ("conv_q81zz0", "usr_55501", "admin", "gpt-4.1-mini", "10.0.9.1",
     "python-requests/2.32.3", "support"),
    ("conv_med001", "usr_73319", "nurse", "claude-sonnet-4", "10.20.0.14",
     "ClinicalAssist/4.0 (iPad; iOS 18.5)", "clinical"),
    ("conv_med002", "usr_40022", "physician", "gpt-4.1", "10.20.0.31",
     "ClinicalAssist/4.0 (iPad; iOS 18.5)", "clinical"),
    ("conv_med003", "usr_73319", "nurse", "gemini-2.5-pro", "10.20.0.14",
     "ClinicalAssist/4.0 (iPad; iOS 18.5)", "clinical"),
    ("conv_b00b1e", "usr_98765", "support_agent", "claude-opus-4", "10.0.1.5",
     "SupportDashboard/2.1", "support"),
    (HOSTILE_CONV, HOSTILE_USER, "customer", "gpt-4.1", "198.51.100.23",
     "Mozilla/5.0 \x1b[2J\x1b[H(evil)\u202e", "support"),
    ("conv_sys01", "usr_system", "system", "gpt-4.1-mini", None, None,
     "support"),
    ("conv_4d5e6f", "usr_10234", "customer", "gpt-4.1", "203.0.113.77",
     "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5)", "support"),
]

ERRORS = [
    "Cannot cancel shipped order",
    "Order not found",
    "Refund exceeds original charge",
    "Permission denied: role customer cannot issue refunds",
    "Upstream timeout after 30000 ms",
    "Patient record locked by another session",
    "Rate limit exceeded (429)\nretry-after: 30",
]

HOSTILE = [
    ("arguments", {"customer_name": "Ren\u00e9e Fa\u00e7ade",
                   "city": "\u5317\u4eac\u5e02",
                   "emoji": "ok \U0001F600 \U0001F44D\U0001F3FD"}),
    ("arguments", {"note": "".join(chr(c) for c in range(0x20)) + "end"}),
    ("result_summary", {"note": "a\x7fb\x85c\x9bd", "k\x7fey\x85": 1}),
    ("arguments", {"message": "\x1b[31mred\x1b[0m",
                   "title": "\x1b]0;pwned\x07"}),
    ("arguments", {"payload": "\x1b]52;c;aGVsbG8=\x07"}),
    ("arguments", {"file": "invoice\u202efdp.exe",
                   "isolate": "\u2066abc\u2069",
                   "zw": "ad\u200bmin\ufeff",
                   "ls": "line\u2028sep\u2029para"}),
    ("arguments", {"lone": "\ud800", "lone_low": "x\udfffy",
                   "reversed": "\udc00\ud800",
                   # two lone surrogates in a Python str: json.dumps writes
                   # "\ud800\udc00", json.loads reads back ONE char U+10000;
                   # the canonical text is the same either way.
                   "pair_of_lones": "\ud800\udc00"}),
    ("result_summary", {"q": 'say "hi"', "bs": "C:\\Users\\admin\\",
                        "mix": "\\\"\\n\\u0041", "slash": "a/b</script>"}),
    ("arguments", {"name": "=HYPERLINK(\"http://x\")", "plus": "+1",
                   "minus": "-2", "at": "@SUM(A1)", "tab": "\t=1",
                   "cr": "\r=2", "pipe": "=cmd|' /C calc'!A0"}),
    ("arguments", {"tiny": 1e-05, "big": 1e16, "small": 0.0001,
                   "whole": 123.0, "negzero": -0.0, "amount": 49.99}),
    ("result_summary", {"min_sub": 5e-324, "max": 1.7976931348623157e+308,
                        "sum": 0.1 + 0.2, "e15": 1e15, "e22": 1e22,
                        "third": 1 / 3}),
    ("arguments", {"nan": float("nan"), "inf": float("inf"),
                   "ninf": float("-inf"), "list": [float("nan"), 1.5]}),
    ("arguments", {"big": 2 ** 100, "neg": -(2 ** 70), "zero": 0,
                   "i64max": 2 ** 63 - 1, "u64max_plus_1": 2 ** 64,
                   "i64min_minus_1": -(2 ** 63) - 1}),
    ("arguments", {"tree": nested(50)}),
    ("result_summary", {"d": {}, "l": [], "s": "", "": "empty key",
                        "ld": [{}, [], [[]], {"": {}}]}),
    ("arguments", {"\uffff": 1, "\U0001F600": 2, "\ue000": 3, "\ud800": 4,
                   "Z": 5, "a": 6, "\u00e9": 7, "e\u0301": 8, "10": 9,
                   "9": 10, "a\x00b": 11, "\"": 12, "\\": 13}),
    ("arguments", {"t": True, "f": False, "n": None,
                   "mixed": [1, 1.0, "1", True, None, -1, -1.5]}),
]


def make_chain():
    rng = random.Random(SEED)
    count = 60
    times = timeline(rng, _dt.datetime(2025, 7, 6, 14, 23, 1, 456789,
                                       tzinfo=UTC), count,
                     zero_micro_at={9, 44}, jumps={50: timedelta(days=3,
                                                               seconds=17)})
    FixedClock.load(times)

    audit = lesson.AuditLogger()
    chain = lesson.ImmutableAuditLog()
    turns = {}
    hostile_at = {2 + 3 * i: h for i, h in enumerate(HOSTILE)}
    assert max(hostile_at) < count
    lines = []
    used_with_trigger = 0
    for i in range(count):
        if i == 0:
            conv = CONVERSATIONS[0]
        elif i in (20, 21, 47):
            conv = CONVERSATIONS[7]  # the hostile conversation
        else:
            conv = rng.choice([c for c in CONVERSATIONS if c is not CONVERSATIONS[7]])
        conv_id, user, role, model, ip, ua, domain = conv
        if conv_id not in turns:
            turns[conv_id] = 1
        elif rng.random() < 0.8:
            turns[conv_id] += 1
        turn = turns[conv_id]

        tool = rng.choice(SUPPORT_TOOLS if domain == "support" else CLINICAL_TOOLS)
        if i == 0:
            tool = "get_customer"
        if i == 21:
            tool = HOSTILE_TOOL
        if conv_id == "conv_sys01":
            tool = rng.choice(["search_kb", "charge_payment"])
        args, result = tool_call(rng, tool)
        fail = (rng.random() < 0.1) or i in (5, 33)
        if fail:
            result = {"error": rng.choice(ERRORS), "error_type": "ToolError"}
            if "order_id" in args and rng.random() < 0.5:
                result["order_id"] = args["order_id"]
        duration = (round(rng.uniform(3, 1500), 2) if rng.random() < 0.6
                    else rng.randint(3, 2500))
        if i == 12:
            duration = 30000.5
        context = {"conversation_id": conv_id, "turn_number": turn,
                   "user_id": user, "model": model, "user_role": role}
        if ip is not None:
            context["client_ip"] = ip
        if ua is not None:
            context["user_agent"] = ua
        trigger = None
        if conv_id == "conv_sys01":
            trigger = lesson.CallTrigger.SYSTEM
        elif rng.random() < 0.35:
            trigger = rng.choice(list(lesson.CallTrigger))

        mode = rng.random()
        if i in (14, 38):
            # The lesson's own log_with_trigger: note that it passes
            # duration_ms=0 and that log_call DROPS "call_trigger" (it only
            # copies user_role, client_ip, user_agent into session_metadata).
            lesson.log_with_trigger(tool, args, result, context,
                                    trigger or lesson.CallTrigger.RETRY)
            entry = lesson.audit._entries[-1]
        elif mode < 0.7:
            entry = audit.log_call(tool, args, result, duration, context)
            if trigger is not None:
                entry.session_metadata["call_trigger"] = trigger.value
        else:
            # Built directly (another writer of the same format), using the
            # lesson's own sanitizer and summarizer, keeping call_trigger and
            # the unrounded duration.
            summary = audit._summarize_result(result)
            metadata = {"user_role": role, "client_ip": ip, "user_agent": ua}
            if trigger is not None:
                metadata["call_trigger"] = trigger.value
            entry = lesson.AuditEntry(
                timestamp=lesson.datetime.now(UTC).isoformat(),
                conversation_id=conv_id, turn_number=turn, user_id=user,
                tool_name=tool, arguments=audit._sanitize(args),
                result_summary=summary, duration_ms=duration, model=model,
                success="error" not in result, session_metadata=metadata)
        if i in hostile_at:
            where, extra = hostile_at[i]
            getattr(entry, where).update(extra)
        if trigger is not None and "call_trigger" in entry.session_metadata:
            used_with_trigger += 1
        entry_dict = chain.append(entry)
        lines.append(json.dumps(entry_dict) + "\n")

    FixedClock.assert_exhausted()
    assert chain.verify_integrity()
    assert used_with_trigger >= 5
    data = "".join(lines).encode("ascii")  # ensure_ascii=True: pure ASCII

    expected = []
    for n, line in enumerate(data.decode("ascii").splitlines(True), 1):
        d = json.loads(line)
        stored = d.pop("_hash")
        text = canonical(d)
        digest = sha256_hex(text)
        assert digest == stored, f"chain line {n}: lesson hash does not round-trip"
        original = dict(chain._entries[n - 1])
        original.pop("_hash")
        assert canonical(original) == text
        expected.append({"line": n, "canonical": text, "sha256": digest})
    return data, jsonl(expected), chain


def tool_call(rng, tool):
    """Realistic arguments and raw tool result for one call."""
    order = f"ORD-{rng.randint(10000, 99999)}"
    cust = f"C-{rng.randint(100, 999)}"
    patient = f"P-{rng.randint(1, 9):04d}"
    if tool == "get_customer":
        return ({"customer_id": cust},
                {"customer_id": cust, "name": "Jane Roe", "tier": "gold"})
    if tool == "get_order":
        return ({"order_id": order},
                {"order_id": order, "status": rng.choice(["processing", "shipped", "delivered"]),
                 "items": 3})
    if tool == "update_order_status":
        status = rng.choice(["shipped", "cancelled", "on_hold"])
        return ({"order_id": order, "status": status},
                {"order_id": order, "status": status, "old_status": "processing"})
    if tool == "issue_refund":
        amount = round(rng.uniform(5, 500), 2)
        return ({"order_id": order, "amount": amount, "currency": "EUR",
                 "reason": "damaged in transit"},
                {"id": f"RF-{rng.randint(1000, 9999)}", "order_id": order,
                 "status": "refunded"})
    if tool == "charge_payment":
        return ({"customer_id": cust, "amount": rng.randint(1, 900),
                 "credit_card": "4111 1111 1111 1111",
                 "api_key": "sk-live-0000"},
                {"id": f"CH-{rng.randint(1000, 9999)}", "customer_id": cust,
                 "status": "captured"})
    if tool == "search_kb":
        hits = rng.randint(0, 250)
        result = {"count": hits,
                  "results": [{"title": f"Article {k}", "score": 0.5}
                              for k in range(hits)]}
        return ({"query": rng.choice(["refund policy", "shipping times",
                                      "drug interactions warfarin",
                                      "reset password"]),
                 "limit": 10, "filters": {"lang": "en", "token": "tok_abc"}},
                result)
    if tool == "send_email":
        return ({"to": "jane.roe@example.com", "subject": "Your order",
                 "body": "Hello Jane,\nyour order has shipped.",
                 "password": "hunter2"},
                {"id": f"MSG-{rng.randint(1, 10**6)}", "status": "queued"})
    if tool == "initiate_return":
        return ({"order_id": order},
                {"return_id": f"RET-{rng.randint(100, 999)}", "order_id": order})
    if tool == "access_patient_record":
        return ({"patient_id": patient, "fields": ["allergies", "medications"],
                 "ssn": "123-45-6789"},
                {"id": patient, "count": 2})
    if tool == "update_treatment":
        return ({"patient_id": patient, "treatment_code": "RX-ATORV-20",
                 "dosage_mg": rng.choice([2.5, 10, 20, 40.0])},
                {"id": patient, "status": "updated"})
    if tool == HOSTILE_TOOL:
        return ({"format": "csv", "rows": 100000},
                {"status": "exported", "id": "EXP-1"})
    raise AssertionError(tool)


# --------------------------------------------------------------------------
# c. hipaa.jsonl
# --------------------------------------------------------------------------
HIPAA_USERS = {
    "usr_20417": "nurse", "usr_31002": "physician", "usr_40990": "billing_clerk",
    "usr_51234": "researcher", "usr_60001": "er_physician",
    "dr_m\u00fcller": "physician",
}
PATIENT_NAMES = {
    "P-0001": "John Smith", "P-0002": "Mar\u00eda Garc\u00eda",
    "P-0003": "\u674e\u534e", "P-0004": "Fran\u00e7ois Dupont",
    "P-0005": "Aisha Khan", "P-0006": "O'Brien, Se\u00e1n",
    "P-0007": "Jane Doe", "P-0008": "Zo\u00eb \"Z\" Adams",
    "P-0009": "Li Wei",
}
PURPOSES = ["treatment", "billing", "research", "emergency"]
BURST_USER = "usr_20417"
BURST_PATIENT = "P-0007"


def hipaa_plan(rng):
    """(user, tool, patient or None, purpose or None, fail) for each entry;
    entries 10..21 are the burst (one user, P-0007, 12 times in one hour)."""
    plan = []
    users = sorted(HIPAA_USERS)
    for i in range(40):
        if 10 <= i < 22:
            plan.append((BURST_USER, "access_patient_record", BURST_PATIENT,
                         "treatment", i == 17))
            continue
        user = rng.choice(users)
        tool = rng.choice(["access_patient_record", "access_patient_record",
                           "update_treatment", "get_lab_results",
                           "prescribe_medication", "search_patients"])
        if i == 3:
            tool = "search_patients"  # no patient_id: logged as "unknown"
        if i in (27, 31):
            user = "dr_m\u00fcller"  # non-ASCII user id inside the hashed fields
        patient = None if tool == "search_patients" else f"P-{rng.randint(1, 9):04d}"
        purpose = rng.choice(PURPOSES)
        if i == 30:
            purpose = None  # context without access_purpose -> "unspecified"
        plan.append((user, tool, patient, purpose, rng.random() < 0.12 or i == 5))
    return plan


def make_hipaa():
    rng = random.Random(SEED + 1)
    plan = hipaa_plan(rng)
    start = _dt.datetime(2025, 7, 7, 8, 0, 0, 123456, tzinfo=UTC)
    # Mostly minutes apart, the burst 3-5 minutes apart (11 gaps <= 55 min).
    times = [start]
    for i in range(1, len(plan)):
        if 11 <= i < 22:
            step = timedelta(seconds=rng.randint(180, 300),
                             microseconds=rng.randint(0, 999_999))
        else:
            step = timedelta(seconds=rng.randint(60, 5400),
                             microseconds=rng.randint(0, 999_999))
        t = times[-1] + step
        if i == 25:
            t = t.replace(microsecond=0)
        times.append(t)
    assert times[21] - times[10] < timedelta(hours=1)
    FixedClock.load(times)

    log = lesson.HIPAAAuditLog()
    lines = []
    expected = []
    for i, (user, tool, patient, purpose, fail) in enumerate(plan):
        name = PATIENT_NAMES.get(patient, "Unknown Person")
        args = {}
        if patient is not None:
            args["patient_id"] = patient
        if i == 33:
            args["patient_id"] = 7  # a client that sent an int: hashed as 7
        if tool == "search_patients":
            args.update({"patient_name": "Jane D", "date_of_birth": "1980-04-12",
                         "limit": 25})
        elif tool == "access_patient_record":
            args.update({"patient_name": name, "fields": ["allergies", "medications"]})
            if rng.random() < 0.4:
                args["ssn"] = f"{rng.randint(100, 899)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
        elif tool == "update_treatment":
            args.update({"treatment_code": "RX-ATORV-20",
                         "dosage_mg": rng.choice([10, 20.0, 2.5]),
                         "note": "pt reports \"mild\" pain \u2014 \U0001F915"})
        elif tool == "get_lab_results":
            args.update({"test": "HbA1c", "date_of_birth": "1975-11-30"})
        else:
            args.update({"drug": "Amoxicillin 500 mg", "address": "12 Rue de la Paix",
                         "phone": "+33 1 23 45 67 89"})
        if fail:
            result = {"error": rng.choice([
                "Access denied: role billing_clerk cannot view clinical notes",
                "Patient record locked by another session",
                "Break-glass reason required\n(emergency access)"])}
        elif tool == "search_patients":
            result = {"count": 2, "patient_name": "Jane Doe"}
        else:
            result = {"patient_name": name, "records_returned": rng.randint(1, 12),
                      "date_of_birth": "1980-04-12", "phone": "555-0100",
                      "sections": ["allergies", "medications"]}
        context = {"user_id": user, "user_role": HIPAA_USERS[user]}
        if i == 36:
            del context["user_role"]  # -> "unknown"
        if purpose is not None:
            context["access_purpose"] = purpose
        entry = log.log_access(tool, args, result, context)
        d = dataclasses.asdict(entry)
        lines.append(json.dumps(d) + "\n")
        # The exact 5-field dict log_access hashes:
        text = json.dumps({
            "timestamp": entry.timestamp,
            "user_id": entry.user_id,
            "tool_name": entry.tool_name,
            "patient_id": entry.patient_id,
            "previous_hash": entry.previous_hash,
        }, sort_keys=True)
        digest = sha256_hex(text)
        assert digest == entry.entry_hash
        expected.append({"line": i + 1, "canonical": text, "sha256": digest})
    FixedClock.assert_exhausted()
    assert log.verify_integrity()
    data = "".join(lines).encode("ascii")
    # Round trip through the file gives the same hash input.
    for n, line in enumerate(data.decode("ascii").splitlines(), 1):
        d = json.loads(line)
        text = json.dumps({k: d[k] for k in ("timestamp", "user_id", "tool_name",
                                             "patient_id", "previous_hash")},
                          sort_keys=True)
        assert text == expected[n - 1]["canonical"]
        for k in ("arguments_sanitized", "result_summary"):
            for pk in lesson.PII_FIELDS & d[k].keys():
                v = d[k][pk]
                assert v.startswith("sha256:") and len(v) == 7 + 16, v
    return data, jsonl(expected), times


# --------------------------------------------------------------------------
# d. canonical_cases.jsonl
# --------------------------------------------------------------------------
def cpython_canonical(raw):
    try:
        text = raw.decode("utf-8")
        value = json.loads(text)
        return json.dumps(value, sort_keys=True, default=str), None
    except Exception as e:  # noqa: BLE001 - we record the class name
        return None, type(e).__name__


def json_number_text(d):
    """A Decimal as a JSON number with an exponent (so it parses as float)."""
    sign, digits, exp = d.as_tuple()
    s = "".join(map(str, digits)).rstrip("0") or "0"
    e10 = exp + len(digits) - 1
    mant = s[0] + ("." + s[1:] if len(s) > 1 else "")
    return ("-" if sign else "") + mant + "e" + str(e10)


def canonical_cases():
    c = []

    def add(name, raw):
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogatepass")
        c.append((name, raw))

    # -- objects, duplicates, key order
    add("dup_last_wins", '{"a":1,"a":2}')
    add("dup_three", '{"a":1,"b":2,"a":3}')
    add("dup_no_merge", '{"a":{"x":1},"a":{"y":2}}')
    add("dup_via_escape", '{"\\u00e9":1,"\u00e9":2}')
    add("dup_via_slash_escape", '{"a/b":1,"a\\/b":2}')
    add("dup_nested", '{"o":{"k":1,"k":[1,2]},"k":0}')
    add("keys_ascii_sort", '{"b":1,"a":2,"B":3,"_":4,"":5,"aa":6,"a ":7}')
    add("keys_numeric_strings", '{"10":1,"9":2,"1":3,"-1":4}')
    add("keys_codepoint_vs_utf16", '{"\\uffff":1,"\U0001F600":2,"\\ue000":3}')
    add("keys_escaped_pair_vs_bmp", '{"\\ud83d\\ude00":1,"\\uffff":2,"\\ud7ff":3}')
    add("keys_lone_surrogates", '{"\\ud800":1,"\\ue000":2,"\\udbff\\udfff":3,"\\uffff":4,"\\udfff":5}')
    add("keys_no_normalization", '{"\u00e9":1,"e\\u0301":2,"z":3,"E":4}')
    add("keys_control", '{"\\u0000":1,"\\u001f":2," ":3,"\\u007f":4}')
    add("nested_sort", '{"z":{"b":[{"d":1,"c":2}],"a":null},"y":[{"b":1,"a":2}]}')
    add("empty_object", "{}")
    add("empty_array", "[]")
    add("empty_in_empty", '[{},[],{"":[]},[[]]]')
    add("deep_100", "[" * 100 + "]" * 100)
    add("deep_obj_100", '{"a":' * 100 + "1" + "}" * 100)
    add("deep_5000_recursion", "[" * 5000 + "]" * 5000)
    add("audit_entry_like",
        '{"timestamp":"2025-07-06T14:23:01.456789+00:00","conversation_id":"conv_abc123",'
        '"turn_number":3,"user_id":"usr_98765","tool_name":"update_order_status",'
        '"arguments":{"order_id":"ORD-54321","status":"shipped"},'
        '"result_summary":{"success":true,"order_id":"ORD-54321","status":"shipped"},'
        '"duration_ms":145.23,"model":"gpt-4.1","success":true,'
        '"session_metadata":{"user_role":"support_agent","client_ip":"10.0.1.5",'
        '"user_agent":"SupportDashboard/2.1"},"_previous_hash":"genesis"}')

    # -- whitespace
    add("ws_spaces", ' { "a" : [ 1 , 2 ] , "b" : { } } ')
    add("ws_tabs", '\t{\t"a"\t:\t1\t}\t')
    add("ws_crlf", '\r\n{\r\n"a"\r\n:\r\n[\r\n1\r\n,\r\n2\r\n]\r\n}\r\n')
    add("ws_cr_only", '\r{"a":1}\r')
    add("ws_none", '{"a":[1,2],"b":{"c":"d"}}')
    add("ws_trailing_mixed", '{"a":1} \r\n\t ')
    add("ws_formfeed_rejected", '\x0c{"a":1}')
    add("ws_vtab_rejected", '{"a":\x0b1}')
    add("ws_nbsp_rejected", '{"a":\u00a01}')
    add("ws_u2028_rejected", '{"a":1}\u2028')
    add("ws_only", " \t\r\n")
    add("empty_input", "")

    # -- strings and escapes
    add("esc_solidus", '"\\/"')
    add("esc_all_short", '"\\b\\f\\n\\r\\t\\"\\\\\\/"')
    add("esc_u00e9_upper", '"\\u00E9"')
    add("esc_u00e9_lower", '"\\u00e9"')
    add("raw_e_acute", '"\u00e9"')
    add("esc_pair_lower", '"\\ud83d\\ude00"')
    add("esc_pair_upper", '"\\uD83D\\uDE00"')
    add("raw_non_bmp", '"\U0001F600 \U0001F44D\U0001F3FD"')
    add("raw_max_codepoint", '"\U0010FFFF"')
    add("raw_uffff", '"\uffff"')
    add("esc_lone_high", '"\\ud800"')
    add("esc_lone_low", '"\\udc00"')
    add("esc_reversed_pair", '"\\udc00\\ud800"')
    add("esc_two_highs", '"\\ud800\\ud800"')
    add("esc_high_then_char", '"\\ud800x"')
    add("esc_high_then_bmp_escape", '"\\ud800\\u0041"')
    add("esc_high_at_end", '"abc\\udbff"')
    add("esc_nul", '"\\u0000"')
    add("esc_control_range", '"\\u0001\\u001f\\u0020\\u007f\\u0080\\u009b"')
    add("esc_ascii_letters", '"\\u0041\\u002f\\u005c\\u0022"')
    add("raw_del", '"a\x7fb"')
    add("raw_c1_nel_csi", '"a\u0085b\u009bc"')
    add("raw_line_separators", '"a\u2028b\u2029c"')
    add("raw_bidi_zw", '"\u202eabc\u2066d\u2069\u200b\ufeff"')
    add("raw_cjk", '"\u4e2d\u6587"')
    add("raw_esc_sequence_escaped", '"\\u001b[31mred\\u001b[0m"')
    add("raw_nul_rejected", '"a\x00b"')
    add("raw_tab_rejected", '"a\tb"')
    add("raw_lf_rejected", '"a\nb"')
    add("raw_cr_rejected", '"a\rb"')
    add("raw_esc_rejected", '"\x1b[31m"')
    add("raw_us_rejected", '"\x1f"')
    add("esc_x_rejected", '"\\x41"')
    add("esc_U_rejected", '"\\U0001F600"')
    add("esc_short_u_rejected", '"\\u12"')
    add("esc_bad_hex_rejected", '"\\u00G0"')
    add("esc_underscore_hex_rejected", '"\\u1_23"')
    add("esc_space_hex_rejected", '"\\u 123"')
    add("esc_plus_hex_rejected", '"\\u+123"')
    add("esc_a_rejected", '"\\a"')
    add("esc_squote_rejected", '"\\\'"')
    add("esc_zero_rejected", '"\\0"')
    add("unterminated_string", '"abc')
    add("quote_csv_formula", '"=HYPERLINK(\\"http://x\\")"')

    # -- invalid UTF-8 (decode fails before json sees it) and BOM
    add("utf8_lone_continuation", b'"a\x80b"')
    add("utf8_overlong_slash", b'"\xc0\xaf"')
    add("utf8_encoded_surrogate", b'"\xed\xa0\x80"')
    add("utf8_f5_byte", b'"\xf5\x80\x80\x80"')
    add("utf8_truncated", b'"\xe4\xb8"')
    add("utf8_ff", b'"\xff"')
    add("utf8_above_max", b'"\xf4\x90\x80\x80"')
    add("utf8_invalid_outside_string", b'{"a":1}\xfe')
    add("utf8_latin1_e_acute", b'"caf\xe9"')
    add("bom_leading", b'\xef\xbb\xbf{"a":1}')
    add("bom_after_space", b' \xef\xbb\xbf{"a":1}')
    add("bom_inside_string", b'"\xef\xbb\xbf"')

    # -- numbers
    for name, text in [
        ("int_zero", "0"), ("int_neg_zero", "-0"), ("int_one", "1"),
        ("int_big", "123456789012345678901234567890"),
        ("int_big_neg", "-123456789012345678901234567890"),
        ("int_2p53_plus_1", "9007199254740993"),
        ("int_2p64", "18446744073709551616"),
        ("int_i64_min_minus_1", "-9223372036854775809"),
        ("float_1E5", "1E5"), ("float_1e5", "1e5"), ("float_1e_plus5", "1e+5"),
        ("float_neg_zero", "-0.0"), ("float_zero", "0.0"),
        ("float_0e0", "0e0"), ("float_neg_0e5", "-0e5"), ("float_0E_plus1", "0E+1"),
        ("float_0.1e-7", "0.1e-7"), ("float_1e400", "1e400"),
        ("float_neg_1e400", "-1e400"), ("float_1e-400", "1e-400"),
        ("float_1E400_upper", "1E400"),
        ("float_1.0", "1.0"), ("float_1.50", "1.50"), ("float_100.0", "100.0"),
        ("float_1e16", "1e16"), ("float_1e15", "1e15"), ("float_1e22", "1e22"),
        ("float_1e21", "1e21"), ("float_123456789012345678.0", "123456789012345678.0"),
        ("float_0.00001", "0.00001"), ("float_0.0001", "0.0001"),
        ("float_2.5e-5", "2.5e-5"), ("float_17.0e0", "17.0e0"),
        ("float_1e-0", "1e-0"), ("float_123.456e-2", "123.456e-2"),
        ("float_0.1", "0.1"), ("float_0.30000000000000004", "0.30000000000000004"),
        ("float_145.23", "145.23"),
        ("float_5e-324", "5e-324"), ("float_4.9e-324", "4.9e-324"),
        ("float_min_sub_below_half", "2.4703282292062327e-324"),
        ("float_min_sub_above_half", "2.4703282292062328e-324"),
        ("float_max", "1.7976931348623157e308"),
        ("float_max_rounds_down", "1.7976931348623158e308"),
        ("float_max_overflows", "1.7976931348623159e308"),
        ("float_php_hang", "2.2250738585072011e-308"),
        ("float_min_normal_ish", "2.2250738585072012e-308"),
        ("float_2p53_plus_1_tie_even", "9007199254740993.0"),
        ("float_2p53_plus_3_tie_even", "9007199254740995.0"),
        ("float_1_plus_half_ulp_tie", "1.00000000000000011102230246251565404236316680908203125"),
        ("float_1_plus_half_ulp_long_above",
         "1.00000000000000011102230246251565404236316680908203125" + "0" * 800 + "1"),
        ("float_1_plus_half_ulp_long_below",
         "1.00000000000000011102230246251565404236316680908203124" + "9" * 800),
        ("float_many_digits_one", "1" + "0" * 400 + "e-400"),
        ("float_tiny_long_fraction", "0." + "0" * 400 + "1"),
        ("float_exp_leading_zeros", "1e0000000000000000000001"),
        ("float_exp_huge_neg", "1e-99999999999999999999"),
        ("float_exp_huge_pos", "1e99999999999999999999"),
        ("nan", "NaN"), ("infinity", "Infinity"), ("neg_infinity", "-Infinity"),
        ("nonfinite_array", "[NaN,Infinity,-Infinity,1]"),
        ("nonfinite_values", '{"n":NaN,"i":Infinity}'),
        ("neg_nan_rejected", "-NaN"), ("nan_lower_rejected", "nan"),
        ("inf_rejected", "inf"), ("plus_infinity_rejected", "+Infinity"),
        ("infinity_lower_rejected", "infinity"),
        ("infinity_trailing_rejected", "Infinityx"),
        ("leading_zero_rejected", "01"), ("neg_leading_zero_rejected", "-01"),
        ("double_zero_rejected", "00"), ("leading_zero_in_array_rejected", "[01]"),
        ("trailing_dot_rejected", "1."), ("leading_dot_rejected", ".5"),
        ("plus_sign_rejected", "+1"), ("bare_e_rejected", "1e"),
        ("bare_e_plus_rejected", "1e+"), ("minus_only_rejected", "-"),
        ("hex_rejected", "0x10"), ("underscore_rejected", "1_000"),
        ("double_minus_rejected", "--1"), ("two_dots_rejected", "1.5.5"),
        ("arabic_indic_digit_rejected", "1\u0662"),
        ("fullwidth_digit_rejected", "[\uff11]"),
        ("int_4300_digits", "9" * 4300),
        ("int_neg_4300_digits", "-" + "9" * 4300),
        ("int_4301_digits_rejected", "1" * 4301),
        ("int_4301_digits_in_object_rejected", '{"n":' + "1" * 4301 + "}"),
        ("float_4301_digits_ok", "1" * 4301 + ".0"),
        ("float_4301_digit_exponent_ok", "1e" + "1" * 4301),
    ]:
        add(name, text)

    # -- literals, containers, errors
    add("true", "true")
    add("false", "false")
    add("null", "null")
    add("literal_array", "[true,false,null]")
    add("True_rejected", "True")
    add("nul_rejected", "nul")
    add("None_rejected", "None")
    add("top_string", '"just a string"')
    add("top_int", "42")
    add("top_float", "-3.5")
    add("top_array_mixed", '[1,"two",3.0,null,true,{"b":1,"a":[]}]')
    add("types_int_vs_float", '{"i":1,"f":1.0,"e":1e0,"s":"1"}')
    add("trailing_comma_array", "[1,2,]")
    add("trailing_comma_object", '{"a":1,}')
    add("leading_comma_array", "[,1]")
    add("lone_comma_object", "{,}")
    add("single_quotes_object", "{'a':1}")
    add("single_quotes_array", "['a']")
    add("unquoted_key", "{a:1}")
    add("non_string_key", "{1:2}")
    add("missing_colon", '{"a" 1}')
    add("missing_comma", '{"a":1 "b":2}')
    add("block_comment", '{"a":1 /* c */}')
    add("line_comment", '// c\n{"a":1}')
    add("unclosed_object", '{"a":1')
    add("unclosed_array", "[1,2")
    add("garbage_after_object", '{"a":1} x')
    add("two_objects", '{"a":1}{"b":2}')
    add("two_lines", '{"a":1}\n{"b":2}')
    add("nul_after_object", '{"a":1}\x00')
    add("extra_bracket", "[1]]")
    add("extra_brace", '{"a":1}}')
    add("log_prefix_rejected", 'INFO:tool_audit:{"a":1}')

    # -- random doubles: repr, %.17g, %.25e
    rng = random.Random(SEED + 2)
    doubles = []
    while len(doubles) < 22:
        bits = rng.getrandbits(64)
        x = struct.unpack("<d", struct.pack("<Q", bits))[0]
        if math.isfinite(x):
            doubles.append(x)
    for _ in range(3):  # subnormals
        bits = rng.getrandbits(52) | (rng.getrandbits(1) << 63)
        doubles.append(struct.unpack("<d", struct.pack("<Q", bits))[0])
    for k, x in enumerate(doubles):
        add(f"rand{k:02d}_repr", repr(x))
        add(f"rand{k:02d}_17g", "%.17g" % x)
        add(f"rand{k:02d}_25e", "%.25e" % x)

    # -- exact halfway points between adjacent doubles (and just off them)
    getcontext().prec = 2000
    for k in range(5):
        if k == 4:
            x = 2.0 ** -1060 * rng.random()  # subnormal range: long decimal
        else:
            x = rng.uniform(0.5, 2.0) * 10.0 ** rng.randint(-30, 30)
        y = math.nextafter(x, math.inf)
        mid = (Decimal(x) + Decimal(y)) / 2
        ulp = Decimal(y) - Decimal(x)
        tiny = ulp / Decimal(10) ** 40
        add(f"half{k}_tie", json_number_text(mid))
        add(f"half{k}_above", json_number_text(mid + tiny))
        add(f"half{k}_below", json_number_text(mid - tiny))

    names = [n for n, _ in c]
    assert len(names) == len(set(names)), "duplicate case names"
    records = []
    for name, raw in c:
        canon, err = cpython_canonical(raw)
        records.append({"name": name,
                        "input_b64": base64.b64encode(raw).decode("ascii"),
                        "canonical": canon, "error": err})
    return jsonl(records), records


# --------------------------------------------------------------------------
# e. views.expected.json
# --------------------------------------------------------------------------
CHAIN_FIELDS = [f.name for f in dataclasses.fields(lesson.AuditEntry)]


def make_views(chain_data, hipaa_data, hipaa_times):
    log = lesson.AuditLogger()
    for line in chain_data.decode("ascii").splitlines():
        d = json.loads(line)
        log._entries.append(lesson.AuditEntry(**{k: d[k] for k in CHAIN_FIELDS}))
    engine = lesson.AuditQueryEngine(log)
    entries = log._entries
    tools = sorted({e.tool_name for e in entries})
    convs = sorted({e.conversation_id for e in entries})
    users = sorted({e.user_id for e in entries})

    # "since" equals one entry's instant exactly (>= is inclusive), written
    # in another UTC offset so the comparison must be by instant.
    since = datetime_from(entries[30].timestamp).astimezone(
        timezone(timedelta(hours=-5)))
    failures = engine.failures()
    chain_views = {
        "source": "chain.jsonl",
        "by_tool": {t: engine.by_tool(t) for t in tools + ["no_such_tool"]},
        "conversation_timeline": {c: engine.conversation_timeline(c) for c in convs},
        "failures": {
            "count": len(failures),
            "newest_first": [[e.timestamp, e.tool_name] for e in reversed(failures)],
        },
        "by_user": {
            "since": since.isoformat(),
            "users": {u: {"all": len(engine.by_user(u)),
                          "since": len(engine.by_user(u, since=since))}
                      for u in users},
        },
        "retention_days": {t: lesson.get_retention_period(t)
                           for t in tools + ["charge_payment", "apply_credit",
                                             "no_such_tool"]},
    }

    hlog = lesson.HIPAAAuditLog()
    for line in hipaa_data.decode("ascii").splitlines():
        hlog._entries.append(lesson.MedicalAuditEntry(**json.loads(line)))
    hlog._previous_hash = hlog._entries[-1].entry_hash
    plus2 = timezone(timedelta(hours=2))
    def accesses(patient):
        return [datetime_from(e.timestamp) for e in hlog._entries
                if e.patient_id == patient]
    p1 = accesses("P-0001")
    assert len(p1) >= 4
    windows = [
        # P-0007: exactly the burst, both ends equal to entry timestamps
        # (the report's bounds are inclusive).
        ("P-0007", hipaa_times[10], hipaa_times[21]),
        # P-0001: starts exactly at its 2nd access (inclusive) and ends one
        # microsecond before its last one; written in +02:00.
        ("P-0001", p1[1].astimezone(plus2),
         (p1[-1] - timedelta(microseconds=1)).astimezone(plus2)),
        # P-0009: the whole log and more, in +02:00
        ("P-0009", _dt.datetime(2025, 7, 7, 0, 0, tzinfo=plus2),
         _dt.datetime(2025, 7, 12, 0, 0, tzinfo=plus2)),
        # P-0005: a window before the log starts: an empty report
        ("P-0005", _dt.datetime(2025, 1, 1, tzinfo=UTC),
         _dt.datetime(2025, 7, 7, 7, 59, 59, tzinfo=UTC)),
    ]
    reports = []
    for patient, start, end in windows:
        reports.append({"patient_id": patient, "start": start.isoformat(),
                        "end": end.isoformat(),
                        "report": hlog.generate_access_report(patient, start, end)})
    assert reports[0]["report"]["total_accesses"] >= 12
    assert reports[-1]["report"]["total_accesses"] == 0

    views = {"chain": chain_views,
             "hipaa": {"source": "hipaa.jsonl", "access_reports": reports}}
    text = json.dumps(views, indent=2, allow_nan=False) + "\n"
    # Strict JSON readers (serde_json) reject lone surrogates: make sure none.
    check_no_lone_surrogates(json.loads(text))
    return text.encode("ascii")


def datetime_from(ts):
    return _dt.datetime.fromisoformat(ts)


def check_no_lone_surrogates(v):
    if isinstance(v, str):
        v.encode("utf-8")  # raises on lone surrogates
    elif isinstance(v, dict):
        for k, x in v.items():
            check_no_lone_surrogates(k)
            check_no_lone_surrogates(x)
    elif isinstance(v, list):
        for x in v:
            check_no_lone_surrogates(x)


# --------------------------------------------------------------------------
# f. bit-flip fixtures
# --------------------------------------------------------------------------
def make_bitflip_chain():
    rng = random.Random(SEED + 3)
    FixedClock.load(timeline(rng, _dt.datetime(2025, 7, 8, 9, 0, 0, 250000,
                                               tzinfo=UTC), 20, step=(5, 300)))
    chain = lesson.ImmutableAuditLog()
    lines = []
    for i in range(20):
        conv = ["conv_a1", "conv_b2"][i % 2]
        user = ["usr_100", "usr_200"][i % 2]
        tool = ["get_order", "get_customer", "issue_refund", "search_kb"][i % 4]
        args = {"order_id": f"ORD-{1000 + i}"}
        if i in (3, 11):
            args["customer_name"] = "Ren\u00e9e"
        if i == 7:
            args["note"] = "caf\u00e9 cr\u00e8me"
        if i == 15:
            args["threshold"] = 2.5e-05  # the one float
        ok = i not in (6, 13)
        summary = {"success": ok} if ok else {"success": False, "error": "Order not found"}
        entry = lesson.AuditEntry(
            timestamp=lesson.datetime.now(UTC).isoformat(),
            conversation_id=conv, turn_number=i // 2 + 1, user_id=user,
            tool_name=tool, arguments=args, result_summary=summary,
            duration_ms=rng.randint(5, 400), model="gpt-4.1", success=ok,
            session_metadata={"user_role": "support_agent",
                              "client_ip": "10.0.1.5",
                              "user_agent": "SupportDashboard/2.1"})
        lines.append(json.dumps(chain.append(entry)) + "\n")
    FixedClock.assert_exhausted()
    return "".join(lines).encode("ascii")


def make_bitflip_hipaa():
    rng = random.Random(SEED + 4)
    FixedClock.load(timeline(rng, _dt.datetime(2025, 7, 9, 10, 0, 0, 500000,
                                               tzinfo=UTC), 20, step=(30, 900)))
    log = lesson.HIPAAAuditLog()
    lines = []
    for i in range(20):
        patient = f"P-{i % 5 + 1:04d}"
        args = {"patient_id": patient, "patient_name": "Jane Doe",
                "fields": ["allergies"]}
        if i in (4, 12):
            args["note"] = "r\u00e9sum\u00e9"
        result = ({"error": "Access denied"} if i in (5, 14)
                  else {"records_returned": i % 4 + 1})
        context = {"user_id": ["usr_20417", "usr_31002"][i % 2],
                   "user_role": ["nurse", "physician"][i % 2],
                   "access_purpose": PURPOSES[i % 4]}
        entry = log.log_access("access_patient_record", args, result, context)
        lines.append(json.dumps(dataclasses.asdict(entry)) + "\n")
    FixedClock.assert_exhausted()
    return "".join(lines).encode("ascii")


def same_structure(a, b):
    """Same JSON types all the way down (1 vs 1.0 differ; True vs 1 differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_structure(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_structure(x, y) for x, y in zip(a, b))
    return True


HIPAA_PROTECTED = ("timestamp", "user_id", "tool_name", "patient_id",
                   "previous_hash", "entry_hash")


def dumps_sorted(v):
    return json.dumps(v, sort_keys=True)


def has_nan(v):
    if isinstance(v, float):
        return v != v
    if isinstance(v, dict):
        return any(has_nan(x) for x in v.values())
    if isinstance(v, list):
        return any(has_nan(x) for x in v)
    return False


def same_json(a, b, a_text, a_nan):
    """b is the same JSON value as a (a_text = dumps_sorted(a)).

    Python == differs from equal dumps text only for NaN (nan != nan), so a
    cheap != rejects unless a holds a NaN; the text and type checks then
    settle -0.0 vs 0.0, 1 vs 1.0 and True vs 1."""
    if not a_nan and a != b:
        return False
    return dumps_sorted(b) == a_text and same_structure(a, b)


def bitflip_equivalents(data, hipaa):
    """Every (offset, bit) whose variant is 'the same data'.

    The variant is split on b"\n" like the original. Flipping a "\n" or
    making one changes the line count: never the same. Otherwise only the
    flipped line changes; it is the same data iff it decodes as UTF-8, parses
    with json.loads, and gives a value equal to the original's (same
    json.dumps(sort_keys=True) text AND same JSON types all the way down, so
    1 vs 1.0 differ). For hipaa only the hash-protected fields plus
    entry_hash must be equal (and the line must still be a JSON object).
    """
    lines = data.split(b"\n")
    equivalent = []
    offset = 0
    for line in lines:
        if line:
            orig = json.loads(line.decode("utf-8"))
            if hipaa:
                want = {k: (orig[k], dumps_sorted(orig[k]), has_nan(orig[k]))
                        for k in HIPAA_PROTECTED}
            else:
                want_text, want_nan = dumps_sorted(orig), has_nan(orig)
        for pos in range(len(line)):
            for bit in range(8):
                new_byte = line[pos] ^ (1 << bit)
                if new_byte == 0x0A:
                    continue  # one more line: not the same data
                variant = line[:pos] + bytes([new_byte]) + line[pos + 1:]
                try:
                    value = json.loads(variant.decode("utf-8"))
                except (UnicodeDecodeError, ValueError, RecursionError):
                    continue
                if hipaa:
                    ok = isinstance(value, dict) and all(
                        k in value and same_json(v, value[k], text, nan)
                        for k, (v, text, nan) in want.items())
                else:
                    ok = same_json(orig, value, want_text, want_nan)
                if ok:
                    equivalent.append([offset + pos, bit])
        offset += len(line) + 1  # the "\n" itself: flipping it changes the line count
    assert offset - 1 == len(data)
    return equivalent


def bitflip_report(name, data, hipaa):
    eq = bitflip_equivalents(data, hipaa)
    obj = {"file": name, "bytes": len(data), "variants": 8 * len(data),
           "equivalent": eq}
    return (json.dumps(obj) + "\n").encode("ascii"), eq


# --------------------------------------------------------------------------
# large_entry.recipe.json: an intact chain whose middle entry is ~50 MB
# --------------------------------------------------------------------------
# The log itself is too big to commit, so the fixture is a recipe: each line
# as a template in which placeholders stand for a unit repeated `count`
# times (joined by `separator`), plus the hashes CPython computed. The Rust
# test expands it byte for byte and checks auditui's verdict against them.
LARGE_DOCUMENT_UNIT = ('Ünïcödé "quoted" \\ back\tslash \u2028 '
                       'emoji \U0001F600 ctrl \x01 end. ')
LARGE_DOCUMENT_COUNT = 400_000
LARGE_ROW = {"z": 1.5, "a": [1, None, True], "m": "x\u00e9", "b": 1e-07}
LARGE_ROWS_COUNT = 200_000


def expand(template, placeholders):
    for p in placeholders:
        template = template.replace(p["placeholder"],
                                    p["separator"].join([p["unit"]] * p["count"]))
    return template


def make_large_entry():
    start = _dt.datetime(2025, 7, 9, 9, 30, 0, 250000, tzinfo=UTC)
    FixedClock.load([start + timedelta(seconds=s) for s in (0, 7, 12)])
    audit = lesson.AuditLogger()
    chain = lesson.ImmutableAuditLog()
    context = {"conversation_id": "conv_big01", "turn_number": 1,
               "user_id": "usr_98765", "model": "gpt-4.1",
               "user_role": "support_agent", "client_ip": "10.0.1.5"}
    big_args = {"document": LARGE_DOCUMENT_UNIT * LARGE_DOCUMENT_COUNT,
                "rows": [LARGE_ROW] * LARGE_ROWS_COUNT, "order_id": "ORD-50000"}
    calls = [("get_order", {"order_id": "ORD-49999"}, {"id": "ORD-49999"}),
             ("attach_document", big_args, {"status": "stored"}),
             ("get_order", {"order_id": "ORD-50000"}, {"id": "ORD-50000"})]
    placeholders = [
        {"placeholder": "@@DOCUMENT@@", "separator": "",
         "unit": json.dumps(LARGE_DOCUMENT_UNIT)[1:-1], "count": LARGE_DOCUMENT_COUNT},
        {"placeholder": "@@ROWS@@", "separator": ", ",
         "unit": json.dumps(LARGE_ROW), "count": LARGE_ROWS_COUNT},
    ]
    lines, templates = [], []
    for tool, args, result in calls:
        entry_dict = chain.append(audit.log_call(tool, args, result, 12.5, context))
        line = json.dumps(entry_dict)
        lines.append(line)
        if args is big_args:
            stand_in = dict(entry_dict, arguments=dict(
                args, document="@@DOCUMENT@@", rows="@@ROWS@@"))
            template = json.dumps(stand_in).replace('"@@ROWS@@"', "[@@ROWS@@]")
        else:
            template = line
        assert expand(template, placeholders) == line
        templates.append(template)
    FixedClock.assert_exhausted()
    assert chain.verify_integrity()
    assert len(lines[1]) > 48_000_000, len(lines[1])
    expected = []
    for n, line in enumerate(lines, 1):
        d = json.loads(line)
        stored = d.pop("_hash")
        assert sha256_hex(canonical(d)) == stored
        expected.append({"line": n, "bytes": len(line), "sha256": stored})
    recipe = {"lines": templates, "placeholders": placeholders, "expected": expected}
    return (json.dumps(recipe, indent=1) + "\n").encode("ascii")


# --------------------------------------------------------------------------
def main():
    os.makedirs(FIXTURES, exist_ok=True)
    sizes = {}
    chain_data, chain_expected, _ = make_chain()
    sizes["chain.jsonl"] = write_bytes("chain.jsonl", chain_data)
    sizes["chain.expected.jsonl"] = write_bytes("chain.expected.jsonl", chain_expected)

    hipaa_data, hipaa_expected, hipaa_times = make_hipaa()
    sizes["hipaa.jsonl"] = write_bytes("hipaa.jsonl", hipaa_data)
    sizes["hipaa.expected.jsonl"] = write_bytes("hipaa.expected.jsonl", hipaa_expected)

    cases_data, cases = canonical_cases()
    sizes["canonical_cases.jsonl"] = write_bytes("canonical_cases.jsonl", cases_data)

    sizes["views.expected.json"] = write_bytes(
        "views.expected.json", make_views(chain_data, hipaa_data, hipaa_times))

    bc = make_bitflip_chain()
    bh = make_bitflip_hipaa()
    sizes["bitflip_chain.jsonl"] = write_bytes("bitflip_chain.jsonl", bc)
    sizes["bitflip_hipaa.jsonl"] = write_bytes("bitflip_hipaa.jsonl", bh)
    rc, eqc = bitflip_report("bitflip_chain.jsonl", bc, hipaa=False)
    rh, eqh = bitflip_report("bitflip_hipaa.jsonl", bh, hipaa=True)
    sizes["bitflip_chain.equivalent.json"] = write_bytes("bitflip_chain.equivalent.json", rc)
    sizes["bitflip_hipaa.equivalent.json"] = write_bytes("bitflip_hipaa.equivalent.json", rh)

    sizes["large_entry.recipe.json"] = write_bytes(
        "large_entry.recipe.json", make_large_entry())

    errors = {}
    for r in cases:
        errors[r["error"]] = errors.get(r["error"], 0) + 1
    for name in sorted(sizes):
        print(f"{sizes[name]:>8}  tests/fixtures/{name}")
    print(f"canonical cases: {len(cases)} "
          + ", ".join(f"{k or 'ok'}={v}" for k, v in sorted(errors.items(), key=str)))
    print(f"bitflip equivalents: chain {len(eqc)}/{8 * len(bc)}, "
          f"hipaa {len(eqh)}/{8 * len(bh)}")


if __name__ == "__main__":
    main()
