//! The TNDS / DDF writer: one walk over the model, with an XML and a WBXML sink, and the
//! `?list=TNDS+Prop…` / `-Prop…` filters.

use crate::error::{Error, ErrorKind};
use crate::model::{DfProperties, MgmtTree, NodeRef, RtProperties, TypeInfo, NONE};
use crate::spec::{CaseSense, Occurrence, Scope};
use crate::tag::Tag;

/// A run-time property a `?list=TNDS` filter can select (plus `Value`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prop {
    /// `ACL`.
    Acl,
    /// `Format`.
    Format,
    /// `Name`.
    Name,
    /// `Size`.
    Size,
    /// `Title`.
    Title,
    /// `TStamp`.
    TStamp,
    /// `Type`.
    Type,
    /// `VerNo`.
    VerNo,
    /// The node's `Value`.
    Value,
}

impl Prop {
    /// Every property, in DTD order.
    pub const ALL: [Self; 9] = [
        Self::Acl,
        Self::Format,
        Self::Name,
        Self::Size,
        Self::Title,
        Self::TStamp,
        Self::Type,
        Self::VerNo,
        Self::Value,
    ];

    /// The name used in `?list=` filters (`ACL`, `Format`, ..., `Value`).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Acl => "ACL",
            Self::Format => "Format",
            Self::Name => "Name",
            Self::Size => "Size",
            Self::Title => "Title",
            Self::TStamp => "TStamp",
            Self::Type => "Type",
            Self::VerNo => "VerNo",
            Self::Value => "Value",
        }
    }

    const fn bit(self) -> u16 {
        1 << self as u16
    }
}

/// Which properties a TNDS carries: `?list=TNDS` (all), `TNDS+Value+ACL` (only those) or
/// `TNDS-Format` (all but those).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListFilter(u16);

impl Default for ListFilter {
    fn default() -> Self {
        Self::ALL
    }
}

impl ListFilter {
    /// Every property and the value.
    pub const ALL: Self = Self(0x1FF);

    /// Parses `TNDS`, `TNDS+Prop+Prop…` or `TNDS-Prop-Prop…`, optionally preceded by `?list=`
    /// or `list=`. `+` and `-` cannot be mixed; names are case-sensitive as in the spec.
    pub fn parse(query: &str) -> Result<Self, Error> {
        let bad = || Error::syntax(ErrorKind::BadFilter(query.to_owned()), 0);
        let rest = query.strip_prefix('?').unwrap_or(query);
        let rest = rest.strip_prefix("list=").unwrap_or(rest);
        let rest = rest.strip_prefix("TNDS").ok_or_else(bad)?;
        let Some(sign) = rest.chars().next() else {
            return Ok(Self::ALL);
        };
        if sign != '+' && sign != '-' {
            return Err(bad());
        }
        if rest.contains(if sign == '+' { '-' } else { '+' }) {
            return Err(bad());
        }
        let mut listed = 0u16;
        for name in rest.get(1..).unwrap_or("").split(sign) {
            let prop = Prop::ALL
                .into_iter()
                .find(|p| p.name() == name)
                .ok_or_else(bad)?;
            listed |= prop.bit();
        }
        Ok(if sign == '+' {
            Self(listed)
        } else {
            Self(Self::ALL.0 & !listed)
        })
    }

    /// Whether the filter keeps this property.
    pub const fn includes(self, prop: Prop) -> bool {
        self.0 & prop.bit() != 0
    }
}

fn keep<T: Clone>(filter: ListFilter, prop: Prop, value: &Option<T>) -> Option<T> {
    if filter.includes(prop) {
        value.clone()
    } else {
        None
    }
}

impl<'a> RtProperties<'a> {
    /// The properties this filter keeps.
    pub fn filtered(&self, filter: ListFilter) -> Self {
        Self {
            acl: keep(filter, Prop::Acl, &self.acl),
            format: keep(filter, Prop::Format, &self.format),
            name: keep(filter, Prop::Name, &self.name),
            size: keep(filter, Prop::Size, &self.size),
            title: keep(filter, Prop::Title, &self.title),
            tstamp: keep(filter, Prop::TStamp, &self.tstamp),
            rt_type: keep(filter, Prop::Type, &self.rt_type),
            ver_no: keep(filter, Prop::VerNo, &self.ver_no),
        }
    }
}

