//! The XML event source: quick-xml's borrowed reader, mapped to DDF tags.

use crate::error::{Error, ErrorKind};
use crate::model::Val;
use crate::parse::{append_text, unexpected, Ev, Res, Source, UnknownElement};
use crate::tag::Tag;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;

/// Reads DDF events from an XML string; offsets are shifted by `base` so that a document
/// parsed from a sub-slice reports offsets into the whole input.
pub(crate) struct XmlSource<'a> {
    reader: Reader<&'a [u8]>,
    /// The input, for finding where an end tag starts and for taking text from.
    input: &'a str,
    base: usize,
    /// The bytes of text taken from the input past the reader ([`XmlSource::text_piece`],
    /// [`XmlSource::empty_element`]), by which its positions fall behind.
    skipped: usize,
    /// Whether the last event of the reader was text: it then stands at the `<` of the
    /// markup after it, to be read next, and nothing may be taken past it.
    after_text: bool,
}

impl<'a> XmlSource<'a> {
    pub(crate) fn new(input: &'a str, base: usize) -> Self {
        let mut reader = Reader::from_str(input);
        // The indentation between elements, most of the text of a real DDF, is skipped by
        // the reader instead of coming out as events that would be dropped here: the
        // builder never keeps white space outside text elements, and a text element's
        // content is read with this turned off (see [`XmlSource::verbatim`]).
        reader.config_mut().trim_text_start = true;
        Self {
            reader,
            input,
            base,
            skipped: 0,
            after_text: false,
        }
    }

