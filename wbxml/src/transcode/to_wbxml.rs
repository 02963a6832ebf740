//! XML → WBXML, on quick-xml's borrowed reader.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event as XmlEvent};
use quick_xml::Reader as XmlReader;

use super::escape::{is_plain_text, is_xml_text};
use super::nested_type_wbxml;
use crate::tokens::{metinf, syncml, CodePage};
use crate::{Error, Language, PublicId, Version, Writer, DEFAULT_MAX_DEPTH};

/// Options of [`xml_to_wbxml`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToWbxmlOptions {
    /// Force the language instead of detecting it from DOCTYPE, namespace or root.
    pub language: Option<Language>,
    /// The WBXML version written (1.0 gets no charset byte).
    pub version: Version,
    /// Put text that occurs twice or more (longer than 3 bytes) in a string table.
    pub string_table: bool,
    /// The deepest nesting accepted, nested documents included.
    pub max_depth: usize,
}

impl Default for ToWbxmlOptions {
    fn default() -> Self {
        Self {
            language: None,
            version: Version::V1_3,
            string_table: false,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Converts an XML document (UTF-8, optionally with a BOM) to WBXML.
///
/// ```
/// let xml = br#"<SyncML xmlns="SYNCML:SYNCML1.2"><Final/></SyncML>"#;
/// let wbxml = wbxml::transcode::xml_to_wbxml(xml, &Default::default())?;
/// assert_eq!(wbxml, [0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01]);
/// # Ok::<(), wbxml::Error>(())
/// ```
pub fn xml_to_wbxml(input: &[u8], options: &ToWbxmlOptions) -> Result<Vec<u8>, Error> {
    xml_to_wbxml_into(input, options, Vec::with_capacity(input.len() / 2))
}

/// Converts XML to WBXML into `buf` (cleared first, its capacity reused).
pub fn xml_to_wbxml_into(
    input: &[u8],
    options: &ToWbxmlOptions,
    buf: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    let (text, base) = match input.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (input, 0),
    };
    // The reader checks that every piece it reads is UTF-8, so a document that converts is
    // UTF-8 through and through without a pass of its own over it. A document that does not
    // convert gets that pass: bytes that are not UTF-8 come first among its errors.
    encode_document(
        text,
        base,
        options,
        options.language,
        options.max_depth,
        buf,
    )
    .map_err(|err| match core::str::from_utf8(text) {
        Err(e) => Error::InvalidUtf8 {
            offset: base + e.valid_up_to(),
        },
        Ok(_) => err,
    })
}

/// The text of `input` in `range`, for the rare paths that slice the document again (its
/// pieces were checked as UTF-8 when the reader read them).
fn str_in(input: &[u8], range: core::ops::Range<usize>) -> &str {
    input
        .get(range)
        .and_then(|bytes| core::str::from_utf8(bytes).ok())
        .unwrap_or_default()
}

#[cold]
fn xml_error(reader: &XmlReader<&[u8]>, base: usize, err: &quick_xml::Error) -> Error {
    Error::Xml {
        offset: base + usize::try_from(reader.error_position()).unwrap_or(usize::MAX),
        message: err.to_string(),
    }
}

/// The document-lifetime slice of a text event. The slice reader always borrows; should it
/// ever copy, the same bytes are found again in the document at the event's position.
#[inline]
fn borrowed<'x>(
    piece: std::borrow::Cow<'x, str>,
    input: &'x [u8],
    at: usize,
    base: usize,
) -> &'x str {
    match piece {
        std::borrow::Cow::Borrowed(s) => s,
        std::borrow::Cow::Owned(s) => str_in(input, at - base..at - base + s.len()),
    }
}

/// The root element and what the prolog says about the language.
struct Prolog<'x> {
    language: Language,
    root_offset: usize,
    _root: BytesStart<'x>,
}

fn read_prolog<'x>(
    reader: &mut XmlReader<&'x [u8]>,
    base: usize,
    forced: Option<Language>,
) -> Result<(Prolog<'x>, XmlEvent<'x>), Error> {
    let mut doctype_lang = None;
    loop {
        let before = position(reader, base);
        let event = reader
            .read_event()
            .map_err(|e| xml_error(reader, base, &e))?;
        match event {
            XmlEvent::Start(ref e) | XmlEvent::Empty(ref e) => {
                let language = root_language(e, before, forced.or(doctype_lang))?;
                let root = e.clone();
                return Ok((
                    Prolog {
                        language,
                        root_offset: before,
                        _root: root,
                    },
                    event,
                ));
            }
            XmlEvent::DocType(ref d) => {
                let text: &str = d;
                doctype_lang = doctype_fpi(text).and_then(Language::from_fpi);
            }
            XmlEvent::Text(ref t) if t.bytes().all(|b| b.is_ascii_whitespace()) => {}
            XmlEvent::Decl(_) | XmlEvent::Comment(_) | XmlEvent::PI(_) => {}
            XmlEvent::Eof => return Err(Error::NoRootElement { offset: before }),
            _ => {
                return Err(Error::Xml {
                    offset: before,
                    message: "content before the root element".into(),
                })
            }
        }
    }
}

