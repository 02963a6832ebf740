//! `dmtool decode`: a DM message (XML or WBXML) as a readable outline or as JSON.

use std::fmt::Write as _;

use super::io::{read_input, write_output};
use crate::CliError;
use serde_json::{json, Map, Value};
use syncml_codec::{Command, Data, Encoding, Item, Location, Message, Meta};

/// Arguments of `dmtool decode`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Print JSON instead of an outline.
    #[arg(long)]
    json: bool,
    /// Input file (XML or WBXML, detected), `-` for standard input.
    #[arg(value_name = "IN")]
    input: String,
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let input = read_input(&args.input)?;
    let encoding = syncml_codec::detect(&input);
    let msg = syncml_codec::decode(&input).map_err(|e| CliError::Input(e.to_string()))?;
    let mut out = if args.json {
        let mut v = message_json(&msg);
        if let Value::Object(map) = &mut v {
            map.insert("encoding".into(), json!(encoding_name(encoding)));
            map.insert("size".into(), json!(input.len()));
        }
        serde_json::to_string_pretty(&v).map_err(|e| CliError::Input(e.to_string()))?
    } else {
        outline(&msg, encoding, input.len())
    };
    out.push('\n');
    write_output(None, out.as_bytes())
}

fn encoding_name(e: Encoding) -> &'static str {
    match e {
        Encoding::Xml => "xml",
        Encoding::Wbxml => "wbxml",
    }
}

/// A short description of a Data value: text (cut), byte count or nested document.
fn data_summary(d: &Data<'_>) -> String {
    match d {
        Data::Text(t) => {
            let mut s: String = t.chars().take(60).collect();
            if t.chars().count() > 60 {
                s.push('…');
            }
            format!("{s:?}")
        }
        Data::Opaque(b) => match std::str::from_utf8(b) {
            Ok(t) if t.chars().count() <= 60 => format!("opaque {t:?}"),
            _ => format!("opaque, {} bytes", b.len()),
        },
        Data::Nested(n) => format!(
            "nested {} ({}, {} bytes)",
            n.kind.root(),
            encoding_name(n.encoding),
            n.raw.len()
        ),
    }
}

fn meta_summary(m: &Meta<'_>) -> String {
    let mut parts = Vec::new();
    if let Some(f) = &m.format {
        parts.push(format!("Format {}", f.as_str()));
    }
    if let Some(t) = &m.mime_type {
        parts.push(format!("Type {t}"));
    }
    if let Some(t) = &m.mark {
        parts.push(format!("Mark {t}"));
    }
    if let Some(n) = m.size {
        parts.push(format!("Size {n}"));
    }
    if let Some(t) = &m.next_nonce {
        parts.push(format!("NextNonce {t}"));
    }
    if let Some(n) = m.max_msg_size {
        parts.push(format!("MaxMsgSize {n}"));
    }
    if let Some(n) = m.max_obj_size {
        parts.push(format!("MaxObjSize {n}"));
    }
    if let Some(t) = &m.version {
        parts.push(format!("Version {t}"));
    }
    for e in &m.emi {
        parts.push(format!("EMI {e}"));
    }
    parts.join(", ")
}

fn loc(l: &Location<'_>) -> String {
    match &l.loc_name {
        Some(n) => format!("{} (LocName {n})", l.loc_uri),
        None => l.loc_uri.to_string(),
    }
}

fn outline(m: &Message<'_>, encoding: Encoding, size: usize) -> String {
    let mut o = String::new();
    let h = &m.header;
    let _ = writeln!(
        o,
        "SyncML message, {}, {size} bytes",
        encoding_name(encoding).to_uppercase()
    );
    let _ = writeln!(
        o,
        "SyncHdr: VerDTD {}, VerProto {}, SessionID {}, MsgID {}",
        h.ver_dtd, h.ver_proto, h.session_id, h.msg_id
    );
    let _ = writeln!(o, "  Target: {}", loc(&h.target));
    let _ = writeln!(o, "  Source: {}", loc(&h.source));
    if let Some(r) = &h.resp_uri {
        let _ = writeln!(o, "  RespURI: {r}");
    }
    if h.no_resp {
        let _ = writeln!(o, "  NoResp");
    }
    if let Some(c) = &h.cred {
        let meta = c.meta.as_deref().map(meta_summary).unwrap_or_default();
        let _ = writeln!(o, "  Cred: [{meta}] {}", c.data);
    }
    if let Some(meta) = &h.meta {
        let _ = writeln!(o, "  Meta: {}", meta_summary(meta));
    }
    let _ = writeln!(
        o,
        "SyncBody: {} command(s){}",
        m.body.commands.len(),
        if m.body.final_flag { ", Final" } else { "" }
    );
    for c in &m.body.commands {
        command(&mut o, c, 1);
    }
    while o.ends_with('\n') {
        o.pop();
    }
    o
}

