//! The ACL run-time property (TND §4.4): a tokenising parser, the canonical form, and checks
//! that allocate nothing.
//!
//! An [`Acl`] keeps its canonical text (commands in grammar order, each once, its ids in
//! first-seen order without duplicates, `*` alone when present) together with where each
//! command's id list lies in that text and which commands are granted to `*`, both worked
//! out once when the ACL is built. An empty ACL — the common case for all but a few nodes —
//! is a null pointer (no allocation); a check is a bit test, or a scan of one command's id
//! list, and never allocates.

use core::fmt;

/// The commands an ACL can grant (no `Copy`: a Copy needs the rights of the commands it
/// amounts to).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum AclCommand {
    /// `Add`.
    Add,
    /// `Delete`.
    Delete,
    /// `Exec`.
    Exec,
    /// `Get`.
    Get,
    /// `Replace`.
    Replace,
}

impl AclCommand {
    /// Every command, in grammar (canonical) order.
    pub const ALL: [Self; 5] = [
        Self::Add,
        Self::Delete,
        Self::Exec,
        Self::Get,
        Self::Replace,
    ];

    /// The command name as spelled in ACLs.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Add => "Add",
            Self::Delete => "Delete",
            Self::Exec => "Exec",
            Self::Get => "Get",
            Self::Replace => "Replace",
        }
    }

    /// The command with exactly this name (case-sensitive).
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == name)
    }
}

impl fmt::Display for AclCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why an ACL text does not follow the grammar; offsets are bytes into the text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AclError {
    /// An empty entry (`&&`, or a leading or trailing `&`).
    #[error("empty ACL entry at byte {offset}")]
    EmptyEntry {
        /// Where the entry should start.
        offset: usize,
    },
    /// An entry without `=`.
    #[error("ACL entry without '=' at byte {offset}")]
    MissingEquals {
        /// Start of the entry.
        offset: usize,
    },
    /// A command other than `Add`, `Delete`, `Exec`, `Get`, `Replace`.
    #[error("unknown ACL command at byte {offset}")]
    UnknownCommand {
        /// Start of the command.
        offset: usize,
    },
    /// A command with no server identifier (`Get=`).
    #[error("ACL command without server identifier at byte {offset}")]
    NoIds {
        /// Where the identifiers should start.
        offset: usize,
    },
    /// An empty identifier (`Get=A++B`, `Get=A+`).
    #[error("empty server identifier at byte {offset}")]
    EmptyId {
        /// Where the identifier should start.
        offset: usize,
    },
    /// A character not allowed in a server identifier.
    #[error("invalid character {ch:?} in server identifier at byte {offset}")]
    InvalidIdChar {
        /// Where the character is.
        offset: usize,
        /// The character.
        ch: char,
    },
}

/// A parsed ACL in canonical form. The empty ACL means "inherit from the parent".
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Acl(Option<Box<Parsed>>);

/// A non-empty ACL: its canonical text and the layout of that text, derived from it (so
/// the derived equality and hash agree with comparing the texts).
#[derive(Clone, PartialEq, Eq, Hash)]
struct Parsed {
    /// The canonical text, never empty.
    text: Box<str>,
    /// Bit `cmd as u8` set when the command is granted to `*`.
    any: u8,
    /// Byte range of each command's id list in `text`, empty when the command is absent.
    spans: [(usize, usize); 5],
}

/// Accumulates one command's grant while parsing or editing.
#[derive(Default)]
struct Grant<'t> {
    any: bool,
    ids: Vec<&'t str>,
}

impl<'t> Grant<'t> {
    fn push(&mut self, id: &'t str) {
        if id == "*" {
            self.any = true;
        } else if !self.ids.contains(&id) {
            self.ids.push(id);
        }
    }

    fn is_empty(&self) -> bool {
        !self.any && self.ids.is_empty()
    }
}

