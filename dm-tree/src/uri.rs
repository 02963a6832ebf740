//! Management-tree URIs (TND §4.1): validation, limits and the `?prop=` / `?list=` suffixes.
//!
//! A [`Uri`] borrows the text it was parsed from: parsing allocates nothing, so a session can
//! validate every `LocURI` of a message without copying it.

use core::fmt;

use crate::status::Status;

/// The URI limits a device advertises in `./DevDetail/URI/{MaxDepth, MaxTotLen, MaxSegLen}`;
/// `0` means unlimited.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UriLimits {
    /// Most segments a URI may have (the root `.` has none).
    pub max_depth: u16,
    /// Most characters of the whole URI, property or list suffix included.
    pub max_tot_len: u16,
    /// Most characters of one segment (and of a new name given with `?prop=Name`).
    pub max_seg_len: u16,
}

impl UriLimits {
    /// No limit at all.
    pub const UNLIMITED: Self = Self {
        max_depth: 0,
        max_tot_len: 0,
        max_seg_len: 0,
    };

    fn exceeded(limit: u16, value: usize) -> bool {
        limit != 0 && value > usize::from(limit)
    }
}

/// Why a URI was refused; [`UriError::status`] gives the DM status code to answer with.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum UriError {
    /// The URI is empty.
    #[error("empty URI")]
    Empty,
    /// The URI ends with `/` (the root is `.`, never `./`).
    #[error("URI ends with '/' at byte {offset}")]
    TrailingSlash {
        /// Byte offset of the slash.
        offset: usize,
    },
    /// A segment is empty (`A//B`, or a leading `/`).
    #[error("empty segment at byte {offset}")]
    EmptySegment {
        /// Byte offset where the segment should start.
        offset: usize,
    },
    /// A `.` or `..` segment anywhere but the leading `./`.
    #[error("'.' or '..' segment at byte {offset}")]
    DotSegment {
        /// Byte offset of the segment.
        offset: usize,
    },
    /// A character outside the segment grammar (RFC 2396 `pchar`, `.`, or non-ASCII UTF-8).
    #[error("invalid character {ch:?} at byte {offset}")]
    InvalidChar {
        /// Byte offset of the character.
        offset: usize,
        /// The character.
        ch: char,
    },
    /// A `%` not followed by two hexadecimal digits.
    #[error("bad percent escape at byte {offset}")]
    BadEscape {
        /// Byte offset of the `%`.
        offset: usize,
    },
    /// More segments than `MaxDepth`.
    #[error("URI depth {depth} exceeds MaxDepth {max}")]
    TooDeep {
        /// Segments in the URI.
        depth: usize,
        /// The limit.
        max: u16,
    },
    /// More characters than `MaxTotLen`.
    #[error("URI length {len} exceeds MaxTotLen {max}")]
    TooLong {
        /// Characters in the URI.
        len: usize,
        /// The limit.
        max: u16,
    },
    /// A segment longer than `MaxSegLen`.
    #[error("segment at byte {offset} has {len} characters, more than MaxSegLen {max}")]
    SegmentTooLong {
        /// Byte offset of the segment.
        offset: usize,
        /// Characters in the segment.
        len: usize,
        /// The limit.
        max: u16,
    },
    /// A query other than `?prop=` or `?list=`.
    #[error("unsupported query at byte {offset}")]
    UnsupportedQuery {
        /// Byte offset of the `?`.
        offset: usize,
    },
    /// `?prop=` names no run-time property.
    #[error("unknown property at byte {offset}")]
    UnknownProperty {
        /// Byte offset of the name.
        offset: usize,
    },
    /// `?list=` names no supported structure, or its filter is malformed.
    #[error("unsupported list request at byte {offset}")]
    UnsupportedList {
        /// Byte offset of the list value.
        offset: usize,
    },
}

