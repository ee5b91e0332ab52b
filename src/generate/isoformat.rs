//! Python's `datetime.isoformat()` for aware UTC datetimes.

/// `datetime.isoformat()` of an aware UTC datetime:
/// `2025-07-06T14:23:01.456789+00:00`, without the fraction when the
/// microseconds are zero (as Python does).
pub(super) struct IsoFormat {
    pub(super) buf: [u8; 32],
    pub(super) len: usize,
}

impl IsoFormat {
    pub(super) fn new(micros: i64) -> IsoFormat {
        let secs = micros.div_euclid(1_000_000);
        let micro = micros.rem_euclid(1_000_000);
        let (days, of_day) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let (year, month, day) = civil_from_days(days);
        let mut buf = [0u8; 32];
        let mut cursor = std::io::Cursor::new(&mut buf[..]);
        let (h, m, s) = (of_day / 3600, of_day / 60 % 60, of_day % 60);
        std::io::Write::write_fmt(
            &mut cursor,
            format_args!("{year:04}-{month:02}-{day:02}T{h:02}:{m:02}:{s:02}"),
        )
        .expect("fits");
        if micro != 0 {
            std::io::Write::write_fmt(&mut cursor, format_args!(".{micro:06}")).expect("fits");
        }
        std::io::Write::write_all(&mut cursor, b"+00:00").expect("fits");
        let len = cursor.position() as usize;
        IsoFormat { buf, len }
    }

    pub(super) fn as_str(&self) -> &str {
        std::str::from_utf8(&self.buf[..self.len]).expect("ascii")
    }
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's algorithm).
pub(super) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}
