//! Decode and encode errors: what went wrong, at which byte and under which element.

/// What went wrong while decoding.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeErrorKind {
    /// The XML is not well-formed.
    #[error("XML syntax error: {0}")]
    Xml(String),
    /// The WBXML is not well-formed.
    #[error("WBXML error: {0}")]
    Wbxml(::wbxml::Error),
    /// The input is not UTF-8.
    #[error("invalid UTF-8")]
    InvalidUtf8,
    /// A nested DevInf/DDF/TNDS document that does not convert to the other encoding.
    #[error("invalid nested document: {0}")]
    InvalidNested(String),
    /// Text with a character XML cannot carry (a control character other than tab, CR and
    /// LF, or U+FFFE/U+FFFF): refused in both encodings so every message converts.
    #[error("text with a character XML cannot carry")]
    InvalidChar,
    /// The document is not a SyncML message (wrong root or WBXML language).
    #[error("not a SyncML message: {0}")]
    NotSyncMl(String),
    /// A namespace declaration with a value this element cannot have.
    #[error("unexpected namespace '{0}'")]
    Namespace(String),
    /// An element that cannot appear here.
    #[error("unexpected element <{0}>")]
    UnexpectedElement(String),
    /// An element SyncML defines but DM forbids here (Archive, Lang, Map, Put, Search, Sync,
    /// Cred outside SyncHdr, Get or Atomic inside Atomic, …).
    #[error("<{0}> is not allowed in DM here")]
    Forbidden(String),
    /// A child element that may occur once occurred twice.
    #[error("duplicate <{0}>")]
    Duplicate(&'static str),
    /// A required child element is absent.
    #[error("missing <{0}>")]
    Missing(&'static str),
    /// Text where only elements may appear.
    #[error("unexpected text")]
    UnexpectedText,
    /// OPAQUE data where only text may appear.
    #[error("unexpected opaque data")]
    UnexpectedOpaque,
    /// A value that must be a number is not.
    #[error("invalid number '{0}'")]
    InvalidNumber(String),
    /// An entity other than the five predefined ones, or a bad character reference.
    #[error("unknown or invalid entity '&{0};'")]
    Entity(String),
    /// The document ended early.
    #[error("unexpected end of input")]
    UnexpectedEof,
    /// Content after the root element.
    #[error("content after the root element")]
    TrailingContent,
    /// A limit of [`crate::Limits`] was exceeded.
    #[error("limit exceeded: {0}")]
    Limit(&'static str),
}

/// A decoding error with its byte offset and the path of the element being decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// What went wrong.
    pub kind: DecodeErrorKind,
    /// Byte offset in the input where it was noticed.
    pub offset: usize,
    /// The element path, e.g. `SyncML/SyncBody/Atomic/Get`.
    pub path: String,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            // The WBXML error already says where.
            DecodeErrorKind::Wbxml(e) => write!(f, "WBXML error: {e} (in {})", self.path),
            kind => write!(f, "{kind} at byte {} (in {})", self.offset, self.path),
        }
    }
}

impl std::error::Error for DecodeError {}

impl DecodeError {
    /// An error without a path (the path is filled in by the decoder).
    pub(crate) fn new(kind: DecodeErrorKind, offset: usize) -> Self {
        Self {
            kind,
            offset,
            path: String::new(),
        }
    }
}

/// A decode error as the decoder passes it around: boxed, so that every `Result` on the hot
/// path stays as small as its `Ok` value (events, short strings) instead of 72 bytes.
pub(crate) type Fail = Box<DecodeError>;

/// A [`Fail`] of `kind` at `offset`.
#[cold]
pub(crate) fn fail(kind: DecodeErrorKind, offset: usize) -> Fail {
    Box::new(DecodeError::new(kind, offset))
}

/// Why a message could not be encoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// Text contains a character XML 1.0 cannot carry, or NUL (WBXML).
    #[error("{0} contains a character that cannot be encoded")]
    InvalidChar(&'static str),
    /// Opaque data is not UTF-8 text, so XML cannot carry it as CDATA (send it as `b64`).
    #[error("opaque data is not UTF-8 and cannot be written as XML CDATA")]
    OpaqueNotText,
    /// A nested document could not be converted.
    #[error("nested document: {0}")]
    Nested(::wbxml::Error),
    /// A WBXML writer error.
    #[error("WBXML: {0}")]
    Wbxml(::wbxml::Error),
    /// The message is larger than the allowed maximum (the peer's MaxMsgSize).
    #[error("encoded message is {size} bytes, more than the maximum {max}")]
    TooLarge {
        /// The encoded size.
        size: usize,
        /// The maximum.
        max: usize,
    },
}
