//! `dm-tree`: ACL parsing and evaluation, URIs, and the tree under a stream of server commands.

use std::collections::BTreeSet;

use arbitrary::Unstructured;
use dm_tree::{
    Acl, AclCommand, AclError, Command, Format, Op, PropFilter, Status, Target, Tree, Uri,
    UriLimits,
};

/// Parses arbitrary text as an ACL. A parsed ACL prints to a canonical text that parses to the
/// same ACL, and grants exactly what a naive reading of the input grants (the union of the ids
/// of each command, `*` for everyone). An error's offset points into the input, at the bad
/// character for [`AclError::InvalidIdChar`].
pub fn acl_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let acl = match Acl::parse(text) {
        Ok(acl) => acl,
        Err(e) => {
            check_error(text, &e);
            return;
        }
    };
    let printed = acl.to_string();
    let again = Acl::parse(&printed).unwrap_or_else(|e| panic!("{printed:?} does not parse: {e}"));
    assert_eq!(again, acl, "canonical form is not stable");
    assert_eq!(again.to_string(), printed);
    assert_eq!(acl.is_empty(), text.is_empty());

    // The naive reading of the input.
    let mut model: [BTreeSet<&str>; 5] = Default::default();
    for entry in text.split('&').filter(|e| !e.is_empty()) {
        let (name, ids) = entry.split_once('=').expect("parsed");
        let cmd = AclCommand::from_name(name).expect("parsed");
        model[cmd as usize].extend(ids.split('+'));
    }
    let mut probes: BTreeSet<&str> = model.iter().flatten().copied().collect();
    probes.insert("a-server-nobody-lists-");
    for cmd in AclCommand::ALL {
        let granted = &model[cmd as usize];
        let everyone = granted.contains("*");
        assert_eq!(acl.allows_everyone(cmd), everyone, "{cmd} in {text:?}");
        for server in &probes {
            let expected = everyone || granted.contains(server);
            assert_eq!(
                acl.allows(cmd, server),
                expected,
                "{cmd} for {server:?} in {text:?} (canonical {printed:?})"
            );
        }
        let listed: BTreeSet<&str> = acl.ids(cmd).collect();
        if everyone {
            assert_eq!(listed, BTreeSet::from(["*"]));
        } else {
            assert_eq!(&listed, granted, "{cmd} ids of {text:?}");
        }
        // Editing keeps the canonical form.
        let probe = "added";
        let granted_acl = acl.with_grant(cmd, probe);
        assert!(granted_acl.allows(cmd, probe));
        assert_eq!(Acl::parse(granted_acl.as_str()).as_ref(), Ok(&granted_acl));
    }
    for server in &probes {
        for is_root in [false, true] {
            let removed = acl.without_server(server, is_root);
            assert_eq!(Acl::parse(removed.as_str()).as_ref(), Ok(&removed));
        }
    }
}

fn check_error(text: &str, e: &AclError) {
    let offset = match *e {
        AclError::EmptyEntry { offset }
        | AclError::MissingEquals { offset }
        | AclError::UnknownCommand { offset }
        | AclError::NoIds { offset }
        | AclError::EmptyId { offset } => offset,
        AclError::InvalidIdChar { offset, ch } => {
            assert!(
                text.get(offset..).is_some_and(|rest| rest.starts_with(ch)),
                "{e:?} does not point at {ch:?} in {text:?}"
            );
            offset
        }
        _ => 0,
    };
    assert!(offset <= text.len(), "{e:?} past the end of {text:?}");
}

/// Parses arbitrary text as a node URI and as a command target. A parsed URI prints to text
/// that parses to the same URI; its parents lead to the root in `depth` steps; the limits
/// hold.
pub fn uri_parse(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    let tight = UriLimits {
        max_depth: 4,
        max_tot_len: 40,
        max_seg_len: 8,
    };
    for limits in [UriLimits::default(), UriLimits::UNLIMITED, tight] {
        match Target::parse(text, &limits) {
            Ok(target) => {
                let uri = target.uri;
                let printed = uri.to_string();
                let again = Uri::parse(&printed, &UriLimits::UNLIMITED)
                    .unwrap_or_else(|e| panic!("{printed:?} (from {text:?}) does not parse: {e}"));
                assert_eq!(again, uri);
                let depth = uri.depth();
                if limits.max_depth > 0 {
                    assert!(depth <= usize::from(limits.max_depth), "{text:?} too deep");
                }
                if limits.max_tot_len > 0 {
                    assert!(text.chars().count() <= usize::from(limits.max_tot_len));
                }
                if limits.max_seg_len > 0 {
                    for segment in uri.segments() {
                        assert!(
                            decoded_len(segment) <= usize::from(limits.max_seg_len),
                            "segment {segment:?} of {text:?} too long"
                        );
                    }
                }
                let mut steps = 0;
                let mut cur = uri;
                while let Some(parent) = cur.parent() {
                    assert_eq!(cur.strip_prefix(parent).map(|r| r.path()), Some(cur.name()));
                    assert!(uri.strip_prefix(parent).is_some());
                    cur = parent;
                    steps += 1;
                }
                assert!(cur.is_root());
                assert_eq!(steps, depth);
                assert_eq!(uri.segments().count(), depth);
                if target.query.is_none() {
                    assert_eq!(Uri::parse(text, &limits), Ok(uri));
                }
            }
            Err(e) => {
                let _ = e.status();
                assert!(Uri::parse(text, &limits).is_err());
            }
        }
    }
}

