//! The bodies of entries: arguments and results of each tool call, as the
//! lesson's writers print them.

use super::isoformat::IsoFormat;
use super::pyjson::PyJson;
use super::rng::Rng;
use super::traffic::{Call, Failure, Review, has_patient_argument, patient_id};
use super::world::{Domain, Patient, Role, Tool, World};
use std::fmt;
use std::fmt::Display;

pub(super) const REDACTED: &str = "***REDACTED***";

pub(super) const REASONS: [&str; 10] = [
    "Item arrived damaged",
    "Customer changed mind",
    "Wrong size delivered",
    "Package lost in transit",
    "Duplicate charge",
    "Late delivery",
    "Kunde José Müller: Rückerstattung wegen Lieferverzug",
    "Colis reçu endommagé — remboursement demandé",
    "李雷 reports the item never arrived",
    "Zoë asked to cancel before shipping 📦",
];
pub(super) const QUERIES: [&str; 10] = [
    "refund policy",
    "shipping times",
    "how to reset password",
    "return window for electronics",
    "warranty claim process",
    "international shipping rates",
    "Rückgabe ohne Kassenbon",
    "envío a Canarias",
    "退货政策",
    "cancel subscription 😕",
];
pub(super) const CLINICAL_QUERIES: [&str; 6] = [
    "sepsis protocol",
    "pediatric dosing amoxicillin",
    "HbA1c target elderly",
    "drug interaction warfarin ibuprofen",
    "Leitlinie Hypertonie 2024",
    "post-op wound care",
];
pub(super) const ORDER_NOTES: [&str; 6] = [
    "Customer requested expedited handling",
    "Address corrected by agent",
    "Hold until payment clears",
    "Kunde möchte Lieferung an Packstation",
    "李雷 asked for delivery after 6pm",
    "Fragile — handle with care 🙏",
];
pub(super) const CLINICAL_NOTES: [&str; 7] = [
    "Continue current regimen, review in 2 weeks",
    "Dose reduced after lab results",
    "Patient reports mild headache",
    "Allergic to penicillin — avoid β-lactams",
    "Paciente refiere dolor torácico leve",
    "家属要求复诊",
    "BP 128/82, HR 72, afebrile",
];
pub(super) const SUBJECTS: [&str; 8] = [
    "Your refund is on its way 💸",
    "Update on your order",
    "Your return label",
    "Payment receipt",
    "Re: Ihre Bestellung — Rückerstattung",
    "Votre commande a été expédiée",
    "您的订单已发货",
    "How to reset your password",
];
pub(super) const JUSTIFICATIONS: [&str; 4] = [
    "Unresponsive patient in ER, consent not possible",
    "Trauma admission, attending unavailable",
    "Suspected anaphylaxis — need allergy history now",
    "Code blue on ward 4B",
];
pub(super) const ORDER_STATUSES: [&str; 5] =
    ["shipped", "cancelled", "on_hold", "processing", "delivered"];
pub(super) const CUSTOMER_STATUSES: [&str; 5] = ["active", "active", "active", "vip", "suspended"];
pub(super) const CURRENCIES: [&str; 5] = ["USD", "USD", "USD", "EUR", "GBP"];
pub(super) const PAYMENT_METHODS: [&str; 3] =
    ["pm_card_visa", "pm_card_mastercard", "pm_sepa_debit"];
