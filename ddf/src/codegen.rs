//! Rust code generation from a DDF (or a TNDS): path constants, one struct per interior node,
//! maps keyed by name for placeholders, typed leaves, and a static node-spec table.
//!
//! The output is laid out the way rustfmt (default settings, edition 2021) lays it out, so it
//! can be committed or `include!`d as is; it carries no inner attributes or inner doc
//! comments, so `include!` works.

use crate::error::Error;
use crate::model::{MgmtTree, NodeRef};
use crate::spec::{AccessType, CaseSense, Format, Occurrence, Scope};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// rustfmt's default `max_width`.
const MAX_WIDTH: usize = 100;
/// rustfmt's default `chain_width`.
const CHAIN_WIDTH: usize = 60;

/// Options of [`generate`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CodegenOptions {
    /// The path of the `ddf` crate in the generated code (`::ddf`).
    pub ddf_crate: String,
    /// The name of the root struct; by default derived from the root node's name (or, for a
    /// placeholder root such as DMAcc's, from the last segment of its `Path`).
    pub root_type: Option<String>,
}

impl Default for CodegenOptions {
    fn default() -> Self {
        Self {
            ddf_crate: "::ddf".to_owned(),
            root_type: None,
        }
    }
}

/// What codegen needs to know about one node, from `DFProperties` or, for TNDS, `RTProperties`.
struct Info<'t> {
    node: NodeRef<'t, 't>,
    /// Path relative to the MO root, `*` for placeholders; `""` for the root.
    path: String,
    access: AccessType,
    format: Format,
    occurrence: Occurrence,
    scope: Scope,
    mime: Vec<&'t str>,
    case_sense: CaseSense,
    default_value: Option<&'t str>,
    title: Option<&'t str>,
    description: Option<&'t str>,
    /// Indices of the children in the flat list.
    children: Vec<usize>,
    /// Struct name for interior nodes.
    type_name: String,
}

fn info<'t>(node: NodeRef<'t, 't>, path: String) -> Info<'t> {
    let (access, format, occurrence, scope, mime, case_sense, default_value, title, description) =
        match node.df() {
            Some(df) => (
                df.access,
                df.format,
                df.occurrence(),
                df.scope(),
                df.df_type.values(),
                df.case_sense(),
                df.default_value.as_deref(),
                df.title.as_deref(),
                df.description.as_deref(),
            ),
            // A TNDS carries no access types or occurrences: every command, one instance.
            None => (
                AccessType::ALL,
                node.format().unwrap_or(Format::Chr),
                Occurrence::One,
                Scope::Dynamic,
                node.rt()
                    .and_then(|rt| rt.rt_type.as_ref())
                    .map(|t| t.values())
                    .unwrap_or_default(),
                CaseSense::Cs,
                None,
                node.rt().and_then(|rt| rt.title.as_deref()),
                None,
            ),
        };
    Info {
        node,
        path,
        access,
        format,
        occurrence,
        scope,
        mime,
        case_sense,
        default_value,
        title,
        description,
        children: Vec::new(),
        type_name: String::new(),
    }
}

fn flatten<'t>(node: NodeRef<'t, 't>, path: String, out: &mut Vec<Info<'t>>) -> usize {
    let index = out.len();
    out.push(info(node, path.clone()));
    let mut children = Vec::with_capacity(node.children().count());
    for child in node.children() {
        let segment = if child.is_placeholder() {
            "*"
        } else {
            child.name()
        };
        let child_path = if path.is_empty() {
            segment.to_owned()
        } else {
            format!("{path}/{segment}")
        };
        children.push(flatten(child, child_path, out));
    }
    if let Some(slot) = out.get_mut(index) {
        slot.children = children;
    }
    index
}

/// Splits a node name into words: `PkgIDRef` → `Pkg ID Ref`, `E-Mail` → `E Mail`,
/// `AAuthData` → `A Auth Data`.
fn words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let mut words = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

const KEYWORDS: [&str; 51] = [
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try",
];

fn fix_ident(mut ident: String, fallback: &str) -> String {
    if ident.is_empty() {
        ident = fallback.to_owned();
    }
    if ident.starts_with(|c: char| c.is_ascii_digit()) {
        ident.insert(0, '_');
        ident.insert_str(0, fallback);
    }
    if KEYWORDS.contains(&ident.as_str()) {
        ident.push('_');
    }
    ident
}

