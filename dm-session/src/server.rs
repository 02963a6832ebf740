//! The DM server engine: queues commands, builds packages and matches the device's answers.

use std::borrow::Cow;
use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use syncml_codec::package0::{Initiator, Notification, UiMode};
use syncml_codec::{AlertCode, Command, Message};

use crate::auth::{decode_nonce, AuthType, Credentials, NonceSource};
use crate::common::{
    validate, Assembly, Handle, InputLimits, KeptHeader, Outbox, PackHeader, Queued, SessionError,
    Transmit, WireEncoding,
};
use crate::wire::{Cmd, MetaInfo, OutItem, StatusCmd};

/// A server's settings for one device.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerConfig {
    /// The server id (package 0, ACLs).
    pub server_id: String,
    /// The server's URI (SyncHdr `Source/LocURI`).
    pub server_uri: String,
    /// The device expected (`None`: whichever device opens the session).
    pub device_id: Option<String>,
    /// What the client must send (`CLCRED`); `None`: no DM-level client authentication.
    pub client_credentials: Option<Credentials>,
    /// What the server sends (`SRVCRED`), also the package 0 key.
    pub server_credentials: Option<Credentials>,
    /// The encoding the server sends.
    pub encoding: WireEncoding,
    /// The server's MaxMsgSize.
    pub max_msg_size: u64,
    /// The server's MaxObjSize.
    pub max_obj_size: u64,
    /// Decoding limits (a server decodes package 1 before authentication).
    pub limits: InputLimits,
}

impl ServerConfig {
    /// Settings without credentials, XML, MaxMsgSize 16 KiB, MaxObjSize 1 MiB.
    pub fn new(server_id: impl Into<String>, server_uri: impl Into<String>) -> Self {
        Self {
            server_id: server_id.into(),
            server_uri: server_uri.into(),
            device_id: None,
            client_credentials: None,
            server_credentials: None,
            encoding: WireEncoding::Xml,
            max_msg_size: 16 * 1024,
            max_obj_size: 1024 * 1024,
            limits: InputLimits::default(),
        }
    }
}

/// What the device said, matched to what caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A device opened a session (package 1).
    SessionStarted {
        /// Its SessionID.
        session_id: String,
        /// The device id.
        device_id: String,
        /// 1200 or 1201.
        alert: u16,
    },
    /// DevInfo (or any other Replace the client sent): `(uri, value)` pairs.
    DevInfo(Vec<(String, String)>),
    /// The client's credentials were accepted.
    Authenticated,
    /// The client's credentials were missing (407) or wrong (401); it was challenged.
    AuthenticationFailed {
        /// 401 or 407.
        code: u16,
    },
    /// The device rejected the server's credentials (401/407 to the server's SyncHdr).
    ServerRejected {
        /// The code.
        code: u16,
    },
    /// The Status of a queued command.
    Status {
        /// The command's handle (`None`: the device answered something not sent).
        handle: Option<Handle>,
        /// The command name.
        cmd: String,
        /// The code.
        code: u16,
        /// Items (UI answers, failed ancestors).
        items: Vec<OutItem>,
    },
    /// The Results of a queued Get (large objects reassembled).
    Results {
        /// The Get's handle.
        handle: Option<Handle>,
        /// Command Meta.
        meta: Option<MetaInfo>,
        /// The items.
        items: Vec<OutItem>,
    },
    /// A Generic Alert (1226) item.
    GenericAlert {
        /// `Correlator`.
        correlator: Option<String>,
        /// The item (Source, Target, Meta Type/Format/Mark, Data).
        item: OutItem,
    },
    /// Another client alert (1224 …).
    ClientAlert {
        /// The code.
        code: u16,
        /// The items.
        items: Vec<OutItem>,
    },
    /// The device reported a large object it received as interrupted (1225).
    LargeObjectInterrupted,
    /// The device aborted the session (1223).
    Aborted,
    /// The session ended (the server sent a Final package with no commands).
    Finished,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum Phase {
    Idle,
    Running,
    Finished,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Sent {
    msg_id: String,
    cmd_id: String,
    handle: u64,
}

/// The DM server: sans-IO and serialisable, so a stateless HTTP worker can store it between
/// requests (see the crate docs).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ServerEngine {
    config: ServerConfig,
    nonces: NonceSource,
    /// Issued by the server to the client (checks the client's Cred/HMAC).
    client_nonce: Vec<u8>,
    /// Issued by the client to the server (for the server's Cred/HMAC and package 0).
    server_nonce: Vec<u8>,
    phase: Phase,
    session_id: Option<String>,
    device_id: String,
    msg_id: u32,
    client_max_msg: Option<u64>,
    authenticated: bool,
    auth_failures: u8,
    server_accepted: bool,
    outbox: Outbox,
    replies: Vec<Cmd>,
    hdr_status: Option<StatusCmd>,
    last_sent: Vec<Queued>,
    sent: Vec<Sent>,
    next_handle: u64,
    incoming: Option<Assembly>,
    client_final: bool,
    client_wants_more: bool,
    challenged_client: bool,
    aborting: bool,
    reply_due: bool,
    events: VecDeque<ServerEvent>,
    /// This session's message header, encoded once (see [`KeptHeader`]).
    #[serde(skip)]
    kept_header: Option<KeptHeader>,
}

