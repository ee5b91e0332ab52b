//! The FHIR R4 Bundle of the lesson's hipaa log: structure, codes, required
//! elements, instant format and stable ids, entry by entry against the
//! fixture. (CI also runs scripts/validate_fhir.py, an independent FHIR
//! implementation, on the same export: see .ci/run.)
#![allow(clippy::unwrap_used)] // a test crate: a failed unwrap is a failed test

use auditui::backend::memory::MemoryBackend;
use auditui::backend::{Backend, Order, PageAt, RowKey, everything};
use auditui::export::fhir::{self, FHIR_VERSION, entry_uuid};
use auditui::log::source::{Source, open_all};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

/// The logs, and the keys of all their entries in log order.
fn load(sources: Vec<Source>) -> (MemoryBackend, Vec<RowKey>) {
    let backend = MemoryBackend::load(sources, |_| {}, &AtomicBool::new(false)).unwrap();
    let all = everything(&backend, Order::File).unwrap();
    let page = all.page(PageAt::First, all.count()).unwrap();
    let keys = page.rows.iter().map(|row| row.key).collect();
    (backend, keys)
}

fn bundle(backend: &MemoryBackend, keys: &[RowKey], observer: &str) -> Value {
    fhir::bundle(backend, keys, observer).unwrap()
}

fn hipaa() -> (MemoryBackend, Vec<RowKey>) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/hipaa.jsonl");
    load(open_all(&[path]).unwrap())
}

fn from_lines(lines: &[&str]) -> Value {
    let (store, rows) = load(vec![Source::from_bytes(
        "log.jsonl",
        (lines.join("\n") + "\n").into_bytes(),
    )]);
    bundle(&store, &rows, "test")
}

/// The fixture's entries as plain JSON, to compare each event with.
fn fixture_entries() -> Vec<Value> {
    include_str!("fixtures/hipaa.jsonl")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn digits(s: &str, range: std::ops::Range<usize>) -> Option<u32> {
    let part = s.get(range)?;
    part.bytes()
        .all(|b| b.is_ascii_digit())
        .then(|| part.parse().ok())
        .flatten()
}

/// FHIR R4's instant regex, written out: `YYYY-MM-DDThh:mm:ss(.f+)?` then
/// `Z` or `±hh:mm` (hours to 13, or exactly 14:00).
fn is_instant(s: &str) -> bool {
    let b = s.as_bytes();
    let date_time = digits(s, 0..4).is_some_and(|y| y > 0)
        && b.get(4) == Some(&b'-')
        && digits(s, 5..7).is_some_and(|m| (1..=12).contains(&m))
        && b.get(7) == Some(&b'-')
        && digits(s, 8..10).is_some_and(|d| (1..=31).contains(&d))
        && b.get(10) == Some(&b'T')
        && digits(s, 11..13).is_some_and(|h| h < 24)
        && b.get(13) == Some(&b':')
        && digits(s, 14..16).is_some_and(|m| m < 60)
        && b.get(16) == Some(&b':')
        && digits(s, 17..19).is_some_and(|s| s <= 60);
    if !date_time {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(fraction) = rest.strip_prefix('.') {
        let n = fraction.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &fraction[n..];
    }
    rest == "Z"
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && match (digits(rest, 1..3), digits(rest, 4..6)) {
                (Some(h), Some(m)) => (h < 14 && m < 60) || (h == 14 && m == 0),
                _ => false,
            })
}

fn is_uuid(s: &str) -> bool {
    s.len() == 36
        && s.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => matches!(c, '0'..='9' | 'a'..='f'),
        })
}

fn codes(concepts: &Value) -> Vec<&str> {
    concepts
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["coding"][0]["code"].as_str())
        .collect()
}

#[test]
fn the_instant_check_itself_accepts_and_rejects_like_the_spec() {
    for ok in [
        "2025-07-07T08:00:00Z",
        "2025-07-07T08:00:00.123456+14:00",
        "0001-01-01T00:00:60-13:59",
    ] {
        assert!(is_instant(ok), "{ok}");
    }
    for bad in [
        "2025-07-07T08:00Z",
        "2025-07-07T08:00:00",
        "2025-07-07T08:00:00+14:30",
        "0000-01-01T00:00:00Z",
        "2025-07-07T08:00:00.Z",
        "2025-07-07 08:00:00Z",
    ] {
        assert!(!is_instant(bad), "{bad}");
    }
}

