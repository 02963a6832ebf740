//! The WBXML event source over `wbxml::Reader`.

use ::wbxml::tokens::{metinf as mi, syncml as sm};
use ::wbxml::{Content, Event, Language, Plain, Reader, ReaderOptions};

use crate::decode::{Child, Ev, Ns, Source, Tag};
use crate::error::{fail, DecodeErrorKind as K, Fail};

pub(crate) struct WbxmlSource<'a> {
    reader: Reader<'a>,
    /// A text element read whole by [`Reader::plain_element`] whose text the decoder has not
    /// taken yet: its events are replayed if it asks for events instead.
    ahead: Ahead<'a>,
    /// Whether elements are read through the shortcuts (always, but in the test that
    /// compares both paths).
    #[cfg(test)]
    shortcuts: bool,
}

/// What is left of a text element read ahead, and where its events started.
#[derive(Clone, Copy, Debug)]
enum Ahead<'a> {
    None,
    /// Its start tag was returned: its text (at `text_at`) and END remain.
    Text {
        text: &'a str,
        tag_at: usize,
        text_at: usize,
    },
    /// Its text was returned as an event too: its END remains.
    End {
        text_at: usize,
    },
}

fn wb(e: ::wbxml::Error) -> Fail {
    let offset = e.offset();
    fail(K::Wbxml(e), offset)
}

impl<'a> WbxmlSource<'a> {
    pub(crate) fn new(input: &'a [u8], max_depth: usize) -> Result<Self, Fail> {
        let options = ReaderOptions {
            max_depth,
            ..ReaderOptions::default()
        };
        let reader = Reader::with_options(input, options).map_err(wb)?;
        match reader.language() {
            // Real devices send the SyncML 1.1 public id on DM 1.2 messages.
            Some(Language::SyncMl12 | Language::SyncMl11) => Ok(Self {
                reader,
                ahead: Ahead::None,
                #[cfg(test)]
                shortcuts: true,
            }),
            other => Err(fail(K::NotSyncMl(format!("WBXML language {other:?}")), 1)),
        }
    }
}

impl<'a> WbxmlSource<'a> {
    /// The same source reading every element through the reader's events (the reference
    /// the shortcuts are tested against).
    #[cfg(test)]
    pub(crate) fn without_shortcuts(mut self) -> Self {
        self.shortcuts = false;
        self
    }

    /// The child a plain start tag opens; a text element read whole leaves its text ahead.
    #[inline(always)]
    fn child(&mut self, tag: ::wbxml::Tag<'a>, content: Content<'a>) -> Child<'a> {
        let empty = match content {
            Content::Empty => true,
            Content::Open => false,
            Content::Text { text, offset, .. } => {
                self.ahead = Ahead::Text {
                    text,
                    tag_at: tag.offset,
                    text_at: offset,
                };
                false
            }
        };
        Child {
            tag: self.tag(tag.page, tag.token, tag.name),
            name: tag.name,
            ns: page_ns(tag.page),
            empty,
        }
    }

    /// Whether to take the shortcuts (always, outside that test).
    #[inline(always)]
    fn shortcuts(&self) -> bool {
        #[cfg(test)]
        return self.shortcuts;
        #[cfg(not(test))]
        true
    }

    /// The next event of a text element read ahead, as the reader would have returned it
    /// (the decoder takes the text through `simple_text` instead, unless the element is
    /// one that holds no text, an error).
    #[cold]
    fn replay(&mut self) -> Ev<'a> {
        match self.ahead {
            Ahead::Text { text, text_at, .. } => {
                self.ahead = Ahead::End { text_at };
                Ev::Text(std::borrow::Cow::Borrowed(text))
            }
            Ahead::End { .. } | Ahead::None => {
                // The reader's event offset is the END's already.
                self.ahead = Ahead::None;
                Ev::End
            }
        }
    }

    #[inline(always)]
    fn tag(&self, page: u8, token: u8, name: &str) -> Tag {
        let index = usize::from(page) << 6 | usize::from(token & 0x3F);
        match TAGS_12.get(index) {
            Some(&tag) if tag != Tag::Other => tag,
            _ => Tag::from_name(name),
        }
    }
}

/// The tags of SyncML 1.2 pages 0 and 1 by `page << 6 | token`: the token alone names
/// the tag, with no string compare. SyncML 1.1's pages are a part of 1.2's with the same
/// tokens (the reader refuses the tokens they lack), so the table serves both.
pub(super) static TAGS_12: [Tag; 128] = {
    let mut tags = [Tag::Other; 128];
    let mut token = 0;
    while token < 64 {
        #[allow(clippy::indexing_slicing)] // const evaluation: out of range fails the build
        {
            tags[token as usize] = syncml_page(token);
            tags[64 + token as usize] = metinf_page(token);
        }
        token += 1;
    }
    tags
};

