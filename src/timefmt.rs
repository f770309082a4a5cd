//! Times as Kubernetes prints them, in UTC, without libc's time functions.
//!
//! The formats are Go's: `metav1.Time` (RFC 3339 to the second), the CRI log
//! records' `time.RFC3339Nano` (fraction with its trailing zeros trimmed), the
//! kubelet's rotated-log suffix, and kubectl's AGE column
//! (`duration.HumanDuration` of k8s.io/apimachinery). Dates come from Howard
//! Hinnant's `days_from_civil`/`civil_from_days` arithmetic (proleptic
//! Gregorian calendar, no leap seconds, as Go's `time` package): no time zone
//! database, no `localtime(3)`, nothing that could block or read a file. What
//! the times are used for is the callers' business.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

const NANOS_PER_SEC: u32 = 1_000_000_000;
const SECS_PER_DAY: i64 = 86_400;

/// `2024-05-01T12:00:03Z`: seconds, as a `metav1.Time` prints.
pub fn rfc3339(t: SystemTime) -> String {
    let (secs, _) = split(t);
    let mut out = String::with_capacity(20);
    push_date_time(&mut out, secs);
    out.push('Z');
    out
}

/// `2016-10-06T00:17:09.669794202Z`: Go's `time.RFC3339Nano` in UTC, the
/// fraction with its trailing zeros trimmed and no dot when it is zero
/// (Go's `.999999999` layout element).
pub fn rfc3339_nano(t: SystemTime) -> String {
    let (secs, nanos) = split(t);
    let mut out = String::with_capacity(30);
    push_date_time(&mut out, secs);
    if nanos != 0 {
        let mut digits = 9;
        let mut frac = nanos;
        while frac % 10 == 0 {
            frac /= 10;
            digits -= 1;
        }
        out.push('.');
        push_digits(&mut out, u64::from(frac), digits);
    }
    out.push('Z');
    out
}

/// `20060102-150405` (UTC): the suffix the kubelet gives a rotated log file.
pub fn rotation_suffix(t: SystemTime) -> String {
    let (secs, _) = split(t);
    let mut out = String::with_capacity(15);
    let (date, time) = date_time(secs);
    push_digits(&mut out, date.0 as u64, 4);
    push_digits(&mut out, u64::from(date.1), 2);
    push_digits(&mut out, u64::from(date.2), 2);
    out.push('-');
    push_digits(&mut out, u64::from(time.0), 2);
    push_digits(&mut out, u64::from(time.1), 2);
    push_digits(&mut out, u64::from(time.2), 2);
    out
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, the fraction of
/// 1 to 9 digits: what [`rfc3339`] and [`rfc3339_nano`] write, and what Go's
/// `time.Parse(time.RFC3339, ..)` accepts from others. `None` for anything
/// else, out-of-range fields (a 31st of April, a 60th second) included.
pub fn parse_rfc3339(text: &str) -> Option<SystemTime> {
    let b = text.as_bytes();
    let year = number(b, 0, 4)?;
    let month = number(b, 5, 2)?;
    let day = number(b, 8, 2)?;
    let hour = number(b, 11, 2)?;
    let minute = number(b, 14, 2)?;
    let second = number(b, 17, 2)?;
    let separators = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, sep)| b.get(at) != Some(&sep)) {
        return None;
    }
    if !(1..=12).contains(&month)
        || day == 0
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let mut rest = b.get(19..)?;
    let mut nanos = 0u32;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let len = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if len == 0 || len > 9 {
            return None;
        }
        nanos = number(after_dot, 0, len)? * 10u32.pow(9 - len as u32);
        rest = after_dot.get(len..)?;
    }
    let offset_secs = match rest {
        b"Z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (number(rest, 1, 2)?, number(rest, 4, 2)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let secs = i64::from(hours * 3600 + minutes * 60);
            if *sign == b'-' { -secs } else { secs }
        }
        _ => return None,
    };
    let days = days_from_civil(i64::from(year), month, day);
    let local = days * SECS_PER_DAY + i64::from(hour * 3600 + minute * 60 + second);
    Some(join(local - offset_secs, nanos))
}

