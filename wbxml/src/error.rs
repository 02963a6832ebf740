//! The one error type of the crate: every variant says where in the input it happened.

/// A WBXML or XML input that could not be read, or a document that cannot be written.
///
/// Every variant carries the byte offset in the input where the problem was found
/// ([`Error::offset`]); for a nested document this is the offset in the outer input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended in the middle of a token.
    #[error("unexpected end of input at byte {offset}")]
    UnexpectedEof {
        /// Where more input was needed.
        offset: usize,
    },
    /// An mb_u_int32 had more than 5 bytes.
    #[error("mb_u_int32 longer than 5 bytes at byte {offset}")]
    MbUint32TooLong {
        /// Where the integer starts.
        offset: usize,
    },
    /// An mb_u_int32 encoded a value of 2^32 or more.
    #[error("mb_u_int32 value does not fit in 32 bits at byte {offset}")]
    MbUint32Overflow {
        /// Where the integer starts.
        offset: usize,
    },
    /// The charset is not one the zero-copy reader can lend as `&str`.
    #[error("unsupported charset (MIBenum {charset}) at byte {offset}")]
    UnsupportedCharset {
        /// Where the charset field is.
        offset: usize,
        /// The IANA MIBenum.
        charset: u32,
    },
    /// The version byte is not WBXML 1.0 to 1.3.
    #[error("unsupported WBXML version 0x{version:02x} at byte {offset}")]
    UnsupportedVersion {
        /// Where the version byte is.
        offset: usize,
        /// The byte.
        version: u8,
    },
    /// The public id names no language we know, and none was forced.
    #[error("unknown public id {public_id} at byte {offset}")]
    UnknownPublicId {
        /// Where the public id is.
        offset: usize,
        /// A numeric id, or the FPI text.
        public_id: String,
    },
    /// A string-table reference points outside the table.
    #[error("string table index {index} out of range at byte {offset}")]
    InvalidStringTableIndex {
        /// Where the reference is.
        offset: usize,
        /// The index.
        index: u32,
    },
    /// A string has no terminating NUL before the end of its buffer.
    #[error("unterminated string at byte {offset}")]
    UnterminatedString {
        /// Where the string starts.
        offset: usize,
    },
    /// Text that is not valid UTF-8.
    #[error("invalid UTF-8 at byte {offset}")]
    InvalidUtf8 {
        /// Where the text starts.
        offset: usize,
    },
    /// A tag token the code page does not define.
    #[error("unknown tag 0x{token:02x} on code page {page} at byte {offset}")]
    UnknownTag {
        /// Where the tag is.
        offset: usize,
        /// The code page in force.
        page: u8,
        /// The tag bits.
        token: u8,
    },
    /// A SWITCH_PAGE to a code page the language does not have.
    #[error("unknown code page {page} at byte {offset}")]
    UnknownCodePage {
        /// Where the switch is.
        offset: usize,
        /// The page.
        page: u8,
    },
    /// An attribute-start token with no attribute table to resolve it.
    #[error("unknown attribute 0x{token:02x} on code page {page} at byte {offset}")]
    UnknownAttribute {
        /// Where the token is.
        offset: usize,
        /// The attribute code page in force.
        page: u8,
        /// The token.
        token: u8,
    },
    /// A token that is not allowed where it stands (END at the top level, a string before
    /// the root element...).
    #[error("unexpected token 0x{token:02x} at byte {offset}")]
    UnexpectedToken {
        /// Where the token is.
        offset: usize,
        /// The token.
        token: u8,
    },
    /// Bytes after the end of the root element.
    #[error("trailing data after the root element at byte {offset}")]
    TrailingData {
        /// Where the extra bytes start.
        offset: usize,
    },
    /// Elements nested deeper than the configured limit (nested documents count too).
    #[error("nesting deeper than {limit} at byte {offset}")]
    DepthExceeded {
        /// Where the limit was crossed.
        offset: usize,
        /// The limit.
        limit: usize,
    },
    /// A document without a root element.
    #[error("no root element at byte {offset}")]
    NoRootElement {
        /// Where the input ended.
        offset: usize,
    },
    /// An entity whose value is not a Unicode scalar value XML can carry.
    #[error("invalid character entity U+{code_point:X} at byte {offset}")]
    InvalidEntity {
        /// Where the entity is.
        offset: usize,
        /// The code point.
        code_point: u32,
    },
    /// Opaque bytes that XML cannot carry as text (not UTF-8, or control characters), when
    /// the chosen [`OpaquePolicy`](crate::transcode::OpaquePolicy) is `Error`.
    #[error("opaque data is not XML text at byte {offset}")]
    OpaqueNotText {
        /// Where the OPAQUE token is.
        offset: usize,
    },
    /// A string that XML cannot carry (a control character other than tab, CR and LF).
    #[error("text with a character XML cannot carry at byte {offset}")]
    InvalidXmlText {
        /// Where the string is.
        offset: usize,
    },
    /// A WBXML construct that has no XML form (an extension token or an attribute, for
    /// example).
    #[error("{what} has no XML representation at byte {offset}")]
    NotRepresentable {
        /// Where the token is.
        offset: usize,
        /// What it is.
        what: &'static str,
    },
    /// A literal tag or processing-instruction target that is not a valid XML name.
    #[error("invalid XML name at byte {offset}")]
    InvalidName {
        /// Where the name is referenced.
        offset: usize,
    },
    /// Malformed XML.
    #[error("{message} at byte {offset}")]
    Xml {
        /// Where the XML parser stopped.
        offset: usize,
        /// What it found.
        message: String,
    },
    /// An XML element the document's language has no token for.
    #[error("unknown element <{name}> at byte {offset}")]
    UnknownElement {
        /// Where the element starts.
        offset: usize,
        /// Its name.
        name: String,
    },
    /// An XML document whose language cannot be told from its DOCTYPE, namespace or root.
    #[error("unknown XML language (root <{root}>) at byte {offset}")]
    UnknownLanguage {
        /// Where the root element starts.
        offset: usize,
        /// The root element name.
        root: String,
    },
    /// An inline string that contains a NUL byte, which WBXML cannot carry.
    #[error("string with a NUL character at byte {offset}")]
    NulInString {
        /// Where the string is (0 when writing).
        offset: usize,
    },
}

