//! The WBXML encoder on `wbxml::Writer`; the same code counts bytes for `encoded_len`.

use ::wbxml::tokens::{metinf as mi, syncml as sm};

use crate::error::EncodeError;
use crate::model::*;

/// What the encoder writes to: the real writer or a byte counter.
pub(crate) trait WSink {
    fn start(&mut self, page: u8, token: u8);
    fn empty(&mut self, page: u8, token: u8);
    fn end(&mut self);
    /// `<tag>text</tag>` with `text` as an inline string (not empty); NUL is an error.
    fn text_element(&mut self, page: u8, token: u8, text: &str) -> Result<(), ::wbxml::Error>;
    fn opaque(&mut self, bytes: &[u8]);
    /// `<tag>digits of n</tag>`.
    fn number_element(&mut self, page: u8, token: u8, n: u64);
}

// The full path names the inherent methods; `Self::` would read as the trait methods.
#[allow(clippy::use_self)]
impl WSink for ::wbxml::Writer {
    #[inline]
    fn start(&mut self, page: u8, token: u8) {
        ::wbxml::Writer::start(self, page, token);
    }
    #[inline]
    fn empty(&mut self, page: u8, token: u8) {
        ::wbxml::Writer::empty(self, page, token);
    }
    #[inline]
    fn end(&mut self) {
        ::wbxml::Writer::end(self);
    }
    #[inline(always)]
    fn text_element(&mut self, page: u8, token: u8, text: &str) -> Result<(), ::wbxml::Error> {
        ::wbxml::Writer::text_element(self, page, token, text)
    }
    #[inline]
    fn opaque(&mut self, bytes: &[u8]) {
        ::wbxml::Writer::opaque(self, bytes);
    }
    #[inline]
    fn number_element(&mut self, page: u8, token: u8, n: u64) {
        ::wbxml::Writer::number_element(self, page, token, n);
    }
}

/// Counts the bytes `wbxml::Writer` would write, page switches included.
pub(crate) struct WCounter {
    pub(crate) len: usize,
    page: u8,
}

impl WCounter {
    /// Starts with the header: version, public id 0x1201 (2 bytes), UTF-8, empty string table.
    pub(crate) fn new() -> Self {
        Self { len: 5, page: 0 }
    }

    fn tag(&mut self, page: u8) {
        if page != self.page {
            self.len = self.len.saturating_add(2);
            self.page = page;
        }
        self.len = self.len.saturating_add(1);
    }
}

fn mb_len(mut n: usize) -> usize {
    let mut len = 1;
    while n >= 0x80 {
        n >>= 7;
        len += 1;
    }
    len
}

impl WSink for WCounter {
    fn start(&mut self, page: u8, _token: u8) {
        self.tag(page);
    }
    fn empty(&mut self, page: u8, _token: u8) {
        self.tag(page);
    }
    fn end(&mut self) {
        self.len = self.len.saturating_add(1);
    }
    fn text_element(&mut self, page: u8, _token: u8, text: &str) -> Result<(), ::wbxml::Error> {
        if text.as_bytes().contains(&0) {
            return Err(::wbxml::Error::NulInString { offset: self.len });
        }
        self.tag(page);
        // STR_I, the text, its NUL and END.
        self.len = self.len.saturating_add(text.len() + 3);
        Ok(())
    }
    fn opaque(&mut self, bytes: &[u8]) {
        self.len = self
            .len
            .saturating_add(1 + mb_len(bytes.len()) + bytes.len());
    }
    fn number_element(&mut self, page: u8, _token: u8, n: u64) {
        self.tag(page);
        let digits = n.checked_ilog10().map_or(1, |log| log as usize + 1);
        // STR_I, the digits, NUL and END.
        self.len = self.len.saturating_add(digits + 3);
    }
}

type R = Result<(), EncodeError>;

pub(crate) struct Enc<'w, W> {
    w: &'w mut W,
}

impl<'w, W: WSink> Enc<'w, W> {
    pub(crate) fn new(w: &'w mut W) -> Self {
        Self { w }
    }

