//! FHIR R4 (4.0.1) export: a `collection` Bundle of `AuditEvent` resources,
//! one per log entry, for systems that take audit trails in HL7's format.
//!
//! Codes follow the spec's own break-the-glass examples: every event is a
//! DICOM event type (`110110` Patient Record, `110100` Application
//! Activity for calls that touch no patient) and a break-the-glass access
//! is a `110113` Security Alert with subtype `110127` Emergency Override
//! Started; the review that closes it is `110113` with `110138` Emergency
//! Override Stopped. The tool name is always a further subtype.
//!
//! Nothing is invented for what the log lacks: a missing field is left
//! out, and a missing or unreadable timestamp (which FHIR requires) is
//! written as a `data-absent-reason` extension instead of a made-up time.
//! Arguments and results are not exported: they are where PII lives.

use crate::backend::{Backend, BackendError, EntryRow, Order, Result, RowKey};
use crate::filter::{Field, Filter, Predicate, Term};
use crate::log::entry::parse_line;
use crate::store::store::Outcome;
use crate::views::alerts::is_review;
use crate::views::{Moment, is_emergency, justification_in};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{self, Write};
use std::sync::atomic::AtomicBool;

pub const FHIR_VERSION: &str = "4.0.1";

const DCM: &str = "http://dicom.nema.org/resources/ontology/DCM";
const ACT_REASON: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";
const ENTITY_TYPE: &str = "http://terminology.hl7.org/CodeSystem/audit-entity-type";
const OBJECT_ROLE: &str = "http://terminology.hl7.org/CodeSystem/object-role";
const SOURCE_TYPE: &str = "http://terminology.hl7.org/CodeSystem/security-source-type";
const DATA_ABSENT: &str = "http://hl7.org/fhir/StructureDefinition/data-absent-reason";
/// Identifier systems for values that only mean something inside the log.
const TOOL_SYSTEM: &str = "urn:auditui:tool";
const USER_SYSTEM: &str = "urn:auditui:user";
const MODEL_SYSTEM: &str = "urn:auditui:model";
const PATIENT_SYSTEM: &str = "urn:auditui:patient";
const CONVERSATION_SYSTEM: &str = "urn:auditui:conversation";

/// auditui's namespace for entry ids. Fixed forever: changing it would
/// give every exported event a new id.
const NAMESPACE: [u8; 16] = [
    0x17, 0x06, 0x43, 0x25, 0x44, 0xda, 0x45, 0xc8, 0xa7, 0x25, 0x3e, 0x41, 0xf6, 0x59, 0xd3, 0xf1,
];

/// What kind of event an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A tool call about a patient's record.
    PatientRecord,
    /// A break-the-glass access.
    EmergencyStarted,
    /// A review of an earlier break-the-glass access to the same patient.
    EmergencyStopped,
    /// Any other tool call.
    ApplicationActivity,
}

impl EventKind {
    /// `type`, and the DICOM subtype that refines it, if any.
    fn codes(self) -> (Value, Option<Value>) {
        let dcm = |code, display| coding(DCM, code, display);
        let alert = || dcm("110113", "Security Alert");
        match self {
            EventKind::PatientRecord => (dcm("110110", "Patient Record"), None),
            EventKind::ApplicationActivity => (dcm("110100", "Application Activity"), None),
            EventKind::EmergencyStarted => {
                (alert(), Some(dcm("110127", "Emergency Override Started")))
            }
            EventKind::EmergencyStopped => {
                (alert(), Some(dcm("110138", "Emergency Override Stopped")))
            }
        }
    }
}

/// The Bundle for the entries `keys` (log order), with `observer` as every
/// event's `source.observer`.
pub fn bundle(backend: &dyn Backend, keys: &[RowKey], observer: &str) -> Result<Value> {
    let first_emergency = first_emergency_by_patient(backend)?;
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut bundle = json!({
        "resourceType": "Bundle",
        "meta": {"lastUpdated": now},
        "type": "collection",
        "timestamp": now,
    });
    // FHIR forbids empty arrays: an empty selection is a Bundle without entries.
    if !keys.is_empty() {
        let mut entries = Vec::with_capacity(keys.len());
        for &key in keys {
            let detail = backend
                .detail(key)?
                .ok_or_else(|| BackendError("an exported entry is gone from the logs".into()))?;
            let id = entry_uuid(&detail.row.file, detail.row.line);
            let kind = event_kind(&detail.row, &first_emergency);
            entries.push(json!({
                "fullUrl": format!("urn:uuid:{id}"),
                "resource": audit_event(&detail.row, &detail.raw, &id, kind, observer),
            }));
        }
        bundle["entry"] = Value::Array(entries);
    }
    Ok(bundle)
}

