//! The tree builder shared by the XML and WBXML front ends: a recursive-descent reader over
//! a stream of DDF events, followed by the validation pass (which checks each node as it is
//! finished, and walks the tree again only to report what it noticed).

use crate::error::{Error, ErrorKind, Warning};
use crate::model::{
    DfProperties, DocKind, MgmtTree, MimeList, NodeId, RtProperties, TypeInfo, Val, MAX_NODES, NONE,
};
use crate::spec::{AccessType, CaseSense, Format, Occurrence, Scope};
use crate::tag::Tag;
use crate::validate::Notes;
use crate::xml::{is_blank, XmlSource};
use std::borrow::Cow;

/// Nesting limit for `Node` elements: real management objects stay below 20 levels, and the
/// builder recurses once per level.
pub const MAX_NODE_DEPTH: usize = 128;

/// The builder's results: the error is boxed so that every `Result` passed up per event
/// stays the size of its value.
pub(crate) type Res<T> = Result<T, Box<Error>>;

/// One event of the DDF vocabulary, from XML or WBXML.
pub(crate) enum Ev<'a> {
    Start(Tag, usize),
    Empty(Tag, usize),
    /// Boxed: rare, and inline it would make every event larger.
    Unknown(Box<UnknownElement>),
    End(usize),
    Text(Cow<'a, str>, usize),
    Eof(usize),
}

/// An element outside the DDF vocabulary.
pub(crate) struct UnknownElement {
    pub(crate) name: String,
    pub(crate) empty: bool,
    pub(crate) offset: usize,
}

/// A stream of DDF events.
pub(crate) trait Source<'a> {
    fn next(&mut self) -> Res<Ev<'a>>;
    /// [`Source::next`] where an empty element is expected (a marker of a format, an
    /// access type, an occurrence), for a source that can read one faster than any event.
    #[inline(always)]
    fn next_empty(&mut self) -> Res<Ev<'a>> {
        self.next()
    }
    /// The offset of the first non-blank content left before the end of the input, if any.
    fn trailing_content(&mut self) -> Res<Option<usize>>;
    /// About how many nodes the input holds (a cheap guess from its length), for sizing the
    /// node arena up front.
    fn node_estimate(&self) -> usize;
    /// The content of the text element `tag`, read up to and including its end tag. Outside
    /// text elements a source may drop whitespace-only text, which the builder would skip
    /// anyway; here every piece counts.
    fn text_content(&mut self, tag: Tag) -> Res<Cow<'a, str>>
    where
        Self: Sized,
    {
        collect_text(self, tag)
    }

    /// The content of a `Value` element, read as [`Source::text_content`] reads it: a slice
    /// of the input if it is one, else appended to `buf` (the tree's text buffer).
    fn value_content(&mut self, buf: &mut String) -> Res<Val<'a>>
    where
        Self: Sized,
    {
        Ok(match self.text_content(Tag::Value)? {
            Cow::Borrowed(text) => Val::Input(text),
            Cow::Owned(text) => Val::stash(buf, &text),
        })
    }
}

/// Appends one piece of a text element's content to what came before it.
#[inline]
pub(crate) fn append_text<'a>(acc: &mut Option<Cow<'a, str>>, piece: Cow<'a, str>) {
    *acc = Some(match acc.take() {
        None => piece,
        Some(Cow::Owned(mut s)) => {
            s.push_str(&piece);
            Cow::Owned(s)
        }
        Some(Cow::Borrowed(prev)) => {
            // Text split by an entity usually goes on: leave room for it.
            let mut s = String::with_capacity(2 * (prev.len() + piece.len()) + 8);
            s.push_str(prev);
            s.push_str(&piece);
            Cow::Owned(s)
        }
    });
}

/// [`Source::text_content`] from the source's events.
fn collect_text<'a, S: Source<'a>>(src: &mut S, tag: Tag) -> Res<Cow<'a, str>> {
    let mut acc: Option<Cow<'a, str>> = None;
    loop {
        match src.next()? {
            Ev::Text(t, _) => append_text(&mut acc, t),
            Ev::End(_) => break,
            Ev::Eof(at) => return Err(Error::syntax(ErrorKind::Truncated(tag.name()), at).into()),
            Ev::Start(found, at) | Ev::Empty(found, at) => {
                return Err(unexpected(found, tag, at).into())
            }
            Ev::Unknown(u) => {
                let UnknownElement { name, offset, .. } = *u;
                return Err(Error::syntax(
                    ErrorKind::UnexpectedElement {
                        found: name,
                        parent: tag.name(),
                    },
                    offset,
                )
                .into());
            }
        }
    }
    Ok(acc.unwrap_or(Cow::Borrowed("")))
}

