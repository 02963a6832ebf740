//! Leaf values, typed by their node's [`Format`].

use ddf::spec::Format;

use crate::op::OpData;

/// Why data does not fit a format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// Text formats need UTF-8.
    #[error("value is not UTF-8 (byte {offset})")]
    NotUtf8 {
        /// First invalid byte.
        offset: usize,
    },
    /// The text is not a value of the format (`int` not a 32-bit integer, ...).
    #[error("value is not a valid {format}")]
    Invalid {
        /// The expected format.
        format: Format,
    },
    /// Interior nodes carry no value.
    #[error("interior nodes have no value")]
    Interior,
}

/// The value of a leaf. Text-like formats (`chr`, `xml`, `date`, `time`, `float`, `b64`)
/// keep their validated text so a Get returns exactly what was stored.
#[derive(Clone, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Value {
    /// No value (a null leaf, or an interior node).
    #[default]
    Empty,
    /// Validated text.
    Text(Text),
    /// An `int`.
    Int(i32),
    /// A `bool`.
    Bool(bool),
    /// `bin` data.
    Bytes(Box<[u8]>),
}

/// The text of a leaf value. Texts of up to 22 bytes, which most DM leaves hold (versions,
/// flags, short names and numbers kept as text), live inline: a Replace or Add of one costs
/// no allocation and the old value none to free. Longer texts live on the heap.
///
/// ```
/// use dm_tree::value::Text;
///
/// let t = Text::from("1.2");
/// assert_eq!(&*t, "1.2");
/// assert_eq!(t, Text::from(String::from("1.2")));
/// ```
#[derive(Clone)]
pub struct Text(TextRepr);

/// The inline capacity keeps [`Text`] at 24 bytes, the size of a `String`.
const INLINE: usize = 22;

#[derive(Clone)]
enum TextRepr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl Text {
    /// The text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Always built from a `&str` of `len` bytes, so this never falls back to "".
            TextRepr::Inline { len, bytes } => {
                core::str::from_utf8(bytes.get(..usize::from(*len)).unwrap_or_default())
                    .unwrap_or_default()
            }
            TextRepr::Heap(b) => b,
        }
    }

    /// Makes this the text `text`, in place when both fit inline: a Replace of a short
    /// value then writes the node where it lives instead of building a value and moving it in.
    pub(crate) fn set(&mut self, text: &str) {
        if let TextRepr::Inline { len, bytes } = &mut self.0 {
            if let (Some(head), Ok(n)) = (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
                head.copy_from_slice(text.as_bytes());
                *len = n;
                return;
            }
        }
        *self = Self::from(text);
    }
}

impl From<&str> for Text {
    fn from(text: &str) -> Self {
        let mut bytes = [0u8; INLINE];
        match (bytes.get_mut(..text.len()), u8::try_from(text.len())) {
            (Some(head), Ok(len)) => {
                head.copy_from_slice(text.as_bytes());
                Self(TextRepr::Inline { len, bytes })
            }
            _ => Self(TextRepr::Heap(text.into())),
        }
    }
}

impl From<String> for Text {
    fn from(text: String) -> Self {
        if text.len() <= INLINE {
            Self::from(text.as_str())
        } else {
            Self(TextRepr::Heap(text.into_boxed_str()))
        }
    }
}

impl From<Box<str>> for Text {
    fn from(text: Box<str>) -> Self {
        if text.len() <= INLINE {
            Self::from(&*text)
        } else {
            Self(TextRepr::Heap(text))
        }
    }
}

impl core::ops::Deref for Text {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl core::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq for Text {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl core::hash::Hash for Text {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl core::fmt::Debug for Text {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        core::fmt::Debug::fmt(self.as_str(), f)
    }
}

impl core::fmt::Display for Text {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Text {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl serde::de::Visitor<'_> for TextVisitor {
            type Value = Text;
            fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text::from(v))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Text, E> {
                Ok(Text::from(v))
            }
        }
        d.deserialize_str(TextVisitor)
    }
}

impl Value {
    /// Parses received data as a value of `format`. Empty data is the null value for every
    /// leaf format.
    pub fn parse(format: Format, data: &[u8]) -> Result<Self, ValueError> {
        if format == Format::Node {
            return if data.is_empty() {
                Ok(Self::Empty)
            } else {
                Err(ValueError::Interior)
            };
        }
        if data.is_empty() {
            return Ok(Self::Empty);
        }
        if format == Format::Bin {
            return Ok(Self::Bytes(data.into()));
        }
        let text = core::str::from_utf8(data).map_err(|e| ValueError::NotUtf8 {
            offset: e.valid_up_to(),
        })?;
        Self::parse_str(format, text)
    }

    /// [`Value::parse`] of an operation's data: text given as text is not checked for UTF-8
    /// again. No data is the null value.
    pub fn parse_data(format: Format, data: Option<OpData<'_>>) -> Result<Self, ValueError> {
        match data {
            Some(OpData::Text(text)) if format != Format::Node && format != Format::Bin => {
                if text.is_empty() {
                    return Ok(Self::Empty);
                }
                Self::parse_str(format, text)
            }
            Some(d) => Self::parse(format, d.as_bytes()),
            None => Self::parse(format, &[]),
        }
    }