    /// An empty element without attributes (`<chr/>`) after white space at the reader's
    /// position, if it is one of the vocabulary, read from the input directly. The reader
    /// keeps no state for empty elements (they open nothing that an end tag must match):
    /// moving it past one is all it would do, besides checking its name as UTF-8, which
    /// the input, a `str`, is already.
    #[inline(always)]
    fn empty_element(&mut self) -> Option<Ev<'a>> {
        if self.after_text {
            return None;
        }
        let rest: &'a [u8] = self.reader.get_ref();
        let blank = rest
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
            .count();
        let markup = rest.get(blank..)?;
        if markup.first() != Some(&b'<') {
            return None;
        }
        let name_len = markup
            .get(1..)?
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if markup.get(1 + name_len..3 + name_len)? != b"/>" {
            return None;
        }
        let at = self.input.len().checked_sub(rest.len())? + blank;
        let tag = Tag::from_name(self.input.get(at + 1..at + 1 + name_len)?)?;
        let start = self.pos() + blank;
        let len = blank + name_len + 3;
        *self.reader.get_mut() = rest.get(len..)?;
        self.skipped += len;
        Some(Ev::Empty(tag, start))
    }

    /// The text at the reader's position up to the next markup or reference, if there is
    /// any and either follows it, taken straight from the input: the reader then goes on
    /// from the `<` or `&`. This is the text event the reader would give (read as written),
    /// without its check that the text is UTF-8, which the input, a `str`, is already, and
    /// without the event around it. Nearly all text elements hold one such piece.
    #[inline(always)]
    fn text_piece(&mut self) -> Option<&'a str> {
        let rest: &'a [u8] = self.reader.get_ref();
        let len = find_markup(rest).filter(|&len| len > 0)?;
        let at = self.input.len().checked_sub(rest.len())?;
        // `<` and `&` are ASCII: the piece ends on a character boundary.
        let text = self.input.get(at..at + len)?;
        *self.reader.get_mut() = rest.get(len..)?;
        self.skipped += len;
        Some(text)
    }

    /// The offset `len` bytes before the reader's position: the start of the markup just
    /// read, when `len` is its length.
    #[inline]
    fn back(&self, len: usize) -> usize {
        self.pos().saturating_sub(len)
    }

    /// The start of the end tag just read, whose name is `name_len` bytes long: `</`, the
    /// name, white space the reader dropped from it, `>`.
    #[inline]
    fn end_tag_start(&self, name_len: usize) -> usize {
        let close = usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.skipped)
            .saturating_sub(1);
        let blank = self.input.as_bytes().get(..close).map_or(0, |before| {
            before
                .iter()
                .rev()
                .take_while(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
                .count()
        });
        self.back(1 + blank + name_len + 2)
    }

    /// Whether text is read as written (inside a text element) or with its leading white
    /// space skipped (between elements).
    #[inline]
    fn verbatim(&mut self, on: bool) {
        self.reader.config_mut().trim_text_start = !on;
    }

    fn pos(&self) -> usize {
        usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.skipped)
            .saturating_add(self.base)
    }

    /// The error for a failed `read_event`. The event itself is matched where it is read:
    /// passing it on in a new `Result` costs a copy of every event.
    #[cold]
    fn xml_error(&self, e: &quick_xml::Error) -> Box<Error> {
        let at = usize::try_from(self.reader.error_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.skipped)
            .saturating_add(self.base);
        Error::syntax(ErrorKind::Xml(e.to_string()), at).into()
    }

    /// The rest of a text element's content after what `acc` holds, from `event` (read at
    /// `start`) on: text split by references, CDATA or comments.
    #[inline(never)]
    fn text_rest<A: Pieces<'a>>(
        &mut self,
        tag: Tag,
        acc: &mut A,
        event: quick_xml::Result<Event<'a>>,
        start: usize,
    ) -> Res<()> {
        self.verbatim(true);
        let text = self.text_pieces(tag, acc, event, start);
        self.verbatim(false);
        text
    }

    /// [`Source::value_content`] with the reader set to read text as written.
    #[inline]
    fn value_pieces(&mut self, acc: &mut Joined<'a, '_>) -> Res<()> {
        loop {
            if let Some(text) = self.text_piece() {
                acc.push(Cow::Borrowed(text));
            }
            let start = self.pos();
            match self.reader.read_event() {
                Ok(Event::End(_)) => return Ok(()),
                Ok(Event::GeneralRef(r)) => acc.push_reference(reference(&r.into_inner(), start)?),
                other => return self.text_pieces(Tag::Value, acc, other, start),
            }
        }
    }

    /// [`XmlSource::text_rest`] with the reader set to read text as written.
    fn text_pieces<A: Pieces<'a>>(
        &mut self,
        tag: Tag,
        acc: &mut A,
        mut event: quick_xml::Result<Event<'a>>,
        mut start: usize,
    ) -> Res<()> {
        loop {
            let piece = match event {
                Ok(Event::Text(t)) => Some(t.into_inner()),
                Ok(Event::End(_)) => return Ok(()),
                Ok(Event::GeneralRef(r)) => {
                    acc.push_reference(reference(&r.into_inner(), start)?);
                    None
                }
                Ok(Event::CData(t)) => Some(t.into_inner()),
                Err(e) => return Err(self.xml_error(&e)),
                Ok(Event::Start(e) | Event::Empty(e)) => {
                    let name = e.name();
                    let name = name.as_ref();
                    return Err(match Tag::from_name(name) {
                        Some(found) => unexpected(found, tag, start),
                        None => Error::syntax(
                            ErrorKind::UnexpectedElement {
                                found: name.to_owned(),
                                parent: tag.name(),
                            },
                            start,
                        ),
                    }
                    .into());
                }
                Ok(Event::Eof) => {
                    return Err(Error::syntax(ErrorKind::Truncated(tag.name()), start).into())
                }
                Ok(Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_)) => None,
            };
            if let Some(piece) = piece {
                acc.push(piece);
            }
            start = self.pos();
            event = self.reader.read_event();
        }
    }
}

/// Where the pieces of a text element's content are joined.
trait Pieces<'a> {
    fn push(&mut self, piece: Cow<'a, str>);
    fn push_char(&mut self, c: char);

    /// The replacement text of a reference.
    #[inline]
    fn push_reference(&mut self, reference: Reference) {
        match reference {
            Reference::Str(text) => self.push(Cow::Borrowed(text)),
            Reference::Char(c) => self.push_char(c),
        }
    }
}

impl<'a> Pieces<'a> for Option<Cow<'a, str>> {
    #[inline]
    fn push(&mut self, piece: Cow<'a, str>) {
        append_text(self, piece);
    }

    fn push_char(&mut self, c: char) {
        append_text(self, Cow::Owned(c.to_string()));
    }
}

/// A `Value`'s content joined in the tree's text buffer: a single piece of the input stays
/// borrowed, and only content in several pieces (split by references, CDATA, comments) is
/// copied, straight into the buffer, with no allocation of its own.
struct Joined<'a, 'b> {
    buf: &'b mut String,
    /// Where the content starts in `buf`, once copied there.
    start: Option<usize>,
    /// The content so far while it is one piece of the input.
    single: Option<&'a str>,
}

