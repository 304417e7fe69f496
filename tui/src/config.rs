//! The config file: `$XDG_CONFIG_HOME/portal/config.toml` (else
//! `~/.config/portal/config.toml`).
//!
//! ```toml
//! server = "https://portal.example.net:50051"
//! ca = "/etc/portal/ca.pem"
//! [keys]
//! reply = "r"
//! mouse = false
//! [theme]
//! accent = "magenta"
//! [page_size]
//! tickets = 100
//! ```
//!
//! Every key is described in docs/CONFIG.md.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::keys::KeySpec;

pub const DEFAULT_SERVER: &str = "http://127.0.0.1:50051";

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub server: Option<String>,
    pub ca: Option<PathBuf>,
    /// Wheel scrolling and clicks; on unless `false`.
    pub mouse: Option<bool>,
    #[serde(default)]
    pub keys: BTreeMap<String, KeySpec>,
    #[serde(default)]
    pub theme: BTreeMap<String, String>,
    /// Items per page, per list (`crate::page_size`); the client writes it.
    #[serde(default)]
    pub page_size: BTreeMap<String, u32>,
}

impl Config {
    /// Where the config file lives, if a home can be found.
    pub fn path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("portal").join("config.toml"))
    }

    /// Whether the mouse is used (it is by default).
    pub fn mouse(&self) -> bool {
        self.mouse.unwrap_or(true)
    }

    /// Reads the file; a missing file is the defaults.
    pub fn load(path: &Path) -> Result<Self, String> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_all_sections() {
        let c = Config::parse(
            "server = \"https://x:1\"\nca = \"/ca.pem\"\n[keys]\nquit = [\"q\", \"ctrl-q\"]\n[theme]\naccent = \"red\"\n",
        )
        .expect("valid");
        assert_eq!(c.server.as_deref(), Some("https://x:1"));
        assert_eq!(c.ca, Some(PathBuf::from("/ca.pem")));
        assert!(c.keys.contains_key("quit"));
        assert_eq!(c.theme.get("accent").map(String::as_str), Some("red"));
        assert!(c.mouse(), "the mouse is on by default");
        assert!(!Config::parse("mouse = false").expect("valid").mouse());
    }

    #[test]
    fn missing_file_is_defaults_and_typos_are_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(
            Config::load(&dir.path().join("none.toml"))
                .expect("ok")
                .server
                .is_none()
        );
        assert!(Config::parse("sever = \"x\"").is_err());
    }
}
