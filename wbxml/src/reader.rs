//! The zero-copy pull parser: [`Reader`] yields [`Event`]s that borrow from the input.

use crate::header::{string_at, Header, PublicId};
use crate::tokens::global as g;
use crate::{mb, Error, Language};

/// The default cap on element nesting.
pub const DEFAULT_MAX_DEPTH: usize = 128;

/// How a [`Reader`] treats its input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReaderOptions {
    /// The language to use whatever the public id says (`--lang`); `None` detects it.
    pub language: Option<Language>,
    /// The deepest element nesting accepted.
    pub max_depth: usize,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        Self {
            language: None,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// An element's tag, resolved through the language's code pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tag<'a> {
    /// The code page the tag was read on.
    pub page: u8,
    /// The tag token (without the content and attribute bits); `0x04` for a LITERAL tag.
    pub token: u8,
    /// The tag name: from the code page, or from the string table for a LITERAL.
    pub name: &'a str,
    /// The offset of the tag byte.
    pub offset: usize,
    /// Where the validated attribute list lies in the input, kept small so events stay cheap
    /// to move; [`Reader::attributes`] parses it again on demand.
    attributes: Option<(usize, usize)>,
}

impl<'a> Tag<'a> {
    /// Whether the name came from the string table (a LITERAL tag).
    pub fn is_literal(&self) -> bool {
        self.token == g::LITERAL
    }

    /// Whether the tag has an attribute list.
    pub fn has_attributes(&self) -> bool {
        self.attributes.is_some()
    }
}

/// A validated attribute list, parsed again on demand so that reading allocates nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct AttributeList<'a> {
    input: &'a [u8],
    string_table: &'a [u8],
    start: usize,
    end: usize,
    page: u8,
}

/// One part of an attribute value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValuePart<'a> {
    /// STR_I or STR_T text.
    Str(&'a str),
    /// A character entity.
    Entity(u32),
    /// An extension token.
    Ext(Ext<'a>),
}

/// An attribute (or the target and value of a processing instruction).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribute<'a> {
    /// The attribute name.
    pub name: &'a str,
    list: AttributeList<'a>,
}

impl<'a> Attribute<'a> {
    /// The parts of the value, in order.
    pub fn value(&self) -> ValueParts<'a> {
        ValueParts { list: self.list }
    }
}

/// The parts of an attribute value.
#[derive(Clone, Debug)]
pub struct ValueParts<'a> {
    list: AttributeList<'a>,
}

impl<'a> Iterator for ValueParts<'a> {
    type Item = ValuePart<'a>;

    fn next(&mut self) -> Option<ValuePart<'a>> {
        loop {
            if self.list.start >= self.list.end {
                return None;
            }
            // The list was validated when the tag was read, so errors cannot occur here.
            let (item, next) = attr_item(
                self.list.input,
                self.list.start,
                self.list.string_table,
                self.list.page,
            )
            .ok()?;
            self.list.start = next;
            match item {
                AttrItem::Value(part) => return Some(part),
                AttrItem::SwitchPage(p) => self.list.page = p,
                AttrItem::Start(_) | AttrItem::End => return None,
            }
        }
    }
}

/// Iterates over a tag's attributes.
#[derive(Clone, Debug)]
pub struct Attributes<'a> {
    list: Option<AttributeList<'a>>,
    pos: usize,
}

impl<'a> Iterator for Attributes<'a> {
    type Item = Attribute<'a>;

    fn next(&mut self) -> Option<Attribute<'a>> {
        let list = self.list.as_mut()?;
        if self.pos == 0 {
            self.pos = list.start;
        }
        loop {
            if self.pos >= list.end {
                return None;
            }
            let (item, next) =
                attr_item(list.input, self.pos, list.string_table, list.page).ok()?;
            self.pos = next;
            match item {
                AttrItem::Start(name) => {
                    return Some(Attribute {
                        name,
                        list: AttributeList {
                            start: next,
                            ..*list
                        },
                    })
                }
                AttrItem::SwitchPage(p) => list.page = p,
                AttrItem::Value(_) | AttrItem::End => {}
            }
        }
    }
}

/// An extension token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ext<'a> {
    /// EXT_I_n: extension `n` with an inline string.
    Inline(u8, &'a str),
    /// EXT_T_n: extension `n` with an integer.
    Index(u8, u32),
    /// EXT_n: extension `n` alone.
    Plain(u8),
}

