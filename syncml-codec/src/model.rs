//! The typed model of a SyncML DM 1.2 message, shared by both codecs.

use std::borrow::Cow;

use crate::codes::{AlertCode, StatusCode};
pub(crate) use crate::list::List;

/// A string that borrows from the input unless unescaping forced a copy.
pub type Str<'a> = Cow<'a, str>;

/// The two wire encodings of a DM message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Encoding {
    /// XML text (`application/vnd.syncml.dm+xml`).
    Xml,
    /// WBXML (`application/vnd.syncml.dm+wbxml`).
    Wbxml,
}

impl Encoding {
    /// The DM media type of this encoding.
    pub fn mime_type(self) -> &'static str {
        match self {
            Self::Xml => "application/vnd.syncml.dm+xml",
            Self::Wbxml => "application/vnd.syncml.dm+wbxml",
        }
    }

    /// The encoding a media type names: DM or SyncML-DS types, case-insensitive, parameters
    /// ignored.
    pub fn from_mime_type(mime: &str) -> Option<Self> {
        let essence = mime.split(';').next().unwrap_or_default().trim();
        let lower = essence.to_ascii_lowercase();
        match lower.as_str() {
            "application/vnd.syncml.dm+xml" | "application/vnd.syncml+xml" => Some(Self::Xml),
            "application/vnd.syncml.dm+wbxml" | "application/vnd.syncml+wbxml" => Some(Self::Wbxml),
            _ => None,
        }
    }
}

/// A whole DM message: `<SyncML>` with its header and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message<'a> {
    /// `SyncHdr`.
    pub header: SyncHdr<'a>,
    /// `SyncBody`.
    pub body: SyncBody<'a>,
}

/// `SyncHdr`: addressing, session and message ids, credentials and header Meta.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncHdr<'a> {
    /// `VerDTD` (`1.2`).
    pub ver_dtd: Str<'a>,
    /// `VerProto` (`DM/1.2`).
    pub ver_proto: Str<'a>,
    /// `SessionID`.
    pub session_id: Str<'a>,
    /// `MsgID`.
    pub msg_id: Str<'a>,
    /// `Target`: the recipient.
    pub target: Location<'a>,
    /// `Source`: the sender (`LocName` = user name for digest auth).
    pub source: Location<'a>,
    /// `RespURI`: where to send the next message.
    pub resp_uri: Option<Str<'a>>,
    /// `NoResp`: not used by DM 1.2; kept as a flag and ignored by DM engines.
    pub no_resp: bool,
    /// `Cred`: the only place DM allows credentials.
    pub cred: Option<Cred<'a>>,
    /// `Meta` (MaxMsgSize, MaxObjSize).
    pub meta: Option<Box<Meta<'a>>>,
}

/// `SyncBody`: the commands in document order and `Final`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncBody<'a> {
    /// The commands, in document order.
    pub commands: Vec<Command<'a>>,
    /// `Final`: last message of the package.
    pub final_flag: bool,
}

/// `Target` or `Source`: `LocURI` and optional `LocName`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location<'a> {
    /// `LocURI`.
    pub loc_uri: Str<'a>,
    /// `LocName`.
    pub loc_name: Option<Str<'a>>,
}

/// `Cred`: authentication data (SyncHdr only in DM).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cred<'a> {
    /// `Meta`: Type (`syncml:auth-md5`, …) and Format (`b64`).
    pub meta: Option<Box<Meta<'a>>>,
    /// `Data`: the credential (base64 text).
    pub data: Str<'a>,
}

/// `Chal`: an authentication challenge in a Status.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chal<'a> {
    /// `Meta`: Type, Format and NextNonce.
    pub meta: Meta<'a>,
}

/// The `Format` MetInf values of DM, other values kept as written.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format<'a> {
    /// `b64`.
    B64,
    /// `bin`.
    Bin,
    /// `bool`.
    Bool,
    /// `chr` (the default).
    Chr,
    /// `int`.
    Int,
    /// `node`: an interior node.
    Node,
    /// `null`.
    Null,
    /// `xml`.
    Xml,
    /// `date`.
    Date,
    /// `time`.
    Time,
    /// `float`.
    Float,
    /// Any other value.
    Other(Str<'a>),
}

impl<'a> Format<'a> {
    /// The format for a text; the known names are matched exactly.
    pub fn parse(text: Str<'a>) -> Self {
        match &*text {
            "b64" => Self::B64,
            "bin" => Self::Bin,
            "bool" => Self::Bool,
            "chr" => Self::Chr,
            "int" => Self::Int,
            "node" => Self::Node,
            "null" => Self::Null,
            "xml" => Self::Xml,
            "date" => Self::Date,
            "time" => Self::Time,
            "float" => Self::Float,
            _ => Self::Other(text),
        }
    }

