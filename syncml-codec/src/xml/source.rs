//! The XML event source: quick-xml's borrowed reader, with entity and character references
//! resolved here and namespaces checked by value. In element-only content, indentation is
//! skipped inside quick-xml and elements holding plain text (most of a DM message) are
//! matched on the input directly; the test in `xml/mod.rs` holds both to the event path.

use std::borrow::Cow;

use quick_xml::errors::IllFormedError;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::QName;

use crate::decode::{is_ws, Ev, Ns, Source, Tag};
use crate::error::{fail, DecodeErrorKind as K, Fail};
use ::wbxml::transcode::find_markup;

pub(crate) struct XmlSource<'a> {
    reader: quick_xml::Reader<&'a [u8]>,
    input: &'a str,
    /// Offset of the input within the caller's buffer (a stripped BOM).
    base: usize,
    /// Where the last event was read from: its first byte, unless `lead_skipped`.
    last: usize,
    /// Whether quick-xml may have skipped whitespace in front of the last event
    /// (`trim_text_start`, set in element-only content), which then starts after it.
    lead_skipped: bool,
    last_qname: &'a str,
    /// Whether quick-xml is between events in text state (the last event was not text), so
    /// that bytes may be taken from its stream at the position it reports.
    at_text: bool,
    /// A text element read ahead by [`XmlSource::text_element`], not yet handed out.
    ahead: Ahead<'a>,
    /// Whether text elements may be read ahead (always, but in the test that compares
    /// both paths).
    read_ahead: bool,
    /// Elements whose start tag was read here rather than by quick-xml, innermost last, each
    /// with the number of elements quick-xml has open inside it. quick-xml never saw their
    /// start, so their end tag must not reach it either (it would close, or fail to match,
    /// the element it saw last): [`XmlSource::own_end`] reads it when that number is 0.
    open: Vec<(&'a str, u32)>,
}

/// What is left of a text element read ahead: its text and its end tag.
#[derive(Clone, Copy)]
enum Ahead<'a> {
    None,
    Text {
        text: &'a str,
        /// Whether the text is printable ASCII (then XML text).
        plain: bool,
        /// Offsets of the text, of the end tag's `<` and just past its `>`.
        at: usize,
        end_at: usize,
        after: usize,
    },
    End {
        at: usize,
    },
}

impl<'a> XmlSource<'a> {
    pub(crate) fn new(input: &'a str, base: usize) -> Self {
        let mut reader = quick_xml::Reader::from_str(input);
        // The XML declaration (ignored, as quick-xml does not check it) taken off here
        // rather than through quick-xml's event loop, where it always comes first.
        let decl = decl_len(input.as_bytes());
        if decl > 0 {
            std::io::BufRead::consume(&mut reader.stream(), decl);
        }
        Self {
            reader,
            input,
            base,
            last: 0,
            // As left by the declaration event: read with whitespace skipping (the root
            // is looked for in element-only content), the reader in text state.
            lead_skipped: decl > 0,
            last_qname: "",
            at_text: decl > 0,
            ahead: Ahead::None,
            read_ahead: true,
            // Room for a DM message's usual depth at once, rather than growing on the way.
            open: Vec::with_capacity(16),
        }
    }

    /// The same source without reading text elements ahead or taking the declaration off:
    /// everything through quick-xml's events (the reference the read-ahead path is tested against).
    #[cfg(test)]
    pub(crate) fn without_read_ahead(mut self) -> Self {
        self.read_ahead = false;
        // The declaration through quick-xml too.
        self.reader = quick_xml::Reader::from_str(self.input);
        self.lead_skipped = false;
        self.at_text = false;
        self
    }

