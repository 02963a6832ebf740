//! Binding node specs (as generated from a DDF) and mounting MO handlers.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use dm_tree::{
    AccessType, CaseSense, ExecRequest, Format, GenericAlert, MoHandler, NodeSpec, Occurrence, Op,
    Scope, Status, Tree, Uri, Value,
};

const fn spec(
    path: &'static str,
    access: AccessType,
    format: Format,
    occurrence: Occurrence,
    scope: Scope,
) -> NodeSpec {
    NodeSpec {
        path,
        access,
        format,
        occurrence,
        scope,
        mime: &[],
        case_sense: CaseSense::Cs,
        default_value: None,
        title: None,
    }
}

const GET: AccessType = AccessType::GET;
const ADD: AccessType = AccessType::ADD;
const DEL: AccessType = AccessType::DELETE;
const REP: AccessType = AccessType::REPLACE;
const EXEC: AccessType = AccessType::EXEC;

static MO: &[NodeSpec] = &[
    NodeSpec {
        mime: &["urn:example:mo:test:1.0"],
        ..spec("", GET, Format::Node, Occurrence::One, Scope::Permanent)
    },
    NodeSpec {
        default_value: Some("3"),
        ..spec(
            "Level",
            GET.union(REP),
            Format::Int,
            Occurrence::One,
            Scope::Permanent,
        )
    },
    spec(
        "Opt",
        GET,
        Format::Chr,
        Occurrence::ZeroOrOne,
        Scope::Dynamic,
    ),
    spec(
        "Items",
        GET,
        Format::Node,
        Occurrence::One,
        Scope::Permanent,
    ),
    spec(
        "Items/*",
        ADD.union(DEL).union(GET).union(REP),
        Format::Node,
        Occurrence::ZeroOrN(2),
        Scope::Dynamic,
    ),
    NodeSpec {
        mime: &["text/plain"],
        ..spec(
            "Items/*/Name",
            ADD.union(GET).union(REP),
            Format::Chr,
            Occurrence::One,
            Scope::Dynamic,
        )
    },
    spec(
        "Items/*/Run",
        ADD.union(EXEC).union(GET),
        Format::Null,
        Occurrence::One,
        Scope::Dynamic,
    ),
    spec(
        "List",
        ADD.union(GET).union(DEL),
        Format::Node,
        Occurrence::ZeroOrOne,
        Scope::Dynamic,
    ),
    spec(
        "List/*",
        ADD.union(GET).union(DEL),
        Format::Chr,
        Occurrence::OneOrMore,
        Scope::Dynamic,
    ),
];

fn installed() -> Tree {
    let mut t = Tree::new();
    t.install_mo("./Vendor/Mo", MO).unwrap();
    t
}

fn code(t: &mut Tree, op: Op<'_>) -> u16 {
    t.execute("Srv", &op).status.0
}

#[test]
fn install_creates_the_fixed_skeleton() {
    let t = installed();
    let mo = t.node("./Vendor/Mo").unwrap();
    assert_eq!(mo.mime(), Some("urn:example:mo:test:1.0"));
    assert_eq!(mo.scope(), Scope::Permanent);
    assert_eq!(t.node("./Vendor/Mo/Level").unwrap().value(), &Value::Int(3));
    assert!(t.node("./Vendor/Mo/Items").unwrap().is_interior());
    assert!(t.node("./Vendor/Mo/Opt").is_none());
    assert!(t.node("./Vendor/Mo/List").is_none());
}

#[test]
fn access_type_405_and_scope() {
    let mut t = installed();
    // the root ACL Add=*&Get=* gives no Replace/Delete: open it up to test AccessType alone
    let acl = "Add=*&Delete=*&Exec=*&Get=*&Replace=*";
    assert_eq!(
        t.execute_local(&Op::replace(".?prop=ACL").with_text(acl))
            .status,
        Status::OK
    );
    assert_eq!(code(&mut t, Op::get("./Vendor/Mo/Level")), 200);
    assert_eq!(
        code(&mut t, Op::replace("./Vendor/Mo/Level").with_text("4")),
        200
    );
    // permanent, and no Delete in AccessType
    assert_eq!(code(&mut t, Op::delete("./Vendor/Mo/Level")), 405);
    assert_eq!(code(&mut t, Op::delete("./Vendor/Mo")), 405);
    // Get-only node
    assert_eq!(code(&mut t, Op::add("./Vendor/Mo/Opt").with_text("x")), 405);
    // a name the DDF does not describe
    assert_eq!(
        code(&mut t, Op::add("./Vendor/Mo/Other").with_text("x")),
        405
    );
    // format checked: Level is int
    assert_eq!(
        code(
            &mut t,
            Op::replace("./Vendor/Mo/Level")
                .with_format(Format::Chr)
                .with_text("5")
        ),
        415
    );
    assert_eq!(
        code(&mut t, Op::replace("./Vendor/Mo/Level").with_text("x")),
        400
    );
    // the device itself is not bound by AccessType
    assert_eq!(
        t.execute_local(&Op::add("./Vendor/Mo/Opt").with_text("x"))
            .status,
        Status::OK
    );
}