#[test]
fn the_hipaa_log_becomes_a_collection_of_one_audit_event_per_entry() {
    let (store, rows) = hipaa();
    let b = bundle(&store, &rows, "clinic-assistant");
    std::fs::write(
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fhir-hipaa.json"),
        serde_json::to_string_pretty(&b).unwrap(),
    )
    .unwrap();
    assert_eq!(FHIR_VERSION, "4.0.1");
    assert_eq!(b["resourceType"], "Bundle");
    assert_eq!(b["type"], "collection");
    assert!(is_instant(b["timestamp"].as_str().unwrap()));
    assert!(is_instant(b["meta"]["lastUpdated"].as_str().unwrap()));
    let entries = b["entry"].as_array().unwrap();
    let fixture = fixture_entries();
    assert_eq!(entries.len(), fixture.len());

    for (i, (entry, logged)) in entries.iter().zip(&fixture).enumerate() {
        let e = &entry["resource"];
        let at = format!("line {}", i + 1);
        assert_eq!(e["resourceType"], "AuditEvent", "{at}");
        let id = e["id"].as_str().unwrap();
        assert!(is_uuid(id), "{at}: {id}");
        assert_eq!(entry["fullUrl"], format!("urn:uuid:{id}"), "{at}");
        let detail = store.detail(rows[i]).unwrap().unwrap();
        assert_eq!(id, entry_uuid(&detail.row.file, detail.row.line), "{at}");

        // type and subtype: DICOM event, then the tool.
        let emergency = logged["purpose"] == "emergency";
        assert_eq!(e["type"]["system"], DCM, "{at}");
        assert_eq!(
            e["type"]["code"],
            if emergency { "110113" } else { "110110" },
            "{at}"
        );
        let subtypes = e["subtype"].as_array().unwrap();
        if emergency {
            assert_eq!(subtypes[0]["system"], DCM);
            assert_eq!(subtypes[0]["code"], "110127", "{at}");
            assert_eq!(subtypes[0]["display"], "Emergency Override Started");
        }
        let tool = subtypes.last().unwrap();
        assert_eq!(tool["system"], "urn:auditui:tool", "{at}");
        assert_eq!(tool["code"], logged["tool_name"], "{at}");
        let action = match logged["tool_name"].as_str().unwrap() {
            "get_lab_results" | "search_patients" | "access_patient_record" => "R",
            "prescribe_medication" => "C",
            "update_treatment" => "U",
            other => panic!("unexpected tool {other}"),
        };
        assert_eq!(e["action"], action, "{at}");

        // recorded: the logged instant, UTC written as Z.
        let recorded = e["recorded"].as_str().unwrap();
        assert!(is_instant(recorded), "{at}: {recorded}");
        let logged_time = logged["timestamp"].as_str().unwrap();
        assert_eq!(recorded, logged_time.replace("+00:00", "Z"), "{at}");

        // outcome: refusals are serious, a locked record is minor.
        let error = logged["result_summary"]["error"].as_str();
        let expected = match (logged["success"].as_bool().unwrap(), error) {
            (true, _) => "0",
            (false, Some(e)) if e.starts_with("Patient record locked") => "4",
            (false, _) => "8",
        };
        assert_eq!(e["outcome"], expected, "{at}");
        assert_eq!(e["outcomeDesc"].as_str(), error, "{at}");

        // agent: the user requested it; the hipaa log names no model or IP.
        let agents = e["agent"].as_array().unwrap();
        assert_eq!(agents.len(), 1, "{at}");
        assert_eq!(agents[0]["requestor"], true);
        assert_eq!(
            agents[0]["who"]["identifier"]["value"], logged["user_id"],
            "{at}"
        );
        assert_eq!(agents[0]["role"][0]["text"], logged["user_role"], "{at}");
        assert!(agents[0].get("network").is_none());
        assert_eq!(e["source"]["observer"]["display"], "clinic-assistant");

        // entity: the patient, unless the call named none ("unknown").
        let patient = match &logged["patient_id"] {
            Value::String(p) => p.clone(),
            other => other.to_string(),
        };
        match e.get("entity") {
            None => assert_eq!(patient, "unknown", "{at}"),
            Some(entities) => {
                assert_eq!(
                    entities[0]["what"]["reference"],
                    format!("Patient/{patient}"),
                    "{at}"
                );
                assert_eq!(entities[0]["role"]["code"], "1");
            }
        }

        // purposeOfEvent in v3 ActReason, the logged word kept as text.
        let purposes = &e["purposeOfEvent"];
        assert_eq!(purposes[0]["text"], logged["purpose"], "{at}");
        let expected: &[&str] = match logged["purpose"].as_str().unwrap() {
            "treatment" => &["TREAT"],
            "billing" => &["HPAYMT"],
            "research" => &["HRESCH"],
            "emergency" => &["ETREAT", "BTG"],
            _ => &[],
        };
        assert_eq!(codes(purposes), expected, "{at}");
        if !expected.is_empty() {
            assert_eq!(purposes[0]["coding"][0]["system"], ACT_REASON);
        }
    }

    // Arguments and results (where PII lives) are not exported.
    let text = b.to_string();
    assert!(!text.contains("sha256:") && !text.contains("Amoxicillin"));
}