    /// The whitespace quick-xml skipped in front of the last event.
    #[inline(always)]
    fn skipped(&self) -> &'a str {
        // Mostly the event follows text or another tag directly: one byte tells.
        match self.input.as_bytes().get(self.last) {
            Some(&b) if self.lead_skipped && is_ws_byte(b) => self.ws_at(self.last),
            _ => "",
        }
    }

    /// The run of XML whitespace at `at`.
    #[inline(never)]
    fn ws_at(&self, at: usize) -> &'a str {
        let rest = self.input.get(at..).unwrap_or_default();
        let n = rest
            .bytes()
            .position(|b| !is_ws_byte(b))
            .unwrap_or(rest.len());
        rest.get(..n).unwrap_or_default()
    }

    /// Moves `last` past skipped whitespace to the `<` of the tag just read, `raw_len`
    /// bytes before the reader's position.
    #[inline(always)]
    fn tag_start(&mut self, raw_len: usize) {
        let end = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        let start = end.wrapping_sub(raw_len);
        self.last = if start >= self.last && self.input.as_bytes().get(start) == Some(&b'<') {
            start
        } else {
            self.event_start()
        };
        self.lead_skipped = false;
    }

    /// In element-only content, an empty element of a known name without attributes
    /// (`<Final/>`, returned whole), or an element of a known name without attributes (or
    /// with just the MetInf namespace declaration) whose
    /// content is text without references up to its own end tag (`<LocURI>./a</LocURI>`,
    /// most elements of a DM message), read in one scan instead of three quick-xml events:
    /// its start is returned, its text and end are handed out next ([`Ahead`]). quick-xml is
    /// moved past it through its own stream, its positions stay right, and it never sees
    /// the element: its check of end names has nothing to check, since the end tag is
    /// compared here. Anything else returns `None` with nothing consumed. The reader is at
    /// `at`, the tag's `<` at `lt` after indentation.
    #[inline(always)]
    fn text_element(&mut self, at: usize, lt: usize) -> Option<Ev<'a>> {
        let bytes = self.input.as_bytes();
        let name_at = lt + 1;
        // Known names are ASCII letters, at most MAX_NAME of them.
        let len = name_len(bytes.get(name_at..)?)?;
        let name_end = name_at + len;
        // An empty element without attributes (`<Final/>`): its start tag is all of it.
        if bytes.get(name_end) == Some(&b'/') && bytes.get(name_end + 1) == Some(&b'>') {
            let name = self.input.get(name_at..name_end)?;
            let tag = Tag::from_name(name);
            if tag == Tag::Other {
                return None;
            }
            self.took_start(name_end + 2 - at, lt, name);
            return Some(Ev::Start {
                tag,
                name,
                ns: Ns::Inherited,
                empty: true,
            });
        }
        // No attributes, or one of the declarations `ns` recognises first.
        const METINF: &[u8] = br#" xmlns="syncml:metinf">"#;
        const SYNCML: &[u8] = br#" xmlns="SYNCML:SYNCML1.2">"#;
        let (ns, text_at) = match bytes.get(name_end) {
            Some(b'>') => (Ns::Inherited, name_end + 1),
            Some(b' ') if bytes.get(name_end..name_end + METINF.len()) == Some(METINF) => {
                (Ns::MetInf, name_end + METINF.len())
            }
            Some(b' ') if bytes.get(name_end..name_end + SYNCML.len()) == Some(SYNCML) => {
                (Ns::SyncMl, name_end + SYNCML.len())
            }
            _ => return None,
        };
        let name = self.input.get(name_at..name_end)?;
        let tag = Tag::from_name(name);
        if tag == Tag::Other {
            return None;
        }
        if let Some(ev) = self.plain_text_element(at, lt, name, tag, ns, text_at) {
            return Some(ev);
        }
        // A container: its start tag alone, its content through the event path, its end
        // tag by `own_end`. Only containers: the decoder reads their content in
        // element-only content, where a text event is an error that ends the decoding, so
        // quick-xml is always in text state when their end tag comes (`own_end` cannot move
        // it on from inside markup). Leaves, whose text may come in events, and nested
        // documents, which quick-xml reads to their end, keep quick-xml's start.
        if !is_container(tag) {
            return None;
        }
        self.took_start(text_at - at, lt, name);
        self.open.push((name, 0));
        Some(Ev::Start {
            tag,
            name,
            ns,
            empty: false,
        })
    }

    /// Moves quick-xml's reader past `len` bytes read here, which began with the start tag
    /// `name` at `lt`, and records that tag as quick-xml's own reading of it would.
    #[inline(always)]
    fn took_start(&mut self, len: usize, lt: usize, name: &'a str) {
        std::io::BufRead::consume(&mut self.reader.stream(), len);
        self.last = lt;
        self.lead_skipped = false;
        self.last_qname = name;
    }

    /// [`XmlSource::text_element`] when the element holds plain text up to its end tag.
    #[inline(always)]
    fn plain_text_element(
        &mut self,
        at: usize,
        lt: usize,
        name: &'a str,
        tag: Tag,
        ns: Ns<'a>,
        text_at: usize,
    ) -> Option<Ev<'a>> {
        let bytes = self.input.as_bytes();
        let len = name.len();
        // A child element (a container).
        if bytes.get(text_at) == Some(&b'<') && bytes.get(text_at + 1) != Some(&b'/') {
            return None;
        }
        let (len_text, plain) = find_markup(bytes.get(text_at..)?)?;
        let end_at = text_at + len_text;
        let after = end_at + 3 + len;
        if bytes.get(end_at..end_at + 2) != Some(b"</")
            || !bytes
                .get(end_at + 2..after - 1)
                .is_some_and(|n| same_name(n, name.as_bytes()))
            || bytes.get(after - 1) != Some(&b'>')
        {
            return None;
        }
        let text = self.input.get(text_at..end_at)?;
        self.took_start(after - at, lt, name);
        self.ahead = Ahead::Text {
            text,
            plain,
            at: text_at,
            end_at,
            after,
        };
        Some(Ev::Start {
            tag,
            name,
            ns,
            empty: false,
        })
    }

    /// The end tag of the innermost element started here, when it comes next (after
    /// whitespace, with `trim`), read as quick-xml would: its name, trailing whitespace
    /// trimmed, must be the start's, and a mismatch is quick-xml's error at the same offset.
    /// `None`, with nothing consumed, when something else comes next or the tag has no `>`
    /// (quick-xml then reports the same syntax error it always did, never reaching its
    /// check of names).
    #[inline(always)]
    fn own_end(&mut self, trim: bool) -> Result<Option<Ev<'a>>, Fail> {
        if !matches!(self.open.last(), Some((_, 0))) || !self.at_text {
            return Ok(None);
        }
        let Ok(at) = usize::try_from(self.reader.buffer_position()) else {
            return Ok(None);
        };
        let rest = self.input.as_bytes().get(at..).unwrap_or_default();
        let ws = if trim {
            rest.iter()
                .position(|&b| !is_ws_byte(b))
                .unwrap_or(rest.len())
        } else {
            0
        };
        self.own_end_at(at, at + ws)
    }

    /// [`XmlSource::own_end`] with the tag's `<` at `lt`, the reader at `at`.
    #[inline(always)]
    fn own_end_at(&mut self, at: usize, lt: usize) -> Result<Option<Ev<'a>>, Fail> {
        let Some(&(name, 0)) = self.open.last() else {
            return Ok(None);
        };
        if !self.at_text {
            return Ok(None);
        }
        let bytes = self.input.as_bytes();
        // The expected tag exactly, as nearly always.
        let exact = lt + 2 + name.len();
        if bytes.get(lt..lt + 2) == Some(b"</")
            && bytes
                .get(lt + 2..exact)
                .is_some_and(|n| same_name(n, name.as_bytes()))
            && bytes.get(exact) == Some(&b'>')
        {
            std::io::BufRead::consume(&mut self.reader.stream(), exact + 1 - at);
        } else {
            if bytes.get(lt..lt + 2) != Some(b"</") {
                return Ok(None);
            }
            let Some(gt) = memchr::memchr(b'>', bytes.get(lt + 2..).unwrap_or_default()) else {
                return Ok(None);
            };
            let found = self
                .input
                .get(lt + 2..lt + 2 + gt)
                .unwrap_or_default()
                .trim_end_matches([' ', '\t', '\r', '\n']);
            if found != name {
                let e = quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag {
                    expected: name.to_owned(),
                    found: found.to_owned(),
                });
                return Err(fail(K::Xml(e.to_string()), self.base + lt));
            }
            std::io::BufRead::consume(&mut self.reader.stream(), lt + 3 + gt - at);
        }
        self.open.pop();
        self.last = lt;
        self.lead_skipped = false;
        self.at_text = true;
        Ok(Some(Ev::End))
    }

    /// Counts an element quick-xml opened (`1`) or closed (`-1`) inside the innermost one
    /// started here.
    #[inline(always)]
    fn count_open(&mut self, delta: i32) {
        if let Some(top) = self.open.last_mut() {
            top.1 = top.1.saturating_add_signed(delta);
        }
    }

    /// The next event of a text element read ahead, as quick-xml would have returned it.
    #[cold]
    fn replay(&mut self) -> Result<Ev<'a>, Fail> {
        self.lead_skipped = false;
        match self.ahead {
            Ahead::Text {
                text, at, end_at, ..
            } if !text.is_empty() => {
                self.ahead = Ahead::End { at: end_at };
                self.last = at;
                Ok(if is_ws(text) {
                    Ev::Ws(text)
                } else {
                    Ev::Text(self.checked(Cow::Borrowed(text))?)
                })
            }
            Ahead::Text { end_at: at, .. } | Ahead::End { at } => {
                self.ahead = Ahead::None;
                self.last = at;
                Ok(Ev::End)
            }
            Ahead::None => Ok(Ev::Eof),
        }
    }

    /// The offset of the first byte of the last event itself.
    fn event_start(&self) -> usize {
        self.last + self.skipped().len()
    }

    #[cold]
    fn syntax(&self, e: &quick_xml::Error) -> Fail {
        let at = usize::try_from(self.reader.error_position()).unwrap_or(usize::MAX);
        fail(K::Xml(e.to_string()), self.base.saturating_add(at))
    }

    /// The same text as a slice of the input (attribute values borrow from the event).
    fn in_input(&self, v: &str) -> &'a str {
        let start = (v.as_ptr() as usize).wrapping_sub(self.input.as_ptr() as usize);
        self.input
            .get(start..start.saturating_add(v.len()))
            .filter(|s| *s == v)
            .unwrap_or("(unreadable namespace)")
    }

    #[inline]
    fn checked(&self, text: Cow<'a, str>) -> Result<Cow<'a, str>, Fail> {
        if ::wbxml::transcode::is_xml_text(&text) {
            Ok(text)
        } else {
            Err(fail(K::InvalidChar, self.base + self.event_start()))
        }
    }

    /// The namespace a start tag with attributes declares; `prefixed` when its name is.
    fn ns(&self, e: &BytesStart<'a>, prefixed: bool) -> Result<Ns<'a>, Fail> {
        let raw = e.attributes_raw();
        // The two declarations DM messages carry, as DM stacks write them (one space before,
        // the only attribute): a compare, before any trimming or parsing.
        if !prefixed {
            match raw {
                r#" xmlns="syncml:metinf""# => return Ok(Ns::MetInf),
                r#" xmlns="SYNCML:SYNCML1.2""# => return Ok(Ns::SyncMl),
                _ => {}
            }
        }
        let raw = raw.trim();
        if raw.is_empty() {
            return Ok(Ns::Inherited);
        }
        let qname: &str = e.name().0;
        let prefix = qname.split_once(':').map(|(p, _)| p);
        // The same declarations, spaced otherwise.
        if prefix.is_none() {
            match raw {
                r#"xmlns="syncml:metinf""# => return Ok(Ns::MetInf),
                r#"xmlns="SYNCML:SYNCML1.2""# => return Ok(Ns::SyncMl),
                _ => {}
            }
        }
        let mut attrs = e.attributes();
        attrs.with_checks(false);
        for attr in attrs {
            let attr =
                attr.map_err(|err| fail(K::Xml(err.to_string()), self.base + self.event_start()))?;
            let key: &str = attr.key.0;
            let declares = match (key.strip_prefix("xmlns"), prefix) {
                (Some(""), None) => true,
                (Some(rest), Some(p)) => rest.strip_prefix(':') == Some(p),
                _ => false,
            };
            if !declares {
                continue;
            }
            let v = attr.value.trim();
            return Ok(
                if v.eq_ignore_ascii_case("SYNCML:SYNCML1.2")
                    || v.eq_ignore_ascii_case("SYNCML:SYNCML1.1")
                {
                    Ns::SyncMl
                } else if v.eq_ignore_ascii_case("syncml:metinf") {
                    Ns::MetInf
                } else {
                    Ns::Other(self.in_input(v))
                },
            );
        }
        Ok(Ns::Inherited)
    }
}

/// The tag and local name of a qualified name; unprefixed names (the usual case) are
/// resolved without looking for a colon, since no known name holds one.
#[inline(always)]
/// The length of the XML declaration `input` starts with (through its `?>`), as quick-xml
/// delimits it, or 0 when there is none or when quick-xml's first read would differ: it
/// takes a byte order mark off wherever it starts, so the declaration is left to it when
/// anything but ASCII follows.
fn decl_len(input: &[u8]) -> usize {
    if !input.starts_with(b"<?xml") || !input.get(5).is_some_and(|&b| is_ws_byte(b)) {
        return 0;
    }
    // quick-xml's processing instruction end: the first `>` after a `?`, past `<?`.
    let Some(end) = input
        .windows(2)
        .skip(2)
        .position(|w| w == b"?>")
        .map(|i| i + 4)
    else {
        return 0;
    };
    match input.get(end) {
        Some(b) if !b.is_ascii() => 0,
        _ => end,
    }
}

fn tag_of(qname: &str) -> (Tag, &str) {
    match Tag::from_name(qname) {
        Tag::Other => {
            let name = local(qname);
            (Tag::from_name(name), name)
        }
        tag => (tag, qname),
    }
}

#[inline]
fn local(qname: &str) -> &str {
    match qname.bytes().position(|b| b == b':') {
        Some(i) => qname.get(i + 1..).unwrap_or_default(),
        None => qname,
    }
}

impl<'a> XmlSource<'a> {
    /// The next event; with `trim`, whitespace in front of it is skipped (quick-xml's
    /// `trim_text_start`: indentation then costs a byte loop instead of a text event).
    #[inline(always)]
    fn read(&mut self, trim: bool) -> Result<Ev<'a>, Fail> {
        if !matches!(self.ahead, Ahead::None) {
            return self.replay();
        }
        // Back here after a comment, a declaration or a processing instruction.
        loop {
            if trim && self.at_text && self.read_ahead {
                // Indentation skipped once for both: an end tag, or a start tag read ahead.
                let at = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
                let bytes = self.input.as_bytes();
                let rest = bytes.get(at..).unwrap_or_default();
                let lt = at
                    + rest
                        .iter()
                        .position(|&b| !is_ws_byte(b))
                        .unwrap_or(rest.len());
                if bytes.get(lt) == Some(&b'<') {
                    if bytes.get(lt + 1) == Some(&b'/') {
                        if let Some(ev) = self.own_end_at(at, lt)? {
                            return Ok(ev);
                        }
                    } else if let Some(ev) = self.text_element(at, lt) {
                        return Ok(ev);
                    }
                }
            }
            self.reader.config_mut().trim_text_start = trim;
            if let Some(ev) = self.own_end(trim)? {
                return Ok(ev);
            }
            self.last = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
            self.lead_skipped = trim;
            let event = match self.reader.read_event() {
                Ok(ev) => ev,
                Err(e) => return Err(self.syntax(&e)),
            };
            self.at_text = !matches!(event, Event::Text(_));
            return Ok(match event {
                Event::Start(e) => {
                    self.count_open(1);
                    // `<`, the tag's content, `>`.
                    self.tag_start(e.len() + 2);
                    let qname: &'a str = qname_of(&e, self.input, self.last);
                    self.last_qname = qname;
                    let (tag, name) = tag_of(qname);
                    Ev::Start {
                        tag,
                        name,
                        ns: if e.len() == qname.len() {
                            // No attributes (most tags): nothing declared.
                            Ns::Inherited
                        } else {
                            self.ns(&e, name.len() != qname.len())?
                        },
                        empty: false,
                    }
                }
                Event::Empty(e) => {
                    // `<`, the tag's content, `/>`.
                    self.tag_start(e.len() + 3);
                    let qname: &'a str = qname_of(&e, self.input, self.last);
                    self.last_qname = qname;
                    let (tag, name) = tag_of(qname);
                    Ev::Start {
                        tag,
                        name,
                        ns: if e.len() == qname.len() {
                            // No attributes (most tags): nothing declared.
                            Ns::Inherited
                        } else {
                            self.ns(&e, name.len() != qname.len())?
                        },
                        empty: true,
                    }
                }
                Event::End(_) => {
                    self.count_open(-1);
                    Ev::End
                }
                // quick-xml passes control characters through; they could not be encoded.
                Event::Text(t) => {
                    // Text starts where it was read from: trimmed text only reaches the
                    // decoder in element-only content, as an error at its first byte.
                    self.lead_skipped = false;
                    match t.into_inner() {
                        // Whitespace is XML text, and the decoder skips it unchecked.
                        Cow::Borrowed(s) if is_ws(s) => Ev::Ws(s),
                        t => Ev::Text(self.checked(t)?),
                    }
                }
                Event::CData(t) => Ev::Cdata(self.checked(t.into_inner())?),
                Event::GeneralRef(r) => {
                    if r.is_char_ref() {
                        match r.resolve_char_ref() {
                            Ok(Some(c)) if is_xml_char(c) => Ev::Char(c),
                            _ => {
                                return Err(fail(
                                    K::Entity(r.to_string()),
                                    self.base + self.event_start(),
                                ))
                            }
                        }
                    } else {
                        let s: &'static str = match &*r {
                            "amp" => "&",
                            "lt" => "<",
                            "gt" => ">",
                            "quot" => "\"",
                            "apos" => "'",
                            other => {
                                return Err(fail(
                                    K::Entity(other.to_owned()),
                                    self.base + self.event_start(),
                                ))
                            }
                        };
                        Ev::Text(Cow::Borrowed(s))
                    }
                }
                Event::Eof => Ev::Eof,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => continue,
            });
        }
    }
}

