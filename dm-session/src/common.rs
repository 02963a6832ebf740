//! What both engines share: errors, configuration types, message packing to the peer's
//! MaxMsgSize, large-object chunking and reassembly, and whole-message validation.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use syncml_codec::{Command, DecodeError, EncodeError, Encoding, Limits, Message};

use crate::wire::{Cmd, ItemKind, MetaInfo, OutItem, Payload};

/// Why an engine refused a message or could not go on.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SessionError {
    /// The message could not be decoded (malformed, truncated, over a limit); nothing was
    /// applied.
    #[error("undecodable message: {0}")]
    Decode(DecodeError),
    /// The message decoded but breaks a DM rule; nothing was applied.
    #[error("invalid message: {reason} (command {cmd_id})")]
    Invalid {
        /// The CmdID of the offending command (`SyncHdr` for the header).
        cmd_id: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// The SessionID is not this session's.
    #[error("message of session {got}, expected {expected}")]
    WrongSession {
        /// This session.
        expected: String,
        /// The message's.
        got: String,
    },
    /// The `x-syncml-hmac` header is missing or wrong.
    #[error("missing or invalid x-syncml-hmac")]
    Hmac,
    /// Authentication failed for good (the peer rejected our credentials again).
    #[error("authentication failed")]
    AuthenticationFailed,
    /// The engine has no session running that could take this message.
    #[error("no session is running")]
    NotRunning,
    /// A package 0 could not be decoded.
    #[error("package 0: {0}")]
    Package0(String),
    /// A package 0 digest did not verify: nothing starts.
    #[error("package 0 digest does not verify")]
    BadDigest,
    /// A package 0 names another server.
    #[error("package 0 from unknown server {0}")]
    UnknownServer(String),
    /// A message could not be encoded.
    #[error("encode: {0}")]
    Encode(EncodeError),
    /// A command cannot fit in one message of the peer's MaxMsgSize and cannot be chunked.
    #[error("a {cmd} command needs more than the peer's MaxMsgSize of {max} bytes")]
    TooLarge {
        /// The command's name.
        cmd: &'static str,
        /// The peer's MaxMsgSize.
        max: usize,
    },
}

impl From<EncodeError> for SessionError {
    fn from(e: EncodeError) -> Self {
        Self::Encode(e)
    }
}

/// The wire encoding an engine sends (serialisable mirror of [`Encoding`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum WireEncoding {
    /// XML.
    #[default]
    Xml,
    /// WBXML.
    Wbxml,
}

impl WireEncoding {
    /// The codec encoding.
    pub fn encoding(self) -> Encoding {
        match self {
            Self::Xml => Encoding::Xml,
            Self::Wbxml => Encoding::Wbxml,
        }
    }

    /// The HTTP `Content-Type`.
    pub fn content_type(self) -> &'static str {
        self.encoding().mime_type()
    }
}

/// Decoding limits (serialisable mirror of [`Limits`]); the message size limit is the
/// engine's own MaxMsgSize.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputLimits {
    /// Deepest Sequence/Atomic nesting.
    pub max_depth: usize,
    /// Most commands per message.
    pub max_commands: usize,
    /// Most items per message.
    pub max_items: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        let l = Limits::default();
        Self {
            max_depth: l.max_depth,
            max_commands: l.max_commands,
            max_items: l.max_items,
        }
    }
}

impl InputLimits {
    pub(crate) fn limits(&self, max_msg_size: u64) -> Limits {
        let size = usize::try_from(max_msg_size).unwrap_or(usize::MAX);
        Limits {
            max_message_size: size,
            max_depth: self.max_depth,
            max_commands: self.max_commands,
            max_items: self.max_items,
            max_string_len: size,
        }
    }
}

/// A message to send: the body, the `x-syncml-hmac` header value when HMAC is in use, and
/// where to send it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transmit {
    /// The HTTP body.
    pub body: Vec<u8>,
    /// The `x-syncml-hmac` header value, if any.
    pub hmac: Option<String>,
    /// The URI to POST to (client) — the latest RespURI or the server address.
    pub uri: String,
    /// The HTTP `Content-Type`.
    pub content_type: &'static str,
    /// Whether this message carries `Final`.
    pub final_flag: bool,
}

/// A handle on a command queued by the server (nested commands of an Atomic or Sequence get
/// the following handles in document order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Handle(pub u64);

