//! NetworkManager and D-Bus failures, turned into sentences a user can act on.

use thiserror::Error;

#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum NmError {
    /// The request itself is wrong (exit code 2).
    #[error("{0}")]
    Invalid(String),
    /// NetworkManager refused or failed (exit code 3).
    #[error("{0}")]
    Refused(String),
    /// A bond, profile or device does not exist (exit code 4).
    #[error("{0}")]
    NotFound(String),
    /// NetworkManager is not on the system bus (exit code 3). Typed, so that each front end
    /// says what to do its own way (the CLI names systemctl, the GUI does not).
    #[error("{}", NOT_RUNNING)]
    Unreachable,
    /// Polkit said no (exit code 3): the user may not change network settings.
    #[error("{0}")]
    Denied(String),
    /// A step failed after changes began; everything was rolled back, as `rollback` says.
    #[error("{cause} {}", rollback.sentence())]
    RolledBack {
        cause: Box<NmError>,
        rollback: super::txn::RollbackReport,
    },
}

impl NmError {
    pub fn exit_code(&self) -> i32 {
        match self {
            NmError::Invalid(_) => 2,
            NmError::Refused(_) | NmError::Denied(_) | NmError::Unreachable => 3,
            NmError::NotFound(_) => 4,
            NmError::RolledBack { cause, .. } => cause.exit_code(),
        }
    }

    /// The whole sentence, with the rollback's outcome where there was one.
    pub fn message(&self) -> String {
        self.to_string()
    }

    /// The failure itself, without the rollback's outcome.
    pub fn cause(&self) -> &NmError {
        match self {
            NmError::RolledBack { cause, .. } => cause.cause(),
            other => other,
        }
    }
}

pub(crate) const NOT_RUNNING: &str = "NetworkManager is not running or not reachable on the system bus; start it (systemctl start NetworkManager) and try again.";

/// Turns a D-Bus failure while doing `what` ("create bond0") into a sentence.
pub fn from_dbus(err: zbus::Error, what: &str) -> NmError {
    let (name, msg) = match &err {
        zbus::Error::MethodError(name, msg, _) => {
            (name.as_str().to_string(), msg.clone().unwrap_or_default())
        }
        zbus::Error::FDO(fdo) => {
            let text = fdo.to_string();
            match text.split_once(": ") {
                Some((n, m)) => (n.to_string(), m.to_string()),
                None => (text.clone(), String::new()),
            }
        }
        zbus::Error::InputOutput(_) | zbus::Error::Address(_) | zbus::Error::Handshake(_) => {
            return NmError::Unreachable
        }
        other => {
            return NmError::Refused(format!("Could not {what}: {}.", trim(&other.to_string())))
        }
    };
    classify(&name, &msg, what)
}

fn trim(s: &str) -> &str {
    s.trim().trim_end_matches('.')
}

/// Maps an error name and NM's message to one of our sentences.
pub fn classify(name: &str, msg: &str, what: &str) -> NmError {
    classify_on(name, msg, what, bonding_available())
}

fn classify_on(name: &str, msg: &str, what: &str, bonding: bool) -> NmError {
    let short = name.rsplit('.').next().unwrap_or(name);
    if name.contains("ServiceUnknown")
        || name.contains("NameHasNoOwner")
        || name.contains("NoReply")
        || name.contains("Disconnected")
    {
        return NmError::Unreachable;
    }
    match short {
        "PermissionDenied" | "AccessDenied" | "NotAuthorized" | "AuthFailed" => NmError::Denied(format!(
            "You are not allowed to change network settings, so NetworkManager refused to {what}. Use an administrator account and enter its password when asked."
        )),
        "UnknownConnection" => NmError::NotFound(format!("Could not {what}: the profile no longer exists; it may have been deleted by another tool.")),
        "UnknownDevice" => NmError::NotFound(format!("Could not {what}: the network device has disappeared; check the cable or driver, then refresh.")),
        "InvalidProperty" | "InvalidSetting" | "MissingProperty" | "InvalidArguments" if msg.contains("checkpoint") => NmError::Refused(format!(
            "Could not {what}: another change is still pending on these devices ({}). Wait for it to finish or roll back, then try again.", trim(msg)
        )),
        "InvalidProperty" | "InvalidSetting" | "MissingProperty" => NmError::Invalid(format!("NetworkManager rejected the settings to {what}: {}.", trim(msg))),
        _ if msg.contains("Failed to create bond interface") && !bonding => NmError::Refused(format!(
            "Could not {what}: this kernel has no bonding driver (NetworkManager said: {}). Load it with 'modprobe bonding', or use a kernel that includes it.", trim(msg)
        )),
        _ => NmError::Refused(format!("NetworkManager could not {what}: {}.", if msg.is_empty() { name } else { trim(msg) })),
    }
}

/// Whether the bonding driver is loaded or could be loaded.
pub fn bonding_available() -> bool {
    if std::path::Path::new("/sys/module/bonding").exists() {
        return true;
    }
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    std::path::Path::new(&format!(
        "/lib/modules/{}/kernel/drivers/net/bonding",
        release.trim()
    ))
    .exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn polkit_denial_is_a_sentence_with_a_way_forward() {
        let e = classify(
            "org.freedesktop.NetworkManager.Settings.PermissionDenied",
            "Insufficient privileges",
            "create bond0",
        );
        assert_eq!(e.exit_code(), 3);
        assert!(e.message().starts_with("You are not allowed to change network settings, so NetworkManager refused to create bond0."));
        // The GUI shows this sentence too: no terminal advice in it.
        assert!(matches!(e, NmError::Denied(_)));
        assert!(!e.message().contains("sudo") && !e.message().contains("bondctl"));
    }

    #[test]
    fn nm_not_running() {
        let e = classify(
            "org.freedesktop.DBus.Error.ServiceUnknown",
            "The name is not activatable",
            "list bonds",
        );
        assert_eq!(e.message(), NOT_RUNNING);
    }

    #[test]
    fn verify_errors_keep_nm_words() {
        let e = classify(
            "org.freedesktop.NetworkManager.Settings.Connection.InvalidProperty",
            "bond.options: 'lacp_rate' option is only valid with mode '802.3ad'",
            "create bond0",
        );
        assert_eq!(e, NmError::Invalid("NetworkManager rejected the settings to create bond0: bond.options: 'lacp_rate' option is only valid with mode '802.3ad'.".into()));
        assert_eq!(
            classify(
                "org.freedesktop.NetworkManager.UnknownDevice",
                "",
                "activate bond0"
            )
            .exit_code(),
            4
        );
    }

    #[test]
    fn missing_bonding_driver_is_explained() {
        let name = "org.freedesktop.NetworkManager.Device.CreationFailed";
        let msg = "bond0 failed to create resources: Failed to create bond interface 'bond0' for 'bond0': Operation not supported";
        let e = classify_on(name, msg, "activate bond0", false);
        assert!(
            e.message().contains("this kernel has no bonding driver"),
            "{}",
            e.message()
        );
        let e = classify_on(name, msg, "activate bond0", true);
        assert!(
            !e.message().contains("no bonding driver"),
            "{}",
            e.message()
        );
    }
}