/// The canonical ACL of `grants`, with the layout of its text recorded as it is written.
fn canonical(grants: &[Grant<'_>; 5]) -> Acl {
    let mut out = String::new();
    let mut any = 0u8;
    let mut spans = [(0usize, 0usize); 5];
    for ((cmd, grant), span) in AclCommand::ALL.iter().zip(grants).zip(&mut spans) {
        if grant.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(cmd.name());
        out.push('=');
        let start = out.len();
        if grant.any {
            any |= 1 << cmd_index(*cmd);
            out.push('*');
        } else {
            for (i, id) in grant.ids.iter().enumerate() {
                if i > 0 {
                    out.push('+');
                }
                out.push_str(id);
            }
        }
        *span = (start, out.len());
    }
    if out.is_empty() {
        return Acl(None);
    }
    Acl(Some(Box::new(Parsed {
        text: out.into_boxed_str(),
        any,
        spans,
    })))
}

fn cmd_index(cmd: AclCommand) -> usize {
    cmd as usize
}

/// Whether the `+`-separated list `ids` has an entry equal to `server` (the same answer
/// as `ids.split('+').any(|id| id == server)`, without the generic string searcher).
fn list_contains(ids: &[u8], server: &[u8]) -> bool {
    let mut rest = ids;
    loop {
        match rest.iter().position(|&b| b == b'+') {
            Some(i) => {
                let (id, tail) = rest.split_at(i);
                if id == server {
                    return true;
                }
                rest = tail.get(1..).unwrap_or_default();
            }
            None => return rest == server,
        }
    }
}

/// Whether a server identifier is acceptable in an ACL (printable, no `= & * +`, no
/// whitespace).
pub fn is_valid_server_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(id_char_ok)
}

fn id_char_ok(ch: char) -> bool {
    !matches!(ch, '=' | '&' | '*' | '+') && !ch.is_whitespace() && !ch.is_control()
}

impl Acl {
    /// The empty ACL (inherit).
    pub fn empty() -> Self {
        Self::default()
    }

    /// The TND default ACL of the root, `Add=*&Get=*`.
    pub fn root_default() -> Self {
        let mut grants: [Grant<'_>; 5] = Default::default();
        for cmd in [AclCommand::Add, AclCommand::Get] {
            if let Some(grant) = grants.get_mut(cmd_index(cmd)) {
                grant.any = true;
            }
        }
        canonical(&grants)
    }

    /// Parses an ACL; repeated commands union their ids, and `*` wins over listed ids.
    pub fn parse(text: &str) -> Result<Self, AclError> {
        if text.is_empty() {
            return Ok(Self::empty());
        }
        let mut grants: [Grant<'_>; 5] = Default::default();
        let mut offset = 0usize;
        for entry in text.split('&') {
            if entry.is_empty() {
                return Err(AclError::EmptyEntry { offset });
            }
            let (name, ids) = entry
                .split_once('=')
                .ok_or(AclError::MissingEquals { offset })?;
            let cmd = AclCommand::from_name(name).ok_or(AclError::UnknownCommand { offset })?;
            let mut id_offset = offset + name.len() + 1;
            if ids.is_empty() {
                return Err(AclError::NoIds { offset: id_offset });
            }
            let grant = grants
                .get_mut(cmd_index(cmd))
                .ok_or(AclError::UnknownCommand { offset })?;
            for id in ids.split('+') {
                if id.is_empty() {
                    return Err(AclError::EmptyId { offset: id_offset });
                }
                if id != "*" {
                    if let Some((i, ch)) = id.char_indices().find(|&(_, c)| !id_char_ok(c)) {
                        return Err(AclError::InvalidIdChar {
                            offset: id_offset + i,
                            ch,
                        });
                    }
                }
                grant.push(id);
                id_offset += id.len() + 1;
            }
            offset += entry.len() + 1;
        }
        Ok(canonical(&grants))
    }

    /// The canonical text.
    pub fn as_str(&self) -> &str {
        self.0.as_ref().map_or("", |p| &p.text)
    }

    /// Whether this ACL is empty (the node inherits its parent's).
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The raw id list of `cmd` (`*` or `A+B`), if the command appears.
    fn ids_text(&self, cmd: AclCommand) -> Option<&str> {
        let p = self.0.as_deref()?;
        let &(start, end) = p.spans.get(cmd_index(cmd))?;
        if start == end {
            return None;
        }
        p.text.get(start..end)
    }

    /// Whether `server` may perform `cmd` under this ACL (listed or `*`). Allocates nothing.
    pub fn allows(&self, cmd: AclCommand, server: &str) -> bool {
        let Some(p) = self.0.as_deref() else {
            return false;
        };
        if p.any & (1 << cmd_index(cmd)) != 0 {
            return true;
        }
        self.ids_text(cmd)
            .is_some_and(|ids| list_contains(ids.as_bytes(), server.as_bytes()))
    }

    /// Whether `cmd` is granted to every server (`*`).
    pub fn allows_everyone(&self, cmd: AclCommand) -> bool {
        self.0
            .as_deref()
            .is_some_and(|p| p.any & (1 << cmd_index(cmd)) != 0)
    }

    /// The server ids listed for `cmd` (`*` appears as `"*"`); empty if the command is absent.
    pub fn ids(&self, cmd: AclCommand) -> impl Iterator<Item = &str> {
        self.ids_text(cmd)
            .into_iter()
            .flat_map(|ids| ids.split('+'))
    }

    fn grants(&self) -> [Grant<'_>; 5] {
        let mut grants: [Grant<'_>; 5] = Default::default();
        for cmd in AclCommand::ALL {
            if let Some(grant) = grants.get_mut(cmd_index(cmd)) {
                self.ids(cmd).for_each(|id| grant.push(id));
            }
        }
        grants
    }

    /// This ACL with `server` added to `cmd` (no change if `*` is already granted).
    #[must_use]
    pub fn with_grant(&self, cmd: AclCommand, server: &str) -> Self {
        let mut grants = self.grants();
        if let Some(grant) = grants.get_mut(cmd_index(cmd)) {
            grant.push(server);
        }
        canonical(&grants)
    }

    /// This ACL with `server` removed from every command; commands left with no id are
    /// dropped, unless `is_root`, where they become `*` (TND §4.4 rule 6).
    #[must_use]
    pub fn without_server(&self, server: &str, is_root: bool) -> Self {
        let mut grants = self.grants();
        for grant in &mut grants {
            let had = !grant.is_empty();
            grant.ids.retain(|id| *id != server);
            if had && grant.is_empty() && is_root {
                grant.any = true;
            }
        }
        canonical(&grants)
    }
}

impl fmt::Display for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for Acl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Acl({:?})", self.as_str())
    }
}

impl core::str::FromStr for Acl {
    type Err = AclError;
    fn from_str(s: &str) -> Result<Self, AclError> {
        Self::parse(s)
    }
}

impl serde::Serialize for Acl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for Acl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AclCommand::*;

