//! The crate's own vectors (tests/data): what each decodes to, and round trips of every
//! element and command through both encodings.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns

mod common;

use syncml_codec::{
    decode_wbxml, decode_xml, wbxml, xml, AlertCode, Command, Data, Format, Message, NestedKind,
    StatusCode,
};

/// A vector's bytes, leaked so decoded messages can borrow them for the whole test.
fn load(name: &str) -> &'static [u8] {
    let bytes = std::fs::read(format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    Box::leak(bytes.into_boxed_slice())
}

fn round_trips(m: &Message<'_>) {
    let x = xml::to_vec(m).unwrap();
    assert_eq!(x.len(), xml::encoded_len(m).unwrap());
    assert_eq!(&decode_xml(&x).unwrap(), m, "XML round trip");
    let w = wbxml::to_vec(m).unwrap();
    assert_eq!(w.len(), wbxml::encoded_len(m).unwrap());
    assert_eq!(&decode_wbxml(&w).unwrap(), m, "WBXML round trip");
    // And through the other encoding once more.
    let w2 = wbxml::to_vec(&decode_xml(&x).unwrap()).unwrap();
    assert_eq!(w2, w, "XML then WBXML gives the same bytes");
}

#[test]
fn every_own_vector_round_trips_in_both_encodings() {
    let vectors = common::own_vectors();
    assert_eq!(vectors.len(), 9);
    for (name, bytes) in vectors {
        let m = decode_xml(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        round_trips(&m);
        let w = wbxml::to_vec(&m).unwrap();
        assert_eq!(
            decode_wbxml(&w).unwrap(),
            m,
            "{name}: decode_xml(x) == decode_wbxml(to_wbxml(x))"
        );
        // The wbxml crate's own transcoder agrees with our encoder on every vector.
        let opts = ::wbxml::transcode::ToWbxmlOptions {
            language: Some(::wbxml::Language::SyncMl12),
            ..Default::default()
        };
        let t = ::wbxml::transcode::xml_to_wbxml(&bytes, &opts).unwrap();
        assert_eq!(decode_wbxml(&t).unwrap(), m, "{name}: transcoded WBXML");
    }
}

#[test]
fn client_init_header_and_commands() {
    let m = decode_xml(load("01-client-init-1201.xml")).unwrap();
    let h = &m.header;
    assert_eq!(
        (&*h.ver_dtd, &*h.ver_proto, &*h.session_id, &*h.msg_id),
        ("1.2", "DM/1.2", "3F", "1")
    );
    assert_eq!(h.source.loc_name.as_deref(), Some("dev-7"));
    let cred = h.cred.as_ref().unwrap();
    assert_eq!(cred.meta.as_ref().unwrap().format, Some(Format::B64));
    assert_eq!(cred.data, "ZGV2LTc6c2VjcmV0");
    let meta = h.meta.as_ref().unwrap();
    assert_eq!(
        (meta.max_msg_size, meta.max_obj_size),
        (Some(10000), Some(524288))
    );
    assert!(m.body.final_flag);
    let Command::Alert(a) = &m.body.commands[0] else {
        panic!()
    };
    assert_eq!(a.code, AlertCode::ClientInitiatedMgmt);
    let Command::Replace(r) = &m.body.commands[1] else {
        panic!()
    };
    assert_eq!(r.items.len(), 2);
    assert_eq!(r.items[1].data, Some(Data::text("Acme & Sons")));
    // Unescaped text is borrowed straight from the input.
    assert!(matches!(
        &r.items[0].data,
        Some(Data::Text(std::borrow::Cow::Borrowed(_)))
    ));
}

#[test]
fn server_commands_with_doctype_11_fpi_and_references() {
    let m = decode_xml(load("02-server-commands-fpi11.xml")).unwrap();
    let names: Vec<_> = m.all_commands().iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "Get", "Replace", "Add", "Delete", "Copy", "Exec", "Sequence", "Alert", "Atomic",
            "Add", "Replace", "Get"
        ]
    );
    let Command::Replace(r) = &m.body.commands[1] else {
        panic!()
    };
    let meta = r.meta.as_ref().unwrap();
    assert_eq!(meta.format, Some(Format::Int));
    assert_eq!(meta.mime_type.as_deref(), Some("text/plain"));
    let Command::Add(a) = &m.body.commands[2] else {
        panic!()
    };
    assert_eq!(a.items[0].meta.as_ref().unwrap().format, Some(Format::Node));
    assert_eq!(a.items[1].data, Some(Data::text("café <b> é😀 \"q\" 'a'")));
    let Command::Delete(d) = &m.body.commands[3] else {
        panic!()
    };
    assert!(d.no_resp);
    let Command::Copy(c) = &m.body.commands[4] else {
        panic!()
    };
    assert_eq!(c.items[0].source.as_ref().unwrap().loc_uri, "./Vendor/A");
    let Command::Exec(e) = &m.body.commands[5] else {
        panic!()
    };
    assert_eq!(e.correlator.as_deref(), Some("corr-0001"));
    assert_eq!(e.items[0].data, Some(Data::text("")));
    let Command::Sequence(s) = &m.body.commands[6] else {
        panic!()
    };
    let Command::Atomic(at) = &s.commands[1] else {
        panic!()
    };
    assert_eq!(at.commands.len(), 2);
    assert!(m.body.final_flag);
}