/// A queued command and its handle (0 on the client, which needs none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Queued {
    pub handle: u64,
    pub cmd: Cmd,
    /// Must go in the same message as the command before it (the responses of an Atomic).
    #[serde(default)]
    pub glued: bool,
}

/// A command too large for one message, being sent in pieces: whole items as they fit, and
/// the item that does not fit cut into MoreData chunks (omadm.md §2). Every piece but the
/// last ends with a MoreData chunk, so the recipient sees one command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Chunking {
    pub handle: u64,
    /// The whole command, every item with its data.
    pub cmd: Cmd,
    /// The first item not completely sent.
    pub item: usize,
    /// How many bytes of that item's data went already.
    pub offset: usize,
}

/// Commands waiting to be sent, and the large object being sent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Outbox {
    pub queue: VecDeque<Queued>,
    pub chunking: Option<Chunking>,
}

/// An engine's message header encoded once for a session (see
/// [`syncml_codec::EncodedHeader`]): without Cred, a client's header depends on its settings,
/// which do not change, and the session id; a server's also on the device it talks to. Not
/// serialised: derived from the rest, it is made again on the first message after a restore.
#[derive(Clone, Debug)]
pub(crate) struct KeptHeader {
    session_id: String,
    peer: String,
    encoded: syncml_codec::EncodedHeader,
}

impl KeptHeader {
    /// Makes sure `slot` holds the header of `session_id` with `peer`, encoding the one
    /// `header` builds when it holds none or another session's; whether it now does (a
    /// header that cannot be encoded leaves it empty).
    pub(crate) fn keep<'h, M: std::borrow::Borrow<Message<'h>>>(
        slot: &mut Option<Self>,
        session_id: &str,
        peer: &str,
        encoding: Encoding,
        header: impl FnOnce() -> M,
    ) -> bool {
        let current = slot
            .as_ref()
            .is_some_and(|k| k.session_id == session_id && k.peer == peer);
        if !current {
            *slot = syncml_codec::EncodedHeader::new(&header().borrow().header, encoding)
                .ok()
                .map(|encoded| Self {
                    session_id: session_id.to_owned(),
                    peer: peer.to_owned(),
                    encoded,
                });
        }
        slot.is_some()
    }

    /// The encoded header.
    pub(crate) fn encoded(&self) -> &syncml_codec::EncodedHeader {
        &self.encoded
    }
}

/// The header of a message to pack: as a message (its MsgID, and for measuring), and
/// encoded once when the engine keeps it so ([`syncml_codec::EncodedHeader`]).
#[derive(Clone, Copy)]
pub(crate) struct PackHeader<'h, 'm> {
    pub(crate) message: &'h Message<'m>,
    pub(crate) encoded: Option<&'h syncml_codec::EncodedHeader>,
}

/// One message as packed: its bytes and the CmdIDs given to the commands it carries.
pub(crate) struct Packed {
    pub body: Vec<u8>,
    pub final_flag: bool,
    /// `(handle + nested index, cmd id, name)` for every queued command sent.
    pub sent: Vec<(u64, u32, &'static str)>,
}

/// A first guess at the encoded bytes per command, to size the output buffer once.
pub(crate) const OUT_GUESS: usize = 192;

/// The slack kept below MaxMsgSize when sizing a chunk (CmdID digits, Size element).
const CHUNK_SLACK: usize = 48;

impl Outbox {
    pub(crate) fn is_empty(&self) -> bool {
        self.queue.is_empty() && self.chunking.is_none()
    }

    pub(crate) fn push(&mut self, handle: u64, cmd: Cmd) {
        self.queue.push_back(Queued {
            handle,
            cmd,
            glued: false,
        });
    }

    /// Queues `cmd` to go in the same message as the command queued before it.
    pub(crate) fn push_glued(&mut self, cmd: Cmd) {
        self.queue.push_back(Queued {
            handle: 0,
            cmd,
            glued: true,
        });
    }

    /// `take` moved back so that it does not cut a glued group (unless the group starts
    /// the message: then it is cut where it must be).
    fn unglued(&self, take: usize) -> usize {
        let mut t = take;
        while t > 0 && self.queue.get(t).is_some_and(|q| q.glued) {
            t -= 1;
        }
        if t == 0 {
            take
        } else {
            t
        }
    }