impl UriError {
    /// The DM status code for this error: 414 for limits, 406 for unsupported queries, 400
    /// for malformed URIs.
    pub fn status(&self) -> Status {
        match self {
            Self::TooDeep { .. } | Self::TooLong { .. } | Self::SegmentTooLong { .. } => {
                Status::URI_TOO_LONG
            }
            Self::UnsupportedQuery { .. }
            | Self::UnknownProperty { .. }
            | Self::UnsupportedList { .. } => Status::OPTIONAL_FEATURE_NOT_SUPPORTED,
            _ => Status::BAD_REQUEST,
        }
    }
}

/// A validated URI of a node, relative to the root, with no query suffix.
///
/// `./A/B` and `A/B` parse to the same value; the root is `.`. Display writes the `./` form.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Uri<'a> {
    /// The segments joined by `/`, without a leading `./`; empty for the root.
    path: &'a str,
}

impl<'a> Uri<'a> {
    /// The root `.`.
    pub const ROOT: Uri<'static> = Uri { path: "" };

    /// Parses a node URI with no query suffix, checking the grammar and `limits`.
    pub fn parse(text: &'a str, limits: &UriLimits) -> Result<Self, UriError> {
        let target = Target::parse(text, limits)?;
        match target.query {
            None => Ok(target.uri),
            Some(_) => Err(UriError::UnsupportedQuery {
                offset: text.find('?').unwrap_or(0),
            }),
        }
    }

    /// The path without the leading `./` (empty for the root).
    pub const fn path(&self) -> &'a str {
        self.path
    }

    /// Whether this is the root `.`.
    pub const fn is_root(&self) -> bool {
        self.path.is_empty()
    }

    /// The segments from the root down (none for the root).
    pub fn segments(&self) -> impl DoubleEndedIterator<Item = &'a str> + Clone {
        let path = self.path;
        path.split('/').filter(move |_| !path.is_empty())
    }

    /// The number of segments (0 for the root).
    pub fn depth(&self) -> usize {
        self.segments().count()
    }

    /// The parent URI; `None` for the root.
    pub fn parent(&self) -> Option<Self> {
        if self.is_root() {
            return None;
        }
        Some(match self.last_slash() {
            Some(i) => Self {
                path: self.path.get(..i).unwrap_or(""),
            },
            None => Uri::ROOT,
        })
    }

    /// The last segment (the node name); `.` for the root.
    pub fn name(&self) -> &'a str {
        if self.is_root() {
            return ".";
        }
        match self.last_slash() {
            Some(i) => self.path.get(i + 1..).unwrap_or(""),
            None => self.path,
        }
    }

    /// Where the last `/` is. A byte scan: DM paths are short, and `str`'s reverse search
    /// for a char (`rfind`, `rsplit`) costs about ten times as much on them (an Add asks
    /// twice, for the parent and for the new node's name).
    fn last_slash(&self) -> Option<usize> {
        self.path.bytes().rposition(|b| b == b'/')
    }

    /// The part of this URI below `prefix` (`None` when `prefix` is not an ancestor or self),
    /// compared segment by segment.
    pub fn strip_prefix(&self, prefix: Uri<'_>) -> Option<Self> {
        if prefix.is_root() {
            return Some(*self);
        }
        let rest = self.path.strip_prefix(prefix.path)?;
        if rest.is_empty() {
            return Some(Uri::ROOT);
        }
        rest.strip_prefix('/').map(|path| Uri { path })
    }

    /// Builds a URI from an already validated path (crate-internal: paths of existing nodes).
    pub(crate) const fn from_valid_path(path: &'a str) -> Self {
        Self { path }
    }
}

impl fmt::Display for Uri<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            f.write_str(".")
        } else {
            write!(f, "./{}", self.path)
        }
    }
}

/// A run-time property addressed by `?prop=` (TND §4.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Property {
    /// `ACL`.
    Acl,
    /// `Format`.
    Format,
    /// `Name`.
    Name,
    /// `Size`.
    Size,
    /// `Title`.
    Title,
    /// `TStamp`.
    TStamp,
    /// `Type`.
    Type,
    /// `VerNo`.
    VerNo,
}

impl Property {
    /// Every property, in TNDS `RTProperties` order.
    pub const ALL: [Self; 8] = [
        Self::Acl,
        Self::Format,
        Self::Name,
        Self::Size,
        Self::Title,
        Self::TStamp,
        Self::Type,
        Self::VerNo,
    ];