/// The language of a document from its root element, unless forced (or set by a DOCTYPE).
fn root_language(
    e: &BytesStart<'_>,
    offset: usize,
    forced: Option<Language>,
) -> Result<Language, Error> {
    let name = e.local_name().into_inner();
    let ns = match plain_namespace_declarations(e.attributes_raw()) {
        Some(ns) => ns,
        None => default_namespace(e, offset)?,
    };
    forced
        .or_else(|| ns.and_then(Language::from_namespace))
        .or_else(|| Language::from_root(name))
        .ok_or_else(|| Error::UnknownLanguage {
            offset,
            root: name.to_owned(),
        })
}

/// The FPI of a DOCTYPE's `PUBLIC "..."` clause.
fn doctype_fpi(doctype: &str) -> Option<&str> {
    let rest = &doctype[doctype.find("PUBLIC")? + "PUBLIC".len()..];
    let rest = rest.trim_start();
    let quote = rest.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    let inner = rest.get(1..)?;
    inner.find(quote).and_then(|end| inner.get(..end))
}

/// The `xmlns` an element declares for itself, if any.
fn default_namespace<'e>(e: &'e BytesStart<'_>, offset: usize) -> Result<Option<&'e str>, Error>
where
{
    if e.attributes_raw().bytes().all(|b| b.is_ascii_whitespace()) {
        return Ok(None);
    }
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| Error::Xml {
            offset,
            message: err.to_string(),
        })?;
        if attr.key.as_ref() == "xmlns" {
            return match attr.value {
                std::borrow::Cow::Borrowed(v) => Ok(Some(v)),
                // quick-xml only copies a value to unescape it; namespaces never need that.
                std::borrow::Cow::Owned(_) => Ok(None),
            };
        }
    }
    Ok(None)
}

/// The name of an element without any prefix, as quick-xml's `local_name` gives it, with a
/// plain scan: names are a few bytes long.
#[inline]
fn local_name<'e>(e: &'e BytesStart<'_>) -> &'e str {
    let name = e.name().into_inner();
    match name.bytes().position(|b| b == b':') {
        Some(colon) => name.get(colon + 1..).unwrap_or_default(),
        None => name,
    }
}

/// Whether a start tag has anything after its name but whitespace.
#[inline]
fn has_attributes(e: &BytesStart<'_>) -> bool {
    !e.attributes_raw().bytes().all(|b| b.is_ascii_whitespace())
}

/// The default namespace of a start tag with attributes, and an error for any attribute
/// that is not a namespace declaration (none has a token in any language we know).
#[inline]
fn namespace_declarations<'e>(
    e: &'e BytesStart<'_>,
    offset: usize,
) -> Result<Option<&'e str>, Error> {
    if let Some(ns) = plain_namespace_declarations(e.attributes_raw()) {
        return Ok(ns);
    }
    let ns = default_namespace(e, offset)?;
    check_attributes(e, offset)?;
    Ok(ns)
}

/// XML whitespace, as quick-xml's attribute parser sees it.
#[inline]
fn is_xml_space(b: u8) -> bool {
    matches!(b, b' ' | b'\r' | b'\n' | b'\t')
}

/// One pass over attributes that are all namespace declarations in quick-xml's
/// `key = "value"` form (the parse steps are quick-xml's): the first `xmlns` value, if any.
/// `None` for anything else, which goes to quick-xml's own parser for the same error.
fn plain_namespace_declarations(raw: &str) -> Option<Option<&str>> {
    let bytes = raw.as_bytes();
    let skip_space = |mut i: usize| {
        while bytes.get(i).copied().is_some_and(is_xml_space) {
            i += 1;
        }
        i
    };
    let mut ns = None;
    let mut i = skip_space(0);
    while i < bytes.len() {
        let key_start = i;
        // The first byte of a key is whatever is not whitespace, `=` included.
        i += 1;
        while bytes.get(i).is_some_and(|&b| b != b'=' && !is_xml_space(b)) {
            i += 1;
        }
        let key = raw.get(key_start..i)?;
        i = skip_space(i);
        if bytes.get(i) != Some(&b'=') {
            return None;
        }
        i = skip_space(i + 1);
        let quote = bytes.get(i).copied().filter(|&q| q == b'"' || q == b'\'')?;
        let start = i + 1;
        let len = memchr::memchr(quote, bytes.get(start..)?)?;
        let value = raw.get(start..start + len)?;
        if key == "xmlns" {
            ns = ns.or(Some(value));
        } else if !key.starts_with("xmlns:") {
            return None;
        }
        i = skip_space(start + len + 1);
    }
    Some(ns)
}

/// Attributes other than namespace declarations have no token in any language we know.
fn check_attributes(e: &BytesStart<'_>, offset: usize) -> Result<(), Error> {
    if e.attributes_raw().bytes().all(|b| b.is_ascii_whitespace()) {
        return Ok(());
    }
    for attr in e.attributes().with_checks(false) {
        let attr = attr.map_err(|err| Error::Xml {
            offset,
            message: err.to_string(),
        })?;
        let key = attr.key.as_ref();
        if key != "xmlns" && !key.starts_with("xmlns:") {
            return Err(Error::Xml {
                offset,
                message: format!("attribute '{key}' has no WBXML token"),
            });
        }
    }
    Ok(())
}

#[inline]
fn position(reader: &XmlReader<&[u8]>, base: usize) -> usize {
    base + usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX)
}

struct Frame {
    page: u8,
    token: u8,
    /// The page that the element's default namespace selects, for its children.
    preferred_page: Option<&'static CodePage>,
}