#[test]
fn ui_alerts_with_options() {
    let m = decode_xml(load("03-ui-alerts.xml")).unwrap();
    let alerts: Vec<_> = m
        .body
        .commands
        .iter()
        .map(|c| match c {
            Command::Alert(a) => a,
            _ => panic!(),
        })
        .collect();
    let codes: Vec<u16> = alerts.iter().map(|a| a.code.code()).collect();
    assert_eq!(codes, [1100, 1101, 1102, 1103, 1104]);
    assert!(alerts.iter().all(|a| a.code.is_ui()));
    assert_eq!(alerts[0].ui_options().unwrap().min_display_time, Some(5));
    let o = alerts[1].ui_options().unwrap();
    assert_eq!(
        (o.max_display_time, o.default_response),
        (Some(60), Some("1"))
    );
    let o = alerts[2].ui_options().unwrap();
    assert_eq!(
        (o.max_len, o.input_type, o.echo_type),
        (Some(4), Some("N"), Some("P"))
    );
    assert_eq!(alerts[3].items.len(), 4);
    // `<Item/>` as the empty options item.
    assert_eq!(alerts[4].items[0], Default::default());
    assert_eq!(alerts[4].ui_options().unwrap(), Default::default());
}

#[test]
fn client_alerts_and_generic_alert_view() {
    let m = decode_xml(load("04-client-alerts.xml")).unwrap();
    let codes: Vec<AlertCode> = m
        .body
        .commands
        .iter()
        .map(|c| match c {
            Command::Alert(a) => a.code,
            _ => panic!(),
        })
        .collect();
    use AlertCode::*;
    assert_eq!(
        codes,
        [
            ServerInitiatedMgmt,
            ClientInitiatedMgmt,
            NextMessage,
            ClientEvent,
            NoEndOfData,
            GenericAlert,
            SessionAbort
        ]
    );
    let Command::Alert(g) = &m.body.commands[5] else {
        panic!()
    };
    // Correlator came before Data in the source: accepted.
    let views: Vec<_> = g.generic_alerts().unwrap().collect();
    assert_eq!(views.len(), 1);
    let v = views[0];
    assert_eq!(v.correlator, Some("corr-0001"));
    assert_eq!(v.alert_type, Some("urn:oma:at:scomo:1.0:OperationComplete"));
    assert_eq!(
        (v.format, v.mark, v.severity()),
        (Some("xml"), Some("critical"), "critical")
    );
    assert_eq!(
        v.source,
        Some("./SCOMO/Download/P1/Operations/DownloadInstall")
    );
    assert_eq!(v.target, Some("./SCOMO/Inventory/Deployed/C1"));
    assert_eq!(
        v.data.and_then(Data::as_text),
        Some("<ResultCode>1200</ResultCode><Identifier>C1</Identifier>")
    );
    assert!(
        matches!(v.data, Some(Data::Opaque(_))),
        "CDATA is kept as opaque data"
    );
    let Command::Alert(other) = &m.body.commands[0] else {
        panic!()
    };
    assert!(other.generic_alerts().is_none());
}