    /// The property name as written in URIs and TNDS.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Acl => "ACL",
            Self::Format => "Format",
            Self::Name => "Name",
            Self::Size => "Size",
            Self::Title => "Title",
            Self::TStamp => "TStamp",
            Self::Type => "Type",
            Self::VerNo => "VerNo",
        }
    }

    /// The property with this exact name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }

    const fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// The structure a `?list=` query asks for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum ListKind {
    /// `Struct`: the URIs of the subtree.
    Struct,
    /// `StructData`: the URIs and the leaf values.
    StructData,
    /// `TNDS`: the subtree as a TNDS document.
    Tnds,
}

/// Which properties (and `Value`) a `?list=TNDS` export includes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PropFilter(u16);

impl PropFilter {
    const VALUE: u16 = 1 << 8;
    const EVERYTHING: u16 = (1 << 9) - 1;

    /// Every property and the value (no `+`/`-` filter).
    pub const ALL: Self = Self(Self::EVERYTHING);

    /// Whether the property is included.
    pub const fn has(self, prop: Property) -> bool {
        self.0 & prop.bit() != 0
    }

    /// Whether leaf values are included.
    pub const fn has_value(self) -> bool {
        self.0 & Self::VALUE != 0
    }

    fn bit_of(name: &str) -> Option<u16> {
        if name == "Value" {
            Some(Self::VALUE)
        } else {
            Property::from_name(name).map(Property::bit)
        }
    }

    /// Parses the part after `TNDS`: empty, `+A+B…` (only these) or `-A-B…` (all but these).
    fn parse(text: &str) -> Option<Self> {
        let Some(sign) = text.chars().next() else {
            return Some(Self::ALL);
        };
        if sign != '+' && sign != '-' {
            return None;
        }
        let mut bits = 0u16;
        for name in text.get(1..)?.split(sign) {
            bits |= Self::bit_of(name)?;
        }
        Some(if sign == '+' {
            Self(bits)
        } else {
            Self(Self::EVERYTHING & !bits)
        })
    }
}

/// A `?list=` request.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ListQuery {
    /// The structure asked for.
    pub kind: ListKind,
    /// The properties to include (always [`PropFilter::ALL`] unless `kind` is `Tnds`).
    pub filter: PropFilter,
}

/// The query suffix of a target URI.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Query {
    /// `?prop=<Name>`.
    Prop(Property),
    /// `?list=Struct|StructData|TNDS[+…|-…]`.
    List(ListQuery),
}

/// A command target: a node URI and an optional `?prop=` / `?list=` suffix.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Target<'a> {
    /// The node.
    pub uri: Uri<'a>,
    /// The suffix, if any.
    pub query: Option<Query>,
}

impl<'a> Target<'a> {
    /// Parses a URI with an optional query suffix, checking the grammar and `limits`.
    // Inlined with its fast path: the target of every command comes back in registers
    // instead of through a block of narrow stores that the caller's wide loads waited on.
    #[inline]
    pub fn parse(text: &'a str, limits: &UriLimits) -> Result<Self, UriError> {
        if let Some(uri) = plain_path(text, limits) {
            return Ok(Self { uri, query: None });
        }
        Self::parse_full(text, limits)
    }

    /// [`parse`](Self::parse) without the fast path for plain paths.
    fn parse_full(text: &'a str, limits: &UriLimits) -> Result<Self, UriError> {
        let total = text.chars().count();
        if UriLimits::exceeded(limits.max_tot_len, total) {
            return Err(UriError::TooLong {
                len: total,
                max: limits.max_tot_len,
            });
        }
        let (path_text, query_text) = match text.find('?') {
            Some(i) => (text.get(..i).unwrap_or(""), Some((i, text.get(i + 1..)))),
            None => (text, None),
        };
        let uri = parse_path(path_text, limits)?;
        let query = match query_text {
            None => None,
            Some((at, rest)) => Some(parse_query(rest.unwrap_or(""), at)?),
        };
        Ok(Self { uri, query })
    }
}