/// The Bundle for `keys` as pretty JSON, observed by the logs themselves:
/// auditui only exports, the application that wrote them saw the events.
pub fn write_bundle(backend: &dyn Backend, keys: &[RowKey], out: &mut dyn Write) -> io::Result<()> {
    super::json::write_pretty(&observed_bundle(backend, keys)?, out)
}

/// The extension on the Bundle's `meta` that carries a verifiable excerpt
/// of the entries (`auditui verify-excerpt` reads it).
pub const EXCERPT_EXTENSION: &str = "urn:auditui:excerpt";

/// [`write_bundle`], carrying `excerpt` (its JSON text) in the Bundle's
/// `meta`: a Bundle is not a DomainResource, so that is where it may go.
pub fn write_bundle_with_excerpt(
    backend: &dyn Backend,
    keys: &[RowKey],
    excerpt: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut bundle = observed_bundle(backend, keys)?;
    bundle["meta"]["extension"] = json!([{"url": EXCERPT_EXTENSION, "valueString": excerpt}]);
    super::json::write_pretty(&bundle, out)
}

/// The Bundle for `keys`, observed by the logs' files.
fn observed_bundle(backend: &dyn Backend, keys: &[RowKey]) -> io::Result<Value> {
    let observer = format!("audit log {}", backend.source_names().join(", "));
    bundle(backend, keys, &observer).map_err(io::Error::other)
}

/// The earliest break-the-glass access of each patient, in the whole log
/// (a review closes an emergency even if the filter left the access out).
fn first_emergency_by_patient(backend: &dyn Backend) -> Result<HashMap<String, (i64, RowKey)>> {
    let never = AtomicBool::new(false);
    let spellings: Vec<String> = backend
        .values(Field::Purpose, &never)?
        .into_iter()
        .filter(|p| is_emergency(p))
        .collect();
    let mut first: HashMap<String, (i64, RowKey)> = HashMap::new();
    if spellings.is_empty() {
        return Ok(first);
    }
    let filter = Filter {
        terms: vec![Term {
            negated: false,
            predicate: Predicate::Field {
                field: Field::Purpose,
                values: spellings,
            },
            span: 0..0,
        }],
    };
    let Some(emergencies) = backend.select(&filter, Order::File, &never)? else {
        return Ok(first);
    };
    let visited = emergencies.for_each(&mut |row, _| {
        if let Some(patient) = &row.patient {
            let at = (row.key.time, row.key);
            first
                .entry(patient.clone())
                .and_modify(|k| *k = (*k).min(at))
                .or_insert(at);
        }
        Ok(())
    })?;
    visited.map_err(|e| BackendError(e.to_string()))?;
    Ok(first)
}

fn event_kind(row: &EntryRow, first_emergency: &HashMap<String, (i64, RowKey)>) -> EventKind {
    if row.purpose.as_deref().is_some_and(is_emergency) {
        EventKind::EmergencyStarted
    } else if is_review(row.tool.as_deref(), row.purpose.as_deref())
        && row
            .patient
            .as_ref()
            .and_then(|p| first_emergency.get(p))
            .is_some_and(|&first| first < (row.key.time, row.key))
    {
        EventKind::EmergencyStopped
    } else if row.patient.is_some() {
        EventKind::PatientRecord
    } else {
        EventKind::ApplicationActivity
    }
}

