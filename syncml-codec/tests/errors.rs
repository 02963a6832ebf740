//! Bad input: DM content-model violations name the element path and offset; limits hold;
//! truncations and bit flips of every vector give typed errors, never panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns

mod common;

use syncml_codec::{
    decode, decode_as, decode_wbxml, decode_xml, wbxml, DecodeErrorKind as K, Encoding, Limits,
};

const HDR: &str = "<SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2</VerProto><SessionID>1</SessionID><MsgID>1</MsgID><Target><LocURI>t</LocURI></Target><Source><LocURI>s</LocURI></Source></SyncHdr>";

fn msg(body: &str) -> String {
    format!("<SyncML xmlns=\"SYNCML:SYNCML1.2\">{HDR}<SyncBody>{body}</SyncBody></SyncML>")
}

fn err(xml: &str) -> syncml_codec::DecodeError {
    let e = decode_xml(xml.as_bytes()).expect_err(xml);
    // The same message in WBXML fails the same way where WBXML can express it.
    if let Ok(w) = ::wbxml::transcode::xml_to_wbxml(xml.as_bytes(), &Default::default()) {
        let we = decode_wbxml(&w).expect_err("wbxml");
        assert_eq!(we.kind, e.kind, "{xml}");
        assert_eq!(we.path, e.path, "{xml}");
    }
    e
}

const GET: &str = "<Get><CmdID>9</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Get>";
const ADD: &str = "<Add><CmdID>8</CmdID><Item><Target><LocURI>./a</LocURI></Target></Item></Add>";

#[test]
fn content_model_violations_name_path_and_offset() {
    let x = msg(&format!("<Atomic><CmdID>1</CmdID>{ADD}{GET}</Atomic>"));
    let e = err(&x);
    assert_eq!(e.kind, K::Forbidden("Get".into()));
    assert_eq!(e.path, "SyncML/SyncBody/Atomic");
    assert_eq!(e.offset, x.find("<Get>").unwrap());
    assert!(e.to_string().contains("at byte"));

    let e = err(&msg(&format!(
        "<Atomic><CmdID>1</CmdID><Atomic><CmdID>2</CmdID>{ADD}</Atomic></Atomic>"
    )));
    assert_eq!(e.kind, K::Forbidden("Atomic".into()));

    let e = err(&msg(&format!(
        "<Sequence><CmdID>1</CmdID><Sequence><CmdID>2</CmdID>{ADD}</Sequence></Sequence>"
    )));
    assert_eq!(e.kind, K::Forbidden("Sequence".into()));

    let e = err(&msg("<Get><CmdID>1</CmdID><Cred><Data>x</Data></Cred><Item><Target><LocURI>a</LocURI></Target></Item></Get>"));
    assert_eq!(
        (e.kind, e.path.as_str()),
        (K::Forbidden("Cred".into()), "SyncML/SyncBody/Get")
    );

    for name in ["Archive", "SftDel", "Lang", "NoResults"] {
        let e = err(&msg(&format!("<Delete><CmdID>1</CmdID><{name}/><Item><Target><LocURI>a</LocURI></Target></Item></Delete>")));
        assert_eq!(e.kind, K::Forbidden(name.into()), "{name}");
    }
    for name in ["Map", "Put", "Search", "Sync"] {
        let x = msg(&format!("<{name}><CmdID>1</CmdID></{name}>"));
        let e = decode_xml(x.as_bytes()).unwrap_err();
        assert_eq!(e.kind, K::Forbidden(name.into()), "{name}");
        assert_eq!(e.path, "SyncML/SyncBody");
    }

    let e = err(&msg("<Get><CmdID>1</CmdID></Get>"));
    assert_eq!(
        (e.kind, e.path.as_str()),
        (K::Missing("Item"), "SyncML/SyncBody/Get")
    );
    let e = err(&msg(
        "<Status><CmdID>1</CmdID><MsgRef>1</MsgRef><CmdRef>0</CmdRef><Data>200</Data></Status>",
    ));
    assert_eq!(e.kind, K::Missing("Cmd"));
    let e = err(&msg("<Alert><CmdID>1</CmdID></Alert>"));
    assert_eq!(e.kind, K::Missing("Data"));
    let e = err(&msg("<Alert><CmdID>1</CmdID><Data>12x</Data></Alert>"));
    assert_eq!(
        (e.kind, e.path.as_str()),
        (K::InvalidNumber("12x".into()), "SyncML/SyncBody/Alert/Data")
    );
    let e = err(&msg(
        "<Alert><CmdID>1</CmdID><CmdID>2</CmdID><Data>1200</Data></Alert>",
    ));
    assert_eq!(e.kind, K::Duplicate("CmdID"));
    let e = err(&msg("<Replace><CmdID>1</CmdID><Item><Target><LocURI>a</LocURI></Target><Meta><Size xmlns=\"syncml:metinf\">-1</Size></Meta></Item></Replace>"));
    assert_eq!(e.path, "SyncML/SyncBody/Replace/Item/Meta/Size");
    let e = err(&msg("<Final/>"
        .to_owned()
        .as_str()
        .replace("<Final/>", &format!("<Final/>{GET}"))
        .as_str()));
    assert!(matches!(e.kind, K::UnexpectedElement(_)));
    let e = err(&format!(
        "<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncBody>{GET}</SyncBody></SyncML>"
    ));
    assert_eq!(e.kind, K::Missing("SyncHdr"));
}

