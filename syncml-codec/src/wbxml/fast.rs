//! An optimistic decoder for the common shape of WBXML DM messages, straight over the
//! bytes: no events, no path, no errors. It gives up (`None`) on anything outside the
//! subset it reads or anything invalid, and [`super::decode_with`] then runs the full
//! decoder, which decodes the rare constructs or reports the error with its offset and
//! path. Where it gives a message, the full decoder gives the same one (the tests and the
//! `syncml_wbxml_fast` fuzz target hold it to that).
//!
//! The commonest shapes (a Status of the usual elements in their usual order; an item
//! command or Exec whose Items hold a Target, a Meta and Data; the usual header) are read
//! straight through, each element expected where it comes, with no loop over children; on
//! anything else such a path goes back to where it started and the general one reads it.
//!
//! The subset: a header naming SyncML 1.1 or 1.2 by public id or FPI; tags of pages 0 and
//! 1 without attributes (the tokens of the document's language only); text as one inline
//! string (XML text, as the full decoder requires) or nothing; every DM command, Cred, Chal and
//! the MetInf elements DM uses. String table references, entities, OPAQUE, processing
//! instructions, extensions, Anchor, Mem and anything else give up.

use std::borrow::Cow;

use ::wbxml::tokens::global as g;
use ::wbxml::{Header, Language, PublicId};

use crate::codes::{AlertCode, StatusCode};
use crate::decode::{push_empty_command, Tag, MAX_COMMAND_HINT};
use crate::model::*;
use crate::Limits;

use super::source::TAGS_12;

/// Decodes `input` if it lies in the subset, `None` otherwise (invalid input included).
pub(crate) fn decode<'a>(input: &'a [u8], limits: &Limits) -> Option<Message<'a>> {
    if input.len() > limits.max_message_size {
        return None;
    }
    let header = Header::parse(input).ok()?;
    let language = match header.public_id {
        PublicId::Known(id) => Language::from_public_id(id),
        PublicId::Fpi(fpi) => Language::from_fpi(fpi),
    };
    let tags = match language? {
        Language::SyncMl12 => &TAGS_12,
        Language::SyncMl11 => &TAGS_11,
        _ => return None,
    };
    // The body validated as UTF-8 once, up to its first invalid byte (OPAQUE content,
    // multi-byte integers): strings are sliced out of it without a call each.
    let body = input.get(header.body_offset..)?;
    let text = match std::str::from_utf8(body) {
        Ok(all) => all,
        Err(e) => std::str::from_utf8(body.get(..e.valid_up_to())?).ok()?,
    };
    let mut f = Fast {
        input,
        text,
        text_start: header.body_offset,
        pos: header.body_offset,
        tags,
        page: tags.first_chunk()?,
        // As `decode_with` configures the reader.
        room: limits.max_depth.saturating_mul(2).saturating_add(12),
        limits: *limits,
        commands: 0,
        items: 0,
        depth: 0,
    };
    let message = f.message()?;
    (f.pos == input.len()).then_some(message)
}

/// [`TAGS_12`] without the tokens SyncML 1.1 lacks: those past `SourceParent` (0x39) and
/// 0x35 to 0x38 on page 0, those past `MaxObjSize` (0x15) on page 1.
static TAGS_11: [Tag; 128] = {
    let mut tags = TAGS_12;
    let mut token = 0;
    while token < 64 {
        #[allow(clippy::indexing_slicing)] // const evaluation: out of range fails the build
        {
            if token > 0x34 && token != 0x39 {
                tags[token] = Tag::Other;
            }
            if token > 0x15 {
                tags[64 + token] = Tag::Other;
            }
        }
        token += 1;
    }
    tags
};

/// What [`Fast::straight_item`] reads of an item.
struct ItemParts<'a> {
    loc_uri: Str<'a>,
    meta: Option<Box<Meta<'a>>>,
    data: Option<Str<'a>>,
}

impl<'a> ItemParts<'a> {
    /// Writes the parts into `item`, a default one.
    #[inline(always)]
    fn fill(self, item: &mut Item<'a>) {
        item.target = Some(Location {
            loc_uri: self.loc_uri,
            loc_name: None,
        });
        item.meta = self.meta;
        item.data = self.data.map(Data::Text);
    }
}

/// The reader's state as [`Fast::mark`] keeps it.
#[derive(Clone, Copy)]
struct Mark {
    pos: usize,
    room: usize,
    items: usize,
    depth: usize,
    page: &'static [Tag; 64],
}

/// The next token where a child element or the end of its parent may come.
enum Next {
    End,
    /// A start tag: its tag and whether it has content.
    Start(Tag, bool),
}

struct Fast<'a> {
    input: &'a [u8],
    /// `input` from `text_start` on, as far as it is UTF-8.
    text: &'a str,
    text_start: usize,
    pos: usize,
    /// The tags of the document's language by `page << 6 | token` ([`Tag::Other`] for
    /// tokens it lacks), and those of the current tag code page.
    tags: &'static [Tag; 128],
    page: &'static [Tag; 64],
    /// How many more elements with content the reader would let open.
    room: usize,
    limits: Limits,
    commands: usize,
    items: usize,
    /// Atomic/Sequence and MetInf nesting, as the full decoder counts it.
    depth: usize,
}

/// Sets a field that may occur once: a duplicate gives up.
macro_rules! once {
    ($slot:expr, $value:expr) => {{
        if $slot.is_some() {
            return None;
        }
        $slot = Some($value);
    }};
}

