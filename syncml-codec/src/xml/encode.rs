//! The XML encoder: a byte writer with static tags and an escaper that copies text untouched
//! when nothing needs escaping. The same code counts bytes for `encoded_len`.

use crate::error::EncodeError;
use crate::model::*;

/// Where encoded bytes go: a buffer, or a counter for `encoded_len`.
pub(crate) trait Sink {
    fn raw(&mut self, bytes: &[u8]);
    /// Markup of a length known at build time (a tag).
    fn fixed<const N: usize>(&mut self, bytes: &[u8; N]);
    /// An element assembled by `fill` in a block of [`BLOCK`] bytes, of which `fill` gives
    /// the length written (or `None`: nothing is written). Whether it was written.
    fn block(&mut self, fill: impl FnOnce(&mut [u8; BLOCK]) -> Option<usize>) -> bool;
}

impl Sink for Vec<u8> {
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline(always)]
    fn fixed<const N: usize>(&mut self, bytes: &[u8; N]) {
        // An array by value: the copy is inlined at its fixed size, where a slice would be
        // a call to `extend_from_slice` and `memcpy` for a few bytes.
        self.extend(*bytes);
    }
    /// The block is assembled where the buffer keeps it (zeroed, filled, cut to length):
    /// built on the stack and copied in, the copy would wait on the stores that built it.
    #[inline(always)]
    fn block(&mut self, fill: impl FnOnce(&mut [u8; BLOCK]) -> Option<usize>) -> bool {
        let start = self.len();
        self.extend([0u8; BLOCK]);
        let len = self
            .get_mut(start..)
            .and_then(<[u8]>::first_chunk_mut::<BLOCK>)
            .and_then(fill);
        self.truncate(start + len.unwrap_or(0));
        len.is_some()
    }
}

/// Counts bytes without writing them.
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
    #[inline]
    fn fixed<const N: usize>(&mut self, _bytes: &[u8; N]) {
        self.0 = self.0.saturating_add(N);
    }
    #[inline]
    fn block(&mut self, fill: impl FnOnce(&mut [u8; BLOCK]) -> Option<usize>) -> bool {
        let len = fill(&mut [0u8; BLOCK]);
        self.0 = self.0.saturating_add(len.unwrap_or(0));
        len.is_some()
    }
}

/// The block a short text element (tags and text) is assembled in.
pub(crate) const BLOCK: usize = 80;

/// The longest text put in a block; its tags get the rest.
const SHORT_TEXT: usize = 32;

const ONES: u128 = 0x0101_0101_0101_0101_0101_0101_0101_0101;
const HIGH: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;

/// Whether a byte of `w` is below 0x20 (a control), `&`, `<`, `>` or 0xEF: the bytes that are
/// escaped or refused, or (0xEF) may start U+FFFE or U+FFFF (tab and LF, which are copied,
/// and the other characters 0xEF starts are caught too and left to the exact path). Each test
/// is exact for "some byte": a borrow only starts at the lowest such byte.
#[inline(always)]
const fn needs_work(w: u128) -> bool {
    const fn zero_in(x: u128) -> u128 {
        x.wrapping_sub(ONES) & !x & HIGH
    }
    let control = w.wrapping_sub(ONES * 0x20) & !w & HIGH;
    let amp = zero_in(w ^ (ONES * b'&' as u128));
    // `<` (0x3C) and `>` (0x3E) are the only bytes that OR 0x02 makes 0x3E.
    let angle = zero_in((w | (ONES * 2)) ^ (ONES * b'>' as u128));
    let ef = zero_in(w ^ (ONES * 0xEF));
    control | amp | angle | ef != 0
}