impl ServerEngine {
    /// An engine waiting for package 1. `seed` seeds the nonces it issues.
    pub fn new(config: ServerConfig, seed: &[u8]) -> Self {
        Self {
            config,
            nonces: NonceSource::new(seed),
            client_nonce: Vec::new(),
            server_nonce: Vec::new(),
            phase: Phase::Idle,
            session_id: None,
            device_id: String::new(),
            msg_id: 0,
            client_max_msg: None,
            authenticated: false,
            auth_failures: 0,
            server_accepted: false,
            outbox: Outbox::default(),
            replies: Vec::new(),
            hdr_status: None,
            last_sent: Vec::new(),
            sent: Vec::new(),
            next_handle: 1,
            incoming: None,
            client_final: false,
            client_wants_more: false,
            challenged_client: false,
            aborting: false,
            reply_due: false,
            events: VecDeque::new(),
            kept_header: None,
        }
    }

    /// The settings.
    pub fn config(&self) -> &ServerConfig {
        &self.config
    }

    /// The nonce the server issued to the client (store it with the device's account).
    pub fn client_nonce(&self) -> &[u8] {
        &self.client_nonce
    }

    /// Sets the nonce the client must use.
    pub fn set_client_nonce(&mut self, nonce: &[u8]) {
        self.client_nonce = nonce.to_vec();
    }

    /// The nonce the client issued to the server.
    pub fn server_nonce(&self) -> &[u8] {
        &self.server_nonce
    }

    /// Sets the nonce for the server's credentials and package 0.
    pub fn set_server_nonce(&mut self, nonce: &[u8]) {
        self.server_nonce = nonce.to_vec();
    }

    /// The SessionID, once known.
    pub fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Whether the session ended (normally or aborted).
    pub fn is_finished(&self) -> bool {
        self.phase == Phase::Finished
    }

    /// The next event, oldest first.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Whether commands are waiting to be sent (a large object in progress included).
    pub fn has_queued(&self) -> bool {
        self.outbox.chunking.is_some() || self.outbox.queue.iter().any(|q| q.handle != 0)
    }

    /// Builds a package 0 announcing `session_id`, with its digest over the server
    /// credentials and the nonce the client issued. `resync` uses the 4-zero-byte nonce
    /// instead (omadm.md §3.4) and makes it the session's nonce on both sides.
    pub fn build_package0(
        &mut self,
        ui_mode: UiMode,
        session_id: u16,
        resync: bool,
    ) -> Result<Vec<u8>, SessionError> {
        let Some(creds) = &self.config.server_credentials else {
            return Err(SessionError::BadDigest);
        };
        if resync {
            self.server_nonce = vec![0; 4];
            self.client_nonce = vec![0; 4];
        }
        let note = Notification::new(
            ui_mode,
            Initiator::Server,
            session_id,
            Cow::Borrowed(self.config.server_id.as_str()),
        );
        let bytes = note.encode(creds.password.as_bytes(), &self.server_nonce);
        self.session_id = Some(note.session_id_hex());
        Ok(bytes)
    }

    /// Queues a command for the next package; nested commands of an Atomic or Sequence get
    /// the following handles in document order.
    pub fn queue(&mut self, cmd: Cmd) -> Handle {
        let handle = self.next_handle;
        self.next_handle = self
            .next_handle
            .saturating_add(u64::try_from(cmd.count()).unwrap_or(u64::MAX));
        self.outbox.push(handle, cmd);
        Handle(handle)
    }

