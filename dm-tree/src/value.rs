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
    Text(Box<str>),
    /// An `int`.
    Int(i32),
    /// A `bool`.
    Bool(bool),
    /// `bin` data.
    Bytes(Box<[u8]>),
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
            Format::Float => {
                text.trim().parse::<f32>().map_err(|_| invalid)?;
                Self::Text(text.into())
            }
            Format::Date | Format::Time => {
                let ok = text.bytes().all(|b| {
                    b.is_ascii_digit() || matches!(b, b'-' | b':' | b'T' | b'Z' | b'+' | b'.')
                });
                if !ok || !text.bytes().any(|b| b.is_ascii_digit()) {
                    return Err(invalid);
                }
                Self::Text(text.into())
            }
            Format::B64 => {
                if b64_decoded_len(text).is_none() {
                    return Err(invalid);
                }
                Self::Text(text.into())
            }
            // `null` leaves hold nothing; any data for them is refused.
            Format::Null => return Err(invalid),
            _ => Self::Text(text.into()),
        })
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

    #[test]
    fn text_data_parses_as_its_bytes_do() {
        let formats = [
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
        for f in formats {
            for t in [
                "",
                "42",
                "true",
                "aGVsbG8=",
                "2001-07-11",
                "x",
                "\u{e9}t\u{e9}",
            ] {
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
