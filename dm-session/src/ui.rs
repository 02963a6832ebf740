//! User interaction alerts 1100–1104 (omadm.md §1.5): what the host shows and answers.

use syncml_codec::{AlertCode, UiOptions};

/// The kind of a UI alert.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UiKind {
    /// 1100: show a text.
    Display,
    /// 1101: yes or no.
    Confirm,
    /// 1102: ask for text.
    TextInput,
    /// 1103: pick one choice.
    SingleChoice,
    /// 1104: pick any number of choices.
    MultipleChoice,
}

impl UiKind {
    /// The kind of a UI alert code.
    pub fn from_code(code: AlertCode) -> Option<Self> {
        match code.code() {
            1100 => Some(Self::Display),
            1101 => Some(Self::Confirm),
            1102 => Some(Self::TextInput),
            1103 => Some(Self::SingleChoice),
            1104 => Some(Self::MultipleChoice),
            _ => None,
        }
    }
}

/// A UI alert as the host sees it. The options carry `MINDT`, `MAXDT`, `DR`, `MAXLEN`, `IT`
/// and `ET` as the server sent them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiRequest<'a> {
    /// What is asked.
    pub kind: UiKind,
    /// The text or title (second Item).
    pub text: &'a str,
    /// The choices (third Item on), numbered from 1 in answers.
    pub choices: Vec<&'a str>,
    /// The options (first Item).
    pub options: UiOptions<'a>,
}

/// The user's answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum UiResponse {
    /// Displayed (1100) or accepted (1101): 200.
    Ok,
    /// Rejected (1101 "no"): 304.
    No,
    /// Text typed (1102): 200 with the text.
    Text(String),
    /// Choices made (1103: one, 1104: any), numbered from 1: 200 with one Item each.
    Choices(Vec<u32>),
    /// Cancelled by the user: 214.
    Cancelled,
    /// No answer within MAXDT: 408.
    Timeout,
    /// The device has no UI for this: 406.
    NotSupported,
}

/// The host's user interface. Called during [`crate::ClientEngine::handle_incoming`], in
/// command order; a device without a screen uses [`NoUi`].
pub trait UserInteraction {
    /// Shows the alert and returns the user's answer.
    fn interact(&mut self, request: &UiRequest<'_>) -> UiResponse;
}

/// No user interface: every UI alert gets 406.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoUi;

impl UserInteraction for NoUi {
    fn interact(&mut self, _request: &UiRequest<'_>) -> UiResponse {
        UiResponse::NotSupported
    }
}

/// Answers every alert with its default response (`DR`), as a user pressing OK would.
#[derive(Clone, Copy, Debug, Default)]
pub struct DefaultUi;

impl UserInteraction for DefaultUi {
    fn interact(&mut self, request: &UiRequest<'_>) -> UiResponse {
        let dr = request.options.default_response.unwrap_or_default();
        match request.kind {
            UiKind::Display => UiResponse::Ok,
            UiKind::Confirm => {
                if dr == "0" {
                    UiResponse::No
                } else {
                    UiResponse::Ok
                }
            }
            UiKind::TextInput => UiResponse::Text(dr.to_owned()),
            UiKind::SingleChoice | UiKind::MultipleChoice => UiResponse::Choices(
                dr.split('-')
                    .filter_map(|n| n.trim().parse().ok())
                    .collect(),
            ),
        }
    }
}