/// Characters of a segment with each `%XX` escape counted once, as MaxSegLen counts them.
fn decoded_len(segment: &str) -> usize {
    let escapes = segment.matches('%').count();
    segment.chars().count() - 2 * escapes
}

const SERVERS: [&str; 3] = ["srv1", "srv2", "srv3"];
const NAMES: [&str; 5] = ["A", "B", "a", "Leaf", "x%20y"];
const SUFFIXES: [&str; 8] = [
    "",
    "",
    "?prop=ACL",
    "?prop=Format",
    "?prop=Type",
    "?prop=Name",
    "?list=Struct",
    "?list=TNDS+ACL+Value",
];

fn pick<'a, T: Copy>(u: &mut Unstructured<'a>, from: &[T]) -> arbitrary::Result<T> {
    u.choose(from).copied()
}

/// A URI from a small alphabet of names, so that commands hit the nodes others created.
fn uri(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    let depth = u.int_in_range(0..=3)?;
    let mut out = String::from(".");
    for _ in 0..depth {
        out.push('/');
        out.push_str(pick(u, &NAMES)?);
    }
    Ok(out)
}

/// Arbitrary text of at most 64 bytes: long values only slow every ACL scan down.
fn short_text(u: &mut Unstructured<'_>) -> arbitrary::Result<String> {
    let len = u.int_in_range(0..=64)?;
    Ok(String::from_utf8_lossy(u.bytes(len.min(u.len()))?).into_owned())
}

/// An ACL text: usually built from the grammar with the known servers, sometimes raw.
fn acl_text<'a>(u: &mut Unstructured<'a>) -> arbitrary::Result<String> {
    if u.ratio(1, 8)? {
        return short_text(u);
    }
    let mut out = String::new();
    for _ in 0..u.int_in_range(0..=3)? {
        if !out.is_empty() {
            out.push('&');
        }
        out.push_str(pick(u, &AclCommand::ALL)?.name());
        out.push('=');
        for i in 0..u.int_in_range(1..=2)? {
            if i > 0 {
                out.push('+');
            }
            out.push_str(pick(u, &["srv1", "srv2", "srv3", "*"])?);
        }
    }
    Ok(out)
}

fn acl_command(command: Command) -> Option<AclCommand> {
    Some(match command {
        Command::Add => AclCommand::Add,
        Command::Replace => AclCommand::Replace,
        Command::Delete => AclCommand::Delete,
        Command::Get => AclCommand::Get,
        Command::Exec => AclCommand::Exec,
        _ => return None,
    })
}

/// Every node's URI, walking down from the root.
fn all_uris(tree: &Tree) -> Vec<String> {
    let mut out = vec![".".to_owned()];
    let mut i = 0;
    while let Some(uri) = out.get(i).cloned() {
        let id = tree
            .lookup(Uri::parse(&uri, &UriLimits::UNLIMITED).expect("own URI"))
            .expect("listed node exists");
        let children: Vec<String> = tree
            .children(id)
            .map(|name| format!("{uri}/{name}"))
            .collect();
        out.extend(children);
        i += 1;
    }
    out
}

/// A device builds a small tree with arbitrary ACLs, then servers send arbitrary commands.
/// Nothing panics; a command that succeeds was allowed by the ACL check
/// ([`Tree::acl_permits`]) made before it; after each command every node's rights are those
/// of its effective ACL, every URI resolves back to its node, ACLs are canonical, and the
/// tree exports as TNDS that `ddf` parses.
pub fn acl_eval(data: &[u8]) {
    let mut u = Unstructured::new(data);
    let _ = run_session(&mut u);
}

