//! The DM client engine: runs a device's side of a session against a [`dm_tree::Tree`].

use std::borrow::Cow;
use std::collections::VecDeque;

use dm_tree::{Format, Op, OpData, Tree};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use syncml_codec::package0::{Notification, UiMode, RESYNC_NONCES};
use syncml_codec::{
    AlertCode, Command, Data, Item, ItemCommand, List, Location, Message, Meta, Results, Status,
    StatusCode,
};

use crate::auth::{decode_nonce, AuthType, Credentials, NonceSource};
use crate::common::{
    validate, Assembly, InputLimits, KeptHeader, Outbox, PackHeader, Packed, SessionError,
    Transmit, WireEncoding, OUT_GUESS,
};
use crate::ui::{UiKind, UiRequest, UiResponse, UserInteraction};
use crate::wire::{number, Cmd, MetaInfo, OutItem, Payload, StatusCmd};

/// Room kept for a SyncHdr Status Chal (NextNonce) when checking that an Atomic's responses
/// fit in one message.
const RESPONSE_SLACK: usize = 160;

/// The DevInfo leaves sent in package 1 (omadm.md §2).
pub const DEV_INFO: [&str; 5] = [
    "./DevInfo/DevId",
    "./DevInfo/Man",
    "./DevInfo/Mod",
    "./DevInfo/DmV",
    "./DevInfo/Lang",
];

/// A device's settings for one DM server account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientConfig {
    /// The device id (`./DevInfo/DevId`, SyncHdr `Source/LocURI`).
    pub device_id: String,
    /// The server id (DMAcc `ServerID`, the id in ACLs).
    pub server_id: String,
    /// The server address (DMAcc `AppAddr`).
    pub server_uri: String,
    /// Credentials the client sends (`CLCRED`).
    pub client_credentials: Option<Credentials>,
    /// Credentials the server must send (`SRVCRED`; also the package 0 digest key).
    pub server_credentials: Option<Credentials>,
    /// The encoding the client sends.
    pub encoding: WireEncoding,
    /// The client's MaxMsgSize (incoming messages larger than this are refused).
    pub max_msg_size: u64,
    /// The client's MaxObjSize.
    pub max_obj_size: u64,
    /// Decoding limits.
    pub limits: InputLimits,
    /// The DevInfo leaves to send in package 1.
    pub dev_info: Vec<String>,
}

impl ClientConfig {
    /// Settings with no credentials, XML, MaxMsgSize 16 KiB and MaxObjSize 1 MiB.
    pub fn new(
        device_id: impl Into<String>,
        server_id: impl Into<String>,
        server_uri: impl Into<String>,
    ) -> Self {
        Self {
            device_id: device_id.into(),
            server_id: server_id.into(),
            server_uri: server_uri.into(),
            client_credentials: None,
            server_credentials: None,
            encoding: WireEncoding::Xml,
            max_msg_size: 16 * 1024,
            max_obj_size: 1024 * 1024,
            limits: InputLimits::default(),
            dev_info: DEV_INFO.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// What happened in a session, for the host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ClientEvent {
    /// A session started (package 1 is ready to send).
    SessionStarted {
        /// Its SessionID.
        session_id: String,
        /// 1200 (server-initiated) or 1201.
        alert: u16,
    },
    /// The server accepted the client's credentials (212).
    Authenticated,
    /// The server rejected the client's credentials for good.
    AuthenticationFailed,
    /// The server's credentials were verified.
    ServerAuthenticated,
    /// The server's credentials were missing (407) or wrong (401).
    ServerAuthenticationFailed {
        /// 401 or 407.
        code: u16,
    },
    /// A Status for a command the client sent (Generic Alerts, Alerts, Results chunks).
    Status {
        /// The command answered (borrowed for the command names, which are static).
        cmd: Cow<'static, str>,
        /// Its CmdID (borrowed for the CmdIDs this client gives, which are static).
        cmd_ref: Cow<'static, str>,
        /// The code.
        code: u16,
    },
    /// An incoming large object was interrupted (1225 sent) and not committed.
    LargeObjectInterrupted {
        /// The target.
        uri: String,
    },
    /// The server aborted the session (1223).
    Aborted,
    /// The session ended normally.
    Finished,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Phase {
    Idle,
    Running,
    Finished,
}

/// The DM client: sans-IO, serialisable. See the crate docs for the loop that drives it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ClientEngine {
    config: ClientConfig,
    nonces: NonceSource,
    /// Issued by the server: for the client's Cred and HMAC.
    client_nonce: Vec<u8>,
    /// Issued by the client: for the server's Cred, HMAC and package 0.
    server_nonce: Vec<u8>,
    phase: Phase,
    session_id: String,
    msg_id: u32,
    server_max_msg: Option<u64>,
    server_max_obj: Option<u64>,
    resp_uri: Option<String>,
    accepted: bool,
    auth_retries: u8,
    server_authenticated: bool,
    pkg1: Vec<Cmd>,
    outbox: Outbox,
    /// Replies not yet sent, in codec form (see [`Ready`]).
    #[serde(default)]
    ready: Ready,
    hdr_status: Option<HdrStatus>,
    /// The next message, encoded while the server's message was at hand (see
    /// [`ClientEngine::seal`]); when set, `ready` and `hdr_status` are empty.
    #[serde(default)]
    sealed: Option<Sealed>,
    ask_more: bool,
    may_final: bool,
    reply_due: bool,
    incoming: Option<Assembly>,
    events: VecDeque<ClientEvent>,
    /// Ranges of the replies being built that must go in one message (Atomic responses).
    #[serde(skip)]
    glue: Vec<(usize, usize)>,
    /// This session's message header, encoded once (see [`KeptHeader`]).
    #[serde(skip)]
    kept_header: Option<KeptHeader>,
}

/// How a command ended, for Atomic and Sequence.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    Failed,
    /// A 1101 answered "no": the rest of a Sequence is bypassed, an Atomic fails.
    Rejected,
}

/// A reply to the server, in codec form: built once while the server's message is handled
/// and moved into the next message as it is (numbered then), not copied into owned commands
/// and converted back.
type Reply = Command<'static>;

/// The replies to the server's latest message while nothing else waits in the outbox: the
/// next message sends them as they are when they fit; otherwise they join the outbox as
/// owned commands and are packed like any other.
#[derive(Clone, Debug, Default)]
struct Ready {
    cmds: Vec<Reply>,
    /// Ranges of `cmds` that must go in one message (Atomic responses).
    glue: Vec<(usize, usize)>,
}

/// The serialised form of [`Ready`]: owned commands, as the outbox keeps them.
#[derive(Serialize, Deserialize)]
struct ReadyForm {
    cmds: Vec<Cmd>,
    glue: Vec<(usize, usize)>,
}

impl Serialize for Ready {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        ReadyForm {
            cmds: self.cmds.iter().filter_map(Cmd::from_command).collect(),
            glue: self.glue.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Ready {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let form = ReadyForm::deserialize(d)?;
        Ok(Self {
            cmds: form.cmds.iter().map(to_reply).collect(),
            glue: form.glue,
        })
    }
}

impl Ready {
    fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    /// Moves the replies to the end of `outbox`, as owned commands.
    fn into_outbox(self, outbox: &mut Outbox) {
        queue_owned(outbox, &self.cmds, &self.glue);
    }
}

/// Queues `cmds` (codec form) in `outbox`, glued where `glue` says.
fn queue_owned(outbox: &mut Outbox, cmds: &[Command<'_>], glue: &[(usize, usize)]) {
    outbox.queue.reserve(cmds.len());
    for (k, c) in cmds.iter().enumerate() {
        let Some(r) = Cmd::from_command(c) else {
            continue;
        };
        if glue.iter().any(|&(a, b)| a < k && k < b) {
            outbox.push_glued(r);
        } else {
            outbox.push(0, r);
        }
    }
}

/// The reply to the server's latest message, encoded: the SyncHdr Status, any 1222, then
/// the replies to its commands.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Sealed {
    /// The whole message.
    body: Vec<u8>,
    /// Whether it carries Final.
    final_flag: bool,
    /// The SyncHdr Status and any 1222 before the replies.
    n_fixed: usize,
    /// Ranges of the replies that must go in one message (Atomic responses).
    glue: Vec<(usize, usize)>,
}

/// The Status for the server's SyncHdr, in codec form; serialised as the [`StatusCmd`] it
/// was before.
#[derive(Clone, Debug)]
struct HdrStatus(Status<'static>);

impl Serialize for HdrStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        StatusCmd::from_status(&self.0).serialize(s)
    }
}

impl<'de> Deserialize<'de> for HdrStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match to_reply(&Cmd::Status(StatusCmd::deserialize(d)?)) {
            Command::Status(st) => Ok(Self(st)),
            _ => Err(serde::de::Error::custom("a Status is a Status")),
        }
    }
}

