//! XML text rules shared by both directions: escaping, legal characters, names.

use crate::Error;

/// Whether `c` may appear in an XML 1.0 document.
#[inline]
pub(crate) fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Whether `s` is a usable XML element or attribute name.
pub(crate) fn is_xml_name(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    (first.is_alphabetic() || first == '_' || first == ':')
        && chars.all(|c| c.is_alphanumeric() || matches!(c, '_' | ':' | '-' | '.'))
}

/// Bytes that need a closer look when escaping: markup, quotes, controls, and 0xEF (which
/// starts U+FFFE and U+FFFF, the two non-characters XML forbids).
#[allow(clippy::indexing_slicing)] // const evaluation: every index is a byte value
static NEEDS_ESCAPE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'&' as usize] = true;
    table[b'"' as usize] = true;
    table[0xEF] = true;
    table
};

/// The bytes the byte writers look at closer: those of [`NEEDS_ESCAPE`] and every byte of
/// 0x80 and up, so that text which is not ASCII is checked to be UTF-8 before it goes out.
#[allow(clippy::indexing_slicing)] // const evaluation: every index is a byte value
static NEEDS_CHECK: [bool; 256] = {
    let mut table = NEEDS_ESCAPE;
    let mut b = 0x80;
    while b < 0x100 {
        table[b] = true;
        b += 1;
    }
    table
};

/// Strings up to this long are scanned a byte at a time; longer ones in blocks that the
/// compiler turns into vector compares (no early exit inside a block).
const BLOCK: usize = 32;

/// Whether `bytes` holds any byte for which `flag` holds, scanning long inputs by blocks.
#[inline(always)]
fn any_byte(bytes: &[u8], flag: impl Fn(u8) -> bool + Copy) -> bool {
    if bytes.len() < BLOCK {
        return bytes.iter().any(|&b| flag(b));
    }
    let mut blocks = bytes.chunks_exact(BLOCK);
    for block in &mut blocks {
        if block.iter().fold(false, |acc, &b| acc | flag(b)) {
            return true;
        }
    }
    blocks.remainder().iter().any(|&b| flag(b))
}

/// Blocks of [`any_byte_wide`]: long enough that the test after each one costs little.
const WIDE_BLOCK: usize = 128;

/// Like [`any_byte`], for long inputs that usually hold no flagged byte: flags are gathered
/// as bytes ORed together (which the compiler vectorises) and tested once per wide block.
#[inline(always)]
fn any_byte_wide(bytes: &[u8], flag: impl Fn(u8) -> bool + Copy) -> bool {
    let mut blocks = bytes.chunks_exact(WIDE_BLOCK);
    for block in &mut blocks {
        if block.iter().fold(0u8, |acc, &b| acc | u8::from(flag(b))) != 0 {
            return true;
        }
    }
    any_byte(blocks.remainder(), flag)
}

/// An ASCII control XML cannot carry (every one but tab, LF and CR).
#[inline(always)]
fn is_bad_control(b: u8) -> bool {
    (b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')
}

/// Appends `text` escaped for element content (or an attribute value with `quote`).
///
/// A CR is written as `&#13;` so that a parser's line-end normalisation does not lose it;
/// characters XML cannot carry are an [`Error::InvalidXmlText`] at `offset`.
#[inline]
pub(crate) fn escape_into(
    out: &mut String,
    text: &str,
    quote: bool,
    offset: usize,
) -> Result<(), Error> {
    let needs_work = if text.len() < BLOCK {
        text.bytes()
            .any(|b| NEEDS_ESCAPE.get(usize::from(b)).copied().unwrap_or(true))
    } else {
        any_byte(text.as_bytes(), |b| {
            (b < 0x20) | (b == b'<') | (b == b'>') | (b == b'&') | (b == b'"') | (b == 0xEF)
        })
    };
    if !needs_work {
        out.push_str(text);
        return Ok(());
    }
    escape_slow(out, text, quote, offset)
}

#[cold]
fn escape_slow(out: &mut String, text: &str, quote: bool, offset: usize) -> Result<(), Error> {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' if quote => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' if quote => {
                out.push_str(if c == '\t' { "&#9;" } else { "&#10;" });
            }
            c if is_xml_char(c) => out.push(c),
            _ => return Err(Error::InvalidXmlText { offset }),
        }
    }
    Ok(())
}