/// A run of text between two non-text events: written only once it is known not to be
/// whitespace alone, and as a string-table reference when it is one whole table entry.
enum Run<'x> {
    Empty,
    One(&'x str, usize),
    /// Whitespace pieces split by comments or PIs: dropped unless text follows.
    Blank(Vec<&'x str>, usize),
    Open,
    /// The text of a `Meta/Type` in more than one piece, held whole until it ends: only the
    /// whole says whether it names a nested document.
    Held(Vec<Piece<'x>>),
}

/// A piece of text held in a [`Run::Held`], with its offset.
#[derive(Clone, Copy)]
enum Piece<'x> {
    Text(&'x str, usize),
    Char(char, usize),
}

/// Whether `text` can be copied into a WBXML string as it is (see [`is_plain_text`]), eight
/// bytes at a time: element text is mostly short, where the block scan of `is_plain_text`
/// goes a byte at a time.
#[inline]
fn is_plain(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    // A lane below 0x20 or equal to 0xEF sets its high bit (borrows may flag a neighbour
    // too, never hide one); a flagged text gets the exact byte test.
    let suspect = |word: &[u8]| {
        let x = <[u8; 8]>::try_from(word).map_or(HIGHS, u64::from_le_bytes);
        let ef = x ^ (ONES * 0xEF);
        ((x.wrapping_sub(ONES * 0x20) & !x) | (ef.wrapping_sub(ONES) & !ef)) & HIGHS != 0
    };
    let bytes = text.as_bytes();
    let flagged = match bytes.len() {
        0..8 => return is_plain_text(text),
        64.. => return no_suspect_byte(bytes) || is_plain_text(text),
        // The last word overlaps the one before when the length is not a multiple of 8.
        n => bytes.chunks_exact(8).any(suspect) || bytes.get(n - 8..).is_none_or(suspect),
    };
    !flagged || is_plain_text(text)
}

/// Whether `bytes` has no byte that [`is_plain_text`] or [`is_xml_text`] may object to, for
/// long text (base64 data, mostly): adding 0x11 maps controls (below 0x20) and 0xEF (which
/// starts U+FFFE and U+FFFF) below 0x31, along with 0xF0 and above (lead bytes of 4-byte
/// characters, left to the exact test). A minimum over all bytes vectorises to one add and
/// one min per 16 bytes, with no branch.
fn no_suspect_byte(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .fold(u8::MAX, |min, &b| min.min(b.wrapping_add(0x11)))
        >= 0x31
}

fn is_blank(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_whitespace())
}

struct Encoder<'x, 't> {
    writer: Writer,
    /// An opened element whose tag byte waits until we know whether it has content:
    /// `<Data></Data>` is written without content, as libwbxml does.
    pending: Option<(u8, u8)>,
    language: Language,
    table: Option<&'t HashMap<&'x str, u32>>,
    run: Run<'x>,
    /// False while held `Meta/Type` pieces are written out (see [`Run::Held`]).
    holding: bool,
    frames: Vec<Frame>,
}

impl<'x> Encoder<'x, '_> {
    /// Writes the tag of the pending element, now known to have content.
    #[inline]
    fn flush_pending(&mut self) {
        if let Some((page, token)) = self.pending.take() {
            self.writer.start(page, token);
        }
    }

    #[inline]
    fn piece(&mut self, piece: &'x str, offset: usize) -> Result<(), Error> {
        // Most text is the whole content of its element: nothing to hold back yet.
        if matches!(self.run, Run::Empty) {
            self.run = Run::One(piece, offset);
            return Ok(());
        }
        self.later_piece(piece, offset)
    }

    fn later_piece(&mut self, piece: &'x str, offset: usize) -> Result<(), Error> {
        if self.holds_meta_type() {
            return self.hold(Piece::Text(piece, offset));
        }
        match core::mem::replace(&mut self.run, Run::Open) {
            Run::Empty => self.run = Run::One(piece, offset),
            Run::One(first, first_offset) if is_blank(first) && is_blank(piece) => {
                self.run = Run::Blank(vec![first, piece], first_offset);
            }
            Run::Blank(mut blanks, at) if is_blank(piece) => {
                blanks.push(piece);
                self.run = Run::Blank(blanks, at);
            }
            Run::One(first, first_offset) => {
                self.open_str(&[first], first_offset)?;
                self.push_piece(piece, offset)?;
            }
            Run::Blank(blanks, at) => {
                self.open_str(&blanks, at)?;
                self.push_piece(piece, offset)?;
            }
            Run::Open => self.push_piece(piece, offset)?,
            Run::Held(mut pieces) => {
                pieces.push(Piece::Text(piece, offset));
                self.run = Run::Held(pieces);
            }
        }
        Ok(())
    }

    /// Whether a piece of text joins a held `Meta/Type`: any but the first piece of one,
    /// unless the held pieces are being written out.
    fn holds_meta_type(&self) -> bool {
        self.holding && !matches!(self.run, Run::Open) && self.in_meta_type()
    }

    /// Adds `piece` to the held text of a `Meta/Type`.
    fn hold(&mut self, piece: Piece<'x>) -> Result<(), Error> {
        let mut pieces = match core::mem::replace(&mut self.run, Run::Empty) {
            Run::Empty | Run::Open => Vec::with_capacity(2),
            Run::One(text, offset) => vec![Piece::Text(text, offset)],
            Run::Blank(blanks, offset) => blanks
                .into_iter()
                .map(|text| Piece::Text(text, offset))
                .collect(),
            Run::Held(pieces) => pieces,
        };
        pieces.push(piece);
        self.run = Run::Held(pieces);
        Ok(())
    }

    /// Ends a held `Meta/Type`: a nested-document type in either form (padding trimmed) is
    /// written bare in its `+wbxml` form; any other text as its pieces would have been.
    fn end_held(&mut self, pieces: Vec<Piece<'x>>) -> Result<(), Error> {
        let mut text = String::new();
        for piece in &pieces {
            match *piece {
                Piece::Text(t, _) => text.push_str(t),
                Piece::Char(c, _) => text.push(c),
            }
        }
        if let Some(wbxml) = nested_type_wbxml(&text) {
            self.flush_pending();
            self.writer.plain_str(wbxml);
            return Ok(());
        }
        self.holding = false;
        let written = pieces
            .into_iter()
            .try_for_each(|piece| match piece {
                Piece::Text(t, offset) => self.piece(t, offset),
                Piece::Char(c, offset) => self.char_piece(c, offset),
            })
            .and_then(|()| self.end_open_run());
        self.holding = true;
        written
    }

    /// Starts writing the run as an inline string with the pieces held back so far.
    fn open_str(&mut self, held: &[&str], offset: usize) -> Result<(), Error> {
        self.flush_pending();
        self.writer.begin_str();
        for piece in held {
            self.push_piece(piece, offset)?;
        }
        Ok(())
    }

    /// A resolved character reference: always part of a written string.
    fn char_piece(&mut self, c: char, offset: usize) -> Result<(), Error> {
        if self.holds_meta_type() {
            return self.hold(Piece::Char(c, offset));
        }
        match core::mem::replace(&mut self.run, Run::Open) {
            Run::Held(pieces) => {
                self.run = Run::Held(pieces);
                return self.hold(Piece::Char(c, offset));
            }
            Run::Empty => self.open_str(&[], offset)?,
            Run::One(first, first_offset) => self.open_str(&[first], first_offset)?,
            Run::Blank(blanks, at) => self.open_str(&blanks, at)?,
            Run::Open => {}
        }
        let mut buf = [0u8; 4];
        self.writer
            .push_str_piece(c.encode_utf8(&mut buf))
            .map_err(|_| Error::NulInString { offset })
    }

    #[inline]
    fn push_piece(&mut self, piece: &str, offset: usize) -> Result<(), Error> {
        // One scan clears most text: nothing to check further, normalise or reject.
        if is_plain(piece) {
            self.writer.push_plain_piece(piece);
            return Ok(());
        }
        self.push_piece_slow(piece, offset)
    }

    #[cold]
    fn push_piece_slow(&mut self, piece: &str, offset: usize) -> Result<(), Error> {
        // quick-xml passes control characters through; XML (and so our way back) cannot
        // carry them.
        if !is_xml_text(piece) {
            return Err(Error::InvalidXmlText { offset });
        }
        // XML parsers turn CR LF and lone CR into LF; quick-xml leaves that to us.
        if memchr::memchr(b'\r', piece.as_bytes()).is_some() {
            let normalised = piece.replace("\r\n", "\n").replace('\r', "\n");
            self.writer.push_str_piece(&normalised)
        } else {
            self.writer.push_str_piece(piece)
        }
        .map_err(|_| Error::NulInString { offset })
    }

    /// Ends the current text run; most tags follow another tag, with no run to end.
    #[inline]
    fn end_run(&mut self) -> Result<(), Error> {
        if matches!(self.run, Run::Empty) {
            return Ok(());
        }
        self.end_open_run()
    }

    fn end_open_run(&mut self) -> Result<(), Error> {
        match core::mem::replace(&mut self.run, Run::Empty) {
            Run::Empty | Run::Blank(..) => {}
            Run::Open => self.writer.end_str(),
            Run::Held(pieces) => self.end_held(pieces)?,
            Run::One(text, offset) => {
                if text.bytes().all(|b| b.is_ascii_whitespace()) {
                    return Ok(());
                }
                self.flush_pending();
                let text = if self.in_meta_type() {
                    nested_type_wbxml(text).unwrap_or(text)
                } else {
                    text
                };
                if let Some(&index) = self.table.and_then(|t| t.get(text)) {
                    if !is_xml_text(text) {
                        return Err(Error::InvalidXmlText { offset });
                    }
                    self.writer.str_t(index);
                } else if is_plain(text) {
                    self.writer.plain_str(text);
                } else {
                    self.writer.begin_str();
                    self.push_piece_slow(text, offset)?;
                    self.writer.end_str();
                }
            }
        }
        Ok(())
    }

    fn in_meta_type(&self) -> bool {
        self.language.is_syncml()
            && matches!(
                self.frames.as_slice(),
                [
                    ..,
                    Frame {
                        page: syncml::PAGE,
                        token: syncml::META,
                        ..
                    },
                    Frame {
                        page: metinf::PAGE,
                        token: metinf::TYPE,
                        ..
                    }
                ]
            )
    }

    fn parent_is_data(&self) -> bool {
        self.language.is_syncml()
            && self
                .frames
                .last()
                .is_some_and(|f| f.page == syncml::PAGE && f.token == syncml::DATA)
    }

    /// The `(page, token)` of an element, trying the page its namespace selects first.
    fn resolve(
        &self,
        name: &str,
        own_ns: Option<&str>,
        offset: usize,
    ) -> Result<(u8, u8, Option<&'static CodePage>), Error> {
        let own_page = own_ns
            .and_then(|ns| self.language.page_for_namespace(ns))
            .and_then(|p| self.language.page(p));
        // The page the element's namespace selects, else the one its parent's did: both the
        // first page tried for this element and the one its children inherit.
        let preferred = own_page.or_else(|| self.frames.last().and_then(|f| f.preferred_page));
        let found = preferred
            .and_then(|page| page.token(name).map(|t| (page.page, t)))
            .or_else(|| self.language.tag_token(name));
        match found {
            Some((page, token)) => Ok((page, token, preferred)),
            None => Err(Error::UnknownElement {
                offset,
                name: name.to_owned(),
            }),
        }
    }
}