    /// The text written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            Self::B64 => "b64",
            Self::Bin => "bin",
            Self::Bool => "bool",
            Self::Chr => "chr",
            Self::Int => "int",
            Self::Node => "node",
            Self::Null => "null",
            Self::Xml => "xml",
            Self::Date => "date",
            Self::Time => "time",
            Self::Float => "float",
            Self::Other(s) => s,
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Format<'static> {
        match self {
            Self::Other(s) => Format::Other(Cow::Owned(s.into_owned())),
            Self::B64 => Format::B64,
            Self::Bin => Format::Bin,
            Self::Bool => Format::Bool,
            Self::Chr => Format::Chr,
            Self::Int => Format::Int,
            Self::Node => Format::Node,
            Self::Null => Format::Null,
            Self::Xml => Format::Xml,
            Self::Date => Format::Date,
            Self::Time => Format::Time,
            Self::Float => Format::Float,
        }
    }
}

/// `Anchor` (SyncML-DS only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Anchor<'a> {
    /// `Last`.
    pub last: Option<Str<'a>>,
    /// `Next`.
    pub next: Option<Str<'a>>,
}

/// `Mem` (SyncML-DS only).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Mem {
    /// `SharedMem`.
    pub shared_mem: bool,
    /// `FreeMem`.
    pub free_mem: Option<u64>,
    /// `FreeID`.
    pub free_id: Option<u64>,
}

/// `Meta`: the typed MetInf children (namespace `syncml:metinf`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Meta<'a> {
    /// `Format`.
    pub format: Option<Format<'a>>,
    /// `Type`: MIME type, auth type or MO/alert type.
    pub mime_type: Option<Str<'a>>,
    /// `Mark`: Generic Alert severity.
    pub mark: Option<Str<'a>>,
    /// `Size`: size of the data as carried (first large-object chunk).
    pub size: Option<u64>,
    /// `Anchor` (not used by DM).
    pub anchor: Option<Anchor<'a>>,
    /// `Version`.
    pub version: Option<Str<'a>>,
    /// `NextNonce` (base64).
    pub next_nonce: Option<Str<'a>>,
    /// `MaxMsgSize`.
    pub max_msg_size: Option<u64>,
    /// `MaxObjSize`.
    pub max_obj_size: Option<u64>,
    /// `EMI`, any number.
    pub emi: List<Str<'a>>,
    /// `Mem` (not used by DM).
    pub mem: Option<Mem>,
    /// `FieldLevel` (not used by DM).
    pub field_level: bool,
}

impl Meta<'_> {
    /// Whether no MetInf child is set.
    pub fn is_empty(&self) -> bool {
        *self == Meta::default()
    }
}

/// The kind of a document nested in `Data`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum NestedKind {
    /// A DDF or TNDS `MgmtTree` (`syncml:dmddf1.2`).
    MgmtTree,
    /// A SyncML `DevInf` document.
    DevInf,
}

impl NestedKind {
    /// The root element name.
    pub fn root(self) -> &'static str {
        match self {
            Self::MgmtTree => "MgmtTree",
            Self::DevInf => "DevInf",
        }
    }
}

/// A document nested in `Data`, kept as its raw bytes for the `ddf` crate to parse.
///
/// In XML `raw` is the element (from `<MgmtTree` to `</MgmtTree>`, still escaped); in WBXML
/// it is the complete WBXML document carried as OPAQUE. Two nested documents compare equal
/// when their raw bytes are, or else when they convert to the same canonical XML (so an XML
/// and a WBXML form of one tree are equal).
#[derive(Clone, Debug, Eq)]
pub struct Nested<'a> {
    /// The encoding of `raw`.
    pub encoding: Encoding,
    /// The root element.
    pub kind: NestedKind,
    /// The document bytes.
    pub raw: Cow<'a, [u8]>,
}

impl PartialEq for Nested<'_> {
    fn eq(&self, other: &Self) -> bool {
        if self.kind != other.kind {
            return false;
        }
        if self.encoding == other.encoding && self.raw == other.raw {
            return true;
        }
        match (self.canonical_xml(), other.canonical_xml()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl Nested<'_> {
    /// The document as WBXML (converted when it is XML).
    pub fn to_wbxml(&self) -> Result<Cow<'_, [u8]>, ::wbxml::Error> {
        match self.encoding {
            Encoding::Wbxml => Ok(Cow::Borrowed(&self.raw)),
            Encoding::Xml => {
                ::wbxml::transcode::xml_to_wbxml(&self.raw, &Default::default()).map(Cow::Owned)
            }
        }
    }

    /// The document as one-line XML without prolog (converted when it is WBXML).
    pub fn to_xml(&self) -> Result<Cow<'_, str>, ::wbxml::Error> {
        match self.encoding {
            Encoding::Xml => match std::str::from_utf8(&self.raw) {
                Ok(s) => Ok(Cow::Borrowed(s)),
                Err(e) => Err(::wbxml::Error::InvalidUtf8 {
                    offset: e.valid_up_to(),
                }),
            },
            Encoding::Wbxml => {
                let opts = ::wbxml::transcode::ToXmlOptions {
                    indent: None,
                    ..Default::default()
                };
                let xml = ::wbxml::transcode::wbxml_to_xml(&self.raw, &opts)?;
                Ok(Cow::Owned(strip_prolog(&xml).to_owned()))
            }
        }
    }

    /// The XML a round trip through WBXML gives: equal for equal trees, whatever the
    /// whitespace and encoding of the source.
    pub fn canonical_xml(&self) -> Result<String, ::wbxml::Error> {
        let wbxml = self.to_wbxml()?;
        let opts = ::wbxml::transcode::ToXmlOptions {
            indent: None,
            ..Default::default()
        };
        // One more XML -> WBXML round reaches the fixed point: WBXML can say `<A></A>`
        // (content flag, no content) where XML -> WBXML always writes `<A/>`.
        let xml = ::wbxml::transcode::wbxml_to_xml(&wbxml, &opts)?;
        let settled = ::wbxml::transcode::xml_to_wbxml(xml.as_bytes(), &Default::default())?;
        ::wbxml::transcode::wbxml_to_xml(&settled, &opts)
    }

    /// A copy that owns its bytes.
    pub fn into_owned(self) -> Nested<'static> {
        Nested {
            encoding: self.encoding,
            kind: self.kind,
            raw: Cow::Owned(self.raw.into_owned()),
        }
    }
}

