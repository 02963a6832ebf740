//! Token values: the global tokens of WBXML and the tag tables of every code page we know.
//!
//! Each code-page module has `PAGE`, one constant per tag (the tag name in
//! SCREAMING_SNAKE_CASE) and O(1) lookups both ways through [`CodePage`].

/// Global tokens, valid on every code page (WBXML 1.3 §7.1).
pub mod global {
    /// Switch to another code page; the next byte is the page.
    pub const SWITCH_PAGE: u8 = 0x00;
    /// End of an element's content or of an attribute list.
    pub const END: u8 = 0x01;
    /// A character entity: an mb_u_int32 UCS-4 code point follows.
    pub const ENTITY: u8 = 0x02;
    /// An inline NUL-terminated string follows.
    pub const STR_I: u8 = 0x03;
    /// A tag or attribute whose name is in the string table (index follows).
    pub const LITERAL: u8 = 0x04;
    /// LITERAL with content.
    pub const LITERAL_C: u8 = 0x44;
    /// LITERAL with attributes.
    pub const LITERAL_A: u8 = 0x84;
    /// LITERAL with attributes and content.
    pub const LITERAL_AC: u8 = 0xC4;
    /// Extension 0 with an inline string.
    pub const EXT_I_0: u8 = 0x40;
    /// Extension 1 with an inline string.
    pub const EXT_I_1: u8 = 0x41;
    /// Extension 2 with an inline string.
    pub const EXT_I_2: u8 = 0x42;
    /// A processing instruction.
    pub const PI: u8 = 0x43;
    /// Extension 0 with an mb_u_int32.
    pub const EXT_T_0: u8 = 0x80;
    /// Extension 1 with an mb_u_int32.
    pub const EXT_T_1: u8 = 0x81;
    /// Extension 2 with an mb_u_int32.
    pub const EXT_T_2: u8 = 0x82;
    /// A string-table reference (mb_u_int32 byte offset) follows.
    pub const STR_T: u8 = 0x83;
    /// Extension 0, no data.
    pub const EXT_0: u8 = 0xC0;
    /// Extension 1, no data.
    pub const EXT_1: u8 = 0xC1;
    /// Extension 2, no data.
    pub const EXT_2: u8 = 0xC2;
    /// Opaque bytes: an mb_u_int32 length and the bytes follow.
    pub const OPAQUE: u8 = 0xC3;
    /// Bit set on a tag byte whose element has content.
    pub const HAS_CONTENT: u8 = 0x40;
    /// Bit set on a tag byte whose element has attributes.
    pub const HAS_ATTRIBUTES: u8 = 0x80;
    /// The bits of a tag byte that identify the tag.
    pub const TAG_MASK: u8 = 0x3F;
}

/// One tag code page: names by token and tokens by name, both O(1).
#[derive(Debug)]
pub struct CodePage {
    /// The page number.
    pub page: u8,
    /// The namespace of the page's tags in XML.
    pub namespace: &'static str,
    names: [Option<&'static str>; 64],
    /// Tokens by name: an open-addressed table of `names`, 0 for an empty slot (token 0 is
    /// never a tag).
    slots: [u8; SLOTS],
    /// The XML markup of each tag, for writers that copy it whole.
    markup: [TagMarkup; 64],
    /// ` xmlns="namespace">` and ` xmlns="namespace"/>`, which end a start tag of this page
    /// in a document of another page.
    pub(crate) xmlns: [Markup; 2],
}

/// The most bytes of a [`Markup`]: the longest tag name (23 bytes) with `</` and `>`, plus
/// room to spare.
pub(crate) const MARKUP: usize = 32;

/// A short piece of XML markup, zero-padded to [`MARKUP`] bytes so that it is appended with
/// a few fixed-size stores instead of a call to `memcpy` for a handful of bytes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Markup {
    bytes: [u8; MARKUP],
    len: u8,
}

/// `parts` one after the other at the start of an `N`-byte array, and how many bytes they
/// take: markup built at compile time (parts longer than `N` fail the build).
#[allow(clippy::indexing_slicing)] // const evaluation only
pub(crate) const fn concat<const N: usize>(parts: &[&[u8]]) -> ([u8; N], usize) {
    let mut bytes = [0; N];
    let mut len = 0;
    let mut p = 0;
    while p < parts.len() {
        let part = parts[p];
        let mut i = 0;
        while i < part.len() {
            bytes[len] = part[i];
            len += 1;
            i += 1;
        }
        p += 1;
    }
    (bytes, len)
}

