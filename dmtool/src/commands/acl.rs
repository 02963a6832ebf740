//! `dmtool acl check`: would a server's command on a node pass the ACL?

use super::io::{read_input, write_output};
use crate::CliError;
use dm_tree::{AclCommand, Target, Tree, UriLimits};
use wbxml::transcode::{self, ToXmlOptions};
use wbxml::Language;

/// Arguments of `dmtool acl`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Decide whether a server may perform a command on a node of a TNDS tree; the last line
    /// printed is `allow` or `deny`.
    Check(CheckArgs),
}

/// Arguments of `dmtool acl check`.
#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// The tree as a TNDS document (XML or WBXML, detected); `-` reads standard input.
    #[arg(long, value_name = "TNDS_FILE")]
    tree: String,
    /// The server identifier.
    #[arg(long, value_name = "ID")]
    server: String,
    /// The command.
    #[arg(long, value_name = "Add|Delete|Exec|Get|Replace")]
    command: String,
    /// The node URI, optionally with `?prop=NAME`.
    #[arg(value_name = "URI")]
    uri: String,
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    match args.action {
        Action::Check(check) => run_check(&check),
    }
}

/// Builds the tree a TNDS file describes: nodes below the root `.`, whose ACL stays the TND
/// default `Add=*&Get=*`; ancestors implied by a `Path` get an empty (inherited) ACL.
fn load_tree(path: &str) -> Result<Tree, CliError> {
    let bytes = read_input(path)?;
    let xml = if transcode::looks_like_xml(&bytes) {
        String::from_utf8(bytes).map_err(|e| CliError::file(path, e))?
    } else {
        let options = ToXmlOptions {
            indent: None,
            ..ToXmlOptions::default()
        };
        // a standalone TNDS carries the DDF public id; an unknown id is read as DDF too
        transcode::wbxml_to_xml(&bytes, &options)
            .or_else(|_| {
                let forced = ToXmlOptions {
                    language: Some(Language::DmDdf12),
                    ..options
                };
                transcode::wbxml_to_xml(&bytes, &forced)
            })
            .map_err(|e| CliError::file(path, e))?
    };
    let parsed = ddf::parse_nested_xml(&xml).map_err(|e| CliError::file(path, e))?;
    let mut tree = Tree::new();
    tree.import_tnds(".", &parsed.tree)
        .map_err(|e| CliError::file(path, e))?;
    Ok(tree)
}

fn run_check(args: &CheckArgs) -> Result<(), CliError> {
    let command = AclCommand::from_name(&args.command).ok_or_else(|| {
        CliError::Input(format!(
            "unknown command '{}' (Add, Delete, Exec, Get, Replace)",
            args.command
        ))
    })?;
    if args.server.is_empty() {
        return Err(CliError::Input("empty server identifier".to_owned()));
    }
    let target = Target::parse(&args.uri, &UriLimits::UNLIMITED)
        .map_err(|e| CliError::Input(format!("{}: {e}", args.uri)))?;
    let tree = load_tree(&args.tree)?;
    let allowed = tree
        .acl_permits(&args.server, command, &target)
        .map_err(|status| {
            let why = match status.0 {
                404 if command == AclCommand::Add => "the parent node does not exist",
                404 => "no such node",
                418 => "the root cannot be added",
                _ => "the command does not apply to this property or list",
            };
            CliError::Input(format!("{}: {why}", args.uri))
        })?;
    // the ACL that decided, for the human reader
    let decided_at = match (command, target.query) {
        (AclCommand::Add, None) => target.uri.parent(),
        // a leaf's ACL is changed under its parent's Replace right
        (AclCommand::Replace, Some(dm_tree::Query::Prop(dm_tree::Property::Acl)))
            if tree
                .node(&target.uri.to_string())
                .is_some_and(|n| !n.is_interior()) =>
        {
            target.uri.parent()
        }
        _ => Some(target.uri),
    };
    let mut report = String::new();
    if let Some(id) = decided_at.and_then(|u| tree.lookup(u)) {
        if let Some(acl) = tree.effective_acl(id) {
            report.push_str(&format!(
                "effective ACL at {}: {acl}\n",
                decided_at.unwrap_or(target.uri)
            ));
        }
    }
    report.push_str(if allowed { "allow\n" } else { "deny\n" });
    write_output(None, report.as_bytes())
}
