//! Status and alert codes of OMA DM 1.2, with their meanings (omadm.md §1.4, §1.5).

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal => $meaning:literal,)* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vdoc])* $variant,)*
            /// A code this crate does not know, kept as its number.
            Other(u16),
        }

        impl $name {
            /// The code for a number; numbers without a name become [`Self::Other`].
            pub fn from_code(code: u16) -> Self {
                match code {
                    $($code => Self::$variant,)*
                    other => Self::Other(other),
                }
            }

            /// The numeric code.
            pub fn code(self) -> u16 {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Other(code) => code,
                }
            }

            /// What the code means in DM, or `None` for an unknown code.
            pub fn meaning(self) -> Option<&'static str> {
                match Self::from_code(self.code()) {
                    $(Self::$variant => Some($meaning),)*
                    Self::Other(_) => None,
                }
            }
        }

        impl From<u16> for $name {
            fn from(code: u16) -> Self {
                Self::from_code(code)
            }
        }

        impl From<$name> for u16 {
            fn from(code: $name) -> Self {
                code.code()
            }
        }

        /// Serialised as the bare number, so stored codes read the way the wire writes them.
        #[cfg(feature = "serde")]
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_u16(self.code())
            }
        }

        /// Any number deserialises; numbers without a name become [`Self::Other`].
        #[cfg(feature = "serde")]
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                <u16 as serde::Deserialize>::deserialize(deserializer).map(Self::from_code)
            }
        }

        impl core::fmt::Display for $name {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                match self.meaning() {
                    Some(m) => write!(f, "{} ({})", self.code(), m),
                    None => write!(f, "{}", self.code()),
                }
            }
        }
    };
}

code_enum!(
    /// The code in a `Status/Data`.
    StatusCode {
        /// 200: success.
        Ok = 200 => "OK",
        /// 202: accepted for asynchronous processing.
        Accepted = 202 => "Accepted for processing",
        /// 212: authentication accepted for the session.
        AuthenticationAccepted = 212 => "Authentication accepted",
        /// 213: a large-object chunk was accepted and buffered.
        ChunkedItemAccepted = 213 => "Chunked item accepted and buffered",
        /// 214: the user cancelled.
        OperationCancelled = 214 => "Operation cancelled",
        /// 215: the command was not executed.
        NotExecuted = 215 => "Not executed",
        /// 216: an Atomic member was rolled back.
        AtomicRollBackOk = 216 => "Atomic roll back OK",
        /// 304: not modified (the user answered "no").
        NotModified = 304 => "Not modified",
        /// 400: malformed request.
        BadRequest = 400 => "Bad request",
        /// 401: invalid credentials.
        Unauthorized = 401 => "Invalid credentials",
        /// 403: forbidden.
        Forbidden = 403 => "Forbidden",
        /// 404: node not found.
        NotFound = 404 => "Not found",
        /// 405: command not allowed on the node.
        CommandNotAllowed = 405 => "Command not allowed",
        /// 406: optional feature not supported.
        OptionalFeatureNotSupported = 406 => "Optional feature not supported",
        /// 407: credentials missing.
        AuthenticationRequired = 407 => "Missing credentials",
        /// 408: request timeout.
        RequestTimeout = 408 => "Request timeout",
        /// 412: incomplete command.
        IncompleteCommand = 412 => "Incomplete command",
        /// 413: request entity too large.
        RequestEntityTooLarge = 413 => "Request entity too large",
        /// 414: URI too long.
        UriTooLong = 414 => "URI too long",
        /// 415: unsupported media type or format.
        UnsupportedMediaType = 415 => "Unsupported media type or format",
        /// 416: requested range not satisfiable.
        RequestedRangeNotSatisfiable = 416 => "Requested range not satisfiable",
        /// 418: the node already exists.
        AlreadyExists = 418 => "Already exists",
        /// 420: device full.
        DeviceFull = 420 => "Device full",
        /// 424: reassembled size differs from Meta Size.
        SizeMismatch = 424 => "Size mismatch",
        /// 425: the ACL refuses.
        PermissionDenied = 425 => "Permission denied",
        /// 500: command failed.
        CommandFailed = 500 => "Command failed",
        /// 501: command not implemented.
        CommandNotImplemented = 501 => "Command not implemented",
        /// 506: session internal error (libdmclient).
        SessionInternalError = 506 => "Session internal error",
        /// 507: the Atomic failed.
        AtomicFailed = 507 => "Atomic failed",
        /// 510: data store failure.
        DataStoreFailure = 510 => "Data store failure",
        /// 516: Atomic roll back failed.
        AtomicRollBackFailed = 516 => "Atomic roll back failed",
        /// 517: Atomic responses would not fit.
        AtomicResponseTooLarge = 517 => "Atomic response too large to fit",
    }
);

impl StatusCode {
    /// Whether the code reports success (2xx).
    pub fn is_success(self) -> bool {
        (200..300).contains(&self.code())
    }
}