#[test]
fn status_with_chal_and_next_nonce() {
    let m = decode_xml(load("05-status-chal.xml")).unwrap();
    let Command::Status(s) = &m.body.commands[0] else {
        panic!()
    };
    assert_eq!(s.code, StatusCode::Unauthorized);
    assert_eq!(&*s.cmd, "SyncHdr");
    let chal = s.chal.as_ref().unwrap();
    assert_eq!(chal.meta.next_nonce.as_deref(), Some("AAAAAA=="));
    assert_eq!(chal.meta.mime_type.as_deref(), Some("syncml:auth-md5"));
    let Command::Status(s) = &m.body.commands[1] else {
        panic!()
    };
    assert_eq!(s.code, StatusCode::NotExecuted);
    let Command::Status(s) = &m.body.commands[2] else {
        panic!()
    };
    assert_eq!(s.code, StatusCode::Other(999));
    assert_eq!(s.target_refs.len(), 2);
}

#[test]
fn results_with_nested_tnds() {
    let m = decode_xml(load("06-results-tnds.xml")).unwrap();
    let Command::Results(r) = &m.body.commands[2] else {
        panic!()
    };
    let Some(Data::Nested(n)) = &r.items[0].data else {
        panic!()
    };
    assert_eq!(n.kind, NestedKind::MgmtTree);
    let raw = std::str::from_utf8(&n.raw).unwrap();
    assert!(
        raw.starts_with("<MgmtTree xmlns=\"syncml:dmddf1.2\">") && raw.ends_with("</MgmtTree>")
    );
    // In WBXML the TNDS is an OPAQUE WBXML document, and the type says +wbxml on the wire only.
    let w = wbxml::to_vec(&m).unwrap();
    let needle = b"application/vnd.syncml.dmtnds+wbxml";
    assert!(w.windows(needle.len()).any(|x| x == needle));
    let back = decode_wbxml(&w).unwrap();
    let Command::Results(r2) = &back.body.commands[2] else {
        panic!()
    };
    assert_eq!(
        r2.meta.as_ref().unwrap().mime_type.as_deref(),
        Some("application/vnd.syncml.dmtnds+xml")
    );
    let Some(Data::Nested(n2)) = &r2.items[0].data else {
        panic!()
    };
    assert_eq!(n2.encoding, syncml_codec::Encoding::Wbxml);
    assert!(n2.raw.starts_with(&[0x03, 0x00, 0x00, 0x6A]) || n2.raw.starts_with(&[0x03]));
    assert_eq!(n2, n, "compared by parsed content");
    let xml = n2.to_xml().unwrap();
    assert!(xml.contains("<Value>a &amp; b</Value>"), "{xml}");
}

#[test]
fn large_object_chunks() {
    let first = decode_xml(load("07-lo-chunk-first.xml")).unwrap();
    let last = decode_xml(load("08-lo-chunk-last.xml")).unwrap();
    let Command::Replace(a) = &first.body.commands[0] else {
        panic!()
    };
    let Command::Replace(b) = &last.body.commands[0] else {
        panic!()
    };
    assert!(a.items[0].more_data && !b.items[0].more_data);
    assert_eq!(a.items[0].meta.as_ref().unwrap().size, Some(2048));
    assert!(!first.body.final_flag && last.body.final_flag);
    let mut whole = a.items[0]
        .data
        .as_ref()
        .unwrap()
        .as_text()
        .unwrap()
        .to_owned();
    whole.push_str(b.items[0].data.as_ref().unwrap().as_text().unwrap());
    assert_eq!(whole.len(), 2048);
    let decoded = syncml_codec::auth::b64_decode(&whole).unwrap();
    assert_eq!(&decoded[..256], &(0..=255u8).collect::<Vec<_>>()[..]);
}