#[test]
fn placeholders_occurrence_and_formats() {
    let mut t = installed();
    assert_eq!(
        code(
            &mut t,
            Op::add("./Vendor/Mo/Items/A").with_format(Format::Node)
        ),
        200
    );
    // interior spec: a leaf format is refused
    assert_eq!(
        code(
            &mut t,
            Op::add("./Vendor/Mo/Items/B").with_format(Format::Chr)
        ),
        415
    );
    // no Format: the spec's is used
    assert_eq!(code(&mut t, Op::add("./Vendor/Mo/Items/B")), 200);
    assert!(t.node("./Vendor/Mo/Items/B").unwrap().is_interior());
    // ZeroOrN(2)
    assert_eq!(
        code(
            &mut t,
            Op::add("./Vendor/Mo/Items/C").with_format(Format::Node)
        ),
        405
    );
    assert_eq!(
        code(&mut t, Op::add("./Vendor/Mo/Items/A/Name").with_text("a")),
        200
    );
    assert_eq!(
        t.node("./Vendor/Mo/Items/A/Name").unwrap().mime(),
        Some("text/plain")
    );
    assert_eq!(
        code(
            &mut t,
            Op::add("./Vendor/Mo/Items/B/Name")
                .with_text("b")
                .with_mime("image/png")
        ),
        415
    );
    // a null operation node accepts an empty chr leaf
    assert_eq!(
        code(
            &mut t,
            Op::add("./Vendor/Mo/Items/A/Run").with_format(Format::Chr)
        ),
        200
    );
    // implicit ancestors are checked against the specs too: List is ZeroOrOne interior,
    // List/* OneOrMore
    assert_eq!(
        code(&mut t, Op::add("./Vendor/Mo/List/x").with_text("1")),
        200
    );
    assert_eq!(
        code(&mut t, Op::add("./Vendor/Mo/List/y").with_text("2")),
        200
    );
    // deleting below OneOrMore's minimum is refused, the whole List may go
    assert_eq!(
        t.execute_local(&Op::replace(".?prop=ACL").with_text("Add=*&Get=*&Delete=*"))
            .status,
        Status::OK
    );
    assert_eq!(code(&mut t, Op::delete("./Vendor/Mo/List/x")), 200);
    assert_eq!(code(&mut t, Op::delete("./Vendor/Mo/List/y")), 405);
    assert_eq!(code(&mut t, Op::delete("./Vendor/Mo/List")), 200);
    // rename: placeholder nodes only
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo/Items/A?prop=Name").with_text("A2"))
            .status,
        Status::OK
    );
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo/Items?prop=Name").with_text("X"))
            .status,
        Status::COMMAND_NOT_ALLOWED
    );
}

/// A handler: live `Level`, refuses names with spaces, runs `Run` in the background.
struct Agent {
    reads: Arc<AtomicU32>,
}

impl MoHandler for Agent {
    fn value(&mut self, path: Uri<'_>) -> Option<Value> {
        (path.path() == "Level").then(|| {
            let n = self.reads.fetch_add(1, Ordering::SeqCst);
            Value::Int(100 + i32::try_from(n).unwrap_or(0))
        })
    }

    fn on_write(&mut self, path: Uri<'_>, value: &Value) -> Result<(), Status> {
        match value.as_text() {
            Some(t) if path.name() == "Name" && t.contains(' ') => Err(Status::FORBIDDEN),
            _ => Ok(()),
        }
    }

    fn exec(&mut self, tree: &mut Tree, req: &ExecRequest<'_>) -> Status {
        if req.path.name() != "Run" {
            return Status::COMMAND_NOT_ALLOWED;
        }
        // the handler may read the tree: the item's Name
        let item = req.uri.parent().unwrap().to_string();
        let name_uri = format!("{item}/Name");
        let name = tree.node(&name_uri).map(|n| n.value().to_data());
        tree.push_alert(GenericAlert {
            source: Some(req.uri.to_string()),
            target: None,
            alert_type: "urn:oma:at:scomo:1.0:OperationComplete".to_owned(),
            format: "chr".to_owned(),
            mark: Some("informational".to_owned()),
            data: String::from_utf8(name.unwrap_or_default()).unwrap(),
            correlator: req.correlator.map(str::to_owned),
        });
        Status::ACCEPTED
    }
}