/// The XML from the root element on (drops `<?xml …?>`, DOCTYPE and comments before it).
pub(crate) fn strip_prolog(xml: &str) -> &str {
    let mut rest = xml;
    loop {
        let trimmed = rest.trim_start();
        if let Some(after) = trimmed.strip_prefix("<?") {
            rest = after.split_once("?>").map_or("", |(_, r)| r);
        } else if let Some(after) = trimmed.strip_prefix("<!--") {
            rest = after.split_once("-->").map_or("", |(_, r)| r);
        } else if let Some(after) = trimmed.strip_prefix("<!") {
            rest = after.split_once('>').map_or("", |(_, r)| r);
        } else {
            return trimmed.trim_end();
        }
    }
}

/// `Data`: what it carries, kept as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Data<'a> {
    /// Text: XML PCDATA (unescaped) or WBXML STR_I/STR_T.
    Text(Str<'a>),
    /// Opaque bytes: XML CDATA or WBXML OPAQUE that is not a nested document.
    Opaque(Cow<'a, [u8]>),
    /// A nested DDF/TNDS or DevInf document.
    Nested(Nested<'a>),
}

impl<'a> Data<'a> {
    /// Text data from anything string-like.
    pub fn text(text: impl Into<Str<'a>>) -> Self {
        Self::Text(text.into())
    }

    /// The data as text: text itself, or opaque bytes that are UTF-8 (CDATA).
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Text(t) => Some(t),
            Self::Opaque(b) => std::str::from_utf8(b).ok(),
            Self::Nested(_) => None,
        }
    }

    /// The number of bytes carried (raw bytes for a nested document).
    pub fn len(&self) -> usize {
        match self {
            Self::Text(t) => t.len(),
            Self::Opaque(b) => b.len(),
            Self::Nested(n) => n.raw.len(),
        }
    }

    /// Whether the data is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A copy that owns its content.
    pub fn into_owned(self) -> Data<'static> {
        match self {
            Self::Text(t) => Data::Text(Cow::Owned(t.into_owned())),
            Self::Opaque(b) => Data::Opaque(Cow::Owned(b.into_owned())),
            Self::Nested(n) => Data::Nested(n.into_owned()),
        }
    }
}

/// `Item`: one node or value a command acts on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Item<'a> {
    /// `Target`.
    pub target: Option<Location<'a>>,
    /// `Source`.
    pub source: Option<Location<'a>>,
    /// `Meta`: overrides the command's Meta.
    pub meta: Option<Box<Meta<'a>>>,
    /// `Data`.
    pub data: Option<Data<'a>>,
    /// `MoreData`: a large-object chunk that is not the last.
    pub more_data: bool,
}

/// Add, Copy, Delete, Get and Replace: `CmdID, NoResp?, Meta?, Item+`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ItemCommand<'a> {
    /// `CmdID`.
    pub cmd_id: Str<'a>,
    /// `NoResp` (not used by DM 1.2).
    pub no_resp: bool,
    /// Command-level `Meta`, applying to every Item.
    pub meta: Option<Box<Meta<'a>>>,
    /// The items, at least one.
    pub items: List<Item<'a>>,
}

/// `Exec`: `CmdID, NoResp?, Meta?, Correlator?, Item`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Exec<'a> {
    /// `CmdID`.
    pub cmd_id: Str<'a>,
    /// `NoResp` (not used by DM 1.2).
    pub no_resp: bool,
    /// `Meta`.
    pub meta: Option<Box<Meta<'a>>>,
    /// `Correlator`: asks for an asynchronous Generic Alert carrying it.
    pub correlator: Option<Str<'a>>,
    /// The items, at least one.
    pub items: List<Item<'a>>,
}

/// `Alert`: `CmdID, NoResp?, Data, Correlator?, Item*` (Data and Correlator in either order).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert<'a> {
    /// `CmdID`.
    pub cmd_id: Str<'a>,
    /// `NoResp` (not used by DM 1.2).
    pub no_resp: bool,
    /// `Data`: the alert code.
    pub code: AlertCode,
    /// `Correlator`.
    pub correlator: Option<Str<'a>>,
    /// The items.
    pub items: List<Item<'a>>,
}