impl<'a> MgmtTree<'a> {
    /// A copy with only the properties the filter keeps (what a `?list=TNDS…` Get returns);
    /// an `RTProperties` left empty is dropped.
    pub fn filtered(&self, filter: ListFilter) -> Self {
        let mut out = self.clone();
        let mut rts = Vec::with_capacity(self.rts.len());
        for rec in &mut out.nodes {
            if let Some(rt) = self.rts.get(rec.rt as usize) {
                let rt = rt.filtered(filter);
                rec.rt = NONE;
                if !rt.is_empty() {
                    // No more properties than `self` has, whose indices fit.
                    rec.rt = u32::try_from(rts.len()).unwrap_or(NONE);
                    rts.push(rt);
                }
            }
            if !filter.includes(Prop::Value) {
                rec.value = crate::model::Val::None;
            }
        }
        out.rts = rts;
        out
    }
}

/// Where the writer puts elements.
pub(crate) trait Sink {
    fn start(&mut self, tag: Tag);
    fn end(&mut self);
    fn empty(&mut self, tag: Tag);
    fn text(&mut self, tag: Tag, text: &str) -> Result<(), Error>;
}

fn type_info<S: Sink>(sink: &mut S, tag: Tag, info: &TypeInfo<'_>) -> Result<(), Error> {
    sink.start(tag);
    match info {
        TypeInfo::Mime(list) => {
            for mime in list {
                sink.text(Tag::Mime, mime)?;
            }
        }
        TypeInfo::DdfName(name) => sink.text(Tag::DdfName, name)?,
    }
    sink.end();
    Ok(())
}

fn marker<S: Sink>(sink: &mut S, parent: Tag, value: Tag) {
    sink.start(parent);
    sink.empty(value);
    sink.end();
}

fn opt_text<S: Sink>(sink: &mut S, tag: Tag, text: Option<&str>) -> Result<(), Error> {
    match text {
        Some(text) => sink.text(tag, text),
        None => Ok(()),
    }
}

fn rt_properties<S: Sink>(sink: &mut S, rt: &RtProperties<'_>) -> Result<(), Error> {
    sink.start(Tag::RtProperties);
    opt_text(sink, Tag::Acl, rt.acl.as_deref())?;
    if let Some(format) = rt.format {
        marker(sink, Tag::Format, Tag::of_format(format));
    }
    opt_text(sink, Tag::Name, rt.name.as_deref())?;
    opt_text(sink, Tag::Size, rt.size.as_deref())?;
    opt_text(sink, Tag::Title, rt.title.as_deref())?;
    opt_text(sink, Tag::TStamp, rt.tstamp.as_deref())?;
    if let Some(info) = &rt.rt_type {
        type_info(sink, Tag::Type, info)?;
    }
    opt_text(sink, Tag::VerNo, rt.ver_no.as_deref())?;
    sink.end();
    Ok(())
}

fn df_properties<S: Sink>(sink: &mut S, df: &DfProperties<'_>) -> Result<(), Error> {
    sink.start(Tag::DfProperties);
    if df.access.is_empty() {
        sink.empty(Tag::AccessType);
    } else {
        sink.start(Tag::AccessType);
        for name in df.access.names() {
            if let Some(tag) = Tag::from_name(name) {
                sink.empty(tag);
            }
        }
        sink.end();
    }
    opt_text(sink, Tag::DefaultValue, df.default_value.as_deref())?;
    opt_text(sink, Tag::Description, df.description.as_deref())?;
    marker(sink, Tag::DfFormat, Tag::of_format(df.format));
    if let Some(occurrence) = df.occurrence {
        sink.start(Tag::Occurrence);
        match occurrence {
            Occurrence::One => sink.empty(Tag::One),
            Occurrence::ZeroOrOne => sink.empty(Tag::ZeroOrOne),
            Occurrence::ZeroOrMore => sink.empty(Tag::ZeroOrMore),
            Occurrence::OneOrMore => sink.empty(Tag::OneOrMore),
            Occurrence::ZeroOrN(n) => sink.text(Tag::ZeroOrN, &n.to_string())?,
            Occurrence::OneOrN(n) => sink.text(Tag::OneOrN, &n.to_string())?,
        }
        sink.end();
    }
    if let Some(scope) = df.scope {
        let tag = match scope {
            Scope::Permanent => Tag::Permanent,
            Scope::Dynamic => Tag::Dynamic,
        };
        marker(sink, Tag::Scope, tag);
    }
    opt_text(sink, Tag::DfTitle, df.title.as_deref())?;
    type_info(sink, Tag::DfType, &df.df_type)?;
    if let Some(case) = df.case_sense {
        let tag = match case {
            CaseSense::Cs => Tag::Cs,
            CaseSense::Cis => Tag::Cis,
        };
        marker(sink, Tag::CaseSense, tag);
    }
    sink.end();
    Ok(())
}