impl<'a, 'b> Joined<'a, 'b> {
    fn new(buf: &'b mut String) -> Self {
        Self {
            buf,
            start: None,
            single: None,
        }
    }

    /// Moves the content into the buffer, if it is not there yet.
    #[inline]
    fn copied(&mut self) -> &mut String {
        if self.start.is_none() {
            self.start = Some(self.buf.len());
            if let Some(first) = self.single.take() {
                self.buf.push_str(first);
            }
        }
        self.buf
    }

    fn value(self) -> Val<'a> {
        match (self.start, self.single) {
            (Some(start), _) => Val::Buf {
                start,
                end: self.buf.len(),
            },
            (None, single) => Val::Input(single.unwrap_or("")),
        }
    }
}

impl<'a> Pieces<'a> for Joined<'a, '_> {
    #[inline]
    fn push(&mut self, piece: Cow<'a, str>) {
        match piece {
            Cow::Borrowed(text) if self.start.is_none() && self.single.is_none() => {
                self.single = Some(text);
            }
            piece => self.copied().push_str(&piece),
        }
    }

    fn push_char(&mut self, c: char) {
        self.copied().push(c);
    }
}

/// The replacement text of a reference.
enum Reference {
    /// A predefined entity's.
    Str(&'static str),
    /// A character reference's.
    Char(char),
}

impl Reference {
    /// As a piece of text: a character reference as a `String` of its own.
    fn into_cow(self) -> Cow<'static, str> {
        match self {
            Self::Str(text) => Cow::Borrowed(text),
            Self::Char(c) => Cow::Owned(c.to_string()),
        }
    }
}

/// The text of an entity or character reference at `start`.
#[inline]
fn reference(name: &str, start: usize) -> Res<Reference> {
    // The five predefined entities need no buffer of their own: the text element they
    // split is copied once, when its pieces are joined.
    if let Some(text) = predefined_entity(name) {
        return Ok(Reference::Str(text));
    }
    match resolve_entity(name) {
        Some(c) => Ok(Reference::Char(c)),
        None => {
            Err(Error::syntax(ErrorKind::Xml(format!("unknown entity &{name};")), start).into())
        }
    }
}

/// The replacement text of a predefined entity (`amp`, `lt`, `gt`, `quot`, `apos`).
#[inline]
fn predefined_entity(name: &str) -> Option<&'static str> {
    Some(match name {
        "amp" => "&",
        "lt" => "<",
        "gt" => ">",
        "quot" => "\"",
        "apos" => "'",
        _ => return None,
    })
}

/// Resolves `&name;` / `&#N;` / `&#xN;`: the five predefined entities and character references.
pub(crate) fn resolve_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse::<u32>().ok()?,
            };
            return char::from_u32(code).filter(|c| *c != '\0');
        }
    })
}

/// A start or empty tag as an event: a known tag, or an unknown element named.
#[inline(always)]
fn element<'a>(name: &str, start: usize, empty: bool) -> Ev<'a> {
    match Tag::from_name(name) {
        Some(tag) if empty => Ev::Empty(tag, start),
        Some(tag) => Ev::Start(tag, start),
        None => Ev::Unknown(Box::new(UnknownElement {
            name: name.to_owned(),
            empty,
            offset: start,
        })),
    }
}