pub(super) const SUPPORT_TEMPLATES: [&str; 5] = [
    "refund_confirmation",
    "order_update",
    "return_label",
    "payment_receipt",
    "kb_article",
];
pub(super) const CLINIC_TEMPLATES: [&str; 3] = [
    "appointment_reminder",
    "lab_results_ready",
    "billing_statement",
];
pub(super) const SECTIONS: [&[&str]; 6] = [
    &["allergies", "medications"],
    &["labs"],
    &["notes", "vitals"],
    &["medications"],
    &["demographics"],
    &["allergies", "medications", "labs"],
];
pub(super) const BILLING_SECTIONS: &[&str] = &["billing", "insurance"];
pub(super) const DEPARTMENTS: [&str; 7] = [
    "Cardiology",
    "Oncology",
    "Pediatrics",
    "Orthopedics",
    "Dermatology",
    "Radiology",
    "General Practice",
];
pub(super) const DRUGS: [&str; 6] = [
    "Amoxicillin 500 mg",
    "Metformin 850 mg",
    "Lisinopril 10 mg",
    "Atorvastatin 20 mg",
    "Ibuprofen 400 mg",
    "Levothyroxine 50 µg",
];
pub(super) const PANELS: [&str; 6] = ["CBC", "BMP", "Lipid panel", "HbA1c", "TSH", "Troponin"];
pub(super) const LANGS: [&str; 5] = ["en", "en", "de", "fr", "es"];
/// Test card numbers: the lesson's `_sanitize` misses the key `card_number`,
/// so a careless integration leaks them (something a leak scan should find).
pub(super) const LEAKED_CARDS: [&str; 2] = ["4111111111111111", "5555555555554444"];

pub(super) struct ConversationId(pub(super) u32);
impl Display for ConversationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "conv_{:08x}", self.0)
    }
}

pub(super) struct OrderId(pub(super) u32);
impl Display for OrderId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ORD-{}", self.0)
    }
}

pub(super) struct CustomerId(pub(super) u32);
impl Display for CustomerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "C-{}", self.0)
    }
}

/// Result identifiers such as `RF-123456` or `ch_5f0c3a9b81d2`.
#[derive(Clone, Copy)]
pub(super) enum Ident {
    Num(&'static str, u64),
    Hex(&'static str, u64),
}
impl Display for Ident {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ident::Num(prefix, n) => write!(f, "{prefix}{n}"),
            Ident::Hex(prefix, n) => write!(f, "{prefix}{:012x}", n & 0xffff_ffff_ffff),
        }
    }
}

/// The keys `_summarize_result` copies, in its order.
#[derive(Default)]
pub(super) struct Summary {
    pub(super) id: Option<Ident>,
    pub(super) order: Option<u32>,
    pub(super) customer: Option<u32>,
    pub(super) patient_as_id: bool,
    pub(super) status: Option<&'static str>,
    pub(super) count: Option<u64>,
    /// `len(json.dumps(result))` when over 1000 characters.
    pub(super) size: Option<u64>,
}

/// A slot like `2025-07-09T10:30`, some days after `now`.
pub(super) struct Slot(pub(super) i64);
impl Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = IsoFormat::new(self.0);
        f.write_str(&t.as_str()[..16])
    }
}

/// Write `"arguments": {...}, "result_summary": {...}` (hipaa:
/// `arguments_sanitized`, and the sanitised raw result instead of
/// `_summarize_result`'s shape).
pub(super) fn write_body(
    w: &mut PyJson<'_>,
    world: &World,
    rng: &mut Rng,
    call: &Call,
    now: i64,
    hipaa: bool,
) {
    let mut body = Body {
        world,
        call,
        now,
        hipaa,
        role: world.users[call.user].role,
        patient: (call.patient > 0).then(|| &world.patients[usize::from(call.patient) - 1]),
        // Arguments come from the call's own seed so that a retry repeats them.
        a: Rng::new(call.args_seed),
        rng,
        sum: Summary::default(),
        status: "",
        sections: &[],
        department: "",
        panel: "",
        slot: 0,
    };
    w.key(if hipaa {
        "arguments_sanitized"
    } else {
        "arguments"
    })
    .begin_object();
    body.arguments(w);
    w.end_object();

    w.key("result_summary").begin_object();
    let failure_text = call.failure.map(|f| FailureText {
        failure: f,
        call,
        role: body.role,
        world,
        args_seed: call.args_seed,
    });
    match failure_text {
        // `_summarize_result`: success, error, then the identifier keys.
        Some(text) if !hipaa => {
            w.key("success").bool(false);
            w.key("error").text(text);
        }
        Some(text) => {
            w.key("error").text(text);
        }
        None if !hipaa => {
            w.key("success").bool(true);
            body.summary(w);
        }
        None => body.hipaa_result(w),
    }
    w.end_object();
}