/// The `offset` field of whichever variant `$error` is: `&usize` or `&mut usize`, following
/// how `$error` is borrowed. One list of variants serves both accessors.
macro_rules! offset_field {
    ($error:expr) => {
        match $error {
            Self::UnexpectedEof { offset }
            | Self::MbUint32TooLong { offset }
            | Self::MbUint32Overflow { offset }
            | Self::UnsupportedCharset { offset, .. }
            | Self::UnsupportedVersion { offset, .. }
            | Self::UnknownPublicId { offset, .. }
            | Self::InvalidStringTableIndex { offset, .. }
            | Self::UnterminatedString { offset }
            | Self::InvalidUtf8 { offset }
            | Self::UnknownTag { offset, .. }
            | Self::UnknownCodePage { offset, .. }
            | Self::UnknownAttribute { offset, .. }
            | Self::UnexpectedToken { offset, .. }
            | Self::TrailingData { offset }
            | Self::DepthExceeded { offset, .. }
            | Self::NoRootElement { offset }
            | Self::InvalidEntity { offset, .. }
            | Self::OpaqueNotText { offset }
            | Self::InvalidXmlText { offset }
            | Self::NotRepresentable { offset, .. }
            | Self::InvalidName { offset }
            | Self::Xml { offset, .. }
            | Self::UnknownElement { offset, .. }
            | Self::UnknownLanguage { offset, .. }
            | Self::NulInString { offset } => offset,
        }
    };
}

impl Error {
    /// The byte offset in the input where the problem was found.
    pub fn offset(&self) -> usize {
        *offset_field!(self)
    }

    /// The same error with its offset moved by `base` (for errors inside a nested document).
    #[must_use]
    pub fn shifted(mut self, base: usize) -> Self {
        let offset = offset_field!(&mut self);
        *offset = offset.saturating_add(base);
        self
    }
}
