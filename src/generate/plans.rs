//! Traffic plans: the tool calls an assistant makes for one user request,
//! per role and domain, with their weights.

use super::rng::Rng;
use super::world::{Domain, Purpose, Role, Tool};

// Conversation plans: the calls an assistant makes for one user request.
pub(super) const REFUND: &[Tool] = &[
    Tool::GetCustomer,
    Tool::GetOrder,
    Tool::IssueRefund,
    Tool::SendEmail,
];
pub(super) const ORDER_STATUS: &[Tool] =
    &[Tool::GetOrder, Tool::UpdateOrderStatus, Tool::SendEmail];
pub(super) const RETURN: &[Tool] = &[Tool::GetOrder, Tool::InitiateReturn, Tool::SendEmail];
pub(super) const CHARGE: &[Tool] = &[Tool::GetCustomer, Tool::ChargePayment, Tool::SendEmail];
pub(super) const CREDIT: &[Tool] = &[Tool::GetCustomer, Tool::ApplyCredit];
pub(super) const KB: &[Tool] = &[Tool::SearchKb];
pub(super) const KB_EMAIL: &[Tool] = &[Tool::SearchKb, Tool::SendEmail];
pub(super) const LOOKUP: &[Tool] = &[Tool::GetCustomer, Tool::GetOrder];
pub(super) const ORDER: &[Tool] = &[Tool::GetOrder];
pub(super) const ORDER_REFUND: &[Tool] = &[Tool::GetOrder, Tool::IssueRefund];
pub(super) const CUSTOMER_RETURN: &[Tool] = &[Tool::GetOrder, Tool::InitiateReturn];
pub(super) const CUSTOMER_CANCEL: &[Tool] = &[Tool::GetOrder, Tool::UpdateOrderStatus];
pub(super) const KB_ORDER: &[Tool] = &[Tool::SearchKb, Tool::GetOrder];
pub(super) const RECORD_LABS: &[Tool] = &[Tool::AccessPatientRecord, Tool::GetLabResults];
pub(super) const RECORD_TREAT: &[Tool] = &[Tool::AccessPatientRecord, Tool::UpdateTreatment];
pub(super) const APPOINTMENT: &[Tool] = &[Tool::ScheduleAppointment];
pub(super) const APPOINTMENT_EMAIL: &[Tool] = &[Tool::ScheduleAppointment, Tool::SendEmail];
pub(super) const RECORD_APPOINTMENT: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::ScheduleAppointment,
    Tool::SendEmail,
];
pub(super) const WORKUP: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::GetLabResults,
    Tool::UpdateTreatment,
];
pub(super) const PRESCRIBE: &[Tool] = &[Tool::AccessPatientRecord, Tool::PrescribeMedication];
pub(super) const TREAT_FOLLOW_UP: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::UpdateTreatment,
    Tool::ScheduleAppointment,
];
pub(super) const LABS: &[Tool] = &[Tool::GetLabResults];
pub(super) const COHORT: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::AccessPatientRecord,
    Tool::AccessPatientRecord,
];
pub(super) const LITERATURE: &[Tool] = &[Tool::SearchKb, Tool::AccessPatientRecord];
pub(super) const LAB_SERIES: &[Tool] = &[Tool::GetLabResults, Tool::GetLabResults];
pub(super) const RECORD: &[Tool] = &[Tool::AccessPatientRecord];
pub(super) const BILLING_RECORD: &[Tool] = &[Tool::AccessPatientRecord, Tool::SendEmail];
pub(super) const EMERGENCY: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::GetLabResults,
    Tool::PrescribeMedication,
];
pub(super) const EMERGENCY_SHORT: &[Tool] = &[Tool::AccessPatientRecord, Tool::UpdateTreatment];
pub(super) const REVIEW: &[Tool] = &[Tool::ReviewEmergencyAccess];
pub(super) const BURST: &[Tool] = &[
    Tool::AccessPatientRecord,
    Tool::AccessPatientRecord,
    Tool::GetLabResults,
];
pub(super) const EMAIL: &[Tool] = &[Tool::SendEmail];
pub(super) const STATUS_JOB: &[Tool] = &[Tool::UpdateOrderStatus];

pub(super) type Plans = &'static [(&'static [Tool], u32)];

pub(super) fn plans(role: Role, domain: Domain) -> Plans {
    match (role, domain) {
        (Role::Nurse, _) => &[
            (RECORD_LABS, 4),
            (RECORD_TREAT, 3),
            (APPOINTMENT, 2),
            (RECORD_APPOINTMENT, 2),
        ],
        (Role::Doctor, _) => &[(WORKUP, 4), (PRESCRIBE, 3), (TREAT_FOLLOW_UP, 2), (LABS, 2)],
        (Role::Researcher, _) => &[(COHORT, 3), (LITERATURE, 2), (LAB_SERIES, 2)],
        (Role::BillingClerk, Domain::Clinic) => &[(BILLING_RECORD, 3), (RECORD, 2)],
        (Role::Admin, Domain::Clinic) => &[(RECORD, 2), (APPOINTMENT, 1)],
        (_, Domain::Clinic) => &[(APPOINTMENT_EMAIL, 3), (APPOINTMENT, 2)],
        (Role::SupportAgent, Domain::Support) => &[
            (REFUND, 4),
            (ORDER_STATUS, 3),
            (RETURN, 3),
            (CHARGE, 1),
            (CREDIT, 1),
            (KB, 2),
            (KB_EMAIL, 2),
            (LOOKUP, 2),
        ],
        (Role::Customer, Domain::Support) => &[
            (ORDER, 4),
            (CUSTOMER_RETURN, 2),
            (CUSTOMER_CANCEL, 2),
            (KB, 3),
            (KB_ORDER, 2),
        ],
        (Role::BillingClerk, Domain::Support) => {
            &[(CHARGE, 3), (CREDIT, 3), (REFUND, 2), (ORDER_REFUND, 2)]
        }
        (Role::Admin, Domain::Support) => &[
            (CREDIT, 2),
            (LOOKUP, 2),
            (KB, 1),
            (ORDER_STATUS, 2),
            (REFUND, 1),
        ],
    }
}

pub(super) fn system_plans(domain: Domain) -> Plans {
    match domain {
        Domain::Support => &[(EMAIL, 3), (STATUS_JOB, 2), (KB, 1)],
        Domain::Clinic => &[(EMAIL, 3), (APPOINTMENT, 1)],
    }
}

pub(super) fn pick_plan(rng: &mut Rng, plans: Plans) -> &'static [Tool] {
    let weights: Vec<u32> = plans.iter().map(|p| p.1).collect();
    plans[rng.weighted(&weights)].0
}

pub(super) fn purpose_for(rng: &mut Rng, role: Role) -> Purpose {
    match role {
        Role::Nurse | Role::Doctor => {
            if rng.chance(0.9) {
                Purpose::Treatment
            } else {
                Purpose::Operations
            }
        }
        Role::BillingClerk => Purpose::Billing,
        Role::Researcher => Purpose::Research,
        Role::SupportAgent => {
            if rng.chance(0.7) {
                Purpose::Operations
            } else {
                Purpose::Billing
            }
        }
        Role::Admin | Role::Customer => Purpose::Operations,
    }
}
