//! An owned, serialisable form of the SyncML commands the engines queue between messages.
//!
//! Decoded messages borrow their input and cannot outlive a request; what an engine still has
//! to send (Statuses, Results, queued server commands, the rest of a large object) is kept in
//! these types so the whole session state can be stored with serde and resumed later.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use syncml_codec::{
    AlertCode, Chal, Command, Container, Data, Exec, Format, Item, ItemCommand, List, Location,
    Meta, Results, Status, StatusCode,
};

/// CmdID (or MsgID) `id` as text: shared strings for the first 1024, so numbering the commands of a
/// message allocates nothing.
pub(crate) fn cmd_id(id: u32) -> Cow<'static, str> {
    static IDS: OnceLock<Box<[String]>> = OnceLock::new();
    let ids = IDS.get_or_init(|| (0..=1024u32).map(|i| i.to_string()).collect());
    match usize::try_from(id).ok().and_then(|i| ids.get(i)) {
        Some(s) => Cow::Borrowed(s.as_str()),
        None => Cow::Owned(id.to_string()),
    }
}

/// Gives a command (and, for Atomic and Sequence, its nested commands in document order)
/// CmdIDs numbered from `next`.
pub(crate) fn number(c: &mut Command<'_>, next: &mut u32) {
    *next = next.saturating_add(1);
    let id = cmd_id(*next);
    match c {
        Command::Add(x)
        | Command::Copy(x)
        | Command::Delete(x)
        | Command::Get(x)
        | Command::Replace(x) => x.cmd_id = id,
        Command::Alert(x) => x.cmd_id = id,
        Command::Exec(x) => x.cmd_id = id,
        Command::Results(x) => x.cmd_id = id,
        Command::Status(x) => x.cmd_id = id,
        Command::Atomic(x) | Command::Sequence(x) => {
            x.cmd_id = id;
            for inner in &mut x.commands {
                number(inner, next);
            }
        }
        // The engines never build any other command.
        _ => {}
    }
}

/// Text a queued Status or Results keeps for a MsgRef, CmdRef or command name: the numbers
/// `cmd_id` shares and the element names are borrowed static strings, so answering a command
/// copies nothing for them (anything else is owned).
pub(crate) fn shared(text: &str) -> Cow<'static, str> {
    const NAMES: [&str; 16] = [
        "Add", "Alert", "Atomic", "Copy", "Delete", "Exec", "Get", "Map", "Put", "Replace",
        "Results", "Search", "Sequence", "Status", "Sync", "SyncHdr",
    ];
    let b = text.as_bytes();
    // Canonical decimals only ("007" must stay "007"): no leading zero but for "0".
    let canonical = (1..=4).contains(&b.len())
        && b.iter().all(u8::is_ascii_digit)
        && (b.len() == 1 || b.first() != Some(&b'0'));
    if canonical {
        let n = b.iter().fold(0u32, |n, &d| n * 10 + u32::from(d - b'0'));
        if n <= 1024 {
            if let Cow::Borrowed(s) = cmd_id(n) {
                return Cow::Borrowed(s);
            }
        }
    } else if let Some(name) = NAMES.iter().find(|n| **n == text) {
        return Cow::Borrowed(name);
    }
    Cow::Owned(text.to_owned())
}

/// The MetInf fields DM engines use.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetaInfo {
    /// `Format` (`chr`, `b64`, `node`, ...).
    pub format: Option<String>,
    /// `Type`: MIME type, auth type or alert type.
    pub mime: Option<String>,
    /// `Mark`: Generic Alert severity.
    pub mark: Option<String>,
    /// `Size`: the total size of a large object (first chunk only).
    pub size: Option<u64>,
    /// `NextNonce` (base64), in a `Chal`.
    pub next_nonce: Option<String>,
}

impl MetaInfo {
    /// Meta with a Format and a Type.
    pub fn format_type(format: impl Into<String>, mime: Option<String>) -> Self {
        Self {
            format: Some(format.into()),
            mime,
            ..Self::default()
        }
    }

    /// The owned copy of a decoded `Meta`.
    pub fn from_meta(meta: &Meta<'_>) -> Self {
        Self {
            format: meta.format.as_ref().map(|f| f.as_str().to_owned()),
            mime: meta.mime_type.as_deref().map(str::to_owned),
            mark: meta.mark.as_deref().map(str::to_owned),
            size: meta.size,
            next_nonce: meta.next_nonce.as_deref().map(str::to_owned),
        }
    }

