//! saphyr-parser's event stream, with a bound on how far its scanner may
//! read ahead.
//!
//! It owns the parser and the input it reads. The bound is needed because
//! saphyr-parser 0.3 does not give up on a flow collection (`[...]`,
//! `{...}`) at the top of a document or in a block sequence being an
//! implicit key until the collection has ended: it keeps every token of it
//! in memory before the parser hands out the next event. A 10 MB
//! `[1,1,1,...]` costs 1.7 GB that way (about 170 bytes a token). libyaml,
//! which go-yaml ports, gives up after 1024 characters; saphyr only does so
//! outside flow collections.
//!
//! The input therefore counts the scanner's steps between two events: its
//! `next_is_z` check runs once per token fetched (and once per run of
//! spaces inside a quoted scalar, twice per block scalar, not at all inside
//! a plain one), so a quoted string of more words than the limit is refused
//! too. Past
//! [`Limits::max_lookahead_tokens`] the input ends early (the scanner sees
//! the end of the stream, as with any truncated file), and the stream is
//! refused whatever the parser makes of the rest. Block-style YAML yields an
//! event every token or two and never comes close; the test
//! `flow_read_ahead_is_bounded` fails if a saphyr-parser release stops
//! making that call per token.

use std::cell::Cell;
use std::rc::Rc;

use saphyr_parser::input::SkipTabs;
use saphyr_parser::{Event, Input, Parser, ScanError, Span, StrInput};

use super::source::{Source, mark};
use super::{Limits, YamlError};

/// What the input and the event reader share.
#[derive(Debug, Default)]
struct Lookahead {
    /// Scanner steps since the last event.
    steps: Cell<usize>,
    tripped: Cell<bool>,
}

/// A `StrInput` that counts the scanner's steps and can end early.
struct Guarded<'a> {
    inner: StrInput<'a>,
    shared: Rc<Lookahead>,
    limit: usize,
    ended: bool,
}

impl Guarded<'_> {
    /// Once tripped, the rest of the input is dropped at the next call that
    /// may change it (`next_is_z` cannot: it borrows `self` immutably).
    fn end_if_tripped(&mut self) {
        if self.shared.tripped.get() && !self.ended {
            self.ended = true;
            // Keep the scanner's lookahead count: it relies on it.
            let buffered = self.inner.buflen();
            self.inner = StrInput::new("");
            self.inner.lookahead(buffered);
        }
    }
}

/// Every method goes to `StrInput`, whose overrides are faster than the
/// trait's defaults; `next_is_z` also counts, and the others that consume
/// honour a trip.
impl Input for Guarded<'_> {
    fn lookahead(&mut self, count: usize) {
        self.end_if_tripped();
        self.inner.lookahead(count);
    }
    fn buflen(&self) -> usize {
        self.inner.buflen()
    }
    fn bufmaxlen(&self) -> usize {
        self.inner.bufmaxlen()
    }
    fn buf_is_empty(&self) -> bool {
        self.inner.buf_is_empty()
    }
    fn raw_read_ch(&mut self) -> char {
        self.end_if_tripped();
        self.inner.raw_read_ch()
    }
    fn raw_read_non_breakz_ch(&mut self) -> Option<char> {
        self.end_if_tripped();
        self.inner.raw_read_non_breakz_ch()
    }
    fn skip(&mut self) {
        self.end_if_tripped();
        self.inner.skip();
    }
    fn skip_n(&mut self, count: usize) {
        self.end_if_tripped();
        self.inner.skip_n(count);
    }
    fn peek(&self) -> char {
        self.inner.peek()
    }
    fn peek_nth(&self, n: usize) -> char {
        self.inner.peek_nth(n)
    }
    fn peek_opt(&self) -> Option<char> {
        self.inner.peek_opt()
    }
    fn look_ch(&mut self) -> char {
        self.end_if_tripped();
        self.inner.look_ch()
    }
    fn next_char_is(&self, c: char) -> bool {
        self.inner.next_char_is(c)
    }
    fn nth_char_is(&self, n: usize, c: char) -> bool {
        self.inner.nth_char_is(n, c)
    }
    fn next_2_are(&self, c1: char, c2: char) -> bool {
        self.inner.next_2_are(c1, c2)
    }
    fn next_3_are(&self, c1: char, c2: char, c3: char) -> bool {
        self.inner.next_3_are(c1, c2, c3)
    }
    fn next_is_document_indicator(&self) -> bool {
        self.inner.next_is_document_indicator()
    }
    fn next_is_document_start(&self) -> bool {
        self.inner.next_is_document_start()
    }
    fn next_is_document_end(&self) -> bool {
        self.inner.next_is_document_end()
    }
    fn skip_ws_to_eol(&mut self, skip_tabs: SkipTabs) -> (usize, Result<SkipTabs, &'static str>) {
        self.end_if_tripped();
        self.inner.skip_ws_to_eol(skip_tabs)
    }
    fn next_can_be_plain_scalar(&self, in_flow: bool) -> bool {
        self.inner.next_can_be_plain_scalar(in_flow)
    }
    fn next_is_blank_or_break(&self) -> bool {
        self.inner.next_is_blank_or_break()
    }
    fn next_is_blank_or_breakz(&self) -> bool {
        self.inner.next_is_blank_or_breakz()
    }
    fn next_is_blank(&self) -> bool {
        self.inner.next_is_blank()
    }
    fn next_is_break(&self) -> bool {
        self.inner.next_is_break()
    }
    fn next_is_breakz(&self) -> bool {
        self.inner.next_is_breakz()
    }
    fn next_is_z(&self) -> bool {
        let steps = self.shared.steps.get() + 1;
        self.shared.steps.set(steps);
        if steps > self.limit {
            self.shared.tripped.set(true);
        }
        self.shared.tripped.get() || self.inner.next_is_z()
    }
    fn next_is_flow(&self) -> bool {
        self.inner.next_is_flow()
    }
    fn next_is_digit(&self) -> bool {
        self.inner.next_is_digit()
    }
    fn next_is_alpha(&self) -> bool {
        self.inner.next_is_alpha()
    }
    fn skip_while_non_breakz(&mut self) -> usize {
        self.end_if_tripped();
        self.inner.skip_while_non_breakz()
    }
    fn skip_while_blank(&mut self) -> usize {
        self.end_if_tripped();
        self.inner.skip_while_blank()
    }
    fn fetch_while_is_alpha(&mut self, out: &mut String) -> usize {
        self.end_if_tripped();
        self.inner.fetch_while_is_alpha(out)
    }
    fn fetch_while_is_yaml_non_space(&mut self, out: &mut String) -> usize {
        self.end_if_tripped();
        self.inner.fetch_while_is_yaml_non_space(out)
    }
}