impl<'a> Source<'a> for XmlSource<'a> {
    const WBXML: bool = false;

    #[inline(always)]
    fn next(&mut self) -> Result<Ev<'a>, Fail> {
        self.read(false)
    }

    #[inline(always)]
    fn next_markup(&mut self) -> Result<Ev<'a>, Fail> {
        self.read(true)
    }

    /// Text up to an end tag, found with one scan of the input instead of a text event: the
    /// text is taken from the input and quick-xml, moved past it, reads the end tag (and
    /// checks its name). Anything else (a reference, CDATA, a child, a comment) is left to
    /// the event path.
    #[inline(always)]
    fn simple_text(&mut self) -> Result<Option<&'a str>, Fail> {
        if let Ahead::Text {
            text,
            plain,
            at,
            end_at,
            ..
        } = self.ahead
        {
            self.ahead = Ahead::None;
            self.last = at;
            self.lead_skipped = false;
            if !plain && !::wbxml::transcode::is_xml_text(text) {
                return Err(fail(K::InvalidChar, self.base + at));
            }
            self.last = end_at;
            return Ok(Some(text));
        }
        let at = usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX);
        let rest = self.input.as_bytes().get(at..).unwrap_or_default();
        let Some((i, plain)) = find_markup(rest) else {
            return Ok(None);
        };
        if rest.get(i) != Some(&b'<') || rest.get(i + 1) != Some(&b'/') {
            return Ok(None);
        }
        // Both ends are ASCII, so on character boundaries of the validated input.
        let Some(text) = self.input.get(at..at + i) else {
            return Ok(None);
        };
        // As for a text event: quick-xml passes control characters through.
        self.last = at;
        self.lead_skipped = false;
        if !plain && !::wbxml::transcode::is_xml_text(text) {
            return Err(fail(K::InvalidChar, self.base + at));
        }
        std::io::BufRead::consume(&mut self.reader.stream(), i);
        self.last = at + i;
        if self.own_end(false)?.is_some() {
            return Ok(Some(text));
        }
        match self.reader.read_event() {
            Ok(Event::End(_)) => {
                self.count_open(-1);
                Ok(Some(text))
            }
            Ok(_) => Err(fail(
                K::Xml("expected an end tag".into()),
                self.base + at + i,
            )),
            Err(e) => Err(self.syntax(&e)),
        }
    }

    /// In element-only content (the reader in text state, nothing read ahead), a child
    /// `<name>text</name>` is matched on the input as [`XmlSource::text_element`] and
    /// [`Source::simple_text`] would read it, and the source left as they leave it.
    #[inline(always)]
    fn text_child(&mut self, name: &'static str, max_len: usize) -> Option<&'a str> {
        if !matches!(self.ahead, Ahead::None) || !self.at_text || !self.read_ahead {
            return None;
        }
        let at = usize::try_from(self.reader.buffer_position()).ok()?;
        let bytes = self.input.as_bytes();
        // Mostly the tag follows the previous one directly; else indentation first.
        let lt = match bytes.get(at) {
            Some(b'<') => at,
            _ => {
                let rest = bytes.get(at..)?;
                at + rest.iter().position(|&b| !is_ws_byte(b))?
            }
        };
        let n = name.len();
        let text_at = lt + n + 2;
        if bytes.get(lt) != Some(&b'<')
            || bytes.get(lt + 1..lt + 1 + n) != Some(name.as_bytes())
            || bytes.get(text_at - 1) != Some(&b'>')
        {
            return None;
        }
        let (len, plain) = find_markup(bytes.get(text_at..)?)?;
        let end_at = text_at + len;
        let after = end_at + n + 3;
        if !plain
            || len > max_len
            || bytes.get(end_at..end_at + 2) != Some(b"</")
            || bytes.get(end_at + 2..after - 1) != Some(name.as_bytes())
            || bytes.get(after - 1) != Some(&b'>')
        {
            return None;
        }
        let text = self.input.get(text_at..end_at)?;
        std::io::BufRead::consume(&mut self.reader.stream(), after - at);
        self.last = end_at;
        self.lead_skipped = false;
        self.last_qname = name;
        Some(text)
    }

    fn offset(&self) -> usize {
        self.base.saturating_add(self.event_start())
    }

    #[inline(always)]
    fn command_hint(&self) -> usize {
        // A DM command takes 120 to 250 bytes of XML, rarely less than 96.
        self.input.len().saturating_sub(self.last) / 96
    }

    fn nested(&mut self, empty: bool) -> Result<&'a [u8], Fail> {
        let start = self.last;
        let end = if let Ahead::Text { after, .. } = self.ahead {
            // Read ahead already, up to its end tag.
            self.ahead = Ahead::None;
            after
        } else {
            if !empty {
                self.reader
                    .read_to_end(QName(self.last_qname))
                    .map_err(|e| self.syntax(&e))?;
                self.count_open(-1);
            }
            usize::try_from(self.reader.buffer_position()).unwrap_or(usize::MAX)
        };
        let raw = self
            .input
            .get(start..end)
            .ok_or_else(|| fail(K::UnexpectedEof, self.base + start))?;
        if !::wbxml::transcode::is_xml_text(raw) {
            return Err(fail(K::InvalidChar, self.base + start));
        }
        Ok(raw.as_bytes())
    }
}

