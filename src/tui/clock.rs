//! Showing the store's UTC microseconds as local time or UTC.

use crate::store::store::NO_TIME;
use chrono::{DateTime, Local};

/// `2025-07-06 14:23:01`, to the second: the table's resolution. Times the
/// log did not record, or that chrono cannot represent, show as `-`.
pub fn format_time(micros: i64, utc: bool) -> String {
    format_time_as(micros, utc, "%Y-%m-%d %H:%M:%S")
}

/// A time in a chrono `format` (the histogram labels it more briefly).
pub fn format_time_as(micros: i64, utc: bool, format: &str) -> String {
    if micros == NO_TIME {
        return "-".into();
    }
    match DateTime::from_timestamp_micros(micros) {
        Some(time) if utc => time.format(format).to_string(),
        Some(time) => time.with_timezone(&Local).format(format).to_string(),
        None => "-".into(),
    }
}

/// The zone name shown next to times, so a screenshot says which it is.
pub fn zone_label(utc: bool) -> &'static str {
    if utc { "UTC" } else { "local" }
}