    pub(crate) fn to_boxed_meta(&self) -> Box<Meta<'_>> {
        Box::new(self.to_meta())
    }

    pub(crate) fn to_meta(&self) -> Meta<'_> {
        Meta {
            format: self
                .format
                .as_deref()
                .map(|f| Format::parse(Cow::Borrowed(f))),
            mime_type: self.mime.as_deref().map(Cow::Borrowed),
            mark: self.mark.as_deref().map(Cow::Borrowed),
            size: self.size,
            next_nonce: self.next_nonce.as_deref().map(Cow::Borrowed),
            ..Meta::default()
        }
    }
}

/// The content of a `Data` element.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Payload {
    /// Text (XML PCDATA, WBXML inline string).
    Text(String),
    /// Opaque bytes (CDATA in XML, OPAQUE in WBXML).
    Opaque(Vec<u8>),
}

impl Payload {
    /// The bytes carried.
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Self::Text(t) => t.as_bytes(),
            Self::Opaque(b) => b,
        }
    }

    /// Number of bytes carried.
    pub fn len(&self) -> usize {
        self.as_bytes().len()
    }

    /// Whether no byte is carried.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Data decoded from a message: text stays text, anything else keeps its bytes.
    pub fn from_data(data: &Data<'_>) -> Self {
        match data {
            Data::Text(t) => Self::Text(t.to_string()),
            Data::Opaque(b) => Self::Opaque(b.to_vec()),
            Data::Nested(n) => match n.to_xml() {
                Ok(x) => Self::Text(x.into_owned()),
                Err(_) => Self::Opaque(n.raw.to_vec()),
            },
        }
    }

    /// Bytes as the tree gives them: text when they are UTF-8, opaque otherwise.
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(s) => Self::Text(s),
            Err(e) => Self::Opaque(e.into_bytes()),
        }
    }

    fn to_data(&self) -> Data<'_> {
        match self {
            Self::Text(t) => Data::Text(Cow::Borrowed(t)),
            Self::Opaque(b) => Data::Opaque(Cow::Borrowed(b)),
        }
    }

    /// The part `range` of the payload; text is cut on character boundaries (the end moves
    /// back to the previous boundary).
    pub(crate) fn slice(&self, start: usize, want_end: usize) -> (Self, usize) {
        match self {
            Self::Text(t) => {
                let mut end = want_end.min(t.len());
                while end > start && !t.is_char_boundary(end) {
                    end -= 1;
                }
                (
                    Self::Text(t.get(start..end).unwrap_or_default().to_owned()),
                    end,
                )
            }
            Self::Opaque(b) => {
                let end = want_end.min(b.len());
                (
                    Self::Opaque(b.get(start..end).unwrap_or_default().to_vec()),
                    end,
                )
            }
        }
    }
}

/// One `Item`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutItem {
    /// `Target/LocURI`.
    pub target: Option<String>,
    /// `Source/LocURI`.
    pub source: Option<String>,
    /// Item `Meta`.
    pub meta: Option<MetaInfo>,
    /// `Data`.
    pub data: Option<Payload>,
    /// `MoreData`.
    pub more_data: bool,
}

impl OutItem {
    /// An item with a Target.
    pub fn target(uri: impl Into<String>) -> Self {
        Self {
            target: Some(uri.into()),
            ..Self::default()
        }
    }

    /// An item with a Source.
    pub fn source(uri: impl Into<String>) -> Self {
        Self {
            source: Some(uri.into()),
            ..Self::default()
        }
    }

    /// With text data.
    #[must_use]
    pub fn with_text(mut self, text: impl Into<String>) -> Self {
        self.data = Some(Payload::Text(text.into()));
        self
    }

    /// With data.
    #[must_use]
    pub fn with_data(mut self, data: Payload) -> Self {
        self.data = Some(data);
        self
    }

    /// With item Meta.
    #[must_use]
    pub fn with_meta(mut self, meta: MetaInfo) -> Self {
        self.meta = Some(meta);
        self
    }

    /// The owned copy of a decoded item.
    pub fn from_item(item: &Item<'_>) -> Self {
        Self {
            target: item.target.as_ref().map(|l| l.loc_uri.to_string()),
            source: item.source.as_ref().map(|l| l.loc_uri.to_string()),
            meta: item.meta.as_deref().map(MetaInfo::from_meta),
            data: item.data.as_ref().map(Payload::from_data),
            more_data: item.more_data,
        }
    }

