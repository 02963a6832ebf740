//! Model checks that need the whole node: interior/leaf consistency, sibling names,
//! placeholders, repeated `Path`s, and the DDF/TNDS mandatory parts.

use crate::error::{Error, ErrorKind, Warning};
use crate::model::{DocKind, MgmtTree, NodeRef};
use crate::spec::{Format, Scope};
use std::collections::HashSet;

/// Whether two sibling names are equal. Siblings usually differ in length or in their last
/// byte (`Leaf1`, `Leaf2`), which is checked before the full comparison (a `memcmp` call).
#[inline]
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.as_bytes().last() == b.as_bytes().last() && a == b
}

/// Splits a `Path` into its segments after `./` (the root `.` gives none); `None` when the
/// path is not a valid URI prefix.
pub(crate) fn path_segments(path: &str) -> Option<Vec<&str>> {
    let path = path.strip_suffix('/').unwrap_or(path);
    if path == "." || path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix("./").unwrap_or(path);
    let segments: Vec<&str> = rest.split('/').collect();
    if segments
        .iter()
        .any(|s| s.is_empty() || *s == ".." || *s == ".")
    {
        return None;
    }
    Some(segments)
}

fn segment<'n>(node: NodeRef<'n, '_>) -> &'n str {
    if node.is_placeholder() {
        "*"
    } else {
        node.name()
    }
}

/// Sibling lists up to this length are checked for duplicates pairwise; longer ones through
/// a hash set, so a TNDS with thousands of siblings stays linear.
const PAIRWISE_LIMIT: usize = 16;

/// The first child of `node` whose name an earlier sibling has, or the second placeholder.
fn first_clash<'t, 'a>(node: NodeRef<'t, 'a>) -> Option<NodeRef<'t, 'a>> {
    // Most nodes are leaves.
    node.first_child()?;
    let mut placeholders = 0usize;
    // The names seen so far: the first few in an array, all of them in a hash set once
    // there are more.
    let mut few: [&str; PAIRWISE_LIMIT] = [""; PAIRWISE_LIMIT];
    let mut seen = 0usize;
    let mut names: Option<HashSet<&str>> = None;
    let mut children = node.children();
    while let Some(child) = children.next() {
        if child.is_placeholder() {
            placeholders += 1;
            if placeholders > 1 {
                return Some(child);
            }
            continue;
        }
        let name = child.name();
        if let Some(names) = &mut names {
            if !names.insert(name) {
                return Some(child);
            }
            continue;
        }
        let before = few.get(..seen).unwrap_or_default();
        if before.iter().any(|n| same_name(n, name)) {
            return Some(child);
        }
        match few.get_mut(seen) {
            Some(slot) => {
                *slot = name;
                seen += 1;
            }
            None => {
                let mut set = HashSet::with_capacity(seen + 1 + children.clone().count());
                set.extend(few);
                set.insert(name);
                names = Some(set);
            }
        }
    }
    None
}

struct Walk<'w, 't, 'a> {
    kind: DocKind,
    warnings: &'w mut Vec<Warning>,
    /// The top-level node's `Path` as written (for messages) and as segments.
    base_text: Option<&'t str>,
    base: Vec<&'t str>,
    /// The nodes from the top-level node down to the current one.
    stack: Vec<NodeRef<'t, 'a>>,
}

/// What the builder noticed while reading a tree: whether any node could fail a check of
/// [`Walk::node`], for a tree of either kind. A tree with nothing noticed is not walked again
/// (the walk would find nothing, and it would touch every node once more, long after they
/// were read); otherwise the walk reports exactly as it would have.
#[derive(Debug, Default)]
pub(crate) struct Notes {
    /// Some node fails or may fail a check that does not depend on the document kind.
    suspect: bool,
    /// Some node has no `DFProperties` (an error in a DDF).
    without_df: bool,
    /// Some node has no `RTProperties` (a warning in a TNDS).
    without_rt: bool,
    /// Some node is a placeholder (a warning in a TNDS).
    placeholder: bool,
}

