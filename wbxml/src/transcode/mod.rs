//! Streaming XML ↔ WBXML conversion, without building a tree.
//!
//! Both directions follow libwbxml where it is right and the project's decisions where it is
//! not (see the crate documentation): nested DevInf, DDF and TNDS documents travel in
//! `<Data>` as OPAQUE holding a WBXML document of their own; the three nested-document MIME
//! types are rewritten between `+xml` and `+wbxml` inside `Meta/Type` only; CDATA becomes
//! OPAQUE; text stays STR_I.

mod escape;
mod to_wbxml;
mod to_xml;

pub use escape::is_xml_text;
pub use to_wbxml::{xml_to_wbxml, xml_to_wbxml_into, ToWbxmlOptions};
pub use to_xml::{
    wbxml_to_xml, wbxml_to_xml_bytes_into, wbxml_to_xml_into, OpaquePolicy, ToXmlOptions,
};

/// The MIME types of nested documents, as `(XML form, WBXML form)`.
pub const NESTED_TYPES: [(&str, &str); 3] = [
    (
        "application/vnd.syncml-devinf+xml",
        "application/vnd.syncml-devinf+wbxml",
    ),
    (
        "application/vnd.syncml.dmtnds+xml",
        "application/vnd.syncml.dmtnds+wbxml",
    ),
    (
        "application/vnd.syncml.dmddf+xml",
        "application/vnd.syncml.dmddf+wbxml",
    ),
];

/// The XML form of a nested-document `+wbxml` type, if `text` (trimmed) is one.
pub(crate) fn type_to_xml(text: &str) -> Option<&'static str> {
    let t = text.trim();
    NESTED_TYPES.iter().find(|(_, w)| *w == t).map(|(x, _)| *x)
}

/// The WBXML form of a nested-document `+xml` type, if `text` (trimmed) is one.
pub(crate) fn type_to_wbxml(text: &str) -> Option<&'static str> {
    let t = text.trim();
    NESTED_TYPES.iter().find(|(x, _)| *x == t).map(|(_, w)| *w)
}

/// Whether `text` (trimmed) names a nested document in either form.
pub(crate) fn is_nested_type(text: &str) -> bool {
    type_to_xml(text).is_some() || type_to_wbxml(text).is_some()
}

/// Whether the input looks like XML: its first non-whitespace byte is `<`, or it starts
/// with a byte-order mark. Anything else is taken as WBXML.
pub fn looks_like_xml(input: &[u8]) -> bool {
    if input.starts_with(&[0xEF, 0xBB, 0xBF])
        || input.starts_with(&[0xFF, 0xFE])
        || input.starts_with(&[0xFE, 0xFF])
    {
        return true;
    }
    input
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'<')
}