/// A byte a segment may hold without a closer look: ASCII `pchar` but `%`.
fn plain(b: u8) -> bool {
    // A table lookup: the path scan runs for every command's target.
    PLAIN.get(usize::from(b)).copied().unwrap_or(false)
}

/// [`plain`] for every byte value.
#[allow(
    clippy::indexing_slicing,
    reason = "const evaluation: an index out of range fails the build"
)]
const PLAIN: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric()
            || matches!(
                c,
                b'-' | b'_'
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b':'
                    | b'@'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b','
            );
        b += 1;
    }
    t
};

/// The common target, a valid path of plain ASCII segments with no query, checked in one
/// pass over its bytes (a character is a byte there). `None` for anything else, valid or
/// not: [`parse_path`] then decides and reports the error with its offset.
#[inline]
fn plain_path<'a>(text: &'a str, limits: &UriLimits) -> Option<Uri<'a>> {
    let path = text.strip_prefix("./").unwrap_or(text);
    let seg_ok = |seg: &[u8]| {
        !seg.is_empty()
            && seg != b"."
            && seg != b".."
            && !UriLimits::exceeded(limits.max_seg_len, seg.len())
    };
    let bytes = path.as_bytes();
    let mut depth = 1usize;
    let mut start = 0usize;
    for (i, &b) in bytes.iter().enumerate() {
        // A plain byte first: most are, and '/' is not one.
        if plain(b) {
            continue;
        }
        if b != b'/' || !seg_ok(bytes.get(start..i)?) {
            return None;
        }
        depth += 1;
        start = i + 1;
    }
    let fits = seg_ok(bytes.get(start..)?)
        && !UriLimits::exceeded(limits.max_tot_len, text.len())
        && !UriLimits::exceeded(limits.max_depth, depth);
    fits.then_some(Uri { path })
}

fn parse_path<'a>(text: &'a str, limits: &UriLimits) -> Result<Uri<'a>, UriError> {
    if text.is_empty() {
        return Err(UriError::Empty);
    }
    if text == "." {
        return Ok(Uri::ROOT);
    }
    let (base, path) = match text.strip_prefix("./") {
        Some(rest) => (2, rest),
        None => (0, text),
    };
    if path.ends_with('/') || path.is_empty() {
        return Err(UriError::TrailingSlash {
            offset: text.len().saturating_sub(1),
        });
    }
    let mut depth = 0usize;
    let mut offset = base;
    for segment in path.split('/') {
        depth += 1;
        check_segment(segment, offset, limits)?;
        offset += segment.len() + 1;
    }
    if UriLimits::exceeded(limits.max_depth, depth) {
        return Err(UriError::TooDeep {
            depth,
            max: limits.max_depth,
        });
    }
    Ok(Uri { path })
}

/// Checks one segment (a node name) against the grammar and `MaxSegLen`; `offset` is where it
/// starts in the text reported in errors.
pub(crate) fn check_segment(
    segment: &str,
    offset: usize,
    limits: &UriLimits,
) -> Result<(), UriError> {
    if segment.is_empty() {
        return Err(UriError::EmptySegment { offset });
    }
    if segment == "." || segment == ".." {
        return Err(UriError::DotSegment { offset });
    }
    let bytes = segment.as_bytes();
    let mut chars = 0usize;
    let mut iter = segment.char_indices();
    while let Some((i, ch)) = iter.next() {
        chars += 1;
        match ch {
            c if u8::try_from(c).is_ok_and(plain) => {}
            '%' => {
                let hex = |k: usize| bytes.get(i + k).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(1) && hex(2)) {
                    return Err(UriError::BadEscape { offset: offset + i });
                }
                iter.next();
                iter.next();
            }
            c if !c.is_ascii() && !c.is_control() && !c.is_whitespace() => {}
            c => {
                return Err(UriError::InvalidChar {
                    offset: offset + i,
                    ch: c,
                })
            }
        }
    }
    if UriLimits::exceeded(limits.max_seg_len, chars) {
        return Err(UriError::SegmentTooLong {
            offset,
            len: chars,
            max: limits.max_seg_len,
        });
    }
    Ok(())
}