#[test]
fn handler_values_writes_and_exec() {
    let mut t = installed();
    let reads = Arc::new(AtomicU32::new(0));
    t.mount(
        "./Vendor/Mo",
        Box::new(Agent {
            reads: Arc::clone(&reads),
        }),
    )
    .unwrap();
    let get = |t: &mut Tree| t.execute("S", &Op::get("./Vendor/Mo/Level")).results[0].clone();
    assert_eq!(get(&mut t).data.as_deref(), Some(&b"100"[..]));
    assert_eq!(get(&mut t).data.as_deref(), Some(&b"101"[..]));
    assert_eq!(reads.load(Ordering::SeqCst), 2);
    // live values also reach ?list=StructData and ?list=TNDS
    let out = t.execute("S", &Op::get("./Vendor/Mo?list=StructData"));
    let level = out.results.iter().find(|r| r.source == "./Vendor/Mo/Level");
    assert_eq!(level.unwrap().data.as_deref(), Some(&b"102"[..]));
    let out = t.execute("S", &Op::get("./Vendor/Mo?list=TNDS+Value"));
    let xml = String::from_utf8(out.results[0].data.clone().unwrap()).unwrap();
    assert!(
        xml.contains("<NodeName>Level</NodeName><RTProperties></RTProperties><Value>103</Value>"),
        "{xml}"
    );

    for op in [
        Op::add("./Vendor/Mo/Items/P").with_format(Format::Node),
        Op::add("./Vendor/Mo/Items/P/Name").with_text("pkg"),
        Op::add("./Vendor/Mo/Items/P/Run").with_format(Format::Null),
    ] {
        assert_eq!(t.execute_local(&op).status, Status::OK, "{op:?}");
    }
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo/Items/P/Name").with_text("a b"))
            .status,
        Status::FORBIDDEN
    );
    // The handler's refusal leaves the value as it was; what it lets through is written.
    let name = |t: &Tree| t.node("./Vendor/Mo/Items/P/Name").unwrap().value().clone();
    assert_eq!(name(&t).as_text(), Some("pkg"));
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo/Items/P/Name").with_text("pkg2"))
            .status,
        Status::OK
    );
    assert_eq!(name(&t).as_text(), Some("pkg2"));
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo/Items/P/Name").with_text("pkg"))
            .status,
        Status::OK
    );
    // Exec needs the Exec right: the root ACL has none
    let exec = Op::exec("./Vendor/Mo/Items/P/Run").with_correlator("corr-1");
    assert_eq!(t.execute("S", &exec).status, Status::PERMISSION_DENIED);
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo?prop=ACL").with_text("Get=*&Exec=S"))
            .status,
        Status::OK
    );
    assert_eq!(t.execute("S", &exec).status, Status::ACCEPTED);
    let alert = t.alerts_mut().pop().unwrap();
    assert_eq!(alert.correlator.as_deref(), Some("corr-1"));
    assert_eq!(alert.data, "pkg");
    assert_eq!(alert.source.as_deref(), Some("./Vendor/Mo/Items/P/Run"));
    assert!(t.alerts_mut().is_empty());
    // Exec on a node whose AccessType lacks Exec
    assert_eq!(
        t.execute_local(&Op::replace("./Vendor/Mo?prop=ACL").with_text("Get=*&Exec=*"))
            .status,
        Status::OK
    );
    assert_eq!(
        t.execute("S", &Op::exec("./Vendor/Mo/Items/P/Name")).status,
        Status::COMMAND_NOT_ALLOWED
    );
}

/// An MO that derives nodes from what a server creates: every new item gets a `Status` leaf.
struct Deriving {
    changes: Arc<std::sync::Mutex<Vec<String>>>,
}

impl MoHandler for Deriving {
    fn on_read(&mut self, server: Option<&str>, path: Uri<'_>) -> Result<(), Status> {
        self.changes
            .lock()
            .unwrap()
            .push(format!("Get {} {}", path.path(), server.unwrap_or("-")));
        match server {
            Some("nosy") => Err(Status::PERMISSION_DENIED),
            _ => Ok(()),
        }
    }

    fn after_change(&mut self, tree: &mut Tree, change: &dm_tree::Change<'_>) {
        self.changes.lock().unwrap().push(format!(
            "{:?} {} {}",
            change.command,
            change.path.path(),
            change.server.unwrap_or("-")
        ));
        if change.command == dm_tree::Command::Add && !change.path.path().contains('/') {
            let status = format!("{}/Status", change.uri.path());
            let outcome = tree.execute_local(&Op::add(&status).with_text("10"));
            assert_eq!(outcome.status, Status::OK);
        }
    }

    fn exec(&mut self, _tree: &mut Tree, _req: &ExecRequest<'_>) -> Status {
        Status::COMMAND_NOT_ALLOWED
    }
}