fn snake(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|w| w.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    fix_ident(joined, "node")
}

fn screaming(segments: &str) -> String {
    let joined = segments
        .split('/')
        .filter(|s| !s.is_empty())
        .flat_map(|s| {
            if s == "*" {
                vec!["X".to_owned()]
            } else {
                words(s)
            }
        })
        .map(|w| w.to_ascii_uppercase())
        .collect::<Vec<_>>()
        .join("_");
    fix_ident(joined, "NODE")
}

fn camel(name: &str) -> String {
    let joined: String = words(name)
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => {
                    let mut s = first.to_ascii_uppercase().to_string();
                    s.push_str(&chars.as_str().to_ascii_lowercase());
                    s
                }
                None => String::new(),
            }
        })
        .collect();
    fix_ident(joined, "Node")
}

/// Gives every interior node a unique struct name: its own name in CamelCase, `<Parent>Item`
/// for a placeholder, and the parent's name as a prefix wherever two nodes would clash.
fn name_types(infos: &mut [Info<'_>], root: usize, root_name: &str) {
    let mut parent: Vec<Option<usize>> = vec![None; infos.len()];
    for (i, info) in infos.iter().enumerate() {
        for &c in &info.children {
            if let Some(slot) = parent.get_mut(c) {
                *slot = Some(i);
            }
        }
    }
    let interior: Vec<usize> = (0..infos.len())
        .filter(|&i| infos.get(i).is_some_and(|n| n.format == Format::Node))
        .collect();
    // Pre-order: a parent is named before its children.
    for &i in &interior {
        let short = if i == root {
            root_name.to_owned()
        } else {
            let parent_name = parent
                .get(i)
                .copied()
                .flatten()
                .and_then(|p| infos.get(p))
                .map(|p| p.type_name.clone())
                .unwrap_or_default();
            match infos.get(i) {
                Some(n) if n.node.is_placeholder() => format!("{parent_name}Item"),
                Some(n) => camel(n.node.name()),
                None => String::new(),
            }
        };
        if let Some(n) = infos.get_mut(i) {
            n.type_name = short;
        }
    }
    for _round in 0..4 {
        let mut count: BTreeMap<String, usize> = BTreeMap::new();
        for &i in &interior {
            if let Some(n) = infos.get(i) {
                *count.entry(n.type_name.clone()).or_default() += 1;
            }
        }
        if count.values().all(|&c| c == 1) {
            return;
        }
        for &i in &interior {
            let clash = infos
                .get(i)
                .is_some_and(|n| count.get(&n.type_name).copied().unwrap_or(0) > 1);
            if !clash || i == root {
                continue;
            }
            let parent_name = parent
                .get(i)
                .copied()
                .flatten()
                .and_then(|p| infos.get(p))
                .map(|p| p.type_name.clone())
                .unwrap_or_default();
            if let Some(n) = infos.get_mut(i) {
                if !n.type_name.starts_with(&parent_name) {
                    n.type_name = format!("{parent_name}{}", n.type_name);
                }
            }
        }
    }
    // Still clashing after prefixing: number them.
    let mut seen = BTreeSet::new();
    for &i in &interior {
        if let Some(n) = infos.get_mut(i) {
            let mut name = n.type_name.clone();
            let mut k = 2;
            while !seen.insert(name.clone()) {
                name = format!("{}{k}", n.type_name);
                k += 1;
            }
            n.type_name = name;
        }
    }
}

/// One doc-comment line as Rust reads it: node names and paths may hold any character, but a
/// line break would end the comment and a bare CR is not allowed in one, so control
/// characters are written as `\u{..}` escapes.
fn doc_safe(line: &str) -> Cow<'_, str> {
    if !line.chars().any(char::is_control) {
        return Cow::Borrowed(line);
    }
    let mut out = String::with_capacity(line.len() + 8);
    for c in line.chars() {
        if c.is_control() {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text for a `///` doc comment: one output line per input line, trimmed (so that nothing
/// becomes an indented code block or a doctest), with characters that rustdoc would read as
/// links or HTML escaped.
fn doc_lines(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            if lines.last().is_some_and(|l| !l.is_empty()) {
                lines.push(String::new());
            }
            continue;
        }
        let mut out = String::with_capacity(line.len());
        for c in line.chars() {
            match c {
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '[' => out.push_str("\\["),
                ']' => out.push_str("\\]"),
                '`' => out.push_str("\\`"),
                '\t' => out.push(' '),
                c if c.is_control() => {}
                c => out.push(c),
            }
        }
        if out.starts_with('#')
            || out.starts_with('-')
            || out.starts_with('+')
            || out.starts_with('=')
        {
            out.insert(0, '\\');
        }
        lines.push(out);
    }
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// A Rust string literal.
fn lit(s: &str) -> String {
    format!("{s:?}")
}

fn access_expr(access: AccessType) -> Vec<String> {
    let names: Vec<&str> = access.names().collect();
    let consts: Vec<String> = names
        .iter()
        .map(|n| format!("AccessType::{}", n.to_ascii_uppercase()))
        .collect();
    match consts.split_first() {
        None => vec!["AccessType::NONE".to_owned()],
        Some((first, rest)) => {
            let one_line: String = std::iter::once(first.clone())
                .chain(rest.iter().map(|c| format!(".union({c})")))
                .collect();
            if one_line.len() <= CHAIN_WIDTH {
                vec![one_line]
            } else {
                std::iter::once(first.clone())
                    .chain(rest.iter().map(|c| format!("    .union({c})")))
                    .collect()
            }
        }
    }
}

fn occurrence_expr(o: Occurrence) -> String {
    match o {
        Occurrence::ZeroOrN(n) | Occurrence::OneOrN(n) => format!("Occurrence::{}({n})", o.name()),
        _ => format!("Occurrence::{}", o.name()),
    }
}

fn format_variant(f: Format) -> &'static str {
    match f {
        Format::B64 => "B64",
        Format::Bin => "Bin",
        Format::Bool => "Bool",
        Format::Chr => "Chr",
        Format::Int => "Int",
        Format::Node => "Node",
        Format::Null => "Null",
        Format::Xml => "Xml",
        Format::Date => "Date",
        Format::Time => "Time",
        Format::Float => "Float",
    }
}

fn leaf_type(format: Format) -> &'static str {
    match format {
        Format::Chr | Format::Xml | Format::Date | Format::Time => "String",
        Format::Int => "i32",
        Format::Bool => "bool",
        Format::B64 | Format::Bin => "Vec<u8>",
        Format::Float => "f32",
        Format::Null | Format::Node => "()",
    }
}

fn leaf_type_doc(format: Format) -> &'static str {
    match format {
        Format::Chr => "text",
        Format::Xml => "an XML document",
        Format::Date => "an ISO 8601 date",
        Format::Time => "an ISO 8601 time",
        Format::Int => "a 32-bit signed integer",
        Format::Bool => "a boolean",
        Format::B64 => "binary data (base64 on the wire)",
        Format::Bin => "binary data",
        Format::Float => "a float",
        Format::Null => "no value (an operation node)",
        Format::Node => "an interior node",
    }
}

