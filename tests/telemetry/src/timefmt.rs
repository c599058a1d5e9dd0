//! Time formatting for every schema's clock fields, from epoch milliseconds. Hand-written (no chrono)
//! because the crate may only use serde/serde_json, and because each schema wants a slightly
//! different text: Sysmon `UtcTime` has no zone and 3 digits, evtx 7 digits, Defender 7 or trimmed.

/// Parts of a UTC instant.
struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: u32,
    milli: u32,
}

fn civil(ms: i64) -> Civil {
    let days = ms.div_euclid(86_400_000);
    let rem = ms.rem_euclid(86_400_000);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    let secs = rem / 1000;
    Civil {
        year,
        month,
        day,
        hour: (secs / 3600) as u32,
        min: (secs / 60 % 60) as u32,
        sec: (secs % 60) as u32,
        milli: (rem % 1000) as u32,
    }
}

fn push_num(out: &mut String, v: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    let mut v = v;
    while v > 0 {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
    let digits = buf.len() - i;
    for _ in digits..width {
        out.push('0');
    }
    // Safe: only ASCII digits were written.
    out.push_str(std::str::from_utf8(&buf[i..]).unwrap_or("0"));
}

fn push_date_time(out: &mut String, c: &Civil, sep: char) {
    push_num(out, c.year.max(0) as u64, 4);
    out.push('-');
    push_num(out, c.month as u64, 2);
    out.push('-');
    push_num(out, c.day as u64, 2);
    out.push(sep);
    push_num(out, c.hour as u64, 2);
    out.push(':');
    push_num(out, c.min as u64, 2);
    out.push(':');
    push_num(out, c.sec as u64, 2);
}

/// Sysmon `UtcTime`: `2020-10-22 03:28:11.220` (UTC, no zone designator).
pub fn sysmon(ms: i64) -> String {
    let c = civil(ms);
    let mut s = String::with_capacity(23);
    push_date_time(&mut s, &c, ' ');
    s.push('.');
    push_num(&mut s, c.milli as u64, 3);
    s
}

/// RFC 3339 with milliseconds: `2020-10-22T03:28:11.220Z`.
pub fn iso_ms(ms: i64) -> String {
    let c = civil(ms);
    let mut s = String::with_capacity(24);
    push_date_time(&mut s, &c, 'T');
    s.push('.');
    push_num(&mut s, c.milli as u64, 3);
    s.push('Z');
    s
}

/// RFC 3339 with 7 fractional digits (Windows FILETIME precision): the milliseconds followed by
/// `sub` (0..10_000, the 100 ns ticks inside the millisecond).
pub fn iso_7(ms: i64, sub: u32) -> String {
    let c = civil(ms);
    let mut s = String::with_capacity(28);
    push_date_time(&mut s, &c, 'T');
    s.push('.');
    push_num(&mut s, c.milli as u64 * 10_000 + (sub % 10_000) as u64, 7);
    s.push('Z');
    s
}

/// Like `iso_7` with trailing zeros of the fraction dropped, as Defender writes some
/// `*CreationTime` columns (`18:49:17.528333Z`).
pub fn iso_trimmed(ms: i64, sub: u32) -> String {
    let mut s = iso_7(ms, sub);
    s.pop(); // 'Z'
    while s.ends_with('0') {
        s.pop();
    }
    if s.ends_with('.') {
        s.pop();
    }
    s.push('Z');
    s
}

/// Seconds since 1601-01-01 (Windows FILETIME epoch), with 9 fractional digits: the start-time part of
/// Elastic Defend's `process.entity_id` (`13293571988.657898600`).
pub fn windows_seconds(ms: i64) -> String {
    const EPOCH_DIFF_MS: i64 = 11_644_473_600_000;
    let w = ms + EPOCH_DIFF_MS;
    format!("{}.{:03}000000", w.div_euclid(1000), w.rem_euclid(1000))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        // 2020-10-22T03:28:11.220Z, the OTRF example.
        let ms = 1_603_337_291_220;
        assert_eq!(sysmon(ms), "2020-10-22 03:28:11.220");
        assert_eq!(iso_ms(ms), "2020-10-22T03:28:11.220Z");
        assert_eq!(iso_7(ms, 626), "2020-10-22T03:28:11.2200626Z");
        assert_eq!(iso_trimmed(ms, 3000), "2020-10-22T03:28:11.2203Z");
        assert_eq!(iso_trimmed(ms - 220, 0), "2020-10-22T03:28:11Z");
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(951_782_400_000), "2000-02-29T00:00:00.000Z");
        assert_eq!(windows_seconds(0), "11644473600.000000000");
    }
}