/// A parsed document and the warnings noticed while reading and validating it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Parsed<'a> {
    /// The model, borrowing from the input.
    pub tree: MgmtTree<'a>,
    /// Skipped vendor elements and mandatory parts the document leaves out.
    pub warnings: Vec<Warning>,
}

/// What a node being read holds besides its name; its properties are read straight into
/// the tree's arenas, and referred to by index.
#[derive(Default)]
struct Fields<'a> {
    path: Option<Cow<'a, str>>,
    value: Val<'a>,
    rt: Option<u32>,
    df: Option<u32>,
}

pub(crate) struct Builder<'a, S> {
    src: S,
    warnings: Vec<Warning>,
    saw_df: bool,
    /// The tree being read: every node is added to its arena at its start tag (so the arena
    /// is in document order) and filled in at its end tag.
    tree: MgmtTree<'a>,
    /// What the validation needs to look at again.
    notes: Notes,
}

/// `text` without leading and trailing white space (as `str::trim`).
#[inline]
fn trimmed(text: Cow<'_, str>) -> Cow<'_, str> {
    // Most element text starts and ends with a visible ASCII character: nothing to trim, and
    // no need to decode the ends as `str::trim` does (the only ASCII white space, 0x09-0x0D
    // and 0x20, is below `!`; other white space is not ASCII). This check is inlined into
    // every text element read; the rest is not.
    let visible = |b: Option<&u8>| b.is_some_and(|&b| (b'!'..=b'~').contains(&b));
    if visible(text.as_bytes().first()) && visible(text.as_bytes().last()) {
        return text;
    }
    trim_slow(text)
}

/// [`trimmed`] for text that may need trimming.
#[inline(never)]
fn trim_slow(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}

fn segment_of(name: Option<&Cow<'_, str>>) -> String {
    match name {
        None => "?".to_owned(),
        Some(n) if n.is_empty() => "*".to_owned(),
        Some(n) => n.to_string(),
    }
}

/// Adds a MIME type to the list, starting it with the first.
fn push_mime<'a>(list: &mut Option<MimeList<'a>>, mime: Cow<'a, str>) {
    match list {
        Some(list) => list.push(mime),
        None => *list = Some(MimeList::new(mime)),
    }
}

pub(crate) fn unexpected(found: Tag, parent: Tag, offset: usize) -> Error {
    Error::syntax(
        ErrorKind::UnexpectedElement {
            found: found.name().to_owned(),
            parent: parent.name(),
        },
        offset,
    )
}

