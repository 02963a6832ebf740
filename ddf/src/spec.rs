//! Runtime node-spec types: what generated code and `dm-tree` need to know about a node
//! described by a DDF, with no dependency on the parser.

use serde::{Deserialize, Serialize};

/// The DM commands a DDF `AccessType` may allow, as a small bit set.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct AccessType(u8);

impl AccessType {
    /// No command allowed.
    pub const NONE: Self = Self(0);
    /// `Add`.
    pub const ADD: Self = Self(1);
    /// `Copy`.
    pub const COPY: Self = Self(1 << 1);
    /// `Delete`.
    pub const DELETE: Self = Self(1 << 2);
    /// `Exec`.
    pub const EXEC: Self = Self(1 << 3);
    /// `Get`.
    pub const GET: Self = Self(1 << 4);
    /// `Replace`.
    pub const REPLACE: Self = Self(1 << 5);
    /// Every command.
    pub const ALL: Self = Self(0b11_1111);

    /// The names of the access types in DDF spelling, in bit order.
    pub const NAMES: [(&'static str, Self); 6] = [
        ("Add", Self::ADD),
        ("Copy", Self::COPY),
        ("Delete", Self::DELETE),
        ("Exec", Self::EXEC),
        ("Get", Self::GET),
        ("Replace", Self::REPLACE),
    ];

    /// Builds a set from its raw bits (unknown bits are dropped).
    pub const fn from_bits(bits: u8) -> Self {
        Self(bits & Self::ALL.0)
    }

    /// The raw bits.
    pub const fn bits(self) -> u8 {
        self.0
    }

    /// The union of two sets.
    #[must_use]
    pub const fn union(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }

    /// Whether every command of `other` is in `self`.
    pub const fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no command is allowed.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The access type named as in a DDF (`Add`, `Copy`, `Delete`, `Exec`, `Get`, `Replace`).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, a)| *a)
    }

    /// Iterates over the names of the commands in the set, in DDF order.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        Self::NAMES
            .into_iter()
            .filter(move |(_, a)| self.contains(*a))
            .map(|(n, _)| n)
    }
}

impl core::ops::BitOr for AccessType {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl core::fmt::Debug for AccessType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// The format of a node's value (`DFFormat` in a DDF, `Format` in TNDS and SyncML Meta).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Format {
    /// Base64-encoded binary.
    B64,
    /// Raw binary.
    Bin,
    /// `true` or `false`.
    Bool,
    /// Text (the default).
    Chr,
    /// Signed 32-bit integer.
    Int,
    /// Interior node.
    Node,
    /// No value (an operation node, for example).
    Null,
    /// An XML document.
    Xml,
    /// ISO 8601 date.
    Date,
    /// ISO 8601 time.
    Time,
    /// IEEE 754 float as text.
    Float,
}

impl Format {
    /// Every format, in DDF order.
    pub const ALL: [Self; 11] = [
        Self::B64,
        Self::Bin,
        Self::Bool,
        Self::Chr,
        Self::Int,
        Self::Node,
        Self::Null,
        Self::Xml,
        Self::Date,
        Self::Time,
        Self::Float,
    ];

    /// The format's name as written in DDF, TNDS and Meta (`b64`, `chr`, `node`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::B64 => "b64",
            Self::Bin => "bin",
            Self::Bool => "bool",
            Self::Chr => "chr",
            Self::Int => "int",
            Self::Node => "node",
            Self::Null => "null",
            Self::Xml => "xml",
            Self::Date => "date",
            Self::Time => "time",
            Self::Float => "float",
        }
    }

    /// The format with this name, if any (names are case-sensitive, as in the DTD).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Whether this is the interior-node format.
    pub const fn is_interior(self) -> bool {
        matches!(self, Self::Node)
    }
}

impl core::fmt::Display for Format {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

/// How many instances of a node may exist (`Occurrence` in a DDF).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Occurrence {
    /// Exactly one (the default).
    #[default]
    One,
    /// Zero or one.
    ZeroOrOne,
    /// Zero or more.
    ZeroOrMore,
    /// One or more.
    OneOrMore,
    /// Zero to N (N in 2..=65536).
    ZeroOrN(u32),
    /// One to N (N in 2..=65536).
    OneOrN(u32),
}

impl Occurrence {
    /// The fewest instances allowed.
    pub const fn min(self) -> u32 {
        match self {
            Self::One | Self::OneOrMore | Self::OneOrN(_) => 1,
            Self::ZeroOrOne | Self::ZeroOrMore | Self::ZeroOrN(_) => 0,
        }
    }

    /// The most instances allowed, `None` for unbounded.
    pub const fn max(self) -> Option<u32> {
        match self {
            Self::One | Self::ZeroOrOne => Some(1),
            Self::ZeroOrMore | Self::OneOrMore => None,
            Self::ZeroOrN(n) | Self::OneOrN(n) => Some(n),
        }
    }

    /// Whether `count` instances are allowed.
    pub const fn allows(self, count: u32) -> bool {
        count >= self.min()
            && match self.max() {
                Some(max) => count <= max,
                None => true,
            }
    }

    /// The DDF element name (`One`, `ZeroOrN`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::One => "One",
            Self::ZeroOrOne => "ZeroOrOne",
            Self::ZeroOrMore => "ZeroOrMore",
            Self::OneOrMore => "OneOrMore",
            Self::ZeroOrN(_) => "ZeroOrN",
            Self::OneOrN(_) => "OneOrN",
        }
    }
}

/// Whether a node is created by the device and cannot be deleted (`Permanent`) or is
/// added and deleted at run time (`Dynamic`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Scope {
    /// Created by the device, never deleted by a server.
    Permanent,
    /// Created and deleted at run time (the default).
    #[default]
    Dynamic,
}

impl Scope {
    /// The DDF element name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Permanent => "Permanent",
            Self::Dynamic => "Dynamic",
        }
    }
}

/// Whether a node's value compares case-sensitively (`CS`) or not (`CIS`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum CaseSense {
    /// Case-sensitive (the default).
    #[default]
    Cs,
    /// Case-insensitive.
    Cis,
}

impl CaseSense {
    /// The DDF element name (`CS` or `CIS`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Cs => "CS",
            Self::Cis => "CIS",
        }
    }
}

/// Everything a tree needs to enforce about one node of a management object, as emitted
/// in the static tables of generated code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeSpec {
    /// The node's path relative to the management object root, with `*` for placeholder
    /// segments (`Download/*/PkgURL`); the root itself is `""`.
    pub path: &'static str,
    /// The commands the node allows.
    pub access: AccessType,
    /// The node's value format (`Node` for interior nodes).
    pub format: Format,
    /// How many instances may exist under one parent.
    pub occurrence: Occurrence,
    /// Permanent or dynamic.
    pub scope: Scope,
    /// The accepted MIME types (empty: any), or for an interior node its DDF name / MO id.
    pub mime: &'static [&'static str],
    /// Whether values compare case-sensitively.
    pub case_sense: CaseSense,
    /// The default value, if the DDF gives one.
    pub default_value: Option<&'static str>,
    /// The one-line title (`DFTitle`).
    pub title: Option<&'static str>,
}

impl NodeSpec {
    /// Whether the spec describes a dynamic placeholder segment (last segment `*`).
    pub fn is_placeholder(&self) -> bool {
        self.path.rsplit('/').next() == Some("*")
    }

    /// Whether the node is interior.
    pub const fn is_interior(&self) -> bool {
        self.format.is_interior()
    }
}
