//! WBXML front end and writer: DDF/TNDS on code page 2, standalone (FPI in the string table,
//! or public id `0x01` recognised by its `MgmtTree` root) or nested in a SyncML message.

use crate::error::{Error, ErrorKind};
use crate::model::MgmtTree;
use crate::parse::{Builder, Ev, Parsed, Res, Source, UnknownElement};
use crate::tag::{Tag, PAGE};
use crate::write::{ListFilter, Sink};
use std::borrow::Cow;
use wbxml::{Event, Language, PublicId, Reader, ReaderOptions, Version, Writer};

/// The formal public identifier of DDF 1.2 documents.
pub const DDF_FPI: &str = "-//OMA//DTD-DM-DDF 1.2//EN";

/// How deep a DDF nested in OPAQUE inside a SyncML message may itself nest documents.
const MAX_NESTED_DOCS: usize = 4;

fn wbxml_error(err: &wbxml::Error, base: usize) -> Error {
    Error::syntax(
        ErrorKind::Wbxml(err.to_string()),
        err.offset().saturating_add(base),
    )
}

/// Reads DDF events from a WBXML reader; offsets are shifted by `base` for nested documents.
pub(crate) struct WbxmlSource<'a> {
    reader: Reader<'a>,
    base: usize,
}

impl<'a> WbxmlSource<'a> {
    fn offset(&self) -> usize {
        self.reader.event_offset().saturating_add(self.base)
    }
}

fn tag_of(tag: &wbxml::Tag<'_>) -> Option<Tag> {
    if tag.page == PAGE && !tag.is_literal() {
        Tag::from_token(tag.token)
    } else {
        None
    }
}

impl<'a> Source<'a> for WbxmlSource<'a> {
    fn node_estimate(&self) -> usize {
        // WBXML tags are one byte each: a node takes some tens of bytes.
        self.reader
            .input()
            .len()
            .saturating_sub(self.reader.offset())
            / 48
    }

    fn next(&mut self) -> Res<Ev<'a>> {
        loop {
            let event = self
                .reader
                .next_event()
                .map_err(|e| wbxml_error(&e, self.base))?;
            let at = self.offset();
            return Ok(match event {
                Event::Start(tag) | Event::Empty(tag) => {
                    let empty = matches!(event, Event::Empty(_));
                    match tag_of(&tag) {
                        Some(t) if empty => Ev::Empty(t, at),
                        Some(t) => Ev::Start(t, at),
                        None => Ev::Unknown(Box::new(UnknownElement {
                            name: tag.name.to_owned(),
                            empty,
                            offset: at,
                        })),
                    }
                }
                Event::End(_) => Ev::End(at),
                Event::Str(text) => Ev::Text(Cow::Borrowed(text), at),
                Event::Opaque(bytes) => match std::str::from_utf8(bytes) {
                    Ok(text) => Ev::Text(Cow::Borrowed(text), at),
                    Err(_) => {
                        return Err(Error::syntax(
                            ErrorKind::Wbxml("OPAQUE that is not UTF-8 text".to_owned()),
                            at,
                        )
                        .into())
                    }
                },
                Event::Entity(code) => match char::from_u32(code).filter(|c| *c != '\0') {
                    Some(c) => Ev::Text(Cow::Owned(c.to_string()), at),
                    None => {
                        return Err(Error::syntax(
                            ErrorKind::Wbxml(format!("invalid character entity {code:#x}")),
                            at,
                        )
                        .into())
                    }
                },
                Event::Pi(_) | Event::Ext(_) => continue,
                Event::Eof => Ev::Eof(at),
            });
        }
    }

    fn trailing_content(&mut self) -> Res<Option<usize>> {
        loop {
            match self.next()? {
                Ev::Eof(_) => return Ok(None),
                Ev::Text(t, _) if crate::xml::is_blank(&t) => {}
                Ev::Start(_, at) | Ev::Empty(_, at) | Ev::End(at) | Ev::Text(_, at) => {
                    return Ok(Some(at))
                }
                Ev::Unknown(u) => return Ok(Some(u.offset)),
            }
        }
    }
}

fn reader(bytes: &[u8], base: usize, language: Option<Language>) -> Result<Reader<'_>, Error> {
    Reader::with_options(
        bytes,
        ReaderOptions {
            language,
            ..ReaderOptions::default()
        },
    )
    .map_err(|e| wbxml_error(&e, base))
}

