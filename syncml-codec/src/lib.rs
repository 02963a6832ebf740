#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod auth;
mod codes;
mod decode;
mod error;
mod limits;
pub mod list;
mod model;
pub mod package0;
pub mod wbxml;
pub mod xml;

#[cfg(feature = "arbitrary")]
mod arb;
#[cfg(test)]
mod test_vectors;

pub use codes::{AlertCode, StatusCode, UiOptions};
pub use error::{DecodeError, DecodeErrorKind, EncodeError};
pub use limits::Limits;
pub use list::List;
pub use model::{
    Alert, Anchor, Chal, Command, Container, Cred, Data, Encoding, Exec, Format, GenericAlert,
    GenericAlertItem, Item, ItemCommand, Location, Mem, Message, MessageBuilder, Meta, Nested,
    NestedKind, Results, Status, Str, SyncBody, SyncHdr,
};

/// The encoding of a message: XML when its first non-space byte is `<` (or it has a BOM),
/// WBXML otherwise.
pub fn detect(input: &[u8]) -> Encoding {
    if ::wbxml::transcode::looks_like_xml(input) {
        Encoding::Xml
    } else {
        Encoding::Wbxml
    }
}

/// Decodes a message in either encoding, detected from its first bytes.
pub fn decode(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    decode_as(input, detect(input), &Limits::default())
}

/// Decodes a message in the encoding its media type names (`application/vnd.syncml.dm+xml`
/// or `+wbxml`); an unknown type falls back to detection.
pub fn decode_mime<'a>(input: &'a [u8], mime_type: &str) -> Result<Message<'a>, DecodeError> {
    let encoding = Encoding::from_mime_type(mime_type).unwrap_or_else(|| detect(input));
    decode_as(input, encoding, &Limits::default())
}

/// Decodes a message in a given encoding with explicit limits.
pub fn decode_as<'a>(
    input: &'a [u8],
    encoding: Encoding,
    limits: &Limits,
) -> Result<Message<'a>, DecodeError> {
    match encoding {
        Encoding::Xml => xml::decode_with(input, limits),
        Encoding::Wbxml => wbxml::decode_with(input, limits),
    }
}

/// Decodes an XML message (default limits).
pub fn decode_xml(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    xml::decode(input)
}

/// Decodes a WBXML message (default limits).
pub fn decode_wbxml(input: &[u8]) -> Result<Message<'_>, DecodeError> {
    wbxml::decode(input)
}

/// Encodes a message into `out` (cleared first).
pub fn encode(
    message: &Message<'_>,
    encoding: Encoding,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    match encoding {
        Encoding::Xml => xml::encode(message, out),
        Encoding::Wbxml => wbxml::encode(message, out),
    }
}