/// kubectl's AGE: `duration.HumanDuration` of k8s.io/apimachinery, about
/// two or three significant figures (`45s`, `119s`, `3m10s`, `70m`, `3h4m`,
/// `10h`, `2d1h`, `8d`, `2y1d`, `8y`). The Go function also takes negative
/// durations (`0s` down to -1 s, `<invalid>` beyond); a `Duration` cannot be
/// negative, so callers clamp a clock step back to zero first.
pub fn age(elapsed: Duration) -> String {
    let seconds = elapsed.as_secs();
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return with_rest(minutes, "m", seconds % 60, "s");
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = seconds / 3600;
    if hours < 8 {
        return with_rest(hours, "h", minutes % 60, "m");
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        return with_rest(hours / 24, "d", hours % 24, "h");
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        return with_rest(hours / 24 / 365, "y", hours / 24 % 365, "d");
    }
    format!("{}y", hours / 24 / 365)
}

/// `3m10s`, or `3m` when the second unit is zero (HumanDuration drops it).
fn with_rest(major: u64, major_unit: &str, minor: u64, minor_unit: &str) -> String {
    if minor == 0 {
        format!("{major}{major_unit}")
    } else {
        format!("{major}{major_unit}{minor}{minor_unit}")
    }
}

/// Seconds since the epoch (negative before it) and the nanoseconds within
/// that second, always counted forwards as Go's `time.Time` does.
fn split(t: SystemTime) -> (i64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (
            i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            d.subsec_nanos(),
        ),
        Err(before) => {
            let d = before.duration();
            let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
            match d.subsec_nanos() {
                0 => (-secs, 0),
                nanos => (-secs - 1, NANOS_PER_SEC - nanos),
            }
        }
    }
}

/// The inverse of [`split`].
fn join(secs: i64, nanos: u32) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs.unsigned_abs(), nanos)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            + Duration::from_nanos(u64::from(nanos))
    }
}

/// ((year, month, day), (hour, minute, second)) of a time in seconds.
fn date_time(secs: i64) -> ((i64, u32, u32), (u32, u32, u32)) {
    let days = secs.div_euclid(SECS_PER_DAY);
    let in_day = secs.rem_euclid(SECS_PER_DAY) as u32;
    (
        civil_from_days(days),
        (in_day / 3600, in_day % 3600 / 60, in_day % 60),
    )
}

/// `YYYY-MM-DDTHH:MM:SS`.
fn push_date_time(out: &mut String, secs: i64) {
    let ((year, month, day), (hour, minute, second)) = date_time(secs);
    // Go prints years before 0 with a minus sign; they cannot reach here
    // from a clock, so they are clamped rather than spelled.
    push_digits(out, year.max(0) as u64, 4);
    out.push('-');
    push_digits(out, u64::from(month), 2);
    out.push('-');
    push_digits(out, u64::from(day), 2);
    out.push('T');
    push_digits(out, u64::from(hour), 2);
    out.push(':');
    push_digits(out, u64::from(minute), 2);
    out.push(':');
    push_digits(out, u64::from(second), 2);
}

