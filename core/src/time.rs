//! Timestamps: parsing the formats Windows telemetry uses into milliseconds
//! since the Unix epoch (UTC), and formatting them back as RFC 3339.
//!
//! Hand-written rather than a date crate: we need four formats and one output
//! form, and the civil-date arithmetic is twenty lines.

/// Milliseconds since 1970-01-01T00:00:00Z.
pub(crate) type Millis = i64;

/// Parses `YYYY-MM-DD[T ]hh:mm:ss[.fraction][Z|±hh:mm|±hhmm]`.
///
/// A missing zone means UTC: Sysmon's `UtcTime` has none and is UTC by
/// definition. Fractions beyond milliseconds are truncated. Returns `None`
/// on anything else, including out-of-range fields.
pub(crate) fn parse_timestamp(s: &str) -> Option<Millis> {
    let b = s.trim().as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = digits(b, 5, 2)?;
    let day = digits(b, 8, 2)?;
    match b.get(10) {
        Some(b'T') | Some(b't') | Some(b' ') => {}
        _ => return None,
    }
    let hour = digits(b, 11, 2)?;
    if b.get(13) != Some(&b':') {
        return None;
    }
    let minute = digits(b, 14, 2)?;
    if b.get(16) != Some(&b':') {
        return None;
    }
    let second = digits(b, 17, 2)?;
    if !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut pos = 19;
    let mut millis = 0i64;
    if b.get(pos) == Some(&b'.') || b.get(pos) == Some(&b',') {
        pos += 1;
        let start = pos;
        while let Some(d) = b.get(pos).filter(|c| c.is_ascii_digit()) {
            if pos - start < 3 {
                millis = millis * 10 + i64::from(d - b'0');
            }
            pos += 1;
        }
        let n = pos - start;
        if n == 0 {
            return None;
        }
        for _ in n..3 {
            millis *= 10;
        }
    }
    let offset_minutes: i64 = match b.get(pos) {
        None => 0,
        Some(b'Z') | Some(b'z') if pos + 1 == b.len() => 0,
        Some(&sign @ (b'+' | b'-')) => {
            let oh = digits(b, pos + 1, 2)?;
            let rest = &b[(pos + 3).min(b.len())..];
            let om = match rest {
                [] => 0,
                [b':', m1, m2] | [m1, m2] => digits(&[*m1, *m2], 0, 2)?,
                _ => return None,
            };
            if oh > 23 || om > 59 {
                return None;
            }
            let total = oh * 60 + om;
            if sign == b'+' {
                total
            } else {
                -total
            }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_minutes * 60;
    Some(secs * 1_000 + millis)
}

/// Interprets a number as epoch seconds or milliseconds by magnitude:
/// below 10^11 it is seconds (that is the year 5138 in seconds, 1973 in ms).
pub(crate) fn from_epoch_number(n: f64) -> Option<Millis> {
    if !n.is_finite() || !(0.0..=1e15).contains(&n) {
        return None;
    }
    if n < 1e11 {
        Some((n * 1_000.0) as i64)
    } else {
        Some(n as i64)
    }
}

/// Formats as `YYYY-MM-DDThh:mm:ss.mmmZ`.
pub(crate) fn format_rfc3339(ms: Millis) -> String {
    let secs = ms.div_euclid(1_000);
    let millis = ms.rem_euclid(1_000);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z", rem / 3_600, (rem / 60) % 60, rem % 60)
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = b.get(at..at + n)?;
    let mut v = 0i64;
    for &c in slice {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

// Howard Hinnant's algorithms (public domain), days relative to 1970-01-01.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sysmon_utc_time() {
        let t = parse_timestamp("2020-10-22 03:28:11.220").unwrap();
        assert_eq!(format_rfc3339(t), "2020-10-22T03:28:11.220Z");
    }

    #[test]
    fn rfc3339_with_seven_fraction_digits_and_zone() {
        let t = parse_timestamp("2020-10-27T10:17:18.3977626Z").unwrap();
        assert_eq!(format_rfc3339(t), "2020-10-27T10:17:18.397Z");
        let t = parse_timestamp("2020-10-27T12:17:18+02:00").unwrap();
        assert_eq!(format_rfc3339(t), "2020-10-27T10:17:18.000Z");
        let t = parse_timestamp("2020-10-27T08:17:18.5-0200").unwrap();
        assert_eq!(format_rfc3339(t), "2020-10-27T10:17:18.500Z");
    }

    #[test]
    fn rejects_garbage_and_out_of_range() {
        for s in [
            "",
            "2020-13-01 00:00:00",
            "2021-02-29 00:00:00",
            "2020-10-22",
            "2020-10-22 25:00:00",
            "2020-10-22T00:00:00Q",
            "2020-10-22T00:00:00.Z",
            "yesterday",
            "2020-10-22T00:00:00+9",
        ] {
            assert_eq!(parse_timestamp(s), None, "{s}");
        }
    }

    #[test]
    fn leap_day_and_epoch_round_trip() {
        assert_eq!(parse_timestamp("1970-01-01T00:00:00Z"), Some(0));
        let t = parse_timestamp("2024-02-29 23:59:59.999").unwrap();
        assert_eq!(format_rfc3339(t), "2024-02-29T23:59:59.999Z");
        assert_eq!(format_rfc3339(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn epoch_numbers_by_magnitude() {
        assert_eq!(from_epoch_number(1_603_337_291.0), Some(1_603_337_291_000));
        assert_eq!(from_epoch_number(1_603_337_291_220.0), Some(1_603_337_291_220));
        assert_eq!(from_epoch_number(f64::NAN), None);
        assert_eq!(from_epoch_number(-5.0), None);
    }
}
