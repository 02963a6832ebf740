//! The document header: version, public id, charset and string table.

use crate::{mb, Error};

/// A WBXML version (the header's first byte).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Version {
    /// WBXML 1.0 (no charset field).
    V1_0,
    /// WBXML 1.1.
    V1_1,
    /// WBXML 1.2 (what the SyncML reference toolkit writes).
    V1_2,
    /// WBXML 1.3 (what libwbxml writes).
    #[default]
    V1_3,
}

impl Version {
    /// The version byte.
    pub const fn byte(self) -> u8 {
        match self {
            Self::V1_0 => 0x00,
            Self::V1_1 => 0x01,
            Self::V1_2 => 0x02,
            Self::V1_3 => 0x03,
        }
    }

    /// The version of a version byte, if it is 1.0 to 1.3.
    pub const fn from_byte(byte: u8) -> Option<Self> {
        match byte {
            0x00 => Some(Self::V1_0),
            0x01 => Some(Self::V1_1),
            0x02 => Some(Self::V1_2),
            0x03 => Some(Self::V1_3),
            _ => None,
        }
    }

    /// Parses `1.0` to `1.3`.
    pub fn from_text(text: &str) -> Option<Self> {
        match text {
            "1.0" => Some(Self::V1_0),
            "1.1" => Some(Self::V1_1),
            "1.2" => Some(Self::V1_2),
            "1.3" => Some(Self::V1_3),
            _ => None,
        }
    }

    /// Whether the header has a charset field (every version but 1.0).
    pub const fn has_charset(self) -> bool {
        !matches!(self, Self::V1_0)
    }
}

/// The public id of a document: a registered number, or an FPI kept in the string table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PublicId<'a> {
    /// A numeric public id (`0x01` means unknown).
    Known(u32),
    /// A formal public identifier from the string table.
    Fpi(&'a str),
}

/// The public id value that means "unknown or missing".
pub const UNKNOWN_PUBLIC_ID: u32 = 0x01;

/// IANA MIBenum of UTF-8.
pub const CHARSET_UTF8: u32 = 106;
/// IANA MIBenum of US-ASCII (a subset of UTF-8, so it is lent as `&str` too).
pub const CHARSET_US_ASCII: u32 = 3;
/// Charset 0: unknown, which the spec resolves to the transport's charset, else UTF-8.
pub const CHARSET_UNKNOWN: u32 = 0;

/// A parsed header, borrowing the string table from the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Header<'a> {
    /// The WBXML version.
    pub version: Version,
    /// The public id.
    pub public_id: PublicId<'a>,
    /// The charset MIBenum (UTF-8 for a 1.0 document, which has no charset field).
    pub charset: u32,
    /// The string table bytes.
    pub string_table: &'a [u8],
    /// Where the body starts.
    pub body_offset: usize,
}

impl<'a> Header<'a> {
    /// Parses the header at the start of `input`.
    ///
    /// Only UTF-8, US-ASCII and "unknown" (taken as UTF-8) charsets are accepted, since the
    /// reader lends strings as `&str` without copying.
    pub fn parse(input: &'a [u8]) -> Result<Self, Error> {
        let version_byte = *input.first().ok_or(Error::UnexpectedEof { offset: 0 })?;
        let version = Version::from_byte(version_byte).ok_or(Error::UnsupportedVersion {
            offset: 0,
            version: version_byte,
        })?;
        let mut pos = 1;
        let public_id_offset = pos;
        let (fpi_index, numeric_id) = if input.get(pos) == Some(&0) {
            let (index, next) = mb::read(input, pos + 1)?;
            pos = next;
            (Some(index), UNKNOWN_PUBLIC_ID)
        } else {
            let (id, next) = mb::read(input, pos)?;
            pos = next;
            (None, id)
        };
        let charset = if version.has_charset() {
            let offset = pos;
            let (charset, next) = mb::read(input, pos)?;
            pos = next;
            if !matches!(charset, CHARSET_UTF8 | CHARSET_US_ASCII | CHARSET_UNKNOWN) {
                return Err(Error::UnsupportedCharset { offset, charset });
            }
            charset
        } else {
            CHARSET_UTF8
        };
        let (table_len, next) = mb::read(input, pos)?;
        pos = next;
        let table_end = usize::try_from(table_len)
            .ok()
            .and_then(|len| pos.checked_add(len))
            .filter(|&end| end <= input.len())
            .ok_or(Error::UnexpectedEof {
                offset: input.len(),
            })?;
        let string_table = input.get(pos..table_end).unwrap_or_default();
        let public_id = match fpi_index {
            Some(index) => PublicId::Fpi(string_at(string_table, index, public_id_offset)?),
            None => PublicId::Known(numeric_id),
        };
        Ok(Self {
            version,
            public_id,
            charset,
            string_table,
            body_offset: table_end,
        })
    }
}

/// The NUL-terminated string at `index` of `table` (a table entry without its NUL, at the
/// very end of the table, is accepted as libwbxml does).
pub(crate) fn string_at(table: &[u8], index: u32, offset: usize) -> Result<&str, Error> {
    let start = usize::try_from(index).unwrap_or(usize::MAX);
    let rest = table
        .get(start..)
        .filter(|_| start < table.len())
        .ok_or(Error::InvalidStringTableIndex { offset, index })?;
    let bytes = match memchr::memchr(0, rest) {
        Some(nul) => rest.get(..nul).unwrap_or_default(),
        None => rest,
    };
    core::str::from_utf8(bytes).map_err(|_| Error::InvalidUtf8 { offset })
}