/// Appends `bytes` as CDATA sections (splitting any `]]>`), or returns false when they are
/// not UTF-8 or hold characters XML cannot carry even there.
pub(crate) fn cdata_into(out: &mut String, bytes: &[u8]) -> bool {
    let Ok(text) = core::str::from_utf8(bytes) else {
        return false;
    };
    // One pass finds whether anything needs a closer look: a control XML forbids, the first
    // byte of U+FFFE/U+FFFF, or a `]` that might close the section early. Long text is mostly
    // printable ASCII, which a signed compare (a control, or any byte of 0x80 and up) and one
    // equality test clear; anything else gets the exact test.
    let plain = !any_byte_wide(bytes, |b| (i8::from_ne_bytes([b]) < 0x20) | (b == b']'))
        || !any_byte(bytes, |b| is_bad_control(b) | (b == 0xEF) | (b == b']'));
    if !plain && !is_xml_text(text) {
        return false;
    }
    out.reserve(text.len() + 12);
    out.push_str("<![CDATA[");
    let mut rest = text;
    if !plain {
        while let Some(at) = memchr::memmem::find(rest.as_bytes(), b"]]>") {
            // `]]` ends this section and `>` opens the next one.
            out.push_str(rest.get(..at + 2).unwrap_or_default());
            out.push_str("]]><![CDATA[");
            rest = rest.get(at + 2..).unwrap_or_default();
        }
    }
    out.push_str(rest);
    out.push_str("]]>");
    true
}

/// [`escape_into`] of element content for writers that build bytes: `text` need not be
/// UTF-8 here; where it is, this writes what `escape_into` writes, and where it is not (or
/// `escape_into` fails) it gives `None`. What it appends is therefore always UTF-8.
#[inline]
pub(crate) fn escape_bytes_into(out: &mut Vec<u8>, text: &[u8]) -> Option<()> {
    // ASCII that needs no escaping (most text) is copied at once; anything else, non-ASCII
    // included, gets the UTF-8 check and the exact treatment.
    let needs_work = if text.len() < BLOCK {
        text.iter()
            .any(|&b| NEEDS_CHECK.get(usize::from(b)).copied().unwrap_or(true))
    } else {
        any_byte(text, |b| {
            (i8::from_ne_bytes([b]) < 0x20) | (b == b'<') | (b == b'>') | (b == b'&') | (b == b'"')
        })
    };
    if !needs_work {
        out.extend_from_slice(text);
        return Some(());
    }
    escape_bytes_slow(out, text)
}

#[cold]
fn escape_bytes_slow(out: &mut Vec<u8>, text: &[u8]) -> Option<()> {
    let text = core::str::from_utf8(text).ok()?.as_bytes();
    for (i, &b) in text.iter().enumerate() {
        match b {
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'&' => out.extend_from_slice(b"&amp;"),
            b'\r' => out.extend_from_slice(b"&#13;"),
            // In UTF-8 the characters XML forbids are these controls and U+FFFE/U+FFFF.
            _ if is_bad_control(b) => return None,
            0xEF if text.get(i + 1) == Some(&0xBF)
                && matches!(text.get(i + 2), Some(0xBE | 0xBF)) =>
            {
                return None
            }
            _ => out.push(b),
        }
    }
    Some(())
}

/// What a CDATA section adds around its text: `<![CDATA[` and `]]>`.
const CDATA_MARKUP: usize = 12;

/// [`cdata_into`] for writers that build bytes: `None` where `cdata_into` gives false, and
/// what it appends is always UTF-8 (printable ASCII, or text checked to be UTF-8).
#[inline]
pub(crate) fn cdata_bytes_into(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    let start = out.len();
    out.reserve(bytes.len() + CDATA_MARKUP);
    out.extend_from_slice(b"<![CDATA[");
    if copy_printable(out, bytes) {
        out.extend_from_slice(b"]]>");
        return Some(());
    }
    out.truncate(start);
    cdata_bytes_slow(out, bytes)
}