/// The codec form of an owned command (numbered when sent).
fn to_reply(c: &Cmd) -> Reply {
    c.to_command(&mut 0, &mut Vec::new()).into_owned()
}

impl ClientEngine {
    /// An idle engine. `seed` seeds the nonces this client issues (give random bytes).
    pub fn new(config: ClientConfig, seed: &[u8]) -> Self {
        Self {
            config,
            nonces: NonceSource::new(seed),
            client_nonce: Vec::new(),
            server_nonce: Vec::new(),
            phase: Phase::Idle,
            session_id: String::new(),
            msg_id: 0,
            server_max_msg: None,
            server_max_obj: None,
            resp_uri: None,
            accepted: false,
            auth_retries: 0,
            server_authenticated: false,
            pkg1: Vec::new(),
            outbox: Outbox::default(),
            ready: Ready::default(),
            hdr_status: None,
            sealed: None,
            ask_more: false,
            may_final: true,
            reply_due: false,
            incoming: None,
            events: VecDeque::new(),
            glue: Vec::new(),
            kept_header: None,
        }
    }

    /// The settings.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// The nonce the server issued to this client (stored between sessions, DMAcc
    /// `AAuthData` of the CLCRED entry).
    pub fn client_nonce(&self) -> &[u8] {
        &self.client_nonce
    }

    /// Sets the nonce for the client's next credentials.
    pub fn set_client_nonce(&mut self, nonce: &[u8]) {
        if self.config.client_credentials.is_some() && !self.accepted {
            // The encoded next message's Cred was made over the old nonce: it is encoded
            // again when sent. Our own bytes decode; if they did not, it keeps the old Cred.
            let _ = self.unseal();
        }
        self.client_nonce = nonce.to_vec();
    }

    /// The nonce this client issued to the server (for the server's Cred and package 0).
    pub fn server_nonce(&self) -> &[u8] {
        &self.server_nonce
    }

    /// Sets the nonce the server must use next.
    pub fn set_server_nonce(&mut self, nonce: &[u8]) {
        self.server_nonce = nonce.to_vec();
    }

