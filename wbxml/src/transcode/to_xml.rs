//! WBXML → XML.

use super::escape::{
    base64_into, cdata_bytes_into, cdata_into, escape_bytes_into, escape_into, is_xml_char,
    is_xml_name,
};
use super::nested_type_xml;
use crate::reader::{detect_language, Attribute, Event, Reader, ReaderOptions, ValuePart};
use crate::tokens::{global as g, metinf, syncml, Markup};
use crate::{Error, Header, Language, PublicId, DEFAULT_MAX_DEPTH};

/// What to do with OPAQUE bytes that are not a nested document and not XML text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum OpaquePolicy {
    /// Fail with [`Error::OpaqueNotText`]: the output would not be XML otherwise.
    #[default]
    Error,
    /// Write the bytes as base64 text. The XML is then valid but no longer says the data was
    /// opaque: converting it back gives a base64 STR_I.
    Base64,
}

/// Options of [`wbxml_to_xml`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ToXmlOptions {
    /// Force the language of the outer document (`--lang`).
    pub language: Option<Language>,
    /// Spaces per nesting level, or `None` for one line.
    pub indent: Option<usize>,
    /// Opaque bytes that are neither a nested document nor text.
    pub opaque: OpaquePolicy,
    /// The deepest nesting accepted, nested documents included.
    pub max_depth: usize,
}