fn run_session(u: &mut Unstructured<'_>) -> arbitrary::Result<()> {
    let mut tree = Tree::new();
    for _ in 0..u.int_in_range(0..=8)? {
        let target = uri(u)?;
        let interior = u.arbitrary::<bool>()?;
        let op = if interior {
            Op::add(&target).with_format(Format::Node)
        } else {
            Op::add(&target).with_format(Format::Chr).with_text("v")
        };
        tree.execute_local(&op);
        let acl_target = format!("{target}?prop=ACL");
        let acl = acl_text(u)?;
        tree.execute_local(&Op::replace(&acl_target).with_text(&acl));
    }
    check_tree(&mut tree);

    let commands = u.int_in_range(0..=16)?;
    for i in 0..commands {
        let server = pick(u, &SERVERS)?;
        let command = pick(
            u,
            &[
                Command::Add,
                Command::Replace,
                Command::Delete,
                Command::Get,
                Command::Copy,
                Command::Exec,
            ],
        )?;
        let target = format!("{}{}", uri(u)?, pick(u, &SUFFIXES)?);
        let source = uri(u)?;
        let data = if target.ends_with("?prop=ACL") {
            acl_text(u)?
        } else {
            short_text(u)?
        };
        let mut op = Op::new(command, &target).with_text(&data);
        if command == Command::Copy {
            op.source = Some(&source);
        }
        if command == Command::Add && u.arbitrary::<bool>()? {
            op = op.with_format(Format::Node);
            op.data = None;
        }
        let before = match (acl_command(command), Target::parse(&target, &tree.limits())) {
            (Some(cmd), Ok(t)) => tree.acl_permits(server, cmd, &t).ok(),
            _ => None,
        };
        let snapshot = tree.snapshot();
        let root_open = root_add_open(&tree);
        let outcome = tree.execute(server, &op);
        if outcome.status == Status::OK {
            assert_ne!(
                before,
                Some(false),
                "{server} ran {command:?} {target} although the ACL refuses it"
            );
        }
        if before == Some(false) {
            assert!(
                outcome.status != Status::OK,
                "{command:?} {target} by {server} succeeded against the ACL"
            );
        }
        if i + 1 == commands || u.ratio(1, 8)? {
            check_tree(&mut tree);
        } else if u.ratio(1, 4)? {
            // Checking every node after every command would spend most of the time here.
            check_acls(&tree);
        }
        if root_open {
            assert!(
                root_add_open(&tree),
                "{server} took Add=* off the root with {target}"
            );
        }
        // Atomic rolls back: a restored snapshot exports what it did before the command.
        if u.ratio(1, 4)? {
            let after = tree.snapshot();
            tree.restore(snapshot);
            check_acls(&tree);
            tree.restore(after);
        }
    }
    Ok(())
}

/// Whether the root grants Add to everyone (TND: a server may not take that away).
fn root_add_open(tree: &Tree) -> bool {
    tree.node(".")
        .is_some_and(|root| root.acl().allows_everyone(AclCommand::Add))
}

fn check_tree(tree: &mut Tree) {
    check_acls(tree);
    let tnds = tree
        .export_tnds(".", PropFilter::ALL)
        .unwrap_or_else(|s| panic!("export of the root: {s:?}"));
    let text = String::from_utf8(tnds).expect("TNDS is UTF-8");
    crate::assert_well_formed(&text);
    if let Err(e) = ddf::parse_xml(&text) {
        panic!("exported TNDS does not parse: {e}\n{text}");
    }
}

/// The checks made after every command: reachability, URIs and ACL evaluation.
fn check_acls(tree: &Tree) {
    let uris = all_uris(tree);
    assert_eq!(uris.len(), tree.len(), "nodes unreachable from the root");
    for text in &uris {
        let uri = Uri::parse(text, &UriLimits::UNLIMITED).expect("own URI");
        let id = tree.lookup(uri).expect("listed");
        assert_eq!(tree.uri_of(id).as_deref(), Some(text.as_str()));
        let node = tree.node_by_id(id).expect("live id");
        let acl = node.acl();
        assert_eq!(Acl::parse(acl.as_str()).as_ref(), Ok(acl), "ACL of {text}");
        let effective = tree.effective_acl(id).cloned();
        for server in SERVERS {
            for cmd in AclCommand::ALL {
                let expected = effective.as_ref().is_some_and(|a| a.allows(cmd, server));
                assert_eq!(
                    tree.allows(server, cmd, id),
                    expected,
                    "{server} {cmd} on {text}"
                );
            }
        }
    }
}