impl<'a, S: Source<'a>> Builder<'a, S> {
    pub(crate) fn new(src: S) -> Self {
        // Sized from the input: one allocation for the nodes, one for each kind of
        // properties (see `MgmtTree::add_df`), instead of several per node. The guess is
        // bounded by the input length; more nodes than guessed just grow the arena.
        let nodes = src.node_estimate().min(MAX_NODES);
        Self {
            src,
            warnings: Vec::new(),
            saw_df: false,
            tree: MgmtTree::with_capacity(DocKind::Tnds, nodes),
            notes: Notes::default(),
        }
    }

    /// Reads a whole document: prolog, one `MgmtTree`, and (if `to_end`) nothing but blanks after.
    pub(crate) fn document(mut self, to_end: bool) -> Result<Parsed<'a>, Error> {
        let tree = self.read_document(to_end).map_err(|e| *e)?;
        self.finish(tree)
    }

    fn read_document(&mut self, to_end: bool) -> Res<MgmtTree<'a>> {
        let tree = loop {
            match self.src.next()? {
                Ev::Start(Tag::MgmtTree, offset) => break self.mgmt_tree(offset)?,
                Ev::Text(t, _) if is_blank(&t) => {}
                Ev::Start(_, offset) | Ev::Empty(_, offset) => {
                    return Err(Error::syntax(ErrorKind::NoMgmtTree, offset).into())
                }
                Ev::Unknown(u) => return Err(Error::syntax(ErrorKind::NoMgmtTree, u.offset).into()),
                Ev::Text(_, offset) | Ev::End(offset) | Ev::Eof(offset) => {
                    return Err(Error::syntax(ErrorKind::NoMgmtTree, offset).into())
                }
            }
        };
        if to_end {
            if let Some(at) = self.src.trailing_content()? {
                return Err(Error::syntax(ErrorKind::TrailingContent, at).into());
            }
        }
        Ok(tree)
    }

    /// Validates a tree read by [`Builder::mgmt_tree`] and hands out the result.
    pub(crate) fn finish(self, tree: MgmtTree<'a>) -> Result<Parsed<'a>, Error> {
        let mut warnings = self.warnings;
        crate::validate::validate(&tree, &self.notes, &mut warnings)?;
        Ok(Parsed { tree, warnings })
    }

    /// Continues after `<MgmtTree>` has been read.
    pub(crate) fn mgmt_tree(&mut self, offset: usize) -> Res<MgmtTree<'a>> {
        let mut ver_dtd = None;
        let mut man = None;
        let mut model = None;
        let mut nodes = false;
        loop {
            match self.src.next()? {
                Ev::Start(Tag::Node, at) => {
                    self.node(None, 1, at)?;
                    nodes = true;
                }
                Ev::Start(tag @ (Tag::VerDtd | Tag::Man | Tag::Mod), at) => {
                    let slot = match tag {
                        Tag::VerDtd => &mut ver_dtd,
                        Tag::Man => &mut man,
                        _ => &mut model,
                    };
                    if slot.is_some() {
                        return Err(Error::syntax(
                            ErrorKind::DuplicateElement {
                                element: tag.name(),
                                parent: "MgmtTree",
                            },
                            at,
                        )
                        .into());
                    }
                    *slot = Some(self.text(tag, true)?);
                }
                Ev::Empty(Tag::Node, at) => {
                    return Err(Error::model(
                        ErrorKind::MissingElement {
                            element: "NodeName",
                            parent: "Node",
                        },
                        at,
                    )
                    .into())
                }
                Ev::Empty(tag @ (Tag::VerDtd | Tag::Man | Tag::Mod), _) => {
                    let slot = match tag {
                        Tag::VerDtd => &mut ver_dtd,
                        Tag::Man => &mut man,
                        _ => &mut model,
                    };
                    *slot = Some(Cow::Borrowed(""));
                }
                Ev::Unknown(u) => self.skip_unknown(*u)?,
                Ev::End(_) => break,
                Ev::Text(t, at) => {
                    if !is_blank(&t) {
                        return Err(Error::syntax(ErrorKind::UnexpectedText("MgmtTree"), at).into());
                    }
                }
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated("MgmtTree"), at).into())
                }
                Ev::Start(tag, at) | Ev::Empty(tag, at) => {
                    return Err(unexpected(tag, Tag::MgmtTree, at).into())
                }
            }
        }
        let ver_dtd = ver_dtd.unwrap_or_else(|| {
            self.warnings.push(Warning::new(
                "missing <VerDTD> (assuming 1.2)".to_owned(),
                offset,
                None,
            ));
            Cow::Borrowed("1.2")
        });
        if !nodes {
            self.warnings.push(Warning::new(
                "a <MgmtTree> without any <Node>".to_owned(),
                offset,
                None,
            ));
        }
        let mut tree = std::mem::replace(&mut self.tree, MgmtTree::new(DocKind::Tnds));
        tree.ver_dtd = ver_dtd;
        tree.man = man;
        tree.model = model;
        tree.kind = if self.saw_df {
            DocKind::Ddf
        } else {
            DocKind::Tnds
        };
        Ok(tree)
    }

    fn skip_unknown(&mut self, element: UnknownElement) -> Res<()> {
        let UnknownElement {
            name,
            empty,
            offset,
        } = element;
        self.warnings.push(Warning::new(
            format!("skipped unknown element <{name}>"),
            offset,
            None,
        ));
        if empty {
            return Ok(());
        }
        let mut depth = 1usize;
        while depth > 0 {
            match self.src.next()? {
                Ev::Start(..) => depth += 1,
                Ev::Unknown(u) if !u.empty => depth += 1,
                Ev::End(_) => depth -= 1,
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated("vendor element"), at).into())
                }
                Ev::Empty(..) | Ev::Unknown(_) | Ev::Text(..) => {}
            }
        }
        Ok(())
    }

    /// The text content of `tag` up to its end tag; trimmed unless `trim` is false.
    #[inline]
    fn text(&mut self, tag: Tag, trim: bool) -> Res<Cow<'a, str>> {
        let text = self.src.text_content(tag)?;
        Ok(if trim { trimmed(text) } else { text })
    }

    /// Reads a node from the events after its `<Node>` tag, under `parent` (at the top level
    /// for `None`).
    fn node(&mut self, parent: Option<NodeId>, depth: usize, offset: usize) -> Res<()> {
        if depth > MAX_NODE_DEPTH {
            return Err(Error::syntax(ErrorKind::TooDeep(MAX_NODE_DEPTH), offset).into());
        }
        let id = self
            .tree
            .open(parent, offset)
            .ok_or_else(|| Error::syntax(ErrorKind::TooManyNodes(MAX_NODES), offset))?;
        let mut node = Fields::default();
        let mut name = None;
        if let Err(err) = self.node_body(id, &mut node, &mut name, depth) {
            let mut segment = segment_of(name.as_ref());
            if depth == 1 {
                if let Some(path) = &node.path {
                    segment = format!("{path}/{segment}");
                }
            }
            return Err(Box::new((*err).in_segment(&segment)));
        }
        // An RTProperties with nothing in it says nothing (the writer drops it too), so a
        // tree reads the same before and after a round trip.
        if let Some(rt) = node.rt {
            if self
                .tree
                .rts
                .get(rt as usize)
                .is_some_and(RtProperties::is_empty)
            {
                node.rt = None;
                if rt as usize + 1 == self.tree.rts.len() {
                    self.tree.rts.pop();
                }
            }
        }
        let Some(name) = name else {
            return Err(Error::model(
                ErrorKind::MissingElement {
                    element: "NodeName",
                    parent: "Node",
                },
                offset,
            )
            .into());
        };
        if let Some(rec) = self.tree.nodes.get_mut(id.index()) {
            rec.name = name;
            rec.path = node.path;
            rec.value = node.value;
            rec.rt = node.rt.unwrap_or(NONE);
            rec.df = node.df.unwrap_or(NONE);
        }
        // Checked now, while the node and its children are still in cache.
        if let Some(node) = self.tree.get(id) {
            self.notes.node(node, depth);
        }
        Ok(())
    }

    fn dup(element: Tag, at: usize) -> Error {
        Error::model(
            ErrorKind::DuplicateElement {
                element: element.name(),
                parent: "Node",
            },
            at,
        )
    }

    fn node_body(
        &mut self,
        id: NodeId,
        node: &mut Fields<'a>,
        name: &mut Option<Cow<'a, str>>,
        depth: usize,
    ) -> Res<()> {
        let mut ev = self.src.next()?;
        // The DTD's order (NodeName, Path?, RTProperties?, DFProperties?, (Node* | Value?)),
        // which real documents follow, is read at sites of its own, each of which nearly
        // always sees the same element; the general `match` below, which sees them all in
        // turn, would mispredict its jump on each. Every site does what the `match` does
        // for its element, and is reached before any duplicate could be.
        if let Ev::Start(Tag::NodeName, _) = ev {
            *name = Some(self.text(Tag::NodeName, true)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Path, _) = ev {
            node.path = Some(self.text(Tag::Path, true)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::RtProperties, at) = ev {
            node.rt = Some(self.rt_properties(at)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::DfProperties, at) = ev {
            self.saw_df = true;
            node.df = Some(self.df_properties(at)?);
            ev = self.src.next()?;
        }
        while let Ev::Start(Tag::Node, at) = ev {
            self.node(Some(id), depth + 1, at)?;
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Value, _) = ev {
            node.value = self.src.value_content(&mut self.tree.text)?;
            ev = self.src.next()?;
        }
        if let Ev::End(_) = ev {
            return Ok(());
        }
        self.node_rest(ev, id, node, name, depth)
    }

    /// The rest of a node after the part read in the DTD's order, from `ev` on: anything in
    /// any order, checked for duplicates. Kept out of [`Builder::node_body`], which recurses
    /// once per level: the stack stays small in unoptimised builds too.
    #[inline(never)]
    fn node_rest(
        &mut self,
        mut ev: Ev<'a>,
        id: NodeId,
        node: &mut Fields<'a>,
        name: &mut Option<Cow<'a, str>>,
        depth: usize,
    ) -> Res<()> {
        loop {
            match ev {
                Ev::Start(Tag::Node, at) => self.node(Some(id), depth + 1, at)?,
                Ev::Start(Tag::NodeName, at) => {
                    if name.is_some() {
                        return Err(Self::dup(Tag::NodeName, at).into());
                    }
                    *name = Some(self.text(Tag::NodeName, true)?);
                }
                Ev::Empty(Tag::NodeName, at) => {
                    if name.is_some() {
                        return Err(Self::dup(Tag::NodeName, at).into());
                    }
                    *name = Some(Cow::Borrowed(""));
                }
                Ev::Start(Tag::Path, at) => {
                    if node.path.is_some() {
                        return Err(Self::dup(Tag::Path, at).into());
                    }
                    node.path = Some(self.text(Tag::Path, true)?);
                }
                Ev::Empty(Tag::Path, _) => node.path = Some(Cow::Borrowed("")),
                Ev::Start(Tag::Value, at) => {
                    if node.value.is_some() {
                        return Err(Self::dup(Tag::Value, at).into());
                    }
                    node.value = self.src.value_content(&mut self.tree.text)?;
                }
                Ev::Empty(Tag::Value, _) => node.value = Val::Input(""),
                Ev::Start(Tag::RtProperties, at) => {
                    if node.rt.is_some() {
                        return Err(Self::dup(Tag::RtProperties, at).into());
                    }
                    node.rt = Some(self.rt_properties(at)?);
                }
                Ev::Empty(Tag::RtProperties, at) => {
                    self.warnings.push(Warning::new(
                        "empty <RTProperties> (Type is mandatory)".to_owned(),
                        at,
                        None,
                    ));
                    node.rt = Some(self.tree.add_rt(RtProperties::default()));
                }
                Ev::Start(Tag::DfProperties, at) => {
                    if node.df.is_some() {
                        return Err(Self::dup(Tag::DfProperties, at).into());
                    }
                    self.saw_df = true;
                    node.df = Some(self.df_properties(at)?);
                }
                Ev::Empty(Tag::DfProperties, at) => {
                    return Err(Error::model(
                        ErrorKind::MissingElement {
                            element: "AccessType",
                            parent: "DFProperties",
                        },
                        at,
                    )
                    .into())
                }
                Ev::Empty(Tag::Node, at) => {
                    return Err(Error::model(
                        ErrorKind::MissingElement {
                            element: "NodeName",
                            parent: "Node",
                        },
                        at,
                    )
                    .in_segment("?")
                    .into())
                }
                Ev::Unknown(u) => self.skip_unknown(*u)?,
                Ev::End(_) => return Ok(()),
                Ev::Text(t, at) => {
                    if !is_blank(&t) {
                        return Err(Error::syntax(ErrorKind::UnexpectedText("Node"), at).into());
                    }
                }
                Ev::Eof(at) => return Err(Error::syntax(ErrorKind::Truncated("Node"), at).into()),
                Ev::Start(tag, at) | Ev::Empty(tag, at) => {
                    return Err(unexpected(tag, Tag::Node, at).into())
                }
            }
            ev = self.src.next()?;
        }
    }

    /// Reads the single value element of a `Format`, `Occurrence`, `Scope` or `CaseSense`:
    /// (marker, text content if it had any).
    fn marker(&mut self, parent: Tag, offset: usize) -> Res<(Tag, Option<Cow<'a, str>>)> {
        let mut found: Option<(Tag, Option<Cow<'a, str>>)> = None;
        let mut ev = self.src.next_empty()?;
        // The usual content, one empty marker and the end tag, is checked at sites of its
        // own: the general `match` below sees the two kinds of event in turn and would
        // mispredict its jump on each.
        if let Ev::Empty(tag, _) = ev {
            ev = self.src.next()?;
            if let Ev::End(_) = ev {
                return Ok((tag, None));
            }
            found = Some((tag, None));
        }
        loop {
            let item = match ev {
                Ev::Empty(tag, _) => (tag, None),
                Ev::Start(tag, _) => (tag, Some(self.text(tag, true)?)),
                Ev::End(_) => break,
                Ev::Text(t, at) => {
                    if is_blank(&t) {
                        ev = self.src.next()?;
                        continue;
                    }
                    return Err(Error::syntax(ErrorKind::UnexpectedText(parent.name()), at).into());
                }
                Ev::Unknown(u) => {
                    let UnknownElement { name, offset, .. } = *u;
                    return Err(Error::model(
                        ErrorKind::UnexpectedElement {
                            found: name,
                            parent: parent.name(),
                        },
                        offset,
                    )
                    .into());
                }
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated(parent.name()), at).into())
                }
            };
            if found.is_some() {
                return Err(Error::model(ErrorKind::BadMarker(parent.name()), offset).into());
            }
            found = Some(item);
            ev = self.src.next()?;
        }
        found.ok_or_else(|| Error::model(ErrorKind::BadMarker(parent.name()), offset).into())
    }

    fn format(&mut self, parent: Tag, offset: usize) -> Res<Format> {
        let (tag, _) = self.marker(parent, offset)?;
        tag.format()
            .ok_or_else(|| Error::model(ErrorKind::BadMarker(parent.name()), offset).into())
    }

    fn occurrence(&mut self, offset: usize) -> Res<Occurrence> {
        let (tag, text) = self.marker(Tag::Occurrence, offset)?;
        let n = || {
            let text = text.as_deref().unwrap_or("");
            match text.parse::<u32>() {
                Ok(n) if (2..=65536).contains(&n) => Ok(n),
                _ => Err(Box::new(Error::model(
                    ErrorKind::BadOccurrence(text.to_owned()),
                    offset,
                ))),
            }
        };
        Ok(match tag {
            Tag::One => Occurrence::One,
            Tag::ZeroOrOne => Occurrence::ZeroOrOne,
            Tag::ZeroOrMore => Occurrence::ZeroOrMore,
            Tag::OneOrMore => Occurrence::OneOrMore,
            Tag::ZeroOrN => Occurrence::ZeroOrN(n()?),
            Tag::OneOrN => Occurrence::OneOrN(n()?),
            _ => return Err(Error::model(ErrorKind::BadMarker("Occurrence"), offset).into()),
        })
    }

    fn scope(&mut self, offset: usize) -> Res<Scope> {
        Ok(match self.marker(Tag::Scope, offset)?.0 {
            Tag::Permanent => Scope::Permanent,
            Tag::Dynamic => Scope::Dynamic,
            _ => return Err(Error::model(ErrorKind::BadMarker("Scope"), offset).into()),
        })
    }

    fn access_type(&mut self) -> Res<AccessType> {
        let mut access = AccessType::NONE;
        loop {
            match self.src.next_empty()? {
                Ev::Empty(tag, at) => {
                    access = access
                        | tag
                            .access()
                            .ok_or_else(|| unexpected(tag, Tag::AccessType, at))?;
                }
                Ev::Start(tag, at) => {
                    let bit = tag
                        .access()
                        .ok_or_else(|| unexpected(tag, Tag::AccessType, at))?;
                    let _ = self.text(tag, true)?;
                    access = access | bit;
                }
                Ev::End(_) => return Ok(access),
                Ev::Text(t, at) => {
                    if !is_blank(&t) {
                        return Err(
                            Error::syntax(ErrorKind::UnexpectedText("AccessType"), at).into()
                        );
                    }
                }
                Ev::Unknown(u) => self.skip_unknown(*u)?,
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated("AccessType"), at).into())
                }
            }
        }
    }

    fn type_info(&mut self, parent: Tag) -> Res<TypeInfo<'a>> {
        let mut mime: Option<MimeList<'a>> = None;
        let mut ddf_name = None;
        let mut ev = self.src.next()?;
        // The usual content, one MIME type (TNDS) and the end tag, is read at sites of its
        // own, as in [`Builder::marker`].
        if let Ev::Start(Tag::Mime, _) = ev {
            let list = MimeList::new(self.text(Tag::Mime, true)?);
            ev = self.src.next()?;
            if let Ev::End(_) = ev {
                return Ok(TypeInfo::Mime(list));
            }
            mime = Some(list);
        }
        loop {
            match ev {
                Ev::Start(Tag::Mime, at) | Ev::Empty(Tag::Mime, at) if ddf_name.is_some() => {
                    return Err(unexpected(Tag::Mime, parent, at).into())
                }
                Ev::Start(Tag::DdfName, at) | Ev::Empty(Tag::DdfName, at)
                    if ddf_name.is_some() || mime.is_some() =>
                {
                    return Err(unexpected(Tag::DdfName, parent, at).into())
                }
                Ev::Start(Tag::Mime, _) => {
                    let text = self.text(Tag::Mime, true)?;
                    push_mime(&mut mime, text);
                }
                Ev::Empty(Tag::Mime, _) => push_mime(&mut mime, Cow::Borrowed("")),
                Ev::Start(Tag::DdfName, _) => ddf_name = Some(self.text(Tag::DdfName, true)?),
                Ev::Empty(Tag::DdfName, _) => ddf_name = Some(Cow::Borrowed("")),
                Ev::End(_) => break,
                Ev::Text(t, at) => {
                    if !is_blank(&t) {
                        return Err(
                            Error::syntax(ErrorKind::UnexpectedText(parent.name()), at).into()
                        );
                    }
                }
                Ev::Unknown(u) => self.skip_unknown(*u)?,
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated(parent.name()), at).into())
                }
                Ev::Start(tag, at) | Ev::Empty(tag, at) => {
                    return Err(unexpected(tag, parent, at).into())
                }
            }
            ev = self.src.next()?;
        }
        Ok(match (ddf_name, mime) {
            (Some(name), _) => TypeInfo::DdfName(name),
            (None, None) => TypeInfo::DdfName(Cow::Borrowed("")),
            (None, Some(list)) => TypeInfo::Mime(list),
        })
    }

    /// Reads `RTProperties` into the tree's arena, and gives its index there.
    fn rt_properties(&mut self, offset: usize) -> Res<u32> {
        // Read in place in the arena (the properties are large, and moved no more), which is
        // taken out of the tree meanwhile: nothing else touches it until they end.
        let at = self.tree.add_rt(RtProperties::default());
        let mut rts = std::mem::take(&mut self.tree.rts);
        let result = match rts.last_mut() {
            Some(rt) => self.rt_fill(offset, rt),
            None => Ok(()),
        };
        self.tree.rts = rts;
        result.map(|()| at)
    }

    fn rt_fill(&mut self, offset: usize, rt: &mut RtProperties<'a>) -> Res<()> {
        let mut ev = self.src.next()?;
        // The usual start, `ACL`, `Format` and `Type` in the DTD's order, is read at sites
        // of its own, as in [`Builder::marker`].
        if let Ev::Start(Tag::Acl, _) = ev {
            rt.acl = Some(self.text(Tag::Acl, true)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Format, at) = ev {
            rt.format = Some(self.format(Tag::Format, at)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Type, _) = ev {
            rt.rt_type = Some(self.type_info(Tag::Type)?);
            ev = self.src.next()?;
        }
        loop {
            match ev {
                Ev::Start(Tag::Format, at) => rt.format = Some(self.format(Tag::Format, at)?),
                Ev::Start(Tag::Type, _) => rt.rt_type = Some(self.type_info(Tag::Type)?),
                Ev::Empty(Tag::Type, _) => rt.rt_type = Some(TypeInfo::DdfName(Cow::Borrowed(""))),
                Ev::Start(tag, at) | Ev::Empty(tag, at) if matches!(tag, Tag::Format) => {
                    return Err(Error::model(ErrorKind::BadMarker("Format"), at).into())
                }
                Ev::Start(tag, at) => {
                    let text = self.text(tag, true)?;
                    *Self::rt_slot(rt, tag, at)? = Some(text);
                }
                Ev::Empty(tag, at) => *Self::rt_slot(rt, tag, at)? = Some(Cow::Borrowed("")),
                Ev::Unknown(u) => self.skip_unknown(*u)?,
                Ev::End(_) => break,
                Ev::Text(t, at) => {
                    if !is_blank(&t) {
                        return Err(
                            Error::syntax(ErrorKind::UnexpectedText("RTProperties"), at).into()
                        );
                    }
                }
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated("RTProperties"), at).into())
                }
            }
            ev = self.src.next()?;
        }
        if rt.rt_type.is_none() {
            self.warnings.push(Warning::new(
                "<RTProperties> without the mandatory <Type>".to_owned(),
                offset,
                None,
            ));
        }
        Ok(())
    }

    fn rt_slot<'r>(
        rt: &'r mut RtProperties<'a>,
        tag: Tag,
        at: usize,
    ) -> Res<&'r mut Option<Cow<'a, str>>> {
        Ok(match tag {
            Tag::Acl => &mut rt.acl,
            Tag::Name => &mut rt.name,
            Tag::Size => &mut rt.size,
            Tag::Title => &mut rt.title,
            Tag::TStamp => &mut rt.tstamp,
            Tag::VerNo => &mut rt.ver_no,
            _ => return Err(unexpected(tag, Tag::RtProperties, at).into()),
        })
    }

    /// Reads `DFProperties` into the tree's arena, and gives its index there.
    fn df_properties(&mut self, offset: usize) -> Res<u32> {
        let mut access = None;
        let mut default_value = None;
        let mut description = None;
        let mut format = None;
        let mut occurrence = None;
        let mut scope = None;
        let mut title = None;
        let mut df_type = None;
        let mut case_sense = None;
        let mut ev = self.src.next()?;
        // The DTD's order (AccessType, DefaultValue?, Description?, DFFormat, Occurrence?,
        // Scope?, DFTitle?, DFType, CaseSense?) is read at sites of its own, as in
        // [`Builder::node_body`]; each does what the `match` below does for its element.
        if let Ev::Start(Tag::AccessType, _) = ev {
            access = Some(self.access_type()?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::DefaultValue, _) = ev {
            default_value = Some(self.text(Tag::DefaultValue, true)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Description, _) = ev {
            description = Some(self.text(Tag::Description, true)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::DfFormat, at) = ev {
            format = Some(self.format(Tag::DfFormat, at)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Occurrence, at) = ev {
            occurrence = Some(self.occurrence(at)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::Scope, at) = ev {
            scope = Some(self.scope(at)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::DfTitle, _) = ev {
            title = Some(self.text(Tag::DfTitle, true)?);
            ev = self.src.next()?;
        }
        if let Ev::Start(Tag::DfType, _) = ev {
            df_type = Some(self.type_info(Tag::DfType)?);
            ev = self.src.next()?;
        }
        loop {
            match ev {
                Ev::Start(Tag::AccessType, _) => access = Some(self.access_type()?),
                Ev::Empty(Tag::AccessType, _) => access = Some(AccessType::NONE),
                Ev::Start(Tag::DefaultValue, _) => {
                    default_value = Some(self.text(Tag::DefaultValue, true)?)
                }
                Ev::Empty(Tag::DefaultValue, _) => default_value = Some(Cow::Borrowed("")),
                Ev::Start(Tag::Description, _) => {
                    description = Some(self.text(Tag::Description, true)?)
                }
                Ev::Empty(Tag::Description, _) => description = Some(Cow::Borrowed("")),
                Ev::Start(Tag::DfTitle, _) => title = Some(self.text(Tag::DfTitle, true)?),
                Ev::Empty(Tag::DfTitle, _) => title = Some(Cow::Borrowed("")),
                Ev::Start(Tag::DfFormat, at) => format = Some(self.format(Tag::DfFormat, at)?),
                Ev::Start(Tag::Occurrence, at) => occurrence = Some(self.occurrence(at)?),
                Ev::Start(Tag::Scope, at) => scope = Some(self.scope(at)?),
                Ev::Start(Tag::CaseSense, at) => {
                    case_sense = Some(match self.marker(Tag::CaseSense, at)?.0 {
                        Tag::Cs => CaseSense::Cs,
                        Tag::Cis => CaseSense::Cis,
                        _ => return Err(Error::model(ErrorKind::BadMarker("CaseSense"), at).into()),
                    })
                }
                Ev::Start(Tag::DfType, _) => df_type = Some(self.type_info(Tag::DfType)?),
                Ev::Empty(Tag::DfType, _) => df_type = Some(TypeInfo::DdfName(Cow::Borrowed(""))),
                Ev::Empty(
                    tag @ (Tag::DfFormat | Tag::Occurrence | Tag::Scope | Tag::CaseSense),
                    at,
                ) => return Err(Error::model(ErrorKind::BadMarker(tag.name()), at).into()),
                Ev::Unknown(u) => self.skip_unknown(*u)?,
                Ev::End(_) => break,
                Ev::Text(t, at) => {
                    if !is_blank(&t) {
                        return Err(
                            Error::syntax(ErrorKind::UnexpectedText("DFProperties"), at).into()
                        );
                    }
                }
                Ev::Eof(at) => {
                    return Err(Error::syntax(ErrorKind::Truncated("DFProperties"), at).into())
                }
                Ev::Start(tag, at) | Ev::Empty(tag, at) => {
                    return Err(unexpected(tag, Tag::DfProperties, at).into())
                }
            }
            ev = self.src.next()?;
        }
        let missing = |element| {
            Error::model(
                ErrorKind::MissingElement {
                    element,
                    parent: "DFProperties",
                },
                offset,
            )
        };
        let access = access.ok_or_else(|| missing("AccessType"))?;
        let format = format.ok_or_else(|| missing("DFFormat"))?;
        let df_type = df_type.unwrap_or_else(|| {
            self.warnings.push(Warning::new(
                "<DFProperties> without the mandatory <DFType>".to_owned(),
                offset,
                None,
            ));
            TypeInfo::DdfName(Cow::Borrowed(""))
        });
        Ok(self.tree.add_df(DfProperties {
            access,
            default_value,
            description,
            format,
            occurrence,
            scope,
            title,
            df_type,
            case_sense,
        }))
    }
}

/// Parses a DDF or TNDS XML document whose root element is `MgmtTree`.
pub fn parse_xml(xml: &str) -> Result<Parsed<'_>, Error> {
    Builder::new(XmlSource::new(xml, 0)).document(true)
}

/// Parses the `MgmtTree` element that starts at byte `offset` of a larger XML document (a
/// SyncML message carrying a DDF or TNDS in `<Data>`); reading stops at its end tag, and
/// offsets in errors are offsets into `doc`.
pub fn parse_xml_at(doc: &str, offset: usize) -> Result<Parsed<'_>, Error> {
    let sub = doc
        .get(offset..)
        .ok_or_else(|| Error::syntax(ErrorKind::NoMgmtTree, offset))?;
    Builder::new(XmlSource::new(sub, offset)).document(false)
}

/// Finds the first `MgmtTree` element in an XML document (for example a SyncML message) and
/// parses it.
pub fn parse_nested_xml(doc: &str) -> Result<Parsed<'_>, Error> {
    match crate::xml::find_mgmt_tree(doc)? {
        Some(offset) => parse_xml_at(doc, offset),
        None => Err(Error::syntax(ErrorKind::NoMgmtTree, doc.len())),
    }
}

/// Parses a DDF or TNDS given as bytes, XML or WBXML (told apart by the first byte: XML
/// starts with `<`, a byte-order mark or whitespace). An XML or WBXML SyncML message is
/// searched for the first `MgmtTree` it carries.
pub fn parse(bytes: &[u8]) -> Result<Parsed<'_>, Error> {
    let is_xml = matches!(
        bytes.first(),
        Some(b'<' | b' ' | b'\t' | b'\r' | b'\n' | 0xEF)
    );
    if !is_xml {
        return crate::wbxml_io::parse_wbxml(bytes);
    }
    let text = std::str::from_utf8(bytes)
        .map_err(|e| Error::syntax(ErrorKind::Xml("invalid UTF-8".to_owned()), e.valid_up_to()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match parse_xml(text) {
        Err(e) if e.kind == ErrorKind::NoMgmtTree => parse_nested_xml(text),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::trimmed;
    use std::borrow::Cow;

    #[test]
    fn trimmed_is_str_trim() {
        for s in [
            "",
            "a",
            " a",
            "a ",
            "\u{a0}a",
            "a\u{3000}",
            "\u{b}x\u{c}",
            "~x!",
            "\té\n",
            "é",
            "x\u{85}",
            " ",
            "\r\n",
        ] {
            assert_eq!(trimmed(Cow::Borrowed(s)), s.trim(), "{s:?}");
            assert_eq!(trimmed(Cow::Owned(s.to_owned())), s.trim(), "{s:?}");
        }
    }
}