/// The value of a decimal number of ASCII digits, as `str::parse` gives it.
#[inline]
fn number<T: TryFrom<u64>>(s: &str) -> Option<T> {
    if s.is_empty() {
        return None;
    }
    let mut v = 0u64;
    for &c in s.as_bytes() {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    T::try_from(v).ok()
}

/// The high bit of each lane (byte) of `x` that is not printable ASCII. A lane below 0x20
/// wraps to a set high bit (and is below 0x80); a lane of 0x7F or more has it once 1 is
/// added. Borrows and carries only flag lanes above a flagged one, so the lowest flag is
/// exact.
#[inline(always)]
fn non_printable_lanes(x: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    ((x.wrapping_sub(ONES * 0x20) & !x) | x.wrapping_add(ONES) | x) & HIGHS
}

/// The length of the run of printable ASCII (0x20 to 0x7E) `b` starts with, eight bytes
/// at a time ([`Fast::short_text`] has already read short strings).
#[inline(always)]
fn printable_len(b: &[u8]) -> usize {
    let mut at = 0;
    while let Some(word) = b.get(at..).and_then(|r| r.first_chunk::<8>()) {
        let flags = non_printable_lanes(u64::from_le_bytes(*word));
        if flags != 0 {
            return at + (flags.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    while let Some(&c) = b.get(at) {
        if !(0x20..=0x7E).contains(&c) {
            break;
        }
        at += 1;
    }
    at
}

impl<'a> Fast<'a> {
    /// The next child of an element (`content`: whether the element has any): its tag and
    /// whether it has content, or `None` at the element's end.
    #[inline(always)]
    fn child(&mut self, content: bool) -> Option<Option<(Tag, bool)>> {
        if !content {
            return Some(None);
        }
        Some(match self.next()? {
            Next::End => None,
            Next::Start(tag, content) => Some((tag, content)),
        })
    }

    /// The next start tag or END, page switches before it applied.
    #[inline(always)]
    fn next(&mut self) -> Option<Next> {
        loop {
            let byte = *self.input.get(self.pos)?;
            if byte == g::SWITCH_PAGE {
                self.switch_page()?;
                continue;
            }
            if byte == g::END {
                self.room += 1;
                self.pos += 1;
                return Some(Next::End);
            }
            let token = byte & g::TAG_MASK;
            if byte & g::HAS_ATTRIBUTES != 0 || token <= g::LITERAL {
                return None;
            }
            let tag = *self.page.get(usize::from(token))?;
            if tag == Tag::Other {
                return None;
            }
            let content = byte & g::HAS_CONTENT != 0;
            if content {
                self.room = self.room.checked_sub(1)?;
            }
            self.pos += 1;
            return Some(Next::Start(tag, content));
        }
    }

    /// The text of an element whose start tag was just read, up to its end: nothing, or
    /// one inline string (printable ASCII, checked in the scan for its end, or else XML
    /// text as the full decoder checks it). Out of line: a message's many text elements
    /// share one copy, which keeps the code a short message runs through within the
    /// first-level instruction cache (inlined at every element, it was not).
    #[inline(never)]
    fn text(&mut self, content: bool) -> Option<&'a str> {
        if content {
            if let Some(s) = self.short_text() {
                return Some(s);
            }
        }
        self.any_text(content)
    }

    /// [`Fast::text`] of an inline string of at most 15 printable ASCII bytes (a CmdID, a
    /// code, a command name, a short path), or `None` with the reader untouched. It calls
    /// nothing and has no loop, so that the common text is read with few registers to save;
    /// [`Fast::any_text`] reads the rest.
    #[inline(always)]
    fn short_text(&mut self) -> Option<&'a str> {
        if self.input.get(self.pos) != Some(&g::STR_I) {
            return None;
        }
        let start = self.pos + 1;
        let rest = self.input.get(start..)?;
        let (word, flags, base) = {
            let first = u64::from_le_bytes(*rest.first_chunk::<8>()?);
            match non_printable_lanes(first) {
                0 => {
                    let second = u64::from_le_bytes(*rest.get(8..)?.first_chunk::<8>()?);
                    (second, non_printable_lanes(second), 8)
                }
                flags => (first, flags, 0),
            }
        };
        if flags == 0 {
            return None;
        }
        let at = (flags.trailing_zeros() / 8) as usize;
        let len = base + at;
        // The first byte that is not printable is the string's NUL, and END follows it.
        if (word >> (at * 8)) & 0xFF != 0
            || rest.get(len + 1) != Some(&g::END)
            || len > self.limits.max_string_len
        {
            return None;
        }
        let s = self.text.get(start - self.text_start..)?.get(..len)?;
        self.pos = start + len + 2;
        self.room += 1;
        Some(s)
    }

    /// [`Fast::text`] of any element.
    #[inline(never)]
    fn any_text(&mut self, content: bool) -> Option<&'a str> {
        if !content {
            return Some("");
        }
        match *self.input.get(self.pos)? {
            g::END => {
                self.pos += 1;
                self.room += 1;
                Some("")
            }
            g::STR_I => {
                let start = self.pos + 1;
                let rest = self.input.get(start..)?;
                let mut len = printable_len(rest);
                let printable = rest.get(len) == Some(&0);
                if !printable {
                    len = memchr::memchr(0, rest)?;
                }
                if rest.get(len + 1) != Some(&g::END) || len > self.limits.max_string_len {
                    return None;
                }
                let from = start - self.text_start;
                // Two one-sided slices: each inlines to one boundary check, where a range
                // slice is a call.
                let s = self.text.get(from..)?.get(..len)?;
                // Printable ASCII is XML text; other strings are checked as the full
                // decoder checks them.
                if !printable && !::wbxml::transcode::is_xml_text(s) {
                    return None;
                }
                self.pos = start + len + 2;
                self.room += 1;
                Some(s)
            }
            _ => None,
        }
    }

    #[inline(always)]
    fn str(&mut self, content: bool) -> Option<Str<'a>> {
        self.text(content).map(Cow::Borrowed)
    }

    /// `Final`, `NoResp`, `MoreData`, `FieldLevel`: empty, or with content and no text.
    #[inline(always)]
    fn flag(&mut self, content: bool) -> Option<bool> {
        if content {
            if self.input.get(self.pos) != Some(&g::END) {
                return None;
            }
            self.pos += 1;
            self.room += 1;
        }
        Some(true)
    }

    /// Where the reader stands, for a straight path to go back to when it gives up.
    #[inline(always)]
    fn mark(&self) -> Mark {
        Mark {
            pos: self.pos,
            room: self.room,
            items: self.items,
            depth: self.depth,
            page: self.page,
        }
    }

    #[inline(always)]
    fn reset(&mut self, mark: Mark) {
        self.pos = mark.pos;
        self.room = mark.room;
        self.items = mark.items;
        self.depth = mark.depth;
        self.page = mark.page;
    }

    /// The start tag of `tag` with content, next (after a page switch, if any): read, or
    /// `None`.
    #[inline(always)]
    fn open(&mut self, tag: Tag) -> Option<()> {
        if !self.at(tag) {
            return None;
        }
        self.room = self.room.checked_sub(1)?;
        self.pos += 1;
        Some(())
    }

    /// Whether the start tag of `tag` with content (and no attributes) comes next, a page
    /// switch before it applied (as after a Meta, whose MetInf tags are on page 1).
    #[inline(always)]
    fn at(&mut self, tag: Tag) -> bool {
        let Some(&byte) = self.input.get(self.pos) else {
            return false;
        };
        if byte == g::SWITCH_PAGE {
            return self.switch_page().is_some() && self.at_here(tag);
        }
        byte & (g::HAS_ATTRIBUTES | g::HAS_CONTENT) == g::HAS_CONTENT
            && self.page.get(usize::from(byte & g::TAG_MASK)) == Some(&tag)
    }

    /// [`Fast::at`] past the switch it applied.
    fn at_here(&self, tag: Tag) -> bool {
        self.input.get(self.pos).is_some_and(|&byte| {
            byte & (g::HAS_ATTRIBUTES | g::HAS_CONTENT) == g::HAS_CONTENT
                && self.page.get(usize::from(byte & g::TAG_MASK)) == Some(&tag)
        })
    }

    /// Applies the SWITCH_PAGE at the reader's position (SyncML 1.1 and 1.2 both have
    /// pages 0 and 1; another gives up).
    #[inline(always)]
    fn switch_page(&mut self) -> Option<()> {
        let page = *self.input.get(self.pos + 1)?;
        self.page = match page {
            0 => self.tags.first_chunk()?,
            1 => self.tags.last_chunk()?,
            _ => return None,
        };
        self.pos += 2;
        Some(())
    }

    /// The END of the element open last.
    #[inline(always)]
    fn close(&mut self) -> Option<()> {
        self.flag(true).map(drop)
    }

    /// `tag` holding text (or nothing), next.
    #[inline(always)]
    fn text_of(&mut self, tag: Tag) -> Option<Str<'a>> {
        self.open(tag)?;
        self.str(true)
    }

    /// `tag` (Target or Source) holding a `LocURI` alone: its text.
    #[inline(always)]
    fn straight_location(&mut self, tag: Tag) -> Option<Str<'a>> {
        self.open(tag)?;
        let loc_uri = self.text_of(Tag::LocURI)?;
        self.close()?;
        Some(loc_uri)
    }

    /// A Meta if one comes next (`Some(None)` if not).
    #[inline(always)]
    fn optional_meta(&mut self) -> Option<Option<Box<Meta<'a>>>> {
        if !self.at(Tag::Meta) {
            return Some(None);
        }
        self.open(Tag::Meta)?;
        self.meta(true).map(Some)
    }

    /// `tag` holding text if it comes next (`Some(None)` if not).
    #[inline(always)]
    fn optional_text(&mut self, tag: Tag) -> Option<Option<Str<'a>>> {
        if !self.at(tag) {
            return Some(None);
        }
        self.text_of(tag).map(Some)
    }

    /// The common Item, straight through: `Target` with a `LocURI` alone, then `Meta` and
    /// `Data`, each optional, in that order; its parts, which the caller writes where the
    /// item is kept (built here and copied there, the copy would stall on the fresh
    /// stores). `None` on anything else, the reader left wherever it stopped
    /// ([`Fast::reset`] takes it back).
    #[inline(always)]
    fn straight_item(&mut self) -> Option<ItemParts<'a>> {
        self.open(Tag::Item)?;
        self.items += 1;
        if self.items > self.limits.max_items {
            return None;
        }
        let loc_uri = self.straight_location(Tag::Target)?;
        let meta = self.optional_meta()?;
        let data = self.optional_text(Tag::Data)?;
        self.close()?;
        Some(ItemParts {
            loc_uri,
            meta,
            data,
        })
    }

    /// The common item command, straight through: a `CmdID` and straight Items, into `c`
    /// (a default one), which is a default one again on `None`.
    fn straight_item_command(&mut self, c: &mut ItemCommand<'a>) -> Option<()> {
        let read = (|| {
            c.cmd_id = self.text_of(Tag::CmdID)?;
            loop {
                let parts = self.straight_item()?;
                parts.fill(c.items.push_default()?);
                if !self.at(Tag::Item) {
                    return self.close();
                }
            }
        })();
        if read.is_none() {
            *c = ItemCommand::default();
        }
        read
    }

    /// The common Exec, straight through: a `CmdID` and one straight Item.
    fn straight_exec(&mut self, exec: &mut Exec<'a>) -> Option<()> {
        let cmd_id = self.text_of(Tag::CmdID)?;
        let parts = self.straight_item()?;
        self.close()?;
        exec.cmd_id = cmd_id;
        parts.fill(exec.items.push_default()?);
        Some(())
    }

    /// The common Status, straight through: `CmdID`, `MsgRef`, `CmdRef`, `Cmd`, a
    /// `TargetRef` and a `SourceRef` each optional, and `Data`, in that order; into `st` (a
    /// placeholder), which is left as it was on `None`.
    fn straight_status(&mut self, st: &mut Status<'a>) -> Option<()> {
        let cmd_id = self.text_of(Tag::CmdID)?;
        let msg_ref = self.text_of(Tag::MsgRef)?;
        let cmd_ref = self.text_of(Tag::CmdRef)?;
        let cmd = self.text_of(Tag::Cmd)?;
        let target_ref = self.optional_text(Tag::TargetRef)?;
        let source_ref = self.optional_text(Tag::SourceRef)?;
        self.open(Tag::Data)?;
        let code = StatusCode::from_code(number(self.text(true)?)?);
        self.close()?;
        st.cmd_id = cmd_id;
        st.msg_ref = msg_ref;
        st.cmd_ref = cmd_ref;
        st.cmd = cmd;
        // Pushed inline: `Extend` is an out-of-line call costing more than the rest of a ref.
        if let Some(r) = target_ref {
            st.target_refs.push(r);
        }
        if let Some(r) = source_ref {
            st.source_refs.push(r);
        }
        st.code = code;
        Some(())
    }

    fn message(&mut self) -> Option<Message<'a>> {
        let Next::Start(Tag::SyncML, true) = self.next()? else {
            return None;
        };
        let (mut header, mut body) = (None, None);
        loop {
            match self.next()? {
                Next::End => break,
                Next::Start(Tag::SyncHdr, content) => once!(header, self.header(content)?),
                Next::Start(Tag::SyncBody, content) => once!(body, self.body(content)?),
                Next::Start(..) => return None,
            }
        }
        Some(Message {
            header: header?,
            body: body?,
        })
    }

    fn header(&mut self, content: bool) -> Option<SyncHdr<'a>> {
        if content {
            let mark = self.mark();
            if let Some(header) = self.straight_header() {
                return Some(header);
            }
            self.reset(mark);
        }
        self.general_header(content)
    }

    /// The usual header, straight through: `VerDTD`, `VerProto`, `SessionID`, `MsgID`,
    /// `Target` and `Source` of a `LocURI` alone, and an optional `Meta`.
    fn straight_header(&mut self) -> Option<SyncHdr<'a>> {
        let ver_dtd = self.text_of(Tag::VerDTD)?;
        let ver_proto = self.text_of(Tag::VerProto)?;
        let session_id = self.text_of(Tag::SessionID)?;
        let msg_id = self.text_of(Tag::MsgID)?;
        let target = self.straight_location(Tag::Target)?;
        let source = self.straight_location(Tag::Source)?;
        let meta = self.optional_meta()?;
        self.close()?;
        Some(SyncHdr {
            ver_dtd,
            ver_proto,
            session_id,
            msg_id,
            target: Location {
                loc_uri: target,
                loc_name: None,
            },
            source: Location {
                loc_uri: source,
                loc_name: None,
            },
            resp_uri: None,
            no_resp: false,
            cred: None,
            meta,
        })
    }

    fn general_header(&mut self, content: bool) -> Option<SyncHdr<'a>> {
        let (mut ver_dtd, mut ver_proto, mut session_id, mut msg_id) = (None, None, None, None);
        let (mut target, mut source, mut resp_uri, mut cred, mut meta) =
            (None, None, None, None, None);
        let mut no_resp = false;
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::VerDTD => once!(ver_dtd, self.str(content)?),
                Tag::VerProto => once!(ver_proto, self.str(content)?),
                Tag::SessionID => once!(session_id, self.str(content)?),
                Tag::MsgID => once!(msg_id, self.str(content)?),
                Tag::Target => once!(target, self.location(content)?),
                Tag::Source => once!(source, self.location(content)?),
                Tag::RespURI => once!(resp_uri, self.str(content)?),
                Tag::NoResp => no_resp = self.flag(content)?,
                Tag::Cred => once!(cred, self.cred(content)?),
                Tag::Meta => once!(meta, self.meta(content)?),
                _ => return None,
            }
        }
        Some(SyncHdr {
            ver_dtd: ver_dtd?,
            ver_proto: ver_proto?,
            session_id: session_id?,
            msg_id: msg_id?,
            target: target?,
            source: source?,
            resp_uri,
            no_resp,
            cred,
            meta,
        })
    }

    #[inline(always)]
    fn location(&mut self, content: bool) -> Option<Location<'a>> {
        let (mut uri, mut loc_name) = (None, None);
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::LocURI => once!(uri, self.str(content)?),
                Tag::LocName => once!(loc_name, self.str(content)?),
                _ => return None,
            }
        }
        Some(Location {
            loc_uri: uri?,
            loc_name,
        })
    }

    fn cred(&mut self, content: bool) -> Option<Cred<'a>> {
        let (mut meta, mut data) = (None, None);
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::Meta => once!(meta, self.meta(content)?),
                Tag::Data => once!(data, self.str(content)?),
                _ => return None,
            }
        }
        Some(Cred { meta, data: data? })
    }

    fn meta(&mut self, content: bool) -> Option<Box<Meta<'a>>> {
        let mut meta = Box::<Meta<'a>>::default();
        if content {
            self.metinf(&mut meta)?;
        }
        Some(meta)
    }

    /// MetInf children up to the end of the enclosing element (Meta or MetInf).
    fn metinf(&mut self, m: &mut Meta<'a>) -> Option<()> {
        loop {
            let Next::Start(tag, content) = self.next()? else {
                return Some(());
            };
            match tag {
                Tag::Format => once!(m.format, Format::parse(self.str(content)?)),
                Tag::Type => {
                    let t = self.str(content)?;
                    // Held as the full decoder holds it (see there).
                    let t = ::wbxml::transcode::nested_type_xml(&t).map_or(t, Cow::Borrowed);
                    once!(m.mime_type, t);
                }
                Tag::Mark => once!(m.mark, self.str(content)?),
                Tag::Size => once!(m.size, number(self.text(content)?)?),
                Tag::Version => once!(m.version, self.str(content)?),
                Tag::NextNonce => once!(m.next_nonce, self.str(content)?),
                Tag::MaxMsgSize => once!(m.max_msg_size, number(self.text(content)?)?),
                Tag::MaxObjSize => once!(m.max_obj_size, number(self.text(content)?)?),
                Tag::Emi => {
                    let t = self.str(content)?;
                    m.emi.push(t);
                }
                Tag::FieldLevel => m.field_level = self.flag(content)?,
                Tag::MetInf => {
                    if content {
                        self.depth += 1;
                        if self.depth > self.limits.max_depth {
                            return None;
                        }
                        self.metinf(m)?;
                        self.depth -= 1;
                    }
                }
                _ => return None,
            }
        }
    }

    fn body(&mut self, content: bool) -> Option<SyncBody<'a>> {
        // The full decoder's guess at the number of commands, from the bytes left.
        let hint = (self.input.len().saturating_sub(self.pos) / 32)
            .min(MAX_COMMAND_HINT)
            .min(self.limits.max_commands);
        let mut body = SyncBody {
            commands: Vec::with_capacity(hint),
            final_flag: false,
        };
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                _ if body.final_flag => return None,
                Tag::Final => body.final_flag = self.flag(content)?,
                tag => {
                    self.command(tag, content, Ctx::Body, &mut body.commands)?;
                }
            }
        }
        Some(body)
    }

    /// A command allowed in `ctx`, pushed onto `out`.
    fn command(
        &mut self,
        tag: Tag,
        content: bool,
        ctx: Ctx,
        out: &mut Vec<Command<'a>>,
    ) -> Option<()> {
        let allowed = matches!(
            (ctx, tag),
            (
                _,
                Tag::Add | Tag::Alert | Tag::Copy | Tag::Delete | Tag::Replace
            ) | (
                Ctx::Body | Ctx::Sequence,
                Tag::Get | Tag::Exec | Tag::Atomic
            ) | (Ctx::Body, Tag::Results | Tag::Status | Tag::Sequence)
        );
        if !allowed {
            return None;
        }
        self.commands += 1;
        if self.commands > self.limits.max_commands {
            return None;
        }
        let command = match tag {
            Tag::Add | Tag::Copy | Tag::Delete | Tag::Get | Tag::Replace => {
                let c = push_empty_command(out, tag).and_then(Command::as_item_command_mut)?;
                if content {
                    let mark = self.mark();
                    if self.straight_item_command(c).is_some() {
                        return Some(());
                    }
                    self.reset(mark);
                }
                return self.item_command(content, c);
            }
            Tag::Alert => Command::Alert(self.alert(content)?),
            Tag::Exec => {
                if content {
                    let Some(Command::Exec(exec)) = push_empty_command(out, Tag::Exec) else {
                        return None;
                    };
                    let mark = self.mark();
                    if self.straight_exec(exec).is_some() {
                        return Some(());
                    }
                    self.reset(mark);
                    out.pop();
                }
                Command::Exec(self.exec(content)?)
            }
            Tag::Atomic => Command::Atomic(self.container(Ctx::Atomic, content)?),
            Tag::Sequence => Command::Sequence(self.container(Ctx::Sequence, content)?),
            Tag::Results => Command::Results(self.results(content)?),
            _ => {
                let Some(Command::Status(st)) = push_empty_command(out, Tag::Status) else {
                    return None;
                };
                if content {
                    let mark = self.mark();
                    if self.straight_status(st).is_some() {
                        return Some(());
                    }
                    self.reset(mark);
                }
                return self.status(content, st);
            }
        };
        out.push(command);
        Some(())
    }

    /// The content of an item command, into `c` (a default one) where it is kept.
    fn item_command(&mut self, content: bool, c: &mut ItemCommand<'a>) -> Option<()> {
        let (mut cmd_id, mut meta) = (None, None);
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::CmdID => once!(cmd_id, self.str(content)?),
                Tag::NoResp => c.no_resp = self.flag(content)?,
                Tag::Meta => once!(meta, self.meta(content)?),
                Tag::Item => self.item(content, &mut c.items)?,
                _ => return None,
            }
        }
        if c.items.is_empty() {
            return None;
        }
        c.cmd_id = cmd_id?;
        c.meta = meta;
        Some(())
    }

    fn exec(&mut self, content: bool) -> Option<Exec<'a>> {
        let (mut cmd_id, mut meta, mut correlator) = (None, None, None);
        let mut no_resp = false;
        let mut items = List::new();
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::CmdID => once!(cmd_id, self.str(content)?),
                Tag::NoResp => no_resp = self.flag(content)?,
                Tag::Meta => once!(meta, self.meta(content)?),
                Tag::Correlator => once!(correlator, self.str(content)?),
                Tag::Item => self.item(content, &mut items)?,
                _ => return None,
            }
        }
        if items.is_empty() {
            return None;
        }
        Some(Exec {
            cmd_id: cmd_id?,
            no_resp,
            meta,
            correlator,
            items,
        })
    }

    fn alert(&mut self, content: bool) -> Option<Alert<'a>> {
        let (mut cmd_id, mut code, mut correlator) = (None, None, None);
        let mut no_resp = false;
        let mut items = List::new();
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::CmdID => once!(cmd_id, self.str(content)?),
                Tag::NoResp => no_resp = self.flag(content)?,
                Tag::Data => once!(code, AlertCode::from_code(number(self.text(content)?)?)),
                Tag::Correlator => once!(correlator, self.str(content)?),
                Tag::Item => self.item(content, &mut items)?,
                _ => return None,
            }
        }
        Some(Alert {
            cmd_id: cmd_id?,
            no_resp,
            code: code?,
            correlator,
            items,
        })
    }

    fn container(&mut self, ctx: Ctx, content: bool) -> Option<Container<'a>> {
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return None;
        }
        let (mut cmd_id, mut meta) = (None, None);
        let mut no_resp = false;
        let mut commands = Vec::new();
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::CmdID => once!(cmd_id, self.str(content)?),
                Tag::NoResp => no_resp = self.flag(content)?,
                Tag::Meta => once!(meta, self.meta(content)?),
                _ => self.command(tag, content, ctx, &mut commands)?,
            }
        }
        if commands.is_empty() {
            return None;
        }
        self.depth -= 1;
        Some(Container {
            cmd_id: cmd_id?,
            no_resp,
            meta,
            commands,
        })
    }

    fn results(&mut self, content: bool) -> Option<Results<'a>> {
        let (mut cmd_id, mut msg_ref, mut cmd_ref, mut meta) = (None, None, None, None);
        let (mut target_ref, mut source_ref) = (None, None);
        let mut items = List::new();
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::CmdID => once!(cmd_id, self.str(content)?),
                Tag::MsgRef => once!(msg_ref, self.str(content)?),
                Tag::CmdRef => once!(cmd_ref, self.str(content)?),
                Tag::Meta => once!(meta, self.meta(content)?),
                Tag::TargetRef => once!(target_ref, self.str(content)?),
                Tag::SourceRef => once!(source_ref, self.str(content)?),
                Tag::Item => self.item(content, &mut items)?,
                _ => return None,
            }
        }
        if items.is_empty() {
            return None;
        }
        Some(Results {
            cmd_id: cmd_id?,
            msg_ref,
            cmd_ref: cmd_ref?,
            meta,
            target_ref,
            source_ref,
            items: items.into_vec(),
        })
    }

    /// The content of a Status, into `st` (a placeholder) where it is kept.
    fn status(&mut self, content: bool, st: &mut Status<'a>) -> Option<()> {
        let (mut cmd_id, mut msg_ref, mut cmd_ref, mut cmd) = (None, None, None, None);
        let (mut code, mut items) = (None, List::new());
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::CmdID => once!(cmd_id, self.str(content)?),
                Tag::MsgRef => once!(msg_ref, self.str(content)?),
                Tag::CmdRef => once!(cmd_ref, self.str(content)?),
                Tag::Cmd => once!(cmd, self.str(content)?),
                Tag::TargetRef => st.target_refs.push(self.str(content)?),
                Tag::SourceRef => st.source_refs.push(self.str(content)?),
                Tag::Chal => once!(st.chal, self.chal(content)?),
                Tag::Data => once!(code, StatusCode::from_code(number(self.text(content)?)?)),
                Tag::Item => self.item(content, &mut items)?,
                _ => return None,
            }
        }
        st.cmd_id = cmd_id?;
        st.msg_ref = msg_ref?;
        st.cmd_ref = cmd_ref?;
        st.cmd = cmd?;
        st.code = code?;
        st.items = items.into_vec();
        Some(())
    }

    fn chal(&mut self, content: bool) -> Option<Box<Chal<'a>>> {
        let mut meta = None;
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::Meta => once!(meta, self.meta(content)?),
                _ => return None,
            }
        }
        let meta: Box<Meta<'a>> = meta?;
        Some(Box::new(Chal { meta: *meta }))
    }

    /// An item, built in place at the end of `items`.
    fn item(&mut self, content: bool, items: &mut List<Item<'a>>) -> Option<()> {
        self.items += 1;
        if self.items > self.limits.max_items {
            return None;
        }
        let item = items.push_default()?;
        while let Some((tag, content)) = self.child(content)? {
            match tag {
                Tag::Target => once!(item.target, self.location(content)?),
                Tag::Source => once!(item.source, self.location(content)?),
                Tag::Meta => once!(item.meta, self.meta(content)?),
                Tag::Data => once!(item.data, Data::Text(self.str(content)?)),
                Tag::MoreData => item.more_data = self.flag(content)?,
                _ => return None,
            }
        }
        Some(())
    }
}