    fn to_item(&self) -> Item<'_> {
        Item {
            target: self
                .target
                .as_deref()
                .map(|u| Location::new(Cow::Borrowed(u))),
            source: self
                .source
                .as_deref()
                .map(|u| Location::new(Cow::Borrowed(u))),
            meta: self.meta.as_ref().map(MetaInfo::to_boxed_meta),
            data: self.data.as_ref().map(Payload::to_data),
            more_data: self.more_data,
        }
    }
}

/// The kind of an item command.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ItemKind {
    /// `Add`.
    Add,
    /// `Replace`.
    Replace,
    /// `Delete`.
    Delete,
    /// `Get`.
    Get,
    /// `Copy`.
    Copy,
    /// `Exec`.
    Exec,
}

impl ItemKind {
    /// The element name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Add => "Add",
            Self::Replace => "Replace",
            Self::Delete => "Delete",
            Self::Get => "Get",
            Self::Copy => "Copy",
            Self::Exec => "Exec",
        }
    }
}

/// One command to send, owned and serialisable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Cmd {
    /// Add, Replace, Delete, Get, Copy or Exec.
    Item {
        /// Which command.
        kind: ItemKind,
        /// Command-level Meta.
        meta: Option<MetaInfo>,
        /// Exec `Correlator`.
        correlator: Option<String>,
        /// The items.
        items: Vec<OutItem>,
    },
    /// `Alert`.
    Alert {
        /// The alert code.
        code: u16,
        /// `Correlator`.
        correlator: Option<String>,
        /// The items.
        items: Vec<OutItem>,
    },
    /// `Atomic` (`atomic: true`) or `Sequence`.
    Container {
        /// Atomic rather than Sequence.
        atomic: bool,
        /// The nested commands.
        commands: Vec<Self>,
    },
    /// `Status`.
    Status(StatusCmd),
    /// `Results`.
    Results {
        /// `MsgRef`.
        msg_ref: Cow<'static, str>,
        /// `CmdRef`.
        cmd_ref: Cow<'static, str>,
        /// Command-level Meta.
        meta: Option<MetaInfo>,
        /// The items.
        items: Vec<OutItem>,
    },
}

/// A `Status` to send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCmd {
    /// `MsgRef`.
    pub msg_ref: Cow<'static, str>,
    /// `CmdRef` (`0` for SyncHdr).
    pub cmd_ref: Cow<'static, str>,
    /// `Cmd`.
    pub cmd: Cow<'static, str>,
    /// The code.
    pub code: u16,
    /// `TargetRef`s.
    pub target_refs: Vec<String>,
    /// `SourceRef`s.
    pub source_refs: Vec<String>,
    /// `Chal` Meta (boxed: rare, and it would double the size of every queued command).
    pub chal: Option<Box<MetaInfo>>,
    /// Items (UI answers, failed Add ancestors).
    pub items: Vec<OutItem>,
}

impl StatusCmd {
    /// The owned copy of a codec Status.
    pub(crate) fn from_status(s: &Status<'_>) -> Self {
        Self {
            msg_ref: shared(&s.msg_ref),
            cmd_ref: shared(&s.cmd_ref),
            cmd: shared(&s.cmd),
            code: s.code.code(),
            target_refs: s.target_refs.iter().map(|t| t.to_string()).collect(),
            source_refs: s.source_refs.iter().map(|t| t.to_string()).collect(),
            chal: s
                .chal
                .as_ref()
                .map(|ch| Box::new(MetaInfo::from_meta(&ch.meta))),
            items: s.items.iter().map(OutItem::from_item).collect(),
        }
    }

    /// A Status with no refs or items.
    pub fn new(msg_ref: &str, cmd_ref: &str, cmd: &str, code: u16) -> Self {
        Self {
            msg_ref: shared(msg_ref),
            cmd_ref: shared(cmd_ref),
            cmd: shared(cmd),
            code,
            target_refs: Vec::new(),
            source_refs: Vec::new(),
            chal: None,
            items: Vec::new(),
        }
    }
}

impl Cmd {
    /// An item command with one item.
    pub fn item(kind: ItemKind, item: OutItem) -> Self {
        Self::Item {
            kind,
            meta: None,
            correlator: None,
            items: vec![item],
        }
    }