fn audit_event(row: &EntryRow, raw: &[u8], id: &str, kind: EventKind, observer: &str) -> Value {
    let entry = parse_line(raw).ok();
    let fields = entry.as_ref().map(|e| e.fields());
    let error = fields
        .as_ref()
        .and_then(|f| f.error.as_deref())
        .and_then(fhir_string);

    let mut event = Map::new();
    event.insert("resourceType".into(), "AuditEvent".into());
    event.insert("id".into(), id.into());
    let (type_code, dicom_subtype) = kind.codes();
    event.insert("type".into(), type_code);
    let tool = text(&row.tool);
    let subtypes: Vec<Value> = dicom_subtype
        .into_iter()
        .chain(tool.as_deref().and_then(|t| {
            let code = code_text(t);
            (!code.is_empty()).then(|| json!({"system": TOOL_SYSTEM, "code": code, "display": t}))
        }))
        .collect();
    if !subtypes.is_empty() {
        event.insert("subtype".into(), subtypes.into());
    }
    if let Some(tool) = &tool {
        event.insert("action".into(), action(tool).into());
    }
    let recorded = fields
        .as_ref()
        .and_then(|f| f.timestamp)
        .and_then(|t| instant(&t.decode()));
    match recorded {
        Some(instant) => event.insert("recorded".into(), instant.into()),
        None => event.insert("_recorded".into(), absent("unknown")),
    };
    if let Some(code) = outcome(row.outcome, error.as_deref()) {
        event.insert("outcome".into(), code.into());
    }
    if let Some(error) = error {
        event.insert("outcomeDesc".into(), error.into());
    }
    if let Some(purpose) = text(&row.purpose) {
        let mut concepts = purpose_of_event(&purpose);
        // The break-the-glass concept carries the reason given, as logged.
        let reason = justification_in(raw).and_then(|j| fhir_string(&j));
        if let (Some(btg), Some(reason)) = (concepts.get_mut(1), reason) {
            btg["text"] = reason.into();
        }
        event.insert("purposeOfEvent".into(), concepts.into());
    }
    event.insert("agent".into(), agents(row).into());
    event.insert(
        "source".into(),
        json!({
            "observer": {"display": fhir_string(observer).unwrap_or_else(|| "auditui".into())},
            "type": [coding(SOURCE_TYPE, "4", "Application Server")],
        }),
    );
    let entities = entities(row);
    if !entities.is_empty() {
        event.insert("entity".into(), entities.into());
    }
    Value::Object(event)
}

/// The user (who asked) and the model (which made the call).
fn agents(row: &EntryRow) -> Vec<Value> {
    // `requestor` is required even when the log does not say who it was.
    let mut user = json!({"requestor": true});
    if let Some(id) = text(&row.user) {
        user["who"] = json!({"identifier": {"system": USER_SYSTEM, "value": id}});
    }
    if let Some(role) = text(&row.role) {
        user["role"] = json!([{"text": role}]);
    }
    if let Some(ip) = text(&row.ip) {
        user["network"] = json!({"address": ip, "type": network_type(&ip)});
    }
    let mut agents = vec![user];
    if let Some(model) = text(&row.model) {
        agents.push(json!({
            "type": {"coding": [coding(DCM, "110150", "Application")]},
            "who": {"identifier": {"system": MODEL_SYSTEM, "value": model}, "display": model},
            "requestor": false,
        }));
    }
    agents
}

/// The patient whose record was used, and the conversation it happened in.
fn entities(row: &EntryRow) -> Vec<Value> {
    let mut entities = Vec::new();
    // The lesson logs `patient_id` "unknown" when a call named no patient.
    if let Some(patient) = text(&row.patient).filter(|p| p != "unknown") {
        entities.push(json!({
            "what": patient_reference(&patient),
            "type": coding(ENTITY_TYPE, "1", "Person"),
            "role": coding(OBJECT_ROLE, "1", "Patient"),
        }));
    }
    if let Some(conversation) = text(&row.conversation) {
        entities.push(json!({
            "what": {"identifier": {"system": CONVERSATION_SYSTEM, "value": conversation}},
            "type": coding(ENTITY_TYPE, "2", "System Object"),
            "name": "conversation",
        }));
    }
    entities
}

/// `Patient/<id>` when the id is a valid FHIR id, else an identifier.
pub fn patient_reference(patient: &str) -> Value {
    let is_fhir_id = (1..=64).contains(&patient.len())
        && patient
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.');
    if is_fhir_id {
        json!({"reference": format!("Patient/{patient}")})
    } else {
        json!({"identifier": {"system": PATIENT_SYSTEM, "value": patient}})
    }
}

/// C/R/U/D/E from the verb a tool name starts with (`get_order` → R).
pub fn action(tool: &str) -> &'static str {
    let verb = tool
        .split(['_', '-', ' ', '.'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match verb.as_str() {
        "get" | "search" | "access" | "read" | "list" | "view" | "fetch" | "find" | "lookup"
        | "query" | "review" => "R",
        // Prescribing and booking create a new order or appointment.
        "create" | "schedule" | "initiate" | "add" | "book" | "prescribe" | "register" => "C",
        "update" | "apply" | "issue" | "charge" | "set" | "modify" | "edit" | "change" => "U",
        "delete" | "cancel" | "remove" | "revoke" => "D",
        _ => "E",
    }
}

/// AuditEvent.outcome: `0` success, `8` (serious) for refusals and crashes,
/// which an auditor must see, `4` (minor) for other failures; none when
/// the log does not say.
pub fn outcome(outcome: Outcome, error: Option<&str>) -> Option<&'static str> {
    match outcome {
        Outcome::Ok => Some("0"),
        Outcome::Failed if error.is_some_and(is_denial_or_exception) => Some("8"),
        Outcome::Failed => Some("4"),
        Outcome::Unknown => None,
    }
}