/// Writes code lines at a base indentation, applying rustfmt's line-width rules.
struct Out {
    text: String,
    base: usize,
}

impl Out {
    fn line(&mut self, indent: usize, text: &str) {
        if text.is_empty() {
            self.text.push('\n');
            return;
        }
        for _ in 0..(self.base + indent) {
            self.text.push(' ');
        }
        self.text.push_str(text);
        self.text.push('\n');
    }

    fn width(&self, indent: usize, text: &str) -> usize {
        self.base + indent + text.chars().count()
    }

    fn doc(&mut self, indent: usize, lines: &[String]) {
        for l in lines {
            if l.is_empty() {
                self.line(indent, "///");
            } else {
                self.line(indent, &format!("/// {}", doc_safe(l)));
            }
        }
    }

    /// `head: value,` or, when too wide, `head:` + value on the next line (rustfmt's
    /// layout for a field or a const whose right-hand side does not fit).
    fn assign(&mut self, indent: usize, head: &str, sep: &str, value: &str, end: &str) {
        let one = format!("{head}{sep} {value}{end}");
        if self.width(indent, &one) <= MAX_WIDTH {
            self.line(indent, &one);
            return;
        }
        let broken = format!("{value}{end}");
        if self.width(indent + 4, &broken) <= MAX_WIDTH {
            self.line(indent, &format!("{head}{sep}"));
            self.line(indent + 4, &broken);
        } else {
            self.line(indent, &one);
        }
    }

