//! The decoder shared by both encodings: DM content models and validation, written once
//! against a small event [`Source`] that the XML and WBXML modules implement.

use std::borrow::Cow;

use crate::codes::{AlertCode, StatusCode};
use crate::error::{DecodeError, DecodeErrorKind as K, Fail};
use crate::model::*;
use crate::Limits;

/// The namespace an element was declared in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ns<'a> {
    /// No declaration on this element: inherited.
    Inherited,
    /// `SYNCML:SYNCML1.x` (XML) or WBXML page 0.
    SyncMl,
    /// `syncml:metinf` (XML) or WBXML page 1.
    MetInf,
    /// Anything else.
    Other(&'a str),
}

/// One event of either encoding, as the decoder needs it.
#[derive(Debug)]
pub(crate) enum Ev<'a> {
    Start {
        name: &'a str,
        ns: Ns<'a>,
        empty: bool,
    },
    End,
    Text(Cow<'a, str>),
    Char(char),
    Cdata(Cow<'a, str>),
    Opaque(&'a [u8]),
    Eof,
}

/// Where events come from.
pub(crate) trait Source<'a> {
    /// Whether this is WBXML (nested documents arrive as OPAQUE, types say `+wbxml`).
    const WBXML: bool;
    /// The next event; comments, declarations and processing instructions are skipped.
    fn next(&mut self) -> Result<Ev<'a>, Fail>;
    /// The offset of the first byte of the last event.
    fn offset(&self) -> usize;
    /// The raw bytes of the element whose Start was just returned, up to its end, consumed.
    fn nested(&mut self, empty: bool) -> Result<&'a [u8], Fail>;
}

/// Elements SyncML defines and DM does not use.
const FORBIDDEN: &[&str] = &[
    "Archive",
    "Lang",
    "SftDel",
    "NoResults",
    "Map",
    "MapItem",
    "Put",
    "Search",
    "Sync",
    "Move",
    "NumberOfChanges",
    "Filter",
    "Field",
    "Record",
    "FilterType",
    "SourceParent",
    "TargetParent",
    "Cred",
];

fn unexpected(name: &str) -> K {
    if FORBIDDEN.contains(&name) {
        K::Forbidden(name.to_owned())
    } else {
        K::UnexpectedElement(name.to_owned())
    }
}

#[inline]
fn is_ws(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// Joins text pieces, borrowing while there is only one.
enum Acc<'a> {
    Empty,
    Borrowed(&'a str),
    Owned(String),
}

impl<'a> Acc<'a> {
    #[inline(always)]
    fn push(&mut self, piece: Cow<'a, str>) {
        match (&mut *self, piece) {
            (Acc::Empty, Cow::Borrowed(s)) => *self = Acc::Borrowed(s),
            (Acc::Empty, Cow::Owned(s)) => *self = Acc::Owned(s),
            (Acc::Borrowed(prev), piece) => {
                let mut s = String::with_capacity(prev.len() + piece.len() + 16);
                s.push_str(prev);
                s.push_str(&piece);
                *self = Acc::Owned(s);
            }
            (Acc::Owned(s), piece) => s.push_str(&piece),
        }
    }

    fn push_char(&mut self, c: char) {
        let mut buf = [0u8; 4];
        let piece: &str = c.encode_utf8(&mut buf);
        match self {
            Acc::Owned(s) => s.push(c),
            _ => self.push(Cow::Owned(piece.to_owned())),
        }
    }

    fn len(&self) -> usize {
        match self {
            Acc::Empty => 0,
            Acc::Borrowed(s) => s.len(),
            Acc::Owned(s) => s.len(),
        }
    }

    fn as_str(&self) -> &str {
        match self {
            Acc::Empty => "",
            Acc::Borrowed(s) => s,
            Acc::Owned(s) => s,
        }
    }

    fn finish(self) -> Cow<'a, str> {
        match self {
            Acc::Empty => Cow::Borrowed(""),
            Acc::Borrowed(s) => Cow::Borrowed(s),
            Acc::Owned(s) => Cow::Owned(s),
        }
    }
}

/// Which commands a list may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    Body,
    Atomic,
    Sequence,
}

