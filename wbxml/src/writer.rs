//! The WBXML writer: header, tags with minimal page switching, strings and opaque data.

use crate::header::{write_header, PublicId, Version};
use crate::tokens::global as g;
use crate::{mb, Error};

/// Writes one WBXML document into a byte buffer.
///
/// SWITCH_PAGE is emitted only when the next tag lives on another page than the current
/// one, as libwbxml does; END never needs a switch.
///
/// ```
/// use wbxml::{tokens::syncml, PublicId, Version, Writer};
/// let mut w = Writer::new(Version::V1_3, PublicId::Known(0x1201));
/// w.start(syncml::PAGE, syncml::SYNC_ML);
/// w.empty(syncml::PAGE, syncml::FINAL);
/// w.end();
/// assert_eq!(w.finish(), [0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01]);
/// ```
#[derive(Clone, Debug)]
pub struct Writer {
    buf: Vec<u8>,
    page: u8,
}

impl Writer {
    /// A document with a numeric public id (or an FPI, put in the string table) and UTF-8.
    pub fn new(version: Version, public_id: PublicId<'_>) -> Self {
        Self::from_vec(Vec::new(), version, public_id, None)
    }

    /// A document whose public id is `fpi`, kept in the string table (as DDF requires).
    pub fn with_fpi(version: Version, fpi: &str) -> Self {
        Self::from_vec(Vec::new(), version, PublicId::Fpi(fpi), None)
    }

    /// A document written into `buf` (cleared first, its capacity reused), with an explicit
    /// string table (NUL-terminated entries). With [`PublicId::Fpi`] and no table, the table
    /// holds the FPI alone.
    pub fn from_vec(
        mut buf: Vec<u8>,
        version: Version,
        public_id: PublicId<'_>,
        string_table: Option<&[u8]>,
    ) -> Self {
        buf.clear();
        match (public_id, string_table) {
            (PublicId::Fpi(fpi), None) => {
                let mut table = Vec::with_capacity(fpi.len() + 1);
                table.extend_from_slice(fpi.as_bytes());
                table.push(0);
                write_header(&mut buf, version, public_id, &table);
            }
            (_, table) => write_header(&mut buf, version, public_id, table.unwrap_or_default()),
        }
        Self { buf, page: 0 }
    }

    #[inline]
    fn switch_to(&mut self, page: u8) {
        if page != self.page {
            self.buf.extend_from_slice(&[g::SWITCH_PAGE, page]);
            self.page = page;
        }
    }

    /// Opens an element with content; close it with [`Writer::end`].
    #[inline]
    pub fn start(&mut self, page: u8, token: u8) {
        self.switch_to(page);
        self.buf.push(token | g::HAS_CONTENT);
    }

    /// Writes an element without content.
    #[inline]
    pub fn empty(&mut self, page: u8, token: u8) {
        self.switch_to(page);
        self.buf.push(token);
    }

    /// Opens (`content`) or writes (no content) an element named by the string table entry
    /// at `index`.
    pub fn literal(&mut self, index: u32, content: bool) {
        self.buf
            .push(if content { g::LITERAL_C } else { g::LITERAL });
        mb::write(&mut self.buf, index);
    }

    /// Closes the innermost open element.
    #[inline]
    pub fn end(&mut self) {
        self.buf.push(g::END);
    }

    /// Writes `text` as an inline string; WBXML strings cannot hold NUL.
    #[inline]
    pub fn str_i(&mut self, text: &str) -> Result<(), Error> {
        if memchr::memchr(0, text.as_bytes()).is_some() {
            return Err(Error::NulInString { offset: 0 });
        }
        self.buf.reserve(text.len() + 2);
        self.buf.push(g::STR_I);
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(0);
        Ok(())
    }

    /// Writes a reference to the string-table entry at `index`.
    #[inline]
    pub fn str_t(&mut self, index: u32) {
        self.buf.push(g::STR_T);
        mb::write(&mut self.buf, index);
    }

    /// Writes opaque bytes.
    #[inline]
    pub fn opaque(&mut self, bytes: &[u8]) {
        self.buf.push(g::OPAQUE);
        mb::write(
            &mut self.buf,
            u32::try_from(bytes.len()).unwrap_or(u32::MAX),
        );
        self.buf.extend_from_slice(bytes);
    }

