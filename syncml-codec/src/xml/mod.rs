//! The XML encoding: decode on quick-xml's borrowed reader, encode with a byte writer.

pub(crate) mod encode;
mod source;

pub(crate) use source::is_xml_char;

use crate::decode::Decoder;
use crate::error::{DecodeError, DecodeErrorKind, EncodeError};
use crate::{Limits, Message};

/// Decodes an XML message with the default [`Limits`].
pub fn decode(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    decode_with(input, &Limits::default())
}

/// Decodes an XML message with explicit limits.
pub fn decode_with<'a>(input: &'a [u8], limits: &Limits) -> Result<Message<'a>, DecodeError> {
    if input.len() > limits.max_message_size {
        return Err(DecodeError {
            kind: DecodeErrorKind::Limit("message size"),
            offset: 0,
            path: "/".into(),
        });
    }
    let (body, base) = match input.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, 3),
        None => (input, 0),
    };
    let text = std::str::from_utf8(body).map_err(|e| DecodeError {
        kind: DecodeErrorKind::InvalidUtf8,
        offset: base + e.valid_up_to(),
        path: "/".into(),
    })?;
    Decoder::new(source::XmlSource::new(text, base), *limits)
        .message()
        .map_err(|e| *e)
}

/// Encodes a message as compact XML into `out` (cleared first, its capacity reused).
pub fn encode(message: &Message<'_>, out: &mut Vec<u8>) -> Result<(), EncodeError> {
    out.clear();
    encode::Enc::new(out).message(message)
}

/// Encodes a message as XML into a new buffer.
pub fn to_vec(message: &Message<'_>) -> Result<Vec<u8>, EncodeError> {
    let mut out = Vec::with_capacity(1024);
    encode(message, &mut out)?;
    Ok(out)
}