    /// Packs one message: `fixed` always goes first (SyncHdr Status, 1222...), then the next
    /// chunk of a large object, or as many queued commands as fit in `max` bytes.
    /// `allow_final`: the message may carry Final once everything is sent.
    pub(crate) fn pack(
        &mut self,
        header: PackHeader<'_, '_>,
        fixed: &[Cmd],
        max: usize,
        encoding: Encoding,
        allow_final: bool,
        may_send_queue: bool,
    ) -> Result<Packed, SessionError> {
        let PackHeader {
            message: header,
            encoded: encoded_header,
        } = header;
        // Statuses and Results always go out; new commands only when allowed.
        let mut ids = Vec::new();
        let mut next = 0u32;
        let mut msg = header.clone();
        msg.body.commands.clear();
        for c in fixed {
            msg.body.commands.push(c.to_command(&mut next, &mut ids));
        }
        let fixed_next = next;
        if self.chunking.is_some() {
            drop(msg);
            // Statuses may accompany a chunk; new commands may not (omadm.md §2).
            // Up to half the message, so the chunk always has room.
            let mut with_statuses = fixed.to_vec();
            while self
                .queue
                .front()
                .is_some_and(|q| q.handle == 0 && matches!(q.cmd, Cmd::Status(_)))
            {
                if let Some(q) = self.queue.pop_front() {
                    with_statuses.push(q.cmd);
                }
                if fixed_len(header, &with_statuses, encoding)? > max / 2 {
                    if let Some(cmd) = with_statuses.pop() {
                        self.queue.push_front(Queued {
                            handle: 0,
                            cmd,
                            glued: false,
                        });
                    }
                    break;
                }
            }
            return self.pack_chunk(header, &with_statuses, max, encoding, allow_final);
        }
        let sendable = if may_send_queue {
            self.queue.len()
        } else {
            self.queue
                .iter()
                .take_while(|q| matches!(q.cmd, Cmd::Status(_) | Cmd::Results { .. }))
                .count()
        };
        // Fast path: everything fits.
        msg.body.commands.reserve(sendable);
        let mut sent = build(&self.queue, sendable, &mut next, &mut msg.body.commands);
        let all_final = allow_final && sendable == self.queue.len();
        msg.body.final_flag = all_final;
        // Encoding once and checking the size is cheaper than measuring first.
        let mut body = Vec::with_capacity(max.min(OUT_GUESS.saturating_mul(sendable + 2)));
        match encoded_header.filter(|h| h.encoding() == encoding) {
            Some(h) => {
                let mut enc =
                    syncml_codec::MessageEncoder::begin_with_header(h, &msg.header.msg_id, body)?;
                for c in &msg.body.commands {
                    enc.command(c)?;
                }
                body = enc.finish(msg.body.final_flag);
            }
            None => syncml_codec::encode(&msg, encoding, &mut body)?,
        }
        if body.len() <= max {
            drop(msg);
            self.queue.drain(..sendable);
            return Ok(Packed {
                body,
                final_flag: all_final,
                sent: std::mem::take(&mut sent),
            });
        }
        // Slow path: measure each command and take a prefix that fits.
        msg.body.commands.truncate(fixed.len());
        msg.body.final_flag = true;
        let base = msg.encoded_len(encoding)?;
        let mut budget = max.saturating_sub(base);
        let room = budget;
        let mut take = 0usize;
        let mut probe_next = fixed_next;
        let mut misfit = None;
        for q in self.queue.iter().take(sendable) {
            let mut scratch = Vec::new();
            msg.body
                .commands
                .push(q.cmd.to_command(&mut probe_next, &mut scratch));
            let size = msg.encoded_len(encoding)?.saturating_sub(base);
            msg.body.commands.pop();
            if size > budget {
                misfit = Some(size);
                break;
            }
            budget -= size;
            take += 1;
        }
        drop(msg);
        let only_statuses = self
            .queue
            .iter()
            .take(take)
            .all(|q| q.handle == 0 && matches!(q.cmd, Cmd::Status(_)));
        if misfit.is_some_and(|size| size > room) && only_statuses {
            // The next command cannot fit in any message: split it now, so it is not
            // left behind the Statuses forever.
            self.split_oversized(take, max)?;
            return self.pack(
                PackHeader {
                    message: header,
                    encoded: encoded_header,
                },
                fixed,
                max,
                encoding,
                allow_final,
                may_send_queue,
            );
        }
        if take < sendable {
            take = self.unglued(take);
        }
        loop {
            if take == 0 {
                return Err(SessionError::TooLarge { cmd: "Status", max });
            }
            let mut msg = header.clone();
            msg.body.commands.clear();
            let mut n = 0u32;
            let mut scratch = Vec::new();
            for c in fixed {
                msg.body.commands.push(c.to_command(&mut n, &mut scratch));
            }
            let sent = build(&self.queue, take, &mut n, &mut msg.body.commands);
            let fin = allow_final && take == self.queue.len();
            msg.body.final_flag = fin;
            if msg.encoded_len(encoding)? <= max {
                let mut body = Vec::new();
                syncml_codec::encode(&msg, encoding, &mut body)?;
                drop(msg);
                self.queue.drain(..take);
                return Ok(Packed {
                    body,
                    final_flag: fin,
                    sent,
                });
            }
            take = self.unglued(take - 1);
        }
    }