impl Markup {
    /// No markup.
    pub(crate) const EMPTY: Self = Self {
        bytes: [0; MARKUP],
        len: 0,
    };

    /// `before`, `name` and `after` one after the other.
    const fn new(before: &[u8], name: &[u8], after: &[u8]) -> Self {
        let (bytes, len) = concat::<MARKUP>(&[before, name, after]);
        Self {
            bytes,
            len: len as u8,
        }
    }

    /// Whether there is no markup (no tag of that token).
    #[inline(always)]
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Appends the markup to `out`.
    #[inline(always)]
    pub(crate) fn append_to(&self, out: &mut Vec<u8>) {
        let end = out.len() + usize::from(self.len);
        out.extend_from_slice(&self.bytes);
        out.truncate(end);
    }

    /// Appends the markup without its last `cut` bytes.
    #[inline(always)]
    pub(crate) fn append_cut(&self, out: &mut Vec<u8>, cut: usize) {
        let end = out.len() + usize::from(self.len).saturating_sub(cut);
        out.extend_from_slice(&self.bytes);
        out.truncate(end);
    }
}

/// The markup of one tag: `<Name>`, `<Name/>` and `</Name>`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TagMarkup {
    /// `<Name>`.
    pub(crate) open: Markup,
    /// `<Name/>`.
    pub(crate) empty: Markup,
    /// `</Name>`.
    pub(crate) close: Markup,
}

/// Builds the markup of a page's tags from its names by token.
#[allow(clippy::indexing_slicing)] // const evaluation: every index is below 64
const fn tag_markup(names: &[Option<&'static str>; 64]) -> [TagMarkup; 64] {
    const NONE: TagMarkup = TagMarkup {
        open: Markup::EMPTY,
        empty: Markup::EMPTY,
        close: Markup::EMPTY,
    };
    let mut markup = [NONE; 64];
    let mut token = 0;
    while token < names.len() {
        if let Some(name) = names[token] {
            let name = name.as_bytes();
            markup[token] = TagMarkup {
                open: Markup::new(b"<", name, b">"),
                empty: Markup::new(b"<", name, b"/>"),
                close: Markup::new(b"</", name, b">"),
            };
        }
        token += 1;
    }
    markup
}

/// String equality for tag names and namespaces, a few bytes long: compared in words
/// without a call into the C library's `bcmp`, which costs more than the compare here.
#[inline]
pub(crate) fn same_short(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let word = |s: &[u8]| <[u8; 8]>::try_from(s).map_or(0, u64::from_le_bytes);
    let half = |s: &[u8]| <[u8; 4]>::try_from(s).map_or(0, u32::from_le_bytes);
    let n = a.len();
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        // Two overlapping words cover every byte.
        4..8 => {
            half(a.get(..4).unwrap_or_default()) == half(b.get(..4).unwrap_or_default())
                && half(a.get(n - 4..).unwrap_or_default())
                    == half(b.get(n - 4..).unwrap_or_default())
        }
        _ => {
            a.chunks_exact(8)
                .zip(b.chunks_exact(8))
                .all(|(x, y)| word(x) == word(y))
                && word(a.get(n - 8..).unwrap_or_default())
                    == word(b.get(n - 8..).unwrap_or_default())
        }
    }
}

/// The slots of a page's name table: a power of two over twice the most tags a page has,
/// so that probes stay short (1.1 to 1.5 on average for our pages).
const SLOTS: usize = 128;

/// The first slot probed for a tag name: its length and first and last bytes tell most
/// names of a page apart, and a probe that meets another name rejects it on the length.
#[inline]
const fn first_slot(name: &[u8]) -> usize {
    let (first, last) = match name {
        [] => (0, 0),
        [first, .., last] => (*first as usize, *last as usize),
        [only] => (*only as usize, *only as usize),
    };
    (name.len() * 31 + first * 7 + last * 13) % SLOTS
}