impl<'a> Source<'a> for XmlSource<'a> {
    fn node_estimate(&self) -> usize {
        // The density of `<Node>` tags at the start, extrapolated to the whole input with a
        // margin: nodes take from tens to hundreds of bytes, so a guess from the length
        // alone would be far too small or far too large for some documents (and an arena
        // large enough to be mapped afresh by the allocator on every parse costs page faults).
        const SAMPLE: usize = 32 * 1024;
        let input = self.input.as_bytes();
        let sample = input.get(..SAMPLE).unwrap_or(input);
        let count = sample
            .split(|&b| b == b'<')
            .filter(|tag| {
                tag.starts_with(b"Node")
                    && matches!(tag.get(4), Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n'))
            })
            .count();
        if sample.len() == self.input.len() {
            return count;
        }
        let scaled = count.saturating_mul(self.input.len()) / sample.len().max(1);
        // Never more than a node per 32 bytes (the smallest takes 24), so that an input
        // dense in `<Node>` tags only at its start reserves no more than real nodes would
        // take.
        scaled
            .saturating_add(scaled / 4)
            .saturating_add(16)
            .min(self.input.len() / 32)
    }

    #[inline(always)]
    fn next(&mut self) -> Res<Ev<'a>> {
        loop {
            // Where a text event starts: the reader skips the indentation before markup,
            // so the start of markup is found from the end of the event instead.
            let before = self.pos();
            let event = self.reader.read_event().map_err(|e| self.xml_error(&e))?;
            self.after_text = matches!(event, Event::Text(_));
            return Ok(match event {
                // `<` name and attributes `>`
                Event::Start(e) => element(e.name().as_ref(), self.back(e.len() + 2), false),
                // `<` name and attributes `/>`
                Event::Empty(e) => element(e.name().as_ref(), self.back(e.len() + 3), true),
                Event::End(e) => Ev::End(self.end_tag_start(e.name().as_ref().len())),
                Event::Text(t) => {
                    let text = t.into_inner();
                    // Left by the reader only where white space is followed by a reference
                    // or the end of the input.
                    if is_blank(&text) {
                        continue;
                    }
                    Ev::Text(text, before)
                }
                // `<![CDATA[` content `]]>`
                Event::CData(t) => {
                    let start = self.back(t.len() + 12);
                    Ev::Text(t.into_inner(), start)
                }
                Event::GeneralRef(r) => {
                    // `&` name `;`
                    let start = self.back(r.len() + 2);
                    Ev::Text(reference(&r.into_inner(), start)?.into_cow(), start)
                }
                Event::Eof => Ev::Eof(self.pos()),
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => continue,
            });
        }
    }

    /// The usual content, one piece of text and the end tag, is read at sites of its own
    /// instead of through [`Ev`] (every leaf of a TNDS has a few text elements): the text
    /// from the input ([`XmlSource::text_piece`]), the end tag from the reader. Each site
    /// nearly always sees the same kind of content: a single `match` seeing text and end
    /// tags in turn mispredicts its jump.
    fn text_content(&mut self, tag: Tag) -> Res<Cow<'a, str>> {
        if let Some(first) = self.text_piece() {
            let start = self.pos();
            return match self.reader.read_event() {
                Ok(Event::End(_)) => Ok(Cow::Borrowed(first)),
                other => {
                    let mut acc = Some(Cow::Borrowed(first));
                    self.text_rest(tag, &mut acc, other, start)?;
                    Ok(acc.unwrap_or(Cow::Borrowed("")))
                }
            };
        }
        let start = self.pos();
        // Only this read can see text: the event after a piece of text is markup or a
        // reference, which trimming leaves alone, and `text_rest` reads the rest as written.
        self.verbatim(true);
        let event = self.reader.read_event();
        self.verbatim(false);
        let first = match event {
            Ok(Event::Text(t)) => t.into_inner(),
            Ok(Event::End(_)) => return Ok(Cow::Borrowed("")),
            other => {
                let mut acc = None;
                self.text_rest(tag, &mut acc, other, start)?;
                return Ok(acc.unwrap_or(Cow::Borrowed("")));
            }
        };
        let start = self.pos();
        match self.reader.read_event() {
            Ok(Event::End(_)) => Ok(first),
            other => {
                let mut acc = Some(first);
                self.text_rest(tag, &mut acc, other, start)?;
                Ok(acc.unwrap_or(Cow::Borrowed("")))
            }
        }
    }

    /// As [`XmlSource::text_content`], with content in several pieces joined in `buf`: the
    /// usual split, text around references, is read here, anything else as there.
    fn value_content(&mut self, buf: &mut String) -> Res<Val<'a>> {
        let mut acc = Joined::new(buf);
        self.verbatim(true);
        let read = self.value_pieces(&mut acc);
        self.verbatim(false);
        read.map(|()| acc.value())
    }

    #[inline(always)]
    fn next_empty(&mut self) -> Res<Ev<'a>> {
        match self.empty_element() {
            Some(ev) => Ok(ev),
            None => self.next(),
        }
    }

    fn trailing_content(&mut self) -> Res<Option<usize>> {
        loop {
            match self.next()? {
                Ev::Eof(_) => return Ok(None),
                Ev::Text(t, _) if is_blank(&t) => {}
                Ev::Start(_, at) | Ev::Empty(_, at) | Ev::End(at) | Ev::Text(_, at) => {
                    return Ok(Some(at))
                }
                Ev::Unknown(u) => return Ok(Some(u.offset)),
            }
        }
    }
}