/// Appends `bytes` if they are printable ASCII without `]` (what base64 and most text is);
/// false, with nothing appended, where they are not.
///
/// One pass copies and checks, so the bytes are read once: `extend` over a mapped slice
/// iterator writes without a capacity check per byte, and the compiler vectorises the copy
/// together with three running reductions: the least byte (a control shows there), the
/// greatest (so does a byte of 0x80 and up), and the least byte XOR `]` (zero where there is
/// a `]`). Bytes that fail are taken back; a check first and a `memcpy` after read them twice
/// and took about 10% longer on the 12 KB opaque of a large-object chunk.
#[inline(always)]
fn copy_printable(out: &mut Vec<u8>, bytes: &[u8]) -> bool {
    let start = out.len();
    let (mut least, mut most, mut bracket) = (u8::MAX, 0u8, u8::MAX);
    out.extend(bytes.iter().map(|&b| {
        least = least.min(b);
        most = most.max(b);
        bracket = bracket.min(b ^ b']');
        b
    }));
    if least >= 0x20 && most < 0x80 && bracket != 0 {
        return true;
    }
    out.truncate(start);
    false
}

/// The rest of [`cdata_bytes_into`]: text that is not all printable ASCII, or holds a `]`.
#[cold]
fn cdata_bytes_slow(out: &mut Vec<u8>, bytes: &[u8]) -> Option<()> {
    let text = core::str::from_utf8(bytes).ok()?;
    if !is_xml_text(text) {
        return None;
    }
    out.extend_from_slice(b"<![CDATA[");
    let mut rest = bytes;
    while let Some(at) = memchr::memmem::find(rest, b"]]>") {
        // `]]` ends this section and `>` opens the next one.
        out.extend_from_slice(rest.get(..at + 2).unwrap_or_default());
        out.extend_from_slice(b"]]><![CDATA[");
        rest = rest.get(at + 2..).unwrap_or_default();
    }
    out.extend_from_slice(rest);
    out.extend_from_slice(b"]]>");
    Some(())
}

/// How far [`find_markup`] scans a word at a time before `memchr2` takes over.
const WORD_SCAN: usize = 32;

/// The first `<` or `&` in the XML text `b`, and whether every byte before it is printable
/// ASCII (0x20 to 0x7F, so XML text without a second scan): the text scan of the
/// workspace's XML readers. DM text is mostly a few bytes (numbers, names, URIs): words
/// tested one after another find its end before a call to `memchr2` would have set up.
/// Longer text is not judged (`false`).
///
/// ```
/// use wbxml::transcode::find_markup;
/// assert_eq!(find_markup(b"./DevInfo/Mod</LocURI>"), Some((13, true)));
/// assert_eq!(find_markup(b"a\tb&amp;"), Some((3, false)));
/// assert_eq!(find_markup(b"no markup"), None);
/// ```
#[inline(always)]
pub fn find_markup(b: &[u8]) -> Option<(usize, bool)> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    #[inline(always)]
    fn marks(w: u64) -> u64 {
        let (lt, amp) = (w ^ (LO * u64::from(b'<')), w ^ (LO * u64::from(b'&')));
        // The lowest flagged byte is the first zero byte exactly (borrows only run upward).
        (lt.wrapping_sub(LO) & !lt | amp.wrapping_sub(LO) & !amp) & HI
    }
    let mut plain = true;
    let mut at = 0;
    while at < WORD_SCAN {
        let Some(w) = b.get(at..).and_then(|r| r.first_chunk::<8>()) else {
            let rest = b.get(at..)?;
            let i = rest.iter().position(|&c| c == b'<' || c == b'&')?;
            let before = rest.get(..i).unwrap_or_default();
            let plain = plain && before.iter().all(|c| (0x20..0x80).contains(c));
            return Some((at + i, plain));
        };
        let x = u64::from_le_bytes(*w);
        // Lanes below 0x20 or from 0x80: borrows may flag a harmless lane above a flagged
        // one (text then gets the exact check), never hide one.
        let odd = (x.wrapping_sub(LO * 0x20) | x) & HI;
        let m = marks(x);
        if m != 0 {
            let lane = m.trailing_zeros() / 8;
            let below = odd & ((1u64 << (8 * lane)) - 1);
            return Some((at + lane as usize, plain && below == 0));
        }
        plain &= odd == 0;
        at += 8;
    }
    memchr::memchr2(b'<', b'&', b.get(at..)?).map(|i| (i + at, false))
}