fn item_line(o: &mut String, i: &Item<'_>, depth: usize) {
    let pad = "  ".repeat(depth + 1);
    let mut parts = Vec::new();
    if let Some(t) = &i.target {
        parts.push(format!("target {}", loc(t)));
    }
    if let Some(s) = &i.source {
        parts.push(format!("source {}", loc(s)));
    }
    if let Some(m) = &i.meta {
        parts.push(format!("[{}]", meta_summary(m)));
    }
    if let Some(d) = &i.data {
        parts.push(format!("data {}", data_summary(d)));
    }
    if i.more_data {
        parts.push("MoreData".into());
    }
    if parts.is_empty() {
        parts.push("(empty item)".into());
    }
    let _ = writeln!(o, "{pad}- {}", parts.join(", "));
}

fn command(o: &mut String, c: &Command<'_>, depth: usize) {
    let pad = "  ".repeat(depth);
    let mut head = format!("{pad}[{}] {}", c.cmd_id(), c.name());
    let mut meta = None;
    match c {
        Command::Add(x)
        | Command::Copy(x)
        | Command::Delete(x)
        | Command::Get(x)
        | Command::Replace(x) => {
            meta = x.meta.as_ref();
            if x.no_resp {
                head.push_str(" NoResp");
            }
        }
        Command::Alert(a) => {
            let _ = write!(head, " {}", a.code);
            if let Some(c) = &a.correlator {
                let _ = write!(head, ", Correlator {c}");
            }
            if let Some(opts) = a.ui_options() {
                let _ = write!(head, ", options {opts:?}");
            }
        }
        Command::Exec(e) => {
            meta = e.meta.as_ref();
            if let Some(c) = &e.correlator {
                let _ = write!(head, " Correlator {c}");
            }
        }
        Command::Results(r) => {
            meta = r.meta.as_ref();
            let _ = write!(
                head,
                " for CmdRef {} (MsgRef {})",
                r.cmd_ref,
                r.msg_ref.as_deref().unwrap_or("-")
            );
        }
        Command::Status(s) => {
            let _ = write!(
                head,
                " {} for {} (MsgRef {}, CmdRef {})",
                s.code, s.cmd, s.msg_ref, s.cmd_ref
            );
            for t in &s.target_refs {
                let _ = write!(head, ", TargetRef {t}");
            }
            for t in &s.source_refs {
                let _ = write!(head, ", SourceRef {t}");
            }
            if let Some(ch) = &s.chal {
                let _ = write!(head, ", Chal [{}]", meta_summary(&ch.meta));
            }
        }
        Command::Atomic(x) | Command::Sequence(x) => {
            meta = x.meta.as_ref();
        }
        _ => {}
    }
    if let Some(m) = meta {
        let _ = write!(head, " [{}]", meta_summary(m));
    }
    let _ = writeln!(o, "{head}");
    if let Command::Atomic(x) | Command::Sequence(x) = c {
        for inner in &x.commands {
            command(o, inner, depth + 1);
        }
    }
    for i in c.items() {
        item_line(o, i, depth);
    }
}

fn opt<T: Into<Value>>(map: &mut Map<String, Value>, key: &str, v: Option<T>) {
    if let Some(v) = v {
        map.insert(key.into(), v.into());
    }
}

fn loc_json(l: &Location<'_>) -> Value {
    let mut m = Map::new();
    m.insert("loc_uri".into(), json!(l.loc_uri));
    opt(&mut m, "loc_name", l.loc_name.as_deref());
    Value::Object(m)
}

fn meta_json(meta: &Meta<'_>) -> Value {
    let mut m = Map::new();
    opt(
        &mut m,
        "format",
        meta.format.as_ref().map(|f| f.as_str().to_owned()),
    );
    opt(&mut m, "type", meta.mime_type.as_deref());
    opt(&mut m, "mark", meta.mark.as_deref());
    opt(&mut m, "size", meta.size);
    opt(&mut m, "version", meta.version.as_deref());
    opt(&mut m, "next_nonce", meta.next_nonce.as_deref());
    opt(&mut m, "max_msg_size", meta.max_msg_size);
    opt(&mut m, "max_obj_size", meta.max_obj_size);
    if !meta.emi.is_empty() {
        m.insert("emi".into(), json!(meta.emi.as_slice()));
    }
    Value::Object(m)
}