    #[inline(always)]
    fn text(&mut self, page: u8, token: u8, text: &str, what: &'static str) -> R {
        if text.is_empty() {
            self.w.empty(page, token);
            return Ok(());
        }
        self.w
            .text_element(page, token, text)
            .map_err(|_| EncodeError::InvalidChar(what))
    }

    #[inline]
    fn el(&mut self, token: u8, text: &str, what: &'static str) -> R {
        self.text(sm::PAGE, token, text, what)
    }

    pub(crate) fn message(&mut self, m: &Message<'_>) -> R {
        self.open(m)?;
        self.close(m.body.final_flag);
        Ok(())
    }

    /// The header of `m`, the SyncBody start tag and the commands of its body.
    pub(crate) fn open(&mut self, m: &Message<'_>) -> R {
        self.header_head(&m.header)?;
        self.msg_id(&m.header.msg_id)?;
        self.header_tail(&m.header)?;
        for c in &m.body.commands {
            self.command(c)?;
        }
        Ok(())
    }

    /// The body of the document up to `h`'s MsgID: the SyncML and SyncHdr start tags,
    /// VerDTD, VerProto and SessionID (all on page 0).
    pub(crate) fn header_head(&mut self, h: &SyncHdr<'_>) -> R {
        self.w.start(sm::PAGE, sm::SYNC_ML);
        self.w.start(sm::PAGE, sm::SYNC_HDR);
        self.el(sm::VER_DTD, &h.ver_dtd, "VerDTD")?;
        self.el(sm::VER_PROTO, &h.ver_proto, "VerProto")?;
        self.el(sm::SESSION_ID, &h.session_id, "SessionID")
    }

    /// The MsgID element (page 0).
    pub(crate) fn msg_id(&mut self, msg_id: &str) -> R {
        self.el(sm::MSG_ID, msg_id, "MsgID")
    }

    /// The rest of `h` after its MsgID, and the SyncBody start tag.
    pub(crate) fn header_tail(&mut self, h: &SyncHdr<'_>) -> R {
        self.location(sm::TARGET, &h.target)?;
        self.location(sm::SOURCE, &h.source)?;
        if let Some(r) = &h.resp_uri {
            self.el(sm::RESP_URI, r, "RespURI")?;
        }
        if h.no_resp {
            self.w.empty(sm::PAGE, sm::NO_RESP);
        }
        if let Some(c) = &h.cred {
            self.w.start(sm::PAGE, sm::CRED);
            if let Some(meta) = &c.meta {
                self.meta(meta)?;
            }
            self.el(sm::DATA, &c.data, "Cred/Data")?;
            self.w.end();
        }
        if let Some(meta) = &h.meta {
            self.meta(meta)?;
        }
        self.w.end();
        self.w.start(sm::PAGE, sm::SYNC_BODY);
        Ok(())
    }

    /// Final when `final_flag`, and the SyncBody and SyncML end tags.
    pub(crate) fn close(&mut self, final_flag: bool) {
        if final_flag {
            self.w.empty(sm::PAGE, sm::FINAL);
        }
        self.w.end();
        self.w.end();
    }

    fn location(&mut self, token: u8, l: &Location<'_>) -> R {
        self.w.start(sm::PAGE, token);
        self.el(sm::LOC_URI, &l.loc_uri, "LocURI")?;
        if let Some(n) = &l.loc_name {
            self.el(sm::LOC_NAME, n, "LocName")?;
        }
        self.w.end();
        Ok(())
    }

    fn num(&mut self, page: u8, token: u8, n: u64) -> R {
        self.w.number_element(page, token, n);
        Ok(())
    }