/// The first `<` or `&` in `b` (the workspace's text scan, [`wbxml::transcode::find_markup`]).
#[inline(always)]
fn find_markup(b: &[u8]) -> Option<usize> {
    wbxml::transcode::find_markup(b).map(|(at, _)| at)
}

/// Whether `s` is XML whitespace only (space, tab, CR, LF): the indentation between elements,
/// which is most of the text events of a real DDF. Eight bytes are checked at a time.
#[inline]
pub(crate) fn is_blank(s: &str) -> bool {
    let bytes = s.as_bytes();
    // The usual indentation, a line break and then spaces, is one word compare per 8 bytes.
    let rest = bytes
        .strip_prefix(b"\n")
        .or_else(|| bytes.strip_prefix(b"\r\n"))
        .unwrap_or(bytes);
    all_spaces(rest) || any_blank(bytes)
}

/// Whether `bytes` holds spaces only.
#[inline]
fn all_spaces(bytes: &[u8]) -> bool {
    const SPACES: [u8; 8] = [b' '; 8];
    if bytes.len() < 8 {
        return bytes.iter().all(|&b| b == b' ');
    }
    // The last, overlapping word covers the remainder of `chunks_exact`.
    bytes.chunks_exact(8).all(|w| w == SPACES)
        && bytes.get(bytes.len() - 8..).is_some_and(|w| w == SPACES)
}