/// Atomic and Sequence: `CmdID, NoResp?, Meta?` and nested commands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Container<'a> {
    /// `CmdID`.
    pub cmd_id: Str<'a>,
    /// `NoResp` (not used by DM 1.2).
    pub no_resp: bool,
    /// `Meta`.
    pub meta: Option<Box<Meta<'a>>>,
    /// The nested commands, in order.
    pub commands: Vec<Command<'a>>,
}

/// `Results`: `CmdID, MsgRef?, CmdRef, Meta?, TargetRef?, SourceRef?, Item+`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Results<'a> {
    /// `CmdID`.
    pub cmd_id: Str<'a>,
    /// `MsgRef`.
    pub msg_ref: Option<Str<'a>>,
    /// `CmdRef`: the Get answered.
    pub cmd_ref: Str<'a>,
    /// `Meta`.
    pub meta: Option<Box<Meta<'a>>>,
    /// `TargetRef`.
    pub target_ref: Option<Str<'a>>,
    /// `SourceRef`.
    pub source_ref: Option<Str<'a>>,
    /// The items, at least one. A `Vec`, unlike the items of the other commands: with an
    /// inline item Results would be the largest command by far (272 bytes on 64-bit
    /// targets against 208), and every [`Command`] that much larger to move.
    pub items: Vec<Item<'a>>,
}

/// `Status`: `CmdID, MsgRef, CmdRef, Cmd, TargetRef*, SourceRef*, Chal?, Data, Item*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Status<'a> {
    /// `CmdID`.
    pub cmd_id: Str<'a>,
    /// `MsgRef`.
    pub msg_ref: Str<'a>,
    /// `CmdRef` (`0` for the SyncHdr).
    pub cmd_ref: Str<'a>,
    /// `Cmd`: the name of the command answered (`SyncHdr` for the header).
    pub cmd: Str<'a>,
    /// `TargetRef`s.
    pub target_refs: List<Str<'a>>,
    /// `SourceRef`s.
    pub source_refs: List<Str<'a>>,
    /// `Chal`.
    pub chal: Option<Box<Chal<'a>>>,
    /// `Data`: the status code.
    pub code: StatusCode,
    /// Items (UI alert answers, failed implicit parents). A `Vec`, unlike the items of
    /// the other commands: a Status rarely has any (an empty `Vec` allocates nothing), and
    /// an inline item would make it, and so every [`Command`], larger to move.
    pub items: Vec<Item<'a>>,
}