impl Notes {
    /// Notes a node read completely, children included, at `depth` (1 for a top-level node):
    /// the checks of [`Walk::node`] on the node itself and [`Walk::siblings`] on its
    /// children, in the same terms; a nested `Path` is left to the walk.
    pub(crate) fn node(&mut self, node: NodeRef<'_, '_>, depth: usize) {
        let placeholder = node.is_placeholder();
        let df = node.df();
        let rt = node.rt();
        self.placeholder |= placeholder;
        self.without_df |= df.is_none();
        self.without_rt |= rt.is_none();
        let format = node.format();
        let interior = format == Some(Format::Node);
        let value = node.has_value();
        self.suspect |= (placeholder && df.is_some_and(|df| df.scope == Some(Scope::Permanent)))
            || (node.has_children() && (!interior || value))
            || (interior && (value || rt.is_some_and(|rt| rt.size.is_some())))
            || (depth > 1 && node.path().is_some())
            || first_clash(node).is_some();
    }

    /// Whether the tree must be walked: something noticed counts for its kind.
    fn walk(&self, kind: DocKind) -> bool {
        self.suspect
            || match kind {
                DocKind::Ddf => self.without_df,
                DocKind::Tnds => self.without_rt || self.placeholder,
            }
    }
}

/// Checks a tree read by the builder, which noticed `notes` on the way.
pub(crate) fn validate(
    tree: &MgmtTree<'_>,
    notes: &Notes,
    warnings: &mut Vec<Warning>,
) -> Result<(), Error> {
    let deep = notes.walk(tree.kind);
    // What the notes stand for is checked here in builds with debug assertions (tests and
    // fuzzing): for a tree they let through, the deep walk finds nothing the top-level checks
    // (which always run) do not find.
    if cfg!(debug_assertions) && !deep {
        let (mut deep_found, mut top_found) = (Vec::new(), Vec::new());
        let deep_result = walk(tree, true, &mut deep_found);
        let top_result = walk(tree, false, &mut top_found);
        debug_assert!(
            deep_result == top_result && deep_found == top_found,
            "the builder's notes missed {deep_result:?} {deep_found:?}"
        );
    }
    walk(tree, deep, warnings)
}

/// The top-level checks, and with `deep` every node's.
fn walk(tree: &MgmtTree<'_>, deep: bool, warnings: &mut Vec<Warning>) -> Result<(), Error> {
    let mut walk = Walk {
        kind: tree.kind,
        warnings,
        base_text: None,
        base: Vec::new(),
        stack: Vec::new(),
    };
    let mut seen: Vec<(Vec<&str>, &str)> = Vec::new();
    for node in tree.roots() {
        walk.base_text = node.path();
        walk.stack.clear();
        walk.stack.push(node);
        walk.base = match node.path() {
            Some(path) => path_segments(path)
                .ok_or_else(|| walk.error(ErrorKind::BadPath(path.to_owned()), node))?,
            None => Vec::new(),
        };
        if !node.is_placeholder()
            && seen
                .iter()
                .any(|(p, n)| *p == walk.base && *n == node.name())
        {
            return Err(walk.error(ErrorKind::DuplicateName(node.name().to_owned()), node));
        }
        seen.push((walk.base.clone(), node.name()));
        if deep {
            walk.node(node)?;
        }
    }
    Ok(())
}

