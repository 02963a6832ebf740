//! The reader, token by token: every global token, header variant, page switch and error.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use wbxml::transcode::{wbxml_to_xml, xml_to_wbxml, OpaquePolicy, ToWbxmlOptions, ToXmlOptions};
use wbxml::{Content, Error, Event, Ext, Language, Plain, Reader, ReaderOptions, Version};

/// A SyncML 1.2 document (WBXML 1.3, UTF-8) with `table` as string table and `body`.
fn doc(table: &[u8], body: &[u8]) -> Vec<u8> {
    let mut d = vec![0x03, 0xA4, 0x01, 0x6A, table.len() as u8];
    d.extend_from_slice(table);
    d.extend_from_slice(body);
    d
}

fn events(bytes: &[u8]) -> Result<Vec<String>, Error> {
    let mut reader = Reader::new(bytes)?;
    let mut out = Vec::new();
    loop {
        let e = reader.next_event()?;
        out.push(match e {
            Event::Start(t) => format!("<{}:{}>", t.page, t.name),
            Event::Empty(t) => format!("<{}:{}/>", t.page, t.name),
            Event::End(t) => format!("</{}>", t.name),
            Event::Str(s) => format!("'{s}'"),
            Event::Opaque(b) => format!("opaque{b:?}"),
            Event::Entity(c) => format!("&{c};"),
            Event::Pi(p) => format!("pi {}", p.name),
            Event::Ext(x) => format!("{x:?}"),
            Event::Eof => break,
        });
    }
    Ok(out)
}

const SYNCML: u8 = 0x6D; // SyncML with content
const FINAL: u8 = 0x12;
const DATA: u8 = 0x4F;

/// Inline strings of every length around the reader's word-at-a-time NUL scan end at their
/// NUL, also when another NUL follows at once.
#[test]
fn inline_strings_of_every_length_end_at_their_nul() {
    for len in 0..80 {
        let text: String = (0..len)
            .map(|i| char::from(b'a' + (i % 26) as u8))
            .collect();
        let mut body = vec![SYNCML, DATA, 0x03];
        body.extend_from_slice(text.as_bytes());
        body.extend_from_slice(&[0, 0x03, 0, 0x01, 0x01]);
        let got = events(&doc(b"", &body)).unwrap();
        let want = format!("'{text}'");
        assert_eq!(got[2], want, "length {len}");
        assert_eq!(got[3], "''", "length {len}");
        let mut cut = vec![SYNCML, DATA, 0x03];
        cut.extend_from_slice(text.as_bytes());
        assert!(matches!(
            events(&doc(b"", &cut)),
            Err(Error::UnterminatedString { .. })
        ));
    }
}

/// A SyncML tag inside an inline DDF element has no XML form: the way back reads an inline
/// MgmtTree as a DDF document (a fuzz finding, `wbxml_to_xml/nested-doc-with-foreign-page-tags`).
#[test]
fn foreign_page_tag_inside_inline_ddf_is_not_representable() {
    // SyncML > Data > (page 2) MgmtTree > (page 0) Final, which starts at byte 12
    let d = doc(
        b"",
        &[
            SYNCML, DATA, 0x00, 0x02, 0x60, 0x00, 0x00, FINAL, 0x01, 0x01, 0x01,
        ],
    );
    let options = ToXmlOptions::default();
    let got = wbxml_to_xml(&d, &options);
    assert!(
        matches!(got, Err(Error::NotRepresentable { offset: 12, .. })),
        "{got:?}"
    );
    // The same MgmtTree without the foreign tag converts, and back.
    let ok = doc(b"", &[SYNCML, DATA, 0x00, 0x02, 0x60, 0x01, 0x01, 0x01]);
    let xml = wbxml_to_xml(&ok, &options).unwrap();
    assert!(xml.contains("<MgmtTree xmlns=\"syncml:dmddf1.2\""), "{xml}");
    xml_to_wbxml(xml.as_bytes(), &ToWbxmlOptions::default()).unwrap();
}

