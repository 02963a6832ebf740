//! A header encoded once and reused (`EncodedHeader`, `MessageEncoder::begin_with_header`)
//! gives the bytes `MessageEncoder::begin` writes for the same header with that MsgID, in
//! both encodings, whatever the header holds and the body after it.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use syncml_codec::{
    decode_as, Command, Data, EncodedHeader, Encoding, Format, Item, Message, MessageEncoder, Meta,
    Status, StatusCode,
};

/// Headers that exercise every part `EncodedHeader` keeps: Meta (MetInf, a page switch in
/// WBXML), LocName, RespURI, NoResp, Cred with its own Meta, text XML escapes, text past the
/// encoders' short blocks, and non-ASCII.
fn headers() -> Vec<Message<'static>> {
    let long =
        "https://dm.example.com/a/very/long/path/that/is/longer/than/sixty-four/bytes/oma-dm";
    let mut headers = vec![
        Message::client(
            "1A2B",
            "1",
            "IMEI:353918050231873",
            "https://dm.example.com/oma-dm",
        )
        .build(),
        Message::client(
            "1A2B",
            "1",
            "IMEI:353918050231873",
            "https://dm.example.com/oma-dm",
        )
        .limits(Some(1_048_576), Some(524_288))
        .build(),
        Message::client("S", "1", "dev", long)
            .source_name("user name")
            .cred("syncml:auth-md5", "Zz9hYmM=")
            .limits(Some(8192), None)
            .build(),
        Message::server("77", "1", "https://dm.example.com/?a=1&b=<2>", "IMEI:ÄÖÜ")
            .resp_uri("https://dm.example.com/s?id=77&x='y'")
            .build(),
    ];
    let mut no_resp = headers[0].clone();
    no_resp.header.no_resp = true;
    headers.push(no_resp);
    let mut v11 = headers[1].clone();
    v11.header.ver_dtd = "1.1".into();
    v11.header.ver_proto = "DM/1.1".into();
    headers.push(v11);
    headers
}

/// Bodies written after the header: none; a Status; a Get with a MetInf Meta (WBXML switches
/// page inside the body, after a header that may have switched back already).
fn bodies() -> Vec<Vec<Command<'static>>> {
    vec![
        Vec::new(),
        vec![Command::Status(Status::new(
            "1",
            "1",
            "0",
            "SyncHdr",
            StatusCode::from_code(200),
        ))],
        vec![
            Command::get("2", "./DevInfo/Mod"),
            Command::replace(
                "3",
                Item::target("./App/N1")
                    .with_data(Data::Text("value".into()))
                    .with_meta(Meta::format_type(Format::Chr, "text/plain")),
            ),
        ],
    ]
}

fn fresh(message: &Message<'_>, encoding: Encoding) -> Vec<u8> {
    MessageEncoder::begin(message, encoding, Vec::new())
        .unwrap()
        .finish(message.body.final_flag)
}

#[test]
fn a_reused_header_writes_what_a_fresh_one_does() {
    for encoding in [Encoding::Xml, Encoding::Wbxml] {
        for base in headers() {
            let encoded = EncodedHeader::new(&base.header, encoding).unwrap();
            assert_eq!(encoded.encoding(), encoding);
            for msg_id in ["1", "12", "4294967295", "x&y"] {
                for (i, body) in bodies().into_iter().enumerate() {
                    let mut message = base.clone();
                    message.header.msg_id = msg_id.into();
                    message.body.final_flag = i % 2 == 0;
                    let mut enc =
                        MessageEncoder::begin_with_header(&encoded, msg_id, vec![9; 3]).unwrap();
                    for c in &body {
                        enc.command(c).unwrap();
                    }
                    let reused = enc.finish(message.body.final_flag);
                    message.body.commands = body;
                    let want = fresh(&message, encoding);
                    assert_eq!(
                        reused, want,
                        "{encoding:?} MsgID {msg_id} body {i}: {:?}",
                        message.header
                    );
                    // And the message reads back as it was written.
                    assert_eq!(
                        decode_as(&reused, encoding, &Default::default()).unwrap(),
                        message
                    );
                }
            }
        }
    }
}

#[test]
fn what_cannot_be_encoded_fails_as_it_does_fresh() {
    // WBXML strings cannot hold NUL: in the header, and in the MsgID given with it.
    let mut bad = headers()[1].clone();
    bad.header.session_id = "a\0b".into();
    let fresh_error = MessageEncoder::begin(&bad, Encoding::Wbxml, Vec::new())
        .err()
        .expect("NUL in a WBXML string");
    assert_eq!(
        EncodedHeader::new(&bad.header, Encoding::Wbxml).unwrap_err(),
        fresh_error
    );
    let good = EncodedHeader::new(&headers()[1].header, Encoding::Wbxml).unwrap();
    let mut nul_id = headers()[1].clone();
    nul_id.header.msg_id = "1\0".into();
    let fresh_error = MessageEncoder::begin(&nul_id, Encoding::Wbxml, Vec::new())
        .err()
        .expect("NUL in the MsgID");
    assert_eq!(
        MessageEncoder::begin_with_header(&good, "1\0", Vec::new())
            .err()
            .expect("NUL in the MsgID"),
        fresh_error
    );
}