/// Encodes a message with `tail` after the commands of its body into `out` (cleared
/// first): the bytes [`encode`] gives for the message holding both, without moving the
/// commands into one vector first.
pub fn encode_with_tail(
    message: &Message<'_>,
    tail: &[Command<'_>],
    encoding: Encoding,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let mut encoder = MessageEncoder::begin(message, encoding, std::mem::take(out))?;
    for command in tail {
        encoder.command(command)?;
    }
    *out = encoder.finish(message.body.final_flag);
    Ok(())
}

/// A message encoded a command at a time: [`MessageEncoder::begin`] writes the header and
/// the commands the message's body holds, [`MessageEncoder::command`] each further one,
/// [`MessageEncoder::finish`] Final and the closing tags. The bytes are those [`encode`]
/// gives for the message holding every command; a caller can change a command between
/// two of them (to reuse a buffer) without keeping them all.
pub struct MessageEncoder {
    out: EncoderOut,
}

enum EncoderOut {
    Xml(Vec<u8>),
    Wbxml(::wbxml::Writer),
}

impl MessageEncoder {
    /// Starts `message` in `encoding` in `buf` (cleared first, its capacity reused): its
    /// header and its body's commands; its Final flag is not read (see
    /// [`MessageEncoder::finish`]).
    pub fn begin(
        message: &Message<'_>,
        encoding: Encoding,
        mut buf: Vec<u8>,
    ) -> Result<Self, EncodeError> {
        let mut out = match encoding {
            Encoding::Xml => {
                buf.clear();
                EncoderOut::Xml(buf)
            }
            Encoding::Wbxml => EncoderOut::Wbxml(wbxml::writer(buf)),
        };
        match &mut out {
            EncoderOut::Xml(v) => xml::encode::Enc::new(v).open(message)?,
            EncoderOut::Wbxml(w) => wbxml::encode::Enc::new(w).open(message)?,
        }
        Ok(Self { out })
    }

    /// Appends a command to the body.
    pub fn command(&mut self, command: &Command<'_>) -> Result<(), EncodeError> {
        match &mut self.out {
            EncoderOut::Xml(v) => xml::encode::Enc::new(v).command(command),
            EncoderOut::Wbxml(w) => wbxml::encode::Enc::new(w).command(command),
        }
    }

    /// Appends the Status `answer` stands for (what [`MessageEncoder::command`] writes for
    /// [`Answer::to_status`]), without building it.
    pub fn answer(&mut self, answer: &Answer<'_>) -> Result<(), EncodeError> {
        match &mut self.out {
            EncoderOut::Xml(v) => xml::encode::Enc::new(v).answer(answer),
            EncoderOut::Wbxml(w) => wbxml::encode::Enc::new(w).answer(answer),
        }
    }

    /// Appends Results answering Get `cmd_ref` of message `msg_ref` with `items` and no
    /// Meta, TargetRef or SourceRef (what [`MessageEncoder::command`] writes for those
    /// Results), without building them.
    pub fn results(
        &mut self,
        cmd_id: u32,
        msg_ref: &str,
        cmd_ref: &str,
        items: &[Item<'_>],
    ) -> Result<(), EncodeError> {
        match &mut self.out {
            EncoderOut::Xml(v) => xml::encode::Enc::new(v).results(cmd_id, msg_ref, cmd_ref, items),
            EncoderOut::Wbxml(w) => {
                wbxml::encode::Enc::new(w).results(cmd_id, msg_ref, cmd_ref, items)
            }
        }
    }

    /// The bytes written so far.
    pub fn len(&self) -> usize {
        match &self.out {
            EncoderOut::Xml(v) => v.len(),
            EncoderOut::Wbxml(w) => w.len(),
        }
    }

    /// Whether nothing has been written (never true once begun).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Ends the message, with Final when `final_flag`, and gives its bytes.
    pub fn finish(self, final_flag: bool) -> Vec<u8> {
        match self.out {
            EncoderOut::Xml(mut v) => {
                xml::encode::Enc::new(&mut v).close(final_flag);
                v
            }
            EncoderOut::Wbxml(mut w) => {
                wbxml::encode::Enc::new(&mut w).close(final_flag);
                w.finish()
            }
        }
    }
}

/// A message header encoded once, for a sender whose header stays the same from one message
/// to the next but for its MsgID (a DM client once authenticated, a server within a
/// session): [`MessageEncoder::begin_with_header`] then copies it instead of encoding it
/// again. The bytes are those [`MessageEncoder::begin`] writes for the header with that
/// MsgID.
///
/// ```
/// use syncml_codec::{EncodedHeader, Encoding, Message, MessageEncoder};
///
/// let mut message = Message::client("1A2B", "1", "IMEI:1", "https://dm.example.com")
///     .limits(Some(16_384), None)
///     .build();
/// let header = EncodedHeader::new(&message.header, Encoding::Wbxml)?;
/// let reused = MessageEncoder::begin_with_header(&header, "7", Vec::new())?.finish(true);
/// message.header.msg_id = "7".into();
/// let fresh = MessageEncoder::begin(&message, Encoding::Wbxml, Vec::new())?.finish(true);
/// assert_eq!(reused, fresh);
/// # Ok::<(), syncml_codec::EncodeError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncodedHeader {
    encoding: Encoding,
    /// The document up to the MsgID element.
    head: Vec<u8>,
    /// What follows the MsgID element, through the SyncBody start tag (on page 0 in WBXML,
    /// which the MsgID element is on too, so both parts end there).
    tail: Vec<u8>,
}

impl EncodedHeader {
    /// Encodes `header` in `encoding` (its MsgID aside).
    pub fn new(header: &SyncHdr<'_>, encoding: Encoding) -> Result<Self, EncodeError> {
        // Room for the usual header at once: grown from empty, each part would be reallocated
        // three or four times.
        const ROOM: usize = 256;
        let (head, tail) = match encoding {
            Encoding::Xml => {
                let (mut head, mut tail) = (Vec::with_capacity(ROOM), Vec::with_capacity(ROOM));
                xml::encode::Enc::new(&mut head).header_head(header)?;
                xml::encode::Enc::new(&mut tail).header_tail(header)?;
                (head, tail)
            }
            Encoding::Wbxml => {
                let mut w = wbxml::writer(Vec::with_capacity(ROOM));
                wbxml::encode::Enc::new(&mut w).header_head(header)?;
                let head = w.finish();
                // The MsgID element between them is on page 0, which it leaves current.
                let mut w = ::wbxml::Writer::resume(
                    Vec::with_capacity(ROOM),
                    ::wbxml::tokens::syncml::PAGE,
                );
                wbxml::encode::Enc::new(&mut w).header_tail(header)?;
                (head, w.finish())
            }
        };
        Ok(Self {
            encoding,
            head,
            tail,
        })
    }

    /// The encoding the header is in.
    pub fn encoding(&self) -> Encoding {
        self.encoding
    }
}

impl MessageEncoder {
    /// Starts a message whose header is `header` with MsgID `msg_id` in `buf` (cleared
    /// first, its capacity reused), its body empty so far: what [`MessageEncoder::begin`]
    /// writes for that header and no commands.
    pub fn begin_with_header(
        header: &EncodedHeader,
        msg_id: &str,
        mut buf: Vec<u8>,
    ) -> Result<Self, EncodeError> {
        buf.clear();
        buf.extend_from_slice(&header.head);
        let out = match header.encoding {
            Encoding::Xml => {
                xml::encode::Enc::new(&mut buf).msg_id(msg_id)?;
                buf.extend_from_slice(&header.tail);
                EncoderOut::Xml(buf)
            }
            Encoding::Wbxml => {
                let mut w = ::wbxml::Writer::resume(buf, ::wbxml::tokens::syncml::PAGE);
                wbxml::encode::Enc::new(&mut w).msg_id(msg_id)?;
                let mut buf = w.finish();
                buf.extend_from_slice(&header.tail);
                EncoderOut::Wbxml(::wbxml::Writer::resume(buf, ::wbxml::tokens::syncml::PAGE))
            }
        };
        Ok(Self { out })
    }
}

/// A Status answering a command (or the header) of the peer's message, written by
/// [`MessageEncoder::answer`] from what it answers rather than from a [`Status`] holding
/// copies of its fields: its TargetRefs and SourceRefs are read from items.
#[derive(Clone, Copy, Debug)]
pub struct Answer<'s> {
    /// `CmdID`.
    pub cmd_id: u32,
    /// `MsgRef`: the MsgID of the message holding what is answered.
    pub msg_ref: &'s str,
    /// `CmdRef`: the CmdID of the command answered (`0` for the header).
    pub cmd_ref: &'s str,
    /// `Cmd`: the name of the command answered (`SyncHdr` for the header).
    pub cmd: &'s str,
    /// Items (those of the command answered) whose Targets' LocURIs are the `TargetRef`s.
    pub refs_of: &'s [Item<'s>],
    /// Whether the LocURIs of their Sources are `SourceRef`s too.
    pub source_refs: bool,
    /// `Chal`.
    pub chal: Option<&'s Chal<'s>>,
    /// `Data`: the code.
    pub code: StatusCode,
    /// The Status's `Item`s.
    pub items: &'s [Item<'s>],
}