impl Default for ToXmlOptions {
    fn default() -> Self {
        Self {
            language: None,
            indent: Some(2),
            opaque: OpaquePolicy::Error,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

/// Converts a WBXML document to XML.
///
/// ```
/// let wbxml = [0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01];
/// let opts = wbxml::transcode::ToXmlOptions { indent: None, ..Default::default() };
/// let xml = wbxml::transcode::wbxml_to_xml(&wbxml, &opts)?;
/// assert!(xml.ends_with(r#"<SyncML xmlns="SYNCML:SYNCML1.2"><Final/></SyncML>"#));
/// # Ok::<(), wbxml::Error>(())
/// ```
pub fn wbxml_to_xml(input: &[u8], options: &ToXmlOptions) -> Result<String, Error> {
    let mut out = String::with_capacity(input.len().saturating_mul(3));
    wbxml_to_xml_into(input, options, &mut out)?;
    Ok(out)
}

/// Converts a WBXML document to XML, appending to `out` (whose capacity is reused). On error
/// `out` is left as it was.
pub fn wbxml_to_xml_into(
    input: &[u8],
    options: &ToXmlOptions,
    out: &mut String,
) -> Result<(), Error> {
    let start = out.len();
    let result = write_document(input, 0, options, Placement::top(options), out);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

/// Converts a WBXML document to XML as UTF-8 bytes, appending to `out` (whose capacity is
/// reused). On error `out` is left as it was.
///
/// It appends what [`wbxml_to_xml_into`] appends, and is for callers that write the XML
/// out as bytes: each piece is valid UTF-8 as it is written (markup from the code pages,
/// strings checked one by one, opaque data found to be printable ASCII as it is copied), so
/// it saves the check of the whole output that making a `String` takes.
///
/// ```
/// let wbxml = [0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01];
/// let opts = wbxml::transcode::ToXmlOptions { indent: None, ..Default::default() };
/// let mut xml = Vec::new();
/// wbxml::transcode::wbxml_to_xml_bytes_into(&wbxml, &opts, &mut xml)?;
/// assert!(xml.ends_with(br#"<SyncML xmlns="SYNCML:SYNCML1.2"><Final/></SyncML>"#));
/// # Ok::<(), wbxml::Error>(())
/// ```
pub fn wbxml_to_xml_bytes_into(
    input: &[u8],
    options: &ToXmlOptions,
    out: &mut Vec<u8>,
) -> Result<(), Error> {
    let start = out.len();
    let at = Placement::top(options);
    out.reserve(input.len().saturating_mul(3));
    if fast_bytes(input, options, at, out).is_some() {
        return Ok(());
    }
    out.truncate(start);
    let mut xml = String::new();
    general_document(input, 0, options, at, &mut xml)?;
    out.extend_from_slice(xml.as_bytes());
    Ok(())
}

#[derive(Clone, Copy)]
struct Frame {
    page: u8,
    token: u8,
    has_children: bool,
    has_text: bool,
    /// Whether the `Meta/Type` this element's own `Meta` declares names a nested document
    /// (`None`: it declares none).
    meta_nested: Option<bool>,
    /// Inside an inline `MgmtTree` (SyncML page 2), which the way back reads as a DDF
    /// document.
    in_inline_tree: bool,
}

/// Where a document sits in the output: the top-level one, or one nested in a `Data`.
#[derive(Clone, Copy)]
struct Placement {
    /// Its language, or `None` to take it from its header.
    language: Option<Language>,
    /// How many more levels of elements it may open.
    depth_budget: usize,
    /// The indentation depth it starts at.
    outer_depth: usize,
    /// Whether it gets the XML declaration and DOCTYPE.
    top_level: bool,
}

impl Placement {
    /// The top-level document.
    fn top(options: &ToXmlOptions) -> Self {
        Self {
            language: options.language,
            depth_budget: options.max_depth,
            outer_depth: 0,
            top_level: true,
        }
    }

    /// A document nested `outer_depth` deep, whose language its own header gives.
    fn nested(depth_budget: usize, outer_depth: usize) -> Self {
        Self {
            language: None,
            depth_budget,
            outer_depth,
            top_level: false,
        }
    }
}

/// Writes a document (or a nested one, without the XML declaration), by the fast loop when
/// it can.
fn write_document(
    input: &[u8],
    base: usize,
    options: &ToXmlOptions,
    at: Placement,
    out: &mut String,
) -> Result<(), Error> {
    let start = out.len();
    let fast = fast_document(input, options, at, out);
    if fast.is_some() {
        return Ok(());
    }
    out.truncate(start);
    general_document(input, base, options, at, out)
}

/// Writes a document from the reader's events: every token, every error.
fn general_document(
    input: &[u8],
    base: usize,
    options: &ToXmlOptions,
    at: Placement,
    out: &mut String,
) -> Result<(), Error> {
    let Placement {
        language,
        depth_budget,
        outer_depth,
        top_level,
    } = at;
    let mut reader = Reader::with_options(
        input,
        ReaderOptions {
            language,
            max_depth: depth_budget,
        },
    )
    .map_err(|e| e.shifted(base))?;
    let lang = reader.language().unwrap_or(Language::SyncMl12);
    let newline = |out: &mut String, depth: usize| {
        if let Some(width) = options.indent {
            out.push('\n');
            out.extend(core::iter::repeat_n(' ', width * depth));
        }
    };
    if top_level {
        out.push_str(r#"<?xml version="1.0" encoding="UTF-8"?>"#);
        newline(out, 0);
        out.push_str("<!DOCTYPE ");
        out.push_str(lang.root());
        out.push_str(" PUBLIC \"");
        out.push_str(lang.fpi());
        out.push_str("\" \"");
        out.push_str(lang.dtd_url());
        out.push_str("\">");
    }
    let root_page = lang.root_page();
    let mut stack: Vec<Frame> = Vec::with_capacity(16);
    let mut held_type: Option<HeldType> = None;
    loop {
        let event = reader.next_event().map_err(|e| e.shifted(base))?;
        let offset = base + reader.event_offset();
        if !matches!(event, Event::Str(_) | Event::Entity(_)) {
            if let Some(held) = held_type.take() {
                let bare = governing_meta_type(&mut stack, &held.text);
                out.push_str(bare.unwrap_or(&held.xml));
            }
        }
        match event {
            Event::Start(tag) | Event::Empty(tag) => {
                let is_root = stack.is_empty();
                // Only a DevInf or MgmtTree root makes a nested document (the way back finds
                // nested documents by these names).
                if is_root && !top_level && tag.name != lang.root() {
                    return Err(Error::NotRepresentable {
                        offset,
                        what: "nested document with a foreign root",
                    });
                }
                let inline = stack.last().is_some_and(|f| f.has_text);
                if let Some(parent) = stack.last_mut() {
                    parent.has_children = true;
                }
                if !inline {
                    newline(out, outer_depth + stack.len());
                }
                // The way back reads an inline MgmtTree as a DDF document, where a tag of
                // another page has no token.
                let in_inline_tree = stack.last().is_some_and(|f| f.in_inline_tree)
                    || (tag.page != root_page
                        && lang.is_syncml()
                        && tag.name == Language::DmDdf12.root());
                if stack
                    .last()
                    .is_some_and(|f| f.in_inline_tree && f.page != tag.page)
                {
                    return Err(Error::NotRepresentable {
                        offset,
                        what: "a tag of another code page inside an inline MgmtTree",
                    });
                }
                if tag.is_literal() && !is_xml_name(tag.name) {
                    return Err(Error::InvalidName { offset });
                }
                // The way back finds tags by name in the code pages: a LITERAL whose name
                // is not there could not be converted back, so it has no XML form here.
                if tag.is_literal() && lang.tag_token(tag.name).is_none() {
                    return Err(Error::NotRepresentable {
                        offset,
                        what: "LITERAL tag without a token in the language",
                    });
                }
                out.push('<');
                out.push_str(tag.name);
                if is_root {
                    write_attr(out, "xmlns", lang.namespace());
                } else if tag.page != root_page && !tag.is_literal() {
                    if let Some(page) = lang.page(tag.page) {
                        write_attr(out, "xmlns", page.namespace);
                    }
                }
                // No language here has attribute tokens, and the way back writes none: an
                // attribute (a LITERAL name) could not be brought back, and one named `xmlns`
                // would repeat the namespace written above. Like a LITERAL tag without a
                // token, it has no XML form here.
                if reader.attributes(&tag).next().is_some() {
                    return Err(Error::NotRepresentable {
                        offset,
                        what: "attribute (no language here has attribute tokens)",
                    });
                }
                if matches!(event, Event::Empty(_)) {
                    out.push_str("/>");
                } else {
                    out.push('>');
                    stack.push(Frame {
                        page: tag.page,
                        token: tag.token,
                        has_children: false,
                        has_text: false,
                        meta_nested: None,
                        in_inline_tree,
                    });
                }
            }
            Event::End(tag) => {
                let Some(frame) = stack.pop() else {
                    return Err(Error::UnexpectedToken {
                        offset,
                        token: 0x01,
                    });
                };
                if frame.has_children && !frame.has_text {
                    newline(out, outer_depth + stack.len());
                }
                out.push_str("</");
                out.push_str(tag.name);
                out.push('>');
            }
            Event::Str(text) => {
                if let Some(frame) = stack.last_mut() {
                    frame.has_text = true;
                }
                let (xml, held) = text_sink(
                    out,
                    &mut held_type,
                    lang.is_syncml() && in_meta_type(&stack),
                );
                if let Some(held) = held {
                    held.push_str(text);
                }
                write_text(xml, text, offset)?;
            }
            Event::Entity(code_point) => {
                let c = char::from_u32(code_point)
                    .filter(|&c| is_xml_char(c))
                    .ok_or(Error::InvalidEntity { offset, code_point })?;
                if let Some(frame) = stack.last_mut() {
                    frame.has_text = true;
                }
                let (xml, held) = text_sink(
                    out,
                    &mut held_type,
                    lang.is_syncml() && in_meta_type(&stack),
                );
                if let Some(held) = held {
                    held.push(c);
                }
                write_entity(xml, c, offset)?;
            }
            Event::Opaque(bytes) => {
                let data_start = reader.offset() - bytes.len();
                let in_data = lang.is_syncml()
                    && stack
                        .last()
                        .is_some_and(|f| f.page == syncml::PAGE && f.token == syncml::DATA);
                let typed_nested = in_data
                    && stack
                        .iter()
                        .rev()
                        .skip(1)
                        .find_map(|f| f.meta_nested)
                        .unwrap_or(false);
                let nested = in_data && (typed_nested || sniff_nested(bytes));
                let depth = outer_depth + stack.len();
                if nested {
                    let mark = out.len();
                    let budget = depth_budget.saturating_sub(stack.len());
                    if budget == 0 {
                        return Err(Error::DepthExceeded {
                            offset,
                            limit: options.max_depth,
                        });
                    }
                    match write_document(
                        bytes,
                        base + data_start,
                        options,
                        Placement::nested(budget, depth),
                        out,
                    ) {
                        Ok(()) => {
                            if let Some(frame) = stack.last_mut() {
                                frame.has_children = true;
                            }
                            continue;
                        }
                        Err(err @ Error::DepthExceeded { .. }) => return Err(err),
                        // Like libwbxml, data that only looked nested falls back to opaque text.
                        Err(_) => out.truncate(mark),
                    }
                }
                if let Some(frame) = stack.last_mut() {
                    frame.has_text = true;
                }
                if !cdata_into(out, bytes) {
                    match options.opaque {
                        OpaquePolicy::Error => return Err(Error::OpaqueNotText { offset }),
                        OpaquePolicy::Base64 => base64_into(out, bytes),
                    }
                }
            }
            Event::Pi(pi) => {
                if !is_xml_name(pi.name) || pi.name.eq_ignore_ascii_case("xml") {
                    return Err(Error::InvalidName { offset });
                }
                let mut value = String::new();
                collect_value(&mut value, &pi, offset)?;
                if value.contains("?>") {
                    return Err(Error::NotRepresentable {
                        offset,
                        what: "processing instruction containing '?>'",
                    });
                }
                if stack.last().is_none_or(|f| !f.has_text) {
                    newline(out, outer_depth + stack.len());
                }
                out.push_str("<?");
                out.push_str(pi.name);
                if !value.is_empty() {
                    out.push(' ');
                    out.push_str(&value);
                }
                out.push_str("?>");
            }
            Event::Ext(_) => {
                return Err(Error::NotRepresentable {
                    offset,
                    what: "extension token",
                })
            }
            Event::Eof => break,
        }
    }
    if top_level && options.indent.is_some() {
        out.push('\n');
    }
    Ok(())
}

/// Appends the text of a string token.
#[inline]
fn write_text(out: &mut String, text: &str, offset: usize) -> Result<(), Error> {
    if !text.is_empty()
        && text
            .bytes()
            .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
    {
        // XML readers (ours and libwbxml's) drop whitespace-only text as indentation; as
        // character references it survives the way back.
        for b in text.bytes() {
            out.push_str("&#");
            out.push_str(&b.to_string());
            out.push(';');
        }
        Ok(())
    } else {
        escape_into(out, text, false, offset)
    }
}

/// Writes a character from an ENTITY as element content.
fn write_entity(out: &mut String, c: char, offset: usize) -> Result<(), Error> {
    if c.is_ascii_whitespace() {
        // As for whitespace-only strings: a raw one could be taken for indentation.
        out.push_str("&#");
        out.push_str(&u32::from(c).to_string());
        out.push(';');
        Ok(())
    } else {
        let mut buf = [0u8; 4];
        escape_into(out, c.encode_utf8(&mut buf), false, offset)
    }
}

/// The text of a `Meta/Type` read so far, which may come in several pieces (strings and
/// entities): held back until the element's text ends, since only the whole says whether it
/// names a nested document.
#[derive(Default)]
struct HeldType {
    /// The text itself.
    text: String,
    /// Its XML form, written piece by piece as it would be without the rewrite.
    xml: String,
}

/// Where a piece of text goes: the output, or (`in_meta_type`) the held `Meta/Type`, whose XML
/// form is then the first place and whose text the second.
fn text_sink<'o>(
    out: &'o mut String,
    held: &'o mut Option<HeldType>,
    in_meta_type: bool,
) -> (&'o mut String, Option<&'o mut String>) {
    if !in_meta_type {
        return (out, None);
    }
    let held = held.get_or_insert_with(HeldType::default);
    (&mut held.xml, Some(&mut held.text))
}

/// The deepest nesting [`fast_document`] keeps track of; deeper documents take the general
/// path.
const FAST_DEPTH: usize = 24;

/// An open element of the fast loop.
#[derive(Clone, Copy)]
struct FastFrame {
    page: u8,
    token: u8,
    has_children: bool,
    has_text: bool,
    /// `</Name>`.
    close: &'static Markup,
    /// As [`Frame::meta_nested`].
    meta_nested: Option<bool>,
}

static NO_MARKUP: Markup = Markup::EMPTY;

const NO_FAST_FRAME: FastFrame = FastFrame {
    page: 0,
    token: 0,
    has_children: false,
    has_text: false,
    close: &NO_MARKUP,
    meta_nested: None,
};

/// The common document in one loop over the tokens, without building reader events: tags
/// of the code pages without attributes, inline strings and opaque data. Anything else, and
/// every error, gives `None` with `out` as it was; the caller then converts the document
/// again through the reader, which writes the same bytes for what this handles and reports
/// the exact error.
fn fast_document(
    input: &[u8],
    options: &ToXmlOptions,
    at: Placement,
    out: &mut String,
) -> Option<()> {
    if !out.is_empty() {
        // Validating the whole buffer at the end would go over what was there before again.
        let mut buf = Vec::with_capacity(input.len().saturating_mul(3));
        fast_bytes(input, options, at, &mut buf)?;
        out.push_str(core::str::from_utf8(&buf).ok()?);
        return Some(());
    }
    // The bytes are UTF-8 by construction, but only a check makes them a `String` without
    // unsafe code: one pass over the whole output, which the bytes API saves.
    let mut buf = core::mem::take(out).into_bytes();
    buf.reserve(input.len().saturating_mul(3));
    let done = fast_bytes(input, options, at, &mut buf);
    if done.is_none() {
        buf.clear();
    }
    match String::from_utf8(buf) {
        Ok(xml) => {
            *out = xml;
            done
        }
        Err(err) => {
            let mut buf = err.into_bytes();
            buf.clear();
            *out = String::from_utf8(buf).unwrap_or_default();
            None
        }
    }
}

/// [`fast_document`] into bytes. Everything it appends is valid UTF-8: static markup and
/// names, strings checked one by one, and opaque data that is printable ASCII or checked.
fn fast_bytes(
    input: &[u8],
    options: &ToXmlOptions,
    at: Placement,
    out: &mut Vec<u8>,
) -> Option<()> {
    // What an element holds (children, text) only decides where indentation goes: one line
    // needs none of it, and a loop of its own keeps that bookkeeping out of its way.
    if options.indent.is_some() {
        fast_bytes_as::<true>(input, options, at, out)
    } else {
        fast_bytes_as::<false>(input, options, at, out)
    }
}

/// [`fast_bytes`], with or without indentation (`INDENT` is `options.indent.is_some()`).
fn fast_bytes_as<const INDENT: bool>(
    input: &[u8],
    options: &ToXmlOptions,
    at: Placement,
    out: &mut Vec<u8>,
) -> Option<()> {
    let Placement {
        language,
        depth_budget,
        outer_depth,
        top_level,
    } = at;
    let header = Header::parse(input).ok()?;
    let lang = match language {
        Some(lang) => lang,
        None => detect_language(input, &header).ok()?,
    };
    let newline = |out: &mut Vec<u8>, depth: usize| {
        if let (true, Some(width)) = (INDENT, options.indent) {
            out.push(b'\n');
            out.resize(out.len() + width * depth, b' ');
        }
    };
    if top_level {
        out.extend_from_slice(br#"<?xml version="1.0" encoding="UTF-8"?>"#);
        newline(out, 0);
        out.extend_from_slice(doctype(lang));
    }
    let root_page = lang.root_page();
    let syncml = lang.is_syncml();
    let max_depth = depth_budget.min(FAST_DEPTH);
    let mut stack = [NO_FAST_FRAME; FAST_DEPTH];
    let mut depth: usize = 0;
    let mut pos = header.body_offset;
    let mut page = 0;
    let mut table = lang.page(0);
    'tokens: loop {
        // The common run without indentation: tags of the root page inside the root, their
        // leaves and their ends, in a loop of their own that the rare tokens stay out of.
        if let (false, Some(root), true) = (INDENT, table, depth > 0 && page == root_page) {
            loop {
                let byte = *input.get(pos)?;
                if byte == g::END {
                    depth -= 1;
                    stack.get(depth)?.close.append_to(out);
                    pos += 1;
                    if depth == 0 {
                        break 'tokens;
                    }
                    continue;
                }
                let token = byte & g::TAG_MASK;
                if token <= g::LITERAL || byte & g::HAS_ATTRIBUTES != 0 {
                    break;
                }
                let markup = root.markup(token)?;
                pos += 1;
                if byte & g::HAS_CONTENT == 0 {
                    markup.empty.append_to(out);
                    continue;
                }
                if depth >= max_depth {
                    return None;
                }
                markup.open.append_to(out);
                if let Some(end) = write_leaf(out, input, pos, &markup.close)? {
                    pos = end;
                    continue;
                }
                depth = push_frame(&mut stack, depth, (page, token), &markup.close)?;
            }
        }
        let byte = *input.get(pos)?;
        if byte & g::TAG_MASK > g::LITERAL {
            if byte & g::HAS_ATTRIBUTES != 0 {
                return None;
            }
            let token = byte & g::TAG_MASK;
            let page_table = table?;
            let markup = page_table.markup(token)?;
            pos += 1;
            // An inline MgmtTree has rules of its own, and a nested document must have the
            // root of its language: the general path applies them.
            if depth == 0 || page != root_page {
                let name = page_table.name(token)?;
                if (page != root_page && syncml && name == Language::DmDdf12.root())
                    || (depth == 0 && !top_level && name != lang.root())
                {
                    return None;
                }
            }
            if INDENT {
                let parent = depth.checked_sub(1).and_then(|i| stack.get_mut(i));
                let inline = parent.as_ref().is_some_and(|f| f.has_text);
                if let Some(parent) = parent {
                    parent.has_children = true;
                }
                if !inline {
                    newline(out, outer_depth + depth);
                }
            }
            let content = byte & g::HAS_CONTENT != 0;
            if depth == 0 {
                markup.open.append_cut(out, 1);
                out.extend_from_slice(b" xmlns=\"");
                out.extend_from_slice(lang.namespace().as_bytes());
                out.extend_from_slice(if content { b"\">" } else { b"\"/>" });
            } else if page != root_page {
                markup.open.append_cut(out, 1);
                let [open, empty] = &page_table.xmlns;
                if content { open } else { empty }.append_to(out);
            } else if content {
                markup.open.append_to(out);
            } else {
                markup.empty.append_to(out);
            }
            if !content {
                if depth == 0 {
                    break;
                }
            } else {
                if depth >= max_depth {
                    return None;
                }
                // A leaf of one inline string, `<Name>text</Name>`, is the most common
                // element of a DM message: written whole, without a frame. A MetInf `Type`
                // is left to the STR_I arm below, which may have to rewrite its text.
                let meta_type = syncml && page == metinf::PAGE && token == metinf::TYPE;
                if depth > 0 && !meta_type {
                    if let Some(end) = write_leaf(out, input, pos, &markup.close)? {
                        pos = end;
                        continue;
                    }
                }
                depth = push_frame(&mut stack, depth, (page, token), &markup.close)?;
            }
            continue;
        }
        // Before the root only a code page switch may come here.
        if depth == 0 && byte != g::SWITCH_PAGE {
            return None;
        }
        match byte {
            g::SWITCH_PAGE => {
                let next = *input.get(pos + 1)?;
                table = Some(lang.page(next)?);
                page = next;
                pos += 2;
            }
            g::END => {
                depth -= 1;
                let frame = stack.get(depth)?;
                if INDENT && frame.has_children && !frame.has_text {
                    newline(out, outer_depth + depth);
                }
                frame.close.append_to(out);
                pos += 1;
                if depth == 0 {
                    break;
                }
            }
            g::STR_I => {
                let rest = input.get(pos + 1..)?;
                let (len, plain) = find_nul_plain(rest)?;
                let text = rest.get(..len)?;
                pos += len + 2;
                let frames = stack.get_mut(..depth)?;
                let frame = frames.last_mut()?;
                frame.has_text |= INDENT;
                // Only the text of a MetInf Type can be a `Meta/Type`.
                if frame.token == metinf::TYPE && frame.page == metinf::PAGE && syncml {
                    // A type in more than one piece is read whole by the general path.
                    if input.get(pos) != Some(&g::END) && in_meta_type(frames) {
                        return None;
                    }
                    let text = core::str::from_utf8(text).ok()?;
                    let text = governing_meta_type(frames, text).unwrap_or(text);
                    write_text_bytes(out, text.as_bytes())?;
                } else if plain && text.first() != Some(&b' ') {
                    // Not whitespace only, nothing to escape, and ASCII.
                    append_prefix(out, rest, len);
                } else {
                    write_text_bytes(out, text)?;
                }
            }
            g::OPAQUE => {
                let (len, start) = crate::mb::read(input, pos + 1).ok()?;
                let end = usize::try_from(len)
                    .ok()
                    .and_then(|len| start.checked_add(len))
                    .filter(|&end| end <= input.len())?;
                let bytes = input.get(start..end)?;
                pos = end;
                let frames = stack.get_mut(..depth)?;
                let in_data = syncml
                    && frames
                        .last()
                        .is_some_and(|f| f.page == syncml::PAGE && f.token == syncml::DATA);
                if in_data {
                    let typed_nested = frames
                        .iter()
                        .rev()
                        .skip(1)
                        .find_map(|f| f.meta_nested)
                        .unwrap_or(false);
                    if typed_nested || sniff_nested(bytes) {
                        let budget = depth_budget.saturating_sub(depth);
                        if budget == 0 {
                            return None;
                        }
                        // A nested document the fast loop declines (even one that only
                        // looks nested) sends the whole document to the general path.
                        fast_bytes(
                            bytes,
                            options,
                            Placement::nested(budget, outer_depth + depth),
                            out,
                        )?;
                        if let (true, Some(frame)) = (INDENT, frames.last_mut()) {
                            frame.has_children = true;
                        }
                        continue;
                    }
                }
                if let (true, Some(frame)) = (INDENT, frames.last_mut()) {
                    frame.has_text = true;
                }
                cdata_bytes_into(out, bytes)?;
            }
            _ => return None,
        }
    }
    // Whatever follows the root (a processing instruction, or an error) is the general
    // path's business.
    if pos != input.len() {
        return None;
    }
    if top_level && INDENT {
        out.push(b'\n');
    }
    Some(())
}

/// The most bytes of a DOCTYPE declaration.
const DOCTYPE: usize = 160;

/// `<!DOCTYPE Root PUBLIC "fpi" "url">` of `lang`, built at compile time: one copy per
/// document instead of seven appends.
fn doctype(lang: Language) -> &'static [u8] {
    const fn build(lang: Language) -> ([u8; DOCTYPE], usize) {
        crate::tokens::concat::<DOCTYPE>(&[
            b"<!DOCTYPE ".as_slice(),
            lang.root().as_bytes(),
            b" PUBLIC \"",
            lang.fpi().as_bytes(),
            b"\" \"",
            lang.dtd_url().as_bytes(),
            b"\">",
        ])
    }
    static SYNCML10: ([u8; DOCTYPE], usize) = build(Language::SyncMl10);
    static SYNCML11: ([u8; DOCTYPE], usize) = build(Language::SyncMl11);
    static SYNCML12: ([u8; DOCTYPE], usize) = build(Language::SyncMl12);
    static DEVINF10: ([u8; DOCTYPE], usize) = build(Language::DevInf10);
    static DEVINF11: ([u8; DOCTYPE], usize) = build(Language::DevInf11);
    static DEVINF12: ([u8; DOCTYPE], usize) = build(Language::DevInf12);
    static DMDDF12: ([u8; DOCTYPE], usize) = build(Language::DmDdf12);
    let (bytes, len) = match lang {
        Language::SyncMl10 => &SYNCML10,
        Language::SyncMl11 => &SYNCML11,
        Language::SyncMl12 => &SYNCML12,
        Language::DevInf10 => &DEVINF10,
        Language::DevInf11 => &DEVINF11,
        Language::DevInf12 => &DEVINF12,
        Language::DmDdf12 => &DMDDF12,
    };
    bytes.get(..*len).unwrap_or_default()
}

/// [`write_text`] for the fast loop, as bytes; `None` where it fails or `text` is not
/// UTF-8.
#[inline]
fn write_text_bytes(out: &mut Vec<u8>, text: &[u8]) -> Option<()> {
    let is_space = |b: &u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    if text.first().is_some_and(is_space) && text.iter().all(is_space) {
        for &b in text {
            out.extend_from_slice(match b {
                b' ' => b"&#32;",
                b'\t' => b"&#9;",
                b'\n' => b"&#10;",
                _ => b"&#13;",
            });
        }
        return Some(());
    }
    escape_bytes_into(out, text)
}

/// Opens an element with content at `depth` of the fast loop: the depth inside it.
#[inline(always)]
fn push_frame(
    stack: &mut [FastFrame],
    depth: usize,
    (page, token): (u8, u8),
    close: &'static Markup,
) -> Option<usize> {
    *stack.get_mut(depth)? = FastFrame {
        page,
        token,
        close,
        ..NO_FAST_FRAME
    };
    Some(depth + 1)
}

/// The rest of a leaf of one inline string, `<Name>text</Name>`, whose start tag was just
/// written and whose content starts at `at`: the text and `close` are written and the
/// position after the leaf's END given; `Some(None)`, with nothing written, where the
/// content is anything else.
#[inline(always)]
fn write_leaf(out: &mut Vec<u8>, input: &[u8], at: usize, close: &Markup) -> Option<Option<usize>> {
    if input.get(at) != Some(&g::STR_I) {
        return Some(None);
    }
    let rest = input.get(at + 1..)?;
    let (len, plain) = find_nul_plain(rest)?;
    if input.get(at + len + 2) != Some(&g::END) {
        return Some(None);
    }
    let text = rest.get(..len)?;
    if plain && text.first() != Some(&b' ') {
        append_prefix(out, rest, len);
    } else {
        write_text_bytes(out, text)?;
    }
    close.append_to(out);
    Some(Some(at + len + 3))
}

/// Appends the first `len` bytes of `window`: when they are few, by copying a fixed-size
/// block and cutting it (a few stores instead of a call to `memcpy`).
#[inline(always)]
fn append_prefix(out: &mut Vec<u8>, window: &[u8], len: usize) {
    #[inline(always)]
    fn block<const N: usize>(out: &mut Vec<u8>, window: &[u8], len: usize) -> bool {
        match window.first_chunk::<N>() {
            Some(block) if len <= N => {
                let end = out.len() + len;
                out.extend_from_slice(block);
                out.truncate(end);
                true
            }
            _ => false,
        }
    }
    if !block::<32>(out, window, len) && !block::<64>(out, window, len) {
        out.extend_from_slice(window.get(..len).unwrap_or_default());
    }
}

/// The index of the first NUL in `bytes`, and whether the bytes before it are known to be
/// printable ASCII without `<`, `>`, `&` or `"` (text that goes out as it is). Eight bytes
/// at a time for the short strings of DM messages; past them `memchr`, and the caller's
/// full check of the text.
#[inline(always)]
fn find_nul_plain(bytes: &[u8]) -> Option<(usize, bool)> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const SHORT: usize = 64;
    // The classic "has a zero byte" test: exact about whether there is one, and its lowest
    // flag is the first one (borrows only flag lanes above a zero).
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS;
    let special = |x: u64| {
        // A lane below 0x20 wraps to a set high bit, a lane of 0x80 or more has it already;
        // the borrows of a lane below 0x20 may flag a neighbour, never hide a lane.
        ((x.wrapping_sub(ONES * 0x20) | x) & HIGHS)
            | zero(x ^ (ONES * u64::from(b'<')))
            | zero(x ^ (ONES * u64::from(b'>')))
            | zero(x ^ (ONES * u64::from(b'&')))
            | zero(x ^ (ONES * u64::from(b'"')))
    };
    let head = bytes.get(..SHORT).unwrap_or(bytes);
    let mut words = head.chunks_exact(8);
    let mut at = 0;
    let mut flags = 0;
    for word in &mut words {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(word);
        let x = u64::from_le_bytes(lanes);
        let nul = zero(x);
        if nul != 0 {
            let lane = nul.trailing_zeros() / 8;
            // The lanes from the NUL on are not text: make them a harmless letter.
            let text = (1u64 << (8 * lane)).wrapping_sub(1);
            let x = (x & text) | ((ONES * u64::from(b'a')) & !text);
            flags |= special(x);
            return Some((at + lane as usize, flags == 0));
        }
        flags |= special(x);
        at += 8;
    }
    if let Some(i) = words.remainder().iter().position(|&b| b == 0) {
        return Some((at + i, false));
    }
    let tail = bytes.get(head.len()..)?;
    memchr::memchr(0, tail).map(|i| (head.len() + i, false))
}

/// What the `Meta/Type` rule needs of an open element, in either conversion loop.
trait OpenElement {
    /// The element's (code page, token).
    fn id(&self) -> (u8, u8);
    /// Where it keeps whether the `Meta/Type` its own `Meta` declares names a nested document.
    fn meta_nested_slot(&mut self) -> &mut Option<bool>;
}

impl OpenElement for Frame {
    fn id(&self) -> (u8, u8) {
        (self.page, self.token)
    }
    fn meta_nested_slot(&mut self) -> &mut Option<bool> {
        &mut self.meta_nested
    }
}

impl OpenElement for FastFrame {
    fn id(&self) -> (u8, u8) {
        (self.page, self.token)
    }
    fn meta_nested_slot(&mut self) -> &mut Option<bool> {
        &mut self.meta_nested
    }
}

/// Whether the innermost open element is a `Meta/Type` (SyncML documents only have one; the
/// caller checks the language).
fn in_meta_type<F: OpenElement>(stack: &[F]) -> bool {
    matches!(stack, [.., meta, ty]
        if ty.id() == (metinf::PAGE, metinf::TYPE) && meta.id() == (syncml::PAGE, syncml::META))
}

/// Records, on the element that owns the `Meta` (an Item or a command), what the whole text
/// of its `Meta/Type` declares, and gives the text to write instead: a nested-document type
/// in either form (padding trimmed) is written bare in its `+xml` form, so that the way back
/// and this direction agree after one round.
fn governing_meta_type<F: OpenElement>(stack: &mut [F], text: &str) -> Option<&'static str> {
    if !in_meta_type(stack) {
        return None;
    }
    let [.., owner, _, _] = stack else {
        return None;
    };
    let xml = nested_type_xml(text);
    *owner.meta_nested_slot() = Some(xml.is_some());
    xml
}

/// Whether opaque bytes start with the header of a DevInf or DDF document.
fn sniff_nested(bytes: &[u8]) -> bool {
    let Ok(header) = Header::parse(bytes) else {
        return false;
    };
    let lang = match header.public_id {
        PublicId::Known(id) => Language::from_public_id(id),
        PublicId::Fpi(fpi) => Language::from_fpi(fpi),
    };
    matches!(
        lang,
        Some(Language::DevInf10 | Language::DevInf11 | Language::DevInf12 | Language::DmDdf12)
    )
}

fn write_attr(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    out.push_str(value);
    out.push('"');
}

fn collect_value(value: &mut String, attr: &Attribute<'_>, offset: usize) -> Result<(), Error> {
    for part in attr.value() {
        match part {
            ValuePart::Str(s) => value.push_str(s),
            ValuePart::Entity(code_point) => value.push(
                char::from_u32(code_point)
                    .filter(|&c| is_xml_char(c))
                    .ok_or(Error::InvalidEntity { offset, code_point })?,
            ),
            ValuePart::Ext(_) => {
                return Err(Error::NotRepresentable {
                    offset,
                    what: "extension token",
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// WBXML documents: the fuzz corpora, and the test XML files converted.
    fn documents() -> Vec<Vec<u8>> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut docs = Vec::new();
        for dir in [
            "wbxml_to_xml",
            "wbxml_read",
            "syncml_wbxml_decode",
            "tnds_parse",
        ] {
            let dir = root.join("../fuzz/corpus").join(dir);
            for entry in std::fs::read_dir(dir).unwrap() {
                docs.push(std::fs::read(entry.unwrap().path()).unwrap());
            }
        }
        for entry in std::fs::read_dir(root.join("tests/data")).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "xml") {
                let xml = std::fs::read(path).unwrap();
                docs.push(super::super::xml_to_wbxml(&xml, &Default::default()).unwrap());
            }
        }
        docs
    }

    /// Whatever the fast loop writes, the general path writes too; what it declines, the
    /// general path handles (errors included).
    fn same_as_general(input: &[u8], options: &ToXmlOptions) -> bool {
        let mut taken = false;
        // The top-level document, and the same bytes as a nested one.
        for (outer_depth, top_level) in [(0, true), (3, false)] {
            let budget = options.max_depth.saturating_sub(outer_depth);
            // Output already there takes another way through the fast loop.
            let prefix = if top_level { "" } else { "é" };
            let mut fast = String::from(prefix);
            let language = options.language.filter(|_| top_level);
            let at = Placement {
                language,
                depth_budget: budget,
                outer_depth,
                top_level,
            };
            // The bytes the fast loop writes are UTF-8 without a check of the whole output.
            let mut bytes = prefix.as_bytes().to_vec();
            let fast_bytes_done = fast_bytes(input, options, at, &mut bytes).is_some();
            if fast_bytes_done {
                assert!(core::str::from_utf8(&bytes).is_ok(), "{input:02X?}");
            }
            if fast_document(input, options, at, &mut fast).is_none() {
                assert!(!fast_bytes_done, "{input:02X?}");
                continue;
            }
            assert_eq!(fast.as_bytes(), bytes, "{input:02X?}");
            taken |= top_level;
            let mut general = String::from(prefix);
            let result = general_document(input, 0, options, at, &mut general);
            assert_eq!(result, Ok(()), "{input:02X?}");
            assert_eq!(fast, general, "{input:02X?}");
        }
        taken
    }

    /// The bytes API appends what the `String` API appends, or fails the same way and
    /// leaves the output as it was; what it appends is UTF-8.
    fn bytes_as_string(input: &[u8], options: &ToXmlOptions) {
        let mut text = String::from("é");
        let text_result = wbxml_to_xml_into(input, options, &mut text);
        // Output already there, or not, by turns (to keep the test quick).
        let prefix = if input.len() % 2 == 0 { "" } else { "é" };
        {
            let mut bytes = prefix.as_bytes().to_vec();
            let result = wbxml_to_xml_bytes_into(input, options, &mut bytes);
            assert_eq!(result, text_result, "{input:02X?}");
            let written = bytes.get(prefix.len()..).unwrap();
            assert!(core::str::from_utf8(written).is_ok(), "{input:02X?}");
            assert_eq!(written, text.get("é".len()..).unwrap().as_bytes());
        }
    }

    #[test]
    fn doctype_is_built_from_the_language() {
        for lang in [
            Language::SyncMl10,
            Language::SyncMl11,
            Language::SyncMl12,
            Language::DevInf10,
            Language::DevInf11,
            Language::DevInf12,
            Language::DmDdf12,
        ] {
            let expected = format!(
                "<!DOCTYPE {} PUBLIC \"{}\" \"{}\">",
                lang.root(),
                lang.fpi(),
                lang.dtd_url()
            );
            assert_eq!(doctype(lang), expected.as_bytes());
        }
    }

    #[test]
    fn string_scan_finds_the_nul_and_flags_what_is_not_plain() {
        let every_byte: Vec<[u8; 1]> = (1..=u8::MAX).map(|b| [b]).collect();
        // Past the 64 bytes scanned a word at a time; every place in text under 48 bytes,
        // the places next to word and block edges in longer text.
        for len in 0..80 {
            let places: Vec<usize> = if len < 48 {
                (0..=len).collect()
            } else {
                [0, 1, 7, 8, 9, 31, 32, 33, 55, 56, 63, 64, len - 1, len]
                    .into_iter()
                    .filter(|&at| at <= len)
                    .collect()
            };
            for special in every_byte.iter().map(|b| &b[..]).chain([&b"\xC3\xA9"[..]]) {
                for &at in &places {
                    for after in [
                        &b""[..],
                        b"x",
                        b"<<<<<<<<",
                        b"\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF\xFF",
                        &[b'x'; 64],
                    ] {
                        let mut bytes = b"Az09./:-".repeat(len / 8 + 1);
                        bytes.truncate(len);
                        bytes.splice(at..at, special.iter().copied());
                        let text_len = bytes.len();
                        bytes.push(0);
                        bytes.extend_from_slice(after);
                        let (nul, plain) = find_nul_plain(&bytes).unwrap();
                        assert_eq!(nul, text_len, "{bytes:?}");
                        let text = &bytes[..nul];
                        let really_plain = text
                            .iter()
                            .all(|&b| (0x20..=0x7F).contains(&b) && !b"<>&\"".contains(&b));
                        // Plain is never claimed wrongly, and short text is found plain.
                        assert!(!plain || really_plain, "{bytes:?}");
                        if nul < 64 && bytes.len() >= 64 {
                            assert_eq!(plain, really_plain, "{bytes:?}");
                        }
                    }
                }
            }
        }
        assert_eq!(find_nul_plain(b"abc"), None);
        assert_eq!(find_nul_plain(b""), None);
        assert_eq!(find_nul_plain(&[b'a'; 100]), None);
    }

    /// The shared corpus (large opaque data included), cut and flipped at a few hundred
    /// places each.
    #[test]
    fn fast_loop_and_bytes_api_agree_on_the_shared_corpus() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        let Ok(entries) = std::fs::read_dir(root.join("dm12")) else {
            return;
        };
        let mut docs: Vec<Vec<u8>> = entries
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "wbxml"))
            .map(|p| std::fs::read(p).unwrap())
            .collect();
        docs.sort();
        assert_eq!(docs.len(), 16);
        for indent in [None, Some(2)] {
            let options = ToXmlOptions {
                indent,
                ..Default::default()
            };
            for doc in &docs {
                assert!(same_as_general(doc, &options));
                bytes_as_string(doc, &options);
                let step = (doc.len() / 60).max(1);
                for at in (0..doc.len()).step_by(step) {
                    same_as_general(doc.get(..at).unwrap(), &options);
                    bytes_as_string(doc.get(..at).unwrap(), &options);
                    for flip in [0x01, 0x40, 0x80] {
                        let mut bad = doc.clone();
                        bad[at] ^= flip;
                        same_as_general(&bad, &options);
                        bytes_as_string(&bad, &options);
                    }
                }
            }
        }
    }