/// Parses a DDF or TNDS from WBXML: a standalone DDF document (FPI
/// `-//OMA//DTD-DM-DDF 1.2//EN` in the string table, or public id `0x01` with a page-2
/// `MgmtTree` root), or else the first `MgmtTree` nested in a SyncML message (on code page 2
/// of the message itself, or as a WBXML document inside OPAQUE data).
pub fn parse_wbxml(bytes: &[u8]) -> Result<Parsed<'_>, Error> {
    parse_at(bytes, 0, 0)
}

fn parse_at(bytes: &[u8], base: usize, nesting: usize) -> Result<Parsed<'_>, Error> {
    let mut reader = reader(bytes, base, None)?;
    if reader.language() == Some(Language::DmDdf12) {
        return Builder::new(WbxmlSource { reader, base }).document(true);
    }
    // A SyncML (or other) message: look for the MgmtTree inside it.
    loop {
        let event = reader.next_event().map_err(|e| wbxml_error(&e, base))?;
        match event {
            Event::Start(tag) if tag_of(&tag) == Some(Tag::MgmtTree) => {
                let at = reader.event_offset().saturating_add(base);
                let mut builder = Builder::new(WbxmlSource { reader, base });
                let tree = builder.mgmt_tree(at).map_err(|e| *e)?;
                return builder.finish(tree);
            }
            Event::Opaque(inner) if nesting < MAX_NESTED_DOCS && looks_like_ddf(inner) => {
                let inner_base = (inner.as_ptr() as usize)
                    .saturating_sub(bytes.as_ptr() as usize)
                    .saturating_add(base);
                return parse_at(inner, inner_base, nesting + 1);
            }
            Event::Eof => {
                return Err(Error::syntax(
                    ErrorKind::NoMgmtTree,
                    reader.event_offset().saturating_add(base),
                ))
            }
            _ => {}
        }
    }
}

/// Whether OPAQUE bytes start like a WBXML DDF document.
fn looks_like_ddf(bytes: &[u8]) -> bool {
    Reader::new(bytes).is_ok_and(|r| r.language() == Some(Language::DmDdf12))
}

struct WbxmlSink {
    writer: Writer,
}

impl Sink for WbxmlSink {
    fn start(&mut self, tag: Tag) {
        self.writer.start(PAGE, tag.token());
    }

    fn end(&mut self) {
        self.writer.end();
    }

    fn empty(&mut self, tag: Tag) {
        self.writer.empty(PAGE, tag.token());
    }

    fn text(&mut self, tag: Tag, text: &str) -> Result<(), Error> {
        if text.is_empty() {
            self.writer.empty(PAGE, tag.token());
            return Ok(());
        }
        self.writer.start(PAGE, tag.token());
        self.writer
            .str_i(text)
            .map_err(|e| Error::syntax(ErrorKind::Encode(e.to_string()), 0))?;
        self.writer.end();
        Ok(())
    }
}

/// Writes the tree as a standalone WBXML 1.3 DDF document (UTF-8, the DDF FPI in the string
/// table, tags on code page 2), keeping the properties the filter selects. Fails only on text
/// that WBXML cannot carry (an interior NUL).
pub fn to_wbxml(tree: &MgmtTree<'_>, filter: ListFilter) -> Result<Vec<u8>, Error> {
    let mut sink = WbxmlSink {
        writer: Writer::with_fpi(Version::V1_3, DDF_FPI),
    };
    sink.start(Tag::MgmtTree);
    crate::write::tree(&mut sink, tree, filter)?;
    sink.end();
    Ok(sink.writer.finish())
}

/// The same document with the anonymous public id `0x01` (what `xml2wbxml -a` writes); the
/// reader recognises it by its `MgmtTree` root.
pub fn to_wbxml_anonymous(tree: &MgmtTree<'_>, filter: ListFilter) -> Result<Vec<u8>, Error> {
    let mut sink = WbxmlSink {
        writer: Writer::new(Version::V1_3, PublicId::Known(wbxml::UNKNOWN_PUBLIC_ID)),
    };
    sink.start(Tag::MgmtTree);
    crate::write::tree(&mut sink, tree, filter)?;
    sink.end();
    Ok(sink.writer.finish())
}