/// [`is_blank`] for any mix of the four whitespace bytes.
fn any_blank(bytes: &[u8]) -> bool {
    if bytes.len() < 8 {
        return bytes
            .iter()
            .all(|&b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
    }
    let mut words = bytes.chunks_exact(8);
    // The last, overlapping word covers the remainder of `chunks_exact`.
    words.all(word_is_blank) && bytes.get(bytes.len() - 8..).is_some_and(word_is_blank)
}

/// Whether all eight bytes of `chunk` are XML whitespace (SWAR: a byte of `w ^ k` is zero
/// exactly where `w` holds `k`).
#[inline]
fn word_is_blank(chunk: &[u8]) -> bool {
    const LOW: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let Ok(word) = <[u8; 8]>::try_from(chunk) else {
        return false;
    };
    let w = u64::from_le_bytes(word);
    // The high bit of each byte is set where that byte differs from the one of `k`.
    let differs = |k: u8| {
        let v = w ^ (u64::from(k) * 0x0101_0101_0101_0101);
        ((v & LOW).wrapping_add(LOW) | v) & HIGH
    };
    differs(b' ') & differs(b'\n') & differs(b'\t') & differs(b'\r') == 0
}

/// The byte offset of the first `MgmtTree` element in an XML document (a SyncML message
/// carrying a DDF or TNDS in `<Data>`), if there is one.
pub fn find_mgmt_tree(xml: &str) -> Result<Option<usize>, Error> {
    let mut reader = Reader::from_str(xml);
    loop {
        let start = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            Error::syntax(ErrorKind::Xml(e.to_string()), at)
        })?;
        match event {
            Event::Start(e) | Event::Empty(e) if e.local_name().as_ref() == "MgmtTree" => {
                return Ok(Some(start))
            }
            Event::Eof => return Ok(None),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{find_markup, is_blank, XmlSource};
    use crate::parse::{Ev, Source};

    /// The reader skips indentation, so markup offsets are worked out from the end of each
    /// event: they must point at its `<` (or `&`) whatever came before.
    #[test]
    fn event_offsets_point_at_the_markup() {
        let doc = "<?xml version=\"1.0\"?>\n<MgmtTree>\n  <VerDTD>1.2</VerDTD>  <!-- c -->\n\t<Node >\r\n\
                   <NodeName>a</NodeName   >\n    <x-vendor a=\"1\"/> <RTProperties/>\n  </Node \n>\n\
                   <Value>  <![CDATA[c]]> &amp; </Value></MgmtTree>\n  ";
        for base in [0, 7] {
            let mut src = XmlSource::new(doc, base);
            let mut seen = Vec::new();
            loop {
                let ev = src.next().unwrap();
                let (at, expect) = match &ev {
                    Ev::Start(tag, at) | Ev::Empty(tag, at) => (*at, format!("<{}", tag.name())),
                    Ev::Unknown(u) => (u.offset, format!("<{}", u.name)),
                    Ev::End(at) => (*at, "</".to_owned()),
                    Ev::Text(t, at) if t == "&" => (*at, "&amp;".to_owned()),
                    Ev::Text(t, at) if t == "c" => (*at, "<![CDATA[c".to_owned()),
                    Ev::Text(t, at) => (*at, t.to_string()),
                    Ev::Eof(at) => {
                        assert_eq!(*at, doc.len() + base);
                        break;
                    }
                };
                let at = at - base;
                assert!(
                    doc[at..].starts_with(&expect),
                    "{expect} at {at}: {:?}",
                    &doc[at..]
                );
                seen.push(expect);
            }
            assert_eq!(seen.len(), 16, "{seen:?}");
        }
    }

    #[test]
    fn find_markup_finds_the_first_lt_or_amp() {
        let slow = |b: &[u8]| b.iter().position(|&c| c == b'<' || c == b'&');
        for len in 0..40 {
            let plain: Vec<u8> = (0..len).map(|i| b"ab\xc3\xa9;>\x80 "[i % 8]).collect();
            assert_eq!(find_markup(&plain), None);
            for at in 0..len {
                for mark in [b'<', b'&'] {
                    let mut b = plain.clone();
                    b[at] = mark;
                    assert_eq!(find_markup(&b), Some(at), "{b:?}");
                    if at + 1 < len {
                        b[len - 1] = b'<';
                        assert_eq!(find_markup(&b), slow(&b), "{b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn blank_matches_the_bytewise_definition() {
        let slow = |s: &str| s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'));
        let alphabet = [
            ' ', '\t', '\r', '\n', 'a', '\u{0}', '\u{b}', '\u{a0}', '!', '\u{20ac}',
        ];
        for len in 0..20 {
            for bad in 0..len {
                for c in alphabet {
                    let mut s: String = (0..len)
                        .map(|i| alphabet.get(i % 4).copied().unwrap_or(' '))
                        .collect();
                    s.replace_range(
                        s.char_indices()
                            .nth(bad)
                            .map_or(0..0, |(i, ch)| i..i + ch.len_utf8()),
                        c.encode_utf8(&mut [0; 4]),
                    );
                    assert_eq!(is_blank(&s), slow(&s), "{s:?}");
                }
            }
            let all_blank: String = (0..len).map(|i| [' ', '\n', '\t', '\r'][i % 4]).collect();
            assert!(is_blank(&all_blank));
            for lead in ["\n", "\r\n", ""] {
                let indent = format!("{lead}{}", " ".repeat(len));
                assert!(is_blank(&indent), "{indent:?}");
                for bad in ["x", "\u{0}", "\t", "\n"] {
                    for at in 0..=len {
                        let mut s = indent.clone();
                        s.insert_str(lead.len() + at, bad);
                        assert_eq!(is_blank(&s), slow(&s), "{s:?}");
                    }
                }
            }
        }
    }

    /// The arena is sized from the `<Node>` tags at the start of the input, within bounds
    /// set by its length.
    #[test]
    fn node_estimate_follows_the_start_and_is_bounded_by_the_length() {
        let node = "<Node><NodeName>n</NodeName><Value>v</Value></Node>";
        let doc = |nodes: usize| format!("<MgmtTree>{}</MgmtTree>", node.repeat(nodes));
        // Small documents are counted exactly.
        assert_eq!(XmlSource::new(&doc(7), 0).node_estimate(), 7);
        assert_eq!(XmlSource::new("<Nodes/><NodeName/>", 0).node_estimate(), 0);
        // Uniform ones extrapolated with a margin.
        let big = doc(20_000);
        let estimate = XmlSource::new(&big, 0).node_estimate();
        assert!((20_000..=26_000).contains(&estimate), "{estimate}");
        // Dense at the start only: no more than a node per 32 bytes.
        let skewed = format!(
            "<MgmtTree>{}{}</MgmtTree>",
            "<Node><NodeName/></Node>".repeat(2_000),
            " ".repeat(1 << 20)
        );
        let estimate = XmlSource::new(&skewed, 0).node_estimate();
        assert!(estimate <= skewed.len() / 32, "{estimate}");
    }
}