    /// Queued command `idx` does not fit in any message. An Add, Replace or Results with
    /// data is sent in pieces as one command, the item that does not fit as a large object
    /// (MoreData chunks); any other multi-item command is split into one command per item
    /// (same handle).
    fn split_oversized(&mut self, idx: usize, max: usize) -> Result<(), SessionError> {
        let Some(head) = self.queue.remove(idx) else {
            return Err(SessionError::TooLarge { cmd: "Status", max });
        };
        let name = head.cmd.name();
        let chunkable = match &head.cmd {
            Cmd::Results { items, .. }
            | Cmd::Item {
                kind: ItemKind::Add | ItemKind::Replace,
                items,
                ..
            } => items
                .iter()
                .any(|i| i.data.as_ref().is_some_and(|d| !d.is_empty())),
            _ => false,
        };
        if chunkable {
            self.chunking = Some(Chunking {
                handle: head.handle,
                cmd: head.cmd,
                item: 0,
                offset: 0,
            });
            return Ok(());
        }
        match head.cmd {
            Cmd::Item {
                kind,
                meta,
                correlator,
                items,
            } if items.len() > 1 && kind != ItemKind::Exec => {
                for item in items.into_iter().rev() {
                    self.queue.insert(
                        idx,
                        Queued {
                            handle: head.handle,
                            cmd: Cmd::Item {
                                kind,
                                meta: meta.clone(),
                                correlator: correlator.clone(),
                                items: vec![item],
                            },
                            glued: false,
                        },
                    );
                }
                Ok(())
            }
            _ => Err(SessionError::TooLarge { cmd: name, max }),
        }
    }