#[test]
fn handlers_hear_about_changes_and_can_derive_nodes() {
    let mut tree = Tree::new();
    assert_eq!(
        tree.execute_local(&Op::add("./MO").with_format(Format::Node))
            .status,
        Status::OK
    );
    let acl = Op::replace("./MO?prop=ACL").with_text("Add=srv&Get=srv&Replace=srv&Delete=srv");
    assert_eq!(tree.execute_local(&acl).status, Status::OK);
    let changes = Arc::new(std::sync::Mutex::new(Vec::new()));
    tree.mount(
        "./MO",
        Box::new(Deriving {
            changes: changes.clone(),
        }),
    )
    .unwrap();
    assert_eq!(
        tree.execute("srv", &Op::add("./MO/Pkg1").with_format(Format::Node))
            .status,
        Status::OK
    );
    assert_eq!(
        tree.execute("srv", &Op::get("./MO/Pkg1/Status")).results[0]
            .data
            .as_deref(),
        Some(&b"10"[..])
    );
    // A failed command is not reported; a Delete is.
    assert_eq!(
        tree.execute("srv", &Op::add("./MO/Pkg1").with_format(Format::Node))
            .status,
        Status::ALREADY_EXISTS
    );
    assert_eq!(
        tree.execute("srv", &Op::delete("./MO/Pkg1")).status,
        Status::OK
    );
    // The handler's own Add of Status (a local call while it runs) is not reported back to it.
    assert_eq!(
        *changes.lock().unwrap(),
        ["Add Pkg1 srv", "Get Pkg1/Status srv", "Delete Pkg1 srv"]
    );
    // Reads of the subtree, directly or through an ancestor's ?list=, can be refused.
    let acl = Op::replace("./MO?prop=ACL").with_text("Get=srv&Get=nosy");
    assert_eq!(tree.execute_local(&acl).status, Status::OK);
    assert_eq!(
        tree.execute("nosy", &Op::get("./MO")).status,
        Status::PERMISSION_DENIED
    );
    assert_eq!(
        tree.execute("nosy", &Op::get(".?list=Struct")).status,
        Status::PERMISSION_DENIED
    );
    assert_eq!(
        tree.execute("srv", &Op::get(".?list=Struct")).status,
        Status::OK
    );
    let log = changes.lock().unwrap();
    assert_eq!(log[log.len() - 3..], ["Get  nosy", "Get  nosy", "Get  srv"]);
}

/// Records the reads and changes it is told of, by their paths below the mount.
struct Witness(Arc<std::sync::Mutex<Vec<String>>>);

impl MoHandler for Witness {
    fn on_read(&mut self, _server: Option<&str>, path: Uri<'_>) -> Result<(), Status> {
        self.0.lock().unwrap().push(format!("read {path}"));
        Ok(())
    }
    fn after_change(&mut self, _tree: &mut Tree, change: &dm_tree::Change<'_>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("change {}", change.path));
    }
    fn exec(&mut self, _tree: &mut Tree, _request: &ExecRequest<'_>) -> Status {
        Status::OK
    }
}

/// A handler hears of every command below its mount and of none elsewhere, whatever the
/// first byte of the paths (the tree passes over mounts by the first byte of their roots).
#[test]
fn handlers_hear_of_their_subtree_only() {
    for root in [".", "./Vendor/Mo", "./Ä"] {
        let mut t = Tree::new();
        for (uri, format) in [
            ("./Vendor", Format::Node),
            ("./Vendor/Mo", Format::Node),
            ("./Vendor/Mo/Level", Format::Chr),
            ("./Vx", Format::Chr),
            ("./Other", Format::Chr),
            ("./Ä", Format::Node),
            ("./Ä/Ö", Format::Chr),
        ] {
            let op = Op::add(uri).with_format(format);
            assert_eq!(t.execute_local(&op).status, Status::OK, "{uri}");
        }
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        t.mount(root, Box::new(Witness(Arc::clone(&seen)))).unwrap();
        for uri in ["./Vendor/Mo/Level", "./Vx", "./Other", "./Ä/Ö"] {
            assert_eq!(t.execute_local(&Op::get(uri)).status, Status::OK, "{uri}");
            let replace = Op::replace(uri).with_text("v");
            assert_eq!(t.execute_local(&replace).status, Status::OK, "{uri}");
        }
        let heard = seen.lock().unwrap().clone();
        let want: Vec<String> = match root {
            "." => ["./Vendor/Mo/Level", "./Vx", "./Other", "./Ä/Ö"]
                .iter()
                .flat_map(|p| [format!("read {p}"), format!("change {p}")])
                .collect(),
            "./Vendor/Mo" => vec!["read ./Level".into(), "change ./Level".into()],
            _ => vec!["read ./Ö".into(), "change ./Ö".into()],
        };
        assert_eq!(heard, want, "mounted at {root}");
    }
}