    /// Takes one client message (HTTP request body and `x-syncml-hmac` value). Decoded and
    /// validated whole first: on error nothing changes.
    pub fn handle_incoming(&mut self, body: &[u8], hmac: Option<&str>) -> Result<(), SessionError> {
        let hmac_ok = self.config.client_credentials.as_ref().map(|c| {
            c.auth_type != AuthType::Hmac
                || hmac.is_some_and(|h| c.verify_hmac(h, &self.client_nonce, body))
        });
        // Once authenticated, integrity comes first: a tampered body is not even parsed.
        if self.phase == Phase::Running && self.authenticated && hmac_ok == Some(false) {
            return Err(SessionError::Hmac);
        }
        let limits = self.config.limits.limits(self.config.max_msg_size);
        let msg = syncml_codec::decode_as(body, syncml_codec::detect(body), &limits)
            .map_err(SessionError::Decode)?;
        let opening = msg.body.commands.iter().any(|c| {
            matches!(c, Command::Alert(a) if matches!(a.code, AlertCode::ClientInitiatedMgmt | AlertCode::ServerInitiatedMgmt))
        });
        let expected = match self.phase {
            Phase::Running => self.session_id.as_deref(),
            // A session announced by package 0 must come back with its id.
            Phase::Idle => self.session_id.as_deref().filter(|_| opening),
            Phase::Finished => None,
        };
        validate(&msg, expected, false)?;
        if self.phase != Phase::Running && !opening {
            return Err(SessionError::NotRunning);
        }
        if let Some(dev) = &self.config.device_id {
            if msg.header.source.loc_uri != dev.as_str() {
                return Err(SessionError::Invalid {
                    cmd_id: "SyncHdr".into(),
                    reason: "unknown device",
                });
            }
        }
        // From here on the message is accepted.
        if self.phase != Phase::Running {
            self.begin(&msg);
        }
        self.reply_due = true;
        let msg_ref = msg.header.msg_id.to_string();
        if let Some(m) = msg.header.meta.as_ref().and_then(|m| m.max_msg_size) {
            self.client_max_msg = Some(m);
        }
        let (code, chal) = self.check_client(&msg, hmac.is_some(), hmac_ok);
        self.challenged_client = code == 401 || code == 407;
        let mut hdr = StatusCmd::new(&msg_ref, "0", "SyncHdr", code);
        hdr.chal = chal.map(Box::new);
        hdr.target_refs.push(msg.header.target.loc_uri.to_string());
        hdr.source_refs.push(msg.header.source.loc_uri.to_string());
        self.hdr_status = Some(hdr);
        self.client_final = msg.body.final_flag;
        self.client_wants_more = false;

        // The device's answer to our SyncHdr first: a challenge means resending.
        let mut resend = false;
        for c in &msg.body.commands {
            if let Command::Status(s) = c {
                if s.cmd_ref == "0" {
                    resend |= self.on_header_status(s);
                }
            }
        }
        if resend {
            for q in std::mem::take(&mut self.last_sent).into_iter().rev() {
                self.outbox.queue.push_front(q);
            }
        }
        for c in &msg.body.commands {
            if self.challenged_client {
                if !matches!(c, Command::Status(_) | Command::Results(_)) {
                    self.replies.push(status_for(c, &msg_ref, 215));
                }
                continue;
            }
            self.on_command(c, &msg_ref, resend);
        }
        Ok(())
    }

    fn begin(&mut self, msg: &Message<'_>) {
        self.phase = Phase::Running;
        self.session_id = Some(msg.header.session_id.to_string());
        self.device_id = msg.header.source.loc_uri.to_string();
        self.msg_id = 0;
        self.client_max_msg = None;
        self.authenticated = false;
        self.auth_failures = 0;
        self.server_accepted = false;
        self.replies.clear();
        self.last_sent.clear();
        self.sent.clear();
        self.incoming = None;
        self.aborting = false;
    }

