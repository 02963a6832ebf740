//! The XML event source: quick-xml's borrowed reader, mapped to DDF tags.

use crate::error::{Error, ErrorKind};
use crate::parse::{append_text, unexpected, Ev, Res, Source, UnknownElement};
use crate::tag::Tag;
use quick_xml::events::Event;
use quick_xml::Reader;
use std::borrow::Cow;

/// Reads DDF events from an XML string; offsets are shifted by `base` so that a document
/// parsed from a sub-slice reports offsets into the whole input.
pub(crate) struct XmlSource<'a> {
    reader: Reader<&'a [u8]>,
    base: usize,
}

impl<'a> XmlSource<'a> {
    pub(crate) fn new(input: &'a str, base: usize) -> Self {
        Self {
            reader: Reader::from_str(input),
            base,
        }
    }

    fn pos(&self) -> usize {
        usize::try_from(self.reader.buffer_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base)
    }

    /// The error for a failed `read_event`. The event itself is matched where it is read:
    /// passing it on in a new `Result` costs a copy of every event.
    #[cold]
    fn xml_error(&self, e: &quick_xml::Error) -> Box<Error> {
        let at = usize::try_from(self.reader.error_position())
            .unwrap_or(usize::MAX)
            .saturating_add(self.base);
        Error::syntax(ErrorKind::Xml(e.to_string()), at).into()
    }

    /// The rest of a text element's content after `acc`, from `event` (read at `start`) on:
    /// text split by references, CDATA or comments.
    #[inline(never)]
    fn text_rest(
        &mut self,
        tag: Tag,
        mut acc: Option<Cow<'a, str>>,
        mut event: quick_xml::Result<Event<'a>>,
        mut start: usize,
    ) -> Res<Cow<'a, str>> {
        loop {
            let piece = match event {
                Ok(Event::Text(t)) => Some(t.into_inner()),
                Ok(Event::End(_)) => return Ok(acc.unwrap_or(Cow::Borrowed(""))),
                Ok(Event::GeneralRef(r)) => Some(reference(&r.into_inner(), start)?),
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
                append_text(&mut acc, piece);
            }
            start = self.pos();
            event = self.reader.read_event();
        }
    }
}

/// The text of an entity or character reference at `start`.
#[inline]
fn reference(name: &str, start: usize) -> Res<Cow<'static, str>> {
    // The five predefined entities need no buffer of their own: the text element they
    // split is copied once, when its pieces are joined.
    if let Some(text) = predefined_entity(name) {
        return Ok(Cow::Borrowed(text));
    }
    match resolve_entity(name) {
        Some(c) => Ok(Cow::Owned(c.to_string())),
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

impl<'a> Source<'a> for XmlSource<'a> {
    #[inline(always)]
    fn next(&mut self) -> Res<Ev<'a>> {
        loop {
            let start = self.pos();
            let event = self.reader.read_event().map_err(|e| self.xml_error(&e))?;
            return Ok(match event {
                Event::Start(e) => match Tag::from_name(e.name().as_ref()) {
                    Some(tag) => Ev::Start(tag, start),
                    None => Ev::Unknown(Box::new(UnknownElement {
                        name: e.name().as_ref().to_owned(),
                        empty: false,
                        offset: start,
                    })),
                },
                Event::Empty(e) => match Tag::from_name(e.name().as_ref()) {
                    Some(tag) => Ev::Empty(tag, start),
                    None => Ev::Unknown(Box::new(UnknownElement {
                        name: e.name().as_ref().to_owned(),
                        empty: true,
                        offset: start,
                    })),
                },
                Event::End(_) => Ev::End(start),
                Event::Text(t) => {
                    let text = t.into_inner();
                    // Indentation between elements: most text events of a real DDF.
                    if is_blank(&text) {
                        continue;
                    }
                    Ev::Text(text, start)
                }
                Event::CData(t) => Ev::Text(t.into_inner(), start),
                Event::GeneralRef(r) => Ev::Text(reference(&r.into_inner(), start)?, start),
                Event::Eof => Ev::Eof(start),
                Event::Decl(_) | Event::PI(_) | Event::DocType(_) | Event::Comment(_) => continue,
            });
        }
    }

    /// The usual content, one text event and the end tag, is taken straight from the reader
    /// instead of through [`Ev`]: every leaf of a TNDS has a few text elements. The two
    /// events are read at sites of their own, each of which nearly always sees the same kind
    /// of event: a single `match` seeing text and end tags in turn mispredicts its jump.
    fn text_content(&mut self, tag: Tag) -> Res<Cow<'a, str>> {
        let start = self.pos();
        let first = match self.reader.read_event() {
            Ok(Event::Text(t)) => t.into_inner(),
            Ok(Event::End(_)) => return Ok(Cow::Borrowed("")),
            other => return self.text_rest(tag, None, other, start),
        };
        let start = self.pos();
        match self.reader.read_event() {
            Ok(Event::End(_)) => Ok(first),
            other => self.text_rest(tag, Some(first), other, start),
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
    use super::is_blank;

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
}
