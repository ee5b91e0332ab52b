//! Showing the store's UTC microseconds as local time or UTC.

use crate::store::store::NO_TIME;
use crate::time::format_timestamp;
use chrono::{DateTime, Local, SecondsFormat};

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

/// An instant as a filter reads it back, in the zone shown and with its
/// offset: `2025-07-06T11:00:00+02:00`, or `…Z` in UTC.
pub fn format_instant(micros: i64, utc: bool) -> String {
    match DateTime::from_timestamp_micros(micros) {
        Some(time) if !utc => time
            .with_timezone(&Local)
            .to_rfc3339_opts(SecondsFormat::AutoSi, false),
        _ => format_timestamp(micros),
    }
}

/// The zone name shown next to times, so a screenshot says which it is.
pub fn zone_label(utc: bool) -> &'static str {
    if utc { "UTC" } else { "local" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::parse_timestamp;

    #[test]
    fn an_instant_written_in_either_zone_reads_back_as_itself() {
        let t = 1_751_810_400_123_456;
        assert_eq!(format_instant(t, true), "2025-07-06T14:00:00.123456Z");
        for utc in [true, false] {
            assert_eq!(parse_timestamp(&format_instant(t, utc)), Some(t));
        }
    }
}