/// Builds the name table of a page from its names by token.
#[allow(clippy::indexing_slicing)] // const evaluation: every index is reduced modulo its length
const fn name_slots(names: &[Option<&'static str>; 64]) -> [u8; SLOTS] {
    let mut slots = [0u8; SLOTS];
    let mut token = 0;
    while token < names.len() {
        if let Some(name) = names[token] {
            let mut slot = first_slot(name.as_bytes());
            while slots[slot] != 0 {
                slot = (slot + 1) % SLOTS;
            }
            slots[slot] = token as u8;
        }
        token += 1;
    }
    slots
}

impl CodePage {
    /// The page numbered `page` whose tags are `names` by token.
    const fn new(page: u8, namespace: &'static str, names: [Option<&'static str>; 64]) -> Self {
        Self {
            page,
            namespace,
            names,
            slots: name_slots(&names),
            markup: tag_markup(&names),
            xmlns: [
                Markup::new(b" xmlns=\"", namespace.as_bytes(), b"\">"),
                Markup::new(b" xmlns=\"", namespace.as_bytes(), b"\"/>"),
            ],
        }
    }

    /// The markup of the tag `token`, if the page defines it.
    #[inline]
    pub(crate) fn markup(&self, token: u8) -> Option<&TagMarkup> {
        // Every tag has markup, and only tags do: one table to look at, not two.
        self.markup
            .get(usize::from(token))
            .filter(|m| !m.open.is_empty())
    }

    /// The tag name of `token` (the tag bits only), if the page defines it.
    #[inline]
    pub fn name(&self, token: u8) -> Option<&'static str> {
        self.names.get(usize::from(token)).copied().flatten()
    }

    /// The token of the tag `name`, if the page defines it.
    #[inline]
    pub fn token(&self, name: &str) -> Option<u8> {
        let mut slot = first_slot(name.as_bytes());
        // The table is never full, so an empty slot ends every miss.
        loop {
            let token = *self.slots.get(slot)?;
            if token == 0 {
                return None;
            }
            if self.name(token).is_some_and(|n| same_short(n, name)) {
                return Some(token);
            }
            slot = (slot + 1) % SLOTS;
        }
    }

    /// Iterates over `(token, name)` pairs of the page in token order.
    pub fn tags(&self) -> impl Iterator<Item = (u8, &'static str)> + '_ {
        (0u8..64).filter_map(move |t| self.name(t).map(|n| (t, n)))
    }
}