fn is_denial_or_exception(error: &str) -> bool {
    const MARKERS: [&str; 11] = [
        "denied",
        "deny",
        "unauthori",
        "forbidden",
        "not permitted",
        "not allowed",
        "permission",
        "break-glass",
        "break glass",
        "exception",
        "traceback",
    ];
    let lower = error.to_lowercase();
    MARKERS.iter().any(|m| lower.contains(m))
}

/// purposeOfEvent in HL7 v3 ActReason; a purpose with no code is kept as text.
pub fn purpose_of_event(purpose: &str) -> Vec<Value> {
    let reason =
        |code, display| json!({"coding": [coding(ACT_REASON, code, display)], "text": purpose});
    if is_emergency(purpose) {
        return vec![
            reason("ETREAT", "Emergency Treatment"),
            json!({"coding": [coding(ACT_REASON, "BTG", "break the glass")]}),
        ];
    }
    let concept = match purpose.trim().to_lowercase().as_str() {
        "treatment" | "treat" => reason("TREAT", "treatment"),
        "billing" | "payment" => reason("HPAYMT", "healthcare payment"),
        "research" => reason("HRESCH", "healthcare research"),
        "operations" => reason("HOPERAT", "healthcare operations"),
        _ => json!({"text": purpose}),
    };
    vec![concept]
}

/// FHIR's `instant` from a logged timestamp, in the offset it was written
/// in (UTC for a naive time, as everywhere in auditui). `None` when it is
/// not a time, or one FHIR cannot write (years outside 0001-9999, offsets
/// with seconds are given in UTC instead).
pub fn instant(timestamp: &str) -> Option<String> {
    let moment = Moment::parse(timestamp)?;
    let offset = moment
        .offset
        .filter(|s| s % 60 == 0 && s.abs() <= 14 * 3600)
        .unwrap_or(0);
    let text = Moment {
        offset: Some(offset),
        ..moment
    }
    .isoformat();
    let year = text.get(..4)?;
    let plain_year =
        year.bytes().all(|b| b.is_ascii_digit()) && text.as_bytes().get(4) == Some(&b'-');
    (plain_year && year != "0000").then(|| {
        // FHIR spells UTC either way; `Z` is what readers expect.
        match text.strip_suffix("+00:00") {
            Some(utc) => format!("{utc}Z"),
            None => text,
        }
    })
}

/// `1` machine name or `2` IP address (AuditEvent.agent.network.type).
fn network_type(address: &str) -> &'static str {
    if address.parse::<std::net::IpAddr>().is_ok() {
        "2"
    } else {
        "1"
    }
}

/// A deterministic id for the entry at a file and line (RFC 9562 UUIDv8,
/// name-based with SHA-256): the same line exports to the same id every
/// time, so repeated exports can be de-duplicated.
pub fn entry_uuid(file: &str, line: usize) -> String {
    name_uuid(&format!("{file}:{line}"))
}

