//! The XML encoder: a byte writer with static tags and an escaper that copies text untouched
//! when nothing needs escaping. The same code counts bytes for `encoded_len`.

use crate::error::EncodeError;
use crate::model::*;

/// Where encoded bytes go: a buffer, or a counter for `encoded_len`.
pub(crate) trait Sink {
    fn raw(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Counts bytes without writing them.
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    #[inline]
    fn raw(&mut self, bytes: &[u8]) {
        self.0 = self.0.saturating_add(bytes.len());
    }
}

/// 0 = copy, 1 = escape, 2 = not representable.
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
    t
};

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

    #[inline]
    fn escaped(&mut self, text: &str, what: &'static str) -> R {
        let bytes = text.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            let class = CLASS.get(usize::from(b)).copied().unwrap_or(0);
            if class == 0 {
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

    #[inline]
    fn el(&mut self, open: &[u8], text: &str, close: &[u8], what: &'static str) -> R {
        self.raw(open);
        self.escaped(text, what)?;
        self.raw(close);
        Ok(())
    }

    pub(crate) fn message(&mut self, m: &Message<'_>) -> R {
        self.raw(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr>");
        let h = &m.header;
        self.el(b"<VerDTD>", &h.ver_dtd, b"</VerDTD>", "VerDTD")?;
        self.el(b"<VerProto>", &h.ver_proto, b"</VerProto>", "VerProto")?;
        self.el(b"<SessionID>", &h.session_id, b"</SessionID>", "SessionID")?;
        self.el(b"<MsgID>", &h.msg_id, b"</MsgID>", "MsgID")?;
        self.location(b"<Target>", &h.target, b"</Target>")?;
        self.location(b"<Source>", &h.source, b"</Source>")?;
        if let Some(r) = &h.resp_uri {
            self.el(b"<RespURI>", r, b"</RespURI>", "RespURI")?;
        }
        if h.no_resp {
            self.raw(b"<NoResp/>");
        }
        if let Some(c) = &h.cred {
            self.raw(b"<Cred>");
            if let Some(meta) = &c.meta {
                self.meta(meta)?;
            }
            self.el(b"<Data>", &c.data, b"</Data>", "Cred/Data")?;
            self.raw(b"</Cred>");
        }
        if let Some(meta) = &h.meta {
            self.meta(meta)?;
        }
        self.raw(b"</SyncHdr><SyncBody>");
        for c in &m.body.commands {
            self.command(c)?;
        }
        if m.body.final_flag {
            self.raw(b"<Final/>");
        }
        self.raw(b"</SyncBody></SyncML>");
        Ok(())
    }

    fn location(&mut self, open: &[u8], l: &Location<'_>, close: &[u8]) -> R {
        self.raw(open);
        self.el(b"<LocURI>", &l.loc_uri, b"</LocURI>", "LocURI")?;
        if let Some(n) = &l.loc_name {
            self.el(b"<LocName>", n, b"</LocName>", "LocName")?;
        }
        self.raw(close);
        Ok(())
    }

    fn metinf(&mut self, name: &[u8], text: &str) -> R {
        self.raw(b"<");
        self.raw(name);
        self.raw(b" xmlns=\"syncml:metinf\">");
        self.escaped(text, "Meta")?;
        self.raw(b"</");
        self.raw(name);
        self.raw(b">");
        Ok(())
    }

    fn metinf_num(&mut self, name: &[u8], n: u64) -> R {
        with_decimal(n, |d| self.metinf(name, d))
    }

    fn meta(&mut self, m: &Meta<'_>) -> R {
        self.raw(b"<Meta>");
        if let Some(f) = &m.format {
            self.metinf(b"Format", f.as_str())?;
        }
        if let Some(t) = &m.mime_type {
            self.metinf(b"Type", t)?;
        }
        if let Some(t) = &m.mark {
            self.metinf(b"Mark", t)?;
        }
        if let Some(n) = m.size {
            self.metinf_num(b"Size", n)?;
        }
        if let Some(a) = &m.anchor {
            self.raw(b"<Anchor xmlns=\"syncml:metinf\">");
            if let Some(l) = &a.last {
                self.el(b"<Last>", l, b"</Last>", "Anchor")?;
            }
            if let Some(n) = &a.next {
                self.el(b"<Next>", n, b"</Next>", "Anchor")?;
            }
            self.raw(b"</Anchor>");
        }
        if let Some(t) = &m.version {
            self.metinf(b"Version", t)?;
        }
        if let Some(t) = &m.next_nonce {
            self.metinf(b"NextNonce", t)?;
        }
        if let Some(n) = m.max_msg_size {
            self.metinf_num(b"MaxMsgSize", n)?;
        }
        if let Some(n) = m.max_obj_size {
            self.metinf_num(b"MaxObjSize", n)?;
        }
        for e in &m.emi {
            self.metinf(b"EMI", e)?;
        }
        if let Some(mem) = &m.mem {
            self.raw(b"<Mem xmlns=\"syncml:metinf\">");
            if mem.shared_mem {
                self.raw(b"<SharedMem/>");
            }
            if let Some(n) = mem.free_mem {
                with_decimal(n, |d| self.el(b"<FreeMem>", d, b"</FreeMem>", "Mem"))?;
            }
            if let Some(n) = mem.free_id {
                with_decimal(n, |d| self.el(b"<FreeID>", d, b"</FreeID>", "Mem"))?;
            }
            self.raw(b"</Mem>");
        }
        if m.field_level {
            self.raw(b"<FieldLevel xmlns=\"syncml:metinf\"/>");
        }
        self.raw(b"</Meta>");
        Ok(())
    }

    fn head(&mut self, open: &[u8], cmd_id: &str, no_resp: bool) -> R {
        self.raw(open);
        self.el(b"<CmdID>", cmd_id, b"</CmdID>", "CmdID")?;
        if no_resp {
            self.raw(b"<NoResp/>");
        }
        Ok(())
    }

    fn items(&mut self, items: &[Item<'_>]) -> R {
        for i in items {
            self.item(i)?;
        }
        Ok(())
    }

    fn item_command(&mut self, open: &[u8], c: &ItemCommand<'_>, close: &[u8]) -> R {
        self.head(open, &c.cmd_id, c.no_resp)?;
        if let Some(m) = &c.meta {
            self.meta(m)?;
        }
        self.items(&c.items)?;
        self.raw(close);
        Ok(())
    }

    fn command(&mut self, c: &Command<'_>) -> R {
        match c {
            Command::Add(c) => self.item_command(b"<Add>", c, b"</Add>"),
            Command::Copy(c) => self.item_command(b"<Copy>", c, b"</Copy>"),
            Command::Delete(c) => self.item_command(b"<Delete>", c, b"</Delete>"),
            Command::Get(c) => self.item_command(b"<Get>", c, b"</Get>"),
            Command::Replace(c) => self.item_command(b"<Replace>", c, b"</Replace>"),
            Command::Exec(c) => {
                self.head(b"<Exec>", &c.cmd_id, c.no_resp)?;
                if let Some(m) = &c.meta {
                    self.meta(m)?;
                }
                if let Some(x) = &c.correlator {
                    self.el(b"<Correlator>", x, b"</Correlator>", "Correlator")?;
                }
                self.items(&c.items)?;
                self.raw(b"</Exec>");
                Ok(())
            }
            Command::Alert(c) => {
                self.head(b"<Alert>", &c.cmd_id, c.no_resp)?;
                with_decimal(u64::from(c.code.code()), |d| {
                    self.el(b"<Data>", d, b"</Data>", "Data")
                })?;
                if let Some(x) = &c.correlator {
                    self.el(b"<Correlator>", x, b"</Correlator>", "Correlator")?;
                }
                self.items(&c.items)?;
                self.raw(b"</Alert>");
                Ok(())
            }
            Command::Atomic(c) => self.container(b"<Atomic>", c, b"</Atomic>"),
            Command::Sequence(c) => self.container(b"<Sequence>", c, b"</Sequence>"),
            Command::Results(r) => {
                self.raw(b"<Results>");
                self.el(b"<CmdID>", &r.cmd_id, b"</CmdID>", "CmdID")?;
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
                self.raw(b"</Results>");
                Ok(())
            }
            Command::Status(s) => {
                self.raw(b"<Status>");
                self.el(b"<CmdID>", &s.cmd_id, b"</CmdID>", "CmdID")?;
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
                    self.raw(b"<Chal>");
                    self.meta(&ch.meta)?;
                    self.raw(b"</Chal>");
                }
                with_decimal(u64::from(s.code.code()), |d| {
                    self.el(b"<Data>", d, b"</Data>", "Data")
                })?;
                self.items(&s.items)?;
                self.raw(b"</Status>");
                Ok(())
            }
        }
    }

    fn container(&mut self, open: &[u8], c: &Container<'_>, close: &[u8]) -> R {
        self.head(open, &c.cmd_id, c.no_resp)?;
        if let Some(m) = &c.meta {
            self.meta(m)?;
        }
        for inner in &c.commands {
            self.command(inner)?;
        }
        self.raw(close);
        Ok(())
    }

    fn item(&mut self, i: &Item<'_>) -> R {
        self.raw(b"<Item>");
        if let Some(t) = &i.target {
            self.location(b"<Target>", t, b"</Target>")?;
        }
        if let Some(s) = &i.source {
            self.location(b"<Source>", s, b"</Source>")?;
        }
        if let Some(m) = &i.meta {
            self.meta(m)?;
        }
        if let Some(d) = &i.data {
            self.data(d)?;
        }
        if i.more_data {
            self.raw(b"<MoreData/>");
        }
        self.raw(b"</Item>");
        Ok(())
    }

    fn data(&mut self, d: &Data<'_>) -> R {
        match d {
            Data::Text(t) => self.el(b"<Data>", t, b"</Data>", "Data"),
            Data::Opaque(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| EncodeError::OpaqueNotText)?;
                if text
                    .bytes()
                    .any(|b| CLASS.get(usize::from(b)).copied() == Some(2))
                {
                    return Err(EncodeError::OpaqueNotText);
                }
                self.raw(b"<Data><![CDATA[");
                // `]]>` cannot occur inside CDATA: close the section between `]]` and `>`.
                let mut rest = text;
                while let Some(pos) = rest.find("]]>") {
                    self.raw(rest.get(..pos + 2).unwrap_or_default().as_bytes());
                    self.raw(b"]]><![CDATA[");
                    rest = rest.get(pos + 2..).unwrap_or_default();
                }
                self.raw(rest.as_bytes());
                self.raw(b"]]></Data>");
                Ok(())
            }
            Data::Nested(n) => {
                let xml = n.to_xml().map_err(EncodeError::Nested)?;
                self.raw(b"<Data>");
                self.raw(xml.as_bytes());
                self.raw(b"</Data>");
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

/// Calls `f` with the decimal text of `n`. Numbers below 1000 (status and alert codes, most
/// sizes) are sliced from a table: no division loop and no UTF-8 check of the digits.
#[inline]
pub(crate) fn with_decimal<T>(n: u64, f: impl FnOnce(&str) -> T) -> T {
    if n < 1000 {
        // n < 1000, so the cast is exact.
        let at = 3 * n as usize;
        let skip = match n {
            0..=9 => 2,
            10..=99 => 1,
            _ => 0,
        };
        if let Some(digits) = SMALL.get(at + skip..at + 3) {
            return f(digits);
        }
    }
    f(itoa_buf(n).as_str())
}

/// A number's decimal digits without allocating.
struct NumBuf {
    buf: [u8; 20],
    start: usize,
}

impl NumBuf {
    fn as_str(&self) -> &str {
        std::str::from_utf8(self.buf.get(self.start..).unwrap_or_default()).unwrap_or_default()
    }
}

#[cold]
fn itoa_buf(mut n: u64) -> NumBuf {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        if let Some(slot) = buf.get_mut(i) {
            // n % 10 < 10, so the cast cannot truncate.
            *slot = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    NumBuf { buf, start: i }
}

#[cfg(test)]
mod tests {
    use super::*;

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
            assert_eq!(with_decimal(n, str::to_owned), n.to_string(), "{n}");
        }
    }
}