/// Copies the `N`-byte words at the start and at the end of `text` (overlapping when `text`
/// is shorter than 2N) into `block` at `at`; whether neither needs escaping.
#[inline(always)]
fn pack_ends<const N: usize>(block: &mut [u8; BLOCK], at: usize, text: &[u8]) -> Option<bool> {
    let len = text.len();
    let first = text.first_chunk::<N>()?;
    let last = text.last_chunk::<N>()?;
    block.get_mut(at..at + N)?.copy_from_slice(first);
    block.get_mut(at + len - N..at + len)?.copy_from_slice(last);
    // 0xFF in the lanes between the words: neither escaped nor refused.
    let mut words = [0xFF_u8; 16];
    words.get_mut(..N)?.copy_from_slice(first);
    words.get_mut(16 - N..)?.copy_from_slice(last);
    Some(!needs_work(u128::from_le_bytes(words)))
}

/// Copies `text` (at most [`SHORT_TEXT`] bytes) into `block` at `at`; true if it is plain
/// (nothing to escape or refuse), so that the block holds the element as it is written.
///
/// Each length is moved as two fixed-size words, tested as they pass: no loop (which the
/// compiler would turn into a `memcpy` call) and no table look-up a byte.
#[inline(always)]
fn pack_plain(block: &mut [u8; BLOCK], at: usize, text: &[u8]) -> bool {
    let plain = |b: &u8| CLASS.get(usize::from(*b)) == Some(&0);
    let packed = match text.len() {
        0 => Some(true),
        1..=3 => (|| {
            let len = text.len();
            let (first, mid, last) = (text.first()?, text.get(len / 2)?, text.last()?);
            *block.get_mut(at)? = *first;
            *block.get_mut(at + len / 2)? = *mid;
            *block.get_mut(at + len - 1)? = *last;
            Some(plain(first) & plain(mid) & plain(last))
        })(),
        4..=7 => pack_ends::<4>(block, at, text),
        8..=15 => pack_ends::<8>(block, at, text),
        16..=SHORT_TEXT => (|| {
            let len = text.len();
            let first = text.first_chunk::<16>()?;
            let last = text.last_chunk::<16>()?;
            block.get_mut(at..at + 16)?.copy_from_slice(first);
            block
                .get_mut(at + len - 16..at + len)?
                .copy_from_slice(last);
            Some(!needs_work(u128::from_le_bytes(*first)) & !needs_work(u128::from_le_bytes(*last)))
        })(),
        _ => None,
    };
    packed == Some(true)
}

/// 0 = copy, 1 = escape, 2 = not representable, 3 = a lead byte that starts U+FFFE or U+FFFF
/// (which XML cannot carry) when `BF BE` or `BF BF` follow: see [`starts_nonchar`].
#[allow(clippy::indexing_slicing)] // const evaluation: an out-of-range index fails the build
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = 2;
        i += 1;
    }
    t[b'\t' as usize] = 0;
    t[b'\n' as usize] = 0;
    t[b'\r' as usize] = 1;
    t[b'&' as usize] = 1;
    t[b'<' as usize] = 1;
    t[b'>' as usize] = 1;
    t[0xEF] = 3;
    t
};

/// Whether `rest` (from a 0xEF byte on) starts U+FFFE or U+FFFF.
fn starts_nonchar(rest: &[u8]) -> bool {
    matches!(rest, [0xEF, 0xBF, 0xBE | 0xBF, ..])
}

pub(crate) struct Enc<'s, S> {
    s: &'s mut S,
}

type R = Result<(), EncodeError>;

impl<'s, S: Sink> Enc<'s, S> {
    pub(crate) fn new(s: &'s mut S) -> Self {
        Self { s }
    }

    #[inline]
    fn raw(&mut self, b: &[u8]) {
        self.s.raw(b);
    }

    #[inline(always)]
    fn tag<const N: usize>(&mut self, t: &[u8; N]) {
        self.s.fixed(t);
    }