    /// `Get` of one URI.
    pub fn get(uri: impl Into<String>) -> Self {
        Self::item(ItemKind::Get, OutItem::target(uri))
    }

    /// `Replace` of one leaf with text.
    pub fn replace(uri: impl Into<String>, text: impl Into<String>) -> Self {
        Self::item(ItemKind::Replace, OutItem::target(uri).with_text(text))
    }

    /// `Add` of one node, with Format and optional text.
    pub fn add(uri: impl Into<String>, format: &str, text: Option<String>) -> Self {
        let mut item = OutItem::target(uri).with_meta(MetaInfo::format_type(format, None));
        item.data = text.map(Payload::Text);
        Self::item(ItemKind::Add, item)
    }

    /// `Delete` of one URI.
    pub fn delete(uri: impl Into<String>) -> Self {
        Self::item(ItemKind::Delete, OutItem::target(uri))
    }

    /// `Copy` of `source` to `target`.
    pub fn copy(source: impl Into<String>, target: impl Into<String>) -> Self {
        let mut item = OutItem::target(target);
        item.source = Some(source.into());
        Self::item(ItemKind::Copy, item)
    }

    /// `Exec` of one URI with an optional correlator.
    pub fn exec(uri: impl Into<String>, correlator: Option<String>) -> Self {
        Self::Item {
            kind: ItemKind::Exec,
            meta: None,
            correlator,
            items: vec![OutItem::target(uri)],
        }
    }

    /// An Alert.
    pub fn alert(code: AlertCode, items: Vec<OutItem>) -> Self {
        Self::Alert {
            code: code.code(),
            correlator: None,
            items,
        }
    }

    /// A UI alert (1100–1104): options string, text, then choices.
    pub fn ui_alert(code: AlertCode, options: &str, text: &str, choices: &[&str]) -> Self {
        let mut items = vec![
            OutItem::default().with_text(options),
            OutItem::default().with_text(text),
        ];
        items.extend(choices.iter().map(|c| OutItem::default().with_text(*c)));
        Self::alert(code, items)
    }

    /// `Atomic` of commands.
    pub fn atomic(commands: Vec<Self>) -> Self {
        Self::Container {
            atomic: true,
            commands,
        }
    }

    /// `Sequence` of commands.
    pub fn sequence(commands: Vec<Self>) -> Self {
        Self::Container {
            atomic: false,
            commands,
        }
    }

