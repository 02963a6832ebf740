//! The DDF 1.2 element names and their WBXML code page 2 tokens.

/// One element of the DDF 1.2 DTD, declared in WBXML token order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Tag {
    AccessType,
    Acl,
    Add,
    B64,
    Bin,
    Bool,
    Chr,
    CaseSense,
    Cis,
    Copy,
    Cs,
    Date,
    DdfName,
    DefaultValue,
    Delete,
    Description,
    DfFormat,
    DfProperties,
    DfTitle,
    DfType,
    Dynamic,
    Exec,
    Float,
    Format,
    Get,
    Int,
    Man,
    MgmtTree,
    Mime,
    Mod,
    Name,
    Node,
    NodeFormat,
    NodeName,
    Null,
    Occurrence,
    One,
    OneOrMore,
    OneOrN,
    Path,
    Permanent,
    Replace,
    RtProperties,
    Scope,
    Size,
    Time,
    Title,
    TStamp,
    Type,
    Value,
    VerDtd,
    VerNo,
    Xml,
    ZeroOrMore,
    ZeroOrN,
    ZeroOrOne,
}

/// (tag, name, WBXML token on code page 2), in token order (wbxml.md §5).
const TABLE: [(Tag, &str, u8); 56] = [
    (Tag::AccessType, "AccessType", 0x05),
    (Tag::Acl, "ACL", 0x06),
    (Tag::Add, "Add", 0x07),
    (Tag::B64, "b64", 0x08),
    (Tag::Bin, "bin", 0x09),
    (Tag::Bool, "bool", 0x0A),
    (Tag::Chr, "chr", 0x0B),
    (Tag::CaseSense, "CaseSense", 0x0C),
    (Tag::Cis, "CIS", 0x0D),
    (Tag::Copy, "Copy", 0x0E),
    (Tag::Cs, "CS", 0x0F),
    (Tag::Date, "date", 0x10),
    (Tag::DdfName, "DDFName", 0x11),
    (Tag::DefaultValue, "DefaultValue", 0x12),
    (Tag::Delete, "Delete", 0x13),
    (Tag::Description, "Description", 0x14),
    (Tag::DfFormat, "DFFormat", 0x15),
    (Tag::DfProperties, "DFProperties", 0x16),
    (Tag::DfTitle, "DFTitle", 0x17),
    (Tag::DfType, "DFType", 0x18),
    (Tag::Dynamic, "Dynamic", 0x19),
    (Tag::Exec, "Exec", 0x1A),
    (Tag::Float, "float", 0x1B),
    (Tag::Format, "Format", 0x1C),
    (Tag::Get, "Get", 0x1D),
    (Tag::Int, "int", 0x1E),
    (Tag::Man, "Man", 0x1F),
    (Tag::MgmtTree, "MgmtTree", 0x20),
    (Tag::Mime, "MIME", 0x21),
    (Tag::Mod, "Mod", 0x22),
    (Tag::Name, "Name", 0x23),
    (Tag::Node, "Node", 0x24),
    (Tag::NodeFormat, "node", 0x25),
    (Tag::NodeName, "NodeName", 0x26),
    (Tag::Null, "null", 0x27),
    (Tag::Occurrence, "Occurrence", 0x28),
    (Tag::One, "One", 0x29),
    (Tag::OneOrMore, "OneOrMore", 0x2A),
    (Tag::OneOrN, "OneOrN", 0x2B),
    (Tag::Path, "Path", 0x2C),
    (Tag::Permanent, "Permanent", 0x2D),
    (Tag::Replace, "Replace", 0x2E),
    (Tag::RtProperties, "RTProperties", 0x2F),
    (Tag::Scope, "Scope", 0x30),
    (Tag::Size, "Size", 0x31),
    (Tag::Time, "time", 0x32),
    (Tag::Title, "Title", 0x33),
    (Tag::TStamp, "TStamp", 0x34),
    (Tag::Type, "Type", 0x35),
    (Tag::Value, "Value", 0x36),
    (Tag::VerDtd, "VerDTD", 0x37),
    (Tag::VerNo, "VerNo", 0x38),
    (Tag::Xml, "xml", 0x39),
    (Tag::ZeroOrMore, "ZeroOrMore", 0x3A),
    (Tag::ZeroOrN, "ZeroOrN", 0x3B),
    (Tag::ZeroOrOne, "ZeroOrOne", 0x3C),
];

/// The WBXML code page of the DDF tags.
pub(crate) const PAGE: u8 = 2;

