//! The DM server, the device and the HTTP glue shared by `demo`, `serve` and `device`.

pub(crate) mod device;
pub(crate) mod http;
pub(crate) mod package;
pub(crate) mod server;

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;

use syncml_codec::{Command, Encoding, Limits};

/// The two DM media types.
pub(crate) const MIME_XML: &str = "application/vnd.syncml.dm+xml";
/// WBXML.
pub(crate) const MIME_WBXML: &str = "application/vnd.syncml.dm+wbxml";

/// Fresh seed bytes for nonces (no RNG crate: the std hasher keys are random per process
/// and per `RandomState`).
pub(crate) fn seed() -> Vec<u8> {
    let mut out = Vec::with_capacity(32);
    for i in 0u64..4 {
        let mut h = RandomState::new().build_hasher();
        h.write_u64(i);
        if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(t.as_nanos());
        }
        out.extend_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// Where transcript lines go (standard output, flushed per line so two processes and
/// several threads interleave by line).
#[derive(Clone, Debug)]
pub(crate) struct Log {
    /// Also print every message as XML.
    pub(crate) verbose: bool,
}

impl Log {
    /// Prints one transcript line.
    pub(crate) fn line(&self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }

    /// Prints a message as XML when verbose.
    pub(crate) fn message(&self, body: &[u8]) {
        if self.verbose {
            self.line(&xml_of(body));
        }
    }
}

/// The message as XML (re-encoded through the codec, so WBXML becomes readable).
pub(crate) fn xml_of(body: &[u8]) -> String {
    let Ok(msg) = syncml_codec::decode_as(body, syncml_codec::detect(body), &Limits::default())
    else {
        return format!("    <!-- {} bytes that do not decode -->", body.len());
    };
    let mut out = Vec::new();
    match syncml_codec::encode(&msg, Encoding::Xml, &mut out) {
        Ok(()) => format!("    {}", String::from_utf8_lossy(&out)),
        Err(e) => format!("    <!-- cannot re-encode: {e} -->"),
    }
}

fn describe(cmd: &Command<'_>, out: &mut Vec<String>) {
    match cmd {
        Command::Alert(a) => out.push(format!("Alert {}", a.code.code())),
        Command::Status(s) => out.push(format!("Status {}", s.code.code())),
        Command::Atomic(c) | Command::Sequence(c) => {
            out.push(cmd.name().to_owned());
            for n in &c.commands {
                describe(n, out);
            }
        }
        Command::Replace(i) if i.items.iter().any(|i| i.more_data) => {
            out.push("Replace (large object chunk)".to_owned());
        }
        _ => out.push(cmd.name().to_owned()),
    }
}

/// A one-line summary of a message: size, encoding and its commands.
pub(crate) fn summary(body: &[u8]) -> String {
    let enc = match syncml_codec::detect(body) {
        Encoding::Xml => "XML",
        Encoding::Wbxml => "WBXML",
    };
    let Ok(msg) = syncml_codec::decode_as(body, syncml_codec::detect(body), &Limits::default())
    else {
        return format!("{} B {enc}, undecodable", body.len());
    };
    let mut names = Vec::new();
    for c in &msg.body.commands {
        describe(c, &mut names);
    }
    // Collapse runs ("Status 200, Status 200" → "Status 200 ×2").
    let mut parts: Vec<(String, usize)> = Vec::new();
    for n in names {
        match parts.last_mut() {
            Some((last, count)) if *last == n => *count = count.saturating_add(1),
            _ => parts.push((n, 1)),
        }
    }
    let cmds: Vec<String> = parts
        .into_iter()
        .map(|(n, c)| if c > 1 { format!("{n} ×{c}") } else { n })
        .collect();
    format!(
        "msg {} {} B {enc}: {}",
        msg.header.msg_id,
        body.len(),
        if cmds.is_empty() {
            "(empty)".to_owned()
        } else {
            cmds.join(", ")
        }
    )
}
