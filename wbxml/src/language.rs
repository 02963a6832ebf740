//! The document languages we know: their public ids, FPIs, namespaces and code pages.

use crate::tokens::{self, CodePage};

/// A WBXML/XML document language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Language {
    /// SyncML 1.0 (libwbxml reuses the 1.1 tables).
    SyncMl10,
    /// SyncML 1.1 (DS 1.1, DM 1.1.2).
    SyncMl11,
    /// SyncML 1.2 (DS 1.2 and DM 1.2).
    SyncMl12,
    /// DevInf 1.0 (the 1.1 tables).
    DevInf10,
    /// DevInf 1.1.
    DevInf11,
    /// DevInf 1.2.
    DevInf12,
    /// OMA DM DDF 1.2 and TNDS.
    DmDdf12,
}

static SYNCML11_PAGES: [&CodePage; 2] = [&tokens::SYNCML11, &tokens::METINF11];
// TNDS written inline on page 2 of a SyncML 1.2 message is accepted too.
static SYNCML12_PAGES: [&CodePage; 3] = [
    &tokens::syncml::TABLE,
    &tokens::metinf::TABLE,
    &tokens::ddf::TABLE,
];
static DEVINF11_PAGES: [&CodePage; 1] = [&tokens::DEVINF11];
static DEVINF12_PAGES: [&CodePage; 1] = [&tokens::devinf::TABLE];
static DDF_PAGES: [&CodePage; 1] = [&tokens::ddf::TABLE];

impl Language {
    /// Every language, in the order `--lang` lists them.
    pub const ALL: [Self; 7] = [
        Self::SyncMl10,
        Self::SyncMl11,
        Self::SyncMl12,
        Self::DevInf10,
        Self::DevInf11,
        Self::DevInf12,
        Self::DmDdf12,
    ];