    /// The current SessionID (empty before the first session).
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// Whether a session is running.
    pub fn is_active(&self) -> bool {
        self.phase == Phase::Running
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Starts a client-initiated session (Alert 1201) with DevInfo and any queued Generic
    /// Alerts. `session_id` is the client's choice.
    pub fn start(&mut self, tree: &mut Tree, session_id: &str) {
        self.begin(tree, session_id.to_owned(), AlertCode::ClientInitiatedMgmt);
    }

    /// Verifies a package 0 and, if its digest is good, starts the session it announces
    /// (Alert 1200 with its session id). A bad digest starts nothing. The stored server
    /// nonce is tried first, then both resync forms (4 zero bytes, ASCII `0x00000000`).
    pub fn handle_notification(
        &mut self,
        tree: &mut Tree,
        pkg0: &[u8],
    ) -> Result<UiMode, SessionError> {
        let note = Notification::decode(pkg0).map_err(|e| SessionError::Package0(e.to_string()))?;
        if note.server_id != self.config.server_id {
            return Err(SessionError::UnknownServer(note.server_id.into_owned()));
        }
        let Some(creds) = self.config.server_credentials.as_ref() else {
            return Err(SessionError::BadDigest);
        };
        let pw = creds.password.as_bytes();
        let nonce = if note.verify(pkg0, pw, &self.server_nonce) {
            self.server_nonce.clone()
        } else if let Some(n) = RESYNC_NONCES.iter().find(|n| note.verify(pkg0, pw, n)) {
            // Resync: both sides run this session on the resync nonce and issue fresh ones.
            self.client_nonce = n.to_vec();
            n.to_vec()
        } else {
            return Err(SessionError::BadDigest);
        };
        self.server_nonce = nonce;
        let ui = note.ui_mode;
        self.begin(tree, note.session_id_hex(), AlertCode::ServerInitiatedMgmt);
        Ok(ui)
    }

    fn begin(&mut self, tree: &mut Tree, session_id: String, alert: AlertCode) {
        self.phase = Phase::Running;
        self.session_id = session_id;
        self.msg_id = 0;
        self.server_max_msg = None;
        self.server_max_obj = None;
        self.resp_uri = None;
        self.accepted = false;
        self.auth_retries = 0;
        self.server_authenticated = false;
        self.outbox = Outbox::default();
        self.ready = Ready::default();
        self.sealed = None;
        self.hdr_status = None;
        self.ask_more = false;
        self.may_final = true;
        self.incoming = None;
        let mut pkg1 = vec![Cmd::alert(alert, Vec::new())];
        let items: Vec<OutItem> = self
            .config
            .dev_info
            .iter()
            .filter_map(|uri| {
                let out = tree.execute_local(&Op::get(uri));
                let data = out.results.into_iter().next()?.data?;
                Some(OutItem::source(uri.clone()).with_data(Payload::from_bytes(data)))
            })
            .collect();
        if !items.is_empty() {
            pkg1.push(Cmd::Item {
                kind: crate::wire::ItemKind::Replace,
                meta: None,
                correlator: None,
                items,
            });
        }
        pkg1.extend(drain_alerts(tree));
        for c in &pkg1 {
            self.outbox.push(0, c.clone());
        }
        self.pkg1 = pkg1;
        self.reply_due = true;
        self.events.push_back(ClientEvent::SessionStarted {
            session_id: self.session_id.clone(),
            alert: alert.code(),
        });
    }

    /// Takes one server message (the HTTP response body and its `x-syncml-hmac` header
    /// value). The message is decoded and validated whole first: on error nothing is
    /// applied to the tree and the engine state is unchanged.
    pub fn handle_incoming(
        &mut self,
        tree: &mut Tree,
        ui: &mut dyn UserInteraction,
        body: &[u8],
        hmac: Option<&str>,
    ) -> Result<(), SessionError> {
        if self.phase != Phase::Running {
            return Err(SessionError::NotRunning);
        }
        // Integrity first: a tampered body is not even parsed.
        if let Some(c) = &self.config.server_credentials {
            if c.auth_type == AuthType::Hmac
                && !hmac.is_some_and(|h| c.verify_hmac(h, &self.server_nonce, body))
            {
                return Err(SessionError::Hmac);
            }
        }
        let limits = self.config.limits.limits(self.config.max_msg_size);
        let msg = syncml_codec::decode_as(body, syncml_codec::detect(body), &limits)
            .map_err(SessionError::Decode)?;
        validate(&msg, Some(&self.session_id), true)?;
        // Replies to an earlier message not sent yet are taken back into codec form first.
        self.unseal()?;
        // Everything below may change state: the message is known to be well-formed.
        self.reply_due = false;
        self.ask_more = false;
        self.glue.clear();
        // Shared by every Status and Results of the reply.
        let msg_ref = &Cow::Borrowed(&*msg.header.msg_id);
        if let Some(meta) = &msg.header.meta {
            if meta.max_msg_size.is_some() {
                self.server_max_msg = meta.max_msg_size;
            }
            if meta.max_obj_size.is_some() {
                self.server_max_obj = meta.max_obj_size;
            }
        }
        if let Some(r) = msg.header.resp_uri.as_deref() {
            if self.resp_uri.as_deref() != Some(r) {
                self.resp_uri = Some(r.to_owned());
            }
        }

        // Statuses for what we sent, the SyncHdr one first.
        let mut restart = false;
        let mut more_requested = false;
        for c in &msg.body.commands {
            let Command::Status(s) = c else { continue };
            if s.cmd_ref == "0" {
                restart |= self.on_header_status(s)?;
            } else {
                let code = s.code.code();
                if self.outbox.chunking.is_some() && code != 213 && code != 200 {
                    self.outbox.chunking = None;
                }
                if s.cmd != "Results" || code >= 300 {
                    self.events.push_back(ClientEvent::Status {
                        cmd: crate::wire::shared(&s.cmd),
                        cmd_ref: crate::wire::shared(&s.cmd_ref),
                        code,
                    });
                }
            }
        }
        if restart {
            // Challenged: package 1 again, with credentials over the new nonce.
            self.outbox = Outbox::default();
            self.ready = Ready::default();
            self.sealed = None;
            for c in &self.pkg1 {
                self.outbox.push(0, c.clone());
            }
            self.hdr_status = None;
            self.may_final = true;
            self.reply_due = true;
            return Ok(());
        }

        let (hdr_code, chal) = self.check_server(&msg);
        let hdr = HdrAnswer::new(&msg, hdr_code, chal);
        let server_ok = hdr_code < 300;
        let mut mgmt = false;
        // Borrowed from the message: encoded before it goes when they fit in one message.
        let mut replies = Replies::new(&msg.header.msg_id, msg.body.commands.len() + 1);
        // Borrowed by every command below; put back before returning.
        let server = std::mem::take(&mut self.config.server_id);
        for c in &msg.body.commands {
            if matches!(c, Command::Status(_) | Command::Results(_)) {
                continue;
            }
            mgmt = true;
            if !server_ok {
                replies.push(status_for(c, msg_ref, 215));
                continue;
            }
            if let Command::Alert(a) = c {
                match a.code {
                    AlertCode::NextMessage => {
                        more_requested = true;
                        replies.push(status_for(c, msg_ref, 200));
                        continue;
                    }
                    AlertCode::SessionAbort => {
                        self.config.server_id = server;
                        self.phase = Phase::Finished;
                        self.outbox = Outbox::default();
                        self.ready = Ready::default();
                        self.sealed = None;
                        self.events.push_back(ClientEvent::Aborted);
                        return Ok(());
                    }
                    AlertCode::NoEndOfData => {
                        self.outbox.chunking = None;
                        replies.push(status_for(c, msg_ref, 200));
                        continue;
                    }
                    _ => {}
                }
            }
            self.interrupt_unless_continued(c, &mut replies);
            self.execute(tree, ui, &server, c, msg_ref, &mut replies);
        }
        self.config.server_id = server;
        if msg.body.final_flag {
            if let Some(asm) = self.incoming.take() {
                replies.push(interrupted(&asm));
                self.events
                    .push_back(ClientEvent::LargeObjectInterrupted { uri: asm.uri });
            }
        }
        for alert in drain_alerts(tree) {
            replies.push(to_reply(&alert));
        }
        let has_replies = !replies.is_empty();
        let glue = std::mem::take(&mut self.glue);
        let challenged = hdr_code == 401 || hdr_code == 407;
        if msg.body.final_flag
            && !mgmt
            && !challenged
            && !has_replies
            && self.outbox.is_empty()
            && self.ready.is_empty()
        {
            // Nothing but a SyncHdr Status to say: the session is over (omadm.md §2).
            self.phase = Phase::Finished;
            self.events.push_back(ClientEvent::Finished);
            return Ok(());
        }
        self.may_final = msg.body.final_flag || more_requested;
        self.ask_more = !msg.body.final_flag && !more_requested;
        self.reply_due = true;
        let (replies, glue) = if self.outbox.is_empty() && self.ready.is_empty() {
            // The common case: the whole reply is encoded now, while the message it
            // borrows from is here; when it does not fit in one message it goes on below.
            match self.seal(hdr, replies, glue) {
                Ok(()) => return Ok(()),
                Err(back) => *back,
            }
        } else {
            self.hdr_status = Some(HdrStatus(hdr.into_status()));
            (replies, glue)
        };
        if self.outbox.is_empty() {
            // Nothing queued before them: they stay in codec form, after any replies to an
            // earlier message not sent yet.
            let mut replies: Vec<Reply> = replies
                .into_filled()
                .into_iter()
                .map(Command::into_owned)
                .collect();
            if self.ready.is_empty() {
                self.ready = Ready {
                    cmds: replies,
                    glue,
                };
            } else {
                let base = self.ready.cmds.len();
                self.ready
                    .glue
                    .extend(glue.iter().map(|&(a, b)| (a + base, b + base)));
                self.ready.cmds.append(&mut replies);
            }
        } else {
            std::mem::take(&mut self.ready).into_outbox(&mut self.outbox);
            queue_owned(&mut self.outbox, &replies.into_filled(), &glue);
        }
        Ok(())
    }

    /// Encodes the reply to the server's latest message (the SyncHdr Status, a 1222 when
    /// more is asked for, then `replies`) as the next message, when it fits in one;
    /// otherwise keeps the SyncHdr Status for the next message and gives the replies back
    /// (numbered) with their glue.
    #[allow(
        clippy::type_complexity,
        reason = "the error hands back what the caller queues instead"
    )]
    fn seal<'m>(
        &mut self,
        hdr: HdrAnswer<'m>,
        mut replies: Replies<'m>,
        glue: Vec<(usize, usize)>,
    ) -> Result<(), Box<(Replies<'m>, Vec<(usize, usize)>)>> {
        let max = self
            .server_max_msg
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(usize::MAX);
        let final_flag = self.may_final && !self.ask_more;
        let msg_id = self.msg_id.saturating_add(1);
        let encoding = self.config.encoding.encoding();
        let kept = self
            .keep_header()
            .then(|| self.kept_header.as_ref().map(KeptHeader::encoded))
            .flatten();
        let mut ask_more = self
            .ask_more
            .then(|| Command::alert(Cow::Borrowed(""), AlertCode::NextMessage, List::new()));
        let n_fixed = 1 + usize::from(ask_more.is_some());
        let body =
            Vec::with_capacity(max.min(OUT_GUESS.saturating_mul(n_fixed + replies.len() + 2)));
        let encoded = (|| {
            let mut enc = match kept {
                Some(h) => syncml_codec::MessageEncoder::begin_with_header(
                    h,
                    &crate::wire::cmd_id(msg_id),
                    body,
                ),
                None => syncml_codec::MessageEncoder::begin(&self.header(msg_id), encoding, body),
            }
            .ok()?;
            let mut next = 1u32;
            enc.answer(&hdr.answer(next, &hdr.refs())).ok()?;
            if let Some(alert) = &mut ask_more {
                number(alert, &mut next);
                enc.command(alert).ok()?;
            }
            replies.encode(enc, next, max, final_flag)
        })();
        if let Some(body) = encoded {
            self.sealed = Some(Sealed {
                body,
                final_flag,
                n_fixed,
                glue,
            });
            return Ok(());
        }
        self.hdr_status = Some(HdrStatus(hdr.into_status()));
        Err(Box::new((replies, glue)))
    }

    /// Keeps this session's header encoded while it holds no Cred (sent only until the
    /// server accepts the client); whether `kept_header` is this session's.
    fn keep_header(&mut self) -> bool {
        if !self.accepted && self.config.client_credentials.is_some() {
            return false;
        }
        KeptHeader::keep(
            &mut self.kept_header,
            &self.session_id,
            &self.config.server_uri,
            self.config.encoding.encoding(),
            || {
                header(
                    &self.config,
                    &self.session_id,
                    self.accepted,
                    &self.client_nonce,
                    0,
                )
            },
        )
    }

    /// Takes an encoded reply not sent yet back into codec form (the SyncHdr Status and
    /// the ready replies), as it was before it was encoded.
    fn unseal(&mut self) -> Result<(), SessionError> {
        let Some(sealed) = self.sealed.take() else {
            return Ok(());
        };
        // The engine's own output: trusted, decoded without limits.
        let msg = match syncml_codec::decode_as(
            &sealed.body,
            self.config.encoding.encoding(),
            &syncml_codec::Limits::unlimited(),
        ) {
            Ok(m) => m,
            Err(e) => {
                self.sealed = Some(sealed);
                return Err(SessionError::Decode(e));
            }
        };
        let mut cmds = msg.body.commands.into_iter();
        if let Some(Command::Status(st)) = cmds.next() {
            self.hdr_status = Some(HdrStatus(st.into_owned()));
        }
        self.ready = Ready {
            cmds: cmds
                .skip(sealed.n_fixed.saturating_sub(1))
                .map(Command::into_owned)
                .collect(),
            glue: sealed.glue,
        };
        Ok(())
    }

    /// Handles the Status for our SyncHdr; returns whether package 1 must be sent again.
    fn on_header_status(&mut self, s: &Status<'_>) -> Result<bool, SessionError> {
        let nonce = s
            .chal
            .as_ref()
            .and_then(|c| c.meta.next_nonce.as_deref())
            .map(decode_nonce);
        let chal_type = s
            .chal
            .as_ref()
            .and_then(|c| c.meta.mime_type.as_deref())
            .and_then(AuthType::from_meta_type);
        if let Some(n) = &nonce {
            self.client_nonce.clone_from(n);
        }
        match s.code.code() {
            212 => {
                if !self.accepted {
                    self.events.push_back(ClientEvent::Authenticated);
                }
                self.accepted = true;
                Ok(false)
            }
            401 | 407 => {
                self.auth_retries = self.auth_retries.saturating_add(1);
                if let (Some(t), Some(c)) = (chal_type, self.config.client_credentials.as_mut()) {
                    c.auth_type = t;
                }
                if self.auth_retries > 2 || self.config.client_credentials.is_none() {
                    self.phase = Phase::Finished;
                    self.events.push_back(ClientEvent::AuthenticationFailed);
                    return Err(SessionError::AuthenticationFailed);
                }
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The code for the server's SyncHdr: its credentials checked (212/401/407), or 200.
    fn check_server(&mut self, msg: &Message<'_>) -> (u16, Option<MetaInfo>) {
        let Some(creds) = self.config.server_credentials.clone() else {
            return (200, None);
        };
        if creds.auth_type == AuthType::Hmac {
            // Verified before anything ran; a new nonce for every message (omadm.md §3.2).
            self.server_authenticated = true;
            return (200, Some(self.fresh_chal(AuthType::Hmac)));
        }
        if self.server_authenticated {
            return (200, None);
        }
        let Some(cred) = &msg.header.cred else {
            self.events
                .push_back(ClientEvent::ServerAuthenticationFailed { code: 407 });
            return (407, Some(self.fresh_chal(creds.auth_type)));
        };
        let t = cred
            .meta
            .as_ref()
            .and_then(|m| m.mime_type.as_deref())
            .and_then(AuthType::from_meta_type)
            .unwrap_or(AuthType::Basic);
        if creds.verify_cred(t, &cred.data, &self.server_nonce) {
            self.server_authenticated = true;
            self.events.push_back(ClientEvent::ServerAuthenticated);
            // The Chal with 212 is for the next session.
            (212, Some(self.fresh_chal(creds.auth_type)))
        } else {
            self.events
                .push_back(ClientEvent::ServerAuthenticationFailed { code: 401 });
            (401, Some(self.fresh_chal(creds.auth_type)))
        }
    }

    fn fresh_chal(&mut self, t: AuthType) -> MetaInfo {
        let n = self.nonces.next_nonce();
        self.server_nonce = n.to_vec();
        MetaInfo {
            format: Some("b64".into()),
            mime: t.meta_type().map(str::to_owned),
            next_nonce: Some(syncml_codec::auth::b64(&n)),
            ..MetaInfo::default()
        }
    }

    /// A pending large object is interrupted by any command that does not continue it.
    fn interrupt_unless_continued(&mut self, c: &Command<'_>, replies: &mut Replies<'_>) {
        let Some(asm) = &self.incoming else { return };
        let continues = match c {
            Command::Add(x) | Command::Replace(x) => {
                c.name() == asm.cmd
                    && x.items
                        .first()
                        .and_then(|i| i.target.as_ref())
                        .is_some_and(|t| t.loc_uri == asm.uri)
            }
            _ => false,
        };
        if !continues {
            if let Some(asm) = self.incoming.take() {
                replies.push(interrupted(&asm));
                self.events
                    .push_back(ClientEvent::LargeObjectInterrupted { uri: asm.uri });
            }
        }
    }

    #[allow(
        clippy::too_many_arguments,
        clippy::ptr_arg,
        reason = "the MsgRef is cloned into each Status, which copies a borrowed Cow for free"
    )]
    fn execute<'m>(
        &mut self,
        tree: &mut Tree,
        ui: &mut dyn UserInteraction,
        server: &str,
        c: &'m Command<'_>,
        msg_ref: &Cow<'m, str>,
        out: &mut Replies<'m>,
    ) -> Outcome {
        match c {
            Command::Add(x) | Command::Replace(x) | Command::Delete(x) | Command::Copy(x) => {
                let kind = match c {
                    Command::Add(_) => dm_tree::Command::Add,
                    Command::Replace(_) => dm_tree::Command::Replace,
                    Command::Delete(_) => dm_tree::Command::Delete,
                    _ => dm_tree::Command::Copy,
                };
                if matches!(c, Command::Add(_) | Command::Replace(_))
                    && (self.incoming.is_some() || x.items.last().is_some_and(|i| i.more_data))
                {
                    return self.chunk(tree, server, kind, c, x, msg_ref, out);
                }
                let mut code = 200;
                let mut items = Vec::new();
                for item in &x.items {
                    let target = item.target.as_ref().map_or("", |t| &t.loc_uri);
                    let data = item.data.as_ref().map(ItemData::of);
                    let mut op = op_for(kind, target, item, x.meta.as_deref());
                    op.data = data.as_ref().map(ItemData::op);
                    // Only a failed Add names a node besides its code (the ancestor it
                    // could not create); the others' status alone comes back.
                    let (status, failed_uri) = if kind == dm_tree::Command::Add {
                        let r = tree.execute(server, &op);
                        (r.status, r.failed_uri)
                    } else {
                        (tree.execute_status(server, &op), None)
                    };
                    if !status.is_success() && code < 300 {
                        code = status.0;
                        if let Some(u) = failed_uri {
                            items.push(Item::target(u));
                        }
                    }
                }
                let failed = code >= 300;
                out.push_answer(c, code, items);
                if failed {
                    Outcome::Failed
                } else {
                    Outcome::Done
                }
            }
            Command::Get(x) => {
                let mut code = 200;
                let first = out.results.len();
                let items = &mut out.results;
                for item in &x.items {
                    let target = item.target.as_ref().map_or("", |t| &t.loc_uri);
                    let status = tree.get_each(server, target, |r| {
                        // The Get's own target is the source of its result: borrowed.
                        let source = if r.source == target {
                            Cow::Borrowed(target)
                        } else {
                            Cow::Owned(r.source.into_owned())
                        };
                        let mut oi = Item::source(source);
                        // A plain `chr` leaf goes without Meta (the default format).
                        let format = r.format.name();
                        if format != "chr" || r.mime.is_some() {
                            oi.meta = Some(Box::new(Meta {
                                format: Some(syncml_codec::Format::parse(Cow::Borrowed(format))),
                                mime_type: r.mime.map(|m| Cow::Owned(m.into_owned())),
                                ..Meta::default()
                            }));
                        }
                        oi.data = r.data.map(data_from_bytes);
                        items.push(oi);
                    });
                    if !status.is_success() && code < 300 {
                        code = status.0;
                    }
                }
                let ok = code < 300;
                out.push_answer(c, code, Vec::new());
                let last = out.results.len();
                if ok && last > first {
                    out.push_results(c, first..last);
                } else {
                    out.results.truncate(first);
                }
                if ok {
                    Outcome::Done
                } else {
                    Outcome::Failed
                }
            }
            Command::Exec(x) => {
                let mut code = 200;
                for item in &x.items {
                    let target = item.target.as_ref().map_or("", |t| &t.loc_uri);
                    let data = item.data.as_ref().map(ItemData::of);
                    let mut op = op_for(dm_tree::Command::Exec, target, item, x.meta.as_deref());
                    op.data = data.as_ref().map(ItemData::op);
                    op.correlator = x.correlator.as_deref();
                    let status = tree.execute_status(server, &op);
                    if code < 300 && (status.0 != 200 || code == 200) {
                        code = status.0;
                    }
                }
                let failed = code >= 300;
                out.push_answer(c, code, Vec::new());
                if failed {
                    Outcome::Failed
                } else {
                    Outcome::Done
                }
            }
            Command::Alert(a) => {
                let Some(kind) = UiKind::from_code(a.code) else {
                    out.push(status_for(c, msg_ref, 406));
                    return Outcome::Failed;
                };
                let text = |i: usize| {
                    a.items
                        .get(i)
                        .and_then(|it| it.data.as_ref())
                        .and_then(Data::as_text)
                        .unwrap_or_default()
                };
                let request = UiRequest {
                    kind,
                    text: text(1),
                    choices: (2..a.items.len()).map(text).collect(),
                    options: a.ui_options().unwrap_or_default(),
                };
                let answer = ui.interact(&request);
                let mut items = Vec::new();
                let mut code = 200;
                let outcome = match answer {
                    UiResponse::Ok => Outcome::Done,
                    UiResponse::No => {
                        code = 304;
                        Outcome::Rejected
                    }
                    UiResponse::Text(mut t) => {
                        if let Some(max) = request.options.max_len {
                            let max = usize::try_from(max).unwrap_or(usize::MAX);
                            if let Some((i, _)) = t.char_indices().nth(max) {
                                t.truncate(i);
                            }
                        }
                        items.push(Item::data_only(t));
                        Outcome::Done
                    }
                    UiResponse::Choices(v) => {
                        let n = request.choices.len();
                        let valid = v.iter().all(|&i| i >= 1 && (i as usize) <= n)
                            && (kind != UiKind::SingleChoice || v.len() == 1);
                        if valid {
                            for i in v {
                                items.push(Item::data_only(i.to_string()));
                            }
                            Outcome::Done
                        } else {
                            code = 416;
                            Outcome::Failed
                        }
                    }
                    UiResponse::Cancelled => {
                        code = 214;
                        Outcome::Rejected
                    }
                    UiResponse::Timeout => {
                        code = 408;
                        Outcome::Failed
                    }
                    UiResponse::NotSupported => {
                        code = 406;
                        Outcome::Failed
                    }
                };
                out.push_answer(c, code, items);
                outcome
            }
            Command::Sequence(seq) => {
                // In order; the first member that fails (or a 1101 answered "no", or a
                // cancelled alert) aborts the rest, which get 215; the Sequence itself got
                // going, so it gets 200 (omadm.md §1.2, §1.5).
                out.push(status_for(c, msg_ref, 200));
                let mut aborted = false;
                for inner in &seq.commands {
                    if aborted {
                        out.push(status_for(inner, msg_ref, 215));
                        continue;
                    }
                    aborted = self.execute(tree, ui, server, inner, msg_ref, out) != Outcome::Done;
                }
                Outcome::Done
            }
            Command::Atomic(atomic) => {
                let snapshot = tree.snapshot();
                let head = out.len();
                out.push(status_for(c, msg_ref, 200));
                let mut failed_at = None;
                for (k, inner) in atomic.commands.iter().enumerate() {
                    let before = out.len();
                    let r = self.execute(tree, ui, server, inner, msg_ref, out);
                    if r != Outcome::Done {
                        failed_at = Some((k, before));
                        break;
                    }
                }
                let mut snapshot = Some(snapshot);
                if let Some((k, failed_start)) = failed_at {
                    if let Some(s) = snapshot.take() {
                        tree.restore(s);
                    }
                    // Members run before the failure were rolled back: 216; the failure
                    // keeps its code; the rest never ran: 215; the Atomic itself: 507.
                    for i in head + 1..failed_start {
                        out.recode(i, |code| if code < 300 { 216 } else { code });
                    }
                    for inner in atomic.commands.iter().skip(k + 1) {
                        out.push(status_for(inner, msg_ref, 215));
                    }
                    out.recode(head, |_| 507);
                }
                // The responses of an Atomic go in one message (they are glued in the
                // outbox); when they cannot fit in one under the server's MaxMsgSize the
                // Atomic is rolled back and answered 517 alone (omadm.md §1.4, §2).
                if !self.responses_fit(&out.filled_from(head)) {
                    if let Some(s) = snapshot.take() {
                        tree.restore(s);
                    }
                    out.truncate(head);
                    out.push(status_for(c, msg_ref, 517));
                    return Outcome::Failed;
                }
                self.glue.push((head, out.len()));
                if failed_at.is_some() {
                    Outcome::Failed
                } else {
                    Outcome::Done
                }
            }
            _ => Outcome::Done,
        }
    }

    /// A piece of a command carrying a large object (omadm.md §2): 213 until the object
    /// is whole; then the command runs on all its items (those before and after the large
    /// one included) as one unit — all or nothing — or gets 424 when the size does not
    /// match the announced one.
    #[allow(
        clippy::too_many_arguments,
        clippy::ptr_arg,
        reason = "the MsgRef is cloned into each Status, which copies a borrowed Cow for free"
    )]
    fn chunk<'m>(
        &mut self,
        tree: &mut Tree,
        server: &str,
        kind: dm_tree::Command,
        c: &'m Command<'_>,
        x: &ItemCommand<'_>,
        msg_ref: &Cow<'m, str>,
        out: &mut Replies<'m>,
    ) -> Outcome {
        let mut status = status_cmd(c, msg_ref, 213);
        let mut pending = self.incoming.take();
        let mut done = pending
            .as_mut()
            .map(|a| std::mem::take(&mut a.done))
            .unwrap_or_default();
        let cmd_meta = x
            .meta
            .as_deref()
            .map(MetaInfo::from_meta)
            .unwrap_or_default();
        let fail = |out: &mut Replies<'m>, mut status: Status<'m>, code: u16| {
            status.code = StatusCode::from_code(code);
            out.push(Command::Status(status));
            Outcome::Failed
        };
        for item in &x.items {
            let bytes = item.data.as_ref().map(data_bytes).unwrap_or_default();
            let uri = item.target.as_ref().map_or("", |t| &t.loc_uri);
            let mut asm = match pending.take() {
                Some(asm) => asm,
                None => {
                    let mut meta = cmd_meta.clone();
                    if let Some(m) = &item.meta {
                        let im = MetaInfo::from_meta(m);
                        meta.format = im.format.or(meta.format);
                        meta.mime = im.mime.or(meta.mime);
                        meta.size = im.size.or(meta.size);
                    }
                    let text = !matches!(item.data, Some(Data::Opaque(_)));
                    if !item.more_data {
                        // A whole item of the command.
                        meta.size = None;
                        let mut oi = OutItem::target(uri).with_meta(meta);
                        oi.data = Some(if text {
                            Payload::from_bytes(bytes.into_owned())
                        } else {
                            Payload::Opaque(bytes.into_owned())
                        });
                        done.push(oi);
                        continue;
                    }
                    let Some(size) = meta.size else {
                        return fail(out, status, 412);
                    };
                    if size > self.config.max_obj_size {
                        return fail(out, status, 413);
                    }
                    Assembly {
                        cmd: c.name().to_owned(),
                        uri: uri.to_owned(),
                        size: Some(size),
                        text,
                        first: OutItem::target(uri).with_meta(MetaInfo {
                            size: None,
                            ..meta.clone()
                        }),
                        meta,
                        data: Vec::new(),
                        done: Vec::new(),
                    }
                }
            };
            asm.data.extend_from_slice(&bytes);
            if asm.size.is_some_and(|s| asm.data.len() as u64 > s) {
                return fail(out, status, 424);
            }
            if item.more_data {
                // Validation keeps MoreData on the last item: wait for the next chunk.
                asm.done = done;
                self.incoming = Some(asm);
                out.push(Command::Status(status));
                return Outcome::Done;
            }
            let (mut whole, data) = asm.finish();
            match data {
                Err(code) => return fail(out, status, code),
                Ok(p) => {
                    whole.data = Some(p);
                    done.push(whole);
                }
            }
        }
        // Everything is here: run the command on all its items, as one unit.
        status.code = StatusCode::from_code(200);
        status.target_refs = done
            .iter()
            .filter_map(|i| Some(Cow::Owned(i.target.clone()?)))
            .collect();
        let snapshot = (done.len() > 1).then(|| tree.snapshot());
        for item in &done {
            let meta = item.meta.as_ref();
            let mut op = Op::new(kind, item.target.as_deref().unwrap_or_default());
            op.format = meta
                .and_then(|m| m.format.as_deref())
                .and_then(Format::from_name);
            op.mime = meta.and_then(|m| m.mime.as_deref());
            op.data = item.data.as_ref().map(|p| match p {
                Payload::Text(t) => OpData::Text(t),
                Payload::Opaque(b) => OpData::Bytes(b),
            });
            let r = tree.execute(server, &op);
            if !r.status.is_success() {
                status.code = StatusCode::from_code(r.status.0);
                if let Some(u) = r.failed_uri {
                    status.items.push(Item::target(u));
                }
                break;
            }
        }
        let failed = status.code.code() >= 300;
        if failed {
            if let Some(s) = snapshot {
                tree.restore(s);
            }
        }
        out.push(Command::Status(status));
        if failed {
            Outcome::Failed
        } else {
            Outcome::Done
        }
    }

    /// The SyncHdr of the client's message `msg_id`.
    fn header(&self, msg_id: u32) -> Message<'_> {
        header(
            &self.config,
            &self.session_id,
            self.accepted,
            &self.client_nonce,
            msg_id,
        )
    }

    /// Whether `cmds` fit in one message to the server (with a SyncHdr Status, a 1222 and
    /// room for a challenge), under the server's MaxMsgSize.
    fn responses_fit(&self, cmds: &[Command<'_>]) -> bool {
        let Some(max) = self.server_max_msg.and_then(|m| usize::try_from(m).ok()) else {
            return true;
        };
        let mut hdr = StatusCmd::new("999", "0", "SyncHdr", 212);
        hdr.target_refs.push(self.config.device_id.clone());
        hdr.source_refs.push(self.config.server_uri.clone());
        let fixed = [
            Cmd::Status(hdr),
            Cmd::alert(AlertCode::NextMessage, Vec::new()),
        ];
        let mut msg = self.header(self.msg_id.saturating_add(1));
        let mut next = 0u32;
        let mut ids = Vec::new();
        msg.body.commands = fixed
            .iter()
            .map(|c| c.to_command(&mut next, &mut ids))
            .collect();
        for c in cmds {
            let mut c = c.clone();
            number(&mut c, &mut next);
            msg.body.commands.push(c);
        }
        msg.encoded_len(self.config.encoding.encoding())
            .is_ok_and(|len| len.saturating_add(RESPONSE_SLACK) <= max)
    }

    /// `body` as the HTTP request that carries it: the HMAC header when the client signs
    /// its messages, to the latest RespURI or else the server's address.
    fn transmit(&self, body: Vec<u8>, final_flag: bool) -> Transmit {
        let hmac = self
            .config
            .client_credentials
            .as_ref()
            .filter(|c| c.auth_type == AuthType::Hmac)
            .map(|c| c.hmac_header(&self.client_nonce, &body));
        Transmit {
            body,
            hmac,
            uri: self
                .resp_uri
                .clone()
                .unwrap_or_else(|| self.config.server_uri.clone()),
            content_type: self.config.encoding.content_type(),
            final_flag,
        }
    }

    /// The next message to send, if one is due: one per server message (HTTP exchange).
    pub fn poll_transmit(&mut self) -> Result<Option<Transmit>, SessionError> {
        if !self.reply_due || self.phase != Phase::Running {
            return Ok(None);
        }
        self.msg_id = self.msg_id.saturating_add(1);
        if let Some(sealed) = self.sealed.take() {
            self.reply_due = false;
            return Ok(Some(self.transmit(sealed.body, sealed.final_flag)));
        }
        let keep_header = self.keep_header();
        let header = header(
            &self.config,
            &self.session_id,
            self.accepted,
            &self.client_nonce,
            self.msg_id,
        );
        let encoded_header = self
            .kept_header
            .as_ref()
            .filter(|_| keep_header)
            .map(KeptHeader::encoded);
        let mut ready = std::mem::take(&mut self.ready);
        // The SyncHdr Status and a 1222 go first in any case; the ready replies follow them.
        let mut fixed: Vec<Reply> = Vec::with_capacity(2);
        if let Some(h) = self.hdr_status.take() {
            fixed.push(Command::Status(h.0));
        }
        if self.ask_more {
            fixed.push(Command::alert(
                Cow::Borrowed(""),
                AlertCode::NextMessage,
                List::new(),
            ));
        }
        let max = self
            .server_max_msg
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(usize::MAX);
        let encoding = self.config.encoding.encoding();
        let allow_final = self.may_final && !self.ask_more;
        if !self.outbox.is_empty() {
            // Sent after what waits in the outbox (never the case: they are kept apart only
            // while the outbox is empty).
            std::mem::take(&mut ready).into_outbox(&mut self.outbox);
        }
        // The fixed commands and what waits in the outbox, as the outbox packs them.
        let pack = |outbox: &mut Outbox, message: &Message<'_>, fixed: &[Command<'_>]| {
            let fixed: Vec<Cmd> = fixed.iter().filter_map(Cmd::from_command).collect();
            let header = PackHeader {
                message,
                encoded: encoded_header,
            };
            outbox.pack(header, &fixed, max, encoding, allow_final, true)
        };
        let packed = if ready.is_empty() {
            pack(&mut self.outbox, &header, &fixed)?
        } else {
            match send_ready(header, fixed, ready, max, encoding, allow_final) {
                Ok(packed) => packed,
                Err((fixed, cmds, glue)) => {
                    // Too large for one message (or not encodable): packed like any
                    // queued command, split over messages where needed.
                    queue_owned(&mut self.outbox, &cmds, &glue);
                    drop(cmds);
                    let header = self::header(
                        &self.config,
                        &self.session_id,
                        self.accepted,
                        &self.client_nonce,
                        self.msg_id,
                    );
                    pack(&mut self.outbox, &header, &fixed)?
                }
            }
        };
        self.reply_due = false;
        Ok(Some(self.transmit(packed.body, packed.final_flag)))
    }
}

