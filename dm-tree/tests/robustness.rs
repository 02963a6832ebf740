//! Arbitrary input never panics, and what parses round-trips (a cheap stand-in for the
//! fuzz targets, run on every `cargo test`).

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dm_tree::{Acl, Op, Target, Tree, UriLimits};

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn text(&mut self, atoms: &[&str], max: u64) -> String {
        let n = self.next() % max;
        (0..n).map(|_| self.pick(atoms)).collect()
    }
}

#[test]
fn acl_parse_never_panics_and_canonical_form_is_stable() {
    let atoms = [
        "Add", "Get", "Replace", "Delete", "Exec", "Copy", "=", "&", "+", "*", "A", "B", "AB", " ",
        "é", "\u{0}", "==",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for _ in 0..20_000 {
        let text = rng.text(&atoms, 12);
        if let Ok(acl) = Acl::parse(&text) {
            parsed += 1;
            let again = Acl::parse(acl.as_str()).unwrap();
            assert_eq!(again, acl, "{text:?}");
            for cmd in dm_tree::AclCommand::ALL {
                for id in ["A", "B", "AB", "X"] {
                    // canonicalisation keeps the meaning
                    assert_eq!(again.allows(cmd, id), acl.allows(cmd, id));
                }
            }
        }
    }
    assert!(
        parsed > 100,
        "the generator should hit valid ACLs ({parsed})"
    );
}

#[test]
fn uris_and_commands_never_panic() {
    let atoms = [
        ".", "/", "./", "..", "A", "B", "%41", "%4", "?", "prop=", "list=", "ACL", "Name", "TNDS",
        "+Value", "-ACL", "Struct", " ", "é", "*",
    ];
    let limits = [
        UriLimits::UNLIMITED,
        UriLimits {
            max_depth: 2,
            max_tot_len: 10,
            max_seg_len: 3,
        },
    ];
    let mut rng = Rng(42);
    let mut tree = Tree::new();
    for i in 0..20_000 {
        let text = rng.text(&atoms, 8);
        let l = &limits[i % 2];
        if let Ok(t) = Target::parse(&text, l) {
            // a valid URI's display form parses to the same node
            let shown = t.uri.to_string();
            assert_eq!(
                Target::parse(&shown, &UriLimits::UNLIMITED).unwrap().uri,
                t.uri
            );
        }
        let data = rng.text(&atoms, 4);
        let ops = [
            Op::add(&text).with_text(&data),
            Op::add(&text).with_format(dm_tree::Format::Node),
            Op::replace(&text).with_text(&data),
            Op::get(&text),
            Op::delete(&text),
            Op::exec(&text),
            Op::copy(&data, &text),
        ];
        let op = ops[(rng.next() % ops.len() as u64) as usize];
        let status = if i % 3 == 0 {
            tree.execute_local(&op).status
        } else {
            tree.execute("A", &op).status
        };
        assert!((200..600).contains(&status.0));
    }
    // what was built still serialises and loads
    let json = serde_json::to_string(&tree).unwrap();
    let back: Tree = serde_json::from_str(&json).unwrap();
    assert_eq!(back.len(), tree.len());
}