/// Whether every character of `text` may appear in XML: in UTF-8 only ASCII controls and
/// U+FFFE/U+FFFF (`EF BF BE`/`EF BF BF`) are excluded.
///
/// Decoders call this on every text event, mostly on short strings: those are tested eight
/// bytes at a time (a word of printable ASCII passes with one test), long ones by blocks.
#[inline]
pub fn is_xml_text(text: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let bytes = text.as_bytes();
    if bytes.len() >= 2 * BLOCK {
        return !any_byte(bytes, |b| is_bad_control(b) | (b == 0xEF)) || is_xml_text_slow(bytes);
    }
    let mut words = bytes.chunks_exact(8);
    let mut suspect = false;
    for word in &mut words {
        let mut lanes = [0u8; 8];
        lanes.copy_from_slice(word);
        let x = u64::from_le_bytes(lanes);
        // A lane below 0x20 wraps to a set high bit; a lane of 0x80 or more has it already.
        // Borrows may flag a harmless neighbour, never hide a suspect lane.
        suspect |= (x.wrapping_sub(ONES * 0x20) | x) & HIGHS != 0;
    }
    suspect |= words
        .remainder()
        .iter()
        .any(|&b| !(0x20..0x80).contains(&b));
    !suspect || is_xml_text_slow(bytes)
}

/// The exact check, a byte at a time: XML indentation (LF, tab) and non-ASCII text land here.
fn is_xml_text_slow(bytes: &[u8]) -> bool {
    bytes.iter().enumerate().all(|(i, &b)| {
        if b < 0x20 {
            !is_bad_control(b)
        } else {
            b != 0xEF
                || !(bytes.get(i + 1) == Some(&0xBF)
                    && matches!(bytes.get(i + 2), Some(0xBE | 0xBF)))
        }
    })
}

/// Whether `text` can be copied into a WBXML string as it is: no control character (NUL
/// and CR included, tab and LF excepted) and no 0xEF byte (which may start U+FFFE/U+FFFF).
/// Such text is XML text, needs no line-end normalisation and holds no NUL.
#[inline]
pub(crate) fn is_plain_text(text: &str) -> bool {
    !any_byte(text.as_bytes(), |b| {
        ((b < 0x20) & (b != b'\t') & (b != b'\n')) | (b == 0xEF)
    })
}