/// One SyncBody command.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `Add`.
    Add(ItemCommand<'a>),
    /// `Alert`.
    Alert(Alert<'a>),
    /// `Atomic`: Add, Alert, Copy, Delete, Replace only.
    Atomic(Container<'a>),
    /// `Copy`.
    Copy(ItemCommand<'a>),
    /// `Delete`.
    Delete(ItemCommand<'a>),
    /// `Exec`.
    Exec(Exec<'a>),
    /// `Get`.
    Get(ItemCommand<'a>),
    /// `Replace`.
    Replace(ItemCommand<'a>),
    /// `Results`.
    Results(Results<'a>),
    /// `Sequence`.
    Sequence(Container<'a>),
    /// `Status`.
    Status(Status<'a>),
}

impl<'a> Command<'a> {
    /// The element name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Add(_) => "Add",
            Self::Alert(_) => "Alert",
            Self::Atomic(_) => "Atomic",
            Self::Copy(_) => "Copy",
            Self::Delete(_) => "Delete",
            Self::Exec(_) => "Exec",
            Self::Get(_) => "Get",
            Self::Replace(_) => "Replace",
            Self::Results(_) => "Results",
            Self::Sequence(_) => "Sequence",
            Self::Status(_) => "Status",
        }
    }

    /// The `CmdID`.
    pub fn cmd_id(&self) -> &str {
        match self {
            Self::Add(c) | Self::Copy(c) | Self::Delete(c) | Self::Get(c) | Self::Replace(c) => {
                &c.cmd_id
            }
            Self::Alert(c) => &c.cmd_id,
            Self::Atomic(c) | Self::Sequence(c) => &c.cmd_id,
            Self::Exec(c) => &c.cmd_id,
            Self::Results(c) => &c.cmd_id,
            Self::Status(c) => &c.cmd_id,
        }
    }

    /// The items (none for Atomic and Sequence).
    pub fn items(&self) -> &[Item<'a>] {
        match self {
            Self::Add(c) | Self::Copy(c) | Self::Delete(c) | Self::Get(c) | Self::Replace(c) => {
                &c.items
            }
            Self::Alert(c) => &c.items,
            Self::Atomic(_) | Self::Sequence(_) => &[],
            Self::Exec(c) => &c.items,
            Self::Results(c) => &c.items,
            Self::Status(c) => &c.items,
        }
    }

    /// [`Command::cmd_id`] and [`Command::items`] from one look at the command, for a caller
    /// that needs both (answering or validating every command of a message).
    #[inline]
    pub fn cmd_id_and_items(&self) -> (&str, &[Item<'a>]) {
        // The commands of a long package are item commands: one test, not a jump table.
        match self.as_item_command() {
            Some(c) => (&c.cmd_id, &c.items),
            None => (self.cmd_id(), self.items()),
        }
    }

    /// The body of an Add, Copy, Delete, Get or Replace.
    pub fn as_item_command(&self) -> Option<&ItemCommand<'a>> {
        match self {
            Self::Add(c) | Self::Copy(c) | Self::Delete(c) | Self::Get(c) | Self::Replace(c) => {
                Some(c)
            }
            _ => None,
        }
    }

    /// The body of an Add, Copy, Delete, Get or Replace, to change.
    pub fn as_item_command_mut(&mut self) -> Option<&mut ItemCommand<'a>> {
        match self {
            Self::Add(c) | Self::Copy(c) | Self::Delete(c) | Self::Get(c) | Self::Replace(c) => {
                Some(c)
            }
            _ => None,
        }
    }

    /// An `Add` of one item.
    pub fn add(cmd_id: impl Into<Str<'a>>, item: Item<'a>) -> Self {
        Self::Add(ItemCommand::new(cmd_id, item))
    }

    /// A `Replace` of one item.
    pub fn replace(cmd_id: impl Into<Str<'a>>, item: Item<'a>) -> Self {
        Self::Replace(ItemCommand::new(cmd_id, item))
    }

    /// A `Delete` of one target.
    pub fn delete(cmd_id: impl Into<Str<'a>>, target: impl Into<Str<'a>>) -> Self {
        Self::Delete(ItemCommand::new(cmd_id, Item::target(target)))
    }

    /// A `Get` of one target.
    pub fn get(cmd_id: impl Into<Str<'a>>, target: impl Into<Str<'a>>) -> Self {
        Self::Get(ItemCommand::new(cmd_id, Item::target(target)))
    }

    /// An `Exec` of one target, with an optional correlator.
    pub fn exec(
        cmd_id: impl Into<Str<'a>>,
        target: impl Into<Str<'a>>,
        correlator: Option<Str<'a>>,
    ) -> Self {
        Self::Exec(Exec {
            cmd_id: cmd_id.into(),
            correlator,
            items: List::from(Item::target(target)),
            ..Exec::default()
        })
    }

    /// An `Alert` with its code and items.
    pub fn alert(
        cmd_id: impl Into<Str<'a>>,
        code: AlertCode,
        items: impl Into<List<Item<'a>>>,
    ) -> Self {
        Self::Alert(Alert {
            cmd_id: cmd_id.into(),
            no_resp: false,
            code,
            correlator: None,
            items: items.into(),
        })
    }

    /// A copy that owns everything.
    pub fn into_owned(self) -> Command<'static> {
        match self {
            Self::Add(c) => Command::Add(c.into_owned()),
            Self::Alert(c) => Command::Alert(c.into_owned()),
            Self::Atomic(c) => Command::Atomic(c.into_owned()),
            Self::Copy(c) => Command::Copy(c.into_owned()),
            Self::Delete(c) => Command::Delete(c.into_owned()),
            Self::Exec(c) => Command::Exec(c.into_owned()),
            Self::Get(c) => Command::Get(c.into_owned()),
            Self::Replace(c) => Command::Replace(c.into_owned()),
            Self::Results(c) => Command::Results(c.into_owned()),
            Self::Sequence(c) => Command::Sequence(c.into_owned()),
            Self::Status(c) => Command::Status(c.into_owned()),
        }
    }
}

fn own(s: Str<'_>) -> Str<'static> {
    Cow::Owned(s.into_owned())
}

fn own_opt(s: Option<Str<'_>>) -> Option<Str<'static>> {
    s.map(own)
}

fn own_items(items: List<Item<'_>>) -> List<Item<'static>> {
    items.map(Item::into_owned)
}

fn own_vec(items: Vec<Item<'_>>) -> Vec<Item<'static>> {
    items.into_iter().map(Item::into_owned).collect()
}

impl<'a> Location<'a> {
    /// A location with a URI only.
    pub fn new(loc_uri: impl Into<Str<'a>>) -> Self {
        Self {
            loc_uri: loc_uri.into(),
            loc_name: None,
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Location<'static> {
        Location {
            loc_uri: own(self.loc_uri),
            loc_name: own_opt(self.loc_name),
        }
    }
}

impl<'a> Meta<'a> {
    /// [`Meta::into_owned`] for the boxed Meta that messages hold.
    pub fn boxed_into_owned(meta: Box<Self>) -> Box<Meta<'static>> {
        Box::new((*meta).into_owned())
    }

    /// A Meta with Format and Type.
    pub fn format_type(format: Format<'a>, mime_type: impl Into<Str<'a>>) -> Self {
        Self {
            format: Some(format),
            mime_type: Some(mime_type.into()),
            ..Self::default()
        }
    }

    /// A copy that owns its text.
    pub fn into_owned(self) -> Meta<'static> {
        Meta {
            format: self.format.map(Format::into_owned),
            mime_type: own_opt(self.mime_type),
            mark: own_opt(self.mark),
            size: self.size,
            anchor: self.anchor.map(|a| Anchor {
                last: own_opt(a.last),
                next: own_opt(a.next),
            }),
            version: own_opt(self.version),
            next_nonce: own_opt(self.next_nonce),
            max_msg_size: self.max_msg_size,
            max_obj_size: self.max_obj_size,
            emi: self.emi.map(own),
            mem: self.mem,
            field_level: self.field_level,
        }
    }
}

impl<'a> Item<'a> {
    /// An item with a Target URI.
    pub fn target(uri: impl Into<Str<'a>>) -> Self {
        Self {
            target: Some(Location::new(uri)),
            ..Self::default()
        }
    }

    /// An item with a Source URI (Results, client Replace, Generic Alert).
    pub fn source(uri: impl Into<Str<'a>>) -> Self {
        Self {
            source: Some(Location::new(uri)),
            ..Self::default()
        }
    }

    /// An item with only text Data (UI alert options and text).
    pub fn data_only(text: impl Into<Str<'a>>) -> Self {
        Self {
            data: Some(Data::Text(text.into())),
            ..Self::default()
        }
    }

    /// Sets the Data.
    pub fn with_data(mut self, data: Data<'a>) -> Self {
        self.data = Some(data);
        self
    }

    /// Sets the Meta.
    pub fn with_meta(mut self, meta: Meta<'a>) -> Self {
        self.meta = Some(Box::new(meta));
        self
    }

    /// A copy that owns everything.
    pub fn into_owned(self) -> Item<'static> {
        Item {
            target: self.target.map(Location::into_owned),
            source: self.source.map(Location::into_owned),
            meta: self.meta.map(Meta::boxed_into_owned),
            data: self.data.map(Data::into_owned),
            more_data: self.more_data,
        }
    }
}

impl<'a> ItemCommand<'a> {
    /// A command with one item.
    pub fn new(cmd_id: impl Into<Str<'a>>, item: Item<'a>) -> Self {
        Self {
            cmd_id: cmd_id.into(),
            no_resp: false,
            meta: None,
            items: List::from(item),
        }
    }

    /// A copy that owns everything.
    pub fn into_owned(self) -> ItemCommand<'static> {
        ItemCommand {
            cmd_id: own(self.cmd_id),
            no_resp: self.no_resp,
            meta: self.meta.map(Meta::boxed_into_owned),
            items: own_items(self.items),
        }
    }
}

impl Exec<'_> {
    /// A copy that owns everything.
    pub fn into_owned(self) -> Exec<'static> {
        Exec {
            cmd_id: own(self.cmd_id),
            no_resp: self.no_resp,
            meta: self.meta.map(Meta::boxed_into_owned),
            correlator: own_opt(self.correlator),
            items: own_items(self.items),
        }
    }
}

impl<'a> Alert<'a> {
    /// A copy that owns everything.
    pub fn into_owned(self) -> Alert<'static> {
        Alert {
            cmd_id: own(self.cmd_id),
            no_resp: self.no_resp,
            code: self.code,
            correlator: own_opt(self.correlator),
            items: own_items(self.items),
        }
    }

    /// The Generic Alert view of each item, when this is a 1226 alert.
    pub fn generic_alerts(&self) -> Option<impl Iterator<Item = GenericAlert<'_>> + '_> {
        if self.code != AlertCode::GenericAlert {
            return None;
        }
        let correlator = self.correlator.as_deref();
        Some(self.items.iter().map(move |item| {
            let meta = item.meta.as_ref();
            GenericAlert {
                correlator,
                source: item.source.as_ref().map(|l| &*l.loc_uri),
                target: item.target.as_ref().map(|l| &*l.loc_uri),
                alert_type: meta.and_then(|m| m.mime_type.as_deref()),
                format: meta.and_then(|m| m.format.as_ref()).map(Format::as_str),
                mark: meta.and_then(|m| m.mark.as_deref()),
                data: item.data.as_ref(),
            }
        }))
    }

    /// The UI options (first Item's Data) of a 1100–1104 alert.
    pub fn ui_options(&self) -> Option<crate::codes::UiOptions<'_>> {
        if !self.code.is_ui() {
            return None;
        }
        let text = self
            .items
            .first()
            .and_then(|i| i.data.as_ref())
            .and_then(Data::as_text)
            .unwrap_or_default();
        Some(crate::codes::UiOptions::parse(text))
    }

    /// A Generic Alert (1226) with one item per report.
    pub fn generic(
        cmd_id: impl Into<Str<'a>>,
        correlator: Option<Str<'a>>,
        reports: Vec<GenericAlertItem<'a>>,
    ) -> Self {
        let items = reports
            .into_iter()
            .map(|r| Item {
                target: r.target.map(Location::new),
                source: r.source.map(Location::new),
                meta: Some(Box::new(Meta {
                    format: Some(r.format),
                    mime_type: Some(r.alert_type),
                    mark: r.mark,
                    ..Meta::default()
                })),
                data: Some(r.data),
                more_data: false,
            })
            .collect();
        Self {
            cmd_id: cmd_id.into(),
            no_resp: false,
            code: AlertCode::GenericAlert,
            correlator,
            items,
        }
    }
}

/// One report of a Generic Alert to build (see [`Alert::generic`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GenericAlertItem<'a> {
    /// `Source/LocURI`: the MO node the alert relates to.
    pub source: Option<Str<'a>>,
    /// `Target/LocURI`.
    pub target: Option<Str<'a>>,
    /// `Meta/Type`: the alert type (URN or reversed domain name).
    pub alert_type: Str<'a>,
    /// `Meta/Format`.
    pub format: Format<'a>,
    /// `Meta/Mark`: severity.
    pub mark: Option<Str<'a>>,
    /// `Data`.
    pub data: Data<'a>,
}

/// A read-only view of one Generic Alert item (omadm.md §1.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenericAlert<'m> {
    /// The alert's `Correlator`.
    pub correlator: Option<&'m str>,
    /// `Source/LocURI`.
    pub source: Option<&'m str>,
    /// `Target/LocURI`.
    pub target: Option<&'m str>,
    /// `Meta/Type`.
    pub alert_type: Option<&'m str>,
    /// `Meta/Format`.
    pub format: Option<&'m str>,
    /// `Meta/Mark` (`informational` when absent).
    pub mark: Option<&'m str>,
    /// `Data`.
    pub data: Option<&'m Data<'m>>,
}

impl GenericAlert<'_> {
    /// The severity, with the DM default.
    pub fn severity(&self) -> &str {
        self.mark.unwrap_or("informational")
    }
}