/// One message of `fixed` and the `ready` replies as they are, when it encodes within `max`
/// bytes; otherwise the replies back (in codec form, numbered) and their glue.
#[allow(
    clippy::type_complexity,
    reason = "the error hands back what the caller queues instead"
)]
fn send_ready<'h>(
    header: Message<'h>,
    fixed: Vec<Reply>,
    ready: Ready,
    max: usize,
    encoding: syncml_codec::Encoding,
    allow_final: bool,
) -> Result<Packed, (Vec<Command<'h>>, Vec<Command<'h>>, Vec<(usize, usize)>)> {
    let mut msg = header;
    let mut next = 0u32;
    let mut cmds = ready.cmds;
    msg.body.commands = fixed;
    for c in msg.body.commands.iter_mut().chain(&mut cmds) {
        number(c, &mut next);
    }
    msg.body.final_flag = allow_final;
    let mut body = Vec::with_capacity(max.min(OUT_GUESS.saturating_mul(next as usize + 2)));
    // The replies are encoded where they are, after the fixed commands: moving hundreds of
    // commands into the message's vector costs more than encoding some of them.
    if syncml_codec::encode_with_tail(&msg, &cmds, encoding, &mut body).is_ok() && body.len() <= max
    {
        return Ok(Packed {
            body,
            final_flag: allow_final,
            sent: Vec::new(),
        });
    }
    Err((msg.body.commands, cmds, ready.glue))
}

