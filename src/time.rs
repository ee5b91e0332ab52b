//! Times as the store keeps them and as people write them: timestamps in
//! microseconds since the Unix epoch (UTC) and durations in microseconds,
//! each with a parser and the canonical form it reads back.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, SecondsFormat, TimeZone};

/// Microseconds since the Unix epoch, UTC: the store's time unit.
pub type Timestamp = i64;

/// Reads the timestamps logs and users write: `2025-07-07`, `2025-07-07T12:00`,
/// `2025-07-07 12:00:00.123`, each optionally followed by `Z`, `+02:00`, `+0200`
/// or `+02`. Naive times are UTC. Digits past microseconds are truncated.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    let s = text.trim().as_bytes();
    let number = |at: usize, len: usize| -> Option<u32> {
        let digits = s.get(at..at + len)?;
        digits
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| digits.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
    };
    if s.get(4) != Some(&b'-') || s.get(7) != Some(&b'-') {
        return None;
    }
    let year = i32::try_from(number(0, 4)?).ok()?;
    let date = NaiveDate::from_ymd_opt(year, number(5, 2)?, number(8, 2)?)?;
    if s.len() == 10 {
        return Some(date.and_time(NaiveTime::MIN).and_utc().timestamp_micros());
    }

    if !matches!(s[10], b'T' | b't' | b' ') || s.get(13) != Some(&b':') {
        return None;
    }
    let (hour, minute) = (number(11, 2)?, number(14, 2)?);
    let mut at = 16;
    let (mut second, mut micros) = (0, 0);
    if s.get(at) == Some(&b':') {
        second = number(at + 1, 2)?;
        at += 3;
        if matches!(s.get(at), Some(b'.' | b',')) {
            at += 1;
            let digits = s[at..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let kept = digits.min(6);
            micros = number(at, kept)? * 10u32.pow(6 - kept as u32);
            at += digits;
        }
    }
    let time = NaiveTime::from_hms_micro_opt(hour, minute, second, micros)?;

    let offset_seconds = match s.get(at) {
        None => 0,
        Some(b'Z' | b'z') if at + 1 == s.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let hours = number(at + 1, 2)?;
            at += 3;
            let minutes = match s.get(at) {
                None => 0,
                Some(b':') => number(at + 1, 2)?,
                Some(_) => number(at, 2)?,
            };
            let width = match s.get(at) {
                None => 0,
                Some(b':') => 3,
                Some(_) => 2,
            };
            if at + width != s.len() || hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if sign == b'-' { -seconds } else { seconds }
        }
        Some(_) => return None,
    };
    Some(date.and_time(time).and_utc().timestamp_micros() - offset_seconds * 1_000_000)
}

/// How a typed time without an offset is read: in UTC (the CLI, and the
/// browser showing UTC) or in the local zone the browser shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Utc,
    Local,
}

impl Zone {
    /// The instant that the wall-clock time `naive` (read as if UTC) names
    /// in this zone; in a repeated local hour, the earlier one.
    fn resolve(self, naive: Timestamp) -> Option<Timestamp> {
        match self {
            Zone::Utc => Some(naive),
            Zone::Local => {
                let wall = DateTime::from_timestamp_micros(naive)?.naive_utc();
                let local = chrono::Local.from_local_datetime(&wall).earliest()?;
                Some(local.timestamp_micros())
            }
        }
    }
}

const DAY: Timestamp = 86_400_000_000;

/// A time a person typed: with an offset, that instant; without one, read
/// in `zone`. A date alone is the start of that day, or with `end_of_day`
/// (the end of a range, which includes it) its last microsecond.
pub fn parse_time_in(text: &str, zone: Zone, end_of_day: bool) -> Option<Timestamp> {
    let text = text.trim();
    let micros = parse_timestamp(text)?;
    // Past the date only an offset has a sign or a `Z`.
    if text[10..].contains(['+', '-', 'Z', 'z']) {
        return Some(micros);
    }
    if end_of_day && text.len() == 10 {
        return Some(zone.resolve(micros.checked_add(DAY)?)? - 1);
    }
    zone.resolve(micros)
}

/// The canonical form [`parse_timestamp`] reads back: RFC 3339 in UTC with a
/// fraction only when needed. Instants outside years 0–9999, which the parser
/// never produces, print as raw microseconds.
pub fn format_timestamp(micros: Timestamp) -> String {
    DateTime::from_timestamp_micros(micros)
        .filter(|time| (0..=9999).contains(&time.year()))
        .map_or_else(
            || micros.to_string(),
            |time| time.to_rfc3339_opts(SecondsFormat::AutoSi, true),
        )
}

/// Duration units, largest first, in microseconds.
const UNITS: [(&str, i64); 7] = [
    ("w", 7 * 86_400_000_000),
    ("d", 86_400_000_000),
    ("h", 3_600_000_000),
    ("m", 60_000_000),
    ("s", 1_000_000),
    ("ms", 1_000),
    ("us", 1),
];

/// Reads `90s`, `15m`, `1h30m`, `2d`, `1w`, `250ms`, `10us` into microseconds.
/// Units are lowercase so that `M` is never mistaken for months.
pub fn parse_duration(text: &str) -> Option<i64> {
    let mut rest = text.trim().as_bytes();
    if rest.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    while !rest.is_empty() {
        let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
        let (number, tail) = rest.split_at(digits);
        let letters = tail.iter().take_while(|b| b.is_ascii_lowercase()).count();
        let (unit, tail) = tail.split_at(letters);
        if number.is_empty() {
            return None;
        }
        let count = number.iter().try_fold(0i64, |n, d| {
            n.checked_mul(10)?.checked_add(i64::from(d - b'0'))
        })?;
        let (_, scale) = UNITS.iter().find(|(name, _)| name.as_bytes() == unit)?;
        total = total.checked_add(count.checked_mul(*scale)?)?;
        rest = tail;
    }
    Some(total)
}

