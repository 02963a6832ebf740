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

pub use escape::{find_markup, is_xml_text};
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

/// `text` without surrounding whitespace: as `str::trim`, which decodes characters, only
/// when an end is not a printable ASCII character (no whitespace can end there then).
#[inline]
fn trimmed(text: &str) -> &str {
    let solid = |b: Option<&u8>| b.is_some_and(|&b| (0x21..0x80).contains(&b));
    let bytes = text.as_bytes();
    if solid(bytes.first()) && solid(bytes.last()) {
        text
    } else {
        text.trim()
    }
}

/// The nested-document type `text` (trimmed) names in either form, as `(XML form, WBXML form)`.
fn nested_type(text: &str) -> Option<(&'static str, &'static str)> {
    let t = trimmed(text);
    NESTED_TYPES
        .iter()
        .find(|(x, w)| *x == t || *w == t)
        .copied()
}

/// The `+xml` form of the nested-document type `text` (trimmed) names in either form.
///
/// ```
/// use wbxml::transcode::nested_type_xml;
/// let xml = Some("application/vnd.syncml.dmtnds+xml");
/// assert_eq!(nested_type_xml(" application/vnd.syncml.dmtnds+wbxml\n"), xml);
/// assert_eq!(nested_type_xml("text/plain"), None);
/// ```
pub fn nested_type_xml(text: &str) -> Option<&'static str> {
    nested_type(text).map(|(x, _)| x)
}

/// The `+wbxml` form of the nested-document type `text` (trimmed) names in either form.
pub fn nested_type_wbxml(text: &str) -> Option<&'static str> {
    nested_type(text).map(|(_, w)| w)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_skips_only_what_cannot_be_whitespace() {
        for text in [
            "a",
            " a",
            "a ",
            "\ta\n",
            "\u{A0}a\u{3000}",
            "\u{85}a",
            "é",
            "",
            " ",
            "a b",
            "\u{7F}",
        ] {
            assert_eq!(trimmed(text), text.trim(), "{text:?}");
        }
        let xml = "application/vnd.syncml.dmddf+xml";
        let wbxml = "application/vnd.syncml.dmddf+wbxml";
        for pad in ["", " ", "\u{2003}", "\r\n"] {
            for either in [xml, wbxml] {
                assert_eq!(nested_type_xml(&format!("{pad}{either}{pad}")), Some(xml));
                assert_eq!(nested_type_wbxml(&format!("{pad}{either}")), Some(wbxml));
            }
        }
        assert_eq!(nested_type_xml("application/zip"), None);
        assert_eq!(nested_type_wbxml("application/vnd.syncml.dmddf"), None);
    }
}