    /// The next piece of the command being chunked: whole items while they fit, then as much
    /// of the next item as fits, with MoreData (Meta Size on an item's first chunk). A piece
    /// that is not the last always ends with a MoreData chunk, so the recipient sees one
    /// command.
    fn pack_chunk(
        &mut self,
        header: &Message<'_>,
        fixed: &[Cmd],
        max: usize,
        encoding: Encoding,
        allow_final: bool,
    ) -> Result<Packed, SessionError> {
        let Some(ch) = self.chunking.as_ref() else {
            return Err(SessionError::TooLarge { cmd: "chunk", max });
        };
        let name = ch.cmd.name();
        let too_large = || SessionError::TooLarge { cmd: name, max };
        let all = cmd_items(&ch.cmd);
        let n = all.len();
        let piece = Piece {
            cmd: &ch.cmd,
            header,
            fixed,
            encoding,
            max,
        };
        let mut spans: Vec<Span> = Vec::new();
        let (mut i, mut off) = (ch.item, ch.offset);
        while i < n {
            spans.push((i, off, item_len(all, i)));
            if piece.fits(&spans)? {
                i += 1;
                off = 0;
                continue;
            }
            spans.pop();
            if let Some(end) = piece.chunk(&mut spans, i, off, usize::MAX)? {
                off = end;
            }
            break;
        }
        if i < n && spans.last().is_none_or(|&(j, _, b)| b >= item_len(all, j)) {
            // The piece would end on an item boundary: end it with a chunk instead, the last
            // item that can be cut (the rest of it goes first in the next piece).
            let mut cut = spans.clone();
            let (mut ci, mut coff) = (i, off);
            let mut ok = false;
            while let Some((j, a, b)) = cut.pop() {
                (ci, coff) = (j, a);
                if let Some(end) = piece.chunk(&mut cut, j, a, b.saturating_sub(1))? {
                    coff = end;
                    ok = true;
                    break;
                }
            }
            if ok {
                (spans, i, off) = (cut, ci, coff);
            }
        }
        if spans.is_empty() {
            return Err(too_large());
        }
        let done = i >= n;
        let fin = done && allow_final && self.queue.is_empty();
        let cmd = piece.command(&spans);
        let handle = ch.handle;
        let (msg, id) = message_with(header, fixed, &cmd, fin);
        let mut body = Vec::new();
        syncml_codec::encode(&msg, encoding, &mut body)?;
        drop(msg);
        if body.len() > max {
            return Err(too_large());
        }
        if done {
            self.chunking = None;
        } else if let Some(c) = self.chunking.as_mut() {
            c.item = i;
            c.offset = off;
        }
        Ok(Packed {
            body,
            final_flag: fin,
            sent: vec![(handle, id, name)],
        })
    }
}

/// Item `index` of a command, bytes `start..end` of its data.
type Span = (usize, usize, usize);

/// The length of item `i`'s data.
fn item_len(items: &[OutItem], i: usize) -> usize {
    items
        .get(i)
        .and_then(|it| it.data.as_ref())
        .map_or(0, Payload::len)
}

/// Builds and measures the pieces of a chunked command.
struct Piece<'p, 'h> {
    cmd: &'p Cmd,
    header: &'p Message<'h>,
    fixed: &'p [Cmd],
    encoding: Encoding,
    max: usize,
}

impl Piece<'_, '_> {
    /// The command carrying `spans`: whole items as they are; a part of an item with
    /// MoreData unless it is its end, and Meta Size on its first part.
    fn command(&self, spans: &[Span]) -> Cmd {
        let all = cmd_items(self.cmd);
        let items = spans
            .iter()
            .filter_map(|&(j, a, b)| {
                let item = all.get(j)?;
                let total = item_len(all, j);
                if a == 0 && b >= total {
                    return Some(item.clone());
                }
                let mut c = item.clone();
                c.data = item.data.as_ref().map(|d| d.slice(a, b).0);
                c.more_data = b < total;
                c.meta.get_or_insert_with(MetaInfo::default).size =
                    (a == 0).then_some(total as u64);
                Some(c)
            })
            .collect();
        with_items(self.cmd, items)
    }

    fn len(&self, spans: &[Span]) -> Result<usize, SessionError> {
        let cmd = self.command(spans);
        let (msg, _) = message_with(self.header, self.fixed, &cmd, false);
        Ok(msg.encoded_len(self.encoding)?)
    }

    fn fits(&self, spans: &[Span]) -> Result<bool, SessionError> {
        Ok(self.len(spans)? <= self.max)
    }