/// The replies to one server message, in codec form. A Status answering a command is kept
/// as that command and a code: its MsgRef, CmdRef, Cmd and TargetRefs/SourceRefs come from
/// the server's message when it is encoded ([`syncml_codec::Answer`]) or when the replies
/// are kept ([`Replies::into_filled`]): a reply costs no allocation of its own, and is
/// small to move.
struct Replies<'m> {
    /// The MsgID of the server's message: the MsgRef of every answer.
    msg_ref: &'m str,
    cmds: Vec<Entry<'m>>,
    /// The items of the Results, each entry's a range of them: kept apart so that an entry
    /// stays small (40 bytes) and quick to write, where an inline item would make every
    /// entry 160 bytes; the one item of a message with one Get needs no allocation.
    results: List<Item<'m>>,
}

/// A reply's status code kept as one word: a `StatusCode` is two halves stored apart, and the
/// entry's copy into the list, reading them back as one, waited for both stores to retire.
#[derive(Clone, Copy)]
struct Code(u64);

impl Code {
    fn new(code: u16) -> Self {
        Self(u64::from(code))
    }

    fn get(self) -> StatusCode {
        StatusCode::from_code(u16::try_from(self.0).unwrap_or(u16::MAX))
    }
}

/// One reply.
enum Entry<'m> {
    /// The Status answering `of`, with its code and items.
    Answer {
        of: &'m Command<'m>,
        code: Code,
        // Mostly none: a Vec (24 bytes) keeps an answer quick to write into the list.
        items: Vec<Item<'m>>,
    },
    /// The Results of Get `of`: its items are `results[items]`.
    Results {
        of: &'m Command<'m>,
        items: core::ops::Range<usize>,
    },
    /// Any other reply (rare: boxed, so that the common entries stay small to move and the
    /// list of a short reply small to allocate).
    Cmd(Box<Command<'m>>),
}