/// One parsing event; every slice borrows from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    /// An element with content: an [`Event::End`] follows its content.
    Start(Tag<'a>),
    /// An element without content (no End follows).
    Empty(Tag<'a>),
    /// The end of the element opened by the matching Start.
    End(Tag<'a>),
    /// Text from STR_I or STR_T.
    Str(&'a str),
    /// OPAQUE bytes.
    Opaque(&'a [u8]),
    /// A character entity (a UCS-4 code point, unchecked).
    Entity(u32),
    /// A processing instruction: its target and value.
    Pi(Attribute<'a>),
    /// An extension token in content.
    Ext(Ext<'a>),
    /// The end of the document.
    Eof,
}

/// What [`Reader::plain_next`] read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Plain<'a> {
    /// The END of the current element.
    End,
    /// A plain element's start tag, and its content when [`Reader::plain_element`] read it.
    Element(Tag<'a>, Content<'a>),
}

/// What follows a start tag read by [`Reader::plain_element`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content<'a> {
    /// Nothing: the element is empty (an [`Event::Empty`]).
    Empty,
    /// Content, to be read next (an [`Event::Start`]).
    Open,
    /// Just an inline string of printable ASCII, consumed with the element's END.
    Text {
        /// The string.
        text: &'a str,
        /// The offset of its STR_I token.
        offset: usize,
        /// The offset of the element's END.
        end: usize,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Prolog,
    Body,
    Epilog,
    Done,
}

/// A zero-copy WBXML pull parser.
///
/// ```
/// use wbxml::{Event, Reader};
/// // <SyncML><Final/></SyncML> in SyncML 1.2
/// let doc = [0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01];
/// let mut reader = Reader::new(&doc)?;
/// let mut names = Vec::new();
/// loop {
///     match reader.next_event()? {
///         Event::Start(tag) | Event::Empty(tag) => names.push(tag.name),
///         Event::Eof => break,
///         _ => {}
///     }
/// }
/// assert_eq!(names, ["SyncML", "Final"]);
/// # Ok::<(), wbxml::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Reader<'a> {
    input: &'a [u8],
    header: Header<'a>,
    language: Language,
    pos: usize,
    tag_page: u8,
    /// The table of `tag_page`, looked up once per SWITCH_PAGE rather than once per tag.
    page_table: Option<&'static crate::tokens::CodePage>,
    stack: Vec<Tag<'a>>,
    max_depth: usize,
    state: State,
    event_offset: usize,
    /// A run of the input known to be UTF-8 (`input[text_start..]`, `text.len()` bytes):
    /// inline strings inside it are sliced out without validating them again. SyncML bodies
    /// are mostly ASCII tokens and text, so one validation covers many strings.
    text: &'a str,
    text_start: usize,
}

impl<'a> Reader<'a> {
    /// A reader over a whole document, with the language taken from its public id.
    pub fn new(input: &'a [u8]) -> Result<Self, Error> {
        Self::with_options(input, ReaderOptions::default())
    }

    /// A reader with explicit options.
    ///
    /// The language is, in order: `options.language`; the one named by the public id; for
    /// the unknown public id `0x01` or an unknown FPI, the one whose root tag the body
    /// starts with (a SWITCH_PAGE to page 2 then `MgmtTree` is a DDF).
    pub fn with_options(input: &'a [u8], options: ReaderOptions) -> Result<Self, Error> {
        let header = Header::parse(input)?;
        let language = match options.language {
            Some(lang) => lang,
            None => detect_language(input, &header)?,
        };
        Ok(Self {
            input,
            header,
            language,
            pos: header.body_offset,
            tag_page: 0,
            page_table: language.page(0),
            stack: Vec::with_capacity(16),
            max_depth: options.max_depth,
            state: State::Prolog,
            event_offset: header.body_offset,
            text: "",
            text_start: 0,
        })
    }

    /// The parsed header.
    pub fn header(&self) -> &Header<'a> {
        &self.header
    }

    /// The document language.
    pub fn language(&self) -> Option<Language> {
        Some(self.language)
    }

    /// The offset of the next token.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The offset of the first byte of the last event returned.
    pub fn event_offset(&self) -> usize {
        self.event_offset
    }

    /// The number of elements open.
    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    /// The whole input.
    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// The attributes of a tag this reader returned (none in SyncML, which defines no
    /// attribute table).
    pub fn attributes(&self, tag: &Tag<'a>) -> Attributes<'a> {
        Attributes {
            list: tag.attributes.map(|(start, end)| AttributeList {
                input: self.input,
                string_table: self.header.string_table,
                start,
                end,
                page: 0,
            }),
            pos: 0,
        }
    }

    /// Reads the next event; [`Event::Eof`] once the document is complete.
    #[inline]
    pub fn next_event(&mut self) -> Result<Event<'a>, Error> {
        loop {
            let offset = self.pos;
            self.event_offset = offset;
            let Some(&byte) = self.input.get(offset) else {
                return match self.state {
                    State::Epilog | State::Done => {
                        self.state = State::Done;
                        Ok(Event::Eof)
                    }
                    State::Prolog => Err(Error::NoRootElement { offset }),
                    State::Body => Err(Error::UnexpectedEof { offset }),
                };
            };
            match byte {
                g::SWITCH_PAGE => {
                    let page = *self
                        .input
                        .get(offset + 1)
                        .ok_or(Error::UnexpectedEof { offset: offset + 1 })?;
                    let table = self
                        .language
                        .page(page)
                        .ok_or(Error::UnknownCodePage { offset, page })?;
                    self.tag_page = page;
                    self.page_table = Some(table);
                    self.pos = offset + 2;
                    if self.state == State::Epilog {
                        return Err(Error::TrailingData { offset });
                    }
                }
                g::PI => {
                    let (pi, next) = self.read_pi(offset)?;
                    self.pos = next;
                    return Ok(Event::Pi(pi));
                }
                _ if self.state == State::Epilog => return Err(Error::TrailingData { offset }),
                g::END => {
                    let Some(tag) = self.stack.pop() else {
                        return Err(Error::UnexpectedToken {
                            offset,
                            token: byte,
                        });
                    };
                    self.pos = offset + 1;
                    if self.stack.is_empty() {
                        self.state = State::Epilog;
                    }
                    return Ok(Event::End(tag));
                }
                g::ENTITY
                | g::STR_I
                | g::STR_T
                | g::OPAQUE
                | g::EXT_I_0..=g::EXT_I_2
                | g::EXT_T_0..=g::EXT_T_2
                | g::EXT_0..=g::EXT_2
                    if self.state != State::Body =>
                {
                    return Err(Error::UnexpectedToken {
                        offset,
                        token: byte,
                    });
                }
                g::ENTITY => {
                    let (cp, next) = mb::read(self.input, offset + 1)?;
                    self.pos = next;
                    return Ok(Event::Entity(cp));
                }
                g::STR_I => {
                    let (s, next) = self.body_str(offset + 1)?;
                    self.pos = next;
                    return Ok(Event::Str(s));
                }
                g::STR_T => {
                    let (index, next) = mb::read(self.input, offset + 1)?;
                    self.pos = next;
                    return Ok(Event::Str(string_at(
                        self.header.string_table,
                        index,
                        offset,
                    )?));
                }
                g::OPAQUE => {
                    let (len, start) = mb::read(self.input, offset + 1)?;
                    let end = usize::try_from(len)
                        .ok()
                        .and_then(|len| start.checked_add(len))
                        .filter(|&end| end <= self.input.len())
                        .ok_or(Error::UnexpectedEof {
                            offset: self.input.len(),
                        })?;
                    self.pos = end;
                    return Ok(Event::Opaque(
                        self.input.get(start..end).unwrap_or_default(),
                    ));
                }
                g::EXT_I_0..=g::EXT_I_2 => {
                    let (s, next) = inline_str(self.input, offset + 1)?;
                    self.pos = next;
                    return Ok(Event::Ext(Ext::Inline(byte - g::EXT_I_0, s)));
                }
                g::EXT_T_0..=g::EXT_T_2 => {
                    let (v, next) = mb::read(self.input, offset + 1)?;
                    self.pos = next;
                    return Ok(Event::Ext(Ext::Index(byte - g::EXT_T_0, v)));
                }
                g::EXT_0..=g::EXT_2 => {
                    self.pos = offset + 1;
                    return Ok(Event::Ext(Ext::Plain(byte - g::EXT_0)));
                }
                _ => return self.read_tag(offset, byte),
            }
        }
    }

    /// When the next token opens an element of the current code page without attributes
    /// (most of a document), inside the root element: consumes it as
    /// [`Reader::next_event`] would and returns its tag and whether it has content (an
    /// [`Event::Start`] or [`Event::Empty`]). Anything else (other tokens, LITERAL tags,
    /// attributes, unknown tokens, too deep an element) returns `None` with nothing consumed,
    /// to come from `next_event` with its errors. Typed decoders read start tags this way
    /// without building and matching an event.
    #[inline]
    pub fn plain_start(&mut self) -> Option<(Tag<'a>, bool)> {
        let offset = self.pos;
        let &byte = self.input.get(offset)?;
        let token = byte & g::TAG_MASK;
        // Global tokens all have tag bits up to LITERAL's; the attribute bit is checked here
        // too, so only plain tags remain.
        if byte & g::HAS_ATTRIBUTES != 0 || token <= g::LITERAL || self.state != State::Body {
            return None;
        }
        let name = self.page_table?.name(token)?;
        let tag = Tag {
            page: self.tag_page,
            token,
            name,
            offset,
            attributes: None,
        };
        let content = byte & g::HAS_CONTENT != 0;
        if content {
            if self.stack.len() >= self.max_depth {
                return None;
            }
            self.stack.push(tag);
        }
        self.pos = offset + 1;
        self.event_offset = offset;
        Some((tag, content))
    }

    /// The END of the current element ([`Reader::skip_end`]) or a plain element
    /// ([`Reader::plain_element`]), whichever comes next, read as those read it; `None`, with
    /// nothing consumed, when neither does.
    #[inline(always)]
    pub fn plain_next(&mut self) -> Option<Plain<'a>> {
        if self.input.get(self.pos) == Some(&g::END) {
            return self.skip_end().then_some(Plain::End);
        }
        self.plain_element()
            .map(|(tag, content)| Plain::Element(tag, content))
    }

    /// [`Reader::plain_start`], and when the element holds nothing but an inline string of
    /// printable ASCII (0x20 to 0x7F, so valid XML text), that string and the END too: the
    /// element is then consumed whole, as the Start, Str and End events would consume it,
    /// without being pushed on the element stack, and [`Reader::event_offset`] is its END's.
    /// Typed decoders read most elements of a document (`<CmdID>"1"</CmdID>`) this way.
    #[inline(always)]
    pub fn plain_element(&mut self) -> Option<(Tag<'a>, Content<'a>)> {
        // The tag is read here as `plain_start` reads it rather than through a shared
        // helper: sharing it cost 1.3% of a WBXML client step in callgrind.
        let offset = self.pos;
        let &byte = self.input.get(offset)?;
        let token = byte & g::TAG_MASK;
        if byte & g::HAS_ATTRIBUTES != 0 || token <= g::LITERAL || self.state != State::Body {
            return None;
        }
        let name = self.page_table?.name(token)?;
        let tag = Tag {
            page: self.tag_page,
            token,
            name,
            offset,
            attributes: None,
        };
        if byte & g::HAS_CONTENT == 0 {
            self.pos = offset + 1;
            self.event_offset = offset;
            return Some((tag, Content::Empty));
        }
        if self.stack.len() >= self.max_depth {
            return None;
        }
        if self.input.get(offset + 1) == Some(&g::STR_I) {
            if let Ok((text, next, true)) = self.body_str_printable(offset + 2) {
                if self.input.get(next) == Some(&g::END) {
                    self.pos = next + 1;
                    self.event_offset = next;
                    return Some((
                        tag,
                        Content::Text {
                            text,
                            offset: offset + 1,
                            end: next,
                        },
                    ));
                }
            }
        }
        self.stack.push(tag);
        self.pos = offset + 1;
        self.event_offset = offset;
        Some((tag, Content::Open))
    }

    /// When the next tokens are an inline string and the END of the current element,
    /// consumes both and returns the string, and `true` if it is printable ASCII (then
    /// valid XML text), as it says for every such string of up to 255 bytes (longer ones are
    /// not judged: `false`); otherwise consumes nothing,
    /// and the events come one at a time with their errors. Decoders of `<X>text</X>` skip
    /// two events this way.
    #[inline]
    pub fn inline_text_and_end(&mut self) -> Option<(&'a str, bool)> {
        let offset = self.pos;
        if self.input.get(offset) != Some(&g::STR_I) || self.state != State::Body {
            return None;
        }
        let (s, next, printable) = self.body_str_printable(offset + 1).ok()?;
        if self.input.get(next) != Some(&g::END) {
            return None;
        }
        self.stack.pop()?;
        if self.stack.is_empty() {
            self.state = State::Epilog;
        }
        self.pos = next + 1;
        self.event_offset = next;
        Some((s, printable))
    }

    /// Consumes the END of the current element if it is the next token (then the same as
    /// [`Event::End`] from [`Reader::next_event`], without building the event).
    #[inline]
    pub fn skip_end(&mut self) -> bool {
        let offset = self.pos;
        if self.input.get(offset) != Some(&g::END) || self.stack.pop().is_none() {
            return false;
        }
        if self.stack.is_empty() {
            self.state = State::Epilog;
        }
        self.pos = offset + 1;
        self.event_offset = offset;
        true
    }

    /// [`inline_str`] through the validated run `text`, extended when the string lies
    /// past it. Runs never overlap, so each byte is validated at most twice.
    #[inline]
    fn body_str(&mut self, pos: usize) -> Result<(&'a str, usize), Error> {
        self.body_str_printable(pos).map(|(s, next, _)| (s, next))
    }

    /// [`Reader::body_str`], and whether the string is printable ASCII.
    #[inline]
    fn body_str_printable(&mut self, pos: usize) -> Result<(&'a str, usize, bool), Error> {
        match self.short_body_str(pos) {
            Some(found) => Ok(found),
            None => self.body_str_slow(pos),
        }
    }

    /// The common case of [`Reader::body_str_printable`], kept small enough to inline: a
    /// string ending in the first [`SHORT_WORDS`] whole words, inside the validated run.
    #[inline(always)]
    fn short_body_str(&self, pos: usize) -> Option<(&'a str, usize, bool)> {
        let rest = self.input.get(pos..)?;
        let (nul, printable) = scan_words(rest)?;
        let from = pos.checked_sub(self.text_start)?;
        // Two one-sided slices: each inlines to one boundary check, where a range slice
        // is a call.
        let s = self.text.get(from..)?.get(..nul)?;
        Some((s, pos + nul + 1, printable))
    }

    /// [`Reader::body_str_printable`] for strings that are long, near the end of the input
    /// or past the validated run.
    #[inline(never)]
    fn body_str_slow(&mut self, pos: usize) -> Result<(&'a str, usize, bool), Error> {
        let Some(rest) = self.input.get(pos..) else {
            return Err(Error::UnexpectedEof { offset: pos });
        };
        let (nul, printable) = match scan_short(rest, LONG_WORDS) {
            Some(found) => found,
            None => (
                find_nul(rest).ok_or(Error::UnterminatedString { offset: pos })?,
                false,
            ),
        };
        if let Some(s) = pos
            .checked_sub(self.text_start)
            .and_then(|from| self.text.get(from..from + nul))
        {
            return Ok((s, pos + nul + 1, printable));
        }
        self.extend_text(pos, rest, nul)
            .map(|(s, next)| (s, next, printable))
    }

    /// Validates the input from `pos` as the new run `text`, and slices the string out.
    #[cold]
    #[inline(never)]
    fn extend_text(
        &mut self,
        pos: usize,
        rest: &'a [u8],
        nul: usize,
    ) -> Result<(&'a str, usize), Error> {
        let valid = match core::str::from_utf8(rest) {
            Ok(all) => all,
            Err(e) => core::str::from_utf8(rest.get(..e.valid_up_to()).unwrap_or_default())
                .unwrap_or_default(),
        };
        self.text = valid;
        self.text_start = pos;
        match valid.get(..nul) {
            Some(s) => Ok((s, pos + nul + 1)),
            None => Err(Error::InvalidUtf8 { offset: pos }),
        }
    }

    #[inline]
    fn read_tag(&mut self, offset: usize, byte: u8) -> Result<Event<'a>, Error> {
        let token = byte & g::TAG_MASK;
        let mut pos = offset + 1;
        let name = if token == g::LITERAL {
            let (index, next) = mb::read(self.input, pos)?;
            pos = next;
            string_at(self.header.string_table, index, offset)?
        } else {
            match self.page_table.and_then(|table| table.name(token)) {
                Some(name) => name,
                None => {
                    return Err(Error::UnknownTag {
                        offset,
                        page: self.tag_page,
                        token,
                    })
                }
            }
        };
        let attributes = if byte & g::HAS_ATTRIBUTES != 0 {
            let start = pos;
            pos = self.skip_attributes(pos)?;
            Some((start, pos))
        } else {
            None
        };
        self.pos = pos;
        let tag = Tag {
            page: self.tag_page,
            token,
            name,
            offset,
            attributes,
        };
        if byte & g::HAS_CONTENT != 0 {
            if self.stack.len() >= self.max_depth {
                return Err(Error::DepthExceeded {
                    offset,
                    limit: self.max_depth,
                });
            }
            self.stack.push(tag);
            self.state = State::Body;
            Ok(Event::Start(tag))
        } else {
            if self.state == State::Prolog {
                self.state = State::Epilog;
            }
            Ok(Event::Empty(tag))
        }
    }

    /// Validates an attribute list up to its END; returns the position after the END.
    fn skip_attributes(&self, mut pos: usize) -> Result<usize, Error> {
        let mut page = 0;
        let mut seen_start = false;
        loop {
            let (item, next) = attr_item(self.input, pos, self.header.string_table, page)?;
            match item {
                AttrItem::End => return Ok(next),
                AttrItem::SwitchPage(p) => page = p,
                AttrItem::Start(_) => seen_start = true,
                AttrItem::Value(_) if !seen_start => {
                    return Err(Error::UnexpectedToken {
                        offset: pos,
                        token: self.input.get(pos).copied().unwrap_or(0),
                    })
                }
                AttrItem::Value(_) => {}
            }
            pos = next;
        }
    }

    fn read_pi(&self, offset: usize) -> Result<(Attribute<'a>, usize), Error> {
        let start = offset + 1;
        let (item, mut pos) = attr_item(self.input, start, self.header.string_table, 0)?;
        let AttrItem::Start(name) = item else {
            return Err(Error::UnexpectedToken {
                offset: start,
                token: self.input.get(start).copied().unwrap_or(0),
            });
        };
        let values_start = pos;
        loop {
            let (item, next) = attr_item(self.input, pos, self.header.string_table, 0)?;
            match item {
                AttrItem::End => break,
                AttrItem::Value(_) | AttrItem::SwitchPage(_) => pos = next,
                AttrItem::Start(_) => {
                    return Err(Error::UnexpectedToken {
                        offset: pos,
                        token: self.input.get(pos).copied().unwrap_or(0),
                    })
                }
            }
        }
        let list = AttributeList {
            input: self.input,
            string_table: self.header.string_table,
            start: values_start,
            end: pos,
            page: 0,
        };
        Ok((Attribute { name, list }, pos + 1))
    }
}

pub(crate) fn detect_language(input: &[u8], header: &Header<'_>) -> Result<Language, Error> {
    let named = match header.public_id {
        PublicId::Known(id) => Language::from_public_id(id),
        PublicId::Fpi(fpi) => Language::from_fpi(fpi),
    };
    if let Some(lang) = named {
        return Ok(lang);
    }
    // Unknown public id: recognise the root tag, as libwbxml cannot without `-l`.
    let body = input.get(header.body_offset..).unwrap_or_default();
    let (page, tag) = match body {
        [g::SWITCH_PAGE, page, tag, ..] => (*page, *tag),
        [tag, ..] => (0, *tag),
        [] => (0, 0),
    };
    let sniffed = [Language::DmDdf12, Language::SyncMl12, Language::DevInf12]
        .into_iter()
        .find(|l| l.tag_name(page, tag & g::TAG_MASK) == Some(l.root()) && l.root_page() == page);
    sniffed.ok_or_else(|| Error::UnknownPublicId {
        offset: 1,
        public_id: match header.public_id {
            PublicId::Known(id) => format!("0x{id:02X}"),
            PublicId::Fpi(fpi) => fpi.to_owned(),
        },
    })
}

/// Strings up to this many words long are scanned a word at a time before memchr takes over.
const SHORT_WORDS: usize = 4;

/// Strings up to this many words long are still scanned a word at a time when they are
/// inline (judged printable on the way, which spares decoders a second scan).
const LONG_WORDS: usize = 32;

/// The index of the first NUL in `rest`.
#[inline]
fn find_nul(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // DM strings are mostly a few bytes long ("1", "200", "chr"): a word-at-a-time scan beats
    // memchr's setup there. Whole words of `rest` are read, so no byte loop handles a short
    // remainder; memchr takes over for long strings and the last bytes of the input.
    let mut words = rest.chunks_exact(8);
    for (i, word) in words.by_ref().take(SHORT_WORDS).enumerate() {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(word);
        let x = u64::from_le_bytes(lanes);
        // The classic "has a zero byte" test: borrows only flag lanes above the first zero,
        // so the lowest flag is exact.
        let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
        if zeros != 0 {
            return Some(i * 8 + (zeros.trailing_zeros() / 8) as usize);
        }
    }
    let scanned = (rest.len() / 8).min(SHORT_WORDS) * 8;
    memchr::memchr(0, rest.get(scanned..)?).map(|nul| scanned + nul)
}

/// [`scan_short`] over whole words only: `None` also when the NUL lies in the input's last
/// bytes, which do not fill a word.
#[inline(always)]
fn scan_words(rest: &[u8]) -> Option<(usize, bool)> {
    let mut printable = true;
    let mut i = 0;
    while i < SHORT_WORDS {
        let word = rest.get(i * 8..)?.first_chunk::<8>()?;
        if let Some(found) = scan_word(u64::from_le_bytes(*word), i, &mut printable) {
            return Some(found);
        }
        i += 1;
    }
    None
}

/// One word of a string scan: the NUL's index if the word holds one, and whether every
/// byte before it is printable ASCII (`printable` says so of the words before).
#[inline(always)]
fn scan_word(x: u64, i: usize, printable: &mut bool) -> Option<(usize, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let zeros = x.wrapping_sub(ONES) & !x & HIGHS;
    // Lanes below 0x20 (NUL among them) or from 0x80. Borrows only flag lanes above a
    // flagged one, so the lowest flag of each mask is exact.
    let odd = (x.wrapping_sub(ONES * 0x20) | x) & HIGHS;
    if zeros != 0 {
        let nul = zeros.trailing_zeros();
        // Printable when nothing odd comes before the NUL (the NUL itself is odd).
        return Some((
            i * 8 + (nul / 8) as usize,
            *printable && odd.trailing_zeros() == nul,
        ));
    }
    *printable &= odd == 0;
    None
}

/// The NUL ending a string of up to `8 * words - 1` bytes in `rest`, and whether every
/// byte before it is printable ASCII (0x20 to 0x7F): both from one word-at-a-time scan
/// (the input's last bytes padded to a word). `None` when the NUL is not in those words.
#[inline]
fn scan_short(rest: &[u8], words: usize) -> Option<(usize, bool)> {
    let mut printable = true;
    let mut chunks = rest.chunks_exact(8);
    for i in 0..words {
        // 0xFF pads the input's last bytes: odd, never a NUL.
        let mut lanes = [0xFF; 8];
        match chunks.next() {
            Some(word) => lanes.copy_from_slice(word),
            None => {
                let tail = chunks.remainder();
                lanes.get_mut(..tail.len())?.copy_from_slice(tail);
            }
        }
        if let Some(found) = scan_word(u64::from_le_bytes(lanes), i, &mut printable) {
            return Some(found);
        }
        if (i + 1) * 8 >= rest.len() {
            return None;
        }
    }
    None
}

/// A NUL-terminated UTF-8 string at `pos`; returns it and the position after the NUL.
#[inline]
pub(crate) fn inline_str(input: &[u8], pos: usize) -> Result<(&str, usize), Error> {
    let Some(rest) = input.get(pos..) else {
        return Err(Error::UnexpectedEof { offset: pos });
    };
    let nul = find_nul(rest).ok_or(Error::UnterminatedString { offset: pos })?;
    let bytes = rest.get(..nul).unwrap_or_default();
    let s = core::str::from_utf8(bytes).map_err(|_| Error::InvalidUtf8 { offset: pos })?;
    Ok((s, pos + nul + 1))
}

enum AttrItem<'a> {
    Start(&'a str),
    Value(ValuePart<'a>),
    SwitchPage(u8),
    End,
}

/// One item of an attribute list. No language defines attribute tables, so only LITERAL
/// names are known; any other attribute token is an [`Error::UnknownAttribute`].
fn attr_item<'a>(
    input: &'a [u8],
    pos: usize,
    table: &'a [u8],
    page: u8,
) -> Result<(AttrItem<'a>, usize), Error> {
    let byte = *input.get(pos).ok_or(Error::UnexpectedEof { offset: pos })?;
    Ok(match byte {
        g::SWITCH_PAGE => {
            let p = *input
                .get(pos + 1)
                .ok_or(Error::UnexpectedEof { offset: pos + 1 })?;
            (AttrItem::SwitchPage(p), pos + 2)
        }
        g::END => (AttrItem::End, pos + 1),
        g::LITERAL => {
            let (index, next) = mb::read(input, pos + 1)?;
            (AttrItem::Start(string_at(table, index, pos)?), next)
        }
        g::STR_I => {
            let (s, next) = inline_str(input, pos + 1)?;
            (AttrItem::Value(ValuePart::Str(s)), next)
        }
        g::STR_T => {
            let (index, next) = mb::read(input, pos + 1)?;
            (
                AttrItem::Value(ValuePart::Str(string_at(table, index, pos)?)),
                next,
            )
        }
        g::ENTITY => {
            let (cp, next) = mb::read(input, pos + 1)?;
            (AttrItem::Value(ValuePart::Entity(cp)), next)
        }
        g::EXT_I_0..=g::EXT_I_2 => {
            let (s, next) = inline_str(input, pos + 1)?;
            (
                AttrItem::Value(ValuePart::Ext(Ext::Inline(byte - g::EXT_I_0, s))),
                next,
            )
        }
        g::EXT_T_0..=g::EXT_T_2 => {
            let (v, next) = mb::read(input, pos + 1)?;
            (
                AttrItem::Value(ValuePart::Ext(Ext::Index(byte - g::EXT_T_0, v))),
                next,
            )
        }
        g::EXT_0..=g::EXT_2 => (
            AttrItem::Value(ValuePart::Ext(Ext::Plain(byte - g::EXT_0))),
            pos + 1,
        ),
        _ => {
            return Err(Error::UnknownAttribute {
                offset: pos,
                page,
                token: byte,
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A SyncML 1.2 header, then `body`.
    fn doc(body: &[u8]) -> Vec<u8> {
        let mut d = vec![0x03, 0xA4, 0x01, 0x6A, 0x00];
        d.extend_from_slice(body);
        d
    }

    fn strings(input: &[u8]) -> Result<Vec<(usize, String)>, Error> {
        let mut reader = Reader::new(input)?;
        let mut out = Vec::new();
        loop {
            match reader.next_event()? {
                Event::Str(s) => out.push((reader.event_offset(), s.to_owned())),
                Event::Eof => return Ok(out),
                _ => {}
            }
        }
    }

    #[test]
    fn strings_on_either_side_of_invalid_utf8() {
        // <SyncML>"ab" OPAQUE(FF FE) "cé"</SyncML>
        let d = doc(&[
            0x6D, 0x03, b'a', b'b', 0x00, 0xC3, 0x02, 0xFF, 0xFE, 0x03, b'c', 0xC3, 0xA9, 0x00,
            0x01,
        ]);
        let got = strings(&d).map_err(|e| e.to_string());
        assert_eq!(got, Ok(vec![(6, "ab".to_owned()), (14, "cé".to_owned())]));
    }

    #[test]
    fn invalid_utf8_after_a_valid_string_is_an_error_at_its_offset() {
        let d = doc(&[0x6D, 0x03, b'a', 0x00, 0x03, b'x', 0xFF, 0x00, 0x01]);
        assert_eq!(strings(&d), Err(Error::InvalidUtf8 { offset: 10 }));
        let d = doc(&[0x6D, 0x03, b'a', 0x00, 0x03, b'x', 0xFF]);
        assert_eq!(strings(&d), Err(Error::UnterminatedString { offset: 10 }));
    }

    #[test]
    fn short_scan_finds_the_nul_and_judges_the_bytes_before_it() {
        let fill = [b'a', b' ', b'~', 0x7F, 0x1F, 0x80, 0xC3, 0xFF, 0x01, b'\n'];
        for len in 0..60 {
            for nul_at in (0..len).map(Some).chain([None]) {
                for &odd in &fill {
                    for odd_at in 0..len {
                        let mut rest = vec![b'x'; len];
                        rest[odd_at] = odd;
                        if let Some(n) = nul_at {
                            rest[n] = 0;
                        }
                        let nul = rest.iter().position(|&b| b == 0);
                        let judge = |words: usize| {
                            nul.filter(|&n| n < words * 8)
                                .map(|n| (n, rest[..n].iter().all(|b| (0x20..0x80).contains(b))))
                        };
                        for words in [1, 3, SHORT_WORDS, 6] {
                            assert_eq!(scan_short(&rest, words), judge(words), "{rest:?}");
                        }
                        let want = judge(SHORT_WORDS);
                        let whole = nul.is_some_and(|n| n < rest.len() / 8 * 8);
                        assert_eq!(scan_words(&rest), want.filter(|_| whole), "{rest:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn inline_text_and_end_takes_only_a_string_then_end() {
        // <SyncML><Final>"x"</Final>OPAQUE(0)</SyncML>
        let d = doc(&[0x6D, 0x52, 0x03, b'x', 0x00, 0x01, 0xC3, 0x00, 0x01]);
        let mut reader = Reader::new(&d).expect("the header parses");
        assert!(matches!(reader.next_event(), Ok(Event::Start(_))));
        assert_eq!(reader.inline_text_and_end(), None);
        assert!(matches!(reader.next_event(), Ok(Event::Start(_))));
        assert_eq!(reader.inline_text_and_end(), Some(("x", true)));
        assert_eq!(reader.event_offset(), 10);
        assert_eq!(reader.depth(), 1);
        assert_eq!(reader.inline_text_and_end(), None);
        assert!(!reader.skip_end());
        assert_eq!(reader.next_event(), Ok(Event::Opaque(&[])));
        assert!(reader.skip_end());
        assert_eq!(reader.event_offset(), 13);
        assert!(!reader.skip_end());
        assert_eq!(reader.next_event(), Ok(Event::Eof));
    }
}