impl<'t, 'a> Walk<'_, 't, 'a> {
    /// The display path of the current stack: `Path/Name/.../Name`, `*` for placeholders.
    fn display(&self) -> String {
        let mut out = String::new();
        if let Some(base) = self.base_text {
            out.push_str(base);
        }
        for &node in &self.stack {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(segment(node));
        }
        out
    }

    fn error(&self, kind: ErrorKind, node: NodeRef<'_, '_>) -> Error {
        Error::at_path(kind, node.offset(), &self.display())
    }

    fn warn(&mut self, message: &str, node: NodeRef<'_, '_>) {
        let path = self.display();
        self.warnings
            .push(Warning::new(message.to_owned(), node.offset(), Some(path)));
    }

    /// Checks `node`, the last entry of the stack, and its subtree.
    fn node(&mut self, node: NodeRef<'t, 'a>) -> Result<(), Error> {
        match self.kind {
            DocKind::Ddf if node.df().is_none() => {
                return Err(self.error(
                    ErrorKind::MissingElement {
                        element: "DFProperties",
                        parent: "Node",
                    },
                    node,
                ))
            }
            DocKind::Tnds if node.rt().is_none() => {
                self.warn("TNDS node without <RTProperties>", node)
            }
            DocKind::Tnds if node.is_placeholder() => {
                self.warn("placeholder NodeName in a TNDS document", node)
            }
            _ => {}
        }
        if let Some(df) = node.df() {
            if node.is_placeholder() && df.scope == Some(Scope::Permanent) {
                self.warn("a placeholder node with Scope Permanent", node);
            }
        }
        let format = node.format();
        if node.has_children() {
            if let Some(f) = format.filter(|f| *f != Format::Node) {
                return Err(self.error(ErrorKind::ChildrenUnderLeaf(f), node));
            }
            if node.value().is_some() {
                return Err(self.error(ErrorKind::ChildrenAndValue, node));
            }
        }
        if format == Some(Format::Node) && node.value().is_some() {
            return Err(self.error(ErrorKind::ValueOnInterior, node));
        }
        if format == Some(Format::Node) && node.rt().is_some_and(|rt| rt.size.is_some()) {
            self.warn("Size on an interior node", node);
        }
        self.siblings(node)?;
        for child in node.children() {
            self.stack.push(child);
            let result = match child.path() {
                Some(path) => self.check_repeated_path(path, child),
                None => Ok(()),
            }
            .and_then(|()| self.node(child));
            self.stack.pop();
            result?;
        }
        Ok(())
    }

    /// Duplicate names and repeated placeholders among siblings.
    fn siblings(&mut self, node: NodeRef<'t, 'a>) -> Result<(), Error> {
        let Some(child) = first_clash(node) else {
            return Ok(());
        };
        self.stack.push(child);
        let kind = if child.is_placeholder() {
            ErrorKind::SeveralPlaceholders
        } else {
            ErrorKind::DuplicateName(child.name().to_owned())
        };
        let err = self.error(kind, child);
        self.stack.pop();
        Err(err)
    }

    /// A nested node's `Path` must name its real parent (`*` segments stand for
    /// placeholders); the child is the last entry of the stack.
    fn check_repeated_path(&self, path: &str, child: NodeRef<'_, '_>) -> Result<(), Error> {
        let Some(claimed) = path_segments(path) else {
            return Err(self.error(ErrorKind::BadPath(path.to_owned()), child));
        };
        let mut own: Vec<&str> = self.base.clone();
        own.extend(self.stack.iter().map(|&n| segment(n)));
        let parent = own.get(..own.len().saturating_sub(1)).unwrap_or_default();
        let matches = |a: &[&str], b: &[&str]| {
            a.len() == b.len()
                && a.iter()
                    .zip(b)
                    .all(|(x, y)| x == y || *x == "*" || *y == "*")
        };
        if matches(&claimed, parent) {
            return Ok(());
        }
        if claimed.len() >= own.len() && claimed.get(..own.len()).is_some_and(|p| matches(p, &own))
        {
            return Err(self.error(ErrorKind::PathCycle(path.to_owned()), child));
        }
        Err(self.error(
            ErrorKind::PathMismatch {
                expected: format!("./{}", parent.join("/")),
                found: path.to_owned(),
            },
            child,
        ))
    }
}