    /// A non-empty text as a value of a text-like `format` (not `node` or `bin`).
    fn parse_str(format: Format, text: &str) -> Result<Self, ValueError> {
        let invalid = ValueError::Invalid { format };
        Ok(match format {
            Format::Int => Self::Int(text.parse().map_err(|_| invalid)?),
            Format::Bool => Self::Bool(match text {
                t if t.eq_ignore_ascii_case("true") => true,
                t if t.eq_ignore_ascii_case("false") => false,
                _ => return Err(invalid),
            }),
            _ => {
                check_text(format, text)?;
                Self::Text(text.into())
            }
        })
    }

    /// [`parse_data`](Self::parse_data) into this value, which is left as it was on error.
    /// A text replacing a text is written in place (see [`Text::set`]).
    pub(crate) fn set_data(
        &mut self,
        format: Format,
        data: Option<OpData<'_>>,
    ) -> Result<(), ValueError> {
        if let (Some(OpData::Text(text)), Self::Text(current)) = (data, &mut *self) {
            let stays_text = !matches!(
                format,
                Format::Node | Format::Bin | Format::Int | Format::Bool
            );
            if stays_text && !text.is_empty() {
                check_text(format, text)?;
                current.set(text);
                return Ok(());
            }
        }
        *self = Self::parse_data(format, data)?;
        Ok(())
    }

    /// Appends the value as it travels in a `Data` element.
    pub fn write_data(&self, out: &mut Vec<u8>) {
        match self {
            Self::Empty => {}
            Self::Text(t) => out.extend_from_slice(t.as_bytes()),
            Self::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Self::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Self::Bytes(b) => out.extend_from_slice(b),
        }
    }

    /// The value as it travels in a `Data` element.
    pub fn to_data(&self) -> Vec<u8> {
        match self {
            // Copied at their size in one allocation, rather than through `Vec`'s growth.
            Self::Text(t) => t.as_bytes().to_vec(),
            Self::Bytes(b) => b.to_vec(),
            _ => {
                let mut out = Vec::new();
                self.write_data(&mut out);
                out
            }
        }
    }

    /// The text of a text-like value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            _ => None,
        }
    }

    /// The `Size` property: bytes of the unencoded value (`b64` counts the decoded bytes).
    pub fn size(&self, format: Format) -> u64 {
        let n = match self {
            Self::Empty => 0,
            Self::Text(t) if format == Format::B64 => b64_decoded_len(t).unwrap_or(0),
            Self::Text(t) => t.len(),
            Self::Int(i) => i.to_string().len(),
            Self::Bool(b) => {
                if *b {
                    4
                } else {
                    5
                }
            }
            Self::Bytes(b) => b.len(),
        };
        n as u64
    }
}

/// Checks a non-empty text for a format whose values stay text (all but `node`, `bin`,
/// `int` and `bool`).
fn check_text(format: Format, text: &str) -> Result<(), ValueError> {
    let invalid = ValueError::Invalid { format };
    let ok = match format {
        Format::Float => text.trim().parse::<f32>().is_ok(),
        Format::Date | Format::Time => {
            text.bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b':' | b'T' | b'Z' | b'+' | b'.'))
                && text.bytes().any(|b| b.is_ascii_digit())
        }
        Format::B64 => b64_decoded_len(text).is_some(),
        // `null` leaves hold nothing; any data for them is refused.
        Format::Null => false,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid)
    }
}