/// Appends a header: version, public id, charset (UTF-8, except in 1.0) and string table.
pub fn write_header(
    out: &mut Vec<u8>,
    version: Version,
    public_id: PublicId<'_>,
    string_table: &[u8],
) {
    out.push(version.byte());
    match public_id {
        PublicId::Known(id) => mb::write(out, id),
        PublicId::Fpi(fpi) => {
            out.push(0);
            let index = find_in_table(string_table, fpi).unwrap_or(0);
            mb::write(out, index);
        }
    }
    if version.has_charset() {
        mb::write(out, CHARSET_UTF8);
    }
    mb::write(out, u32::try_from(string_table.len()).unwrap_or(u32::MAX));
    out.extend_from_slice(string_table);
}

/// The offset of the entry `s` in a NUL-separated string table.
fn find_in_table(table: &[u8], s: &str) -> Option<u32> {
    let mut offset = 0usize;
    for entry in table.split(|&b| b == 0) {
        if entry == s.as_bytes() {
            return u32::try_from(offset).ok();
        }
        offset += entry.len() + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_public_id_with_charset() {
        let h = Header::parse(&[0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D]).unwrap();
        assert_eq!(h.version, Version::V1_3);
        assert_eq!(h.public_id, PublicId::Known(0x1201));
        assert_eq!(h.charset, CHARSET_UTF8);
        assert_eq!(h.body_offset, 5);
    }

    #[test]
    fn version_1_0_has_no_charset_byte() {
        let h = Header::parse(&[0x00, 0xA4, 0x01, 0x00, 0x6D]).unwrap();
        assert_eq!(h.version, Version::V1_0);
        assert_eq!(h.body_offset, 4);
        let mut out = Vec::new();
        write_header(&mut out, Version::V1_0, PublicId::Known(0x1201), &[]);
        assert_eq!(out, [0x00, 0xA4, 0x01, 0x00]);
    }

    #[test]
    fn every_version_byte() {
        for (byte, v) in [
            (0, Version::V1_0),
            (1, Version::V1_1),
            (2, Version::V1_2),
            (3, Version::V1_3),
        ] {
            let mut out = Vec::new();
            write_header(&mut out, v, PublicId::Known(0x1201), &[]);
            assert_eq!(out[0], byte);
            assert_eq!(Header::parse(&out).unwrap().version, v);
        }
        assert_eq!(
            Header::parse(&[0x04, 0x01, 0x6A, 0x00]),
            Err(Error::UnsupportedVersion {
                offset: 0,
                version: 4
            })
        );
    }

    #[test]
    fn fpi_in_string_table() {
        let fpi = b"-//OMA//DTD-DM-DDF 1.2//EN\0";
        let mut doc = vec![0x03, 0x00, 0x00, 0x6A, fpi.len() as u8];
        doc.extend_from_slice(fpi);
        let h = Header::parse(&doc).unwrap();
        assert_eq!(h.public_id, PublicId::Fpi("-//OMA//DTD-DM-DDF 1.2//EN"));
        let mut out = Vec::new();
        write_header(&mut out, Version::V1_3, h.public_id, h.string_table);
        assert_eq!(out, doc);
    }

    #[test]
    fn string_table_errors() {
        // FPI index past the table.
        assert_eq!(
            Header::parse(&[0x03, 0x00, 0x05, 0x6A, 0x01, 0x41]),
            Err(Error::InvalidStringTableIndex {
                offset: 1,
                index: 5
            })
        );
        // Table longer than the input.
        assert_eq!(
            Header::parse(&[0x03, 0x01, 0x6A, 0x7F, 0x41]),
            Err(Error::UnexpectedEof { offset: 5 })
        );
        // A table entry without its NUL is accepted (libwbxml does too).
        assert_eq!(string_at(b"abc", 0, 0), Ok("abc"));
        assert_eq!(string_at(b"ab\0cd\0", 3, 0), Ok("cd"));
        assert_eq!(
            string_at(b"\xff\0", 0, 9),
            Err(Error::InvalidUtf8 { offset: 9 })
        );
    }

    #[test]
    fn charsets() {
        assert!(
            Header::parse(&[0x03, 0x01, 0x00, 0x00]).is_ok(),
            "charset 0 is taken as UTF-8"
        );
        assert!(Header::parse(&[0x03, 0x01, 0x03, 0x00]).is_ok(), "US-ASCII");
        assert_eq!(
            Header::parse(&[0x03, 0x01, 0x04, 0x00]),
            Err(Error::UnsupportedCharset {
                offset: 2,
                charset: 4
            })
        );
        assert_eq!(
            Header::parse(&[0x03, 0x01, 0x87, 0x77, 0x00]),
            Err(Error::UnsupportedCharset {
                offset: 2,
                charset: 1015
            })
        );
    }

    #[test]
    fn truncated_headers() {
        let full = [0x03, 0xA4, 0x01, 0x6A, 0x00];
        for len in 0..full.len() {
            assert!(Header::parse(&full[..len]).is_err(), "length {len}");
        }
    }
}
