#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
//! Result code classes, Status/State values and state machines, generated types.

use scomo_tree::state::{DeliveredEvent, DeployedEvent, DownloadEvent};
use scomo_tree::types::{extended, scomo10};
use scomo_tree::*;

#[test]
fn every_result_code_class() {
    for code in (1200..=1600).map(ResultCode) {
        let expected = match code.0 {
            1200 | 1250..=1299 => ResultClass::Success,
            1400..=1413 | 1450..=1499 => ResultClass::ClientError,
            1500 | 1501 | 1550..=1599 => ResultClass::DownloadServerError,
            _ => ResultClass::Unknown,
        };
        assert_eq!(code.class(), expected, "{code}");
        assert_eq!(
            code.meaning().is_some(),
            expected != ResultClass::Unknown,
            "{code}"
        );
    }
    assert_eq!(ResultCode(1201).class(), ResultClass::Unknown);
    assert_eq!(ResultCode(1414).class(), ResultClass::Unknown);
    assert_eq!(
        ResultCode::PACKAGE_VALIDATION_FAILED.meaning(),
        Some("Failed Package Validation")
    );
    assert!(ResultCode(1472).is_vendor() && !ResultCode(1405).is_vendor());
    assert_eq!(ResultCode(1250).mark(), "informational");
    assert_eq!(ResultCode(1401).mark(), "warning");
    assert_eq!(ResultCode(1550).mark(), "critical");
}

#[test]
fn status_values_match_the_spec() {
    let v = |all: &[i32]| all.to_vec();
    assert_eq!(
        v(&DownloadStatus::ALL
            .iter()
            .map(|s| s.value())
            .collect::<Vec<_>>()),
        [10, 20, 30, 40, 50, 60, 70]
    );
    assert_eq!(DeliveredStatus::InstallFailedWithoutData.value(), 60);
    assert_eq!(DeliveredStatus::from_value(70), None, "70 is C2's bug");
    assert_eq!(DeployedStatus::DeactivateProgressing.value(), 70);
    assert_eq!(
        (
            DeliveredState::Delivered.value(),
            DeliveredState::Installed.value()
        ),
        (10, 20)
    );
    assert_eq!(
        (
            DeployedState::Inactive.value(),
            DeployedState::Active.value()
        ),
        (10, 20)
    );
}

#[test]
fn state_machines() {
    let mut s = DownloadStatus::Idle;
    let mut seq = vec![s.value()];
    for e in [
        DownloadEvent::Start,
        DownloadEvent::Downloaded,
        DownloadEvent::InstallStart,
        DownloadEvent::Installed,
    ] {
        s = s.next(e).unwrap();
        seq.push(s.value());
    }
    assert_eq!(seq, [10, 30, 40, 50, 10]);
    assert_eq!(
        DownloadStatus::DownloadProgressing.next(DownloadEvent::Start),
        None
    );
    assert_eq!(DownloadStatus::Idle.next(DownloadEvent::Downloaded), None);
    assert_eq!(
        DownloadStatus::InstallProgressing.next(DownloadEvent::InstallFailed { data_kept: false }),
        Some(DownloadStatus::InstallFailedWithoutData)
    );
    assert_eq!(
        DeliveredStatus::Idle.next(DeliveredEvent::RemoveStart),
        Some(DeliveredStatus::RemoveProgressing)
    );
    assert_eq!(
        DeliveredStatus::RemoveProgressing.next(DeliveredEvent::RemoveFailed),
        Some(DeliveredStatus::RemoveFailed)
    );
    assert_eq!(DeliveredStatus::Idle.next(DeliveredEvent::Installed), None);
    assert_eq!(
        DeployedStatus::Idle.next(DeployedEvent::ActivateStart),
        Some(DeployedStatus::ActivateProgressing)
    );
    assert_eq!(
        DeployedStatus::ActivateProgressing.next(DeployedEvent::ActivateFailed),
        Some(DeployedStatus::ActivateFailed)
    );
    assert_eq!(
        DeployedStatus::ActivateProgressing.next(DeployedEvent::RemoveStart),
        None
    );
}

#[test]
fn operations_parse_exact_names_only() {
    for op in Operation::ALL {
        assert_eq!(Operation::parse(&op.path("X1")), Some((op, "X1")));
    }
    for bad in [
        "Download/X/Operations/DownlaodInstallInactive",
        "Download/X/Operations/DownloadInstallInactivate",
        "Inventory/Deployed/X/Operations/Deactive",
        "download/X/Operations/Download",
        "inventory/Deployed/X/Operations/Activate",
        "Inventory/Deployed/X/Operations/Install",
        "Download/X/Operations/Ext",
    ] {
        assert_eq!(Operation::parse(bad), None, "{bad}");
    }
}

#[test]
fn generated_types_and_specs() {
    assert_eq!(scomo10::MO_ID, "urn:oma:mo:oma-scomo:1.0");
    let spec = scomo10::spec("Download/*/Operations/DownloadInstallInactive").unwrap();
    assert_eq!(spec.format, dm_tree::Format::Null);
    assert!(scomo10::spec("Download/*/Ext/Digest").is_none());
    let ext = extended::spec("Download/*/Ext/Digest").unwrap();
    assert!(ext.access.contains(dm_tree::AccessType::ADD));
    assert!(extended::spec("Download/*/PkgURL")
        .unwrap()
        .access
        .contains(dm_tree::AccessType::ADD));
    assert!(!scomo10::spec("Download/*/PkgURL")
        .unwrap()
        .access
        .contains(dm_tree::AccessType::ADD));
    let parsed = ddf::parse_xml(types::EXTENDED_DDF).unwrap();
    assert!(parsed.tree.find("SCOMO/Inventory/Deployed").is_some());
    let item = extended::DeployedItem {
        version: "1".into(),
        ..Default::default()
    };
    assert_eq!(item.ext, None);
}