#[test]
fn strings_inline_and_from_the_table() {
    let d = doc(
        b"abc\0hello\0",
        &[
            SYNCML, DATA, 0x03, b'x', 0, 0x83, 0x04, 0x83, 0x00, 0x01, 0x01,
        ],
    );
    assert_eq!(
        events(&d).unwrap(),
        [
            "<0:SyncML>",
            "<0:Data>",
            "'x'",
            "'hello'",
            "'abc'",
            "</Data>",
            "</SyncML>"
        ]
    );
    let bad_index = doc(b"abc\0", &[SYNCML, DATA, 0x83, 0x09, 0x01, 0x01]);
    assert_eq!(
        events(&bad_index),
        Err(Error::InvalidStringTableIndex {
            offset: 11,
            index: 9
        })
    );
    let unterminated = doc(b"", &[SYNCML, DATA, 0x03, b'x']);
    assert_eq!(
        events(&unterminated),
        Err(Error::UnterminatedString { offset: 8 })
    );
    let not_utf8 = doc(b"", &[SYNCML, DATA, 0x03, 0xFF, 0x00, 0x01, 0x01]);
    assert_eq!(events(&not_utf8), Err(Error::InvalidUtf8 { offset: 8 }));
}

#[test]
fn entity_opaque_and_extensions() {
    let d = doc(
        b"",
        &[
            SYNCML, DATA, 0x02, 0x81, 0x69, 0xC3, 0x02, 0xAA, 0xBB, 0x40, b'a', 0, 0x41, 0, 0x42,
            b'c', 0, 0x80, 0x05, 0x81, 0x06, 0x82, 0x07, 0xC0, 0xC1, 0xC2, 0x01, 0x01,
        ],
    );
    let ev = events(&d).unwrap();
    assert_eq!(
        ev[2..ev.len() - 2],
        [
            "&233;".to_string(),
            "opaque[170, 187]".into(),
            format!("{:?}", Ext::Inline(0, "a")),
            format!("{:?}", Ext::Inline(1, "")),
            format!("{:?}", Ext::Inline(2, "c")),
            format!("{:?}", Ext::Index(0, 5)),
            format!("{:?}", Ext::Index(1, 6)),
            format!("{:?}", Ext::Index(2, 7)),
            format!("{:?}", Ext::Plain(0)),
            format!("{:?}", Ext::Plain(1)),
            format!("{:?}", Ext::Plain(2)),
        ]
    );
}

#[test]
fn opaque_lengths_are_bounded_and_32_bit() {
    let past_end = doc(b"", &[SYNCML, DATA, 0xC3, 0x7F, 0x00, 0x01, 0x01]);
    assert!(matches!(
        events(&past_end),
        Err(Error::UnexpectedEof { .. })
    ));
    // 0x1_0000_0002: libwbxml reads it as 2.
    let aliased = doc(
        b"",
        &[
            SYNCML, DATA, 0xC3, 0x90, 0x80, 0x80, 0x80, 0x02, b'a', b'b', 0x01, 0x01,
        ],
    );
    assert_eq!(events(&aliased), Err(Error::MbUint32Overflow { offset: 8 }));
    let too_long = doc(
        b"",
        &[
            SYNCML, DATA, 0xC3, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02, 0x01, 0x01,
        ],
    );
    assert_eq!(events(&too_long), Err(Error::MbUint32TooLong { offset: 8 }));
}

#[test]
fn page_switching_and_unknown_pages_and_tags() {
    // <SyncML><Meta><Type/></Meta></SyncML>: Type lives on page 1.
    let d = doc(
        b"",
        &[
            SYNCML, 0x5A, 0x00, 0x01, 0x13, 0x01, 0x00, 0x00, FINAL, 0x01,
        ],
    );
    assert_eq!(
        events(&d).unwrap(),
        [
            "<0:SyncML>",
            "<0:Meta>",
            "<1:Type/>",
            "</Meta>",
            "<0:Final/>",
            "</SyncML>"
        ]
    );
    let unknown_page = doc(b"", &[SYNCML, 0x00, 0x09, FINAL, 0x01]);
    assert_eq!(
        events(&unknown_page),
        Err(Error::UnknownCodePage { offset: 6, page: 9 })
    );
    let unknown_tag = doc(b"", &[SYNCML, 0x30, 0x01]);
    assert_eq!(
        events(&unknown_tag),
        Err(Error::UnknownTag {
            offset: 6,
            page: 0,
            token: 0x30
        })
    );
    let missing_page_byte = doc(b"", &[SYNCML, 0x00]);
    assert_eq!(
        events(&missing_page_byte),
        Err(Error::UnexpectedEof { offset: 7 })
    );
}