/// Which commands a list may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Body,
    Atomic,
    Sequence,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

    use arbitrary::{Arbitrary, Unstructured};

    use super::*;

    /// The limits the equivalence is checked under: the defaults, and tight ones that the
    /// test messages run into (commands, items, string length, depth, size).
    fn limit_sets(input_len: usize) -> [Limits; 4] {
        [
            Limits::default(),
            Limits {
                max_depth: 1,
                max_commands: 3,
                max_items: 4,
                max_string_len: 12,
                ..Limits::default()
            },
            Limits {
                max_depth: 0,
                max_commands: 1,
                max_items: 1,
                max_string_len: 3,
                ..Limits::default()
            },
            Limits {
                max_message_size: input_len.saturating_sub(1),
                ..Limits::default()
            },
        ]
    }

    /// Where the lean decoder gives a message, the full one gives the same (so where the
    /// full one fails, the lean one gives up). Returns whether the lean one gave a message.
    fn check(input: &[u8], limits: &Limits) -> bool {
        let Some(m) = decode(input, limits) else {
            return false;
        };
        match super::super::decode_full_for_fuzzing(input, limits) {
            Ok(full) => assert_eq!(m, full, "{limits:?} {input:02X?}"),
            Err(e) => panic!("the full decoder fails ({e}) where the lean one gives {m:?}"),
        }
        true
    }

    /// [`check`] under every limit set, on the input, its truncations and copies with one
    /// byte replaced at many places. Returns whether the lean decoder gave the input itself
    /// a message under the default limits.
    fn check_all(input: &[u8]) -> bool {
        let fast = check(input, &Limits::default());
        for limits in limit_sets(input.len()) {
            check(input, &limits);
        }
        let step = (input.len() / 200).max(1);
        let mut m = input.to_vec();
        for at in (0..input.len()).step_by(step) {
            for byte in [0x00, 0x01, 0x03, 0x04, 0x41, 0x45, 0x4B, 0x5A, 0x80, 0xC3] {
                let was = m[at];
                m[at] = byte;
                check(&m, &Limits::default());
                m[at] = was;
            }
            check(&input[..at], &Limits::default());
        }
        fast
    }

    /// The vectors as WBXML: the files, the XML ones converted.
    fn vectors() -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        for path in crate::test_vectors::files() {
            let bytes = std::fs::read(&path).unwrap();
            let name = path.display().to_string();
            match path.extension().and_then(|e| e.to_str()) {
                Some("wbxml") => out.push((name, bytes)),
                Some("xml") => {
                    if let Ok(w) = ::wbxml::transcode::xml_to_wbxml(&bytes, &Default::default()) {
                        out.push((name, w));
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// A copy of a WBXML document with every inline string reduced to its printable ASCII
    /// characters (so that generated messages fall in the lean decoder's subset more often).
    fn ascii_strings(input: &[u8]) -> Option<Vec<u8>> {
        let mut r = ::wbxml::Reader::new(input).ok()?;
        let mut w = super::super::writer(Vec::new());
        loop {
            match r.next_event().ok()? {
                ::wbxml::Event::Start(t) => w.start(t.page, t.token),
                ::wbxml::Event::Empty(t) => w.empty(t.page, t.token),
                ::wbxml::Event::End(_) => w.end(),
                ::wbxml::Event::Str(s) => {
                    let s: String = s.chars().filter(|c| matches!(c, ' '..='~')).collect();
                    w.str_i(&s).ok()?;
                }
                ::wbxml::Event::Opaque(b) => w.opaque(b),
                ::wbxml::Event::Eof => return Some(w.finish()),
                _ => return None,
            }
        }
    }

    fn item(target: &'static str, data: Option<&'static str>) -> Item<'static> {
        Item {
            target: Some(Location::new(target)),
            data: data.map(Data::text),
            ..Item::default()
        }
    }

    /// Messages a DM server and client exchange, in the lean decoder's subset.
    fn plain_messages() -> Vec<Message<'static>> {
        let header = SyncHdr {
            ver_dtd: "1.2".into(),
            ver_proto: "DM/1.2".into(),
            session_id: "1A2B".into(),
            msg_id: "2".into(),
            target: Location::new("IMEI:493005100592800"),
            source: Location {
                loc_uri: "https://dm.example.com/dm".into(),
                loc_name: Some("server".into()),
            },
            resp_uri: Some("https://dm.example.com/dm?s=1A2B".into()),
            no_resp: false,
            cred: None,
            meta: Some(Box::new(Meta {
                max_msg_size: Some(16_384),
                max_obj_size: Some(1 << 20),
                ..Meta::default()
            })),
        };
        let status = |cmd_id: &'static str, cmd_ref: &'static str, cmd: &'static str| {
            Command::Status(Status {
                cmd_id: cmd_id.into(),
                msg_ref: "1".into(),
                cmd_ref: cmd_ref.into(),
                cmd: cmd.into(),
                target_refs: vec!["./DevInfo/Mod".into()].into(),
                source_refs: List::new(),
                chal: None,
                code: StatusCode::from_code(200),
                items: Vec::new(),
            })
        };
        let meta = |format: Format<'static>, ty: &'static str| {
            Some(Box::new(Meta {
                format: Some(format),
                mime_type: Some(ty.into()),
                ..Meta::default()
            }))
        };
        let one_get = Message {
            header: header.clone(),
            body: SyncBody {
                commands: vec![
                    status("1", "0", "SyncHdr"),
                    status("2", "1", "Alert"),
                    status("3", "2", "Replace"),
                    Command::get("4", "./DevDetail/SwV"),
                ],
                final_flag: true,
            },
        };
        let mut mixed = vec![status("1", "0", "SyncHdr")];
        mixed.push(Command::Status(Status {
            chal: Some(Box::new(Chal {
                meta: Meta {
                    format: Some(Format::B64),
                    mime_type: Some("syncml:auth-md5".into()),
                    next_nonce: Some("bm9uY2U=".into()),
                    ..Meta::default()
                },
            })),
            code: StatusCode::from_code(401),
            items: vec![item("./a", Some("x"))],
            source_refs: vec!["s".into(), "t".into()].into(),
            ..match status("2", "3", "Get") {
                Command::Status(s) => s,
                _ => unreachable!(),
            }
        }));
        mixed.push(Command::Replace(ItemCommand {
            cmd_id: "3".into(),
            no_resp: true,
            meta: meta(Format::Chr, "text/plain"),
            items: vec![item("./a/b", Some("value")), item("./a/c", Some(""))].into(),
        }));
        mixed.push(Command::Add(ItemCommand {
            cmd_id: "4".into(),
            no_resp: false,
            meta: meta(Format::Node, "application/vnd.syncml.dmtnds+xml"),
            items: vec![Item {
                meta: Some(Box::new(Meta {
                    size: Some(12),
                    emi: vec!["e1".into(), "e2".into()].into(),
                    mark: Some("critical".into()),
                    version: Some("1.0".into()),
                    field_level: true,
                    ..Meta::default()
                })),
                more_data: true,
                ..item("./n", Some("12 bytes of x"))
            }]
            .into(),
        }));
        mixed.push(Command::delete("5", "./old"));
        mixed.push(Command::exec(
            "6",
            "./SCOMO/Download/1/Operations/Install",
            None,
        ));
        mixed.push(Command::Exec(Exec {
            cmd_id: "7".into(),
            correlator: Some("corr-1".into()),
            meta: meta(Format::Chr, "text/plain"),
            items: vec![item("./x", Some("arg"))].into(),
            ..Exec::default()
        }));
        mixed.push(Command::alert("8", AlertCode::from_code(1100), vec![]));
        mixed.push(Command::Alert(Alert {
            cmd_id: "9".into(),
            no_resp: false,
            code: AlertCode::from_code(1103),
            correlator: Some("c".into()),
            items: vec![
                item("./t", Some("MINDT=10&MAXDT=20")),
                item("./u", Some("Choose")),
            ]
            .into(),
        }));
        mixed.push(Command::Results(Results {
            cmd_id: "10".into(),
            msg_ref: Some("1".into()),
            cmd_ref: "4".into(),
            meta: meta(Format::Int, "text/plain"),
            target_ref: Some("./t".into()),
            source_ref: Some("./s".into()),
            items: vec![Item {
                source: Some(Location::new("./DevDetail/SwV")),
                ..item("./DevDetail/SwV", Some("1.0.3"))
            }],
        }));
        mixed.push(Command::Copy(ItemCommand {
            cmd_id: "11".into(),
            items: vec![Item {
                source: Some(Location::new("./from")),
                ..item("./to", None)
            }]
            .into(),
            ..ItemCommand::default()
        }));
        mixed.push(Command::Atomic(Container {
            cmd_id: "12".into(),
            no_resp: false,
            meta: None,
            commands: vec![
                Command::replace("13", item("./p", Some("1"))),
                Command::delete("14", "./q"),
            ],
        }));
        mixed.push(Command::Sequence(Container {
            cmd_id: "15".into(),
            no_resp: true,
            meta: meta(Format::Chr, "text/plain"),
            commands: vec![
                Command::get("16", "./r"),
                Command::Atomic(Container {
                    cmd_id: "17".into(),
                    commands: vec![Command::add("18", item("./s", Some("v")))],
                    ..Container::default()
                }),
            ],
        }));
        let mixed = Message {
            header: SyncHdr {
                cred: Some(Cred {
                    meta: meta(Format::B64, "syncml:auth-md5"),
                    data: "Zm9vOmJhcg==".into(),
                }),
                no_resp: true,
                ..header.clone()
            },
            body: SyncBody {
                commands: mixed,
                final_flag: false,
            },
        };
        let replaces = Message {
            header: SyncHdr {
                meta: None,
                resp_uri: None,
                ..header
            },
            body: SyncBody {
                commands: (0..60)
                    .map(|i| {
                        let path: &'static str = format!("./Node/{i}").leak();
                        let id: &'static str = format!("{}", i + 1).leak();
                        Command::replace(id, item(path, Some("v")))
                    })
                    .collect(),
                final_flag: true,
            },
        };
        vec![one_get, mixed, replaces]
    }

    /// The lean decoder reads our encoder's plain messages, the same as the full one.
    #[test]
    fn lean_decoder_reads_plain_messages() {
        for m in plain_messages() {
            let bytes = super::super::to_vec(&m).unwrap();
            assert_eq!(decode(&bytes, &Limits::default()).as_ref(), Some(&m));
            assert!(check_all(&bytes), "{m:?}");
        }
    }

    /// Commands in and around the shapes read straight through (Status; item commands and
    /// Exec with Items of a Target, a Meta and Data): each alone and all in one message,
    /// the same from the lean decoder as from the full one, through every truncation and
    /// many one-byte changes, and under tight limits (items, string length, depth).
    #[test]
    fn straight_shapes_and_near_misses_agree() {
        let target = "<Target><LocURI>./A/B</LocURI></Target>";
        let meta = "<Meta><Format xmlns=\"syncml:metinf\">int</Format><Type xmlns=\"syncml:metinf\">text/plain</Type></Meta>";
        let status = |refs: &str, tail: &str| {
            format!("<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>5</CmdRef><Cmd>Get</Cmd>{refs}<Data>200</Data>{tail}</Status>")
        };
        let mut bodies = vec![
            String::new(),
            status("", ""),
            status("<TargetRef>./A</TargetRef>", ""),
            status("<SourceRef>./S</SourceRef>", ""),
            status("<TargetRef>./A</TargetRef><SourceRef>./S</SourceRef>", ""),
            status("<TargetRef>./A</TargetRef><TargetRef>./B</TargetRef>", ""),
            status("<TargetRef>./A</TargetRef><SourceRef>./S</SourceRef><SourceRef>./T</SourceRef>", ""),
            status("", "<Item><Data>yes</Data></Item>"),
            status("<TargetRef>./A</TargetRef>", &format!("<Item>{target}</Item>")),
            "<Status><CmdID>2</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd>\
             <Chal><Meta><Type xmlns=\"syncml:metinf\">syncml:auth-md5</Type>\
             <NextNonce xmlns=\"syncml:metinf\">Tm9uY2U=</NextNonce></Meta></Chal><Data>407</Data></Status>"
                .to_owned(),
        ];
        let items = [
            format!("<Item>{target}</Item>"),
            format!("<Item>{target}<Data>v</Data></Item>"),
            format!("<Item>{target}{meta}</Item>"),
            format!("<Item>{target}{meta}<Data>a longer value, past sixteen bytes</Data></Item>"),
            format!("<Item>{target}<Data></Data></Item>"),
            format!("<Item>{target}<Data>tab\there</Data></Item>"),
            format!("<Item>{target}<Data>d</Data><MoreData/></Item>"),
            format!("<Item>{target}<Source><LocURI>./S</LocURI></Source></Item>"),
            "<Item><Target><LocURI>./A</LocURI><LocName>a</LocName></Target></Item>".to_owned(),
            "<Item><Source><LocURI>./S</LocURI></Source></Item>".to_owned(),
            "<Item><Data>no target</Data></Item>".to_owned(),
        ];
        for (i, item) in items.iter().enumerate() {
            let next = &items[(i + 1) % items.len()];
            for name in ["Replace", "Add", "Get", "Delete", "Copy"] {
                bodies.push(format!("<{name}><CmdID>7</CmdID>{item}</{name}>"));
                bodies.push(format!(
                    "<{name}><CmdID>7</CmdID>{item}{item}{next}</{name}>"
                ));
                bodies.push(format!("<{name}><CmdID>7</CmdID>{meta}{item}</{name}>"));
            }
            bodies.push(format!("<Exec><CmdID>8</CmdID>{item}</Exec>"));
            bodies.push(format!("<Exec><CmdID>8</CmdID>{item}{next}</Exec>"));
            bodies.push(format!(
                "<Exec><CmdID>8</CmdID><Correlator>c</Correlator>{item}</Exec>"
            ));
            bodies.push(format!(
                "<Atomic><CmdID>9</CmdID><Replace><CmdID>10</CmdID>{item}</Replace></Atomic>"
            ));
        }
        bodies.push(bodies.concat());
        // The usual header, its Meta, and near misses.
        let headers = [
            String::new(),
            meta.to_owned(),
            format!("{meta}<RespURI>http://r</RespURI>"),
            "<NoResp/>".to_owned(),
            "<Cred><Data>c2VjcmV0</Data></Cred>".to_owned(),
        ];
        let mut read = 0;
        let mut messages = 0;
        for (i, body) in bodies.iter().enumerate() {
            let tail = &headers[i % headers.len()];
            let source = match i % 7 {
                0 => "<Source><LocURI>s</LocURI><LocName>n</LocName></Source>",
                _ => "<Source><LocURI>s</LocURI></Source>",
            };
            let xml = format!(
                "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto>\
                 <SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>t</LocURI></Target>\
                 {source}{tail}</SyncHdr><SyncBody>{body}<Final/></SyncBody></SyncML>"
            );
            messages += 1;
            let Ok(m) = crate::decode_xml(xml.as_bytes()) else {
                continue;
            };
            let bytes = super::super::to_vec(&m).unwrap();
            read += usize::from(check_all(&bytes));
        }
        // Near misses fall back to the general reader of the subset, which reads them all.
        assert_eq!(read, messages);
    }

    /// Whether a message holds only what the lean decoder reads: no OPAQUE or nested
    /// documents, no Anchor or Mem.
    fn in_subset(m: &Message<'_>) -> bool {
        fn meta(m: &Option<Box<Meta<'_>>>) -> bool {
            m.as_ref()
                .is_none_or(|m| m.anchor.is_none() && m.mem.is_none())
        }
        fn items(items: &[Item<'_>]) -> bool {
            items
                .iter()
                .all(|i| meta(&i.meta) && matches!(i.data, None | Some(Data::Text(_))))
        }
        fn commands(list: &[Command<'_>]) -> bool {
            list.iter().all(|c| match c {
                Command::Add(c)
                | Command::Copy(c)
                | Command::Delete(c)
                | Command::Get(c)
                | Command::Replace(c) => meta(&c.meta) && items(&c.items),
                Command::Exec(c) => meta(&c.meta) && items(&c.items),
                Command::Results(c) => meta(&c.meta) && items(&c.items),
                Command::Alert(c) => items(&c.items),
                Command::Status(c) => {
                    items(&c.items)
                        && c.chal
                            .as_ref()
                            .is_none_or(|ch| ch.meta.anchor.is_none() && ch.meta.mem.is_none())
                }
                Command::Atomic(c) | Command::Sequence(c) => meta(&c.meta) && commands(&c.commands),
            })
        }
        meta(&m.header.meta)
            && m.header.cred.as_ref().is_none_or(|c| meta(&c.meta))
            && commands(&m.body.commands)
    }

    /// The tag tables name exactly the tokens the reader accepts in each language.
    #[test]
    fn tag_tables_follow_the_languages() {
        for (language, tags) in [
            (Language::SyncMl12, &TAGS_12),
            (Language::SyncMl11, &TAGS_11),
        ] {
            for page in 0..2u8 {
                for token in 0..64u8 {
                    let index = usize::from(page) << 6 | usize::from(token);
                    let known = language.tag_name(page, token).is_some();
                    let expected = if known { TAGS_12[index] } else { Tag::Other };
                    assert_eq!(tags[index], expected, "{language:?} {page} {token:#x}");
                }
            }
        }
    }

    #[test]
    fn printable_len_stops_at_the_first_other_byte() {
        let mut b = [b'a'; 40];
        for len in 0..b.len() {
            for at in 0..len {
                for other in [0x00, 0x01, 0x1F, 0x7F, 0x80, 0xC3, 0xFF] {
                    b[at] = other;
                    assert_eq!(printable_len(&b[..len]), at, "{at} {other:02X}");
                    b[at] = b' ';
                    assert_eq!(printable_len(&b[..len]), len);
                    b[at] = b'~';
                }
            }
        }
    }

    /// On messages of its subset, the lean decoder succeeds exactly where the full one does
    /// under every limit: commands, items, string length, depth and message size.
    #[test]
    fn limits_hold_as_in_the_full_decoder() {
        let mut refused = 0;
        for m in plain_messages() {
            let bytes = super::super::to_vec(&m).unwrap();
            let mut sets = Vec::new();
            for n in 0..=25 {
                sets.push(Limits {
                    max_commands: n,
                    ..Limits::default()
                });
                sets.push(Limits {
                    max_items: n,
                    ..Limits::default()
                });
                sets.push(Limits {
                    max_string_len: n * 2,
                    ..Limits::default()
                });
            }
            for n in 0..=3 {
                sets.push(Limits {
                    max_depth: n,
                    ..Limits::default()
                });
            }
            for n in [bytes.len() - 1, bytes.len()] {
                sets.push(Limits {
                    max_message_size: n,
                    ..Limits::default()
                });
            }
            for limits in sets {
                let full = super::super::decode_full_for_fuzzing(&bytes, &limits);
                let lean = decode(&bytes, &limits);
                assert_eq!(lean.is_some(), full.is_ok(), "{limits:?} {full:?}");
                if let (Some(lean), Ok(full)) = (lean, full) {
                    assert_eq!(lean, full);
                } else {
                    refused += 1;
                }
            }
        }
        assert!(refused > 100, "{refused}");
    }

    /// The vectors, their re-encodings and their mutations: the lean decoder agrees with
    /// the full one, and reads the plain vectors itself.
    #[test]
    fn lean_decoder_agrees_on_the_vectors() {
        let (mut total, mut fast, mut fast_dm12) = (0, 0, 0);
        for (name, input) in vectors() {
            let read = check_all(&input);
            eprintln!("{}: {name}", if read { "lean" } else { "full" });
            total += 1;
            fast += usize::from(read);
            if read && name.contains("dm12") && name.ends_with(".wbxml") {
                fast_dm12 += 1;
            }
            if let Ok(m) = super::super::decode(&input) {
                let plain = in_subset(&m);
                // The lean decoder reads every message of its subset, unless the file
                // writes it with the string table or OPAQUE text (libwbxml does).
                if plain && !input.contains(&g::STR_T) && !input.contains(&g::OPAQUE) {
                    assert!(read, "{name}");
                }
                let again = super::super::to_vec(&m).unwrap();
                assert_eq!(check_all(&again), plain, "{name} re-encoded");
                if let Some(ascii) = ascii_strings(&again) {
                    check_all(&ascii);
                }
            }
        }
        eprintln!("{fast} of {total} vectors read by the lean decoder");
        if std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../shared/corpus/dm12"
        ))
        .exists()
        {
            // The dm12 WBXML files without OPAQUE, string table or non-ASCII text.
            assert!(
                fast_dm12 >= 8,
                "{fast_dm12} dm12 WBXML files read by the lean decoder"
            );
        }
    }

    /// Generated messages (strings made ASCII in a copy), encoded by our encoder.
    #[test]
    fn lean_decoder_agrees_on_generated_messages() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut bytes = vec![0u8; 4096];
        let (mut total, mut fast) = (0, 0);
        for _ in 0..300 {
            for b in bytes.iter_mut() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                *b = state as u8;
            }
            let Ok(m) = Message::arbitrary(&mut Unstructured::new(&bytes)) else {
                continue;
            };
            let Ok(encoded) = super::super::to_vec(&m) else {
                continue;
            };
            check_all(&encoded);
            if let Some(ascii) = ascii_strings(&encoded) {
                total += 1;
                let read = check_all(&ascii);
                fast += usize::from(read);
                // Strings made ASCII, the message is in the subset if its structure is.
                assert_eq!(read, in_subset(&m), "{m:?}");
            }
        }
        eprintln!("{fast} of {total} generated ASCII messages read by the lean decoder");
        assert!(fast * 20 >= total, "{fast} of {total}");
    }
}
