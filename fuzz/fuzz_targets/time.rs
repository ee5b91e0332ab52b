//! Timestamps: `parse_timestamp` (with its fixed-place reader for the
//! shape loggers write, and its date arithmetic) against the chrono-based
//! reader it replaced, kept here as the reference: the same answer for
//! every input, `None` included. The input's lines are also read one
//! after another by a `TimeReader`, which counts a day only when it is
//! not the previous line's: each line's the reference's answer too.
#![no_main]

use auditui::time::{TimeReader, parse_timestamp};
use chrono::{NaiveDate, NaiveTime};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    assert_eq!(parse_timestamp(input), reference(input), "{input:?}");
    let mut reader = TimeReader::default();
    for line in input.split('\n') {
        assert_eq!(reader.read(line), reference(line), "{line:?} in {input:?}");
    }
});

/// The reader as it was before the fast path (main 4874bb9), verbatim but
/// for its name.
fn reference(text: &str) -> Option<i64> {
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
