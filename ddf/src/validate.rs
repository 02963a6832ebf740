//! Model checks that need the whole node: interior/leaf consistency, sibling names,
//! placeholders, repeated `Path`s, and the DDF/TNDS mandatory parts.

use crate::error::{Error, ErrorKind, Warning};
use crate::model::{DocKind, MgmtTree, Node};
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

fn segment<'n>(node: &'n Node<'_>) -> &'n str {
    if node.is_placeholder() {
        "*"
    } else {
        &node.name
    }
}

/// Sibling lists up to this length are checked for duplicates pairwise; longer ones through
/// a hash set, so a TNDS with thousands of siblings stays linear.
const PAIRWISE_LIMIT: usize = 16;

/// The index of the first sibling whose name an earlier one has, or the second placeholder.
fn first_clash(children: &[Node<'_>]) -> Option<usize> {
    let mut placeholders = 0usize;
    let mut names: HashSet<&str> = HashSet::new();
    let large = children.len() > PAIRWISE_LIMIT;
    if large {
        names.reserve(children.len());
    }
    children.iter().enumerate().position(|(i, child)| {
        if child.is_placeholder() {
            placeholders += 1;
            placeholders > 1
        } else if large {
            !names.insert(&child.name)
        } else {
            children
                .get(..i)
                .is_some_and(|before| before.iter().any(|c| same_name(&c.name, &child.name)))
        }
    })
}

struct Walk<'w, 'n> {
    kind: DocKind,
    warnings: &'w mut Vec<Warning>,
    /// The top-level node's `Path` as written (for messages) and as segments.
    base_text: Option<&'n str>,
    base: Vec<&'n str>,
    /// The nodes from the top-level node down to the current one.
    stack: Vec<&'n Node<'n>>,
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
    pub(crate) fn node(&mut self, node: &Node<'_>, depth: usize) {
        let placeholder = node.is_placeholder();
        self.placeholder |= placeholder;
        self.without_df |= node.df.is_none();
        self.without_rt |= node.rt.is_none();
        let format = node.format();
        let interior = format == Some(Format::Node);
        self.suspect |= (placeholder
            && node
                .df
                .as_ref()
                .is_some_and(|df| df.scope == Some(Scope::Permanent)))
            || (!node.children.is_empty() && (!interior || node.value.is_some()))
            || (interior
                && (node.value.is_some() || node.rt.as_ref().is_some_and(|rt| rt.size.is_some())))
            || (depth > 1 && node.path.is_some())
            || first_clash(&node.children).is_some();
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
    for node in &tree.nodes {
        walk.base_text = node.path.as_deref();
        walk.stack.clear();
        walk.stack.push(node);
        walk.base = match &node.path {
            Some(path) => path_segments(path)
                .ok_or_else(|| walk.error(ErrorKind::BadPath(path.to_string()), node))?,
            None => Vec::new(),
        };
        if !node.is_placeholder() && seen.iter().any(|(p, n)| *p == walk.base && *n == node.name) {
            return Err(walk.error(ErrorKind::DuplicateName(node.name.to_string()), node));
        }
        seen.push((walk.base.clone(), &node.name));
        if deep {
            walk.node(node)?;
        }
    }
    Ok(())
}

impl<'n> Walk<'_, 'n> {
    /// The display path of the current stack: `Path/Name/.../Name`, `*` for placeholders.
    fn display(&self) -> String {
        let mut out = String::new();
        if let Some(base) = self.base_text {
            out.push_str(base);
        }
        for node in &self.stack {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(segment(node));
        }
        out
    }

    fn error(&self, kind: ErrorKind, node: &Node<'_>) -> Error {
        Error::at_path(kind, node.offset, &self.display())
    }

    fn warn(&mut self, message: &str, node: &Node<'_>) {
        let path = self.display();
        self.warnings
            .push(Warning::new(message.to_owned(), node.offset, Some(path)));
    }

    /// Checks `node`, the last entry of the stack, and its subtree.
    fn node(&mut self, node: &'n Node<'n>) -> Result<(), Error> {
        match self.kind {
            DocKind::Ddf if node.df.is_none() => {
                return Err(self.error(
                    ErrorKind::MissingElement {
                        element: "DFProperties",
                        parent: "Node",
                    },
                    node,
                ))
            }
            DocKind::Tnds if node.rt.is_none() => {
                self.warn("TNDS node without <RTProperties>", node)
            }
            DocKind::Tnds if node.is_placeholder() => {
                self.warn("placeholder NodeName in a TNDS document", node)
            }
            _ => {}
        }
        if let Some(df) = &node.df {
            if node.is_placeholder() && df.scope == Some(Scope::Permanent) {
                self.warn("a placeholder node with Scope Permanent", node);
            }
        }
        let format = node.format();
        if !node.children.is_empty() {
            if let Some(f) = format.filter(|f| *f != Format::Node) {
                return Err(self.error(ErrorKind::ChildrenUnderLeaf(f), node));
            }
            if node.value.is_some() {
                return Err(self.error(ErrorKind::ChildrenAndValue, node));
            }
        }
        if format == Some(Format::Node) && node.value.is_some() {
            return Err(self.error(ErrorKind::ValueOnInterior, node));
        }
        if format == Some(Format::Node) && node.rt.as_ref().is_some_and(|rt| rt.size.is_some()) {
            self.warn("Size on an interior node", node);
        }
        self.siblings(&node.children)?;
        for child in &node.children {
            self.stack.push(child);
            let result = match &child.path {
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
    fn siblings(&mut self, children: &'n [Node<'n>]) -> Result<(), Error> {
        let Some(child) = first_clash(children).and_then(|i| children.get(i)) else {
            return Ok(());
        };
        self.stack.push(child);
        let kind = if child.is_placeholder() {
            ErrorKind::SeveralPlaceholders
        } else {
            ErrorKind::DuplicateName(child.name.to_string())
        };
        let err = self.error(kind, child);
        self.stack.pop();
        Err(err)
    }

    /// A nested node's `Path` must name its real parent (`*` segments stand for
    /// placeholders); the child is the last entry of the stack.
    fn check_repeated_path(&self, path: &str, child: &Node<'_>) -> Result<(), Error> {
        let Some(claimed) = path_segments(path) else {
            return Err(self.error(ErrorKind::BadPath(path.to_owned()), child));
        };
        let mut own: Vec<&str> = self.base.clone();
        own.extend(self.stack.iter().map(|n| segment(n)));
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
