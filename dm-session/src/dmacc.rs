//! Reading a server account from the DMAcc tree (omadm.md §6.3): `./DMAcc/<X>` with its
//! `ServerID`, `AppAddr/<X>/Addr` and `AppAuth/<X>` credentials.

use dm_tree::{Op, Tree};

use crate::auth::{decode_nonce, AuthType, Credentials};
use crate::client::ClientConfig;

/// A server account as found under `./DMAcc`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DmAccount {
    /// The account node, e.g. `./DMAcc/xyzInc`.
    pub path: String,
    /// Client settings (device id from `./DevInfo/DevId`, server address, credentials).
    pub config: ClientConfig,
    /// `AAuthData` of the CLCRED entry: the nonce the server issued to the client.
    pub client_nonce: Vec<u8>,
    /// `AAuthData` of the SRVCRED entry: the nonce the client issued to the server.
    pub server_nonce: Vec<u8>,
}

fn value(tree: &mut Tree, uri: &str) -> Option<Vec<u8>> {
    tree.execute_local(&Op::get(uri))
        .results
        .into_iter()
        .next()
        .and_then(|r| r.data)
}

fn text(tree: &mut Tree, uri: &str) -> Option<String> {
    value(tree, uri).and_then(|v| String::from_utf8(v).ok())
}

fn children(tree: &mut Tree, uri: &str) -> Vec<String> {
    text(tree, uri)
        .map(|t| {
            t.split('/')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

/// The account whose `ServerID` is `server_id`, if any. The device reads its own tree, so
/// ACLs do not apply (`AAuthSecret` has no Get access for servers).
pub fn account(tree: &mut Tree, server_id: &str) -> Option<DmAccount> {
    let device_id = text(tree, "./DevInfo/DevId").unwrap_or_default();
    for x in children(tree, "./DMAcc") {
        let path = format!("./DMAcc/{x}");
        if text(tree, &format!("{path}/ServerID")).as_deref() != Some(server_id) {
            continue;
        }
        let addr = children(tree, &format!("{path}/AppAddr"))
            .into_iter()
            .find_map(|a| text(tree, &format!("{path}/AppAddr/{a}/Addr")))
            .unwrap_or_default();
        let mut config = ClientConfig::new(device_id, server_id, addr);
        let (mut client_nonce, mut server_nonce) = (Vec::new(), Vec::new());
        for a in children(tree, &format!("{path}/AppAuth")) {
            let base = format!("{path}/AppAuth/{a}");
            let level = text(tree, &format!("{base}/AAuthLevel")).unwrap_or_default();
            let Some(auth_type) =
                text(tree, &format!("{base}/AAuthType")).and_then(|t| AuthType::from_dmacc(&t))
            else {
                continue;
            };
            let creds = Credentials::new(
                auth_type,
                text(tree, &format!("{base}/AAuthName")).unwrap_or_default(),
                text(tree, &format!("{base}/AAuthSecret")).unwrap_or_default(),
            );
            let nonce = value(tree, &format!("{base}/AAuthData"))
                .map(|d| match std::str::from_utf8(&d) {
                    Ok(t) => decode_nonce(t),
                    Err(_) => d,
                })
                .unwrap_or_default();
            match level.as_str() {
                "CLCRED" => {
                    config.client_credentials = Some(creds);
                    client_nonce = nonce;
                }
                "SRVCRED" => {
                    config.server_credentials = Some(creds);
                    server_nonce = nonce;
                }
                _ => {}
            }
        }
        return Some(DmAccount {
            path,
            config,
            client_nonce,
            server_nonce,
        });
    }
    None
}
