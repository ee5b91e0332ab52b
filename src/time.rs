//! Times as the store keeps them and as people write them: timestamps in
//! microseconds since the Unix epoch (UTC) and durations in microseconds,
//! each with a parser and the canonical form it reads back.

use chrono::{DateTime, Datelike, SecondsFormat, TimeZone};

/// Microseconds since the Unix epoch, UTC: the store's time unit.
pub type Timestamp = i64;

/// Reads the timestamps logs and users write: `2025-07-07`, `2025-07-07T12:00`,
/// `2025-07-07 12:00:00.123`, each optionally followed by `Z`, `+02:00`, `+0200`
/// or `+02`. Naive times are UTC. Digits past microseconds are truncated.
pub fn parse_timestamp(text: &str) -> Option<Timestamp> {
    if let Some(time) = parse_logged(text.as_bytes()) {
        return Some(time);
    }
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
    let midnight = days_from_civil(number(0, 4)?, number(5, 2)?, number(8, 2)?)? * MICROS_A_DAY;
    if s.len() == 10 {
        return Some(midnight);
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
    // What chrono's `NaiveTime::from_hms_micro_opt` accepts with
    // `micros` below a second: no leap second.
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let time = i64::from(hour * 3600 + minute * 60 + second) * 1_000_000 + i64::from(micros);

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
    Some(midnight + time - offset_seconds * 1_000_000)
}

const MICROS_A_DAY: i64 = 86_400_000_000;

/// The shape loggers write, `2025-07-06T08:00:00`, then `.` and digits or
/// not, then `+00:00`, `-05:30` or `Z`, read at its fixed places: what
/// [`parse_timestamp`] reads of it, at a fraction of the cost (every
/// loaded entry's timestamp is read). `None` for any other text, which
/// [`parse_timestamp`] then reads in full.
fn parse_logged(s: &[u8]) -> Option<Timestamp> {
    read_logged(s, &mut LastDay::default())
}

/// Reads timestamps one after another as [`parse_timestamp`] does,
/// counting a day only when it is not the previous timestamp's: a log's
/// neighbouring entries mostly share their day (BENCHMARKS.md, "Issue 21").
#[derive(Debug, Default)]
pub struct TimeReader {
    last: LastDay,
}

impl TimeReader {
    pub fn read(&mut self, text: &str) -> Option<Timestamp> {
        read_logged(text.as_bytes(), &mut self.last).or_else(|| parse_timestamp(text))
    }
}

/// A valid day's text (`2025-07-06`) and its midnight; at first no text,
/// which no day's equals.
#[derive(Debug, Default)]
struct LastDay {
    text: [u8; 10],
    midnight: Timestamp,
}

/// [`parse_logged`], taking the midnight from `last` when the day is its
/// and remembering it otherwise.
fn read_logged(s: &[u8], last: &mut LastDay) -> Option<Timestamp> {
    /// `10^(6 - n)`, for a fraction of `n` digits.
    const SCALE: [u32; 7] = [1_000_000, 100_000, 10_000, 1_000, 100, 10, 1];
    let (head, rest) = s.split_first_chunk::<19>()?;
    // `2025-07-06T08:00:00` checked as three overlapping words of eight
    // bytes, each against its part of the shape at once.
    let word = |at: usize| u64::from_le_bytes(*head[at..].first_chunk().expect("eight bytes"));
    let fits = |at: usize, shape: &Shape| {
        let word = word(at);
        word & shape.mask == shape.expected
            && word.wrapping_add(shape.nudge) & shape.digits == shape.expected & shape.digits
    };
    const DATE: Shape = Shape::of(b"dddd-dd-");
    const DAY_HOUR: Shape = Shape::of(b"ddTdd:dd");
    const TIME: Shape = Shape::of(b"dd:dd:dd");
    if !(fits(0, &DATE) && fits(8, &DAY_HOUR) && fits(11, &TIME)) {
        return None;
    }
    let digit = |at: usize| u32::from(head[at] & 0x0f);
    let pair = |at: usize| digit(at) * 10 + digit(at + 1);
    let day = &head[..10];
    let midnight = if *day == last.text {
        last.midnight
    } else {
        let midnight = days_from_civil(pair(0) * 100 + pair(2), pair(5), pair(8))? * MICROS_A_DAY;
        last.text.copy_from_slice(day);
        last.midnight = midnight;
        midnight
    };
    let (hour, minute, second) = (pair(11), pair(14), pair(17));
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let (micros, zone) = match rest {
        [b'.', fraction @ ..] => {
            let digits = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                return None;
            }
            let kept = &fraction[..digits.min(6)];
            let micros = kept.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0'));
            (micros * SCALE[kept.len()], &fraction[digits..])
        }
        _ => (0, rest),
    };
    let offset = match zone {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let two = |high: u8, low: u8| {
                let (high, low) = (high.wrapping_sub(b'0'), low.wrapping_sub(b'0'));
                (high < 10 && low < 10).then(|| u32::from(high) * 10 + u32::from(low))
            };
            let (hours, minutes) = (two(*h1, *h2)?, two(*m1, *m2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let seconds = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -seconds } else { seconds }
        }
        _ => return None,
    };
    let time = i64::from(hour * 3600 + minute * 60 + second) * 1_000_000 + i64::from(micros);
    Some(midnight + time - offset * 1_000_000)
}

