//! A parent with many children (which keeps a name index) against a naive model: random
//! interleaved Adds, Deletes, renames and Gets, with the child order checked after each
//! step and across snapshot/restore and a serde round trip.

#![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::panic)]

use dm_tree::{CaseSense, Format, Op, Status, Tree};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// The names a run draws from: `n0..n{plain}` and case variants `N0..N{variants}`, which
/// hash alike (the index hashes the ASCII-lowercased name) but are distinct case-sensitive
/// siblings.
struct Names {
    plain: usize,
    variants: usize,
}

impl Names {
    fn draw(&self, rng: &mut Rng) -> String {
        let k = rng.below(self.plain + self.variants);
        if k < self.plain {
            format!("n{k}")
        } else {
            format!("N{}", k - self.plain)
        }
    }
}

fn get(tree: &mut Tree, uri: &str) -> (Status, Option<String>) {
    let out = tree.execute_local(&Op::get(uri));
    let data = out
        .results
        .first()
        .and_then(|r| r.data.clone())
        .map(|d| String::from_utf8(d).unwrap());
    (out.status, data)
}

/// Checks every modelled child and the listed order.
fn check(tree: &mut Tree, model: &[(String, String)], step: usize) {
    let listed = model
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join("/");
    assert_eq!(
        get(tree, "./P"),
        (Status::OK, Some(listed)),
        "child list at step {step}"
    );
    let id = tree.node("./P").unwrap().id();
    assert_eq!(tree.node("./P").unwrap().child_count(), model.len());
    assert!(tree.children(id).eq(model.iter().map(|(n, _)| n.as_str())));
    for (n, v) in model {
        assert_eq!(
            get(tree, &format!("./P/{n}")),
            (Status::OK, Some(v.clone())),
            "{n} at step {step}"
        );
    }
}

/// Enough names to cross the index threshold both ways.
#[test]
fn interleaved_changes_match_a_naive_model() {
    let names = Names {
        plain: 200,
        variants: 50,
    };
    let phases = [(900, 80), (900, 20), (600, 75), (300, 10), (600, 70)];
    run_model(0x9e37_79b9_7f4a_7c15, &names, &phases, 50);
}

/// Enough names for the index table to grow several times, and shrink back.
#[test]
fn interleaved_changes_among_thousands_match_a_naive_model() {
    let names = Names {
        plain: 1300,
        variants: 200,
    };
    let phases = [(2000, 95), (1500, 10), (800, 90)];
    let peak = run_model(0x2545_f491_4f6c_dd1d, &names, &phases, 400);
    assert!(peak > 1000, "the parent peaked at {peak} children");
}