/// A child element just opened.
struct Child<'a> {
    name: &'a str,
    ns: Ns<'a>,
    empty: bool,
}

pub(crate) struct Decoder<'a, S> {
    src: S,
    limits: Limits,
    path: Vec<&'static str>,
    commands: usize,
    items: usize,
    depth: usize,
    _input: std::marker::PhantomData<&'a ()>,
}

type R<T> = Result<T, Fail>;

/// Sets a field that may occur once.
macro_rules! once {
    ($self:ident, $slot:expr, $name:literal, $value:expr) => {{
        if $slot.is_some() {
            return Err($self.err(K::Duplicate($name)));
        }
        $slot = Some($value);
    }};
}

impl<'a, S: Source<'a>> Decoder<'a, S> {
    pub(crate) fn new(src: S, limits: Limits) -> Self {
        Self {
            src,
            limits,
            path: Vec::with_capacity(8),
            commands: 0,
            items: 0,
            depth: 0,
            _input: std::marker::PhantomData,
        }
    }

    #[cold]
    fn err(&self, kind: K) -> Fail {
        Box::new(DecodeError {
            kind,
            offset: self.src.offset(),
            path: if self.path.is_empty() {
                "/".to_owned()
            } else {
                self.path.join("/")
            },
        })
    }

    fn with_path(&self, mut e: Fail) -> Fail {
        if e.path.is_empty() {
            e.path = self.path.join("/");
        }
        e
    }

    #[inline(always)]
    fn next(&mut self) -> R<Ev<'a>> {
        self.src.next().map_err(|e| self.with_path(e))
    }

    /// The next child element of a container, or `None` at its end.
    #[inline(always)]
    fn child(&mut self) -> R<Option<Child<'a>>> {
        loop {
            match self.next()? {
                Ev::Start { name, ns, empty } => return Ok(Some(Child { name, ns, empty })),
                Ev::End => return Ok(None),
                Ev::Text(t) if is_ws(&t) => {}
                Ev::Text(_) | Ev::Char(_) | Ev::Cdata(_) => return Err(self.err(K::UnexpectedText)),
                Ev::Opaque(_) => return Err(self.err(K::UnexpectedOpaque)),
                Ev::Eof => return Err(self.err(K::UnexpectedEof)),
            }
        }
    }

    /// Checks a SyncML (page 0) element's namespace.
    #[inline]
    fn syncml_ns(&self, c: &Child<'a>) -> R<()> {
        match c.ns {
            Ns::Inherited | Ns::SyncMl => Ok(()),
            Ns::MetInf => Err(self.err(K::Namespace("syncml:metinf".to_owned()))),
            Ns::Other(v) => Err(self.err(K::Namespace(v.to_owned()))),
        }
    }

    fn check_len(&self, len: usize) -> R<()> {
        if len > self.limits.max_string_len {
            return Err(self.err(K::Limit("string length")));
        }
        Ok(())
    }

    /// The text content of an element whose Start was just read.
    #[inline(always)]
    fn text(&mut self, empty: bool) -> R<Cow<'a, str>> {
        if empty {
            return Ok(Cow::Borrowed(""));
        }
        let mut acc = Acc::Empty;
        loop {
            match self.next()? {
                Ev::Text(s) | Ev::Cdata(s) => acc.push(s),
                Ev::Char(c) => acc.push_char(c),
                Ev::Opaque(b) => match std::str::from_utf8(b) {
                    Ok(s) => acc.push(Cow::Borrowed(s)),
                    Err(_) => return Err(self.err(K::UnexpectedOpaque)),
                },
                Ev::End => break,
                Ev::Start { name, .. } => {
                    return Err(self.err(K::UnexpectedElement(name.to_owned())))
                }
                Ev::Eof => return Err(self.err(K::UnexpectedEof)),
            }
        }
        self.check_len(acc.len())?;
        Ok(acc.finish())
    }

    /// A text child, with its name on the path while it is read.
    #[inline]
    fn text_el(&mut self, name: &'static str, c: &Child<'a>) -> R<Cow<'a, str>> {
        self.syncml_ns(c)?;
        self.path.push(name);
        let t = self.text(c.empty)?;
        self.path.pop();
        Ok(t)
    }

    fn number<T: std::str::FromStr>(&mut self, name: &'static str, empty: bool) -> R<T> {
        self.path.push(name);
        let t = self.text(empty)?;
        let n = t
            .trim()
            .parse()
            .map_err(|_| self.err(K::InvalidNumber(t.clone().into_owned())))?;
        self.path.pop();
        Ok(n)
    }

    /// An element without content (`Final`, `NoResp`, `MoreData`): accepts `<X></X>` too.
    fn flag(&mut self, c: &Child<'a>) -> R<bool> {
        self.syncml_ns(c)?;
        if !c.empty {
            let t = self.text(false)?;
            if !is_ws(&t) {
                return Err(self.err(K::UnexpectedText));
            }
        }
        Ok(true)
    }

    pub(crate) fn message(mut self) -> R<Message<'a>> {
        let root = loop {
            match self.next()? {
                Ev::Start { name, ns, empty } => break Child { name, ns, empty },
                Ev::Text(t) if is_ws(&t) => {}
                Ev::Eof => return Err(self.err(K::UnexpectedEof)),
                _ => return Err(self.err(K::NotSyncMl("text before the root element".into()))),
            }
        };
        if root.name != "SyncML" {
            return Err(self.err(K::NotSyncMl(format!("root element <{}>", root.name))));
        }
        self.syncml_ns(&root)?;
        self.path.push("SyncML");
        let (mut hdr, mut body) = (None, None);
        if !root.empty {
            while let Some(c) = self.child()? {
                self.syncml_ns(&c)?;
                match c.name {
                    "SyncHdr" => once!(self, hdr, "SyncHdr", self.header(c.empty)?),
                    "SyncBody" => once!(self, body, "SyncBody", self.body(c.empty)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let header = hdr.ok_or_else(|| self.err(K::Missing("SyncHdr")))?;
        let body = body.ok_or_else(|| self.err(K::Missing("SyncBody")))?;
        self.path.pop();
        loop {
            match self.next()? {
                Ev::Eof => break,
                Ev::Text(t) if is_ws(&t) => {}
                _ => return Err(self.err(K::TrailingContent)),
            }
        }
        Ok(Message { header, body })
    }

    fn header(&mut self, empty: bool) -> R<SyncHdr<'a>> {
        self.path.push("SyncHdr");
        let (mut ver_dtd, mut ver_proto, mut session_id, mut msg_id) = (None, None, None, None);
        let (mut target, mut source, mut resp_uri, mut cred, mut meta) =
            (None, None, None, None, None);
        let mut no_resp = false;
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "VerDTD" => once!(self, ver_dtd, "VerDTD", self.text_el("VerDTD", &c)?),
                    "VerProto" => once!(self, ver_proto, "VerProto", self.text_el("VerProto", &c)?),
                    "SessionID" => {
                        once!(
                            self,
                            session_id,
                            "SessionID",
                            self.text_el("SessionID", &c)?
                        )
                    }
                    "MsgID" => once!(self, msg_id, "MsgID", self.text_el("MsgID", &c)?),
                    "Target" => once!(self, target, "Target", self.location("Target", &c)?),
                    "Source" => once!(self, source, "Source", self.location("Source", &c)?),
                    "RespURI" => once!(self, resp_uri, "RespURI", self.text_el("RespURI", &c)?),
                    "NoResp" => no_resp = self.flag(&c)?,
                    "Cred" => once!(self, cred, "Cred", self.cred(&c)?),
                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let hdr = SyncHdr {
            ver_dtd: ver_dtd.ok_or_else(|| self.err(K::Missing("VerDTD")))?,
            ver_proto: ver_proto.ok_or_else(|| self.err(K::Missing("VerProto")))?,
            session_id: session_id.ok_or_else(|| self.err(K::Missing("SessionID")))?,
            msg_id: msg_id.ok_or_else(|| self.err(K::Missing("MsgID")))?,
            target: target.ok_or_else(|| self.err(K::Missing("Target")))?,
            source: source.ok_or_else(|| self.err(K::Missing("Source")))?,
            resp_uri,
            no_resp,
            cred,
            meta,
        };
        self.path.pop();
        Ok(hdr)
    }

    fn location(&mut self, name: &'static str, c: &Child<'a>) -> R<Location<'a>> {
        self.syncml_ns(c)?;
        self.path.push(name);
        let (mut uri, mut loc_name) = (None, None);
        if !c.empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "LocURI" => once!(self, uri, "LocURI", self.text_el("LocURI", &c)?),
                    "LocName" => once!(self, loc_name, "LocName", self.text_el("LocName", &c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let loc = Location {
            loc_uri: uri.ok_or_else(|| self.err(K::Missing("LocURI")))?,
            loc_name,
        };
        self.path.pop();
        Ok(loc)
    }

    fn cred(&mut self, c: &Child<'a>) -> R<Cred<'a>> {
        self.syncml_ns(c)?;
        self.path.push("Cred");
        let (mut meta, mut data) = (None, None);
        if !c.empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                    "Data" => once!(self, data, "Data", self.text_el("Data", &c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let cred = Cred {
            meta,
            data: data.ok_or_else(|| self.err(K::Missing("Data")))?,
        };
        self.path.pop();
        Ok(cred)
    }

    fn meta(&mut self, c: &Child<'a>) -> R<Box<Meta<'a>>> {
        if let Ns::Other(v) = c.ns {
            return Err(self.err(K::Namespace(v.to_owned())));
        }
        self.path.push("Meta");
        let mut meta = Box::<Meta<'a>>::default();
        if !c.empty {
            self.metinf(&mut meta)?;
        }
        self.path.pop();
        Ok(meta)
    }

    /// MetInf children up to the end of the enclosing element (Meta or MetInf).
    fn metinf(&mut self, m: &mut Meta<'a>) -> R<()> {
        while let Some(c) = self.child()? {
            match c.ns {
                Ns::Inherited | Ns::MetInf => {}
                Ns::SyncMl => return Err(self.err(K::Namespace("SYNCML:SYNCML1.2".into()))),
                Ns::Other(v) => return Err(self.err(K::Namespace(v.to_owned()))),
            }
            match c.name {
                "Format" => {
                    self.path.push("Format");
                    let t = self.text(c.empty)?;
                    self.path.pop();
                    once!(self, m.format, "Format", Format::parse(t));
                }
                "Type" => {
                    self.path.push("Type");
                    let mut t = self.text(c.empty)?;
                    if S::WBXML {
                        if let Some((x, _)) = ::wbxml::transcode::NESTED_TYPES
                            .iter()
                            .find(|(_, w)| *w == t.trim())
                        {
                            t = Cow::Borrowed(*x);
                        }
                    }
                    self.path.pop();
                    once!(self, m.mime_type, "Type", t);
                }
                "Mark" => {
                    self.path.push("Mark");
                    let t = self.text(c.empty)?;
                    self.path.pop();
                    once!(self, m.mark, "Mark", t);
                }
                "Size" => once!(self, m.size, "Size", self.number("Size", c.empty)?),
                "Version" => {
                    self.path.push("Version");
                    let t = self.text(c.empty)?;
                    self.path.pop();
                    once!(self, m.version, "Version", t);
                }
                "NextNonce" => {
                    self.path.push("NextNonce");
                    let t = self.text(c.empty)?;
                    self.path.pop();
                    once!(self, m.next_nonce, "NextNonce", t);
                }
                "MaxMsgSize" => once!(
                    self,
                    m.max_msg_size,
                    "MaxMsgSize",
                    self.number("MaxMsgSize", c.empty)?
                ),
                "MaxObjSize" => once!(
                    self,
                    m.max_obj_size,
                    "MaxObjSize",
                    self.number("MaxObjSize", c.empty)?
                ),
                "EMI" => {
                    self.path.push("EMI");
                    let t = self.text(c.empty)?;
                    self.path.pop();
                    m.emi.push(t);
                }
                "FieldLevel" => {
                    self.flag(&Child {
                        ns: Ns::Inherited,
                        ..c
                    })?;
                    m.field_level = true;
                }
                "MetInf" => {
                    if !c.empty {
                        self.path.push("MetInf");
                        self.metinf(m)?;
                        self.path.pop();
                    }
                }
                "Anchor" => {
                    self.path.push("Anchor");
                    let mut a = Anchor::default();
                    if !c.empty {
                        while let Some(c) = self.child()? {
                            match c.name {
                                "Last" => {
                                    let t = self.text(c.empty)?;
                                    once!(self, a.last, "Last", t)
                                }
                                "Next" => {
                                    let t = self.text(c.empty)?;
                                    once!(self, a.next, "Next", t)
                                }
                                other => return Err(self.err(unexpected(other))),
                            }
                        }
                    }
                    self.path.pop();
                    once!(self, m.anchor, "Anchor", a);
                }
                "Mem" => {
                    self.path.push("Mem");
                    let mut mem = Mem::default();
                    let (mut free_mem, mut free_id) = (None, None);
                    if !c.empty {
                        while let Some(c) = self.child()? {
                            match c.name {
                                "SharedMem" => {
                                    mem.shared_mem = self.flag(&Child {
                                        ns: Ns::Inherited,
                                        ..c
                                    })?
                                }
                                "FreeMem" => {
                                    once!(
                                        self,
                                        free_mem,
                                        "FreeMem",
                                        self.number("FreeMem", c.empty)?
                                    )
                                }
                                "FreeID" => {
                                    once!(self, free_id, "FreeID", self.number("FreeID", c.empty)?)
                                }
                                other => return Err(self.err(unexpected(other))),
                            }
                        }
                    }
                    mem.free_mem = free_mem;
                    mem.free_id = free_id;
                    self.path.pop();
                    once!(self, m.mem, "Mem", mem);
                }
                other => return Err(self.err(unexpected(other))),
            }
        }
        Ok(())
    }

    fn body(&mut self, empty: bool) -> R<SyncBody<'a>> {
        self.path.push("SyncBody");
        let mut body = SyncBody::default();
        if !empty {
            while let Some(c) = self.child()? {
                self.syncml_ns(&c)?;
                if c.name == "Final" {
                    if body.final_flag {
                        return Err(self.err(K::Duplicate("Final")));
                    }
                    body.final_flag = self.flag(&c)?;
                    continue;
                }
                if body.final_flag {
                    return Err(self.err(K::UnexpectedElement(format!("{} after Final", c.name))));
                }
                let cmd = self.command(&c, Ctx::Body)?;
                body.commands.push(cmd);
            }
        }
        self.path.pop();
        Ok(body)
    }

    fn command(&mut self, c: &Child<'a>, ctx: Ctx) -> R<Command<'a>> {
        let allowed = match (ctx, c.name) {
            (_, "Add" | "Alert" | "Copy" | "Delete" | "Replace") => true,
            (Ctx::Body | Ctx::Sequence, "Get" | "Exec" | "Atomic") => true,
            (Ctx::Body, "Results" | "Status" | "Sequence") => true,
            (Ctx::Atomic, "Get" | "Atomic" | "Exec" | "Sequence") => {
                return Err(self.err(K::Forbidden(c.name.to_owned())))
            }
            (Ctx::Sequence, "Sequence") => return Err(self.err(K::Forbidden(c.name.to_owned()))),
            _ => false,
        };
        if !allowed {
            return Err(self.err(unexpected(c.name)));
        }
        self.commands += 1;
        if self.commands > self.limits.max_commands {
            return Err(self.err(K::Limit("number of commands")));
        }
        Ok(match c.name {
            "Add" => Command::Add(self.item_command("Add", c.empty)?),
            "Copy" => Command::Copy(self.item_command("Copy", c.empty)?),
            "Delete" => Command::Delete(self.item_command("Delete", c.empty)?),
            "Get" => Command::Get(self.item_command("Get", c.empty)?),
            "Replace" => Command::Replace(self.item_command("Replace", c.empty)?),
            "Alert" => Command::Alert(self.alert(c.empty)?),
            "Exec" => Command::Exec(self.exec(c.empty)?),
            "Atomic" => Command::Atomic(self.container("Atomic", Ctx::Atomic, c.empty)?),
            "Sequence" => Command::Sequence(self.container("Sequence", Ctx::Sequence, c.empty)?),
            "Results" => Command::Results(self.results(c.empty)?),
            _ => Command::Status(self.status(c.empty)?),
        })
    }

    fn item_command(&mut self, name: &'static str, empty: bool) -> R<ItemCommand<'a>> {
        self.path.push(name);
        let (mut cmd_id, mut meta) = (None, None);
        let mut no_resp = false;
        let mut items = Vec::new();
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "CmdID" => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    "NoResp" => no_resp = self.flag(&c)?,
                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                    "Item" => items.push(self.item(&c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let cmd_id = cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?;
        if items.is_empty() {
            return Err(self.err(K::Missing("Item")));
        }
        self.path.pop();
        Ok(ItemCommand {
            cmd_id,
            no_resp,
            meta,
            items,
        })
    }

    fn exec(&mut self, empty: bool) -> R<Exec<'a>> {
        self.path.push("Exec");
        let (mut cmd_id, mut meta, mut correlator) = (None, None, None);
        let mut no_resp = false;
        let mut items = Vec::new();
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "CmdID" => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    "NoResp" => no_resp = self.flag(&c)?,
                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                    "Correlator" => once!(
                        self,
                        correlator,
                        "Correlator",
                        self.text_el("Correlator", &c)?
                    ),
                    "Item" => items.push(self.item(&c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let cmd_id = cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?;
        if items.is_empty() {
            return Err(self.err(K::Missing("Item")));
        }
        self.path.pop();
        Ok(Exec {
            cmd_id,
            no_resp,
            meta,
            correlator,
            items,
        })
    }

    fn alert(&mut self, empty: bool) -> R<Alert<'a>> {
        self.path.push("Alert");
        let (mut cmd_id, mut code, mut correlator) = (None, None, None);
        let mut no_resp = false;
        let mut items = Vec::new();
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "CmdID" => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    "NoResp" => no_resp = self.flag(&c)?,
                    "Data" => {
                        self.syncml_ns(&c)?;
                        let n: u16 = self.number("Data", c.empty)?;
                        once!(self, code, "Data", AlertCode::from_code(n))
                    }
                    "Correlator" => once!(
                        self,
                        correlator,
                        "Correlator",
                        self.text_el("Correlator", &c)?
                    ),
                    "Item" => items.push(self.item(&c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let alert = Alert {
            cmd_id: cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?,
            no_resp,
            code: code.ok_or_else(|| self.err(K::Missing("Data")))?,
            correlator,
            items,
        };
        self.path.pop();
        Ok(alert)
    }

    fn container(&mut self, name: &'static str, ctx: Ctx, empty: bool) -> R<Container<'a>> {
        self.path.push(name);
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.err(K::Limit("nesting depth")));
        }
        let (mut cmd_id, mut meta) = (None, None);
        let mut no_resp = false;
        let mut commands = Vec::new();
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "CmdID" => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    "NoResp" => no_resp = self.flag(&c)?,
                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                    _ => {
                        self.syncml_ns(&c)?;
                        let cmd = self.command(&c, ctx)?;
                        commands.push(cmd);
                    }
                }
            }
        }
        let cmd_id = cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?;
        if commands.is_empty() {
            return Err(self.err(K::Missing("command")));
        }
        self.depth -= 1;
        self.path.pop();
        Ok(Container {
            cmd_id,
            no_resp,
            meta,
            commands,
        })
    }

    fn results(&mut self, empty: bool) -> R<Results<'a>> {
        self.path.push("Results");
        let (mut cmd_id, mut msg_ref, mut cmd_ref, mut meta) = (None, None, None, None);
        let (mut target_ref, mut source_ref) = (None, None);
        let mut items = Vec::new();
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "CmdID" => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    "MsgRef" => once!(self, msg_ref, "MsgRef", self.text_el("MsgRef", &c)?),
                    "CmdRef" => once!(self, cmd_ref, "CmdRef", self.text_el("CmdRef", &c)?),
                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                    "TargetRef" => {
                        once!(
                            self,
                            target_ref,
                            "TargetRef",
                            self.text_el("TargetRef", &c)?
                        )
                    }
                    "SourceRef" => {
                        once!(
                            self,
                            source_ref,
                            "SourceRef",
                            self.text_el("SourceRef", &c)?
                        )
                    }
                    "Item" => items.push(self.item(&c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let r = Results {
            cmd_id: cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?,
            msg_ref,
            cmd_ref: cmd_ref.ok_or_else(|| self.err(K::Missing("CmdRef")))?,
            meta,
            target_ref,
            source_ref,
            items,
        };
        if r.items.is_empty() {
            return Err(self.err(K::Missing("Item")));
        }
        self.path.pop();
        Ok(r)
    }

    fn status(&mut self, empty: bool) -> R<Status<'a>> {
        self.path.push("Status");
        let (mut cmd_id, mut msg_ref, mut cmd_ref, mut cmd) = (None, None, None, None);
        let (mut chal, mut code) = (None, None);
        let (mut target_refs, mut source_refs, mut items) = (Vec::new(), Vec::new(), Vec::new());
        if !empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "CmdID" => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    "MsgRef" => once!(self, msg_ref, "MsgRef", self.text_el("MsgRef", &c)?),
                    "CmdRef" => once!(self, cmd_ref, "CmdRef", self.text_el("CmdRef", &c)?),
                    "Cmd" => once!(self, cmd, "Cmd", self.text_el("Cmd", &c)?),
                    "TargetRef" => target_refs.push(self.text_el("TargetRef", &c)?),
                    "SourceRef" => source_refs.push(self.text_el("SourceRef", &c)?),
                    "Chal" => {
                        self.syncml_ns(&c)?;
                        self.path.push("Chal");
                        let mut meta = None;
                        if !c.empty {
                            while let Some(c) = self.child()? {
                                match c.name {
                                    "Meta" => once!(self, meta, "Meta", self.meta(&c)?),
                                    other => return Err(self.err(unexpected(other))),
                                }
                            }
                        }
                        let meta = meta.ok_or_else(|| self.err(K::Missing("Meta")))?;
                        self.path.pop();
                        once!(self, chal, "Chal", Box::new(Chal { meta: *meta }));
                    }
                    "Data" => {
                        self.syncml_ns(&c)?;
                        let n: u16 = self.number("Data", c.empty)?;
                        once!(self, code, "Data", StatusCode::from_code(n))
                    }
                    "Item" => items.push(self.item(&c)?),
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        let s = Status {
            cmd_id: cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?,
            msg_ref: msg_ref.ok_or_else(|| self.err(K::Missing("MsgRef")))?,
            cmd_ref: cmd_ref.ok_or_else(|| self.err(K::Missing("CmdRef")))?,
            cmd: cmd.ok_or_else(|| self.err(K::Missing("Cmd")))?,
            target_refs,
            source_refs,
            chal,
            code: code.ok_or_else(|| self.err(K::Missing("Data")))?,
            items,
        };
        self.path.pop();
        Ok(s)
    }

    fn item(&mut self, c: &Child<'a>) -> R<Item<'a>> {
        self.syncml_ns(c)?;
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(self.err(K::Limit("number of items")));
        }
        self.path.push("Item");
        let mut item = Item::default();
        if !c.empty {
            while let Some(c) = self.child()? {
                match c.name {
                    "Target" => once!(self, item.target, "Target", self.location("Target", &c)?),
                    "Source" => once!(self, item.source, "Source", self.location("Source", &c)?),
                    "Meta" => once!(self, item.meta, "Meta", self.meta(&c)?),
                    "Data" => {
                        self.syncml_ns(&c)?;
                        once!(self, item.data, "Data", self.data(c.empty)?)
                    }
                    "MoreData" => item.more_data = self.flag(&c)?,
                    other => return Err(self.err(unexpected(other))),
                }
            }
        }
        self.path.pop();
        Ok(item)
    }

    fn data(&mut self, empty: bool) -> R<Data<'a>> {
        if empty {
            return Ok(Data::Text(Cow::Borrowed("")));
        }
        self.path.push("Data");
        let mut text = Acc::Empty;
        let mut cdata = Acc::Empty;
        let (mut has_cdata, mut ws_only) = (false, true);
        let mut nested: Option<Nested<'a>> = None;
        let mut opaque: Option<Cow<'a, [u8]>> = None;
        loop {
            match self.next()? {
                Ev::Text(s) => {
                    if ws_only && !is_ws(&s) {
                        ws_only = false;
                    }
                    text.push(s);
                }
                Ev::Char(c) => {
                    ws_only = false;
                    text.push_char(c);
                }
                Ev::Cdata(s) => {
                    has_cdata = true;
                    cdata.push(s.clone());
                    text.push(s);
                }
                Ev::Opaque(b) => {
                    opaque = Some(match opaque.take() {
                        None => Cow::Borrowed(b),
                        Some(prev) => {
                            let mut v = prev.into_owned();
                            v.extend_from_slice(b);
                            Cow::Owned(v)
                        }
                    });
                }
                Ev::Start { name, empty, .. } => {
                    let kind = match name {
                        "MgmtTree" => NestedKind::MgmtTree,
                        "DevInf" => NestedKind::DevInf,
                        other => return Err(self.err(K::UnexpectedElement(other.to_owned()))),
                    };
                    if nested.is_some() || !ws_only || has_cdata || opaque.is_some() {
                        return Err(self.err(K::UnexpectedElement(name.to_owned())));
                    }
                    let raw = self.src.nested(empty).map_err(|e| self.with_path(e))?;
                    self.check_len(raw.len())?;
                    let n = Nested {
                        encoding: Encoding::Xml,
                        kind,
                        raw: Cow::Borrowed(raw),
                    };
                    // Checked now, so that a message that decodes also encodes as WBXML.
                    if let Err(e) = check_nested(&n) {
                        return Err(self.err(K::InvalidNested(e)));
                    }
                    nested = Some(n);
                }
                Ev::End => break,
                Ev::Eof => return Err(self.err(K::UnexpectedEof)),
            }
        }
        let data = if let Some(n) = nested {
            if !ws_only {
                return Err(self.err(K::UnexpectedText));
            }
            Data::Nested(n)
        } else if let Some(bytes) = opaque {
            if !is_ws(text.as_str()) {
                return Err(self.err(K::UnexpectedText));
            }
            self.check_len(bytes.len())?;
            match sniff_nested(&bytes) {
                Some(kind) => {
                    let n = Nested {
                        encoding: Encoding::Wbxml,
                        kind,
                        raw: bytes,
                    };
                    // Bytes that only look like a document stay opaque (as in libwbxml).
                    if check_nested(&n).is_ok() {
                        Data::Nested(n)
                    } else {
                        Data::Opaque(n.raw)
                    }
                }
                None => Data::Opaque(bytes),
            }
        } else if has_cdata && ws_only {
            self.check_len(cdata.len())?;
            Data::Opaque(match cdata.finish() {
                Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
                Cow::Owned(s) => Cow::Owned(s.into_bytes()),
            })
        } else {
            self.check_len(text.len())?;
            Data::Text(text.finish())
        };
        self.path.pop();
        Ok(data)
    }
}

/// Whether a nested document converts to the other encoding and its root is the one its
/// kind names: the XML encoder writes it inline, where only that root decodes again.
fn check_nested(n: &Nested<'_>) -> Result<(), String> {
    let xml = n.canonical_xml().map_err(|e| e.to_string())?;
    let root = n.kind.root();
    let rest = strip_prolog(&xml)
        .strip_prefix('<')
        .and_then(|r| r.strip_prefix(root));
    match rest.and_then(|r| r.bytes().next()) {
        Some(b'>' | b'/' | b' ' | b'\t' | b'\r' | b'\n') => Ok(()),
        _ => Err(format!("the root element is not {root}")),
    }
}

/// The kind of a WBXML document carried as OPAQUE, judged by its header.
fn sniff_nested(bytes: &[u8]) -> Option<NestedKind> {
    use ::wbxml::{Language, PublicId};
    let header = ::wbxml::Header::parse(bytes).ok()?;
    let lang = match header.public_id {
        PublicId::Known(id) => Language::from_public_id(id),
        PublicId::Fpi(fpi) => Language::from_fpi(fpi),
    };
    match lang? {
        Language::DmDdf12 => Some(NestedKind::MgmtTree),
        Language::DevInf10 | Language::DevInf11 | Language::DevInf12 => Some(NestedKind::DevInf),
        _ => None,
    }
}