impl<'m> Replies<'m> {
    fn new(msg_ref: &'m str, n: usize) -> Self {
        Self {
            msg_ref,
            cmds: Vec::with_capacity(n),
            results: List::new(),
        }
    }

    fn push(&mut self, c: Command<'m>) {
        self.push_with(|| Entry::Cmd(Box::new(c)));
    }

    /// Adds the entry `make` builds. It is built by the list's own write, after any growth,
    /// so it is assembled where it is kept: pushed, an entry was assembled on the stack
    /// first and copied in with loads wider than the stores that had just assembled it, each
    /// waiting for them.
    fn push_with(&mut self, make: impl FnOnce() -> Entry<'m>) {
        self.cmds.extend(core::iter::once_with(make));
    }

    /// Adds the Status answering `c` with `code`; its refs are those of `c`'s items.
    fn push_answer(&mut self, c: &'m Command<'m>, code: u16, items: Vec<Item<'m>>) {
        let code = Code::new(code);
        self.push_with(|| Entry::Answer { of: c, code, items });
    }

    /// Adds the Results of Get `c`, whose items are `results[items]`.
    fn push_results(&mut self, c: &'m Command<'m>, items: core::ops::Range<usize>) {
        self.push_with(|| Entry::Results { of: c, items });
    }

    fn len(&self) -> usize {
        self.cmds.len()
    }