macro_rules! code_page {
    ($(#[$doc:meta])* $module:ident, page $page:expr, ns $ns:literal,
     { $($konst:ident = $tok:literal => $name:literal),* $(,)? }) => {
        $(#[$doc])*
        pub mod $module {
            /// The code page number.
            pub const PAGE: u8 = $page;
            $(
                #[doc = concat!("`<", $name, ">`")]
                pub const $konst: u8 = $tok;
            )*

            #[allow(clippy::indexing_slicing)] // const evaluation: an out-of-range token fails the build
            pub(crate) const NAMES: [Option<&str>; 64] = {
                let mut names = [None; 64];
                $(names[$tok] = Some($name);)*
                names
            };

            /// The code page table.
            pub static TABLE: super::CodePage = super::CodePage::new(PAGE, $ns, NAMES);
        }
    };
}

code_page!(
    /// SyncML 1.2 (DS and DM), code page 0, namespace `SYNCML:SYNCML1.2`.
    syncml, page 0, ns "SYNCML:SYNCML1.2", {
    ADD = 0x05 => "Add", ALERT = 0x06 => "Alert", ARCHIVE = 0x07 => "Archive",
    ATOMIC = 0x08 => "Atomic", CHAL = 0x09 => "Chal", CMD = 0x0A => "Cmd",
    CMD_ID = 0x0B => "CmdID", CMD_REF = 0x0C => "CmdRef", COPY = 0x0D => "Copy",
    CRED = 0x0E => "Cred", DATA = 0x0F => "Data", DELETE = 0x10 => "Delete",
    EXEC = 0x11 => "Exec", FINAL = 0x12 => "Final", GET = 0x13 => "Get",
    ITEM = 0x14 => "Item", LANG = 0x15 => "Lang", LOC_NAME = 0x16 => "LocName",
    LOC_URI = 0x17 => "LocURI", MAP = 0x18 => "Map", MAP_ITEM = 0x19 => "MapItem",
    META = 0x1A => "Meta", MSG_ID = 0x1B => "MsgID", MSG_REF = 0x1C => "MsgRef",
    NO_RESP = 0x1D => "NoResp", NO_RESULTS = 0x1E => "NoResults", PUT = 0x1F => "Put",
    REPLACE = 0x20 => "Replace", RESP_URI = 0x21 => "RespURI", RESULTS = 0x22 => "Results",
    SEARCH = 0x23 => "Search", SEQUENCE = 0x24 => "Sequence", SESSION_ID = 0x25 => "SessionID",
    SFT_DEL = 0x26 => "SftDel", SOURCE = 0x27 => "Source", SOURCE_REF = 0x28 => "SourceRef",
    STATUS = 0x29 => "Status", SYNC = 0x2A => "Sync", SYNC_BODY = 0x2B => "SyncBody",
    SYNC_HDR = 0x2C => "SyncHdr", SYNC_ML = 0x2D => "SyncML", TARGET = 0x2E => "Target",
    TARGET_REF = 0x2F => "TargetRef", VER_DTD = 0x31 => "VerDTD", VER_PROTO = 0x32 => "VerProto",
    NUMBER_OF_CHANGES = 0x33 => "NumberOfChanges", MORE_DATA = 0x34 => "MoreData",
    FIELD = 0x35 => "Field", FILTER = 0x36 => "Filter", RECORD = 0x37 => "Record",
    FILTER_TYPE = 0x38 => "FilterType", SOURCE_PARENT = 0x39 => "SourceParent",
    TARGET_PARENT = 0x3A => "TargetParent", MOVE = 0x3B => "Move", CORRELATOR = 0x3C => "Correlator",
});

code_page!(
    /// MetInf 1.2, code page 1 of a SyncML document, namespace `syncml:metinf`.
    metinf, page 1, ns "syncml:metinf", {
    ANCHOR = 0x05 => "Anchor", EMI = 0x06 => "EMI", FORMAT = 0x07 => "Format",
    FREE_ID = 0x08 => "FreeID", FREE_MEM = 0x09 => "FreeMem", LAST = 0x0A => "Last",
    MARK = 0x0B => "Mark", MAX_MSG_SIZE = 0x0C => "MaxMsgSize", MEM = 0x0D => "Mem",
    MET_INF = 0x0E => "MetInf", NEXT = 0x0F => "Next", NEXT_NONCE = 0x10 => "NextNonce",
    SHARED_MEM = 0x11 => "SharedMem", SIZE = 0x12 => "Size", TYPE = 0x13 => "Type",
    VERSION = 0x14 => "Version", MAX_OBJ_SIZE = 0x15 => "MaxObjSize", FIELD_LEVEL = 0x16 => "FieldLevel",
});

code_page!(
    /// DevInf 1.2, code page 0 of its own document, namespace `syncml:devinf`.
    devinf, page 0, ns "syncml:devinf", {
    CT_CAP = 0x05 => "CTCap", CT_TYPE = 0x06 => "CTType", DATA_STORE = 0x07 => "DataStore",
    DATA_TYPE = 0x08 => "DataType", DEV_ID = 0x09 => "DevID", DEV_INF = 0x0A => "DevInf",
    DEV_TYP = 0x0B => "DevTyp", DISPLAY_NAME = 0x0C => "DisplayName", DS_MEM = 0x0D => "DSMem",
    EXT = 0x0E => "Ext", FW_V = 0x0F => "FwV", HW_V = 0x10 => "HwV", MAN = 0x11 => "Man",
    MAX_GUID_SIZE = 0x12 => "MaxGUIDSize", MAX_ID = 0x13 => "MaxID", MAX_MEM = 0x14 => "MaxMem",
    MOD = 0x15 => "Mod", OEM = 0x16 => "OEM", PARAM_NAME = 0x17 => "ParamName",
    PROP_NAME = 0x18 => "PropName", RX = 0x19 => "Rx", RX_PREF = 0x1A => "Rx-Pref",
    SHARED_MEM = 0x1B => "SharedMem", MAX_SIZE = 0x1C => "MaxSize", SOURCE_REF = 0x1D => "SourceRef",
    SW_V = 0x1E => "SwV", SYNC_CAP = 0x1F => "SyncCap", SYNC_TYPE = 0x20 => "SyncType",
    TX = 0x21 => "Tx", TX_PREF = 0x22 => "Tx-Pref", VAL_ENUM = 0x23 => "ValEnum",
    VER_CT = 0x24 => "VerCT", VER_DTD = 0x25 => "VerDTD", X_NAM = 0x26 => "XNam",
    X_VAL = 0x27 => "XVal", UTC = 0x28 => "UTC", SUPPORT_NUMBER_OF_CHANGES = 0x29 => "SupportNumberOfChanges",
    SUPPORT_LARGE_OBJS = 0x2A => "SupportLargeObjs", PROPERTY = 0x2B => "Property",
    PROP_PARAM = 0x2C => "PropParam", MAX_OCCUR = 0x2D => "MaxOccur", NO_TRUNCATE = 0x2E => "NoTruncate",
    FILTER_RX = 0x30 => "Filter-Rx", FILTER_CAP = 0x31 => "FilterCap", FILTER_KEYWORD = 0x32 => "FilterKeyword",
    FIELD_LEVEL = 0x33 => "FieldLevel", SUPPORT_HIERARCHICAL_SYNC = 0x34 => "SupportHierarchicalSync",
});

code_page!(
    /// OMA DM DDF 1.2 and TNDS, code page 2, namespace `syncml:dmddf1.2`.
    ddf, page 2, ns "syncml:dmddf1.2", {
    ACCESS_TYPE = 0x05 => "AccessType", ACL = 0x06 => "ACL", ADD = 0x07 => "Add",
    B64 = 0x08 => "b64", BIN = 0x09 => "bin", BOOL = 0x0A => "bool", CHR = 0x0B => "chr",
    CASE_SENSE = 0x0C => "CaseSense", CIS = 0x0D => "CIS", COPY = 0x0E => "Copy", CS = 0x0F => "CS",
    DATE = 0x10 => "date", DDF_NAME = 0x11 => "DDFName", DEFAULT_VALUE = 0x12 => "DefaultValue",
    DELETE = 0x13 => "Delete", DESCRIPTION = 0x14 => "Description", DF_FORMAT = 0x15 => "DFFormat",
    DF_PROPERTIES = 0x16 => "DFProperties", DF_TITLE = 0x17 => "DFTitle", DF_TYPE = 0x18 => "DFType",
    DYNAMIC = 0x19 => "Dynamic", EXEC = 0x1A => "Exec", FLOAT = 0x1B => "float", FORMAT = 0x1C => "Format",
    GET = 0x1D => "Get", INT = 0x1E => "int", MAN = 0x1F => "Man", MGMT_TREE = 0x20 => "MgmtTree",
    MIME = 0x21 => "MIME", MOD = 0x22 => "Mod", NAME = 0x23 => "Name", NODE = 0x24 => "Node",
    NODE_FORMAT = 0x25 => "node", NODE_NAME = 0x26 => "NodeName", NULL = 0x27 => "null",
    OCCURRENCE = 0x28 => "Occurrence", ONE = 0x29 => "One", ONE_OR_MORE = 0x2A => "OneOrMore",
    ONE_OR_N = 0x2B => "OneOrN", PATH = 0x2C => "Path", PERMANENT = 0x2D => "Permanent",
    REPLACE = 0x2E => "Replace", RT_PROPERTIES = 0x2F => "RTProperties", SCOPE = 0x30 => "Scope",
    SIZE = 0x31 => "Size", TIME = 0x32 => "time", TITLE = 0x33 => "Title", T_STAMP = 0x34 => "TStamp",
    TYPE = 0x35 => "Type", VALUE = 0x36 => "Value", VER_DTD = 0x37 => "VerDTD", VER_NO = 0x38 => "VerNo",
    XML = 0x39 => "xml", ZERO_OR_MORE = 0x3A => "ZeroOrMore", ZERO_OR_N = 0x3B => "ZeroOrN",
    ZERO_OR_ONE = 0x3C => "ZeroOrOne",
});

/// Builds a 1.1 table from its 1.2 successor: tokens up to `last`, plus `extra` and a rename.
#[allow(clippy::indexing_slicing)] // const evaluation: an out-of-range token fails the build
const fn subset(
    full: [Option<&'static str>; 64],
    last: usize,
    extra: Option<usize>,
    renamed: Option<(usize, &'static str)>,
) -> [Option<&'static str>; 64] {
    let mut names = [None; 64];
    let mut t = 0;
    while t <= last {
        names[t] = full[t];
        t += 1;
    }
    if let Some(t) = extra {
        names[t] = full[t];
    }
    if let Some((t, name)) = renamed {
        names[t] = Some(name);
    }
    names
}

/// SyncML 1.1 code page 0 (namespace `SYNCML:SYNCML1.1`); libwbxml adds `SourceParent` (0x39)
/// to it for Nokia's SMS sync.
pub static SYNCML11: CodePage = CodePage::new(
    0,
    "SYNCML:SYNCML1.1",
    subset(syncml::NAMES, 0x34, Some(0x39), None),
);

/// MetInf 1.1 code page 1.
pub static METINF11: CodePage =
    CodePage::new(1, "syncml:metinf", subset(metinf::NAMES, 0x15, None, None));

/// DevInf 1.1 code page 0: token 0x1C is `Size` (1.2 renamed it `MaxSize`).
pub static DEVINF11: CodePage = CodePage::new(
    0,
    "syncml:devinf",
    subset(devinf::NAMES, 0x2A, None, Some((0x1C, "Size"))),
);

#[cfg(test)]
mod tests {
    use super::*;

    /// Every code page the crate ships, old and new.
    const EVERY_PAGE: [&CodePage; 7] = [
        &syncml::TABLE,
        &metinf::TABLE,
        &devinf::TABLE,
        &ddf::TABLE,
        &SYNCML11,
        &METINF11,
        &DEVINF11,
    ];

    #[test]
    fn every_name_maps_back_to_its_token() {
        for page in EVERY_PAGE {
            let mut count = 0;
            for (token, name) in page.tags() {
                assert_eq!(
                    page.token(name),
                    Some(token),
                    "{name} on page {}",
                    page.page
                );
                count += 1;
            }
            assert!(count > 15, "page {} has only {count} tags", page.page);
        }
    }

    #[test]
    fn name_tables_find_exactly_the_names_of_their_page() {
        let mut names: Vec<&str> = EVERY_PAGE
            .iter()
            .flat_map(|p| p.tags().map(|(_, n)| n))
            .collect();
        names.extend(["", "x", "Sizes", "syncml", "SYNCML", "Dat", "Data "]);
        for page in EVERY_PAGE {
            for &name in &names {
                let expected = page.tags().find(|&(_, n)| n == name).map(|(t, _)| t);
                assert_eq!(page.token(name), expected, "{name} on page {}", page.page);
            }
        }
    }

    #[test]
    fn markup_spells_every_tag() {
        for page in [&syncml::TABLE, &devinf::TABLE, &ddf::TABLE, &DEVINF11] {
            for (token, name) in page.tags() {
                let m = page.markup(token).unwrap();
                let mut out = b"x".to_vec();
                m.open.append_to(&mut out);
                m.empty.append_to(&mut out);
                m.close.append_to(&mut out);
                m.open.append_cut(&mut out, 1);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    format!("x<{name}><{name}/></{name}><{name}")
                );
            }
            assert!(page.markup(0x04).is_none());
            let mut out = Vec::new();
            page.xmlns[0].append_to(&mut out);
            page.xmlns[1].append_to(&mut out);
            let ns = page.namespace;
            assert_eq!(out, format!(" xmlns=\"{ns}\"> xmlns=\"{ns}\"/>").as_bytes());
            for token in 0..=u8::MAX {
                assert_eq!(page.markup(token).is_some(), page.name(token).is_some());
            }
        }
    }

    #[test]
    fn short_compare_is_string_equality() {
        let words = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcde",
            "SyncML",
            "abcdefgh",
            "LocURI",
            "syncml:metinf",
            "syncml:metinf2",
        ];
        for a in words {
            for b in words {
                assert_eq!(same_short(a, b), a == b, "{a} {b}");
                for i in 0..b.len() {
                    let mut c = b.as_bytes().to_vec();
                    if let Some(byte) = c.get_mut(i) {
                        *byte ^= 1;
                    }
                    let c = String::from_utf8(c).unwrap();
                    assert_eq!(same_short(a, &c), a == c, "{a} {c}");
                }
            }
        }
    }

    #[test]
    fn spot_checks_against_the_spec_tables() {
        assert_eq!(syncml::TABLE.name(0x2D), Some("SyncML"));
        assert_eq!(syncml::TABLE.name(0x30), None, "0x30 is reserved");
        assert_eq!(syncml::TABLE.token("Correlator"), Some(0x3C));
        assert_eq!(
            SYNCML11.token("Correlator"),
            None,
            "Correlator is new in 1.2"
        );
        assert_eq!(SYNCML11.token("SourceParent"), Some(0x39));
        assert_eq!(metinf::TABLE.token("NextNonce"), Some(0x10));
        assert_eq!(METINF11.token("FieldLevel"), None);
        assert_eq!(devinf::TABLE.name(0x1C), Some("MaxSize"));
        assert_eq!(DEVINF11.name(0x1C), Some("Size"));
        assert_eq!(DEVINF11.token("MaxSize"), None);
        assert_eq!(DEVINF11.token("Property"), None);
        assert_eq!(ddf::TABLE.token("node"), Some(0x25));
        assert_eq!(ddf::TABLE.token("Node"), Some(0x24));
        assert_eq!(ddf::TABLE.token("MgmtTree"), Some(0x20));
        assert_eq!(ddf::TABLE.name(0x3C), Some("ZeroOrOne"));
        assert_eq!(ddf::TABLE.name(0x04), None, "global tokens are never tags");
    }
}