/// The canonical form [`parse_duration`] reads back (`1h30m`, `0s`).
pub fn format_duration(micros: i64) -> String {
    if micros == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    if micros < 0 {
        out.push('-');
    }
    let mut left = micros.unsigned_abs();
    for (name, scale) in UNITS {
        let scale = scale.unsigned_abs();
        if left >= scale {
            out.push_str(&format!("{}{name}", left / scale));
            left %= scale;
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use proptest::prelude::*;

    /// 2025-07-07T00:00:00Z.
    const JULY_7: i64 = 1_751_846_400_000_000;
    const HOUR: i64 = 3_600_000_000;

    /// Years 0000 to 9999, the range RFC 3339 can write.
    pub(crate) fn any_timestamp() -> impl Strategy<Value = i64> {
        -62_167_219_200_000_000i64..=253_402_300_799_999_999
    }

    #[test]
    fn times_without_an_offset_are_read_in_the_zone_asked_for() {
        let local = |text| parse_time_in(text, Zone::Local, false).unwrap();
        let expected = chrono::Local
            .with_ymd_and_hms(2025, 7, 7, 12, 0, 0)
            .earliest()
            .unwrap()
            .timestamp_micros();
        assert_eq!(local("2025-07-07T12:00"), expected);
        assert_eq!(local("2025-07-07T12:00Z"), JULY_7 + 12 * HOUR);
        assert_eq!(local("2025-07-07T14:00+02:00"), JULY_7 + 12 * HOUR);
    }

    #[test]
    fn timestamps_with_offsets_are_converted_to_utc() {
        let ten = JULY_7 + 10 * HOUR;
        assert_eq!(parse_timestamp("2025-07-07T12:00:00+02:00"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T12:00:00+0200"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T12:00+02"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T10:00:00Z"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07t10:00:00z"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T10:00:00-00:00"), Some(ten));
        assert_eq!(parse_timestamp("2025-07-07T04:30:00-05:30"), Some(ten));
    }

    #[test]
    fn timestamps_keep_fractions_to_the_microsecond() {
        let noon = JULY_7 + 12 * HOUR;
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00.123"),
            Some(noon + 123_000)
        );
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00,5Z"),
            Some(noon + 500_000)
        );
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00.123456+00:00"),
            Some(noon + 123_456)
        );
        assert_eq!(
            parse_timestamp("2025-07-07T12:00:00.123456789Z"),
            Some(noon + 123_456)
        );
        assert_eq!(parse_timestamp("2025-07-07 12:00"), Some(noon));
        assert_eq!(parse_timestamp("  2025-07-07  "), Some(JULY_7));
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_timestamp("1969-12-31T23:59:59.999999Z"), Some(-1));
    }

    #[test]
    fn malformed_timestamps_are_rejected() {
        for bad in [
            "",
            "2025",
            "2025-13-01",
            "2025-02-30",
            "2025-7-7",
            "2025-07-07T25:00",
            "2025-07-07T12:60",
            "2025-07-07T12:00:60",
            "2025-07-07T12",
            "2025-07-07T12:00:00.",
            "2025-07-07T12:00+24:00",
            "2025-07-07T12:00+02:60",
            "2025-07-07T12:00:00+02:00x",
            "2025-07-07Z",
            "2025-07-07T12:00Zx",
            "2025-07-07X12:00",
            "12:00",
            "yesterday",
            "२०२५-07-07",
            "2025-07-07T12:00:00.1é",
        ] {
            assert_eq!(parse_timestamp(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn timestamps_format_as_rfc3339_utc_with_a_fraction_only_when_needed() {
        assert_eq!(format_timestamp(JULY_7 + 10 * HOUR), "2025-07-07T10:00:00Z");
        assert_eq!(
            format_timestamp(JULY_7 + 500_000),
            "2025-07-07T00:00:00.500Z"
        );
        assert_eq!(format_timestamp(JULY_7 + 7), "2025-07-07T00:00:00.000007Z");
        assert_eq!(format_timestamp(i64::MAX), i64::MAX.to_string());
    }

    #[test]
    fn durations_add_up_their_units() {
        for (input, micros) in [
            ("90s", 90_000_000),
            ("15m", 15 * 60_000_000),
            ("1h", HOUR),
            ("2d", 48 * HOUR),
            ("1w", 7 * 24 * HOUR),
            ("1h30m", HOUR * 3 / 2),
            ("250ms", 250_000),
            ("10us", 10),
            ("0s", 0),
        ] {
            assert_eq!(parse_duration(input), Some(micros), "{input}");
        }
    }

    #[test]
    fn malformed_durations_are_rejected() {
        for bad in [
            "",
            "1",
            "h",
            "1H",
            "1M",
            "1.5h",
            "1y",
            "-1h",
            "1h 30m",
            "h1",
            "1hh",
            "99999999999999999999s",
            "9999999999999w",
            "1µs",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn durations_format_in_largest_units() {
        assert_eq!(format_duration(HOUR * 3 / 2), "1h30m");
        assert_eq!(format_duration(0), "0s");
        assert_eq!(format_duration(8 * 24 * HOUR + 1_001), "1w1d1ms1us");
    }

    proptest! {
        #[test]
        fn timestamps_round_trip(micros in any_timestamp()) {
            prop_assert_eq!(parse_timestamp(&format_timestamp(micros)), Some(micros));
        }

        #[test]
        fn durations_round_trip(micros in 0..=i64::MAX) {
            prop_assert_eq!(parse_duration(&format_duration(micros)), Some(micros));
        }
    }
}