/// The exact length [`encode`] would produce, computed without encoding.
pub fn encoded_len(message: &Message<'_>) -> Result<usize, EncodeError> {
    let mut counter = encode::Counter(0);
    encode::Enc::new(&mut counter).message(message)?;
    Ok(counter.0)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    /// The decode of `input` with and without text elements read ahead.
    fn both(input: &[u8]) -> [Result<Message<'_>, DecodeError>; 2] {
        both_under(input, &Limits::default())
    }

    fn both_under<'a>(input: &'a [u8], limits: &Limits) -> [Result<Message<'a>, DecodeError>; 2] {
        let text = std::str::from_utf8(input).unwrap();
        [true, false].map(|ahead| {
            let src = source::XmlSource::new(text, 0);
            let src = if ahead { src } else { src.without_read_ahead() };
            Decoder::new(src, *limits).message().map_err(|e| *e)
        })
    }

    /// The children read straight (`Source::text_child`: a header's VerDTD to MsgID, a
    /// LocURI, a command's CmdID, a Status's usual children, an Item's Data after its
    /// Target) in their usual order, out of it, twice, indented, with attributes, spaces
    /// in their tags, references, non-ASCII text, and longer than the limit.
    const STRAIGHT: &str = concat!(
        "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr>\n <VerDTD>1.2</VerDTD>\n <VerProto>DM/1.2",
        "</VerProto><MsgID>1</MsgID><SessionID>1A</SessionID><Target><LocURI>t</LocURI>",
        "</Target><Source><LocName>n</LocName><LocURI>s</LocURI></Source></SyncHdr>",
        "<SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef>",
        "<Cmd>SyncHdr</Cmd><TargetRef>a</TargetRef><SourceRef>b</SourceRef><Data>200</Data>",
        "</Status><Status>\n <CmdID>2</CmdID>\n <CmdRef>1</CmdRef>\n <MsgRef>1</MsgRef>",
        "<Cmd >Alert</Cmd><TargetRef>a</TargetRef><TargetRef>b</TargetRef><Data> 212 </Data>",
        "</Status><Status><CmdID>3</CmdID><MsgRef>1</MsgRef><CmdRef>2</CmdRef><Cmd>Get</Cmd>",
        "<Data>20x</Data></Status><Replace><CmdID>4</CmdID><Item><Target>",
        "<LocURI>./a&amp;b</LocURI></Target><Data>\u{e9}t\u{e9}</Data></Item><Item><Target>",
        "<LocURI>./c</LocURI></Target><Data>plain, and longer than the limit</Data></Item>",
        "<Item><Target><LocURI xmlns=\"SYNCML:SYNCML1.2\">./d</LocURI></Target>",
        "<Meta><Format xmlns=\"syncml:metinf\">chr</Format></Meta><Data>v</Data></Item>",
        "</Replace><Exec><CmdID>5</CmdID><CmdID>6</CmdID><Item><Target><LocURI>./e</LocURI>",
        "</Target><Data>x</Data><Data>y</Data></Item></Exec><Get><CmdID>7</CmdID ><Item>",
        "<Target><LocURI>./f</LocURI ></Target></Item></Get><Alert><CmdID>8</CmdID>",
        "<Data>1201</Data></Alert><Alert><CmdID>9</CmdID><Data>12o1</Data></Alert><Results>",
        "<CmdID>10</CmdID><MsgRef>1</MsgRef><CmdRef>4</CmdRef><Item><Source><LocURI>./g",
        "</LocURI></Source><Data>r</Data></Item></Results><Sequence><CmdID>11</CmdID>",
        "<Delete><CmdID>12</CmdID><Item><Target><LocURI>./h</LocURI></Target></Item></Delete>",
        "</Sequence><Final/></SyncBody></SyncML>"
    );

    /// Children read straight give the same message, or the same error at the same offset,
    /// as the event path: whole, with one byte replaced at every place, cut at every place,
    /// and under a string limit that some of them pass. Once as written (its first error a
    /// number with a letter), once without its errors (its first error under the limit the
    /// long string).
    #[test]
    fn straight_children_match_the_event_path() {
        let tight = Limits {
            max_string_len: 8,
            ..Limits::default()
        };
        let fixed = STRAIGHT
            .replace("<CmdID>6</CmdID>", "")
            .replace("<Data>y</Data>", "")
            .replace("20x", "200")
            .replace("12o1", "1201");
        for input in [STRAIGHT.as_bytes(), fixed.as_bytes()] {
            for limits in [Limits::default(), tight] {
                let [a, b] = both_under(input, &limits);
                assert_eq!(a, b);
                for at in 0..input.len() {
                    for byte in [b'<', b'/', b'>', b' ', b'&', b'x', b'\n'] {
                        let mut m = input.to_vec();
                        m[at] = byte;
                        if std::str::from_utf8(&m).is_err() {
                            continue;
                        }
                        let [a, b] = both_under(&m, &limits);
                        assert_eq!(a, b, "byte {at} -> {}", byte as char);
                    }
                    if std::str::from_utf8(&input[..at]).is_ok() {
                        let [a, b] = both_under(&input[..at], &limits);
                        assert_eq!(a, b, "cut at {at}");
                    }
                }
            }
        }
        let [a, _] = both(fixed.as_bytes());
        let m = a.unwrap();
        assert_eq!(m.header.session_id, "1A");
        assert_eq!(m.body.commands.len(), 10);
        let [a, _] = both_under(fixed.as_bytes(), &tight);
        assert!(
            matches!(&a, Err(e) if e.kind == DecodeErrorKind::Limit("string length")),
            "{a:?}"
        );
    }

    /// Containers whose end tags quick-xml does not read: spaced, after a comment, after
    /// indentation, empty, mismatched (by the byte replacements in the test).
    const ODD_ENDS: &str = concat!(
        "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
        "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>",
        "<Target><LocURI>t</LocURI></Target ><Source><!-- c --><LocURI>s</LocURI>",
        "<!-- c --></Source><Meta>\n <MaxMsgSize xmlns=\"syncml:metinf\">9</MaxMsgSize>",
        "\n</Meta>\t</SyncHdr\n><SyncBody><Status><CmdID>1</CmdID><MsgRef>1</MsgRef>",
        "<CmdRef>0</CmdRef><Cmd>SyncHdr</Cmd><TargetRef>a&amp;b</TargetRef>",
        "<Data>200</Data><Chal><Meta><MetInf xmlns=\"syncml:metinf\"><Type>b</Type>",
        "</MetInf><Mem><FreeMem>1</FreeMem></Mem></Meta></Chal></Status>",
        "<Add><CmdID>2</CmdID><Item><Target><LocURI><![CDATA[./x]]></LocURI>",
        "</Target><Data>\n<MgmtTree><VerDTD>1.2</VerDTD></MgmtTree>\n</Data></Item>",
        "<Item></Item ></Add><Atomic><CmdID>3</CmdID><Delete><CmdID>4</CmdID>",
        "<Item><Target><LocURI>./y</LocURI></Target></Item></Delete></Atomic>",
        "<Final/></SyncBody></SyncML>"
    );

    fn inputs() -> Vec<Vec<u8>> {
        let mut out: Vec<Vec<u8>> = crate::test_vectors::files()
            .into_iter()
            .filter(|path| path.extension().is_some_and(|e| e == "xml"))
            .map(|path| std::fs::read(path).unwrap())
            .collect();
        out.push(
            concat!(
                "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
                "<VerProto>DM/1.2</VerProto><SessionID> 1 </SessionID><MsgID>1</MsgID>",
                "<Target><LocURI>t</LocURI><LocName></LocName></Target><Source>\n",
                "<LocURI>s</LocURI></Source></SyncHdr><SyncBody>\n <Replace>\n  ",
                "<CmdID>1</CmdID>\n  <Meta><Format xmlns=\"syncml:metinf\">chr</Format>",
                "<Type xmlns='syncml:metinf'>text/plain</Type><Mark>x</Mark></Meta>",
                "<Item><Target><LocURI>./a&amp;b</LocURI></Target><Data>\u{e9}</Data>",
                "<MoreData></MoreData></Item><Item><Source><LocURI>./b</LocURI></Source>",
                "<Data><![CDATA[x]]></Data></Item><Item><Target><LocURI>c</LocURI >",
                "</Target><Data/></Item></Replace><Get><CmdID>2</CmdID><NoResp></NoResp>",
                "<Item><Target><LocURI>d</LocURI></Target></Item></Get>",
                "<Final></Final></SyncBody></SyncML>\n"
            )
            .as_bytes()
            .to_vec(),
        );
        out.push(ODD_ENDS.as_bytes().to_vec());
        // Empty elements where they belong, where they do not, and twice.
        for tail in [
            "<Final/><Final/></SyncBody></SyncML>",
            "<Final/><Get><CmdID>2</CmdID></Get></SyncBody></SyncML>",
            "<Status><LocURI/></Status></SyncBody></SyncML>",
        ] {
            out.push(
                format!(
                    concat!(
                        "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><VerDTD>1.2</VerDTD>",
                        "<VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>",
                        "<Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI>",
                        "</Source><NoResp/></SyncHdr><SyncBody><Get><CmdID>1</CmdID><NoResp/>",
                        "<Item><Target><LocURI>a</LocURI></Target><Data/><MoreData/></Item>",
                        "</Get>{}"
                    ),
                    tail
                )
                .into_bytes(),
            );
        }
        // The root read ahead too, after a declaration and a comment.
        out.push(format!("<?xml version=\"1.0\"?>\n<!-- c -->\n{ODD_ENDS}\n").into_bytes());
        // Declarations taken off before quick-xml reads, and ones left to it.
        for decl in [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<?xml\tversion='1.0' x='?' ?>\r\n",
            "<?xml ?>",
            "<?xml version=\"1.0\"?>\u{feff}",
            "<?xml version=\"1.0\"?>\u{e9}",
            "<?xml version=\"1.0\"?><?xml version=\"1.0\"?>",
            "<?xml version=\"1.0\">",
            "<?xmlx?>",
        ] {
            out.push(format!("{decl}{ODD_ENDS}").into_bytes());
        }
        out
    }

    /// Reading text elements ahead gives the same message, or the same error at the same
    /// offset, as quick-xml's events: on every vector, and on copies with one byte replaced
    /// by markup at many places.
    #[test]
    fn read_ahead_matches_the_event_path() {
        let [a, _] = both(ODD_ENDS.as_bytes());
        assert!(a.is_ok(), "{a:?}");
        for input in inputs() {
            let [a, b] = both(&input);
            assert_eq!(a, b, "{}", String::from_utf8_lossy(&input));
            let step = (input.len() / 300).max(1);
            for at in (0..input.len()).step_by(step) {
                for byte in [b'<', b'/', b'>', b' ', b'&', b'x'] {
                    let mut m = input.clone();
                    m[at] = byte;
                    if std::str::from_utf8(&m).is_err() {
                        continue;
                    }
                    let [a, b] = both(&m);
                    assert_eq!(a, b, "byte {at} -> {}", byte as char);
                }
                if std::str::from_utf8(&input[..at]).is_ok() {
                    let [a, b] = both(&input[..at]);
                    assert_eq!(a, b, "cut at {at}");
                }
            }
        }
    }
}