    #[test]
    fn parse_and_canonical_display() {
        let acl = Acl::parse("Replace=ServerA&Get=ServerA+ServerB&Add=*").unwrap();
        assert_eq!(acl.to_string(), "Add=*&Get=ServerA+ServerB&Replace=ServerA");
        assert_eq!(Acl::parse(acl.as_str()).unwrap(), acl);
        assert!(Acl::parse("").unwrap().is_empty());
    }

    #[test]
    fn repeated_commands_union() {
        let acl = Acl::parse("Get=ServerA&Replace=ServerA&Get=ServerB&Get=ServerA").unwrap();
        assert_eq!(acl.as_str(), "Get=ServerA+ServerB&Replace=ServerA");
        assert!(acl.allows(Get, "ServerB"));
        assert!(acl.allows(Get, "ServerA"));
        assert!(!acl.allows(Replace, "ServerB"));
    }

    #[test]
    fn star_wins() {
        let acl = Acl::parse("Get=ServerA+*&Exec=ServerA&Exec=*").unwrap();
        assert_eq!(acl.as_str(), "Exec=*&Get=*");
        assert!(acl.allows(Get, "anyone"));
        assert!(acl.allows_everyone(Exec));
        assert!(!acl.allows(Add, "anyone"));
    }

    #[test]
    fn ids_that_prefix_one_another() {
        let acl = Acl::parse("Get=Srv2+xSrv&Replace=Srv").unwrap();
        assert!(!acl.allows(Get, "Srv"));
        assert!(acl.allows(Get, "Srv2"));
        assert!(!acl.allows(Get, "Srv22"));
        assert!(!acl.allows(Get, "Sr"));
        assert!(acl.allows(Replace, "Srv"));
        assert!(!acl.allows(Replace, "Srv2"));
        // a command name inside an id or a longer command name is not a match either
        let acl = Acl::parse("Exec=Get&Get=Replace").unwrap();
        assert!(!acl.allows(Replace, "Replace"));
        assert!(acl.allows(Get, "Replace"));
        assert!(!acl.allows(Get, "Get"));
    }

    #[test]
    fn typed_errors() {
        let cases = [
            ("Get=A&", AclError::EmptyEntry { offset: 6 }),
            ("&Get=A", AclError::EmptyEntry { offset: 0 }),
            ("Get", AclError::MissingEquals { offset: 0 }),
            ("Get=A&Copy=B", AclError::UnknownCommand { offset: 6 }),
            ("get=A", AclError::UnknownCommand { offset: 0 }),
            ("Get=", AclError::NoIds { offset: 4 }),
            ("Get=A++B", AclError::EmptyId { offset: 6 }),
            ("Get=A+", AclError::EmptyId { offset: 6 }),
            ("Get=A B", AclError::InvalidIdChar { offset: 5, ch: ' ' }),
            ("Get=A*", AclError::InvalidIdChar { offset: 5, ch: '*' }),
            ("Get=A=B", AclError::InvalidIdChar { offset: 5, ch: '=' }),
        ];
        for (text, err) in cases {
            assert_eq!(Acl::parse(text), Err(err), "{text}");
        }
    }