fn parse_query(text: &str, at: usize) -> Result<Query, UriError> {
    if let Some(name) = text.strip_prefix("prop=") {
        return Property::from_name(name)
            .map(Query::Prop)
            .ok_or(UriError::UnknownProperty { offset: at + 6 });
    }
    if let Some(list) = text.strip_prefix("list=") {
        let bad = UriError::UnsupportedList { offset: at + 6 };
        let kind = match list {
            "Struct" => ListKind::Struct,
            "StructData" => ListKind::StructData,
            _ => {
                let filter = list
                    .strip_prefix("TNDS")
                    .and_then(PropFilter::parse)
                    .ok_or(bad)?;
                return Ok(Query::List(ListQuery {
                    kind: ListKind::Tnds,
                    filter,
                }));
            }
        };
        return Ok(Query::List(ListQuery {
            kind,
            filter: PropFilter::ALL,
        }));
    }
    Err(UriError::UnsupportedQuery { offset: at })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NO: UriLimits = UriLimits::UNLIMITED;

    #[test]
    fn plain_paths_parse_as_the_full_parser_does() {
        let limits = [
            NO,
            UriLimits {
                max_depth: 2,
                max_tot_len: 9,
                max_seg_len: 3,
            },
        ];
        let texts = [
            ".",
            "./",
            "./A",
            "A",
            "A/B",
            "./A/B/C",
            "./App/N1",
            "/A",
            "A//B",
            "A/",
            "./.",
            "./..",
            "A/./B",
            "A/../B",
            "a.b/c..d",
            "A%20B",
            "A B",
            "A?prop=ACL",
            "./Ä/B",
            "x-_.!~*'():@&=+$,",
            "./AB/CD",
            "./ABCD",
            "AB/CD/EF",
            "./ABC/DEF",
            "./A/B/C/D",
        ];
        for l in &limits {
            for t in texts {
                if let Some(uri) = plain_path(t, l) {
                    assert_eq!(
                        Target::parse_full(t, l),
                        Ok(Target { uri, query: None }),
                        "{t}"
                    );
                } else {
                    assert_eq!(Target::parse(t, l), Target::parse_full(t, l), "{t}");
                }
            }
        }
        assert!(plain_path("./App/N1", &NO).is_some());
    }

    #[test]
    fn name_and_parent_split_at_the_last_slash() {
        for (text, name, parent) in [
            ("./A", "A", "."),
            ("./A/B", "B", "./A"),
            ("./Ä/Öß", "Öß", "./Ä"),
            ("./日本/語/x", "x", "./日本/語"),
            ("./Vendor/ÜberLongName", "ÜberLongName", "./Vendor"),
        ] {
            let uri = Uri::parse(text, &NO).unwrap();
            assert_eq!(uri.name(), name, "{text}");
            assert_eq!(uri.parent().unwrap().to_string(), parent, "{text}");
        }
        assert_eq!(Uri::ROOT.name(), ".");
    }

    #[test]
    fn root_and_relative_forms() {
        assert!(Uri::parse(".", &NO).unwrap().is_root());
        assert_eq!(Uri::parse("./A/B", &NO), Uri::parse("A/B", &NO));
        let uri = Uri::parse("./A/B", &NO).unwrap();
        assert_eq!(uri.to_string(), "./A/B");
        assert_eq!(uri.depth(), 2);
        assert_eq!(uri.name(), "B");
        assert_eq!(uri.parent().unwrap().to_string(), "./A");
        assert_eq!(uri.parent().unwrap().parent(), Some(Uri::ROOT));
        assert_eq!(Uri::ROOT.parent(), None);
        assert_eq!(Uri::ROOT.to_string(), ".");
    }

    #[test]
    fn grammar_errors() {
        assert_eq!(Uri::parse("", &NO), Err(UriError::Empty));
        assert!(matches!(
            Uri::parse("./", &NO),
            Err(UriError::TrailingSlash { .. })
        ));
        assert!(matches!(
            Uri::parse("./A/", &NO),
            Err(UriError::TrailingSlash { offset: 3 })
        ));
        assert_eq!(
            Uri::parse("./A/../B", &NO),
            Err(UriError::DotSegment { offset: 4 })
        );
        assert_eq!(
            Uri::parse("A/./B", &NO),
            Err(UriError::DotSegment { offset: 2 })
        );
        assert_eq!(
            Uri::parse("A//B", &NO),
            Err(UriError::EmptySegment { offset: 2 })
        );
        assert_eq!(
            Uri::parse("/A", &NO),
            Err(UriError::EmptySegment { offset: 0 })
        );
        assert_eq!(
            Uri::parse("./A B", &NO),
            Err(UriError::InvalidChar { offset: 3, ch: ' ' })
        );
        assert_eq!(
            Uri::parse("./A%2", &NO),
            Err(UriError::BadEscape { offset: 3 })
        );
        assert_eq!(Uri::parse("./a..b/%41", &NO).unwrap().path(), "a..b/%41");
        assert_eq!(
            Uri::parse("./Ünïcode/x*y", &NO).unwrap().path(),
            "Ünïcode/x*y"
        );
        assert_eq!(
            Uri::parse("./A/B", &NO)
                .unwrap()
                .strip_prefix(Uri::parse("A", &NO).unwrap()),
            Some(Uri::parse("B", &NO).unwrap())
        );
        assert_eq!(
            Uri::parse("./AB", &NO)
                .unwrap()
                .strip_prefix(Uri::parse("A", &NO).unwrap()),
            None
        );
        for bad in ["", "A/", "A//B", "../A", "A/..", "A B"] {
            assert_eq!(Uri::parse(bad, &NO).unwrap_err().status().0, 400, "{bad}");
        }
    }

    #[test]
    fn limits_give_414() {
        let limits = UriLimits {
            max_depth: 2,
            max_tot_len: 12,
            max_seg_len: 3,
        };
        assert!(Uri::parse("./ABC/DEF", &limits).is_ok());
        let deep = Uri::parse("./A/B/C", &limits).unwrap_err();
        assert_eq!(deep, UriError::TooDeep { depth: 3, max: 2 });
        let seg = Uri::parse("./ABCD", &limits).unwrap_err();
        assert!(matches!(seg, UriError::SegmentTooLong { len: 4, .. }));
        // the property suffix counts towards MaxTotLen
        let long = Target::parse("./ABC?prop=ACL", &limits).unwrap_err();
        assert_eq!(long, UriError::TooLong { len: 14, max: 12 });
        for e in [deep, seg, long] {
            assert_eq!(e.status().0, 414);
        }
    }

    #[test]
    fn queries() {
        let t = Target::parse("./A?prop=ACL", &NO).unwrap();
        assert_eq!(t.uri.path(), "A");
        assert_eq!(t.query, Some(Query::Prop(Property::Acl)));
        let t = Target::parse(".?list=Struct", &NO).unwrap();
        assert!(t.uri.is_root());
        assert!(matches!(
            t.query,
            Some(Query::List(ListQuery {
                kind: ListKind::Struct,
                ..
            }))
        ));
        let Some(Query::List(q)) = Target::parse("A?list=TNDS+Value+ACL", &NO).unwrap().query
        else {
            panic!()
        };
        assert_eq!(q.kind, ListKind::Tnds);
        assert!(q.filter.has_value() && q.filter.has(Property::Acl));
        assert!(!q.filter.has(Property::Format));
        let Some(Query::List(q)) = Target::parse("A?list=TNDS-Format", &NO).unwrap().query else {
            panic!()
        };
        assert!(q.filter.has_value() && q.filter.has(Property::Acl));
        assert!(!q.filter.has(Property::Format));
        for bad in [
            "A?prop=Foo",
            "A?prop=acl",
            "A?list=Tree",
            "A?list=TNDS+Value-ACL",
            "A?list=TNDS+Bogus",
            "A?list=TNDSx",
            "A?x=1",
        ] {
            assert_eq!(
                Target::parse(bad, &NO).unwrap_err().status().0,
                406,
                "{bad}"
            );
        }
        assert!(Uri::parse("A?prop=ACL", &NO).is_err());
    }
}