    fn meta(&mut self, m: &Meta<'_>) -> R {
        if meta_is_empty(m) {
            self.w.empty(sm::PAGE, sm::META);
            return Ok(());
        }
        self.w.start(sm::PAGE, sm::META);
        if let Some(f) = &m.format {
            self.text(mi::PAGE, mi::FORMAT, f.as_str(), "Format")?;
        }
        if let Some(t) = &m.mime_type {
            // Nested-document types name the encoding the data is carried in.
            // Trimming only shortens: a type shorter than every nested one (most types)
            // needs no trim and no comparison.
            let shortest = ::wbxml::transcode::NESTED_TYPES
                .iter()
                .map(|(x, _)| x.len())
                .min()
                .unwrap_or(0);
            let t = if t.len() < shortest {
                &**t
            } else {
                let trimmed = t.trim();
                ::wbxml::transcode::NESTED_TYPES
                    .iter()
                    .find(|(x, _)| *x == trimmed)
                    .map_or(&**t, |(_, w)| *w)
            };
            self.text(mi::PAGE, mi::TYPE, t, "Type")?;
        }
        if let Some(t) = &m.mark {
            self.text(mi::PAGE, mi::MARK, t, "Mark")?;
        }
        if let Some(n) = m.size {
            self.num(mi::PAGE, mi::SIZE, n)?;
        }
        if let Some(a) = &m.anchor {
            if a.last.is_none() && a.next.is_none() {
                self.w.empty(mi::PAGE, mi::ANCHOR);
            } else {
                self.w.start(mi::PAGE, mi::ANCHOR);
                if let Some(l) = &a.last {
                    self.text(mi::PAGE, mi::LAST, l, "Anchor")?;
                }
                if let Some(n) = &a.next {
                    self.text(mi::PAGE, mi::NEXT, n, "Anchor")?;
                }
                self.w.end();
            }
        }
        if let Some(t) = &m.version {
            self.text(mi::PAGE, mi::VERSION, t, "Version")?;
        }
        if let Some(t) = &m.next_nonce {
            self.text(mi::PAGE, mi::NEXT_NONCE, t, "NextNonce")?;
        }
        if let Some(n) = m.max_msg_size {
            self.num(mi::PAGE, mi::MAX_MSG_SIZE, n)?;
        }
        if let Some(n) = m.max_obj_size {
            self.num(mi::PAGE, mi::MAX_OBJ_SIZE, n)?;
        }
        for e in &m.emi {
            self.text(mi::PAGE, mi::EMI, e, "EMI")?;
        }
        if let Some(mem) = &m.mem {
            if *mem == Mem::default() {
                self.w.empty(mi::PAGE, mi::MEM);
            } else {
                self.w.start(mi::PAGE, mi::MEM);
                if mem.shared_mem {
                    self.w.empty(mi::PAGE, mi::SHARED_MEM);
                }
                if let Some(n) = mem.free_mem {
                    self.num(mi::PAGE, mi::FREE_MEM, n)?;
                }
                if let Some(n) = mem.free_id {
                    self.num(mi::PAGE, mi::FREE_ID, n)?;
                }
                self.w.end();
            }
        }
        if m.field_level {
            self.w.empty(mi::PAGE, mi::FIELD_LEVEL);
        }
        self.w.end();
        Ok(())
    }

    fn head(&mut self, token: u8, cmd_id: &str, no_resp: bool) -> R {
        self.w.start(sm::PAGE, token);
        self.el(sm::CMD_ID, cmd_id, "CmdID")?;
        if no_resp {
            self.w.empty(sm::PAGE, sm::NO_RESP);
        }
        Ok(())
    }

