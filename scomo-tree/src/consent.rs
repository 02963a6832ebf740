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

    /// Whether `authority` may read the inventory now (SCOMO-ADC-1). A Get cannot wait, so
    /// a host that asks the user answers here synchronously; a refusal is a 403 to the Get.
    fn inventory_query(&self, authority: Option<&str>) -> bool {
        let _ = authority;
        true
    }
}

/// The ready policy: a decision per authority, and a default for the others.
#[derive(Clone, Debug)]
pub struct ConsentPolicy {
    default: Decision,
    per_authority: BTreeMap<String, Decision>,
    inventory_default: bool,
    inventory: BTreeMap<String, bool>,
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
            inventory_default: true,
            inventory: BTreeMap::new(),
        }
    }

    /// Sets whether authorities without their own rule may query the inventory.
    #[must_use]
    pub fn with_inventory_default(mut self, allowed: bool) -> Self {
        self.inventory_default = allowed;
        self
    }

    /// Sets whether one authority may query the inventory.
    #[must_use]
    pub fn with_inventory(mut self, authority: &str, allowed: bool) -> Self {
        self.inventory.insert(authority.to_owned(), allowed);
        self
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

    fn inventory_query(&self, authority: Option<&str>) -> bool {
        match authority {
            // The device reading its own inventory needs no consent.
            None => true,
            Some(a) => self
                .inventory
                .get(a)
                .copied()
                .unwrap_or(self.inventory_default),
        }
    }
}