#[test]
fn prefixed_metinf_and_wrapper() {
    let m = decode_xml(load("09-prefixed-metinf-and-metinf-wrapper.xml")).unwrap();
    let Command::Replace(r) = &m.body.commands[0] else {
        panic!()
    };
    let meta = r.items[0].meta.as_ref().unwrap();
    assert_eq!(meta.format, Some(Format::Chr));
    assert_eq!(meta.emi.len(), 2);
    assert_eq!(meta.version.as_deref(), Some("1.0"));
    let mem = meta.mem.as_ref().unwrap();
    assert!(mem.shared_mem);
    assert_eq!((mem.free_mem, mem.free_id), (Some(100), Some(7)));
    let anchor = meta.anchor.as_ref().unwrap();
    assert_eq!(
        (anchor.last.as_deref(), anchor.next.as_deref()),
        (Some("1"), Some("2"))
    );
    assert!(meta.field_level);
}

#[test]
fn builders_make_valid_messages() {
    use syncml_codec::{Alert, GenericAlertItem, Item, Message, Meta, Status};
    let server = Message::server("1", "1", "https://dm.example.org", "IMEI:1")
        .status(Status::new(
            "",
            "1",
            "0",
            "SyncHdr",
            StatusCode::AuthenticationAccepted,
        ))
        .command(Command::get("", "./DevDetail/SwV"))
        .command(Command::replace(
            "",
            Item::target("./Vendor/X")
                .with_meta(Meta::format_type(Format::Chr, "text/plain"))
                .with_data(Data::text("1 < 2")),
        ))
        .command(Command::exec("", "./SCOMO/Op", Some("c-1".into())))
        .command(Command::delete("", "./Vendor/Y"))
        .command(Command::alert(
            "",
            AlertCode::ConfirmOrReject,
            vec![Item::data_only("MAXDT=10"), Item::data_only("OK?")],
        ))
        .final_flag(true)
        .build();
    let ids: Vec<_> = server
        .all_commands()
        .iter()
        .map(|c| c.cmd_id().to_owned())
        .collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6"]);
    round_trips(&server);
    let client = Message::client("1", "2", "IMEI:1", "https://dm.example.org")
        .source_name("dev")
        .cred("syncml:auth-md5", "abc==")
        .limits(Some(8192), None)
        .command(Command::Alert(Alert::generic(
            "7",
            Some("c-1".into()),
            vec![GenericAlertItem {
                source: Some("./SCOMO/Op".into()),
                target: None,
                alert_type: "urn:oma:at:scomo:1.0:OperationComplete".into(),
                format: Format::Chr,
                mark: None,
                data: Data::text("done"),
            }],
        )))
        .build();
    round_trips(&client);
    let Command::Alert(a) = &client.body.commands[0] else {
        panic!()
    };
    assert_eq!(
        a.generic_alerts().unwrap().next().unwrap().severity(),
        "informational"
    );
    assert_eq!(client.body.commands[0].cmd_id(), "7");
}