/// Every accepted element name: the DTD's, then the TND table's lower-case spellings.
const NAMES: [(&str, Tag); 58] = {
    let mut names = [("", Tag::AccessType); 58];
    let mut i = 0;
    while i < TABLE.len() {
        #[allow(clippy::indexing_slicing)]
        // const evaluation: an out-of-range index fails the build
        {
            names[i] = (TABLE[i].1, TABLE[i].0);
        }
        i += 1;
    }
    #[allow(clippy::indexing_slicing)] // const evaluation: an out-of-range index fails the build
    {
        names[56] = ("verNo", Tag::VerNo);
        names[57] = ("verDTD", Tag::VerDtd);
    }
    names
};

/// The multiplier of the name hash, found by search so that the 58 names land in distinct
/// slots of 256 (checked by a test).
const HASH_MUL: u32 = 0x3EE4_DA5B;

/// The hash slot of a name of this length and first two bytes.
#[inline(always)]
const fn slot(len: usize, first: u8, second: u8) -> usize {
    // Only the low bits of a long length count: the candidate is checked in full anyway.
    let key = (len as u32) | (first as u32) << 8 | (second as u32) << 16;
    (key.wrapping_mul(HASH_MUL) >> 24) as usize
}

/// For each hash slot, the index into [`NAMES`] of the name there, or `u8::MAX`.
#[allow(clippy::indexing_slicing)] // const evaluation: an out-of-range index fails the build
const SLOTS: [u8; 256] = {
    let mut slots = [u8::MAX; 256];
    let mut i = 0;
    while i < NAMES.len() {
        let name = NAMES[i].0.as_bytes();
        slots[slot(name.len(), name[0], name[1])] = i as u8;
        i += 1;
    }
    slots
};

/// The first and last `N` bytes of `s` (overlapping when `s` is short).
#[inline(always)]
fn ends<const N: usize>(s: &[u8]) -> Option<([u8; N], [u8; N])> {
    let head = <[u8; N]>::try_from(s.get(..N)?).ok()?;
    let tail = <[u8; N]>::try_from(s.get(s.len().checked_sub(N)?..)?).ok()?;
    Some((head, tail))
}

/// Whether `a` equals `b`, a DDF element name (2 to 16 bytes): two word compares instead of
/// a `memcmp` call.
#[inline(always)]
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    match a.len() {
        8.. => ends::<8>(a).is_some_and(|w| Some(w) == ends::<8>(b)),
        4.. => ends::<4>(a).is_some_and(|w| Some(w) == ends::<4>(b)),
        _ => ends::<2>(a).is_some_and(|w| Some(w) == ends::<2>(b)),
    }
}