impl<'s> Answer<'s> {
    /// The answer to `command`: CmdRef its CmdID, Cmd its name, refs from its items.
    #[inline]
    pub fn to(command: &'s Command<'s>) -> Self {
        let (cmd_ref, refs_of) = command.cmd_id_and_items();
        Self {
            cmd_id: 0,
            msg_ref: "",
            cmd_ref,
            cmd: command.name(),
            refs_of,
            source_refs: false,
            chal: None,
            code: StatusCode::Ok,
            items: &[],
        }
    }

    /// The TargetRefs: the LocURIs of the Targets of `refs_of`.
    pub fn target_refs(&self) -> impl Iterator<Item = &'s str> {
        self.refs_of
            .iter()
            .filter_map(|i| i.target.as_ref().map(|t| &*t.loc_uri))
    }

    /// The SourceRefs: the LocURIs of the Sources of `refs_of`, when `source_refs`.
    pub fn source_refs(&self) -> impl Iterator<Item = &'s str> {
        let items: &'s [Item<'s>] = if self.source_refs { self.refs_of } else { &[] };
        items
            .iter()
            .filter_map(|i| i.source.as_ref().map(|s| &*s.loc_uri))
    }

    /// The Status this stands for, borrowing its text.
    pub fn to_status(&self) -> Status<'s> {
        let mut s = Status::new(
            std::borrow::Cow::Owned(self.cmd_id.to_string()),
            std::borrow::Cow::Borrowed(self.msg_ref),
            std::borrow::Cow::Borrowed(self.cmd_ref),
            std::borrow::Cow::Borrowed(self.cmd),
            self.code,
        );
        s.target_refs = self.target_refs().map(std::borrow::Cow::Borrowed).collect();
        s.source_refs = self.source_refs().map(std::borrow::Cow::Borrowed).collect();
        s.chal = self.chal.map(|c| Box::new(c.clone()));
        s.items = self.items.to_vec();
        s
    }
}

/// Encodes a message into `out`, failing when it is larger than `max` bytes (the peer's
/// MaxMsgSize).
pub fn encode_max(
    message: &Message<'_>,
    encoding: Encoding,
    max: usize,
    out: &mut Vec<u8>,
) -> Result<(), EncodeError> {
    let size = message.encoded_len(encoding)?;
    if size > max {
        return Err(EncodeError::TooLarge { size, max });
    }
    encode(message, encoding, out)
}

impl Message<'_> {
    /// The encoded size in `encoding`, computed without encoding.
    pub fn encoded_len(&self, encoding: Encoding) -> Result<usize, EncodeError> {
        match encoding {
            Encoding::Xml => xml::encoded_len(self),
            Encoding::Wbxml => wbxml::encoded_len(self),
        }
    }

    /// The message in `encoding`, in a new buffer.
    pub fn to_bytes(&self, encoding: Encoding) -> Result<Vec<u8>, EncodeError> {
        let mut out = Vec::new();
        encode(self, encoding, &mut out)?;
        Ok(out)
    }
}