#[test]
fn namespaces_are_checked_by_value() {
    let e = decode_xml(b"<SyncML xmlns=\"urn:other\"/>").unwrap_err();
    assert_eq!(e.kind, K::Namespace("urn:other".into()));
    let e = decode_xml(b"<Foo/>").unwrap_err();
    assert!(matches!(e.kind, K::NotSyncMl(_)));
    let x = msg("<Replace><CmdID>1</CmdID><Item><Target><LocURI>a</LocURI></Target><Meta><Format xmlns=\"syncml:devinf\">b64</Format></Meta></Item></Replace>");
    assert_eq!(
        decode_xml(x.as_bytes()).unwrap_err().kind,
        K::Namespace("syncml:devinf".into())
    );
    let x = msg("<Replace><CmdID>1</CmdID><Item xmlns=\"syncml:metinf\"><Target><LocURI>a</LocURI></Target></Item></Replace>");
    assert_eq!(
        decode_xml(x.as_bytes()).unwrap_err().kind,
        K::Namespace("syncml:metinf".into())
    );
    // Case-insensitive root namespace and no namespace at all are accepted.
    assert!(decode_xml(
        msg("")
            .replace("SYNCML:SYNCML1.2", "SyncML:SyncML1.2")
            .as_bytes()
    )
    .is_ok());
    assert!(decode_xml(
        msg("")
            .replace(" xmlns=\"SYNCML:SYNCML1.2\"", "")
            .as_bytes()
    )
    .is_ok());
}

#[test]
fn entities_and_text() {
    let e = err(&msg(
        "<Alert><CmdID>&nbsp;</CmdID><Data>1200</Data></Alert>",
    ));
    assert_eq!(e.kind, K::Entity("nbsp".into()));
    let e = decode_xml(msg("<Alert><CmdID>&#0;</CmdID><Data>1200</Data></Alert>").as_bytes())
        .unwrap_err();
    assert!(matches!(e.kind, K::Entity(_)));
    let e = err(&msg(
        "stray<Alert><CmdID>1</CmdID><Data>1200</Data></Alert>",
    ));
    assert_eq!(e.kind, K::UnexpectedText);
    let e = decode_xml(b"\xFF<SyncML/>").unwrap_err();
    assert_eq!((e.kind, e.offset), (K::InvalidUtf8, 0));
    let e = decode_xml(format!("{}<x/>", msg("")).as_bytes()).unwrap_err();
    assert!(matches!(e.kind, K::TrailingContent | K::Xml(_)));
}

