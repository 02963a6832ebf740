//! User consent (SCOMO-ADC-1/2, SCOMO-USA-1..5): per Management Authority, operations run
//! without asking, are refused, or wait for the user. A refusal is reported as 1401.

use std::collections::BTreeMap;

use crate::state::Operation;

/// What to do with an operation requested by an authority.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Decision {
    /// Run it without asking.
    Allow,
    /// Refuse it (1401 User Cancelled).
    Deny,
    /// Ask the user first: the agent hands the host a consent job.
    AskUser,
}

/// Decides whether operations need the user's consent (pluggable; see [`ConsentPolicy`]).
pub trait Consent: Send {
    /// The decision for `operation` requested by `authority` (`None` for the device itself).
    fn decide(&self, authority: Option<&str>, operation: Operation) -> Decision;
}

/// The ready policy: a decision per authority, and a default for the others.
#[derive(Clone, Debug)]
pub struct ConsentPolicy {
    default: Decision,
    per_authority: BTreeMap<String, Decision>,
}

impl Default for ConsentPolicy {
    /// Allows everything (SCOMO-USA-5: operations without user permission).
    fn default() -> Self {
        Self::new(Decision::Allow)
    }
}

impl ConsentPolicy {
    /// A policy applying `default` to every authority.
    pub fn new(default: Decision) -> Self {
        Self {
            default,
            per_authority: BTreeMap::new(),
        }
    }

    /// Sets the decision for one authority.
    #[must_use]
    pub fn with(mut self, authority: &str, decision: Decision) -> Self {
        self.per_authority.insert(authority.to_owned(), decision);
        self
    }
}

impl Consent for ConsentPolicy {
    fn decide(&self, authority: Option<&str>, _: Operation) -> Decision {
        authority
            .and_then(|a| self.per_authority.get(a))
            .copied()
            .unwrap_or(self.default)
    }
}