    /// The code for the client's SyncHdr (omadm.md §3.1): 212/200, or 401/407 with a
    /// challenge carrying a fresh nonce.
    fn check_client(
        &mut self,
        msg: &Message<'_>,
        has_hmac: bool,
        hmac_ok: Option<bool>,
    ) -> (u16, Option<MetaInfo>) {
        let Some(creds) = self.config.client_credentials.clone() else {
            self.authenticated = true;
            return (200, None);
        };
        let verdict = if creds.auth_type == AuthType::Hmac {
            if hmac_ok == Some(true) {
                Ok(200)
            } else if has_hmac {
                Err(401)
            } else {
                Err(407)
            }
        } else if self.authenticated {
            Ok(200)
        } else {
            match &msg.header.cred {
                None => Err(407),
                Some(cred) => {
                    let t = cred
                        .meta
                        .as_ref()
                        .and_then(|m| m.mime_type.as_deref())
                        .and_then(AuthType::from_meta_type)
                        .unwrap_or(AuthType::Basic);
                    if creds.verify_cred(t, &cred.data, &self.client_nonce) {
                        Ok(212)
                    } else {
                        Err(401)
                    }
                }
            }
        };
        match verdict {
            Ok(code) => {
                if !self.authenticated {
                    self.events.push_back(ServerEvent::Authenticated);
                }
                self.authenticated = true;
                // HMAC: a new nonce in every message; MD5: the nonce for the next session.
                let chal = (code == 212 || creds.auth_type == AuthType::Hmac)
                    .then(|| self.fresh_chal(creds.auth_type))
                    .filter(|_| creds.auth_type != AuthType::Basic);
                (code, chal)
            }
            Err(code) => {
                self.auth_failures = self.auth_failures.saturating_add(1);
                self.events
                    .push_back(ServerEvent::AuthenticationFailed { code });
                (code, Some(self.fresh_chal(creds.auth_type)))
            }
        }
    }

    fn fresh_chal(&mut self, t: AuthType) -> MetaInfo {
        let n = self.nonces.next_nonce();
        self.client_nonce = n.to_vec();
        MetaInfo {
            format: Some("b64".into()),
            mime: t.meta_type().map(str::to_owned),
            next_nonce: Some(syncml_codec::auth::b64(&n)),
            ..MetaInfo::default()
        }
    }

    /// The device's Status for our SyncHdr; returns whether the last commands must be resent.
    fn on_header_status(&mut self, s: &syncml_codec::Status<'_>) -> bool {
        if let Some(n) = s.chal.as_ref().and_then(|c| c.meta.next_nonce.as_deref()) {
            self.server_nonce = decode_nonce(n);
        }
        match s.code.code() {
            212 => {
                self.server_accepted = true;
                false
            }
            code @ (401 | 407) => {
                self.events.push_back(ServerEvent::ServerRejected { code });
                true
            }
            _ => false,
        }
    }

    fn handle_of(&self, msg_ref: &str, cmd_ref: &str) -> Option<Handle> {
        self.sent
            .iter()
            .rev()
            .find(|s| s.msg_id == msg_ref && s.cmd_id == cmd_ref)
            .map(|s| Handle(s.handle))
    }

