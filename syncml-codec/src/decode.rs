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
        tag: Tag,
        name: &'a str,
        ns: Ns<'a>,
        empty: bool,
    },
    End,
    Text(Cow<'a, str>),
    /// Text known to be whitespace only (XML indentation), so already valid XML text.
    Ws(&'a str),
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
    /// The content of the element whose Start was just returned when it is one string,
    /// consumed up to the element's end; `None`, with nothing consumed, otherwise.
    #[inline(always)]
    fn simple_text(&mut self) -> Result<Option<&'a str>, Fail> {
        Ok(None)
    }
    /// The next child, in element-only content, when it is `<name>` (no attributes) holding
    /// printable ASCII text of at most `max_len` bytes up to its own end tag: its text, the
    /// element read whole, as `next` giving its Start, text and End would leave the source.
    /// `None`, with nothing consumed, otherwise (the events then tell what it is).
    #[inline(always)]
    fn text_child(&mut self, _name: &'static str, _max_len: usize) -> Option<&'a str> {
        None
    }
    /// Consumes the end of the current element if it comes next, as `next` returning
    /// [`Ev::End`] would.
    #[inline(always)]
    fn skip_end(&mut self) -> bool {
        false
    }
    /// A guess at the number of commands left, from the bytes left: the body's command
    /// list starts that large instead of growing from 4 (bounded by [`MAX_COMMAND_HINT`]).
    #[inline(always)]
    fn command_hint(&self) -> usize {
        0
    }
    /// The next child element when the source can read its start tag directly (as `next`
    /// returning [`Ev::Start`] would); `None`, with nothing consumed, otherwise.
    #[inline(always)]
    fn plain_start(&mut self) -> Option<Child<'a>> {
        None
    }
    /// The end of the current element ([`Source::skip_end`], `Some(None)`) or the next
    /// child ([`Source::plain_start`]), whichever the source reads directly; `None`, with
    /// nothing consumed, otherwise.
    #[inline(always)]
    fn plain_child(&mut self) -> Option<Option<Child<'a>>> {
        if self.skip_end() {
            return Some(None);
        }
        self.plain_start().map(Some)
    }
    /// [`Source::next`] in element-only content, where whitespace text is insignificant:
    /// the source may skip it instead of returning it.
    #[inline(always)]
    fn next_markup(&mut self) -> Result<Ev<'a>, Fail> {
        self.next()
    }
}

/// The most commands a body's list is made room for before any is read (750 KB of
/// commands). The guess is proportional to the bytes left (under 6 bytes of list for a byte
/// of input) and bounded by `Limits::max_commands` too, so hostile input cannot make an
/// allocation out of proportion to itself; a 500-command package no longer regrows its list.
pub(crate) const MAX_COMMAND_HINT: usize = 4096;

/// The elements the decoder tells apart, resolved once per start tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tag {
    SyncML,
    SyncHdr,
    SyncBody,
    VerDTD,
    VerProto,
    SessionID,
    MsgID,
    Target,
    Source,
    RespURI,
    NoResp,
    Cred,
    Meta,
    LocURI,
    LocName,
    Data,
    Final,
    Add,
    Alert,
    Copy,
    Delete,
    Get,
    Replace,
    Exec,
    Atomic,
    Sequence,
    Results,
    Status,
    CmdID,
    Correlator,
    Item,
    MsgRef,
    CmdRef,
    TargetRef,
    SourceRef,
    Cmd,
    Chal,
    MoreData,
    Format,
    Type,
    Mark,
    Size,
    Version,
    NextNonce,
    MaxMsgSize,
    MaxObjSize,
    Emi,
    FieldLevel,
    MetInf,
    Anchor,
    Last,
    Next,
    Mem,
    SharedMem,
    FreeMem,
    FreeID,
    MgmtTree,
    DevInf,
    /// Any other name (the event keeps it for errors).
    Other,
}

impl Tag {
    /// The tag of a local name: a hash of (length, first, middle and last byte) picks the
    /// one candidate, confirmed by comparing two words that cover the name (overlapping
    /// for short names): no branch per name, no `memcmp`.
    #[inline]
    pub(crate) fn from_name(name: &str) -> Self {
        let bytes = name.as_bytes();
        let n = bytes.len();
        if !(MIN_NAME..=MAX_NAME).contains(&n) {
            return Self::Other;
        }
        let (Some(&first), Some(&mid), Some(&last)) =
            (bytes.first(), bytes.get(n / 2), bytes.last())
        else {
            return Self::Other;
        };
        let Some(entry) = TAGS.get(name_hash(n, first, mid, last)) else {
            return Self::Other;
        };
        if usize::from(entry.len) == n && words(bytes) == (entry.lo, entry.hi) {
            entry.tag
        } else {
            Self::Other
        }
    }
}