    /// Appends the longest part of item `j` from `start` (ending before `limit` and before
    /// its end, so with MoreData) that fits; its end, or `None` when no byte fits.
    fn chunk(
        &self,
        spans: &mut Vec<Span>,
        j: usize,
        start: usize,
        limit: usize,
    ) -> Result<Option<usize>, SessionError> {
        let all = cmd_items(self.cmd);
        let total = item_len(all, j);
        let cap = limit.min(total.saturating_sub(1));
        let Some(data) = all.get(j).and_then(|it| it.data.as_ref()) else {
            return Ok(None);
        };
        if cap <= start {
            return Ok(None);
        }
        spans.push((j, start, start));
        let overhead = self.len(spans)?;
        spans.pop();
        let mut room = self
            .max
            .saturating_sub(overhead)
            .saturating_sub(CHUNK_SLACK);
        for _ in 0..8 {
            if room == 0 {
                return Ok(None);
            }
            let (_, end) = data.slice(start, start.saturating_add(room).min(cap));
            if end <= start {
                // A multi-byte character wider than the room.
                room = room.saturating_mul(2);
                continue;
            }
            spans.push((j, start, end));
            let len = self.len(spans)?;
            if len <= self.max {
                return Ok(Some(end));
            }
            spans.pop();
            room = room.saturating_sub(len - self.max + CHUNK_SLACK);
        }
        Ok(None)
    }
}

/// The items of an item command or Results.
fn cmd_items(cmd: &Cmd) -> &[OutItem] {
    match cmd {
        Cmd::Results { items, .. } | Cmd::Item { items, .. } => items,
        _ => &[],
    }
}

/// `cmd` carrying `items` instead of its own.
fn with_items(cmd: &Cmd, items: Vec<OutItem>) -> Cmd {
    match cmd {
        Cmd::Results {
            msg_ref,
            cmd_ref,
            meta,
            ..
        } => Cmd::Results {
            msg_ref: msg_ref.clone(),
            cmd_ref: cmd_ref.clone(),
            meta: meta.clone(),
            items,
        },
        Cmd::Item {
            kind,
            meta,
            correlator,
            ..
        } => Cmd::Item {
            kind: *kind,
            meta: meta.clone(),
            correlator: correlator.clone(),
            items,
        },
        other => other.clone(),
    }
}

/// The encoded size of `header` with the `fixed` commands only.
fn fixed_len(
    header: &Message<'_>,
    fixed: &[Cmd],
    encoding: Encoding,
) -> Result<usize, SessionError> {
    let mut msg = header.clone();
    msg.body.commands.clear();
    let mut next = 0u32;
    let mut ids = Vec::new();
    for c in fixed {
        msg.body.commands.push(c.to_command(&mut next, &mut ids));
    }
    Ok(msg.encoded_len(encoding)?)
}

/// `header` with the `fixed` commands and `cmd`; also the CmdID given to `cmd`.
fn message_with<'m>(
    header: &Message<'m>,
    fixed: &'m [Cmd],
    cmd: &'m Cmd,
    final_flag: bool,
) -> (Message<'m>, u32) {
    let mut msg = header.clone();
    msg.body.commands.clear();
    let mut next = 0u32;
    let mut ids = Vec::new();
    for c in fixed {
        msg.body.commands.push(c.to_command(&mut next, &mut ids));
    }
    ids.clear();
    msg.body.commands.push(cmd.to_command(&mut next, &mut ids));
    msg.body.final_flag = final_flag;
    (msg, ids.first().copied().unwrap_or(0))
}

/// The codec form of the first `n` queued commands, appended to `cmds`; returns
/// `(handle + nested index, cmd id, name)` of every command with a handle (the server's).
fn build<'q>(
    queue: &'q VecDeque<Queued>,
    n: usize,
    next: &mut u32,
    cmds: &mut Vec<Command<'q>>,
) -> Vec<(u64, u32, &'static str)> {
    let mut sent = Vec::new();
    let mut ids = Vec::new();
    let mut names = Vec::new();
    for q in queue.iter().take(n) {
        ids.clear();
        cmds.push(q.cmd.to_command(next, &mut ids));
        if q.handle == 0 {
            continue;
        }
        names.clear();
        names_preorder(&q.cmd, &mut names);
        for (k, (id, name)) in ids.iter().zip(&names).enumerate() {
            sent.push((q.handle.saturating_add(k as u64), *id, *name));
        }
    }
    sent
}

fn names_preorder(cmd: &Cmd, out: &mut Vec<&'static str>) {
    out.push(cmd.name());
    if let Cmd::Container { commands, .. } = cmd {
        for c in commands {
            names_preorder(c, out);
        }
    }
}

/// A large object being received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Assembly {
    /// The command name (`Replace`, `Add`, `Results`).
    pub cmd: String,
    /// The item's Target (or Source for Results).
    pub uri: String,
    /// Announced total size.
    pub size: Option<u64>,
    /// Meta of the first chunk (command Meta merged under item Meta).
    pub meta: MetaInfo,
    /// Whether the chunks are text.
    pub text: bool,
    /// The bytes so far.
    pub data: Vec<u8>,
    /// The first chunk's item (for the final command).
    pub first: OutItem,
    /// The items of the same command before the chunked one, complete (a command with
    /// several items runs once its large object is whole).
    #[serde(default)]
    pub done: Vec<OutItem>,
}

impl Assembly {
    /// The item with the whole data, once complete.
    pub(crate) fn finish(self) -> (OutItem, Result<Payload, u16>) {
        let ok = self.size.is_none_or(|s| s == self.data.len() as u64);
        let mut item = self.first;
        item.more_data = false;
        if !ok {
            return (item, Err(424));
        }
        let payload = if self.text {
            Payload::from_bytes(self.data)
        } else {
            Payload::Opaque(self.data)
        };
        (item, Ok(payload))
    }
}