    /// `name: Some("text"),` / `name: None,` inside a struct literal.
    fn opt_str_field(&mut self, indent: usize, name: &str, value: Option<&str>) {
        let Some(value) = value else {
            self.line(indent, &format!("{name}: None,"));
            return;
        };
        let one = format!("{name}: Some({}),", lit(value));
        if self.width(indent, &one) <= MAX_WIDTH {
            self.line(indent, &one);
            return;
        }
        let inner = format!("{},", lit(value));
        if self.width(indent + 4, &inner) <= MAX_WIDTH {
            self.line(indent, &format!("{name}: Some("));
            self.line(indent + 4, &inner);
            self.line(indent, "),");
        } else {
            self.line(indent, &one);
        }
    }

    fn str_array_field(&mut self, indent: usize, name: &str, values: &[&str]) {
        let items: Vec<String> = values.iter().map(|v| lit(v)).collect();
        let one = format!("{name}: &[{}],", items.join(", "));
        if values.len() <= 1 || self.width(indent, &one) <= MAX_WIDTH {
            self.line(indent, &one);
            return;
        }
        self.line(indent, &format!("{name}: &["));
        for item in &items {
            self.line(indent + 4, &format!("{item},"));
        }
        self.line(indent, "],");
    }
}

fn first_sentence_doc(info: &Info<'_>, fallback: &str) -> Vec<String> {
    match info.description.map(doc_lines) {
        Some(lines) if !lines.is_empty() => lines,
        _ => vec![fallback.to_owned()],
    }
}

fn node_summary(info: &Info<'_>) -> String {
    let path = if info.path.is_empty() {
        "the management object root".to_owned()
    } else {
        format!("`{}`", info.path)
    };
    let access: Vec<&str> = info.access.names().collect();
    let access = if access.is_empty() {
        "none".to_owned()
    } else {
        access.join(", ")
    };
    format!(
        "Node {path}: format `{}`, access {access}, occurrence {}, scope {}.",
        info.format,
        match info.occurrence {
            Occurrence::ZeroOrN(n) => format!("ZeroOrN({n})"),
            Occurrence::OneOrN(n) => format!("OneOrN({n})"),
            o => o.name().to_owned(),
        },
        info.scope.name()
    )
}

struct Gen<'t> {
    infos: Vec<Info<'t>>,
    root: usize,
    krate: String,
}

