//! The SCOMO OperationComplete Generic Alert (scomo.md §4): building it on the device and
//! reading it on the server.

use std::borrow::Cow;

use dm_tree::GenericAlert;
use serde::{Deserialize, Serialize};

use crate::codes::ResultCode;

/// The Generic Alert code.
pub const GENERIC_ALERT: u16 = 1226;
/// The alert type the SCOMO Client sends (`Meta/Type`).
pub const ALERT_TYPE: &str = "urn:oma:at:scomo:1.0:OperationComplete";
/// The pre-final draft type some clients still send; accepted on receipt.
pub const LEGACY_ALERT_TYPE: &str = "org.openmobilealliance.dm.softwarecomponent.OperationComplete";
/// The `Meta/Format` this crate sends.
pub const ALERT_FORMAT: &str = "xml";
/// The `Meta/Format` values accepted on receipt.
pub const ACCEPTED_FORMATS: [&str; 4] = ["xml", "chr", "text/plain", "text/xml"];

/// Why an alert is not a readable SCOMO OperationComplete.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AlertError {
    /// `Meta/Type` is neither the SCOMO type nor the legacy one.
    #[error("alert type {0:?} is not a SCOMO OperationComplete")]
    NotScomo(String),
    /// `Meta/Format` is not one of [`ACCEPTED_FORMATS`].
    #[error("alert data format {0:?} not accepted")]
    Format(String),
    /// The data lacks the element, or it is unterminated.
    #[error("alert data lacks <{0}>")]
    Missing(&'static str),
    /// `ResultCode` is not a number.
    #[error("alert ResultCode {0:?} is not a number")]
    BadCode(String),
}

/// One OperationComplete report: one Item of a Generic Alert.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OperationComplete {
    /// `Source/LocURI`: the operation node that was executed.
    pub source: String,
    /// `Target/LocURI`: the inventory node concerned.
    pub target: Option<String>,
    /// The SCOMO result code.
    pub result: ResultCode,
    /// `ID` of the component, or `PkgID` of the package for package-level operations.
    pub identifier: String,
    /// The correlator of the Exec, echoed.
    pub correlator: Option<String>,
}

fn escape(text: &str) -> Cow<'_, str> {
    if !text.contains(['&', '<', '>']) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;"),
    )
}

fn unescape(text: &str) -> Cow<'_, str> {
    if !text.contains('&') {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(rest.get(..i).unwrap_or_default());
        let tail = rest.get(i..).unwrap_or_default();
        let end = tail.find(';').filter(|&e| e <= 10);
        let entity = end.and_then(|e| tail.get(1..e));
        let ch = match entity {
            Some("amp") => Some('&'),
            Some("lt") => Some('<'),
            Some("gt") => Some('>'),
            Some("quot") => Some('"'),
            Some("apos") => Some('\''),
            Some(e) if e.starts_with("#x") => e
                .get(2..)
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .and_then(char::from_u32),
            Some(e) if e.starts_with('#') => e
                .get(1..)
                .and_then(|d| d.parse().ok())
                .and_then(char::from_u32),
            _ => None,
        };
        match (ch, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = tail.get(e + 1..).unwrap_or_default();
            }
            _ => {
                out.push('&');
                rest = tail.get(1..).unwrap_or_default();
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

fn element<'a>(data: &'a str, name: &'static str) -> Result<&'a str, AlertError> {
    let open = format!("<{name}>");
    let close = format!("</{name}>");
    let start = data.find(&open).ok_or(AlertError::Missing(name))? + open.len();
    let rest = data.get(start..).ok_or(AlertError::Missing(name))?;
    let end = rest.find(&close).ok_or(AlertError::Missing(name))?;
    rest.get(..end).ok_or(AlertError::Missing(name))
}

/// The alert `Data` for a result: `<ResultCode>NNNN</ResultCode><Identifier>ID</Identifier>`.
pub fn alert_data(result: ResultCode, identifier: &str) -> String {
    format!(
        "<ResultCode>{}</ResultCode><Identifier>{}</Identifier>",
        result.0,
        escape(identifier)
    )
}

/// Reads the `Data` of an OperationComplete alert, with or without a CDATA wrapper.
pub fn parse_alert_data(data: &str) -> Result<(ResultCode, Cow<'_, str>), AlertError> {
    let mut inner = data.trim();
    if let Some(cdata) = inner
        .strip_prefix("<![CDATA[")
        .and_then(|s| s.strip_suffix("]]>"))
    {
        inner = cdata.trim();
    }
    let code_text = element(inner, "ResultCode")?.trim();
    let code = code_text
        .parse::<u16>()
        .map_err(|_| AlertError::BadCode(code_text.to_owned()))?;
    let identifier = element(inner, "Identifier")?.trim();
    Ok((ResultCode(code), unescape(identifier)))
}

impl OperationComplete {
    /// The alert `Data` of this report.
    pub fn data(&self) -> String {
        alert_data(self.result, &self.identifier)
    }

    /// The Generic Alert the device sends: type [`ALERT_TYPE`], Format [`ALERT_FORMAT`],
    /// Mark by result class.
    pub fn to_generic_alert(&self) -> GenericAlert {
        GenericAlert {
            source: Some(self.source.clone()),
            target: self.target.clone(),
            alert_type: ALERT_TYPE.to_owned(),
            format: ALERT_FORMAT.to_owned(),
            mark: Some(self.result.mark().to_owned()),
            data: self.data(),
            correlator: self.correlator.clone(),
        }
    }

    /// Reads one alert item (fields as decoded from a SyncML Alert). `format` `None`
    /// means the item carried no `Meta/Format`.
    pub fn from_parts(
        alert_type: Option<&str>,
        format: Option<&str>,
        source: Option<&str>,
        target: Option<&str>,
        data: &str,
        correlator: Option<&str>,
    ) -> Result<Self, AlertError> {
        let ty = alert_type.unwrap_or_default();
        if ty != ALERT_TYPE && ty != LEGACY_ALERT_TYPE {
            return Err(AlertError::NotScomo(ty.to_owned()));
        }
        if let Some(f) = format {
            if !ACCEPTED_FORMATS.iter().any(|a| a.eq_ignore_ascii_case(f)) {
                return Err(AlertError::Format(f.to_owned()));
            }
        }
        let (result, identifier) = parse_alert_data(data)?;
        Ok(Self {
            source: source.unwrap_or_default().to_owned(),
            target: target.map(str::to_owned),
            result,
            identifier: identifier.into_owned(),
            correlator: correlator.map(str::to_owned),
        })
    }

    /// Reads a [`GenericAlert`] as queued by a tree.
    pub fn from_generic_alert(alert: &GenericAlert) -> Result<Self, AlertError> {
        Self::from_parts(
            Some(&alert.alert_type),
            Some(&alert.format),
            alert.source.as_deref(),
            alert.target.as_deref(),
            &alert.data,
            alert.correlator.as_deref(),
        )
    }
}
