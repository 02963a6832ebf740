#![doc = include_str!("../README.md")]

pub mod agent;
pub mod alert;
pub mod codes;
pub mod consent;
pub mod installer;
pub mod integrity;
pub mod inventory;
pub mod server;
pub mod state;
pub mod types;

pub use agent::{
    AgentConfig, AgentError, AgentState, Event, Job, JobId, JobKind, JobOutcome, ScomoAgent,
};
pub use alert::{OperationComplete, ALERT_TYPE};
pub use codes::{ResultClass, ResultCode};
pub use state::{
    DeliveredState, DeliveredStatus, DeployedState, DeployedStatus, DownloadStatus, Operation,
    Subtree,
};