fn data_json(d: &Data<'_>) -> Value {
    match d {
        Data::Text(t) => json!({ "text": t }),
        Data::Opaque(b) => match std::str::from_utf8(b) {
            Ok(t) => json!({ "opaque_text": t }),
            Err(_) => json!({ "opaque_base64": syncml_codec::auth::b64(b) }),
        },
        Data::Nested(n) => json!({
            "nested": n.kind.root(),
            "encoding": encoding_name(n.encoding),
            "bytes": n.raw.len(),
            "xml": n.to_xml().ok().map(|x| x.into_owned()),
        }),
    }
}

fn item_json(i: &Item<'_>) -> Value {
    let mut m = Map::new();
    opt(&mut m, "target", i.target.as_ref().map(loc_json));
    opt(&mut m, "source", i.source.as_ref().map(loc_json));
    opt(&mut m, "meta", i.meta.as_deref().map(meta_json));
    opt(&mut m, "data", i.data.as_ref().map(data_json));
    if i.more_data {
        m.insert("more_data".into(), json!(true));
    }
    Value::Object(m)
}

fn code_json(code: u16, meaning: Option<&str>) -> Value {
    json!({ "code": code, "meaning": meaning })
}

fn command_json(c: &Command<'_>) -> Value {
    let mut m = Map::new();
    m.insert("command".into(), json!(c.name()));
    m.insert("cmd_id".into(), json!(c.cmd_id()));
    match c {
        Command::Add(x)
        | Command::Copy(x)
        | Command::Delete(x)
        | Command::Get(x)
        | Command::Replace(x) => {
            opt(&mut m, "meta", x.meta.as_deref().map(meta_json));
            if x.no_resp {
                m.insert("no_resp".into(), json!(true));
            }
        }
        Command::Alert(a) => {
            m.insert("alert".into(), code_json(a.code.code(), a.code.meaning()));
            opt(&mut m, "correlator", a.correlator.as_deref());
        }
        Command::Exec(e) => {
            opt(&mut m, "meta", e.meta.as_deref().map(meta_json));
            opt(&mut m, "correlator", e.correlator.as_deref());
        }
        Command::Results(r) => {
            opt(&mut m, "msg_ref", r.msg_ref.as_deref());
            m.insert("cmd_ref".into(), json!(r.cmd_ref));
            opt(&mut m, "meta", r.meta.as_deref().map(meta_json));
            opt(&mut m, "target_ref", r.target_ref.as_deref());
            opt(&mut m, "source_ref", r.source_ref.as_deref());
        }
        Command::Status(s) => {
            m.insert("status".into(), code_json(s.code.code(), s.code.meaning()));
            m.insert("msg_ref".into(), json!(s.msg_ref));
            m.insert("cmd_ref".into(), json!(s.cmd_ref));
            m.insert("cmd".into(), json!(s.cmd));
            if !s.target_refs.is_empty() {
                m.insert("target_refs".into(), json!(s.target_refs.as_slice()));
            }
            if !s.source_refs.is_empty() {
                m.insert("source_refs".into(), json!(s.source_refs.as_slice()));
            }
            opt(&mut m, "chal", s.chal.as_ref().map(|c| meta_json(&c.meta)));
        }
        Command::Atomic(x) | Command::Sequence(x) => {
            opt(&mut m, "meta", x.meta.as_deref().map(meta_json));
            m.insert(
                "commands".into(),
                Value::Array(x.commands.iter().map(command_json).collect()),
            );
        }
        _ => {}
    }
    if !c.items().is_empty() {
        m.insert(
            "items".into(),
            Value::Array(c.items().iter().map(item_json).collect()),
        );
    }
    Value::Object(m)
}

fn message_json(msg: &Message<'_>) -> Value {
    let h = &msg.header;
    let mut hdr = Map::new();
    hdr.insert("ver_dtd".into(), json!(h.ver_dtd));
    hdr.insert("ver_proto".into(), json!(h.ver_proto));
    hdr.insert("session_id".into(), json!(h.session_id));
    hdr.insert("msg_id".into(), json!(h.msg_id));
    hdr.insert("target".into(), loc_json(&h.target));
    hdr.insert("source".into(), loc_json(&h.source));
    opt(&mut hdr, "resp_uri", h.resp_uri.as_deref());
    if h.no_resp {
        hdr.insert("no_resp".into(), json!(true));
    }
    opt(
        &mut hdr,
        "cred",
        h.cred
            .as_ref()
            .map(|c| json!({ "meta": c.meta.as_deref().map(meta_json), "data": c.data })),
    );
    opt(&mut hdr, "meta", h.meta.as_deref().map(meta_json));
    json!({
        "header": Value::Object(hdr),
        "commands": msg.body.commands.iter().map(command_json).collect::<Vec<_>>(),
        "final": msg.body.final_flag,
    })
}