impl Container<'_> {
    /// A copy that owns everything.
    pub fn into_owned(self) -> Container<'static> {
        Container {
            cmd_id: own(self.cmd_id),
            no_resp: self.no_resp,
            meta: self.meta.map(Meta::boxed_into_owned),
            commands: self.commands.into_iter().map(Command::into_owned).collect(),
        }
    }
}

impl Results<'_> {
    /// A copy that owns everything.
    pub fn into_owned(self) -> Results<'static> {
        Results {
            cmd_id: own(self.cmd_id),
            msg_ref: own_opt(self.msg_ref),
            cmd_ref: own(self.cmd_ref),
            meta: self.meta.map(Meta::boxed_into_owned),
            target_ref: own_opt(self.target_ref),
            source_ref: own_opt(self.source_ref),
            items: own_vec(self.items),
        }
    }
}

impl<'a> Status<'a> {
    /// A Status answering command `cmd_ref` (named `cmd`) of message `msg_ref`.
    pub fn new(
        cmd_id: impl Into<Str<'a>>,
        msg_ref: impl Into<Str<'a>>,
        cmd_ref: impl Into<Str<'a>>,
        cmd: impl Into<Str<'a>>,
        code: StatusCode,
    ) -> Self {
        Self {
            cmd_id: cmd_id.into(),
            msg_ref: msg_ref.into(),
            cmd_ref: cmd_ref.into(),
            cmd: cmd.into(),
            target_refs: List::new(),
            source_refs: List::new(),
            chal: None,
            code,
            items: Vec::new(),
        }
    }