/// Random steps in `phases` (steps, percent of Adds), the whole tree checked every
/// `check_every` steps. Returns the most children the parent had.
fn run_model(seed: u64, names: &Names, phases: &[(usize, usize)], check_every: usize) -> usize {
    let mut peak = 0;
    let mut rng = Rng(seed);
    let mut tree = Tree::new();
    assert!(tree
        .execute_local(&Op::add("./P").with_format(Format::Node))
        .status
        .is_success());
    let mut model: Vec<(String, String)> = Vec::new();
    let mut step = 0usize;
    for &(steps, add_pct) in phases {
        for _ in 0..steps {
            step += 1;
            let n = names.draw(&mut rng);
            let pos = model.iter().position(|(m, _)| *m == n);
            let uri = format!("./P/{n}");
            let roll = rng.below(100);
            if roll < add_pct {
                let value = format!("v{step}");
                let status = tree.execute_local(&Op::add(&uri).with_text(&value)).status;
                if pos.is_some() {
                    assert_eq!(status, Status::ALREADY_EXISTS, "{uri} at step {step}");
                } else {
                    assert_eq!(status, Status::OK, "{uri} at step {step}");
                    model.push((n, value));
                    peak = peak.max(model.len());
                }
            } else if roll < add_pct + (100 - add_pct) / 2 {
                let status = tree.execute_local(&Op::delete(&uri)).status;
                match pos {
                    Some(p) => {
                        assert_eq!(status, Status::OK, "{uri} at step {step}");
                        model.remove(p);
                    }
                    None => assert_eq!(status, Status::NOT_FOUND, "{uri} at step {step}"),
                }
            } else {
                let to = names.draw(&mut rng);
                let clash = model.iter().any(|(m, _)| *m == to) && to != n;
                let status = tree
                    .execute_local(&Op::replace(&format!("{uri}?prop=Name")).with_text(&to))
                    .status;
                match (pos, clash) {
                    (None, _) => assert_eq!(status, Status::NOT_FOUND, "{uri} at step {step}"),
                    (Some(_), true) => {
                        assert_eq!(status, Status::ALREADY_EXISTS, "{uri} at step {step}");
                    }
                    (Some(p), false) => {
                        assert_eq!(status, Status::OK, "{uri} -> {to} at step {step}");
                        model[p].0 = to;
                    }
                }
            }
            // a name not in the model is not found
            let absent = names.draw(&mut rng);
            if !model.iter().any(|(m, _)| *m == absent) {
                assert_eq!(
                    get(&mut tree, &format!("./P/{absent}")).0,
                    Status::NOT_FOUND
                );
            }
            if step % check_every == 0 {
                check(&mut tree, &model, step);
            }
            if step % 401 == 0 {
                // a saved tree loads with the same order and lookups, and keeps working
                let json = serde_json::to_string(&tree).unwrap();
                tree = serde_json::from_str(&json).unwrap();
                check(&mut tree, &model, step);
                assert_eq!(serde_json::to_string(&tree).unwrap(), json);
            }
            if step % 557 == 0 {
                let snap = tree.snapshot();
                let saved = model.clone();
                for _ in 0..20 {
                    let n = names.draw(&mut rng);
                    let _ = tree.execute_local(&Op::delete(&format!("./P/{n}")));
                    let _ = tree.execute_local(&Op::add(&format!("./P/x{n}")).with_text("x"));
                }
                tree.restore(snap);
                check(&mut tree, &saved, step);
            }
        }
        check(&mut tree, &model, step);
    }
    peak
}

#[test]
fn case_insensitive_child_among_many() {
    let mut tree = Tree::new();
    let mut add = |uri: &str| {
        assert_eq!(
            tree.execute_local(&Op::add(uri).with_text("v")).status,
            Status::OK
        );
    };
    add("./P/ABC");
    for i in 0..200 {
        add(&format!("./P/c{i}"));
    }
    add("./P/abc");
    add("./P/Mixed");
    let abc_upper = tree.node("./P/ABC").unwrap().id();
    let abc_lower = tree.node("./P/abc").unwrap().id();
    let mixed = tree.node("./P/Mixed").unwrap().id();
    assert_ne!(abc_upper, abc_lower);
    tree.set_case_sense(abc_lower, CaseSense::Cis);
    tree.set_case_sense(mixed, CaseSense::Cis);
    // the first sibling in creation order that matches wins, as with a linear scan
    assert_eq!(tree.node("./P/ABC").unwrap().id(), abc_upper);
    assert_eq!(tree.node("./P/abc").unwrap().id(), abc_lower);
    assert_eq!(tree.node("./P/aBc").unwrap().id(), abc_lower);
    assert_eq!(tree.node("./P/MIXED").unwrap().id(), mixed);
    assert!(tree.node("./P/MIXE").is_none());
    // once the case-sensitive one goes, the case-insensitive one answers for it
    assert_eq!(
        tree.execute_local(&Op::delete("./P/ABC")).status,
        Status::OK
    );
    assert_eq!(tree.node("./P/ABC").unwrap().id(), abc_lower);
    let json = serde_json::to_string(&tree).unwrap();
    let back: Tree = serde_json::from_str(&json).unwrap();
    assert_eq!(back.node("./P/ABC").unwrap().name(), "abc");
    assert_eq!(back.node("./P/mixed").unwrap().name(), "Mixed");
}