/// The decoded length of base64 text, or `None` if it is not base64 (whitespace, which
/// encoders insert every 76 characters, is ignored).
fn b64_decoded_len(text: &str) -> Option<usize> {
    let mut n = 0usize;
    let mut pad = 0usize;
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' if pad == 0 => n += 1,
            b'=' => pad += 1,
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => return None,
        }
    }
    if pad > 2 || (n + pad) % 4 != 0 {
        return None;
    }
    Some(n * 3 / 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_values() {
        assert_eq!(Value::parse(Format::Int, b"-42"), Ok(Value::Int(-42)));
        assert!(Value::parse(Format::Int, b"4294967296").is_err());
        assert_eq!(Value::parse(Format::Bool, b"TRUE"), Ok(Value::Bool(true)));
        assert!(Value::parse(Format::Bool, b"yes").is_err());
        assert!(Value::parse(Format::Float, b"1.5e3").is_ok());
        assert!(Value::parse(Format::Float, b"x").is_err());
        assert!(Value::parse(Format::Date, b"2001-07-11").is_ok());
        assert!(Value::parse(Format::Time, b"16:38:17Z").is_ok());
        assert!(Value::parse(Format::Date, b"yesterday").is_err());
        assert!(Value::parse(Format::Chr, &[0xff]).is_err());
        assert_eq!(
            Value::parse(Format::Bin, &[0xff, 0]),
            Ok(Value::Bytes(vec![0xff, 0].into()))
        );
        assert!(Value::parse(Format::Null, b"x").is_err());
        assert_eq!(Value::parse(Format::Null, b""), Ok(Value::Empty));
        assert!(Value::parse(Format::Node, b"x").is_err());
    }

    /// A format of every kind of value.
    const FORMATS: [Format; 10] = [
        Format::Chr,
        Format::Int,
        Format::Bool,
        Format::Float,
        Format::Date,
        Format::B64,
        Format::Null,
        Format::Node,
        Format::Bin,
        Format::Xml,
    ];

    /// Texts each valid in one or more of [`FORMATS`], and some valid only as `chr`.
    const TEXTS: [&str; 7] = [
        "",
        "42",
        "true",
        "aGVsbG8=",
        "2001-07-11",
        "x",
        "\u{e9}t\u{e9}",
    ];

    #[test]
    fn text_data_parses_as_its_bytes_do() {
        for f in FORMATS {
            for t in TEXTS {
                assert_eq!(
                    Value::parse_data(f, Some(OpData::Text(t))),
                    Value::parse(f, t.as_bytes()),
                    "{f:?} {t:?}"
                );
            }
            assert_eq!(Value::parse_data(f, None), Value::parse(f, b""), "{f:?}");
        }
    }

    #[test]
    fn set_data_gives_what_parse_data_gives_and_keeps_the_value_on_error() {
        let long = "y".repeat(30);
        let starts = [
            Value::Empty,
            Value::Int(7),
            Value::Text(Text::from("short old")),
            Value::Text(Text::from(long.as_str())),
        ];
        let inline_max = "z".repeat(INLINE);
        for f in FORMATS {
            for start in &starts {
                for t in TEXTS.into_iter().chain([long.as_str(), &inline_max]) {
                    let data = Some(OpData::Text(t));
                    let mut v = start.clone();
                    let set = v.set_data(f, data);
                    match Value::parse_data(f, data) {
                        Ok(parsed) => {
                            assert_eq!(set, Ok(()), "{f:?} {t:?}");
                            assert_eq!(v, parsed, "{f:?} {t:?} over {start:?}");
                        }
                        Err(e) => {
                            assert_eq!(set, Err(e), "{f:?} {t:?}");
                            assert_eq!(&v, start, "{f:?} {t:?}");
                        }
                    }
                }
            }
        }
        // A shorter text over a longer inline one: the old tail is not part of the text.
        let mut v = Value::Text(Text::from("twenty-two bytes long!"));
        v.set_data(Format::Chr, Some(OpData::Text("ab"))).unwrap();
        assert_eq!(v.as_text(), Some("ab"));
        assert_eq!(v.to_data(), b"ab");
    }

    #[test]
    fn texts_up_to_22_bytes_are_inline_and_longer_ones_on_the_heap() {
        assert_eq!(size_of::<Text>(), 24);
        let texts = [
            String::new(),
            "1.2".to_owned(),
            "x".repeat(21),
            "x".repeat(22),
            "x".repeat(23),
            "\u{e9}".repeat(11),
            format!("{}\u{e9}", "x".repeat(21)),
            "https://dm.example.com/a/long/path".to_owned(),
        ];
        for t in &texts {
            let from_str = Text::from(t.as_str());
            let inline = matches!(from_str.0, TextRepr::Inline { .. });
            assert_eq!(inline, t.len() <= INLINE, "{t:?}");
            for other in [
                Text::from(t.clone()),
                Text::from(t.clone().into_boxed_str()),
                from_str.clone(),
            ] {
                assert_eq!(other, from_str);
                assert_eq!(&*other, t.as_str());
                assert_eq!(matches!(other.0, TextRepr::Inline { .. }), inline);
            }
            assert_eq!(format!("{from_str:?}"), format!("{t:?}"));
            assert_eq!(from_str.to_string(), *t);
            let json = serde_json::to_string(&from_str).unwrap();
            assert_eq!(json, serde_json::to_string(t).unwrap());
            assert_eq!(serde_json::from_str::<Text>(&json).unwrap(), from_str);
        }
        assert_ne!(Text::from("a"), Text::from("b"));
        let v = Value::parse(Format::Chr, "x".repeat(40).as_bytes()).unwrap();
        assert_eq!(v.as_text(), Some("x".repeat(40).as_str()));
        assert_eq!(v.to_data(), "x".repeat(40).into_bytes());
    }

    #[test]
    fn sizes() {
        let b64 = Value::parse(Format::B64, b"aGVsbG8=").unwrap();
        assert_eq!(b64.size(Format::B64), 5);
        assert!(Value::parse(Format::B64, b"aGVsbG8").is_err());
        assert!(Value::parse(Format::B64, b"a=Vs").is_err());
        assert_eq!(Value::Bool(true).size(Format::Bool), 4);
        assert_eq!(Value::Bool(false).size(Format::Bool), 5);
        assert_eq!(Value::Int(-42).size(Format::Int), 3);
        assert_eq!(Value::Int(-42).to_data(), b"-42");
    }
}