    /// A copy that owns everything.
    pub fn into_owned(self) -> Status<'static> {
        Status {
            cmd_id: own(self.cmd_id),
            msg_ref: own(self.msg_ref),
            cmd_ref: own(self.cmd_ref),
            cmd: own(self.cmd),
            target_refs: self.target_refs.map(own),
            source_refs: self.source_refs.map(own),
            chal: self.chal.map(|c| {
                Box::new(Chal {
                    meta: c.meta.into_owned(),
                })
            }),
            code: self.code,
            items: own_vec(self.items),
        }
    }
}

impl SyncHdr<'_> {
    /// A copy that owns everything.
    pub fn into_owned(self) -> SyncHdr<'static> {
        SyncHdr {
            ver_dtd: own(self.ver_dtd),
            ver_proto: own(self.ver_proto),
            session_id: own(self.session_id),
            msg_id: own(self.msg_id),
            target: self.target.into_owned(),
            source: self.source.into_owned(),
            resp_uri: own_opt(self.resp_uri),
            no_resp: self.no_resp,
            cred: self.cred.map(|c| Cred {
                meta: c.meta.map(Meta::boxed_into_owned),
                data: own(c.data),
            }),
            meta: self.meta.map(Meta::boxed_into_owned),
        }
    }
}

impl<'a> Message<'a> {
    /// A copy that owns everything, free of the input buffer.
    pub fn into_owned(self) -> Message<'static> {
        Message {
            header: self.header.into_owned(),
            body: SyncBody {
                commands: self
                    .body
                    .commands
                    .into_iter()
                    .map(Command::into_owned)
                    .collect(),
                final_flag: self.body.final_flag,
            },
        }
    }

    /// Starts a message from a DM server to a device.
    pub fn server(
        session_id: impl Into<Str<'a>>,
        msg_id: impl Into<Str<'a>>,
        server_uri: impl Into<Str<'a>>,
        device_id: impl Into<Str<'a>>,
    ) -> MessageBuilder<'a> {
        MessageBuilder::new(session_id, msg_id, Location::new(device_id), server_uri)
    }

    /// Starts a message from a device to its DM server.
    pub fn client(
        session_id: impl Into<Str<'a>>,
        msg_id: impl Into<Str<'a>>,
        device_id: impl Into<Str<'a>>,
        server_uri: impl Into<Str<'a>>,
    ) -> MessageBuilder<'a> {
        MessageBuilder::new(session_id, msg_id, Location::new(server_uri), device_id)
    }

    /// Every command, nested ones included, in document order.
    pub fn all_commands(&self) -> Vec<&Command<'a>> {
        fn walk<'m, 'a>(cmds: &'m [Command<'a>], out: &mut Vec<&'m Command<'a>>) {
            for c in cmds {
                out.push(c);
                if let Command::Atomic(inner) | Command::Sequence(inner) = c {
                    walk(&inner.commands, out);
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.body.commands, &mut out);
        out
    }
}

