//! The access report a filter asks for, built from the seam's operations
//! so the browser (`r`) and the CLI (`report -q`) give the same report from
//! any backend.

use super::{Backend, BackendError, Order, everything};
use crate::filter::{Filter, Predicate};
use crate::views::Moment;
use crate::views::report::{AccessReport, single_patient};
use std::sync::atomic::AtomicBool;

/// The report a filter asks for, the same in the browser (`r`) and the
/// CLI (`report -q`): for `patient` (else the filter's one `patient:`),
/// over `from`..=`to` (else the filter's `since:`/`until:`, else the whole
/// log's span), among the entries the filter selects.
pub fn filtered_report(
    backend: &dyn Backend,
    filter: &Filter,
    patient: Option<&str>,
    from: Option<Moment>,
    to: Option<Moment>,
) -> Result<AccessReport, String> {
    let patient = match patient {
        Some(patient) => patient.to_owned(),
        None => single_patient(filter)
            .ok_or("the access report needs one patient: patient:ID in the filter")?,
    };
    let unanswered = |e: BackendError| format!("the logs could not answer: {e}");
    let selection = backend
        .select(filter, Order::File, &AtomicBool::new(false))
        .map_err(unanswered)?
        .ok_or("never cancelled")?;
    let (mut since, mut until) = (None, None);
    for term in filter.terms.iter().filter(|t| !t.negated) {
        match term.predicate {
            Predicate::Since(t) => since = Some(since.map_or(t, |s: i64| s.max(t))),
            Predicate::Until(t) => until = Some(until.map_or(t, |u: i64| u.min(t))),
            _ => {}
        }
    }
    let (span, _) = everything(backend, Order::File)
        .and_then(|all| all.span())
        .map_err(unanswered)?;
    let (first, last) = span.unwrap_or((0, 0));
    let utc = |micros| Moment {
        micros,
        offset: Some(0),
    };
    let start = from.unwrap_or_else(|| utc(since.unwrap_or(first)));
    let end = to.unwrap_or_else(|| utc(until.unwrap_or(last)));
    let mut report = selection
        .access_report(&patient, start, end)
        .map_err(unanswered)?;
    report.filter = (!filter.is_empty()).then(|| filter.to_string());
    Ok(report)
}