    /// The short name used on the command line (`syncml12`, `ddf12`, ...).
    pub const fn short_name(self) -> &'static str {
        match self {
            Self::SyncMl10 => "syncml10",
            Self::SyncMl11 => "syncml11",
            Self::SyncMl12 => "syncml12",
            Self::DevInf10 => "devinf10",
            Self::DevInf11 => "devinf11",
            Self::DevInf12 => "devinf12",
            Self::DmDdf12 => "ddf12",
        }
    }

    /// The language with this short name (case-insensitive).
    pub fn from_short_name(name: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|l| l.short_name().eq_ignore_ascii_case(name))
    }

    /// The numeric WBXML public id, if the language has one (DDF has none).
    pub const fn public_id(self) -> Option<u32> {
        match self {
            Self::SyncMl10 => Some(0x0FD1),
            Self::DevInf10 => Some(0x0FD2),
            Self::SyncMl11 => Some(0x0FD3),
            Self::DevInf11 => Some(0x0FD4),
            Self::SyncMl12 => Some(0x1201),
            Self::DevInf12 => Some(0x1203),
            Self::DmDdf12 => None,
        }
    }

    /// The formal public identifier of the DTD.
    pub const fn fpi(self) -> &'static str {
        match self {
            Self::SyncMl10 => "-//SYNCML//DTD SyncML 1.0//EN",
            Self::SyncMl11 => "-//SYNCML//DTD SyncML 1.1//EN",
            Self::SyncMl12 => "-//SYNCML//DTD SyncML 1.2//EN",
            Self::DevInf10 => "-//SYNCML//DTD DevInf 1.0//EN",
            Self::DevInf11 => "-//SYNCML//DTD DevInf 1.1//EN",
            Self::DevInf12 => "-//SYNCML//DTD DevInf 1.2//EN",
            Self::DmDdf12 => "-//OMA//DTD-DM-DDF 1.2//EN",
        }
    }

    /// The system identifier (DTD URL) libwbxml writes in the DOCTYPE.
    pub const fn dtd_url(self) -> &'static str {
        match self {
            Self::SyncMl10 => "http://www.syncml.org/docs/syncml_represent_v10_20001207.dtd",
            Self::SyncMl11 => "http://www.syncml.org/docs/syncml_represent_v11_20020213.dtd",
            Self::SyncMl12 => {
                "http://www.openmobilealliance.org/tech/DTD/OMA-TS-SyncML_RepPro_DTD-V1_2.dtd"
            }
            Self::DevInf10 => "http://www.syncml.org/docs/syncml_devinf_v10_20001207.dtd",
            Self::DevInf11 => "http://www.syncml.org/docs/devinf_v11_20020215.dtd",
            Self::DevInf12 => {
                "http://www.openmobilealliance.org/tech/DTD/OMA-SyncML-Device_Information-DTD-1.2.dtd"
            }
            Self::DmDdf12 => "http://www.openmobilealliance.org/tech/DTD/dm_ddf-v1_2.dtd",
        }
    }

    /// The root element name.
    pub const fn root(self) -> &'static str {
        match self {
            Self::SyncMl10 | Self::SyncMl11 | Self::SyncMl12 => "SyncML",
            Self::DevInf10 | Self::DevInf11 | Self::DevInf12 => "DevInf",
            Self::DmDdf12 => "MgmtTree",
        }
    }

    /// The code pages of the language's tags.
    pub fn pages(self) -> &'static [&'static CodePage] {
        match self {
            Self::SyncMl10 | Self::SyncMl11 => &SYNCML11_PAGES,
            Self::SyncMl12 => &SYNCML12_PAGES,
            Self::DevInf10 | Self::DevInf11 => &DEVINF11_PAGES,
            Self::DevInf12 => &DEVINF12_PAGES,
            Self::DmDdf12 => &DDF_PAGES,
        }
    }

    /// The code page numbered `page`, if the language has it.
    #[inline]
    pub fn page(self, page: u8) -> Option<&'static CodePage> {
        self.pages().iter().copied().find(|p| p.page == page)
    }

    /// The page the root element lives on (and documents start on, after any SWITCH_PAGE).
    pub fn root_page(self) -> u8 {
        self.pages().first().map_or(0, |p| p.page)
    }

    /// The namespace of the root element in XML.
    pub fn namespace(self) -> &'static str {
        self.pages().first().map_or("", |p| p.namespace)
    }

    /// The name of `token` on `page`.
    #[inline]
    pub fn tag_name(self, page: u8, token: u8) -> Option<&'static str> {
        self.page(page).and_then(|p| p.name(token))
    }

    /// The `(page, token)` of the tag `name`, searching the language's pages in order.
    #[inline]
    pub fn tag_token(self, name: &str) -> Option<(u8, u8)> {
        self.pages()
            .iter()
            .find_map(|p| p.token(name).map(|t| (p.page, t)))
    }

    /// The language whose numeric public id is `id`.
    pub fn from_public_id(id: u32) -> Option<Self> {
        // 1.0 documents decode with the 1.1 tables, so the ids map to distinct variants still.
        Self::ALL.into_iter().find(|l| l.public_id() == Some(id))
    }

    /// The language whose FPI is `fpi` (compared case-insensitively, as libwbxml does).
    pub fn from_fpi(fpi: &str) -> Option<Self> {
        let fpi = fpi.trim();
        Self::ALL
            .into_iter()
            .find(|l| l.fpi().eq_ignore_ascii_case(fpi))
    }

    /// The language whose root namespace is `ns` (SyncML namespaces compare case-insensitively).
    pub fn from_namespace(ns: &str) -> Option<Self> {
        // Compared in place: lowering a copy would allocate on every conversion.
        let ns = ns.trim();
        [
            ("syncml:syncml1.2", Self::SyncMl12),
            ("syncml:syncml1.1", Self::SyncMl11),
            ("syncml:syncml1.0", Self::SyncMl10),
            ("syncml:devinf", Self::DevInf12),
            ("syncml:dmddf1.2", Self::DmDdf12),
        ]
        .into_iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(ns))
        .map(|(_, language)| language)
    }

    /// The newest language whose root element is `name`.
    pub fn from_root(name: &str) -> Option<Self> {
        match name {
            "SyncML" => Some(Self::SyncMl12),
            "DevInf" => Some(Self::DevInf12),
            "MgmtTree" => Some(Self::DmDdf12),
            _ => None,
        }
    }

    /// Whether this is one of the SyncML languages (which carry nested documents in `Data`).
    pub const fn is_syncml(self) -> bool {
        matches!(self, Self::SyncMl10 | Self::SyncMl11 | Self::SyncMl12)
    }

    /// The code page whose namespace is `ns`, if the language has one.
    pub fn page_for_namespace(self, ns: &str) -> Option<u8> {
        // Documents nearly always spell the namespace as the table does; the exact compare
        // is a length check and one memcmp, the case-blind one a loop per byte.
        let pages = self.pages();
        pages
            .iter()
            .find(|p| tokens::same_short(p.namespace, ns))
            .or_else(|| pages.iter().find(|p| p.namespace.eq_ignore_ascii_case(ns)))
            .map(|p| p.page)
    }
}

impl core::fmt::Display for Language {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.short_name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_ids_and_fpis_resolve_both_ways() {
        for lang in Language::ALL {
            if let Some(id) = lang.public_id() {
                assert_eq!(Language::from_public_id(id), Some(lang));
            }
            assert_eq!(
                Language::from_fpi(&lang.fpi().to_ascii_lowercase()),
                Some(lang)
            );
            assert_eq!(Language::from_short_name(lang.short_name()), Some(lang));
        }
        assert_eq!(Language::from_public_id(0x01), None);
    }

    #[test]
    fn tag_lookup_prefers_earlier_pages() {
        let l = Language::SyncMl12;
        assert_eq!(l.tag_token("Add"), Some((0, 0x05)));
        assert_eq!(l.tag_token("Format"), Some((1, 0x07)));
        assert_eq!(l.tag_token("MgmtTree"), Some((2, 0x20)));
        assert_eq!(Language::DmDdf12.tag_token("Format"), Some((2, 0x1C)));
        assert_eq!(Language::SyncMl11.tag_token("Correlator"), None);
        assert_eq!(Language::DevInf11.tag_token("Size"), Some((0, 0x1C)));
    }
}
