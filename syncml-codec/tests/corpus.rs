//! The shared DM 1.2 corpus: every message decodes in both encodings to the same model, and
//! round-trips through both encoders.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // test helpers outside #[test] fns

mod common;

use syncml_codec::{decode, decode_wbxml, decode_xml, wbxml, xml, Command, Data, Encoding};

#[test]
fn corpus_xml_and_libwbxml_wbxml_agree() {
    let corpus = common::corpus();
    if common::dm12_dir().is_some() {
        assert_eq!(corpus.len(), 16, "the corpus has 16 messages");
    }
    for (name, x, w) in &corpus {
        let from_xml = decode_xml(x).unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(w) = w else { continue };
        let from_wbxml = decode_wbxml(w).unwrap_or_else(|e| panic!("{name} (wbxml): {e}"));
        // libwbxml turns Data under Add/Replace into OPAQUE: compare the text it carries.
        assert_eq!(
            normalise(from_xml.clone()),
            normalise(from_wbxml),
            "{name}: XML and libwbxml's WBXML differ"
        );
    }
}

#[test]
fn corpus_cross_codec_and_round_trips() {
    for (name, x, _) in common::corpus() {
        let m = decode_xml(&x).unwrap();
        let w = wbxml::to_vec(&m).unwrap();
        assert_eq!(
            decode_wbxml(&w).unwrap(),
            m,
            "{name}: decode_wbxml(to_wbxml(x))"
        );
        assert_eq!(
            w.len(),
            wbxml::encoded_len(&m).unwrap(),
            "{name}: wbxml len"
        );
        let x2 = xml::to_vec(&m).unwrap();
        assert_eq!(x2.len(), xml::encoded_len(&m).unwrap(), "{name}: xml len");
        assert_eq!(decode_xml(&x2).unwrap(), m, "{name}: XML round trip");
        assert_eq!(decode(&w).unwrap(), m);
        assert_eq!(decode(&x).unwrap(), m);
        let owned = m.clone().into_owned();
        assert_eq!(owned, m);
        for enc in [Encoding::Xml, Encoding::Wbxml] {
            let bytes = m.to_bytes(enc).unwrap();
            assert_eq!(
                syncml_codec::decode_mime(&bytes, enc.mime_type()).unwrap(),
                m
            );
        }
    }
}