impl Tag {
    /// The element name as spelled in the DTD.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::AccessType => "AccessType",
            Self::Acl => "ACL",
            Self::Add => "Add",
            Self::B64 => "b64",
            Self::Bin => "bin",
            Self::Bool => "bool",
            Self::Chr => "chr",
            Self::CaseSense => "CaseSense",
            Self::Cis => "CIS",
            Self::Copy => "Copy",
            Self::Cs => "CS",
            Self::Date => "date",
            Self::DdfName => "DDFName",
            Self::DefaultValue => "DefaultValue",
            Self::Delete => "Delete",
            Self::Description => "Description",
            Self::DfFormat => "DFFormat",
            Self::DfProperties => "DFProperties",
            Self::DfTitle => "DFTitle",
            Self::DfType => "DFType",
            Self::Dynamic => "Dynamic",
            Self::Exec => "Exec",
            Self::Float => "float",
            Self::Format => "Format",
            Self::Get => "Get",
            Self::Int => "int",
            Self::Man => "Man",
            Self::MgmtTree => "MgmtTree",
            Self::Mime => "MIME",
            Self::Mod => "Mod",
            Self::Name => "Name",
            Self::Node => "Node",
            Self::NodeFormat => "node",
            Self::NodeName => "NodeName",
            Self::Null => "null",
            Self::Occurrence => "Occurrence",
            Self::One => "One",
            Self::OneOrMore => "OneOrMore",
            Self::OneOrN => "OneOrN",
            Self::Path => "Path",
            Self::Permanent => "Permanent",
            Self::Replace => "Replace",
            Self::RtProperties => "RTProperties",
            Self::Scope => "Scope",
            Self::Size => "Size",
            Self::Time => "time",
            Self::Title => "Title",
            Self::TStamp => "TStamp",
            Self::Type => "Type",
            Self::Value => "Value",
            Self::VerDtd => "VerDTD",
            Self::VerNo => "VerNo",
            Self::Xml => "xml",
            Self::ZeroOrMore => "ZeroOrMore",
            Self::ZeroOrN => "ZeroOrN",
            Self::ZeroOrOne => "ZeroOrOne",
        }
    }

    /// The WBXML token on code page 2.
    pub(crate) fn token(self) -> u8 {
        // The enum is declared in token order, starting at token 0x05.
        self as u8 + 5
    }

    /// The tag for a code page 2 token.
    pub(crate) fn from_token(token: u8) -> Option<Self> {
        let index = usize::from(token).checked_sub(5)?;
        TABLE.get(index).map(|(t, _, _)| *t)
    }

    /// The tag with this element name. The TND table's lower-case `verDTD`/`verNo` are
    /// accepted as the same elements (README decision).
    #[inline]
    pub(crate) fn from_name(name: &str) -> Option<Self> {
        // A multiplicative hash of (length, first byte, second byte) picks the only candidate
        // from a table, and two overlapping word compares confirm it: no chain of branches
        // on the name (which the varied tags of a document mispredict) and no `memcmp` call.
        let bytes = name.as_bytes();
        let index = *SLOTS.get(slot(bytes.len(), *bytes.first()?, *bytes.get(1)?))?;
        let (candidate, tag) = NAMES.get(usize::from(index))?;
        same_bytes(bytes, candidate.as_bytes()).then_some(*tag)
    }

    /// The format marker this tag stands for, if it is one.
    pub(crate) fn format(self) -> Option<crate::spec::Format> {
        use crate::spec::Format;
        Some(match self {
            Self::B64 => Format::B64,
            Self::Bin => Format::Bin,
            Self::Bool => Format::Bool,
            Self::Chr => Format::Chr,
            Self::Int => Format::Int,
            Self::NodeFormat => Format::Node,
            Self::Null => Format::Null,
            Self::Xml => Format::Xml,
            Self::Date => Format::Date,
            Self::Time => Format::Time,
            Self::Float => Format::Float,
            _ => return None,
        })
    }

    /// The tag of a format marker.
    pub(crate) fn of_format(format: crate::spec::Format) -> Self {
        use crate::spec::Format;
        match format {
            Format::B64 => Self::B64,
            Format::Bin => Self::Bin,
            Format::Bool => Self::Bool,
            Format::Chr => Self::Chr,
            Format::Int => Self::Int,
            Format::Node => Self::NodeFormat,
            Format::Null => Self::Null,
            Format::Xml => Self::Xml,
            Format::Date => Self::Date,
            Format::Time => Self::Time,
            Format::Float => Self::Float,
        }
    }

    /// The access type this tag stands for, if it is one.
    pub(crate) fn access(self) -> Option<crate::spec::AccessType> {
        use crate::spec::AccessType;
        Some(match self {
            Self::Add => AccessType::ADD,
            Self::Copy => AccessType::COPY,
            Self::Delete => AccessType::DELETE,
            Self::Exec => AccessType::EXEC,
            Self::Get => AccessType::GET,
            Self::Replace => AccessType::REPLACE,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_has_its_own_hash_slot() {
        let mut seen = std::collections::HashSet::new();
        for (name, tag) in NAMES {
            let b = name.as_bytes();
            assert!(seen.insert(slot(b.len(), b[0], b[1])), "{name}");
            assert_eq!(Tag::from_name(name), Some(tag), "{name}");
        }
        // Names of another length or one byte off are not DDF names (unless they are
        // another one, as `One` is a prefix of `OneOrN`).
        let known = |s: &str| NAMES.iter().any(|(n, _)| *n == s);
        for (name, _) in NAMES {
            for len in 0..name.len() + 3 {
                let other: String = name
                    .chars()
                    .chain(std::iter::repeat('x'))
                    .take(len)
                    .collect();
                if !known(&other) {
                    assert_eq!(Tag::from_name(&other), None, "{other}");
                }
            }
            for at in 0..name.len() {
                let mut other = name.as_bytes().to_vec();
                other[at] ^= 0x20;
                let other = String::from_utf8(other).unwrap();
                if !known(&other) {
                    assert_eq!(Tag::from_name(&other), None, "{other}");
                }
            }
        }
    }

    #[test]
    fn table_is_in_token_order_and_names_round_trip() {
        for (i, (tag, name, token)) in TABLE.iter().enumerate() {
            assert_eq!(usize::from(*token), i + 5);
            assert_eq!(Tag::from_token(*token), Some(*tag));
            assert_eq!(Tag::from_name(name), Some(*tag));
            assert_eq!(tag.name(), *name);
            assert_eq!(tag.token(), *token);
        }
        assert_eq!(Tag::from_token(0x3D), None);
        assert_eq!(Tag::from_token(0x04), None);
        assert_eq!(Tag::from_name("verNo"), Some(Tag::VerNo));
        assert_eq!(Tag::from_name("verDTD"), Some(Tag::VerDtd));
        assert_eq!(Tag::from_name("VerDTDx"), None);
        assert_eq!(Tag::from_name("Nodf"), None);
        assert_eq!(Tag::from_name("N"), None);
        assert_eq!(Tag::from_name(""), None);
        assert_eq!(Tag::from_name("MSFT:Applicability"), None);
    }
}