fn encode_document(
    text: &[u8],
    base: usize,
    options: &ToWbxmlOptions,
    forced: Option<Language>,
    depth_budget: usize,
    buf: Vec<u8>,
) -> Result<Vec<u8>, Error> {
    let mut reader = XmlReader::from_reader(text);
    let (prolog, first) = read_prolog(&mut reader, base, forced)?;
    let language = prolog.language;
    let table_map;
    let (table_bytes, table) = if options.string_table {
        let (bytes, map) = collect_string_table(text, base, language)?;
        table_map = map;
        (Some(bytes), Some(&table_map))
    } else {
        (None, None)
    };
    let doc = Doc {
        text,
        base,
        options,
        depth_budget,
    };
    encode_events(
        &mut reader,
        &doc,
        language,
        (table, table_bytes.as_deref()),
        (first, prolog.root_offset),
        buf,
        false,
    )
}

/// What the events of one document are converted against: the text the reader reads (from
/// byte `base` of the input), the options and the depth left.
struct Doc<'x, 'o> {
    text: &'x [u8],
    base: usize,
    options: &'o ToWbxmlOptions,
    depth_budget: usize,
}

/// Converts the events of one document, from its root element `first` on. A `nested`
/// document ends with its root element, inside the reader of the document around it;
/// otherwise the reader must reach the end of its input.
fn encode_events<'x>(
    reader: &mut XmlReader<&'x [u8]>,
    doc: &Doc<'x, '_>,
    language: Language,
    (table, table_bytes): (Option<&HashMap<&'x str, u32>>, Option<&[u8]>),
    (first, root_offset): (XmlEvent<'x>, usize),
    buf: Vec<u8>,
    nested: bool,
) -> Result<Vec<u8>, Error> {
    let Doc {
        text,
        base,
        options,
        depth_budget,
    } = *doc;
    let public_id = match language.public_id() {
        Some(id) => PublicId::Known(id),
        None => PublicId::Fpi(language.fpi()),
    };
    let writer = Writer::from_vec(buf, options.version, public_id, table_bytes);
    let mut enc = Encoder {
        writer,
        pending: None,
        language,
        table,
        run: Run::Empty,
        holding: true,
        frames: Vec::with_capacity(16),
    };
    let mut event = first;
    let mut before = root_offset;
    let mut root_done = false;
    loop {
        match event {
            XmlEvent::Start(ref e) | XmlEvent::Empty(ref e) => {
                enc.end_run()?;
                if root_done {
                    return Err(Error::Xml {
                        offset: before,
                        message: "more than one root element".into(),
                    });
                }
                if enc.frames.len() >= depth_budget {
                    return Err(Error::DepthExceeded {
                        offset: before,
                        limit: options.max_depth,
                    });
                }
                enc.flush_pending();
                let name = local_name(e);
                let is_empty = matches!(event, XmlEvent::Empty(_));
                if enc.parent_is_data() && matches!(name, "DevInf" | "MgmtTree") {
                    // A nested document: its own WBXML, carried as OPAQUE.
                    let budget = depth_budget - enc.frames.len();
                    if !options.string_table {
                        // Converted as it is read, in one pass. A string table needs the
                        // whole slice first (a pre-pass over it), and so does a DevInf that
                        // fails in the version of the SyncML around it and may convert in
                        // its own: that one goes back to the two passes below.
                        let older = nested_language(language, name);
                        let start = older.is_some().then(|| reader.clone());
                        let nested_doc = Doc {
                            depth_budget: budget,
                            ..*doc
                        };
                        let nested = root_language(e, before, older).and_then(|nested_language| {
                            encode_events(
                                reader,
                                &nested_doc,
                                nested_language,
                                (None, None),
                                (event.clone(), before),
                                Vec::new(),
                                true,
                            )
                        });
                        match (nested, start) {
                            (Ok(nested), _) => {
                                enc.writer.opaque(&nested);
                                before = position(reader, base);
                                event = match reader.read_event() {
                                    Ok(event) => event,
                                    Err(err) => return Err(xml_error(reader, base, &err)),
                                };
                                continue;
                            }
                            (Err(err), None) => return Err(nested_error(&nested_doc, before, err)),
                            (Err(_), Some(start)) => *reader = start,
                        }
                    }
                    if !is_empty {
                        reader
                            .read_to_end(e.name())
                            .map_err(|err| xml_error(reader, base, &err))?;
                    }
                    let end = position(reader, base);
                    let slice = text.get(before - base..end - base).unwrap_or_default();
                    let nested_options = ToWbxmlOptions {
                        max_depth: options.max_depth,
                        ..*options
                    };
                    let encode = |forced| {
                        encode_document(slice, before, &nested_options, forced, budget, Vec::new())
                    };
                    let nested = match nested_language(language, name) {
                        // A DevInf 1.2 document inside a SyncML 1.1 message still converts.
                        Some(older) => encode(Some(older)).or_else(|err| match err {
                            Error::UnknownElement { .. } => encode(None),
                            err => Err(err),
                        })?,
                        None => encode(None)?,
                    };
                    enc.writer.opaque(&nested);
                } else {
                    let own_ns = if has_attributes(e) {
                        namespace_declarations(e, before)?
                    } else {
                        None
                    };
                    let (page, token, preferred_page) = enc.resolve(name, own_ns, before)?;
                    if is_empty {
                        enc.writer.empty(page, token);
                        root_done |= enc.frames.is_empty();
                        if nested && root_done {
                            break;
                        }
                    } else {
                        enc.pending = Some((page, token));
                        enc.frames.push(Frame {
                            page,
                            token,
                            preferred_page,
                        });
                    }
                }
            }
            XmlEvent::End(_) => {
                enc.end_run()?;
                enc.frames.pop();
                match enc.pending.take() {
                    Some((page, token)) => enc.writer.empty(page, token),
                    None => enc.writer.end(),
                }
                root_done |= enc.frames.is_empty();
                if nested && root_done {
                    break;
                }
            }
            XmlEvent::Text(t) => {
                let piece = borrowed(t.into_inner(), text, before, base);
                if enc.frames.is_empty() {
                    if !piece.bytes().all(|b| b.is_ascii_whitespace()) {
                        return Err(Error::Xml {
                            offset: before,
                            message: "text outside the root element".into(),
                        });
                    }
                } else {
                    enc.piece(piece, before)?;
                }
            }
            XmlEvent::GeneralRef(ref r) => {
                if enc.frames.is_empty() {
                    return Err(Error::Xml {
                        offset: before,
                        message: "reference outside the root element".into(),
                    });
                }
                let name: &str = r;
                let c = resolve_reference(name).ok_or_else(|| Error::Xml {
                    offset: before,
                    message: format!("unknown entity '&{name};'"),
                })?;
                enc.char_piece(c, before)?;
            }
            XmlEvent::CData(ref c) => {
                if !no_suspect_byte(c.as_bytes()) && !is_xml_text(c) {
                    return Err(Error::InvalidXmlText { offset: before });
                }
                enc.end_run()?;
                enc.flush_pending();
                enc.writer.opaque(c.as_bytes());
            }
            // Comments and PIs have no WBXML form here; the text around them stays one
            // string, so that converting back and forth reaches a fixed point.
            XmlEvent::Comment(_) | XmlEvent::PI(_) => {}
            XmlEvent::Decl(_) | XmlEvent::DocType(_) => {}
            XmlEvent::Eof => {
                if !enc.frames.is_empty() {
                    return Err(Error::UnexpectedEof { offset: before });
                }
                break;
            }
        }
        before = position(reader, base);
        event = match reader.read_event() {
            Ok(event) => event,
            Err(err) => return Err(xml_error(reader, base, &err)),
        };
    }
    Ok(enc.writer.finish())
}

/// The error a nested document converted in one pass gave, as the two-pass conversion
/// reports it: a syntax error anywhere in the nested document comes before any error of
/// its conversion.
#[cold]
fn nested_error(doc: &Doc<'_, '_>, before: usize, err: Error) -> Error {
    let Some(rest) = doc.text.get(before - doc.base..) else {
        return err;
    };
    let mut reader = XmlReader::from_reader(rest);
    match reader.read_event() {
        Ok(XmlEvent::Start(e)) => {
            if let Err(syntax) = reader.read_to_end(e.name()) {
                return xml_error(&reader, before, &syntax);
            }
        }
        Ok(XmlEvent::Empty(_)) => {}
        _ => return err,
    }
    let end = position(&reader, 0);
    let Some(slice) = rest.get(..end) else {
        return err;
    };
    let options = ToWbxmlOptions {
        max_depth: doc.options.max_depth,
        ..*doc.options
    };
    encode_document(slice, before, &options, None, doc.depth_budget, Vec::new())
        .err()
        .unwrap_or(err)
}

/// The language of a document nested in `<Data>`: DevInf takes the version of the SyncML
/// message around it (as libwbxml does); anything else is detected from its own prolog.
fn nested_language(outer: Language, root: &str) -> Option<Language> {
    match (outer, root) {
        (Language::SyncMl10, "DevInf") => Some(Language::DevInf10),
        (Language::SyncMl11, "DevInf") => Some(Language::DevInf11),
        _ => None,
    }
}

/// The character a predefined entity or a character reference stands for.
fn resolve_reference(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        _ => {
            let digits = name.strip_prefix('#')?;
            let code = match digits.strip_prefix('x') {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => digits.parse().ok()?,
            };
            return char::from_u32(code).filter(|&c| super::escape::is_xml_char(c));
        }
    })
}