/// `value` in decimal, zero-padded to at least `width` digits. By hand
/// rather than `write!`: the log writer formats a time per read.
fn push_digits(out: &mut String, value: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut at = buf.len();
    let mut rest = value;
    while rest > 0 || at == buf.len() {
        at -= 1;
        buf[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
    }
    let start = at.min(buf.len() - width.min(buf.len()));
    for &digit in &buf[start..] {
        out.push(char::from(digit));
    }
}

/// The decimal number in `b[at..at + len]`, all of it digits.
fn number(b: &[u8], at: usize, len: usize) -> Option<u32> {
    let digits = b.get(at..at + len)?;
    digits.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

fn is_leap(year: u32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a date (Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year - era * 400;
    let month = i64::from(month);
    let doy = (153 * (if month > 2 { month - 3 } else { month + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day counted from 1970-01-01 (Hinnant's
/// `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64, nanos: u32) -> SystemTime {
        join(secs, nanos)
    }

    #[test]
    fn rfc3339_prints_seconds_in_utc() {
        let cases = [
            (0, "1970-01-01T00:00:00Z"),
            (1_714_564_803, "2024-05-01T12:00:03Z"),
            // 2024 is a leap year: the 29th of February exists.
            (1_709_164_800, "2024-02-29T00:00:00Z"),
            (1_709_251_199, "2024-02-29T23:59:59Z"),
            // 2000 is one (divisible by 400), 2100 is not (by 100).
            (951_782_400, "2000-02-29T00:00:00Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
            (4_107_542_399, "2100-02-28T23:59:59Z"),
            (253_402_300_799, "9999-12-31T23:59:59Z"),
            (-1, "1969-12-31T23:59:59Z"),
        ];
        for (secs, text) in cases {
            assert_eq!(rfc3339(at(secs, 999_999_999)), text, "{secs}");
            assert_eq!(parse_rfc3339(text), Some(at(secs, 0)), "{text}");
        }
    }

    #[test]
    fn rfc3339_nano_trims_the_fraction_as_go_does() {
        let cases = [
            (1_475_713_029, 669_794_202, "2016-10-06T00:17:09.669794202Z"),
            (1_475_713_029, 669_794_200, "2016-10-06T00:17:09.6697942Z"),
            (1_475_713_029, 500_000_000, "2016-10-06T00:17:09.5Z"),
            (1_475_713_029, 1, "2016-10-06T00:17:09.000000001Z"),
            (1_475_713_029, 0, "2016-10-06T00:17:09Z"),
            (0, 10, "1970-01-01T00:00:00.00000001Z"),
            (-1, 500_000_000, "1969-12-31T23:59:59.5Z"),
        ];
        for (secs, nanos, text) in cases {
            assert_eq!(rfc3339_nano(at(secs, nanos)), text);
            assert_eq!(parse_rfc3339(text), Some(at(secs, nanos)), "{text}");
        }
    }

    #[test]
    fn times_before_the_epoch_count_forwards() {
        let t = UNIX_EPOCH - Duration::from_millis(1500);
        assert_eq!(rfc3339_nano(t), "1969-12-31T23:59:58.5Z");
        assert_eq!(parse_rfc3339("1969-12-31T23:59:58.5Z"), Some(t));
    }

    #[test]
    fn offsets_and_any_fraction_length_parse() {
        let base = at(1_714_564_803, 0); // 2024-05-01T12:00:03Z
        let cases = [
            ("2024-05-01T14:00:03+02:00", base),
            ("2024-05-01T07:30:03-04:30", base),
            ("2024-05-01T12:00:03+00:00", base),
            ("2024-05-01T12:00:03-00:00", base),
            // A negative offset that crosses midnight and a year.
            ("2023-12-31T23:00:00-01:00", at(1_704_067_200, 0)),
            ("2024-05-01T12:00:03.1Z", at(1_714_564_803, 100_000_000)),
            ("2024-05-01T12:00:03.12Z", at(1_714_564_803, 120_000_000)),
            ("2024-05-01T12:00:03.000001+00:00", at(1_714_564_803, 1000)),
            (
                "2024-05-01T14:00:03.123456789+02:00",
                at(1_714_564_803, 123_456_789),
            ),
        ];
        for (text, want) in cases {
            assert_eq!(parse_rfc3339(text), Some(want), "{text}");
        }
    }

    #[test]
    fn malformed_times_do_not_parse() {
        for text in [
            "",
            "2024-05-01",
            "2024-05-01T12:00:03",
            "2024-05-01 12:00:03Z",
            "2024-05-01t12:00:03Z",
            "2024-05-01T12:00:03z",
            "2024-05-01T12:00:03.Z",
            "2024-05-01T12:00:03.1234567890Z",
            "2024-05-01T12:00:03+0200",
            "2024-05-01T12:00:03+02",
            "2024-05-01T12:00:03Z ",
            "2024-13-01T12:00:03Z",
            "2024-00-01T12:00:03Z",
            "2024-04-31T12:00:03Z",
            "2023-02-29T12:00:03Z",
            "2100-02-29T12:00:03Z",
            "2024-05-01T24:00:00Z",
            "2024-05-01T12:60:00Z",
            "2024-05-01T12:00:60Z",
            "2024-05-01T12:00:03+24:00",
            "+024-05-01T12:00:03Z",
            "2024-05-01T12:00:0３Z",
        ] {
            assert_eq!(parse_rfc3339(text), None, "{text:?}");
        }
    }

    #[test]
    fn every_day_of_four_centuries_round_trips() {
        // 1970-01-01 to past 2370: leap days, century rules, month ends.
        let mut previous = None;
        for day in 0..146_097 + 400 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
            assert!(d >= 1 && d <= days_in_month(y as u32, m), "{y}-{m}-{d}");
            if let Some((py, pm, pd)) = previous {
                assert!((y, m, d) > (py, pm, pd));
            }
            previous = Some((y, m, d));
        }
    }

    #[test]
    fn rotation_suffix_is_the_kubelets() {
        assert_eq!(rotation_suffix(at(1_714_564_803, 5)), "20240501-120003");
        assert_eq!(rotation_suffix(at(0, 0)), "19700101-000000");
        assert_eq!(rotation_suffix(at(4_107_542_399, 0)), "21000228-235959");
    }

    /// The cases of apimachinery's duration_test.go (TestHumanDuration and
    /// TestHumanDurationBoundaries), non-negative ones.
    #[test]
    fn age_is_kubectls_human_duration() {
        const MS: u64 = 1_000_000;
        let s = |n: u64| n * 1_000_000_000;
        let m = |n: u64| s(n * 60);
        let h = |n: u64| m(n * 60);
        let d = |n: u64| h(n * 24);
        let y = |n: u64| d(n * 365);
        let cases = [
            (s(1), "1s"),
            (s(70), "70s"),
            (s(190), "3m10s"),
            (m(70), "70m"),
            (h(47), "47h"),
            (h(49), "2d1h"),
            (h(8 * 24 + 2), "8d"),
            (h(367 * 24), "367d"),
            (h(365 * 2 * 24 + 25), "2y1d"),
            (h(365 * 8 * 24 + 2), "8y"),
            (0, "0s"),
            (s(1) - MS, "0s"),
            (m(2) - MS, "119s"),
            (m(2), "2m"),
            (m(2) + s(1), "2m1s"),
            (m(10) - MS, "9m59s"),
            (m(10), "10m"),
            (m(10) + s(1), "10m"),
            (h(3) - MS, "179m"),
            (h(3), "3h"),
            (h(3) + m(1), "3h1m"),
            (h(3) + m(4) + s(59), "3h4m"),
            (h(8) - MS, "7h59m"),
            (h(8), "8h"),
            (h(8) + m(59), "8h"),
            (d(2) - MS, "47h"),
            (d(2), "2d"),
            (d(2) + h(1), "2d1h"),
            (d(8) - MS, "7d23h"),
            (d(8), "8d"),
            (d(8) + h(23), "8d"),
            (y(2) - MS, "729d"),
            (y(2), "2y"),
            (y(2) + h(23) + m(59), "2y"),
            (y(2) + d(1) - MS, "2y"),
            (y(2) + d(1), "2y1d"),
            (y(3), "3y"),
            (y(7), "7y"),
            (y(8) - MS, "7y364d"),
            (y(8), "8y"),
            (y(8) + d(364), "8y"),
            (y(9), "9y"),
        ];
        for (nanos, want) in cases {
            assert_eq!(age(Duration::from_nanos(nanos)), want, "{nanos} ns");
        }
    }
}