    fn is_empty(&self) -> bool {
        self.cmds.is_empty()
    }

    fn truncate(&mut self, n: usize) {
        self.cmds.truncate(n);
    }

    /// Gives reply `i`, when it is a Status, the code `recode` makes of its code.
    fn recode(&mut self, i: usize, recode: impl FnOnce(u16) -> u16) {
        match self.cmds.get_mut(i) {
            Some(Entry::Answer { code, .. }) => *code = Code::new(recode(code.get().code())),
            Some(Entry::Cmd(c)) => {
                if let Command::Status(st) = &mut **c {
                    st.code = StatusCode::from_code(recode(st.code.code()));
                }
            }
            Some(Entry::Results { .. }) | None => {}
        }
    }

    /// Copies of the replies from `from` on, refs filled in.
    fn filled_from(&self, from: usize) -> Vec<Command<'m>> {
        let msg_ref = self.msg_ref;
        self.cmds
            .iter()
            .skip(from)
            .map(|e| match e {
                Entry::Answer { of, code, items } => {
                    Command::Status(answer_status(msg_ref, of, code.get(), items.clone()))
                }
                Entry::Results { of, items } => {
                    results_of(msg_ref, of, self.results_in(items).to_vec())
                }
                Entry::Cmd(c) => (**c).clone(),
            })
            .collect()
    }

    /// The replies, refs filled in.
    fn into_filled(self) -> Vec<Command<'m>> {
        let msg_ref = self.msg_ref;
        let mut results = self.results.into_iter();
        let mut taken = 0;
        self.cmds
            .into_iter()
            .map(|e| match e {
                Entry::Answer { of, code, items } => {
                    Command::Status(answer_status(msg_ref, of, code.get(), items))
                }
                Entry::Results { of, items } => {
                    // The ranges go up in order; items of truncated entries are skipped.
                    let skip = items.start.saturating_sub(taken);
                    taken = items.end;
                    let mine = results.by_ref().skip(skip).take(items.len());
                    results_of(msg_ref, of, mine.collect())
                }
                Entry::Cmd(c) => *c,
            })
            .collect()
    }

    /// The items of the Results entry holding `range`.
    fn results_in(&self, range: &core::ops::Range<usize>) -> &[Item<'m>] {
        self.results.get(range.clone()).unwrap_or_default()
    }

    /// The replies after what `enc` holds (commands numbered up to `next`), numbered on,
    /// and the end of the message: its bytes, when they are within `max`.
    fn encode(
        &mut self,
        mut enc: syncml_codec::MessageEncoder,
        mut next: u32,
        max: usize,
        final_flag: bool,
    ) -> Option<Vec<u8>> {
        let msg_ref = self.msg_ref;
        for e in &mut self.cmds {
            let done = match e {
                Entry::Answer { of, code, items } => {
                    next = next.saturating_add(1);
                    enc.answer(&syncml_codec::Answer {
                        cmd_id: next,
                        msg_ref,
                        source_refs: matches!(of, Command::Copy(_)),
                        code: code.get(),
                        items,
                        ..syncml_codec::Answer::to(of)
                    })
                }
                Entry::Results { of, items } => {
                    next = next.saturating_add(1);
                    let items = self.results.get(items.clone()).unwrap_or_default();
                    enc.results(next, msg_ref, of.cmd_id(), items)
                }
                Entry::Cmd(c) => {
                    number(c, &mut next);
                    enc.command(c)
                }
            };
            if done.is_err() || enc.len() > max {
                return None;
            }
        }
        let body = enc.finish(final_flag);
        (body.len() <= max).then_some(body)
    }
}

/// The Status for the server's SyncHdr, in parts, small to move: its TargetRef and
/// SourceRef are the header's Target and Source (see [`syncml_codec::Answer`]), so that
/// encoding it allocates nothing.
struct HdrAnswer<'m> {
    msg_ref: &'m str,
    target: &'m str,
    source: &'m str,
    chal: Option<Box<syncml_codec::Chal<'static>>>,
    code: StatusCode,
}

impl<'m> HdrAnswer<'m> {
    fn new(msg: &'m Message<'m>, code: u16, chal: Option<MetaInfo>) -> Self {
        let h = &msg.header;
        Self {
            msg_ref: &h.msg_id,
            target: &h.target.loc_uri,
            source: &h.source.loc_uri,
            chal: chal.map(|m| {
                Box::new(syncml_codec::Chal {
                    meta: m.to_meta().into_owned(),
                })
            }),
            code: StatusCode::from_code(code),
        }
    }

    /// The item whose Target and Source give the refs of [`HdrAnswer::answer`].
    fn refs(&self) -> Item<'m> {
        let mut refs = Item::target(Cow::Borrowed(self.target));
        refs.source = Some(Location::new(Cow::Borrowed(self.source)));
        refs
    }

    fn answer<'s>(&'s self, cmd_id: u32, refs: &'s Item<'m>) -> syncml_codec::Answer<'s> {
        syncml_codec::Answer {
            cmd_id,
            msg_ref: self.msg_ref,
            cmd_ref: "0",
            cmd: "SyncHdr",
            refs_of: std::slice::from_ref(refs),
            source_refs: true,
            chal: self.chal.as_deref(),
            code: self.code,
            items: &[],
        }
    }

    /// The Status, owned, its CmdID given when it is sent.
    fn into_status(self) -> Status<'static> {
        let refs = self.refs();
        let mut st = self.answer(0, &refs).to_status().into_owned();
        st.cmd_id = Cow::Borrowed("");
        st
    }
}

