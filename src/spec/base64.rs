//! Standard base64 (RFC 4648, with padding), as a Secret's `data` and a
//! ConfigMap's `binaryData` hold their values. Line breaks are skipped, as
//! Go's decoder skips them.

/// Decodes `text`; `None` when it is not valid padded base64.
pub fn decode(text: &str) -> Option<Vec<u8>> {
    let clean: Vec<u8> = text
        .bytes()
        .filter(|b| *b != b'\n' && *b != b'\r')
        .collect();
    if clean.len() % 4 != 0 {
        return None;
    }
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    let chunks = clean.chunks(4);
    let last = chunks.len().saturating_sub(1);
    for (i, chunk) in chunks.enumerate() {
        let pad = chunk.iter().rev().take_while(|b| **b == b'=').count();
        if pad > 2 || (pad > 0 && i != last) {
            return None;
        }
        let mut n: u32 = 0;
        for &b in &chunk[..4 - pad] {
            n = (n << 6) | u32::from(value(b)?);
        }
        n <<= 6 * pad as u32;
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..4 - pad]);
    }
    Some(out)
}

fn value(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_like_go_std_encoding() {
        let cases: &[(&str, Option<&[u8]>)] = &[
            ("", Some(b"")),
            ("YWRtaW4=", Some(b"admin")),
            ("MWYyZDFlMmU2N2Rm", Some(b"1f2d1e2e67df")),
            ("YQ==", Some(b"a")),
            ("YWI=\n", Some(b"ab")),
            ("YWJj", Some(b"abc")),
            ("YWJj=", None),
            ("YQ", None),
            ("Y===", None),
            ("YQ==YQ==", None),
            ("not base64!", None),
        ];
        for (text, want) in cases {
            assert_eq!(decode(text).as_deref(), *want, "{text:?}");
        }
    }
}
