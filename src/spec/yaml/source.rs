//! Looking back at the input text from a parser position.
//!
//! saphyr-parser reports positions as character indexes; this turns them
//! into byte offsets (walking from the last position, so a pass over a
//! document costs one walk over its text) and reads the few things events
//! do not carry: an alias's name for messages, and the `-` that starts an
//! indentless sequence. It does not parse YAML.

use saphyr_parser::Marker;

use super::super::node::Mark;

/// The 1-based mark of a parser position (saphyr columns are 0-based).
pub(crate) fn mark(m: Marker) -> Mark {
    Mark {
        line: u32::try_from(m.line()).unwrap_or(u32::MAX),
        column: u32::try_from(m.col().saturating_add(1)).unwrap_or(u32::MAX),
    }
}

#[derive(Debug)]
pub(crate) struct Source<'a> {
    text: &'a str,
    /// Character and byte offset of the last lookup; with an ASCII text the
    /// two are always equal and no walk is needed.
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> Source<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Self {
            text,
            ascii: text.is_ascii(),
            chars: 0,
            bytes: 0,
        }
    }

    /// The byte offset of character `index`, clamped to the text.
    fn byte_at(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        while self.chars < index {
            let Some(c) = self.text[self.bytes..].chars().next() else {
                return self.bytes;
            };
            self.bytes += c.len_utf8();
            self.chars += 1;
        }
        while self.chars > index {
            let Some(c) = self.text[..self.bytes].chars().next_back() else {
                return 0;
            };
            self.bytes -= c.len_utf8();
            self.chars -= 1;
        }
        self.bytes
    }

    /// The name in `*name` at `at`, for messages (at most 100 characters).
    pub(crate) fn alias_name(&mut self, at: Marker) -> String {
        let start = self.byte_at(at.index());
        let rest = self.text[start..].strip_prefix('*').unwrap_or("");
        rest.chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
            .take(100)
            .collect()
    }

    /// Where a block sequence starts. saphyr-parser places an indentless
    /// sequence (`key:\n- a`) at its first item's content; the mark of the
    /// sequence is better on the `-` before it, on the same line.
    pub(crate) fn sequence_start(&mut self, at: Marker) -> Marker {
        let byte = self.byte_at(at.index());
        if self.text[byte..].starts_with('-') {
            return at;
        }
        let before = &self.text[..byte];
        let spaces = before.len() - before.trim_end_matches(' ').len();
        let dash = byte - spaces;
        if spaces == 0 || !self.text[..dash].ends_with('-') || at.col() < spaces + 1 {
            return at;
        }
        let back = spaces + 1;
        Marker::new(
            at.index().saturating_sub(back),
            at.line(),
            at.col().saturating_sub(back),
        )
    }
}
