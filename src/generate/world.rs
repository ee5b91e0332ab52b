//! The simulated world: roles, tools, purposes, users and patients.

use super::BURST_USER;
use super::rng::Rng;
use crate::log::canonical::sha256;
use std::fmt::Write as _;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Role {
    SupportAgent,
    Admin,
    Customer,
    Nurse,
    Doctor,
    BillingClerk,
    Researcher,
}

impl Role {
    const ALL: [Role; 7] = [
        Role::SupportAgent,
        Role::Admin,
        Role::Customer,
        Role::Nurse,
        Role::Doctor,
        Role::BillingClerk,
        Role::Researcher,
    ];

    pub(super) fn name(self) -> &'static str {
        match self {
            Role::SupportAgent => "support_agent",
            Role::Admin => "admin",
            Role::Customer => "customer",
            Role::Nurse => "nurse",
            Role::Doctor => "doctor",
            Role::BillingClerk => "billing_clerk",
            Role::Researcher => "researcher",
        }
    }

    pub(super) fn is_clinician(self) -> bool {
        matches!(self, Role::Nurse | Role::Doctor)
    }

    /// Roles whose conversations are about patients, whatever the domain.
    pub(super) fn is_clinical(self) -> bool {
        matches!(self, Role::Nurse | Role::Doctor | Role::Researcher)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Domain {
    Support,
    Clinic,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tool {
    GetCustomer,
    GetOrder,
    UpdateOrderStatus,
    IssueRefund,
    ChargePayment,
    ApplyCredit,
    SearchKb,
    SendEmail,
    InitiateReturn,
    AccessPatientRecord,
    UpdateTreatment,
    ScheduleAppointment,
    PrescribeMedication,
    GetLabResults,
    ReviewEmergencyAccess,
}

impl Tool {
    pub(super) fn name(self) -> &'static str {
        match self {
            Tool::GetCustomer => "get_customer",
            Tool::GetOrder => "get_order",
            Tool::UpdateOrderStatus => "update_order_status",
            Tool::IssueRefund => "issue_refund",
            Tool::ChargePayment => "charge_payment",
            Tool::ApplyCredit => "apply_credit",
            Tool::SearchKb => "search_kb",
            Tool::SendEmail => "send_email",
            Tool::InitiateReturn => "initiate_return",
            Tool::AccessPatientRecord => "access_patient_record",
            Tool::UpdateTreatment => "update_treatment",
            Tool::ScheduleAppointment => "schedule_appointment",
            Tool::PrescribeMedication => "prescribe_medication",
            Tool::GetLabResults => "get_lab_results",
            Tool::ReviewEmergencyAccess => "review_emergency_access",
        }
    }

    /// Typical latency in ms: lookups are fast, payments and email slow.
    pub(super) fn median_ms(self) -> f64 {
        match self {
            Tool::GetCustomer => 45.0,
            Tool::GetOrder => 60.0,
            Tool::UpdateOrderStatus => 120.0,
            Tool::IssueRefund => 350.0,
            Tool::ChargePayment => 850.0,
            Tool::ApplyCredit => 140.0,
            Tool::SearchKb => 230.0,
            Tool::SendEmail => 420.0,
            Tool::InitiateReturn => 180.0,
            Tool::AccessPatientRecord => 95.0,
            Tool::UpdateTreatment => 210.0,
            Tool::ScheduleAppointment => 160.0,
            Tool::PrescribeMedication => 300.0,
            Tool::GetLabResults => 130.0,
            Tool::ReviewEmergencyAccess => 70.0,
        }
    }

    pub(super) fn is_clinical(self) -> bool {
        matches!(
            self,
            Tool::AccessPatientRecord
                | Tool::UpdateTreatment
                | Tool::ScheduleAppointment
                | Tool::PrescribeMedication
                | Tool::GetLabResults
                | Tool::ReviewEmergencyAccess
        )
    }

    /// The backend named in timeout and outage messages.
    pub(super) fn service(self) -> &'static str {
        match self {
            Tool::GetCustomer => "crm-api",
            Tool::GetOrder | Tool::UpdateOrderStatus | Tool::InitiateReturn => "orders-api",
            Tool::IssueRefund | Tool::ChargePayment | Tool::ApplyCredit => "payments-api",
            Tool::SearchKb => "kb-search",
            Tool::SendEmail => "smtp-relay",
            _ => "ehr-gateway",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Purpose {
    Treatment,
    Billing,
    Research,
    Operations,
    Emergency,
}

impl Purpose {
    pub(super) fn name(self) -> &'static str {
        match self {
            Purpose::Treatment => "treatment",
            Purpose::Billing => "billing",
            Purpose::Research => "research",
            Purpose::Operations => "operations",
            Purpose::Emergency => "emergency",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Trigger {
    UserRequest,
    Proactive,
    Retry,
    FollowUp,
    System,
}

impl Trigger {
    pub(super) fn name(self) -> &'static str {
        match self {
            Trigger::UserRequest => "user_request",
            Trigger::Proactive => "proactive",
            Trigger::Retry => "retry",
            Trigger::FollowUp => "follow_up",
            Trigger::System => "system",
        }
    }
}

pub(super) const MODELS: [&str; 4] = [
    "gpt-4.1",
    "gpt-4.1-mini",
    "claude-sonnet-4",
    "gemini-2.5-pro",
];
pub(super) const MODEL_WEIGHTS: [u32; 4] = [35, 30, 20, 15];

/// Users per generated world (the burst user comes on top).
pub(super) const USERS: usize = 200;
/// Patients `P-0001` ..= `P-0300`.
pub(super) const PATIENTS: u16 = 300;

pub(super) struct User {
    pub(super) id: String,
    pub(super) role: Role,
    pub(super) ip: String,
    pub(super) agent: &'static str,
}

/// A patient's PII as the hipaa writer logs it: `hash_pii(value)`.
pub(super) struct Patient {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) date_of_birth: String,
    pub(super) ssn: String,
    pub(super) phone: String,
}

pub(super) struct World {
    pub(super) domain: Domain,
    pub(super) users: Vec<User>,
    pub(super) admins: Vec<usize>,
    pub(super) clinicians: Vec<usize>,
    pub(super) patients: Vec<Patient>,
}

/// The lesson's `hash_pii`: `sha256:` and the first 16 hex digits.
pub(super) fn hash_pii(value: &str) -> String {
    let digest = sha256(value.as_bytes());
    let mut out = String::with_capacity(23);
    out.push_str("sha256:");
    for b in &digest[..8] {
        write!(out, "{b:02x}").expect("writing to a String cannot fail");
    }
    out
}

pub(super) const FIRST_NAMES: [&str; 16] = [
    "José", "Anna", "Lei", "Zoë", "Mohammed", "Ngozi", "Sven", "Priya", "Liam", "Hana", "María",
    "Olga", "Kwame", "Élodie", "Tomás", "Aiko",
];
pub(super) const LAST_NAMES: [&str; 13] = [
    "Müller", "Kowalski", "Li", "Dubois", "Al-Farsi", "Okafor", "Åström", "Raman", "O'Brien",
    "Tanaka", "García", "Ivanova", "Mensah",
];

impl World {
    pub(super) fn new(rng: &mut Rng, domain: Domain, burst: bool) -> World {
        // Support traffic is mostly agents and customers, with some clinic
        // staff; clinic traffic is clinicians plus billing and front desk.
        let weights: [u32; 7] = match domain {
            // SupportAgent, Admin, Customer, Nurse, Doctor, BillingClerk, Researcher
            Domain::Support => [40, 6, 30, 6, 5, 10, 3],
            Domain::Clinic => [7, 7, 0, 38, 28, 12, 8],
        };
        let mut users: Vec<User> = Vec::with_capacity(USERS + 1);
        while users.len() < USERS {
            let id = format!("usr_{}", rng.range(10_000, 99_999));
            if users.iter().any(|u| u.id == id) {
                continue;
            }
            let role = Role::ALL[rng.weighted(&weights)];
            users.push(User {
                id,
                ip: client_ip(rng, role),
                agent: user_agent(rng, role),
                role,
            });
        }
        // Reviews and system jobs need an admin, clinics need clinicians;
        // the last users are the quietest, so forcing their roles changes
        // the role mix least.
        users[USERS - 1].role = Role::Admin;
        users[USERS - 2].role = Role::Doctor;
        if burst {
            users.push(User {
                id: BURST_USER.into(),
                role: Role::Nurse,
                ip: "10.20.7.77".into(),
                agent: "ClinicalAssist/4.0 (Windows NT 10.0; Win64; x64)",
            });
        }
        let by_role = |pred: fn(Role) -> bool| {
            (0..USERS)
                .filter(|&i| pred(users[i].role))
                .collect::<Vec<_>>()
        };
        let admins = by_role(|r| r == Role::Admin);
        let clinicians = by_role(Role::is_clinician);
        let patients = (1..=PATIENTS)
            .map(|n| {
                let i = usize::from(n);
                let name = format!(
                    "{} {}",
                    FIRST_NAMES[i % FIRST_NAMES.len()],
                    LAST_NAMES[(i * 7) % LAST_NAMES.len()]
                );
                let dob = format!(
                    "{}-{:02}-{:02}",
                    1940 + (i * 37) % 80,
                    1 + (i * 5) % 12,
                    1 + (i * 11) % 28
                );
                let ssn = format!(
                    "{:03}-{:02}-{:04}",
                    100 + (i * 7919) % 800,
                    10 + i % 89,
                    (i * 104_729) % 10_000
                );
                let phone = format!("+1-555-{:04}", (i * 3571) % 10_000);
                Patient {
                    id: format!("P-{n:04}"),
                    name: hash_pii(&name),
                    date_of_birth: hash_pii(&dob),
                    ssn: hash_pii(&ssn),
                    phone: hash_pii(&phone),
                }
            })
            .collect();
        World {
            domain,
            users,
            admins,
            clinicians,
            patients,
        }
    }

    /// Some users are far busier than others.
    pub(super) fn pick_user(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        let skewed = if rng.chance(0.3) { u * u } else { u };
        ((skewed * USERS as f64) as usize).min(USERS - 1)
    }

    /// Patient numbers 1..=300; a few dozen chronic patients come up often.
    pub(super) fn pick_patient(&self, rng: &mut Rng) -> u16 {
        if rng.chance(0.3) {
            rng.range(1, 40) as u16
        } else {
            rng.range(1, u64::from(PATIENTS)) as u16
        }
    }
}

pub(super) fn client_ip(rng: &mut Rng, role: Role) -> String {
    match role {
        // Documentation ranges (RFC 5737, RFC 3849): realistic, never real.
        Role::Customer => match rng.below(3) {
            0 => format!("203.0.113.{}", rng.range(1, 254)),
            1 => format!("198.51.100.{}", rng.range(1, 254)),
            _ => format!("2001:db8::{:x}", rng.range(1, 0xffff)),
        },
        Role::Nurse | Role::Doctor => format!("10.20.{}.{}", rng.range(0, 15), rng.range(2, 254)),
        Role::Researcher => format!("172.16.{}.{}", rng.range(0, 3), rng.range(2, 254)),
        _ => format!("10.0.{}.{}", rng.range(0, 9), rng.range(2, 254)),
    }
}

pub(super) fn user_agent(rng: &mut Rng, role: Role) -> &'static str {
    let choices: &[&'static str] = match role {
        Role::SupportAgent | Role::BillingClerk => {
            &["SupportDashboard/2.1", "SupportDashboard/2.2"]
        }
        Role::Admin => &["AdminConsole/1.9", "SupportDashboard/2.2"],
        Role::Customer => &[
            "MyShop-iOS/5.12.1",
            "MyShop-Android/5.11.0",
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0",
        ],
        Role::Nurse | Role::Doctor => &[
            "ClinicalAssist/4.0 (iPad; iOS 18.5)",
            "ClinicalAssist/4.0 (Windows NT 10.0; Win64; x64)",
        ],
        Role::Researcher => &["jupyter-client/8.6.2", "python-httpx/0.27.0"],
    };
    rng.pick(choices)
}