impl Gen<'_> {
    fn get(&self, i: usize) -> Option<&Info<'_>> {
        self.infos.get(i)
    }

    fn header(&self, out: &mut Out) {
        let uses_map = self.infos.iter().any(|n| {
            n.format == Format::Node
                && n.children
                    .iter()
                    .any(|&c| self.get(c).is_some_and(|c| c.node.is_placeholder()))
        });
        if uses_map {
            out.line(0, "use std::collections::BTreeMap;");
            out.line(0, "");
        }
        out.line(
            0,
            &format!(
                "use {}::spec::{{AccessType, CaseSense, Format, NodeSpec, Occurrence, Scope}};",
                self.krate
            ),
        );
        out.line(0, "");
        if let Some(root) = self.get(self.root) {
            if root.format == Format::Node {
                if let Some(id) = root.mime.first() {
                    out.line(
                        0,
                        "/// The management object identifier (the root's `DFType`).",
                    );
                    out.assign(0, "pub const MO_ID: &str", " =", &lit(id), ";");
                    out.line(0, "");
                }
            }
        }
    }

    fn paths(&self, out: &mut Out) {
        out.line(
            0,
            "/// Node paths relative to the management object root (`*` marks a placeholder segment).",
        );
        out.line(0, "pub mod paths {");
        let mut used = BTreeSet::new();
        for (k, info) in self.infos.iter().enumerate() {
            let mut name = if info.path.is_empty() {
                "ROOT".to_owned()
            } else {
                screaming(&info.path)
            };
            let base = name.clone();
            let mut n = 2;
            while !used.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            if k > 0 {
                out.line(0, "");
            }
            let what = if info.path.is_empty() {
                "The management object root.".to_owned()
            } else {
                format!("`{}` ({}).", info.path, info.format)
            };
            out.line(4, &format!("/// {}", doc_safe(&what)));
            out.assign(
                4,
                &format!("pub const {name}: &str"),
                " =",
                &lit(&info.path),
                ";",
            );
        }
        out.line(0, "}");
    }

    fn structs(&self, out: &mut Out) {
        for info in &self.infos {
            if info.format != Format::Node {
                continue;
            }
            out.line(0, "");
            let mut doc = first_sentence_doc(info, &format!("The `{}` node.", info.path));
            doc.push(String::new());
            doc.push(node_summary(info));
            out.doc(0, &doc);
            out.line(0, "#[derive(Clone, Debug, Default, PartialEq)]");
            if info.children.is_empty() {
                out.line(0, &format!("pub struct {} {{}}", info.type_name));
                continue;
            }
            out.line(0, &format!("pub struct {} {{", info.type_name));
            let mut fields = BTreeSet::new();
            for (k, &c) in info.children.iter().enumerate() {
                let Some(child) = self.get(c) else { continue };
                let value_type = if child.format == Format::Node {
                    child.type_name.clone()
                } else {
                    leaf_type(child.format).to_owned()
                };
                let (field, ty) = if child.node.is_placeholder() {
                    (
                        "items".to_owned(),
                        format!("BTreeMap<String, {value_type}>"),
                    )
                } else if child.occurrence.min() == 0 {
                    (snake(child.node.name()), format!("Option<{value_type}>"))
                } else {
                    (snake(child.node.name()), value_type)
                };
                let mut name = field.clone();
                let mut n = 2;
                while !fields.insert(name.clone()) {
                    name = format!("{field}_{n}");
                    n += 1;
                }
                if k > 0 {
                    out.line(0, "");
                }
                let mut doc = first_sentence_doc(
                    child,
                    &format!(
                        "The `{}` {}.",
                        child.path,
                        if child.format == Format::Node {
                            "node"
                        } else {
                            "leaf"
                        }
                    ),
                );
                doc.push(String::new());
                if child.node.is_placeholder() {
                    doc.push(format!(
                        "Instances of `{}`, keyed by node name ({}).",
                        child.path,
                        match child.occurrence {
                            Occurrence::ZeroOrN(n) | Occurrence::OneOrN(n) =>
                                format!("at most {n}"),
                            o if o.min() == 1 => "at least one".to_owned(),
                            _ => "any number".to_owned(),
                        }
                    ));
                } else if child.format != Format::Node {
                    doc.push(format!(
                        "Format `{}`: {}; access {}.",
                        child.format,
                        leaf_type_doc(child.format),
                        {
                            let a: Vec<&str> = child.access.names().collect();
                            if a.is_empty() {
                                "none".to_owned()
                            } else {
                                a.join(", ")
                            }
                        }
                    ));
                } else {
                    doc.push(format!("See [`{}`].", child.type_name));
                }
                out.doc(4, &doc);
                out.assign(4, &format!("pub {name}"), ":", &ty, ",");
            }
            out.line(0, "}");
        }
    }

    fn specs(&self, out: &mut Out) {
        out.line(0, "");
        out.line(
            0,
            "/// The node specs of the management object, in document order, for the tree runtime.",
        );
        out.line(0, "pub static NODE_SPECS: &[NodeSpec] = &[");
        for info in &self.infos {
            out.line(4, "NodeSpec {");
            out.assign(8, "path", ":", &lit(&info.path), ",");
            let access = access_expr(info.access);
            match access.split_first() {
                Some((first, rest)) if !rest.is_empty() => {
                    out.line(8, &format!("access: {first}"));
                    let last = rest.len() - 1;
                    for (i, line) in rest.iter().enumerate() {
                        let end = if i == last { "," } else { "" };
                        out.line(8, &format!("{line}{end}"));
                    }
                }
                Some((first, _)) => out.line(8, &format!("access: {first},")),
                None => {}
            }
            out.line(
                8,
                &format!("format: Format::{},", format_variant(info.format)),
            );
            out.line(
                8,
                &format!("occurrence: {},", occurrence_expr(info.occurrence)),
            );
            out.line(8, &format!("scope: Scope::{},", info.scope.name()));
            out.str_array_field(8, "mime", &info.mime);
            out.line(
                8,
                &format!(
                    "case_sense: CaseSense::{},",
                    match info.case_sense {
                        CaseSense::Cs => "Cs",
                        CaseSense::Cis => "Cis",
                    }
                ),
            );
            out.opt_str_field(8, "default_value", info.default_value);
            out.opt_str_field(8, "title", info.title);
            out.line(4, "},");
        }
        out.line(0, "];");
        out.line(0, "");
        out.line(
            0,
            "/// The spec of the node at `path` (relative to the root, `*` for placeholders).",
        );
        out.line(0, "pub fn spec(path: &str) -> Option<&'static NodeSpec> {");
        out.line(4, "NODE_SPECS.iter().find(|spec| spec.path == path)");
        out.line(0, "}");
    }
}

