//! The WBXML event source over `wbxml::Reader`.

use ::wbxml::{Event, Language, Reader, ReaderOptions};

use crate::decode::{Ev, Ns, Source};
use crate::error::{fail, DecodeErrorKind as K, Fail};

pub(crate) struct WbxmlSource<'a> {
    reader: Reader<'a>,
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
            Some(Language::SyncMl12 | Language::SyncMl11) => Ok(Self { reader }),
            other => Err(fail(K::NotSyncMl(format!("WBXML language {other:?}")), 1)),
        }
    }
}

impl<'a> Source<'a> for WbxmlSource<'a> {
    const WBXML: bool = true;

    #[inline(always)]
    fn next(&mut self) -> Result<Ev<'a>, Fail> {
        loop {
            return Ok(match self.reader.next_event().map_err(wb)? {
                Event::Start(tag) => Ev::Start {
                    name: tag.name,
                    ns: page_ns(tag.page),
                    empty: false,
                },
                Event::Empty(tag) => Ev::Start {
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
        self.reader.event_offset()
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