/// The events of a stream, one at a time.
pub(crate) struct Events<'a> {
    parser: Parser<'a, Guarded<'a>>,
    pub(crate) source: Source<'a>,
    shared: Rc<Lookahead>,
    limit: usize,
    /// Where the last event started, for the read-ahead error.
    last: Span,
}

impl std::fmt::Debug for Events<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Events").field("last", &self.last).finish()
    }
}

impl<'a> Events<'a> {
    pub(crate) fn new(text: &'a str, limits: &Limits) -> Self {
        let shared = Rc::new(Lookahead::default());
        let input = Guarded {
            inner: StrInput::new(text),
            shared: Rc::clone(&shared),
            limit: limits.max_lookahead_tokens,
            ended: false,
        };
        Self {
            parser: Parser::new(input),
            source: Source::new(text),
            shared,
            limit: limits.max_lookahead_tokens,
            last: Span::default(),
        }
    }

    /// The next event; `None` after the end of the stream.
    pub(crate) fn next(&mut self) -> Result<Option<(Event<'a>, Span)>, YamlError> {
        let next = self.parser.next_event();
        if self.shared.tripped.get() {
            let message = format!(
                "more than {} tokens to read before the next node: a flow collection \
                 ([...] or {{...}}) or a quoted string this long cannot be read; write it in \
                 block style",
                self.limit
            );
            return Err(YamlError::at(mark(self.last.start), message));
        }
        self.shared.steps.set(0);
        let Some(next) = next else { return Ok(None) };
        let (event, span) = next.map_err(|e| self.scan_error(&e))?;
        self.last = span;
        Ok(Some((event, span)))
    }

    /// saphyr-parser's error, with its wording made to read like ours.
    fn scan_error(&mut self, e: &ScanError) -> YamlError {
        let at = *e.marker();
        let info = e.info().trim_end_matches('.');
        let message = match info {
            "while parsing node, found unknown anchor" => format!(
                "alias *{} refers to no anchor defined before it",
                self.source.alias_name(at)
            ),
            "simple key expect ':'" | "simple key expected" => {
                "could not find expected ':' after a mapping key".to_owned()
            }
            "':' must be followed by a valid YAML whitespace" => {
                "a tab after ':' cannot separate a value here; use a space".to_owned()
            }
            "recursion limit exceeded" => "nesting deeper than 255 flow levels".to_owned(),
            _ => lower_first(info),
        };
        YamlError::at(mark(at), message)
    }
}

/// Lower-cases the first letter unless it starts an acronym ("YAML").
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            a.to_lowercase().chain(s[a.len_utf8()..].chars()).collect()
        }
        _ => s.to_owned(),
    }
}