impl<'a> Source<'a> for WbxmlSource<'a> {
    const WBXML: bool = true;

    #[inline(always)]
    fn next(&mut self) -> Result<Ev<'a>, Fail> {
        if !matches!(self.ahead, Ahead::None) {
            return Ok(self.replay());
        }
        loop {
            return Ok(match self.reader.next_event().map_err(wb)? {
                Event::Start(tag) => Ev::Start {
                    tag: self.tag(tag.page, tag.token, tag.name),
                    name: tag.name,
                    ns: page_ns(tag.page),
                    empty: false,
                },
                Event::Empty(tag) => Ev::Start {
                    tag: self.tag(tag.page, tag.token, tag.name),
                    name: tag.name,
                    ns: page_ns(tag.page),
                    empty: true,
                },
                Event::End(_) => Ev::End,
                Event::Str(s) if ::wbxml::transcode::is_xml_text(s) => {
                    Ev::Text(std::borrow::Cow::Borrowed(s))
                }
                // A string XML cannot carry: the message would not convert.
                Event::Str(_) => return Err(fail(K::InvalidChar, self.reader.event_offset())),
                Event::Opaque(b) => Ev::Opaque(b),
                Event::Entity(cp) => match char::from_u32(cp) {
                    Some(c) if crate::xml::is_xml_char(c) => Ev::Char(c),
                    _ => {
                        return Err(fail(
                            K::Entity(format!("#{cp}")),
                            self.reader.event_offset(),
                        ))
                    }
                },
                Event::Pi(_) => continue,
                Event::Ext(_) => {
                    return Err(fail(
                        K::UnexpectedElement("extension token".into()),
                        self.reader.event_offset(),
                    ))
                }
                Event::Eof => Ev::Eof,
            });
        }
    }

    fn offset(&self) -> usize {
        match self.ahead {
            Ahead::None => self.reader.event_offset(),
            Ahead::Text { tag_at, .. } => tag_at,
            Ahead::End { text_at } => text_at,
        }
    }

    #[inline(always)]
    fn skip_end(&mut self) -> bool {
        match self.ahead {
            Ahead::None => self.shortcuts() && self.reader.skip_end(),
            Ahead::Text { .. } => false,
            Ahead::End { .. } => {
                self.ahead = Ahead::None;
                true
            }
        }
    }

    #[inline(always)]
    fn command_hint(&self) -> usize {
        // A DM command takes 40 to 80 bytes of WBXML, rarely less than 32.
        self.reader
            .input()
            .len()
            .saturating_sub(self.reader.offset())
            / 32
    }

    #[inline(always)]
    fn plain_child(&mut self) -> Option<Option<Child<'a>>> {
        match self.ahead {
            Ahead::None if self.shortcuts() => {}
            Ahead::End { .. } => {
                self.ahead = Ahead::None;
                return Some(None);
            }
            _ => return None,
        }
        match self.reader.plain_next()? {
            Plain::End => Some(None),
            Plain::Element(tag, content) => Some(Some(self.child(tag, content))),
        }
    }

    #[inline(always)]
    fn plain_start(&mut self) -> Option<Child<'a>> {
        if !matches!(self.ahead, Ahead::None) || !self.shortcuts() {
            return None;
        }
        let (tag, content) = self.reader.plain_element()?;
        Some(self.child(tag, content))
    }

    #[inline(always)]
    fn simple_text(&mut self) -> Result<Option<&'a str>, Fail> {
        match self.ahead {
            Ahead::None if self.shortcuts() => {}
            Ahead::Text { text, .. } => {
                // Printable ASCII: XML text.
                self.ahead = Ahead::None;
                return Ok(Some(text));
            }
            _ => return Ok(None),
        }
        let at = self.reader.offset();
        match self.reader.inline_text_and_end() {
            // Printable ASCII is XML text: no second scan.
            Some((s, true)) => Ok(Some(s)),
            Some((s, false)) if ::wbxml::transcode::is_xml_text(s) => Ok(Some(s)),
            // As for a Str event: a string XML cannot carry.
            Some(_) => Err(fail(K::InvalidChar, at)),
            None => Ok(None),
        }
    }

    fn nested(&mut self, _empty: bool) -> Result<&'a [u8], Fail> {
        // Nested documents in WBXML travel as OPAQUE; inline page-2 tags are not supported.
        Err(fail(
            K::UnexpectedElement("inline nested document (expected OPAQUE)".into()),
            self.reader.event_offset(),
        ))
    }
}