/// Every name [`Tag::from_name`] knows.
const NAMES: [(&str, Tag); NAME_COUNT] = [
    ("Add", Tag::Add),
    ("Cmd", Tag::Cmd),
    ("EMI", Tag::Emi),
    ("Get", Tag::Get),
    ("Mem", Tag::Mem),
    ("Cred", Tag::Cred),
    ("Chal", Tag::Chal),
    ("Copy", Tag::Copy),
    ("Data", Tag::Data),
    ("Exec", Tag::Exec),
    ("Item", Tag::Item),
    ("Last", Tag::Last),
    ("Meta", Tag::Meta),
    ("Mark", Tag::Mark),
    ("Next", Tag::Next),
    ("Size", Tag::Size),
    ("Type", Tag::Type),
    ("Alert", Tag::Alert),
    ("CmdID", Tag::CmdID),
    ("Final", Tag::Final),
    ("MsgID", Tag::MsgID),
    ("Atomic", Tag::Atomic),
    ("Anchor", Tag::Anchor),
    ("CmdRef", Tag::CmdRef),
    ("Delete", Tag::Delete),
    ("DevInf", Tag::DevInf),
    ("FreeID", Tag::FreeID),
    ("Format", Tag::Format),
    ("LocURI", Tag::LocURI),
    ("MsgRef", Tag::MsgRef),
    ("MetInf", Tag::MetInf),
    ("NoResp", Tag::NoResp),
    ("SyncML", Tag::SyncML),
    ("Source", Tag::Source),
    ("Status", Tag::Status),
    ("Target", Tag::Target),
    ("VerDTD", Tag::VerDTD),
    ("FreeMem", Tag::FreeMem),
    ("LocName", Tag::LocName),
    ("RespURI", Tag::RespURI),
    ("Replace", Tag::Replace),
    ("Results", Tag::Results),
    ("SyncHdr", Tag::SyncHdr),
    ("Version", Tag::Version),
    ("MoreData", Tag::MoreData),
    ("MgmtTree", Tag::MgmtTree),
    ("Sequence", Tag::Sequence),
    ("SyncBody", Tag::SyncBody),
    ("VerProto", Tag::VerProto),
    ("NextNonce", Tag::NextNonce),
    ("SessionID", Tag::SessionID),
    ("SourceRef", Tag::SourceRef),
    ("SharedMem", Tag::SharedMem),
    ("TargetRef", Tag::TargetRef),
    ("Correlator", Tag::Correlator),
    ("FieldLevel", Tag::FieldLevel),
    ("MaxMsgSize", Tag::MaxMsgSize),
    ("MaxObjSize", Tag::MaxObjSize),
];
const NAME_COUNT: usize = 58;
const MIN_NAME: usize = 3;
/// The longest name [`Tag::from_name`] knows.
pub(crate) const MAX_NAME: usize = 10;
/// A multiplier under which the names' keys hash to distinct slots (checked when `TAGS` is
/// built).
const NAME_MULT: u32 = 0x3902_308d;

/// A slot of the name table: the name's length and its [`words`].
#[derive(Clone, Copy)]
struct TagEntry {
    len: u8,
    tag: Tag,
    lo: u64,
    hi: u64,
}

/// The name table, indexed by [`name_hash`].
static TAGS: [TagEntry; 256] = build_tags();

#[inline(always)]
const fn name_hash(n: usize, first: u8, mid: u8, last: u8) -> usize {
    let key = first as u32 | (mid as u32) << 8 | (last as u32) << 16 | (n as u32) << 24;
    (key.wrapping_mul(NAME_MULT) >> 24) as usize
}

/// `len` little-endian bytes of `b` from `at`, in a word.
#[allow(clippy::indexing_slicing)] // run at compile time only: out of range fails the build
const fn load(b: &[u8], at: usize, len: usize) -> u64 {
    let mut w = 0u64;
    let mut i = 0;
    while i < len {
        w |= (b[at + i] as u64) << (8 * i);
        i += 1;
    }
    w
}

/// The first and last 8 bytes of a name (4 for shorter names, 2 for three-byte names):
/// with its length, they say it exactly.
const fn const_words(b: &[u8]) -> (u64, u64) {
    let n = b.len();
    let w = if n >= 8 {
        8
    } else if n >= 4 {
        4
    } else {
        2
    };
    (load(b, 0, w), load(b, n - w, w))
}

/// [`const_words`] of a name at run time.
#[inline(always)]
fn words(b: &[u8]) -> (u64, u64) {
    if let (Some(f), Some(l)) = (b.first_chunk::<8>(), b.last_chunk::<8>()) {
        (u64::from_le_bytes(*f), u64::from_le_bytes(*l))
    } else if let (Some(f), Some(l)) = (b.first_chunk::<4>(), b.last_chunk::<4>()) {
        (
            u64::from(u32::from_le_bytes(*f)),
            u64::from(u32::from_le_bytes(*l)),
        )
    } else if let (Some(f), Some(l)) = (b.first_chunk::<2>(), b.last_chunk::<2>()) {
        (
            u64::from(u16::from_le_bytes(*f)),
            u64::from(u16::from_le_bytes(*l)),
        )
    } else {
        (u64::MAX, u64::MAX)
    }
}

