//! Deterministic synthetic documents of a chosen size, for tests, golden files and benchmarks.

use std::fmt::Write as _;

const LEAF_FORMATS: [&str; 9] = [
    "chr", "int", "bool", "b64", "date", "time", "float", "xml", "null",
];

/// A valid DDF with about `nodes` `Node` elements: a root, groups of ten leaves of varied
/// formats and occurrences, and every fourth group a placeholder level. It is laid out like
/// real DDF files (and the shipped ones): one element per line, indented.
pub fn ddf(nodes: usize) -> String {
    let mut out = String::with_capacity(nodes.saturating_mul(720).saturating_add(512));
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MgmtTree xmlns=\"syncml:dmddf1.2\">\n  \
         <VerDTD>1.2</VerDTD>\n  <Man>omadm-rs</Man>\n  <Mod>synthetic</Mod>\n",
    );
    let mut count = 1usize;
    let root = Props {
        access: &["Get"],
        description: "The synthetic management object root.".to_owned(),
        format: "node",
        occurrence: "<One/>".to_owned(),
        scope: Some("Permanent"),
        df_type: "<DDFName>urn:example:mo:synth:1.0</DDFName>",
    };
    open_node(&mut out, 1, "Synth", &root);
    let mut group = 0usize;
    while count < nodes {
        let props = Props {
            access: &["Get"],
            description: format!("Group {group}."),
            format: "node",
            occurrence: "<ZeroOrOne/>".to_owned(),
            scope: Some("Permanent"),
            df_type: "<DDFName/>",
        };
        open_node(&mut out, 2, &format!("Group{group}"), &props);
        count += 1;
        let placeholder = group % 4 == 3 && count < nodes;
        let depth = if placeholder {
            let props = Props {
                access: &["Add", "Delete", "Get"],
                description: format!("Instances of group {group}."),
                format: "node",
                occurrence: "<ZeroOrMore/>".to_owned(),
                scope: Some("Dynamic"),
                df_type: "<DDFName/>",
            };
            open_node(&mut out, 3, "", &props);
            count += 1;
            4
        } else {
            3
        };
        for leaf in 0..10 {
            if count >= nodes {
                break;
            }
            let format = LEAF_FORMATS
                .get((group + leaf) % LEAF_FORMATS.len())
                .copied()
                .unwrap_or("chr");
            let props = Props {
                access: if format == "null" {
                    &["Exec"]
                } else if leaf % 2 == 0 {
                    &["Get", "Replace"]
                } else {
                    &["Get"]
                },
                description: format!("Leaf {leaf} of group {group}, format {format}."),
                format,
                occurrence: match leaf % 4 {
                    1 => "<ZeroOrOne/>".to_owned(),
                    2 => format!("<ZeroOrN>{}</ZeroOrN>", 2 + group % 50),
                    _ => "<One/>".to_owned(),
                },
                scope: None,
                df_type: "<MIME>text/plain</MIME>",
            };
            open_node(&mut out, depth, &format!("Leaf{leaf}"), &props);
            close_node(&mut out, depth);
            count += 1;
        }
        if placeholder {
            close_node(&mut out, 3);
        }
        close_node(&mut out, 2);
        group += 1;
    }
    close_node(&mut out, 1);
    out.push_str("</MgmtTree>\n");
    out
}

/// The `DFProperties` of one synthetic node.
struct Props {
    access: &'static [&'static str],
    description: String,
    format: &'static str,
    occurrence: String,
    scope: Option<&'static str>,
    df_type: &'static str,
}

fn line(out: &mut String, depth: usize, text: &str) {
    for _ in 0..depth {
        out.push_str("  ");
    }
    out.push_str(text);
    out.push('\n');
}

fn open_node(out: &mut String, depth: usize, name: &str, props: &Props) {
    line(out, depth, "<Node>");
    if name.is_empty() {
        line(out, depth + 1, "<NodeName/>");
    } else {
        line(out, depth + 1, &format!("<NodeName>{name}</NodeName>"));
    }
    line(out, depth + 1, "<DFProperties>");
    line(out, depth + 2, "<AccessType>");
    for access in props.access {
        line(out, depth + 3, &format!("<{access}/>"));
    }
    line(out, depth + 2, "</AccessType>");
    line(
        out,
        depth + 2,
        &format!("<Description>{}</Description>", props.description),
    );
    line(out, depth + 2, "<DFFormat>");
    line(out, depth + 3, &format!("<{}/>", props.format));
    line(out, depth + 2, "</DFFormat>");
    line(out, depth + 2, "<Occurrence>");
    line(out, depth + 3, &props.occurrence);
    line(out, depth + 2, "</Occurrence>");
    if let Some(scope) = props.scope {
        line(out, depth + 2, "<Scope>");
        line(out, depth + 3, &format!("<{scope}/>"));
        line(out, depth + 2, "</Scope>");
    }
    line(out, depth + 2, "<DFType>");
    line(out, depth + 3, props.df_type);
    line(out, depth + 2, "</DFType>");
    line(out, depth + 1, "</DFProperties>");
}

fn close_node(out: &mut String, depth: usize) {
    line(out, depth, "</Node>");
}

/// A valid TNDS with about `nodes` `Node` elements: interior nodes of ten leaves each, every
/// node with `RTProperties` (ACL, Format, Type) and the leaves with values.
pub fn tnds(nodes: usize) -> String {
    let mut out = String::with_capacity(nodes.saturating_mul(260).saturating_add(512));
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<MgmtTree xmlns=\"syncml:dmddf1.2\">\n  \
         <VerDTD>1.2</VerDTD>\n  <Node>\n    <NodeName>Root</NodeName>\n    <Path>./Vendor</Path>\n    \
         <RTProperties><ACL>Get=*&amp;Replace=srv</ACL><Format><node/></Format>\
         <Type><DDFName>com.example/1.0/Root</DDFName></Type></RTProperties>\n",
    );
    let mut count = 1usize;
    let mut group = 0usize;
    while count < nodes {
        let _ = writeln!(
            out,
            "    <Node>\n      <NodeName>G{group}</NodeName>\n      <RTProperties><Format><node/></Format>\
             <Type><DDFName/></Type></RTProperties>"
        );
        count += 1;
        for leaf in 0..10 {
            if count >= nodes {
                break;
            }
            let _ = writeln!(
                out,
                "      <Node><NodeName>L{leaf}</NodeName><RTProperties><ACL>Get=*</ACL><Format><chr/></Format>\
                 <Type><MIME>text/plain</MIME></Type><TStamp>20260101T000000Z</TStamp></RTProperties>\
                 <Value>value {group}.{leaf} &amp; more</Value></Node>"
            );
            count += 1;
        }
        out.push_str("    </Node>\n");
        group += 1;
    }
    out.push_str("  </Node>\n</MgmtTree>\n");
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn synthetic_documents_have_the_requested_size_and_parse() {
        for n in [1, 2, 13, 300] {
            let ddf = super::ddf(n);
            let parsed = crate::parse_xml(&ddf).unwrap();
            assert!(parsed.warnings.is_empty(), "{:?}", parsed.warnings);
            assert_eq!(parsed.tree.node_count(), n);
            let tnds = super::tnds(n);
            let parsed = crate::parse_xml(&tnds).unwrap();
            assert_eq!(parsed.tree.kind, crate::DocKind::Tnds);
            assert_eq!(parsed.tree.node_count(), n);
        }
    }
}