/// One call's body being written: the call, the two random streams, and
/// what the arguments decided that the result repeats.
struct Body<'a> {
    world: &'a World,
    call: &'a Call,
    now: i64,
    hipaa: bool,
    role: Role,
    patient: Option<&'a Patient>,
    /// The arguments' stream, seeded by the call.
    a: Rng,
    /// The log's stream, for results.
    rng: &'a mut Rng,
    sum: Summary,
    status: &'static str,
    sections: &'static [&'static str],
    department: &'static str,
    panel: &'static str,
    slot: i64,
}

impl Body<'_> {
    fn order(&self) -> OrderId {
        OrderId(self.call.order)
    }

    fn customer(&self) -> CustomerId {
        CustomerId(self.call.customer)
    }

    /// The arguments object's keys: the patient and purpose, then the tool's.
    fn arguments(&mut self, w: &mut PyJson<'_>) {
        if has_patient_argument(self.world.domain, self.call.tool)
            && let Some(p) = self.patient
        {
            w.key("patient_id").str(&p.id);
        }
        if self.call.tool.is_clinical() && !self.hipaa {
            // AuditEntry has no purpose field: the tool takes it as an argument.
            w.key("purpose").str(self.call.purpose.name());
        }
        match self.call.tool {
            Tool::GetCustomer => self.get_customer(w),
            Tool::GetOrder => self.get_order(w),
            Tool::UpdateOrderStatus => self.update_order_status(w),
            Tool::IssueRefund => self.issue_refund(w),
            Tool::ChargePayment => self.charge_payment(w),
            Tool::ApplyCredit => self.apply_credit(w),
            Tool::SearchKb => self.search_kb(w),
            Tool::SendEmail => self.send_email(w),
            Tool::InitiateReturn => self.initiate_return(w),
            Tool::AccessPatientRecord => self.access_patient_record(w),
            Tool::UpdateTreatment => self.update_treatment(w),
            Tool::ScheduleAppointment => self.schedule_appointment(w),
            Tool::PrescribeMedication => self.prescribe_medication(w),
            Tool::GetLabResults => self.get_lab_results(w),
            Tool::ReviewEmergencyAccess => self.review_emergency_access(w),
        }
    }

    fn get_customer(&mut self, w: &mut PyJson<'_>) {
        w.key("customer_id").text(self.customer());
        if self.a.chance(0.2) {
            w.key("include")
                .begin_array()
                .str("orders")
                .str("tickets")
                .end_array();
        }
        if self.a.chance(0.04) {
            w.key("auth").begin_object();
            w.key("user")
                .str(&self.world.users[self.call.user].id)
                .key("password")
                .str(REDACTED);
            w.end_object();
        }
        self.sum.customer = Some(self.call.customer);
        self.sum.status = Some(self.rng.pick(&CUSTOMER_STATUSES));
        self.sum.size = self.rng.chance(0.15).then(|| self.rng.range(1001, 9000));
    }

    fn get_order(&mut self, w: &mut PyJson<'_>) {
        w.key("order_id").text(self.order());
        let items = self.a.chance(0.3);
        if items {
            w.key("include_items").bool(true);
        }
        self.sum.order = Some(self.call.order);
        self.sum.status = Some(self.rng.pick(&ORDER_STATUSES[..]));
        self.sum.size = (items && self.rng.chance(0.3)).then(|| self.rng.range(1001, 6000));
    }

    fn update_order_status(&mut self, w: &mut PyJson<'_>) {
        w.key("order_id").text(self.order());
        self.status = if self.role == Role::Customer {
            "cancelled"
        } else {
            self.a.pick(&ORDER_STATUSES)
        };
        w.key("status").str(self.status);
        if self.a.chance(0.25) {
            w.key("note").str(self.a.pick(&ORDER_NOTES));
        }
        self.sum.order = Some(self.call.order);
        self.sum.status = Some(self.status);
    }

    fn issue_refund(&mut self, w: &mut PyJson<'_>) {
        w.key("order_id").text(self.order());
        w.key("amount").float(amount(&mut self.a, 500, 50_000));
        w.key("currency").str(self.a.pick(&CURRENCIES));
        w.key("reason").str(self.a.pick(&REASONS));
        self.sum.id = Some(Ident::Num("RF-", self.rng.range(100_000, 999_999)));
        self.sum.order = Some(self.call.order);
        self.sum.status = Some(if self.rng.chance(0.8) {
            "processed"
        } else {
            "pending"
        });
    }

    fn charge_payment(&mut self, w: &mut PyJson<'_>) {
        w.key("customer_id").text(self.customer());
        w.key("amount").float(amount(&mut self.a, 999, 120_000));
        w.key("currency").str(self.a.pick(&CURRENCIES));
        w.key("payment_method").str(self.a.pick(&PAYMENT_METHODS));
        w.key("api_key").str(REDACTED);
        if self.a.chance(0.002) {
            w.key("card_number").str(self.a.pick(&LEAKED_CARDS));
        }
        self.sum.id = Some(Ident::Hex("ch_", self.rng.next_u64()));
        self.sum.customer = Some(self.call.customer);
        self.sum.status = Some("succeeded");
    }

    fn apply_credit(&mut self, w: &mut PyJson<'_>) {
        w.key("customer_id").text(self.customer());
        w.key("amount").float(amount(&mut self.a, 500, 10_000));
        w.key("reason").str(self.a.pick(&REASONS));
        self.sum.id = Some(Ident::Num("CR-", self.rng.range(10_000, 99_999)));
        self.sum.customer = Some(self.call.customer);
    }

    fn search_kb(&mut self, w: &mut PyJson<'_>) {
        let clinical = self.world.domain == Domain::Clinic || self.role.is_clinical();
        w.key("query").str(if clinical {
            self.a.pick(&CLINICAL_QUERIES)
        } else {
            self.a.pick(&QUERIES)
        });
        w.key("limit").int(self.a.pick(&[5, 10, 10, 20]));
        if self.a.chance(0.4) {
            w.key("filters").begin_object();
            w.key("lang")
                .str(self.a.pick(&LANGS))
                .key("token")
                .str(REDACTED);
            w.end_object();
        }
        let count = self.rng.below(60);
        self.sum.count = Some(count);
        self.sum.size = (count > 12).then(|| 400 + count * self.rng.range(60, 160));
    }

    fn send_email(&mut self, w: &mut PyJson<'_>) {
        if self.world.domain == Domain::Clinic {
            w.key("template").str(self.a.pick(&CLINIC_TEMPLATES));
            if self.hipaa
                && let Some(p) = self.patient
            {
                w.key("patient_name").str(&p.name);
            }
        } else {
            w.key("customer_id").text(self.customer());
            w.key("template").str(self.a.pick(&SUPPORT_TEMPLATES));
            w.key("subject").str(self.a.pick(&SUBJECTS));
            if self.a.chance(0.05) {
                w.key("headers").begin_object();
                w.key("Authorization").str(REDACTED);
                w.key("X-Request-Id")
                    .text(Ident::Hex("req_", self.a.next_u64()));
                w.end_object();
            }
        }
        self.sum.id = Some(Ident::Hex("msg_", self.rng.next_u64()));
        self.sum.status = Some("queued");
    }

    fn initiate_return(&mut self, w: &mut PyJson<'_>) {
        w.key("order_id").text(self.order());
        w.key("reason").str(self.a.pick(&REASONS));
        w.key("items").begin_array();
        for _ in 0..self.a.range(1, 3) {
            w.text(Ident::Num("SKU-", self.a.range(10_000, 99_999)));
        }
        w.end_array();
        self.sum.id = Some(Ident::Num("RET-", self.rng.range(1000, 9999)));
        self.sum.order = Some(self.call.order);
        self.sum.status = Some("return_requested");
    }

    fn access_patient_record(&mut self, w: &mut PyJson<'_>) {
        let billing = self.role == Role::BillingClerk;
        self.sections = if billing {
            BILLING_SECTIONS
        } else {
            self.a.pick(&SECTIONS)
        };
        w.key("sections").begin_array();
        for s in self.sections {
            w.str(s);
        }
        w.end_array();
        if let Some(p) = self.patient.filter(|_| self.hipaa) {
            if self.a.chance(0.3) {
                w.key("patient_name").str(&p.name);
            }
            if self.a.chance(0.15) {
                w.key("date_of_birth").str(&p.date_of_birth);
            }
            if billing && self.a.chance(0.5) {
                w.key("ssn").str(&p.ssn);
            }
        } else if billing && self.a.chance(0.5) {
            // `_sanitize` redacts ssn in the general audit log.
            w.key("ssn").str(REDACTED);
        }
        if self.call.break_glass {
            w.key("break_glass").bool(true);
            w.key("justification").str(self.a.pick(&JUSTIFICATIONS));
        }
        self.sum.patient_as_id = true;
        self.sum.count = Some(self.rng.range(1, 40));
        self.sum.size = self.rng.chance(0.1).then(|| self.rng.range(1001, 20_000));
    }

    fn update_treatment(&mut self, w: &mut PyJson<'_>) {
        w.key("plan").str(self.a.pick(&CLINICAL_NOTES));
        if let Some(p) = self.patient.filter(|_| self.hipaa && self.a.chance(0.1)) {
            w.key("date_of_birth").str(&p.date_of_birth);
        }
        self.sum.id = Some(Ident::Num("TX-", self.rng.range(100_000, 999_999)));
        self.sum.status = Some("updated");
    }

    fn schedule_appointment(&mut self, w: &mut PyJson<'_>) {
        if let Some(p) = self.patient.filter(|_| self.hipaa) {
            w.key("patient_name").str(&p.name);
            w.key("phone").str(&p.phone);
        }
        self.department = self.a.pick(&DEPARTMENTS);
        // Whole and half hours, 08:00-16:30, 1-20 days ahead.
        let day = self.now.div_euclid(86_400_000_000) + self.a.range(1, 20) as i64;
        self.slot = day * 86_400_000_000 + (8 * 60 + 30 * self.a.range(0, 17) as i64) * 60_000_000;
        w.key("department").str(self.department);
        w.key("slot").text(Slot(self.slot));
        if self.a.chance(0.2) {
            w.key("notes").str(self.a.pick(&CLINICAL_NOTES));
        }
        self.sum.id = Some(Ident::Num("APT-", self.rng.range(100_000, 999_999)));
        self.sum.status = Some("booked");
    }

    fn prescribe_medication(&mut self, w: &mut PyJson<'_>) {
        w.key("drug").str(self.a.pick(&DRUGS));
        w.key("refills").int(self.a.range(0, 3) as i64);
        if let Some(p) = self.patient.filter(|_| self.hipaa && self.a.chance(0.2)) {
            w.key("patient_name").str(&p.name);
        }
        self.sum.id = Some(Ident::Num("RX-", self.rng.range(100_000, 999_999)));
        self.sum.status = Some("sent_to_pharmacy");
    }

    fn get_lab_results(&mut self, w: &mut PyJson<'_>) {
        self.panel = self.a.pick(&PANELS);
        w.key("panel").str(self.panel);
        self.sum.count = Some(self.rng.range(1, 12));
    }

    fn review_emergency_access(&mut self, w: &mut PyJson<'_>) {
        let review = self.call.review.unwrap_or(Review {
            reviewed: self.call.user,
            at_micros: self.now,
        });
        w.key("reviewed_user")
            .str(&self.world.users[review.reviewed].id);
        w.key("emergency_access_at")
            .str(IsoFormat::new(review.at_micros).as_str());
        self.status = if self.a.chance(0.85) {
            "justified"
        } else {
            "needs_follow_up"
        };
        w.key("decision").str(self.status);
        self.sum.id = Some(Ident::Num("REV-", self.rng.range(1000, 9999)));
        self.sum.status = Some(self.status);
    }

    /// `_summarize_result`'s identifier keys of a success, in its order.
    fn summary(&self, w: &mut PyJson<'_>) {
        let sum = &self.sum;
        if let Some(id) = sum.id {
            w.key("id").text(id);
        } else if let Some(p) = self.patient.filter(|_| sum.patient_as_id) {
            w.key("id").str(&p.id);
        }
        if let Some(o) = sum.order {
            w.key("order_id").text(OrderId(o));
        }
        if let Some(c) = sum.customer {
            w.key("customer_id").text(CustomerId(c));
        }
        if let Some(s) = sum.status {
            w.key("status").str(s);
        }
        if let Some(n) = sum.count {
            w.key("count").int(n as i64);
        }
        if let Some(size) = sum.size {
            w.key("_result_size")
                .int(size as i64)
                .key("_truncated")
                .bool(true);
        }
    }

    /// The hipaa writer logs the whole result of a success, PII hashed.
    fn hipaa_result(&mut self, w: &mut PyJson<'_>) {
        let sum = &self.sum;
        match self.call.tool {
            Tool::AccessPatientRecord => {
                if let Some(p) = self.patient {
                    w.key("patient_name").str(&p.name);
                }
                w.key("records_returned").int(sum.count.unwrap_or(1) as i64);
                if let Some(p) = self.patient.filter(|_| self.role != Role::BillingClerk) {
                    w.key("date_of_birth").str(&p.date_of_birth);
                }
                w.key("sections").begin_array();
                for s in self.sections {
                    w.str(s);
                }
                w.end_array();
            }
            Tool::GetLabResults => {
                let count = sum.count.unwrap_or(1);
                w.key("panel")
                    .str(self.panel)
                    .key("results_count")
                    .int(count as i64);
                w.key("abnormal")
                    .int(self.rng.below(count.min(3) + 1) as i64);
            }
            Tool::ScheduleAppointment => {
                w.key("appointment_id").text(sum.id.expect("id"));
                w.key("slot")
                    .text(Slot(self.slot))
                    .key("department")
                    .str(self.department);
            }
            Tool::UpdateTreatment => {
                w.key("treatment_id")
                    .text(sum.id.expect("id"))
                    .key("status")
                    .str("updated");
            }
            Tool::PrescribeMedication => {
                w.key("prescription_id")
                    .text(sum.id.expect("id"))
                    .key("status")
                    .str("sent_to_pharmacy");
            }
            Tool::ReviewEmergencyAccess => {
                w.key("review_id")
                    .text(sum.id.expect("id"))
                    .key("decision")
                    .str(self.status);
            }
            Tool::SearchKb => {
                w.key("count").int(sum.count.unwrap_or(0) as i64);
            }
            _ => {
                if let Some(id) = sum.id {
                    w.key("message_id").text(id);
                }
                w.key("status").str(sum.status.unwrap_or("ok"));
            }
        }
    }
}