    fn on_command(&mut self, c: &Command<'_>, msg_ref: &str, resend: bool) {
        match c {
            Command::Status(s) => {
                if s.cmd_ref == "0" {
                    return;
                }
                let code = s.code.code();
                let msg = s.msg_ref.as_ref();
                let handle = self.handle_of(msg, &s.cmd_ref);
                if code == 213 {
                    return;
                }
                if let (Some(ch), Some(h)) = (&self.outbox.chunking, handle) {
                    if ch.handle == h.0 && code != 200 {
                        self.outbox.chunking = None;
                    }
                }
                // 215s of a challenged message, and Statuses for our own 1222 alerts, tell
                // the host nothing.
                if (resend && code == 215) || (handle.is_none() && s.cmd == "Alert") {
                    return;
                }
                self.events.push_back(ServerEvent::Status {
                    handle,
                    cmd: s.cmd.to_string(),
                    code,
                    items: s.items.iter().map(OutItem::from_item).collect(),
                });
            }
            Command::Results(r) => {
                let handle = r
                    .msg_ref
                    .as_deref()
                    .and_then(|m| self.handle_of(m, &r.cmd_ref));
                let chunked =
                    self.incoming.is_some() || r.items.last().is_some_and(|i| i.more_data);
                if !chunked {
                    self.events.push_back(ServerEvent::Results {
                        handle,
                        meta: r.meta.as_deref().map(MetaInfo::from_meta),
                        items: r.items.iter().map(OutItem::from_item).collect(),
                    });
                    return;
                }
                // Results in pieces (omadm.md §2): whole items, and one item in MoreData
                // chunks (the last of each piece); one event once every item is whole.
                let mut pending = self.incoming.take();
                let mut done = pending
                    .as_mut()
                    .map(|a| std::mem::take(&mut a.done))
                    .unwrap_or_default();
                let mut meta = pending.as_ref().map(|a| a.meta.clone());
                for item in &r.items {
                    let oi = OutItem::from_item(item);
                    let mut asm = match pending.take() {
                        Some(a) => a,
                        None if !item.more_data => {
                            done.push(oi);
                            continue;
                        }
                        None => Assembly {
                            cmd: "Results".into(),
                            uri: oi.source.clone().unwrap_or_default(),
                            size: item
                                .meta
                                .as_ref()
                                .and_then(|m| m.size)
                                .or_else(|| r.meta.as_ref().and_then(|m| m.size)),
                            meta: meta
                                .get_or_insert_with(|| {
                                    r.meta
                                        .as_deref()
                                        .map(MetaInfo::from_meta)
                                        .unwrap_or_default()
                                })
                                .clone(),
                            text: !matches!(oi.data, Some(crate::wire::Payload::Opaque(_))),
                            data: Vec::new(),
                            first: OutItem {
                                data: None,
                                ..oi.clone()
                            },
                            done: Vec::new(),
                        },
                    };
                    if let Some(d) = &oi.data {
                        asm.data.extend_from_slice(d.as_bytes());
                    }
                    if item.more_data {
                        asm.done = done;
                        self.incoming = Some(asm);
                        self.replies.push(status_for(c, msg_ref, 213));
                        return;
                    }
                    let (mut whole, data) = asm.finish();
                    match data {
                        Ok(d) => {
                            if let Some(m) = whole.meta.as_mut() {
                                m.size = None;
                            }
                            whole.data = Some(d);
                            done.push(whole);
                        }
                        Err(code) => {
                            self.replies.push(status_for(c, msg_ref, code));
                            return;
                        }
                    }
                }
                self.events.push_back(ServerEvent::Results {
                    handle,
                    meta: meta.or_else(|| r.meta.as_deref().map(MetaInfo::from_meta)),
                    items: done,
                });
            }
            Command::Alert(a) => {
                let items = || a.items.iter().map(OutItem::from_item).collect::<Vec<_>>();
                match a.code {
                    AlertCode::ClientInitiatedMgmt | AlertCode::ServerInitiatedMgmt => {
                        self.events.push_back(ServerEvent::SessionStarted {
                            session_id: self.session_id.clone().unwrap_or_default(),
                            device_id: self.device_id.clone(),
                            alert: a.code.code(),
                        });
                    }
                    AlertCode::GenericAlert => {
                        for item in &a.items {
                            self.events.push_back(ServerEvent::GenericAlert {
                                correlator: a.correlator.as_deref().map(str::to_owned),
                                item: OutItem::from_item(item),
                            });
                        }
                    }
                    AlertCode::NextMessage => self.client_wants_more = true,
                    AlertCode::SessionAbort => {
                        self.aborting = true;
                        self.events.push_back(ServerEvent::Aborted);
                    }
                    AlertCode::NoEndOfData => {
                        self.outbox.chunking = None;
                        self.events.push_back(ServerEvent::LargeObjectInterrupted);
                    }
                    code => self.events.push_back(ServerEvent::ClientAlert {
                        code: code.code(),
                        items: items(),
                    }),
                }
                self.replies.push(status_for(c, msg_ref, 200));
            }
            Command::Replace(x) => {
                let pairs = x
                    .items
                    .iter()
                    .filter_map(|i| {
                        let uri = i.source.as_ref().or(i.target.as_ref())?.loc_uri.to_string();
                        let v = i
                            .data
                            .as_ref()
                            .and_then(syncml_codec::Data::as_text)
                            .unwrap_or_default()
                            .to_owned();
                        Some((uri, v))
                    })
                    .collect();
                self.events.push_back(ServerEvent::DevInfo(pairs));
                self.replies.push(status_for(c, msg_ref, 200));
            }
            _ => self.replies.push(status_for(c, msg_ref, 406)),
        }
    }