    fn items(&mut self, items: &[Item<'_>]) -> R {
        for i in items {
            self.item(i)?;
        }
        Ok(())
    }

    fn item_command(&mut self, token: u8, c: &ItemCommand<'_>) -> R {
        self.head(token, &c.cmd_id, c.no_resp)?;
        if let Some(m) = &c.meta {
            self.meta(m)?;
        }
        self.items(&c.items)?;
        self.w.end();
        Ok(())
    }

    pub(crate) fn command(&mut self, c: &Command<'_>) -> R {
        match c {
            Command::Add(c) => self.item_command(sm::ADD, c),
            Command::Copy(c) => self.item_command(sm::COPY, c),
            Command::Delete(c) => self.item_command(sm::DELETE, c),
            Command::Get(c) => self.item_command(sm::GET, c),
            Command::Replace(c) => self.item_command(sm::REPLACE, c),
            Command::Exec(c) => {
                self.head(sm::EXEC, &c.cmd_id, c.no_resp)?;
                if let Some(m) = &c.meta {
                    self.meta(m)?;
                }
                if let Some(x) = &c.correlator {
                    self.el(sm::CORRELATOR, x, "Correlator")?;
                }
                self.items(&c.items)?;
                self.w.end();
                Ok(())
            }
            Command::Alert(c) => {
                self.head(sm::ALERT, &c.cmd_id, c.no_resp)?;
                self.num(sm::PAGE, sm::DATA, u64::from(c.code.code()))?;
                if let Some(x) = &c.correlator {
                    self.el(sm::CORRELATOR, x, "Correlator")?;
                }
                self.items(&c.items)?;
                self.w.end();
                Ok(())
            }
            Command::Atomic(c) => self.container(sm::ATOMIC, c),
            Command::Sequence(c) => self.container(sm::SEQUENCE, c),
            Command::Results(r) => {
                self.w.start(sm::PAGE, sm::RESULTS);
                self.el(sm::CMD_ID, &r.cmd_id, "CmdID")?;
                if let Some(x) = &r.msg_ref {
                    self.el(sm::MSG_REF, x, "MsgRef")?;
                }
                self.el(sm::CMD_REF, &r.cmd_ref, "CmdRef")?;
                if let Some(m) = &r.meta {
                    self.meta(m)?;
                }
                if let Some(x) = &r.target_ref {
                    self.el(sm::TARGET_REF, x, "TargetRef")?;
                }
                if let Some(x) = &r.source_ref {
                    self.el(sm::SOURCE_REF, x, "SourceRef")?;
                }
                self.items(&r.items)?;
                self.w.end();
                Ok(())
            }
            Command::Status(s) => {
                self.w.start(sm::PAGE, sm::STATUS);
                self.el(sm::CMD_ID, &s.cmd_id, "CmdID")?;
                self.el(sm::MSG_REF, &s.msg_ref, "MsgRef")?;
                self.el(sm::CMD_REF, &s.cmd_ref, "CmdRef")?;
                self.el(sm::CMD, &s.cmd, "Cmd")?;
                for x in &s.target_refs {
                    self.el(sm::TARGET_REF, x, "TargetRef")?;
                }
                for x in &s.source_refs {
                    self.el(sm::SOURCE_REF, x, "SourceRef")?;
                }
                if let Some(ch) = &s.chal {
                    self.w.start(sm::PAGE, sm::CHAL);
                    self.meta(&ch.meta)?;
                    self.w.end();
                }
                self.num(sm::PAGE, sm::DATA, u64::from(s.code.code()))?;
                self.items(&s.items)?;
                self.w.end();
                Ok(())
            }
        }
    }

    /// The Status `a` stands for, as [`Enc::command`] writes it.
    pub(crate) fn answer(&mut self, a: &crate::Answer<'_>) -> R {
        self.w.start(sm::PAGE, sm::STATUS);
        self.w
            .number_element(sm::PAGE, sm::CMD_ID, u64::from(a.cmd_id));
        self.el(sm::MSG_REF, a.msg_ref, "MsgRef")?;
        self.el(sm::CMD_REF, a.cmd_ref, "CmdRef")?;
        self.el(sm::CMD, a.cmd, "Cmd")?;
        for x in a.target_refs() {
            self.el(sm::TARGET_REF, x, "TargetRef")?;
        }
        for x in a.source_refs() {
            self.el(sm::SOURCE_REF, x, "SourceRef")?;
        }
        if let Some(ch) = a.chal {
            self.w.start(sm::PAGE, sm::CHAL);
            self.meta(&ch.meta)?;
            self.w.end();
        }
        self.num(sm::PAGE, sm::DATA, u64::from(a.code.code()))?;
        // Mostly none: no call for an empty loop.
        if !a.items.is_empty() {
            self.items(a.items)?;
        }
        self.w.end();
        Ok(())
    }

    /// Results with only a CmdID, MsgRef, CmdRef and items, as [`Enc::command`] writes them.
    pub(crate) fn results(
        &mut self,
        cmd_id: u32,
        msg_ref: &str,
        cmd_ref: &str,
        items: &[Item<'_>],
    ) -> R {
        self.w.start(sm::PAGE, sm::RESULTS);
        self.w
            .number_element(sm::PAGE, sm::CMD_ID, u64::from(cmd_id));
        self.el(sm::MSG_REF, msg_ref, "MsgRef")?;
        self.el(sm::CMD_REF, cmd_ref, "CmdRef")?;
        self.items(items)?;
        self.w.end();
        Ok(())
    }

    fn container(&mut self, token: u8, c: &Container<'_>) -> R {
        self.head(token, &c.cmd_id, c.no_resp)?;
        if let Some(m) = &c.meta {
            self.meta(m)?;
        }
        for inner in &c.commands {
            self.command(inner)?;
        }
        self.w.end();
        Ok(())
    }

    fn item(&mut self, i: &Item<'_>) -> R {
        if item_is_empty(i) {
            self.w.empty(sm::PAGE, sm::ITEM);
            return Ok(());
        }
        self.w.start(sm::PAGE, sm::ITEM);
        if let Some(t) = &i.target {
            self.location(sm::TARGET, t)?;
        }
        if let Some(s) = &i.source {
            self.location(sm::SOURCE, s)?;
        }
        if let Some(m) = &i.meta {
            self.meta(m)?;
        }
        if let Some(d) = &i.data {
            match d {
                Data::Text(t) => self.el(sm::DATA, t, "Data")?,
                Data::Opaque(b) => {
                    self.w.start(sm::PAGE, sm::DATA);
                    self.w.opaque(b);
                    self.w.end();
                }
                Data::Nested(n) => {
                    let doc = n.to_wbxml().map_err(EncodeError::Nested)?;
                    self.w.start(sm::PAGE, sm::DATA);
                    self.w.opaque(&doc);
                    self.w.end();
                }
            }
        }
        if i.more_data {
            self.w.empty(sm::PAGE, sm::MORE_DATA);
        }
        self.w.end();
        Ok(())
    }
}

/// `Meta::is_empty` without building a default `Meta` to compare with (and dropping it).
/// The destructuring keeps this in step with the fields.
fn meta_is_empty(m: &Meta<'_>) -> bool {
    let Meta {
        format,
        mime_type,
        mark,
        size,
        anchor,
        version,
        next_nonce,
        max_msg_size,
        max_obj_size,
        emi,
        mem,
        field_level,
    } = m;
    format.is_none()
        && mime_type.is_none()
        && mark.is_none()
        && size.is_none()
        && anchor.is_none()
        && version.is_none()
        && next_nonce.is_none()
        && max_msg_size.is_none()
        && max_obj_size.is_none()
        && emi.is_empty()
        && mem.is_none()
        && !field_level
}

/// Whether `i` is `Item::default()`, without building one.
fn item_is_empty(i: &Item<'_>) -> bool {
    let Item {
        target,
        source,
        meta,
        data,
        more_data,
    } = i;
    target.is_none() && source.is_none() && meta.is_none() && data.is_none() && !more_data
}

#[cfg(test)]
mod tests {
    use super::*;
    use ::wbxml::{PublicId, Version, Writer};

    /// Numbers written from digit groups give the bytes of their text written whole, and
    /// the counter agrees.
    #[test]
    fn numbers_write_their_decimal_text() {
        let mut cases = vec![0, 9, 10, 999, 1000, 1001, 10_000, 65_535, 1_000_000];
        cases.extend([u64::from(u32::MAX), u64::MAX - 1, u64::MAX]);
        for n in cases {
            for page in [sm::PAGE, mi::PAGE] {
                let fresh = || Writer::new(Version::V1_3, PublicId::Known(0x1201));
                let mut got = fresh();
                Enc::new(&mut got).num(page, mi::SIZE, n).unwrap();
                let mut want = fresh();
                want.text_element(page, mi::SIZE, &n.to_string()).unwrap();
                assert_eq!(got.finish(), want.finish(), "{n}");
                let mut counter = WCounter::new();
                Enc::new(&mut counter).num(page, mi::SIZE, n).unwrap();
                assert_eq!(counter.len, fresh().len() + want_len(page, n), "{n}");
            }
        }
    }

    /// Switch (on page 1), tag, STR_I, digits, NUL, END.
    fn want_len(page: u8, n: u64) -> usize {
        usize::from(page != 0) * 2 + 4 + n.to_string().len()
    }
}
