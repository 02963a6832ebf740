//! `dmtool ddf check|codegen`: validate a DDF or TNDS file, or generate Rust code from it.

use super::io::{read_input, write_output};
use crate::CliError;

/// Arguments of `dmtool ddf`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    #[command(subcommand)]
    action: Action,
}

#[derive(clap::Subcommand, Debug)]
enum Action {
    /// Parse and validate a DDF or TNDS (XML or WBXML, standalone or inside a SyncML message);
    /// warnings go to stderr and the last line printed is `<N> nodes`.
    Check(CheckArgs),
    /// Generate Rust code (path constants, structs, node specs) from a DDF or TNDS.
    Codegen(CodegenArgs),
}

/// Arguments of `dmtool ddf check`.
#[derive(clap::Args, Debug)]
struct CheckArgs {
    /// The DDF or TNDS file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: String,
}

/// Arguments of `dmtool ddf codegen`.
#[derive(clap::Args, Debug)]
struct CodegenArgs {
    /// The DDF or TNDS file; `-` reads standard input.
    #[arg(value_name = "FILE")]
    file: String,
    /// Where to write the Rust source (standard output by default).
    #[arg(short = 'o', long = "output", value_name = "OUT.rs")]
    output: Option<String>,
    /// The name of the root struct (derived from the root node by default).
    #[arg(long, value_name = "NAME")]
    root_type: Option<String>,
    /// The path of the `ddf` crate in the generated code.
    #[arg(long, value_name = "PATH", default_value = "::ddf")]
    ddf_crate: String,
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    match args.action {
        Action::Check(check) => run_check(&check),
        Action::Codegen(codegen) => run_codegen(&codegen),
    }
}

fn parse_file(bytes: &[u8]) -> Result<ddf::Parsed<'_>, CliError> {
    let parsed = ddf::parse(bytes).map_err(|e| CliError::Input(e.to_string()))?;
    for warning in &parsed.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(parsed)
}

/// The report `check` prints: a summary whose last line is `<N> nodes`, counting every
/// `Node` element of the document.
fn check_report(parsed: &ddf::Parsed<'_>) -> String {
    let tree = &parsed.tree;
    let kind = match tree.kind {
        ddf::DocKind::Ddf => "DDF",
        ddf::DocKind::Tnds => "TNDS",
    };
    let mut report = format!("{kind} (VerDTD {})\n", tree.ver_dtd);
    for node in tree.roots() {
        let name = if node.is_placeholder() {
            "<X>"
        } else {
            node.name()
        };
        let path = node.path().map(|p| format!("{p}/")).unwrap_or_default();
        report.push_str(&format!("root {path}{name}: {} nodes\n", node.count()));
    }
    report.push_str(&format!("{} warnings\n", parsed.warnings.len()));
    report.push_str(&format!("{} nodes\n", tree.node_count()));
    report
}

fn run_check(args: &CheckArgs) -> Result<(), CliError> {
    let bytes = read_input(&args.file)?;
    let parsed = parse_file(&bytes)?;
    write_output(None, check_report(&parsed).as_bytes())
}

fn run_codegen(args: &CodegenArgs) -> Result<(), CliError> {
    let bytes = read_input(&args.file)?;
    let parsed = parse_file(&bytes)?;
    let mut options = ddf::CodegenOptions::default();
    options.ddf_crate.clone_from(&args.ddf_crate);
    options.root_type.clone_from(&args.root_type);
    let code = ddf::generate(&parsed.tree, &options).map_err(|e| CliError::Input(e.to_string()))?;
    write_output(args.output.as_deref(), code.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_reports_node_count_last() {
        let parsed = parse_file(ddf::builtin::SCOMO.as_bytes()).unwrap();
        let report = check_report(&parsed);
        assert_eq!(report.lines().last(), Some("52 nodes"));
        assert!(report.starts_with("DDF (VerDTD 1.2)\nroot SCOMO: 52 nodes\n"));

        let tree = ddf::parse_xml(ddf::builtin::DM_ACC).unwrap().tree;
        let wbxml = ddf::to_wbxml(&tree, ddf::ListFilter::ALL).unwrap();
        let report = check_report(&parse_file(&wbxml).unwrap());
        assert!(report.contains("root ./DMAcc/<X>: 24 nodes"));
        assert_eq!(report.lines().last(), Some("24 nodes"));
    }

    #[test]
    fn errors_name_a_byte_offset_or_a_node_path() {
        let truncated = b"<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>A</NodeName>";
        let err = parse_file(truncated).unwrap_err();
        assert_eq!(
            err.to_string(),
            "truncated document inside <Node> at byte 58"
        );
        let bad = b"<MgmtTree><VerDTD>1.2</VerDTD><Node><NodeName>A</NodeName><DFProperties>\
            <AccessType/><DFFormat><chr/></DFFormat><Occurrence><ZeroOrN>1</ZeroOrN></Occurrence>\
            </DFProperties></Node></MgmtTree>";
        let err = parse_file(bad).unwrap_err();
        assert_eq!(
            err.to_string(),
            "bad Occurrence N \"1\" (expected 2..=65536) at A"
        );
        assert_eq!(err.exit_code(), 1);
    }
}