code_enum!(
    /// The code in an `Alert/Data`. Only these are valid in DM; 1221 is not (project decision).
    AlertCode {
        /// 1100: show a message.
        Display = 1100 => "Display",
        /// 1101: ask the user to confirm or reject.
        ConfirmOrReject = 1101 => "Confirm or reject",
        /// 1102: ask the user for text.
        TextInput = 1102 => "Text input",
        /// 1103: single choice.
        SingleChoice = 1103 => "Single choice",
        /// 1104: multiple choice.
        MultipleChoice = 1104 => "Multiple choice",
        /// 1200: server-initiated management session.
        ServerInitiatedMgmt = 1200 => "Server-initiated management",
        /// 1201: client-initiated management session.
        ClientInitiatedMgmt = 1201 => "Client-initiated management",
        /// 1222: send the next message of the package.
        NextMessage = 1222 => "Next message",
        /// 1223: session abort.
        SessionAbort = 1223 => "Session abort",
        /// 1224: client event.
        ClientEvent = 1224 => "Client event",
        /// 1225: a large object was interrupted.
        NoEndOfData = 1225 => "No end of data",
        /// 1226: Generic Alert.
        GenericAlert = 1226 => "Generic alert",
    }
);

impl AlertCode {
    /// Whether this is one of the user-interaction alerts 1100–1104.
    pub fn is_ui(self) -> bool {
        (1100..=1104).contains(&self.code())
    }
}

/// The options of a UI alert (1100–1104): the URL-encoded `k=v&k=v` of its first Item.
///
/// Unknown keys are ignored, as DM requires; values stay as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UiOptions<'a> {
    /// `MINDT`: minimum display time in seconds.
    pub min_display_time: Option<u32>,
    /// `MAXDT`: maximum wait in seconds (then 408).
    pub max_display_time: Option<u32>,
    /// `DR`: default response.
    pub default_response: Option<&'a str>,
    /// `MAXLEN`: maximum text input length.
    pub max_len: Option<u32>,
    /// `IT`: input type (`A`, `N`, `D`, `T`, `P`, `I`).
    pub input_type: Option<&'a str>,
    /// `ET`: echo type (`T` text, `P` password).
    pub echo_type: Option<&'a str>,
}

impl<'a> UiOptions<'a> {
    /// Parses an options string; malformed numbers are ignored like unknown keys.
    pub fn parse(text: &'a str) -> Self {
        let mut opts = Self::default();
        for pair in text.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            match key.trim() {
                "MINDT" => opts.min_display_time = value.trim().parse().ok(),
                "MAXDT" => opts.max_display_time = value.trim().parse().ok(),
                "DR" => opts.default_response = Some(value),
                "MAXLEN" => opts.max_len = value.trim().parse().ok(),
                "IT" => opts.input_type = Some(value),
                "ET" => opts.echo_type = Some(value),
                _ => {}
            }
        }
        opts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_unknown_stay_numbers() {
        for n in 0..2000u16 {
            assert_eq!(StatusCode::from_code(n).code(), n);
            assert_eq!(AlertCode::from_code(n).code(), n);
        }
        assert_eq!(StatusCode::from_code(213), StatusCode::ChunkedItemAccepted);
        assert_eq!(AlertCode::from_code(1221), AlertCode::Other(1221));
        assert_eq!(AlertCode::Other(1226).meaning(), Some("Generic alert"));
        assert_eq!(StatusCode::Other(299).meaning(), None);
        assert_eq!(StatusCode::NotFound.to_string(), "404 (Not found)");
    }

    #[test]
    fn codes_convert_from_and_to_numbers() {
        assert_eq!(StatusCode::from(404), StatusCode::NotFound);
        assert_eq!(u16::from(AlertCode::from(1226)), 1226);
        assert_eq!(u16::from(StatusCode::Other(299)), 299);
    }

    #[cfg(feature = "serde")]
    #[test]
    fn codes_serialise_as_numbers() {
        let codes = vec![StatusCode::ChunkedItemAccepted, StatusCode::Other(299)];
        let json = serde_json::to_string(&codes).unwrap();
        assert_eq!(json, "[213,299]");
        let back: Vec<StatusCode> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, codes);
        // An unnamed number written by hand comes back as the named code.
        let alert: AlertCode = serde_json::from_str("1226").unwrap();
        assert_eq!(alert, AlertCode::from_code(1226));
        assert!(serde_json::from_str::<StatusCode>("70000").is_err());
        assert!(serde_json::from_str::<StatusCode>("\"200\"").is_err());
    }

    #[test]
    fn ui_options() {
        let o = UiOptions::parse("MAXDT=120&MAXLEN=6&IT=N&ET=P&X=1");
        assert_eq!(o.max_display_time, Some(120));
        assert_eq!(o.max_len, Some(6));
        assert_eq!(o.input_type, Some("N"));
        assert_eq!(o.echo_type, Some("P"));
        assert_eq!(
            UiOptions::parse("MINDT=2&DR=1-3").default_response,
            Some("1-3")
        );
    }
}