    /// Writes a character entity.
    pub fn entity(&mut self, code_point: u32) {
        self.buf.push(g::ENTITY);
        mb::write(&mut self.buf, code_point);
    }

    /// Writes an element holding one inline string: `<tag>text</tag>`.
    #[inline]
    pub fn text_element(&mut self, page: u8, token: u8, text: &str) -> Result<(), Error> {
        self.start(page, token);
        self.str_i(text)?;
        self.end();
        Ok(())
    }

    /// Starts an inline string whose bytes the caller appends piecewise with
    /// [`Writer::push_str_piece`] and closes with [`Writer::end_str`].
    #[inline]
    pub fn begin_str(&mut self) {
        self.buf.push(g::STR_I);
    }

    /// Appends bytes to the inline string opened by [`Writer::begin_str`].
    #[inline]
    pub fn push_str_piece(&mut self, piece: &str) -> Result<(), Error> {
        if memchr::memchr(0, piece.as_bytes()).is_some() {
            return Err(Error::NulInString { offset: 0 });
        }
        self.buf.extend_from_slice(piece.as_bytes());
        Ok(())
    }

    /// Appends text already known to hold no NUL to the inline string.
    #[inline]
    pub(crate) fn push_plain_piece(&mut self, piece: &str) {
        self.buf.extend_from_slice(piece.as_bytes());
    }

    /// Writes text already known to hold no NUL as a whole inline string.
    #[inline]
    pub(crate) fn plain_str(&mut self, text: &str) {
        self.buf.reserve(text.len() + 2);
        self.buf.push(g::STR_I);
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(0);
    }

    /// Closes the inline string opened by [`Writer::begin_str`].
    #[inline]
    pub fn end_str(&mut self) {
        self.buf.push(0);
    }

    /// The number of bytes written so far, header included.
    pub fn len(&self) -> usize {
        self.buf.len()
    }

    /// Whether nothing has been written (never true: the header is written at creation).
    pub fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    /// The finished document.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::{ddf, metinf, syncml};

    #[test]
    fn switches_page_only_when_the_next_tag_needs_it() {
        let mut w = Writer::new(Version::V1_3, PublicId::Known(0x1201));
        w.start(syncml::PAGE, syncml::META);
        w.text_element(metinf::PAGE, metinf::FORMAT, "chr").unwrap();
        w.text_element(metinf::PAGE, metinf::TYPE, "t").unwrap();
        w.end();
        w.start(syncml::PAGE, syncml::ITEM);
        w.end();
        let body = &w.finish()[5..];
        assert_eq!(
            body,
            [
                0x5A, 0x00, 0x01, 0x47, 0x03, b'c', b'h', b'r', 0x00, 0x01, 0x53, 0x03, b't', 0x00,
                0x01, 0x01, 0x00, 0x00, 0x54, 0x01
            ]
        );
    }

    #[test]
    fn fpi_document_starts_on_page_two() {
        let mut w = Writer::with_fpi(Version::V1_3, "-//OMA//DTD-DM-DDF 1.2//EN");
        w.start(ddf::PAGE, ddf::MGMT_TREE);
        w.end();
        let doc = w.finish();
        assert_eq!(&doc[..5], [0x03, 0x00, 0x00, 0x6A, 27]);
        assert_eq!(&doc[doc.len() - 4..], [0x00, 0x02, 0x60, 0x01]);
    }

    #[test]
    fn nul_in_string_is_an_error() {
        let mut w = Writer::new(Version::V1_3, PublicId::Known(0x1201));
        assert_eq!(w.str_i("a\0b"), Err(Error::NulInString { offset: 0 }));
    }

    #[test]
    fn opaque_and_entity() {
        let mut w = Writer::new(Version::V1_2, PublicId::Known(0x1201));
        w.opaque(&[1, 2]);
        w.entity(0xE9);
        assert_eq!(&w.finish()[5..], [0xC3, 0x02, 1, 2, 0x02, 0x81, 0x69]);
    }
}