/// Pass one of `--string-table`: whole text nodes longer than 3 bytes that occur twice or
/// more, in first-seen order (plus the FPI for languages without a numeric public id).
fn collect_string_table<'x>(
    text: &'x [u8],
    base: usize,
    language: Language,
) -> Result<(Vec<u8>, HashMap<&'x str, u32>), Error> {
    let mut reader = XmlReader::from_reader(text);
    let mut counts: HashMap<&'x str, u32> = HashMap::new();
    let mut order: Vec<&'x str> = Vec::new();
    let mut pending: Option<&'x str> = None;
    let mut whole = true;
    loop {
        let before = position(&reader, base);
        let event = reader
            .read_event()
            .map_err(|e| xml_error(&reader, base, &e))?;
        match event {
            XmlEvent::Text(t) => {
                let piece = borrowed(t.into_inner(), text, before, base);
                if pending.is_some() {
                    whole = false;
                }
                pending = Some(piece);
            }
            XmlEvent::GeneralRef(_) => whole = false,
            XmlEvent::Eof => break,
            _ => {
                if let Some(s) = pending.take() {
                    if whole
                        && s.len() > 3
                        && !s.bytes().all(|b| b.is_ascii_whitespace())
                        && memchr::memchr(b'\r', s.as_bytes()).is_none()
                    {
                        let count = counts.entry(s).or_insert(0);
                        if *count == 0 {
                            order.push(s);
                        }
                        *count += 1;
                    }
                }
                whole = true;
            }
        }
    }
    let mut table = Vec::new();
    let mut map = HashMap::new();
    if language.public_id().is_none() {
        table.extend_from_slice(language.fpi().as_bytes());
        table.push(0);
    }
    for s in order {
        if counts.get(s).copied().unwrap_or(0) >= 2 {
            map.insert(s, u32::try_from(table.len()).unwrap_or(u32::MAX));
            table.extend_from_slice(s.as_bytes());
            table.push(0);
        }
    }
    Ok((table, map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_test_agrees_with_the_byte_test() {
        let samples = [
            "",
            "1",
            "chr",
            "text/plain",
            "./DMAcc/Example/Setting0",
            "tab\there",
            "line\nend",
            "cr\r",
            "nul\0",
            "ctl\u{1}x",
            "\u{FFFD}",
            "\u{FFFF}",
            "é",
            "0123456789abcdef01234",
        ];
        for s in samples {
            for n in [0, 3, 7, 8, 9, 15, 16, 40, 70, 63, 64, 65, 127, 128, 200] {
                let t = format!("{}{s}", "a".repeat(n));
                assert_eq!(is_plain(&t), is_plain_text(&t), "{t:?}");
                let t = format!("{s}{}", "a".repeat(n));
                assert_eq!(is_plain(&t), is_plain_text(&t), "{t:?}");
            }
        }
    }

    #[test]
    fn nested_document_errors_keep_their_order() {
        let doc = |nested: &str| {
            format!(
                r#"<SyncML xmlns="SYNCML:SYNCML1.2"><SyncBody><Results><Item><Data>{nested}</Data></Item></Results></SyncBody></SyncML>"#
            )
        };
        let convert =
            |nested: &str| xml_to_wbxml(doc(nested).as_bytes(), &ToWbxmlOptions::default());
        let at = |nested: &str, needle: &str| doc(nested).find(needle).unwrap();
        // A syntax error after an unknown element is reported first, as when the nested
        // document was skipped over before being converted.
        let nested = r#"<MgmtTree xmlns="syncml:dmddf1.2"><Bogus/><Node></Nod></MgmtTree>"#;
        assert!(
            matches!(convert(nested), Err(Error::Xml { offset, .. }) if offset == at(nested, "</Nod>"))
        );
        let nested = r#"<MgmtTree xmlns="syncml:dmddf1.2"><Bogus/></MgmtTree>"#;
        assert!(matches!(
            convert(nested),
            Err(Error::UnknownElement { offset, .. }) if offset == at(nested, "<Bogus")
        ));
        let nested = r#"<MgmtTree xmlns="syncml:dmddf1.2"><Node>"#;
        assert!(matches!(convert(nested), Err(Error::Xml { .. })));
        let ok = convert(r#"<MgmtTree xmlns="syncml:dmddf1.2"><VerDTD>1.2</VerDTD></MgmtTree>"#);
        let empty = convert("<MgmtTree/>");
        assert!(ok.is_ok() && empty.is_ok());
    }

    #[test]
    fn bytes_that_are_not_utf8_are_the_first_error_wherever_they_are() {
        // Without a pass of its own, the conversion relies on the reader checking each piece:
        // no place in a document may let such bytes through, and they are reported before any
        // other error, at their offset.
        let places = [
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final/>BAD</SyncML>",
            "<!--BAD--><SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final/></SyncML>",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><!--BAD--><Final/></SyncML>",
            "<?pi BAD?><SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final/></SyncML>",
            "<!DOCTYPE SyncML BAD><SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final/></SyncML>",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\" a=\"BAD\"><Final/></SyncML>",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final/></SyncML><!--BAD-->",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncBody><Status><Data>x&amp;BAD</Data></Status></SyncBody></SyncML>",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><![CDATA[BAD]]></SyncML>",
            // Other errors before the bytes: an unknown element, a syntax error.
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><Bogus/>BAD</SyncML>",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final></Item>BAD</SyncML>",
            "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncBody><Results><Item><Data><DevInf xmlns=\"syncml:devinf\"><Man>BAD</Man></DevInf></Data></Item></Results></SyncBody></SyncML>",
        ];
        for bad in [&b"\xFF"[..], b"\xC3", b"\xED\xA0\x80", b"\xF4\x90\x80\x80"] {
            for place in places {
                let at = place.find("BAD").unwrap();
                let mut doc = place.as_bytes().to_vec();
                doc.splice(at..at + 3, bad.iter().copied());
                assert_eq!(
                    xml_to_wbxml(&doc, &ToWbxmlOptions::default()),
                    Err(Error::InvalidUtf8 { offset: at }),
                    "{place} with {bad:?}"
                );
                let mut with_bom = b"\xEF\xBB\xBF".to_vec();
                with_bom.extend_from_slice(&doc);
                let table = ToWbxmlOptions {
                    string_table: true,
                    ..ToWbxmlOptions::default()
                };
                assert_eq!(
                    xml_to_wbxml(&with_bom, &table),
                    Err(Error::InvalidUtf8 { offset: at + 3 }),
                    "{place} with {bad:?}, a BOM and a string table"
                );
            }
        }
    }

    #[test]
    fn devinf_in_syncml11_takes_its_version_or_else_its_own() {
        let doc = |devinf: &str| {
            format!(
                r#"<SyncML xmlns="SYNCML:SYNCML1.1"><SyncHdr><VerDTD>1.1</VerDTD></SyncHdr><SyncBody><Results><Item><Data>{devinf}</Data></Item></Results></SyncBody></SyncML>"#
            )
        };
        let convert =
            |devinf: &str| xml_to_wbxml(doc(devinf).as_bytes(), &ToWbxmlOptions::default());
        // The nested document: the header of the bytes after OPAQUE and their length.
        let nested = |wbxml: &[u8]| {
            let at = wbxml
                .iter()
                .position(|&b| b == crate::tokens::global::OPAQUE)
                .unwrap();
            let (len, start) = crate::mb::read(wbxml, at + 1).unwrap();
            let bytes = wbxml[start..start + usize::try_from(len).unwrap()].to_vec();
            let public_id = match crate::Header::parse(&bytes).unwrap().public_id {
                PublicId::Known(id) => Some(id),
                PublicId::Fpi(_) => None,
            };
            (public_id, bytes)
        };
        // DevInf 1.1 (`Size`, token 0x1C) in one pass, as the two passes converted it.
        let v11 =
            convert(r#"<DevInf xmlns="syncml:devinf"><VerDTD>1.1</VerDTD><Size>8</Size></DevInf>"#)
                .unwrap();
        let (id, bytes) = nested(&v11);
        assert_eq!(id, Language::DevInf11.public_id());
        assert!(bytes
            .windows(2)
            .any(|w| w == [0x40 | 0x1C, crate::tokens::global::STR_I]));
        // `MaxSize` is DevInf 1.2 only: the one pass fails in 1.1 and the document converts
        // in the version its namespace names.
        let v12 = convert(
            r#"<DevInf xmlns="syncml:devinf"><VerDTD>1.2</VerDTD><MaxSize>8</MaxSize></DevInf>"#,
        )
        .unwrap();
        assert_eq!(nested(&v12).0, Language::DevInf12.public_id());
        // The two passes start from the nested root again, not from where the one pass
        // stopped (here inside an element of the same name).
        let inner =
            r#"<DevInf xmlns="syncml:devinf"><DevInf><MaxSize>8</MaxSize></DevInf></DevInf>"#;
        assert_eq!(
            nested(&convert(inner).unwrap()).0,
            Language::DevInf12.public_id()
        );
        // What follows the nested document is read from where the one pass started over.
        let after = super::super::wbxml_to_xml(&v12, &Default::default()).unwrap();
        assert!(
            after.contains("</Results>") && after.contains("MaxSize"),
            "{after}"
        );
        // Errors are those of the two passes: a syntax error anywhere in the nested document
        // before an element neither version knows.
        let bad = r#"<DevInf xmlns="syncml:devinf"><Bogus/><Man></Mann></DevInf>"#;
        let offset = doc(bad).find("</Mann>").unwrap();
        assert!(matches!(convert(bad), Err(Error::Xml { offset: o, .. }) if o == offset));
        let bad = r#"<DevInf xmlns="syncml:devinf"><Man></Mann></DevInf>"#;
        let offset = doc(bad).find("</Mann>").unwrap();
        assert!(matches!(convert(bad), Err(Error::Xml { offset: o, .. }) if o == offset));
        let unknown = r#"<DevInf xmlns="syncml:devinf"><Bogus/></DevInf>"#;
        assert!(matches!(
            convert(unknown),
            Err(Error::UnknownElement { .. })
        ));
    }

    #[test]
    fn suspect_bytes_cover_everything_the_text_tests_reject() {
        for b in 0..=255u8 {
            let flagged = !no_suspect_byte(&[b]);
            assert_eq!(flagged, !(0x20..0xEF).contains(&b), "{b:#x}");
        }
    }

    #[test]
    fn namespace_scan_agrees_with_quick_xml() {
        let tags = [
            r#"a xmlns="syncml:metinf""#,
            r#"a  xmlns = 'x' "#,
            r#"a xmlns:p="u" xmlns="v" xmlns="w""#,
            r#"a xmlns="v"xmlns:q="u""#,
            r#"a b="1""#,
            r#"a xmlns="v" b="1""#,
            r#"a xmlns"#,
            r#"a xmlns="#,
            r#"a xmlns=v"#,
            r#"a xmlns="v"#,
            r#"a xmlns='v"'"#,
            r#"a =="v""#,
            "a \u{c}",
            r#"a xmlns x="1""#,
        ];
        for tag in tags {
            let e = BytesStart::from_content(tag, 1);
            let slow = default_namespace(&e, 0).and_then(|ns| check_attributes(&e, 0).map(|()| ns));
            assert_eq!(namespace_declarations(&e, 0), slow, "{tag}");
            if let Some(fast) = plain_namespace_declarations(e.attributes_raw()) {
                assert_eq!(Ok(fast), slow, "{tag}");
            }
        }
    }
}
