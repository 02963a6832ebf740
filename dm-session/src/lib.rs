#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod auth;
mod client;
mod common;
pub mod dmacc;
mod server;
pub mod ui;
pub mod wire;

pub use auth::{AuthType, Credentials};
pub use client::{ClientConfig, ClientEngine, ClientEvent, DEV_INFO};
pub use common::{Handle, InputLimits, SessionError, Transmit, WireEncoding};
pub use dmacc::DmAccount;
pub use server::{ServerConfig, ServerEngine, ServerEvent};
pub use ui::{DefaultUi, NoUi, UiKind, UiRequest, UiResponse, UserInteraction};
pub use wire::{Cmd, ItemKind, MetaInfo, OutItem, Payload, StatusCmd};