#[test]
fn literal_tags_and_attributes() {
    // LITERAL_AC: name "Foo" from the table, attribute "a" (LITERAL) = "1" + entity.
    let d = doc(
        b"Foo\0a\0",
        &[
            SYNCML, 0xC4, 0x00, 0x04, 0x04, 0x03, b'1', 0, 0x02, 0x32, 0x01, 0x03, b'v', 0, 0x01,
            0x44, 0x00, 0x01, 0x04, 0x00, 0x01,
        ],
    );
    let mut reader = Reader::new(&d).unwrap();
    assert!(matches!(reader.next_event().unwrap(), Event::Start(t) if t.name == "SyncML"));
    let Event::Start(foo) = reader.next_event().unwrap() else {
        panic!()
    };
    assert!(foo.is_literal() && foo.has_attributes());
    let attrs: Vec<_> = reader.attributes(&foo).collect();
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].name, "a");
    assert_eq!(
        attrs[0].value().collect::<Vec<_>>(),
        [wbxml::ValuePart::Str("1"), wbxml::ValuePart::Entity(0x32)]
    );
    assert_eq!(
        events(&d).unwrap()[2..],
        [
            "'v'",
            "</Foo>",
            "<0:Foo>",
            "</Foo>",
            "<0:Foo/>",
            "</SyncML>"
        ]
        .map(String::from)
    );
    // `Foo` has no token, so XML could not bring it back: no XML form.
    assert_eq!(
        wbxml_to_xml(&d, &Default::default()),
        Err(Error::NotRepresentable {
            offset: 12,
            what: "LITERAL tag without a token in the language"
        })
    );
    // A LITERAL naming a tag the language has converts, and comes back as its token.
    let known = doc(b"Data\0", &[SYNCML, 0x44, 0x00, 0x03, b'v', 0, 0x01, 0x01]);
    let compact = ToXmlOptions {
        indent: None,
        ..Default::default()
    };
    let xml = wbxml_to_xml(&known, &compact).unwrap();
    assert!(xml.contains("<Data>v</Data>"), "{xml}");
    assert_eq!(
        &xml_to_wbxml(xml.as_bytes(), &ToWbxmlOptions::default()).unwrap()[5..],
        [SYNCML, DATA, 0x03, b'v', 0, 0x01, 0x01]
    );
    // An attribute, even on a tag the language has: no language here has attribute tokens
    // and XML → WBXML writes none, so it could not come back; one named `xmlns` would also
    // repeat the namespace the root is written with.
    for name in [&b"l\0"[..], b"xmlns\0"] {
        let attr = doc(name, &[0xAD, 0x04, 0x00, 0x03, b'v', 0, 0x01]);
        assert_eq!(
            events(&attr).unwrap(),
            ["<0:SyncML/>"],
            "the reader reads it"
        );
        assert_eq!(
            wbxml_to_xml(&attr, &Default::default()),
            Err(Error::NotRepresentable {
                offset: 5 + name.len(),
                what: "attribute (no language here has attribute tokens)"
            })
        );
    }
    // An attribute token with no table to resolve it.
    let unknown_attr = doc(b"", &[SYNCML, 0x92, 0x05, 0x01, 0x01]);
    assert_eq!(
        events(&unknown_attr),
        Err(Error::UnknownAttribute {
            offset: 7,
            page: 0,
            token: 0x05
        })
    );
}