/// A money amount in [lo, hi] cents as the float the tool received.
pub(super) fn amount(a: &mut Rng, lo_cents: u64, hi_cents: u64) -> f64 {
    // Round sums are common (credits of 25.0), the rest end in .99 or anything.
    let cents = match a.below(4) {
        0 => a.range(lo_cents / 500, hi_cents / 500) * 500,
        1 => a.range(lo_cents / 100, hi_cents / 100) * 100 + 99,
        _ => a.range(lo_cents, hi_cents),
    };
    cents.max(1) as f64 / 100.0
}

/// A realistic error message for a failed call.
pub(super) struct FailureText<'a> {
    pub(super) failure: Failure,
    pub(super) call: &'a Call,
    pub(super) role: Role,
    pub(super) world: &'a World,
    pub(super) args_seed: u64,
}

impl Display for FailureText<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let call = self.call;
        let tool = call.tool;
        let patient = patient_id(self.world, call);
        match self.failure {
            Failure::Timeout => {
                write!(f, "Timed out after 30000 ms waiting for {}", tool.service())
            }
            Failure::RateLimited => {
                write!(
                    f,
                    "Rate limit exceeded for {}: retry after {}s",
                    tool.service(),
                    1 + self.args_seed % 5
                )
            }
            Failure::Unavailable => write!(f, "{} unavailable (HTTP 503)", tool.service()),
            Failure::NotFound => match tool {
                Tool::GetOrder | Tool::IssueRefund | Tool::InitiateReturn => {
                    write!(f, "Order {} not found", OrderId(call.order))
                }
                Tool::GetCustomer => write!(f, "Customer {} not found", CustomerId(call.customer)),
                Tool::SendEmail => f.write_str("Recipient has no email address on file"),
                Tool::GetLabResults => {
                    write!(f, "No lab results for {patient} in the last 12 months")
                }
                _ => write!(f, "Patient {patient} not found"),
            },
            Failure::Conflict => match tool {
                Tool::UpdateOrderStatus => f.write_str("Cannot cancel shipped order"),
                Tool::IssueRefund => f.write_str("Refund amount exceeds order total"),
                Tool::InitiateReturn => write!(
                    f,
                    "Return window closed for order {} (30 days)",
                    OrderId(call.order)
                ),
                Tool::ApplyCredit => write!(
                    f,
                    "Credit limit exceeded for customer {}",
                    CustomerId(call.customer)
                ),
                Tool::ChargePayment => {
                    f.write_str("Duplicate charge blocked (idempotency key reused)")
                }
                Tool::GetOrder => write!(
                    f,
                    "Order {} belongs to another customer",
                    OrderId(call.order)
                ),
                Tool::ScheduleAppointment => f.write_str("Requested slot is no longer available"),
                Tool::PrescribeMedication => {
                    f.write_str("Interaction check failed: requires pharmacist override")
                }
                Tool::UpdateTreatment => {
                    f.write_str("Treatment plan was changed by another user; reload and retry")
                }
                _ => f.write_str("Conflict: the record was modified concurrently"),
            },
            Failure::Declined => f.write_str(if self.args_seed.is_multiple_of(3) {
                "Payment declined: card expired"
            } else {
                "Payment declined: insufficient funds"
            }),
            Failure::Denied => match (self.role, tool) {
                (Role::BillingClerk, _) if tool.is_clinical() => {
                    f.write_str("Access denied: role billing_clerk cannot view clinical notes")
                }
                (Role::Researcher, _) => write!(
                    f,
                    "Access denied: research access to {patient} requires IRB approval"
                ),
                (Role::Customer, _) => write!(
                    f,
                    "Permission denied: order {} belongs to another account",
                    OrderId(call.order)
                ),
                (role, tool) => write!(
                    f,
                    "Permission denied: role {} cannot call {}",
                    role.name(),
                    tool.name()
                ),
            },
            Failure::Invalid => match tool {
                Tool::UpdateOrderStatus => {
                    f.write_str("Invalid status transition: delivered -> processing")
                }
                _ => f.write_str("Invalid recipient address"),
            },
        }
    }
}