/// Eight bytes of a shape: `d` for a digit, any other byte for itself.
/// A byte fits when its high half is the shape's (`3` for a digit, the
/// whole byte for a mark) and, for a digit, adding 6 keeps that half: `0`
/// to `9`, not `:` to `?`. A fitting word has no byte above `9`, so the
/// nudge carries into no neighbour.
struct Shape {
    mask: u64,
    expected: u64,
    nudge: u64,
    digits: u64,
}

impl Shape {
    const fn of(shape: &[u8; 8]) -> Shape {
        let (mut mask, mut expected, mut nudge, mut digits) = (0, 0, 0, 0);
        let mut at = 0;
        while at < 8 {
            let shift = 8 * at;
            if shape[at] == b'd' {
                mask |= 0xf0 << shift;
                expected |= 0x30 << shift;
                nudge |= 0x06 << shift;
                digits |= 0xf0 << shift;
            } else {
                mask |= 0xff << shift;
                expected |= (shape[at] as u64) << shift;
            }
            at += 1;
        }
        Shape {
            mask,
            expected,
            nudge,
            digits,
        }
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date of years 0 to 9999,
/// `None` for a day the month does not have (what chrono's
/// `NaiveDate::from_ymd_opt` accepts there). Arithmetic rather than
/// chrono: every loaded entry's timestamp is read with it, and chrono's
/// date checks cost several times as much (BENCHMARKS.md, "Issue 21").
fn days_from_civil(year: u32, month: u32, day: u32) -> Option<i64> {
    let leap = year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400));
    let month_days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if day == 0 || day > month_days {
        return None;
    }
    // Years counted from March, so that the leap day ends a year; shifted
    // by 400 years so that the arithmetic stays on non-negative numbers.
    let (year, month, day) = (i64::from(year) + 400, i64::from(month), i64::from(day));
    let year = if month <= 2 { year - 1 } else { year };
    let (era, of_era) = (year / 400, year % 400);
    let of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let of_era = of_era * 365 + of_era / 4 - of_era / 100 + of_year;
    Some((era - 1) * 146_097 + of_era - 719_468)
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
    use chrono::NaiveDate;
    use proptest::prelude::*;

    /// 2025-07-07T00:00:00Z.
    const JULY_7: i64 = 1_751_846_400_000_000;
    const HOUR: i64 = 3_600_000_000;