#[test]
fn processing_instructions() {
    let d = doc(
        b"tgt\0",
        &[
            0x43, 0x04, 0x00, 0x03, b'x', 0, 0x01, SYNCML, 0x01, 0x43, 0x04, 0x00, 0x01,
        ],
    );
    assert_eq!(
        events(&d).unwrap(),
        ["pi tgt", "<0:SyncML>", "</SyncML>", "pi tgt"]
    );
    let xml = wbxml_to_xml(
        &d,
        &ToXmlOptions {
            indent: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(xml.contains("<?tgt x?><SyncML"), "{xml}");
}

#[test]
fn structure_errors() {
    assert_eq!(
        events(&doc(b"", &[0x01])),
        Err(Error::UnexpectedToken {
            offset: 5,
            token: 0x01
        })
    );
    assert_eq!(
        events(&doc(b"", &[0x03, 0x00])),
        Err(Error::UnexpectedToken {
            offset: 5,
            token: 0x03
        })
    );
    assert_eq!(
        events(&doc(b"", &[])),
        Err(Error::NoRootElement { offset: 5 })
    );
    assert_eq!(
        events(&doc(b"", &[SYNCML, FINAL])),
        Err(Error::UnexpectedEof { offset: 7 })
    );
    assert_eq!(
        events(&doc(b"", &[SYNCML, 0x01, FINAL])),
        Err(Error::TrailingData { offset: 7 })
    );
    assert_eq!(
        events(&doc(b"", &[FINAL, FINAL])),
        Err(Error::TrailingData { offset: 6 })
    );
}

#[test]
fn depth_is_capped() {
    let mut body = vec![SYNCML];
    body.extend(std::iter::repeat_n(DATA, 20));
    let d = doc(b"", &body);
    let mut reader = Reader::with_options(
        &d,
        ReaderOptions {
            max_depth: 10,
            ..Default::default()
        },
    )
    .unwrap();
    let err = loop {
        match reader.next_event() {
            Ok(_) => {}
            Err(e) => break e,
        }
    };
    assert_eq!(
        err,
        Error::DepthExceeded {
            offset: 15,
            limit: 10
        }
    );
}

#[test]
fn unknown_public_id_is_recognised_by_its_root() {
    // public id 0x01, SWITCH_PAGE 2, MgmtTree: a DDF, as `xml2wbxml -a` writes it.
    let ddf = [0x03, 0x01, 0x6A, 0x00, 0x00, 0x02, 0x60, 0x01];
    assert_eq!(
        Reader::new(&ddf).unwrap().language(),
        Some(Language::DmDdf12)
    );
    let syncml = [0x03, 0x01, 0x6A, 0x00, SYNCML, 0x01];
    assert_eq!(
        Reader::new(&syncml).unwrap().language(),
        Some(Language::SyncMl12)
    );
    let unknown = [0x03, 0x01, 0x6A, 0x00, 0x45, 0x01];
    assert!(matches!(
        Reader::new(&unknown),
        Err(Error::UnknownPublicId { .. })
    ));
    // Forcing the language reads it anyway (SyncML 1.2 page 0 token 0x05 = Add).
    let forced = Reader::with_options(
        &unknown,
        ReaderOptions {
            language: Some(Language::SyncMl12),
            ..Default::default()
        },
    );
    assert!(forced.is_ok());
    // A textual FPI in the string table (libwbxml matches it case-insensitively).
    let fpi = b"-//syncml//dtd syncml 1.2//en\0";
    let mut d = vec![0x03, 0x00, 0x00, 0x6A, fpi.len() as u8];
    d.extend_from_slice(fpi);
    d.extend_from_slice(&[SYNCML, 0x01]);
    assert_eq!(
        Reader::new(&d).unwrap().language(),
        Some(Language::SyncMl12)
    );
}

#[test]
fn opaque_policy_entities_and_extensions_in_xml_output() {
    let binary = doc(
        b"",
        &[SYNCML, DATA, 0xC3, 0x03, 0x00, 0x01, 0xFF, 0x01, 0x01],
    );
    assert_eq!(
        wbxml_to_xml(&binary, &ToXmlOptions::default()),
        Err(Error::OpaqueNotText { offset: 7 })
    );
    let b64 = wbxml_to_xml(
        &binary,
        &ToXmlOptions {
            opaque: OpaquePolicy::Base64,
            indent: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(b64.contains("<Data>AAH/</Data>"), "{b64}");
    let text = doc(b"", &[SYNCML, DATA, 0xC3, 0x02, b'a', b'b', 0x01, 0x01]);
    assert!(wbxml_to_xml(&text, &Default::default())
        .unwrap()
        .contains("<Data><![CDATA[ab]]></Data>"));
    let surrogate = doc(b"", &[SYNCML, DATA, 0x02, 0x83, 0xB0, 0x00, 0x01, 0x01]);
    assert_eq!(
        wbxml_to_xml(&surrogate, &Default::default()),
        Err(Error::InvalidEntity {
            offset: 7,
            code_point: 0xD800
        })
    );
    let ext = doc(b"", &[SYNCML, DATA, 0xC0, 0x01, 0x01]);
    assert_eq!(
        wbxml_to_xml(&ext, &Default::default()),
        Err(Error::NotRepresentable {
            offset: 7,
            what: "extension token"
        })
    );
    let control = doc(b"", &[SYNCML, DATA, 0x03, 0x07, 0x00, 0x01, 0x01]);
    assert_eq!(
        wbxml_to_xml(&control, &Default::default()),
        Err(Error::InvalidXmlText { offset: 7 })
    );
    let bad_literal = doc(b"1x\0", &[SYNCML, 0x04, 0x00, 0x01]);
    assert_eq!(
        wbxml_to_xml(&bad_literal, &Default::default()),
        Err(Error::InvalidName { offset: 9 })
    );
}

#[test]
fn xml_input_errors() {
    let enc = |x: &str| xml_to_wbxml(x.as_bytes(), &ToWbxmlOptions::default());
    assert!(
        matches!(enc("<SyncML><Bogus/></SyncML>"), Err(Error::UnknownElement { offset: 8, ref name }) if name == "Bogus")
    );
    assert!(matches!(
        enc("<SyncML><Data>&nbsp;</Data></SyncML>"),
        Err(Error::Xml { offset: 14, .. })
    ));
    assert!(matches!(enc("<SyncML></SyncML>x"), Err(Error::Xml { .. })));
    assert!(matches!(
        enc("<SyncML></SyncML><SyncML/>"),
        Err(Error::Xml { .. })
    ));
    assert!(matches!(
        enc("<SyncML><Data>"),
        Err(Error::UnexpectedEof { .. })
    ));
    assert!(matches!(
        enc("<SyncML><Data></Final></SyncML>"),
        Err(Error::Xml { .. })
    ));
    assert!(
        matches!(enc("<Foo/>"), Err(Error::UnknownLanguage { offset: 0, ref root }) if root == "Foo")
    );
    assert!(matches!(enc(""), Err(Error::NoRootElement { .. })));
    assert!(matches!(enc("<SyncML a='1'/>"), Err(Error::Xml { .. })));
    assert!(matches!(
        xml_to_wbxml(b"<SyncML>\xff</SyncML>", &Default::default()),
        Err(Error::InvalidUtf8 { offset: 8 })
    ));
    let deep = format!(
        "<SyncML>{}{}</SyncML>",
        "<Item>".repeat(200),
        "</Item>".repeat(200)
    );
    assert!(matches!(
        enc(&deep),
        Err(Error::DepthExceeded { limit: 128, .. })
    ));
}

#[test]
fn xml_details_become_the_right_tokens() {
    let opts = ToWbxmlOptions {
        version: Version::V1_0,
        ..Default::default()
    };
    let w = xml_to_wbxml(b"\xEF\xBB\xBF<SyncML><Data>a&amp;&#x42;&#67;\r\nd</Data><Data><![CDATA[<x>]]></Data><Data></Data></SyncML>", &opts).unwrap();
    assert_eq!(
        w,
        [
            0x00, 0xA4, 0x01, 0x00, SYNCML, DATA, 0x03, b'a', b'&', b'B', b'C', b'\n', b'd', 0,
            0x01, DATA, 0xC3, 3, b'<', b'x', b'>', 0x01, 0x0F, 0x01
        ]
    );
    // The language can be forced: a SyncML 1.1 root without any hint.
    let forced = xml_to_wbxml(
        b"<SyncML/>",
        &ToWbxmlOptions {
            language: Some(Language::SyncMl11),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(&forced[..3], [0x03, 0x9F, 0x53]);
    // MetInf found by name, by namespace on the element, and by namespace inherited from Meta.
    for xml in [
        "<SyncML><Meta><Type>t</Type></Meta></SyncML>",
        "<SyncML><Meta><Type xmlns='syncml:metinf'>t</Type></Meta></SyncML>",
        "<SyncML><Meta xmlns='syncml:metinf'><Type>t</Type></Meta></SyncML>",
    ] {
        let w = xml_to_wbxml(xml.as_bytes(), &Default::default()).unwrap();
        assert_eq!(
            &w[5..],
            [SYNCML, 0x5A, 0x00, 0x01, 0x53, 0x03, b't', 0, 0x01, 0x01, 0x01],
            "{xml}"
        );
    }
}

#[test]
fn string_table_holds_repeated_text() {
    let xml = b"<SyncML><Data>./DevInfo/Mod</Data><Data>./DevInfo/Mod</Data><Data>abc</Data><Data>abc</Data></SyncML>";
    let w = xml_to_wbxml(
        xml,
        &ToWbxmlOptions {
            string_table: true,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(&w[4..19], b"\x0E./DevInfo/Mod\0");
    assert_eq!(
        &w[19..],
        [
            SYNCML, DATA, 0x83, 0, 0x01, DATA, 0x83, 0, 0x01, DATA, 0x03, b'a', b'b', b'c', 0,
            0x01, DATA, 0x03, b'a', b'b', b'c', 0, 0x01, 0x01
        ]
    );
    let back = wbxml_to_xml(
        &w,
        &ToXmlOptions {
            indent: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert!(back.ends_with(r#"<SyncML xmlns="SYNCML:SYNCML1.2"><Data>./DevInfo/Mod</Data><Data>./DevInfo/Mod</Data><Data>abc</Data><Data>abc</Data></SyncML>"#));
}

#[test]
fn xml_text_with_characters_xml_forbids_is_refused() {
    for xml in [
        "<SyncML><Data>a\u{16}b</Data></SyncML>",
        "<SyncML><Data><![CDATA[\u{1}]]></Data></SyncML>",
        "<SyncML><Data>x&amp;\u{8}</Data></SyncML>",
    ] {
        assert!(
            matches!(
                xml_to_wbxml(xml.as_bytes(), &ToWbxmlOptions::default()),
                Err(Error::InvalidXmlText { .. })
            ),
            "{xml:?}"
        );
    }
}

#[test]
fn whitespace_only_strings_survive_the_round_trip() {
    let d = doc(b"", &[SYNCML, DATA, 0x03, b' ', b'\t', 0, 0x01, 0x01]);
    let compact = ToXmlOptions {
        indent: None,
        ..Default::default()
    };
    let xml = wbxml_to_xml(&d, &compact).unwrap();
    assert!(xml.ends_with("<Data>&#32;&#9;</Data></SyncML>"), "{xml}");
    assert_eq!(
        xml_to_wbxml(xml.as_bytes(), &ToWbxmlOptions::default()).unwrap(),
        d
    );
}

/// Events as (text, offset); `</>` for every End, since the shortcuts do not return its tag.
fn plain_events(mut reader: Reader<'_>, shortcuts: bool) -> (Vec<(String, usize)>, Option<Error>) {
    let mut out = Vec::new();
    let mut step = 0usize;
    loop {
        step += 1;
        if shortcuts {
            // Each shortcut tried at some steps only, so that the event path also meets
            // every state the shortcuts leave.
            let at = reader.offset();
            if step % 3 != 0 && reader.skip_end() {
                out.push(("</>".to_owned(), reader.event_offset()));
                continue;
            }
            if step % 5 != 0 {
                if let Some((s, printable)) = reader.inline_text_and_end() {
                    let plain = s.bytes().all(|b| (0x20..0x80).contains(&b));
                    // Exact for short strings; long ones may not be judged.
                    assert!(!printable || plain, "{s:?}");
                    assert!(printable || !plain || s.len() >= 256, "{s:?}");
                    out.push((format!("'{s}'"), at));
                    out.push(("</>".to_owned(), reader.event_offset()));
                    continue;
                }
            }
            if step % 11 == 0 {
                match reader.plain_next() {
                    Some(Plain::End) => {
                        out.push(("</>".to_owned(), reader.event_offset()));
                        continue;
                    }
                    Some(Plain::Element(t, Content::Empty)) => {
                        out.push((format!("<{}:{}/>", t.page, t.name), t.offset));
                        continue;
                    }
                    Some(Plain::Element(t, Content::Open)) => {
                        out.push((format!("<{}:{}>", t.page, t.name), t.offset));
                        continue;
                    }
                    Some(Plain::Element(t, Content::Text { text, offset, end })) => {
                        out.push((format!("<{}:{}>", t.page, t.name), t.offset));
                        out.push((format!("'{text}'"), offset));
                        out.push(("</>".to_owned(), end));
                        continue;
                    }
                    None => {}
                }
            }
            if step % 2 == 0 {
                if let Some((t, content)) = reader.plain_element() {
                    match content {
                        Content::Empty => out.push((format!("<{}:{}/>", t.page, t.name), t.offset)),
                        Content::Open => {
                            out.push((format!("<{}:{}>", t.page, t.name), t.offset));
                            assert_eq!(reader.event_offset(), t.offset);
                        }
                        Content::Text { text, offset, end } => {
                            assert!(text.bytes().all(|b| (0x20..0x80).contains(&b)), "{text:?}");
                            out.push((format!("<{}:{}>", t.page, t.name), t.offset));
                            out.push((format!("'{text}'"), offset));
                            out.push(("</>".to_owned(), end));
                            assert_eq!(reader.event_offset(), end);
                        }
                    }
                    continue;
                }
            }
            if step % 7 != 0 {
                if let Some((t, content)) = reader.plain_start() {
                    let slash = if content { "" } else { "/" };
                    out.push((format!("<{}:{}{slash}>", t.page, t.name), t.offset));
                    assert_eq!(reader.event_offset(), t.offset);
                    continue;
                }
            }
        }
        let e = match reader.next_event() {
            Ok(e) => e,
            Err(e) => return (out, Some(e)),
        };
        let text = match e {
            Event::Start(t) => format!("<{}:{}>", t.page, t.name),
            Event::Empty(t) => format!("<{}:{}/>", t.page, t.name),
            Event::End(_) => "</>".to_owned(),
            Event::Str(s) => format!("'{s}'"),
            Event::Eof => return (out, None),
            other => format!("{other:?}"),
        };
        out.push((text, reader.event_offset()));
    }
}

/// `plain_next`, `plain_element`, `plain_start`, `inline_text_and_end` and `skip_end`
/// return what `next_event` would, and leave the reader where it would, on real messages
/// and on every one-byte change and truncation of them (errors included).
#[test]
fn shortcuts_agree_with_the_event_path() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut docs = Vec::new();
    for name in [
        "get.xml",
        "replace.xml",
        "status-chal.xml",
        "generic-alert-1226.xml",
    ] {
        let xml = std::fs::read(dir.join(name)).unwrap();
        docs.push(xml_to_wbxml(&xml, &ToWbxmlOptions::default()).unwrap());
    }
    let mut cases = Vec::new();
    for d in &docs {
        cases.push(d.clone());
        for i in 5..d.len() {
            cases.push(d[..i].to_vec());
            for b in [
                0x00, 0x01, 0x03, 0x04, 0x05, 0x20, 0x45, 0x7F, 0x85, 0xC3, 0xFF,
            ] {
                let mut m = d.clone();
                m[i] = b;
                cases.push(m);
            }
            let mut m = d.clone();
            m[i] ^= 0x40;
            cases.push(m);
        }
    }
    for case in &cases {
        for max_depth in [3, 128] {
            let options = ReaderOptions {
                max_depth,
                ..Default::default()
            };
            let Ok(reader) = Reader::with_options(case, options) else {
                continue;
            };
            let want = plain_events(reader.clone(), false);
            assert_eq!(plain_events(reader, true), want, "{case:02X?}");
        }
    }
}