/// Appends the standard base64 encoding of `bytes`.
pub(crate) fn base64_into(out: &mut String, bytes: &[u8]) {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let sextet = |v: u32| char::from(ALPHABET.get((v & 0x3F) as usize).copied().unwrap_or(b'='));
    for chunk in bytes.chunks(3) {
        let b = [
            chunk.first().copied(),
            chunk.get(1).copied(),
            chunk.get(2).copied(),
        ];
        let n = (u32::from(b[0].unwrap_or(0)) << 16)
            | (u32::from(b[1].unwrap_or(0)) << 8)
            | u32::from(b[2].unwrap_or(0));
        out.push(sextet(n >> 18));
        out.push(sextet(n >> 12));
        out.push(if b[1].is_some() { sextet(n >> 6) } else { '=' });
        out.push(if b[2].is_some() { sextet(n) } else { '=' });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `find_markup` finds what a byte search finds, wherever the bytes sit around its word
    /// boundaries, among bytes one off the ones it looks for; and it calls the bytes before
    /// printable exactly when they are, for marks in the first `WORD_SCAN` bytes.
    #[test]
    fn find_markup_matches_a_byte_search() {
        let fill = [b'a', b';', b'=', b'%', b'\'', 0x00, 0x01, 0xbc, 0xa6, 0xff];
        let judge = |b: &[u8]| {
            let at = b.iter().position(|&c| c == b'<' || c == b'&')?;
            let plain = at < WORD_SCAN && b[..at].iter().all(|c| (0x20..0x80).contains(c));
            Some((at, plain))
        };
        for len in 0..WORD_SCAN + 24 {
            for &f in &fill {
                let mut b = vec![f; len];
                assert_eq!(find_markup(&b), None, "{len} {f}");
                for at in 0..len {
                    for mark in [b'<', b'&'] {
                        b[at] = mark;
                        if at + 1 < len {
                            b[at + 1] = if mark == b'<' { b'&' } else { b'<' };
                        }
                        assert_eq!(find_markup(&b), judge(&b), "{len} {f} {at}");
                        b.fill(f);
                    }
                }
            }
            // One odd byte (or its printable neighbour) anywhere around one mark.
            for odd in [0x00, 0x1F, 0x20, 0x7E, 0x7F, 0x80, 0xC3, 0xFF] {
                for mark_at in 0..len {
                    for odd_at in 0..len {
                        let mut b = vec![b'x'; len];
                        b[odd_at] = odd;
                        b[mark_at] = b'<';
                        assert_eq!(find_markup(&b), judge(&b), "{b:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn xml_text_check_finds_every_forbidden_character_at_every_position() {
        for len in [0, 1, 7, 8, 9, 15, 31, 32, 33, 40, 63, 64, 65] {
            let plain = "é".repeat(len / 2) + &"a".repeat(len % 2);
            assert!(is_xml_text(&plain), "{plain:?}");
            for at in 0..=len {
                for bad in ["\u{0}", "\u{8}", "\u{1F}", "\u{FFFE}", "\u{FFFF}"] {
                    let mut s = "a".repeat(len);
                    s.insert_str(at, bad);
                    assert!(!is_xml_text(&s), "{s:?}");
                }
                for good in [
                    "\t", "\n", "\r", "\u{FFFD}", "\u{EFFF}", "\u{F000}", "]", "\u{7F}",
                ] {
                    let mut s = "a".repeat(len);
                    s.insert_str(at, good);
                    assert!(is_xml_text(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn escapes_markup_and_cr_and_rejects_controls() {
        let mut s = String::new();
        escape_into(&mut s, "a<b>&c\r\n\"", false, 0).unwrap();
        assert_eq!(s, "a&lt;b&gt;&amp;c&#13;\n\"");
        assert_eq!(
            escape_into(&mut s, "\u{1}", false, 7),
            Err(Error::InvalidXmlText { offset: 7 })
        );
        assert_eq!(
            escape_into(&mut s, "\u{FFFE}", false, 3),
            Err(Error::InvalidXmlText { offset: 3 })
        );
    }

    #[test]
    fn cdata_splits_its_terminator() {
        let mut s = String::new();
        assert!(cdata_into(&mut s, b"x]]>y"));
        assert_eq!(s, "<![CDATA[x]]]]><![CDATA[>y]]>");
        assert!(!cdata_into(&mut s, b"\0"));
        assert!(!cdata_into(&mut s, b"\xff"));
        let long = "A".repeat(100) + "]]>" + &"b".repeat(40);
        s.clear();
        assert!(cdata_into(&mut s, long.as_bytes()));
        assert_eq!(
            s,
            format!(
                "<![CDATA[{}]]]]><![CDATA[>{}]]>",
                "A".repeat(100),
                "b".repeat(40)
            )
        );
        s.clear();
        assert!(cdata_into(&mut s, "line\nnext\ttab".repeat(10).as_bytes()));
        // Past a wide block: text the ASCII test flags gets the exact one.
        for (tail, ok) in [
            ("é", true),
            ("\t\r\n", true),
            ("\u{1}", false),
            ("\u{FFFF}", false),
        ] {
            for at in [0, 127, 128, 300] {
                let mut text = "Q".repeat(300);
                text.insert_str(at, tail);
                s.clear();
                assert_eq!(cdata_into(&mut s, text.as_bytes()), ok, "{tail:?} at {at}");
                if ok {
                    assert_eq!(s, format!("<![CDATA[{text}]]>"));
                }
            }
        }
    }

    /// The byte writers write what the `String` ones write, fail where they fail, and fail
    /// on bytes that are not UTF-8: at every position, in short and long text, at the edges
    /// of the blocks of the opaque copy.
    #[test]
    fn byte_writers_agree_with_string_writers() {
        let inserts: [&[u8]; 16] = [
            b"]",
            b"]]>",
            b"]]",
            b">",
            b"<&\"",
            b"\t",
            b"\r\n",
            b"\0",
            b"\x1F",
            b"\x7F",
            "é€𝄞".as_bytes(),
            "\u{FFFE}".as_bytes(),
            b"\xFF",
            b"\xE2\x82",
            b"\x80",
            b"\xC0\xAF",
        ];
        for len in [0usize, 1, 7, 8, 31, 32, 33, 127, 128, 129, 255, 256, 300] {
            for insert in inserts {
                for at in [
                    0,
                    1,
                    len / 2,
                    len.saturating_sub(1),
                    len,
                    127,
                    128,
                    129,
                    256,
                ] {
                    if at > len {
                        continue;
                    }
                    let mut bytes = b"QUJD+/09".repeat(len / 8 + 1);
                    bytes.truncate(len);
                    bytes.splice(at..at, insert.iter().copied());
                    let as_text = core::str::from_utf8(&bytes).ok();

                    let mut text = String::new();
                    let cdata_ok = cdata_into(&mut text, &bytes);
                    let mut out = b"x".to_vec();
                    let done = cdata_bytes_into(&mut out, &bytes);
                    assert_eq!(done.is_some(), cdata_ok, "{bytes:?}");
                    if cdata_ok {
                        assert_eq!(out.get(1..).unwrap(), text.as_bytes(), "{bytes:?}");
                    }

                    let mut out = b"x".to_vec();
                    let done = escape_bytes_into(&mut out, &bytes);
                    let mut text = String::new();
                    let escaped = as_text.map(|t| escape_into(&mut text, t, false, 0));
                    assert_eq!(done.is_some(), escaped == Some(Ok(())), "{bytes:?}");
                    if done.is_some() {
                        assert_eq!(out.get(1..).unwrap(), text.as_bytes(), "{bytes:?}");
                    }
                }
            }
        }
    }

    /// The opaque check flags every byte value that is not printable ASCII or is `]`, at
    /// every position of short and long runs.
    #[test]
    fn printable_copy_flags_every_other_byte_anywhere() {
        for len in [1usize, 15, 16, 17, 31, 32, 33, 64, 65, 100] {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut bytes = b"QUJD+/09".repeat(len / 8 + 1);
                    bytes.truncate(len);
                    bytes[at] = b;
                    let plain = (0x20..0x80).contains(&b) && b != b']';
                    let mut out = b"<x>".to_vec();
                    let copied = copy_printable(&mut out, &bytes);
                    assert_eq!(copied, plain, "{b:#04X} at {at} of {len}");
                    let expected = if plain {
                        [&b"<x>"[..], &bytes].concat()
                    } else {
                        b"<x>".to_vec()
                    };
                    assert_eq!(out, expected, "{b:#04X} at {at} of {len}");
                }
            }
        }
        let mut out = b"<x>".to_vec();
        assert!(copy_printable(&mut out, b""));
        assert_eq!(out, b"<x>");
    }

    #[test]
    fn xml_text_checks_short_and_long_inputs_alike() {
        for pad in [0, 5, 31, 32, 33, 64, 100] {
            let p = "x".repeat(pad);
            assert!(is_xml_text(&format!("{p}a\tb\nc\rd\u{FFFD}\u{EFFF}")));
            assert!(!is_xml_text(&format!("{p}\u{1}")));
            assert!(!is_xml_text(&format!("\u{0}{p}")));
            assert!(!is_xml_text(&format!("{p}\u{FFFE}{p}")));
            assert!(!is_xml_text(&format!("{p}\u{FFFF}")));
            assert!(!is_plain_text(&format!("{p}\r")));
            assert!(!is_plain_text(&format!("{p}\0{p}")));
            assert!(!is_plain_text(&format!("{p}\u{FFFD}")));
            assert!(is_plain_text(&format!("{p}\t\n\u{FFF}{p}")));
            let mut s = String::new();
            escape_into(&mut s, &format!("{p}<&\"{p}"), true, 0).unwrap();
            assert_eq!(s, format!("{p}&lt;&amp;&quot;{p}"));
            s.clear();
            escape_into(&mut s, &format!("{p}\u{FFFF}"), false, 4).unwrap_err();
        }
    }

    #[test]
    fn base64_rfc4648_vectors() {
        for (raw, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foobar", "Zm9vYmFy"),
        ] {
            let mut s = String::new();
            base64_into(&mut s, raw.as_bytes());
            assert_eq!(s, enc);
        }
    }

    #[test]
    fn names() {
        assert!(is_xml_name("MgmtTree"));
        assert!(is_xml_name("Rx-Pref"));
        assert!(!is_xml_name("1abc"));
        assert!(!is_xml_name("a b"));
        assert!(!is_xml_name(""));
    }
}