fn root_type_name(node: NodeRef<'_, '_>) -> String {
    if !node.is_placeholder() {
        return camel(node.name());
    }
    let last = node
        .path()
        .and_then(|p| p.rsplit('/').find(|s| !s.is_empty() && *s != "."))
        .unwrap_or("Root");
    camel(last)
}

fn generate_root(root: NodeRef<'_, '_>, options: &CodegenOptions, base: usize) -> String {
    let mut infos = Vec::new();
    let root_index = flatten(root, String::new(), &mut infos);
    let root_name = options
        .root_type
        .clone()
        .unwrap_or_else(|| root_type_name(root));
    name_types(&mut infos, root_index, &root_name);
    let gen = Gen {
        infos,
        root: root_index,
        krate: options.ddf_crate.clone(),
    };
    let mut out = Out {
        text: String::new(),
        base,
    };
    gen.header(&mut out);
    gen.paths(&mut out);
    gen.structs(&mut out);
    gen.specs(&mut out);
    out.text
}

/// Generates Rust source for the management object(s) of a parsed DDF or TNDS.
///
/// One top-level node gives a flat file; several give one `pub mod` per top-level node.
/// For a TNDS, types come from `RTProperties/Format` and every node is `One` with every
/// access type.
pub fn generate(tree: &MgmtTree<'_>, options: &CodegenOptions) -> Result<String, Error> {
    let source = match tree.kind {
        crate::DocKind::Ddf => "a DDF",
        crate::DocKind::Tnds => "a TNDS",
    };
    let mut text = format!("// @generated by ddf::codegen from {source}. Do not edit by hand.\n\n");
    let mut roots = tree.roots();
    match (roots.next(), roots.next()) {
        (None, _) => {}
        (Some(root), None) => text.push_str(&generate_root(root, options, 0)),
        (Some(_), Some(_)) => {
            let mut used = BTreeSet::new();
            for (i, root) in tree.roots().enumerate() {
                let base_name = snake(&root_type_name(root));
                let mut name = base_name.clone();
                let mut n = 2;
                while !used.insert(name.clone()) {
                    name = format!("{base_name}_{n}");
                    n += 1;
                }
                if i > 0 {
                    text.push('\n');
                }
                let _ = writeln!(
                    text,
                    "/// The `{}` management object.",
                    root_type_name(root)
                );
                let _ = writeln!(text, "pub mod {name} {{");
                let body = generate_root(root, options, 4);
                // An inner module needs `super::` nothing: it is self-contained.
                text.push_str(&body);
                text.push_str("}\n");
            }
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_into_words() {
        assert_eq!(words("PkgIDRef"), ["Pkg", "ID", "Ref"]);
        assert_eq!(words("AAuthData"), ["A", "Auth", "Data"]);
        assert_eq!(words("E-Mail"), ["E", "Mail"]);
        assert_eq!(words("MaxTotLen"), ["Max", "Tot", "Len"]);
        assert_eq!(snake("PkgURL"), "pkg_url");
        assert_eq!(snake("Type"), "type_");
        assert_eq!(snake("3GPD"), "node_3_gpd");
        assert_eq!(camel("SCOMO"), "Scomo");
        assert_eq!(camel("DevInfo"), "DevInfo");
        assert_eq!(screaming("Download/*/PkgURL"), "DOWNLOAD_X_PKG_URL");
    }

    #[test]
    fn control_characters_in_names_become_escapes_in_doc_comments() {
        assert_eq!(doc_safe("`Be\rar` (node)."), "`Be\\u{d}ar` (node).");
        assert_eq!(doc_safe("a\nb\u{85}"), "a\\u{a}b\\u{85}");
        assert!(matches!(doc_safe("plain"), Cow::Borrowed("plain")));
    }

    #[test]
    fn doc_text_is_escaped_and_trimmed() {
        let lines = doc_lines("  First <X> [link]\n\n\n    indented `x`\n# head\n");
        assert_eq!(
            lines,
            [
                "First &lt;X&gt; \\[link\\]",
                "",
                "indented \\`x\\`",
                "\\# head"
            ]
        );
    }
}