/// Writes a node's content up to its children.
fn node_start<S: Sink>(
    sink: &mut S,
    node: NodeRef<'_, '_>,
    filter: ListFilter,
) -> Result<(), Error> {
    sink.start(Tag::Node);
    sink.text(Tag::NodeName, node.name())?;
    opt_text(sink, Tag::Path, node.path())?;
    if let Some(rt) = node.rt() {
        let rt = rt.filtered(filter);
        if !rt.is_empty() {
            rt_properties(sink, &rt)?;
        }
    }
    if let Some(df) = node.df() {
        df_properties(sink, df)?;
    }
    Ok(())
}

/// Writes a node's content after its children, and its end tag.
fn node_end<S: Sink>(sink: &mut S, node: NodeRef<'_, '_>, filter: ListFilter) -> Result<(), Error> {
    if filter.includes(Prop::Value) {
        opt_text(sink, Tag::Value, node.value())?;
    }
    sink.end();
    Ok(())
}

/// Writes a node and its subtree, walked with an explicit stack (a built tree may be
/// deeper than the call stack allows).
fn node<S: Sink>(sink: &mut S, top: NodeRef<'_, '_>, filter: ListFilter) -> Result<(), Error> {
    node_start(sink, top, filter)?;
    // The open nodes, each with its next child to write.
    let mut open = vec![(top, top.first_child())];
    while let Some((node, next)) = open.last_mut() {
        let node = *node;
        match *next {
            Some(child) => {
                *next = child.next_sibling();
                node_start(sink, child, filter)?;
                open.push((child, child.first_child()));
            }
            None => {
                node_end(sink, node, filter)?;
                open.pop();
            }
        }
    }
    Ok(())
}

/// Writes the whole tree (MgmtTree element and its content) to a sink.
pub(crate) fn tree<S: Sink>(
    sink: &mut S,
    tree: &MgmtTree<'_>,
    filter: ListFilter,
) -> Result<(), Error> {
    sink.text(Tag::VerDtd, &tree.ver_dtd)?;
    opt_text(sink, Tag::Man, tree.man.as_deref())?;
    opt_text(sink, Tag::Mod, tree.model.as_deref())?;
    for n in tree.roots() {
        node(sink, n, filter)?;
    }
    Ok(())
}

/// Indented XML output.
struct XmlSink {
    out: String,
    stack: Vec<Tag>,
}

impl XmlSink {
    fn indent(&mut self) {
        for _ in 0..self.stack.len() {
            self.out.push_str("  ");
        }
    }
}

/// Escapes text content: `&`, `<` and `>` (and `\r`, which XML would otherwise normalise away).
pub(crate) fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

impl Sink for XmlSink {
    fn start(&mut self, tag: Tag) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag.name());
        self.out.push_str(">\n");
        self.stack.push(tag);
    }

    fn end(&mut self) {
        let tag = self.stack.pop();
        self.indent();
        self.out.push_str("</");
        self.out.push_str(tag.map_or("?", Tag::name));
        self.out.push_str(">\n");
    }

    fn empty(&mut self, tag: Tag) {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag.name());
        self.out.push_str("/>\n");
    }

    fn text(&mut self, tag: Tag, text: &str) -> Result<(), Error> {
        if text.is_empty() {
            self.empty(tag);
            return Ok(());
        }
        self.indent();
        self.out.push('<');
        self.out.push_str(tag.name());
        self.out.push('>');
        escape_into(&mut self.out, text);
        self.out.push_str("</");
        self.out.push_str(tag.name());
        self.out.push_str(">\n");
        Ok(())
    }
}

/// Writes the tree as an XML document (`<MgmtTree xmlns="syncml:dmddf1.2">`), keeping only
/// the run-time properties and values the filter selects ([`ListFilter::ALL`] keeps all).
/// `DFProperties` are written in full, so a DDF can be written too.
pub fn to_xml(tree: &MgmtTree<'_>, filter: ListFilter) -> String {
    let mut sink = XmlSink {
        out: String::with_capacity(256 + 200 * tree.node_count()),
        stack: Vec::new(),
    };
    sink.out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MgmtTree xmlns=\"syncml:dmddf1.2\">\n",
    );
    sink.stack.push(Tag::MgmtTree);
    // The XML sink never fails: only WBXML rejects some text.
    let _ = self::tree(&mut sink, tree, filter);
    sink.out.push_str("</MgmtTree>\n");
    sink.out
}