    #[test]
    fn scrubbing_a_server() {
        let acl = Acl::parse("Add=A+B&Delete=A&Get=*&Replace=AB").unwrap();
        let scrubbed = acl.without_server("A", false);
        assert_eq!(scrubbed.as_str(), "Add=B&Get=*&Replace=AB");
        let root = Acl::parse("Add=*&Get=A&Replace=A+B").unwrap();
        assert_eq!(
            root.without_server("A", true).as_str(),
            "Add=*&Get=*&Replace=B"
        );
        assert_eq!(
            Acl::parse("Get=A")
                .unwrap()
                .with_grant(Replace, "B")
                .as_str(),
            "Get=A&Replace=B"
        );
        assert_eq!(
            Acl::parse("Get=*").unwrap().with_grant(Get, "B").as_str(),
            "Get=*"
        );
    }

    /// The straightforward check on the canonical text (the former implementation): split
    /// into entries, find the command, split its ids.
    fn reference_ids(text: &str, cmd: AclCommand) -> Option<&str> {
        if text.is_empty() {
            return None;
        }
        text.split('&').find_map(|entry| {
            let (name, ids) = entry.split_once('=')?;
            (name == cmd.name()).then_some(ids)
        })
    }

    fn reference_allows(text: &str, cmd: AclCommand, server: &str) -> bool {
        match reference_ids(text, cmd) {
            Some("*") => true,
            Some(ids) => ids.split('+').any(|id| id == server),
            None => false,
        }
    }

    /// Compares the pre-parsed checks with the text-splitting ones on many random ACLs
    /// (ids that prefix one another, that look like command names, `*`, repeats) and many
    /// servers, including ones that never appear in a valid ACL (`A+B`, `*`, empty).
    #[test]
    fn fast_checks_match_the_text_scan() {
        const IDS: [&str; 10] = [
            "*", "A", "AB", "B", "Srv", "Srv2", "xSrv", "Get", "Replace", "Sérveur",
        ];
        const SERVERS: [&str; 15] = [
            "*", "A", "AB", "B", "Srv", "Srv2", "xSrv", "Get", "Replace", "Sérveur", "", "A+B",
            "Sr", "Srv22", "Get=A",
        ];
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            usize::try_from(state % n as u64).unwrap()
        };
        for _ in 0..5000 {
            let mut text = String::new();
            for e in 0..next(7) {
                if e > 0 {
                    text.push('&');
                }
                text.push_str(AclCommand::ALL[next(5)].name());
                text.push('=');
                for k in 0..=next(3) {
                    if k > 0 {
                        text.push('+');
                    }
                    text.push_str(IDS[next(IDS.len())]);
                }
            }
            let acl = Acl::parse(&text).unwrap();
            let canon = acl.as_str();
            assert_eq!(Acl::parse(canon).unwrap(), acl, "{text}");
            assert_eq!(acl.is_empty(), canon.is_empty());
            for cmd in AclCommand::ALL {
                assert_eq!(acl.ids_text(cmd), reference_ids(canon, cmd), "{text} {cmd}");
                assert_eq!(
                    acl.allows_everyone(cmd),
                    reference_ids(canon, cmd) == Some("*"),
                    "{text} {cmd}"
                );
                for server in SERVERS {
                    assert_eq!(
                        acl.allows(cmd, server),
                        reference_allows(canon, cmd, server),
                        "{text} {cmd} {server:?}"
                    );
                }
                let server = IDS[next(IDS.len())];
                let granted = acl.with_grant(cmd, server);
                assert_eq!(Acl::parse(granted.as_str()).unwrap(), granted);
                assert!(granted.allows(cmd, server));
            }
            let server = IDS[next(IDS.len())];
            for root in [false, true] {
                let scrubbed = acl.without_server(server, root);
                assert_eq!(Acl::parse(scrubbed.as_str()).unwrap(), scrubbed);
            }
        }
        assert_eq!(Acl::root_default(), Acl::parse("Get=*&Add=*").unwrap());
        assert_eq!(Acl::empty(), Acl::parse("").unwrap());
    }
}