/// Opaque data that is UTF-8 becomes text, so libwbxml's CDATA-for-everything compares.
fn normalise(mut m: syncml_codec::Message<'_>) -> syncml_codec::Message<'_> {
    fn cmds(list: &mut [Command<'_>]) {
        for c in list {
            let items: &mut [syncml_codec::Item<'_>] = match c {
                Command::Add(x)
                | Command::Copy(x)
                | Command::Delete(x)
                | Command::Get(x)
                | Command::Replace(x) => &mut x.items,
                Command::Alert(x) => &mut x.items,
                Command::Exec(x) => &mut x.items,
                Command::Results(x) => &mut x.items,
                Command::Status(x) => &mut x.items,
                Command::Atomic(x) | Command::Sequence(x) => {
                    cmds(&mut x.commands);
                    continue;
                }
                _ => continue,
            };
            for i in items.iter_mut() {
                if let Some(Data::Opaque(b)) = &i.data {
                    if let Ok(s) = std::str::from_utf8(b) {
                        i.data = Some(Data::Text(s.to_owned().into()));
                    }
                }
            }
        }
    }
    cmds(&mut m.body.commands);
    m
}

/// `encode_with_tail` and `MessageEncoder` give the bytes of `encode`, wherever the body's
/// commands are split between the message and what follows it.
#[test]
fn corpus_piecewise_encoding_matches_encode() {
    for (name, x, _) in common::corpus() {
        let m = decode_xml(&x).unwrap();
        for enc in [Encoding::Xml, Encoding::Wbxml] {
            let whole = m.to_bytes(enc).unwrap();
            for split in 0..=m.body.commands.len() {
                let mut head = m.clone();
                let tail = head.body.commands.split_off(split);
                let mut out = Vec::new();
                syncml_codec::encode_with_tail(&head, &tail, enc, &mut out).unwrap();
                assert_eq!(out, whole, "{name} {enc:?}: encode_with_tail at {split}");
                let mut e = syncml_codec::MessageEncoder::begin(&head, enc, Vec::new()).unwrap();
                for c in &tail {
                    e.command(c).unwrap();
                    assert!(e.len() <= whole.len());
                }
                assert_eq!(
                    e.finish(m.body.final_flag),
                    whole,
                    "{name} {enc:?}: MessageEncoder at {split}"
                );
            }
        }
    }
}

/// `MessageEncoder::answer` writes the bytes `command` writes for the Status the answer
/// stands for, for an answer to every command of the corpus (nested ones included), and
/// `MessageEncoder::results` those of the Results with its items.
#[test]
fn corpus_answers_encode_as_their_status() {
    use syncml_codec::{
        Answer, Chal, Format, Item, ItemCommand, Location, MessageEncoder, Meta, StatusCode,
    };
    let chal = Chal {
        meta: Meta {
            next_nonce: Some("bm9uY2U=".into()),
            ..Meta::format_type(Format::B64, "syncml:auth-md5")
        },
    };
    let items = [Item::target("./a/b"), Item::data_only("x & <y>")];
    let mut both = Item::target("./to");
    both.source = Some(Location::new("./from"));
    let mut source_only = Item::data_only("d");
    source_only.source = Some(Location::new("./only/source"));
    let copy = Command::Copy(ItemCommand {
        cmd_id: "9".into(),
        items: vec![both, source_only, Item::target("")].into(),
        ..ItemCommand::default()
    });
    for (name, x, _) in common::corpus() {
        let m = decode_xml(&x).unwrap();
        let mut head = m.clone();
        head.body.commands.clear();
        let mut all = m.all_commands();
        all.push(&copy);
        for (k, c) in all.into_iter().enumerate() {
            for (cmd_id, code, items, source_refs) in [
                (1, 200, &items[..0], false),
                (7, 404, &items[..1], true),
                (1234, 215, &items[..], matches!(c, Command::Copy(_))),
                (u32::MAX, 1223, &items[..0], true),
            ] {
                let a = Answer {
                    cmd_id,
                    msg_ref: &m.header.msg_id,
                    source_refs,
                    chal: (cmd_id == 7).then_some(&chal),
                    code: StatusCode::from_code(code),
                    items,
                    ..Answer::to(c)
                };
                for enc in [Encoding::Xml, Encoding::Wbxml] {
                    // Results carrying the command's items, written both ways.
                    let mut by_parts = MessageEncoder::begin(&head, enc, Vec::new()).unwrap();
                    by_parts
                        .results(cmd_id, &m.header.msg_id, c.cmd_id(), c.items())
                        .unwrap();
                    let mut by_results = MessageEncoder::begin(&head, enc, Vec::new()).unwrap();
                    by_results
                        .command(&Command::Results(syncml_codec::Results {
                            cmd_id: cmd_id.to_string().into(),
                            msg_ref: Some(m.header.msg_id.clone()),
                            cmd_ref: c.cmd_id().into(),
                            items: c.items().into(),
                            ..syncml_codec::Results::default()
                        }))
                        .unwrap();
                    assert_eq!(
                        by_parts.finish(false),
                        by_results.finish(false),
                        "{name} {enc:?}: results for command {k} ({cmd_id})"
                    );
                    let mut by_answer = MessageEncoder::begin(&head, enc, Vec::new()).unwrap();
                    by_answer.answer(&a).unwrap();
                    let mut by_status = MessageEncoder::begin(&head, enc, Vec::new()).unwrap();
                    by_status.command(&Command::Status(a.to_status())).unwrap();
                    assert_eq!(
                        by_answer.finish(true),
                        by_status.finish(true),
                        "{name} {enc:?}: answer to command {k} ({cmd_id}, {code})"
                    );
                }
            }
        }
    }
}