#[test]
fn limits_each_hit() {
    let cmds: String = (0..20)
        .map(|i| format!("<Alert><CmdID>{i}</CmdID><Data>1222</Data><Item/><Item/></Alert>"))
        .collect();
    let x = msg(&cmds);
    assert!(decode_xml(x.as_bytes()).is_ok());
    let w = wbxml::to_vec(&decode_xml(x.as_bytes()).unwrap()).unwrap();
    let check = |limits: Limits, what: &str| {
        for (enc, bytes) in [(Encoding::Xml, x.as_bytes()), (Encoding::Wbxml, &w[..])] {
            let e = decode_as(bytes, enc, &limits).unwrap_err();
            assert_eq!(
                e.kind,
                K::Limit(match what {
                    "commands" => "number of commands",
                    "items" => "number of items",
                    "string" => "string length",
                    _ => "message size",
                }),
                "{enc:?}"
            );
        }
    };
    check(
        Limits {
            max_commands: 19,
            ..Default::default()
        },
        "commands",
    );
    check(
        Limits {
            max_items: 39,
            ..Default::default()
        },
        "items",
    );
    check(
        Limits {
            max_string_len: 3,
            ..Default::default()
        },
        "string",
    );
    check(
        Limits {
            max_message_size: 100,
            ..Default::default()
        },
        "size",
    );
    assert!(decode_as(
        x.as_bytes(),
        Encoding::Xml,
        &Limits {
            max_commands: 20,
            max_items: 40,
            ..Default::default()
        }
    )
    .is_ok());

    // DM allows at most Sequence > Atomic, so depth is tested with that pair.
    let x2 = msg(&format!(
        "<Sequence><CmdID>1</CmdID><Atomic><CmdID>2</CmdID>{ADD}</Atomic></Sequence>"
    ));
    assert!(decode_as(
        x2.as_bytes(),
        Encoding::Xml,
        &Limits {
            max_depth: 2,
            ..Default::default()
        }
    )
    .is_ok());
    let e = decode_as(
        x2.as_bytes(),
        Encoding::Xml,
        &Limits {
            max_depth: 1,
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(
        (e.kind, e.path.as_str()),
        (K::Limit("nesting depth"), "SyncML/SyncBody/Sequence/Atomic")
    );
}

/// MetInf inside MetInf recurses in the decoder: deep nesting is a limit error, not a
/// stack overflow.
#[test]
fn deep_metinf_is_a_limit_error() {
    let deep = "<MetInf>".repeat(200_000);
    let xml = format!("<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncHdr><Meta>{deep}");
    let e = decode_xml(xml.as_bytes()).unwrap_err();
    assert_eq!(e.kind, K::Limit("nesting depth"));
    assert!(
        e.path.starts_with("SyncML/SyncHdr/Meta/MetInf/MetInf"),
        "{}",
        e.path
    );
    let ok = format!(
        "<SyncML xmlns=\"SYNCML:SYNCML1.2\">{}<SyncBody><Final/></SyncBody></SyncML>",
        HDR.replace(
            "</SyncHdr>",
            "<Meta><MetInf><MetInf><MaxMsgSize>9</MaxMsgSize></MetInf></MetInf></Meta></SyncHdr>"
        )
    );
    let m = decode_xml(ok.as_bytes()).unwrap();
    assert_eq!(m.header.meta.unwrap().max_msg_size, Some(9));
}

fn all_vectors() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = common::own_vectors().into_iter().map(|(_, b)| b).collect();
    for (_, x, w) in common::corpus() {
        v.push(x);
        if let Some(w) = w {
            v.push(w);
        }
    }
    let own: Vec<Vec<u8>> = v
        .iter()
        .filter(|b| b.first() == Some(&b'<'))
        .filter_map(|b| decode(b).ok().map(|m| wbxml::to_vec(&m).unwrap()))
        .collect();
    v.extend(own);
    v
}

#[test]
fn truncations_give_typed_errors() {
    for bytes in all_vectors() {
        decode(&bytes).unwrap();
        // Every prefix of the WBXML form, every 7th prefix of the longer XML ones.
        let step = if bytes.first() == Some(&b'<') { 7 } else { 1 }.max(bytes.len() / 1500);
        for len in (0..bytes.len()).step_by(step) {
            let cut = &bytes[..len];
            if let Err(e) = decode(cut) {
                assert!(e.offset <= len, "offset {} beyond {len}", e.offset);
            } else {
                // Only trailing whitespace/comments may be cut off from a valid message.
                assert!(
                    bytes[len..].iter().all(|b| b.is_ascii_whitespace()),
                    "prefix {len} decoded"
                );
            }
        }
    }
}

#[test]
fn bit_flips_never_panic() {
    for bytes in all_vectors() {
        let mut copy = bytes.clone();
        let step = (bytes.len() / 300).max(1);
        for i in (0..bytes.len()).step_by(step) {
            for bit in [0x01u8, 0x20, 0x80] {
                copy[i] ^= bit;
                if let Ok(m) = decode(&copy) {
                    // Whatever decodes must encode again.
                    let _ = syncml_codec::xml::to_vec(&m);
                    let _ = wbxml::to_vec(&m);
                }
                copy[i] ^= bit;
            }
        }
    }
}

/// The XML reader skips indentation in element-only content without returning it: text
/// content keeps every whitespace character, and errors still point at the first byte of
/// the event at fault, not at the whitespace before it.
#[test]
fn indentation_is_skipped_but_text_and_offsets_are_kept() {
    let x = msg(
        "\n <Replace>\n  <CmdID> 1 </CmdID>\n  <Item>\n   <Target><LocURI>\n </LocURI></Target>\
         \n   <Data> a &amp; b &#233;  </Data>\n  </Item>\n  <Item>\n   <Target><LocURI> \
         &amp;x</LocURI></Target>\n   <Data> <![CDATA[c]]> </Data>\n  </Item>\n  <Item>\
         <Target><LocURI>y</LocURI></Target><Data>  </Data></Item>\n </Replace>\n",
    );
    let m = decode_xml(x.as_bytes()).unwrap();
    let Some(syncml_codec::Command::Replace(r)) = m.body.commands.first() else {
        panic!("{:?}", m.body.commands)
    };
    assert_eq!(r.cmd_id, " 1 ");
    let uri = |i: usize| r.items[i].target.as_ref().unwrap().loc_uri.to_string();
    let data = |i: usize| r.items[i].data.clone().unwrap();
    assert_eq!((uri(0), uri(1)), ("\n ".to_owned(), " &x".to_owned()));
    assert_eq!(data(0), syncml_codec::Data::text(" a & b \u{e9}  "));
    assert_eq!(data(1), syncml_codec::Data::Opaque(b"c".as_slice().into()));
    assert_eq!(data(2), syncml_codec::Data::text("  "));

    // An unexpected element after indentation: at its `<`.
    let x = msg("\n <Get>\n  <CmdID>1</CmdID>\n  <Foo/>\n </Get>");
    let e = err(&x);
    assert_eq!(e.kind, K::UnexpectedElement("Foo".into()));
    assert_eq!(e.offset, x.find("<Foo").unwrap());
    // A missing child reported at the end tag that follows indentation.
    let x = msg("\n <Get>\n  <CmdID>1</CmdID>\n </Get>");
    let e = err(&x);
    assert_eq!(e.kind, K::Missing("Item"));
    assert_eq!(e.offset, x.find("</Get>").unwrap());
    // Text in element-only content: at the first byte of the text, whitespace included.
    let x = msg("\n <Get>\n  <CmdID>1</CmdID>\n  stray\n </Get>");
    let e = decode_xml(x.as_bytes()).unwrap_err();
    assert_eq!(e.kind, K::UnexpectedText);
    assert_eq!(e.offset, x.find("</CmdID>").unwrap() + "</CmdID>".len());
    // A reference in element-only content: at its `&`.
    let x = msg("\n <Get>\n  <CmdID>1</CmdID>\n  &amp;\n </Get>");
    let e = decode_xml(x.as_bytes()).unwrap_err();
    assert_eq!(e.kind, K::UnexpectedText);
    assert_eq!(e.offset, x.find("&amp;").unwrap());
    // An unknown entity after indentation: at its `&`.
    let x = msg("\n <Get>\n  <CmdID>1</CmdID>\n  &bogus;\n </Get>");
    let e = decode_xml(x.as_bytes()).unwrap_err();
    assert_eq!(e.kind, K::Entity("bogus".into()));
    assert_eq!(e.offset, x.find("&bogus;").unwrap());
    // Text up to an end tag: a mismatched end tag and a control character in the text are
    // reported where the event reader reports them.
    let x = msg("<Get><CmdID>1</CmdID><Item><Target><LocURI>./a</LocUri></Target></Item></Get>");
    let e = decode_xml(x.as_bytes()).unwrap_err();
    assert!(matches!(e.kind, K::Xml(_)), "{e}");
    assert_eq!(e.offset, x.find("</LocUri>").unwrap());
    let x =
        msg("<Get><CmdID>1</CmdID><Item><Target><LocURI>./\u{1}a</LocURI></Target></Item></Get>");
    let e = decode_xml(x.as_bytes()).unwrap_err();
    assert_eq!((e.kind, e.offset), (K::InvalidChar, x.find("./").unwrap()));
    assert_eq!(e.path, "SyncML/SyncBody/Get/Item/Target/LocURI");
    // Running out of input after trailing whitespace: at the end.
    let x = "<SyncML xmlns=\"SYNCML:SYNCML1.2\">\n  ";
    let e = decode_xml(x.as_bytes()).unwrap_err();
    assert_eq!((e.kind, e.offset), (K::UnexpectedEof, x.len()));
}

/// Errors inside a text element name it last on their path, in both encodings: a child
/// element, a string over the length limit, a character XML cannot carry.
#[test]
fn errors_inside_text_elements_end_their_path_with_the_element() {
    let e = err(&msg(
        "<Get><CmdID>1<Final/></CmdID><Item><Target><LocURI>a</LocURI></Target></Item></Get>",
    ));
    assert_eq!(
        (e.kind, e.path.as_str()),
        (
            K::UnexpectedElement("Final".into()),
            "SyncML/SyncBody/Get/CmdID"
        )
    );
    let long =
        msg("<Get><CmdID>1</CmdID><Item><Target><LocURI>./abcdefgh</LocURI></Target></Item></Get>");
    let limits = Limits {
        max_string_len: 8,
        ..Default::default()
    };
    let w = ::wbxml::transcode::xml_to_wbxml(long.as_bytes(), &Default::default()).unwrap();
    for e in [
        syncml_codec::xml::decode_with(long.as_bytes(), &limits).unwrap_err(),
        wbxml::decode_with(&w, &limits).unwrap_err(),
    ] {
        assert_eq!(
            (e.kind, e.path.as_str()),
            (
                K::Limit("string length"),
                "SyncML/SyncBody/Get/Item/Target/LocURI"
            )
        );
    }
    let e = err(&msg(
        "<Get><CmdID>1</CmdID><Item><Target><LocURI>a&#1;</LocURI></Target></Item></Get>",
    ));
    assert_eq!(e.path, "SyncML/SyncBody/Get/Item/Target/LocURI");
    let e = err(&msg(
        "<Get><CmdID>1</CmdID><Item><Target><LocURI>a</LocURI></Target><Meta><Type xmlns=\"syncml:metinf\">x<Final/></Type></Meta></Item></Get>",
    ));
    assert_eq!(
        (e.kind, e.path.as_str()),
        (
            K::UnexpectedElement("Final".into()),
            "SyncML/SyncBody/Get/Item/Meta/Type"
        )
    );
}

/// Text given as OPAQUE (as some encoders write it) is read as text when it is text XML can
/// carry, and is refused as a string with such a character would be otherwise.
#[test]
fn opaque_text_must_be_xml_text() {
    let w = ::wbxml::transcode::xml_to_wbxml(msg(GET).as_bytes(), &Default::default()).unwrap();
    let inline = [0x03, b'.', b'/', b'a', 0x00];
    let at = w.windows(inline.len()).position(|x| x == inline).unwrap();
    let with = |opaque: &[u8]| {
        let mut v = w[..at].to_vec();
        v.extend_from_slice(opaque);
        v.extend_from_slice(&w[at + inline.len()..]);
        v
    };
    let text = with(&[0xC3, 0x03, b'.', b'/', b'a']);
    let ok = decode_wbxml(&text).unwrap();
    let get = &ok.body.commands[0];
    assert_eq!(get.items()[0].target.as_ref().unwrap().loc_uri, "./a");
    for bad in [
        [0xC3, 0x03, b'.', b'/', 0x01],
        [0xC3, 0x03, b'.', b'/', 0x00],
    ] {
        let e = decode_wbxml(&with(&bad)).unwrap_err();
        assert_eq!(e.kind, K::InvalidChar);
        assert_eq!(e.path, "SyncML/SyncBody/Get/Item/Target/LocURI");
    }
}