    /// The element name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Item { kind, .. } => kind.name(),
            Self::Alert { .. } => "Alert",
            Self::Container { atomic: true, .. } => "Atomic",
            Self::Container { atomic: false, .. } => "Sequence",
            Self::Status(_) => "Status",
            Self::Results { .. } => "Results",
        }
    }

    /// How many commands this is, nested ones included.
    pub fn count(&self) -> usize {
        match self {
            Self::Container { commands, .. } => {
                1usize.saturating_add(commands.iter().map(Self::count).sum::<usize>())
            }
            _ => 1,
        }
    }

    /// The owned copy of a codec command, as [`Cmd::to_command`] would give it back; `None`
    /// for the commands DM engines never send (Put, Map, Sync, ...).
    pub(crate) fn from_command(c: &Command<'_>) -> Option<Self> {
        let items = |items: &[Item<'_>]| items.iter().map(OutItem::from_item).collect();
        let meta = |m: &Option<Box<Meta<'_>>>| m.as_deref().map(MetaInfo::from_meta);
        let item_cmd = |kind: ItemKind, x: &ItemCommand<'_>| Self::Item {
            kind,
            meta: meta(&x.meta),
            correlator: None,
            items: items(&x.items),
        };
        Some(match c {
            Command::Add(x) => item_cmd(ItemKind::Add, x),
            Command::Replace(x) => item_cmd(ItemKind::Replace, x),
            Command::Delete(x) => item_cmd(ItemKind::Delete, x),
            Command::Get(x) => item_cmd(ItemKind::Get, x),
            Command::Copy(x) => item_cmd(ItemKind::Copy, x),
            Command::Exec(x) => Self::Item {
                kind: ItemKind::Exec,
                meta: meta(&x.meta),
                correlator: x.correlator.as_deref().map(str::to_owned),
                items: items(&x.items),
            },
            Command::Alert(a) => Self::Alert {
                code: a.code.code(),
                correlator: a.correlator.as_deref().map(str::to_owned),
                items: items(&a.items),
            },
            Command::Atomic(x) | Command::Sequence(x) => Self::Container {
                atomic: matches!(c, Command::Atomic(_)),
                commands: x.commands.iter().filter_map(Self::from_command).collect(),
            },
            Command::Status(s) => Self::Status(StatusCmd::from_status(s)),
            Command::Results(r) => Self::Results {
                msg_ref: shared(r.msg_ref.as_deref().unwrap_or_default()),
                cmd_ref: shared(&r.cmd_ref),
                meta: meta(&r.meta),
                items: items(&r.items),
            },
            _ => return None,
        })
    }

    /// The codec form, numbering CmdIDs from `next` in document order; `ids` receives the
    /// CmdID given to each command (pre-order).
    pub(crate) fn to_command(&self, next: &mut u32, ids: &mut Vec<u32>) -> Command<'_> {
        *next = next.saturating_add(1);
        let id = *next;
        ids.push(id);
        let cmd_id = cmd_id(id);
        match self {
            Self::Item {
                kind,
                meta,
                correlator,
                items,
            } => {
                let items: List<Item<'_>> = items.iter().map(OutItem::to_item).collect();
                let meta = meta.as_ref().map(MetaInfo::to_boxed_meta);
                if *kind == ItemKind::Exec {
                    return Command::Exec(Exec {
                        cmd_id,
                        meta,
                        correlator: correlator.as_deref().map(Cow::Borrowed),
                        items,
                        ..Exec::default()
                    });
                }
                let c = ItemCommand {
                    cmd_id,
                    no_resp: false,
                    meta,
                    items,
                };
                match kind {
                    ItemKind::Add => Command::Add(c),
                    ItemKind::Replace => Command::Replace(c),
                    ItemKind::Delete => Command::Delete(c),
                    ItemKind::Get => Command::Get(c),
                    ItemKind::Copy | ItemKind::Exec => Command::Copy(c),
                }
            }
            Self::Alert {
                code,
                correlator,
                items,
            } => {
                let mut cmd = Command::alert(
                    cmd_id,
                    AlertCode::from_code(*code),
                    items.iter().map(OutItem::to_item).collect::<List<_>>(),
                );
                if let Command::Alert(alert) = &mut cmd {
                    alert.correlator = correlator.as_deref().map(Cow::Borrowed);
                }
                cmd
            }
            Self::Container { atomic, commands } => {
                let inner = Container {
                    cmd_id,
                    commands: commands.iter().map(|c| c.to_command(next, ids)).collect(),
                    ..Container::default()
                };
                if *atomic {
                    Command::Atomic(inner)
                } else {
                    Command::Sequence(inner)
                }
            }
            Self::Status(s) => {
                let mut st = Status::new(
                    cmd_id,
                    Cow::Borrowed(&*s.msg_ref),
                    Cow::Borrowed(&*s.cmd_ref),
                    Cow::Borrowed(&*s.cmd),
                    StatusCode::from_code(s.code),
                );
                st.target_refs = s
                    .target_refs
                    .iter()
                    .map(|t| Cow::Borrowed(t.as_str()))
                    .collect();
                st.source_refs = s
                    .source_refs
                    .iter()
                    .map(|t| Cow::Borrowed(t.as_str()))
                    .collect();
                st.chal = s
                    .chal
                    .as_ref()
                    .map(|m| Box::new(Chal { meta: m.to_meta() }));
                st.items = s.items.iter().map(OutItem::to_item).collect();
                Command::Status(st)
            }
            Self::Results {
                msg_ref,
                cmd_ref,
                meta,
                items,
            } => Command::Results(Results {
                cmd_id,
                msg_ref: Some(Cow::Borrowed(msg_ref)),
                cmd_ref: Cow::Borrowed(cmd_ref),
                meta: meta.as_ref().map(MetaInfo::to_boxed_meta),
                items: items.iter().map(OutItem::to_item).collect(),
                ..Results::default()
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_text_is_borrowed_only_when_it_reads_the_same() {
        for (text, borrowed) in [
            ("0", true),
            ("7", true),
            ("1024", true),
            ("1025", false),
            ("007", false),
            ("00", false),
            ("", false),
            ("12345", false),
            ("Replace", true),
            ("SyncHdr", true),
            ("replace", false),
            ("Foo", false),
        ] {
            let s = shared(text);
            assert_eq!(s, text);
            assert_eq!(matches!(s, Cow::Borrowed(_)), borrowed, "{text:?}");
        }
    }
}