/// Every item command needs a Target (and Copy a Source); a Status needs a numeric code.
/// Run on the whole message before anything executes.
pub(crate) fn validate(
    msg: &Message<'_>,
    session: Option<&str>,
    from_server: bool,
) -> Result<(), SessionError> {
    if let Some(expected) = session {
        if msg.header.session_id != expected {
            return Err(SessionError::WrongSession {
                expected: expected.to_owned(),
                got: msg.header.session_id.to_string(),
            });
        }
    }
    if msg.header.ver_proto != "DM/1.2" {
        return Err(SessionError::Invalid {
            cmd_id: "SyncHdr".into(),
            reason: "VerProto is not DM/1.2",
        });
    }
    if msg.header.msg_id.is_empty() {
        return Err(SessionError::Invalid {
            cmd_id: "SyncHdr".into(),
            reason: "empty MsgID",
        });
    }
    validate_cmds(&msg.body.commands, from_server)
}

fn validate_cmds(cmds: &[Command<'_>], from_server: bool) -> Result<(), SessionError> {
    for c in cmds {
        if let Command::Atomic(x) | Command::Sequence(x) = c {
            validate_cmds(&x.commands, from_server)?;
        }
        if let Some(reason) = defect(c, from_server) {
            return Err(SessionError::Invalid {
                cmd_id: c.cmd_id().to_owned(),
                reason,
            });
        }
    }
    Ok(())
}

/// What makes one command unusable, if anything.
fn defect(c: &Command<'_>, from_server: bool) -> Option<&'static str> {
    let (cmd_id, items) = c.cmd_id_and_items();
    if cmd_id.is_empty() {
        return Some("empty CmdID");
    }
    let unnamed = match c {
        // A client's Replace (DevInfo) names its nodes by Source.
        Command::Replace(_) if !from_server => items
            .iter()
            .any(|i| no_target(i.target.as_ref()) && no_target(i.source.as_ref()))
            .then_some("an Item has neither Target nor Source"),
        Command::Add(_)
        | Command::Delete(_)
        | Command::Get(_)
        | Command::Replace(_)
        | Command::Copy(_)
        | Command::Exec(_) => items
            .iter()
            .any(|i| no_target(i.target.as_ref()))
            .then_some("an Item has no Target"),
        _ => None,
    };
    if unnamed.is_some() {
        return unnamed;
    }
    match c {
        Command::Copy(x) if x.items.iter().any(|i| no_target(i.source.as_ref())) => {
            Some("a Copy Item has no Source")
        }
        Command::Status(s) if s.cmd_ref.is_empty() => Some("a Status has an empty CmdRef"),
        _ if items.iter().rev().skip(1).any(|i| i.more_data) => {
            Some("MoreData on an Item that is not the command's last")
        }
        _ => None,
    }
}

fn no_target(loc: Option<&syncml_codec::Location<'_>>) -> bool {
    loc.is_none_or(|l| l.loc_uri.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncml_codec::{Item, ItemCommand, List};

    fn replace(items: Vec<Item<'static>>) -> Command<'static> {
        Command::Replace(ItemCommand {
            cmd_id: "3".into(),
            items: List::from(items),
            ..ItemCommand::default()
        })
    }

    fn chunk(uri: &'static str, more: bool) -> Item<'static> {
        Item {
            more_data: more,
            ..Item::target(uri)
        }
    }

    /// MoreData is checked on every command, a client's Replace (named by Source or Target)
    /// among them: it used to return from its own check before reaching this one.
    #[test]
    fn more_data_on_an_inner_item_is_a_defect_from_either_side() {
        let bad = replace(vec![chunk("./A", true), chunk("./B", false)]);
        let good = replace(vec![chunk("./A", false), chunk("./B", true)]);
        for from_server in [true, false] {
            assert_eq!(
                defect(&bad, from_server),
                Some("MoreData on an Item that is not the command's last"),
                "from_server {from_server}"
            );
            assert_eq!(
                defect(&good, from_server),
                None,
                "from_server {from_server}"
            );
        }
        let unnamed = replace(vec![Item::default()]);
        assert_eq!(defect(&unnamed, true), Some("an Item has no Target"));
        assert_eq!(
            defect(&unnamed, false),
            Some("an Item has neither Target nor Source")
        );
    }
}