/// Builds a [`Message`]: set the header fields, add commands, then [`MessageBuilder::build`].
///
/// CmdIDs given as `""` are numbered from 1 in document order when built.
#[derive(Clone, Debug)]
pub struct MessageBuilder<'a> {
    msg: Message<'a>,
}

impl<'a> MessageBuilder<'a> {
    fn new(
        session_id: impl Into<Str<'a>>,
        msg_id: impl Into<Str<'a>>,
        target: Location<'a>,
        source: impl Into<Str<'a>>,
    ) -> Self {
        Self {
            msg: Message {
                header: SyncHdr {
                    ver_dtd: Cow::Borrowed("1.2"),
                    ver_proto: Cow::Borrowed("DM/1.2"),
                    session_id: session_id.into(),
                    msg_id: msg_id.into(),
                    target,
                    source: Location::new(source),
                    resp_uri: None,
                    no_resp: false,
                    cred: None,
                    meta: None,
                },
                body: SyncBody::default(),
            },
        }
    }

    /// Sets the sender's `LocName` (the user name for digest authentication).
    pub fn source_name(mut self, name: impl Into<Str<'a>>) -> Self {
        self.msg.header.source.loc_name = Some(name.into());
        self
    }

    /// Sets `RespURI`.
    pub fn resp_uri(mut self, uri: impl Into<Str<'a>>) -> Self {
        self.msg.header.resp_uri = Some(uri.into());
        self
    }

    /// Sets `Cred` with its auth type (`syncml:auth-md5`, …), Format `b64` and data.
    pub fn cred(mut self, auth_type: impl Into<Str<'a>>, data: impl Into<Str<'a>>) -> Self {
        self.msg.header.cred = Some(Cred {
            meta: Some(Box::new(Meta::format_type(Format::B64, auth_type))),
            data: data.into(),
        });
        self
    }

    /// Sets the header `MaxMsgSize` and `MaxObjSize`.
    pub fn limits(mut self, max_msg_size: Option<u64>, max_obj_size: Option<u64>) -> Self {
        let meta = self.msg.header.meta.get_or_insert_with(Box::default);
        meta.max_msg_size = max_msg_size;
        meta.max_obj_size = max_obj_size;
        self
    }

    /// Appends a command.
    pub fn command(mut self, command: Command<'a>) -> Self {
        self.msg.body.commands.push(command);
        self
    }

    /// Appends a Status.
    pub fn status(self, status: Status<'a>) -> Self {
        self.command(Command::Status(status))
    }

    /// Sets `Final`.
    pub fn final_flag(mut self, final_flag: bool) -> Self {
        self.msg.body.final_flag = final_flag;
        self
    }

    /// The message, with empty CmdIDs numbered in document order after the largest given.
    pub fn build(mut self) -> Message<'a> {
        fn max_id(cmds: &[Command<'_>], max: &mut u64) {
            for c in cmds {
                if let Ok(n) = c.cmd_id().parse::<u64>() {
                    *max = (*max).max(n);
                }
                if let Command::Atomic(inner) | Command::Sequence(inner) = c {
                    max_id(&inner.commands, max);
                }
            }
        }
        fn number(cmds: &mut [Command<'_>], next: &mut u64) {
            for c in cmds {
                let id = match c {
                    Command::Add(x)
                    | Command::Copy(x)
                    | Command::Delete(x)
                    | Command::Get(x)
                    | Command::Replace(x) => &mut x.cmd_id,
                    Command::Alert(x) => &mut x.cmd_id,
                    Command::Atomic(x) | Command::Sequence(x) => &mut x.cmd_id,
                    Command::Exec(x) => &mut x.cmd_id,
                    Command::Results(x) => &mut x.cmd_id,
                    Command::Status(x) => &mut x.cmd_id,
                };
                if id.is_empty() {
                    *next = next.saturating_add(1);
                    *id = Cow::Owned(next.to_string());
                }
                if let Command::Atomic(inner) | Command::Sequence(inner) = c {
                    number(&mut inner.commands, next);
                }
            }
        }
        let mut next = 0;
        max_id(&self.msg.body.commands, &mut next);
        number(&mut self.msg.body.commands, &mut next);
        self.msg
    }
}
