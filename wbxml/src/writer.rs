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
        if has_nul(text.as_bytes()) {
            return Err(Error::NulInString { offset: 0 });
        }
        self.plain_str(text);
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

    /// Writes an element holding one inline string: `<tag>text</tag>`. On a NUL in `text`
    /// nothing is written.
    #[inline(always)]
    pub fn text_element(&mut self, page: u8, token: u8, text: &str) -> Result<(), Error> {
        let bytes = text.as_bytes();
        // Most elements of a message hold a few bytes (CmdID, MsgRef, Cmd, a status code) or
        // a path: the element is assembled in a fixed block, checked for NUL word by word as
        // it is copied, and appended with one fixed-size copy.
        if bytes.len() <= BLOCK - 4 {
            return self.put_block::<BLOCK>(page, token, bytes);
        }
        self.long_text_element(page, token, bytes)
    }

    /// [`Writer::text_element`] for a text longer than [`BLOCK`] holds: kept out of line, so
    /// that the short path saves no more registers than it uses.
    #[inline(never)]
    fn long_text_element(&mut self, page: u8, token: u8, bytes: &[u8]) -> Result<(), Error> {
        if bytes.len() <= WIDE_BLOCK - 4 {
            return self.put_block::<WIDE_BLOCK>(page, token, bytes);
        }
        if has_nul(bytes) {
            return Err(Error::NulInString { offset: 0 });
        }
        self.buf.reserve(bytes.len() + 6);
        self.switch_to(page);
        self.buf
            .extend_from_slice(&[token | g::HAS_CONTENT, g::STR_I]);
        self.buf.extend_from_slice(bytes);
        self.buf.extend_from_slice(&[0, g::END]);
        Ok(())
    }

    /// Writes an element holding the decimal digits of `n` as an inline string, as
    /// [`Writer::text_element`] would write `n.to_string()`.
    #[inline]
    pub fn number_element(&mut self, page: u8, token: u8, n: u64) {
        // CmdIDs and status codes: a few digits, written as one fixed-size array each.
        let tag = token | g::HAS_CONTENT;
        // Each digit is below 10: the casts are exact.
        let digit = |k: u64| b'0' + (k % 10) as u8;
        if n < 10 {
            self.switch_to(page);
            self.buf.extend([tag, g::STR_I, digit(n), 0, g::END]);
            return;
        }
        if n < 100 {
            self.switch_to(page);
            self.buf
                .extend([tag, g::STR_I, digit(n / 10), digit(n), 0, g::END]);
            return;
        }
        if n < 1000 {
            self.switch_to(page);
            self.buf.extend([
                tag,
                g::STR_I,
                digit(n / 100),
                digit(n / 10),
                digit(n),
                0,
                g::END,
            ]);
            return;
        }
        self.long_number_element(page, token, n);
    }

    /// [`Writer::number_element`] for `n` of four digits or more, out of line (see
    /// [`Writer::long_text_element`]).
    #[inline(never)]
    fn long_number_element(&mut self, page: u8, token: u8, n: u64) {
        /// The two digits of 0 to 99.
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        // u64::MAX has 20 digits: they, the tag, STR_I, NUL and END fit the block.
        let len = n.checked_ilog10().map_or(1, |log| log as usize + 1);
        self.put_in_place::<24>(page, |block| {
            if let Some([tag, str_i]) = block.first_chunk_mut::<2>() {
                *tag = token | g::HAS_CONTENT;
                *str_i = g::STR_I;
            }
            // The digits from the last one back, two at a time.
            let mut at = 2 + len;
            let mut rest = n;
            while at >= 4 {
                // rest % 100 < 100: the cast is exact.
                let pair = (rest % 100) as usize * 2;
                rest /= 100;
                at -= 2;
                if let (Some(to), Some(from)) =
                    (block.get_mut(at..at + 2), PAIRS.get(pair..pair + 2))
                {
                    to.copy_from_slice(from);
                }
            }
            if at == 3 {
                if let Some(to) = block.get_mut(2) {
                    // rest < 10 here: the cast is exact.
                    *to = b'0' + rest as u8;
                }
            }
            // The NUL after the digits is already there; END follows it.
            *block.get_mut(len + 3)? = g::END;
            Some(len + 4)
        });
    }

    /// [`Writer::text_element`] for a text of at most `B - 4` bytes.
    #[inline(always)]
    fn put_block<const B: usize>(&mut self, page: u8, token: u8, text: &[u8]) -> Result<(), Error> {
        let written = self.put_in_place::<B>(page, |block| {
            if !pack_short(block, text) {
                return None;
            }
            if let Some([tag, str_i, ..]) = block.first_chunk_mut::<2>() {
                *tag = token | g::HAS_CONTENT;
                *str_i = g::STR_I;
            }
            // The NUL after the text is already there; END follows it.
            *block.get_mut(text.len() + 3)? = g::END;
            Some(text.len() + 4)
        });
        if written {
            Ok(())
        } else {
            Err(Error::NulInString { offset: 0 })
        }
    }

    /// Writes an element of page `page` that `fill` assembles in a zeroed block of `B` bytes,
    /// returning the length it used (`None`: nothing is written, the page stays as it was).
    /// The block is assembled where it is kept, at the end of the output: built on the stack
    /// and copied in, the copy would wait on the stores that just built it.
    #[inline(always)]
    fn put_in_place<const B: usize>(
        &mut self,
        page: u8,
        fill: impl FnOnce(&mut [u8; B]) -> Option<usize>,
    ) -> bool {
        let (page_before, len_before) = (self.page, self.buf.len());
        self.switch_to(page);
        let start = self.buf.len();
        self.buf.extend_from_slice(&[0u8; B]);
        let len = self
            .buf
            .get_mut(start..)
            .and_then(<[u8]>::first_chunk_mut::<B>)
            .and_then(fill);
        match len {
            Some(len) => self.buf.truncate(start + len),
            None => {
                self.buf.truncate(len_before);
                self.page = page_before;
            }
        }
        len.is_some()
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
        if has_nul(piece.as_bytes()) {
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

    /// Continues a document whose bytes so far are `buf` (its WBXML header among them, or
    /// to be put before them), with `page` the current tag code page: what [`Writer::page`]
    /// said when those bytes were written. For a sender that keeps a part it writes again
    /// and again (a message header) as bytes.
    ///
    /// ```
    /// use wbxml::{tokens::syncml, PublicId, Version, Writer};
    /// let mut w = Writer::new(Version::V1_3, PublicId::Known(0x1201));
    /// w.start(syncml::PAGE, syncml::SYNC_ML);
    /// let (page, bytes) = (w.page(), w.finish());
    /// let mut w = Writer::resume(bytes, page);
    /// w.empty(syncml::PAGE, syncml::FINAL);
    /// w.end();
    /// assert_eq!(w.finish(), [0x03, 0xA4, 0x01, 0x6A, 0x00, 0x6D, 0x12, 0x01]);
    /// ```
    pub fn resume(buf: Vec<u8>, page: u8) -> Self {
        Self { buf, page }
    }

    /// The current tag code page: the page of the last tag written (0 at the start).
    pub fn page(&self) -> u8 {
        self.page
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

/// The block [`Writer::text_element`] assembles short elements in (and numbers).
const BLOCK: usize = 32;

/// The block for texts too long for [`BLOCK`] (most paths).
const WIDE_BLOCK: usize = 64;

const LOW: u128 = 0x0101_0101_0101_0101_0101_0101_0101_0101;
const HIGH: u128 = 0x8080_8080_8080_8080_8080_8080_8080_8080;

/// Whether a byte of `w` is zero. Exact: a borrow only starts at the lowest zero byte.
#[inline(always)]
const fn zero_in(w: u128) -> bool {
    w.wrapping_sub(LOW) & !w & HIGH != 0
}

/// Copies the `N`-byte words at the start and at the end of `text` (they overlap when `text`
/// is shorter than 2N, N being 4 or 8) into `block` from index 2 on; false if either holds a
/// zero byte. The words are tested in 64-bit registers, as they are loaded.
#[inline(always)]
fn pack_ends<const B: usize, const N: usize>(block: &mut [u8; B], text: &[u8]) -> Option<bool> {
    let len = text.len();
    let first = text.first_chunk::<N>()?;
    let last = text.last_chunk::<N>()?;
    block.get_mut(2..2 + N)?.copy_from_slice(first);
    block.get_mut(2 + len - N..2 + len)?.copy_from_slice(last);
    let word = |w: &[u8; N]| {
        let mut lanes = [0xFF_u8; 8];
        if let Some(to) = lanes.get_mut(..N) {
            to.copy_from_slice(w);
        }
        u64::from_le_bytes(lanes)
    };
    let (a, b) = (word(first), word(last));
    Some(if N <= 4 {
        // Both words in one register: the lanes above each are not zero.
        !zero_in_64((a & 0xFFFF_FFFF) | (b << 32))
    } else {
        !zero_in_64(a) & !zero_in_64(b)
    })
}

/// Whether a byte of `w` is zero (exact, as [`zero_in`]).
#[inline(always)]
const fn zero_in_64(w: u64) -> bool {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    w.wrapping_sub(LOW) & !w & HIGH != 0
}

/// Whether the 32-byte word `w` holds a zero byte.
#[inline(always)]
fn zero_in_32(w: &[u8; 32]) -> bool {
    match (w.first_chunk::<16>(), w.last_chunk::<16>()) {
        (Some(a), Some(b)) => zero_in(u128::from_le_bytes(*a)) | zero_in(u128::from_le_bytes(*b)),
        _ => true,
    }
}

/// Copies `text` (at most `B - 4` and 64 bytes) into `block` from index 2 on, leaving the
/// rest as it is; false if `text` holds a NUL (or is too long).
///
/// Every length is moved as two fixed-size words (overlapping where need be), each tested
/// for a zero byte as it passes: no call to `memcpy` or `memchr`, and no loop (which the
/// compiler would turn back into a `memcpy` call).
#[inline(always)]
fn pack_short<const B: usize>(block: &mut [u8; B], text: &[u8]) -> bool {
    let len = text.len();
    let packed = if len + 4 > B || len > 64 {
        None
    } else if len == 0 {
        Some(true)
    } else if len < 4 {
        (|| {
            let (first, mid, last) = (text.first()?, text.get(len / 2)?, text.last()?);
            *block.get_mut(2)? = *first;
            *block.get_mut(2 + len / 2)? = *mid;
            *block.get_mut(1 + len)? = *last;
            Some((*first != 0) & (*mid != 0) & (*last != 0))
        })()
    } else if len < 8 {
        pack_ends::<B, 4>(block, text)
    } else if len < 16 {
        pack_ends::<B, 8>(block, text)
    } else if len < 32 {
        (|| {
            let first = text.first_chunk::<16>()?;
            let last = text.last_chunk::<16>()?;
            block.get_mut(2..18)?.copy_from_slice(first);
            block.get_mut(len - 14..len + 2)?.copy_from_slice(last);
            Some(!zero_in(u128::from_le_bytes(*first)) & !zero_in(u128::from_le_bytes(*last)))
        })()
    } else {
        (|| {
            let first = text.first_chunk::<32>()?;
            let last = text.last_chunk::<32>()?;
            block.get_mut(2..34)?.copy_from_slice(first);
            block.get_mut(len - 30..len + 2)?.copy_from_slice(last);
            Some(!zero_in_32(first) & !zero_in_32(last))
        })()
    };
    packed == Some(true)
}

/// Whether `bytes` holds a NUL: short strings word by word, where a call to `memchr`
/// would cost more than the scan.
#[inline]
fn has_nul(bytes: &[u8]) -> bool {
    if bytes.len() <= BLOCK - 4 {
        return !pack_short(&mut [0; BLOCK], bytes);
    }
    memchr::memchr(0, bytes).is_some()
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
    fn nul_is_found_at_every_position_of_every_length() {
        for len in 0..80 {
            let clean = vec![b'a'; len];
            assert!(!has_nul(&clean), "len {len}");
            // High bytes next to the zero must not hide it nor fake one.
            let high = vec![0xFF; len];
            assert!(!has_nul(&high), "len {len}");
            for at in 0..len {
                for fill in [b'a', 0x01, 0x80, 0xFF] {
                    let mut bytes = vec![fill; len];
                    bytes[at] = 0;
                    assert!(has_nul(&bytes), "len {len} at {at} fill {fill:#x}");
                }
            }
        }
        assert!(!has_nul("\u{100}\u{1}\u{80}\u{101}\u{FFFF}".as_bytes()));
    }

    #[test]
    fn short_texts_are_packed_whole_and_checked_for_nul() {
        fn check<const B: usize>(len: usize) {
            let text: Vec<u8> = (0..len).map(|i| b'A' + (i % 26) as u8).collect();
            let mut block = [0xAA; B];
            assert!(pack_short(&mut block, &text), "len {len}");
            assert_eq!(&block[2..2 + len], &text[..], "len {len}");
            assert!(block[..2]
                .iter()
                .chain(&block[2 + len..])
                .all(|&b| b == 0xAA));
            for at in 0..len {
                let mut bad = text.clone();
                bad[at] = 0;
                assert!(!pack_short(&mut [0; B], &bad), "len {len} at {at}");
            }
        }
        for len in 0..=BLOCK - 4 {
            check::<BLOCK>(len);
        }
        for len in 0..=WIDE_BLOCK - 4 {
            check::<WIDE_BLOCK>(len);
        }
        assert!(!pack_short(&mut [0; BLOCK], &[b'a'; BLOCK - 3]));
    }

    #[test]
    fn text_element_writes_the_same_bytes_as_start_str_end() {
        let long =
            "./DevInfo/Ext/\u{e9}/Mod/Lang/Vendor/Bearer/Ext/SCOMO/Inventory/Deployed/A".as_bytes();
        for (page, n) in [0u8, 1, 1, 0].into_iter().cycle().zip(0..=long.len()) {
            let Ok(text) = std::str::from_utf8(&long[..n]) else {
                continue;
            };
            let mut a = Writer::new(Version::V1_3, PublicId::Known(0x1201));
            let mut b = a.clone();
            a.text_element(page, 0x0B, text).unwrap();
            b.start(page, 0x0B);
            b.str_i(text).unwrap();
            b.end();
            assert_eq!(a.finish(), b.finish());
        }
        let mut w = Writer::new(Version::V1_3, PublicId::Known(0x1201));
        let before = w.len();
        for text in [
            "a\0",
            "\0",
            "abcdefgh\0",
            &format!("{}\0", "x".repeat(40)),
            &format!("\0{}", "x".repeat(59)),
            &format!("{}\0", "x".repeat(60)),
        ] {
            assert_eq!(
                w.text_element(1, 0x0B, text),
                Err(Error::NulInString { offset: 0 })
            );
            assert_eq!(w.len(), before);
        }
        // Nor did the page change: a tag of page 0 needs no switch.
        w.start(0, 0x0B);
        assert_eq!(w.len(), before + 1);
    }

    #[test]
    fn number_element_writes_the_digits_as_text() {
        let mut cases: Vec<u64> = (0..=1001).collect();
        let mut p = 1u64;
        while let Some(next) = p.checked_mul(10) {
            cases.extend([p - 1, p, p + 1, next - 1]);
            p = next;
        }
        cases.push(u64::MAX);
        for (n, page) in cases.into_iter().zip([0u8, 1, 1, 0].into_iter().cycle()) {
            let mut a = Writer::new(Version::V1_3, PublicId::Known(0x1201));
            let mut b = a.clone();
            a.number_element(page, 0x0B, n);
            b.text_element(page, 0x0B, &n.to_string()).unwrap();
            assert_eq!(a.finish(), b.finish(), "{n}");
        }
    }

    #[test]
    fn opaque_and_entity() {
        let mut w = Writer::new(Version::V1_2, PublicId::Known(0x1201));
        w.opaque(&[1, 2]);
        w.entity(0xE9);
        assert_eq!(&w.finish()[5..], [0xC3, 0x02, 1, 2, 0x02, 0x81, 0x69]);
    }
}