#[test]
fn every_element_in_one_message_round_trips() {
    // Every optional field of the model set at least once.
    use std::borrow::Cow;
    use syncml_codec::*;
    let meta = Meta {
        format: Some(Format::Other("x-custom".into())),
        mime_type: Some("text/plain".into()),
        mark: Some("warning".into()),
        size: Some(12),
        anchor: Some(Anchor {
            last: Some("1".into()),
            next: None,
        }),
        version: Some("2".into()),
        next_nonce: Some("bm9uY2U=".into()),
        max_msg_size: Some(u64::MAX),
        max_obj_size: Some(0),
        emi: vec!["e1".into(), "".into()].into(),
        mem: Some(Mem {
            shared_mem: false,
            free_mem: None,
            free_id: Some(3),
        }),
        field_level: true,
    };
    let item = Item {
        target: Some(Location {
            loc_uri: "./a".into(),
            loc_name: Some("n".into()),
        }),
        source: Some(Location::new("./b")),
        meta: Some(Box::new(meta.clone())),
        data: Some(Data::Opaque(Cow::Borrowed(b"raw ]]> text"))),
        more_data: true,
    };
    let ic = ItemCommand {
        cmd_id: "2".into(),
        no_resp: true,
        meta: Some(Box::new(meta.clone())),
        items: vec![item.clone()].into(),
    };
    let msg = Message {
        header: SyncHdr {
            ver_dtd: "1.2".into(),
            ver_proto: "DM/1.2".into(),
            session_id: "1".into(),
            msg_id: "1".into(),
            target: Location::new("t"),
            source: Location {
                loc_uri: "s".into(),
                loc_name: Some("u".into()),
            },
            resp_uri: Some("http://x/?a=1&b=2".into()),
            no_resp: true,
            cred: Some(Cred {
                meta: Some(Box::default()),
                data: "".into(),
            }),
            meta: Some(Box::new(meta.clone())),
        },
        body: SyncBody {
            commands: vec![
                Command::Add(ic.clone()),
                Command::Copy(ic.clone()),
                Command::Delete(ic.clone()),
                Command::Get(ic.clone()),
                Command::Replace(ic.clone()),
                Command::Exec(Exec {
                    cmd_id: "3".into(),
                    no_resp: true,
                    meta: Some(Box::new(meta.clone())),
                    correlator: Some("c".into()),
                    items: vec![item.clone()].into(),
                }),
                Command::Alert(Alert {
                    cmd_id: "4".into(),
                    no_resp: true,
                    code: AlertCode::Other(1299),
                    correlator: Some("c".into()),
                    items: vec![item.clone(), Item::default()].into(),
                }),
                Command::Atomic(Container {
                    cmd_id: "5".into(),
                    no_resp: true,
                    meta: Some(Box::new(meta.clone())),
                    commands: vec![Command::Add(ic.clone())],
                }),
                Command::Sequence(Container {
                    cmd_id: "6".into(),
                    no_resp: false,
                    meta: None,
                    commands: vec![
                        Command::Get(ic.clone()),
                        Command::Atomic(Container {
                            cmd_id: "7".into(),
                            no_resp: false,
                            meta: None,
                            commands: vec![Command::Delete(ic.clone())],
                        }),
                    ],
                }),
                Command::Results(Results {
                    cmd_id: "8".into(),
                    msg_ref: Some("1".into()),
                    cmd_ref: "2".into(),
                    meta: Some(Box::new(meta.clone())),
                    target_ref: Some("t".into()),
                    source_ref: Some("s".into()),
                    items: vec![item.clone()],
                }),
                Command::Status(Status {
                    cmd_id: "9".into(),
                    msg_ref: "1".into(),
                    cmd_ref: "0".into(),
                    cmd: "SyncHdr".into(),
                    target_refs: vec!["a".into(), "b".into()].into(),
                    source_refs: vec!["c".into()].into(),
                    chal: Some(Box::new(Chal { meta: meta.clone() })),
                    code: StatusCode::AuthenticationRequired,
                    items: vec![item],
                }),
            ],
            final_flag: true,
        },
    };
    round_trips(&msg);
    assert_eq!(msg.clone().into_owned(), msg);
}

/// An OPAQUE whose header claims the DM DDF language but whose root is not `MgmtTree` is not
/// a TNDS: it stays opaque, so the message still converts to XML and back (a fuzz finding).
#[test]
fn opaque_ddf_document_without_mgmt_tree_root_stays_opaque() {
    let not_a_tree = ::wbxml::transcode::xml_to_wbxml(
        b"<!DOCTYPE Format PUBLIC \"-//OMA//DTD-DM-DDF 1.2//EN\" \"x\"><Format><int/></Format>",
        &Default::default(),
    )
    .unwrap();
    let m = decode_xml(load("06-results-tnds.xml")).unwrap();
    let mut m = m.into_owned();
    let Command::Results(r) = &mut m.body.commands[2] else {
        panic!()
    };
    r.items[0].data = Some(Data::Opaque(not_a_tree.clone().into()));
    let w = wbxml::to_vec(&m).unwrap();
    let back = decode_wbxml(&w).unwrap();
    let Command::Results(r2) = &back.body.commands[2] else {
        panic!()
    };
    assert_eq!(
        r2.items[0].data.as_ref(),
        Some(&Data::Opaque(not_a_tree.as_slice().into()))
    );
    // Before, it became a nested document that XML carried inline as `<Format>` in Data.
    let mut x = Vec::new();
    assert!(matches!(
        xml::encode(&back, &mut x),
        Err(syncml_codec::EncodeError::OpaqueNotText)
    ));
    if let Ok(dir) = std::env::var("WRITE_REGRESSION_TO") {
        std::fs::write(format!("{dir}/opaque-ddf-root-not-mgmt-tree"), &w).unwrap();
    }
}