    #[inline]
    fn escaped(&mut self, text: &str, what: &'static str) -> R {
        let bytes = text.as_bytes();
        // Long texts are mostly plain: skip 16 bytes at a time to the first block holding
        // something to escape or refuse, then go a byte at a time.
        let mut plain = 0;
        while let Some(block) = bytes
            .get(plain..plain + 16)
            .and_then(|b| <[u8; 16]>::try_from(b).ok())
        {
            if needs_work(u128::from_le_bytes(block)) {
                break;
            }
            plain += 16;
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate().skip(plain) {
            let class = CLASS.get(usize::from(b)).copied().unwrap_or(0);
            if class == 0 {
                continue;
            }
            if class == 3 {
                if starts_nonchar(bytes.get(i..).unwrap_or_default()) {
                    return Err(EncodeError::InvalidChar(what));
                }
                continue;
            }
            if class == 2 {
                return Err(EncodeError::InvalidChar(what));
            }
            self.raw(bytes.get(start..i).unwrap_or_default());
            self.raw(match b {
                b'&' => b"&amp;",
                b'<' => b"&lt;",
                b'>' => b"&gt;",
                _ => b"&#13;",
            });
            start = i + 1;
        }
        self.raw(bytes.get(start..).unwrap_or_default());
        Ok(())
    }

    /// `open`, `text` escaped, `close`. A short plain text (most of them: CmdID, MsgRef, a
    /// status code) is assembled with its tags in one block and written at once.
    #[inline(always)]
    fn el<const A: usize, const B: usize>(
        &mut self,
        open: &[u8; A],
        text: &str,
        close: &[u8; B],
        what: &'static str,
    ) -> R {
        let bytes = text.as_bytes();
        if A + B <= BLOCK - SHORT_TEXT && bytes.len() <= SHORT_TEXT {
            let written = self.s.block(|block| {
                block.get_mut(..A)?.copy_from_slice(open);
                if !pack_plain(block, A, bytes) {
                    return None;
                }
                let end = A + bytes.len();
                block.get_mut(end..end + B)?.copy_from_slice(close);
                Some(end + B)
            });
            if written {
                return Ok(());
            }
        }
        self.el_escaped(open, text, close, what)
    }

    /// [`Enc::el`] for a text that is long or needs escaping: out of line, so that the
    /// short path inlined at every element stays small.
    #[inline(never)]
    fn el_escaped(&mut self, open: &[u8], text: &str, close: &[u8], what: &'static str) -> R {
        self.raw(open);
        self.escaped(text, what)?;
        self.raw(close);
        Ok(())
    }

    /// An element holding the decimal text of `n` (digits never need escaping).
    fn num_el<const A: usize, const B: usize>(
        &mut self,
        open: &[u8; A],
        n: u64,
        close: &[u8; B],
        what: &'static str,
    ) -> R {
        if let Some(text) = small(n) {
            return self.el(open, text, close, what);
        }
        let (buf, start) = digits(n);
        self.tag(open);
        self.raw(buf.get(start..).unwrap_or_default());
        self.tag(close);
        Ok(())
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

    /// The document up to `h`'s MsgID: the XML declaration, the SyncML and SyncHdr start
    /// tags, VerDTD, VerProto and SessionID.
    pub(crate) fn header_head(&mut self, h: &SyncHdr<'_>) -> R {
        self.tag(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr>");
        self.el(b"<VerDTD>", &h.ver_dtd, b"</VerDTD>", "VerDTD")?;
        self.el(b"<VerProto>", &h.ver_proto, b"</VerProto>", "VerProto")?;
        self.el(b"<SessionID>", &h.session_id, b"</SessionID>", "SessionID")
    }

    /// The MsgID element.
    pub(crate) fn msg_id(&mut self, msg_id: &str) -> R {
        self.el(b"<MsgID>", msg_id, b"</MsgID>", "MsgID")
    }

    /// The rest of `h` after its MsgID, and the SyncBody start tag.
    pub(crate) fn header_tail(&mut self, h: &SyncHdr<'_>) -> R {
        self.location(
            b"<Target><LocURI>",
            &h.target,
            b"</LocURI></Target>",
            b"</Target>",
        )?;
        self.location(
            b"<Source><LocURI>",
            &h.source,
            b"</LocURI></Source>",
            b"</Source>",
        )?;
        if let Some(r) = &h.resp_uri {
            self.el(b"<RespURI>", r, b"</RespURI>", "RespURI")?;
        }
        if h.no_resp {
            self.tag(b"<NoResp/>");
        }
        if let Some(c) = &h.cred {
            self.tag(b"<Cred>");
            if let Some(meta) = &c.meta {
                self.meta(meta)?;
            }
            self.el(b"<Data>", &c.data, b"</Data>", "Cred/Data")?;
            self.tag(b"</Cred>");
        }
        if let Some(meta) = &h.meta {
            self.meta(meta)?;
        }
        self.tag(b"</SyncHdr><SyncBody>");
        Ok(())
    }

    /// Final when `final_flag`, and the SyncBody and SyncML end tags.
    pub(crate) fn close(&mut self, final_flag: bool) {
        if final_flag {
            self.tag(b"<Final/>");
        }
        self.tag(b"</SyncBody></SyncML>");
    }

    /// A Target or Source: `open` ends with `<LocURI>`, `uri_close` is `</LocURI>` and
    /// `close` together (written after LocURI when there is no LocName).
    fn location<const A: usize, const B: usize, const C: usize>(
        &mut self,
        open: &[u8; A],
        l: &Location<'_>,
        uri_close: &[u8; B],
        close: &[u8; C],
    ) -> R {
        let Some(n) = &l.loc_name else {
            return self.el(open, &l.loc_uri, uri_close, "LocURI");
        };
        self.el(open, &l.loc_uri, b"</LocURI>", "LocURI")?;
        self.el(b"<LocName>", n, b"</LocName>", "LocName")?;
        self.tag(close);
        Ok(())
    }

    /// A MetInf element, `open` being `<Name xmlns="syncml:metinf">`.
    #[inline]
    fn metinf<const A: usize, const B: usize>(
        &mut self,
        open: &[u8; A],
        text: &str,
        close: &[u8; B],
    ) -> R {
        self.el(open, text, close, "Meta")
    }

    fn metinf_num<const A: usize, const B: usize>(
        &mut self,
        open: &[u8; A],
        n: u64,
        close: &[u8; B],
    ) -> R {
        self.num_el(open, n, close, "Meta")
    }

    fn meta(&mut self, m: &Meta<'_>) -> R {
        self.tag(b"<Meta>");
        if let Some(f) = &m.format {
            self.metinf(
                b"<Format xmlns=\"syncml:metinf\">",
                f.as_str(),
                b"</Format>",
            )?;
        }
        if let Some(t) = &m.mime_type {
            self.metinf(b"<Type xmlns=\"syncml:metinf\">", t, b"</Type>")?;
        }
        if let Some(t) = &m.mark {
            self.metinf(b"<Mark xmlns=\"syncml:metinf\">", t, b"</Mark>")?;
        }
        if let Some(n) = m.size {
            self.metinf_num(b"<Size xmlns=\"syncml:metinf\">", n, b"</Size>")?;
        }
        if let Some(a) = &m.anchor {
            self.tag(b"<Anchor xmlns=\"syncml:metinf\">");
            if let Some(l) = &a.last {
                self.el(b"<Last>", l, b"</Last>", "Anchor")?;
            }
            if let Some(n) = &a.next {
                self.el(b"<Next>", n, b"</Next>", "Anchor")?;
            }
            self.tag(b"</Anchor>");
        }
        if let Some(t) = &m.version {
            self.metinf(b"<Version xmlns=\"syncml:metinf\">", t, b"</Version>")?;
        }
        if let Some(t) = &m.next_nonce {
            self.metinf(b"<NextNonce xmlns=\"syncml:metinf\">", t, b"</NextNonce>")?;
        }
        if let Some(n) = m.max_msg_size {
            self.metinf_num(b"<MaxMsgSize xmlns=\"syncml:metinf\">", n, b"</MaxMsgSize>")?;
        }
        if let Some(n) = m.max_obj_size {
            self.metinf_num(b"<MaxObjSize xmlns=\"syncml:metinf\">", n, b"</MaxObjSize>")?;
        }
        for e in &m.emi {
            self.metinf(b"<EMI xmlns=\"syncml:metinf\">", e, b"</EMI>")?;
        }
        if let Some(mem) = &m.mem {
            self.tag(b"<Mem xmlns=\"syncml:metinf\">");
            if mem.shared_mem {
                self.tag(b"<SharedMem/>");
            }
            if let Some(n) = mem.free_mem {
                self.num_el(b"<FreeMem>", n, b"</FreeMem>", "Mem")?;
            }
            if let Some(n) = mem.free_id {
                self.num_el(b"<FreeID>", n, b"</FreeID>", "Mem")?;
            }
            self.tag(b"</Mem>");
        }
        if m.field_level {
            self.tag(b"<FieldLevel xmlns=\"syncml:metinf\"/>");
        }
        self.tag(b"</Meta>");
        Ok(())
    }

    /// A command's start: `open` is its tag and `<CmdID>`.
    fn head<const A: usize>(&mut self, open: &[u8; A], cmd_id: &str, no_resp: bool) -> R {
        self.el(open, cmd_id, b"</CmdID>", "CmdID")?;
        if no_resp {
            self.tag(b"<NoResp/>");
        }
        Ok(())
    }

    fn items(&mut self, items: &[Item<'_>]) -> R {
        for i in items {
            self.item(i)?;
        }
        Ok(())
    }

    fn item_command<const A: usize, const B: usize>(
        &mut self,
        open: &[u8; A],
        c: &ItemCommand<'_>,
        close: &[u8; B],
    ) -> R {
        self.head(open, &c.cmd_id, c.no_resp)?;
        if let Some(m) = &c.meta {
            self.meta(m)?;
        }
        self.items(&c.items)?;
        self.tag(close);
        Ok(())
    }

    pub(crate) fn command(&mut self, c: &Command<'_>) -> R {
        match c {
            Command::Add(c) => self.item_command(b"<Add><CmdID>", c, b"</Add>"),
            Command::Copy(c) => self.item_command(b"<Copy><CmdID>", c, b"</Copy>"),
            Command::Delete(c) => self.item_command(b"<Delete><CmdID>", c, b"</Delete>"),
            Command::Get(c) => self.item_command(b"<Get><CmdID>", c, b"</Get>"),
            Command::Replace(c) => self.item_command(b"<Replace><CmdID>", c, b"</Replace>"),
            Command::Exec(c) => {
                self.head(b"<Exec><CmdID>", &c.cmd_id, c.no_resp)?;
                if let Some(m) = &c.meta {
                    self.meta(m)?;
                }
                if let Some(x) = &c.correlator {
                    self.el(b"<Correlator>", x, b"</Correlator>", "Correlator")?;
                }
                self.items(&c.items)?;
                self.tag(b"</Exec>");
                Ok(())
            }
            Command::Alert(c) => {
                self.head(b"<Alert><CmdID>", &c.cmd_id, c.no_resp)?;
                self.num_el(b"<Data>", u64::from(c.code.code()), b"</Data>", "Data")?;
                if let Some(x) = &c.correlator {
                    self.el(b"<Correlator>", x, b"</Correlator>", "Correlator")?;
                }
                self.items(&c.items)?;
                self.tag(b"</Alert>");
                Ok(())
            }
            Command::Atomic(c) => self.container(b"<Atomic><CmdID>", c, b"</Atomic>"),
            Command::Sequence(c) => self.container(b"<Sequence><CmdID>", c, b"</Sequence>"),
            Command::Results(r) => {
                self.el(b"<Results><CmdID>", &r.cmd_id, b"</CmdID>", "CmdID")?;
                if let Some(x) = &r.msg_ref {
                    self.el(b"<MsgRef>", x, b"</MsgRef>", "MsgRef")?;
                }
                self.el(b"<CmdRef>", &r.cmd_ref, b"</CmdRef>", "CmdRef")?;
                if let Some(m) = &r.meta {
                    self.meta(m)?;
                }
                if let Some(x) = &r.target_ref {
                    self.el(b"<TargetRef>", x, b"</TargetRef>", "TargetRef")?;
                }
                if let Some(x) = &r.source_ref {
                    self.el(b"<SourceRef>", x, b"</SourceRef>", "SourceRef")?;
                }
                self.items(&r.items)?;
                self.tag(b"</Results>");
                Ok(())
            }
            Command::Status(s) => {
                self.el(b"<Status><CmdID>", &s.cmd_id, b"</CmdID>", "CmdID")?;
                self.el(b"<MsgRef>", &s.msg_ref, b"</MsgRef>", "MsgRef")?;
                self.el(b"<CmdRef>", &s.cmd_ref, b"</CmdRef>", "CmdRef")?;
                self.el(b"<Cmd>", &s.cmd, b"</Cmd>", "Cmd")?;
                for x in &s.target_refs {
                    self.el(b"<TargetRef>", x, b"</TargetRef>", "TargetRef")?;
                }
                for x in &s.source_refs {
                    self.el(b"<SourceRef>", x, b"</SourceRef>", "SourceRef")?;
                }
                if let Some(ch) = &s.chal {
                    self.tag(b"<Chal>");
                    self.meta(&ch.meta)?;
                    self.tag(b"</Chal>");
                }
                let code = u64::from(s.code.code());
                if s.items.is_empty() {
                    return self.num_el(b"<Data>", code, b"</Data></Status>", "Data");
                }
                self.num_el(b"<Data>", code, b"</Data>", "Data")?;
                self.items(&s.items)?;
                self.tag(b"</Status>");
                Ok(())
            }
        }
    }

    /// The Status `a` stands for, as [`Enc::command`] writes it.
    pub(crate) fn answer(&mut self, a: &crate::Answer<'_>) -> R {
        self.num_el(
            b"<Status><CmdID>",
            u64::from(a.cmd_id),
            b"</CmdID>",
            "CmdID",
        )?;
        self.el(b"<MsgRef>", a.msg_ref, b"</MsgRef>", "MsgRef")?;
        self.el(b"<CmdRef>", a.cmd_ref, b"</CmdRef>", "CmdRef")?;
        self.el(b"<Cmd>", a.cmd, b"</Cmd>", "Cmd")?;
        for x in a.target_refs() {
            self.el(b"<TargetRef>", x, b"</TargetRef>", "TargetRef")?;
        }
        for x in a.source_refs() {
            self.el(b"<SourceRef>", x, b"</SourceRef>", "SourceRef")?;
        }
        if let Some(ch) = a.chal {
            self.tag(b"<Chal>");
            self.meta(&ch.meta)?;
            self.tag(b"</Chal>");
        }
        let code = u64::from(a.code.code());
        if a.items.is_empty() {
            return self.num_el(b"<Data>", code, b"</Data></Status>", "Data");
        }
        self.num_el(b"<Data>", code, b"</Data>", "Data")?;
        self.items(a.items)?;
        self.tag(b"</Status>");
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
        self.num_el(b"<Results><CmdID>", u64::from(cmd_id), b"</CmdID>", "CmdID")?;
        self.el(b"<MsgRef>", msg_ref, b"</MsgRef>", "MsgRef")?;
        self.el(b"<CmdRef>", cmd_ref, b"</CmdRef>", "CmdRef")?;
        self.items(items)?;
        self.tag(b"</Results>");
        Ok(())
    }

    fn container<const A: usize, const B: usize>(
        &mut self,
        open: &[u8; A],
        c: &Container<'_>,
        close: &[u8; B],
    ) -> R {
        self.head(open, &c.cmd_id, c.no_resp)?;
        if let Some(m) = &c.meta {
            self.meta(m)?;
        }
        for inner in &c.commands {
            self.command(inner)?;
        }
        self.tag(close);
        Ok(())
    }

    fn item(&mut self, i: &Item<'_>) -> R {
        if let Some(t) = &i.target {
            self.location(
                b"<Item><Target><LocURI>",
                t,
                b"</LocURI></Target>",
                b"</Target>",
            )?;
        } else {
            self.tag(b"<Item>");
        }
        if let Some(s) = &i.source {
            self.location(b"<Source><LocURI>", s, b"</LocURI></Source>", b"</Source>")?;
        }
        if let Some(m) = &i.meta {
            self.meta(m)?;
        }
        if let Some(d) = &i.data {
            self.data(d)?;
        }
        if i.more_data {
            self.tag(b"<MoreData/>");
        }
        self.tag(b"</Item>");
        Ok(())
    }

    fn data(&mut self, d: &Data<'_>) -> R {
        match d {
            Data::Text(t) => self.el(b"<Data>", t, b"</Data>", "Data"),
            Data::Opaque(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| EncodeError::OpaqueNotText)?;
                if !::wbxml::transcode::is_xml_text(text) {
                    return Err(EncodeError::OpaqueNotText);
                }
                self.tag(b"<Data><![CDATA[");
                // `]]>` cannot occur inside CDATA: close the section between `]]` and `>`.
                let mut rest = text;
                while let Some(pos) = rest.find("]]>") {
                    self.raw(rest.get(..pos + 2).unwrap_or_default().as_bytes());
                    self.tag(b"]]><![CDATA[");
                    rest = rest.get(pos + 2..).unwrap_or_default();
                }
                self.raw(rest.as_bytes());
                self.tag(b"]]></Data>");
                Ok(())
            }
            Data::Nested(n) => {
                let xml = n.to_xml().map_err(EncodeError::Nested)?;
                self.tag(b"<Data>");
                self.raw(xml.as_bytes());
                self.tag(b"</Data>");
                Ok(())
            }
        }
    }
}

/// The digits of 000 to 999 in a row.
const SMALL_DIGITS: [u8; 3000] = {
    let mut t = [0u8; 3000];
    let mut n = 0;
    while n < 1000 {
        // Digits are below 10: the casts cannot truncate.
        #[allow(clippy::indexing_slicing)]
        // const evaluation: an out-of-range index fails the build
        {
            t[3 * n] = b'0' + (n / 100) as u8;
            t[3 * n + 1] = b'0' + (n / 10 % 10) as u8;
            t[3 * n + 2] = b'0' + (n % 10) as u8;
        }
        n += 1;
    }
    t
};

/// [`SMALL_DIGITS`] as text, checked once at build time.
static SMALL: &str = match std::str::from_utf8(&SMALL_DIGITS) {
    Ok(s) => s,
    Err(_) => "",
};

/// The digits of `n` when it is below 1000 (status and alert codes), sliced from
/// [`SMALL`].
#[inline]
pub(crate) fn small(n: u64) -> Option<&'static str> {
    let skip = match n {
        0..=9 => 2,
        10..=99 => 1,
        100..=999 => 0,
        _ => return None,
    };
    // n < 1000: the cast is exact.
    let at = 3 * n as usize;
    SMALL.get(at + skip..at + 3)
}

/// The decimal digits of `n` (right-aligned in the buffer) and where they start.
#[cold]
fn digits(mut n: u64) -> ([u8; 20], usize) {
    let mut buf = [0u8; 20];
    let mut start = buf.len();
    for slot in buf.iter_mut().rev() {
        // n % 10 < 10: the cast is exact.
        *slot = b'0' + (n % 10) as u8;
        start -= 1;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    (buf, start)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The escaping a byte at a time, as the encoder did before short texts were packed.
    fn reference(open: &[u8], text: &str, close: &[u8]) -> Option<Vec<u8>> {
        let mut out = open.to_vec();
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            match CLASS[usize::from(b)] {
                0 => out.push(b),
                3 if !starts_nonchar(&bytes[i..]) => out.push(b),
                1 => out.extend_from_slice(match b {
                    b'&' => b"&amp;",
                    b'<' => b"&lt;",
                    b'>' => b"&gt;",
                    _ => b"&#13;",
                }),
                _ => return None,
            }
        }
        out.extend_from_slice(close);
        Some(out)
    }

    fn check<const A: usize, const B: usize>(open: &[u8; A], text: &str, close: &[u8; B]) {
        let mut out = b"x".to_vec();
        let got = Enc::new(&mut out).el(open, text, close, "T");
        let mut counter = Counter(0);
        let counted = Enc::new(&mut counter).el(open, text, close, "T");
        match reference(open, text, close) {
            Some(want) => {
                assert_eq!(got, Ok(()), "{text:?}");
                assert_eq!(&out[1..], &want[..], "{text:?}");
                assert_eq!((counted, counter.0), (Ok(()), want.len()), "{text:?}");
            }
            None => {
                assert_eq!(got, Err(EncodeError::InvalidChar("T")), "{text:?}");
                assert_eq!(counted, Err(EncodeError::InvalidChar("T")), "{text:?}");
            }
        }
    }

    /// Packed short texts write what the byte-at-a-time escaping writes, and fail where it
    /// fails: every length around the word sizes, with each kind of byte at each place.
    #[test]
    fn text_elements_match_the_byte_at_a_time_escaping() {
        let specials = [
            "&",
            "<",
            ">",
            "\r",
            "\t",
            "\n",
            "\0",
            "\u{1}",
            "\u{1f}",
            " ",
            "=",
            "?",
            "\u{7f}",
            "\u{e9}",
            "\u{20ac}",
            "\u{1f600}",
            "\u{fffe}",
            "\u{ffff}",
            "\u{fffd}",
            "\u{f000}",
            "'",
            "\"",
            ";",
            "\u{3c}",
        ];
        for len in 0..70 {
            let base: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            check(b"<CmdID>", &base, b"</CmdID>");
            check(b"<Type xmlns=\"syncml:metinf\">", &base, b"</Type>");
            check(
                b"<MaxMsgSize xmlns=\"syncml:metinf\">",
                &base,
                b"</MaxMsgSize>",
            );
            for special in specials {
                for at in 0..=len {
                    let text = format!("{}{special}{}", &base[..at], &base[at..]);
                    check(b"<CmdID>", &text, b"</CmdID>");
                    check(b"<Correlator>", &text, b"</Correlator>");
                }
            }
        }
        // Every byte value as the first, middle and last of a few lengths.
        for b in 0..0x80u8 {
            let c = char::from(b);
            for text in [
                format!("{c}"),
                format!("a{c}"),
                format!("{c}bc"),
                format!("abcd{c}fg"),
                format!("abcdefgh{c}"),
                format!("{c}bcdefghijklmnopq"),
                format!("abcdefghijklmnopqrstuvwxyz01234{c}"),
                format!("{c}bcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                format!("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXY{c}"),
            ] {
                check(b"<Data>", &text, b"</Data>");
            }
        }
    }

    #[test]
    fn noncharacters_xml_cannot_carry_are_refused_in_text_and_cdata() {
        for bad in [
            "\u{fffe}",
            "\u{ffff}",
            "a\u{fffe}",
            "long text with \u{ffff} inside it",
        ] {
            let mut out = Vec::new();
            let text = Data::Text(bad.into());
            assert_eq!(
                Enc::new(&mut out).data(&text),
                Err(EncodeError::InvalidChar("Data")),
                "{bad:?}"
            );
            let opaque = Data::Opaque(bad.as_bytes().into());
            assert_eq!(
                Enc::new(&mut out).data(&opaque),
                Err(EncodeError::OpaqueNotText),
                "{bad:?}"
            );
        }
        // Other characters that start with 0xEF, as U+FFFD and U+F000, are written as they are.
        let mut out = Vec::new();
        Enc::new(&mut out)
            .data(&Data::Text("\u{fffd}\u{f000}".into()))
            .unwrap();
        assert_eq!(out, "<Data>\u{fffd}\u{f000}</Data>".as_bytes());
    }

    #[test]
    fn decimal_text_of_numbers_at_every_digit_count() {
        let mut cases: Vec<u64> = (0..=1100).collect();
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            cases.extend([p - 1, p, p + 1, next - 1]);
            p = next;
        }
        cases.push(u64::MAX);
        for n in cases {
            let (buf, start) = digits(n);
            assert_eq!(&buf[start..], n.to_string().as_bytes(), "{n}");
            assert_eq!(small(n).is_some(), n < 1000, "{n}");
            let mut out = Vec::new();
            Enc::new(&mut out).num_el(b"<D>", n, b"</D>", "D").unwrap();
            assert_eq!(out, format!("<D>{n}</D>").into_bytes());
        }
    }
}