#[test]
fn ids_are_the_same_on_every_export_and_distinct_within_one() {
    let (store, rows) = hipaa();
    let ids = |b: &Value| -> Vec<String> {
        b["entry"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["fullUrl"].as_str().unwrap().to_owned())
            .collect()
    };
    let first = ids(&bundle(&store, &rows, "a"));
    assert_eq!(first, ids(&bundle(&store, &rows, "b")));
    let mut unique = first.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), first.len());
    // A selection keeps each entry's id.
    assert_eq!(ids(&bundle(&store, &rows[5..7], "a")), first[5..7]);
}

#[test]
fn a_review_after_a_break_the_glass_access_stops_the_override() {
    let b = from_lines(&[
        r#"{"timestamp": "2025-07-07T08:00:00+00:00", "user_id": "usr_1", "user_role": "nurse", "tool_name": "access_patient_record", "patient_id": "P-0004", "purpose": "emergency", "success": true}"#,
        r#"{"timestamp": "2025-07-08T09:00:00+00:00", "user_id": "usr_admin", "user_role": "admin", "tool_name": "review_emergency_access", "patient_id": "P-0004", "purpose": "audit", "success": true}"#,
        r#"{"timestamp": "2025-07-08T09:05:00+00:00", "user_id": "usr_admin", "user_role": "admin", "tool_name": "review_emergency_access", "patient_id": "P-0005", "purpose": "audit", "success": true}"#,
    ]);
    let event = |i: usize| &b["entry"][i]["resource"];
    assert_eq!(
        (
            event(0)["type"]["code"].as_str(),
            event(0)["subtype"][0]["code"].as_str()
        ),
        (Some("110113"), Some("110127"))
    );
    assert_eq!(
        (
            event(1)["type"]["code"].as_str(),
            event(1)["subtype"][0]["code"].as_str()
        ),
        (Some("110113"), Some("110138"))
    );
    assert_eq!(
        event(1)["subtype"][0]["display"],
        "Emergency Override Stopped"
    );
    assert_eq!(event(1)["action"], "R");
    // No emergency preceded this patient's review: an ordinary record access.
    assert_eq!(event(2)["type"]["code"], "110110");
}

#[test]
fn chain_entries_carry_the_model_network_address_and_conversation() {
    let b = from_lines(&[
        r#"{"timestamp": "2025-07-06T14:23:01.456789-05:00", "conversation_id": "conv_abc123", "turn_number": 1, "user_id": "usr_98765", "tool_name": "issue_refund", "arguments": {"order_id": "ORD-1"}, "result_summary": {"success": false, "error": "Upstream timeout after 30000 ms"}, "duration_ms": 80.4, "model": "gpt-4.1", "success": false, "session_metadata": {"user_role": "support_agent", "client_ip": "10.0.1.5", "user_agent": "x"}}"#,
        r#"{"timestamp": "not a time", "user_id": "usr_1", "tool_name": "export_data\u001b[2J", "session_metadata": {"client_ip": "gateway.internal"}}"#,
    ]);
    let e = &b["entry"][0]["resource"];
    assert_eq!(e["type"]["code"], "110100");
    assert_eq!(e["action"], "U");
    assert_eq!(e["recorded"], "2025-07-06T14:23:01.456789-05:00");
    assert_eq!(e["outcome"], "4");
    let agents = e["agent"].as_array().unwrap();
    assert_eq!(
        agents[0]["network"],
        serde_json::json!({"address": "10.0.1.5", "type": "2"})
    );
    assert_eq!(agents[1]["requestor"], false);
    assert_eq!(agents[1]["who"]["identifier"]["value"], "gpt-4.1");
    assert_eq!(agents[1]["type"]["coding"][0]["code"], "110150");
    let entities = e["entity"].as_array().unwrap();
    assert_eq!(entities.len(), 1);
    assert_eq!(entities[0]["what"]["identifier"]["value"], "conv_abc123");
    assert!(e.get("purposeOfEvent").is_none());

    // Nothing invented for what the log lacks.
    let e = &b["entry"][1]["resource"];
    assert!(e.get("recorded").is_none());
    assert_eq!(
        e["_recorded"]["extension"][0]["url"],
        "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
    );
    assert!(e.get("outcome").is_none());
    assert_eq!(e["agent"][0]["network"]["type"], "1");
    assert_eq!(e["subtype"][0]["code"], "export_data\u{fffd}[2J");
}

#[test]
fn an_empty_selection_is_a_bundle_without_entries() {
    let (store, _) = hipaa();
    let b = bundle(&store, &[], "x");
    assert_eq!(b["type"], "collection");
    assert!(b.get("entry").is_none(), "FHIR forbids empty arrays");
}