    #[test]
    fn fast_loop_writes_what_the_general_path_writes() {
        let docs = documents();
        assert!(docs.len() > 20);
        let mut taken = 0;
        for indent in [None, Some(2)] {
            for max_depth in [DEFAULT_MAX_DEPTH, 3] {
                let options = ToXmlOptions {
                    indent,
                    max_depth,
                    opaque: OpaquePolicy::Base64,
                    ..Default::default()
                };
                // The bytes API differs from the `String` one by the writing only, not by
                // the depth: one depth is enough for it.
                let bytes_too = max_depth == DEFAULT_MAX_DEPTH;
                let check = |input: &[u8]| {
                    let taken = same_as_general(input, &options);
                    if bytes_too {
                        bytes_as_string(input, &options);
                    }
                    taken
                };
                for doc in &docs {
                    taken += usize::from(check(doc));
                    for cut in 0..doc.len() {
                        check(doc.get(..cut).unwrap());
                    }
                    for at in 0..doc.len() {
                        for flip in [0x01, 0x80] {
                            let mut bad = doc.clone();
                            bad[at] ^= flip;
                            check(&bad);
                        }
                    }
                }
            }
        }
        assert!(taken > docs.len(), "the fast loop is hardly used: {taken}");
        // Bytes that are not UTF-8 in a string, alone or next to text that is.
        for text in [
            &b"\xE2\x82"[..],
            b"\x82\xAC",
            b"a\xFF",
            b"\xC0\xAF",
            b"\xED\xA0\x80x",
        ] {
            let mut doc = b"\x03\xA4\x01\x6A\x00\x6D\x4F\x03".to_vec();
            doc.extend_from_slice(text);
            doc.extend_from_slice(b"\x00\x01\x01");
            assert!(!same_as_general(&doc, &ToXmlOptions::default()));
            bytes_as_string(&doc, &ToXmlOptions::default());
        }
        // A character split over two strings is two invalid strings, not one valid text.
        let split = b"\x03\xA4\x01\x6A\x00\x6D\x4F\x03a\xE2\x82\x00\x03\xACb\x00\x01\x01";
        assert!(!same_as_general(split, &ToXmlOptions::default()));
        let whole = b"\x03\xA4\x01\x6A\x00\x6D\x4F\x03a\xE2\x82\xAC\x00\x03b\x00\x01\x01";
        assert!(same_as_general(whole, &ToXmlOptions::default()));
    }
}
