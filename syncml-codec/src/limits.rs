//! Bounds for hostile input: a DM server decodes package 1 before authentication.

/// Limits applied while decoding. [`Limits::default`] suits real DM traffic.
///
/// ```
/// let limits = syncml_codec::Limits { max_commands: 10, ..Default::default() };
/// assert_eq!(limits.max_depth, 8);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted input in bytes.
    pub max_message_size: usize,
    /// Deepest nesting of Sequence/Atomic (1 = no nesting containers inside containers).
    pub max_depth: usize,
    /// Most commands in a message, nested ones included.
    pub max_commands: usize,
    /// Most items in a message.
    pub max_items: usize,
    /// Longest single string, opaque value or nested document, in bytes.
    pub max_string_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_message_size: 16 * 1024 * 1024,
            max_depth: 8,
            max_commands: 10_000,
            max_items: 100_000,
            max_string_len: 8 * 1024 * 1024,
        }
    }
}

impl Limits {
    /// No practical limit (trusted input only).
    pub fn unlimited() -> Self {
        Self {
            max_message_size: usize::MAX,
            max_depth: usize::MAX,
            max_commands: usize::MAX,
            max_items: usize::MAX,
            max_string_len: usize::MAX,
        }
    }
}