    /// The next message to send: the answer to the client message last handled.
    pub fn poll_transmit(&mut self) -> Result<Option<Transmit>, SessionError> {
        if !self.reply_due || self.phase != Phase::Running {
            return Ok(None);
        }
        if !self.challenged_client && self.auth_failures > 3 {
            self.phase = Phase::Finished;
            return Err(SessionError::AuthenticationFailed);
        }
        self.msg_id = self.msg_id.saturating_add(1);
        let msg_id = self.msg_id.to_string();
        let creds = self.config.server_credentials.as_ref();
        let cred = creds
            .filter(|_| !self.server_accepted)
            .and_then(|c| Some((c.auth_type.meta_type()?, c.cred_data(&self.server_nonce)?)));
        let session = self.session_id.as_deref().unwrap_or_default();
        let mut b = Message::server(
            Cow::Borrowed(session),
            msg_id.clone(),
            Cow::Borrowed(self.config.server_uri.as_str()),
            Cow::Borrowed(self.device_id.as_str()),
        )
        .limits(
            Some(self.config.max_msg_size),
            Some(self.config.max_obj_size),
        );
        if let Some(c) = creds {
            b = b.source_name(Cow::Borrowed(c.name.as_str()));
        }
        if let Some((t, d)) = cred {
            b = b.cred(t, d);
        }
        let header = b.build();
        let encoding = self.config.encoding.encoding();
        // Without Cred (sent only until the client accepts the server), the header is the
        // session's.
        let keep = (self.server_accepted || creds.is_none())
            && KeptHeader::keep(
                &mut self.kept_header,
                session,
                &self.device_id,
                encoding,
                || &header,
            );
        let encoded_header = self
            .kept_header
            .as_ref()
            .filter(|_| keep)
            .map(KeptHeader::encoded);
        let mut fixed = Vec::new();
        if let Some(h) = self.hdr_status.take() {
            fixed.push(Cmd::Status(h));
        }
        // Statuses for the client's commands go before anything queued.
        for r in std::mem::take(&mut self.replies).into_iter().rev() {
            self.outbox.queue.push_front(Queued {
                handle: 0,
                cmd: r,
                glued: false,
            });
        }
        let next_message_response = !self.client_final && !self.client_wants_more && !self.aborting;
        if next_message_response {
            fixed.push(Cmd::alert(AlertCode::NextMessage, Vec::new()));
        }
        let may_send = !next_message_response && !self.challenged_client && !self.aborting;
        let keep = if self.server_accepted || creds.is_none() {
            Vec::new()
        } else {
            self.outbox.queue.iter().cloned().collect()
        };
        let before = self.outbox.queue.len();
        let max = self
            .client_max_msg
            .and_then(|m| usize::try_from(m).ok())
            .unwrap_or(usize::MAX);
        let packed = self.outbox.pack(
            PackHeader {
                message: &header,
                encoded: encoded_header,
            },
            &fixed,
            max,
            encoding,
            !next_message_response,
            may_send,
        )?;
        drop(header);
        let taken = before.saturating_sub(self.outbox.queue.len());
        self.last_sent = keep
            .into_iter()
            .take(taken)
            .filter(|q| q.handle != 0)
            .collect();
        let mut mgmt = false;
        for (handle, id, name) in &packed.sent {
            if *handle != 0 {
                mgmt |= name != &"Status" && name != &"Results";
                self.sent.push(Sent {
                    msg_id: msg_id.clone(),
                    cmd_id: id.to_string(),
                    handle: *handle,
                });
            }
        }
        self.reply_due = false;
        if self.aborting || (packed.final_flag && !mgmt && !self.challenged_client) {
            self.phase = Phase::Finished;
            self.events.push_back(ServerEvent::Finished);
        }
        let hmac = creds
            .filter(|c| c.auth_type == AuthType::Hmac)
            .map(|c| c.hmac_header(&self.server_nonce, &packed.body));
        Ok(Some(Transmit {
            body: packed.body,
            hmac,
            uri: String::new(),
            content_type: self.config.encoding.content_type(),
            final_flag: packed.final_flag,
        }))
    }
}

fn status_for(c: &Command<'_>, msg_ref: &str, code: u16) -> Cmd {
    Cmd::Status(StatusCmd::new(msg_ref, c.cmd_id(), c.name(), code))
}