/// The qualified name of a tag, borrowed from the input rather than from the event.
#[inline]
fn qname_of<'a>(e: &BytesStart<'_>, input: &'a str, at: usize) -> &'a str {
    let len = e.name().0.len();
    // The tag text starts right after `<` at the event's offset.
    input.get(at + 1..at + 1 + len).unwrap_or_default()
}

/// The length of the ASCII letters `b` starts with, when they are few enough to be a known
/// name and something follows them. Two words are tested at once when the input holds them.
#[inline(always)]
fn name_len(b: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    /// The high bit of every byte of `w` that is not an ASCII letter.
    #[inline(always)]
    fn non_letters(w: u64) -> u64 {
        // Lower-cased and kept under 0x80 so that no addition carries into the next byte.
        let x = (w | (LO * 0x20)) & !HI;
        let from_a = x + LO * (0x80 - u64::from(b'a'));
        let past_z = x + LO * (0x80 - u64::from(b'z') - 1);
        (!from_a | past_z | w) & HI
    }
    if let (Some(w0), Some(w1)) = (
        b.first_chunk::<8>(),
        b.get(8..).and_then(|r| r.first_chunk::<8>()),
    ) {
        let m0 = non_letters(u64::from_le_bytes(*w0));
        if m0 != 0 {
            return Some((m0.trailing_zeros() / 8) as usize);
        }
        let m1 = non_letters(u64::from_le_bytes(*w1));
        let len = 8 + (m1.trailing_zeros() / 8) as usize;
        return (len <= crate::decode::MAX_NAME).then_some(len);
    }
    let mut i = 0;
    while i <= crate::decode::MAX_NAME {
        if !b.get(i)?.is_ascii_alphabetic() {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// `a == b` for tag names: known names take 3 to 10 bytes, compared as two overlapping
/// words rather than through a `memcmp` call.
#[inline(always)]
fn same_name(a: &[u8], b: &[u8]) -> bool {
    /// The first and last `N` bytes agree: the whole, for lengths `N` to `2 * N`.
    #[inline(always)]
    fn ends<const N: usize>(a: &[u8], b: &[u8]) -> bool {
        a.first_chunk::<N>() == b.first_chunk::<N>() && a.last_chunk::<N>() == b.last_chunk::<N>()
    }
    match a.len() {
        n if n != b.len() => false,
        8..=16 => ends::<8>(a, b),
        4..=7 => ends::<4>(a, b),
        2..=3 => ends::<2>(a, b),
        _ => a == b,
    }
}

/// Whether the decoder reads the element's content as child elements only.
#[inline(always)]
fn is_container(tag: Tag) -> bool {
    matches!(
        tag,
        Tag::SyncML
            | Tag::SyncHdr
            | Tag::SyncBody
            | Tag::Target
            | Tag::Source
            | Tag::Cred
            | Tag::Meta
            | Tag::Add
            | Tag::Alert
            | Tag::Copy
            | Tag::Delete
            | Tag::Get
            | Tag::Replace
            | Tag::Exec
            | Tag::Atomic
            | Tag::Sequence
            | Tag::Results
            | Tag::Status
            | Tag::Item
            | Tag::Chal
            | Tag::MetInf
            | Tag::Anchor
            | Tag::Mem
    )
}

#[inline(always)]
fn is_ws_byte(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Whether XML 1.0 allows the character.
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn same_name_is_equality() {
        let names: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"ab",
            b"ac",
            b"abc",
            b"abd",
            b"xbc",
            b"Data",
            b"Date",
            b"LocURI",
            b"LocURL",
            b"MaxMsgSize",
            b"MaxObjSize",
            b"SourceParent",
            b"SourceParens",
            b"0123456789abcdef",
            b"0123456789abcdeg",
            b"0123456789abcdefg",
            b"0123456789abcdefh",
        ];
        for a in &names {
            for b in &names {
                assert_eq!(same_name(a, b), a == b, "{a:?} {b:?}");
            }
        }
    }

    /// `name_len` counts the letters a byte loop counts, up to the longest known name.
    #[test]
    fn name_len_matches_a_byte_loop() {
        let want = |b: &[u8]| {
            let n = b.iter().take(11).position(|c| !c.is_ascii_alphabetic())?;
            Some(n)
        };
        let others = [
            b'@', b'[', b'`', b'{', b'>', b' ', b'/', b':', b'0', 0x00, 0xc1, 0xe1, 0xff,
        ];
        for len in 0..20 {
            for letter in [b'a', b'z', b'A', b'Z', b'm'] {
                let mut b = vec![letter; len];
                assert_eq!(name_len(&b), want(&b), "{len}");
                for at in 0..len {
                    for &o in &others {
                        b[at] = o;
                        assert_eq!(name_len(&b), want(&b), "{len} {at} {o}");
                        b[at] = letter;
                    }
                }
            }
        }
    }
}