/// The Results of Get `of` (a command of message `msg_ref`) carrying `items`; numbered when
/// sent.
fn results_of<'m>(msg_ref: &'m str, of: &'m Command<'m>, items: Vec<Item<'m>>) -> Command<'m> {
    Command::Results(Results {
        cmd_id: Cow::Borrowed(""),
        msg_ref: Some(Cow::Borrowed(msg_ref)),
        cmd_ref: Cow::Borrowed(of.cmd_id()),
        items,
        ..Results::default()
    })
}

/// The Status answering `of` (a command of message `msg_ref`) with `code` and `items`, its
/// TargetRefs (and for a Copy its SourceRefs) those of `of`'s items; numbered when sent.
fn answer_status<'m>(
    msg_ref: &'m str,
    of: &'m Command<'m>,
    code: StatusCode,
    items: Vec<Item<'m>>,
) -> Status<'m> {
    let mut s = Status::new(
        Cow::Borrowed(""),
        Cow::Borrowed(msg_ref),
        Cow::Borrowed(of.cmd_id()),
        Cow::Borrowed(of.name()),
        code,
    );
    s.items = items;
    add_refs(&mut s, of);
    s
}

/// The SyncHdr of the client's message `msg_id`: Cred until the server accepted it. Built
/// whole rather than through [`syncml_codec::MessageBuilder`], which moves the message at
/// every step.
fn header<'a>(
    config: &'a ClientConfig,
    session_id: &'a str,
    accepted: bool,
    client_nonce: &[u8],
    msg_id: u32,
) -> Message<'a> {
    let creds = config.client_credentials.as_ref();
    let cred = creds
        .filter(|_| !accepted)
        .and_then(|c| Some((c.auth_type.meta_type()?, c.cred_data(client_nonce)?)))
        .map(|(t, d)| syncml_codec::Cred {
            meta: Some(Box::new(Meta::format_type(
                syncml_codec::Format::B64,
                Cow::Borrowed(t),
            ))),
            data: Cow::Owned(d),
        });
    Message {
        header: syncml_codec::SyncHdr {
            ver_dtd: Cow::Borrowed("1.2"),
            ver_proto: Cow::Borrowed("DM/1.2"),
            session_id: Cow::Borrowed(session_id),
            msg_id: crate::wire::cmd_id(msg_id),
            target: Location::new(Cow::Borrowed(config.server_uri.as_str())),
            source: Location {
                loc_uri: Cow::Borrowed(config.device_id.as_str()),
                loc_name: creds.map(|c| Cow::Borrowed(c.name.as_str())),
            },
            resp_uri: None,
            no_resp: false,
            cred,
            meta: Some(Box::new(Meta {
                max_msg_size: Some(config.max_msg_size),
                max_obj_size: Some(config.max_obj_size),
                ..Meta::default()
            })),
        },
        body: syncml_codec::SyncBody::default(),
    }
}

fn drain_alerts(tree: &mut Tree) -> Vec<Cmd> {
    tree.alerts_mut()
        .drain()
        .map(|g| {
            let data = if g.format == "xml" {
                Payload::Opaque(g.data.into_bytes())
            } else {
                Payload::Text(g.data)
            };
            Cmd::Alert {
                code: AlertCode::GenericAlert.code(),
                correlator: g.correlator,
                items: vec![OutItem {
                    target: g.target,
                    source: g.source,
                    meta: Some(MetaInfo {
                        format: Some(g.format),
                        mime: Some(g.alert_type),
                        mark: g.mark,
                        ..MetaInfo::default()
                    }),
                    data: Some(data),
                    more_data: false,
                }],
            }
        })
        .collect()
}

fn interrupted(asm: &Assembly) -> Reply {
    let mut item = Item::target(asm.uri.clone());
    item.source = Some(Location::new(asm.uri.clone()));
    Command::alert(Cow::Borrowed(""), AlertCode::NoEndOfData, item)
}

/// Bytes as the tree gives them: text when they are UTF-8, opaque otherwise.
fn data_from_bytes(bytes: Vec<u8>) -> Data<'static> {
    match String::from_utf8(bytes) {
        Ok(s) => Data::Text(Cow::Owned(s)),
        Err(e) => Data::Opaque(Cow::Owned(e.into_bytes())),
    }
}

/// An item's Data as the tree takes it: text stays text, so the tree does not check its
/// UTF-8 again (the decoder did).
enum ItemData<'d> {
    Text(Cow<'d, str>),
    Bytes(Cow<'d, [u8]>),
}

impl<'d> ItemData<'d> {
    #[inline]
    fn of(d: &'d Data<'_>) -> Self {
        match d {
            Data::Text(t) => Self::Text(Cow::Borrowed(t)),
            Data::Opaque(b) => Self::Bytes(Cow::Borrowed(b)),
            Data::Nested(n) => match n.to_xml() {
                Ok(x) => Self::Text(Cow::Owned(x.into_owned())),
                Err(_) => Self::Bytes(Cow::Borrowed(&n.raw)),
            },
        }
    }

    fn op(&self) -> OpData<'_> {
        match self {
            Self::Text(t) => OpData::Text(t),
            Self::Bytes(b) => OpData::Bytes(b),
        }
    }
}

fn data_bytes<'d>(d: &'d Data<'_>) -> Cow<'d, [u8]> {
    match d {
        Data::Text(t) => Cow::Borrowed(t.as_bytes()),
        Data::Opaque(b) => Cow::Borrowed(b),
        Data::Nested(n) => match n.to_xml() {
            Ok(x) => Cow::Owned(x.into_owned().into_bytes()),
            Err(_) => Cow::Borrowed(&n.raw),
        },
    }
}

#[inline]
fn op_for<'a>(
    kind: dm_tree::Command,
    target: &'a str,
    item: &'a Item<'_>,
    cmd_meta: Option<&'a Meta<'_>>,
) -> Op<'a> {
    let mut op = Op::new(kind, target);
    op.source = item.source.as_ref().map(|s| &*s.loc_uri);
    let meta_format = |m: &'a Meta<'_>| m.format.as_ref().map(|f| f.as_str());
    op.format = item
        .meta
        .as_deref()
        .and_then(meta_format)
        .or_else(|| cmd_meta.and_then(meta_format))
        .and_then(Format::from_name);
    op.mime = item
        .meta
        .as_ref()
        .and_then(|m| m.mime_type.as_deref())
        .or_else(|| cmd_meta.and_then(|m| m.mime_type.as_deref()));
    op
}

/// A Status for command `c` with TargetRefs/SourceRefs of its items, borrowed from it.
fn status_cmd<'m>(c: &'m Command<'_>, msg_ref: &Cow<'m, str>, code: u16) -> Status<'m> {
    let mut s = answering(c, msg_ref, code);
    add_refs(&mut s, c);
    s
}

/// Adds the TargetRefs (and for Copy the SourceRefs) of `c`'s items to `s`.
fn add_refs<'m>(s: &mut Status<'m>, c: &'m Command<'_>) {
    let items = c.items();
    s.target_refs.extend(
        items
            .iter()
            .filter_map(|i| Some(Cow::Borrowed(&*i.target.as_ref()?.loc_uri))),
    );
    if matches!(c, Command::Copy(_)) {
        s.source_refs.extend(
            items
                .iter()
                .filter_map(|i| Some(Cow::Borrowed(&*i.source.as_ref()?.loc_uri))),
        );
    }
}

/// A Status for command `c` with no refs: the MsgRef and CmdRef borrowed from the
/// server's message, the command name static, the CmdID given when it is sent.
fn answering<'m>(c: &'m Command<'_>, msg_ref: &Cow<'m, str>, code: u16) -> Status<'m> {
    Status::new(
        Cow::Borrowed(""),
        msg_ref.clone(),
        Cow::Borrowed(c.cmd_id()),
        Cow::Borrowed(c.name()),
        StatusCode::from_code(code),
    )
}

fn status_for<'m>(c: &'m Command<'_>, msg_ref: &Cow<'m, str>, code: u16) -> Command<'m> {
    Command::Status(answering(c, msg_ref, code))
}