#[inline]
fn page_ns(page: u8) -> Ns<'static> {
    match page {
        0 => Ns::SyncMl,
        1 => Ns::MetInf,
        _ => Ns::Other("syncml:dmddf1.2"),
    }
}

/// The tag of a token on WBXML page 0 of SyncML 1.2.
const fn syncml_page(token: u8) -> Tag {
    match token {
        sm::SYNC_ML => Tag::SyncML,
        sm::SYNC_HDR => Tag::SyncHdr,
        sm::SYNC_BODY => Tag::SyncBody,
        sm::VER_DTD => Tag::VerDTD,
        sm::VER_PROTO => Tag::VerProto,
        sm::SESSION_ID => Tag::SessionID,
        sm::MSG_ID => Tag::MsgID,
        sm::TARGET => Tag::Target,
        sm::SOURCE => Tag::Source,
        sm::RESP_URI => Tag::RespURI,
        sm::NO_RESP => Tag::NoResp,
        sm::CRED => Tag::Cred,
        sm::META => Tag::Meta,
        sm::LOC_URI => Tag::LocURI,
        sm::LOC_NAME => Tag::LocName,
        sm::DATA => Tag::Data,
        sm::FINAL => Tag::Final,
        sm::ADD => Tag::Add,
        sm::ALERT => Tag::Alert,
        sm::COPY => Tag::Copy,
        sm::DELETE => Tag::Delete,
        sm::GET => Tag::Get,
        sm::REPLACE => Tag::Replace,
        sm::EXEC => Tag::Exec,
        sm::ATOMIC => Tag::Atomic,
        sm::SEQUENCE => Tag::Sequence,
        sm::RESULTS => Tag::Results,
        sm::STATUS => Tag::Status,
        sm::CMD_ID => Tag::CmdID,
        sm::CORRELATOR => Tag::Correlator,
        sm::ITEM => Tag::Item,
        sm::MSG_REF => Tag::MsgRef,
        sm::CMD_REF => Tag::CmdRef,
        sm::TARGET_REF => Tag::TargetRef,
        sm::SOURCE_REF => Tag::SourceRef,
        sm::CMD => Tag::Cmd,
        sm::CHAL => Tag::Chal,
        sm::MORE_DATA => Tag::MoreData,
        _ => Tag::Other,
    }
}

/// The tag of a token on WBXML page 1 of SyncML 1.2.
const fn metinf_page(token: u8) -> Tag {
    match token {
        mi::FORMAT => Tag::Format,
        mi::TYPE => Tag::Type,
        mi::MARK => Tag::Mark,
        mi::SIZE => Tag::Size,
        mi::VERSION => Tag::Version,
        mi::NEXT_NONCE => Tag::NextNonce,
        mi::MAX_MSG_SIZE => Tag::MaxMsgSize,
        mi::MAX_OBJ_SIZE => Tag::MaxObjSize,
        mi::EMI => Tag::Emi,
        mi::FIELD_LEVEL => Tag::FieldLevel,
        mi::MET_INF => Tag::MetInf,
        mi::ANCHOR => Tag::Anchor,
        mi::LAST => Tag::Last,
        mi::NEXT => Tag::Next,
        mi::MEM => Tag::Mem,
        mi::SHARED_MEM => Tag::SharedMem,
        mi::FREE_MEM => Tag::FreeMem,
        mi::FREE_ID => Tag::FreeID,
        _ => Tag::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syncml_11_pages_are_read_through_the_12_table() {
        for (page, table) in [
            (0u8, &::wbxml::tokens::SYNCML11),
            (1, &::wbxml::tokens::METINF11),
        ] {
            for (token, name) in table.tags() {
                let index = usize::from(page) << 6 | usize::from(token);
                assert_eq!(TAGS_12.get(index), Some(&Tag::from_name(name)), "{name}");
            }
        }
    }

    #[test]
    fn token_tables_agree_with_the_names() {
        for (token, name) in sm::TABLE.tags() {
            assert_eq!(syncml_page(token), Tag::from_name(name), "{name}");
        }
        for (token, name) in mi::TABLE.tags() {
            assert_eq!(metinf_page(token), Tag::from_name(name), "{name}");
        }
    }
}
