//! Kubernetes resource quantities: `100m`, `0.5`, `128Mi`, `1.5G`, `1e3`.
//!
//! Parsed by the grammar of `k8s.io/apimachinery/pkg/api/resource`: a signed
//! decimal number, then one suffix, binary (`Ki` .. `Ei`), decimal (`n`,
//! `u`, `m`, `k`, `M`, `G`, `T`, `P`, `E`) or an exponent (`e3`, `E-2`).
//! The value is kept exactly, in billionths of the unit, which is enough to
//! compare limits with requests and to turn memory into bytes and CPU into
//! millicores. What a quantity is for is the caller's business.

use std::cmp::Ordering;
use std::fmt;

/// An exact quantity, in billionths of its unit (nano-units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Amount(i128);

/// Why a string is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a quantity (such as 500m, 1.5, 128Mi, 2G or 1e3)")]
pub struct QuantityError(pub String);

/// Nano-units per unit.
const NANO: i128 = 1_000_000_000;

impl Amount {
    pub const ZERO: Amount = Amount(0);

    /// Parses `text` by the Kubernetes quantity grammar.
    pub fn parse(text: &str) -> Result<Self, QuantityError> {
        parse(text).ok_or_else(|| QuantityError(text.to_owned()))
    }

    /// The exact value in billionths of the unit.
    pub fn nanos(self) -> i128 {
        self.0
    }

    pub fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// Whole units, rounded up (memory in bytes: `1.5Ki` is 1536, `0.1` is 1).
    pub fn ceil_units(self) -> i128 {
        div_ceil(self.0, NANO)
    }

    /// Thousandths of a unit, rounded up (CPU in millicores: `0.1` is 100).
    pub fn ceil_millis(self) -> i128 {
        div_ceil(self.0, NANO / 1000)
    }
}

impl fmt::Display for Amount {
    /// The value in units, exact (`0.5`, `134217728`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.0 / NANO;
        let frac = (self.0 % NANO).abs();
        if frac == 0 {
            return write!(f, "{whole}");
        }
        let sign = if self.0 < 0 && whole == 0 { "-" } else { "" };
        let digits = format!("{frac:09}");
        write!(f, "{sign}{whole}.{}", digits.trim_end_matches('0'))
    }
}

fn div_ceil(a: i128, b: i128) -> i128 {
    let q = a / b;
    if a % b != 0 && (a > 0) == (b > 0) {
        q + 1
    } else {
        q
    }
}

fn parse(text: &str) -> Option<Amount> {
    let (negative, rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let number_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_digit() || *b == b'.')
        .count();
    let (number, suffix) = rest.split_at(number_len);
    let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
    if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
        return None;
    }
    // The digits as one integer, and the power of ten that scales it.
    let mut mantissa: i128 = 0;
    for digit in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa
            .checked_mul(10)?
            .checked_add(i128::from(digit - b'0'))?;
    }
    let mut exp10 = -(i32::try_from(frac_part.len()).ok()?) + 9;
    let mut times: i128 = 1;
    match suffix {
        "" => {}
        "n" => exp10 -= 9,
        "u" => exp10 -= 6,
        "m" => exp10 -= 3,
        "k" => exp10 += 3,
        "M" => exp10 += 6,
        "G" => exp10 += 9,
        "T" => exp10 += 12,
        "P" => exp10 += 15,
        "E" => exp10 += 18,
        "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei" => {
            let power = "KMGTPE".find(&suffix[..1])? as u32 + 1;
            times = 1i128.checked_shl(10 * power)?;
        }
        exponent if exponent.starts_with(['e', 'E']) => {
            let e = &exponent[1..];
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            exp10 = exp10.checked_add(e.parse::<i32>().ok()?)?;
        }
        _ => return None,
    }
    let mut value = mantissa.checked_mul(times)?;
    match exp10.cmp(&0) {
        Ordering::Greater => value = value.checked_mul(10i128.checked_pow(exp10 as u32)?)?,
        Ordering::Less => {
            // Below a nano-unit: round up, as the API server rounds a
            // quantity up to the precision it keeps.
            let divisor = 10i128.checked_pow(exp10.unsigned_abs())?;
            value = div_ceil(value, divisor);
        }
        Ordering::Equal => {}
    }
    Some(Amount(if negative { -value } else { value }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_parse_by_the_kubernetes_grammar() {
        let cases: &[(&str, Option<&str>)] = &[
            ("1", Some("1")),
            ("0.5", Some("0.5")),
            (".5", Some("0.5")),
            ("5.", Some("5")),
            ("100m", Some("0.1")),
            ("1500m", Some("1.5")),
            ("128Mi", Some("134217728")),
            ("1.5Ki", Some("1536")),
            ("1.5G", Some("1500000000")),
            ("2k", Some("2000")),
            ("1e3", Some("1000")),
            ("1E-3", Some("0.001")),
            ("+3", Some("3")),
            ("-2", Some("-2")),
            ("10n", Some("0.00000001")),
            ("1Ei", Some("1152921504606846976")),
            ("", None),
            ("m", None),
            ("1.2.3", None),
            ("1mi", None),
            ("1 Gi", None),
            ("1KB", None),
            ("1e", None),
            ("abc", None),
            ("99999999999999999999999999999999999999999", None),
        ];
        for (text, want) in cases {
            let got = Amount::parse(text).ok().map(|a| a.to_string());
            assert_eq!(got.as_deref(), *want, "{text:?}");
        }
    }

    #[test]
    fn amounts_compare_and_round_up_to_units() {
        let q = |t| Amount::parse(t).unwrap();
        assert!(q("1Gi") > q("1G"));
        assert!(q("500m") < q("1"));
        assert_eq!(q("0.5").cmp(&q("500m")), Ordering::Equal);
        assert_eq!(q("0.1").ceil_units(), 1);
        assert_eq!(q("1.5Ki").ceil_units(), 1536);
        assert_eq!(q("0.1").ceil_millis(), 100);
        assert_eq!(q("1n").ceil_millis(), 1);
        assert!(q("-1").is_negative());
    }
}