pub fn name_uuid(name: &str) -> String {
    let digest = Sha256::new()
        .chain_update(NAMESPACE)
        .chain_update(name.as_bytes())
        .finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80; // version 8
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 9562 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Log text as a FHIR string: FHIR forbids empty strings and control
/// characters other than tab, CR and LF (serde_json would escape them, but
/// validators still reject them), so those become U+FFFD.
fn fhir_string(text: &str) -> Option<String> {
    (!text.is_empty()).then(|| {
        text.chars()
            .map(|c| {
                if c < ' ' && !matches!(c, '\t' | '\r' | '\n') {
                    '\u{fffd}'
                } else {
                    c
                }
            })
            .collect()
    })
}

/// A field of an entry as a FHIR string.
fn text(field: &Option<String>) -> Option<String> {
    field.as_deref().and_then(fhir_string)
}

/// A FHIR `code` has no leading, trailing or repeated whitespace.
fn code_text(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn coding(system: &str, code: &str, display: &str) -> Value {
    json!({"system": system, "code": code, "display": display})
}

fn absent(reason: &str) -> Value {
    json!({"extension": [{"url": DATA_ABSENT, "valueCode": reason}]})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_come_from_the_tools_verb() {
        for (tool, expected) in [
            ("get_lab_results", "R"),
            ("search_patients", "R"),
            ("access_patient_record", "R"),
            ("review_emergency_access", "R"),
            ("schedule_appointment", "C"),
            ("initiate_return", "C"),
            ("prescribe_medication", "C"),
            ("update_treatment", "U"),
            ("apply_credit", "U"),
            ("issue_refund", "U"),
            ("charge_payment", "U"),
            ("delete_note", "D"),
            ("cancel_order", "D"),
            ("send_email", "E"),
            ("GetOrder", "E"),
            ("", "E"),
        ] {
            assert_eq!(action(tool), expected, "{tool}");
        }
    }

    #[test]
    fn outcomes_separate_refusals_from_ordinary_failures() {
        assert_eq!(outcome(Outcome::Ok, None), Some("0"));
        assert_eq!(
            outcome(
                Outcome::Failed,
                Some("Access denied: role billing_clerk cannot view clinical notes")
            ),
            Some("8")
        );
        assert_eq!(
            outcome(
                Outcome::Failed,
                Some("Break-glass reason required\n(emergency access)")
            ),
            Some("8")
        );
        assert_eq!(
            outcome(Outcome::Failed, Some("ValueError exception in handler")),
            Some("8")
        );
        assert_eq!(
            outcome(
                Outcome::Failed,
                Some("Patient record locked by another session")
            ),
            Some("4")
        );
        assert_eq!(outcome(Outcome::Failed, None), Some("4"));
        assert_eq!(outcome(Outcome::Unknown, Some("denied")), None);
    }

    #[test]
    fn purposes_map_to_act_reasons_and_emergencies_add_btg() {
        let codes = |p: &str| -> Vec<String> {
            purpose_of_event(p)
                .iter()
                .filter_map(|c| c["coding"][0]["code"].as_str().map(str::to_owned))
                .collect()
        };
        assert_eq!(codes("treatment"), ["TREAT"]);
        assert_eq!(codes("billing"), ["HPAYMT"]);
        assert_eq!(codes("Payment"), ["HPAYMT"]);
        assert_eq!(codes("research"), ["HRESCH"]);
        assert_eq!(codes("operations"), ["HOPERAT"]);
        assert_eq!(codes("emergency"), ["ETREAT", "BTG"]);
        assert_eq!(codes("break-the-glass"), ["ETREAT", "BTG"]);
        assert_eq!(codes("unspecified"), Vec::<String>::new());
        assert_eq!(purpose_of_event("unspecified")[0]["text"], "unspecified");
        assert_eq!(purpose_of_event("research")[0]["text"], "research");
    }

    #[test]
    fn instants_keep_the_logged_offset_and_need_a_zone() {
        assert_eq!(
            instant("2025-07-07T08:00:00.123456+00:00").as_deref(),
            Some("2025-07-07T08:00:00.123456Z")
        );
        assert_eq!(
            instant("2025-07-07T22:50:45.954778+02:00").as_deref(),
            Some("2025-07-07T22:50:45.954778+02:00")
        );
        assert_eq!(
            instant("2025-07-07T12:00").as_deref(),
            Some("2025-07-07T12:00:00Z")
        );
        assert_eq!(
            instant("2025-07-07").as_deref(),
            Some("2025-07-07T00:00:00Z")
        );
        assert_eq!(instant("yesterday"), None);
    }

    #[test]
    fn patients_are_references_when_their_id_allows() {
        assert_eq!(
            patient_reference("P-0007"),
            json!({"reference": "Patient/P-0007"})
        );
        assert_eq!(
            patient_reference("P 7/x"),
            json!({"identifier": {"system": PATIENT_SYSTEM, "value": "P 7/x"}})
        );
    }

    #[test]
    fn entry_ids_are_stable_version_8_uuids() {
        let id = name_uuid("hipaa.jsonl:1");
        assert_eq!(id, name_uuid("hipaa.jsonl:1"));
        assert_ne!(id, name_uuid("hipaa.jsonl:2"));
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "8");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "{id}");
    }

    #[test]
    fn strings_lose_the_control_characters_fhir_forbids() {
        assert_eq!(
            fhir_string("a\u{1b}[31mb\nc").as_deref(),
            Some("a\u{fffd}[31mb\nc")
        );
        assert_eq!(fhir_string(""), None);
        assert_eq!(code_text(" get  order "), "get order");
    }
}