#[allow(clippy::indexing_slicing)] // run at compile time only: out of range fails the build
const fn build_tags() -> [TagEntry; 256] {
    let mut t = [TagEntry {
        len: 0,
        tag: Tag::Other,
        lo: 0,
        hi: 0,
    }; 256];
    let mut i = 0;
    while i < NAME_COUNT {
        let (name, tag) = NAMES[i];
        let b = name.as_bytes();
        let n = b.len();
        assert!(n >= MIN_NAME && n <= MAX_NAME);
        let h = name_hash(n, b[0], b[n / 2], b[n - 1]);
        // A collision would make one of the names unknown: change NAME_MULT.
        assert!(t[h].len == 0);
        let (lo, hi) = const_words(b);
        t[h] = TagEntry {
            len: n as u8,
            tag,
            lo,
            hi,
        };
        i += 1;
    }
    t
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
pub(crate) fn is_ws(s: &str) -> bool {
    s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
}

/// `e` with `name` added to its path: the error of a child read without pushing its name.
#[cold]
fn under(mut e: Fail, name: &str) -> Fail {
    e.path.push('/');
    e.path.push_str(name);
    e
}

/// The value of 1 to 19 ASCII digits (fewer than 2^64 whatever they are).
#[inline]
fn digits(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 19 {
        return None;
    }
    let mut v = 0u64;
    for &c in b {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v * 10 + u64::from(d);
    }
    Some(v)
}

/// An empty item command, Exec or Status of `tag`'s kind (anything else: a Status), for a decoder
/// to push and then fill where the message keeps it: a command is large, and building one
/// aside and copying it in stalls on the stores that just built it.
#[inline(always)]
pub(crate) fn empty_command<'a>(tag: Tag) -> Command<'a> {
    match tag {
        Tag::Add => Command::Add(ItemCommand::default()),
        Tag::Copy => Command::Copy(ItemCommand::default()),
        Tag::Delete => Command::Delete(ItemCommand::default()),
        Tag::Get => Command::Get(ItemCommand::default()),
        Tag::Replace => Command::Replace(ItemCommand::default()),
        Tag::Exec => Command::Exec(Exec::default()),
        _ => Command::Status(Status::new("", "", "", "", StatusCode::Ok)),
    }
}

/// Appends the empty command of `tag` (as [`empty_command`] gives it) and returns it. Written
/// where the list keeps it, by the list's own write after any growth: pushed as a value, the
/// command (some 200 bytes) is built on the stack and copied in, a `memcpy` per command.
#[inline(always)]
pub(crate) fn push_empty_command<'a, 'v>(
    out: &'v mut Vec<Command<'a>>,
    tag: Tag,
) -> Option<&'v mut Command<'a>> {
    out.extend(core::iter::once_with(|| empty_command(tag)));
    out.last_mut()
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
pub(crate) struct Child<'a> {
    pub(crate) tag: Tag,
    pub(crate) name: &'a str,
    pub(crate) ns: Ns<'a>,
    pub(crate) empty: bool,
}

/// How many names of [`Path`] are kept in place: a DM message nests deeper only in
/// Atomic/Sequence or MetInf.
const PATH_INLINE: usize = 8;

/// The names of the elements the decoder is in, for errors: the outermost
/// [`PATH_INLINE`] in place, so that a decode allocates nothing for them, deeper ones in
/// a list.
struct Path {
    inline: [&'static str; PATH_INLINE],
    len: usize,
    deep: Vec<&'static str>,
}

impl Path {
    fn new() -> Self {
        Self {
            inline: [""; PATH_INLINE],
            len: 0,
            deep: Vec::new(),
        }
    }

    #[inline(always)]
    fn push(&mut self, name: &'static str) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = name,
            None => self.deep.push(name),
        }
        self.len += 1;
    }

    #[inline(always)]
    fn pop(&mut self) {
        if self.len > PATH_INLINE {
            self.deep.pop();
        }
        self.len = self.len.saturating_sub(1);
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The names joined by `/`.
    fn join(&self) -> String {
        let inline = self.inline.get(..self.len).unwrap_or(&self.inline);
        let mut out = String::new();
        for (i, name) in inline.iter().chain(&self.deep).enumerate() {
            if i > 0 {
                out.push('/');
            }
            out.push_str(name);
        }
        out
    }
}

pub(crate) struct Decoder<'a, S> {
    src: S,
    limits: Limits,
    path: Path,
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
            path: Path::new(),
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
                self.path.join()
            },
        })
    }

    fn with_path(&self, mut e: Fail) -> Fail {
        if e.path.is_empty() {
            e.path = self.path.join();
        }
        e
    }

    #[inline(always)]
    fn next(&mut self) -> R<Ev<'a>> {
        self.src.next().map_err(|e| self.with_path(e))
    }

    /// [`Source::next_markup`] with the path on errors.
    #[inline(always)]
    fn next_markup(&mut self) -> R<Ev<'a>> {
        self.src.next_markup().map_err(|e| self.with_path(e))
    }

    /// The next child element of a container, or `None` at its end.
    #[inline(always)]
    fn child(&mut self) -> R<Option<Child<'a>>> {
        if S::WBXML {
            if let Some(c) = self.src.plain_child() {
                return Ok(c);
            }
        }
        loop {
            match self.next_markup()? {
                Ev::Start {
                    tag,
                    name,
                    ns,
                    empty,
                } => {
                    return Ok(Some(Child {
                        tag,
                        name,
                        ns,
                        empty,
                    }))
                }
                Ev::End => return Ok(None),
                Ev::Ws(_) => {}
                Ev::Text(t) if is_ws(&t) => {}
                Ev::Text(_) | Ev::Char(_) | Ev::Cdata(_) => return Err(self.err(K::UnexpectedText)),
                Ev::Opaque(_) => return Err(self.err(K::UnexpectedOpaque)),
                Ev::Eof => return Err(self.err(K::UnexpectedEof)),
            }
        }
    }

    /// Checks a SyncML (page 0) element's namespace.
    #[inline(always)]
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

    /// The source's [`Source::simple_text`].
    #[inline(always)]
    fn simple_text(&mut self) -> R<Option<&'a str>> {
        self.src.simple_text().map_err(|e| self.with_path(e))
    }

    /// The text content of an element whose Start was just read.
    #[inline(always)]
    fn text(&mut self, empty: bool) -> R<Cow<'a, str>> {
        if empty {
            return Ok(Cow::Borrowed(""));
        }
        if let Some(s) = self.simple_text()? {
            self.check_len(s.len())?;
            return Ok(Cow::Borrowed(s));
        }
        self.text_pieces()
    }

    /// [`Decoder::text`] event by event: text in pieces, references, CDATA.
    #[inline(never)]
    fn text_pieces(&mut self) -> R<Cow<'a, str>> {
        let mut acc = Acc::Empty;
        loop {
            match self.next()? {
                Ev::Text(s) | Ev::Cdata(s) => acc.push(s),
                Ev::Ws(s) => acc.push(Cow::Borrowed(s)),
                Ev::Char(c) => acc.push_char(c),
                Ev::Opaque(b) => match std::str::from_utf8(b) {
                    Ok(s) if ::wbxml::transcode::is_xml_text(s) => acc.push(Cow::Borrowed(s)),
                    // Text XML cannot carry, as for an inline string: the message would not
                    // convert, nor re-encode in XML.
                    Ok(_) => return Err(self.err(K::InvalidChar)),
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

    /// A text child, with its name on the path of its errors. The name is added to an
    /// error's path rather than pushed on `path` and popped for every element: the path is
    /// never empty here, so the error reads as if it had been pushed.
    #[inline(always)]
    fn text_el(&mut self, name: &'static str, c: &Child<'a>) -> R<Cow<'a, str>> {
        self.syncml_ns(c)?;
        self.leaf_text(name, c.empty)
    }

    fn number<T: std::str::FromStr + TryFrom<u64>>(
        &mut self,
        name: &'static str,
        empty: bool,
    ) -> R<T> {
        let t = self.leaf_text(name, empty)?;
        self.number_of(name, t)
    }

    /// The value of the text `t` of the element `name`, as [`Decoder::number`] reads it.
    fn number_of<T: std::str::FromStr + TryFrom<u64>>(
        &self,
        name: &'static str,
        t: Cow<'a, str>,
    ) -> R<T> {
        // Plain digits, nearly every number on the wire, skip `trim` and `FromStr`: where
        // they give a value it is the one `parse` gives, and anything else goes there.
        if let Some(n) = digits(&t).and_then(|v| T::try_from(v).ok()) {
            return Ok(n);
        }
        t.trim()
            .parse()
            .map_err(|_| under(self.err(K::InvalidNumber(t.clone().into_owned())), name))
    }

    /// The next child when it is `name` holding plain text, read whole
    /// ([`Source::text_child`]): a container's usual first children are tried this way
    /// before the loop over its children, which then reads whatever is left.
    #[inline(always)]
    fn straight(&mut self, name: &'static str) -> Option<Cow<'a, str>> {
        self.src
            .text_child(name, self.limits.max_string_len)
            .map(Cow::Borrowed)
    }

    /// The text of a leaf element `name` ([`Decoder::text_el`] without the namespace check).
    #[inline(always)]
    fn leaf_text(&mut self, name: &'static str, empty: bool) -> R<Cow<'a, str>> {
        self.text(empty).map_err(|e| under(e, name))
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
            match self.next_markup()? {
                Ev::Start {
                    tag,
                    name,
                    ns,
                    empty,
                } => {
                    break Child {
                        tag,
                        name,
                        ns,
                        empty,
                    }
                }
                Ev::Ws(_) => {}
                Ev::Text(t) if is_ws(&t) => {}
                Ev::Eof => return Err(self.err(K::UnexpectedEof)),
                _ => return Err(self.err(K::NotSyncMl("text before the root element".into()))),
            }
        };
        if root.tag != Tag::SyncML {
            return Err(self.err(K::NotSyncMl(format!("root element <{}>", root.name))));
        }
        self.syncml_ns(&root)?;
        self.path.push("SyncML");
        let (mut hdr, mut body) = (None, None);
        if !root.empty {
            while let Some(c) = self.child()? {
                self.syncml_ns(&c)?;
                match c.tag {
                    Tag::SyncHdr => once!(self, hdr, "SyncHdr", self.header(c.empty)?),
                    Tag::SyncBody => once!(self, body, "SyncBody", self.body(c.empty)?),
                    _ => return Err(self.err(unexpected(c.name))),
                }
            }
        }
        let header = hdr.ok_or_else(|| self.err(K::Missing("SyncHdr")))?;
        let body = body.ok_or_else(|| self.err(K::Missing("SyncBody")))?;
        self.path.pop();
        loop {
            match self.next_markup()? {
                Ev::Eof => break,
                Ev::Ws(_) => {}
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
            ver_dtd = self.straight("VerDTD");
            ver_proto = self.straight("VerProto");
            session_id = self.straight("SessionID");
            msg_id = self.straight("MsgID");
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::VerDTD => once!(self, ver_dtd, "VerDTD", self.text_el("VerDTD", &c)?),
                    Tag::VerProto => {
                        once!(self, ver_proto, "VerProto", self.text_el("VerProto", &c)?)
                    }
                    Tag::SessionID => {
                        once!(
                            self,
                            session_id,
                            "SessionID",
                            self.text_el("SessionID", &c)?
                        )
                    }
                    Tag::MsgID => once!(self, msg_id, "MsgID", self.text_el("MsgID", &c)?),
                    Tag::Target => once!(self, target, "Target", self.location("Target", &c)?),
                    Tag::Source => once!(self, source, "Source", self.location("Source", &c)?),
                    Tag::RespURI => once!(self, resp_uri, "RespURI", self.text_el("RespURI", &c)?),
                    Tag::NoResp => no_resp = self.flag(&c)?,
                    Tag::Cred => once!(self, cred, "Cred", self.cred(&c)?),
                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                    _ => return Err(self.err(unexpected(c.name))),
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

    #[inline(always)]
    fn location(&mut self, name: &'static str, c: &Child<'a>) -> R<Location<'a>> {
        self.syncml_ns(c)?;
        self.path.push(name);
        let (mut uri, mut loc_name) = (None, None);
        if !c.empty {
            uri = self.straight("LocURI");
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::LocURI => once!(self, uri, "LocURI", self.text_el("LocURI", &c)?),
                    Tag::LocName => once!(self, loc_name, "LocName", self.text_el("LocName", &c)?),
                    _ => return Err(self.err(unexpected(c.name))),
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
                match c.tag {
                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                    Tag::Data => once!(self, data, "Data", self.text_el("Data", &c)?),
                    _ => return Err(self.err(unexpected(c.name))),
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
            match c.tag {
                Tag::Format => {
                    let t = self.leaf_text("Format", c.empty)?;
                    once!(self, m.format, "Format", Format::parse(t));
                }
                Tag::Type => {
                    let t = self.leaf_text("Type", c.empty)?;
                    // A nested-document type is held bare and in its XML form, whichever
                    // encoding and padding it came in: each encoder writes it bare in its own
                    // form (libwbxml recognises only that), so it survives conversion.
                    let t = ::wbxml::transcode::nested_type_xml(&t).map_or(t, Cow::Borrowed);
                    once!(self, m.mime_type, "Type", t);
                }
                Tag::Mark => {
                    let t = self.leaf_text("Mark", c.empty)?;
                    once!(self, m.mark, "Mark", t);
                }
                Tag::Size => once!(self, m.size, "Size", self.number("Size", c.empty)?),
                Tag::Version => {
                    let t = self.leaf_text("Version", c.empty)?;
                    once!(self, m.version, "Version", t);
                }
                Tag::NextNonce => {
                    let t = self.leaf_text("NextNonce", c.empty)?;
                    once!(self, m.next_nonce, "NextNonce", t);
                }
                Tag::MaxMsgSize => once!(
                    self,
                    m.max_msg_size,
                    "MaxMsgSize",
                    self.number("MaxMsgSize", c.empty)?
                ),
                Tag::MaxObjSize => once!(
                    self,
                    m.max_obj_size,
                    "MaxObjSize",
                    self.number("MaxObjSize", c.empty)?
                ),
                Tag::Emi => {
                    let t = self.leaf_text("EMI", c.empty)?;
                    m.emi.push(t);
                }
                Tag::FieldLevel => {
                    self.flag(&Child {
                        ns: Ns::Inherited,
                        ..c
                    })?;
                    m.field_level = true;
                }
                Tag::MetInf => {
                    if !c.empty {
                        // MetInf may hold MetInf: bounded like containers, since each level
                        // recurses (deep enough input would overflow the stack).
                        self.path.push("MetInf");
                        self.depth += 1;
                        if self.depth > self.limits.max_depth {
                            return Err(self.err(K::Limit("nesting depth")));
                        }
                        self.metinf(m)?;
                        self.depth -= 1;
                        self.path.pop();
                    }
                }
                Tag::Anchor => {
                    self.path.push("Anchor");
                    let mut a = Anchor::default();
                    if !c.empty {
                        while let Some(c) = self.child()? {
                            match c.tag {
                                Tag::Last => {
                                    let t = self.text(c.empty)?;
                                    once!(self, a.last, "Last", t)
                                }
                                Tag::Next => {
                                    let t = self.text(c.empty)?;
                                    once!(self, a.next, "Next", t)
                                }
                                _ => return Err(self.err(unexpected(c.name))),
                            }
                        }
                    }
                    self.path.pop();
                    once!(self, m.anchor, "Anchor", a);
                }
                Tag::Mem => {
                    self.path.push("Mem");
                    let mut mem = Mem::default();
                    let (mut free_mem, mut free_id) = (None, None);
                    if !c.empty {
                        while let Some(c) = self.child()? {
                            match c.tag {
                                Tag::SharedMem => {
                                    mem.shared_mem = self.flag(&Child {
                                        ns: Ns::Inherited,
                                        ..c
                                    })?
                                }
                                Tag::FreeMem => {
                                    once!(
                                        self,
                                        free_mem,
                                        "FreeMem",
                                        self.number("FreeMem", c.empty)?
                                    )
                                }
                                Tag::FreeID => {
                                    once!(self, free_id, "FreeID", self.number("FreeID", c.empty)?)
                                }
                                _ => return Err(self.err(unexpected(c.name))),
                            }
                        }
                    }
                    mem.free_mem = free_mem;
                    mem.free_id = free_id;
                    self.path.pop();
                    once!(self, m.mem, "Mem", mem);
                }
                _ => return Err(self.err(unexpected(c.name))),
            }
        }
        Ok(())
    }

    fn body(&mut self, empty: bool) -> R<SyncBody<'a>> {
        self.path.push("SyncBody");
        let mut body = SyncBody {
            commands: Vec::with_capacity(
                self.src
                    .command_hint()
                    .min(MAX_COMMAND_HINT)
                    .min(self.limits.max_commands),
            ),
            final_flag: false,
        };
        if !empty {
            while let Some(c) = self.child()? {
                self.syncml_ns(&c)?;
                if c.tag == Tag::Final {
                    if body.final_flag {
                        return Err(self.err(K::Duplicate("Final")));
                    }
                    body.final_flag = self.flag(&c)?;
                    continue;
                }
                if body.final_flag {
                    return Err(self.err(K::UnexpectedElement(format!("{} after Final", c.name))));
                }
                self.command(&c, Ctx::Body, &mut body.commands)?;
            }
        }
        self.path.pop();
        Ok(body)
    }

    /// A command, decoded into place at the end of `out` (commands are large to move).
    fn command(&mut self, c: &Child<'a>, ctx: Ctx, out: &mut Vec<Command<'a>>) -> R<()> {
        let allowed = match (ctx, c.tag) {
            (_, Tag::Add | Tag::Alert | Tag::Copy | Tag::Delete | Tag::Replace) => true,
            (Ctx::Body | Ctx::Sequence, Tag::Get | Tag::Exec | Tag::Atomic) => true,
            (Ctx::Body, Tag::Results | Tag::Status | Tag::Sequence) => true,
            (Ctx::Atomic, Tag::Get | Tag::Atomic | Tag::Exec | Tag::Sequence) => {
                return Err(self.err(K::Forbidden(c.name.to_owned())))
            }
            (Ctx::Sequence, Tag::Sequence) => return Err(self.err(K::Forbidden(c.name.to_owned()))),
            _ => false,
        };
        if !allowed {
            return Err(self.err(unexpected(c.name)));
        }
        self.commands += 1;
        if self.commands > self.limits.max_commands {
            return Err(self.err(K::Limit("number of commands")));
        }
        match c.tag {
            Tag::Add | Tag::Copy | Tag::Delete | Tag::Get | Tag::Replace => {
                self.item_command(c.tag, c.empty, out)
            }
            Tag::Alert => self.alert(c.empty, out),
            Tag::Exec => self.exec(c.empty, out),
            Tag::Atomic => self.container("Atomic", Ctx::Atomic, c.empty, out, Command::Atomic),
            Tag::Sequence => {
                self.container("Sequence", Ctx::Sequence, c.empty, out, Command::Sequence)
            }
            Tag::Results => self.results(c.empty, out),
            _ => self.status(c.empty, out),
        }
    }

    fn item_command(&mut self, tag: Tag, empty: bool, out: &mut Vec<Command<'a>>) -> R<()> {
        // Never `None`: the list has just grown by one.
        let Some(command) = push_empty_command(out, tag) else {
            return Err(self.err(K::Limit("number of commands")));
        };
        let name = command.name();
        self.path.push(name);
        let Some(x) = command.as_item_command_mut() else {
            return Err(self.err(K::Missing(name)));
        };
        let (mut cmd_id, mut meta) = (None, None);
        if !empty {
            cmd_id = self.straight("CmdID");
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::CmdID => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    Tag::NoResp => x.no_resp = self.flag(&c)?,
                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                    Tag::Item => self.item(&c, &mut x.items)?,
                    _ => return Err(self.err(unexpected(c.name))),
                }
            }
        }
        x.cmd_id = cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?;
        if x.items.is_empty() {
            return Err(self.err(K::Missing("Item")));
        }
        x.meta = meta;
        self.path.pop();
        Ok(())
    }

    fn exec(&mut self, empty: bool, out: &mut Vec<Command<'a>>) -> R<()> {
        self.path.push("Exec");
        let (mut cmd_id, mut meta, mut correlator) = (None, None, None);
        let mut no_resp = false;
        let mut items = List::new();
        if !empty {
            cmd_id = self.straight("CmdID");
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::CmdID => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    Tag::NoResp => no_resp = self.flag(&c)?,
                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                    Tag::Correlator => once!(
                        self,
                        correlator,
                        "Correlator",
                        self.text_el("Correlator", &c)?
                    ),
                    Tag::Item => self.item(&c, &mut items)?,
                    _ => return Err(self.err(unexpected(c.name))),
                }
            }
        }
        let cmd_id = cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?;
        if items.is_empty() {
            return Err(self.err(K::Missing("Item")));
        }
        self.path.pop();
        out.push(Command::Exec(Exec {
            cmd_id,
            no_resp,
            meta,
            correlator,
            items,
        }));
        Ok(())
    }

    fn alert(&mut self, empty: bool, out: &mut Vec<Command<'a>>) -> R<()> {
        self.path.push("Alert");
        let (mut cmd_id, mut code, mut correlator) = (None, None, None);
        let mut no_resp = false;
        let mut items = List::new();
        if !empty {
            cmd_id = self.straight("CmdID");
            if let Some(t) = self.straight("Data") {
                let n: u16 = self.number_of("Data", t)?;
                code = Some(AlertCode::from_code(n));
            }
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::CmdID => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    Tag::NoResp => no_resp = self.flag(&c)?,
                    Tag::Data => {
                        self.syncml_ns(&c)?;
                        let n: u16 = self.number("Data", c.empty)?;
                        once!(self, code, "Data", AlertCode::from_code(n))
                    }
                    Tag::Correlator => once!(
                        self,
                        correlator,
                        "Correlator",
                        self.text_el("Correlator", &c)?
                    ),
                    Tag::Item => self.item(&c, &mut items)?,
                    _ => return Err(self.err(unexpected(c.name))),
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
        out.push(Command::Alert(alert));
        Ok(())
    }

    fn container(
        &mut self,
        name: &'static str,
        ctx: Ctx,
        empty: bool,
        out: &mut Vec<Command<'a>>,
        wrap: fn(Container<'a>) -> Command<'a>,
    ) -> R<()> {
        self.path.push(name);
        self.depth += 1;
        if self.depth > self.limits.max_depth {
            return Err(self.err(K::Limit("nesting depth")));
        }
        let (mut cmd_id, mut meta) = (None, None);
        let mut no_resp = false;
        let mut commands = Vec::new();
        if !empty {
            cmd_id = self.straight("CmdID");
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::CmdID => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    Tag::NoResp => no_resp = self.flag(&c)?,
                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                    _ => {
                        self.syncml_ns(&c)?;
                        self.command(&c, ctx, &mut commands)?;
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
        out.push(wrap(Container {
            cmd_id,
            no_resp,
            meta,
            commands,
        }));
        Ok(())
    }

    fn results(&mut self, empty: bool, out: &mut Vec<Command<'a>>) -> R<()> {
        self.path.push("Results");
        let (mut cmd_id, mut msg_ref, mut cmd_ref, mut meta) = (None, None, None, None);
        let (mut target_ref, mut source_ref) = (None, None);
        let mut items = List::new();
        if !empty {
            cmd_id = self.straight("CmdID");
            msg_ref = self.straight("MsgRef");
            cmd_ref = self.straight("CmdRef");
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::CmdID => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    Tag::MsgRef => once!(self, msg_ref, "MsgRef", self.text_el("MsgRef", &c)?),
                    Tag::CmdRef => once!(self, cmd_ref, "CmdRef", self.text_el("CmdRef", &c)?),
                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                    Tag::TargetRef => {
                        once!(
                            self,
                            target_ref,
                            "TargetRef",
                            self.text_el("TargetRef", &c)?
                        )
                    }
                    Tag::SourceRef => {
                        once!(
                            self,
                            source_ref,
                            "SourceRef",
                            self.text_el("SourceRef", &c)?
                        )
                    }
                    Tag::Item => self.item(&c, &mut items)?,
                    _ => return Err(self.err(unexpected(c.name))),
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
            items: items.into_vec(),
        };
        if r.items.is_empty() {
            return Err(self.err(K::Missing("Item")));
        }
        self.path.pop();
        out.push(Command::Results(r));
        Ok(())
    }

    fn status(&mut self, empty: bool, out: &mut Vec<Command<'a>>) -> R<()> {
        self.path.push("Status");
        let Some(Command::Status(st)) = push_empty_command(out, Tag::Status) else {
            return Err(self.err(K::Missing("Status")));
        };
        let (mut cmd_id, mut msg_ref, mut cmd_ref, mut cmd) = (None, None, None, None);
        let (mut code, mut items) = (None, List::new());
        if !empty {
            cmd_id = self.straight("CmdID");
            msg_ref = self.straight("MsgRef");
            cmd_ref = self.straight("CmdRef");
            cmd = self.straight("Cmd");
            if let Some(t) = self.straight("TargetRef") {
                st.target_refs.push(t);
            }
            if let Some(t) = self.straight("SourceRef") {
                st.source_refs.push(t);
            }
            if let Some(t) = self.straight("Data") {
                let n: u16 = self.number_of("Data", t)?;
                code = Some(StatusCode::from_code(n));
            }
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::CmdID => once!(self, cmd_id, "CmdID", self.text_el("CmdID", &c)?),
                    Tag::MsgRef => once!(self, msg_ref, "MsgRef", self.text_el("MsgRef", &c)?),
                    Tag::CmdRef => once!(self, cmd_ref, "CmdRef", self.text_el("CmdRef", &c)?),
                    Tag::Cmd => once!(self, cmd, "Cmd", self.text_el("Cmd", &c)?),
                    Tag::TargetRef => st.target_refs.push(self.text_el("TargetRef", &c)?),
                    Tag::SourceRef => st.source_refs.push(self.text_el("SourceRef", &c)?),
                    Tag::Chal => {
                        self.syncml_ns(&c)?;
                        self.path.push("Chal");
                        let mut meta = None;
                        if !c.empty {
                            while let Some(c) = self.child()? {
                                match c.tag {
                                    Tag::Meta => once!(self, meta, "Meta", self.meta(&c)?),
                                    _ => return Err(self.err(unexpected(c.name))),
                                }
                            }
                        }
                        let meta = meta.ok_or_else(|| self.err(K::Missing("Meta")))?;
                        self.path.pop();
                        once!(self, st.chal, "Chal", Box::new(Chal { meta: *meta }));
                    }
                    Tag::Data => {
                        self.syncml_ns(&c)?;
                        let n: u16 = self.number("Data", c.empty)?;
                        once!(self, code, "Data", StatusCode::from_code(n))
                    }
                    Tag::Item => self.item(&c, &mut items)?,
                    _ => return Err(self.err(unexpected(c.name))),
                }
            }
        }
        st.cmd_id = cmd_id.ok_or_else(|| self.err(K::Missing("CmdID")))?;
        st.msg_ref = msg_ref.ok_or_else(|| self.err(K::Missing("MsgRef")))?;
        st.cmd_ref = cmd_ref.ok_or_else(|| self.err(K::Missing("CmdRef")))?;
        st.cmd = cmd.ok_or_else(|| self.err(K::Missing("Cmd")))?;
        st.code = code.ok_or_else(|| self.err(K::Missing("Data")))?;
        st.items = items.into_vec();
        self.path.pop();
        Ok(())
    }

    /// An item, built in place at the end of `items` (items are large to move).
    fn item(&mut self, c: &Child<'a>, items: &mut List<Item<'a>>) -> R<()> {
        self.syncml_ns(c)?;
        self.items += 1;
        if self.items > self.limits.max_items {
            return Err(self.err(K::Limit("number of items")));
        }
        self.path.push("Item");
        let Some(item) = items.push_default() else {
            return Err(self.err(K::Missing("Item")));
        };
        if !c.empty {
            while let Some(c) = self.child()? {
                match c.tag {
                    Tag::Target => {
                        once!(self, item.target, "Target", self.location("Target", &c)?);
                        // Mostly the Data comes next, as plain text.
                        if item.data.is_none() {
                            item.data = self.straight("Data").map(Data::Text);
                        }
                    }
                    Tag::Source => once!(self, item.source, "Source", self.location("Source", &c)?),
                    Tag::Meta => once!(self, item.meta, "Meta", self.meta(&c)?),
                    Tag::Data => {
                        self.syncml_ns(&c)?;
                        once!(self, item.data, "Data", self.data(c.empty)?)
                    }
                    Tag::MoreData => item.more_data = self.flag(&c)?,
                    _ => return Err(self.err(unexpected(c.name))),
                }
            }
        }
        self.path.pop();
        Ok(())
    }

    fn data(&mut self, empty: bool) -> R<Data<'a>> {
        if empty {
            return Ok(Data::Text(Cow::Borrowed("")));
        }
        self.path.push("Data");
        if let Some(s) = self.simple_text()? {
            self.check_len(s.len())?;
            self.path.pop();
            return Ok(Data::Text(Cow::Borrowed(s)));
        }
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
                Ev::Ws(s) => text.push(Cow::Borrowed(s)),
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
                Ev::Start {
                    tag, name, empty, ..
                } => {
                    let kind = match tag {
                        Tag::MgmtTree => NestedKind::MgmtTree,
                        Tag::DevInf => NestedKind::DevInf,
                        _ => return Err(self.err(K::UnexpectedElement(name.to_owned()))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_agree_with_parse() {
        for s in [
            "",
            "0",
            "7",
            "200",
            "0200",
            "65535",
            "65536",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1a",
            "a1",
            "/",
            ":",
            "9999999999999999999",
            "18446744073709551615",
            "18446744073709551616",
            "000000000000000000001",
            "١",
        ] {
            if let Some(v) = digits(s) {
                assert_eq!(s.parse::<u64>().ok(), Some(v), "{s}");
                assert_eq!(s.parse::<u16>().ok(), u16::try_from(v).ok(), "{s}");
            } else {
                assert!(s.is_empty() || s.len() > 19 || !s.bytes().all(|b| b.is_ascii_digit()));
            }
        }
    }

    #[test]
    fn every_name_resolves_and_nothing_else_does() {
        for (name, tag) in NAMES {
            assert_eq!(Tag::from_name(name), tag, "{name}");
            assert_ne!(tag, Tag::Other, "{name}");
            // One byte changed anywhere, one more or one fewer: not the name.
            for i in 0..name.len() {
                let mut b = name.as_bytes().to_vec();
                for c in [b'x', b'_', b'a', b'Z'] {
                    if b[i] == c {
                        continue;
                    }
                    b[i] = c;
                    let other = std::str::from_utf8(&b).unwrap();
                    let known = NAMES.iter().any(|(n, _)| *n == other);
                    assert!(known || Tag::from_name(other) == Tag::Other, "{other}");
                }
            }
            assert_eq!(Tag::from_name(&format!("{name}s")), Tag::Other, "{name}s");
            assert_eq!(Tag::from_name(&name[1..]), Tag::Other, "{name}");
            assert_eq!(Tag::from_name(&name.to_lowercase()), Tag::Other, "{name}");
        }
        for other in [
            "",
            "A",
            "Ad",
            "Archive",
            "Map",
            "Sync",
            "MaxMsgSizes",
            "SyncMLx",
            "é",
        ] {
            assert_eq!(Tag::from_name(other), Tag::Other, "{other}");
        }
    }
}
