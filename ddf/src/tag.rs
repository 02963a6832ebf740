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

/// `tag` if `bytes` spells `name` exactly; the comparison has a constant length, so it is
/// compiled to a few word loads instead of a library call.
#[inline(always)]
fn exact<const N: usize>(bytes: &[u8], name: &[u8; N], tag: Tag) -> Option<Tag> {
    <&[u8; N]>::try_from(bytes)
        .is_ok_and(|b| b == name)
        .then_some(tag)
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
        // (length, first byte, second byte) is unique among the DDF names, so one jump picks
        // the only candidate and a single fixed-size comparison confirms it (a few loads, no
        // `memcmp` call): this keeps the XML parser close to the raw event loop.
        let bytes = name.as_bytes();
        let key = (bytes.len(), *bytes.first()?, *bytes.get(1)?);
        match key {
            (2, b'C', b'S') => exact(bytes, b"CS", Self::Cs),
            (3, b'A', b'C') => exact(bytes, b"ACL", Self::Acl),
            (3, b'A', b'd') => exact(bytes, b"Add", Self::Add),
            (3, b'C', b'I') => exact(bytes, b"CIS", Self::Cis),
            (3, b'G', b'e') => exact(bytes, b"Get", Self::Get),
            (3, b'M', b'a') => exact(bytes, b"Man", Self::Man),
            (3, b'M', b'o') => exact(bytes, b"Mod", Self::Mod),
            (3, b'O', b'n') => exact(bytes, b"One", Self::One),
            (3, b'b', b'6') => exact(bytes, b"b64", Self::B64),
            (3, b'b', b'i') => exact(bytes, b"bin", Self::Bin),
            (3, b'c', b'h') => exact(bytes, b"chr", Self::Chr),
            (3, b'i', b'n') => exact(bytes, b"int", Self::Int),
            (3, b'x', b'm') => exact(bytes, b"xml", Self::Xml),
            (4, b'C', b'o') => exact(bytes, b"Copy", Self::Copy),
            (4, b'E', b'x') => exact(bytes, b"Exec", Self::Exec),
            (4, b'M', b'I') => exact(bytes, b"MIME", Self::Mime),
            (4, b'N', b'a') => exact(bytes, b"Name", Self::Name),
            (4, b'N', b'o') => exact(bytes, b"Node", Self::Node),
            (4, b'P', b'a') => exact(bytes, b"Path", Self::Path),
            (4, b'S', b'i') => exact(bytes, b"Size", Self::Size),
            (4, b'T', b'y') => exact(bytes, b"Type", Self::Type),
            (4, b'b', b'o') => exact(bytes, b"bool", Self::Bool),
            (4, b'd', b'a') => exact(bytes, b"date", Self::Date),
            (4, b'n', b'o') => exact(bytes, b"node", Self::NodeFormat),
            (4, b'n', b'u') => exact(bytes, b"null", Self::Null),
            (4, b't', b'i') => exact(bytes, b"time", Self::Time),
            (5, b'S', b'c') => exact(bytes, b"Scope", Self::Scope),
            (5, b'T', b'i') => exact(bytes, b"Title", Self::Title),
            (5, b'V', b'a') => exact(bytes, b"Value", Self::Value),
            (5, b'V', b'e') => exact(bytes, b"VerNo", Self::VerNo),
            (5, b'f', b'l') => exact(bytes, b"float", Self::Float),
            (5, b'v', b'e') => exact(bytes, b"verNo", Self::VerNo),
            (6, b'D', b'F') => exact(bytes, b"DFType", Self::DfType),
            (6, b'D', b'e') => exact(bytes, b"Delete", Self::Delete),
            (6, b'F', b'o') => exact(bytes, b"Format", Self::Format),
            (6, b'O', b'n') => exact(bytes, b"OneOrN", Self::OneOrN),
            (6, b'T', b'S') => exact(bytes, b"TStamp", Self::TStamp),
            (6, b'V', b'e') => exact(bytes, b"VerDTD", Self::VerDtd),
            (6, b'v', b'e') => exact(bytes, b"verDTD", Self::VerDtd),
            (7, b'D', b'D') => exact(bytes, b"DDFName", Self::DdfName),
            (7, b'D', b'F') => exact(bytes, b"DFTitle", Self::DfTitle),
            (7, b'D', b'y') => exact(bytes, b"Dynamic", Self::Dynamic),
            (7, b'R', b'e') => exact(bytes, b"Replace", Self::Replace),
            (7, b'Z', b'e') => exact(bytes, b"ZeroOrN", Self::ZeroOrN),
            (8, b'D', b'F') => exact(bytes, b"DFFormat", Self::DfFormat),
            (8, b'M', b'g') => exact(bytes, b"MgmtTree", Self::MgmtTree),
            (8, b'N', b'o') => exact(bytes, b"NodeName", Self::NodeName),
            (9, b'C', b'a') => exact(bytes, b"CaseSense", Self::CaseSense),
            (9, b'O', b'n') => exact(bytes, b"OneOrMore", Self::OneOrMore),
            (9, b'P', b'e') => exact(bytes, b"Permanent", Self::Permanent),
            (9, b'Z', b'e') => exact(bytes, b"ZeroOrOne", Self::ZeroOrOne),
            (10, b'A', b'c') => exact(bytes, b"AccessType", Self::AccessType),
            (10, b'O', b'c') => exact(bytes, b"Occurrence", Self::Occurrence),
            (10, b'Z', b'e') => exact(bytes, b"ZeroOrMore", Self::ZeroOrMore),
            (11, b'D', b'e') => exact(bytes, b"Description", Self::Description),
            (12, b'D', b'F') => exact(bytes, b"DFProperties", Self::DfProperties),
            (12, b'D', b'e') => exact(bytes, b"DefaultValue", Self::DefaultValue),
            (12, b'R', b'T') => exact(bytes, b"RTProperties", Self::RtProperties),
            _ => None,
        }
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
        assert_eq!(Tag::from_name("MSFT:Applicability"), None);
    }
}
