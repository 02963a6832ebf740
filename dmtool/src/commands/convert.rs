//! `dmtool convert`: XML ↔ WBXML.

use super::io::{read_input, write_output};
use crate::CliError;
use clap::ValueEnum;
use wbxml::transcode::{self, OpaquePolicy, ToWbxmlOptions, ToXmlOptions};
use wbxml::{Language, Version};

/// The output encoding.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Target {
    /// XML text.
    Xml,
    /// WBXML bytes.
    Wbxml,
}

/// Arguments of `dmtool convert`.
#[derive(clap::Args, Debug)]
pub(crate) struct Args {
    /// Output encoding (default: the other one than the input's).
    #[arg(long, value_enum)]
    to: Option<Target>,
    /// Put repeated strings in a WBXML string table.
    #[arg(long)]
    string_table: bool,
    /// WBXML version to write.
    #[arg(long, value_name = "1.0|1.1|1.2|1.3", default_value = "1.3", value_parser = parse_version)]
    wbxml_version: Version,
    /// Write XML on one line instead of indented.
    #[arg(long)]
    compact: bool,
    /// Force the document language.
    #[arg(long, value_parser = parse_language, value_name = "syncml11|syncml12|devinf11|devinf12|ddf12")]
    lang: Option<Language>,
    /// Write opaque data that is not text as base64 instead of failing.
    #[arg(long)]
    opaque_base64: bool,
    /// Output file (default: standard output).
    #[arg(short, long, value_name = "OUT")]
    output: Option<String>,
    /// Input file, `-` for standard input.
    #[arg(value_name = "IN")]
    input: String,
}

pub(crate) fn parse_version(text: &str) -> Result<Version, String> {
    Version::from_text(text)
        .ok_or_else(|| format!("unknown WBXML version '{text}' (1.0, 1.1, 1.2 or 1.3)"))
}

pub(crate) fn parse_language(text: &str) -> Result<Language, String> {
    Language::from_short_name(text).ok_or_else(|| {
        let names: Vec<_> = Language::ALL.iter().map(|l| l.short_name()).collect();
        format!("unknown language '{text}' ({})", names.join(", "))
    })
}

/// What a conversion needs besides the input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Conversion {
    pub(crate) to_xml: ToXmlOptions,
    pub(crate) to_wbxml: ToWbxmlOptions,
}

impl Conversion {
    /// Converts `input` to `target`.
    pub(crate) fn run(&self, input: &[u8], target: Target) -> Result<Vec<u8>, wbxml::Error> {
        match target {
            // The XML goes out as bytes: the bytes API saves the UTF-8 check of a `String`.
            Target::Xml => {
                let mut xml = Vec::new();
                transcode::wbxml_to_xml_bytes_into(input, &self.to_xml, &mut xml)?;
                Ok(xml)
            }
            Target::Wbxml => transcode::xml_to_wbxml(input, &self.to_wbxml),
        }
    }
}

pub(crate) fn run(args: Args) -> Result<(), CliError> {
    let input = read_input(&args.input)?;
    let target = args.to.unwrap_or(if transcode::looks_like_xml(&input) {
        Target::Wbxml
    } else {
        Target::Xml
    });
    if target == Target::Xml && args.string_table {
        return Err(CliError::Usage(
            "--string-table applies to WBXML output only".into(),
        ));
    }
    let conversion = Conversion {
        to_xml: ToXmlOptions {
            language: args.lang,
            indent: if args.compact { None } else { Some(2) },
            opaque: if args.opaque_base64 {
                OpaquePolicy::Base64
            } else {
                OpaquePolicy::Error
            },
            ..ToXmlOptions::default()
        },
        to_wbxml: ToWbxmlOptions {
            language: args.lang,
            version: args.wbxml_version,
            string_table: args.string_table,
            ..ToWbxmlOptions::default()
        },
    };
    let output = conversion
        .run(&input, target)
        .map_err(|e| CliError::Input(e.to_string()))?;
    write_output(args.output.as_deref(), &output)
}
