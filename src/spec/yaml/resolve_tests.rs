//! Every row of go-yaml v2's resolution table, and the corners of Go's
//! `strconv` that decide the rest.

use super::{Scalar, go_format_g32, key_string, resolve_plain};
use crate::spec::node::Value;

use Scalar::{Bool, Float, Int, Null, Str, Uint};

#[test]
fn go_yaml_words() {
    for s in [
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
    ] {
        assert_eq!(resolve_plain(s), Bool(true), "{s}");
    }
    for s in [
        "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
    ] {
        assert_eq!(resolve_plain(s), Bool(false), "{s}");
    }
    for s in ["", "~", "null", "Null", "NULL"] {
        assert_eq!(resolve_plain(s), Null, "{s}");
    }
    for s in [".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"] {
        assert_eq!(resolve_plain(s), Float(f64::INFINITY), "{s}");
    }
    for s in ["-.inf", "-.Inf", "-.INF"] {
        assert_eq!(resolve_plain(s), Float(f64::NEG_INFINITY), "{s}");
    }
    for s in [".nan", ".NaN", ".NAN"] {
        assert!(matches!(resolve_plain(s), Float(f) if f.is_nan()), "{s}");
    }
    // Near misses stay strings: other spellings, and words whose first
    // letter is not one go-yaml looks up.
    for s in [
        "tRUE", "yES", "nULL", "nil", "None", "none", "~~", "Y1", ".NAn", "nan", "inf", "-inf",
        "Infinity", "+inf", "<<", "=", "YeS", "oN",
    ] {
        assert_eq!(resolve_plain(s), Str, "{s}");
    }
}

#[test]
fn integers() {
    let rows: &[(&str, Scalar)] = &[
        ("0", Int(0)),
        ("-0", Int(0)),
        ("+0", Int(0)),
        ("12", Int(12)),
        ("+12", Int(12)),
        ("-12", Int(-12)),
        ("1_000", Int(1000)),
        ("1__0_", Int(10)),
        ("-_1", Int(-1)),
        ("0644", Int(420)),
        ("-0644", Int(-420)),
        ("0o17", Int(15)),
        ("0O17", Int(15)),
        ("0x1F", Int(31)),
        ("0X1f", Int(31)),
        ("-0x1F", Int(-31)),
        ("0x_1F", Int(31)),
        ("0b101", Int(5)),
        ("0B101", Int(5)),
        ("-0b101", Int(-5)),
        ("+0b101", Int(5)),
        // go-yaml's own fallback: ParseInt(rest, 2) takes a sign.
        ("0b-1", Int(-1)),
        ("0b+11", Int(3)),
        ("9223372036854775807", Int(i64::MAX)),
        ("-9223372036854775808", Int(i64::MIN)),
        ("0x7FFFFFFFFFFFFFFF", Int(i64::MAX)),
        ("9223372036854775808", Uint(1 << 63)),
        ("18446744073709551615", Uint(u64::MAX)),
        ("0xFFFFFFFFFFFFFFFF", Uint(u64::MAX)),
        (
            "0b1111111111111111111111111111111111111111111111111111111111111111",
            Uint(u64::MAX),
        ),
    ];
    for (s, want) in rows {
        assert_eq!(resolve_plain(s), *want, "{s}");
    }
}

#[test]
fn floats() {
    let rows: &[(&str, f64)] = &[
        ("1.0", 1.0),
        ("1.", 1.0),
        ("-1.5", -1.5),
        ("+.5", 0.5),
        ("-.5e3", -500.0),
        (".5", 0.5),
        (".5e1", 5.0),
        (".5_5", 0.55),
        ("1e3", 1000.0),
        ("1E+3", 1000.0),
        ("1e-3", 0.001),
        ("1_000.5", 1000.5),
        ("6.02e23", 6.02e23),
        // Not octal (8 and 9 are no octal digits) but the float pattern.
        ("09", 9.0),
        ("0128", 128.0),
        ("08.5", 8.5),
        // Too big for u64: the float pattern takes it.
        ("18446744073709551616", 18_446_744_073_709_551_616.0),
        ("-9223372036854775809", -9_223_372_036_854_775_809.0),
        ("1e-400", 0.0),
    ];
    for (s, want) in rows {
        assert_eq!(resolve_plain(s), Float(*want), "{s}");
    }
}

#[test]
fn strings() {
    for s in [
        "abc",
        "0x",
        "0b",
        "0o",
        "0b2",
        "0o8",
        "0xG",
        "0x1p-2",
        "0xFFFFFFFFFFFFFFFFFF",
        "-0x8000000000000001",
        "1e400",
        "-1e400",
        ".5e400",
        "1.0.0",
        "1e",
        "e1",
        ".",
        "._5",
        ".5_",
        ".e1",
        "+",
        "-",
        "+-1",
        "--1",
        "-0b-1",
        "1,000",
        "2001-12-14",
        "2001-12-14t21:59:43.10-05:00",
        "1:20",
        "12:30:45",
        "1.2.3.4",
        "0.0.0.0/0",
        "10Gi",
        "500m",
        "v1",
        "_1",
        "1 ",
        "0x 1",
    ] {
        assert_eq!(resolve_plain(s), Str, "{s}");
    }
}

#[test]
fn map_keys_as_sigs_k8s_io_yaml_writes_them() {
    let rows: &[(Value, &str)] = &[
        (Value::String("a".into()), "a"),
        (Value::Int(-12), "-12"),
        (Value::Bool(true), "true"),
        (Value::Bool(false), "false"),
        (Value::Null, "null"),
        (Value::Float(1.5), "1.5"),
        (Value::Float(1000.0), "1000"),
        (Value::Float(123456.0), "123456"),
        (Value::Float(1e6), "1e+06"),
        (Value::Float(1234567.0), "1.234567e+06"),
        (Value::Float(0.0001), "0.0001"),
        (Value::Float(0.00001), "1e-05"),
        (Value::Float(0.1), "0.1"),
        (Value::Float(std::f64::consts::PI), "3.1415927"),
        (Value::Float(-0.0), "-0"),
        (Value::Float(6.02e23), "6.02e+23"),
        (Value::Float(1e39), ".inf"),
        (Value::Float(f64::NEG_INFINITY), "-.inf"),
        (Value::Float(f64::NAN), ".nan"),
    ];
    for (v, want) in rows {
        assert_eq!(key_string(v).as_deref(), Some(*want), "{v:?}");
    }
    assert_eq!(key_string(&Value::Seq(vec![])), None);
    assert_eq!(key_string(&Value::Map(vec![])), None);
    assert_eq!(go_format_g32(100.0), "100");
}