    #[test]
    fn dates_are_counted_as_chrono_counts_them() {
        let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap();
        let years = (0..=8).chain(1596..=2404).chain(9992..=9999);
        for year in years {
            for month in 0..=13 {
                for day in 0..=32 {
                    let chrono = NaiveDate::from_ymd_opt(year as i32, month, day)
                        .map(|date| (date - epoch).num_days());
                    assert_eq!(
                        days_from_civil(year, month, day),
                        chrono,
                        "{year}-{month}-{day}"
                    );
                }
            }
        }
    }

    #[test]
    fn logged_timestamps_are_read_as_the_full_reader_reads_them() {
        let full = |text: &str| {
            // The full reader alone: a leading space skips the fixed one.
            parse_timestamp(&format!(" {text}"))
        };
        let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
        let mut next = |below: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % below
        };
        for _ in 0..100_000 {
            let fraction = match next(4) {
                0 => String::new(),
                1 => ".".to_owned(),
                _ => format!(".{}", &next(u64::MAX).to_string()[..1 + next(12) as usize]),
            };
            let zone = [
                "Z", "+00:00", "-05:30", "+14:59", "+24:00", "+0200", "z", " Z", "",
            ];
            let text = format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{fraction}{}",
                next(10_000),
                next(14),
                next(33),
                next(25),
                next(61),
                next(61),
                zone[next(zone.len() as u64) as usize],
            );
            assert_eq!(
                parse_logged(text.as_bytes()).or(full(&text)),
                full(&text),
                "{text}"
            );
        }
        for odd in [
            "2025-07-06T08:00:00+00:0",
            "2025-07-06T08:00:00",
            "2025-07-06T08:00:00.",
            "2025-07-06T08:0a:00Z",
            "2025-07-06T08:0::00Z",
            "2025-07-06T08:0/:00Z",
            "2025-07-0?T08:00:00Z",
            "2025/07-06T08:00:00Z",
            "2025-07-06T08:00:\u{3}0Z",
            "\u{ff}025-07-06T08:00:00Z",
            "2025-07-06T08:00:00\u{ff}",
            "2025-07-06 08:00:00Z",
            "2025-07-06T08:00:00Z ",
        ] {
            assert_eq!(parse_logged(odd.as_bytes()), None, "{odd}");
        }
        // Every ASCII byte in every place of two logged timestamps.
        for logged in ["2025-07-06T08:00:00+00:00", "2024-02-29T23:59:59.123456Z"] {
            for at in 0..logged.len() {
                for byte in 0..128u8 {
                    let mut text = logged.as_bytes().to_vec();
                    text[at] = byte;
                    let text = String::from_utf8(text).expect("ASCII");
                    let read = parse_logged(text.as_bytes());
                    assert_eq!(read.or(full(&text)), full(&text), "{text:?}");
                }
            }
        }
        assert_eq!(
            parse_logged(b"2025-07-07T12:00:00.5+02:00"),
            Some(JULY_7 + 10 * HOUR + 500_000)
        );
    }

    #[test]
    fn a_time_reader_reads_each_timestamp_as_the_full_reader_reads_it() {
        // Days repeated, invalid days and times among them, and a day
        // seen before a line that is not a timestamp of the logged shape.
        let days = [
            "2025-07-06",
            "2024-02-29",
            "2025-02-29",
            "2025-13-01",
            "0000-01-01",
        ];
        let rests = [
            "T08:00:00+00:00",
            "T23:59:59.999999Z",
            "T24:00:00Z",
            "T08:00:00.1234567-05:30",
            "T08:00:00+0200",
            "T08:00",
            " 08:00:00Z",
            "",
        ];
        let mut reader = TimeReader::default();
        let mut seed = 7_u64;
        for _ in 0..20_000 {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let pick = (seed >> 33) as usize;
            let text = format!(
                "{}{}",
                days[pick % days.len()],
                rests[pick / 7 % rests.len()]
            );
            assert_eq!(reader.read(&text), parse_timestamp(&text), "{text}");
        }
    }

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
